-- 006 operate: the counters behind GET /metrics (README "Operations").
--
-- A scrape must cost O(endpoints), never a count(*) over the inbox, and the
-- store path must not gain a hot row: every worker counts in memory
-- (common/metrics.c) and adds its counts here in one statement at most every
-- reject_flush_interval seconds and at exit, like the refused-request counts
-- of 001.  The tables hold one row per label set, cumulative since the
-- installation (Prometheus counters: they only grow), so they stay a few
-- hundred rows and never need pruning.  A worker killed with SIGKILL loses
-- what it had not flushed yet (at most one interval).

-- Requests per endpoint and HTTP status, with their duration histogram:
-- buckets[i] counts requests that took at most the i-th bound of
-- common/metrics.h (metrics_bounds) and more than the previous one (not
-- cumulative); requests slower than the last bound are only in count.
CREATE TABLE workhooks.metric_request (
	endpoint	text NOT NULL,
	status		integer NOT NULL,
	count		bigint NOT NULL,
	duration_sum	double precision NOT NULL,
	buckets		bigint[] NOT NULL,
	PRIMARY KEY (endpoint, status)
);
COMMENT ON TABLE workhooks.metric_request IS
	'GET /metrics: requests per endpoint and HTTP status since installation, with per-bucket duration counts (bounds in common/metrics.h); flushed by the workers.';

-- Accepted deliveries: new ones and repeats, per source, endpoint and event
-- ('' when the endpoint has no event), and when the last one arrived.
CREATE TABLE workhooks.metric_delivery (
	source		text NOT NULL,
	endpoint	text NOT NULL,
	event		text NOT NULL DEFAULT '',
	deliveries	bigint NOT NULL DEFAULT 0,
	repeats		bigint NOT NULL DEFAULT 0,
	last_at		timestamptz NOT NULL,
	PRIMARY KEY (source, endpoint, event)
);
COMMENT ON TABLE workhooks.metric_delivery IS
	'GET /metrics: new deliveries and repeats answered 200, per source, endpoint and event, and the time of the last one; flushed by the workers.';

-- Which configured secret verified accepted requests, and when last.
CREATE TABLE workhooks.metric_secret (
	source		text NOT NULL,
	label		text NOT NULL,
	uses		bigint NOT NULL DEFAULT 0,
	last_used	timestamptz NOT NULL,
	PRIMARY KEY (source, label)
);
COMMENT ON TABLE workhooks.metric_secret IS
	'GET /metrics: requests verified by each secret label and when last; an old label still moving after a rotation is still in use.';

-- Refused requests since installation (workhooks.rejected keeps them per
-- hour, with the field, for people; this is the counter).
CREATE TABLE workhooks.metric_rejected (
	endpoint	text NOT NULL,
	status		integer NOT NULL,
	reason		text NOT NULL,
	count		bigint NOT NULL,
	PRIMARY KEY (endpoint, status, reason)
);
COMMENT ON TABLE workhooks.metric_rejected IS
	'GET /metrics: refused requests per endpoint, HTTP status and reason since installation.';

-- The updatedge Timestamp's clock skew (received - signed, seconds; positive:
-- the sender is behind): per endpoint, the largest in magnitude of the last
-- batch a worker flushed, and when.
CREATE TABLE workhooks.metric_skew (
	endpoint	text PRIMARY KEY,
	at		timestamptz NOT NULL,
	skew_seconds	double precision NOT NULL
);
COMMENT ON TABLE workhooks.metric_skew IS
	'GET /metrics: the recent clock skew of updatedge''s signed Timestamp per endpoint (largest magnitude of the last flushed batch).';

