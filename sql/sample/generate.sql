-- Benchmark data for contact suggestions (issue 3): 1,000,000 people and
-- 5,000,000 relationships over 50,000 hirer emails.
--
--   psql -X -v ON_ERROR_STOP=1 -d workhooks -f sql/sample/generate.sql
--
-- Run it as the database owner, on a benchmark database only: it REPLACES
-- everything in workhooks.person and workhooks.relationship.  It refuses
-- when it finds people that it did not make, unless run with -v force=1.
-- Other sizes: -v people=100000 -v relationships=500000 -v hirers=5000
-- (at least 10,000 relationships and 4 hirers).
--
-- Hirers with a known number of relationships, for the benchmark:
--   hirer-1@bench.example     1 relationship
--   hirer-20@bench.example   20 relationships
--   hirer-500@bench.example 500 relationships
-- and bulk-1@bench.example .. bulk-49997@bench.example with about 100 each
-- (at the default size).
-- People are "First Last" from 48 x 48 common names, so a short filter such
-- as "an" or "smi" matches a realistic share of them; emails are
-- first.last.N@people.bench.example; two in three have a profile image;
-- about 60 % of relationships are rated, 5 % have no last_worked.
--
-- Takes about three minutes on 2 cores; the time is printed at the end.
--
-- The suggestion triggers (sql/code/6*) are disabled for the load: the
-- contact-suggestion entries are made once at the end
-- (suggestion_entry_rebuild()) instead of by the statement trigger.

\set ON_ERROR_STOP 1
\if :{?people}
\else
\set people 1000000
\endif
\if :{?relationships}
\else
\set relationships 5000000
\endif
\if :{?hirers}
\else
\set hirers 50000
\endif
\if :{?force}
\else
SELECT count(*) > 0 AS foreign_people
FROM workhooks.person
WHERE email NOT LIKE '%@people.bench.example' \gset
\if :foreign_people
\echo 'generate.sql: workhooks.person holds people that are not benchmark data;'
\echo 'this script replaces them all.  Run it with -v force=1 to go on anyway.'
\quit
\endif
\endif

SELECT clock_timestamp() AS bench_t0 \gset
SET client_min_messages = warning;
SET maintenance_work_mem = '512MB';
SET synchronous_commit = off;

BEGIN;
TRUNCATE workhooks.relationship, workhooks.person RESTART IDENTITY;

-- Loading without the relationship indexes and foreign key, then building
-- them once, is several times faster than maintaining them row by row.
-- Their definitions are read from the catalog, so this file does not
-- repeat (or drift from) the migrations.  The user triggers (sql/code/6*)
-- are disabled for the load and enabled again; this file does what they
-- would.
CREATE TEMPORARY TABLE bench_ddl ON COMMIT DROP AS
	SELECT 'index' AS kind, i.indexrelid::regclass::text AS name,
	       pg_get_indexdef(i.indexrelid) AS ddl
	FROM pg_index i
	WHERE i.indrelid = 'workhooks.relationship'::regclass AND NOT i.indisprimary
	UNION ALL
	SELECT 'fkey', conname, 'ALTER TABLE workhooks.relationship ADD CONSTRAINT '
	       || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
	FROM pg_constraint
	WHERE conrelid = 'workhooks.relationship'::regclass AND contype = 'f'
	UNION ALL
	SELECT 'trigger', tgname, NULL
	FROM pg_trigger
	WHERE tgrelid = 'workhooks.relationship'::regclass AND NOT tgisinternal
	  AND tgenabled <> 'D';

DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT * FROM bench_ddl WHERE kind = 'fkey' LOOP
		EXECUTE format('ALTER TABLE workhooks.relationship DROP CONSTRAINT %I', r.name);
	END LOOP;
	FOR r IN SELECT * FROM bench_ddl WHERE kind = 'index' LOOP
		EXECUTE format('DROP INDEX %s', r.name);
	END LOOP;
	FOR r IN SELECT * FROM bench_ddl WHERE kind = 'trigger' LOOP
		EXECUTE format('ALTER TABLE workhooks.relationship DISABLE TRIGGER %I', r.name);
	END LOOP;
END
$$;

CREATE TEMPORARY TABLE bench_first (n int, name text) ON COMMIT DROP;
INSERT INTO bench_first
SELECT ordinality - 1, name FROM unnest(ARRAY[
	'Oliver','Amelia','George','Isla','Harry','Ava','Noah','Mia','Jack','Sophia',
	'Leo','Grace','Arthur','Lily','Muhammad','Freya','Oscar','Emily','Charlie','Ivy',
	'Henry','Ella','Thomas','Rosie','James','Evie','William','Florence','Alfie','Poppy',
	'Joshua','Charlotte','Freddie','Willow','Archie','Isabella','Ethan','Daisy','Isaac','Sienna',
	'Alexander','Hannah','Daniel','Zara','Samuel','Anna','Joseph','Maya'])
	WITH ORDINALITY AS t(name, ordinality);
