-- The row one offer/eventDeleted delivery derives
-- (32-store_offer_event_deleted.sql; as 34-derive_timeline_changed.sql).
CREATE OR REPLACE FUNCTION workhooks.derive_offer_event_deleted(
	p_delivery bigint, p_received_at timestamptz,
	p_offer_id text, p_worker_id text, p_event_start timestamptz)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.offer_event_deleted AS e
		(delivery_id, offer_id, worker_id, event_start, received_at)
	VALUES (p_delivery, p_offer_id, p_worker_id, p_event_start, p_received_at)
	ON CONFLICT (delivery_id) DO UPDATE SET
		offer_id = excluded.offer_id, worker_id = excluded.worker_id,
		event_start = excluded.event_start,
		received_at = excluded.received_at;
END
$$;
