-- The trusted contact of a Worksome delivery becomes current unless a
-- later delivery has already been applied.
CREATE OR REPLACE FUNCTION workhooks.worksome_apply_trusted_contact(p_delivery bigint,
	p_event text, tc jsonb, p_worker_id text, p_received_at timestamptz)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.worksome_trusted_contact AS x
		(id, account_id, external_identifier, status, worker_id,
		 delivery_id, event, received_at, first_received_at)
	SELECT tc->>'id', tc->>'accountId', tc->>'externalIdentifier',
	       tc->>'status', p_worker_id,
	       p_delivery, p_event, p_received_at, p_received_at
	WHERE tc->>'id' IS NOT NULL
	ON CONFLICT (id) DO UPDATE SET
		account_id = excluded.account_id,
		external_identifier = excluded.external_identifier,
		status = excluded.status, worker_id = excluded.worker_id,
		delivery_id = excluded.delivery_id, event = excluded.event,
		received_at = excluded.received_at
	WHERE x.delivery_id < excluded.delivery_id;
END
$$;
