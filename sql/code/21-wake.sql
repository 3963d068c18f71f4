-- Wake the listeners of NOTIFY workhooks for a committed delivery: the
-- payload is the delivery id, nothing else (README "NOTIFY").  The
-- endpoints call it after the store's transaction has committed, in a
-- transaction of its own whose commit need not be flushed: a notifying
-- transaction holds a database-wide lock until its commit is durable, so
-- notifying inside the store serialised every delivery's commit (no group
-- commit).  workhooks.notify = off (a role or database setting) turns the
-- wake-ups off.
CREATE OR REPLACE FUNCTION workhooks.wake(p_delivery bigint)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF coalesce(current_setting('workhooks.notify', true), '') IN ('off', 'false', '0', 'no') THEN
		RETURN;
	END IF;
	-- For this transaction: nothing of it needs to survive a crash.
	PERFORM set_config('synchronous_commit', 'off', true);
	PERFORM pg_notify('workhooks', p_delivery::text);
END
$$;
