-- Derive the queued Worksome hire deliveries (workhooks.worksome_hire_
-- pending, sql/006_worksome_hire_pending.sql), many at once: the store
-- only queued them (43-store_worksome_hire_many.sql).  A delivery leaves
-- the queue in the transaction that derives it, so a fold that fails or
-- is lost in a crash leaves its deliveries queued for the next.  Says how
-- many deliveries it took from the queue (taken, -1: another fold holds
-- the lock) and whether it left some it had looked at (more).
--
-- workhooks.fold() (21-fold.sql) calls it for the workers about once a
-- second, and again at once while it says more; rederive() with p_wait,
-- after re-deriving everything.
--
-- Without p_wait a call derives one round: of the first p_limit
-- deliveries queued (5,000), every one that is the first (lowest id) of
-- its hire, its worker and its trusted contact among them, so that no
-- hire, worker or trusted contact comes twice and
-- workhooks.derive_worksome_hire applies the round set-based, one
-- statement per table, in chunks of at most 250 deliveries (a body may
-- be up to body_limit).  The rest wait for the next call (more).  One
-- round per call and transaction: a row the fold updates is updated once
-- in its transaction, so that PostgreSQL can prune the version before
-- and update it in place (HOT); five rounds in one transaction left
-- worksome_hire at 1,127 pages for 1,000 rows after 110,000 deliveries
-- of 1,000 hires, and worksome_hire_current took 77 ms.  The derive
-- gives the same rows in any order and any grouping, so the rounds
-- change nothing but the cost.  A call returns -1 at once if another fold
-- holds the lock (one fold at a time: a transaction-level advisory
-- lock).  With p_wait it waits for that one, then derives everything,
-- round after round, in its one transaction.  Arrays are read in step
-- with unnest(), never by subscript (an element of a text array is found
-- by walking the ones before it: 46-derive_worksome_hire.sql).  A
-- delivery whose inbox row is gone (pruned) is dropped.
--
-- A chunk that fails for a reason of its data (a constraint, a value) is
-- applied again one delivery at a time: a delivery that fails alone is
-- put back with its error in worksome_hire_pending.error (a WARNING in
-- the server log names it), is not taken again, and the others go on
-- (README "Work off the request path"); rederive() after a fix derives it
-- and empties the queue.  Any other failure (a lock or statement
-- timeout, a deadlock, a lost connection) ends the fold with nothing
-- applied.
DO $$
BEGIN
	IF (SELECT p.prorettype FROM pg_proc AS p
	    WHERE p.oid = to_regprocedure('workhooks.worksome_hire_fold(boolean, integer)'))
	   <> 'record'::regtype THEN
		DROP FUNCTION workhooks.worksome_hire_fold(boolean, integer);
	END IF;
