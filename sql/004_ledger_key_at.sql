-- 004 ledger key_at: the dedupe ledger's unique key led by a time the
-- delivery carries in its body (events/timelineChanged: completedAt),
-- '-infinity' for the others.  A SHA-256 spreads the inserts of new keys
-- over every leaf page of the ledger's index, and on a large ledger
-- nearly every insert is then the first change of its page since the
-- last checkpoint, which writes the whole page to the WAL (measured on a
-- 10,000,000-delivery inbox: 0.95 full-page images and 7.4 kB of WAL per
-- timelineChanged delivery, against 1.8 kB on an empty one; README
-- "Benchmark").  Led by completedAt, which is about now for a new
-- delivery, the new keys go next to each other.  A repeat carries the
-- same body, so the same completedAt (parsed once, in C: common/params.c)
-- and finds its key as before; workhooks.record_deliveries
-- (sql/code/19-record_deliveries.sql) takes the time with the key.
ALTER TABLE workhooks.delivery_key
	ADD COLUMN key_at timestamptz NOT NULL DEFAULT '-infinity';
COMMENT ON COLUMN workhooks.delivery_key.key_at IS
	'Leads the unique key: a time the delivery carries (events/timelineChanged: completedAt), -infinity for the other endpoints; keeps new keys next to each other in the index.';

-- The keys already there: their completedAt, from the rows derived from
-- them (kept when the inbox is pruned), so that a repeat of one after the
-- upgrade is still a repeat.
UPDATE workhooks.delivery_key AS k SET key_at = t.completed_at
FROM workhooks.timeline_change AS t
WHERE t.delivery_id = k.delivery_id;

ALTER TABLE workhooks.delivery_key DROP CONSTRAINT delivery_key_pkey;
ALTER TABLE workhooks.delivery_key
	ADD PRIMARY KEY (source, endpoint, key_at, dedup_key);
