-- Trigger function (72-timeline_change_*.sql): keeps workhooks.worker_timeline
-- equal to the aggregate of workhooks.timeline_change per worker, once per
-- statement.  New changes (the live path: a batch's rows in one INSERT)
-- are added in one upsert, a row per worker, in worker order; an UPDATE
-- or DELETE (re-derivation, repairs by hand) recomputes the workers its
-- statement touched from their rows; TRUNCATE empties it.
CREATE OR REPLACE FUNCTION workhooks.worker_timeline_upkeep()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_workers	text[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO workhooks.worker_timeline AS s
			(worker_id, last_completed_at, max_available_now, changes,
			 last_received_at)
		SELECT n.worker_id, max(n.completed_at), max(n.max_available_now),
		       count(*), max(n.received_at)
		FROM new_rows AS n
		GROUP BY n.worker_id
		ORDER BY n.worker_id
		ON CONFLICT (worker_id) DO UPDATE SET
			last_completed_at = greatest(s.last_completed_at, excluded.last_completed_at),
			max_available_now = greatest(s.max_available_now, excluded.max_available_now),
			changes = s.changes + excluded.changes,
			last_received_at = greatest(s.last_received_at, excluded.last_received_at);
		RETURN NULL;
	ELSIF TG_OP = 'TRUNCATE' THEN
		-- DELETE, not TRUNCATE: the statement that fired this may
		-- truncate worker_timeline too (then it is in use here).
		DELETE FROM workhooks.worker_timeline;
		RETURN NULL;
	END IF;
	-- UPDATE or DELETE, once per statement: the touched workers, anew.
	IF TG_OP = 'UPDATE' THEN
		SELECT array_agg(u.worker_id) INTO v_workers
		FROM (SELECT worker_id FROM old_rows UNION SELECT worker_id FROM new_rows) AS u;
	ELSE
		SELECT array_agg(DISTINCT o.worker_id) INTO v_workers FROM old_rows AS o;
	END IF;
	-- Every live delivery's INSERT ... ON CONFLICT DO UPDATE fires the
	-- UPDATE trigger too, with no row updated: nothing to do.
	IF v_workers IS NULL THEN
		RETURN NULL;
	END IF;
	DELETE FROM workhooks.worker_timeline WHERE worker_id = ANY (v_workers);
	INSERT INTO workhooks.worker_timeline
	SELECT c.worker_id, max(c.completed_at), max(c.max_available_now),
	       count(*), max(c.received_at)
	FROM workhooks.timeline_change AS c
	WHERE c.worker_id = ANY (v_workers)
	GROUP BY c.worker_id;
	RETURN NULL;
END
$$;
