#!/usr/bin/env bash
# Batched stores (README "Batched stores", store_batch): a worker that
# finds connections waiting when a request is ready to be stored takes them
# too and stores every ready one with one statement; each request still
# gets its own answer. One worker on its own socket (not the shared
# pools), fed by cgi-fcgi; a table lock held by psql makes the requests
# queue behind the first, so the batch is certain, not a race.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

name=updatedge-timeline-changed
if ! have_bin "$name"; then
	skip "$name not built"
	done_testing
fi

sock=$WH_RUN/batch-test.sock
conf=$WH_RUN/batch-test.conf	# the workers' user reads it
wlog=$_t_tmp/worker.log
tag=batch-$$-$RANDOM
body() { printf '{"workerId":"%s","periodStart":"2021-05-01T09:00:00Z","periodEnd":"2021-05-01T17:00:00Z","completedAt":"2021-04-30T10:00:00Z"}' "$1"; }

# start_worker [CONFIG LINE...]: one worker of $wbin (no multiwatch) on
# $sock with the suite's configuration and these lines after it; sets WPID.
wbin=$name
start_worker() {
	local opts=(-n -s "$sock" -M 0666) env=() l
	{
		cat "$WORKHOOKS_CONFIG"
		for l in "$@"; do echo "$l"; done
	} >"$conf"
	chmod 0644 "$conf"
	rm -f "$sock"
	mapfile -t env < <(WH_CONFIG=$conf wh_worker_env)
	wh_is_root && opts+=(-u "$WH_RUN_USER" -g "$WH_RUN_GROUP")
	setsid env -i "${env[@]}" spawn-fcgi "${opts[@]}" -- "$WH_BIN/$wbin" \
		</dev/null >>"$wlog" 2>&1 &
	WPID=$!
	for _ in $(seq 100); do [ -S "$sock" ] && grep -q '^SigCgt:.*[1-9a-f]' "/proc/$WPID/status" 2>/dev/null && break; sleep 0.1; done
	sleep 0.2
	kill -0 "$WPID" 2>/dev/null
	_t_check $? "a worker on its own socket${1:+ with $*}" || diag "$(tail -n 5 "$wlog")"
}
stop_worker() {
	kill -TERM "$WPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
}

