-- What one trustedContactUpdated delivery derives
-- (44-store_worksome_trusted_contact.sql): the worker and the trusted
-- contact (40-, 41-worksome_apply_*.sql: the latest delivery's values, in
-- any order of application), at the delivery's received_at.  Called by
-- the live store for a new delivery and by workhooks.rederive().
CREATE OR REPLACE FUNCTION workhooks.derive_worksome_trusted_contact(
	p_delivery bigint, p_received_at timestamptz, p_event text, p_body text,
	p_trusted_contact_id text, p_worker_id text)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_data	jsonb := p_body::jsonb->'data';
BEGIN
	PERFORM workhooks.worksome_apply_worker(ARRAY[p_delivery],
		ARRAY[p_event], ARRAY[v_data->'worker'], ARRAY[p_received_at]);
	PERFORM workhooks.worksome_apply_trusted_contact(ARRAY[p_delivery],
		ARRAY[p_event], ARRAY[v_data->'trustedContact'], ARRAY[p_worker_id],
		ARRAY[p_received_at]);
END
$$;
