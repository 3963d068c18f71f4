CREATE OR REPLACE TRIGGER timeline_change_insert
	AFTER INSERT ON workhooks.timeline_change
	FOR EACH ROW EXECUTE FUNCTION workhooks.worker_timeline_upkeep();
