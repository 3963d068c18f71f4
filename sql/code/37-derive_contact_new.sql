-- The worker_contact row of one contact/new delivery (one delivery per
-- worker, 33-store_contact_new.sql): first and last call and how many,
-- which are the delivery's received_at, last_received_at and
-- times_received.  Set whole, so applying it again changes nothing.
CREATE OR REPLACE FUNCTION workhooks.derive_contact_new(
	p_delivery bigint, p_worker_id text, p_first_added_at timestamptz,
	p_last_added_at timestamptz, p_times_added bigint)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.worker_contact AS c
		(worker_id, first_added_at, last_added_at, times_added, delivery_id)
	VALUES (p_worker_id, p_first_added_at, p_last_added_at, p_times_added,
		p_delivery)
	ON CONFLICT (worker_id) DO UPDATE SET
		first_added_at = excluded.first_added_at,
		last_added_at = excluded.last_added_at,
		times_added = excluded.times_added,
		delivery_id = excluded.delivery_id;
END
$$;
