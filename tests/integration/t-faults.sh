#!/usr/bin/env bash
# Fault injection through the real stack (issue 7 §3), nginx in front:
#
#   1. PostgreSQL stopped under load: 503 + Retry-After, back to 200 with
#      the same worker processes once it is up;
#   2. workers SIGKILLed mid-request (inside their transaction, held by a
#      table lock) and under load: no partial rows, the supervisor
#      replaces them;
#   3. workers SIGTERMed mid-request: the request in hand is finished and
#      committed, then the worker exits;
#   4. a read-only server (ALTER SYSTEM default_transaction_read_only):
#      503, then 200 again;
#   5. a tablespace on a 3 MB tmpfs that fills up, holding one derived
#      table (timeline_change): 503 and nothing half-stored, then 200;
#   6. 50 identical deliveries at once: applied once, counted 50.
#
# Under every fault the load is unique timelineChanged bodies whose answer
# is recorded per request; after each, the database must match the
# answers exactly: every 2xx has its delivery and timeline_change row, and
# no row exists for a request that did not get a 2xx.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

RUN=f$(date +%s)$$
T=$_t_tmp
U=$BASE_URL/updatedge/events/timelineChanged
EP=updatedge-timeline-changed
mkdir -p "$T/res"

# load_start TAG: batches of 8 parallel requests until load_stop; each
# answer lands in $T/res/TAG as "ID CODE RETRY-AFTER".
load_start() {
	local tag=$1
	: >"$T/res/$tag"
	rm -f "$T/stop"
	(
		b=0
		while [ ! -e "$T/stop" ]; do
			b=$((b + 1))
			ts=$(ue_now)
			az=$(ue_sign "$ts")
			cfg=$T/$tag.cfg
			: >"$cfg"
			for i in 1 2 3 4 5 6 7 8; do
				id=$RUN-$tag-$b-$i
				[ "$i" = 1 ] || echo next >>"$cfg"
				cat >>"$cfg" <<-EOF
					url = "$U?id=$id"
					header = "Timestamp: $ts"
					header = "Authorization: $az"
					header = "Content-Type: application/json"
					data-binary = "{\"workerId\":\"$id\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:32:11Z\"}"
					output = "/dev/null"
					write-out = "%{url} %{http_code} %header{retry-after}\\n"
				EOF
			done
			curl -sS --parallel --parallel-immediate --parallel-max 8 --max-time 40 -K "$cfg" 2>/dev/null |
				sed -e 's/^[^ ]*?id=//' >>"$T/res/$tag"
		done
	) &
	LOAD_PID=$!
}
load_stop() {
	touch "$T/stop"
	wait "$LOAD_PID"
}

