#!/usr/bin/env bash
# The foundation through the real stack: /updatedge/test, /updatedge/test/auth
# (protocol §2.1), /healthz (§4) with PostgreSQL going away and coming back, the
# common rules of §1 (405 + Allow, 413, 415, no-store, JSON errors), the
# shipped nginx and Apache configurations (routing, Authorization passing,
# body caps, the /healthz allow-list), CGI mode, and workers that survive
# garbage.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

BAD_HEX=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08

# ---------------------------------------------------------------- the harness

# The signing helpers agree with the vendors' vectors (so a failure below is
# the server's, not the harness's).
while IFS=$'\t' read -r ts how digest; do
	case $ts in '#'* | '') continue ;; esac
	want="hmac $(printf '%s' "$digest" | tr '[:upper:]' '[:lower:]')"
	is "$(ue_sign "$ts" "$UE_SECRET" "$how")" "$want" "ue_sign $how '$ts' matches updatedge-digests.tsv"
done <"$VECTORS/updatedge-digests.tsv"
while IFS=$'\t' read -r file header sig; do
	case $file in '#'* | '') continue ;; esac
	case $file in crosscheck-*) secret=$WS_SECRET3 sig=${sig#sha256=} ;; *) secret=$WS_SECRET ;; esac
	is "$(ws_sign "$VECTORS/$file" "$secret")" "$sig" "ws_sign $file matches worksome-signatures.tsv"
done <"$VECTORS/worksome-signatures.tsv"

# ---------------------------------------------------------------- both servers

# core_tests URL NAME: what must hold through nginx and Apache alike.
core_tests() {
	local u=$1 via=$2 ts first401= b

	req GET "$u/updatedge/test"
	expect_status 200 "$via: GET /updatedge/test -> 200"
	expect_header Cache-Control '(^|[ ,])no-store($|[ ,])' "$via: /updatedge/test has Cache-Control: no-store"
	expect_header Content-Type '^application/json' "$via: /updatedge/test answers application/json"
	expect_json "$via: /updatedge/test body is JSON"

	req POST "$u/updatedge/test" -H 'Content-Type: application/json' --data-binary '{}'
	expect_status 405 "$via: POST /updatedge/test -> 405"
	expect_header Allow '^GET$' "$via: 405 carries Allow: GET"
	expect_json_field '.error | type' string "$via: 405 body is a JSON error"
	expect_header Cache-Control 'no-store' "$via: 405 has Cache-Control: no-store"

	req DELETE "$u/updatedge/test/auth"
	expect_status 405 "$via: DELETE /updatedge/test/auth -> 405 (method before auth)"

	# Good signatures, every accepted spelling.
	ts=$(ue_now)
	req GET "$u/updatedge/test/auth" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")"
	expect_status 200 "$via: test/auth, hmac construction, lower-case hex -> 200"
	expect_header Cache-Control 'no-store' "$via: test/auth 200 has Cache-Control: no-store"
	expect_json "$via: test/auth 200 body is JSON"
	b=$(ue_sign "$ts")
	req GET "$u/updatedge/test/auth" -H "Timestamp: $ts" -H "Authorization: hmac $(printf '%s' "${b#hmac }" | tr '[:lower:]' '[:upper:]')"
	expect_status 200 "$via: test/auth, hmac construction, upper-case hex -> 200"
	req GET "$u/updatedge/test/auth" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts" "$UE_SECRET" concat)"
	expect_status 200 "$via: test/auth, concat construction -> 200"
	b=$(ue_sign "$ts" "$UE_SECRET" concat)
	req GET "$u/updatedge/test/auth" -H "Timestamp: $ts" -H "Authorization: HMAC $(printf '%s' "${b#hmac }" | tr '[:lower:]' '[:upper:]')"
	expect_status 200 "$via: test/auth, scheme word HMAC, upper-case hex, concat -> 200"
	ts=$(date -u +%Y-%m-%dT%H:%MZ)
	req GET "$u/updatedge/test/auth" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")"
	expect_status 200 "$via: test/auth, minute-precision Timestamp (documented form) -> 200"
	ts=$(date -u +%Y-%m-%dT%H:%M:%S.1234567+00:00)
	req GET "$u/updatedge/test/auth" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")"
	expect_status 200 "$via: test/auth, 7 fraction digits and +00:00 -> 200"

	# Bad ones: all 401, all with the same JSON body that names nothing.
	ts=$(ue_now)
	bad_auth "$u" "$via" "wrong secret" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts" wrong-secret)"
	ts=$(ue_now -600)
	bad_auth "$u" "$via" "timestamp 10 minutes old" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")"
	ts=$(ue_now 600)
	bad_auth "$u" "$via" "timestamp 10 minutes ahead" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")"
	ts=$(ue_now)
	bad_auth "$u" "$via" "no Timestamp" -H "Authorization: $(ue_sign "$ts")"
	bad_auth "$u" "$via" "no Authorization" -H "Timestamp: $ts"
	bad_auth "$u" "$via" "neither header"
	b=$(ue_sign "$ts")
	bad_auth "$u" "$via" "63 hex digits" -H "Timestamp: $ts" -H "Authorization: ${b%?}"
	bad_auth "$u" "$via" "65 hex digits" -H "Timestamp: $ts" -H "Authorization: ${b}0"
	bad_auth "$u" "$via" "non-hex digit" -H "Timestamp: $ts" -H "Authorization: ${b%?}g"
	bad_auth "$u" "$via" "scheme Bearer" -H "Timestamp: $ts" -H "Authorization: Bearer ${b#hmac }"
	bad_auth "$u" "$via" "no scheme word" -H "Timestamp: $ts" -H "Authorization: ${b#hmac }"
	bad_auth "$u" "$via" "the docs' placeholder digest" -H "Timestamp: $ts" -H "Authorization: hmac $BAD_HEX"
	bad_auth "$u" "$via" "signature of another timestamp" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$(ue_now -60)")"
	bad_auth "$u" "$via" "Timestamp not a date" -H "Timestamp: yesterday" -H "Authorization: $(ue_sign yesterday)"
	bad_auth "$u" "$via" "2018 vector (out of the window)" -H "Timestamp: 2018-11-26T10:55Z" \
		-H "Authorization: hmac 3A9279E4CA3E76A340779D087C2F9D876C1DC28634CCA3B6A60E4E035F057B0F"

	# Exact-match locations.
	req GET "$u/updatedge/test/"
	expect_status 404 "$via: /updatedge/test/ is not routed (exact match)"
	req GET "$u/updatedge/testing"
	expect_status 404 "$via: /updatedge/testing is not routed (exact match)"
	req GET "$u/updatedge/test/auth/x"
	expect_status 404 "$via: /updatedge/test/auth/x is not routed (exact match)"

	# /healthz: open to localhost, closed to anyone else.
	req GET "$u/healthz"
	expect_status 200 "$via: /healthz from 127.0.0.1 -> 200"
	expect_json_field '.status' ok "$via: /healthz says {\"status\":\"ok\"}"
	req GET "$u/healthz" --interface 127.0.0.2
	expect_status 403 "$via: /healthz from 127.0.0.2 (not on the allow-list) -> 403"
}

# bad_auth URL VIA WHAT [curl args]: a 401 whose body is the same for every
# failure and names no part of the check.
bad_auth() {
	local u=$1 via=$2 what=$3
	shift 3
	req GET "$u/updatedge/test/auth" "$@"
	expect_status 401 "$via: test/auth with $what -> 401"
	expect_json_field '.error | type' string "$via: 401 ($what) body is a JSON error"
	expect_body_not 'timestamp|secret|digest|signature|scheme|hex|stale|expired|future|missing|header|hmac|concat' \
		"$via: 401 ($what) does not say which part failed"
	if [ -z "$first401" ]; then
		first401=$BODY
	else
		is "$BODY" "$first401" "$via: 401 ($what) body is the same as every other 401"
	fi
}

core_tests "$BASE_URL" nginx
core_tests "$APACHE_URL" apache

# ---------------------------------------------------------------- bodies

# A body on an endpoint that takes one: timelineChanged once it exists.
if have_bin updatedge-timeline-changed; then
	U=/updatedge/events/timelineChanged
	head -c $((BODY_LIMIT + 1)) /dev/zero | tr '\0' ' ' >"$_t_tmp/over"
	head -c "$BODY_LIMIT" /dev/zero | tr '\0' ' ' >"$_t_tmp/at"
	for via in nginx apache; do
		[ $via = nginx ] && u=$BASE_URL || u=$APACHE_URL
		ue_req POST "$u$U" -H 'Content-Type: application/json' --data-binary @"$_t_tmp/over"
		expect_status 413 "$via: body of body_limit+1 bytes -> 413"
		expect_json_field '.error | type' string "$via: 413 body is a JSON error"
		req POST "$u$U" -H 'Content-Type: application/json' --data-binary @"$_t_tmp/over"
		expect_status 413 "$via: 413 is decided before authentication"
		req POST "$u$U" -H 'Content-Type: application/json' --data-binary @"$_t_tmp/at"
		expect_status 401 "$via: body of exactly body_limit bytes passes the length gate (unsigned -> 401)"
		ue_req POST "$u$U" -H 'Content-Type: text/plain' --data-binary @"$VECTORS/updatedge-timelineChanged.json"
		expect_status 415 "$via: Content-Type text/plain -> 415"
		expect_json_field '.error | type' string "$via: 415 body is a JSON error"
		req POST "$u$U" -H 'Content-Type: text/plain' --data-binary @"$VECTORS/updatedge-timelineChanged.json"
		expect_status 415 "$via: 415 is decided before authentication"
		ue_req GET "$u$U"
		expect_status 405 "$via: GET $U -> 405"
		expect_header Allow '^POST$' "$via: $U 405 carries Allow: POST"
	done
else
	for i in 1 2 3 4 5 6 7 8 9; do skip "updatedge-timeline-changed not built yet (413/415/405 on a body endpoint)"; done
fi

# GET with a body reaches the worker (contact-suggestions accepts it).
if have_bin updatedge-contact-suggestions; then
	for via in nginx apache; do
		[ $via = nginx ] && u=$BASE_URL || u=$APACHE_URL
		ue_req GET "$u/updatedge/contact-suggestions" -H 'Content-Type: application/json' \
			--data-binary @"$VECTORS/updatedge-contact-suggestions.json"
		expect_status 200 "$via: GET /updatedge/contact-suggestions with a JSON body -> 200"
		expect_json_field 'type' array "$via: contact-suggestions answers a JSON array"
	done
else
	for i in 1 2 3 4; do skip "updatedge-contact-suggestions not built yet (GET with a body)"; done
fi

# nginx's own cap sits above body_limit and answers in JSON too.
head -c 1200000 /dev/zero | tr '\0' ' ' >"$_t_tmp/huge"
req POST "$BASE_URL/updatedge/test" -H 'Content-Type: application/json' --data-binary @"$_t_tmp/huge"
expect_status 413 "nginx: a 1.2 MB body is stopped by client_max_body_size -> 413"
expect_json_field '.error | type' string "nginx: its own 413 has a JSON body"
req POST "$APACHE_URL/updatedge/test" -H 'Content-Type: application/json' --data-binary @"$_t_tmp/huge"
expect_status 413 "apache: a 1.2 MB body is stopped by the declared-length cap -> 413"

# ---------------------------------------------------------------- garbage

# Nothing a client sends kills a worker: garbage straight to the worker
# sockets (web servers would refuse most of it first), then a normal
# request is answered by the very same processes.
for name in $WH_ENDPOINTS; do
	have_bin "$name" || continue
	before=$(worker_pids "$name" | tr '\n' ' ')
	for cl in -1 abc 99999999999999999999999 ' 12' '0x10' '1e3' '18446744073709551616' ''; do
		fcgi "$name" REQUEST_METHOD=POST REQUEST_URI="/garbage" CONTENT_TYPE=application/json CONTENT_LENGTH="$cl" </dev/null
		like "$STATUS" '^[2-5][0-9][0-9]$' "$name: Content-Length '$cl' gets an HTTP answer ($STATUS)"
	done
	fcgi "$name" REQUEST_URI=/no-method </dev/null
	like "$STATUS" '^4[0-9][0-9]$' "$name: no REQUEST_METHOD -> 4xx ($STATUS)"
	fcgi "$name" REQUEST_METHOD=GET </dev/null
	like "$STATUS" '^[2-5][0-9][0-9]$' "$name: no REQUEST_URI gets an HTTP answer ($STATUS)"
	fcgi "$name" REQUEST_METHOD=GET REQUEST_URI=/x HTTP_TIMESTAMP="$(head -c 9000 /dev/zero | tr '\0' 9)" \
		HTTP_AUTHORIZATION="hmac $(head -c 9000 /dev/zero | tr '\0' a)" </dev/null
	like "$STATUS" '^[2-5][0-9][0-9]$' "$name: 9 kB Timestamp and Authorization get an HTTP answer ($STATUS)"
	fcgi "$name" REQUEST_METHOD=GET REQUEST_URI=/x HTTP_TIMESTAMP=$'2020-01-01T00:00Z\r\nX: y' \
		HTTP_AUTHORIZATION=$'hmac \x01\x7f\xff' </dev/null
	like "$STATUS" '^[2-5][0-9][0-9]$' "$name: control bytes in headers get an HTTP answer ($STATUS)"
	sleep 0.2
	is "$(worker_pids "$name" | tr '\n' ' ')" "$before" "$name: the same $WH_WORKERS worker processes are still serving"
done
req GET "$BASE_URL/updatedge/test" -H 'Content-Length: -1'
expect_status 400 "nginx: Content-Length -1 is refused by nginx"
req GET "$BASE_URL/updatedge/test"
expect_status 200 "nginx: /updatedge/test still answers 200 after garbage"
is "$(worker_count updatedge-test)" "$WH_WORKERS" "updatedge-test: multiwatch still supervises $WH_WORKERS workers"

# Secrets never reach a log line.
if grep -qF -- "$UE_SECRET" "$WH_LOG"/*.log || grep -qF -- "$WS_SECRET" "$WH_LOG"/*.log; then
	not_ok "no worker log contains a configured secret"
else
	ok "no worker log contains a configured secret"
fi
# Client bytes are escaped: the CR/LF sent above did not split a log line.
if grep -qE '^X: y' "$WH_LOG"/*.log; then
	not_ok "a CR/LF in a request header does not start a new log line"
else
	ok "a CR/LF in a request header does not start a new log line"
fi

# ---------------------------------------------------------------- CGI mode

cgi updatedge-test REQUEST_METHOD=GET REQUEST_URI=/updatedge/test SCRIPT_NAME=/updatedge/test </dev/null
is "$CGI_RC" 0 "CGI: updatedge-test exits 0"
expect_status 200 "CGI: updatedge-test prints Status: 200"
expect_header Cache-Control 'no-store' "CGI: updatedge-test sends Cache-Control: no-store"
expect_json "CGI: updatedge-test body is JSON"
is "$CGI_ERR" "$(printf '%s' "$CGI_ERR" | grep -v -e Sanitizer -e 'runtime error')" "CGI: updatedge-test stderr has no sanitizer report"

cgi updatedge-test REQUEST_METHOD=POST REQUEST_URI=/updatedge/test CONTENT_LENGTH=2 CONTENT_TYPE=application/json <<<'{}'
expect_status 405 "CGI: POST to updatedge-test -> 405"
expect_header Allow '^GET$' "CGI: 405 carries Allow: GET"

ts=$(ue_now)
cgi updatedge-test-auth REQUEST_METHOD=GET REQUEST_URI=/updatedge/test/auth HTTP_TIMESTAMP="$ts" \
	HTTP_AUTHORIZATION="$(ue_sign "$ts")" </dev/null
is "$CGI_RC" 0 "CGI: updatedge-test-auth exits 0"
expect_status 200 "CGI: updatedge-test-auth with a good signature -> 200"
cgi updatedge-test-auth REQUEST_METHOD=GET REQUEST_URI=/updatedge/test/auth HTTP_TIMESTAMP="$ts" \
	HTTP_AUTHORIZATION="$(ue_sign "$ts" "$UE_SECRET" concat)" </dev/null
expect_status 200 "CGI: updatedge-test-auth with a good concat signature -> 200"
cgi updatedge-test-auth REQUEST_METHOD=GET REQUEST_URI=/updatedge/test/auth HTTP_TIMESTAMP="$ts" \
	HTTP_AUTHORIZATION="$(ue_sign "$ts" nope)" </dev/null
expect_status 401 "CGI: updatedge-test-auth with a bad signature -> 401"
expect_json "CGI: 401 body is JSON"
cgi updatedge-test-auth REQUEST_METHOD=GET REQUEST_URI=/updatedge/test/auth WORKHOOKS_UPDATEDGE_SECRET=env-secret \
	HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts" env-secret)" </dev/null
expect_status 200 "CGI: WORKHOOKS_UPDATEDGE_SECRET adds a secret (label env) -> 200"
cgi updatedge-test-auth REQUEST_METHOD=GET REQUEST_URI=/updatedge/test/auth WORKHOOKS_UPDATEDGE_DIGEST=hmac \
	HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts" "$UE_SECRET" concat)" </dev/null
expect_status 401 "CGI: WORKHOOKS_UPDATEDGE_DIGEST=hmac refuses the concat construction"
cgi updatedge-test-auth REQUEST_METHOD=GET REQUEST_URI=/updatedge/test/auth WORKHOOKS_UPDATEDGE_DIGEST=concat \
	HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$(ue_sign "$ts" "$UE_SECRET" concat)" </dev/null
expect_status 200 "CGI: WORKHOOKS_UPDATEDGE_DIGEST=concat accepts the concat construction"
is "$CGI_ERR" "$(printf '%s' "$CGI_ERR" | grep -v -e Sanitizer -e 'runtime error')" "CGI: updatedge-test-auth stderr has no sanitizer report"

printf 'database = x\nbogus_key = 1\n' >"$_t_tmp/bad.conf"
cgi updatedge-test WORKHOOKS_CONFIG="$_t_tmp/bad.conf" REQUEST_METHOD=GET REQUEST_URI=/updatedge/test </dev/null
[ "$CGI_RC" -ne 0 ] && printf '%s' "$CGI_ERR" | grep -q 'bogus_key'
_t_check $? "a config file with an unknown key is refused at start, naming the key" || diag "stderr: $CGI_ERR"

# ---------------------------------------------------------------- database down

pids_before=$(worker_pids healthz | tr '\n' ' ')
pg_stop
req GET "$BASE_URL/healthz"
expect_status 503 "nginx: /healthz with PostgreSQL stopped -> 503"
expect_header Retry-After '^[0-9]+$' "nginx: the 503 carries Retry-After"
expect_json_field '.error | type' string "nginx: the 503 body is a JSON error"
req GET "$APACHE_URL/healthz"
expect_status 503 "apache: /healthz with PostgreSQL stopped -> 503"
req GET "$BASE_URL/updatedge/test"
expect_status 200 "nginx: /updatedge/test needs no database -> 200 with PostgreSQL stopped"
ue_req GET "$BASE_URL/updatedge/test/auth"
expect_status 200 "nginx: /updatedge/test/auth needs no database -> 200 with PostgreSQL stopped"
pg_start
req GET "$BASE_URL/healthz"
expect_status 200 "nginx: /healthz -> 200 again at once after PostgreSQL restarts, workers not restarted"
# Every worker finds its way back by itself: new connections straight to the
# socket spread over all of them.
n200=0
for i in $(seq 1 $((WH_WORKERS * 3))); do
	fcgi healthz REQUEST_METHOD=GET REQUEST_URI=/healthz </dev/null
	[ "$STATUS" = 200 ] && n200=$((n200 + 1))
done
is "$n200" $((WH_WORKERS * 3)) "healthz: all $((WH_WORKERS * 3)) direct requests after the restart -> 200"
req GET "$APACHE_URL/healthz"
expect_status 200 "apache: /healthz -> 200 again after PostgreSQL restarts"
is "$(worker_pids healthz | tr '\n' ' ')" "$pids_before" "healthz: the same worker processes served before and after the outage"

done_testing
