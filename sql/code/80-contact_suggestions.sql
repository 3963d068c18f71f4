-- POST /contact-suggestions (protocol §2.4): the JSON array answer, as
-- text (the worker sends it as it is; returning json made PostgreSQL parse
-- the fast path's whole answer again: 25 % of a 50-suggestion call).
--   p_emails	JSON array of the portal user's email addresses
--   p_filter	NULL or '' for none; else a literal, case-insensitive
--		substring of the person's name or email (strpos, not LIKE: %, _
--		and \ are ordinary characters)
--   p_limit	the most suggestions to return (NULL: 50)
-- Read-only, so it runs on a hot standby too.
--
-- Fast path: contact_suggestions_fast (79-contact_suggestions_fast.sql),
-- which the endpoint's statement also calls itself, inlined, and calls
-- this function only when the fast path has no answer (which it then
-- asks once more: a few index probes, on the rare path only).  The same
-- JSON as the general path's, without its spaces.
--
-- General path (several addresses, Worksome hires, a long person), for
-- speed at any size of the tables:
--   m	the hirers' rows of suggestion_source.  The keys are computed
--	first and compared with = ANY (array): a restriction PostgreSQL
--	pushes into every branch of the view, answered from
--	relationship_hirer (and person_pkey for the join).
--   top	one row per person (person_key): name, email and image from the
--	row with the lowest priority, the latest last_worked and whether
--	the filter matches, all from one sort with window aggregates (no
--	per-group sorts); ordered and limited before any JSON is built.
--   rated	the complete ratings of those people only, newest first.
-- plan_cache_mode: the plan is the same for every hirer (index lookups of
-- the given keys), so each connection plans the query once.
DO $$
BEGIN
	-- Until 2026-12-02 the function returned json: a new return type needs
	-- a new function (its grant is made again by 90-privileges.sql).
	IF (SELECT p.prorettype FROM pg_proc AS p WHERE p.oid =
	    to_regprocedure('workhooks.contact_suggestions(jsonb, text, integer)'))
	    = 'json'::regtype THEN
		DROP FUNCTION workhooks.contact_suggestions(jsonb, text, integer);
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION workhooks.contact_suggestions(p_emails jsonb, p_filter text,
	p_limit integer)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_keys		text[];
	v_filter	text := lower(nullif(p_filter, ''));
	v_result	text;
BEGIN
	SELECT array_agg(DISTINCT lower(e))
	INTO v_keys
	FROM jsonb_array_elements_text(p_emails) AS e;
	IF v_keys IS NULL THEN
		RETURN '[]';
	END IF;

	SELECT f.answer
	INTO v_result
	FROM workhooks.contact_suggestions_fast(p_emails, p_filter, p_limit) AS f;
	IF v_result IS NOT NULL THEN
		RETURN v_result;
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
