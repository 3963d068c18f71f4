-- 005 worker_timeline_pending: the per-worker summary behind
-- workhooks.worker_timeline_latest (003) is no longer kept in the store's
-- transaction.  A new timeline_change row only adds a row here (its
-- trigger, sql/code/71-worker_timeline_upkeep.sql); workhooks.wake(),
-- which a worker calls after its answers are out, folds these rows into
-- workhooks.worker_timeline at most once a second per connection
-- (sql/code/71-worker_timeline_fold.sql), and the view adds the rows not
-- yet folded, so it is exact at any moment.  Upserting the summary row of
-- each delivery's worker in the store's statement was a sixth of the
-- database's CPU per timelineChanged delivery (README "Benchmark").
-- A queue: rows come and go, nothing reads one by key, so no index; its
-- dead rows are vacuumed early.
CREATE TABLE workhooks.worker_timeline_pending (
	worker_id		text NOT NULL,
	completed_at		timestamptz NOT NULL,
	max_available_now	timestamptz,
	received_at		timestamptz NOT NULL
) WITH (autovacuum_vacuum_threshold = 1000,
	autovacuum_vacuum_scale_factor = 0,
	autovacuum_vacuum_insert_threshold = 10000,
	autovacuum_vacuum_insert_scale_factor = 0);
COMMENT ON TABLE workhooks.worker_timeline_pending IS
	'New timeline_change rows not yet folded into workhooks.worker_timeline (workhooks.worker_timeline_fold()); workhooks.worker_timeline_latest counts them.';
GRANT SELECT ON workhooks.worker_timeline_pending TO workhooks_reader;
