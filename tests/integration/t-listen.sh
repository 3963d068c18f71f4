#!/usr/bin/env bash
# tools/workhooks-listen (README "Operations"): an example consumer that
# LISTENs, handles each stored delivery once, in id order, with its raw
# body; catches up from its high-water mark after being stopped and after
# PostgreSQL went away (notifications are lost while nobody listens); never
# handles a repeat or a delivery twice.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

L=$BIN/workhooks-listen
TL=$BASE_URL/updatedge/events/timelineChanged
RUN=$(date +%s)$$
state=$_t_tmp/listen.state
out=$_t_tmp/handled
log=$_t_tmp/listen.log
: >"$out"

# The handler: one line per delivery, with the sha256 of what came on stdin.
cat >"$_t_tmp/handler" <<'SH'
#!/bin/sh
sum=$(sha256sum | cut -d' ' -f1)
echo "$WORKHOOKS_DELIVERY $WORKHOOKS_SOURCE $WORKHOOKS_ENDPOINT ${WORKHOOKS_EVENT:--} $sum" >>"$OUT"
SH
chmod +x "$_t_tmp/handler"

listener=
start() {
	OUT=$out "$L" -d "$RO_CONNINFO" -s "$state" -t 0.5 -- "$_t_tmp/handler" >>"$log" 2>&1 &
	listener=$!
	wh_wait 10 test -s "$state"
}
stop() { kill -TERM "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; listener=; }
trap '[ -n "$listener" ] && kill "$listener" 2>/dev/null' EXIT

post() { # N: a new timelineChanged; prints the delivery id
	ue_req POST "$TL" -H 'Content-Type: application/json' --data-binary \
		"$(printf '{"workerId":"listen-%s-%s","periodStart":"2021-03-01T09:00:00Z","periodEnd":"2021-03-01T17:00:00Z","completedAt":"2021-02-28T10:00:00Z"}' "$RUN" "$1")"
	[ "$STATUS" = 200 ] && jq -r .delivery <<<"$BODY"
}
lines() { wc -l <"$out"; }
have_lines() { [ "$(lines)" -ge "$1" ]; }
wait_lines() { wh_wait 15 have_lines "$1"; }
handled_ids() { cut -d' ' -f1 "$out" | tr '\n' ' ' | sed -e 's/ $//'; }

start
ok "workhooks-listen starts and records where it starts (after the newest delivery)"
is "$(cat "$state")" "$(sql 'SELECT coalesce(max(id), 0) FROM workhooks.delivery')" "the first mark is the newest delivery id"

a=$(post 1) b=$(post 2)
post 1 >/dev/null	# a repeat: same delivery id, not handled again
wait_lines 2
sleep 1
is "$(handled_ids)" "$a $b" "running: the two new deliveries are handled, in order, the repeat is not"
want=$(sql "SELECT encode(body_sha256, 'hex') FROM workhooks.delivery WHERE id = $a")
like "$(head -n 1 "$out")" "^$a updatedge events/timelineChanged - $want\$" \
	"the command gets the source, endpoint and the raw body on stdin (sha256 matches body_sha256)"

stop
is "$(cat "$state")" "$b" "stopped: the mark is the last delivery handled"
c=$(post 3) d=$(post 4) e=$(post 5)
ws=$_t_tmp/ws.json
printf '{"event":"hireUpdated","data":{"contract":{"hireId":"L-%s","hireStatus":"active"},"worker":{"id":"LW-%s"},"trustedContact":{"id":"LT-%s"}}}' "$RUN" "$RUN" "$RUN" >"$ws"
req POST "$BASE_URL/worksome" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$ws")" --data-binary "@$ws"
f=$(jq -r .delivery <<<"$BODY")
is "$(lines)" 2 "nothing is handled while the consumer is stopped"
start
wait_lines 6
sleep 1
is "$(handled_ids)" "$a $b $c $d $e $f" "started again: the 4 deliveries stored meanwhile are handled, once each, in order"
like "$(tail -n 1 "$out")" "^$f worksome worksome hireUpdated " "a Worksome delivery comes with its event"

# PostgreSQL goes away under the consumer and comes back.
pg_stop
sleep 1
pg_start
wh_wait_http "$BASE_URL/healthz" 200 15
g=$(post 6)
wait_lines 7
sleep 0.5
is "$(handled_ids)" "$a $b $c $d $e $f $g" "after PostgreSQL restarted, the consumer reconnected and handled the next delivery"
is "$(cut -d' ' -f1 "$out" | sort | uniq -d)" "" "no delivery was handled twice"
stop
grep -q 'connection lost\|connect:' "$log"
_t_check $? "the consumer said it lost the connection" || 
done_testing
