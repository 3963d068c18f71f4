#!/usr/bin/env bash
# The soak (README "Reliability"): run by tests/integration/t-soak.sh inside
# script/test's stack, for $SOAK_TIME seconds (tests/soak/run sets it).
#
# Batches of 10 parallel requests through nginx, mixing every endpoint:
# new timelineChanged, offer/response, offer/eventDeleted and Worksome
# hireUpdated bodies; contact/new on a small set of worker ids (so that
# they repeat); contact-suggestions, test, test/auth and healthz; a repeat
# of an earlier body; a request with a bad signature and one with a bad
# field.  Meanwhile a fault loop kills a random worker (SIGKILL) or
# restarts PostgreSQL, in turn, every few seconds.
#
# At the end the database must match the answers exactly: for every body,
# times_received equals the number of 2xx answers it got (0: no delivery);
# every delivery has its derived row; contact/new's times_added equals its
# 2xx answers; nothing refused is stored.
# shellcheck source=../integration/lib.sh
. "$WH_ROOT/tests/integration/lib.sh"

SOAK_TIME=${SOAK_TIME:-120}
RUN=S$(date +%s)$$
T=$_t_tmp
R=$T/results
: >"$R"
B=$BASE_URL

# One request in a curl config: soak_req KIND ID URL [header...] -- BODY
soak_req() {
	local kind=$1 id=$2 url=$3 body=
	shift 3
	[ -s "$cfg" ] && echo next >>"$cfg"
	{
		echo "url = \"$url\""
		while [ $# -gt 0 ] && [ "$1" != -- ]; do echo "header = \"$1\""; shift; done
		[ "${1:-}" = -- ] && { body=$2; echo "data-binary = \"${body//\"/\\\"}\""; }
		echo 'output = "/dev/null"'
		echo "write-out = \"$kind $id %{http_code} $b\\n\""
	} >>"$cfg"
}

tl_body() { printf '{"workerId":"%s","periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:32:11Z"}' "$1"; }

load() {
	local b=0 ts az ws wsig prev=
	while [ ! -e "$T/stop" ]; do
		b=$((b + 1))
		ts=$(ue_now)
		az=$(ue_sign "$ts")
		cfg=$T/batch.cfg
		: >"$cfg"
		ue=("Timestamp: $ts" "Authorization: $az")
		j='Content-Type: application/json'
		soak_req tl "$RUN-tl-$b" "$B/updatedge/events/timelineChanged" "${ue[@]}" "$j" -- "$(tl_body "$RUN-tl-$b")"
		soak_req or "$RUN-or-$b" "$B/updatedge/offer/response" "${ue[@]}" "$j" -- \
			"{\"offerId\":\"$RUN-or-$b\",\"workerId\":\"w$b\",\"response\":\"$([ $((b % 2)) = 0 ] && echo accepted || echo rejected)\"}"
		soak_req ed "$RUN-ed-$b" "$B/updatedge/offer/eventDeleted" "${ue[@]}" "$j" -- \
			"{\"offerId\":\"$RUN-ed-$b\",\"workerId\":\"w$b\",\"eventStart\":\"2020-01-31T09:00:00Z\"}"
		ws="{\"event\":\"hireUpdated\",\"data\":{\"contract\":{\"id\":\"$RUN-ws-$b\",\"hireStatus\":\"active\",\"rate\":\"12.50\"},\"worker\":{\"id\":\"$RUN-wk\",\"name\":\"Soak Worker\"},\"trustedContact\":{\"id\":\"tc\"}}}"
		printf '%s' "$ws" >"$T/ws.json"
		wsig=$(ws_sign "$T/ws.json")
		soak_req ws "$RUN-ws-$b" "$B/worksome" "Signature: $wsig" "$j" -- "$ws"
		soak_req cn "$RUN-cn-$((b % 7))" "$B/updatedge/contact/new/$RUN-cn-$((b % 7))" "${ue[@]}"
		soak_req q - "$B/updatedge/contact-suggestions" "${ue[@]}" "$j" -- '{"userEmailAddresses":["someone@companyA.com"],"filter":""}'
		case $((b % 3)) in
		0) soak_req q - "$B/updatedge/test" ;;
		1) soak_req q - "$B/updatedge/test/auth" "${ue[@]}" ;;
		2) soak_req q - "$B/healthz" ;;
		esac
		# A repeat of the previous batch's timelineChanged body.
		[ -n "$prev" ] && soak_req tl "$RUN-tl-$prev" "$B/updatedge/events/timelineChanged" "${ue[@]}" "$j" -- "$(tl_body "$RUN-tl-$prev")"
		# Bad: a wrong signature, and a bad field.
		soak_req bad "$RUN-bad-$b" "$B/updatedge/events/timelineChanged" "Timestamp: $ts" "Authorization: hmac $(printf '%064d' "$b")" "$j" -- "$(tl_body "$RUN-bad-$b")"
		soak_req bad "$RUN-badf-$b" "$B/updatedge/offer/response" "${ue[@]}" "$j" -- \
			"{\"offerId\":\"$RUN-badf-$b\",\"workerId\":\"w\",\"response\":\"maybe\"}"
		t0=$(date +%s.%N)
		curl -sS --parallel --parallel-immediate --parallel-max 10 --max-time 40 -K "$cfg" >>"$R" 2>/dev/null
		echo "$b $t0 $(date +%s.%N)" >>"$T/batches"
		prev=$b
	done
}

