-- All entries, made again from the relationships: after a bulk load with
-- the triggers disabled (sql/sample/generate.sql), or to repair.
CREATE OR REPLACE FUNCTION workhooks.suggestion_entry_rebuild()
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_count	bigint;
BEGIN
	LOCK TABLE workhooks.suggestion_entry IN SHARE ROW EXCLUSIVE MODE;
	TRUNCATE workhooks.suggestion_entry;
	INSERT INTO workhooks.suggestion_entry
		(hirer_key, person_id, latest, person_key, person_name, name_key,
		 answer, answer_long)
	SELECT s.hirer_key, s.person_id, s.latest, s.person_key, s.person_name,
	       s.name_key, s.answer, s.answer_long
	FROM workhooks.suggestion_entry_source AS s;
	GET DIAGNOSTICS v_count = ROW_COUNT;
	RETURN v_count;
END
$$;
