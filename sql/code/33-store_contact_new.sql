-- GET /contact/new/{workerId} (cgi-bin/updatedge-contact-new.c): the
-- delivery parameters only, the worker id as subject.  One delivery per
-- worker; every call counts, there and in worker_contact
-- (37-derive_contact_new.sql: the delivery's first and last time and
-- count, so a repeat and a re-derivation write the same row).
CREATE OR REPLACE FUNCTION workhooks.store_contact_new(
	p_endpoint text, p_event text, p_body text, p_sha256 bytea,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_at	timestamptz;
BEGIN
	IF p_subject IS NULL OR p_subject = '' THEN
		RAISE EXCEPTION 'store_contact_new: no worker id';
	END IF;
	SELECT d.delivery_id, d.times_received, d.received_at
	INTO delivery_id, times_received, v_at
	FROM workhooks.record_delivery('updatedge', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
	PERFORM workhooks.derive_contact_new(store_contact_new.delivery_id,
		p_subject, v_at, now(), times_received);
END
$$;
