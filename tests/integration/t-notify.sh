#!/usr/bin/env bash
# NOTIFY workhooks (README "How it is built"; sql/005): every stored delivery notifies
# listeners with its id, source and endpoint; the setting workhooks.notify =
# off (for a busy installation nobody LISTENs on) turns it off.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

url=$BASE_URL/updatedge/events/timelineChanged
if ! have_bin updatedge-timeline-changed; then
	skip "updatedge-timeline-changed not built"
	done_testing
fi
body() { printf '{"workerId":"notify-%s","periodStart":"2021-03-01T09:00:00Z","periodEnd":"2021-03-01T17:00:00Z","completedAt":"2021-02-28T10:00:00Z"}' "$1"; }

# A listener waits while a delivery comes in through nginx.
psql -X -q -d "$DB_CONNINFO" -c 'LISTEN workhooks' -c 'SELECT pg_sleep(3)' >"$_t_tmp/listen" 2>&1 &
listener=$!
sleep 1
ue_req POST "$url" -H 'Content-Type: application/json' --data-binary "$(body "http-$$")"
expect_status 200 "a new delivery -> 200"
id=$(jq -r .delivery <<<"$BODY")
wait "$listener"
grep -q "Asynchronous notification \"workhooks\" with payload \"{\"delivery\" : $id, \"source\" : \"updatedge\", \"endpoint\" : \"events/timelineChanged\"" "$_t_tmp/listen"
_t_check $? "LISTEN workhooks: the delivery's notification names its id, source and endpoint" ||
	diag "$(cat "$_t_tmp/listen")"

# The switch, in one session: on by default, off with workhooks.notify = off.
store() {
	printf "SELECT delivery_id FROM workhooks.store_timeline_changed('events/timelineChanged', NULL, '%s', NULL, NULL, NULL, NULL, NULL);\n" "$(body "$1")"
}
{
	echo 'LISTEN workhooks;'
	store "sql-on-$$"
	echo 'SET workhooks.notify = off;'
	store "sql-off-$$"
	echo 'RESET workhooks.notify;'
	store "sql-reset-$$"
} | psql -X -q -A -t -d "$DB_CONNINFO" >"$_t_tmp/switch" 2>&1
is "$(grep -c 'Asynchronous notification "workhooks"' "$_t_tmp/switch")" 2 \
	"workhooks.notify = off: that delivery sends no notification, the others do" ||
	diag "$(cat "$_t_tmp/switch")"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE 'notify-sql-%-$$'")" 3 \
	"workhooks.notify = off: the delivery is stored all the same"

done_testing
