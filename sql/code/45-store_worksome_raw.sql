-- POST /worksome, any other event (Worksome adds events over time): the
-- delivery only, with its event name whatever its length.
CREATE OR REPLACE FUNCTION workhooks.store_worksome_raw(
	p_endpoint text, p_event text, p_body text, p_sha256 bytea,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	SELECT d.delivery_id, d.times_received
	INTO delivery_id, times_received
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
END
$$;
