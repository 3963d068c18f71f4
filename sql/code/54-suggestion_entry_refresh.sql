-- Refresh the entries of the given (hirer, person) pairs (p_hirers[i],
-- p_persons[i]) from their relationships: drop them, make again those that
-- still have one.  One refresh at a time (SHARE ROW EXCLUSIVE conflicts
-- with itself, not with readers): after the lock, the INSERT's snapshot
-- sees what a concurrent writer committed, so two loads touching the same
-- pair cannot leave it half made.  Loads run in READ COMMITTED (the
-- default).  Each pair is one lookup of relationship_person_hirer and
-- person_pkey (LATERAL ... OFFSET 0: the view's grouping is done per
-- pair; flattened, the planner grouped every relationship, 11 s for 300
-- people at 100,000).
CREATE OR REPLACE FUNCTION workhooks.suggestion_entry_refresh(p_hirers text[], p_persons bigint[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF coalesce(cardinality(p_hirers), 0) = 0 THEN
		RETURN;
	END IF;
	LOCK TABLE workhooks.suggestion_entry IN SHARE ROW EXCLUSIVE MODE;
	DELETE FROM workhooks.suggestion_entry AS e
	USING unnest(p_hirers, p_persons) AS p(hirer_key, person_id)
	WHERE e.hirer_key = p.hirer_key AND e.person_id = p.person_id;
	INSERT INTO workhooks.suggestion_entry
		(hirer_key, person_id, latest, person_key, person_name, name_key,
		 answer, answer_long)
	SELECT s.hirer_key, s.person_id, s.latest, s.person_key, s.person_name,
	       s.name_key, s.answer, s.answer_long
	FROM (SELECT DISTINCT p.hirer_key, p.person_id
	      FROM unnest(p_hirers, p_persons) AS p(hirer_key, person_id)) AS p
	CROSS JOIN LATERAL (
		SELECT * FROM workhooks.suggestion_entry_source AS x
		WHERE x.hirer_key = p.hirer_key AND x.person_id = p.person_id
		OFFSET 0) AS s;
END
$$;
