-- Add a worker's refused-request counters:
-- [{"status":401,"reason":"...","field":"...","hour":<unix>,"count":n}].
-- Called by every endpoint (common/rejects.c) as workhooks_writer.
CREATE OR REPLACE FUNCTION workhooks.count_rejected(p_endpoint text, p_counts jsonb)
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
