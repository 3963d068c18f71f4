CREATE OR REPLACE VIEW workhooks.secret_use AS
	SELECT source, secret_label, count(*) AS deliveries,
	       max(last_received_at) AS last_used
	FROM workhooks.delivery
	WHERE secret_label IS NOT NULL
	GROUP BY 1, 2
	ORDER BY 1, 2;
