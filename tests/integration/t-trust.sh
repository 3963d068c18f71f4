#!/usr/bin/env bash
# Trust (issue 7 §2, items 5-10, 12-14): what the workers do when the
# database, the web server or the client misbehaves. Each section fails on
# the code before the fix.
#
# Sections that need a worker configured differently from the shared pools
# (small timeouts, a hostile environment, a broken primary) start their own
# FastCGI worker on a private socket, as t-shutdown.sh does, connecting as
# the login role wh_trust_app (in workhooks_writer) so that its backends can
# be found in pg_stat_activity and given role settings.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for b in updatedge-contact-new updatedge-timeline-changed worksome updatedge-contact-suggestions; do
	if ! have_bin "$b"; then
		skip "$b not built"
		done_testing
	fi
done

run=$$-$RANDOM
sock=$WH_RUN/trust.sock
role=wh_trust_app
WPID=

sql "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
		CREATE ROLE $role LOGIN;
	END IF;
END \$\$; GRANT workhooks_writer TO $role" >/dev/null
role_db=$(wh_conninfo workhooks "$role")
blackhole=

# Whatever happens, leave the cluster as the other t-files expect it.
trust_cleanup() {
	stop_worker
	[ -z "$blackhole" ] || kill "$blackhole" 2>/dev/null
	psql -X -q -d "$DB_CONNINFO" >/dev/null 2>&1 <<-SQL
		ALTER SYSTEM RESET synchronous_standby_names;
		ALTER SYSTEM RESET synchronous_commit;
		SELECT pg_reload_conf();
		DROP TRIGGER IF EXISTS wh_trust_deallocate ON workhooks.worker_contact;
		DROP FUNCTION IF EXISTS public.wh_trust_deallocate();
		ALTER ROLE $role RESET ALL;
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '$role';
	SQL
}
trap '_rc=$?; trust_cleanup; (exit $_rc); _t_end' EXIT

# start_worker NAME [VAR=value...]: one worker (no multiwatch) on $sock with
# the stack's worker environment plus the given variables; sets WPID.
start_worker() {
	local name=$1 opts=(-n -s "$sock" -M 0666) env=()
	shift
	stop_worker
	rm -f "$sock"
	mapfile -t env < <(wh_worker_env)
	wh_is_root && opts+=(-u "$WH_RUN_USER" -g "$WH_RUN_GROUP")
	setsid env -i "${env[@]}" "WORKHOOKS_DATABASE=$role_db" "$@" \
		spawn-fcgi "${opts[@]}" -- "$WH_BIN/$name" \
		</dev/null >>"$_t_tmp/worker.log" 2>&1 &
	WPID=$!
	wh_wait 5 test -S "$sock"
}

stop_worker() {
	[ -n "$WPID" ] || return 0
	kill -TERM "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	WPID=
}

# wreq [VAR=value...]: one FastCGI request to the private worker; stdin is
# the body. STATUS, HEADERS, BODY as for fcgi; SECS: seconds it took.
wreq() {
	local t0 t1
	_t_last="FastCGI trust worker $*"
	t0=$(date +%s%N)
	env -i PATH=/usr/bin:/bin "$@" timeout 30 cgi-fcgi -bind -connect "$sock" \
		>"$_t_tmp/w.out" 2>"$_t_tmp/w.err"
	t1=$(date +%s%N)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	_t_parse_cgi "$_t_tmp/w.out"
}

# contact ID [VAR=value...]: a signed GET /contact/new/ID to the private worker.
contact() {
	local id=$1 ts
	shift
	ts=$(ue_now)
	wreq REQUEST_METHOD=GET "REQUEST_URI=/updatedge/contact/new/$id" \
		"HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$(ue_sign "$ts")" "$@" </dev/null
}

times_added() { sql "SELECT coalesce((SELECT times_added FROM workhooks.worker_contact WHERE worker_id = '$1'), 0)"; }

# backend_pid: the private worker's database session.
backend_pid() { sql "SELECT pid FROM pg_stat_activity WHERE usename = '$role' AND backend_type = 'client backend' ORDER BY backend_start DESC LIMIT 1"; }

