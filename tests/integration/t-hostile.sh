#!/usr/bin/env bash
# Hostile input through nginx AND Apache, for every endpoint (issue 7 §3):
#
# - every single-byte mutation of a correctly signed request is 401: each
#   byte of the updatedge Timestamp and Authorization headers (updatedge
#   signs only the Timestamp, protocol §2.1, so its body is not covered),
#   each byte of a Worksome body and of its Signature; the unmutated
#   request answers 200 and only it is stored;
# - Content-Length lying in both directions, chunked bodies, duplicate
#   authentication headers, oversized headers;
# - values that reach a log line carrying CR/LF, quotes and escapes: every
#   line the workers write stays one line.
#
# The mutations run through curl --parallel (one config file per batch):
# about 1,300 requests, a few seconds.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

RUN=h$(date +%s)$$
T=$_t_tmp

# Worker log sizes now: the log checks read only what this file causes.
declare -A log_start
for f in "$WH_LOG"/*.log; do log_start[$f]=$(stat -c %s "$f"); done

# burst CONFIG: run a curl config (one "url = ..." block per request) in
# parallel; prints "INDEX CODE" per request, sorted by index.
burst() {
	sed -i -e '$d' "$1"	# the last "next" would start a transfer without a URL
	curl -sS --parallel --parallel-immediate --parallel-max 12 --max-time 20 -K "$1" 2>/dev/null | sort -n
}

# xor1 STRING POS: STRING with the byte at POS xor 0x01 (never a change of
# case only, so a hex digit becomes another digit or a non-digit).
xor1() {
	local s=$1 p=$2 c
	c=$(printf '%d' "'${s:p:1}")
	printf '%s%b%s' "${s:0:p}" "\\x$(printf '%02x' $((c ^ 1)))" "${s:p+1}"
}

# q STRING: a curl config quoted string.
q() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

# all_401 OUT DESC: every line of OUT is "N 401".
all_401() {
	local bad n
	n=$(wc -l <"$1")
	bad=$(awk '$2 != 401' "$1" | head -n 5)
	[ "$n" -gt 0 ] && [ -z "$bad" ]
	_t_check $? "$2 ($n requests, all 401)" || diag "not 401 (index code): $bad"
}

# ---------------------------------------------------------------- mutations

# updatedge endpoint path, method and body (empty: GET without body).
ue_endpoints=(
	"GET test/auth -"
	"GET contact/new/$RUN-contact -"
	"POST contact-suggestions {\"userEmailAddresses\":[\"$RUN@example.org\"],\"filter\":\"\"}"
	"POST events/timelineChanged {\"workerId\":\"$RUN-tl\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:32:11Z\"}"
	"POST offer/response {\"offerId\":\"$RUN-o\",\"workerId\":\"$RUN-w\",\"response\":\"accepted\"}"
	"POST offer/eventDeleted {\"offerId\":\"$RUN-o\",\"workerId\":\"$RUN-w\",\"eventStart\":\"2020-01-31T09:00:00Z\"}"
)

for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	ts=$(ue_now)
	authz=$(ue_sign "$ts")
	for e in "${ue_endpoints[@]}"; do
		read -r method path body <<<"$e"
		data=()
		[ "$body" = - ] || data=(-H 'Content-Type: application/json' --data-binary "$body")
		# The genuine request first: 200 (contact-suggestions: 200 too).
		req "$method" "$url/updatedge/$path" -H "Timestamp: $ts" -H "Authorization: $authz" "${data[@]}"
		expect_status 200 "$server: signed $method /updatedge/$path -> 200"
		cfg=$T/mut.cfg
		: >"$cfg"
		for ((i = 0; i < ${#ts}; i++)); do
			{
				echo "url = $(q "$url/updatedge/$path")"
				echo "request = $method"
				echo "header = $(q "Timestamp: $(xor1 "$ts" $i)")"
				echo "header = $(q "Authorization: $authz")"
				[ "$body" = - ] || { echo 'header = "Content-Type: application/json"'; echo "data-binary = $(q "$body")"; }
				echo 'output = "/dev/null"'
				echo 'write-out = "%{urlnum} %{http_code}\n"'
				echo next
			} >>"$cfg"
		done
		for ((i = 0; i < ${#authz}; i++)); do
			m=$(xor1 "$authz" $i)
			# "hmac" -> "hmab" etc.; a blank becomes '!'.
			{
				echo "url = $(q "$url/updatedge/$path")"
				echo "request = $method"
				echo "header = $(q "Timestamp: $ts")"
				echo "header = $(q "Authorization: $m")"
				[ "$body" = - ] || { echo 'header = "Content-Type: application/json"'; echo "data-binary = $(q "$body")"; }
				echo 'output = "/dev/null"'
				echo 'write-out = "%{urlnum} %{http_code}\n"'
				echo next
			} >>"$cfg"
		done
		burst "$cfg" >"$T/out"
		all_401 "$T/out" "$server: every 1-byte mutation of Timestamp (${#ts} B) and Authorization (${#authz} B) of $method /updatedge/$path"
	done
done
# Only the genuine requests were stored: contact/new counted twice (one
# per server), each event body once with a repeat.
is "$(sql "SELECT times_added FROM workhooks.worker_contact WHERE worker_id = '$RUN-contact'")" 2 \
	"mutations stored nothing: contact/new counted exactly the 2 genuine calls"
is "$(sql "SELECT string_agg(endpoint || ':' || times_received, ',' ORDER BY endpoint) FROM workhooks.delivery WHERE body LIKE '%$RUN-%' AND endpoint <> 'contact/new'")" \
	"events/timelineChanged:2,offer/eventDeleted:2,offer/response:2" \
	"mutations stored nothing: each event body is one delivery received twice"

# Worksome: every byte of the body and of the Signature.
wbody="{\"event\":\"probe$RUN\",\"data\":{\"n\":1}}"
printf '%s' "$wbody" >"$T/ws.json"
wsig=$(ws_sign "$T/ws.json")
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $wsig" --data-binary "@$T/ws.json"
	expect_status 200 "$server: signed Worksome probe event -> 200 (stored raw)"
	cfg=$T/wmut.cfg
	: >"$cfg"
	for ((i = 0; i < ${#wbody}; i++)); do
		{
			echo "url = $(q "$url/worksome")"
			echo 'header = "Content-Type: application/json"'
			echo "header = $(q "Signature: $wsig")"
			echo "data-binary = $(q "$(xor1 "$wbody" $i)")"
			echo 'output = "/dev/null"'
			echo 'write-out = "%{urlnum} %{http_code}\n"'
			echo next
		} >>"$cfg"
	done
	for ((i = 0; i < ${#wsig}; i++)); do
		{
			echo "url = $(q "$url/worksome")"
			echo 'header = "Content-Type: application/json"'
			echo "header = $(q "Signature: $(xor1 "$wsig" $i)")"
			echo "data-binary = $(q "$wbody")"
			echo 'output = "/dev/null"'
			echo 'write-out = "%{urlnum} %{http_code}\n"'
			echo next
		} >>"$cfg"
	done
	burst "$cfg" >"$T/out"
	all_401 "$T/out" "$server: every 1-byte mutation of a Worksome body (${#wbody} B) and its Signature (${#wsig} B)"
done
is "$(sql "SELECT count(*) || ':' || coalesce(max(times_received), 0) FROM workhooks.delivery WHERE body LIKE '%probe$RUN%'")" "1:2" \
	"Worksome mutations stored nothing: one delivery, received twice"

# ---------------------------------------------------------------- lengths

# Content-Length longer than the body: the server waits, the client gives
# up; nothing is stored and no 2xx comes back.
lie_body="{\"event\":\"lie$RUN\",\"data\":{}}"
printf '%s' "$lie_body" >"$T/lie.json"
lie_sig=$(ws_sign "$T/lie.json")
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	req POST "$url/worksome" --max-time 3 -H 'Content-Type: application/json' -H "Signature: $lie_sig" \
		-H "Content-Length: $((${#lie_body} + 40))" --data-binary "@$T/lie.json"
	like "$STATUS" '^(000|4[0-9][0-9]|50[0-9])$' "$server: Content-Length 40 bytes longer than the body: no 2xx ($STATUS)"
	# Shorter: the server reads a prefix, whose signature does not match.
	req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $lie_sig" \
		-H "Content-Length: $((${#lie_body} - 5))" --data-binary "@$T/lie.json"
	like "$STATUS" '^(000|4[0-9][0-9])$' "$server: Content-Length 5 bytes shorter than the body: 4xx ($STATUS)"
	# Not a number, negative, two values.
	for cl in abc -5 "10, 10" 1e3; do
		req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $lie_sig" \
			-H "Content-Length: $cl" --data-binary "@$T/lie.json"
		like "$STATUS" '^4[0-9][0-9]$' "$server: Content-Length '$cl' -> 4xx ($STATUS)"
	done
done
# The updatedge body endpoints: a body cut short by the declared length is
# not the JSON that was sent (400), and one declared longer never answers
# 2xx; both in parallel, so the 3 s waits overlap.
ts=$(ue_now)
az=$(ue_sign "$ts")
for e in "events/timelineChanged {\"workerId\":\"lie$RUN\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:32:11Z\"}" \
	"offer/response {\"offerId\":\"lie$RUN\",\"workerId\":\"w\",\"response\":\"accepted\"}" \
	"offer/eventDeleted {\"offerId\":\"lie$RUN\",\"workerId\":\"w\",\"eventStart\":\"2020-01-31T09:00:00Z\"}" \
	"contact-suggestions {\"userEmailAddresses\":[\"lie$RUN@example.org\"],\"filter\":\"\"}"; do
	read -r path body <<<"$e"
	for server in nginx apache; do
		[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
		for d in -3 +30; do
			curl -sS -o /dev/null -w "$server $path $d %{http_code}\n" --max-time 3 -X POST "$url/updatedge/$path" \
				-H "Timestamp: $ts" -H "Authorization: $az" -H 'Content-Type: application/json' \
				-H "Content-Length: $((${#body} $d))" --data-binary "$body" 2>/dev/null &
		done
	done
done >"$T/lies"
wait
while read -r server path d code; do
	if [ "$d" = -3 ]; then
		is "$code" 400 "$server: $path with Content-Length 3 bytes short -> 400 (a cut JSON body)"
	else
		like "$code" '^(000|4[0-9][0-9]|50[0-9])$' "$server: $path with Content-Length 30 bytes long -> no 2xx ($code)"
	fi
done < <(sort "$T/lies")
sleep 1
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE body LIKE '%lie$RUN%'")" 0 \
	"no lying Content-Length stored anything"

# ---------------------------------------------------------------- chunked

chunk_body="{\"event\":\"chunk$RUN\",\"data\":{\"small\":true}}"
printf '%s' "$chunk_body" >"$T/chunk.json"
chunk_sig=$(ws_sign "$T/chunk.json")
chunk_bad=$(ws_sign "$T/chunk.json" wrong-secret)
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $chunk_sig" \
		-H 'Transfer-Encoding: chunked' --data-binary "@$T/chunk.json"
	expect_status 200 "$server: a small chunked, signed Worksome body -> 200"
	# A bad signature in chunked form is still 401 (made with a wrong
	# secret: editing a digit of the hex could leave it unchanged).
	req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $chunk_bad" \
		-H 'Transfer-Encoding: chunked' --data-binary "@$T/chunk.json"
	expect_status 401 "$server: a chunked body with a wrong Signature -> 401"
done
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	ue_req POST "$url/updatedge/offer/response" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
		--data-binary "{\"offerId\":\"chunk$RUN\",\"workerId\":\"w\",\"response\":\"accepted\"}"
	expect_status 200 "$server: a small chunked updatedge body -> 200"
done
is "$(sql "SELECT times_received FROM workhooks.delivery WHERE body LIKE '%chunk$RUN%' AND endpoint = 'offer/response'")" 2 \
	"the chunked updatedge body was stored once and counted twice"
is "$(sql "SELECT times_received FROM workhooks.delivery WHERE body = \$\$$chunk_body\$\$")" 2 \
	"the small chunked body was stored once and counted twice"

# A 20 kB chunked body: stored with 200, or refused with 411 (no length
# declared, issue 7 item 9); never 401 for a correct signature (Apache
# answered 401 before the worker's 411 and the shipped config's spooling).
hostile_chunked_large() {
	local server url big
	big="{\"event\":\"bigchunk$RUN\",\"data\":{\"pad\":\"$(head -c 20000 /dev/zero | tr '\0' x)\"}}"
	printf '%s' "$big" >"$T/big.json"
	for server in nginx apache; do
		[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
		req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$T/big.json")" \
			-H 'Transfer-Encoding: chunked' --data-binary "@$T/big.json"
		like "$STATUS" '^(200|411)$' "$server: a 20 kB chunked, signed body -> 200 or 411 ($STATUS)"
	done
}
req POST "$BASE_URL/worksome" -H 'Content-Type: application/json' \
	-H "Signature: $(printf '%s' "{\"event\":\"bigchunk$RUN\",\"data\":{}}" >"$T/b0.json"; ws_sign "$T/b0.json")" \
	-H 'Transfer-Encoding: chunked' --data-binary "@$T/b0.json"
expect_status 200 "nginx: chunked body reassembled with its length (200)"
hostile_chunked_large

# ---------------------------------------------------------------- duplicates

dts=$(ue_now)
dauth=$(ue_sign "$dts")
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	req GET "$url/updatedge/test/auth" -H "Timestamp: 2019-01-01T00:00:00Z" -H "Timestamp: $dts" -H "Authorization: $dauth"
	expect_status 401 "$server: two Timestamp headers (old first) -> 401"
	# The genuine value first: nginx passes the first of two headers, so
	# the worker sees a valid pair (200); Apache joins them with ", "
	# (401). Either way no request is accepted on the other value.
	req GET "$url/updatedge/test/auth" -H "Timestamp: $dts" -H "Timestamp: 2019-01-01T00:00:00Z" -H "Authorization: $dauth"
	like "$STATUS" '^(200|401)$' "$server: two Timestamp headers (genuine first) -> 200 or 401 ($STATUS)"
	req GET "$url/updatedge/test/auth" -H "Timestamp: $dts" -H "Authorization: hmac $(printf '%064d' 0)" -H "Authorization: $dauth"
	like "$STATUS" '^(400|401)$' "$server: two Authorization headers (bad first) -> 400 or 401 ($STATUS)"
	req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $(printf '%064d' 0)" \
		-H "Signature: $chunk_sig" --data-binary "@$T/chunk.json"
	expect_status 401 "$server: two Signature headers -> 401"
done

# ---------------------------------------------------------------- oversized

big_header=$(head -c 20000 /dev/zero | tr '\0' a)
mid_header=$(head -c 6000 /dev/zero | tr '\0' 7)
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	req GET "$url/updatedge/test/auth" -H "Timestamp: $big_header" -H "Authorization: $dauth"
	like "$STATUS" '^4[0-9][0-9]$' "$server: a 20 kB Timestamp header -> 4xx ($STATUS)"
	req POST "$url/worksome" -H 'Content-Type: application/json' -H "Signature: $big_header" --data-binary "@$T/chunk.json"
	like "$STATUS" '^4[0-9][0-9]$' "$server: a 20 kB Signature header -> 4xx ($STATUS)"
	req GET "$url/updatedge/test/auth" -H "Timestamp: $mid_header" -H "Authorization: hmac $mid_header"
	expect_status 401 "$server: 6 kB Timestamp and Authorization reach the worker -> 401"
	for i in $(seq 1 60); do printf -- '-H\nX-Pad-%d: %s\n' "$i" "$(head -c 200 /dev/zero | tr '\0' p)"; done >"$T/many.args"
	mapfile -t many <"$T/many.args"
	req GET "$url/updatedge/test" "${many[@]}"
	like "$STATUS" '^(200|4[0-9][0-9])$' "$server: 60 headers of 200 bytes -> an answer ($STATUS)"
done

# ---------------------------------------------------------------- log lines

# Client bytes that reach a log line: the method (Apache passes any token),
# a Timestamp with escapes, and a worker id with CR/LF, quotes and ESC that
# PostgreSQL repeats in an error message when the row is refused (the
# 7th-digit rounding case of issue 7 item 7 makes the CHECK fail today;
# after that fix it is a 400 and nothing is logged from the database).
nasty='x\r\nFAKE: line \"q\" \\ \u001b[31m\u0007 end'
ts=$(ue_now)
for server in nginx apache; do
	[ $server = nginx ] && url=$BASE_URL || url=$APACHE_URL
	req POST "$url/updatedge/events/timelineChanged" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"workerId\":\"$nasty $server $RUN\",\"periodStart\":\"2020-01-31T09:00:00.0000026Z\",\"periodEnd\":\"2020-01-31T09:00:00.0000025Z\",\"completedAt\":\"2020-01-31T09:00:00Z\"}"
	like "$STATUS" '^(200|400|500)$' "$server: a worker id with CR/LF and escapes gets an answer ($STATUS)"
	req GET "$url/updatedge/test/auth" -H $'Timestamp: 2020-01-01T00:00Z\x1b[2J"\\'
	like "$STATUS" '^(400|401)$' "$server: a Timestamp with ESC, quote and backslash -> 400 (web server) or 401 ($STATUS)"
done
req "GET'|~%" "$APACHE_URL/updatedge/test"
like "$STATUS" '^(405|400|501)$' "apache: an odd method token -> 4xx/501 ($STATUS)"
# Raw FastCGI (what a web server must never pass, but a worker must survive).
fcgi updatedge-test REQUEST_METHOD=$'GET\r\nFAKE: injected\x1b[0m' REQUEST_URI=/updatedge/test </dev/null
expect_status 405 "FastCGI: a method with CR/LF and ESC -> 405"
sleep 0.5

# Every line the workers wrote meanwhile is one log line:
# "WHEN PROG[PID] LEVEL: ...", or a supervisor line; no raw control byte.
bad=0
for f in "$WH_LOG"/*.log; do
	tail -c +"$((${log_start[$f]:-0} + 1))" "$f" >"$T/new.log"
	if grep -avE '^(<[0-7]>)?[0-9T:.Z+-]+ [^ ]+\[[0-9]+\] [a-z]+: |^multiwatch|^spawn-fcgi|^$' "$T/new.log" | head -n 3 | grep -q .; then
		diag "${f##*/}: $(grep -avE '^(<[0-7]>)?[0-9T:.Z+-]+ [^ ]+\[[0-9]+\] [a-z]+: |^multiwatch|^spawn-fcgi|^$' "$T/new.log" | head -n 3)"
		bad=1
	fi
	if LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]' "$T/new.log"; then
		diag "${f##*/}: raw control byte: $(LC_ALL=C grep -naP '[\x00-\x08\x0b-\x1f\x7f]' "$T/new.log" | head -n 2 | cat -v)"
		bad=1
	fi
done
is "$bad" 0 "every worker log line written by these requests is one escaped line"
if grep -aq 'FAKE' "$WH_LOG"/*.log; then
	grep -ah 'FAKE' "$WH_LOG"/*.log | grep -avqE '^(<[0-7]>)?[0-9T:.Z+-]+ [^ ]+\[[0-9]+\] [a-z]+: '
	is "$?" 1 "the injected 'FAKE:' text never starts a log line"
else
	ok "the injected 'FAKE:' text never starts a log line (not logged at all)"
fi

# The workers survived all of it.
for n in updatedge-test-auth updatedge-contact-new updatedge-contact-suggestions updatedge-timeline-changed \
	updatedge-offer-response updatedge-offer-event-deleted worksome; do
	is "$(worker_count "$n")" "$WH_WORKERS" "$n: $WH_WORKERS workers still supervised"
done

done_testing