-- Add one worker's counts, in one statement:
--   {"source": s|null,
--    "requests":   [{"status":200,"count":n,"sum":seconds,"buckets":[n,...]}],
--    "deliveries": [{"event":e|null,"new":n,"repeats":n,"last":unix}],
--    "secrets":    [{"label":l,"uses":n,"last":unix}],
--    "rejected":   [{"status":401,"reason":r,"count":n}],
--    "skew":       {"at":unix,"seconds":x} | absent}
CREATE FUNCTION workhooks.count_metrics(p_endpoint text, p jsonb)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		INSERT INTO workhooks.metric_request AS m
			(endpoint, status, count, duration_sum, buckets)
		SELECT p_endpoint, (e->>'status')::integer, (e->>'count')::bigint,
		       (e->>'sum')::double precision,
		       ARRAY(SELECT b::bigint FROM jsonb_array_elements_text(e->'buckets') AS b)
		FROM jsonb_array_elements(coalesce(p->'requests', '[]')) AS e
		ON CONFLICT (endpoint, status) DO UPDATE
		SET count = m.count + excluded.count,
		    duration_sum = m.duration_sum + excluded.duration_sum,
		    buckets = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0)
		                    FROM unnest(m.buckets, excluded.buckets) AS u(a, b))
	), d AS (
		INSERT INTO workhooks.metric_delivery AS m
			(source, endpoint, event, deliveries, repeats, last_at)
		SELECT p->>'source', p_endpoint, coalesce(e->>'event', ''),
		       (e->>'new')::bigint, (e->>'repeats')::bigint,
		       to_timestamp((e->>'last')::double precision)
		FROM jsonb_array_elements(coalesce(p->'deliveries', '[]')) AS e
		ON CONFLICT (source, endpoint, event) DO UPDATE
		SET deliveries = m.deliveries + excluded.deliveries,
		    repeats = m.repeats + excluded.repeats,
		    last_at = greatest(m.last_at, excluded.last_at)
	), s AS (
		INSERT INTO workhooks.metric_secret AS m (source, label, uses, last_used)
		SELECT coalesce(p->>'source', ''), e->>'label', (e->>'uses')::bigint,
		       to_timestamp((e->>'last')::double precision)
		FROM jsonb_array_elements(coalesce(p->'secrets', '[]')) AS e
		ON CONFLICT (source, label) DO UPDATE
		SET uses = m.uses + excluded.uses,
		    last_used = greatest(m.last_used, excluded.last_used)
	), j AS (
		INSERT INTO workhooks.metric_rejected AS m (endpoint, status, reason, count)
		SELECT p_endpoint, (e->>'status')::integer, e->>'reason', sum((e->>'count')::bigint)
		FROM jsonb_array_elements(coalesce(p->'rejected', '[]')) AS e
		GROUP BY 1, 2, 3
		ON CONFLICT (endpoint, status, reason) DO UPDATE
		SET count = m.count + excluded.count
	)
	INSERT INTO workhooks.metric_skew AS m (endpoint, at, skew_seconds)
	SELECT p_endpoint, to_timestamp((p->'skew'->>'at')::double precision),
	       (p->'skew'->>'seconds')::double precision
	WHERE p ? 'skew'
	ON CONFLICT (endpoint) DO UPDATE
	SET at = excluded.at, skew_seconds = excluded.skew_seconds
	WHERE m.at <= excluded.at;
$$;

-- What GET /metrics prints, one row per sample: the family (without the
-- workhooks_ prefix), up to three label values whose names the family
-- defines (cgi-bin/metrics.c), and the value.  Reads only the small tables
-- above and schema_migration: O(label sets), whatever the inbox holds.
CREATE FUNCTION workhooks.metrics_sample()
RETURNS TABLE (family text, l1 text, l2 text, l3 text, value double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'deliveries_total', source, endpoint, event, deliveries::float8
	FROM workhooks.metric_delivery
	UNION ALL
	SELECT 'repeats_total', source, endpoint, NULL, sum(repeats)::float8
	FROM workhooks.metric_delivery GROUP BY source, endpoint
	UNION ALL
	SELECT 'last_delivery_timestamp_seconds', source, endpoint, NULL,
	       extract(epoch FROM max(last_at))::float8
	FROM workhooks.metric_delivery GROUP BY source, endpoint
	UNION ALL
	SELECT 'secret_last_used_timestamp_seconds', source, label, NULL,
	       extract(epoch FROM last_used)::float8
	FROM workhooks.metric_secret
	UNION ALL
	SELECT 'rejected_total', endpoint, status::text, reason, count::float8
	FROM workhooks.metric_rejected
	UNION ALL
	SELECT 'requests_total', endpoint, status::text, NULL, count::float8
	FROM workhooks.metric_request
	UNION ALL
	-- The histogram per endpoint: l2 is the bucket index (0-based,
	-- non-cumulative count); 'count' and 'sum' rows close it.
	SELECT 'request_duration_bucket', endpoint, (i - 1)::text, NULL, sum(b)::float8
	FROM workhooks.metric_request, unnest(buckets) WITH ORDINALITY AS u(b, i)
	GROUP BY endpoint, i
	UNION ALL
	SELECT 'request_duration_count', endpoint, NULL, NULL, sum(count)::float8
	FROM workhooks.metric_request GROUP BY endpoint
	UNION ALL
	SELECT 'request_duration_sum', endpoint, NULL, NULL, sum(duration_sum)
	FROM workhooks.metric_request GROUP BY endpoint
	UNION ALL
	(SELECT 'updatedge_clock_skew_seconds', NULL, NULL, NULL, skew_seconds
	 FROM workhooks.metric_skew
	 WHERE at > now() - interval '15 minutes'
	 ORDER BY abs(skew_seconds) DESC
	 LIMIT 1)
	UNION ALL
	SELECT 'schema_version', max(version), NULL, NULL, 1
	FROM workhooks.schema_migration
	ORDER BY 1, 2, 3, 4;
$$;

GRANT SELECT ON ALL TABLES IN SCHEMA workhooks TO workhooks_reader;
