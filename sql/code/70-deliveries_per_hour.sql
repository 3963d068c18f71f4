-- For people at psql: new deliveries and repeats answered per hour of
-- arrival, last 7 days.  Read from the counters the workers flush
-- (sql/002_operate.sql, metric_delivery_hour), not from the inbox: a few
-- rows per hour through the table's primary key, however large the inbox
-- (a scan of the inbox's last 7 days grows with the traffic).  What is
-- stored without an HTTP request (a store function called from psql) is
-- not counted.
CREATE OR REPLACE VIEW workhooks.deliveries_per_hour AS
	SELECT hour, source, endpoint, event, deliveries, repeats
	FROM workhooks.metric_delivery_hour
	WHERE hour > now() - interval '7 days'
	ORDER BY 1 DESC, 2, 3, 4;
COMMENT ON VIEW workhooks.deliveries_per_hour IS
	'New deliveries and repeats answered 200 per hour of arrival, source, endpoint and event, last 7 days (from the workers'' counters).';
