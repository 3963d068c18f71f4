CREATE OR REPLACE VIEW workhooks.worker_timeline_latest AS
	SELECT worker_id,
	       max(completed_at) AS last_completed_at,
	       max(max_available_now) AS max_available_now,
	       count(*) AS changes,
	       max(received_at) AS last_received_at
	FROM workhooks.timeline_change
	GROUP BY worker_id;
COMMENT ON VIEW workhooks.worker_timeline_latest IS
	'Per worker: the latest completedAt received, the furthest maxAvailableNow, how many changes.';
