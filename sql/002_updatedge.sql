-- 002 updatedge: what the updatedge webhooks store, the organisation's
-- people and relationships, and the contact-suggestions query (protocol §2).
--
-- Applied by script/migrate in one transaction.  Every name is schema-
-- qualified: the endpoints connect with an empty search_path.
--
-- Derived rows carry the id of the delivery they came from
-- (workhooks.delivery.id) without a foreign key, so the inbox can be pruned
-- (or partitioned by received time) independently of what was derived.
--
-- Store functions: called by the endpoints with the delivery parameters of
-- serve_store() (common/serve.h); one call = one round trip = one
-- transaction.  They run as their owner (SECURITY DEFINER) with a pinned
-- search_path, and with TimeZone pinned to UTC so that a payload date-time
-- without a zone is read as UTC (protocol §1) whatever the session's setting.
-- workhooks_writer gets EXECUTE through 001's default privileges and needs
-- nothing else.

-- ------------------------------------------------------------------------
-- POST /events/timelineChanged: every change a worker made to the timeline.

CREATE TABLE workhooks.timeline_change (
	delivery_id			bigint PRIMARY KEY,	-- workhooks.delivery.id
	worker_id			text NOT NULL,
	offer_id			text,			-- when an offer put the events there
	period_start			timestamptz NOT NULL,
	period_end			timestamptz NOT NULL,
	completed_at			timestamptz NOT NULL,
	max_available_now		timestamptz,
	max_available_now_created	timestamptz,
	received_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT timeline_change_period CHECK (period_end >= period_start)
);
CREATE INDEX timeline_change_worker ON workhooks.timeline_change (worker_id, completed_at);
COMMENT ON TABLE workhooks.timeline_change IS
	'updatedge events/timelineChanged: one row per delivery (repeats are counted in workhooks.delivery, not stored twice).';

CREATE VIEW workhooks.worker_timeline_latest AS
	SELECT worker_id,
	       max(completed_at) AS last_completed_at,
	       max(max_available_now) AS max_available_now,
	       count(*) AS changes,
	       max(received_at) AS last_received_at
	FROM workhooks.timeline_change
	GROUP BY worker_id;
COMMENT ON VIEW workhooks.worker_timeline_latest IS
	'Per worker: the latest completedAt received, the furthest maxAvailableNow, how many changes.';

