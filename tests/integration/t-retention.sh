#!/usr/bin/env bash
# Retention that keeps dedupe (README "Retention"): the inbox is
# partitioned by month; workhooks.prune() drops whole old partitions, old
# refused-request counts and dedupe keys older than the window; a body
# re-sent after its delivery was pruned, or deleted by hand, is still a
# repeat (200, never derived again); derived rows stay; every view has a
# COMMENT and the time-bucketed ones are bounded.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

TL=$BASE_URL/updatedge/events/timelineChanged
RUN=$(date +%s)$$
body() { printf '{"workerId":"ret-%s-%s","periodStart":"2021-03-01T09:00:00Z","periodEnd":"2021-03-01T17:00:00Z","completedAt":"2021-02-28T10:00:00Z"}' "$RUN" "$1"; }
post() { ue_req POST "$TL" -H 'Content-Type: application/json' --data-binary "$(body "$1")"; }
derived() { sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id = 'ret-$RUN-$1'"; }
pruned() { # WHAT [keep] [dedup_window]: rows prune() says it removed
	sql "SELECT removed FROM workhooks.prune('${2:-0}', '${3:-30 days}') WHERE what = '$1'"
}

is "$(sql "SELECT relkind FROM pg_class WHERE oid = 'workhooks.delivery'::regclass")" p "workhooks.delivery is partitioned"
is "$(sql "SELECT count(*) FROM pg_inherits WHERE inhparent = 'workhooks.delivery'::regclass
	AND inhrelid = ('workhooks.delivery_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM'))::regclass")" 1 \
	"this month's partition exists"
is "$(sql "SELECT count(*) FROM pg_class WHERE relname = 'delivery_' || to_char((now() + interval '2 months') AT TIME ZONE 'UTC', 'YYYY_MM')")" 1 \
	"partitions are made ahead of the clock (two months)"

# A delivery from two months ago: its partition is dropped by prune('0').
post old
expect_status 200 "a new delivery -> 200"
old=$(jq -r .delivery <<<"$BODY")
sql "UPDATE workhooks.delivery SET received_at = date_trunc('month', now()) - interval '40 days' WHERE id = $old" >/dev/null
sql "SELECT workhooks.delivery_partitions_ensure()" >/dev/null
like "$(sql "SELECT tableoid::regclass FROM workhooks.delivery WHERE id = $old")" '^workhooks\.delivery_[0-9]{4}_[0-9]{2}$' \
	"the aged delivery sits in its month's partition"
post recent
recent=$(jq -r .delivery <<<"$BODY")
sql "INSERT INTO workhooks.rejected (endpoint, status, reason, hour, count) VALUES ('ret-$RUN', 401, 'old', now() - interval '100 days', 1), ('ret-$RUN', 401, 'new', date_trunc('hour', now()), 1)" >/dev/null

sql "SELECT * FROM workhooks.prune('90 days')" >/dev/null
is "$(sql "SELECT string_agg(reason, ',') FROM workhooks.rejected WHERE endpoint = 'ret-$RUN'")" new \
	"prune('90 days'): refused-request counts older than that are pruned, recent ones stay"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE id = $old")" 1 "prune('90 days') keeps a partition whose month ended less than 90 days ago"
out=$(sql "SELECT what || '=' || removed FROM workhooks.prune('0') ORDER BY what" | tr '\n' ' ')
like "$out" 'delivery partitions=[1-9]' "prune('0') drops the old month's partition ($out)"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE id = $old")" 0 "the old delivery is gone from the inbox"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE id = $recent")" 1 "this month's delivery stays"
is "$(derived old)" 1 "its derived row stays"

post old
expect_status 200 "the pruned delivery's body re-sent -> 200"
expect_json_field .duplicate true "... answered as a repeat"
expect_json_field .delivery "$old" "... of the same delivery id"
is "$(derived old)" 1 "... and not derived again"

# Deleted by hand (the issue's report): still a repeat.
sql "DELETE FROM workhooks.delivery WHERE id = $recent" >/dev/null
post recent
expect_status 200 "a body whose delivery was deleted by hand -> 200"
expect_json_field .duplicate true "... a repeat"
is "$(derived recent)" 1 "... not derived twice"

