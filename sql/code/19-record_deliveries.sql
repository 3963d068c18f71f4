-- Record deliveries of one endpoint, or count repeats of them: the inbox's
-- one rule, for a batch (a worker's store of several requests in one
-- statement, README "Batched stores") as for one (20-record_delivery.sql
-- calls it with one of each).  The dedupe ledger workhooks.delivery_key
-- decides (sql/001_baseline.sql): a key seen before is a repeat even when
-- its inbox row was pruned or deleted, and then the inbox row, if it is
-- still there, counts it too.  The key is the body's SHA-256 as the
-- endpoint computed it (p_sha256), or, for a delivery with a subject
-- (contact/new), the SHA-256 of the subject.  The arrays are parallel, one
-- element per delivery; the ledger's rows are taken in key order, so two
-- batches never wait for each other in a cycle.  The same key twice in
-- one call fails (ON CONFLICT cannot touch a row twice in one statement):
-- the worker then stores that batch one delivery at a time.
--
-- One row per delivery, in the arrays' order (ord, from 1): its id, how
-- many times it has now arrived, whether this call inserted it (only then
-- may the caller derive rows from it), and when it was first received
-- (derived rows take their times from the delivery, never the clock, so
-- that workhooks.rederive() makes them again identical).  Called only by
-- the store functions (as their owner): 90-privileges.sql.  plpgsql, not
-- sql, here and in the functions around it: a plpgsql function keeps its
-- statements' plans for the session, a sql one (not inlined) plans its
-- body again at every call.
CREATE OR REPLACE FUNCTION workhooks.record_deliveries(
	p_source text, p_endpoint text, p_event text[], p_body text[],
	p_sha256 bytea[], p_signature text[], p_secret_label text[],
	p_signed_timestamp text[], p_signed_at timestamptz[], p_subject text[])
RETURNS TABLE (ord bigint, delivery_id bigint, times_received bigint,
	is_new boolean, received_at timestamptz)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH v AS (
		SELECT u.*, CASE WHEN u.subject IS NULL THEN u.sha256
			ELSE sha256(convert_to(u.subject, 'UTF8')) END AS key
		FROM unnest(p_event, p_body, p_sha256, p_signature,
			p_secret_label, p_signed_timestamp, p_signed_at, p_subject)
			WITH ORDINALITY AS u(event, body, sha256, signature,
			secret_label, signed_timestamp, signed_at, subject, ord)
	), k AS (
		INSERT INTO workhooks.delivery_key AS k (source, endpoint, dedup_key)
		SELECT p_source, p_endpoint, v.key FROM v ORDER BY v.key
		ON CONFLICT (source, endpoint, dedup_key) DO UPDATE
			SET times = k.times + 1, last_seen = now()
		RETURNING k.dedup_key, k.delivery_id, k.times, (k.xmax = 0) AS is_new,
			k.first_seen
	), j AS (
		SELECT v.*, k.delivery_id AS id, k.times, k.is_new, k.first_seen
		FROM v JOIN k ON k.dedup_key = v.key
	), ins AS (
		INSERT INTO workhooks.delivery
			(id, source, endpoint, event, received_at, last_received_at,
			 body, body_sha256, dedup_key, subject, signature,
			 secret_label, signed_timestamp, signed_at)
		SELECT j.id, p_source, p_endpoint, j.event, j.first_seen, j.first_seen,
			j.body, j.sha256, j.key, j.subject, j.signature,
			j.secret_label, j.signed_timestamp, j.signed_at
		FROM j WHERE j.is_new
	), upd AS (
		-- received_at = first_seen: one partition, one index probe.
		UPDATE workhooks.delivery AS d
		SET times_received = j.times, last_received_at = now()
		FROM j
		WHERE NOT j.is_new AND d.id = j.id AND d.received_at = j.first_seen
	)
	SELECT j.ord, j.id, j.times, j.is_new, j.first_seen FROM j ORDER BY j.ord;
END
$$;