# consistent TAG DESC [killed]: the database matches the answers of TAG's
# load. With "killed" (workers SIGKILLed during the load), a delivery
# without a 2xx is allowed for a request answered 502/503, and reported:
# a worker killed while PostgreSQL runs its store leaves a committed row
# behind (the server notices a vanished client only when it answers; see
# the mid-request test below), which the vendor's retry then meets as a
# repeat.
consistent() {
	local tag=$1 desc=$2 killed=${3:-} n ok2 stored missing extra phantom
	n=$(wc -l <"$T/res/$tag")
	awk '$2 ~ /^2/ { print $1 }' "$T/res/$tag" | sort >"$T/$tag.2xx"
	ok2=$(wc -l <"$T/$tag.2xx")
	# Ids from the raw body (the request's own bytes) and from the derived row.
	sql "SELECT c.worker_id FROM workhooks.timeline_change c JOIN workhooks.delivery d ON d.id = c.delivery_id WHERE c.worker_id LIKE '$RUN-$tag-%'" | sort >"$T/$tag.rows"
	sql "SELECT substring(body from '\"workerId\":\"($RUN-$tag-[^\"]*)\"') FROM workhooks.delivery WHERE endpoint = 'events/timelineChanged' AND body LIKE '%\"$RUN-$tag-%'" | sort >"$T/$tag.deliveries"
	stored=$(wc -l <"$T/$tag.rows")
	missing=$(comm -23 "$T/$tag.2xx" "$T/$tag.rows" | wc -l)
	extra=$(comm -13 "$T/$tag.2xx" "$T/$tag.deliveries" | wc -l)
	if [ -n "$killed" ]; then
		awk '$2 == 502 || $2 == 503 { print $1 }' "$T/res/$tag" | sort >"$T/$tag.5xx"
		phantom=$(comm -13 "$T/$tag.2xx" "$T/$tag.deliveries" | comm -12 - "$T/$tag.5xx" | wc -l)
		[ "$phantom" -eq 0 ] || diag "$tag: $phantom request(s) answered 502/503 were committed by a worker killed mid-store"
		extra=$((extra - phantom))
	fi
	diag "$tag: $n requests, $ok2 answered 2xx, $stored stored; codes: $(awk '{ print $2 }' "$T/res/$tag" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"
	is "$missing" 0 "$desc: every 2xx has its delivery and timeline_change row ($ok2 of $n were 2xx)"
	is "$extra" 0 "$desc: no delivery exists for a request that did not get a 2xx"
	# A delivery is never half-stored: it has its derived row.
	is "$(comm -3 "$T/$tag.deliveries" "$T/$tag.rows" | wc -l)" 0 "$desc: no delivery without its timeline_change row"
}

# retry_after TAG: every 503 of TAG carried Retry-After.
retry_after() {
	local n bad
	n=$(awk '$2 == 503' "$T/res/$1" | wc -l)
	bad=$(awk '$2 == 503 && $3 !~ /^[0-9]+$/' "$T/res/$1" | wc -l)
	is "$bad" 0 "$2: every 503 ($n) carried Retry-After"
}

# codes TAG REGEX DESC: every answer of TAG matches REGEX.
codes() {
	local bad
	bad=$(awk -v re="$2" '$2 !~ re { print $2 }' "$T/res/$1" | sort | uniq -c | tr -s ' ' | tr '\n' ',')
	is "$bad" "" "$3"
}

pids_before=$(worker_pids "$EP" | sort | tr '\n' ' ')

# ---------------------------------------------------------------- 1. PostgreSQL down

load_start pgdown
sleep 1
pg_stop
sleep 2
pg_start
sleep 3
load_stop
codes pgdown '^(200|503)$' "PostgreSQL stopped under load: every answer is 200 or 503"
retry_after pgdown "PostgreSQL stopped under load"
like "$(awk '$2 == 503' "$T/res/pgdown" | wc -l)" '^[1-9]' "PostgreSQL stopped under load: some requests were refused with 503"
tail -n 8 "$T/res/pgdown" | awk '{ print $2 }' | sort -u >"$T/last"
is "$(cat "$T/last")" 200 "PostgreSQL back: the last requests are 200 again"
is "$(worker_pids "$EP" | sort | tr '\n' ' ')" "$pids_before" "PostgreSQL back: the same worker processes serve (no restart)"
consistent pgdown "PostgreSQL stopped under load"

# ---------------------------------------------------------------- 2. SIGKILL

# locked_batch TAG: 8 requests that all wait inside their transaction (the
# delivery row inserted, timeline_change locked by another session for
# 4 s), so that a signal sent meanwhile lands mid-request.
locked_batch() {
	local tag=$1 ts az i id
	: >"$T/res/$tag"
	psql -X -q -d "$DB_CONNINFO" -c "BEGIN" -c "LOCK TABLE workhooks.timeline_change IN ACCESS EXCLUSIVE MODE" \
		-c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null 2>&1 &
	LOCK_PID=$!
	sleep 0.5
	ts=$(ue_now)
	az=$(ue_sign "$ts")
	: >"$T/$tag.cfg"
	for i in 1 2 3 4 5 6 7 8; do
		id=$RUN-$tag-1-$i
		[ "$i" = 1 ] || echo next >>"$T/$tag.cfg"
		cat >>"$T/$tag.cfg" <<-EOF
			url = "$U?id=$id"
			header = "Timestamp: $ts"
			header = "Authorization: $az"
			header = "Content-Type: application/json"
			data-binary = "{\"workerId\":\"$id\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:32:11Z\"}"
			output = "/dev/null"
			write-out = "%{url} %{http_code} %header{retry-after}\\n"
		EOF
	done
	curl -sS --parallel --parallel-immediate --parallel-max 8 --max-time 40 -K "$T/$tag.cfg" 2>/dev/null |
		sed -e 's/^[^ ]*?id=//' >"$T/res/$tag" &
	BATCH_PID=$!
	sleep 1.5
}