CREATE TEMPORARY TABLE bench_last (n int, name text) ON COMMIT DROP;
INSERT INTO bench_last
SELECT ordinality - 1, name FROM unnest(ARRAY[
	'Smith','Jones','Williams','Taylor','Brown','Davies','Evans','Wilson','Thomas','Johnson',
	'Roberts','Robinson','Thompson','Wright','Walker','White','Edwards','Hughes','Green','Hall',
	'Lewis','Harris','Clarke','Patel','Jackson','Wood','Turner','Martin','Cooper','Hill',
	'Ward','Morris','Moore','Clark','Lee','King','Baker','Harrison','Morgan','Allen',
	'James','Scott','Phillips','Watson','Davis','Parker','Price','Bennett'])
	WITH ORDINALITY AS t(name, ordinality);

INSERT INTO workhooks.person (id, name, email, profile_image_url)
SELECT i, f.name || ' ' || l.name,
       lower(f.name) || '.' || lower(l.name) || '.' || i || '@people.bench.example',
       CASE WHEN i % 3 <> 0 THEN 'https://img.bench.example/p/' || i || '.jpg' END
FROM generate_series(1, :people) AS i
JOIN bench_first f ON f.n = (i * 7) % 48
JOIN bench_last l ON l.n = (i / 48 + i * 13) % 48;
SELECT setval(pg_get_serial_sequence('workhooks.person', 'id'), :people) \g /dev/null

-- Relationship k (1 .. relationships).  The named hirers' relationships are
-- scattered over the table like real ones (every 10,000th row for
-- hirer-500, every 250,000th for hirer-20, one row for hirer-1, at the
-- default size), the rest go round-robin to bulk-1 .. bulk-(hirers - 3).
-- Person, rating, provider and date come from h, a multiplicative hash of
-- k (a bijection modulo a prime), so they look random yet the data set is
-- the same at every run.
INSERT INTO workhooks.relationship (person_id, hirer_email, rating, rating_provider, last_worked)
SELECT r.person_id, r.hirer_email, r.rating, r.rating_provider, r.last_worked
FROM (SELECT h % :people + 1 AS person_id,
	     CASE WHEN k % (:relationships / 500) = 0 THEN 'hirer-500@bench.example'
		  WHEN k % (:relationships / 20) = :relationships / 1000 THEN 'hirer-20@bench.example'
		  WHEN k = :relationships / 2 + 1 THEN 'hirer-1@bench.example'
		  ELSE 'bulk-' || (k % (:hirers - 3) + 1) || '@bench.example' END AS hirer_email,
	     CASE WHEN h / 7 % 5 < 3 THEN (h / 13 % 5 + 1)::smallint END AS rating,
	     CASE WHEN h / 7 % 5 < 3 THEN (ARRAY['updatedge','Another Organisation','Acme Staffing'])[h / 17 % 3 + 1] END
		AS rating_provider,
	     CASE WHEN h / 19 % 20 <> 0 THEN timestamptz '2015-01-01 00:00:00+00'
		  + make_interval(secs => h / 23 % 315360000) END AS last_worked
      FROM (SELECT k, k::bigint * 2654435761 % 4294967291 AS h
	    FROM generate_series(1, :relationships) AS k) AS g) AS r;

DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT * FROM bench_ddl WHERE kind = 'index' LOOP
		EXECUTE r.ddl;
	END LOOP;
	FOR r IN SELECT * FROM bench_ddl WHERE kind = 'fkey' LOOP
		EXECUTE r.ddl;
	END LOOP;
	FOR r IN SELECT * FROM bench_ddl WHERE kind = 'trigger' LOOP
		EXECUTE format('ALTER TABLE workhooks.relationship ENABLE TRIGGER %I', r.name);
	END LOOP;
END
$$;
SET work_mem = '256MB';
SELECT workhooks.suggestion_entry_rebuild() AS suggestion_entries \g /dev/null
RESET work_mem;
COMMIT;

-- Statistics for the planner, and a visibility map for index-only scans.
VACUUM (ANALYZE) workhooks.person;
VACUUM (ANALYZE) workhooks.relationship;
VACUUM (ANALYZE) workhooks.suggestion_entry;

-- Write the load out now rather than during whatever runs next (a
-- benchmark: the checkpoint of these gigabytes competes for the cores).
-- Superusers only; anyone else leaves it to the checkpointer.
SELECT rolsuper AS bench_superuser FROM pg_catalog.pg_roles WHERE rolname = current_user \gset
\if :bench_superuser
CHECKPOINT;
\endif

SELECT hirer_email, count(*) AS relationships
FROM workhooks.relationship
WHERE hirer_email_key IN ('hirer-1@bench.example', 'hirer-20@bench.example',
	'hirer-500@bench.example', 'bulk-1@bench.example')
GROUP BY 1 ORDER BY 2;
SELECT (SELECT count(*) FROM workhooks.person) AS people,
       (SELECT count(*) FROM workhooks.relationship) AS relationships,
       (SELECT count(DISTINCT hirer_email_key) FROM workhooks.relationship) AS hirers,
       date_trunc('second', clock_timestamp() - :'bench_t0'::timestamptz) AS took;
