-- Record one delivery, or count a repeat of it.  The dedupe ledger
-- workhooks.delivery_key decides (sql/001_baseline.sql): a key seen
-- before is a repeat even when its inbox row was pruned or deleted, and
-- then the inbox row, if it is still there, counts it too.  Returns the
-- delivery id, how many times it has now arrived, whether this call
-- inserted it (only then may the caller derive rows from it), and when it
-- was first received (the inbox row's received_at: derived rows take
-- their times from the delivery, never from the clock, so that
-- workhooks.rederive() makes them again identical).  p_sha256
-- is the body's SHA-256 as the endpoint computed it; a delivery with a
-- subject (contact/new) is identified by the subject instead.  Called only
-- by the store functions (as their owner); nobody may execute it directly
-- (90-privileges.sql).
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
DECLARE
	v_key	bytea := CASE WHEN p_subject IS NULL THEN p_sha256
			      ELSE sha256(convert_to(p_subject, 'UTF8')) END;
	v_first	timestamptz;
BEGIN
	INSERT INTO workhooks.delivery_key AS k (source, endpoint, dedup_key)
	VALUES (p_source, p_endpoint, v_key)
	ON CONFLICT (source, endpoint, dedup_key) DO UPDATE
		SET times = k.times + 1, last_seen = now()
	RETURNING k.delivery_id, k.times, (k.xmax = 0), k.first_seen
	INTO delivery_id, times_received, is_new, v_first;
	received_at := v_first;

	IF is_new THEN
		INSERT INTO workhooks.delivery
			(id, source, endpoint, event, received_at, last_received_at,
			 body, body_sha256, dedup_key, subject, signature,
			 secret_label, signed_timestamp, signed_at)
		VALUES (delivery_id, p_source, p_endpoint, p_event, v_first, v_first,
			p_body, p_sha256, v_key, p_subject, p_signature,
			p_secret_label, p_signed_timestamp, p_signed_at);
	ELSE
		-- received_at = first_seen: one partition, one index probe.
		UPDATE workhooks.delivery AS d
		SET times_received = record_delivery.times_received,
		    last_received_at = now()
		WHERE d.id = record_delivery.delivery_id AND d.received_at = v_first;
	END IF;
END
$$;
