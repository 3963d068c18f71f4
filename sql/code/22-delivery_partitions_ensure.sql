-- Monthly partitions of workhooks.delivery (sql/001_baseline.sql), named
-- delivery_YYYY_MM, months in UTC: make the partitions of this month and
-- the next `ahead` months, and of every month that has rows in the default
-- partition (moving those rows into it).  Returns how many partitions it
-- made.  Idempotent; script/migrate runs it at every run (below), and
-- workhooks.prune() too, so a monthly cron of prune() keeps partitions
-- ahead of the clock; a delivery for a month without a partition still
-- lands in delivery_default, never fails.
CREATE OR REPLACE FUNCTION workhooks.delivery_partitions_ensure(ahead integer DEFAULT 2)
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	m	timestamptz;
	name	text;
	made	integer := 0;
BEGIN
	FOR m IN
		SELECT generate_series(date_trunc('month', now()),
		                       date_trunc('month', now()) + make_interval(months => ahead),
		                       interval '1 month')
		UNION
		SELECT DISTINCT date_trunc('month', received_at) FROM workhooks.delivery_default
		ORDER BY 1
	LOOP
		name := 'delivery_' || to_char(m, 'YYYY_MM');
		CONTINUE WHEN to_regclass('workhooks.' || name) IS NOT NULL;
		-- A new partition may not overlap rows of the default one:
		-- build it beside, move the month's rows, then attach.
		LOCK TABLE workhooks.delivery_default IN ACCESS EXCLUSIVE MODE;
		EXECUTE format('CREATE TABLE workhooks.%I (LIKE workhooks.delivery INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
		EXECUTE format('WITH moved AS (DELETE FROM workhooks.delivery_default
			WHERE received_at >= $1 AND received_at < $2 RETURNING *)
			INSERT INTO workhooks.%I SELECT * FROM moved', name)
			USING m, m + interval '1 month';
		EXECUTE format('ALTER TABLE workhooks.delivery ATTACH PARTITION workhooks.%I
			FOR VALUES FROM (%L) TO (%L)', name, m, m + interval '1 month');
		made := made + 1;
	END LOOP;
	RETURN made;
END
$$;
DO $$ BEGIN PERFORM workhooks.delivery_partitions_ensure(); END $$;
