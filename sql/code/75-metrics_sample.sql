-- What GET /metrics prints, one row per sample: the family (without the
-- workhooks_ prefix), up to three label values whose names the family
-- defines (cgi-bin/metrics.c), and the value.  Reads only the small tables
-- of sql/002_operate.sql and schema_migration: O(label sets), whatever the inbox holds;
-- and the two queues of work left for later (README "Work off the
-- request path"), which hold about a second of deliveries unless the
-- folds fall behind: what the queued_* families are for.
CREATE OR REPLACE FUNCTION workhooks.metrics_sample()
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
	SELECT 'queued', 'worker_timeline', 'waiting', NULL, count(*)::float8
	FROM workhooks.worker_timeline_pending
	UNION ALL
	SELECT 'queued', 'worksome_hire', v.state, NULL, v.n::float8
	FROM (SELECT count(*) FILTER (WHERE error IS NULL) AS waiting,
		     count(*) FILTER (WHERE error IS NOT NULL) AS failed
	      FROM workhooks.worksome_hire_pending) AS c,
	     LATERAL (VALUES ('waiting', c.waiting), ('failed', c.failed)) AS v(state, n)
	UNION ALL
	SELECT 'queued_oldest_seconds', 'worker_timeline', NULL, NULL,
	       coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8
	FROM workhooks.worker_timeline_pending
	UNION ALL
	SELECT 'queued_oldest_seconds', 'worksome_hire', NULL, NULL,
	       coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8
	FROM workhooks.worksome_hire_pending WHERE error IS NULL
	UNION ALL
	SELECT 'schema_version', max(version), NULL, NULL, 1
	FROM workhooks.schema_migration
	ORDER BY 1, 2, 3, 4;
$$;
