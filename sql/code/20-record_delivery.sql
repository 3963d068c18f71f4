-- Record one delivery, or count a repeat of it: workhooks.record_deliveries
-- (19-record_deliveries.sql, the rule itself) for one.  Returns the
-- delivery id, how many times it has now arrived, whether this call
-- inserted it (only then may the caller derive rows from it), and when it
-- was first received.  Called only by the store functions (as their
-- owner); nobody may execute it directly (90-privileges.sql).
DROP FUNCTION IF EXISTS workhooks.record_delivery(text, text, text, text, bytea,
	text, text, text, timestamptz, text, OUT bigint, OUT bigint, OUT boolean);
CREATE OR REPLACE FUNCTION workhooks.record_delivery(
	p_source text, p_endpoint text, p_event text, p_body text,
	p_sha256 bytea, p_signature text, p_secret_label text,
	p_signed_timestamp text, p_signed_at timestamptz, p_subject text,
	OUT delivery_id bigint, OUT times_received bigint, OUT is_new boolean,
	OUT received_at timestamptz)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	SELECT r.delivery_id[1], r.times_received[1], r.is_new[1], r.received_at[1]
	INTO delivery_id, times_received, is_new, received_at
	FROM workhooks.record_deliveries(p_source, p_endpoint, ARRAY[p_event],
		ARRAY[p_body], ARRAY[p_sha256], ARRAY[p_signature],
		ARRAY[p_secret_label], ARRAY[p_signed_timestamp], ARRAY[p_signed_at],
		ARRAY[p_subject]) AS r;
END
$$;
