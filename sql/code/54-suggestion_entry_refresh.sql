-- Refresh the entries of the given hirers x people from their
-- relationships: drop them, make again those that still have one (the
-- same set both ways: every pair of a hirer in p_hirers and a person in
-- p_persons).  One refresh at a time (SHARE ROW EXCLUSIVE conflicts with
-- itself, not with readers): after the lock, the INSERT's snapshot sees
-- what a concurrent writer committed, so two loads touching the same pair
-- cannot leave it half made.  Loads run in READ COMMITTED (the default).
CREATE OR REPLACE FUNCTION workhooks.suggestion_entry_refresh(p_hirers text[], p_persons bigint[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF coalesce(cardinality(p_hirers), 0) = 0 OR coalesce(cardinality(p_persons), 0) = 0 THEN
		RETURN;
	END IF;
	LOCK TABLE workhooks.suggestion_entry IN SHARE ROW EXCLUSIVE MODE;
	DELETE FROM workhooks.suggestion_entry AS e
	WHERE e.hirer_key = ANY (p_hirers) AND e.person_id = ANY (p_persons);
	INSERT INTO workhooks.suggestion_entry
		(hirer_key, person_id, latest, person_key, person_name, name_key,
		 answer, answer_long)
	SELECT s.hirer_key, s.person_id, s.latest, s.person_key, s.person_name,
	       s.name_key, s.answer, s.answer_long
	FROM workhooks.suggestion_entry_source AS s
	WHERE s.hirer_key = ANY (p_hirers) AND s.person_id = ANY (p_persons);
END
$$;
