-- Trigger function (61-*.sql): people whose name, email or image changed
-- get their entries made again, once per statement (with transition
-- tables: an UPDATE of many people is one refresh).  Transition tables
-- cannot go with a column list, so this fires on any UPDATE of people and
-- does nothing when none of the three fields changed.
CREATE OR REPLACE FUNCTION workhooks.person_entry_refresh()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_persons	bigint[];
	v_hirers	text[];
	v_pairs		bigint[];	-- the person of each (hirer, person) pair
BEGIN
	SELECT array_agg(n.id) INTO v_persons
	FROM old_people AS o JOIN new_people AS n ON n.id = o.id
	WHERE (o.name, o.email, o.profile_image_url)
	      IS DISTINCT FROM (n.name, n.email, n.profile_image_url);
	IF v_persons IS NULL THEN
		RETURN NULL;
	END IF;
	-- The refresh lock first, then the people's hirers: a relationship
	-- another load added meanwhile is committed by now and seen here (its
	-- own refresh may have read these people before this change).
	LOCK TABLE workhooks.suggestion_entry IN SHARE ROW EXCLUSIVE MODE;
	SELECT array_agg(r.hirer_email_key), array_agg(r.person_id)
	INTO v_hirers, v_pairs
	FROM (SELECT DISTINCT r.hirer_email_key, r.person_id
	      FROM workhooks.relationship AS r
	      WHERE r.person_id = ANY (v_persons)) AS r;
	PERFORM workhooks.suggestion_entry_refresh(v_hirers, v_pairs);
	RETURN NULL;
END
$$;
