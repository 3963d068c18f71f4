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
-- 64-bit overflow.  Derived: the worker, the trusted contact, the version
-- with its job owners and custom field values, the hire's current state,
-- and its contact-suggestion rows.  Locks, always in this order: worker,
-- trusted contact, hire.
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
	v_id		bigint;
	v_now		timestamptz := now();
	v_key		text := coalesce(p_hire_id, p_contract_id);
	v_data		jsonb;
	c		jsonb;
	w		jsonb;
	v_status	text;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_sha256, p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at, p_subject) AS d;
	IF NOT v_new OR v_key IS NULL THEN
		RETURN;		-- a repeat; or no key (the endpoint refuses it)
	END IF;
	v_id := store_worksome_hire.delivery_id;
	v_data := p_body::jsonb->'data';
	c := v_data->'contract';
	w := v_data->'worker';
	v_status := coalesce(c->>'hireStatus', c->>'status');

	PERFORM workhooks.worksome_apply_worker(v_id, p_event, w, v_now);
	PERFORM workhooks.worksome_apply_trusted_contact(v_id, p_event,
		v_data->'trustedContact', p_worker_id, v_now);

	INSERT INTO workhooks.worksome_hire_version
		(delivery_id, hire_key, event, received_at, contract_id, hire_id,
		 account_id, status, start_date, end_date, worker_accepted_at,
		 worker_accepted_at_raw, currency, rate, rate_type, job_id,
		 job_name, job_description, purchase_order_number,
		 location_preference, cancel_reason, terminated_reason,
		 worker_id, worker_name, worker_email, trusted_contact_id)
	VALUES (v_id, v_key, p_event, v_now, p_contract_id, p_hire_id,
		c->>'accountId', v_status, p_start_date, p_end_date,
		p_worker_accepted_at::timestamp AT TIME ZONE 'Europe/Copenhagen',
		p_worker_accepted_at,
		c->>'currency', p_rate, c->>'rateType',
		c->>'jobId', c->>'jobName', c->>'jobDescription',
		c->>'purchaseOrderNumber', c->>'locationPreference',
		nullif(v_data->'cancelReason', 'null'::jsonb),
		nullif(v_data->'terminatedReason', 'null'::jsonb),
		p_worker_id,
		coalesce(nullif(w->>'name', ''), nullif(concat_ws(' ',
			nullif(w->>'firstName', ''), nullif(w->>'middleName', ''),
			nullif(w->>'lastName', '')), '')),
		w->>'email', p_trusted_contact_id);

	-- Lists: an array, or PHP's {} for an empty one (the endpoint
	-- accepts nothing else); elements that are not objects are skipped.
	INSERT INTO workhooks.worksome_job_owner
		(delivery_id, position, id, name, email)
	SELECT v_id, e.n, e.o->>'id', e.o->>'name', e.o->>'email'
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c->'jobOwners') = 'array'
		THEN c->'jobOwners' ELSE '[]' END) WITH ORDINALITY AS e(o, n)
	WHERE jsonb_typeof(e.o) = 'object';

	INSERT INTO workhooks.worksome_custom_field_value
		(delivery_id, position, id, slug, custom_field_title, display_value)
	SELECT v_id, e.n, e.f->>'id', e.f->>'slug',
	       e.f->>'customFieldTitle', e.f->>'displayValue'
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_data->'customFieldValues') = 'array'
		THEN v_data->'customFieldValues' ELSE '[]' END) WITH ORDINALITY AS e(f, n)
	WHERE jsonb_typeof(e.f) = 'object';

	INSERT INTO workhooks.worksome_hire AS h
		(hire_key, current_delivery_id, event, status, worker_id, versions,
		 first_received_at, last_received_at, last_active_at)
	VALUES (v_key, v_id, p_event, v_status, p_worker_id, 1,
		v_now, v_now, CASE WHEN v_status = 'active' THEN v_now END)
	ON CONFLICT (hire_key) DO UPDATE SET
		versions = h.versions + 1,
		first_received_at = least(h.first_received_at, excluded.first_received_at),
		last_received_at = greatest(h.last_received_at, excluded.last_received_at),
		last_active_at = greatest(h.last_active_at, excluded.last_active_at),
		current_delivery_id = greatest(h.current_delivery_id,
			excluded.current_delivery_id),
		event = CASE WHEN excluded.current_delivery_id > h.current_delivery_id
			THEN excluded.event ELSE h.event END,
		status = CASE WHEN excluded.current_delivery_id > h.current_delivery_id
			THEN excluded.status ELSE h.status END,
		worker_id = CASE WHEN excluded.current_delivery_id > h.current_delivery_id
			THEN excluded.worker_id ELSE h.worker_id END;

	PERFORM workhooks.worksome_relate(v_key);
END
$$;
