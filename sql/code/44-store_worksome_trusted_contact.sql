-- POST /worksome, trustedContactUpdated
-- (cgi-bin/worksome-events/trusted_contact_updated.c): the nine delivery
-- parameters, then its field table's scalar rows: the trusted contact's
-- and the worker's ids; the two objects are read from the body, parsed
-- once.  Derived: the worker and the trusted contact, when this delivery
-- is the latest for them.
DROP FUNCTION IF EXISTS workhooks.store_worksome_trusted_contact(text, text, text, bytea,
	text, text, text, timestamptz, text, jsonb, jsonb, text, text);
CREATE OR REPLACE FUNCTION workhooks.store_worksome_trusted_contact(
	p_endpoint text, p_event text, p_body text, p_sha256 bytea,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	p_trusted_contact_id text, p_worker_id text,
	OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_new	boolean;
	v_data	jsonb;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
	IF v_new THEN
		v_data := p_body::jsonb->'data';
		PERFORM workhooks.worksome_apply_worker(
			store_worksome_trusted_contact.delivery_id, p_event,
			v_data->'worker', now());
		PERFORM workhooks.worksome_apply_trusted_contact(
			store_worksome_trusted_contact.delivery_id, p_event,
			v_data->'trustedContact', p_worker_id, now());
	END IF;
END
$$;
