CREATE OR REPLACE TRIGGER relationship_entry_truncate
	AFTER TRUNCATE ON workhooks.relationship
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_truncate();
