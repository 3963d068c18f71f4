-- Trigger function (62-*.sql): TRUNCATE of relationship empties the
-- entries.
CREATE OR REPLACE FUNCTION workhooks.relationship_entry_truncate()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	TRUNCATE workhooks.suggestion_entry;
	RETURN NULL;
END
$$;
