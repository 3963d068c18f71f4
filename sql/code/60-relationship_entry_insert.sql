CREATE OR REPLACE TRIGGER relationship_entry_insert
	AFTER INSERT ON workhooks.relationship
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_refresh();
