-- The work the store leaves for later, done off the request path: the
-- queued timeline changes folded into the per-worker summary
-- (71-worker_timeline_fold.sql) and the queued Worksome hire deliveries
-- derived (46-worksome_hire_fold.sql).  The workers call it about once a
-- second while they store (common/serve.c, fold_flush: a second after
-- the last fold, after the answers are out, and when they start and
-- stop), in a statement and transaction of its own.  Returns whether
-- more is queued: true when a part took its whole limit (a backlog), and
-- the worker then calls it again after its next answers rather than a
-- second later.  Each part runs alone: one that fails (a lock timeout,
-- say) is logged by the server and rolled back alone, with its rows
-- still queued for the next call.
-- (Until commit 36d55cb it returned the number of rows taken.)
DO $$
BEGIN
	IF (SELECT p.prorettype FROM pg_proc AS p
	    WHERE p.oid = to_regprocedure('workhooks.fold()')) <> 'boolean'::regtype THEN
		DROP FUNCTION workhooks.fold();
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION workhooks.fold()
RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_more	boolean := false;
BEGIN
	-- For this transaction: nothing of it needs to survive a crash (a
	-- fold lost with it is made again from the queues, whose rows it
	-- took in the same transaction).
	PERFORM set_config('synchronous_commit', 'off', true);
	BEGIN
		v_more := workhooks.worker_timeline_fold(false, 20000) >= 20000;
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'workhooks: folding the timeline changes failed: %', SQLERRM;
	END;
	BEGIN
		v_more := workhooks.worksome_hire_fold(false, 5000) >= 5000 OR v_more;
	EXCEPTION WHEN OTHERS THEN
		RAISE WARNING 'workhooks: deriving the queued Worksome hire deliveries failed: %', SQLERRM;
	END;
	RETURN v_more;
END
$$;
