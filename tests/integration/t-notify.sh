#!/usr/bin/env bash
# NOTIFY workhooks (README "NOTIFY"): every committed delivery is followed
# by a wake-up of the listeners whose payload is the highest delivery id
# the worker committed since its previous one, sent after the store's
# commit in a transaction of its own (sql/code/21-wake.sql), at most once
# per notify_interval per worker (coalesced); workhooks.notify = off turns
# it off; a wake-up that cannot be sent (a full notification queue) never
# fails or loses a delivery.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

url=$BASE_URL/updatedge/events/timelineChanged
body() { printf '{"workerId":"notify-%s","periodStart":"2021-03-01T09:00:00Z","periodEnd":"2021-03-01T17:00:00Z","completedAt":"2021-02-28T10:00:00Z"}' "$1"; }

# A listener waits while deliveries come in through nginx: a new one and a
# repeat of it (both committed: the repeat's count changed).
psql -X -q -d "$DB_CONNINFO" -c 'LISTEN workhooks' -c 'SELECT pg_sleep(3)' >"$_t_tmp/listen" 2>&1 &
listener=$!
sleep 1
ue_req POST "$url" -H 'Content-Type: application/json' --data-binary "$(body "http-$$")"
expect_status 200 "a new delivery -> 200"
id=$(jq -r .delivery <<<"$BODY")
ue_req POST "$url" -H 'Content-Type: application/json' --data-binary "$(body "http-$$")"
expect_status 200 "its repeat -> 200"
wait "$listener"
is "$(grep -c "Asynchronous notification \"workhooks\" with payload \"$id\" received" "$_t_tmp/listen")" 2 \
	"LISTEN workhooks: the delivery and its repeat each wake the listener, payload the delivery id" ||
	diag "$(cat "$_t_tmp/listen")"

# The notification is sent after the commit: when it arrives, the delivery's
# rows are visible to the listener's next query.
{
	echo 'LISTEN workhooks;'
	echo 'SELECT pg_sleep(1.5);'
	echo "SELECT count(*) FROM workhooks.timeline_change t JOIN workhooks.delivery d ON d.id = t.delivery_id WHERE t.worker_id = 'notify-seen-$$';"
} | psql -X -q -A -t -d "$DB_CONNINFO" >"$_t_tmp/seen" 2>&1 &
listener=$!
sleep 0.5
ue_req POST "$url" -H 'Content-Type: application/json' --data-binary "$(body "seen-$$")"
expect_status 200 "a delivery while a listener waits -> 200"
wait "$listener"
like "$(tr '\n' ' ' <"$_t_tmp/seen")" 'Asynchronous notification "workhooks" with payload "[0-9]+" received.* 1 $|^1 .*Asynchronous notification "workhooks" with payload "[0-9]+"' \
	"after the wake-up the listener reads the committed delivery" || diag "$(cat "$_t_tmp/seen")"

# Coalesced: with notify_interval = 1s (the timelineChanged pool reloaded
# with it), 20 deliveries in a row wake the listener at most twice per
# worker (the first at once, the rest together when the second is up),
# the newest id among the payloads, every one within the interval.
name=updatedge-timeline-changed
conf=$WORKHOOKS_CONFIG
cp -p "$conf" "$_t_tmp/orig.conf"
reload_pool() { # reload_pool MARK: every worker of the pool reloaded since MARK (5 s)
	local i want got
	kill -USR2 "$(worker_pid "$name")"
	want=$(worker_pids "$name" | sort -n | tr '\n' ' ')
	for i in $(seq 50); do
		got=$(tail -c +$(($1 + 1)) "$WH_LOG/$name.log" | grep -F 'configuration reloaded' |
			sed -n 's/.*\[\([0-9]*\)\].*/\1/p' | sort -un | tr '\n' ' ')
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	diag "workers: $want" "reloaded: $got"
	return 1
}
mark=$(stat -c %s "$WH_LOG/$name.log")
{ cat "$_t_tmp/orig.conf"; echo 'notify_interval = 1s'; } >"$conf"
reload_pool "$mark"
_t_check $? "notify_interval = 1s: every $name worker reloaded"
psql -X -q -d "$DB_CONNINFO" -c 'LISTEN workhooks' -c 'SELECT pg_sleep(3)' -c 'SELECT pg_sleep(1.5)' >"$_t_tmp/burst" 2>&1 &
listener=$!
sleep 0.5
ids=()
t0=$(date +%s%N)
for i in $(seq 20); do
	ue_req POST "$url" -H 'Content-Type: application/json' --data-binary "$(body "burst-$i-$$")"
	[ "$STATUS" = 200 ] && ids+=("$(jq -r .delivery <<<"$BODY")")
done
t1=$(date +%s%N)
is "${#ids[@]}" 20 "coalesced: 20 deliveries in a row -> 200 each"
wait "$listener"
n=$(grep -c 'Asynchronous notification "workhooks"' "$_t_tmp/burst")
max_id=$(printf '%s\n' "${ids[@]}" | sort -n | tail -n 1)
max_payload=$(sed -n 's/.*with payload "\([0-9]*\)".*/\1/p' "$_t_tmp/burst" | sort -n | tail -n 1)
if [ $(((t1 - t0) / 1000000)) -lt 1000 ]; then
	ok=$((n >= 1 && n <= 2 * WH_WORKERS && n < 20))