# send OUT BODY [AUTHORIZATION]: one signed POST straight to the worker, in
# the background; the CGI answer lands in OUT.
send() {
	local out=$1 b=$2 ts auth
	ts=$(ue_now)
	auth=${3:-$(ue_sign "$ts")}
	printf '%s' "$b" | env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
		SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 REQUEST_METHOD=POST \
		REQUEST_URI=/updatedge/events/timelineChanged CONTENT_TYPE=application/json \
		CONTENT_LENGTH=${#b} HTTP_TIMESTAMP="$ts" HTTP_AUTHORIZATION="$auth" \
		timeout 30 cgi-fcgi -bind -connect "$sock" >"$out" 2>&1 &
}

# hold SECONDS [TABLE]: lock TABLE (worker_timeline_pending: every
# timelineChanged store writes it) for SECONDS in the background, once the
# lock is held; sets HOLDER.
hold() {
	local t=${2:-worker_timeline_pending}
	psql -X -q -d "$DB_CONNINFO" -c "BEGIN; LOCK TABLE workhooks.$t IN EXCLUSIVE MODE; SELECT pg_sleep($1); COMMIT" >/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 50); do
		[ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '$t' AND l.mode = 'ExclusiveLock' AND l.granted")" -ge 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# status OUT: the HTTP status of a CGI answer (200 when no Status line).
status() { _t_parse_cgi "$1"; echo "$STATUS"; }

# answered OUT...: wait (10 s at most) until every answer file has its answer.
answered() {
	for _ in $(seq 100); do
		[ "$(grep -c . "$@" 2>/dev/null | grep -c ':0$')" = 0 ] && return 0
		sleep 0.1
	done
}

# all_200 TEXT NAME...: one check that each answer $_t_tmp/NAME is 200.
all_200() {
	local text=$1 f bad=0
	shift
	for f in "$@"; do
		[ "$(status "$_t_tmp/$f")" = 200 ] || { bad=1; diag "$f: $(cat "$_t_tmp/$f")"; }
	done
	_t_check $bad "$text"
}

# 1. Twelve requests queue behind a first one that waits for the lock: the
# first is stored alone, the rest in one batch. Among them a body sent
# twice (the second a repeat of the first, in the same statement), one
# with a bad signature (401) and one with a bad field (400): each has its
# own answer and the batch goes on around them.
start_worker
hold 2
_t_check $? "batch: worker_timeline_pending locked"
send "$_t_tmp/first" "$(body "$tag-first")"
sleep 0.3
for i in $(seq 9); do send "$_t_tmp/new-$i" "$(body "$tag-$i")"; done
send "$_t_tmp/dup-a" "$(body "$tag-twice")"
sleep 0.1
send "$_t_tmp/dup-b" "$(body "$tag-twice")"
send "$_t_tmp/unsigned" "$(body "$tag-unsigned")" "hmac 00"
send "$_t_tmp/invalid" '{"workerId":"'"$tag"'-invalid","periodStart":"2021-05-01T19:00:00Z","periodEnd":"2021-05-01T17:00:00Z","completedAt":"2021-04-30T10:00:00Z"}'
wait "$HOLDER"
answered "$_t_tmp"/first "$_t_tmp"/new-* "$_t_tmp"/dup-* "$_t_tmp"/unsigned "$_t_tmp"/invalid
sleep 0.3
all_200 "batch: the first and the 11 queued valid deliveries -> 200 each" \
	first new-1 new-2 new-3 new-4 new-5 new-6 new-7 new-8 new-9 dup-a dup-b
is "$(status "$_t_tmp/unsigned")" 401 "batch: a bad signature among them -> 401"
is "$(status "$_t_tmp/invalid")" 400 "batch: periodEnd before periodStart among them -> 400"
_t_parse_cgi "$_t_tmp/dup-a"
da=$(jq -r '"\(.delivery) \(.duplicate)"' <<<"$BODY" 2>/dev/null)
_t_parse_cgi "$_t_tmp/dup-b"
db=$(jq -r '"\(.delivery) \(.duplicate)"' <<<"$BODY" 2>/dev/null)
is "$(printf '%s\n%s\n' "$da" "$db" | sort -k2 | tr '\n' ' ')" "${da% *} false ${da% *} true " \
	"batch: the same body twice in one batch: one delivery, once new and once a repeat"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE '$tag-%'")" 11 \
	"batch: 11 timeline changes committed (the repeat and the refused ones derive none)"
is "$(sql "SELECT times_received FROM workhooks.delivery WHERE id = ${da%% *}")" 2 \
	"batch: the delivery sent twice counts 2"
ids=$(for f in first new-1 new-2 new-3 new-4 new-5 new-6 new-7 new-8 new-9 dup-a; do _t_parse_cgi "$_t_tmp/$f"; jq -r .delivery <<<"$BODY"; done | sort -un | wc -l)
is "$ids" 11 "batch: 11 distinct delivery ids answered"
is "$(sql "SELECT count(*) FROM workhooks.worker_timeline_latest WHERE worker_id LIKE '$tag-%'")" 11 \
	"batch: the per-worker summary has each of the 11 workers"
big=$(sed -n 's/.* batch=\([0-9]*\)$/\1/p' "$wlog" | sort -n | tail -n 1)
_t_check $((!(${big:-0} >= 2))) "batch: the log shows a store statement that took ${big:-no} deliveries (>= 2)" ||
	diag "$(tail -n 20 "$wlog")"
_t_parse_cgi "$_t_tmp/new-5"
like "$(grep -F " delivery=$(jq -r .delivery <<<"$BODY") " "$wlog" | tail -n 1)" \
	'status=200 .* reason="[^"]*" batch=[0-9]+$' "batch: each request's own log line, with its batch size"
stop_worker

# 2. One delivery in the batch fails for its data (a constraint added for
# the test refuses its worker): the batch is stored again one by one, the
# bad one gets 500 and the others are committed and 200.
sql "ALTER TABLE workhooks.timeline_change ADD CONSTRAINT batch_test_refuse CHECK (worker_id <> '$tag-refused') NOT VALID" >/dev/null
start_worker
hold 1.5
send "$_t_tmp/r-first" "$(body "$tag-r-first")"
sleep 0.3
for i in 1 2 3; do send "$_t_tmp/r-$i" "$(body "$tag-r-$i")"; done
send "$_t_tmp/r-bad" "$(body "$tag-refused")"
for i in 4 5; do send "$_t_tmp/r-$i" "$(body "$tag-r-$i")"; done
wait "$HOLDER"
answered "$_t_tmp"/r-*
all_200 "batch refused for one delivery's data: the other six -> 200" \
	r-first r-1 r-2 r-3 r-4 r-5
is "$(status "$_t_tmp/r-bad")" 500 "batch refused for one delivery's data: that one -> 500"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE '$tag-r-%'")" 6 \
	"batch refused for one delivery's data: the others committed once each"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE body LIKE '%$tag-refused%'")" 0 \
	"batch refused for one delivery's data: the refused one is not stored"
grep -q 'a batch of [0-9]* deliveries was refused, storing them one by one' "$wlog"
_t_check $? "batch refused for one delivery's data: the fallback is logged"
stop_worker
sql "ALTER TABLE workhooks.timeline_change DROP CONSTRAINT batch_test_refuse" >/dev/null

# 3. The database cannot take the batch (lock_timeout while the lock is
# held): every request in it -> 503 with Retry-After, nothing committed;
# sent again, each is new.
start_worker 'lock_timeout = 300ms'
hold 2.5
send "$_t_tmp/u-first" "$(body "$tag-u-first")"
sleep 0.1
for i in 1 2 3 4; do send "$_t_tmp/u-$i" "$(body "$tag-u-$i")"; done
answered "$_t_tmp"/u-*
bad=0
for f in u-first u-1 u-2 u-3 u-4; do
	_t_parse_cgi "$_t_tmp/$f"
	{ [ "$STATUS" = 503 ] && grep -qi '^Retry-After: [0-9]' <<<"$HEADERS"; } || { bad=1; diag "$f: $(cat "$_t_tmp/$f")"; }
done
_t_check $bad "batch the database cannot take: every request -> 503 with Retry-After"
wait "$HOLDER"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE body LIKE '%$tag-u-%'")" 0 \
	"batch the database cannot take: nothing of it committed"
bad=0
for f in u-first u-1 u-2 u-3 u-4; do
	send "$_t_tmp/again-$f" "$(body "$tag-${f}")"
	wait $!
	_t_parse_cgi "$_t_tmp/again-$f"
	[ "$STATUS" = 200 ] && [ "$(jq -r .duplicate <<<"$BODY")" = false ] || { bad=1; diag "$f again: $(cat "$_t_tmp/again-$f")"; }
done
_t_check $bad "batch the database cannot take: sent again, each -> 200, new"
stop_worker

# 3b. A batch rolled back for a deadlock (SQLSTATE 40P01, raised here by a
# test trigger for any statement that inserts more than one of this
# test's changes, as the deadlock detector would abort one of two
# batches): stored again one by one, every request 200, each once.
sql "CREATE OR REPLACE FUNCTION public.batch_test_deadlock() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF (SELECT count(*) FROM new_rows WHERE worker_id LIKE '$tag-d-%') > 1 THEN
		RAISE EXCEPTION 'deadlock detected (test)' USING ERRCODE = '40P01';
	END IF;
	RETURN NULL;
END \$\$;
CREATE TRIGGER batch_test_deadlock AFTER INSERT ON workhooks.timeline_change
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.batch_test_deadlock()" >/dev/null
start_worker
hold 1.5
send "$_t_tmp/d-first" "$(body "$tag-d-first")"
sleep 0.3
for i in 1 2 3 4; do send "$_t_tmp/d-$i" "$(body "$tag-d-$i")"; done
wait "$HOLDER"
answered "$_t_tmp"/d-*
all_200 "batch rolled back for a deadlock: stored one by one, every request -> 200" \
	d-first d-1 d-2 d-3 d-4
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE '$tag-d-%'")" 5 \
	"batch rolled back for a deadlock: each delivery committed once"
grep -q 'a batch of [0-9]* deliveries was refused, storing them one by one: .*deadlock detected (test)' "$wlog"
_t_check $? "batch rolled back for a deadlock: the fallback is logged"
stop_worker
sql "DROP TRIGGER batch_test_deadlock ON workhooks.timeline_change; DROP FUNCTION public.batch_test_deadlock()" >/dev/null

# 4. store_batch = 1: the same queue is stored one delivery per statement.
: >"$wlog"
start_worker 'store_batch = 1'
hold 1
send "$_t_tmp/o-first" "$(body "$tag-o-first")"
sleep 0.3
for i in 1 2 3 4 5; do send "$_t_tmp/o-$i" "$(body "$tag-o-$i")"; done
wait "$HOLDER"
answered "$_t_tmp"/o-*
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id LIKE '$tag-o-%'")" 6 \
	"store_batch = 1: the six deliveries committed"
is "$(sed -n 's/.* batch=\([0-9-]*\)$/\1/p' "$wlog" | sort -u | tr '\n' ' ')" "1 " \
	"store_batch = 1: every store statement took one delivery"
stop_worker

# 5. Worksome hire events (store_worksome_hire_many): a batch of distinct
# hires, workers and trusted contacts, one of them a new version of a
# hire stored just before, and a batch where two deliveries share a
# worker and two are versions of one hire, are stored as batches and
# queued; the fold (46-worksome_hire_fold.sql) derives them in rounds of
# distinct hires, workers and trusted contacts. The rows are those of one
# delivery at a time: rederive(), which applies every stored Worksome
# delivery alone in id order, makes exactly them again from empty tables
# (in a transaction rolled back).
wbin=worksome
# wbody HIRE WORKER TRUSTED_CONTACT: a hireUpdated body, new every time.
wbody() {
	jq -c --arg h "$tag-$1" --arg w "$tag-$2" --arg t "$tag-$3" --arg n "$RANDOM$RANDOM" '
		.data.contract.id = $h | .data.contract.purchaseOrderNumber = $n
		| .data.contract.jobOwners = [{id: "o1", name: "Owner", email: ($h + "-owner@example.com")}]
		| .data.worker.id = $w | .data.worker.email = ($w + "@example.com")
		| .data.trustedContact.id = $t' "$VECTORS/worksome-hireUpdated.json" | tr -d '\n'
}
# send_ws OUT BODY: one signed POST /worksome straight to the worker.
send_ws() {
	local f=$1.body
	printf '%s' "$2" >"$f"
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
		SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 REQUEST_METHOD=POST \
		REQUEST_URI=/worksome CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c <"$f")" HTTP_SIGNATURE="$(ws_sign "$f")" \
		timeout 30 cgi-fcgi -bind -connect "$sock" <"$f" >"$1" 2>&1 &
}
ws_derived="worksome_worker worksome_trusted_contact worksome_hire_version worksome_job_owner
worksome_custom_field_value worksome_hire worksome_relationship"
if have_bin "$wbin"; then
	: >"$wlog"
	start_worker
	hold 1.5 worksome_hire_pending
	send_ws "$_t_tmp/wa-first" "$(wbody h1 w1 t1)"
	sleep 0.3
	send_ws "$_t_tmp/wa-1" "$(wbody h1 w1 t1)"
	for i in 2 3 4 5; do send_ws "$_t_tmp/wa-$i" "$(wbody "h$i" "w$i" "t$i")"; done
	wait "$HOLDER"
	answered "$_t_tmp"/wa-first "$_t_tmp"/wa-[0-9]
	all_200 "Worksome batch of distinct hires: every request -> 200" wa-first wa-1 wa-2 wa-3 wa-4 wa-5
	hold 1.5 worksome_hire_pending
	send_ws "$_t_tmp/wb-first" "$(wbody h6 w6 t6)"
	sleep 0.3
	send_ws "$_t_tmp/wb-1" "$(wbody h6 w6 t6)"
	send_ws "$_t_tmp/wb-2" "$(wbody h7 w6 t7)"
	send_ws "$_t_tmp/wb-3" "$(wbody h7 w7 t7)"
	send_ws "$_t_tmp/wb-4" "$(wbody h2 w2 t2)"
	wait "$HOLDER"
	answered "$_t_tmp"/wb-first "$_t_tmp"/wb-[0-9]
	all_200 "Worksome batch sharing a worker and a hire: every request -> 200" wb-first wb-1 wb-2 wb-3 wb-4
	stop_worker
	n=$(sed -n 's/.* status=200 .* batch=\([0-9]*\)$/\1/p' "$wlog" | awk '$1 >= 4 { n++ } END { print n + 0 }')
	_t_check $((!(n >= 8))) "Worksome: both queues stored as batches of 4 or more ($n requests)" ||
		diag "$(tail -n 12 "$wlog")"
	! grep -q 'was refused' "$wlog"
	_t_check $? "Worksome: neither batch fell back to one by one" || diag "$(grep 'was refused' "$wlog")"
	derive_queued
	is "$(sql "SELECT count(*) FROM workhooks.worksome_hire_pending")" 0 \
		"Worksome batches: the fold emptied the queue"
	is "$(sql "SELECT string_agg(hire_key || ':' || versions, ' ' ORDER BY hire_key) FROM workhooks.worksome_hire WHERE hire_key LIKE '$tag-%'")" \
		"$tag-h1:2 $tag-h2:2 $tag-h3:1 $tag-h4:1 $tag-h5:1 $tag-h6:2 $tag-h7:2" \
		"Worksome batches: each hire counts its versions"
	is "$(sql "SELECT count(*) FROM workhooks.worksome_relationship WHERE hire_key LIKE '$tag-%'")" 7 \
		"Worksome batches: one relationship per hire (its job owner)"
	# The latest version is the higher delivery id (a batch numbers its
	# deliveries in the ledger's order, not in the order they came).
	is "$(sql "SELECT r.worker_email_key || ' ' || (r.worker_email_key = (SELECT v.worker_email FROM workhooks.worksome_hire_version AS v
		WHERE v.hire_key = r.hire_key ORDER BY v.delivery_id DESC LIMIT 1)) FROM workhooks.worksome_relationship AS r WHERE r.hire_key = '$tag-h7'")" \
		"$(sql "SELECT worker_email FROM workhooks.worksome_hire_version WHERE hire_key = '$tag-h7' ORDER BY delivery_id DESC LIMIT 1") true" \
		"Worksome batches: a hire's relationship is of its latest version"
	q="BEGIN;"
	for t in $ws_derived; do
		q="$q CREATE TEMP TABLE snap_$t ON COMMIT DROP AS TABLE workhooks.$t;"
	done
	q="$q TRUNCATE $(printf 'workhooks.%s, ' $ws_derived | sed -e 's/, $//');"
	q="$q SELECT 'applied ' || workhooks.rederive(source => 'worksome');"
	for t in $ws_derived; do
		q="$q SELECT '$t ' || (SELECT count(*) FROM ((TABLE snap_$t EXCEPT ALL TABLE workhooks.$t)
			UNION ALL (TABLE workhooks.$t EXCEPT ALL TABLE snap_$t)) AS x);"
	done
	out=$(sql "$q ROLLBACK;" 2>&1)
	is "$(grep -c ' 0$' <<<"$out")" 7 \
		"Worksome batches: the rows are those of one delivery at a time (rederive makes them again)" ||
		diag "$out"

	# 5b. The plans of the store and of the fold that derives what it
	# queued hold whatever the statistics they were made with: in one
	# session (rolled back), eight stores, each folded, on emptied tables
	# make the plans the session keeps (PostgreSQL keeps a generic plan
	# after five executions); 2,000 hires are stored and folded behind
	# them; the next store's and fold's statements (auto_explain, nested
	# statements and foreign-key checks included) scan no Worksome table
	# whole and hash none, the queue aside (a queue has no index: it is
	# read whole by design). Without enable_seqscan off and the per-hire
	# lookups (19-record_deliveries.sql, 46-derive_worksome_hire.sql)
	# the checks scanned the versions whole.
	store="workhooks.store_worksome_hire_many('worksome', array_fill('hireUpdated'::text, ARRAY[n]),
		b.body, b.sha, array_fill(NULL::text, ARRAY[n]), array_fill('t'::text, ARRAY[n]),
		array_fill(NULL::text, ARRAY[n]), array_fill(NULL::text, ARRAY[n]), array_fill(NULL::text, ARRAY[n]),
		array_fill(NULL::text, ARRAY[n]), b.k, array_fill('2023-11-20'::text, ARRAY[n]),
		array_fill('2024-02-20'::text, ARRAY[n]), array_fill('2024-11-19 10:41:34'::text, ARRAY[n]),
		array_fill('550'::text, ARRAY[n]), b.k, b.k)"
	bodies="SELECT array_agg(x.b ORDER BY i) AS body, array_agg(sha256(convert_to(x.b, 'UTF8'))::text ORDER BY i) AS sha,
		array_agg(x.k ORDER BY i) AS k FROM (SELECT i, '$tag-p' || i || '-' || s AS k,
		replace(replace(replace(replace(t, 'Q29udHJhY3Q6MTIzNA==', '$tag-p' || i || '-' || s), 'V29ya2VyOjIzNDU2', '$tag-p' || i || '-' || s),
		'VHJ1c3RlZENvbnRhY3Q6MzA=', '$tag-p' || i || '-' || s), 'BA-1234-5678', '$tag-p' || i || '-' || s) AS b
		FROM generate_series(1, n) AS i) AS x"
	tmpl=$(jq -c . "$VECTORS/worksome-hireUpdated.json" | sed "s/'/''/g")
	out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" 2>&1 <<-SQL
		BEGIN;
		TRUNCATE $(printf 'workhooks.%s, ' $ws_derived | sed -e 's/, $//');
		CREATE TEMP TABLE p_tmpl ON COMMIT DROP AS SELECT '$tmpl'::text AS t;
