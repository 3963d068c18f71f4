-- POST /events/timelineChanged, several deliveries at once: what a worker
-- sends for a batch (README "Batched stores"; common/serve.c) and what
-- workhooks.store_timeline_changed (30-) does for one.  Each parameter
-- after the endpoint is an array with one element per delivery, of the
-- texts the one-delivery store takes (serve_store_with(), common/serve.h:
-- the raw body and its SHA-256 as "\x..." hex, then the field values as
-- validated, date-times in UTC to the microsecond); text throughout, so
-- that the worker's statement needs no type for any of them.  The
-- deliveries (19-record_deliveries.sql) and the rows derived from the new
-- ones (34-derive_timeline_changed.sql) in one statement of each; the
-- caller's transaction holds them all.  One row per delivery, in the
-- arrays' order: ord (from 1), delivery_id, times_received.
CREATE OR REPLACE FUNCTION workhooks.store_timeline_changed_many(
	p_endpoint text, p_event text[], p_body text[], p_sha256 text[],
	p_signature text[], p_secret_label text[], p_signed_timestamp text[],
	p_signed_at text[], p_subject text[],
	p_worker_id text[], p_offer_id text[], p_period_start text[],
	p_period_end text[], p_completed_at text[],
	p_max_available_now text[], p_max_available_now_created text[])
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
	FROM workhooks.record_deliveries('updatedge', p_endpoint, p_event, p_body,
		p_sha256::bytea[], p_signature, p_secret_label, p_signed_timestamp,
		p_signed_at::timestamptz[], p_subject,
		p_completed_at::timestamptz[]) AS r;
	-- Derived rows for the new ones: all of them (the rule), passed as
	-- they are; else only those, picked out.
	IF false <> ALL (v_new) THEN
		PERFORM workhooks.derive_timeline_changed(v_id, v_at, p_worker_id,
			p_offer_id, p_period_start::timestamptz[],
			p_period_end::timestamptz[], p_completed_at::timestamptz[],
			p_max_available_now::timestamptz[],
			p_max_available_now_created::timestamptz[]);
	ELSIF true = ANY (v_new) THEN
		PERFORM workhooks.derive_timeline_changed(array_agg(x.id),
			array_agg(x.at), array_agg(p_worker_id[x.n]),
			array_agg(p_offer_id[x.n]),
			array_agg(p_period_start[x.n]::timestamptz),
			array_agg(p_period_end[x.n]::timestamptz),
			array_agg(p_completed_at[x.n]::timestamptz),
			array_agg(p_max_available_now[x.n]::timestamptz),
			array_agg(p_max_available_now_created[x.n]::timestamptz))
		FROM unnest(v_id, v_at, v_new) WITH ORDINALITY AS x(id, at, is_new, n)
		WHERE x.is_new;
	END IF;
	RETURN QUERY SELECT x.n, x.id, x.times
		FROM unnest(v_id, v_times) WITH ORDINALITY AS x(id, times, n);
END
$$;
