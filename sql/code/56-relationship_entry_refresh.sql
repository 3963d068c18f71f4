-- Trigger function (60-*.sql): the (hirer, person) pairs a statement on
-- relationship touched, old and new, refreshed once per statement.
CREATE OR REPLACE FUNCTION workhooks.relationship_entry_refresh()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_hirers	text[];
	v_persons	bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(n.hirer_email_key), array_agg(n.person_id)
		INTO v_hirers, v_persons
		FROM (SELECT DISTINCT hirer_email_key, person_id FROM new_rows) AS n;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(o.hirer_email_key), array_agg(o.person_id)
		INTO v_hirers, v_persons
		FROM (SELECT DISTINCT hirer_email_key, person_id FROM old_rows) AS o;
	ELSE
		SELECT array_agg(u.hirer_email_key), array_agg(u.person_id)
		INTO v_hirers, v_persons
		FROM (SELECT hirer_email_key, person_id FROM old_rows
		      UNION
		      SELECT hirer_email_key, person_id FROM new_rows) AS u;
	END IF;
	PERFORM workhooks.suggestion_entry_refresh(v_hirers, v_persons);
	RETURN NULL;
END
$$;
