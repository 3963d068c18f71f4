CREATE OR REPLACE TRIGGER timeline_change_delete
	AFTER DELETE ON workhooks.timeline_change
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.worker_timeline_upkeep();
