-- Add one worker's counts to the metric tables (sql/002_operate.sql), in
-- one statement; called by every endpoint (common/metrics.c) as
-- workhooks_writer, at most every reject_flush_interval seconds.
--   {"source": s|null,
--    "requests":   [{"status":200,"count":n,"sum":seconds,"buckets":[n,...]}],
--    "deliveries": [{"event":e|null,"hour":unix,"new":n,"repeats":n,"last":unix}],
--    "secrets":    [{"label":l,"uses":n,"last":unix}],
--    "rejected":   [{"status":401,"reason":r,"count":n}],
--    "skew":       {"at":unix,"seconds":x} | absent}
CREATE OR REPLACE FUNCTION workhooks.count_metrics(p_endpoint text, p jsonb)
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
		       sum((e->>'new')::bigint), sum((e->>'repeats')::bigint),
		       max(to_timestamp((e->>'last')::double precision))
		FROM jsonb_array_elements(coalesce(p->'deliveries', '[]')) AS e
		-- one row per event here: the batch's hours summed
		GROUP BY 1, 2, 3
		ON CONFLICT (source, endpoint, event) DO UPDATE
		SET deliveries = m.deliveries + excluded.deliveries,
		    repeats = m.repeats + excluded.repeats,
		    last_at = greatest(m.last_at, excluded.last_at)
	), h AS (
		INSERT INTO workhooks.metric_delivery_hour AS m
			(hour, source, endpoint, event, deliveries, repeats)
		SELECT to_timestamp((e->>'hour')::bigint), p->>'source', p_endpoint,
		       coalesce(e->>'event', ''), (e->>'new')::bigint, (e->>'repeats')::bigint
		FROM jsonb_array_elements(coalesce(p->'deliveries', '[]')) AS e
		ON CONFLICT (hour, source, endpoint, event) DO UPDATE
		SET deliveries = m.deliveries + excluded.deliveries,
		    repeats = m.repeats + excluded.repeats
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
