CREATE OR REPLACE TRIGGER relationship_entry_delete
	AFTER DELETE ON workhooks.relationship
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_refresh();
