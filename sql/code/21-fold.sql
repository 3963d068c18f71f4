-- The work the store leaves for later, done off the request path: the
-- queued timeline changes folded into the per-worker summary
-- (71-worker_timeline_fold.sql) and the queued Worksome hire deliveries
-- derived (46-worksome_hire_fold.sql).  The workers call it about once a
-- second while they store (common/serve.c, fold_flush: a second after
-- the last fold, after the answers are out, and when they start and
-- stop), in a statement and transaction of its own.  It says when to
-- call it again: 2, at once (the timeline part took its whole limit, or
-- the Worksome part derived one round of several: a backlog; the worker
-- calls it after its next answers), 1, in a second (a part could
-- not run: another worker's fold held its lock, so rows committed
-- meanwhile may be left, or it failed), 0, after the next store.  Each
-- part runs alone: one that fails (a lock timeout, say) is logged by the
-- server and rolled back alone, with its rows still queued.
-- (Until commit a163cd5 it returned the number of rows taken, then
-- whether more was queued.)
DO $$
BEGIN
	IF (SELECT p.prorettype FROM pg_proc AS p
	    WHERE p.oid = to_regprocedure('workhooks.fold()')) <> 'integer'::regtype THEN
		DROP FUNCTION workhooks.fold();
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION workhooks.fold()
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_tl	bigint := -1;
	v_ws	bigint := -1;
	v_ws_more boolean := false;
BEGIN
	-- For this transaction: nothing of it needs to survive a crash (a
	-- fold lost with it is made again from the queues, whose rows it
	-- took in the same transaction).
	PERFORM set_config('synchronous_commit', 'off', true);
	BEGIN
		v_tl := workhooks.worker_timeline_fold(false, 20000);
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'workhooks: folding the timeline changes failed: %', SQLERRM;
	END;
	BEGIN
		SELECT f.taken, f.more INTO v_ws, v_ws_more
		FROM workhooks.worksome_hire_fold(false, 5000) AS f;
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'workhooks: deriving the queued Worksome hire deliveries failed: %', SQLERRM;
	END;
	RETURN CASE WHEN v_tl >= 20000 OR v_ws_more THEN 2
		    WHEN v_tl < 0 OR v_ws < 0 THEN 1
		    ELSE 0 END;
END
$$;
