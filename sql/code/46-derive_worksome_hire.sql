-- The rows one Worksome hire event derives (43-store_worksome_hire.sql,
-- whose scalar parameters it takes, after the delivery's id and received
-- time, its event and raw body): the worker, the trusted contact, the
-- version with its job owners and custom field values, the hire's current
-- state, and its contact-suggestion rows.  The objects (contract, worker,
-- trustedContact), the two lists and the two reasons are read from the
-- body, parsed once here.  Locks, always in this order: worker, trusted
-- contact, hire.
--
-- Called by the live store for a new delivery and by workhooks.rederive()
-- (with the values of workhooks.fields()), in any order and any number of
-- times: every time is the delivery's received_at, never the clock; the
-- version and its lists are replaced whole (the lists are deleted first
-- only when the version was there already: never on the live path); the
-- hire's aggregates count a version once (versions grows only when its
-- row is new) and take the current state from the highest delivery id,
-- so they come out the same applied once or twice, live or re-derived.
CREATE OR REPLACE FUNCTION workhooks.derive_worksome_hire(
	p_delivery bigint, p_received_at timestamptz, p_event text, p_body text,
	p_hire_id text, p_contract_id text, p_start_date date,
	p_end_date date, p_worker_accepted_at text, p_rate numeric,
	p_worker_id text, p_trusted_contact_id text)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id		bigint := p_delivery;
	v_now		timestamptz := p_received_at;
	v_key		text := coalesce(p_hire_id, p_contract_id);
	v_data		jsonb;
	c		jsonb;
	w		jsonb;
	v_status	text;
	v_fresh		boolean;
BEGIN
	IF v_key IS NULL THEN
		RETURN;		-- no key (the endpoint refuses it)
	END IF;
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
		w->>'email', p_trusted_contact_id)
	ON CONFLICT (delivery_id) DO UPDATE SET
		hire_key = excluded.hire_key, event = excluded.event,
		received_at = excluded.received_at,
		contract_id = excluded.contract_id, hire_id = excluded.hire_id,
		account_id = excluded.account_id, status = excluded.status,
		start_date = excluded.start_date, end_date = excluded.end_date,
		worker_accepted_at = excluded.worker_accepted_at,
		worker_accepted_at_raw = excluded.worker_accepted_at_raw,
		currency = excluded.currency, rate = excluded.rate,
		rate_type = excluded.rate_type, job_id = excluded.job_id,
		job_name = excluded.job_name,
		job_description = excluded.job_description,
		purchase_order_number = excluded.purchase_order_number,
		location_preference = excluded.location_preference,
		cancel_reason = excluded.cancel_reason,
		terminated_reason = excluded.terminated_reason,
		worker_id = excluded.worker_id, worker_name = excluded.worker_name,
		worker_email = excluded.worker_email,
		trusted_contact_id = excluded.trusted_contact_id
	RETURNING (xmax = 0) INTO v_fresh;

	IF NOT v_fresh THEN
		-- Applied before: its lists are made again below.
		DELETE FROM workhooks.worksome_job_owner AS o WHERE o.delivery_id = v_id;
		DELETE FROM workhooks.worksome_custom_field_value AS f
		WHERE f.delivery_id = v_id;
	END IF;

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
		versions = h.versions + CASE WHEN v_fresh THEN 1 ELSE 0 END,
		first_received_at = least(h.first_received_at, excluded.first_received_at),
		last_received_at = greatest(h.last_received_at, excluded.last_received_at),
		last_active_at = greatest(h.last_active_at, excluded.last_active_at),
		current_delivery_id = greatest(h.current_delivery_id,
			excluded.current_delivery_id),
		event = CASE WHEN excluded.current_delivery_id >= h.current_delivery_id
			THEN excluded.event ELSE h.event END,
		status = CASE WHEN excluded.current_delivery_id >= h.current_delivery_id
			THEN excluded.status ELSE h.status END,
		worker_id = CASE WHEN excluded.current_delivery_id >= h.current_delivery_id
			THEN excluded.worker_id ELSE h.worker_id END;

	PERFORM workhooks.worksome_relate(v_key);
END
$$;
