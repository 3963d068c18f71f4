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
-- workhooks.derive_worksome_hire (46-derive_worksome_hire.sql), off the
-- request path (46-worksome_hire_fold.sql); workhooks.rederive() calls
-- it too.  This one is
-- workhooks.store_worksome_hire_many (43-), the batch store, for one
-- delivery: one definition of the store.
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
BEGIN
	SELECT s.delivery_id, s.times_received
	INTO delivery_id, times_received
	FROM workhooks.store_worksome_hire_many(p_endpoint, ARRAY[p_event],
		ARRAY[p_body], ARRAY[p_sha256::text], ARRAY[p_signature],
		ARRAY[p_secret_label], ARRAY[p_signed_timestamp],
		ARRAY[p_signed_at::text], ARRAY[p_subject], ARRAY[p_hire_id],
		ARRAY[p_contract_id], ARRAY[p_start_date::text],
		ARRAY[p_end_date::text], ARRAY[p_worker_accepted_at],
		ARRAY[p_rate::text], ARRAY[p_worker_id],
		ARRAY[p_trusted_contact_id]) AS s;
END
$$;