faults() {
	local n=0 names=(updatedge-timeline-changed updatedge-offer-response updatedge-offer-event-deleted
		worksome updatedge-contact-new updatedge-contact-suggestions)
	while [ ! -e "$T/stop" ]; do
		sleep 3
		[ -e "$T/stop" ] && break
		n=$((n + 1))
		if [ $((n % 3)) = 0 ]; then
			pg_stop && echo "pg-restart" >>"$T/faults"
			sleep 1
			pg_start
		else
			victim=${names[$((RANDOM % ${#names[@]}))]}
			worker_kill "$victim" KILL && echo "kill $victim $(date +%s.%N)" >>"$T/faults"
		fi
	done
}

: >"$T/faults"
: >"$T/batches"
rm -f "$T/stop"
load &
lpid=$!
faults &
fpid=$!
sleep "$SOAK_TIME"
touch "$T/stop"
wait "$lpid" "$fpid"
pg_start
sleep 1

total=$(wc -l <"$R")
n2xx=$(awk '$3 ~ /^2/' "$R" | wc -l)
kills=$(grep -c '^kill' "$T/faults")
restarts=$(grep -c pg-restart "$T/faults")
codes=$(awk '{ print $3 }' "$R" | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')

# Expected: per body id, the number of 2xx answers it got.
#
# One difference is explained rather than a fault of the receiver: a
# worker SIGKILLed while PostgreSQL runs its store. The server finishes and
# commits the statement (it notices the vanished client only when it
# answers), while nginx answers 503: the body then has one more receipt
# than 2xx answers, exactly as if the vendor's retry had arrived. Such a
# "phantom" is allowed only for a body of the killed endpoint that got a
# 502/503 in a batch during which that endpoint had a worker killed; it is
# reported (see t-faults.sh). A delivery answered 2xx but missing, or
# counted more than once too often, is never allowed.
mismatch=0 phantoms=0
declare -A ep_of=([tl]=updatedge-timeline-changed [or]=updatedge-offer-response [ed]=updatedge-offer-event-deleted
	[ws]=worksome [cn]=updatedge-contact-new)
# explained KIND ID: a 502/503 answer of ID in a batch overlapping a kill of KIND's pool.
explained() {
	local b
	for b in $(awk -v k="$1" -v i="$2" '$1 == k && $2 == i && ($3 == 502 || $3 == 503) { print $4 }' "$R"); do
		awk -v b="$b" -v e="${ep_of[$1]}" 'NR == FNR { if ($1 == b) { s = $2; t = $3 } next }
			$1 == "kill" && $2 == e && $3 >= s - 0.05 && $3 <= t + 0.05 { f = 1 } END { exit !f }' "$T/batches" "$T/faults" && return 0
	done
	return 1
}
# compare KIND DESC: want.KIND (answers) against got.KIND (database).
compare() {
	local kind=$1 desc=$2 d=0 id w g
	join -a 1 -a 2 -e 0 -o 0,1.2,2.2 "$T/want.$kind" "$T/got.$kind" >"$T/cmp.$kind"
	while read -r id w g; do
		[ "$w" = "$g" ] && continue
		if [ "$g" = $((w + 1)) ] && explained "$kind" "$id"; then
			phantoms=$((phantoms + 1))
			diag "$desc: $id committed by a worker killed mid-store (answered 503, stored: $g receipts, $w 2xx)"
			continue
		fi
		d=$((d + 1))
		diag "$desc: $id: $w 2xx answers, $g in the database"
	done <"$T/cmp.$kind"
	mismatch=$((mismatch + d))
	is "$d" 0 "soak: $desc: the database's count of every body equals its 2xx answers ($(wc -l <"$T/want.$kind") bodies)"
}
check_kind() {
	local kind=$1 endpoint=$2 desc=$3
	awk -v k="$kind" '$1 == k && $3 ~ /^2/ { c[$2]++ } END { for (i in c) print i, c[i] }' "$R" | sort >"$T/want.$kind"
	sql "SELECT substring(body from '$RUN-$kind-[0-9]+') AS id, times_received FROM workhooks.delivery WHERE endpoint = '$endpoint' AND body LIKE '%$RUN-$kind-%' ORDER BY 1" |
		tr '|' ' ' | sort >"$T/got.$kind"
	compare "$kind" "$desc"
}
check_kind tl events/timelineChanged "timelineChanged"
check_kind or offer/response "offer/response"
check_kind ed offer/eventDeleted "offer/eventDeleted"
check_kind ws worksome "Worksome hireUpdated"

# The Worksome hire deliveries are derived off the request path, within
# about a second of their store (sql/code/46-worksome_hire_fold.sql): by
# the workers' own folds, waited for here, not forced.
for _ in $(seq 100); do
	[ "$(sql "SELECT count(*) FROM workhooks.worksome_hire_pending")" = 0 ] && break
	sleep 0.1
done
d=$(sql "SELECT count(*) FROM workhooks.delivery d WHERE d.body LIKE '%$RUN-tl-%' AND d.endpoint = 'events/timelineChanged' AND NOT EXISTS (SELECT 1 FROM workhooks.timeline_change c WHERE c.delivery_id = d.id)")
d=$((d + $(sql "SELECT count(*) FROM workhooks.delivery d WHERE d.body LIKE '%$RUN-or-%' AND NOT EXISTS (SELECT 1 FROM workhooks.offer_response c WHERE c.delivery_id = d.id)")))
d=$((d + $(sql "SELECT count(*) FROM workhooks.delivery d WHERE d.body LIKE '%$RUN-ed-%' AND NOT EXISTS (SELECT 1 FROM workhooks.offer_event_deleted c WHERE c.delivery_id = d.id)")))
d=$((d + $(sql "SELECT count(*) FROM workhooks.delivery d WHERE d.body LIKE '%$RUN-ws-%' AND NOT EXISTS (SELECT 1 FROM workhooks.worksome_hire_version c WHERE c.delivery_id = d.id)")))
mismatch=$((mismatch + d))
is "$d" 0 "soak: every delivery has its derived row (timeline_change, offer_response, offer_event_deleted, worksome_hire_version)"

awk '$1 == "cn" && $3 ~ /^2/ { c[$2]++ } END { for (i in c) print i, c[i] }' "$R" | sort >"$T/want.cn"
sql "SELECT worker_id, times_added FROM workhooks.worker_contact WHERE worker_id LIKE '$RUN-cn-%' ORDER BY 1" | tr '|' ' ' | sort >"$T/got.cn"
compare cn "contact/new (times_added)"

d=$(sql "SELECT count(*) FROM workhooks.delivery WHERE body LIKE '%$RUN-bad%'")
mismatch=$((mismatch + d))
is "$d" 0 "soak: nothing refused was stored"
is "$(awk '$1 == "bad" && $3 ~ /^2/' "$R" | wc -l)" 0 "soak: no bad request got a 2xx"
bad5=$(awk '$3 ~ /^5/ && $3 != 503 && $3 != 502' "$R" | wc -l)
is "$bad5" 0 "soak: no 5xx other than 503 (database down) and 502 (a killed worker's request)"
like "$n2xx" '^[1-9][0-9]' "soak: requests succeeded ($n2xx)"
like "$((kills + restarts))" '^[1-9]' "soak: faults were injected ($kills worker kills, $restarts PostgreSQL restarts)"
summary="SOAK: ${SOAK_TIME} s, $total requests ($n2xx 2xx), $kills worker kills, $restarts PostgreSQL restarts, $mismatch mismatches, $phantoms killed-mid-store receipts"
diag "$summary; codes: $codes"

done_testing
