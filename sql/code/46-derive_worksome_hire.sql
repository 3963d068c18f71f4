-- The rows Worksome hire events derive (43-store_worksome_hire_many.sql,
-- whose scalar parameters it takes, after the deliveries' ids and
-- received times, their events and raw bodies, as parallel arrays, one
-- element per delivery): the worker, the trusted contact, the version
-- with its job owners and custom field values, the hire's current state,
-- and its contact-suggestion rows.  The objects (contract, worker,
-- trustedContact), the two lists and the two reasons are read from the
-- bodies, each parsed once here.  Locks, always in this order: workers,
-- trusted contacts, hires, each in id order.
--
-- Set-based, one statement per table for the whole batch, when its
-- deliveries are of distinct workers, trusted contacts and hires (so that
-- no statement touches a row twice, and applying them together is
-- applying them one after the other); otherwise, or when one has no key,
-- one delivery at a time, in the arrays' order.
--
-- Called by the live store for new deliveries and by workhooks.rederive()
-- (with the values of workhooks.fields(), one at a time), in any order
-- and any number of times: every time is the delivery's received_at,
-- never the clock; a version and its lists are replaced whole (the lists
-- are deleted first only when the version was there already: never on
-- the live path); the hire's aggregates count a version once (versions
-- grows only when its row is new) and take the current state from the
-- highest delivery id, so they come out the same applied once or twice,
-- live or re-derived.
DROP FUNCTION IF EXISTS workhooks.derive_worksome_hire(bigint, timestamptz,
	text, text, text, text, date, date, text, numeric, text, text);
