-- 004 suggestion speed: contact_suggestions() for one hirer reads at most
-- `limit` index entries, whatever the number of relationships (the issue:
-- p99 < 10 ms at concurrency 16 on 2 cores with 1M people / 5M
-- relationships; 002's query cost ~4 ms of CPU for a hirer with 500
-- relationships: 500 person lookups, then 500 rows through a sort, a
-- window, a top-N, a join and JSON functions).
--
-- Applied by script/migrate in one transaction.  Every name is schema-
-- qualified: the endpoints connect with an empty search_path.  It rewrites
-- every relationship and builds suggestion_entry: on a large table, run
--	VACUUM (ANALYZE) workhooks.relationship, workhooks.suggestion_entry;
-- after it (index-only scans need the visibility map), and REINDEX TABLE
-- CONCURRENTLY workhooks.relationship to give back the index space that
-- the rewrite's old row versions took.
--
-- 1. Copies.  Every relationship carries its person's key and display
--    fields (person_key = lower(email), person_name, person_email,
--    person_image_url), kept true by row triggers:
--      relationship_person_copy	BEFORE INSERT, or UPDATE of person_id or
--					of a copy: fills the copy from the person
--					(whatever the statement wrote there);
--      person_copy_to_relationship	AFTER UPDATE of people (per statement):
--					refreshes the copies of those whose
--					name, email or image changed.
--    So suggestion_source (the general path below, and people at psql)
--    reads a hirer's rows from one index, with no join.  A person whose
--    fields would make that index entry too big (btree entries are at most
--    ~2.7 kB: a data: URL as image, say) gets no copy: person_key stays
--    NULL and the view reads the person instead: never wrong, only slower.
-- 2. Entries.  suggestion_entry holds one row per (hirer, person): the
--    latest last_worked, the name and key to order and filter by, and the
--    person's answer object for that hirer, rendered (name, email, image,
--    ratings newest first).  Statement triggers on relationship (with
--    transition tables: one pass per statement, not per row) refresh the
--    pairs a statement touched; a person's change reaches them through
--    the copies.  suggestion_entry_rebuild() makes them all again.
-- 3. contact_suggestions(), for one hirer with no Worksome hires and no
--    person without a copy (the usual request), reads the hirer's entries
--    in the order of the answer (suggestion_entry_answer) and stops at
--    `limit` matching people; their objects are the answer.  Any other
--    request (several addresses, Worksome hires, a person without a copy)
--    runs 002's query on suggestion_source, unchanged.

-- ------------------------------------------------------------------------
-- 1. The copies.

ALTER TABLE workhooks.relationship
	ADD COLUMN person_key		text,	-- lower(person.email); NULL: no copy, read the person
	ADD COLUMN person_name		text,	-- person.name
	ADD COLUMN person_email		text,	-- person.email
	ADD COLUMN person_image_url	text;	-- person.profile_image_url
COMMENT ON COLUMN workhooks.relationship.person_key IS
	'Copy of lower(person.email), with person_name, person_email and person_image_url: kept by triggers so that contact suggestions need no join (004); NULL when the person''s fields are too long to copy.';

