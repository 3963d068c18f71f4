CREATE OR REPLACE TRIGGER person_entry_refresh
	AFTER UPDATE ON workhooks.person
	REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.person_entry_refresh();
