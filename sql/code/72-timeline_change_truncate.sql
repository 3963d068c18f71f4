CREATE OR REPLACE TRIGGER timeline_change_truncate
	AFTER TRUNCATE ON workhooks.timeline_change
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.worker_timeline_upkeep();