END
$$;
DROP FUNCTION IF EXISTS workhooks.worksome_hire_fold(boolean);
CREATE OR REPLACE FUNCTION workhooks.worksome_hire_fold(p_wait boolean DEFAULT false,
	p_limit integer DEFAULT 5000, OUT taken bigint, OUT more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_seen		bigint;		-- deliveries looked at this round
	v_id		bigint[];	-- the round's deliveries
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
	r		record;		-- a chunk of the round
	c_id		bigint[];	-- the chunk's deliveries with a body,
	c_at		timestamptz[];	-- their values and bodies
	c_event		text[];
	c_body		text[];
	c_hire		text[];
	c_contract	text[];
	c_start		date[];
	c_end		date[];
	c_accepted	text[];
	c_rate		numeric[];
	c_worker	text[];
	c_tc		text[];
	v_state		text;
	v_msg		text;
	i		integer;
BEGIN
	taken := 0;
	more := false;
	-- The key: any constant of our own (71-worker_timeline_fold.sql's,
	-- plus one).
	IF p_wait THEN
		PERFORM pg_advisory_xact_lock(7734812611947306);
	ELSIF NOT pg_try_advisory_xact_lock(7734812611947306) THEN
		taken := -1;	-- another fold has it: nothing taken
		RETURN;
	END IF;
	LOOP
		WITH c AS (
			SELECT q.ctid AS t, q.delivery_id, q.hire_id, q.contract_id,
			       q.worker_id, q.trusted_contact_id
			FROM workhooks.worksome_hire_pending AS q
			WHERE q.error IS NULL
			LIMIT p_limit
		), f AS (
			SELECT c.t,
			       row_number() OVER (PARTITION BY coalesce(c.hire_id, c.contract_id)
				       ORDER BY c.delivery_id) = 1
			       AND (c.worker_id IS NULL OR row_number() OVER (
				       PARTITION BY c.worker_id ORDER BY c.delivery_id) = 1)
			       AND (c.trusted_contact_id IS NULL OR row_number() OVER (
				       PARTITION BY c.trusted_contact_id ORDER BY c.delivery_id) = 1)
				       AS first
			FROM c
		), q AS (
			DELETE FROM workhooks.worksome_hire_pending AS p
			WHERE p.ctid = ANY (ARRAY(SELECT f.t FROM f WHERE f.first))
			RETURNING p.*
		)
		SELECT array_agg(q.delivery_id), array_agg(q.received_at),
		       array_agg(q.event), array_agg(q.hire_id),
		       array_agg(q.contract_id), array_agg(q.start_date),
		       array_agg(q.end_date), array_agg(q.worker_accepted_at),
		       array_agg(q.rate), array_agg(q.worker_id),
		       array_agg(q.trusted_contact_id), (SELECT count(*) FROM c)
		INTO v_id, v_at, v_event, v_hire, v_contract, v_start, v_end,
		     v_accepted, v_rate, v_worker, v_tc, v_seen
		FROM q;
		EXIT WHEN v_id IS NULL;
		taken := taken + cardinality(v_id);
		more := v_seen > cardinality(v_id) OR v_seen >= p_limit;
		FOR r IN
			SELECT array_agg(u.id) AS id, array_agg(u.at) AS at,
			       array_agg(u.event) AS event, array_agg(u.hire) AS hire,
			       array_agg(u.contract) AS contract,
			       array_agg(u.start_date) AS start_date,
			       array_agg(u.end_date) AS end_date,
			       array_agg(u.accepted) AS accepted, array_agg(u.rate) AS rate,
			       array_agg(u.worker) AS worker, array_agg(u.tc) AS tc
			FROM unnest(v_id, v_at, v_event, v_hire, v_contract, v_start,
				v_end, v_accepted, v_rate, v_worker, v_tc) WITH ORDINALITY
				AS u(id, at, event, hire, contract, start_date, end_date,
				     accepted, rate, worker, tc, n)
			GROUP BY (u.n - 1) / 250
		LOOP
			-- The chunk's bodies, each found by its key (OFFSET 0: a
			-- lookup, never a join that reads the inbox whole).
			SELECT array_agg(t.id ORDER BY t.n), array_agg(t.at ORDER BY t.n),
			       array_agg(t.event ORDER BY t.n), array_agg(d.body ORDER BY t.n),
			       array_agg(t.hire ORDER BY t.n), array_agg(t.contract ORDER BY t.n),
			       array_agg(t.start_date ORDER BY t.n), array_agg(t.end_date ORDER BY t.n),
			       array_agg(t.accepted ORDER BY t.n), array_agg(t.rate ORDER BY t.n),
			       array_agg(t.worker ORDER BY t.n), array_agg(t.tc ORDER BY t.n)
			INTO c_id, c_at, c_event, c_body, c_hire, c_contract, c_start,
			     c_end, c_accepted, c_rate, c_worker, c_tc
			FROM unnest(r.id, r.at, r.event, r.hire, r.contract, r.start_date,
				r.end_date, r.accepted, r.rate, r.worker, r.tc) WITH ORDINALITY
				AS t(id, at, event, hire, contract, start_date, end_date,
				     accepted, rate, worker, tc, n),
			     LATERAL (SELECT d.body FROM workhooks.delivery AS d
				      WHERE d.id = t.id AND d.received_at = t.at
				      OFFSET 0) AS d;
			CONTINUE WHEN c_id IS NULL;
			BEGIN
				PERFORM workhooks.derive_worksome_hire(c_id, c_at, c_event,
					c_body, c_hire, c_contract, c_start, c_end, c_accepted,
					c_rate, c_worker, c_tc);
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE;
				IF left(v_state, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
					RAISE;
				END IF;
				-- One at a time; a delivery that fails alone goes
				-- back with its error.
				FOR i IN 1 .. cardinality(c_id) LOOP
					BEGIN
						PERFORM workhooks.derive_worksome_hire(c_id[i:i],
							c_at[i:i], c_event[i:i], c_body[i:i],
							c_hire[i:i], c_contract[i:i], c_start[i:i],
							c_end[i:i], c_accepted[i:i], c_rate[i:i],
							c_worker[i:i], c_tc[i:i]);
					EXCEPTION WHEN OTHERS THEN
						GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE,
							v_msg = MESSAGE_TEXT;
						IF left(v_state, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
							RAISE;
						END IF;
						RAISE WARNING 'workhooks: deriving Worksome delivery % failed (%): %; it stays in workhooks.worksome_hire_pending',
							c_id[i], v_state, v_msg;
						INSERT INTO workhooks.worksome_hire_pending
							(delivery_id, received_at, event, hire_id,
							 contract_id, start_date, end_date,
							 worker_accepted_at, rate, worker_id,
							 trusted_contact_id, error)
						VALUES (c_id[i], c_at[i], c_event[i], c_hire[i],
							c_contract[i], c_start[i], c_end[i],
							c_accepted[i], c_rate[i], c_worker[i], c_tc[i],
							v_state || ': ' || v_msg);
					END;
				END LOOP;
			END;
		END LOOP;
		EXIT WHEN NOT p_wait;
	END LOOP;
	IF p_wait THEN
		more := false;
	END IF;
END
$$;
