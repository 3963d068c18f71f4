-- Deliveries with their body parsed on read (the inbox keeps only the raw
-- text: README "Data").  Without the authentication headers, so the
-- reader may have it.
CREATE OR REPLACE VIEW workhooks.delivery_json AS
	SELECT id, source, endpoint, event, received_at, last_received_at,
	       times_received, subject, secret_label,
	       CASE WHEN body <> '' THEN body::jsonb END AS payload
	FROM workhooks.delivery;
