-- Per worker, the summary (workhooks.worker_timeline) with the changes
-- still queued for it (worker_timeline_pending, 71-worker_timeline_fold.sql)
-- added: equal to the aggregate of timeline_change at any moment.  The
-- summary joined to the queue's aggregate, then the workers only the
-- queue has, rather than a FULL JOIN: so a condition on worker_id reaches
-- both tables (the summary by its key).  Joins, not NOT IN: a queue too
-- large for work_mem would turn NOT IN into a scan of the queue per
-- summary row.  Read whole: 63-81 ms for 220,000 workers with EXPLAIN
-- ANALYZE, against 22 ms for the table alone (README "Benchmark").
CREATE OR REPLACE VIEW workhooks.worker_timeline_latest AS
	SELECT s.worker_id,
	       greatest(s.last_completed_at, p.last_completed_at) AS last_completed_at,
	       greatest(s.max_available_now, p.max_available_now) AS max_available_now,
	       s.changes + coalesce(p.changes, 0) AS changes,
	       greatest(s.last_received_at, p.last_received_at) AS last_received_at
	FROM workhooks.worker_timeline AS s
	LEFT JOIN (SELECT q.worker_id, max(q.completed_at) AS last_completed_at,
			  max(q.max_available_now) AS max_available_now,
			  count(*) AS changes, max(q.received_at) AS last_received_at
		   FROM workhooks.worker_timeline_pending AS q
		   GROUP BY q.worker_id) AS p ON p.worker_id = s.worker_id
	UNION ALL
	SELECT q.worker_id, max(q.completed_at), max(q.max_available_now),
	       count(*), max(q.received_at)
	FROM workhooks.worker_timeline_pending AS q
	WHERE NOT EXISTS (SELECT 1 FROM workhooks.worker_timeline AS s
			  WHERE s.worker_id = q.worker_id)
	GROUP BY q.worker_id;
COMMENT ON VIEW workhooks.worker_timeline_latest IS
	'Per worker: the latest completedAt received, the furthest maxAvailableNow, how many changes, when last (workhooks.worker_timeline, kept by the timeline_change triggers, plus the changes still queued in worker_timeline_pending).';
