CREATE OR REPLACE TRIGGER timeline_change_insert
	AFTER INSERT ON workhooks.timeline_change
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.worker_timeline_upkeep();
