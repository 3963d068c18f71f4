-- POST /offer/response (cgi-bin/updatedge-offer-response.c); parameters
-- as in 30-store_timeline_changed.sql.  A repeat of the same body makes
-- that answer the current one again (view offer_response_current).  The
-- row of a new delivery: 35-derive_offer_response.sql.
CREATE OR REPLACE FUNCTION workhooks.store_offer_response(
	p_endpoint text, p_event text, p_body text, p_sha256 bytea,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	p_offer_id text, p_worker_id text, p_response text,
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
		PERFORM workhooks.derive_offer_response(
			store_offer_response.delivery_id, v_at, v_at, p_offer_id,
			p_worker_id, p_response);
	ELSE
		UPDATE workhooks.offer_response AS o
		SET last_received_at = now()
		WHERE o.delivery_id = store_offer_response.delivery_id;
	END IF;
END
$$;
