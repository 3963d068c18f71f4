#!/usr/bin/env bash
# Scaling out for reads (README "Scaling out"): suggestions_database on a
# real streaming replica of the test cluster (pg_basebackup -R over the
# primary's unix socket, script/lib/stack.sh replica_*), written the way an
# operator writes it: libpq multi-host, standby first,
# target_session_attrs=prefer-standby.
#
# Dedicated workers on their own sockets (not the shared pools), started
# with WORKHOOKS_SUGGESTIONS_DATABASE set: a contact-suggestions worker and
# a timelineChanged worker with the same environment. Proves that the
# suggestions are answered by the standby (its pg_stat_activity shows the
# worker's session, the primary's does not), still answered while the
# primary is stopped, and that writes never go to the standby (the write
# worker has no session there; with the primary down a write is 503 with
# Retry-After, not a read-only error from the standby). The primary is
# started again for the rest of the suite.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for name in updatedge-contact-suggestions updatedge-timeline-changed; do
	if ! have_bin "$name"; then
		skip "$name not built"
		done_testing
	fi
done

app=t-replica-$$
hirer=replica-$$@hirer.example
pids=()

# start_worker NAME SOCKET: one worker of NAME (no multiwatch) on SOCKET,
# with this test's suggestions_database.
start_worker() {
	local name=$1 sock=$2 opts=(-n -s "$2" -M 0666) env=()
	rm -f "$sock"
	mapfile -t env < <(WORKHOOKS_SUGGESTIONS_DATABASE="$(wh_readers_conninfo workhooks workhooks_app) application_name=$app connect_timeout=2" wh_worker_env)
	wh_is_root && opts+=(-u "$WH_RUN_USER" -g "$WH_RUN_GROUP")
	setsid env -i "${env[@]}" spawn-fcgi "${opts[@]}" -- "$WH_BIN/$name" \
		</dev/null >>"$_t_tmp/worker.log" 2>&1 &
	pids+=($!)
	wh_wait 5 test -S "$sock"
}

cleanup_replica() {
	local p
	for p in "${pids[@]}"; do wh_stop_pid "$p" "test worker" TERM 5; done
	rm -f "$WH_RUN/replica-suggest.sock" "$WH_RUN/replica-write.sock"
	replica_stop
	rm -rf "$WH_RPDIR"
	pg_start >/dev/null 2>&1 || true
}
trap 'cleanup_replica; _t_end' EXIT

