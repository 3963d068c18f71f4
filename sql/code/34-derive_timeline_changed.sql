-- The rows events/timelineChanged deliveries derive, from their ids, when
-- they were received and their validated field values (those of
-- store_timeline_changed, 30-store_timeline_changed.sql), as parallel
-- arrays, one element per delivery.  Called by the live store for the new
-- deliveries of a batch (29-store_timeline_changed_many.sql) and by
-- workhooks.rederive() with the values of workhooks.fields(), one at a
-- time: one derivation for both.  Idempotent: a row is keyed on its
-- delivery and replaced whole, and nothing in it depends on when it was
-- derived.  The rows go in worker order, the order in which the
-- per-worker summary's fold and recomputation take their rows
-- (71-worker_timeline_fold.sql, 71-worker_timeline_upkeep.sql).
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
SET enable_seqscan = off	-- key lookups only (19-record_deliveries.sql)
AS $$
DECLARE
	v_n	bigint;
BEGIN
	-- New rows (the live path: every delivery is new): ON CONFLICT DO
	-- NOTHING, so that only the INSERT statement trigger fires (with DO
	-- UPDATE the UPDATE one fires too, for nothing).
	INSERT INTO workhooks.timeline_change AS t
		(delivery_id, worker_id, offer_id, period_start, period_end,
		 completed_at, max_available_now, max_available_now_created,
		 received_at)
	SELECT u.* FROM unnest(p_delivery, p_worker_id, p_offer_id,
		p_period_start, p_period_end, p_completed_at, p_max_available_now,
		p_max_available_now_created, p_received_at) AS u
	ORDER BY 2, 1
	ON CONFLICT (delivery_id) DO NOTHING;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	IF v_n = cardinality(p_delivery) THEN
		RETURN;
	END IF;
	-- Derived before (rederive): the rows replaced whole (with the ones
	-- just inserted: the same values), the summary made again from them
	-- by the UPDATE statement trigger.
	UPDATE workhooks.timeline_change AS t SET
		worker_id = u.worker_id, offer_id = u.offer_id,
		period_start = u.period_start, period_end = u.period_end,
		completed_at = u.completed_at,
		max_available_now = u.max_available_now,
		max_available_now_created = u.max_available_now_created,
		received_at = u.received_at
	FROM unnest(p_delivery, p_worker_id, p_offer_id, p_period_start,
		p_period_end, p_completed_at, p_max_available_now,
		p_max_available_now_created, p_received_at)
		AS u(delivery_id, worker_id, offer_id, period_start, period_end,
		     completed_at, max_available_now, max_available_now_created,
		     received_at)
	WHERE t.delivery_id = u.delivery_id;
END
$$;
