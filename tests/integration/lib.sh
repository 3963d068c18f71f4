# shellcheck shell=bash
# workhooks — helpers for tests/integration/t-*.sh.
#
# script/test starts the private stack and runs each t-*.sh with bash, in
# the repository, with this environment:
#
#   BASE_URL        nginx, e.g. http://127.0.0.1:18080
#   APACHE_URL      Apache, e.g. http://127.0.0.1:18081
#   BIN             the sanitizer build's cgi-bin (for CGI-mode runs)
#   VECTORS         tests/vectors (the vendors' examples, signed)
#   UE_SECRET       the updatedge secret the workers have (label "dev")
#   WS_SECRET       the Worksome secret (label "dev")
#   WS_SECRET2      a second Worksome secret (label "rotation")
#   WS_SECRET3      GitHub's example secret (label "github", for the
#                   crosscheck vector)
#   WORKHOOKS_CONFIG  the workers' config file
#   BODY_LIMIT      body_limit in that file
#   DB_CONNINFO     superuser connection to database workhooks
#   RO_CONNINFO     the read-only login role workhooks_ro
#   PSQL            a psql command line for DB_CONNINFO (eval "$PSQL -c ...")
#   WH_*            the stack's paths (script/lib/stack.sh), so that
#                   pg_stop / pg_start / worker_count work here
#
# A t-file sources this file, calls the assertions (each prints one TAP line
# "ok N - ..." or "not ok N - ...", with "# ..." diagnostics), and ends; the
# plan line and the exit status are written when it exits. The last line
# of a t-file is done_testing: a file that stops before it counts as a
# failure.
#
#   req METHOD URL [curl args...]    -> STATUS, HEADERS, BODY
#   cgi NAME [VAR=value...]          -> STATUS, HEADERS, BODY, CGI_RC, CGI_ERR
#                                       (runs $BIN/NAME as plain CGI; stdin
#                                       is the request body)
#   fcgi NAME [VAR=value...]         -> the same, straight to NAME's socket
#   expect_status CODE [DESC]
#   expect_header NAME REGEX [DESC]  (NAME case-insensitive, REGEX: grep -E)
#   expect_no_header NAME [DESC]
#   expect_json [DESC]               body parses as JSON
#   expect_json_field FILTER VALUE [DESC]   jq -r FILTER on the body
#   expect_body REGEX [DESC] / expect_body_not REGEX [DESC]
#   is GOT WANT DESC / like GOT REGEX DESC / ok DESC / not_ok DESC / skip WHY
#   sql "QUERY" [psql args]          prints the value(s), psql -XAt
#   sql_ro "QUERY"                   the same as workhooks_ro
#   ue_now [OFFSET_SECONDS]          UTC ISO 8601 timestamp, now + offset
#   ue_sign TIMESTAMP [SECRET] [hmac|concat]   -> "hmac <hex>"
#   ws_sign FILE [SECRET]            -> hex HMAC-SHA256 of the file's bytes
#   ue_req METHOD URL [curl args]    req, correctly signed for updatedge
#   have_bin NAME                    the endpoint binary was built
#   pg_stop / pg_start               stop / start the test cluster
#   worker_count NAME / worker_pids NAME   live workers under NAME's multiwatch
#   worker_kill NAME [SIGNAL]        kill one worker on purpose (any other
#                                    worker death fails the run)

set -u
: "${WH_ROOT:?run the integration tests through script/test}"
# shellcheck source=../../script/lib/stack.sh
. "$WH_ROOT/script/lib/stack.sh"
wh_stack_init

_t_n=0
_t_failed=0
_t_done=0
_t_tmp=$(mktemp -d "${TMPDIR:-/tmp}/wh-t.XXXXXX")
_t_end() {
	local rc=$?
	trap - EXIT
	rm -rf "$_t_tmp"
	[ "$_t_done" = 1 ] || not_ok "the test script ended before done_testing (exit status $rc)"
	echo "1..$_t_n"
	if [ "$_t_failed" -gt 0 ]; then
		echo "# $_t_failed of $_t_n failed"
		exit 1
	fi
	exit 0
}
trap _t_end EXIT

# done_testing: the last line of every t-file.
done_testing() { _t_done=1; exit 0; }

# ------------------------------------------------------------------ TAP

ok() { _t_n=$((_t_n + 1)); echo "ok $_t_n - $*"; }
not_ok() { _t_n=$((_t_n + 1)); _t_failed=$((_t_failed + 1)); echo "not ok $_t_n - $*"; }
diag() { printf '%s\n' "$@" | sed -e 's/^/# /'; }
skip() { _t_n=$((_t_n + 1)); echo "ok $_t_n - # SKIP $*"; }

