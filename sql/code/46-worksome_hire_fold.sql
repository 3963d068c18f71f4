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
-- second, the rows it derives locked meanwhile) and returns -1 at once if
-- another fold holds the lock (one fold at a time: a transaction-level
-- advisory lock); with p_wait it waits for that one, then takes
-- everything, p_limit at a time.
--
-- The deliveries taken (their small columns, in memory; the bodies are
-- read a chunk at a time) go to workhooks.derive_worksome_hire in rounds
-- in which no hire, worker or trusted contact comes twice, so that the
-- derive applies a round set-based, one statement per table: a
-- delivery's round is its rank among the call's deliveries of its hire,
-- then among those of that rank and its worker, then among those of
-- those two and its trusted contact (a missing worker or trusted contact
-- ranks 1); a round is given to the derive in chunks of at most 250
-- deliveries (a body may be up to body_limit).  The derive gives the same
-- rows in any order and any grouping, so rounds change nothing but the
-- cost: a fold of 5,000 deliveries of 1,000 hires, workers and trusted
-- contacts is five rounds of four chunks, a few statements per table
-- each, where the store made a thousand.  The rounds are made in one
-- pass over the call's deliveries, and arrays are read in step with
-- unnest(), never by subscript (an element of a text array is found by
-- walking the ones before it: 46-derive_worksome_hire.sql).  A
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
DROP FUNCTION IF EXISTS workhooks.worksome_hire_fold(boolean);
CREATE OR REPLACE FUNCTION workhooks.worksome_hire_fold(p_wait boolean DEFAULT false,
	p_limit integer DEFAULT 5000)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_n		bigint := 0;
	v_id		bigint[];	-- the deliveries taken
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
	r		record;		-- a chunk of a round
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
	-- The key: any constant of our own (71-worker_timeline_fold.sql's,
	-- plus one).
	IF p_wait THEN
		PERFORM pg_advisory_xact_lock(7734812611947306);
	ELSIF NOT pg_try_advisory_xact_lock(7734812611947306) THEN
		RETURN -1;	-- another fold has it: nothing taken
	END IF;
	LOOP
		WITH q AS (
			DELETE FROM workhooks.worksome_hire_pending AS p
			WHERE p.ctid = ANY (ARRAY(SELECT q.ctid
					 FROM workhooks.worksome_hire_pending AS q
					 WHERE q.error IS NULL LIMIT p_limit))
			RETURNING p.*
		)
		SELECT array_agg(q.delivery_id), array_agg(q.received_at),
		       array_agg(q.event), array_agg(q.hire_id),
		       array_agg(q.contract_id), array_agg(q.start_date),
		       array_agg(q.end_date), array_agg(q.worker_accepted_at),
		       array_agg(q.rate), array_agg(q.worker_id),
		       array_agg(q.trusted_contact_id)
		INTO v_id, v_at, v_event, v_hire, v_contract, v_start, v_end,
		     v_accepted, v_rate, v_worker, v_tc
		FROM q;
		EXIT WHEN v_id IS NULL;
		v_n := v_n + cardinality(v_id);
		FOR r IN
			SELECT array_agg(g.id ORDER BY g.id) AS id,
			       array_agg(g.at ORDER BY g.id) AS at,
			       array_agg(g.event ORDER BY g.id) AS event,
			       array_agg(g.hire ORDER BY g.id) AS hire,
			       array_agg(g.contract ORDER BY g.id) AS contract,
			       array_agg(g.start_date ORDER BY g.id) AS start_date,
			       array_agg(g.end_date ORDER BY g.id) AS end_date,
			       array_agg(g.accepted ORDER BY g.id) AS accepted,
			       array_agg(g.rate ORDER BY g.id) AS rate,
			       array_agg(g.worker ORDER BY g.id) AS worker,
			       array_agg(g.tc ORDER BY g.id) AS tc
			FROM (SELECT t.*, (row_number() OVER (PARTITION BY t.rh, t.rw, t.rt
					       ORDER BY t.id) - 1) / 250 AS chunk
			      FROM (SELECT w.*, CASE WHEN w.tc IS NULL THEN 1
					   ELSE row_number() OVER (PARTITION BY w.rh, w.rw, w.tc
						   ORDER BY w.id) END AS rt
				    FROM (SELECT h.*, CASE WHEN h.worker IS NULL THEN 1
						 ELSE row_number() OVER (PARTITION BY h.rh, h.worker
							 ORDER BY h.id) END AS rw
					  FROM (SELECT u.*, row_number() OVER (
							   PARTITION BY coalesce(u.hire, u.contract)
							   ORDER BY u.id) AS rh
						FROM unnest(v_id, v_at, v_event, v_hire, v_contract,
							v_start, v_end, v_accepted, v_rate, v_worker, v_tc)
						     AS u(id, at, event, hire, contract, start_date,
							  end_date, accepted, rate, worker, tc)) AS h) AS w) AS t) AS g
			GROUP BY g.rh, g.rw, g.rt, g.chunk
			ORDER BY g.rh, g.rw, g.rt, g.chunk
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
	RETURN v_n;
END
$$;
