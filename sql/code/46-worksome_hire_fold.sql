-- Derive the queued Worksome hire deliveries (workhooks.worksome_hire_
-- pending, sql/006_worksome_hire_pending.sql), many at once: the store
-- only queued them (43-store_worksome_hire_many.sql).  A delivery leaves
-- the queue in the transaction that derives it, so a fold that fails or
-- is lost in a crash leaves its deliveries queued for the next.  Returns
-- how many deliveries it took from the queue.
--
-- workhooks.fold() (21-fold.sql) calls it for the workers about once a
-- second, and again at once while a call takes its whole p_limit (a
-- backlog); rederive() with p_wait, after re-deriving everything.
-- Without p_wait it takes at most p_limit deliveries (5,000: about half a
-- second, the rows it derives locked meanwhile) and returns 0 at once if
-- another fold holds the lock (one fold at a time: a transaction-level
-- advisory lock); with p_wait it waits for that one, then takes
-- everything, p_limit at a time.
--
-- The deliveries taken (their small columns, in memory; the bodies are
-- read round by round) go to workhooks.derive_worksome_hire in rounds:
-- each round takes, of those left, every delivery that is the first
-- (lowest id) of its hire, its worker and its trusted contact, so that no
-- round touches a row twice and derive_worksome_hire applies it
-- set-based, one statement per table.  The derive gives the same rows in
-- any order and any grouping, so rounds change nothing but the cost: a
-- fold of 5,000 deliveries of 1,000 hires is five statements per table,
-- where the store made a thousand.  Each round costs a pass over the
-- deliveries left of the call's p_limit, never over the whole queue (a
-- backlog made a fold that re-read the queue every round slower than the
-- deliveries came).  A delivery whose inbox row is gone (pruned) is
-- dropped.
--
-- A round that fails for a reason of its data (a constraint, a value) is
-- applied again one delivery at a time: a delivery that fails alone is
-- put back with its error in worksome_hire_pending.error (a WARNING in
-- the server log names it), is not taken again, and the others go on
-- (README "Work off the request path"); rederive() after a fix derives it
-- and empties the queue.  Any other failure (a lock or statement
-- timeout, a deadlock, a lost connection) ends the fold with nothing
-- applied.
DROP FUNCTION IF EXISTS workhooks.worksome_hire_fold(boolean);
CREATE OR REPLACE FUNCTION workhooks.worksome_hire_fold(p_wait boolean DEFAULT false,
	p_limit integer DEFAULT 5000)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_n		bigint := 0;
	v_id		bigint[];	-- the deliveries taken, in id order,
	v_at		timestamptz[];	-- and their queued values
	v_event		text[];
	v_hire		text[];
	v_contract	text[];
	v_start		date[];
	v_end		date[];
	v_accepted	text[];
	v_rate		numeric[];
	v_worker	text[];
	v_tc		text[];
	v_left		integer[];	-- their subscripts not yet derived
	v_take		integer[];	-- this round's
	v_body		text[];		-- this round's bodies
	v_state		text;
	v_msg		text;
	i		integer;