# hold_lock TABLE SECONDS: ACCESS EXCLUSIVE on TABLE for SECONDS, in the
# background (LOCKER is its PID); returns once the lock is held.
hold_lock() {
	psql -X -q -d "$DB_CONNINFO" -c "BEGIN" -c "LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE" \
		-c "SELECT pg_sleep($2)" -c "COMMIT" >/dev/null 2>&1 &
	LOCKER=$!
	wh_wait 5 sh -c "[ \"\$(psql -X -At -d '$DB_CONNINFO' -c \"SELECT count(*) FROM pg_locks WHERE relation = '$1'::regclass AND mode = 'AccessExclusiveLock' AND granted\")\" = 1 ]"
}

# ------------------------------------------------------------------ item 5
# client_encoding: the worker's environment says LATIN1 and so does the
# role; the body must still be stored byte for byte (its signature and
# SHA-256 are over those bytes).
sql "ALTER ROLE $role SET client_encoding = 'LATIN1'"
start_worker worksome PGCLIENTENCODING=LATIN1
f=$_t_tmp/enc.json
printf '{"event":"trust.encoding","data":{"run":"%s","name":"S\303\270ren \\u00f8 \342\202\254 \360\237\230\200"}}' "$run" >"$f"
wreq REQUEST_METHOD=POST REQUEST_URI=/worksome CONTENT_TYPE=application/json \
	"CONTENT_LENGTH=$(stat -c %s "$f")" "HTTP_SIGNATURE=$(ws_sign "$f")" <"$f"
expect_status 200 "PGCLIENTENCODING=LATIN1 and a LATIN1 role setting: a UTF-8 body is stored (200)"
is "$(sql "SELECT encode(pg_catalog.convert_to(body, 'UTF8'), 'hex') FROM workhooks.delivery WHERE event = 'trust.encoding' AND body LIKE '%$run%'")" \
	"$(od -An -v -tx1 "$f" | tr -d ' \n')" \
	"PGCLIENTENCODING=LATIN1: the raw body is stored byte for byte"
is "$(sql "SELECT encode(body_sha256, 'hex') = encode(pg_catalog.sha256(pg_catalog.convert_to(body, 'UTF8')), 'hex') FROM workhooks.delivery WHERE event = 'trust.encoding' AND body LIKE '%$run%'")|$(sql "SELECT encode(body_sha256, 'hex') FROM workhooks.delivery WHERE event = 'trust.encoding' AND body LIKE '%$run%'")" \
	"t|$(sha256sum <"$f" | cut -d' ' -f1)" \
	"PGCLIENTENCODING=LATIN1: the stored SHA-256 is the sent body's"
is "$(sql "SELECT payload->'data'->>'name' FROM workhooks.delivery_json WHERE id = (SELECT id FROM workhooks.delivery WHERE event = 'trust.encoding' AND body LIKE '%$run%')")" \
	"$(printf 'S\303\270ren \303\270 \342\202\254 \360\237\230\200')" \
	"PGCLIENTENCODING=LATIN1: the parsed payload has the characters sent (ø, \\u00f8, €, 4-byte)"
sql "ALTER ROLE $role RESET client_encoding"

# ------------------------------------------------------------------ item 6
# statement_timeout / lock_timeout: a held table lock makes the worker give
# up (503 + Retry-After) long before nginx's 30 s, and nothing commits
# after the lock is released.
start_worker updatedge-contact-new WORKHOOKS_LOCK_TIMEOUT=500ms WORKHOOKS_STATEMENT_TIMEOUT=5
hold_lock workhooks.worker_contact 4
contact "trust-lock-$run"
expect_status 503 "lock_timeout 500ms: a table locked by someone else -> 503"
expect_header Retry-After '^[0-9]+$' "lock_timeout: 503 has Retry-After"
like "$SECS" '^[0-2]\.' "lock_timeout: answered within 3 s (took $SECS s)"
wait "$LOCKER"
is "$(times_added "trust-lock-$run")|$(sql "SELECT count(*) FROM workhooks.delivery WHERE subject = 'trust-lock-$run'")" "0|0" \
	"lock_timeout: after the lock is released, nothing of that request is committed"
