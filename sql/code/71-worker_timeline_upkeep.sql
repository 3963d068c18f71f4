-- Trigger function (72-timeline_change_*.sql): keeps workhooks.worker_timeline
-- plus the rows of workhooks.worker_timeline_pending equal to the aggregate
-- of workhooks.timeline_change per worker, once per statement.  New
-- changes (the live path: a batch's rows in one INSERT) are only queued
-- in worker_timeline_pending, one narrow row each, no index and no lock
-- on a summary row: the store's transaction is done sooner, and
-- workhooks.worker_timeline_fold() (71-worker_timeline_fold.sql) adds
-- them to the summary later, many at once (sql/005_worker_timeline_pending.sql).
-- An UPDATE or DELETE (re-derivation, repairs by hand) makes the touched
-- workers' summary rows again from timeline_change, which their queued
-- rows are then part of (so those go); TRUNCATE empties both.
CREATE OR REPLACE FUNCTION workhooks.worker_timeline_upkeep()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_workers	text[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO workhooks.worker_timeline_pending
			(worker_id, completed_at, max_available_now, received_at)
		SELECT n.worker_id, n.completed_at, n.max_available_now, n.received_at
		FROM new_rows AS n;
		RETURN NULL;
	ELSIF TG_OP = 'TRUNCATE' THEN
		-- DELETE, not TRUNCATE: the statement that fired this may
		-- truncate worker_timeline too (then it is in use here).
		DELETE FROM workhooks.worker_timeline;
		DELETE FROM workhooks.worker_timeline_pending;
		RETURN NULL;
	END IF;
	-- UPDATE or DELETE, once per statement: the touched workers, anew.
	IF TG_OP = 'UPDATE' THEN
		SELECT array_agg(u.worker_id) INTO v_workers
		FROM (SELECT worker_id FROM old_rows UNION SELECT worker_id FROM new_rows) AS u;
	ELSE
		SELECT array_agg(DISTINCT o.worker_id) INTO v_workers FROM old_rows AS o;
	END IF;
	-- An INSERT ... ON CONFLICT DO UPDATE fires the UPDATE trigger too,
	-- with no row updated: nothing to do.
	IF v_workers IS NULL THEN
		RETURN NULL;
	END IF;
	-- After any fold in progress (71-worker_timeline_fold.sql): the two
	-- take the same rows in the same order.
	PERFORM pg_advisory_xact_lock(7734812611947305);
	DELETE FROM workhooks.worker_timeline_pending WHERE worker_id = ANY (v_workers);
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
