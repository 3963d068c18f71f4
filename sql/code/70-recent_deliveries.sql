-- For people at psql: the last 100 deliveries.
CREATE OR REPLACE VIEW workhooks.recent_deliveries AS
	SELECT id, source, endpoint, event, received_at, times_received,
	       secret_label, received_at - signed_at AS clock_skew,
	       left(body, 120) AS body_start
	FROM workhooks.delivery
	ORDER BY id DESC
	LIMIT 100;
