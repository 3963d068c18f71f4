-- Fold the queued timeline changes (workhooks.worker_timeline_pending,
-- sql/005_worker_timeline_pending.sql) into the per-worker summary
-- workhooks.worker_timeline, in one transaction: a change leaves the
-- queue exactly when it is added to its worker's row, so
-- workhooks.worker_timeline_latest (summary plus queue) never counts one
-- twice or misses one.  Returns how many queued changes it folded.
--
-- workhooks.fold() calls it for the workers, after their answers are out,
-- about once a second (21-fold.sql): then it folds at most 20,000
-- changes (about 0.1 s), so that a backlog (a bulk INSERT into
-- timeline_change, folds failing for a while) drains over several calls,
-- each well inside the workers' statement_timeout, instead of one that
-- never finishes.  rederive() calls it at its end with p_wait: everything.
-- One fold at a time (a transaction-level advisory lock): a second one
-- returns -1 at once, or with p_wait waits for the first.  The summary rows
-- are written in worker order, as the UPDATE and DELETE triggers'
-- recomputation takes them.  SECURITY DEFINER: the writer calls it
-- through fold() and may not write the summary itself (90-privileges.sql).
DROP FUNCTION IF EXISTS workhooks.worker_timeline_fold(boolean);
CREATE OR REPLACE FUNCTION workhooks.worker_timeline_fold(p_wait boolean DEFAULT false,
	p_limit integer DEFAULT 20000)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_n	bigint;
BEGIN
	-- The key: any constant of our own, the same in the triggers.
	IF p_wait THEN
		PERFORM pg_advisory_xact_lock(7734812611947305);
	ELSIF NOT pg_try_advisory_xact_lock(7734812611947305) THEN
		RETURN -1;	-- another fold has it: nothing taken
	END IF;
	WITH d AS (
		DELETE FROM workhooks.worker_timeline_pending
		WHERE ctid = ANY (ARRAY(SELECT q.ctid FROM workhooks.worker_timeline_pending AS q
				       LIMIT CASE WHEN p_wait THEN NULL ELSE p_limit END))
		RETURNING worker_id, completed_at, max_available_now, received_at
	), u AS (
		INSERT INTO workhooks.worker_timeline AS s
			(worker_id, last_completed_at, max_available_now, changes,
			 last_received_at)
		SELECT d.worker_id, max(d.completed_at), max(d.max_available_now),
		       count(*), max(d.received_at)
		FROM d
		GROUP BY d.worker_id
		ORDER BY d.worker_id
		ON CONFLICT (worker_id) DO UPDATE SET
			last_completed_at = greatest(s.last_completed_at, excluded.last_completed_at),
			max_available_now = greatest(s.max_available_now, excluded.max_available_now),
			changes = s.changes + excluded.changes,
			last_received_at = greatest(s.last_received_at, excluded.last_received_at)
	)
	SELECT count(*) INTO v_n FROM d;
	RETURN v_n;
END
$$;
