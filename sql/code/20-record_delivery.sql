-- Record one delivery, or count a repeat of it (the unique key
-- delivery_once).  Returns the delivery id, how many times it has now
-- arrived, and whether this call inserted it (only then may the caller
-- derive rows from it).  p_sha256 is the body's SHA-256 as the endpoint
-- computed it; a delivery with a subject (contact/new) is identified by
-- the subject instead.  Called only by the store functions (as their
-- owner); nobody may execute it directly (90-privileges.sql).
CREATE OR REPLACE FUNCTION workhooks.record_delivery(
	p_source text, p_endpoint text, p_event text, p_body text,
	p_sha256 bytea, p_signature text, p_secret_label text,
	p_signed_timestamp text, p_signed_at timestamptz, p_subject text,
	OUT delivery_id bigint, OUT times_received bigint, OUT is_new boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.delivery AS d
		(source, endpoint, event, body, body_sha256, dedup_key,
		 subject, signature, secret_label, signed_timestamp, signed_at)
	VALUES (p_source, p_endpoint, p_event, p_body, p_sha256,
		CASE WHEN p_subject IS NULL THEN p_sha256
		     ELSE sha256(convert_to(p_subject, 'UTF8')) END,
		p_subject, p_signature, p_secret_label, p_signed_timestamp, p_signed_at)
	ON CONFLICT ON CONSTRAINT delivery_once DO UPDATE
		SET times_received = d.times_received + 1,
		    last_received_at = now()
	RETURNING d.id, d.times_received, (d.xmax = 0)
	INTO delivery_id, times_received, is_new;
END
$$;
