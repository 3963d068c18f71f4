-- Retention (README "Retention"): SELECT * FROM workhooks.prune('13 months');
--
-- Drops every monthly partition of workhooks.delivery whose whole month
-- ended more than `keep` ago (one DROP TABLE each: no row-by-row delete,
-- no bloat; rows of the month that straddles the cut stay until that month
-- is old enough), deletes default-partition rows older than the cut, the
-- dedupe ledger's keys not seen for `dedup_window` whose delivery is gone,
-- and the per-hour counts (rejected, metric_delivery_hour) older than
-- `keep`.  Derived tables keep their rows (they carry delivery_id without
-- a foreign key).  The other metric tables (sql/002_operate.sql) hold one
-- cumulative row per label set and need no pruning.  Makes next months' partitions too.
-- For the database owner (cron, psql); the endpoints cannot call it.
CREATE OR REPLACE FUNCTION workhooks.prune(keep interval,
	dedup_window interval DEFAULT interval '30 days')
RETURNS TABLE (what text, removed bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	cut	timestamptz := now() - keep;
	p	record;
	n	bigint;
	parts	bigint := 0;
	rows	bigint := 0;
BEGIN
	IF keep < interval '0' OR dedup_window < interval '0' THEN
		RAISE EXCEPTION 'workhooks.prune: keep and dedup_window must not be negative';
	END IF;
	FOR p IN
		SELECT c.oid::regclass AS part,
		       substring(pg_get_expr(c.relpartbound, c.oid)
		                 FROM 'TO \(''([^'']+)''\)')::timestamptz AS upto
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'workhooks.delivery'::regclass
	LOOP
		CONTINUE WHEN p.upto IS NULL OR p.upto > cut;	-- the default; recent
		EXECUTE format('SELECT count(*) FROM %s', p.part) INTO n;
		EXECUTE format('DROP TABLE %s', p.part);
		parts := parts + 1;
		rows := rows + n;
	END LOOP;
	DELETE FROM workhooks.delivery_default WHERE received_at < cut;
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'delivery partitions'; removed := parts; RETURN NEXT;
	what := 'deliveries'; removed := rows + n; RETURN NEXT;

	DELETE FROM workhooks.delivery_key AS k
	WHERE k.last_seen < now() - greatest(keep, dedup_window)
	  AND NOT EXISTS (SELECT FROM workhooks.delivery AS d
	                  WHERE d.id = k.delivery_id AND d.received_at = k.first_seen);
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'dedupe keys'; removed := n; RETURN NEXT;

	DELETE FROM workhooks.rejected WHERE hour < cut;
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'rejected hours'; removed := n; RETURN NEXT;

	DELETE FROM workhooks.metric_delivery_hour WHERE hour < cut;
	GET DIAGNOSTICS n = ROW_COUNT;
	what := 'delivery hours'; removed := n; RETURN NEXT;

	PERFORM workhooks.delivery_partitions_ensure();
END
$$;
