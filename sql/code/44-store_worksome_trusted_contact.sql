-- POST /worksome, trustedContactUpdated
-- (cgi-bin/worksome-events/trusted_contact_updated.c): the nine delivery
-- parameters, then its field table's scalar rows: the trusted contact's
-- and the worker's ids; the two objects are read from the body, parsed
-- once.  Derived, for a new delivery: 47-derive_worksome_trusted_contact.sql.
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
	v_at	timestamptz;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new, d.received_at
	INTO delivery_id, times_received, v_new, v_at
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
	IF v_new THEN
		PERFORM workhooks.derive_worksome_trusted_contact(
			store_worksome_trusted_contact.delivery_id, v_at, p_event,
			p_body, p_trusted_contact_id, p_worker_id);
	END IF;
END
$$;