contact "trust-lock-$run"
expect_status 200 "lock_timeout: the same request once the lock is gone -> 200"

start_worker updatedge-contact-new WORKHOOKS_LOCK_TIMEOUT=0 WORKHOOKS_STATEMENT_TIMEOUT=1s
hold_lock workhooks.worker_contact 5
contact "trust-stmt-$run"
expect_status 503 "statement_timeout 1s: a statement held longer -> 503"
expect_header Retry-After '^[0-9]+$' "statement_timeout: 503 has Retry-After"
like "$SECS" '^[0-3]\.' "statement_timeout: answered within 4 s (took $SECS s)"
wait "$LOCKER"
is "$(times_added "trust-stmt-$run")|$(sql "SELECT count(*) FROM workhooks.delivery WHERE subject = 'trust-stmt-$run'")" "0|0" \
	"statement_timeout: after the lock is released, nothing of that request is committed"
grep -q 'canceling statement due to statement timeout' "$_t_tmp/worker.log"
_t_check $? "statement_timeout: the log names the cause"

# The shipped defaults, through nginx (whose fastcgi_read_timeout is 30 s):
# the worker itself gives up on the lock after lock_timeout (5 s) and says
# so (its JSON carries retry_after; nginx's own 503 does not).
stop_worker
hold_lock workhooks.worker_contact 6
t0=$(date +%s)
ue_req GET "$BASE_URL/updatedge/contact/new/trust-nginx-lock-$run"
secs=$(($(date +%s) - t0))
expect_status 503 "nginx, shipped timeouts, table locked 6 s: 503"
expect_json_field .retry_after 30 "nginx: the 503 is the worker's, not the web server's"
like "$secs" '^[4-6]$' "nginx: the worker gave up after lock_timeout (5 s), before the lock was released ($secs s)"
wait "$LOCKER"
is "$(times_added "trust-nginx-lock-$run")|$(sql "SELECT count(*) FROM workhooks.delivery WHERE subject = 'trust-nginx-lock-$run'")" "0|0" \
	"nginx: after the lock is released, nothing of that request is committed"

# ------------------------------------------------------------------ item 12
# A connection lost between requests is re-opened before sending; a
# statement that may have run is never sent again.
start_worker updatedge-contact-new
contact "trust-kill-$run"
expect_status 200 "backend killed between requests: first request -> 200"
sql "SELECT pg_terminate_backend($(backend_pid))" >/dev/null
sleep 0.3
contact "trust-kill-$run"
expect_status 200 "backend killed between requests: the next request reconnects -> 200"
is "$(times_added "trust-kill-$run")" 2 "backend killed between requests: counted twice, once per request"

# Killed while waiting for a lock (nothing committed): 503, and the
# statement is not sent again behind the vendor's back.
start_worker updatedge-contact-new WORKHOOKS_LOCK_TIMEOUT=0 WORKHOOKS_STATEMENT_TIMEOUT=0
hold_lock workhooks.worker_contact 2
contact "trust-midlock-$run" &
client=$!
wh_wait 3 sh -c "[ -n \"\$(psql -X -At -d '$DB_CONNINFO' -c \"SELECT pid FROM pg_stat_activity WHERE usename = '$role' AND wait_event_type = 'Lock'\")\" ]"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '$role' AND wait_event_type = 'Lock'" >/dev/null
wait "$client"
_t_parse_cgi "$_t_tmp/w.out"
expect_status 503 "backend killed while the statement waits: 503 (not retried)"
wait "$LOCKER"
is "$(times_added "trust-midlock-$run")" 0 "backend killed while the statement waits: not counted"

