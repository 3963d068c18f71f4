CREATE OR REPLACE VIEW workhooks.worker_timeline_latest AS
	SELECT worker_id, last_completed_at, max_available_now, changes,
	       last_received_at
	FROM workhooks.worker_timeline;
COMMENT ON VIEW workhooks.worker_timeline_latest IS
	'Per worker: the latest completedAt received, the furthest maxAvailableNow, how many changes, when last (from workhooks.worker_timeline, kept by the timeline_change triggers).';
