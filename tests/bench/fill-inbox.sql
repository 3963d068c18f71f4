-- workhooks benchmark — an inbox that has been running for a while:
-- :inbox timelineChanged deliveries (default 10,000,000) with their
-- timeline_change rows, their dedupe-ledger rows (delivery_key) and the
-- per-worker summary, for tests/bench/run --growth. Run on an empty
-- benchmark database (the run's own copy, workhooks_inbox), as the
-- cluster's superuser:
--
--   psql -X -v ON_ERROR_STOP=1 -v inbox=10000000 -d workhooks_inbox -f tests/bench/fill-inbox.sql
--
-- Every row is what the store path writes for such a delivery (same
-- columns, same derived row, valid for every constraint): bodies like
-- tests/bench/timeline.lua's, 100,000 workers, received over the last 90
-- days, one in 200 delivered twice. Set-based, in batches of 1,000,000
-- rows so a batch's sort for the indexes stays in memory; indexes are kept
-- (their cost is part of a real inbox's growth).
\set ON_ERROR_STOP 1
\if :{?inbox}
\else
\set inbox 10000000
\endif
\set batch 1000000
SET synchronous_commit = off;
SET TimeZone = 'UTC';

SELECT count(*) = 0 AS empty FROM workhooks.delivery \gset
\if :empty
\else
\echo fill-inbox.sql: workhooks.delivery is not empty; refusing
\quit
\endif

-- Rows FROM..TO of a fill of TOTAL: the numbers both tables are made of.
-- Deliveries are 0.78 s apart (10M over 90 days): completedAt, to the
-- microsecond, is unique per row, so every body is.
CREATE FUNCTION pg_temp.workhooks_fill_rows(p_from bigint, p_to bigint, p_total bigint,
	OUT n bigint, OUT worker text, OUT ra timestamptz, OUT ps timestamptz, OUT ca timestamptz)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT n, 'f1110000-0000-4bbe-8bbe-' || lpad(to_hex(n % 100000), 12, '0'),
	       t, date_trunc('day', t) - interval '15 days' + interval '9 hours' + interval '1 day' * (n % 30),
	       t - interval '1 second'
	FROM generate_series(p_from, p_to) AS n,
	     LATERAL (SELECT now() - interval '90 days' * (1 - n::float8 / p_total) AS t) AS x
$$;
SELECT (:inbox + :batch - 1) / :batch AS batches \gset
SELECT clock_timestamp() AS t0 \gset
-- A schema that keeps a parsed copy of the body (payload jsonb) gets it.
SELECT CASE WHEN EXISTS (SELECT FROM information_schema.columns
	WHERE table_schema = 'workhooks' AND table_name = 'delivery' AND column_name = 'payload')
	THEN ', payload' ELSE '' END AS payload_col,
       CASE WHEN EXISTS (SELECT FROM information_schema.columns
	WHERE table_schema = 'workhooks' AND table_name = 'delivery' AND column_name = 'payload')
	THEN ', body::jsonb' ELSE '' END AS payload_val \gset

-- The per-worker summary is made once at the end, not by its row trigger
-- 10M times (sql/003_worker_timeline.sql).
ALTER TABLE workhooks.timeline_change DISABLE TRIGGER timeline_change_insert;

-- psql has no loop, and one DO block would make one transaction of it
-- all: each batch is two statements generated with \gexec. Delivery n
-- gets id n (OVERRIDING SYSTEM VALUE), so its timeline_change row is made
-- from the same numbers without reading the deliveries back.
SELECT format($f$
INSERT INTO workhooks.delivery
	(id, source, endpoint, event, received_at, last_received_at, times_received,
	 body, body_sha256, dedup_key, subject, signature, secret_label,
	 signed_timestamp, signed_at %4$s)
OVERRIDING SYSTEM VALUE
SELECT n, 'updatedge', 'events/timelineChanged', NULL, ra, ra,
       CASE WHEN n %% 200 = 0 THEN 2 ELSE 1 END,
       body, sha256(convert_to(body, 'UTF8')), sha256(convert_to(body, 'UTF8')), NULL,
       'hmac ' || encode(sha256(convert_to(n::text, 'UTF8')), 'hex'), 'dev',
       to_char(ra, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), date_trunc('second', ra) %5$s
FROM (SELECT n, ra,
	     format('{"workerId":"%%s","periodStart":"%%s","periodEnd":"%%s","completedAt":"%%s"}',
		    worker, to_char(ps, 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
		    to_char(ps + interval '8 hours', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
		    to_char(ca, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')) AS body
      FROM pg_temp.workhooks_fill_rows(%2$s, %3$s, %1$s)) AS g
$f$, :inbox, b * :batch + 1, least((b + 1) * :batch, :inbox), :'payload_col', :'payload_val') ||
format($f$;
INSERT INTO workhooks.timeline_change
	(delivery_id, worker_id, offer_id, period_start, period_end, completed_at,
	 max_available_now, max_available_now_created, received_at)
SELECT n, worker, NULL, ps, ps + interval '8 hours', ca, NULL, NULL, ra
FROM pg_temp.workhooks_fill_rows(%2$s, %3$s, %1$s)
$f$, :inbox, b * :batch + 1, least((b + 1) * :batch, :inbox)) ||
format($f$;
INSERT INTO workhooks.delivery_key
	(source, endpoint, key_at, dedup_key, delivery_id, first_seen, last_seen, times)
SELECT d.source, d.endpoint, t.completed_at, d.dedup_key, d.id, d.received_at,
       d.last_received_at, d.times_received
FROM workhooks.delivery AS d JOIN workhooks.timeline_change AS t ON t.delivery_id = d.id
WHERE d.id BETWEEN %1$s AND %2$s
$f$, b * :batch + 1, least((b + 1) * :batch, :inbox))
FROM generate_series(0, :batches - 1) AS b
ORDER BY b
\gexec

INSERT INTO workhooks.worker_timeline
SELECT worker_id, max(completed_at), max(max_available_now), count(*), max(received_at)
FROM workhooks.timeline_change GROUP BY worker_id;
ALTER TABLE workhooks.timeline_change ENABLE TRIGGER timeline_change_insert;
-- The next delivery id (sql/001_baseline.sql: the ledger hands them out).
SELECT setval('workhooks.delivery_ids', :inbox) \g /dev/null
DROP FUNCTION pg_temp.workhooks_fill_rows;
ANALYZE workhooks.delivery;
ANALYZE workhooks.timeline_change;
ANALYZE workhooks.delivery_key;
ANALYZE workhooks.worker_timeline;
SELECT count(*) AS deliveries, pg_size_pretty(pg_total_relation_size('workhooks.delivery')) AS delivery_size,
       round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS seconds
FROM workhooks.delivery;