# Committed, then the connection died before the answer (the commit waits
# for a synchronous standby that never comes; the backend is terminated in
# that wait, after its commit): the old retry counted the contact twice.
sql "ALTER SYSTEM SET synchronous_standby_names = 'wh_trust_nobody'" >/dev/null
sql "ALTER SYSTEM SET synchronous_commit = 'local'" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
role_db="$(wh_conninfo workhooks "$role") options='-c synchronous_commit=on'"
start_worker updatedge-contact-new
contact "trust-syncrep-$run" &
client=$!
wh_wait 5 sh -c "[ -n \"\$(psql -X -At -d '$DB_CONNINFO' -c \"SELECT pid FROM pg_stat_activity WHERE usename = '$role' AND wait_event = 'SyncRep'\")\" ]"
_t_check $? "committed-but-unanswered: the worker's commit waits for the standby"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '$role' AND wait_event = 'SyncRep'" >/dev/null
sleep 1.5
sql "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
sql "ALTER SYSTEM RESET synchronous_commit" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null
wait "$client"
_t_parse_cgi "$_t_tmp/w.out"
expect_status 503 "committed-but-unanswered: 503 (the vendor retries), not a second store"
is "$(times_added "trust-syncrep-$run")" 1 "committed-but-unanswered: the contact is counted once, not twice"
role_db=$(wh_conninfo workhooks "$role")
stop_worker

# ------------------------------------------------------------------ item 13
# A read-only server (a standby after failover; here a role setting): 503
# while it lasts, 200 again once it is writable, without restarting the
# worker (the connection is dropped after 25006).
sql "ALTER ROLE $role SET default_transaction_read_only = on"
start_worker updatedge-contact-new
contact "trust-ro-$run"
expect_status 503 "read-only session (25006) -> 503"
expect_header Retry-After '^[0-9]+$' "read-only session: 503 has Retry-After"
sql "ALTER ROLE $role RESET default_transaction_read_only"
contact "trust-ro-$run"
expect_status 200 "writable again: the same worker reconnects -> 200"
is "$(times_added "trust-ro-$run")" 1 "read-only: only the request answered 200 is counted"

# A prepared statement that vanished (pgbouncer in transaction mode,
# DISCARD ALL): here a trigger runs DEALLOCATE ALL in the worker's own
# session. The old worker then answered 500 to every request.
sql "CREATE OR REPLACE FUNCTION public.wh_trust_deallocate() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN EXECUTE 'DEALLOCATE ALL'; RETURN NULL; END \$\$;
CREATE TRIGGER wh_trust_deallocate AFTER INSERT OR UPDATE ON workhooks.worker_contact FOR EACH ROW
	WHEN (NEW.worker_id LIKE 'trust-dealloc-%') EXECUTE FUNCTION public.wh_trust_deallocate()" >/dev/null
contact "trust-dealloc-$run"
expect_status 200 "DEALLOCATE ALL in the worker's session: that request -> 200"
sql "DROP TRIGGER wh_trust_deallocate ON workhooks.worker_contact; DROP FUNCTION public.wh_trust_deallocate()" >/dev/null
contact "trust-after-dealloc-$run"
expect_status 200 "prepared statement gone (26000): the next request re-prepares -> 200"
contact "trust-after-dealloc-$run"
expect_status 200 "prepared statement gone: and the one after -> 200"
is "$(times_added "trust-after-dealloc-$run")" 2 "prepared statement gone: each request counted once"
stop_worker

# ------------------------------------------------------------------ item 14
# contact-suggestions reading from a standby while the primary (where
# refused requests are counted) hangs: answers are not held up by the
# reject flush. The "primary" accepts connections and never answers.
port=$(wh_free_port 18500)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
end = time.time() + 60
s.settimeout(1)
while time.time() < end:
    try: conns.append(s.accept()[0])
    except socket.timeout: pass
' "$port" &
blackhole=$!
wh_wait 5 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null"
role_db="host=127.0.0.1 port=$port dbname=workhooks user=$role connect_timeout=5"
start_worker updatedge-contact-suggestions "WORKHOOKS_SUGGESTIONS_DATABASE=$(wh_conninfo workhooks "$role")" \
	WORKHOOKS_REJECT_FLUSH_INTERVAL=0