else
	# a slow machine: the 20 took over a second, more windows opened
	ok=$((n >= 1 && n < 20))
fi
_t_check $((!ok)) "coalesced: $n wake-ups for 20 deliveries ($(((t1 - t0) / 1000000)) ms, $WH_WORKERS workers)" ||
	diag "$(cat "$_t_tmp/burst")"
is "$max_payload" "$max_id" "coalesced: the newest delivery's id is among the payloads (a wake-up followed it)"
cp -p "$_t_tmp/orig.conf" "$conf"
mark=$(stat -c %s "$WH_LOG/$name.log")
reload_pool "$mark"
_t_check $? "notify_interval back to the default: every $name worker reloaded"

# The store functions themselves notify nothing (the commit never waits
# for the notification lock); wake() does, unless workhooks.notify = off.
store() {
	printf "SELECT delivery_id FROM workhooks.store_timeline_changed('events/timelineChanged', NULL, '%s', sha256('%s'), NULL, NULL, NULL, NULL, NULL, 'notify-%s', NULL, '2021-03-01T09:00:00Z', '2021-03-01T17:00:00Z', '2021-02-28T10:00:00Z', NULL, NULL) \\\\gset\n" \
		"$(body "$1")" "$(body "$1")" "$1"
}
{
	echo 'LISTEN workhooks;'
	store "sql-store-$$"
	echo 'SELECT 1;'
	echo 'SELECT workhooks.wake(:delivery_id);'
	echo 'SET workhooks.notify = off;'
	store "sql-off-$$"
	echo 'SELECT workhooks.wake(:delivery_id);'
	echo 'RESET workhooks.notify;'
	store "sql-reset-$$"
	echo 'SELECT workhooks.wake(:delivery_id);'
} | psql -X -q -A -t -d "$DB_CONNINFO" >"$_t_tmp/switch" 2>&1
is "$(grep -c 'Asynchronous notification "workhooks"' "$_t_tmp/switch")" 2 \
	"the store notifies nothing; wake() does, except with workhooks.notify = off" ||
	diag "$(cat "$_t_tmp/switch")"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE 'notify-sql-%-$$'")" 3 \
	"workhooks.notify = off: the delivery is stored all the same"

# A full notification queue (a listener that stopped reading; issue 7 item
# 11): made here with a stand-in for pg_notify that fails as a full queue
# does, SQLSTATE 54000, inside wake() only.  The delivery is committed, so
# the answer is 200, the rows are there, and the next ones go on.
sql "CREATE SCHEMA IF NOT EXISTS notify_test;
CREATE OR REPLACE FUNCTION notify_test.pg_notify(text, text) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN RAISE EXCEPTION 'too many notifications in the NOTIFY queue' USING ERRCODE = '54000'; END \$\$;
GRANT USAGE ON SCHEMA notify_test TO PUBLIC;
ALTER FUNCTION workhooks.wake(bigint) SET search_path = notify_test, pg_catalog, pg_temp" >/dev/null
for i in 1 2 3; do
	ue_req POST "$url" -H 'Content-Type: application/json' --data-binary "$(body "full-$i-$$")"
	expect_status 200 "notification queue full: delivery $i still -> 200 (committed)"
done
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE 'notify-full-%-$$'")" 3 \
	"notification queue full: every delivery committed"
sql "ALTER FUNCTION workhooks.wake(bigint) SET search_path = pg_catalog, pg_temp;
SET client_min_messages = warning; DROP SCHEMA notify_test CASCADE" >/dev/null
grep -q 'wake-up failed' "$WH_LOG"/*.log
_t_check $? "notification queue full: the failed wake-up is logged"

# SQLSTATE 54000 from the store itself (a program limit, a database-side
# condition) is 503 with Retry-After, and nothing is committed.
sql "CREATE SCHEMA IF NOT EXISTS notify_test;
CREATE OR REPLACE FUNCTION notify_test.convert_to(text, name) RETURNS bytea LANGUAGE plpgsql AS \$\$
BEGIN RAISE EXCEPTION 'a program limit' USING ERRCODE = '54000'; END \$\$;
GRANT USAGE ON SCHEMA notify_test TO PUBLIC;
ALTER FUNCTION workhooks.record_deliveries SET search_path = notify_test, pg_catalog, pg_temp" >/dev/null
ue_req GET "$BASE_URL/updatedge/contact/new/notify-54000-$$"
expect_status 503 "54000 from the store -> 503"
expect_header Retry-After '[0-9]+' "... with Retry-After"
sql "ALTER FUNCTION workhooks.record_deliveries SET search_path = pg_catalog, pg_temp;
SET client_min_messages = warning; DROP SCHEMA notify_test CASCADE" >/dev/null
is "$(sql "SELECT count(*) FROM workhooks.worker_contact WHERE worker_id = 'notify-54000-$$'")" 0 \
	"... and nothing of it committed"
ue_req GET "$BASE_URL/updatedge/contact/new/notify-54000-$$"
expect_status 200 "the same call once the condition is gone -> 200"

done_testing