$(for i in 1 2 3 4 5 6 7 8; do echo "		SELECT count(*) FROM p_tmpl, LATERAL (SELECT 4 AS n, 'a$i' AS s) AS c, LATERAL ($bodies) AS b, LATERAL $store AS r;
		SELECT workhooks.worksome_hire_fold(true);"; done)
		SELECT count(*) FROM p_tmpl, LATERAL (SELECT 2000 AS n, 'b' AS s) AS c, LATERAL ($bodies) AS b, LATERAL $store AS r;
		SELECT workhooks.worksome_hire_fold(true);
		LOAD 'auto_explain';
		SET auto_explain.log_min_duration = 0;
		SET auto_explain.log_nested_statements = on;
		SET client_min_messages = log;
		SELECT count(*) FROM p_tmpl, LATERAL (SELECT 4 AS n, 'c' AS s) AS c, LATERAL ($bodies) AS b, LATERAL $store AS r;
		SELECT workhooks.worksome_hire_fold(true);
		ROLLBACK;
	SQL
	)
	_t_check $((!$(grep -c 'Query Text: INSERT INTO workhooks.worksome_relationship' <<<"$out"))) \
		"Worksome plans: the store's statements were explained" || diag "$(tail -n 20 <<<"$out")"
	# A table scanned whole: a Seq Scan, or an index scan without a
	# condition (what a hash join over an empty table's plan does).
	bad=$(awk '/Seq Scan on worksome_hire_pending/ { next }
		/Seq Scan on (worksome_|delivery)/ { print; next }
		/Index (Only )?Scan (Backward )?using .* on (worksome_|delivery)/ { held = $0; look = 2; next }
		look > 0 { if (/Index Cond/) look = 0; else if (--look == 0) print held }' <<<"$out")
	is "$bad" "" "Worksome plans made on empty tables: no statement of a later store or fold scans a table whole"
fi

# 6. Closing (README "How it is built"): a request read whole, up to the record
# that ends its input, is closed at once, without waiting for the web
# server to close its side first (libfcgi's way, up to 2 s, the worker
# idle). A client that reads its answer and keeps its end open must not
# hold the worker: a second client's answer comes before libfcgi's 2 s.
# A request whose body is left unread (413) still gets its answer whole.
wbin=updatedge-timeline-changed
start_worker 'body_limit = 4096'
ts=$(ue_now)
out=$(FC_SOCK=$sock FC_TS=$ts FC_AUTH=$(ue_sign "$ts") FC_BODY_A="$(body "$tag-open-a")" \
	FC_BODY_B="$(body "$tag-open-b")" timeout 20 perl -e '
	use strict; use warnings; use IO::Socket::UNIX; use Time::HiRes qw(time);
	sub rec { my ($t, $c) = @_; pack("CCnnCC", 1, $t, 1, length $c, 0, 0) . $c }
	sub nv { my ($n, $v) = @_; my $l = sub { $_[0] < 128 ? pack("C", $_[0]) : pack("N", $_[0] | 0x80000000) };
		$l->(length $n) . $l->(length $v) . $n . $v }
	sub request { my ($body) = @_;
		my %p = (GATEWAY_INTERFACE => "CGI/1.1", SERVER_PROTOCOL => "HTTP/1.1",
			REMOTE_ADDR => "127.0.0.1", REQUEST_METHOD => "POST",
			REQUEST_URI => "/updatedge/events/timelineChanged",
			CONTENT_TYPE => "application/json", CONTENT_LENGTH => length $body,
			HTTP_TIMESTAMP => $ENV{FC_TS}, HTTP_AUTHORIZATION => $ENV{FC_AUTH});
		my $s = IO::Socket::UNIX->new(Peer => $ENV{FC_SOCK}) or die "connect: $!";
		my $x = rec(1, pack("nCx5", 1, 0)) . rec(4, join "", map { nv($_, $p{$_}) } sort keys %p) . rec(4, "");
		for (my $i = 0; $i < length $body; $i += 32768) { $x .= rec(5, substr($body, $i, 32768)) }
		print $s $x . rec(5, ""); $s->flush; return $s }
	# The answer: the status, once the end-request record is in.
	sub answer { my ($s) = @_; my ($out, $buf) = ("", "");
		while (1) { while (length $buf >= 8) { my ($v, $t, $id, $cl, $pl) = unpack("CCnnC", $buf);
				last if length $buf < 8 + $cl + $pl; my $c = substr($buf, 8, $cl);
				$buf = substr($buf, 8 + $cl + $pl);
				return $out =~ /^Status: (\d+)/m ? $1 : 200 if $t == 3; $out .= $c if $t == 6 }
			sysread($s, $buf, 65536, length $buf) or return "none" } }
	my $a = request($ENV{FC_BODY_A}); my $sa = answer($a);	# and $a stays open
	my $t0 = time; my $b = request($ENV{FC_BODY_B}); my $sb = answer($b);
	printf "a=%s b=%s b_ms=%d", $sa, $sb, (time - $t0) * 1000; close $b;
	my $c = request("{" . ("x" x 60000) . "}"); printf " big=%s", answer($c);
	close $a; close $c' 2>&1)
b_ms=$(sed -n 's/.* b_ms=\([0-9]*\).*/\1/p' <<<"$out")
is "$(sed 's/ b_ms=[0-9]*//' <<<"$out")" "a=200 b=200 big=413" \
	"closing: two stores answered 200 and a body over body_limit 413, its body unread" || diag "$out: $(tail -n 3 "$wlog")"
[ -n "$b_ms" ] && [ "$b_ms" -lt 1000 ]
_t_check $? "closing: a client keeping its end open does not hold the worker (the next answer in ${b_ms:-?} ms, under 1000)"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id IN ('$tag-open-a', '$tag-open-b')")" 2 \
	"closing: both deliveries committed"
stop_worker

done_testing
