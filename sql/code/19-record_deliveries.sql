-- Record deliveries of one endpoint, or count repeats of them: the inbox's
-- one rule, for a batch (a worker's store of several requests in one
-- statement, README "Batched stores") as for one (20-record_delivery.sql
-- calls it with one of each).  The dedupe ledger workhooks.delivery_key
-- decides (sql/001_baseline.sql): a key seen before is a repeat even when
-- its inbox row was pruned or deleted, and then the inbox row, if it is
-- still there, counts it too.  The key is the body's SHA-256 as the
-- endpoint computed it (p_sha256), or, for a delivery with a subject
-- (contact/new), the SHA-256 of the subject, led in the ledger's unique
-- key by p_key_at, a time the delivery carries (timelineChanged's
-- completedAt; NULL, the default: -infinity), so that new keys are
-- inserted next to each other (sql/004_ledger_key_at.sql): the same
-- delivery always brings the same one.  The arrays are parallel, one
-- element per delivery; the ledger's rows are taken in key order, so two
-- batches never wait for each other in a cycle.  The same key twice in
-- one call fails (ON CONFLICT cannot touch a row twice in one statement):
-- the worker then stores that batch one delivery at a time.
--
-- One row of arrays, one element per delivery in the arrays' order: its
-- id, how many times it has now arrived, whether this call inserted it
-- (only then may the caller derive rows from it), and when it was first
-- received (derived rows take their times from the delivery, never the
-- clock, so that workhooks.rederive() makes them again identical).
-- Arrays rather than a row per delivery, which the caller aggregated back
-- into arrays: every statement of a store costs its executor set-up, the
-- larger part of a small batch's time (README "Batched stores").  Called only by
-- the store functions (as their owner): 90-privileges.sql.  plpgsql, not
-- sql, here and in the functions around it: a plpgsql function keeps its
-- statements' plans for the session, a sql one (not inlined) plans its
-- body again at every call.  Small statements over the arrays rather than
-- one statement: one data-modifying CTE with the inbox's UPDATE was
-- planned again at every call (0.6 ms, no generic plan was chosen), and a
-- forced generic plan of it joined the whole inbox.
--
-- enable_seqscan off, here and in the derive functions whose statements
-- read tables (34-derive_timeline_changed.sql, 46-derive_worksome_hire.sql,
-- and so in what they call: the foreign-key checks, the triggers; the
-- others only upsert by their conflict key): each of those statements
-- finds rows by a key, and a plan a backend keeps may have
-- been made when a table was empty, where a scan of the whole table is
-- cheapest.  Such a plan stays until the table is next analyzed, while
-- the table grows under it: measured after a TRUNCATE (pgbench, 4
-- Worksome deliveries a call), the foreign-key checks of the Worksome
-- store scanned the hire versions whole, 29,054 scans of 129 million rows
-- in 10 s, and the store ran at 223 calls/s against 700-860.  With
-- seq scans off the planner takes the index whatever the statistics say.
-- Until 2026-12-02 it took no key times (sql/004_ledger_key_at.sql).
DROP FUNCTION IF EXISTS workhooks.record_deliveries(text, text, text[],
	text[], bytea[], text[], text[], text[], timestamptz[], text[]);
CREATE OR REPLACE FUNCTION workhooks.record_deliveries(
	p_source text, p_endpoint text, p_event text[], p_body text[],
	p_sha256 bytea[], p_signature text[], p_secret_label text[],
	p_signed_timestamp text[], p_signed_at timestamptz[], p_subject text[],
	p_key_at timestamptz[] DEFAULT NULL,
	OUT delivery_id bigint[], OUT times_received bigint[],
	OUT is_new boolean[], OUT received_at timestamptz[])
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off	-- key lookups only (19-record_deliveries.sql)
AS $$
#variable_conflict use_column
DECLARE
	v_key	bytea[];
	v_id	bigint[];
	v_times	bigint[];
	v_new	boolean[];
	v_first	timestamptz[];
	i	integer;
BEGIN
	IF array_remove(p_subject, NULL) = '{}' THEN
		v_key := p_sha256;	-- no subject: an expression, no statement
	ELSE
		SELECT array_agg(CASE WHEN u.subject IS NULL THEN u.sha256
				ELSE sha256(convert_to(u.subject, 'UTF8')) END ORDER BY u.n)
		INTO v_key
		FROM unnest(p_sha256, p_subject) WITH ORDINALITY AS u(sha256, subject, n);
	END IF;
	-- The ledger, in key order; its answers in the arrays' order.
	WITH k AS (
		INSERT INTO workhooks.delivery_key AS k
			(source, endpoint, key_at, dedup_key)
		SELECT p_source, p_endpoint, coalesce(u.at, '-infinity'), u.key
		FROM unnest(v_key, p_key_at) AS u(key, at)
		ORDER BY 3, 4
		ON CONFLICT (source, endpoint, key_at, dedup_key) DO UPDATE
			SET times = k.times + 1, last_seen = now()
		RETURNING k.dedup_key, k.delivery_id, k.times, (k.xmax = 0) AS fresh,
			k.first_seen
	)
	SELECT array_agg(k.delivery_id ORDER BY u.n), array_agg(k.times ORDER BY u.n),
	       array_agg(k.fresh ORDER BY u.n), array_agg(k.first_seen ORDER BY u.n)
	INTO v_id, v_times, v_new, v_first
	FROM unnest(v_key) WITH ORDINALITY AS u(key, n)
	JOIN k ON k.dedup_key = u.key;

	INSERT INTO workhooks.delivery
		(id, source, endpoint, event, received_at, last_received_at,
		 body, body_sha256, dedup_key, subject, signature,
		 secret_label, signed_timestamp, signed_at)
	SELECT v_id[n], p_source, p_endpoint, p_event[n], v_first[n], v_first[n],
		p_body[n], p_sha256[n], v_key[n], p_subject[n], p_signature[n],
		p_secret_label[n], p_signed_timestamp[n], p_signed_at[n]
	FROM generate_subscripts(v_id, 1) AS n
	WHERE v_new[n];

	-- Repeats (rare): each its inbox row, by id and received_at = first
	-- seen: one partition, one index probe.
	IF false = ANY (v_new) THEN
		FOR i IN 1 .. array_length(v_id, 1) LOOP
			CONTINUE WHEN v_new[i];
			UPDATE workhooks.delivery AS d
			SET times_received = v_times[i], last_received_at = now()
			WHERE d.id = v_id[i] AND d.received_at = v_first[i];
		END LOOP;
	END IF;

	delivery_id := v_id;
	times_received := v_times;
	is_new := v_new;
	received_at := v_first;
END
$$;
