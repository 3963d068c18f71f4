-- The fast path of contact_suggestions (80-contact_suggestions.sql): one
-- row, whose answer is the JSON array as text, or NULL where only the
-- general path can answer.
--
-- It answers when the array holds one address (several that name one
-- hirer after lower-casing are left to the general path, which answers
-- the same; reading the array's elements and removing duplicates cost a
-- third of the call), the hirer has no Worksome hires and every one of
-- its people is short enough to index (suggestion_entry_fits).  Its
-- entries (workhooks.suggestion_entry) are then exactly the groups the
-- general query makes (one per person), ordered as the answer is; so the
-- answer is the first p_limit entries whose name or email contains the
-- filter, read in suggestion_entry_answer's order (one index range,
-- stopped at the limit), their objects joined.  An empty answer is left to
-- the general path when the hirer has relationships but no entry at all:
-- suggestion_entry was emptied behind the triggers' back (a TRUNCATE of it
-- alone; suggestion_entry_rebuild() repairs it).
--
-- OFFSET 0 keeps both subqueries whole: pulled up into the outer query,
-- k's lower(nullif(p_filter, '')) was computed again for every entry
-- read (three times: the filtered answer of a hirer with 500 entries took
-- twice as long) and a's answer, named twice by the CASE, was planned as
-- two copies of its sub-plan.
--
-- LANGUAGE sql, one SELECT, STABLE, neither STRICT nor SECURITY DEFINER and
-- without SET: so PostgreSQL inlines it into the statement that calls it
-- in FROM, and the endpoint's prepared statement runs it as one plan made
-- once per connection (no function call, no per-statement executor start,
-- no GUC save and restore; README "How suggestions stay fast").  It runs with
-- the caller's rights: the writer may read the columns it names
-- (90-privileges.sql).
CREATE OR REPLACE FUNCTION workhooks.contact_suggestions_fast(p_emails jsonb, p_filter text,
	p_limit integer)
RETURNS TABLE (answer text)
LANGUAGE sql STABLE
AS $$
SELECT CASE WHEN a.answer <> '[]'
		 OR EXISTS (SELECT 1 FROM workhooks.suggestion_entry AS e
			    WHERE e.hirer_key = k.hirer)
		 OR NOT EXISTS (SELECT 1 FROM workhooks.relationship AS r
				WHERE r.hirer_email_key = k.hirer)
	    THEN a.answer END
FROM (SELECT lower(p_emails ->> 0) AS hirer,
	     jsonb_array_length(p_emails) AS n,
	     lower(nullif(p_filter, '')) AS filter
      OFFSET 0) AS k
LEFT JOIN LATERAL (
	SELECT '[' || array_to_string(ARRAY(
		SELECT coalesce(e.answer,
			(SELECT l.answer_long FROM workhooks.suggestion_entry AS l
			 WHERE l.hirer_key = e.hirer_key AND l.person_id = e.person_id))
		FROM workhooks.suggestion_entry AS e
		WHERE e.hirer_key = k.hirer
		  AND (k.filter IS NULL
		       OR strpos(e.person_key, k.filter) > 0
		       OR strpos(e.name_key, k.filter) > 0)
		ORDER BY e.latest DESC NULLS LAST, e.person_name, e.person_key
		LIMIT greatest(coalesce(p_limit, 50), 0)), ',') || ']' AS answer
	WHERE k.n = 1
	  AND NOT EXISTS (SELECT 1 FROM workhooks.worksome_relationship AS wr
			  WHERE wr.owner_email_key = k.hirer)
	  AND NOT EXISTS (SELECT 1 FROM workhooks.suggestion_entry AS u
			  WHERE u.hirer_key = k.hirer AND u.person_key IS NULL)
	OFFSET 0
) AS a ON true
$$;
