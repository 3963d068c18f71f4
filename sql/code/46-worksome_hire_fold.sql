-- Derive the queued Worksome hire deliveries (workhooks.worksome_hire_
-- pending, sql/006_worksome_hire_pending.sql), many at once: the store
-- only queued them (43-store_worksome_hire_many.sql).  A delivery leaves
-- the queue in the transaction that derives it, so a fold that fails or
-- is lost in a crash leaves its deliveries queued for the next.  Returns
-- how many deliveries it took from the queue.
--
-- workhooks.fold() (21-fold.sql) calls it for the workers about once a
-- second; rederive() with p_wait, after re-deriving everything.  Without
-- p_wait it takes at most p_limit deliveries (a backlog drains over
-- several calls, each well inside the workers' statement_timeout) and
-- returns 0 at once if another fold holds the lock (one fold at a time:
-- a transaction-level advisory lock); with p_wait it waits for that one,
-- then takes everything.
--
-- The deliveries go to workhooks.derive_worksome_hire in rounds: each
-- round takes, of those left, every delivery that is the first (lowest
-- id) of its hire, its worker and its trusted contact, so that no round
-- touches a row twice and derive_worksome_hire applies it set-based, one
-- statement per table.  The derive gives the same rows in any order and
-- any grouping, so rounds change nothing but the cost: a fold of 5,000
-- deliveries of 1,000 hires is five statements per table, where the
-- store made a thousand.  A delivery whose inbox row is gone (pruned) is
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
	p_limit integer DEFAULT 20000)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_n		bigint := 0;
	v_left		bigint := CASE WHEN p_wait THEN NULL ELSE p_limit END;
	v_id		bigint[];
	v_at		timestamptz[];
	v_event		text[];
	v_body		text[];
	v_hire		text[];
	v_contract	text[];
	v_start		date[];
	v_end		date[];
	v_accepted	text[];
	v_rate		numeric[];
	v_worker	text[];
	v_tc		text[];
	v_state		text;
	v_msg		text;
	v_k		bigint;		-- taken from the queue this round
BEGIN
	-- The key: any constant of our own (71-worker_timeline_fold.sql's,
	-- plus one).
	IF p_wait THEN
		PERFORM pg_advisory_xact_lock(7734812611947306);
	ELSIF NOT pg_try_advisory_xact_lock(7734812611947306) THEN
		RETURN 0;
	END IF;
	LOOP
		EXIT WHEN v_left <= 0;
		WITH c AS (
			SELECT p.t,
			       row_number() OVER (PARTITION BY coalesce(p.hire_id, p.contract_id)
				       ORDER BY p.delivery_id) = 1
			       AND (p.worker_id IS NULL OR row_number() OVER (
				       PARTITION BY p.worker_id ORDER BY p.delivery_id) = 1)
			       AND (p.trusted_contact_id IS NULL OR row_number() OVER (
				       PARTITION BY p.trusted_contact_id ORDER BY p.delivery_id) = 1)
				       AS first
			FROM (SELECT q.ctid AS t, q.delivery_id, q.hire_id, q.contract_id,
				     q.worker_id, q.trusted_contact_id
			      FROM workhooks.worksome_hire_pending AS q
			      WHERE q.error IS NULL
			      LIMIT v_left) AS p
		), q AS (
			DELETE FROM workhooks.worksome_hire_pending AS p
			WHERE p.ctid = ANY (ARRAY(SELECT c.t FROM c WHERE c.first))
			RETURNING p.*
		)
		SELECT array_agg(q.delivery_id ORDER BY q.delivery_id),
		       array_agg(q.received_at ORDER BY q.delivery_id),
		       array_agg(q.event ORDER BY q.delivery_id),
		       array_agg(d.body ORDER BY q.delivery_id),
		       array_agg(q.hire_id ORDER BY q.delivery_id),
		       array_agg(q.contract_id ORDER BY q.delivery_id),
		       array_agg(q.start_date ORDER BY q.delivery_id),
		       array_agg(q.end_date ORDER BY q.delivery_id),
		       array_agg(q.worker_accepted_at ORDER BY q.delivery_id),
		       array_agg(q.rate ORDER BY q.delivery_id),
		       array_agg(q.worker_id ORDER BY q.delivery_id),
		       array_agg(q.trusted_contact_id ORDER BY q.delivery_id),
		       (SELECT count(*) FROM q)
		INTO v_id, v_at, v_event, v_body, v_hire, v_contract, v_start,
		     v_end, v_accepted, v_rate, v_worker, v_tc, v_k
		-- Each body found by its key (OFFSET 0: a lookup, never a
		-- join that reads the inbox whole).
		FROM q, LATERAL (SELECT d.body FROM workhooks.delivery AS d
				 WHERE d.id = q.delivery_id
				   AND d.received_at = q.received_at OFFSET 0) AS d;
		EXIT WHEN v_k = 0;
		v_n := v_n + v_k;
		v_left := v_left - v_k;
		CONTINUE WHEN v_id IS NULL;
		BEGIN
			PERFORM workhooks.derive_worksome_hire(v_id, v_at, v_event,
				v_body, v_hire, v_contract, v_start, v_end, v_accepted,
				v_rate, v_worker, v_tc);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE;
			IF left(v_state, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
				RAISE;
			END IF;
			FOR i IN 1 .. cardinality(v_id) LOOP
				BEGIN
					PERFORM workhooks.derive_worksome_hire(v_id[i:i],
						v_at[i:i], v_event[i:i], v_body[i:i],
						v_hire[i:i], v_contract[i:i], v_start[i:i],
						v_end[i:i], v_accepted[i:i], v_rate[i:i],
						v_worker[i:i], v_tc[i:i]);
				EXCEPTION WHEN OTHERS THEN
					GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
						v_msg = MESSAGE_TEXT;
					IF left(v_state, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
						RAISE;
					END IF;
					RAISE WARNING 'workhooks: deriving Worksome delivery % failed (%): %; it stays in workhooks.worksome_hire_pending',
						v_id[i], v_state, v_msg;
					INSERT INTO workhooks.worksome_hire_pending
						(delivery_id, received_at, event, hire_id,
						 contract_id, start_date, end_date,
						 worker_accepted_at, rate, worker_id,
						 trusted_contact_id, error)
					VALUES (v_id[i], v_at[i], v_event[i], v_hire[i],
						v_contract[i], v_start[i], v_end[i],
						v_accepted[i], v_rate[i], v_worker[i], v_tc[i],
						v_state || ': ' || v_msg);
				END;
			END LOOP;
		END;
	END LOOP;
	RETURN v_n;
END
$$;