CREATE FUNCTION workhooks.store_timeline_changed(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	v_new	boolean;
	v	jsonb;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('updatedge', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
	IF v_new THEN
		v := p_body::jsonb;
		INSERT INTO workhooks.timeline_change
			(delivery_id, worker_id, offer_id, period_start, period_end,
			 completed_at, max_available_now, max_available_now_created)
		VALUES (store_timeline_changed.delivery_id, v->>'workerId', v->>'offerId',
			(v->>'periodStart')::timestamptz, (v->>'periodEnd')::timestamptz,
			(v->>'completedAt')::timestamptz,
			(v->>'maxAvailableNow')::timestamptz,
			(v->>'maxAvailableNowCreated')::timestamptz);
	END IF;
END
$$;

-- ------------------------------------------------------------------------
-- POST /offer/response: a worker applied for (accepted) or rejected an offer.
-- The payload carries no time, so the current answer is the one received
-- last: a repeat of an earlier body (accepted, rejected, accepted again)
-- moves that row's last_received_at, so the view follows the worker.

CREATE TABLE workhooks.offer_response (
	delivery_id		bigint PRIMARY KEY,	-- workhooks.delivery.id
	offer_id		text NOT NULL,
	worker_id		text NOT NULL,
	response		text NOT NULL CHECK (response IN ('accepted', 'rejected')),
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_received_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX offer_response_offer_worker
	ON workhooks.offer_response (offer_id, worker_id, last_received_at);
CREATE INDEX offer_response_worker ON workhooks.offer_response (worker_id);
COMMENT ON TABLE workhooks.offer_response IS
	'updatedge offer/response: every distinct answer; last_received_at moves when the same body arrives again.';

CREATE VIEW workhooks.offer_response_current AS
	SELECT DISTINCT ON (offer_id, worker_id)
	       offer_id, worker_id, response, last_received_at AS responded_at,
	       delivery_id
	FROM workhooks.offer_response
	ORDER BY offer_id, worker_id, last_received_at DESC, delivery_id DESC;
COMMENT ON VIEW workhooks.offer_response_current IS
	'Per (offer, worker): the answer received last.';

CREATE FUNCTION workhooks.store_offer_response(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	v_new	boolean;
	v	jsonb;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('updatedge', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
	IF v_new THEN
		v := p_body::jsonb;
		INSERT INTO workhooks.offer_response
			(delivery_id, offer_id, worker_id, response)
		VALUES (store_offer_response.delivery_id, v->>'offerId',
			v->>'workerId', v->>'response');
	ELSE
		UPDATE workhooks.offer_response AS o
		SET last_received_at = now()
		WHERE o.delivery_id = store_offer_response.delivery_id;
	END IF;
END
$$;

-- ------------------------------------------------------------------------
-- POST /offer/eventDeleted: a worker deleted an event an offer had put on
-- the timeline.

CREATE TABLE workhooks.offer_event_deleted (
	delivery_id	bigint PRIMARY KEY,	-- workhooks.delivery.id
	offer_id	text NOT NULL,
	worker_id	text NOT NULL,
	event_start	timestamptz NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX offer_event_deleted_offer ON workhooks.offer_event_deleted (offer_id, worker_id);
CREATE INDEX offer_event_deleted_worker ON workhooks.offer_event_deleted (worker_id);
COMMENT ON TABLE workhooks.offer_event_deleted IS
	'updatedge offer/eventDeleted: one row per distinct delivery.';

CREATE FUNCTION workhooks.store_offer_event_deleted(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	v_new	boolean;
	v	jsonb;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('updatedge', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
	IF v_new THEN
		v := p_body::jsonb;
		INSERT INTO workhooks.offer_event_deleted
			(delivery_id, offer_id, worker_id, event_start)
		VALUES (store_offer_event_deleted.delivery_id, v->>'offerId',
			v->>'workerId', (v->>'eventStart')::timestamptz);
	END IF;
END
$$;

-- ------------------------------------------------------------------------
-- GET /contact/new/{workerId}: a worker added a contact at the
-- organisation.  No body: the delivery is deduplicated on the worker id
-- (one delivery row per worker, times_received counts the calls), and
-- every call counts one more here (protocol §1, last paragraph).

CREATE TABLE workhooks.worker_contact (
	worker_id	text PRIMARY KEY,
	first_added_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_added_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times_added	bigint NOT NULL DEFAULT 1,
	delivery_id	bigint NOT NULL		-- workhooks.delivery.id (subject = worker_id)
);
COMMENT ON TABLE workhooks.worker_contact IS
	'updatedge contact/new: workers who added a contact at the organisation; every call counts.';

CREATE FUNCTION workhooks.store_contact_new(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
BEGIN
	IF p_subject IS NULL OR p_subject = '' THEN
		RAISE EXCEPTION 'store_contact_new: no worker id';
	END IF;
	SELECT d.delivery_id, d.times_received
	INTO delivery_id, times_received
	FROM workhooks.record_delivery('updatedge', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
	INSERT INTO workhooks.worker_contact AS c (worker_id, delivery_id)
	VALUES (p_subject, store_contact_new.delivery_id)
	ON CONFLICT (worker_id) DO UPDATE
		SET last_added_at = now(), times_added = c.times_added + 1;
END
$$;

-- ------------------------------------------------------------------------
-- The organisation's people and their relationships with hirers: the
-- source of contact suggestions (protocol §2.4, README "How it is built").  Loaded by the
-- organisation (\copy, or INSERT ... SELECT from its HR system); the
-- endpoints only read them, through contact_suggestions().

CREATE TABLE workhooks.person (
	id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name			text NOT NULL,
	email			text NOT NULL CHECK (email <> ''),
	profile_image_url	text,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX person_email_key ON workhooks.person (pg_catalog.lower(email));
COMMENT ON TABLE workhooks.person IS
	'The organisation''s people who may be suggested to a hirer; one per email address (case-insensitive).';

-- A rating is emitted by contact suggestions only when rating,
-- rating_provider and last_worked are all present (the response schema
-- requires the three); a partial rating is stored as it came and shows in
-- workhooks.relationship_incomplete_rating.
CREATE TABLE workhooks.relationship (
	id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id		bigint NOT NULL REFERENCES workhooks.person (id) ON DELETE CASCADE,
	hirer_email		text NOT NULL,
	hirer_email_key		text GENERATED ALWAYS AS (pg_catalog.lower(hirer_email)) STORED,
	rating			smallint CHECK (rating BETWEEN 1 AND 5),
	rating_provider		text,
	last_worked		timestamptz,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- The suggestions query reads a hirer's relationships from this index
-- alone (an index-only scan: a hirer's rows are scattered over the heap).
CREATE INDEX relationship_hirer ON workhooks.relationship (hirer_email_key)
	INCLUDE (person_id, rating, rating_provider, last_worked);
CREATE INDEX relationship_person ON workhooks.relationship (person_id);
COMMENT ON TABLE workhooks.relationship IS
	'A person has worked for a hirer (identified by the hirer''s email), optionally rated.';

CREATE VIEW workhooks.relationship_incomplete_rating AS
	SELECT r.id, r.person_id, p.email, r.hirer_email, r.rating,
	       r.rating_provider, r.last_worked
	FROM workhooks.relationship r JOIN workhooks.person p ON p.id = r.person_id
	WHERE r.rating IS NOT NULL
	  AND (r.rating_provider IS NULL OR r.last_worked IS NULL);
COMMENT ON VIEW workhooks.relationship_incomplete_rating IS
	'Ratings that contact suggestions leaves out: a rating needs its provider and last_worked.';

-- Everything contact_suggestions() reads, one row per (person, hirer)
-- relationship.  Later migrations may replace it to add sources (UNION
-- ALL), keeping these columns in this order: person_key groups one person
-- across sources, the lowest priority gives name, email and image,
-- hirer_email is already lower-cased.
CREATE VIEW workhooks.suggestion_source AS
	SELECT lower(p.email) AS person_key, 0 AS priority, p.name, p.email, p.profile_image_url,
	       r.hirer_email_key AS hirer_email, r.rating, r.rating_provider, r.last_worked
	FROM workhooks.relationship r JOIN workhooks.person p ON p.id = r.person_id;

-- ------------------------------------------------------------------------
-- POST /contact-suggestions (protocol §2.4): the JSON array answer.
--   p_emails	JSON array of the portal user's email addresses
--   p_filter	NULL or '' for none; else a literal, case-insensitive
--		substring of the person's name or email (strpos, not LIKE: %, _
--		and \ are ordinary characters)
--   p_limit	the most suggestions to return (NULL: 50)
-- Read-only, so it runs on a hot standby too.
--
-- Shape, for speed at any size of the tables:
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
-- the given keys), so each connection plans the query once instead of at
-- every call (planning the view's join would cost more than running it
-- for a small hirer).
CREATE FUNCTION workhooks.contact_suggestions(p_emails jsonb, p_filter text,
	p_limit integer)
RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_keys		text[];
	v_filter	text := lower(nullif(p_filter, ''));
	v_result	json;
BEGIN
	SELECT array_agg(DISTINCT lower(e))
	INTO v_keys
	FROM jsonb_array_elements_text(p_emails) AS e;
	IF v_keys IS NULL THEN
		RETURN '[]'::json;
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

REVOKE EXECUTE ON FUNCTION workhooks.store_timeline_changed, workhooks.store_offer_response,
	workhooks.store_offer_event_deleted, workhooks.store_contact_new,
	workhooks.contact_suggestions FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workhooks.store_timeline_changed, workhooks.store_offer_response,
	workhooks.store_offer_event_deleted, workhooks.store_contact_new,
	workhooks.contact_suggestions TO workhooks_writer;

-- 001's default privileges cover these when the same role runs both
-- migrations; say it explicitly so a different migration role works too.
GRANT SELECT ON workhooks.timeline_change, workhooks.worker_timeline_latest,
	workhooks.offer_response, workhooks.offer_response_current,
	workhooks.offer_event_deleted, workhooks.worker_contact,
	workhooks.person, workhooks.relationship,
	workhooks.relationship_incomplete_rating, workhooks.suggestion_source
	TO workhooks_reader;
