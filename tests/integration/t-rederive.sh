#!/usr/bin/env bash
# t-rederive: workhooks.rederive(source, endpoint, since) (README
# "Re-derive after a fix", issue 9 "Re-derive").  Deliveries for every
# storing endpoint and every Worksome event are sent over HTTP; then, in
# one transaction rolled back at the end: every derived table is copied,
# emptied, re-derived from the stored bodies (through the module
# workhooks.so, the endpoints' own C field tables), and compared with the
# copy row by row (EXCEPT ALL both ways, every column); a second run
# changes nothing; the filters select what they say.  Then: a body the
# rules now refuse stops rederive with an error naming the delivery, and
# without the module migrate still succeeds and rederive says what is
# missing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

UE=$BASE_URL/updatedge
WS=$BASE_URL/worksome
run=rd$$x$RANDOM

# The derived tables (README "Data"): what rederive makes again.
derived="timeline_change worker_timeline offer_response offer_event_deleted worker_contact
worksome_worker worksome_trusted_contact worksome_hire_version worksome_job_owner
worksome_custom_field_value worksome_hire worksome_relationship"

post() { ue_req POST "$UE/$1" -H 'Content-Type: application/json' --data-binary "@$2"; }
ws_post() {
	req POST "$WS" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$1")" --data-binary "@$1"
	derive_queued
}
# jqf NAME FILTER FILE: a run-unique body made from a vector.
jqf() {
	jq -c --arg r "$run" "$2" "$3" | tr -d '\n' >"$_t_tmp/$1.json"
	printf '%s\n' "$_t_tmp/$1.json"
}

t0=$(sql "SELECT now()")
first=$(sql "SELECT coalesce(max(id), 0) + 1 FROM workhooks.delivery")

# ------------------------------------------------------------ updatedge
for v in updatedge-timelineChanged updatedge-timelineChanged-offer; do
	post events/timelineChanged "$(jqf "$v" '.workerId = $r + "-w1"' "$VECTORS/$v.json")"
	expect_status 200 "timelineChanged ($v) stored"
done
acc=$(jqf acc '.workerId = $r + "-w1"' "$VECTORS/updatedge-offer-response.json")
post offer/response "$acc"
expect_status 200 "offer/response accepted stored"
post offer/response "$(jqf rej '.workerId = $r + "-w1" | .response = "rejected"' "$VECTORS/updatedge-offer-response.json")"
expect_status 200 "offer/response rejected stored"
post offer/response "$acc"
expect_json_field '.duplicate' true "offer/response accepted again: a repeat (moves last_received_at)"
post offer/eventDeleted "$(jqf del '.workerId = $r + "-w1"' "$VECTORS/updatedge-offer-eventDeleted.json")"
expect_status 200 "offer/eventDeleted stored"
for i in 1 2 3; do ue_req GET "$UE/contact/new/$run-c1"; done
expect_json_field '.duplicate' true "contact/new three times: one delivery, counted"

# ------------------------------------------------------------ Worksome
# One hire through every hire event (versions, current state, job owners
# and so relationships), its worker again in trustedContactUpdated's
# reduced form, and an event the endpoint does not know.
hire='.data.contract.id = $r + "-h1" | .data.worker.id = $r + "-ww1"
	| .data.worker.email = $r + "-worker@example.com"
	| .data.trustedContact.id = $r + "-tc1"
	| .data.contract.jobOwners = [{"id": "o1", "name": "Olivia", "email": ($r + "-owner@example.com")}]'
