-- 005 notify switch: NOTIFY workhooks can be turned off.
--
-- A transaction that NOTIFYs holds a database-wide lock from just before its
-- commit until the commit is flushed, so notifying deliveries commit one at
-- a time and lose group commit: measured with pgbench on 2 cores,
-- store_timeline_changed went from ~2,500 to 4,100-5,000 commits/s at 16
-- clients without it.  NOTIFY stays on by default (operators LISTEN); a busy
-- installation that does not listen turns it off for the endpoints' role:
--
--     ALTER ROLE workhooks_app SET workhooks.notify = off;
--
-- (takes effect as workers reconnect; or ALTER DATABASE ... SET).
CREATE OR REPLACE FUNCTION workhooks.record_delivery(
	p_source text, p_endpoint text, p_event text, p_body text,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	OUT delivery_id bigint, OUT times_received bigint, OUT is_new boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_sha bytea := sha256(convert_to(p_body, 'UTF8'));
BEGIN
	INSERT INTO workhooks.delivery AS d
		(source, endpoint, event, body, body_sha256, dedup_key, payload,
		 subject, signature, secret_label, signed_timestamp, signed_at)
	VALUES (p_source, p_endpoint, p_event, p_body, v_sha,
		CASE WHEN p_subject IS NULL THEN v_sha
		     ELSE sha256(convert_to(p_subject, 'UTF8')) END,
		CASE WHEN p_body = '' THEN NULL ELSE p_body::jsonb END,
		p_subject, p_signature, p_secret_label, p_signed_timestamp, p_signed_at)
	ON CONFLICT ON CONSTRAINT delivery_once DO UPDATE
		SET times_received = d.times_received + 1,
		    last_received_at = now()
	RETURNING d.id, d.times_received, (d.xmax = 0)
	INTO delivery_id, times_received, is_new;

	IF coalesce(current_setting('workhooks.notify', true), '') NOT IN
	    ('off', 'false', '0', 'no') THEN
		PERFORM pg_notify('workhooks', json_build_object(
			'delivery', delivery_id, 'source', p_source,
			'endpoint', p_endpoint, 'event', p_event,
			'times_received', times_received)::text);
	END IF;
END
$$;
