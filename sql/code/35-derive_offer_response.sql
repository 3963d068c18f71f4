-- The row one offer/response delivery derives (31-store_offer_response.sql;
-- as 34-derive_timeline_changed.sql): received_at and last_received_at
-- are the delivery's (a repeat moves the latter, in the store and in the
-- inbox row alike).
CREATE OR REPLACE FUNCTION workhooks.derive_offer_response(
	p_delivery bigint, p_received_at timestamptz,
	p_last_received_at timestamptz,
	p_offer_id text, p_worker_id text, p_response text)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.offer_response AS o
		(delivery_id, offer_id, worker_id, response, received_at,
		 last_received_at)
	VALUES (p_delivery, p_offer_id, p_worker_id, p_response, p_received_at,
		p_last_received_at)
	ON CONFLICT (delivery_id) DO UPDATE SET
		offer_id = excluded.offer_id, worker_id = excluded.worker_id,
		response = excluded.response, received_at = excluded.received_at,
		last_received_at = excluded.last_received_at;
END
$$;