# _t_last: what the last request was, for test names.
_t_last=""

# _t_check COND_RC DESC: print ok/not ok; on failure show the last response.
_t_check() {
	local rc=$1
	shift
	if [ "$rc" -eq 0 ]; then
		ok "$*"
	else
		not_ok "$*"
		diag "request: $_t_last" "status: ${STATUS:-}" "body: $(printf '%s' "${BODY:-}" | head -c 400)"
	fi
	return "$rc"
}

is() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3"; diag "got:  '$1'" "want: '$2'"; return 1; fi
}

like() {
	if printf '%s' "$1" | grep -qE -- "$2"; then ok "$3"; else not_ok "$3"; diag "got:  '$1'" "want match: $2"; return 1; fi
}

unlike() {
	if ! printf '%s' "$1" | grep -qE -- "$2"; then ok "$3"; else not_ok "$3"; diag "got:  '$1'" "want no match: $2"; return 1; fi
}

# ------------------------------------------------------------------ requests

# req METHOD URL [curl args...]
req() {
	local method=$1 url=$2 code
	shift 2
	_t_last="$method $url"
	code=$(curl -sS -X "$method" -o "$_t_tmp/body" -D "$_t_tmp/headers" \
		-w '%{http_code}' --max-time 30 "$@" "$url" 2>"$_t_tmp/curl.err") || true
	STATUS=${code:-000}
	HEADERS=$(tr -d '\r' <"$_t_tmp/headers" 2>/dev/null)
	BODY=$(cat "$_t_tmp/body" 2>/dev/null)
	if [ "$STATUS" = 000 ]; then
		BODY="(curl: $(cat "$_t_tmp/curl.err"))"
	fi
}

# _t_parse_cgi FILE: split a CGI response (Status: line, headers, blank
# line, body) into STATUS, HEADERS and BODY. No Status line means 200.
_t_parse_cgi() {
	local f=$1
	HEADERS=$(tr -d '\r' <"$f" | sed -e '/^$/q' | sed -e '/^$/d')
	BODY=$(tr -d '\r' <"$f" | sed -e '1,/^$/d')
	STATUS=$(printf '%s\n' "$HEADERS" | sed -n -e 's/^[Ss]tatus: *\([0-9][0-9][0-9]\).*/\1/p' | head -n 1)
	[ -n "$STATUS" ] || STATUS=200
}

# The environment a CGI-mode binary gets: a clean one, like a web server's.
_t_cgi_env() {
	printf '%s\n' "PATH=/usr/bin:/bin" "WORKHOOKS_CONFIG=$WORKHOOKS_CONFIG" \
		"GATEWAY_INTERFACE=CGI/1.1" "SERVER_PROTOCOL=HTTP/1.1" \
		"REMOTE_ADDR=127.0.0.1" "ASAN_OPTIONS=${CGI_ASAN_OPTIONS:-}" \
		"UBSAN_OPTIONS=${UBSAN_OPTIONS:-}"
}

# cgi NAME [VAR=value...]: run $BIN/NAME as plain CGI (stdin = body).
cgi() {
	local name=$1 env=()
	shift
	mapfile -t env < <(_t_cgi_env)
	_t_last="CGI $name $*"
	env -i "${env[@]}" "$@" timeout 30 "$BIN/$name" >"$_t_tmp/cgi.out" 2>"$_t_tmp/cgi.err"
	CGI_RC=$?
	CGI_ERR=$(cat "$_t_tmp/cgi.err")
	_t_parse_cgi "$_t_tmp/cgi.out"
}

# fcgi NAME [VAR=value...]: one FastCGI request straight to NAME's socket,
# bypassing the web servers (so the worker sees exactly these params).
fcgi() {
	local name=$1 env=()
	shift
	mapfile -t env < <(printf '%s\n' "PATH=/usr/bin:/bin" "GATEWAY_INTERFACE=CGI/1.1" "SERVER_PROTOCOL=HTTP/1.1" "REMOTE_ADDR=127.0.0.1")
	_t_last="FastCGI $name $*"
	env -i "${env[@]}" "$@" timeout 30 cgi-fcgi -bind -connect "$WH_RUN/$name.sock" >"$_t_tmp/cgi.out" 2>"$_t_tmp/cgi.err"
	CGI_RC=$?
	CGI_ERR=$(cat "$_t_tmp/cgi.err")
	_t_parse_cgi "$_t_tmp/cgi.out"
}

# ------------------------------------------------------------------ assertions

expect_status() {
	local want=$1
	shift
	[ "$STATUS" = "$want" ]
	_t_check $? "${*:-$_t_last -> $want}"
}