# The dedup window is what keeps it: past the window the key goes.
is "$(sql "SELECT count(*) FROM workhooks.delivery_key WHERE delivery_id = $old")" 1 "the old key is in the ledger"
sql "SELECT * FROM workhooks.prune('0', '1 hour')" >/dev/null
is "$(sql "SELECT count(*) FROM workhooks.delivery_key WHERE delivery_id = $old")" 1 \
	"prune keeps a key seen within the dedup window"
sql "UPDATE workhooks.delivery_key SET last_seen = now() - interval '31 days' WHERE delivery_id IN ($old, $recent)" >/dev/null
sql "SELECT * FROM workhooks.prune('0')" >/dev/null
is "$(sql "SELECT count(*) FROM workhooks.delivery_key WHERE delivery_id = $old")" 0 \
	"a key not seen for the dedup window (30 days), whose delivery is gone, is pruned"
is "$(sql "SELECT count(*) FROM workhooks.delivery_key WHERE delivery_id = $recent")" 0 \
	"... also one whose delivery was deleted by hand"
post old
expect_json_field .duplicate false "past the dedup window the body is new again (documented)"

# A key whose delivery is still stored is never pruned, window or not.
post keep
keep=$(jq -r .delivery <<<"$BODY")
sql "UPDATE workhooks.delivery_key SET last_seen = now() - interval '90 days' WHERE delivery_id = $keep" >/dev/null
sql "SELECT * FROM workhooks.prune('0', '0')" >/dev/null
is "$(sql "SELECT count(*) FROM workhooks.delivery_key WHERE delivery_id = $keep")" 1 \
	"a key whose delivery is still in the inbox stays in the ledger"
post keep
expect_json_field .duplicate true "... so its body is still a repeat"

like "$(sql "SELECT workhooks.prune('-1 day')" 2>&1)" 'must not be negative' "a negative keep is refused"
like "$(psql -X -A -t -q -d "$(wh_conninfo workhooks workhooks_app)" -c "SELECT workhooks.prune('1 year')" 2>&1)" \
	'permission denied' "the endpoints' role cannot prune"

# Views: each has a COMMENT; the time-bucketed ones look at a recent window
# and never scan the inbox.
is "$(sql "SELECT string_agg(viewname, ' ') FROM pg_views WHERE schemaname = 'workhooks'
	AND obj_description(format('%I.%I', schemaname, viewname)::regclass, 'pg_class') IS NULL")" "" \
	"every view in schema workhooks has a COMMENT"
like "$(sql "SELECT pg_get_viewdef('workhooks.deliveries_per_hour')")" "hour > \(now\(\) - '7 days'" \
	"deliveries_per_hour looks at the last 7 days only"
plan=$(sql "EXPLAIN SELECT * FROM workhooks.deliveries_per_hour" | tr '\n' ' ')
like "$plan" 'metric_delivery_hour' "deliveries_per_hour reads the per-hour counters, not the inbox" || diag "$plan"
sql "INSERT INTO workhooks.metric_delivery_hour (hour, source, endpoint, deliveries) VALUES (now() - interval '100 days', 'updatedge', 'ret-$RUN', 1)" >/dev/null
sql "SELECT * FROM workhooks.prune('90 days')" >/dev/null
is "$(sql "SELECT count(*) FROM workhooks.metric_delivery_hour WHERE endpoint = 'ret-$RUN'")" 0 \
	"prune deletes per-hour delivery counts older than keep"
plan=$(sql "EXPLAIN SELECT * FROM workhooks.recent_deliveries" | tr '\n' ' ')
like "$plan" 'Limit .*Merge Append .*Index Scan Backward using' "recent_deliveries walks the partitions' id index backwards, never sorts the inbox" || diag "$plan"
plan=$(sql "EXPLAIN SELECT * FROM workhooks.secret_use" | tr '\n' ' ')
like "$plan" 'metric_secret' "secret_use reads the small counter table, not the inbox" || diag "$plan"
is "$(sql_ro "SELECT count(*) >= 0 FROM workhooks.secret_use")" t "workhooks_ro reads secret_use"
is "$(sql_ro "SELECT count(*) > 0 FROM workhooks.delivery_key")" t "workhooks_ro reads the dedupe ledger"
like "$(sql_ro "SELECT signature FROM workhooks.delivery_$(date -u +%Y_%m) LIMIT 1" 2>&1)" 'permission denied' \
	"workhooks_ro cannot read a partition directly (it would show the signature)"

done_testing