# Two workers killed while their transaction waits: their requests fail
# (nginx maps the 502 to a JSON 503 with Retry-After), and nothing
# half-stored remains.
#
# Their rows must not be committed either: PostgreSQL notices a vanished
# client only when it next talks to it, so a waiting store would still
# commit once the lock is free; the workers' connections set
# client_connection_check_interval (common/db.c), so the killed stores
# roll back. WORKHOOKS_TEST_KILL_MIDTX=0 turns the strict check off.
locked_batch killmid
# holds PID: the requests a worker has in hand: its sockets but the
# listening one (fd 0) and its database connection (a worker may hold a
# batch, README "Batched stores"). The victims: two workers holding some.
holds() { echo $(($(find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l) - 2)); }
victims=$(for pid in $(worker_pids "$EP"); do [ "$(holds "$pid")" -gt 0 ] && echo "$pid"; done | head -n 2)
# One store statement per worker holding requests: one worker may have
# taken all 8 in one batch (README "Batched stores"), so 1 to 8 of them.
waiting=$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%store_timeline_changed%'")
like "$waiting" '^[1-8]$' "SIGKILL mid-request: stores are waiting inside their transaction ($waiting)"
held=0
for pid in $victims; do held=$((held + $(holds "$pid"))); done
for pid in $victims; do echo "$EP" >>"$WH_STATE/deliberate-kills"; kill -KILL "$pid"; done
wait "$BATCH_PID" "$LOCK_PID"
like "$(awk '$2 != 200' "$T/res/killmid" | awk '{ print $2 }' | sort | uniq -c | tr -s ' ')" "^ $held 50[23]\$" \
	"SIGKILL mid-request: exactly the $held requests the 2 killed workers held failed (502/503), the others 200"
retry_after killmid "SIGKILL mid-request"
if [ "${WORKHOOKS_TEST_KILL_MIDTX:-1}" = 1 ]; then
	consistent killmid "workers SIGKILLed mid-request"
else
	n=$(wc -l <"$T/res/killmid")
	awk '$2 ~ /^2/ { print $1 }' "$T/res/killmid" | sort >"$T/killmid.2xx"
	sql "SELECT c.worker_id FROM workhooks.timeline_change c JOIN workhooks.delivery d ON d.id = c.delivery_id WHERE c.worker_id LIKE '$RUN-killmid-%'" | sort >"$T/killmid.rows"
	is "$(comm -23 "$T/killmid.2xx" "$T/killmid.rows" | wc -l)" 0 "SIGKILL mid-request: every 2xx has its delivery and timeline_change row"
	is "$(sql "SELECT count(*) FROM workhooks.delivery d WHERE d.endpoint = 'events/timelineChanged' AND d.body LIKE '%\"$RUN-killmid-%' AND NOT EXISTS (SELECT 1 FROM workhooks.timeline_change c WHERE c.delivery_id = d.id)")" 0 \
		"SIGKILL mid-request: no partial rows (no delivery without its timeline_change row)"
	diag "killed mid-transaction: $(comm -13 "$T/killmid.2xx" "$T/killmid.rows" | wc -l) of the 2 failed requests were committed anyway (see WORKHOOKS_TEST_KILL_MIDTX)"
fi
for _ in $(seq 50); do [ "$(worker_count "$EP")" = "$WH_WORKERS" ] && break; sleep 0.1; done
is "$(worker_count "$EP")" "$WH_WORKERS" "SIGKILL: multiwatch replaced the killed workers ($WH_WORKERS running)"