n=0
for ev in hireUpdated contractAccepted hireEnded hireCancelled hireTerminated; do
	n=$((n + 1))
	f=$(jqf "ws-$ev" "$hire | .event = \"$ev\" | .data.contract.rate = \"$((500 + n)).25\"
		| (if \"$ev\" == \"hireCancelled\" then .data.cancelReason = {\"reason\": \"budget\"} else . end)
		| (if \"$ev\" == \"hireTerminated\" then .data.terminatedReason = \"ended early\" | .data.contract.status = \"terminated\" else . end)" \
		"$VECTORS/worksome-hireUpdated.json")
	ws_post "$f"
	expect_status 200 "Worksome $ev stored"
	[ "$ev" = contractAccepted ] && tmid=$(sql "SELECT now()")
done
ws_post "$(jqf ws-tc '.data.worker.id = $r + "-ww1" | .data.trustedContact.id = $r + "-tc1"' \
	"$VECTORS/worksome-trustedContactUpdated.json")"
expect_status 200 "Worksome trustedContactUpdated stored"
ws_post "$(jqf ws-raw '.data.x = $r' "$VECTORS/worksome-unknown-event.json")"
expect_status 200 "Worksome unknown event stored (the delivery only)"
is "$(sql "SELECT count(DISTINCT coalesce(event, endpoint)) FROM workhooks.delivery WHERE id >= $first")" 11 \
	"deliveries of 4 updatedge endpoints and 7 Worksome events were stored"

# ------------------------------------------------------------ rederive
# How many deliveries rederive should apply for a filter: every stored
# one that derives rows (not an unknown Worksome event).
derivable="(source = 'updatedge' OR event IN ('contractAccepted', 'hireUpdated', 'hireEnded',
	'hireCancelled', 'hireTerminated', 'trustedContactUpdated'))"
want_all=$(sql "SELECT count(*) FROM workhooks.delivery WHERE $derivable")
want_ue=$(sql "SELECT count(*) FROM workhooks.delivery WHERE source = 'updatedge' AND $derivable")
want_tl=$(sql "SELECT count(*) FROM workhooks.delivery WHERE endpoint = 'events/timelineChanged'")
want_since=$(sql "SELECT count(*) FROM workhooks.delivery WHERE received_at >= '$t0' AND $derivable")
want_later=$(sql "SELECT count(*) FROM workhooks.delivery WHERE received_at >= '$tmid' AND $derivable")
want_ws_since=$(sql "SELECT count(*) FROM workhooks.delivery WHERE source = 'worksome' AND received_at >= '$t0' AND $derivable")

