-- 001 foundation: schema, roles, the delivery inbox, refused-request counts.
--
-- Applied by script/migrate in one transaction and recorded in
-- workhooks.schema_migration.  Every object is schema-qualified: the
-- endpoints connect with an empty search_path.

CREATE SCHEMA IF NOT EXISTS workhooks;

-- Least privilege (README "How it is built"): the endpoints log in as a member of
-- workhooks_writer, which may only call the store functions (SECURITY
-- DEFINER) and read what contact suggestions need; workhooks_reader is for
-- people at a psql prompt.  Neither can create, alter or drop anything.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'workhooks_writer') THEN
		CREATE ROLE workhooks_writer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'workhooks_reader') THEN
		CREATE ROLE workhooks_reader NOLOGIN;
	END IF;
END
$$;

REVOKE ALL ON SCHEMA workhooks FROM PUBLIC;
GRANT USAGE ON SCHEMA workhooks TO workhooks_writer, workhooks_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA workhooks GRANT SELECT ON TABLES TO workhooks_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA workhooks GRANT EXECUTE ON FUNCTIONS TO workhooks_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA workhooks TO workhooks_reader;
GRANT SELECT ON workhooks.schema_migration TO workhooks_writer;	-- /healthz

-- The inbox: every accepted request, exactly as it came.  Nothing derived
-- from a delivery is ever the only copy of it.
CREATE TABLE workhooks.delivery (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source			text NOT NULL CHECK (source IN ('updatedge', 'worksome')),
	endpoint		text NOT NULL,		-- 'events/timelineChanged', 'worksome', ...
	event			text,			-- Worksome's event name
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_received_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times_received		bigint NOT NULL DEFAULT 1,
	body			text NOT NULL,		-- raw bytes as received (valid UTF-8)
	body_sha256		bytea NOT NULL,
	dedup_key		bytea NOT NULL,		-- identity of a repeat: sha256(body) or of the subject
	payload			jsonb,			-- parsed body; NULL when there is none
	subject			text,			-- e.g. the workerId of /contact/new/{workerId}
	signature		text,			-- Authorization / Signature header as received
	secret_label		text,			-- label of the configured secret that verified it
	signed_timestamp	text,			-- updatedge Timestamp header as received
	signed_at		timestamptz,		-- ... parsed: received_at - signed_at is clock skew
	CONSTRAINT delivery_once UNIQUE (source, endpoint, dedup_key)
);
CREATE INDEX delivery_received_at ON workhooks.delivery (received_at);
COMMENT ON TABLE workhooks.delivery IS
	'Every accepted webhook delivery, raw body as received; repeats counted in times_received.';

-- Refused requests, counted (never stored with their bodies).
CREATE TABLE workhooks.rejected (
	endpoint	text NOT NULL,
	status		integer NOT NULL,
	reason		text NOT NULL,
	field		text NOT NULL DEFAULT '',
	hour		timestamptz NOT NULL,
	count		bigint NOT NULL,
	PRIMARY KEY (endpoint, hour, status, reason, field)
);
COMMENT ON TABLE workhooks.rejected IS
	'Refused requests per endpoint, HTTP status, reason and hour; workers flush their counters every reject_flush_interval seconds.';

-- Add a worker's counters: [{"status":401,"reason":"...","field":"...","hour":<unix>,"count":n}].
CREATE FUNCTION workhooks.count_rejected(p_endpoint text, p_counts jsonb)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO workhooks.rejected AS r (endpoint, status, reason, field, hour, count)
	SELECT p_endpoint, (c->>'status')::integer, c->>'reason', COALESCE(c->>'field', ''),
	       to_timestamp((c->>'hour')::bigint), SUM((c->>'count')::bigint)
	FROM jsonb_array_elements(p_counts) AS c
	GROUP BY 1, 2, 3, 4, 5
	ON CONFLICT (endpoint, hour, status, reason, field)
	DO UPDATE SET count = r.count + excluded.count;
$$;

-- Record one delivery, or count a repeat of it.  Returns the delivery id,
-- how many times it has now arrived, and whether this call inserted it
-- (only then may the caller derive rows from it).  NOTIFY workhooks.
CREATE FUNCTION workhooks.record_delivery(
	p_source text, p_endpoint text, p_event text, p_body text,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	OUT delivery_id bigint, OUT times_received bigint, OUT is_new boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_sha bytea := sha256(convert_to(p_body, 'UTF8'));
BEGIN
	INSERT INTO workhooks.delivery AS d
		(source, endpoint, event, body, body_sha256, dedup_key, payload,
		 subject, signature, secret_label, signed_timestamp, signed_at)
	VALUES (p_source, p_endpoint, p_event, p_body, v_sha,
		CASE WHEN p_subject IS NULL THEN v_sha
		     ELSE sha256(convert_to(p_subject, 'UTF8')) END,
		CASE WHEN p_body = '' THEN NULL ELSE p_body::jsonb END,
		p_subject, p_signature, p_secret_label, p_signed_timestamp, p_signed_at)
	ON CONFLICT ON CONSTRAINT delivery_once DO UPDATE
		SET times_received = d.times_received + 1,
		    last_received_at = now()
	RETURNING d.id, d.times_received, (d.xmax = 0)
	INTO delivery_id, times_received, is_new;

	PERFORM pg_notify('workhooks', json_build_object(
		'delivery', delivery_id, 'source', p_source,
		'endpoint', p_endpoint, 'event', p_event,
		'times_received', times_received)::text);
END
$$;
REVOKE EXECUTE ON FUNCTION workhooks.record_delivery FROM PUBLIC;

-- For people at psql.
CREATE VIEW workhooks.recent_deliveries AS
	SELECT id, source, endpoint, event, received_at, times_received,
	       secret_label, received_at - signed_at AS clock_skew,
	       left(body, 120) AS body_start
	FROM workhooks.delivery
	ORDER BY id DESC
	LIMIT 100;

CREATE VIEW workhooks.deliveries_per_hour AS
	SELECT date_trunc('hour', received_at) AS hour, source, endpoint,
	       coalesce(event, '') AS event, count(*) AS deliveries,
	       sum(times_received - 1) AS repeats
	FROM workhooks.delivery
	GROUP BY 1, 2, 3, 4
	ORDER BY 1 DESC, 2, 3, 4;

CREATE VIEW workhooks.rejected_recent AS
	SELECT hour, endpoint, status, reason, field, count
	FROM workhooks.rejected
	WHERE hour > now() - interval '7 days'
	ORDER BY hour DESC, count DESC;

CREATE VIEW workhooks.secret_use AS
	SELECT source, secret_label, count(*) AS deliveries,
	       max(last_received_at) AS last_used
	FROM workhooks.delivery
	WHERE secret_label IS NOT NULL
	GROUP BY 1, 2
	ORDER BY 1, 2;

GRANT SELECT ON ALL TABLES IN SCHEMA workhooks TO workhooks_reader;