-- Whether a person's fields may be copied: they must leave the index
-- entries that hold them (relationship_suggestion, suggestion_entry_answer)
-- well under the btree limit, with room for the hirer's email and the
-- rating provider.  LANGUAGE sql: inlined into the calling statement.
CREATE FUNCTION workhooks.suggestion_copy_fits(p_name text, p_email text, p_image text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT 3 * (octet_length(p_name) + octet_length(p_email))
	       + coalesce(octet_length(p_image), 0) <= 1200;
END;

CREATE FUNCTION workhooks.relationship_person_copy()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- FOR SHARE: a concurrent change of this person waits for this
	-- transaction (then its trigger sees this row), or this waits for it
	-- (then reads the changed person).  The foreign key check locks the
	-- same row (FOR KEY SHARE) anyway.
	SELECT lower(p.email), p.name, p.email, p.profile_image_url
	INTO NEW.person_key, NEW.person_name, NEW.person_email, NEW.person_image_url
	FROM workhooks.person AS p
	WHERE p.id = NEW.person_id
	  AND workhooks.suggestion_copy_fits(p.name, p.email, p.profile_image_url)
	FOR SHARE;
	IF NOT FOUND THEN
		-- Too long to copy (or no such person: the foreign key says so).
		NEW.person_key := NULL;
		NEW.person_name := NULL;
		NEW.person_email := NULL;
		NEW.person_image_url := NULL;
		PERFORM FROM workhooks.person AS p WHERE p.id = NEW.person_id FOR SHARE;
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER relationship_person_copy
	BEFORE INSERT OR UPDATE OF person_id, person_key, person_name, person_email,
		person_image_url
	ON workhooks.relationship
	FOR EACH ROW EXECUTE FUNCTION workhooks.relationship_person_copy();

-- Touching the copies is enough: relationship_person_copy refills each
-- touched row from the person, already changed (and the entry triggers
-- below see one UPDATE of those rows).  Per statement, with transition
-- tables: an UPDATE of many people is one pass over their relationships
-- and one refresh of their entries, not one per person (a row trigger
-- took ~1 ms per person).  Transition tables cannot go with a column list,
-- so this fires on any UPDATE of people and does nothing when none of
-- the three fields changed.
CREATE FUNCTION workhooks.person_copy_to_relationship()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE workhooks.relationship AS r
	SET person_key = NULL
	FROM old_people AS o
	JOIN new_people AS n ON n.id = o.id
	WHERE r.person_id = n.id
	  AND (o.name, o.email, o.profile_image_url)
	      IS DISTINCT FROM (n.name, n.email, n.profile_image_url);
	RETURN NULL;
END
$$;

CREATE TRIGGER person_copy_to_relationship
	AFTER UPDATE ON workhooks.person
	REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.person_copy_to_relationship();

-- Backfill in one pass, without the row trigger and without the indexes
-- this migration replaces (fewer index entries to write per row).
DROP INDEX workhooks.relationship_hirer;
DROP INDEX workhooks.relationship_person;
ALTER TABLE workhooks.relationship DISABLE TRIGGER relationship_person_copy;
UPDATE workhooks.relationship AS r
SET person_key = lower(p.email), person_name = p.name,
    person_email = p.email, person_image_url = p.profile_image_url
FROM workhooks.person AS p
WHERE p.id = r.person_id
  AND workhooks.suggestion_copy_fits(p.name, p.email, p.profile_image_url);
ALTER TABLE workhooks.relationship ENABLE TRIGGER relationship_person_copy;

-- Everything suggestion_source reads for the organisation's rows: a
-- hirer's rows are one index-only range (they are scattered over the
-- heap).  It replaces relationship_hirer.
CREATE INDEX relationship_suggestion ON workhooks.relationship (hirer_email_key)
	INCLUDE (person_key, person_name, person_email, person_image_url,
		rating, rating_provider, last_worked, person_id);
-- A (person, hirer) pair's rows, for refreshing its entry; also the
-- foreign key's index (it replaces relationship_person).
CREATE INDEX relationship_person_hirer ON workhooks.relationship (person_id, hirer_email_key);

-- ------------------------------------------------------------------------
-- 2. The entries.

