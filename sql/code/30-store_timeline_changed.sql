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
DECLARE
	v_new	boolean;
	v_at	timestamptz;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new, d.received_at
	INTO delivery_id, times_received, v_new, v_at
	FROM workhooks.record_delivery('updatedge', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
	IF v_new THEN
		PERFORM workhooks.derive_timeline_changed(
			store_timeline_changed.delivery_id, v_at, p_worker_id,
			p_offer_id, p_period_start, p_period_end, p_completed_at,
			p_max_available_now, p_max_available_now_created);
	END IF;
END
$$;