# _t_header NAME: the value(s) of header NAME from HEADERS.
_t_header() {
	printf '%s\n' "$HEADERS" | awk -v n="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" '
		{ i = index($0, ":"); if (i == 0) next
		  k = tolower(substr($0, 1, i - 1))
		  if (k == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v } }'
}

expect_header() {
	local name=$1 re=$2 v
	shift 2
	v=$(_t_header "$name")
	[ -n "$v" ] && printf '%s\n' "$v" | grep -qE -- "$re"
	_t_check $? "${*:-$_t_last: header $name matches /$re/}" || diag "$name: '$v'"
}

expect_no_header() {
	local name=$1
	shift
	[ -z "$(_t_header "$name")" ]
	_t_check $? "${*:-$_t_last: no $name header}"
}

expect_json() {
	printf '%s' "$BODY" | jq -e . >/dev/null 2>&1
	_t_check $? "${*:-$_t_last: body is JSON}"
}

expect_json_field() {
	local filter=$1 want=$2 got
	shift 2
	got=$(printf '%s' "$BODY" | jq -r "$filter" 2>/dev/null)
	[ "$got" = "$want" ]
	_t_check $? "${*:-$_t_last: $filter = $want}" || diag "$filter: '$got'"
}

expect_body() {
	local re=$1
	shift
	printf '%s' "$BODY" | grep -qE -- "$re"
	_t_check $? "${*:-$_t_last: body matches /$re/}"
}

expect_body_not() {
	local re=$1
	shift
	! printf '%s' "$BODY" | grep -qiE -- "$re"
	_t_check $? "${*:-$_t_last: body does not match /$re/}"
}

# ------------------------------------------------------------------ database

sql() {
	local q=$1
	shift
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" -c "$q" "$@"
}

# derive_queued: the Worksome hire deliveries the workers queued, derived
# now (sql/code/46-worksome_hire_fold.sql), as a worker's own fold does
# within a second; waits for a fold in progress. Quiet, and harmless
# when the database is away (the test after it says what is missing).
derive_queued() {
	sql "SELECT workhooks.worksome_hire_fold(true)" >/dev/null 2>&1 || true
}

# hold_fold_lock KEY SECONDS: another session holds a fold's advisory lock
# (KEY: sql/code/71-worker_timeline_fold.sql's or 46-worksome_hire_fold
# .sql's) for SECONDS, so that no worker's fold runs meanwhile; returns
# once it is held, the session's PID in HOLDER (wait for it).
hold_fold_lock() {
	psql -X -q -d "$DB_CONNINFO" -c "SELECT pg_advisory_lock($1); SELECT pg_sleep($2)" >/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 50); do
		[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND ((classid::bigint << 32) | objid::bigint) = $1")" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

sql_ro() {
	local q=$1
	shift
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$RO_CONNINFO" -c "$q" "$@"
}

# ------------------------------------------------------------------ signatures

# ue_now [OFFSET]: the current UTC time (+ OFFSET seconds), to the second.
ue_now() { date -u -d "@$(($(date -u +%s) + ${1:-0}))" +%Y-%m-%dT%H:%M:%SZ; }

# ue_sign TIMESTAMP [SECRET] [hmac|concat]: the Authorization header value.
ue_sign() {
	local ts=$1 secret=${2:-$UE_SECRET} how=${3:-hmac} hex
	case $how in
	hmac) hex=$(printf '%s' "$ts" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -r) ;;
	concat) hex=$(printf '%s%s' "$ts" "$secret" | openssl dgst -sha256 -r) ;;
	*) echo "ue_sign: unknown construction $how" >&2; return 1 ;;
	esac
	printf 'hmac %s\n' "${hex%% *}"
}

# ws_sign FILE [SECRET]: the Signature header value for a body file.
ws_sign() {
	local hex
	hex=$(openssl dgst -sha256 -mac HMAC -macopt "key:${2:-$WS_SECRET}" -r <"$1")
	printf '%s\n' "${hex%% *}"
}

# ue_req METHOD URL [curl args...]: req with a fresh, correct updatedge
# Timestamp and Authorization.
ue_req() {
	local m=$1 u=$2 ts
	shift 2
	ts=$(ue_now)
	req "$m" "$u" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" "$@"
}

# ------------------------------------------------------------------ stack

have_bin() { [ -x "$BIN/$1" ]; }

# worker_kill NAME [SIGNAL]: kill one of NAME's workers on purpose (to test
# supervision). script/test fails the run for every worker death in a log
# that was not announced this way.
worker_kill() {
	local pid
	pid=$(worker_pids "$1" | head -n 1)
	[ -n "$pid" ] || return 1
	echo "$1" >>"$WH_STATE/deliberate-kills"
	kill -s "${2:-KILL}" "$pid"
}
