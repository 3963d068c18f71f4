-- POST /worksome, hire events (cgi-bin/worksome-events/hire.c), several
-- deliveries at once: what a worker sends for a batch of one event
-- (README "Batched stores"; common/serve.c) and what
-- workhooks.store_worksome_hire (43-) does for one.  Each parameter after
-- the endpoint is an array with one element per delivery, of the texts
-- the one-delivery store takes (the nine delivery parameters, then the
-- scalar rows of ws_hire_fields as validated); text throughout, so that
-- the worker's statement needs no type for any of them.  The deliveries
-- (19-record_deliveries.sql) and, for the new ones, a row each in the
-- queue workhooks.worksome_hire_pending (006), in two statements for the
-- whole batch; the caller's transaction holds them all.  The rows they
-- derive are made off the request path, by workhooks.worksome_hire_fold()
-- (46-worksome_hire_fold.sql), which the workers call about once a
-- second.  One row per delivery, in the arrays' order: ord (from 1),
-- delivery_id, times_received.
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
	-- The new ones wait for the fold (46-worksome_hire_fold.sql), with
	-- their values typed here, as the derive takes them.
	INSERT INTO workhooks.worksome_hire_pending
		(delivery_id, received_at, event, hire_id, contract_id, start_date,
		 end_date, worker_accepted_at, rate, worker_id, trusted_contact_id)
	SELECT x.id, x.at, p_event[x.n], p_hire_id[x.n], p_contract_id[x.n],
	       p_start_date[x.n]::date, p_end_date[x.n]::date,
	       p_worker_accepted_at[x.n], p_rate[x.n]::numeric, p_worker_id[x.n],
	       p_trusted_contact_id[x.n]
	FROM unnest(v_id, v_at, v_new) WITH ORDINALITY AS x(id, at, is_new, n)
	WHERE x.is_new;
	RETURN QUERY SELECT x.n, x.id, x.times
		FROM unnest(v_id, v_times) WITH ORDINALITY AS x(id, times, n);
END
$$;
