CREATE OR REPLACE TRIGGER relationship_entry_update
	AFTER UPDATE ON workhooks.relationship
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_refresh();