{
	echo "BEGIN;"
	# The summary as the copy: with the workers' queued timeline changes
	# folded in (rederive() folds what it queues).
	echo "SELECT workhooks.worker_timeline_fold(true) >= 0;"
	for t in $derived suggestion_entry; do
		echo "CREATE TEMP TABLE snap_$t ON COMMIT DROP AS TABLE workhooks.$t;"
	done
	echo "TRUNCATE $(for t in $derived; do printf 'workhooks.%s, ' "$t"; done | sed -e 's/, $//');"
	echo "SELECT 'count|all|' || workhooks.rederive();"
	for t in $derived suggestion_entry; do
		echo "SELECT 'diff|$t|' || (SELECT count(*) FROM ((TABLE snap_$t EXCEPT ALL TABLE workhooks.$t)
			UNION ALL (TABLE workhooks.$t EXCEPT ALL TABLE snap_$t)) AS x)
			|| '|' || (SELECT count(*) FROM snap_$t);"
	done
	# A second run over what the first made: nothing changes.
	for t in $derived; do
		echo "CREATE TEMP TABLE once_$t ON COMMIT DROP AS TABLE workhooks.$t;"
	done
	echo "SELECT 'count|again|' || workhooks.rederive();"
	for t in $derived; do
		echo "SELECT 'twice|$t|' || (SELECT count(*) FROM ((TABLE once_$t EXCEPT ALL TABLE workhooks.$t)
			UNION ALL (TABLE workhooks.$t EXCEPT ALL TABLE once_$t)) AS x);"
	done
	echo "SELECT 'count|updatedge|' || workhooks.rederive(source => 'updatedge');"
	echo "SELECT 'count|timeline|' || workhooks.rederive(endpoint => 'events/timelineChanged');"
	echo "SELECT 'count|since|' || workhooks.rederive(since => '$t0');"
	echo "SELECT 'count|worksome-since|' || workhooks.rederive('worksome', 'worksome', '$t0');"
	echo "SELECT 'count|none|' || workhooks.rederive(endpoint => 'no/such/endpoint');"
	for t in $derived; do
		echo "SELECT 'filtered|$t|' || (SELECT count(*) FROM ((TABLE snap_$t EXCEPT ALL TABLE workhooks.$t)
			UNION ALL (TABLE workhooks.$t EXCEPT ALL TABLE snap_$t)) AS x);"
	done
	# Out of order: the later half first, then everything (the earlier
	# deliveries applied after later ones, as Worksome may deliver them).
	echo "TRUNCATE $(for t in $derived; do printf 'workhooks.%s, ' "$t"; done | sed -e 's/, $//');"
	echo "SELECT 'count|later|' || workhooks.rederive(since => '$tmid');"
	echo "SELECT 'count|all2|' || workhooks.rederive();"
	for t in $derived; do
		echo "SELECT 'unordered|$t|' || (SELECT count(*) FROM ((TABLE snap_$t EXCEPT ALL TABLE workhooks.$t)
			UNION ALL (TABLE workhooks.$t EXCEPT ALL TABLE snap_$t)) AS x);"
	done
	# A derive that wrote wrong rows (a bug since fixed): rederive puts
	# them right, per-delivery rows and aggregates alike.
	echo "UPDATE workhooks.timeline_change SET worker_id = 'wrong', received_at = now() - interval '1 day';"
	echo "UPDATE workhooks.worksome_hire_version SET status = 'wrong', rate = 0;"
	echo "UPDATE workhooks.worksome_hire SET status = 'wrong', event = 'wrong';"
	echo "UPDATE workhooks.worksome_trusted_contact SET status = 'wrong';"
	echo "DELETE FROM workhooks.worksome_job_owner;"
	echo "UPDATE workhooks.worker_contact SET times_added = 99;"
	echo "SELECT 'count|fix|' || workhooks.rederive();"
	for t in $derived; do
		echo "SELECT 'fixed|$t|' || (SELECT count(*) FROM ((TABLE snap_$t EXCEPT ALL TABLE workhooks.$t)
			UNION ALL (TABLE workhooks.$t EXCEPT ALL TABLE snap_$t)) AS x);"
	done
	echo "ROLLBACK;"
} >"$_t_tmp/rederive.sql"
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" -f "$_t_tmp/rederive.sql" 2>&1)
_t_check $? "rederive in a transaction, rolled back" || diag "$out"
val() { printf '%s\n' "$out" | awk -F'|' -v k="$1" -v t="$2" '$1 == k && $2 == t { print $3 }'; }
is "$(val count all)" "$want_all" "rederive() applied every delivery that derives rows ($want_all)"
for t in $derived suggestion_entry; do
	rows=$(printf '%s\n' "$out" | awk -F'|' -v t="$t" '$1 == "diff" && $2 == t { print $4 }')
	is "$(val diff "$t")" 0 "$t: emptied and re-derived, identical row by row ($rows rows)"
done
is "$(sql "SELECT count(*) FROM workhooks.worksome_hire WHERE hire_key = '$run-h1' AND versions = 5")" 1 \
	"(the hire of the run has its 5 versions: the comparison covers aggregates)"
is "$(val count again)" "$want_all" "a second rederive() applies them again"
for t in $derived; do
	is "$(val twice "$t")" 0 "$t: a second rederive() changes nothing"
done
is "$(val count updatedge)" "$want_ue" "rederive(source => 'updatedge') applies the updatedge deliveries ($want_ue)"
is "$(val count timeline)" "$want_tl" "rederive(endpoint => 'events/timelineChanged') applies that endpoint's ($want_tl)"
is "$(val count since)" "$want_since" "rederive(since => t0) applies those received since ($want_since)"
is "$(val count worksome-since)" "$want_ws_since" "rederive('worksome', 'worksome', t0) combines the filters ($want_ws_since)"
is "$(val count none)" 0 "rederive() of an endpoint with no deliveries applies none"
for t in $derived; do
	is "$(val filtered "$t")" 0 "$t: still identical after the filtered runs"
done
is "$(val count later)" "$want_later" "rederive(since => the middle) applies the later deliveries first ($want_later)"
for t in $derived; do
	is "$(val unordered "$t")" 0 "$t: later deliveries first, then all: identical (any order of application)"
done
for t in $derived; do
	is "$(val fixed "$t")" 0 "$t: rows a faulty derive wrote are replaced by rederive()"
