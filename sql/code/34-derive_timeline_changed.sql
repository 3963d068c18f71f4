-- The rows events/timelineChanged deliveries derive, from their ids, when
-- they were received and their validated field values (those of
-- store_timeline_changed, 30-store_timeline_changed.sql), as parallel
-- arrays, one element per delivery.  Called by the live store for the new
-- deliveries of a batch (29-store_timeline_changed_many.sql) and by
-- workhooks.rederive() with the values of workhooks.fields(), one at a
-- time: one derivation for both.  Idempotent: a row is keyed on its
-- delivery and replaced whole, and nothing in it depends on when it was
-- derived.  The rows go in worker order, as the per-worker summary
-- (71-worker_timeline_upkeep.sql) takes its locks.
DROP FUNCTION IF EXISTS workhooks.derive_timeline_changed(bigint, timestamptz,
	text, text, timestamptz, timestamptz, timestamptz, timestamptz,
	timestamptz);
CREATE OR REPLACE FUNCTION workhooks.derive_timeline_changed(
	p_delivery bigint[], p_received_at timestamptz[],
	p_worker_id text[], p_offer_id text[], p_period_start timestamptz[],
	p_period_end timestamptz[], p_completed_at timestamptz[],
	p_max_available_now timestamptz[],
	p_max_available_now_created timestamptz[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.timeline_change AS t
		(delivery_id, worker_id, offer_id, period_start, period_end,
		 completed_at, max_available_now, max_available_now_created,
		 received_at)
	SELECT u.* FROM unnest(p_delivery, p_worker_id, p_offer_id,
		p_period_start, p_period_end, p_completed_at, p_max_available_now,
		p_max_available_now_created, p_received_at) AS u
	ORDER BY 2, 1
	ON CONFLICT (delivery_id) DO UPDATE SET
		worker_id = excluded.worker_id, offer_id = excluded.offer_id,
		period_start = excluded.period_start,
		period_end = excluded.period_end,
		completed_at = excluded.completed_at,
		max_available_now = excluded.max_available_now,
		max_available_now_created = excluded.max_available_now_created,
		received_at = excluded.received_at;
END
$$;
