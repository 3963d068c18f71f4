-- POST /events/timelineChanged (cgi-bin/updatedge-timeline-changed.c).
--
-- Every store function takes serve_store()'s nine delivery parameters
-- (common/serve.h: endpoint, event, raw body, its SHA-256, signature,
-- secret label, signed timestamp as sent and as parsed, subject), then one
-- parameter per row of the endpoint's field table, in the table's order,
-- as the endpoint validated them: ids and strings as text, date-times in
-- UTC to the microsecond.  The body is stored, never parsed again here.
-- One call = one transaction; derived rows only for a new delivery, by
-- the derive function workhooks.rederive() calls too
-- (34-derive_timeline_changed.sql), with the delivery's received_at.
-- This one is workhooks.store_timeline_changed_many (29-), the batch
-- store, for one delivery: one definition of the store.
CREATE OR REPLACE FUNCTION workhooks.store_timeline_changed(
	p_endpoint text, p_event text, p_body text, p_sha256 bytea,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	p_worker_id text, p_offer_id text, p_period_start timestamptz,
	p_period_end timestamptz, p_completed_at timestamptz,
	p_max_available_now timestamptz, p_max_available_now_created timestamptz,
	OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	SELECT s.delivery_id, s.times_received
	INTO delivery_id, times_received
	FROM workhooks.store_timeline_changed_many(p_endpoint, ARRAY[p_event],
		ARRAY[p_body], ARRAY[p_sha256::text], ARRAY[p_signature],
		ARRAY[p_secret_label], ARRAY[p_signed_timestamp],
		ARRAY[p_signed_at::text], ARRAY[p_subject], ARRAY[p_worker_id],
		ARRAY[p_offer_id], ARRAY[p_period_start::text],
		ARRAY[p_period_end::text], ARRAY[p_completed_at::text],
		ARRAY[p_max_available_now::text],
		ARRAY[p_max_available_now_created::text]) AS s;
END
$$;
