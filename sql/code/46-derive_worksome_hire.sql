-- The rows Worksome hire events derive (43-store_worksome_hire_many.sql,
-- whose scalar parameters it takes, after the deliveries' ids and
-- received times, their events and raw bodies, as parallel arrays, one
-- element per delivery): the worker, the trusted contact, the version
-- with its job owners and custom field values, the hire's current state,
-- and its contact-suggestion rows (worksome_relationship).  The objects
-- (contract, worker, trustedContact), the two lists and the two reasons
-- are read from the bodies, each parsed once here.  Locks, always in this order: workers,
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
--
-- The arrays are read in step with unnest(), never by subscript: an
-- element of an array of texts or jsonb is found by walking the elements
-- before it, so v[n] for every n of a 1,000-delivery fold cost more than
-- the rows it made (measured: 1,000, 4,000 and 16,000 subscripted jsonb
-- elements, 10 ms, 65 ms and 2.6 s).
--
-- plan_cache_mode = force_generic_plan: left to choose, the function's
-- statements kept custom plans, planned again at every call (a custom
-- plan knows the arrays' lengths, so a generic one never looked cheaper);
-- with enable_seqscan off the generic plans find every row by its key,
-- for any batch (t-batch.sh 5b checks that no table is read whole).
-- Measured (pgbench, one Worksome delivery a call, the backends' CPU
-- with perf stat over 3,000 calls): 506 and 508 µs a call against 734
-- and 711; through the stack, in batches of 5-16, inside the spread of
-- the runs (README "Benchmark").
DROP FUNCTION IF EXISTS workhooks.derive_worksome_hire(bigint, timestamptz,
	text, text, text, text, date, date, text, numeric, text, text);
-- Until 2026-12-02 the relationships were a function of their own.
DROP FUNCTION IF EXISTS workhooks.worksome_relate(text);
DROP FUNCTION IF EXISTS workhooks.worksome_relate(text[]);
CREATE OR REPLACE FUNCTION workhooks.derive_worksome_hire(
	p_delivery bigint[], p_received_at timestamptz[], p_event text[],
	p_body text[], p_hire_id text[], p_contract_id text[],
	p_start_date date[], p_end_date date[], p_worker_accepted_at text[],
	p_rate numeric[], p_worker_id text[], p_trusted_contact_id text[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off	-- key lookups only (19-record_deliveries.sql)
SET plan_cache_mode = force_generic_plan	-- planned once (above)
AS $$
DECLARE
	v_key		text[];		-- coalesce(hireId, contract id)
	v_data		jsonb[];	-- the bodies' data
	v_worker	jsonb[];	-- data.worker
	v_tc		jsonb[];	-- data.trustedContact
	v_apart		boolean;	-- every key there, no row twice
	v_fresh		bigint[];	-- the deliveries whose version is new
	v_stale		boolean;	-- a version was there already
	i		integer;
BEGIN
	-- Each body parsed once (OFFSET 0: the subquery is not merged into
	-- the aggregates, which would parse it for each).
	SELECT array_agg(s.k ORDER BY s.n), array_agg(s.d ORDER BY s.n),
	       array_agg(s.d->'worker' ORDER BY s.n),
	       array_agg(s.d->'trustedContact' ORDER BY s.n),
	       count(DISTINCT s.k) = count(*)
	       AND count(DISTINCT s.d->'worker'->>'id') = count(s.d->'worker'->>'id')
	       AND count(DISTINCT s.d->'trustedContact'->>'id')
		   = count(s.d->'trustedContact'->>'id')
	INTO v_key, v_data, v_worker, v_tc, v_apart
	FROM (SELECT u.n, coalesce(u.hire, u.contract) AS k,
		     u.body::jsonb->'data' AS d
	      FROM unnest(p_hire_id, p_contract_id, p_body) WITH ORDINALITY
		   AS u(hire, contract, body, n)
	      OFFSET 0) AS s;
	IF v_key IS NULL OR (cardinality(v_key) = 1 AND NOT v_apart) THEN
		RETURN;		-- nothing, or no key (the endpoint refuses it)
	END IF;
	IF NOT v_apart THEN
		FOR i IN 1 .. cardinality(v_key) LOOP
			PERFORM workhooks.derive_worksome_hire(p_delivery[i:i],
				p_received_at[i:i], p_event[i:i], p_body[i:i],
				p_hire_id[i:i], p_contract_id[i:i], p_start_date[i:i],
				p_end_date[i:i], p_worker_accepted_at[i:i], p_rate[i:i],
				p_worker_id[i:i], p_trusted_contact_id[i:i]);
		END LOOP;
		RETURN;
	END IF;

	PERFORM workhooks.worksome_apply_worker(p_delivery, p_event, v_worker,
		p_received_at);
	PERFORM workhooks.worksome_apply_trusted_contact(p_delivery, p_event,
		v_tc, p_worker_id, p_received_at);

	WITH v AS (
		INSERT INTO workhooks.worksome_hire_version
			(delivery_id, hire_key, event, received_at, contract_id, hire_id,
			 account_id, status, start_date, end_date, worker_accepted_at,
			 worker_accepted_at_raw, currency, rate, rate_type, job_id,
			 job_name, job_description, purchase_order_number,
			 location_preference, cancel_reason, terminated_reason,
			 worker_id, worker_name, worker_email, trusted_contact_id)
		SELECT u.delivery, u.key, u.event, u.at, u.contract, u.hire,
		       c->>'accountId', coalesce(c->>'hireStatus', c->>'status'),
		       u.start_date, u.end_date,
		       u.accepted::timestamp AT TIME ZONE 'Europe/Copenhagen',
		       u.accepted,
		       c->>'currency', u.rate, c->>'rateType',
		       c->>'jobId', c->>'jobName', c->>'jobDescription',
		       c->>'purchaseOrderNumber', c->>'locationPreference',
		       nullif(u.d->'cancelReason', 'null'::jsonb),
		       nullif(u.d->'terminatedReason', 'null'::jsonb),
		       u.worker,
		       coalesce(nullif(w->>'name', ''), nullif(concat_ws(' ',
			       nullif(w->>'firstName', ''), nullif(w->>'middleName', ''),
			       nullif(w->>'lastName', '')), '')),
		       w->>'email', u.tc
		FROM unnest(p_delivery, v_key, p_event, p_received_at,
			p_contract_id, p_hire_id, p_start_date, p_end_date,
			p_worker_accepted_at, p_rate, v_data, p_worker_id,
			p_trusted_contact_id)
			AS u(delivery, key, event, at, contract, hire, start_date,
			     end_date, accepted, rate, d, worker, tc),
		     LATERAL (SELECT u.d->'contract' AS c, u.d->'worker' AS w) AS o
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
	-- Both in one statement.
	WITH o AS (
		INSERT INTO workhooks.worksome_job_owner
			(delivery_id, position, id, name, email)
		SELECT u.delivery, e.k, e.o->>'id', e.o->>'name', e.o->>'email'
		FROM unnest(p_delivery, v_data) AS u(delivery, d),
		     jsonb_array_elements(CASE
			WHEN jsonb_typeof(u.d->'contract'->'jobOwners') = 'array'
			THEN u.d->'contract'->'jobOwners' ELSE '[]' END)
			WITH ORDINALITY AS e(o, k)
		WHERE jsonb_typeof(e.o) = 'object'
	)
	INSERT INTO workhooks.worksome_custom_field_value
		(delivery_id, position, id, slug, custom_field_title, display_value)
	SELECT u.delivery, e.k, e.f->>'id', e.f->>'slug',
	       e.f->>'customFieldTitle', e.f->>'displayValue'
	FROM unnest(p_delivery, v_data) AS u(delivery, d),
	     jsonb_array_elements(CASE
		WHEN jsonb_typeof(u.d->'customFieldValues') = 'array'
		THEN u.d->'customFieldValues' ELSE '[]' END)
		WITH ORDINALITY AS e(f, k)
	WHERE jsonb_typeof(e.f) = 'object';

	INSERT INTO workhooks.worksome_hire AS h
		(hire_key, current_delivery_id, event, status, worker_id, versions,
		 first_received_at, last_received_at, last_active_at)
	SELECT u.key, u.delivery, u.event, s.status, u.worker, 1, u.at, u.at,
	       CASE WHEN s.status = 'active' THEN u.at END
	FROM unnest(v_key, p_delivery, p_event, p_worker_id, p_received_at, v_data)
		AS u(key, delivery, event, worker, at, d),
	     LATERAL (SELECT coalesce(u.d->'contract'->>'hireStatus',
		     u.d->'contract'->>'status') AS status) AS s
	ORDER BY 1
	ON CONFLICT (hire_key) DO UPDATE SET
		-- (NOT v_stale first: on the live path every version is new,
		-- and v_fresh, a parameter of a generic plan, is searched
		-- element by element for every row: quadratic in the batch.)
		versions = h.versions + CASE WHEN NOT v_stale THEN 1
			WHEN excluded.current_delivery_id = ANY (v_fresh) THEN 1 ELSE 0 END,
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

	-- The hires' contact-suggestion rows, made again from their current
	-- versions.  A worker without a usable email cannot be suggested; a
	-- hire still in draft or only offered has hired nobody yet.  An email
	-- longer than 254 bytes is no address: such a worker or owner adds
	-- nothing (and so no vendor text can overflow an index key).
	-- last_worked: the contract's end date (midnight UTC), else when the
	-- hire was last seen active.
	DELETE FROM workhooks.worksome_relationship AS r
	WHERE r.hire_key = ANY (v_key);

	INSERT INTO workhooks.worksome_relationship
		(hire_key, owner_email_key, owner_email, worker_email_key,
		 worker_email, worker_name, worker_id, last_worked)
	SELECT DISTINCT ON (h.hire_key, lower(btrim(o.email)))
	       h.hire_key, lower(btrim(o.email)), btrim(o.email),
	       lower(btrim(v.worker_email)), btrim(v.worker_email),
	       coalesce(nullif(btrim(v.worker_name), ''), btrim(v.worker_email)),
	       v.worker_id,
	       coalesce(v.end_date::timestamp AT TIME ZONE 'UTC', h.last_active_at)
	-- Each row found by its key, hire by hire (OFFSET 0: the subqueries
	-- stay lookups; merged into a join, a plan made on empty tables
	-- hashed the versions whole).
	FROM unnest(v_key) AS k(hire_key),
	     LATERAL (SELECT h.* FROM workhooks.worksome_hire AS h
		      WHERE h.hire_key = k.hire_key OFFSET 0) AS h,
	     LATERAL (SELECT v.* FROM workhooks.worksome_hire_version AS v
		      WHERE v.delivery_id = h.current_delivery_id OFFSET 0) AS v,
	     LATERAL (SELECT o.* FROM workhooks.worksome_job_owner AS o
		      WHERE o.delivery_id = h.current_delivery_id OFFSET 0) AS o
	WHERE (v.status IS NULL OR v.status NOT IN ('draft', 'offered'))
	  AND btrim(v.worker_email) LIKE '_%@_%'
	  AND octet_length(btrim(v.worker_email)) <= 254
	  AND btrim(o.email) LIKE '_%@_%'
	  AND octet_length(btrim(o.email)) <= 254
	ORDER BY h.hire_key, lower(btrim(o.email)), o.position;
END
$$;
