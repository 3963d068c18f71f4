#!/usr/bin/env bash
# GET /metrics (README "Operations"): Prometheus text format 0.0.4 that
# promtool accepts; counters move by exactly the deliveries, repeats and
# refusals sent; the duration histogram is cumulative with +Inf = _count;
# last-delivery and secret-use gauges; clock skew; database_up; the
# scrape never reads the inbox; one log line per request with client,
# request id, event, duplicate flag, secret label and a syslog priority.
# The shipped alert rules and Grafana dashboard load.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

RUN=$(date +%s)$$
TL=$BASE_URL/updatedge/events/timelineChanged
WS=$BASE_URL/worksome
M=$_t_tmp/metrics

scrape() { # [URL]: the exposition into $M
	req GET "${1:-$BASE_URL/metrics}"
	printf '%s\n' "$BODY" >"$M"
}
# metric 'NAME{labels}': the sample's value as printed, or "absent".
metric() {
	awk -v k="$1" 'index($0, k " ") == 1 { print substr($0, length(k) + 2); f = 1 } END { if (!f) print "absent" }' "$M"
}
num() { [ "$1" = absent ] && echo 0 || printf '%.0f\n' "$1"; }

K_NEW='workhooks_deliveries_total{source="updatedge",endpoint="events/timelineChanged",event=""}'
K_REP='workhooks_repeats_total{source="updatedge",endpoint="events/timelineChanged"}'
K_401='workhooks_rejected_total{endpoint="events/timelineChanged",status="401",reason="digest matches no secret"}'
K_REQ='workhooks_requests_total{endpoint="events/timelineChanged",status="200"}'
K_CNT='workhooks_request_duration_seconds_count{endpoint="events/timelineChanged"}'
K_WSNEW='workhooks_deliveries_total{source="worksome",endpoint="worksome",event="hireUpdated"}'
K_WSREP='workhooks_repeats_total{source="worksome",endpoint="worksome"}'
K_SEC='workhooks_secret_last_used_timestamp_seconds{source="worksome",label="rotation"}'
K_LAST='workhooks_last_delivery_timestamp_seconds{source="worksome",endpoint="worksome"}'

# ---------------------------------------------------------------- format

scrape
expect_status 200 "GET /metrics -> 200"
expect_header Content-Type '^text/plain; version=0\.0\.4$' "Content-Type: text/plain; version=0.0.4"
if out=$(promtool check metrics <"$M" 2>&1); then
	ok "promtool check metrics accepts the exposition"
else
	not_ok "promtool check metrics accepts the exposition"
	diag "$out"
fi
is "$(metric workhooks_database_up)" 1 "workhooks_database_up 1"
like "$(grep '^workhooks_schema_info' "$M")" '^workhooks_schema_info\{version="[0-9]+",expected="[0-9]+"\} 1$' \
	"workhooks_schema_info names the applied and the expected schema version"
for fam in deliveries_total repeats_total rejected_total last_delivery_timestamp_seconds \
	secret_last_used_timestamp_seconds updatedge_clock_skew_seconds request_duration_seconds \
	requests_total database_up queued queued_oldest_seconds; do
	grep -q "^# TYPE workhooks_$fam " "$M"
	_t_check $? "family workhooks_$fam is declared"
done

# ---------------------------------------------------------------- counters

