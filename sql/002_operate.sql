-- 002 operate: the counters behind GET /metrics (README "Operations").
--
-- A scrape must cost O(endpoints), never a count(*) over the inbox, and the
-- store path must not gain a hot row: every worker counts in memory
-- (common/metrics.c) and adds its counts here in one statement at most every
-- reject_flush_interval seconds and at exit (sql/code/11-count_metrics.sql),
-- like the refused-request counts; GET /metrics reads them through
-- sql/code/75-metrics_sample.sql.  The tables hold one row per label set, cumulative since the
-- installation (Prometheus counters: they only grow), so they stay a few
-- hundred rows and never need pruning.  A worker killed with SIGKILL loses
-- what it had not flushed yet (at most one interval).

-- Requests per endpoint and HTTP status, with their duration histogram:
-- buckets[i] counts requests that took at most the i-th bound of
-- common/metrics.h (metrics_bounds) and more than the previous one (not
-- cumulative); requests slower than the last bound are only in count.
CREATE TABLE workhooks.metric_request (
	endpoint	text NOT NULL,
	status		integer NOT NULL,
	count		bigint NOT NULL,
	duration_sum	double precision NOT NULL,
	buckets		bigint[] NOT NULL,
	PRIMARY KEY (endpoint, status)
);
COMMENT ON TABLE workhooks.metric_request IS
	'GET /metrics: requests per endpoint and HTTP status since installation, with per-bucket duration counts (bounds in common/metrics.h); flushed by the workers.';

-- Accepted deliveries: new ones and repeats, per source, endpoint and event
-- ('' when the endpoint has no event), and when the last one arrived.
CREATE TABLE workhooks.metric_delivery (
	source		text NOT NULL,
	endpoint	text NOT NULL,
	event		text NOT NULL DEFAULT '',
	deliveries	bigint NOT NULL DEFAULT 0,
	repeats		bigint NOT NULL DEFAULT 0,
	last_at		timestamptz NOT NULL,
	PRIMARY KEY (source, endpoint, event)
);
COMMENT ON TABLE workhooks.metric_delivery IS
	'GET /metrics: new deliveries and repeats answered 200, per source, endpoint and event, and the time of the last one; flushed by the workers.';

-- The same per hour of arrival, for the psql view deliveries_per_hour (a
-- few rows per hour whatever the inbox holds); workhooks.prune() deletes
-- the hours older than its `keep`.
CREATE TABLE workhooks.metric_delivery_hour (
	hour		timestamptz NOT NULL,
	source		text NOT NULL,
	endpoint	text NOT NULL,
	event		text NOT NULL DEFAULT '',
	deliveries	bigint NOT NULL DEFAULT 0,
	repeats		bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (hour, source, endpoint, event)
);
COMMENT ON TABLE workhooks.metric_delivery_hour IS
	'New deliveries and repeats answered 200 per hour of arrival, source, endpoint and event; flushed by the workers, pruned by workhooks.prune().';

-- Which configured secret verified accepted requests, and when last.
CREATE TABLE workhooks.metric_secret (
	source		text NOT NULL,
	label		text NOT NULL,
	uses		bigint NOT NULL DEFAULT 0,
	last_used	timestamptz NOT NULL,
	PRIMARY KEY (source, label)
);
COMMENT ON TABLE workhooks.metric_secret IS
	'GET /metrics: requests verified by each secret label and when last; an old label still moving after a rotation is still in use.';

-- Refused requests since installation (workhooks.rejected keeps them per
-- hour, with the field, for people; this is the counter).
CREATE TABLE workhooks.metric_rejected (
	endpoint	text NOT NULL,
	status		integer NOT NULL,
	reason		text NOT NULL,
	count		bigint NOT NULL,
	PRIMARY KEY (endpoint, status, reason)
);
COMMENT ON TABLE workhooks.metric_rejected IS
	'GET /metrics: refused requests per endpoint, HTTP status and reason since installation.';

-- The updatedge Timestamp's clock skew (received - signed, seconds; positive:
-- the sender is behind): per endpoint, the largest in magnitude of the last
-- batch a worker flushed, and when.
CREATE TABLE workhooks.metric_skew (
	endpoint	text PRIMARY KEY,
	at		timestamptz NOT NULL,
	skew_seconds	double precision NOT NULL
);
COMMENT ON TABLE workhooks.metric_skew IS
	'GET /metrics: the recent clock skew of updatedge''s signed Timestamp per endpoint (largest magnitude of the last flushed batch).';

GRANT SELECT ON workhooks.metric_request, workhooks.metric_delivery,
	workhooks.metric_delivery_hour,
	workhooks.metric_secret, workhooks.metric_rejected, workhooks.metric_skew
	TO workhooks_reader;
