#!/usr/bin/env bash
# SIGTERM (README "How it is built"): a worker finishes the request in hand, then
# exits; an idle worker exits at once. A dedicated worker on its own socket
# (not the shared pools), fed by cgi-fcgi with the body arriving in two
# halves so that the signal lands while the body is being read.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

name=updatedge-timeline-changed
if ! have_bin "$name"; then
	skip "$name not built"
	done_testing
fi

sock=$WH_RUN/term-test.sock
body=$(cat "$VECTORS/updatedge-timelineChanged.json")
# A body of our own so that the delivery is new (not a repeat of another test).
body=${body/9c8b042a-97c2-4569-ba93-1d3c1ff83655/term-$$-$RANDOM}
len=${#body}
half=$((len / 2))

# start_worker: one worker (no multiwatch) on $sock; sets WPID.
start_worker() {
	local opts=(-n -s "$sock" -M 0666)
	rm -f "$sock"
	mapfile -t env < <(wh_worker_env)
	wh_is_root && opts+=(-u "$WH_RUN_USER" -g "$WH_RUN_GROUP")
	setsid env -i "${env[@]}" spawn-fcgi "${opts[@]}" -- "$WH_BIN/$name" \
		</dev/null >>"$_t_tmp/worker.log" 2>&1 &
	WPID=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	# The socket exists before the worker has set its SIGTERM handler (a
	# sanitizer build starts slowly): wait for SigCgt to hold SIGTERM.
	for _ in $(seq 50); do term_caught "$WPID" && break; sleep 0.1; done
}

# term_caught PID: the process catches SIGTERM (bit 15 of SigCgt).
term_caught() {
	local m
	m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$m" ] && (( (16#$m >> 14) & 1 ))
}

# gone PID SECONDS: 0 once the process has exited, within SECONDS.
gone() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# 1. Idle: exits at once, status 0.
start_worker
kill -0 "$WPID" 2>/dev/null
_t_check $? "an idle FastCGI worker is running"
kill -TERM "$WPID"
gone "$WPID" 5
_t_check $? "SIGTERM: an idle worker exits within 5 s"
wait "$WPID"
is "$?" 0 "SIGTERM: the idle worker's exit status is 0"

# 2. In flight: SIGTERM while the body is half read.
start_worker
ts=$(ue_now)
fifo=$_t_tmp/body.fifo
mkfifo "$fifo"
env -i REQUEST_METHOD=POST REQUEST_URI=/updatedge/events/timelineChanged \
	CONTENT_TYPE=application/json CONTENT_LENGTH="$len" \
	HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts")" \
	timeout 30 cgi-fcgi -bind -connect "$sock" <"$fifo" >"$_t_tmp/out" 2>"$_t_tmp/err" &
client=$!
exec 7>"$fifo"
printf '%s' "${body:0:half}" >&7
sleep 0.5
kill -TERM "$WPID"
sleep 0.5
kill -0 "$WPID" 2>/dev/null
_t_check $? "SIGTERM mid-request: the worker is still there while the body is unread"
printf '%s' "${body:half}" >&7
exec 7>&-
wait "$client"
grep -q '^Status: 200' "$_t_tmp/out"
_t_check $? "SIGTERM mid-request: the request in hand is answered 200" ||
	diag "$(cat "$_t_tmp/out" "$_t_tmp/err")"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE endpoint = 'events/timelineChanged' AND body = \$\$$body\$\$")" 1 \
	"SIGTERM mid-request: the delivery is committed"
gone "$WPID" 5
_t_check $? "SIGTERM mid-request: the worker exits after answering"
wait "$WPID"
is "$?" 0 "SIGTERM mid-request: exit status 0"
if grep -qE 'Sanitizer|runtime error' "$_t_tmp/worker.log"; then
	not_ok "no sanitizer report from the dedicated worker"
	diag "$(cat "$_t_tmp/worker.log")"
else
	ok "no sanitizer report from the dedicated worker"
fi

done_testing