sbody='{"userEmailAddresses":["someone@companyA.com"],"filter":""}'
suggest() { # [bad]
	local ts auth
	ts=$(ue_now)
	auth=$(ue_sign "$ts")
	[ "${1:-}" = bad ] && auth="hmac $(printf '0%.0s' $(seq 64))"
	printf '%s' "$sbody" >"$_t_tmp/sbody"
	wreq REQUEST_METHOD=POST REQUEST_URI=/updatedge/contact-suggestions \
		CONTENT_TYPE=application/json "CONTENT_LENGTH=${#sbody}" \
		"HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$auth" <"$_t_tmp/sbody"
}
worst=0
for i in 1 2 3; do
	suggest bad
	[ "$STATUS" = 401 ] || not_ok "suggestions: unsigned request $i -> 401 (got $STATUS)"
	suggest
	[ "$STATUS" = 200 ] || not_ok "suggestions: signed request $i -> 200 (got $STATUS)"
	worst=$(awk -v a="$worst" -v b="$SECS" 'BEGIN { print (b > a) ? b : a }')
done
like "$worst" '^[01]\.' "suggestions on the standby, primary hanging: a refused request never delays the next answer (worst $worst s)"
grep -q 'could not record rejected-request counts' "$_t_tmp/worker.log"
_t_check $? "suggestions: the counts that could not be written are kept and logged once"
stop_worker
kill "$blackhole" 2>/dev/null
wait "$blackhole" 2>/dev/null
blackhole=
role_db=$(wh_conninfo workhooks "$role")