# And under a steady load.
load_start kill
sleep 1
worker_kill "$EP" KILL
sleep 0.5
worker_kill "$EP" KILL
sleep 2
load_stop
codes kill '^(200|502|503)$' "workers SIGKILLed under load: answers are 200, or 502/503 for a request that died"
for _ in $(seq 50); do [ "$(worker_count "$EP")" = "$WH_WORKERS" ] && break; sleep 0.1; done
is "$(worker_count "$EP")" "$WH_WORKERS" "SIGKILL under load: multiwatch replaced the killed workers"
consistent kill "workers SIGKILLed under load" killed

# ---------------------------------------------------------------- 3. SIGTERM

# Two workers told to stop while their transaction waits: they finish
# (200, committed) and then exit.
locked_batch termmid
victims=$(worker_pids "$EP" | head -n 2)
for pid in $victims; do echo "$EP" >>"$WH_STATE/deliberate-kills"; kill -TERM "$pid"; done
wait "$BATCH_PID" "$LOCK_PID"
codes termmid '^200$' "SIGTERM mid-request: every request finished with 200"
consistent termmid "workers SIGTERMed mid-request"
sleep 0.5
gone=0
for pid in $victims; do kill -0 "$pid" 2>/dev/null || gone=$((gone + 1)); done
is "$gone" 2 "SIGTERM mid-request: both workers exited after answering"
# multiwatch does not replace a worker that exited cleanly (status 0): an
# operator stops the pool, not one worker. Restore the pool for what follows.
worker_stop "$EP"
worker_start "$EP"
for _ in $(seq 50); do [ "$(worker_count "$EP")" = "$WH_WORKERS" ] && break; sleep 0.1; done
is "$(worker_count "$EP")" "$WH_WORKERS" "the pool restarted ($WH_WORKERS workers)"

# ---------------------------------------------------------------- 4. read-only

sql "ALTER SYSTEM SET default_transaction_read_only = on" && sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
load_start ro
sleep 2
load_stop
codes ro '^503$' "read-only server: every store is 503"
retry_after ro "read-only server"
consistent ro "read-only server"
sql "ALTER SYSTEM RESET default_transaction_read_only" && sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
load_start rw
sleep 1.5
load_stop
codes rw '^200$' "read-only switched off: 200 again, same connections"
consistent rw "after read-only"

# ---------------------------------------------------------------- 5. tablespace full

ts_dir=$WH_STATE/small-ts
faults_tablespace() {
	mkdir -p "$ts_dir" || return 1
	mount -t tmpfs -o size=3m,mode=0700 tmpfs "$ts_dir" || return 1
	chown "$WH_DB_OSUSER" "$ts_dir" || return 1
	sql "CREATE TABLESPACE wh_small LOCATION '$ts_dir'" || return 1
	sql "ALTER TABLE workhooks.timeline_change SET TABLESPACE wh_small" || return 1
	# Fill it: a junk table in the same tablespace, until the disk is full.
	sql "CREATE TABLE public.wh_fill (b text) TABLESPACE wh_small" || return 1
	sql "ALTER TABLE public.wh_fill ALTER b SET STORAGE PLAIN" || return 1
	for _ in $(seq 60); do
		sql "INSERT INTO public.wh_fill SELECT repeat('x', 1500) FROM generate_series(1, 200)" 2>/dev/null || break
	done
	# The moved table keeps the free space of its pages (rows deleted by
	# earlier tests): use it up with junk rows, in smaller and smaller
	# batches, with autovacuum off so that nothing frees it meanwhile.
	sql "ALTER TABLE workhooks.timeline_change SET (autovacuum_enabled = off)" || return 1
	local n next=-1000000000
	for n in 1000 100 10 1; do
		for _ in $(seq 200); do
			sql "INSERT INTO workhooks.timeline_change (delivery_id, worker_id, period_start, period_end, completed_at)
				SELECT $next - g, 'wh-fill', now(), now(), now() FROM generate_series(1, $n) g" 2>/dev/null || break
			next=$((next - n))
		done
	done
	# Full: not one more row fits.
	! sql "INSERT INTO workhooks.timeline_change (delivery_id, worker_id, period_start, period_end, completed_at)
		VALUES (-1, 'wh-fill', now(), now(), now())" 2>/dev/null
}
if faults_tablespace; then
	ok "a 3 MB tmpfs tablespace holds timeline_change and is full"
	load_start full
	sleep 2
	load_stop
	codes full '^503$' "tablespace full: every store is 503"
	retry_after full "tablespace full"
	consistent full "tablespace full"
	sql "DROP TABLE public.wh_fill"
	sql "DELETE FROM workhooks.timeline_change WHERE worker_id = 'wh-fill'" >/dev/null
	sql "CHECKPOINT" >/dev/null
	load_start space
	sleep 1.5
	load_stop
	codes space '^200$' "space freed: 200 again"
	consistent space "after the tablespace had room again"
