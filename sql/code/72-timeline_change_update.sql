CREATE OR REPLACE TRIGGER timeline_change_update
	AFTER UPDATE ON workhooks.timeline_change
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.worker_timeline_upkeep();