# suggest: contact-suggestions for $hirer, straight to the dedicated worker.
suggest() {
	local body="{\"userEmailAddresses\":[\"$hirer\"]}" ts
	ts=$(ue_now)
	printf '%s' "$body" >"$_t_tmp/suggest.body"
	fcgi replica-suggest REQUEST_METHOD=POST REQUEST_URI=/updatedge/contact-suggestions \
		CONTENT_TYPE=application/json CONTENT_LENGTH=${#body} \
		HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts")" <"$_t_tmp/suggest.body"
}

# write N: a new timelineChanged delivery, straight to the dedicated writer.
write() {
	local body ts
	body=$(cat "$VECTORS/updatedge-timelineChanged.json")
	body=${body/9c8b042a-97c2-4569-ba93-1d3c1ff83655/replica-$$-$1}
	ts=$(ue_now)
	printf '%s' "$body" >"$_t_tmp/write.body"
	fcgi replica-write REQUEST_METHOD=POST REQUEST_URI=/updatedge/events/timelineChanged \
		CONTENT_TYPE=application/json CONTENT_LENGTH=${#body} \
		HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts")" <"$_t_tmp/write.body"
}

on_standby() { psql -X -A -t -q -d "$(wh_replica_conninfo workhooks)" -c "$1"; }
sessions() { # sessions WHERE: client sessions named $app on that server
	local q="SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'"
	if [ "$1" = standby ]; then on_standby "$q"; else sql "$q"; fi
}

# 1. The replica.
t0=$(date +%s)
(replica_init && replica_start) >"$_t_tmp/replica.log" 2>&1
_t_check $? "a streaming replica starts from pg_basebackup -R of the test cluster" ||
	diag "$(tail -n 20 "$_t_tmp/replica.log")" "$(tail -n 20 "$WH_RPDIR/postgresql.log" 2>/dev/null)"
is "$(on_standby 'SELECT pg_is_in_recovery()')" t "the replica is a hot standby (pg_is_in_recovery)"
is "$(sql "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" 1 \
	"the primary streams to it (pg_stat_replication)"

# Data written on the primary after the base backup reaches the standby.
sql "INSERT INTO workhooks.person (name, email) VALUES ('Replica Rae $$', 'rae-$$@replica.example');
INSERT INTO workhooks.relationship (person_id, hirer_email, last_worked)
SELECT id, '$hirer', '2024-03-01Z' FROM workhooks.person WHERE email = 'rae-$$@replica.example'" >/dev/null
replica_wait_lsn 10
_t_check $? "the standby replays the primary's new rows within 10 s"

# 2. Suggestions from the standby.
start_worker updatedge-contact-suggestions "$WH_RUN/replica-suggest.sock"
_t_check $? "a contact-suggestions worker with suggestions_database = standby,primary (prefer-standby) starts"
start_worker updatedge-timeline-changed "$WH_RUN/replica-write.sock"
_t_check $? "a timelineChanged worker with the same configuration starts"
suggest
expect_status 200 "suggestions through the replica -> 200"
is "$(jq -r '[.[].name] | join(",")' <<<"$BODY" 2>/dev/null)" "Replica Rae $$" \
	"the answer holds the person loaded on the primary and replayed"
is "$(sessions standby)" 1 "the suggestions worker's session is on the standby (pg_stat_activity there)"
is "$(sessions primary)" 0 "... and not on the primary"

# 3. Writes never go to the standby.
write 1
expect_status 200 "a write with the primary up -> 200"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE body LIKE '%replica-$$-1%'")" 1 \
	"the write is committed on the primary"
like "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'events/timelineChanged'")" '^[1-9]' \
	"the write workers' sessions are on the primary (named events/timelineChanged)"
is "$(on_standby "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name = 'events/timelineChanged'")" 0 \
	"the write worker has no session on the standby"

# 4. The primary stops: reads go on, writes are refused as unavailable.
pg_stop
if pg_running; then not_ok "the primary stopped"; else ok "the primary stopped"; fi
suggest
expect_status 200 "suggestions with the primary stopped -> 200 (the standby answers)"
is "$(jq -r '[.[].name] | join(",")' <<<"$BODY" 2>/dev/null)" "Replica Rae $$" \
	"the same answer with the primary stopped"
write 2
expect_status 503 "a write with the primary stopped -> 503 (never sent to the standby)"
expect_header Retry-After '^[0-9]+$' "... with Retry-After"
expect_body_not 'read-only|25006' "... not a read-only error from the standby"
is "$(on_standby "SELECT count(*) FROM workhooks.delivery WHERE body LIKE '%replica-$$-2%'")" 0 \
	"nothing of the refused write on the standby"

# 5. The primary comes back, for the write and for the rest of the suite.
pg_start >"$_t_tmp/pg_start.log" 2>&1
_t_check $? "the primary starts again"
write 3
expect_status 200 "a write after the primary is back -> 200"
suggest
expect_status 200 "suggestions still answered after the primary is back"
if grep -qE 'Sanitizer|runtime error' "$_t_tmp/worker.log"; then
	not_ok "no sanitizer report from the dedicated workers"
	diag "$(cat "$_t_tmp/worker.log")"
else
	ok "no sanitizer report from the dedicated workers"
fi
diag "replica test took $(($(date +%s) - t0)) s"

done_testing
