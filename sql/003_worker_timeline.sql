-- 003 worker_timeline: the per-worker summary behind the dashboard view
-- workhooks.worker_timeline_latest, kept by triggers on timeline_change
-- (sql/code/71-worker_timeline_upkeep.sql), so the view reads one row per
-- worker instead of aggregating every change ever received (8.9 s on a
-- 10M-row inbox before this).
CREATE TABLE workhooks.worker_timeline (
	worker_id		text PRIMARY KEY,
	last_completed_at	timestamptz NOT NULL,
	max_available_now	timestamptz,
	changes			bigint NOT NULL,
	last_received_at	timestamptz NOT NULL
);
COMMENT ON TABLE workhooks.worker_timeline IS
	'Per worker, the aggregate of workhooks.timeline_change (latest completedAt, furthest maxAvailableNow, changes, last received), kept by its triggers; derived: TRUNCATE timeline_change empties it.';
INSERT INTO workhooks.worker_timeline
SELECT worker_id, max(completed_at), max(max_available_now), count(*), max(received_at)
FROM workhooks.timeline_change
GROUP BY worker_id;
GRANT SELECT ON workhooks.worker_timeline TO workhooks_reader;
