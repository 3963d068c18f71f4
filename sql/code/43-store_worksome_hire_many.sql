-- POST /worksome, hire events (cgi-bin/worksome-events/hire.c), several
-- deliveries at once: what a worker sends for a batch of one event
-- (README "Batched stores"; common/serve.c) and what
-- workhooks.store_worksome_hire (43-) does for one.  Each parameter after
-- the endpoint is an array with one element per delivery, of the texts
-- the one-delivery store takes (the nine delivery parameters, then the
-- scalar rows of ws_hire_fields as validated); text throughout, so that
-- the worker's statement needs no type for any of them.  The deliveries
-- (19-record_deliveries.sql) and the rows derived from the new ones
-- (46-derive_worksome_hire.sql), each in a few statements for the whole
-- batch; the caller's transaction holds them all.  One row per delivery,
-- in the arrays' order: ord (from 1), delivery_id, times_received.
CREATE OR REPLACE FUNCTION workhooks.store_worksome_hire_many(
	p_endpoint text, p_event text[], p_body text[], p_sha256 text[],
	p_signature text[], p_secret_label text[], p_signed_timestamp text[],
	p_signed_at text[], p_subject text[],
	p_hire_id text[], p_contract_id text[], p_start_date text[],
	p_end_date text[], p_worker_accepted_at text[], p_rate text[],
	p_worker_id text[], p_trusted_contact_id text[])
RETURNS TABLE (ord bigint, delivery_id bigint, times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id	bigint[];
	v_times	bigint[];
	v_new	boolean[];
	v_at	timestamptz[];
BEGIN
	SELECT r.delivery_id, r.times_received, r.is_new, r.received_at
	INTO v_id, v_times, v_new, v_at
	FROM workhooks.record_deliveries('worksome', p_endpoint, p_event, p_body,
		p_sha256::bytea[], p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at::timestamptz[], p_subject) AS r;
	-- Derived rows for the new ones: all of them (the rule), passed as
	-- they are; else only those, picked out.
	IF false <> ALL (v_new) THEN
		PERFORM workhooks.derive_worksome_hire(v_id, v_at, p_event, p_body,
			p_hire_id, p_contract_id, p_start_date::date[],
			p_end_date::date[], p_worker_accepted_at, p_rate::numeric[],
			p_worker_id, p_trusted_contact_id);
	ELSIF true = ANY (v_new) THEN
		PERFORM workhooks.derive_worksome_hire(array_agg(x.id ORDER BY x.n),
			array_agg(x.at ORDER BY x.n), array_agg(p_event[x.n] ORDER BY x.n),
			array_agg(p_body[x.n] ORDER BY x.n),
			array_agg(p_hire_id[x.n] ORDER BY x.n),
			array_agg(p_contract_id[x.n] ORDER BY x.n),
			array_agg(p_start_date[x.n]::date ORDER BY x.n),
			array_agg(p_end_date[x.n]::date ORDER BY x.n),
			array_agg(p_worker_accepted_at[x.n] ORDER BY x.n),
			array_agg(p_rate[x.n]::numeric ORDER BY x.n),
			array_agg(p_worker_id[x.n] ORDER BY x.n),
			array_agg(p_trusted_contact_id[x.n] ORDER BY x.n))
		FROM unnest(v_id, v_at, v_new) WITH ORDINALITY AS x(id, at, is_new, n)
		WHERE x.is_new;
	END IF;
	RETURN QUERY SELECT x.n, x.id, x.times
		FROM unnest(v_id, v_times) WITH ORDINALITY AS x(id, times, n);
END
$$;
