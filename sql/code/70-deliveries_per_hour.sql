CREATE OR REPLACE VIEW workhooks.deliveries_per_hour AS
	SELECT date_trunc('hour', received_at) AS hour, source, endpoint,
	       coalesce(event, '') AS event, count(*) AS deliveries,
	       sum(times_received - 1) AS repeats
	FROM workhooks.delivery
	GROUP BY 1, 2, 3, 4
	ORDER BY 1 DESC, 2, 3, 4;
