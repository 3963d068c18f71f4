-- Wake the listeners of NOTIFY workhooks for a committed delivery: the
-- payload is the delivery id, nothing else (README "NOTIFY").  The
-- endpoints call it after the store's transaction has committed, in a
-- transaction of its own whose commit need not be flushed: a notifying
-- transaction holds a database-wide lock until its commit is durable, so
-- notifying inside the store serialised every delivery's commit (no group
-- commit).  workhooks.notify = off (a role or database setting) turns the
-- wake-ups off.
--
-- It is also where the worker's connection folds the queued timeline
-- changes into the per-worker summary (71-worker_timeline_fold.sql), at
-- most once a second (workhooks.folded_at, this session's last fold):
-- off the request path, after the answers are out, many changes in one
-- statement.  A fold that fails (a lock timeout, say) is logged by the
-- server and rolled back alone, with its rows still queued for the next
-- one; the wake-up goes out all the same.
CREATE OR REPLACE FUNCTION workhooks.wake(p_delivery bigint)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_now	bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
BEGIN
	-- For this transaction: nothing of it needs to survive a crash (a
	-- fold lost with it is made again from the queue).
	PERFORM set_config('synchronous_commit', 'off', true);
	IF v_now - coalesce(nullif(current_setting('workhooks.folded_at', true), ''),
			'0')::bigint >= 1000 THEN
		PERFORM set_config('workhooks.folded_at', v_now::text, false);
		BEGIN
			PERFORM workhooks.worker_timeline_fold();
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'workhooks: folding the timeline changes failed: %', SQLERRM;
		END;
	END IF;
	IF coalesce(current_setting('workhooks.notify', true), '') IN ('off', 'false', '0', 'no') THEN
		RETURN;
	END IF;
	PERFORM pg_notify('workhooks', p_delivery::text);
END
$$;
