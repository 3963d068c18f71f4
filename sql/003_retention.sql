-- 003 retention: the inbox partitioned by month of received_at, and a
-- compact ledger of dedupe keys that outlives the bodies (README
-- "Retention").
--
-- Repeat detection moves from the inbox's unique key to
-- workhooks.delivery_key: one row per (source, endpoint, dedup_key) with
-- the delivery id, first and last time seen and how many times.  A
-- partitioned table cannot enforce uniqueness across partitions on
-- columns without the partition key, and the point is that the ledger
-- stays when the partition holding the body is dropped: a body re-sent
-- after its delivery was pruned (or deleted by hand) is still a repeat,
-- answered 200 and never derived again.  workhooks.prune() drops whole
-- monthly partitions and the ledger rows older than the dedup window.
--
-- Ids come from a sequence (identity columns on partitioned tables need
-- PostgreSQL 17); the ledger draws them, the inbox row takes the same id.

CREATE SEQUENCE workhooks.delivery_ids AS bigint;
DO $$
BEGIN
	PERFORM pg_catalog.setval('workhooks.delivery_ids',
		coalesce((SELECT max(id) FROM workhooks.delivery), 0) + 1, false);
END
$$;

CREATE TABLE workhooks.delivery_key (
	source		text NOT NULL,
	endpoint	text NOT NULL,
	dedup_key	bytea NOT NULL,
	delivery_id	bigint NOT NULL DEFAULT pg_catalog.nextval('workhooks.delivery_ids'),
	first_seen	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_seen	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times		bigint NOT NULL DEFAULT 1,
	PRIMARY KEY (source, endpoint, dedup_key)
);
CREATE INDEX delivery_key_last_seen ON workhooks.delivery_key (last_seen);
COMMENT ON TABLE workhooks.delivery_key IS
	'Dedupe ledger: every delivery key seen within the dedup window (workhooks.prune), with its delivery id, first/last seen and count; a repeat is detected here even after its body was pruned.';
INSERT INTO workhooks.delivery_key
	(source, endpoint, dedup_key, delivery_id, first_seen, last_seen, times)
SELECT source, endpoint, dedup_key, id, received_at, last_received_at, times_received
FROM workhooks.delivery;

-- The views on the inbox are re-created on the new table by sql/code.
DROP VIEW IF EXISTS workhooks.recent_deliveries, workhooks.deliveries_per_hour,
	workhooks.secret_use, workhooks.delivery_json;

ALTER TABLE workhooks.delivery RENAME TO delivery_unpartitioned;
ALTER INDEX workhooks.delivery_pkey RENAME TO delivery_unpartitioned_pkey;
ALTER INDEX workhooks.delivery_once RENAME TO delivery_unpartitioned_once;
ALTER INDEX workhooks.delivery_received_at RENAME TO delivery_unpartitioned_received_at;

CREATE TABLE workhooks.delivery (
	id			bigint NOT NULL,	-- workhooks.delivery_key.delivery_id
	source			text NOT NULL CHECK (source IN ('updatedge', 'worksome')),
	endpoint		text NOT NULL,		-- 'events/timelineChanged', 'worksome', ...
	event			text,			-- Worksome's event name
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_received_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times_received		bigint NOT NULL DEFAULT 1,
	body			text NOT NULL,		-- raw bytes as received (valid UTF-8)
	body_sha256		bytea NOT NULL,		-- of body, computed by the endpoint
	dedup_key		bytea NOT NULL,		-- identity of a repeat: sha256(body) or of the subject
	subject			text,			-- e.g. the workerId of /contact/new/{workerId}
	signature		text,			-- Authorization / Signature header as received
	secret_label		text,			-- label of the configured secret that verified it
	signed_timestamp	text,			-- updatedge Timestamp header as received
	signed_at		timestamptz,		-- ... parsed: received_at - signed_at is clock skew
	PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX delivery_received_at ON workhooks.delivery (received_at);
COMMENT ON TABLE workhooks.delivery IS
	'Every accepted webhook delivery, raw body as received, partitioned by month of received_at (workhooks.prune drops old months); repeats counted in times_received and in workhooks.delivery_key.';
COMMENT ON COLUMN workhooks.delivery.signature IS
	'Not readable by workhooks_reader: with signed_timestamp, an updatedge Authorization replays for any body within the window (README "Roles").';
-- Rows with no monthly partition yet land here;
-- workhooks.delivery_partitions_ensure() moves them out.
CREATE TABLE workhooks.delivery_default PARTITION OF workhooks.delivery DEFAULT;

INSERT INTO workhooks.delivery
SELECT id, source, endpoint, event, received_at, last_received_at, times_received,
       body, body_sha256, dedup_key, subject, signature, secret_label,
       signed_timestamp, signed_at
FROM workhooks.delivery_unpartitioned;
DROP TABLE workhooks.delivery_unpartitioned;

GRANT SELECT (id, source, endpoint, event, received_at, last_received_at,
	times_received, body, body_sha256, dedup_key, subject, secret_label,
	signed_at)
	ON workhooks.delivery TO workhooks_reader;
GRANT SELECT ON workhooks.delivery_key TO workhooks_reader;

-- prune() deletes refused-request counts by hour.
CREATE INDEX rejected_hour ON workhooks.rejected (hour);