ph() { sql "SELECT coalesce(sum(deliveries), 0) || ' ' || coalesce(sum(repeats), 0) FROM workhooks.deliveries_per_hour
	WHERE source = 'updatedge' AND endpoint = 'events/timelineChanged' AND hour > now() - interval '2 hours'"; }
ph0=$(ph)
new0=$(num "$(metric "$K_NEW")") rep0=$(num "$(metric "$K_REP")") r4010=$(num "$(metric "$K_401")")
req0=$(num "$(metric "$K_REQ")") cnt0=$(num "$(metric "$K_CNT")")
wsnew0=$(num "$(metric "$K_WSNEW")") wsrep0=$(num "$(metric "$K_WSREP")")

tl_body() { printf '{"workerId":"metrics-%s-%s","periodStart":"2021-03-01T09:00:00Z","periodEnd":"2021-03-01T17:00:00Z","completedAt":"2021-02-28T10:00:00Z"}' "$RUN" "$1"; }
for i in 1 2 3; do
	ue_req POST "$TL" -H 'Content-Type: application/json' --data-binary "$(tl_body "$i")"
	expect_status 200 "timelineChanged $i (new) -> 200"
done
for i in 1 2; do
	ue_req POST "$TL" -H 'Content-Type: application/json' --data-binary "$(tl_body 1)"
	expect_status 200 "timelineChanged repeat $i -> 200"
done
ts=$(ue_now)
for i in 1 2; do
	req POST "$TL" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts" wrong-secret)" \
		-H 'Content-Type: application/json' --data-binary "$(tl_body 9)"
	expect_status 401 "timelineChanged with a wrong signature $i -> 401"
done
ws_body=$_t_tmp/ws.json
printf '{"event":"hireUpdated","data":{"contract":{"hireId":"M-%s","hireStatus":"active"},"worker":{"id":"MW-%s"},"trustedContact":{"id":"MT-%s"}}}' "$RUN" "$RUN" "$RUN" >"$ws_body"
for i in 1 2; do
	req POST "$WS" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$ws_body" "$WS_SECRET2")" --data-binary "@$ws_body"
	expect_status 200 "Worksome hireUpdated signed with the rotation secret ($i) -> 200"
done
ws_delivery=$(jq -r .delivery <<<"$BODY")

# The workers flush after each answer (reject_flush_interval = 0 here): wait
# until the last flush has landed, then the counts must be exact.
want() { is "$(($(num "$(metric "$1")") - $2))" "$3" "$4"; }
for _ in $(seq 1 50); do
	scrape
	[ "$(($(num "$(metric "$K_NEW")") - new0))" -ge 3 ] && [ "$(($(num "$(metric "$K_401")") - r4010))" -ge 2 ] &&
		[ "$(($(num "$(metric "$K_WSREP")") - wsrep0))" -ge 1 ] && [ "$(($(num "$(metric "$K_CNT")") - cnt0))" -ge 7 ] && break
	sleep 0.1
done
sleep 0.3
scrape
want "$K_NEW" "$new0" 3 "deliveries_total moved by the 3 new timelineChanged deliveries"
want "$K_REP" "$rep0" 2 "repeats_total moved by the 2 repeats"
want "$K_401" "$r4010" 2 "rejected_total{status=401,reason=digest matches no secret} moved by 2"
want "$K_REQ" "$req0" 5 "requests_total{status=200} moved by the 5 answered 200"
want "$K_CNT" "$cnt0" 7 "the duration histogram counted the 7 requests"
want "$K_WSNEW" "$wsnew0" 1 "deliveries_total{event=hireUpdated} moved by 1"
want "$K_WSREP" "$wsrep0" 1 "Worksome repeats_total moved by 1"
read -r phn0 phr0 <<<"$ph0"
read -r phn phr <<<"$(ph)"
is "$((phn - phn0)) $((phr - phr0))" "3 2" "deliveries_per_hour counted the 3 new deliveries and 2 repeats this hour"
# ---------------------------------------------------------------- the queues
# The work left for later (README "Work off the request path"): rows
# waiting, rows whose derivation failed, the oldest waiting row's age. A
# session holds the Worksome fold's lock meanwhile, so that no worker's
# fold takes the rows made here (they name no stored delivery).
hold_fold_lock 7734812611947306 5
sql "INSERT INTO workhooks.worksome_hire_pending (delivery_id, received_at, event, error)
	VALUES (-1, now() - interval '120 s', 'hireUpdated', NULL), (-2, now(), 'hireUpdated', 'test: refused')" >/dev/null
scrape
[ "$(num "$(metric 'workhooks_queued{queue="worksome_hire",state="waiting"}')")" -ge 1 ] &&
	[ "$(num "$(metric 'workhooks_queued{queue="worksome_hire",state="failed"}')")" -ge 1 ]
_t_check $? "workhooks_queued counts the Worksome rows waiting and failed" ||
	diag "$(grep '^workhooks_queued' "$M")"
[ "$(num "$(metric 'workhooks_queued_oldest_seconds{queue="worksome_hire"}')")" -ge 120 ]
_t_check $? "workhooks_queued_oldest_seconds: the oldest waiting row is 120 s old" ||
	diag "$(grep '^workhooks_queued' "$M")"
like "$(metric 'workhooks_queued{queue="worker_timeline",state="waiting"}')" '^[0-9]+$' \
	"workhooks_queued has the timeline queue too"
sql "DELETE FROM workhooks.worksome_hire_pending WHERE delivery_id IN (-1, -2)" >/dev/null
wait "$HOLDER"

now=$(date +%s)
sec=$(num "$(metric "$K_SEC")")
[ $((now - sec)) -ge 0 ] && [ $((now - sec)) -le 30 ]
_t_check $? "secret_last_used{label=rotation} is now ($sec vs $now)"
last=$(num "$(metric "$K_LAST")")
[ $((now - last)) -ge 0 ] && [ $((now - last)) -le 30 ]
_t_check $? "last_delivery_timestamp_seconds for worksome is now ($last vs $now)"
is "$(metric 'workhooks_secret_last_used_timestamp_seconds{source="worksome",label="nosuch"}')" absent \
	"no gauge for a label that never verified anything"

# Histogram: per endpoint, buckets cumulative in le order, +Inf = _count.
bad=$(awk '
	/^workhooks_request_duration_seconds_bucket\{/ {
		match($0, /endpoint="[^"]*"/); ep = substr($0, RSTART, RLENGTH)
		match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
		v = $NF + 0
		if ((ep in prev) && v < prev[ep]) print "not cumulative: " $0
		if ((ep in lastle) && le != "+Inf" && le + 0 <= lastle[ep] + 0) print "le not increasing: " $0
		prev[ep] = v; lastle[ep] = le
		if (le == "+Inf") inf[ep] = v
		n[ep]++
	}
	/^workhooks_request_duration_seconds_count\{/ {
		match($0, /endpoint="[^"]*"/); cnt[substr($0, RSTART, RLENGTH)] = $NF + 0
	}
	END {
		for (e in cnt) if (!(e in inf) || inf[e] != cnt[e]) print "+Inf != _count for " e
		for (e in n) if (!(e in cnt)) print "no _count for " e
		if (length(cnt) == 0) print "no histogram at all"
	}' "$M")
is "$bad" "" "histogram: cumulative buckets, increasing le, +Inf = _count for every endpoint"

# Skew: a Timestamp 2 minutes old shows as a recent skew of about +120 s.
ts=$(ue_now -120)
req POST "$TL" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" \
	-H 'Content-Type: application/json' --data-binary "$(tl_body skew)"
expect_status 200 "a delivery signed 120 s ago -> 200"
for _ in $(seq 1 30); do
	scrape
	s=$(metric workhooks_updatedge_clock_skew_seconds)
	[ "$s" != absent ] && [ "$(num "$s")" -ge 115 ] && break
	sleep 0.1
done
s=$(num "$(metric workhooks_updatedge_clock_skew_seconds)")
[ "$s" -ge 115 ] && [ "$s" -le 400 ]
_t_check $? "workhooks_updatedge_clock_skew_seconds shows the 120 s skew ($s)"
is "$(metric workhooks_updatedge_replay_window_seconds)" 300 "the replay window is exported beside it"

# ---------------------------------------------------------------- cost

is "$(sql "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname = 'workhooks' AND p.proname = 'metrics_sample' AND p.prosrc !~ 'workhooks\.delivery\M'")" 1 \
	"the scrape's SQL never reads the inbox (workhooks.delivery)"
ms=$(curl -s -o /dev/null -w '%{time_total}' "$BASE_URL/metrics")
diag "scrape took ${ms}s"

# ---------------------------------------------------------------- logs

line=$(grep -h "delivery=$ws_delivery " "$WH_LOG/worksome.log" | grep 'duplicate=yes' | tail -n 1)
like "$line" '^<6>[0-9T:.-]+Z ' "a 200's log line starts with the syslog priority <6>" || diag "$line"
like "$line" ' duplicate=yes event=hireUpdated secret=rotation client=127\.0\.0\.1 request_id=[0-9a-f]{32} ' \
	"the log line names event, duplicate flag, secret label, client address and nginx's request id" || diag "$line"
line=$(grep -h 'status=401' "$WH_LOG/updatedge-timeline-changed.log" | tail -n 1)
like "$line" '^<4>.* warn: endpoint=updatedge/events/timelineChanged .*status=401 .*duplicate=- ' \
	"a 401's log line has priority <4> and no duplicate flag" || diag "$line"

# Same exposure as /healthz: the allow-list only.
req GET "$BASE_URL/metrics" --interface 127.0.0.2
expect_status 403 "nginx: /metrics from 127.0.0.2 (not on the allow-list) -> 403"
req GET "$APACHE_URL/metrics" --interface 127.0.0.2
expect_status 403 "Apache: /metrics from 127.0.0.2 (not on the allow-list) -> 403"

# Apache passes its UNIQUE_ID.
req GET "$APACHE_URL/metrics"
expect_status 200 "GET /metrics through Apache -> 200"
req POST "$APACHE_URL/worksome" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$ws_body" "$WS_SECRET2")" --data-binary "@$ws_body"
expect_status 200 "a repeat through Apache -> 200"
sleep 0.2
line=$(grep -h "delivery=$ws_delivery " "$WH_LOG/worksome.log" | tail -n 1)
like "$line" ' request_id=[A-Za-z0-9@_-]{20,} ' "through Apache the request id is mod_unique_id's UNIQUE_ID" || diag "$line"

# ---------------------------------------------------------------- database down

pg_stop
scrape
expect_status 200 "GET /metrics with PostgreSQL down -> still 200"
is "$(metric workhooks_database_up)" 0 "workhooks_database_up 0 while PostgreSQL is down"
pg_start
for _ in $(seq 1 50); do scrape; [ "$(metric workhooks_database_up)" = 1 ] && break; sleep 0.1; done
is "$(metric workhooks_database_up)" 1 "workhooks_database_up 1 again once PostgreSQL is back"

# ---------------------------------------------------------------- shipped files

if out=$(promtool check rules "$WH_ROOT/prometheus/workhooks.rules.yml" 2>&1); then
	ok "promtool check rules accepts prometheus/workhooks.rules.yml"
else
	not_ok "promtool check rules accepts prometheus/workhooks.rules.yml"
	diag "$out"
fi
# Every metric the rules and the dashboard use exists in the exposition.
missing=$(grep -ohE 'workhooks_[a-z_]+' "$WH_ROOT/prometheus/workhooks.rules.yml" "$WH_ROOT/prometheus/grafana-workhooks.json" |
	sed -E 's/_(bucket|sum|count)$//' | sort -u | while read -r n; do
		grep -q "^# TYPE $n " "$M" || echo "$n"
	done)
is "$missing" "" "every workhooks_* name in the rules and the dashboard is exported"
jq -e '.panels | length > 0' "$WH_ROOT/prometheus/grafana-workhooks.json" >/dev/null
_t_check $? "prometheus/grafana-workhooks.json is a dashboard with panels"

done_testing