BEGIN
	-- The key: any constant of our own (71-worker_timeline_fold.sql's,
	-- plus one).
	IF p_wait THEN
		PERFORM pg_advisory_xact_lock(7734812611947306);
	ELSIF NOT pg_try_advisory_xact_lock(7734812611947306) THEN
		RETURN 0;
	END IF;
	LOOP
		WITH q AS (
			DELETE FROM workhooks.worksome_hire_pending AS p
			WHERE p.ctid = ANY (ARRAY(SELECT q.ctid
					 FROM workhooks.worksome_hire_pending AS q
					 WHERE q.error IS NULL LIMIT p_limit))
			RETURNING p.*
		)
		SELECT array_agg(q.delivery_id ORDER BY q.delivery_id),
		       array_agg(q.received_at ORDER BY q.delivery_id),
		       array_agg(q.event ORDER BY q.delivery_id),
		       array_agg(q.hire_id ORDER BY q.delivery_id),
		       array_agg(q.contract_id ORDER BY q.delivery_id),
		       array_agg(q.start_date ORDER BY q.delivery_id),
		       array_agg(q.end_date ORDER BY q.delivery_id),
		       array_agg(q.worker_accepted_at ORDER BY q.delivery_id),
		       array_agg(q.rate ORDER BY q.delivery_id),
		       array_agg(q.worker_id ORDER BY q.delivery_id),
		       array_agg(q.trusted_contact_id ORDER BY q.delivery_id)
		INTO v_id, v_at, v_event, v_hire, v_contract, v_start, v_end,
		     v_accepted, v_rate, v_worker, v_tc
		FROM q;
		EXIT WHEN v_id IS NULL;
		v_n := v_n + cardinality(v_id);
		v_left := ARRAY(SELECT generate_subscripts(v_id, 1));
		WHILE cardinality(v_left) > 0 LOOP
			SELECT array_agg(r.k ORDER BY r.k) FILTER (WHERE r.first),
			       coalesce(array_agg(r.k ORDER BY r.k) FILTER (WHERE NOT r.first), '{}')
			INTO v_take, v_left
			FROM (SELECT k,
				     row_number() OVER (PARTITION BY coalesce(v_hire[k], v_contract[k])
					     ORDER BY k) = 1
				     AND (v_worker[k] IS NULL OR row_number() OVER (
					     PARTITION BY v_worker[k] ORDER BY k) = 1)
				     AND (v_tc[k] IS NULL OR row_number() OVER (
					     PARTITION BY v_tc[k] ORDER BY k) = 1) AS first
			      FROM unnest(v_left) AS k) AS r;
			-- The round's bodies, each found by its key (OFFSET 0: a
			-- lookup, never a join that reads the inbox whole); a
			-- delivery without one is left out.
			SELECT array_agg(t.k ORDER BY t.k), array_agg(d.body ORDER BY t.k)
			INTO v_take, v_body
			FROM unnest(v_take) AS t(k),
			     LATERAL (SELECT d.body FROM workhooks.delivery AS d
				      WHERE d.id = v_id[t.k] AND d.received_at = v_at[t.k]
				      OFFSET 0) AS d;
			CONTINUE WHEN v_take IS NULL;
			BEGIN
				PERFORM workhooks.derive_worksome_hire(
					ARRAY(SELECT v_id[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_at[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_event[k] FROM unnest(v_take) AS k),
					v_body,
					ARRAY(SELECT v_hire[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_contract[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_start[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_end[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_accepted[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_rate[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_worker[k] FROM unnest(v_take) AS k),
					ARRAY(SELECT v_tc[k] FROM unnest(v_take) AS k));
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE;
				IF left(v_state, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
					RAISE;
				END IF;
				-- One at a time; a delivery that fails alone goes
				-- back with its error.
				FOR i IN 1 .. cardinality(v_take) LOOP
					BEGIN
						PERFORM workhooks.derive_worksome_hire(
							ARRAY[v_id[v_take[i]]], ARRAY[v_at[v_take[i]]],
							ARRAY[v_event[v_take[i]]], ARRAY[v_body[i]],
							ARRAY[v_hire[v_take[i]]], ARRAY[v_contract[v_take[i]]],
							ARRAY[v_start[v_take[i]]], ARRAY[v_end[v_take[i]]],
							ARRAY[v_accepted[v_take[i]]], ARRAY[v_rate[v_take[i]]],
							ARRAY[v_worker[v_take[i]]], ARRAY[v_tc[v_take[i]]]);
					EXCEPTION WHEN OTHERS THEN
						GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
							v_msg = MESSAGE_TEXT;
						IF left(v_state, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
							RAISE;
						END IF;
						RAISE WARNING 'workhooks: deriving Worksome delivery % failed (%): %; it stays in workhooks.worksome_hire_pending',
							v_id[v_take[i]], v_state, v_msg;
						INSERT INTO workhooks.worksome_hire_pending
							(delivery_id, received_at, event, hire_id,
							 contract_id, start_date, end_date,
							 worker_accepted_at, rate, worker_id,
							 trusted_contact_id, error)
						VALUES (v_id[v_take[i]], v_at[v_take[i]],
							v_event[v_take[i]], v_hire[v_take[i]],
							v_contract[v_take[i]], v_start[v_take[i]],
							v_end[v_take[i]], v_accepted[v_take[i]],
							v_rate[v_take[i]], v_worker[v_take[i]],
							v_tc[v_take[i]], v_state || ': ' || v_msg);
					END;
				END LOOP;
			END;
		END LOOP;
		EXIT WHEN NOT p_wait;
	END LOOP;
	RETURN v_n;
END
$$;
