-- The trusted contact of a Worksome delivery becomes current unless a
-- later delivery has already been applied; first_received_at is the
-- earliest applied.  The same row in any order of application, and
-- applying a delivery again changes nothing (workhooks.rederive()).
-- Parallel arrays, one element per delivery, each trusted contact once
-- (as 40-worksome_apply_worker.sql), taken in id order.
DROP FUNCTION IF EXISTS workhooks.worksome_apply_trusted_contact(bigint, text,
	jsonb, text, timestamptz);
CREATE OR REPLACE FUNCTION workhooks.worksome_apply_trusted_contact(
	p_delivery bigint[], p_event text[], p_trusted_contact jsonb[],
	p_worker_id text[], p_received_at timestamptz[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.worksome_trusted_contact AS x
		(id, account_id, external_identifier, status, worker_id,
		 delivery_id, event, received_at, first_received_at)
	SELECT tc->>'id', tc->>'accountId', tc->>'externalIdentifier',
	       tc->>'status', u.worker_id, u.delivery, u.event, u.at, u.at
	FROM unnest(p_delivery, p_event, p_trusted_contact, p_worker_id,
		p_received_at) AS u(delivery, event, tc, worker_id, at)
	WHERE tc->>'id' IS NOT NULL
	ORDER BY tc->>'id'
	ON CONFLICT (id) DO UPDATE SET
		account_id = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.account_id ELSE x.account_id END,
		external_identifier = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.external_identifier ELSE x.external_identifier END,
		status = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.status ELSE x.status END,
		worker_id = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.worker_id ELSE x.worker_id END,
		event = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.event ELSE x.event END,
		received_at = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.received_at ELSE x.received_at END,
		delivery_id = greatest(x.delivery_id, excluded.delivery_id),
		first_received_at = least(x.first_received_at, excluded.first_received_at);
END
$$;
