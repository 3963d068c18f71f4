-- For people at psql: deliveries and repeats per hour of the last 7 days.
-- Bounded, so it reads only the recent part of the inbox (the
-- delivery_received_at index, and only the newest partitions).
CREATE OR REPLACE VIEW workhooks.deliveries_per_hour AS
	SELECT date_trunc('hour', received_at) AS hour, source, endpoint,
	       coalesce(event, '') AS event, count(*) AS deliveries,
	       sum(times_received - 1) AS repeats
	FROM workhooks.delivery
	WHERE received_at > now() - interval '7 days'
	GROUP BY 1, 2, 3, 4
	ORDER BY 1 DESC, 2, 3, 4;
COMMENT ON VIEW workhooks.deliveries_per_hour IS
	'New deliveries (by hour received) and the repeats they have had since, per source, endpoint and event, last 7 days.';