# ------------------------------------------------------------------ item 7
# The 7th fraction digit, rounded as PostgreSQL rounds it (through nginx).
tl() { # START END [WORKER]
	ue_req POST "$BASE_URL/updatedge/events/timelineChanged" -H 'Content-Type: application/json' \
		--data-binary "{\"workerId\":\"${3:-trust-round-$run-$RANDOM}\",\"periodStart\":\"$1\",\"periodEnd\":\"$2\",\"completedAt\":\"2021-02-28T10:00:00Z\"}"
}
tl 2021-03-01T09:00:00.0000026Z 2021-03-01T09:00:00.0000025Z
expect_status 400 "periodStart .0000026 / periodEnd .0000025 (3 us / 2 us as stored) -> 400, not 500"
expect_json_field .field periodEnd "the 400 names periodEnd"
# Ties (7th digit 5) as PostgreSQL 15 stores them: start is the 7-digit
# form, end the 6-digit value PostgreSQL stores for it.
for pair in 0001255:000125 0001265:000127 0321545:032155 0643115:064311 0000005:000000 0000015:000002; do
	s7=${pair%%:*} e6=${pair##*:}
	w=trust-round-$run-$s7
	tl "2021-03-01T09:00:00.${s7}Z" "2021-03-01T09:00:00.${e6}Z" "$w"
	expect_status 200 "periodStart .$s7 equals periodEnd .$e6 as PostgreSQL stores them -> 200"
	is "$(sql "SELECT to_char(period_start AT TIME ZONE 'UTC', 'US') || '|' || (period_start = period_end) FROM workhooks.timeline_change WHERE worker_id = '$w'")" \
		"$e6|true" "periodStart .$s7 is stored as .$e6, the value C validated"
	prev=$(printf '%06d' $((10#$e6 - 1)))
	[ "$e6" = 000000 ] && continue
	tl "2021-03-01T09:00:00.${s7}Z" "2021-03-01T09:00:00.${prev}Z"
	expect_status 400 "periodEnd .$prev is before periodStart .$s7 (.$e6) -> 400"
done

# ------------------------------------------------------------------ item 8
# contact/new never truncates the path: an id that does not fit the old
# 1024-byte copy is judged whole (400 naming workerId), never stored as
# the part that fitted.
pad=$(printf 'a%.0s' $(seq 964))
id="trust-path-$run"
long_id="${id}$(printf 'b%.0s' $(seq 60))"
for url in "$BASE_URL" "$APACHE_URL"; do
	ue_req GET "$url/updatedge/contact/new/$pad/contact/new/$long_id!bad"
	expect_status 400 "$url: a 1 kB path whose id is invalid past byte 1024 -> 400"
	expect_json_field .field workerId "$url: the 400 names workerId"
done
is "$(sql "SELECT count(*) FROM workhooks.worker_contact WHERE worker_id LIKE '$id%'")" 0 \
	"long path: no truncated id stored"
ue_req GET "$BASE_URL/updatedge/contact/new/$pad/contact/new/$id"
expect_status 200 "a 1 kB path with a valid id at its end -> 200"
is "$(sql "SELECT count(*) FROM workhooks.worker_contact WHERE worker_id = '$id'")" 1 "long path: the whole id is stored"
ts=$(ue_now)
fcgi updatedge-contact-new REQUEST_METHOD=GET "REQUEST_URI=/updatedge/contact/new/$(printf 'c%.0s' $(seq 9000))" \
	"HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$(ue_sign "$ts")" </dev/null
expect_status 414 "a path longer than 8192 bytes -> 414"
expect_json "414 has a JSON body"

# ------------------------------------------------------------------ item 9
# A chunked 20 kB signed Worksome delivery: nginx de-chunks it (200);
# Apache streamed it without CONTENT_LENGTH (HTTP_TRANSFER_ENCODING:
# chunked), which was read as "no body" and answered 401. The shipped
# Apache config now reads the body whole and sends its length (200); a
# worker that still gets a body without a length answers 411, never 401.
f=$_t_tmp/chunked.json
printf '{"event":"trust.chunked","data":{"run":"%s","pad":"%s"}}' "$run" "$(head -c 15000 /dev/urandom | base64 -w0 | head -c 20000)" >"$f"
sig=$(ws_sign "$f")
req POST "$BASE_URL/worksome" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' \
	-H "Signature: $sig" --data-binary @"$f"
expect_status 200 "nginx: a chunked 20 kB signed Worksome delivery -> 200"
is "$(sql "SELECT encode(body_sha256, 'hex') FROM workhooks.delivery WHERE event = 'trust.chunked' AND body LIKE '%$run%'")" \
	"$(sha256sum <"$f" | cut -d' ' -f1)" "nginx: the chunked body is stored whole"
req POST "$APACHE_URL/worksome" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' \
	-H "Signature: $sig" --data-binary @"$f"
expect_status 200 "Apache: a chunked 20 kB signed Worksome delivery -> 200 (not 401)"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE event = 'trust.chunked' AND body_sha256 = decode('$(sha256sum <"$f" | cut -d' ' -f1)', 'hex')")" \
	1 "Apache: the chunked body is stored whole, once"
fcgi worksome REQUEST_METHOD=POST REQUEST_URI=/worksome CONTENT_TYPE=application/json \
	HTTP_TRANSFER_ENCODING=chunked "HTTP_SIGNATURE=$sig" <"$f"
expect_status 411 "FastCGI: a body with Transfer-Encoding and no CONTENT_LENGTH -> 411"

# ------------------------------------------------------------------ item 10
# The body read has a deadline: a client that sends half a body and stops
# gets 408 after body_timeout, and the worker is free again.
start_worker updatedge-timeline-changed WORKHOOKS_BODY_TIMEOUT=1s
tbody="{\"workerId\":\"trust-slow-$run\",\"periodStart\":\"2021-03-01T09:00:00Z\",\"periodEnd\":\"2021-03-01T17:00:00Z\",\"completedAt\":\"2021-02-28T10:00:00Z\"}"
fifo=$_t_tmp/slow.fifo
mkfifo "$fifo"
ts=$(ue_now)
t0=$(date +%s%N)
env -i PATH=/usr/bin:/bin REQUEST_METHOD=POST REQUEST_URI=/updatedge/events/timelineChanged \
	CONTENT_TYPE=application/json CONTENT_LENGTH="${#tbody}" \
	HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts")" \
	timeout 30 cgi-fcgi -bind -connect "$sock" <"$fifo" >"$_t_tmp/slow.out" 2>&1 &
client=$!
exec 7>"$fifo"
printf '%s' "${tbody:0:40}" >&7
# The client keeps the rest (and its end of the pipe) to itself.
for _ in $(seq 50); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
if kill -0 "$client" 2>/dev/null; then
	not_ok "body_timeout 1s: a stalled body is answered while the client still holds it (no answer after $secs s)"
else
	ok "body_timeout 1s: a stalled body is answered while the client still holds it ($secs s)"
fi
exec 7>&-
wait "$client"
_t_parse_cgi "$_t_tmp/slow.out"
expect_status 408 "body_timeout: a stalled body -> 408"
expect_json "body_timeout: the 408 body is JSON"
printf '%s' "$tbody" >"$_t_tmp/tbody"
wreq REQUEST_METHOD=POST REQUEST_URI=/updatedge/events/timelineChanged \
	CONTENT_TYPE=application/json "CONTENT_LENGTH=${#tbody}" \
	"HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$(ue_sign "$ts")" <"$_t_tmp/tbody"
expect_status 200 "body_timeout: the worker is free again: the whole body next -> 200"
stop_worker

# Plain CGI: the same deadline on stdin.
fifo2=$_t_tmp/slow-cgi.fifo
mkfifo "$fifo2"
(printf '%s' "${tbody:0:40}"; sleep 4) >"$fifo2" &
writer=$!
t0=$(date +%s)
cgi updatedge-timeline-changed WORKHOOKS_BODY_TIMEOUT=1s REQUEST_METHOD=POST \
	REQUEST_URI=/updatedge/events/timelineChanged CONTENT_TYPE=application/json \
	"CONTENT_LENGTH=${#tbody}" "HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$(ue_sign "$ts")" <"$fifo2"
expect_status 408 "CGI, body_timeout 1s: a stalled body on stdin -> 408 ($(($(date +%s) - t0)) s)"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
cgi worksome REQUEST_METHOD=POST REQUEST_URI=/worksome CONTENT_TYPE=application/json \
	HTTP_TRANSFER_ENCODING=chunked "HTTP_SIGNATURE=$sig" </dev/null
expect_status 411 "CGI: Transfer-Encoding without CONTENT_LENGTH -> 411"
cgi updatedge-contact-new REQUEST_METHOD=GET "REQUEST_URI=/updatedge/contact/new/$(printf 'c%.0s' $(seq 9000))" </dev/null
expect_status 414 "CGI: a path longer than 8192 bytes -> 414"

# Through Apache: more clients than there are workers send half a body and
# stop. The shipped config reads bodies whole before calling a worker
# (mod_buffer, proxy-sendcl), so no worker is pinned and the pool answers
# at once while the clients still hang (before, every worker stayed pinned
# until they gave up).
name=updatedge-timeline-changed
n=$(($(worker_count "$name") + 1))
ts=$(ue_now)
auth=$(ue_sign "$ts")
fds=()
for i in $(seq "$n"); do
	exec {fd}<>"/dev/tcp/127.0.0.1/${APACHE_URL##*:}"
	fds+=("$fd")
	printf 'POST /updatedge/events/timelineChanged HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %s\r\nTimestamp: %s\r\nAuthorization: %s\r\n\r\n%s' \
		"${#tbody}" "$ts" "$auth" "${tbody:0:40}" >&"$fd"
done
sleep 1
pbody=${tbody/trust-slow-/trust-after-slow-}
ue_req POST "$APACHE_URL/updatedge/events/timelineChanged" -H 'Content-Type: application/json' \
	--data-binary "$pbody" --max-time 5
expect_status 200 "Apache: a probe is answered while $n slow clients (more than the pool has workers) hang"
for fd in "${fds[@]}"; do exec {fd}>&-; done

# ------------------------------------------------------------------ end
if grep -qE 'Sanitizer|runtime error' "$_t_tmp/worker.log"; then
	not_ok "no sanitizer report from the private workers"
	diag "$(grep -E -A8 'Sanitizer|runtime error' "$_t_tmp/worker.log" | head -n 30)"
else
	ok "no sanitizer report from the private workers"
fi
if grep -q 'x5cx' "$_t_tmp/worker.log"; then
	not_ok "log lines escape database messages once (no \\x5cx)"
	diag "$(grep 'x5cx' "$_t_tmp/worker.log" | head -n 3)"
else
	ok "log lines escape database messages once (no \\x5cx)"
fi
trust_cleanup
sleep 0.2
sql "DROP ROLE $role" >/dev/null 2>&1 || true

done_testing