else
	not_ok "could not set up a full tablespace on tmpfs (root and mount needed)"
fi
sql "DROP TABLE IF EXISTS public.wh_fill" 2>/dev/null
sql "DELETE FROM workhooks.timeline_change WHERE worker_id = 'wh-fill'" >/dev/null 2>&1
sql "ALTER TABLE workhooks.timeline_change RESET (autovacuum_enabled)" 2>/dev/null
sql "ALTER TABLE workhooks.timeline_change SET TABLESPACE pg_default" 2>/dev/null
sql "DROP TABLESPACE IF EXISTS wh_small" 2>/dev/null
mountpoint -q "$ts_dir" && umount "$ts_dir"
rmdir "$ts_dir" 2>/dev/null
ok "tablespace and mount cleaned up"

# ---------------------------------------------------------------- 6. 50 at once

ts=$(ue_now)
az=$(ue_sign "$ts")
body="{\"workerId\":\"$RUN-same\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:32:11Z\"}"
: >"$T/same.cfg"
: >"$T/contact.cfg"
for i in $(seq 50); do
	[ "$i" = 1 ] || { echo next >>"$T/same.cfg"; echo next >>"$T/contact.cfg"; }
	cat >>"$T/same.cfg" <<-EOF
		url = "$U"
		header = "Timestamp: $ts"
		header = "Authorization: $az"
		header = "Content-Type: application/json"
		data-binary = "${body//\"/\\\"}"
		output = "/dev/null"
		write-out = "%{http_code}\\n"
	EOF
	cat >>"$T/contact.cfg" <<-EOF
		url = "$BASE_URL/updatedge/contact/new/$RUN-c50"
		header = "Timestamp: $ts"
		header = "Authorization: $az"
		output = "/dev/null"
		write-out = "%{http_code}\\n"
	EOF
done
codes50=$(curl -sS --parallel --parallel-immediate --parallel-max 50 --max-time 60 -K "$T/same.cfg" 2>/dev/null | sort | uniq -c | tr -s ' ')
is "$codes50" " 50 200" "50 identical timelineChanged deliveries at once: all 200"
is "$(sql "SELECT count(*) || ':' || max(times_received) FROM workhooks.delivery WHERE endpoint = 'events/timelineChanged' AND body LIKE '%\"$RUN-same\"%'")" 1:50 \
	"50 identical deliveries: one delivery, times_received 50"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id = '$RUN-same'")" 1 \
	"50 identical deliveries: applied once (one timeline_change row)"
codes50=$(curl -sS --parallel --parallel-immediate --parallel-max 50 --max-time 60 -K "$T/contact.cfg" 2>/dev/null | sort | uniq -c | tr -s ' ')
is "$codes50" " 50 200" "50 identical contact/new calls at once: all 200"
is "$(sql "SELECT times_added FROM workhooks.worker_contact WHERE worker_id = '$RUN-c50'")" 50 \
	"50 identical contact/new calls: counted 50"

done_testing