done

# ------------------------------------------------------------ refused bodies
# A rule made stricter since a body was stored (here: the stored body
# changed to one the field table refuses): rederive stops, naming the
# delivery and the field, and applies nothing.
bad_id=$(sql "SELECT min(id) FROM workhooks.delivery WHERE id >= $first AND endpoint = 'events/timelineChanged'")
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" 2>&1 <<SQL
BEGIN;
UPDATE workhooks.delivery SET body = replace(body, '"periodEnd":"2020-01-31T17', '"periodEnd":"2019-01-31T17')
WHERE id = $bad_id;
SELECT workhooks.rederive(endpoint => 'events/timelineChanged');
ROLLBACK;
SQL
)
like "$out" "ERROR: .*workhooks.rederive: delivery $bad_id .*periodEnd.*before periodStart" \
	"a body that no longer validates: rederive fails naming the delivery ($bad_id) and the field"
like "$(sql "SELECT workhooks.fields('events/timelineChanged', NULL, NULL, '{\"workerId\":\"w\"}')" 2>&1)" \
	'workhooks.fields: events/timelineChanged: invalid field "periodStart": ' \
	"workhooks.fields() names the first failing field"
is "$(sql "SELECT workhooks.fields('events/timelineChanged', NULL, NULL,
	'{\"workerId\":\"w\",\"periodStart\":\"2020-01-31T09:00:00+01:00\",\"periodEnd\":\"2020-01-31T17:00:00+00:00\",\"completedAt\":\"2020-01-30T12:32:11.5726446+00:00\"}')")" \
	'{w,NULL,2020-01-31T08:00:00.000000Z,2020-01-31T17:00:00.000000Z,2020-01-30T12:32:11.572645Z,NULL,NULL}' \
	"workhooks.fields() gives the store's parameters: UTC to the microsecond, NULL when absent"
like "$(sql "SELECT workhooks.fields('worksome', 'hireUpdated', NULL, '{\"event\":\"hireEnded\",\"data\":{}}')" 2>&1)" \
	'not the stored event' "workhooks.fields() refuses a Worksome body whose event is not the stored one"
like "$(sql_ro "SELECT workhooks.rederive()" 2>&1)" 'permission denied' \
	"the reader may not run rederive()"
like "$(psql -X -A -t -q -d "$(wh_conninfo workhooks workhooks_app)" -c "SELECT workhooks.rederive()" 2>&1)" \
	'permission denied' "the endpoints' role may not run rederive()"

# ------------------------------------------------------------ without the module
# A database whose server cannot find workhooks.so: migrate succeeds (the
# C function is left out, with a NOTICE), rederive says what is missing.
db=wh_rederive_nomodule_$$
WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0" >/dev/null
trap 'WH_PSQL_DB=postgres wh_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1' EXIT
WH_PSQL_DB=postgres wh_psql -c "ALTER DATABASE $db SET dynamic_library_path = '/nonexistent'" >/dev/null
"$WH_ROOT/script/migrate" "$(wh_conninfo "$db")" >"$_t_tmp/nomodule.log" 2>&1
_t_check $? "migrate succeeds where the server has no workhooks.so" || diag "$(tail -n 5 "$_t_tmp/nomodule.log")"
is "$(psql -X -A -t -q -d "$(wh_conninfo "$db")" -c "SELECT to_regprocedure('workhooks.fields(text, text, text, text)') IS NULL")" t \
	"... and leaves workhooks.fields() out"
like "$(psql -X -A -t -q -d "$(wh_conninfo "$db")" -c "SELECT workhooks.rederive()" 2>&1)" \
	'module workhooks.so is not installed.*README "Re-derive after a fix"' \
	"rederive() without the module: a clear error naming the module and the README section"
like "$(psql -X -A -q -d "$(wh_conninfo "$db")" -c "SET client_min_messages = notice" -f "$WH_ROOT/sql/code/24-fields.sql" 2>&1)" \
	'NOTICE: .*workhooks.rederive\(\) needs the module workhooks.so' \
	"creating workhooks.fields() without the module says so in a NOTICE"

done_testing
