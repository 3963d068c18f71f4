-- For people at psql: is the old secret still used?  Read from the
-- counters the workers flush (sql/002_operate.sql), not from the inbox:
-- a few rows whatever the inbox holds, and still true after pruning.
-- The columns changed with it (was: deliveries): drop the old shape.
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('workhooks.secret_use')
	           AND attname = 'deliveries') THEN
		DROP VIEW workhooks.secret_use;
	END IF;
END
$$;
CREATE OR REPLACE VIEW workhooks.secret_use AS
	SELECT source, label AS secret_label, uses AS requests, last_used
	FROM workhooks.metric_secret
	ORDER BY 1, 2;
COMMENT ON VIEW workhooks.secret_use IS
	'Per configured secret label: requests it verified (answered 2xx) and when last; an old label still moving after a rotation is still in use.';
