-- Per worker, the summary (workhooks.worker_timeline) with the changes
-- still queued for it (worker_timeline_pending, 71-worker_timeline_fold.sql)
-- added: equal to the aggregate of timeline_change at any moment.  Two
-- branches rather than a FULL JOIN, so that a condition on worker_id
-- reaches both tables (the summary by its key) and a worker with nothing
-- queued is read as it is.
CREATE OR REPLACE VIEW workhooks.worker_timeline_latest AS
	SELECT s.worker_id, s.last_completed_at, s.max_available_now, s.changes,
	       s.last_received_at
	FROM workhooks.worker_timeline AS s
	WHERE NOT EXISTS (SELECT 1 FROM workhooks.worker_timeline_pending AS p
			  WHERE p.worker_id = s.worker_id)
	UNION ALL
	SELECT p.worker_id,
	       greatest(max(p.completed_at), s.last_completed_at),
	       greatest(max(p.max_available_now), s.max_available_now),
	       count(*) + coalesce(s.changes, 0),
	       greatest(max(p.received_at), s.last_received_at)
	FROM workhooks.worker_timeline_pending AS p
	LEFT JOIN workhooks.worker_timeline AS s ON s.worker_id = p.worker_id
	GROUP BY p.worker_id, s.worker_id;
COMMENT ON VIEW workhooks.worker_timeline_latest IS
	'Per worker: the latest completedAt received, the furthest maxAvailableNow, how many changes, when last (workhooks.worker_timeline, kept by the timeline_change triggers, plus the changes still queued in worker_timeline_pending).';