CREATE OR REPLACE FUNCTION workhooks.derive_worksome_hire(
	p_delivery bigint[], p_received_at timestamptz[], p_event text[],
	p_body text[], p_hire_id text[], p_contract_id text[],
	p_start_date date[], p_end_date date[], p_worker_accepted_at text[],
	p_rate numeric[], p_worker_id text[], p_trusted_contact_id text[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key		text[];		-- coalesce(hireId, contract id)
	v_data		jsonb[];	-- the bodies' data
	v_fresh		bigint[];	-- the deliveries whose version is new
	v_stale		boolean;	-- a version was there already
	i		integer;
BEGIN
	SELECT array_agg(coalesce(p_hire_id[n], p_contract_id[n]) ORDER BY n),
	       array_agg(p_body[n]::jsonb->'data' ORDER BY n)
	INTO v_key, v_data
	FROM generate_subscripts(p_delivery, 1) AS n;
	IF v_key IS NULL OR (cardinality(v_key) = 1 AND v_key[1] IS NULL) THEN
		RETURN;		-- no key (the endpoint refuses it)
	END IF;
	IF cardinality(v_key) > 1 AND (
	    (SELECT count(DISTINCT k) < cardinality(v_key) FROM unnest(v_key) AS k)
	    OR (SELECT count(DISTINCT d->'worker'->>'id') < count(d->'worker'->>'id')
		FROM unnest(v_data) AS d)
	    OR (SELECT count(DISTINCT d->'trustedContact'->>'id')
		< count(d->'trustedContact'->>'id') FROM unnest(v_data) AS d)) THEN
		FOR i IN 1 .. cardinality(v_key) LOOP
			PERFORM workhooks.derive_worksome_hire(p_delivery[i:i],
				p_received_at[i:i], p_event[i:i], p_body[i:i],
				p_hire_id[i:i], p_contract_id[i:i], p_start_date[i:i],
				p_end_date[i:i], p_worker_accepted_at[i:i], p_rate[i:i],
				p_worker_id[i:i], p_trusted_contact_id[i:i]);
		END LOOP;
		RETURN;
	END IF;

	PERFORM workhooks.worksome_apply_worker(p_delivery, p_event,
		array(SELECT d->'worker' FROM unnest(v_data) WITH ORDINALITY AS u(d, n)
			ORDER BY n), p_received_at);
	PERFORM workhooks.worksome_apply_trusted_contact(p_delivery, p_event,
		array(SELECT d->'trustedContact' FROM unnest(v_data) WITH ORDINALITY
			AS u(d, n) ORDER BY n), p_worker_id, p_received_at);

	WITH v AS (
		INSERT INTO workhooks.worksome_hire_version
			(delivery_id, hire_key, event, received_at, contract_id, hire_id,
			 account_id, status, start_date, end_date, worker_accepted_at,
			 worker_accepted_at_raw, currency, rate, rate_type, job_id,
			 job_name, job_description, purchase_order_number,
			 location_preference, cancel_reason, terminated_reason,
			 worker_id, worker_name, worker_email, trusted_contact_id)
		SELECT p_delivery[n], v_key[n], p_event[n], p_received_at[n],
		       p_contract_id[n], p_hire_id[n], c->>'accountId',
		       coalesce(c->>'hireStatus', c->>'status'),
		       p_start_date[n], p_end_date[n],
		       p_worker_accepted_at[n]::timestamp AT TIME ZONE 'Europe/Copenhagen',
		       p_worker_accepted_at[n],
		       c->>'currency', p_rate[n], c->>'rateType',
		       c->>'jobId', c->>'jobName', c->>'jobDescription',
		       c->>'purchaseOrderNumber', c->>'locationPreference',
		       nullif(v_data[n]->'cancelReason', 'null'::jsonb),
		       nullif(v_data[n]->'terminatedReason', 'null'::jsonb),
		       p_worker_id[n],
		       coalesce(nullif(w->>'name', ''), nullif(concat_ws(' ',
			       nullif(w->>'firstName', ''), nullif(w->>'middleName', ''),
			       nullif(w->>'lastName', '')), '')),
		       w->>'email', p_trusted_contact_id[n]
		FROM generate_subscripts(p_delivery, 1) AS n,
		     LATERAL (SELECT v_data[n]->'contract' AS c,
			     v_data[n]->'worker' AS w) AS o
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
		RETURNING delivery_id, (xmax = 0) AS fresh
	)
	SELECT array_agg(v.delivery_id) FILTER (WHERE v.fresh), NOT bool_and(v.fresh)
	INTO v_fresh, v_stale
	FROM v;

	IF v_stale THEN
		-- Applied before: their lists are made again below.
		DELETE FROM workhooks.worksome_job_owner AS o
		WHERE o.delivery_id = ANY (p_delivery)
		  AND o.delivery_id <> ALL (coalesce(v_fresh, '{}'));
		DELETE FROM workhooks.worksome_custom_field_value AS f
		WHERE f.delivery_id = ANY (p_delivery)
		  AND f.delivery_id <> ALL (coalesce(v_fresh, '{}'));
	END IF;

	-- Lists: an array, or PHP's {} for an empty one (the endpoint
	-- accepts nothing else); elements that are not objects are skipped.
	INSERT INTO workhooks.worksome_job_owner
		(delivery_id, position, id, name, email)
	SELECT p_delivery[n], e.k, e.o->>'id', e.o->>'name', e.o->>'email'
	FROM generate_subscripts(p_delivery, 1) AS n,
	     jsonb_array_elements(CASE
		WHEN jsonb_typeof(v_data[n]->'contract'->'jobOwners') = 'array'
		THEN v_data[n]->'contract'->'jobOwners' ELSE '[]' END)
		WITH ORDINALITY AS e(o, k)
	WHERE jsonb_typeof(e.o) = 'object';

	INSERT INTO workhooks.worksome_custom_field_value
		(delivery_id, position, id, slug, custom_field_title, display_value)
	SELECT p_delivery[n], e.k, e.f->>'id', e.f->>'slug',
	       e.f->>'customFieldTitle', e.f->>'displayValue'
	FROM generate_subscripts(p_delivery, 1) AS n,
	     jsonb_array_elements(CASE
		WHEN jsonb_typeof(v_data[n]->'customFieldValues') = 'array'
		THEN v_data[n]->'customFieldValues' ELSE '[]' END)
		WITH ORDINALITY AS e(f, k)
	WHERE jsonb_typeof(e.f) = 'object';

	INSERT INTO workhooks.worksome_hire AS h
		(hire_key, current_delivery_id, event, status, worker_id, versions,
		 first_received_at, last_received_at, last_active_at)
	SELECT v_key[n], p_delivery[n], p_event[n], s.status, p_worker_id[n], 1,
	       p_received_at[n], p_received_at[n],
	       CASE WHEN s.status = 'active' THEN p_received_at[n] END
	FROM generate_subscripts(p_delivery, 1) AS n,
	     LATERAL (SELECT coalesce(v_data[n]->'contract'->>'hireStatus',
		     v_data[n]->'contract'->>'status') AS status) AS s
	ORDER BY 1
	ON CONFLICT (hire_key) DO UPDATE SET
		versions = h.versions + CASE WHEN excluded.current_delivery_id = ANY (v_fresh)
			THEN 1 ELSE 0 END,
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
