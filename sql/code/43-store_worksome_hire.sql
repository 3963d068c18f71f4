-- POST /worksome, the hire events: contractAccepted, hireUpdated,
-- hireEnded, hireCancelled, hireTerminated (cgi-bin/worksome-events/hire.c).
-- The nine delivery parameters (30-store_timeline_changed.sql), then the
-- scalar rows of ws_hire_fields as validated: the hire key parts, the
-- dates, workerAcceptedAt (checked to read the same under any
-- DateStyle), rate, the worker's and trusted contact's ids.  The objects
-- (contract, worker, trustedContact), the two lists and the two reasons
-- are read from the body, parsed once here: only their text members are
-- used (->>, so a number where a string is documented is kept as its
-- text), and the body's own text is exact where json-c would clamp a
-- 64-bit overflow.  Derived, for a new delivery, by
-- workhooks.derive_worksome_hire (46-derive_worksome_hire.sql), which
-- workhooks.rederive() calls too.
DROP FUNCTION IF EXISTS workhooks.store_worksome_hire(text, text, text, bytea, text, text,
	text, timestamptz, text, jsonb, jsonb, jsonb, text, text, date, date, text,
	numeric, jsonb, jsonb, text, text, jsonb, jsonb);
CREATE OR REPLACE FUNCTION workhooks.store_worksome_hire(
	p_endpoint text, p_event text, p_body text, p_sha256 bytea,
	p_signature text, p_secret_label text, p_signed_timestamp text,
	p_signed_at timestamptz, p_subject text,
	p_hire_id text, p_contract_id text, p_start_date date,
	p_end_date date, p_worker_accepted_at text, p_rate numeric,
	p_worker_id text, p_trusted_contact_id text,
	OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_new		boolean;
	v_at		timestamptz;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new, d.received_at
	INTO delivery_id, times_received, v_new, v_at
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
	IF v_new THEN
		PERFORM workhooks.derive_worksome_hire(
			store_worksome_hire.delivery_id, v_at, p_event, p_body,
			p_hire_id, p_contract_id, p_start_date, p_end_date,
			p_worker_accepted_at, p_rate, p_worker_id,
			p_trusted_contact_id);
	END IF;
END
$$;