-- The answer's JSON pieces, rendered when an entry is made instead of at
-- every request (json_build_object and to_char were most of the time of
-- 002's query once the join was gone).  to_json() escapes as
-- json_build_object() does; lastWorked as 002 writes it.
CREATE FUNCTION workhooks.suggestion_person_json(p_name text, p_email text, p_image text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT '{"name":' || to_json(p_name)::text
	       || ',"emailAddress":' || to_json(p_email)::text
	       || CASE WHEN p_image IS NULL THEN ''
		       ELSE ',"profileImageUrl":' || to_json(p_image)::text END;
END;

CREATE FUNCTION workhooks.suggestion_rating_json(p_rating smallint, p_provider text,
	p_last_worked timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN p_rating IS NOT NULL AND p_provider IS NOT NULL
		     AND p_last_worked IS NOT NULL THEN
		'{"rating":' || p_rating::text
		|| ',"ratingProvider":' || to_json(p_provider)::text
		|| ',"lastWorked":"' || to_char(p_last_worked AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"}' END;
END;

CREATE TABLE workhooks.suggestion_entry (
	hirer_key	text NOT NULL,		-- relationship.hirer_email_key
	person_id	bigint NOT NULL,	-- workhooks.person.id
	latest		timestamptz,		-- max(last_worked) of the pair's relationships
	person_key	text,			-- lower(email); NULL: the person has no copy
	person_name	text,
	name_key	text,			-- lower(person_name): the filter's
	answer		text,			-- the person's answer object; NULL when long
	answer_long	text,			-- (over 1000 bytes): then here, not in the index
	PRIMARY KEY (hirer_key, person_id)
);
COMMENT ON TABLE workhooks.suggestion_entry IS
	'Contact suggestions per (hirer, person), answer rendered, derived from workhooks.relationship by triggers (004); suggestion_entry_rebuild() makes them again.';
-- A hirer's entries in the order of the answer: the fast path walks it
-- from the top and stops at the limit (index-only).
CREATE INDEX suggestion_entry_answer ON workhooks.suggestion_entry
	(hirer_key, latest DESC NULLS LAST, person_name, person_key)
	INCLUDE (name_key, answer, person_id);
-- Entries the fast path cannot answer (a person without a copy): normally
-- none.
CREATE INDEX suggestion_entry_uncopied ON workhooks.suggestion_entry (hirer_key)
	WHERE person_key IS NULL;

-- Refresh the entries of the given (hirer, person) pairs from their
-- relationships: drop them, make again those that still have one.  The
-- same SELECT as suggestion_entry_rebuild()'s (keep them alike).
-- One refresh at a time (SHARE ROW EXCLUSIVE conflicts with itself, not
-- with readers): after the lock, the INSERT's snapshot sees what a
-- concurrent writer committed, so two loads touching the same pair cannot
-- leave it half made.  Loads run in READ COMMITTED (the default).
CREATE FUNCTION workhooks.suggestion_entry_refresh(p_hirers text[], p_persons bigint[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF cardinality(p_hirers) IS NULL OR cardinality(p_hirers) = 0 THEN
		RETURN;
	END IF;
	LOCK TABLE workhooks.suggestion_entry IN SHARE ROW EXCLUSIVE MODE;
	DELETE FROM workhooks.suggestion_entry AS e
	USING unnest(p_hirers, p_persons) AS p(hirer_key, person_id)
	WHERE e.hirer_key = p.hirer_key AND e.person_id = p.person_id;

	INSERT INTO workhooks.suggestion_entry
		(hirer_key, person_id, latest, person_key, person_name, name_key,
		 answer, answer_long)
	SELECT a.hirer_key, a.person_id, a.latest,
	       CASE WHEN a.copied THEN a.person_key END,
	       CASE WHEN a.copied THEN a.person_name END,
	       CASE WHEN a.copied THEN lower(a.person_name) END,
	       CASE WHEN a.copied AND octet_length(a.answer) <= 1000 THEN a.answer END,
	       CASE WHEN a.copied AND octet_length(a.answer) > 1000 THEN a.answer END
	FROM (
		SELECT r.hirer_email_key AS hirer_key, r.person_id,
		       max(r.last_worked) AS latest,
		       bool_and(r.person_key IS NOT NULL) AS copied,
		       min(r.person_key) AS person_key, min(r.person_name) AS person_name,
		       workhooks.suggestion_person_json(min(r.person_name),
			       min(r.person_email), min(r.person_image_url))
		       || ',"ratings":[' || coalesce(string_agg(
			       workhooks.suggestion_rating_json(r.rating,
				       r.rating_provider, r.last_worked), ','
			       ORDER BY r.last_worked DESC, r.rating_provider, r.rating), '')
		       || ']}' AS answer
		FROM workhooks.relationship AS r
		JOIN (SELECT DISTINCT p.hirer_key, p.person_id
		      FROM unnest(p_hirers, p_persons) AS p(hirer_key, person_id)) AS p
		  ON r.hirer_email_key = p.hirer_key AND r.person_id = p.person_id
		GROUP BY r.hirer_email_key, r.person_id
	) AS a;
END
$$;

-- All entries, made again from the relationships: after a bulk load with
-- the triggers disabled (sql/sample/generate.sql), or to repair.
CREATE FUNCTION workhooks.suggestion_entry_rebuild()
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
	SELECT a.hirer_key, a.person_id, a.latest,
	       CASE WHEN a.copied THEN a.person_key END,
	       CASE WHEN a.copied THEN a.person_name END,
	       CASE WHEN a.copied THEN lower(a.person_name) END,
	       CASE WHEN a.copied AND octet_length(a.answer) <= 1000 THEN a.answer END,
	       CASE WHEN a.copied AND octet_length(a.answer) > 1000 THEN a.answer END
	FROM (
		SELECT r.hirer_email_key AS hirer_key, r.person_id,
		       max(r.last_worked) AS latest,
		       bool_and(r.person_key IS NOT NULL) AS copied,
		       min(r.person_key) AS person_key, min(r.person_name) AS person_name,
		       workhooks.suggestion_person_json(min(r.person_name),
			       min(r.person_email), min(r.person_image_url))
		       || ',"ratings":[' || coalesce(string_agg(
			       workhooks.suggestion_rating_json(r.rating,
				       r.rating_provider, r.last_worked), ','
			       ORDER BY r.last_worked DESC, r.rating_provider, r.rating), '')
		       || ']}' AS answer
		FROM workhooks.relationship AS r
		GROUP BY r.hirer_email_key, r.person_id
	) AS a;
	GET DIAGNOSTICS v_count = ROW_COUNT;
	RETURN v_count;
END
$$;

-- The statement triggers: the pairs a statement touched, old and new.
CREATE FUNCTION workhooks.relationship_entry_refresh()
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

CREATE TRIGGER relationship_entry_insert
	AFTER INSERT ON workhooks.relationship
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_refresh();
CREATE TRIGGER relationship_entry_update
	AFTER UPDATE ON workhooks.relationship
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_refresh();
CREATE TRIGGER relationship_entry_delete
	AFTER DELETE ON workhooks.relationship
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_refresh();

CREATE FUNCTION workhooks.relationship_entry_truncate()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	TRUNCATE workhooks.suggestion_entry;
	RETURN NULL;
END
$$;

CREATE TRIGGER relationship_entry_truncate
	AFTER TRUNCATE ON workhooks.relationship
	FOR EACH STATEMENT EXECUTE FUNCTION workhooks.relationship_entry_truncate();

DO $$ BEGIN PERFORM workhooks.suggestion_entry_rebuild(); END $$;

-- ------------------------------------------------------------------------
-- 003's view, the organisation's branch read from the copies (each
-- sub-select runs only for a row without one: CASE and coalesce evaluate
-- lazily); the Worksome branch exactly as in 003.  Same columns, same
-- order.  A migration that adds a source here must also send that
-- source's hirers to the general path of contact_suggestions() (next to
-- the Worksome test), or the fast path would miss its rows.
CREATE OR REPLACE VIEW workhooks.suggestion_source AS
	SELECT coalesce(r.person_key,
		(SELECT lower(p.email) FROM workhooks.person p WHERE p.id = r.person_id)) AS person_key,
	       0 AS priority,
	       CASE WHEN r.person_key IS NOT NULL THEN r.person_name
		    ELSE (SELECT p.name FROM workhooks.person p WHERE p.id = r.person_id) END AS name,
	       CASE WHEN r.person_key IS NOT NULL THEN r.person_email
		    ELSE (SELECT p.email FROM workhooks.person p WHERE p.id = r.person_id) END AS email,
	       CASE WHEN r.person_key IS NOT NULL THEN r.person_image_url
		    ELSE (SELECT p.profile_image_url FROM workhooks.person p WHERE p.id = r.person_id) END AS profile_image_url,
	       r.hirer_email_key AS hirer_email, r.rating, r.rating_provider, r.last_worked
	FROM workhooks.relationship r
	UNION ALL
	SELECT wr.worker_email_key, 1, coalesce(p.name, wr.worker_name),
	       coalesce(p.email, wr.worker_email), p.profile_image_url,
	       wr.owner_email_key, NULL::smallint, NULL::text, wr.last_worked
	FROM workhooks.worksome_relationship wr
	LEFT JOIN workhooks.person p ON lower(p.email) = wr.worker_email_key;

-- ------------------------------------------------------------------------
-- 3. POST /contact-suggestions (protocol §2.4), as in 002 (same arguments,
-- same answer), with a fast path.
--
-- Fast path: one hirer (after lower-casing and removing duplicates), no
-- Worksome hires for it, every one of its people with a copy.  Its
-- entries are exactly the groups 002's query makes (one per person:
-- person_key is unique), ordered as the answer is; so the answer is the
-- first v_limit entries whose name or email contains the filter, read in
-- suggestion_entry_answer's order (one index range, stopped at the limit),
-- their objects joined.  The same JSON as the general path's, without its
-- spaces.
--
-- General path: 002's query on suggestion_source, unchanged.
CREATE OR REPLACE FUNCTION workhooks.contact_suggestions(p_emails jsonb, p_filter text,
	p_limit integer)
RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_keys		text[];
	v_filter	text := lower(nullif(p_filter, ''));
	v_hirer		text;
	v_result	json;
BEGIN
	SELECT array_agg(DISTINCT lower(e))
	INTO v_keys
	FROM jsonb_array_elements_text(p_emails) AS e;
	IF v_keys IS NULL THEN
		RETURN '[]'::json;
	END IF;

	v_hirer := v_keys[1];
	IF cardinality(v_keys) = 1
	   AND NOT EXISTS (SELECT 1 FROM workhooks.worksome_relationship AS wr
			   WHERE wr.owner_email_key = v_hirer)
	   AND NOT EXISTS (SELECT 1 FROM workhooks.suggestion_entry AS e
			   WHERE e.hirer_key = v_hirer AND e.person_key IS NULL) THEN
		v_result := ('[' || array_to_string(ARRAY(
			SELECT coalesce(e.answer,
				(SELECT x.answer_long FROM workhooks.suggestion_entry AS x
				 WHERE x.hirer_key = e.hirer_key AND x.person_id = e.person_id))
			FROM workhooks.suggestion_entry AS e
			WHERE e.hirer_key = v_hirer
			  AND (v_filter IS NULL
			       OR strpos(e.person_key, v_filter) > 0
			       OR strpos(e.name_key, v_filter) > 0)
			ORDER BY e.latest DESC NULLS LAST, e.person_name, e.person_key
			LIMIT greatest(coalesce(p_limit, 50), 0)), ',') || ']')::json;
		-- An empty answer is right unless the hirer has relationships
		-- but no entry at all: suggestion_entry was emptied behind the
		-- triggers' back (a TRUNCATE of it alone; suggestion_entry_rebuild()
		-- repairs it).  Then the general path answers.
		IF v_result::text <> '[]'
		   OR EXISTS (SELECT 1 FROM workhooks.suggestion_entry AS e
			      WHERE e.hirer_key = v_hirer)
		   OR NOT EXISTS (SELECT 1 FROM workhooks.relationship AS r
				  WHERE r.hirer_email_key = v_hirer) THEN
			RETURN v_result;
		END IF;
	END IF;

	WITH m AS MATERIALIZED (
		SELECT s.person_key, s.priority, s.name, s.email,
		       s.profile_image_url, s.rating, s.rating_provider,
		       s.last_worked
		FROM workhooks.suggestion_source AS s
		WHERE s.hirer_email = ANY (v_keys)
	), top AS (
		SELECT d.person_key, d.name, d.email, d.profile_image_url, d.latest
		FROM (
			SELECT DISTINCT ON (m.person_key)
			       m.person_key, m.name, m.email, m.profile_image_url,
			       max(m.last_worked) OVER w AS latest,
			       bool_or(v_filter IS NULL
				   OR strpos(lower(m.name), v_filter) > 0
				   OR strpos(m.person_key, v_filter) > 0) OVER w AS hit
			FROM m
			WINDOW w AS (PARTITION BY m.person_key ORDER BY m.priority
				ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
			ORDER BY m.person_key, m.priority
		) AS d
		WHERE d.hit
		ORDER BY d.latest DESC NULLS LAST, d.name, d.person_key
		LIMIT greatest(coalesce(p_limit, 50), 0)
	), rated AS (
		SELECT m.person_key,
		       json_agg(json_build_object(
				'rating', m.rating,
				'ratingProvider', m.rating_provider,
				'lastWorked', to_char(m.last_worked AT TIME ZONE 'UTC',
					'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
			ORDER BY m.last_worked DESC, m.rating_provider, m.rating)
			AS ratings
		FROM m JOIN top ON top.person_key = m.person_key
		WHERE m.rating IS NOT NULL AND m.rating_provider IS NOT NULL
		  AND m.last_worked IS NOT NULL
		GROUP BY m.person_key
	)
	SELECT coalesce(json_agg(
		CASE WHEN top.profile_image_url IS NULL THEN
			json_build_object('name', top.name,
				'emailAddress', top.email,
				'ratings', coalesce(rated.ratings, '[]'::json))
		ELSE
			json_build_object('name', top.name,
				'emailAddress', top.email,
				'profileImageUrl', top.profile_image_url,
				'ratings', coalesce(rated.ratings, '[]'::json))
		END
		ORDER BY top.latest DESC NULLS LAST, top.name, top.person_key),
		'[]'::json)
	INTO v_result
	FROM top LEFT JOIN rated ON rated.person_key = top.person_key;
	RETURN v_result;
END
$$;

-- ------------------------------------------------------------------------
-- Privileges.  CREATE OR REPLACE keeps contact_suggestions' grants (002:
-- workhooks_writer only); say them again.  The trigger and maintenance
-- functions run as whoever writes the tables (the database owner loading
-- people): nobody else calls them.  The rendering helpers are harmless.
REVOKE EXECUTE ON FUNCTION workhooks.contact_suggestions FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workhooks.contact_suggestions TO workhooks_writer;
REVOKE EXECUTE ON FUNCTION workhooks.relationship_person_copy,
	workhooks.person_copy_to_relationship, workhooks.suggestion_entry_refresh,
	workhooks.suggestion_entry_rebuild, workhooks.relationship_entry_refresh,
	workhooks.relationship_entry_truncate
	FROM PUBLIC, workhooks_writer;
GRANT SELECT ON workhooks.relationship, workhooks.suggestion_source,
	workhooks.suggestion_entry TO workhooks_reader;
