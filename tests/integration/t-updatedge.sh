#!/usr/bin/env bash
# The updatedge endpoints through the real stack (protocol §2): the vendor's
# vectors and the rows they leave (microsecond timestamps), a bad twin for
# each schema rule (400 naming the field), repeats stored once and counted,
# authentication, GET /contact/new/{workerId} counting every call, contact
# suggestions against golden answers (matching, filter taken literally,
# ratings, order, limit, []), GET with a body through nginx and Apache, and
# PostgreSQL going away (503 + Retry-After, nothing half-written, the same
# workers serving again once it is back).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

UE=$BASE_URL/updatedge
# Unique per run: ids and emails of the bodies and rows made here, so a
# reused cluster never turns a first delivery into a repeat.
RUN=$(date +%s)$$

for b in updatedge-timeline-changed updatedge-offer-response updatedge-offer-event-deleted \
	updatedge-contact-new updatedge-contact-suggestions; do
	have_bin "$b" || { skip "cgi-bin/$b is not built"; done_testing; }
done

# body NAME JSON: write JSON (exact bytes) to a file; prints the path.
body() {
	printf '%s' "$2" >"$_t_tmp/$1.json"
	printf '%s\n' "$_t_tmp/$1.json"
}

# post PATH FILE [URL]: a signed POST of FILE's bytes.
post() {
	ue_req POST "${3:-$UE}/$1" -H 'Content-Type: application/json' --data-binary "@$2"
}

# bad PATH FIELD JSON DESC: the body is refused with 400 naming FIELD.
bad() {
	local path=$1 field=$2 json=$3 desc=$4
	post "$path" "$(body bad "$json")"
	expect_status 400 "$path: $desc -> 400"
	expect_json_field '.field' "$field" "$path: $desc: the 400 names $field"
}

# stored TEXT: deliveries whose body contains TEXT.
stored() { sql "SELECT count(*) FROM workhooks.delivery WHERE strpos(body, '$1') > 0"; }

# ---------------------------------------------------------------- timelineChanged

f=$VECTORS/updatedge-timelineChanged.json
post events/timelineChanged "$f"
expect_status 200 "timelineChanged vector -> 200"
expect_json_field '.status' ok "timelineChanged vector: body says ok"
d=$(printf '%s' "$BODY" | jq -r .delivery)
is "$(sql "SELECT source, endpoint, secret_label, signed_at IS NOT NULL FROM workhooks.delivery WHERE id = $d")" \
	"updatedge|events/timelineChanged|dev|t" "timelineChanged vector: delivery source, endpoint, secret label, signed time"
is "$(sql "SELECT md5(body) FROM workhooks.delivery WHERE id = $d")" "$(md5sum <"$f" | cut -d' ' -f1)" \
	"timelineChanged vector: raw body stored byte for byte"
is "$(sql "SET TimeZone = 'UTC'; SELECT worker_id, offer_id IS NULL, period_start, period_end, completed_at, max_available_now IS NULL FROM workhooks.timeline_change WHERE delivery_id = $d")" \
	"9c8b042a-97c2-4569-ba93-1d3c1ff83655|t|2020-01-31 09:00:00+00|2020-01-31 17:00:00+00|2020-01-30 12:32:11.572645+00|t" \
	"timelineChanged vector: row with completedAt .5726446 rounded to .572645"

f=$VECTORS/updatedge-timelineChanged-offer.json
post events/timelineChanged "$f"
expect_status 200 "timelineChanged-offer vector -> 200"
d=$(printf '%s' "$BODY" | jq -r .delivery)
is "$(sql "SET TimeZone = 'UTC'; SELECT offer_id, completed_at, max_available_now, max_available_now_created FROM workhooks.timeline_change WHERE delivery_id = $d")" \
	"5f0c2f4e-1b7a-4c1e-9d3a-2a6b8e4f7c11|2020-02-01 08:15:42.123457+00|2020-02-02 17:00:00+00|2020-02-01 11:07:10.204528+00" \
	"timelineChanged-offer vector: offerId, maxAvailableNow, maxAvailableNowCreated (.2045285 is 204528 us, as PostgreSQL reads it: what the endpoint checked is what is stored)"

w=tl-$RUN
tl="{\"workerId\":\"$w\",\"periodStart\":\"2020-03-01T09:00:00\",\"periodEnd\":\"2020-03-01T17:30:00+02:00\",\"completedAt\":\"2020-02-29T23:59:59.9999996Z\",\"maxAvailableNow\":\"2020-03-02T00:00:00-05:00\"}"
f=$(body tl "$tl")
post events/timelineChanged "$f"
expect_status 200 "timelineChanged, a new body -> 200"
expect_json_field '.duplicate' false "timelineChanged, a new body: not a duplicate"
post events/timelineChanged "$f"
expect_status 200 "timelineChanged, the same body again -> 200"
expect_json_field '.duplicate' true "timelineChanged, the same body again: duplicate"
is "$(sql "SELECT d.times_received, (SELECT count(*) FROM workhooks.timeline_change t WHERE t.worker_id = '$w') FROM workhooks.delivery d WHERE strpos(d.body, '\"$w\"') > 0")" \
	"2|1" "timelineChanged repeat: one delivery with times_received 2, one timeline_change row"
is "$(sql "SET TimeZone = 'UTC'; SELECT period_start, period_end, completed_at, max_available_now FROM workhooks.timeline_change WHERE worker_id = '$w'")" \
	"2020-03-01 09:00:00+00|2020-03-01 15:30:00+00|2020-03-01 00:00:00+00|2020-03-02 05:00:00+00" \
	"timelineChanged: no zone is UTC, offsets converted, 7th digit rounds into the next day"
is "$(sql "SET TimeZone = 'UTC'; SELECT last_completed_at, max_available_now, changes FROM workhooks.worker_timeline_latest WHERE worker_id = '$w'")" \
	"2020-03-01 00:00:00+00|2020-03-02 05:00:00+00|1" "worker_timeline_latest shows the worker"

# Equal start and end: allowed ("not before").
f=$(body tl-eq "{\"workerId\":\"$w\",\"periodStart\":\"2020-03-05T09:00:00Z\",\"periodEnd\":\"2020-03-05T09:00:00+00:00\",\"completedAt\":\"2020-03-04T09:00:00Z\"}")
post events/timelineChanged "$f"
expect_status 200 "timelineChanged, periodEnd equal to periodStart -> 200"
is "$(sql "SET TimeZone = 'UTC'; SELECT last_completed_at, changes FROM workhooks.worker_timeline_latest WHERE worker_id = '$w'")" \
	"2020-03-04 09:00:00+00|2" "worker_timeline_latest: a second change counted, the latest completedAt kept"
# The summary (workhooks.worker_timeline, kept by triggers, plus the
# changes queued in worker_timeline_pending: worker_timeline_latest)
# equals the aggregate of timeline_change; after a fold the table alone
# does; and so after an UPDATE, a DELETE and a TRUNCATE (each in a
# transaction rolled back).
agg="SELECT worker_id, max(completed_at), max(max_available_now), count(*), max(received_at)
	FROM workhooks.timeline_change GROUP BY 1"
diff_of() { # the rows of TABLE-OR-VIEW that differ from the aggregate, both ways
	echo "SELECT count(*) FROM (($agg EXCEPT SELECT * FROM workhooks.$1)
	UNION ALL (SELECT * FROM workhooks.$1 EXCEPT $agg)) AS x"
}
agg_diff=$(diff_of worker_timeline_latest)
is "$(sql "$agg_diff")" 0 "worker_timeline_latest equals the aggregate of timeline_change"
is "$(sql "BEGIN; SELECT workhooks.worker_timeline_fold(true) >= 0; $(diff_of worker_timeline);
	SELECT count(*) FROM workhooks.worker_timeline_pending; $agg_diff; ROLLBACK" | tr '\n' ' ')" \
	"t 0 0 0 " "worker_timeline_fold(): the queue emptied into the table, which then equals the aggregate"
# A wake-up's fold takes at most 20,000 changes (a backlog drains over
# several, each well inside statement_timeout); rederive's takes them all.
is "$(sql "BEGIN; SELECT workhooks.worker_timeline_fold(true) >= 0; INSERT INTO workhooks.worker_timeline_pending
	SELECT 'cap-$RUN', '2020-01-01Z', NULL, now() FROM generate_series(1, 20001);
	SELECT workhooks.worker_timeline_fold(); SELECT count(*) FROM workhooks.worker_timeline_pending;
	SELECT workhooks.worker_timeline_fold(true); SELECT changes FROM workhooks.worker_timeline WHERE worker_id = 'cap-$RUN';
	ROLLBACK" | tr '\n' ' ')" \
	"t 20000 1 1 20001 " "worker_timeline_fold(): 20,000 changes at most a call, all of them with p_wait"
# workhooks.fold(), the workers' call, says when to call it again: 2 at
# once while a part takes its whole limit (a backlog), 1 in a second while
# another fold holds a queue (what was stored meanwhile may be left), 0
# after the next store.
is "$(sql "BEGIN; SELECT workhooks.worker_timeline_fold(true) >= 0; INSERT INTO workhooks.worker_timeline_pending
	SELECT 'more-$RUN', '2020-01-01Z', NULL, now() FROM generate_series(1, 20001);
	SELECT workhooks.fold(); SELECT workhooks.fold(); ROLLBACK" | tr '\n' ' ')" \
	"t 2 0 " "fold(): 2 (again at once) while a fold takes its whole limit, then 0"
hold_fold_lock 7734812611947305 3
is "$(sql "SELECT workhooks.fold(), workhooks.worker_timeline_fold()")" "1|-1" \
	"fold(): 1 (again in a second) while another fold holds a queue; the part says -1"
wait "$HOLDER"
# The workers fold the queue themselves (workhooks.fold(), about once a
# second while they store): a change queued is in the table within a
# few seconds, with no other delivery after it.
wq=tlq-$RUN
post events/timelineChanged "$(body tlq1 "{\"workerId\":\"$wq\",\"periodStart\":\"2020-03-05T09:00:00Z\",\"periodEnd\":\"2020-03-05T10:00:00Z\",\"completedAt\":\"2020-03-04T09:00:00Z\"}")"
expect_status 200 "timelineChanged for the fold -> 200"
for _ in $(seq 50); do
	[ "$(sql "SELECT count(*) FROM workhooks.worker_timeline_pending WHERE worker_id = '$wq'")" = 0 ] && break
	sleep 0.1
done
is "$(sql "SELECT (SELECT count(*) FROM workhooks.worker_timeline_pending WHERE worker_id = '$wq') || ' ' ||
	(SELECT changes FROM workhooks.worker_timeline WHERE worker_id = '$wq')")" "0 1" \
	"a worker folded the queued change into worker_timeline on its own"
is "$(sql "BEGIN; UPDATE workhooks.timeline_change SET completed_at = '2031-01-01Z' WHERE worker_id = '$w' AND completed_at = '2020-03-01Z';
	SELECT last_completed_at = '2031-01-01Z' FROM workhooks.worker_timeline WHERE worker_id = '$w';
	SELECT count(*) FROM workhooks.worker_timeline_pending WHERE worker_id = '$w'; $agg_diff; ROLLBACK" | tr '\n' ' ')" \
	"t 0 0 " "worker_timeline after an UPDATE of timeline_change: recomputed, nothing of the worker left queued"
is "$(sql "BEGIN; INSERT INTO workhooks.timeline_change (delivery_id, worker_id, period_start, period_end, completed_at)
	VALUES (-1, '$w', '2020-01-01Z', '2020-01-01Z', '2032-01-01Z');
	SELECT last_completed_at = '2032-01-01Z', changes FROM workhooks.worker_timeline_latest WHERE worker_id = '$w'; $agg_diff; ROLLBACK" | tr '\n' ' ')" \
	"t|3 0 " "worker_timeline_latest after an INSERT by hand: counted (queued)"
is "$(sql "BEGIN; DELETE FROM workhooks.timeline_change WHERE worker_id = '$w' AND completed_at = '2020-03-04 09:00Z';
	SELECT last_completed_at = '2020-03-01Z', changes FROM workhooks.worker_timeline WHERE worker_id = '$w'; $agg_diff; ROLLBACK" | tr '\n' ' ')" \
	"t|1 0 " "worker_timeline after a DELETE: the latest change gone, one left"
is "$(sql "BEGIN; TRUNCATE workhooks.timeline_change; SELECT count(*) FROM workhooks.worker_timeline_latest; ROLLBACK" | tr '\n' ' ')" \
	"0 " "worker_timeline_latest after a TRUNCATE of timeline_change: empty"
is "$(sql "BEGIN; TRUNCATE workhooks.timeline_change, workhooks.worker_timeline; SELECT count(*) FROM workhooks.worker_timeline_latest; ROLLBACK" | tr '\n' ' ')" \
	"0 " "TRUNCATE of timeline_change and worker_timeline in one statement"

bt=bad-tl-$RUN
ok_tl() { printf '{"workerId":"%s","periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z"%s}' "$bt" "${1:-}"; }
bad events/timelineChanged workerId '{"periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z","x":"'$bt'"}' "workerId missing"
bad events/timelineChanged workerId '{"workerId":42,"periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z","x":"'$bt'"}' "workerId a number"
bad events/timelineChanged workerId '{"workerId":"","periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z","x":"'$bt'"}' "workerId empty"
bad events/timelineChanged workerId "{\"workerId\":\"$(printf 'w%.0s' {1..129})\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:00:00Z\",\"x\":\"$bt\"}" "workerId of 129 characters"
bad events/timelineChanged offerId "$(ok_tl ',"offerId":""')" "offerId empty"
bad events/timelineChanged offerId "$(ok_tl ',"offerId":["x"]')" "offerId an array"
bad events/timelineChanged periodStart '{"workerId":"'$bt'","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z"}' "periodStart missing"
bad events/timelineChanged periodStart '{"workerId":"'$bt'","periodStart":"2020-01-31 09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z"}' "periodStart with a space for T"
bad events/timelineChanged periodStart '{"workerId":"'$bt'","periodStart":"2020-02-30T09:00:00Z","periodEnd":"2020-03-31T17:00:00Z","completedAt":"2020-01-30T12:00:00Z"}' "periodStart on 30 February"
bad events/timelineChanged periodEnd '{"workerId":"'$bt'","periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T08:59:59.999999Z","completedAt":"2020-01-30T12:00:00Z"}' "periodEnd before periodStart"
bad events/timelineChanged periodEnd '{"workerId":"'$bt'","periodStart":"2020-01-31T09:00:00-01:00","periodEnd":"2020-01-31T08:30:00Z","completedAt":"2020-01-30T12:00:00Z"}' "periodEnd before periodStart once offsets are applied"
bad events/timelineChanged completedAt '{"workerId":"'$bt'","periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z"}' "completedAt missing"
bad events/timelineChanged completedAt '{"workerId":"'$bt'","periodStart":"2020-01-31T09:00:00Z","periodEnd":"2020-01-31T17:00:00Z","completedAt":1580387531}' "completedAt a number"
bad events/timelineChanged maxAvailableNow "$(ok_tl ',"maxAvailableNow":"tomorrow"')" "maxAvailableNow not a date-time"
bad events/timelineChanged maxAvailableNowCreated "$(ok_tl ',"maxAvailableNowCreated":"2020-01-30T12:00:00.12345678Z"')" "maxAvailableNowCreated with 8 fraction digits"
bad events/timelineChanged maxAvailableNowCreated "$(ok_tl ',"maxAvailableNowCreated":"2020-01-30T12:00:00+16:00"')" "maxAvailableNowCreated offset beyond 15:59"
f=$(body tl-null "$(ok_tl ',"offerId":null,"maxAvailableNow":null')")
post events/timelineChanged "$f"
expect_status 200 "timelineChanged: null for optional fields means absent -> 200"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id = '$bt'")" 1 \
	"timelineChanged: the refused bodies left no rows (only the good twin is stored)"
is "$(stored "$bt")" 1 "timelineChanged: the refused bodies left no deliveries"

post events/timelineChanged "$(body notjson '{"workerId":')"
expect_status 400 "timelineChanged: truncated JSON -> 400"
ue_req GET "$UE/events/timelineChanged"
expect_status 405 "timelineChanged: GET -> 405"
expect_header Allow '^POST$' "timelineChanged: 405 carries Allow: POST"

f=$(body tl-auth "{\"workerId\":\"auth-$RUN\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:00:00Z\"}")
ts=$(ue_now)
req POST "$UE/events/timelineChanged" -H 'Content-Type: application/json' -H "Timestamp: $ts" \
	-H "Authorization: $(ue_sign "$ts" "not-the-secret")" --data-binary "@$f"
expect_status 401 "timelineChanged: signed with another secret -> 401"
req POST "$UE/events/timelineChanged" -H 'Content-Type: application/json' --data-binary "@$f"
expect_status 401 "timelineChanged: no Timestamp/Authorization -> 401"
ts=$(ue_now -3600)
req POST "$UE/events/timelineChanged" -H 'Content-Type: application/json' -H "Timestamp: $ts" \
	-H "Authorization: $(ue_sign "$ts")" --data-binary "@$f"
expect_status 401 "timelineChanged: a timestamp an hour old -> 401"
is "$(stored "auth-$RUN")" 0 "timelineChanged: nothing stored for the 401s"

# ---------------------------------------------------------------- offer/response

post offer/response "$VECTORS/updatedge-offer-response.json"
expect_status 200 "offer/response vector -> 200"
d=$(printf '%s' "$BODY" | jq -r .delivery)
is "$(sql "SELECT offer_id, worker_id, response FROM workhooks.offer_response WHERE delivery_id = $d")" \
	"3f1e2d4c-5b6a-4789-8a9b-0c1d2e3f4a5b|9c8b042a-97c2-4569-ba93-1d3c1ff83655|accepted" \
	"offer/response vector: the row"

o=offer-$RUN
acc=$(body acc "{\"offerId\":\"$o\",\"workerId\":\"w-$RUN\",\"response\":\"accepted\"}")
rej=$(body rej "{\"offerId\":\"$o\",\"workerId\":\"w-$RUN\",\"response\":\"rejected\"}")
post offer/response "$acc"
expect_json_field '.duplicate' false "offer/response accepted -> stored"
sleep 0.01
post offer/response "$rej"
expect_json_field '.duplicate' false "offer/response then rejected -> stored"
is "$(sql "SELECT response FROM workhooks.offer_response_current WHERE offer_id = '$o'")" rejected \
	"offer_response_current: rejected after accepted"
sleep 0.01
post offer/response "$acc"
expect_status 200 "offer/response accepted again (same bytes) -> 200"
expect_json_field '.duplicate' true "offer/response accepted again: a repeat"
is "$(sql "SELECT count(*), sum(d.times_received) FROM workhooks.offer_response o JOIN workhooks.delivery d ON d.id = o.delivery_id WHERE o.offer_id = '$o'")" \
	"2|3" "offer/response: two rows, three deliveries counted"
is "$(sql "SELECT response FROM workhooks.offer_response_current WHERE offer_id = '$o'")" accepted \
	"offer_response_current: the answer received last (accepted again) wins"

bad offer/response response "{\"offerId\":\"$o\",\"workerId\":\"bad-$RUN\",\"response\":\"maybe\"}" "response maybe"
bad offer/response response "{\"offerId\":\"$o\",\"workerId\":\"bad-$RUN\",\"response\":\"Accepted\"}" "response Accepted (case matters)"
bad offer/response response "{\"offerId\":\"$o\",\"workerId\":\"bad-$RUN\",\"response\":true}" "response a boolean"
bad offer/response response "{\"offerId\":\"$o\",\"workerId\":\"bad-$RUN\"}" "response missing"
bad offer/response offerId "{\"workerId\":\"bad-$RUN\",\"response\":\"accepted\"}" "offerId missing"
bad offer/response workerId "{\"offerId\":\"$o\",\"workerId\":7,\"response\":\"accepted\",\"x\":\"bad-$RUN\"}" "workerId a number"
is "$(stored "bad-$RUN")" 0 "offer/response: nothing stored for the 400s"

# ---------------------------------------------------------------- offer/eventDeleted

post offer/eventDeleted "$VECTORS/updatedge-offer-eventDeleted.json"
expect_status 200 "offer/eventDeleted vector -> 200"
d=$(printf '%s' "$BODY" | jq -r .delivery)
is "$(sql "SET TimeZone = 'UTC'; SELECT offer_id, worker_id, event_start FROM workhooks.offer_event_deleted WHERE delivery_id = $d")" \
	"3f1e2d4c-5b6a-4789-8a9b-0c1d2e3f4a5b|9c8b042a-97c2-4569-ba93-1d3c1ff83655|2018-04-23 09:00:00.511+00" \
	"offer/eventDeleted vector: the row, eventStart to the millisecond"
f=$(body ed "{\"offerId\":\"ed-$RUN\",\"workerId\":\"w-$RUN\",\"eventStart\":\"2024-02-29T23:30:00-01:00\"}")
post offer/eventDeleted "$f"
expect_json_field '.duplicate' false "offer/eventDeleted, a new body -> stored"
post offer/eventDeleted "$f"
expect_json_field '.duplicate' true "offer/eventDeleted, the same body again -> a repeat"
is "$(sql "SET TimeZone = 'UTC'; SELECT count(*), min(e.event_start), max(d.times_received) FROM workhooks.offer_event_deleted e JOIN workhooks.delivery d ON d.id = e.delivery_id WHERE e.offer_id = 'ed-$RUN'")" \
	"1|2024-03-01 00:30:00+00|2" "offer/eventDeleted repeat: one row, times_received 2"
bad offer/eventDeleted eventStart "{\"offerId\":\"ed-$RUN\",\"workerId\":\"bad-ed-$RUN\",\"eventStart\":\"2018-04-23\"}" "eventStart a date without time"
bad offer/eventDeleted eventStart "{\"offerId\":\"ed-$RUN\",\"workerId\":\"bad-ed-$RUN\"}" "eventStart missing"
bad offer/eventDeleted offerId "{\"workerId\":\"bad-ed-$RUN\",\"eventStart\":\"2018-04-23T09:00:00Z\"}" "offerId missing"
bad offer/eventDeleted workerId "{\"offerId\":\"bad-ed-$RUN\",\"workerId\":\"\",\"eventStart\":\"2018-04-23T09:00:00Z\"}" "workerId empty"
is "$(stored "bad-ed-$RUN")" 0 "offer/eventDeleted: nothing stored for the 400s"

# ---------------------------------------------------------------- contact/new

cw=contact-$RUN
ue_req GET "$UE/contact/new/$cw"
expect_status 200 "GET /contact/new/{workerId} -> 200"
expect_json_field '.duplicate' false "contact/new: the first call for a worker is new"
ue_req GET "$UE/contact/new/$cw"
expect_status 200 "contact/new: the same worker again -> 200"
expect_json_field '.duplicate' true "contact/new: the second call is a repeat of the delivery"
ue_req GET "$UE/contact/new/$cw?x=1"
expect_status 200 "contact/new: a query string is not part of the id -> 200"
is "$(sql "SELECT count(*), max(times_received), max(subject), bool_and(body = '') FROM workhooks.delivery WHERE endpoint = 'contact/new' AND subject = '$cw'")" \
	"1|3|$cw|t" "contact/new: one delivery for the worker, times_received 3"
is "$(sql "SELECT times_added, first_added_at <= last_added_at FROM workhooks.worker_contact WHERE worker_id = '$cw'")" \
	"3|t" "worker_contact: every call counts (times_added 3)"
long=$(printf 'a%.0s' {1..127})Z
ue_req GET "$UE/contact/new/$long"
expect_status 200 "contact/new: a 128-character id -> 200"
ue_req GET "$UE/contact/new/A-z.0_9~$RUN"
expect_status 200 "contact/new: every allowed character [A-Za-z0-9._~-] -> 200"
is "$(sql "SELECT count(*) FROM workhooks.worker_contact WHERE worker_id IN ('$long', 'A-z.0_9~$RUN')")" 2 \
	"contact/new: those ids are stored as sent"

cbad() {
	ue_req GET "$UE/contact/new/$1"
	expect_status 400 "contact/new/$2 -> 400"
	expect_json_field '.field' workerId "contact/new/$2: the 400 names workerId"
}
cbad "${long}x" "(129 characters)"
cbad "bad%20id$RUN" "(an encoded space)"
cbad "bad+id$RUN" "(a plus sign)"
cbad "bad%2Fid$RUN" "(an encoded slash)"
cbad "bad/id$RUN" "(two segments)"
cbad "" "(empty)"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE endpoint = 'contact/new' AND subject LIKE 'bad%$RUN'")" 0 \
	"contact/new: nothing stored for the 400s"
ts=$(ue_now)
req GET "$UE/contact/new/noauth-$RUN" -H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts" wrong)"
expect_status 401 "contact/new: wrong secret -> 401"
req GET "$UE/contact/new/noauth-$RUN"
expect_status 401 "contact/new: no auth headers -> 401"
ue_req POST "$UE/contact/new/noauth-$RUN" -H 'Content-Type: application/json' --data-binary '{}'
expect_status 405 "contact/new: POST -> 405"
expect_header Allow '^GET$' "contact/new: 405 carries Allow: GET"
is "$(sql "SELECT count(*) FROM workhooks.worker_contact WHERE worker_id = 'noauth-$RUN'")" 0 \
	"contact/new: nothing counted for the 401s and 405"

# CGI mode, with the path as REQUEST_URI or as SCRIPT_NAME + PATH_INFO.
ts=$(ue_now)
cgi updatedge-contact-new REQUEST_METHOD=GET "REQUEST_URI=/hooks/updatedge/contact/new/cgi-$RUN" \
	"HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$(ue_sign "$ts")" </dev/null
expect_status 200 "contact/new as plain CGI (REQUEST_URI) -> 200"
cgi updatedge-contact-new REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/updatedge-contact-new "PATH_INFO=/cgi-$RUN" \
	"HTTP_TIMESTAMP=$ts" "HTTP_AUTHORIZATION=$(ue_sign "$ts")" </dev/null
expect_status 200 "contact/new as plain CGI (SCRIPT_NAME + PATH_INFO: the last segment) -> 200"
is "$(sql "SELECT times_added FROM workhooks.worker_contact WHERE worker_id = 'cgi-$RUN'")" 2 \
	"contact/new: both CGI calls counted for the same worker"

# ---------------------------------------------------------------- contact-suggestions

psql -X -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" -f "$WH_ROOT/sql/sample/people.sql" >/dev/null 2>&1
is "$?" 0 "sql/sample/people.sql loads (again: it is idempotent)"

# suggest JSON [METHOD] [BASE]: ask for suggestions with body JSON.
suggest() {
	ue_req "${2:-POST}" "${3:-$UE}/contact-suggestions" -H 'Content-Type: application/json' --data-binary "$1"
}
# golden JSON DESC: the body is exactly JSON (keys compared sorted).
golden() {
	is "$(printf '%s' "$BODY" | jq -S -c . 2>&1)" "$(printf '%s' "$1" | jq -S -c .)" "$2"
}

deliveries_before=$(sql "SELECT count(*) FROM workhooks.delivery WHERE endpoint = 'contact-suggestions'")

suggest "$(cat "$VECTORS/updatedge-contact-suggestions.json")"
expect_status 200 "contact-suggestions vector -> 200"
expect_header Content-Type '^application/json' "contact-suggestions answers application/json"
golden '[]' "contact-suggestions vector: filter \"filterText\" matches nobody -> []"

suggest '{"userEmailAddresses":["someone@companyA.com"],"filter":"smith"}'
expect_status 200 "contact-suggestions, sample data, filter smith -> 200"
golden '[{"name":"Fred Smith","emailAddress":"fred@smith.com","profileImageUrl":"http://myorg.com/fred-smith.jpg","ratings":[{"rating":3,"ratingProvider":"Another Organisation","lastWorked":"2019-01-02T00:00:00Z"}]}]' \
	"contact-suggestions, sample data: exactly the answer of protocol §2.4"
is "$(printf '%s' "$BODY" | jq -r '.[0] | keys_unsorted | join(",")')" "name,emailAddress,profileImageUrl,ratings" \
	"contact-suggestions: keys name, emailAddress, profileImageUrl, ratings in that order"

suggest '{"userEmailAddresses":["SOMEONE@companya.com","someoneelse@companyB.com"]}'
golden '[
{"name":"Oliver Brown","emailAddress":"oliver.brown@example.com","ratings":[]},
{"name":"Harry Green","emailAddress":"harry.green@example.com","profileImageUrl":"https://img.example.org/harry-green.jpg","ratings":[{"rating":4,"ratingProvider":"updatedge","lastWorked":"2024-04-30T00:00:00Z"},{"rating":1,"ratingProvider":"Another Organisation","lastWorked":"2021-01-15T10:00:00Z"}]},
{"name":"Amelia Jones","emailAddress":"amelia.jones@example.com","profileImageUrl":"https://img.example.org/amelia-jones.jpg","ratings":[{"rating":5,"ratingProvider":"updatedge","lastWorked":"2024-03-15T17:30:00Z"},{"rating":4,"ratingProvider":"Another Organisation","lastWorked":"2023-11-02T09:00:00Z"}]},
{"name":"Isla Taylor","emailAddress":"isla.taylor@example.net","profileImageUrl":"https://img.example.org/isla-taylor.png","ratings":[{"rating":5,"ratingProvider":"updatedge","lastWorked":"2024-01-10T12:00:00Z"}]},
{"name":"Ava Davies","emailAddress":"Ava.Davies@Example.com","profileImageUrl":"https://img.example.org/ava-davies.jpg","ratings":[{"rating":4,"ratingProvider":"updatedge","lastWorked":"2023-08-19T00:00:00Z"}]},
{"name":"George Wilson","emailAddress":"george.wilson@example.com","ratings":[{"rating":4,"ratingProvider":"updatedge","lastWorked":"2023-02-01T00:00:00Z"},{"rating":2,"ratingProvider":"Acme Staffing","lastWorked":"2022-06-30T00:00:00Z"}]},
{"name":"Leo Roberts","emailAddress":"leo.roberts@example.net","profileImageUrl":"https://img.example.org/leo-roberts.jpg","ratings":[]},
{"name":"Fred Smith","emailAddress":"fred@smith.com","profileImageUrl":"http://myorg.com/fred-smith.jpg","ratings":[{"rating":3,"ratingProvider":"Another Organisation","lastWorked":"2019-01-02T00:00:00Z"}]},
{"name":"Mia Thomas","emailAddress":"mia.thomas@example.com","ratings":[]}]' \
	"contact-suggestions, sample data, companyA + companyB (other case): the golden list"

# People made for this run, all related to hirer $H.
H=hirer.$RUN@t-updatedge.test
H2=other.$RUN@t-updatedge.test
dom=$RUN.t-updatedge.test
sql "
INSERT INTO workhooks.person (name, email, profile_image_url) VALUES
	('Zed Alpha', 'zed@$dom', 'https://img.t-updatedge.test/zed.jpg'),
	('Amy Beta', 'Amy.Beta@$dom', NULL),
	('Carl 100%_\\ Gamma', 'carl@$dom', NULL),
	('Dora Delta', 'dora@$dom', NULL),
	('Eve Epsilon', 'eve@$dom', 'https://img.t-updatedge.test/eve.jpg'),
	('Fay Phi', 'fay@$dom', NULL),
	('Gus Gimel', 'gus@$dom', NULL),
	('Hal Multi', 'hal@$dom', NULL),
	('Ian Elsewhere', 'ian@$dom', NULL);
INSERT INTO workhooks.relationship (person_id, hirer_email, rating, rating_provider, last_worked)
SELECT p.id, r.hirer, r.rating, r.provider, r.last_worked::timestamptz
FROM (VALUES
	('zed',  '$H', 5, 'updatedge', '2024-01-01T00:00:00Z'),
	('amy.beta', upper('$H'), NULL, NULL, '2024-01-01T00:00:00Z'),
	('carl', '$H', 2, 'P', '2023-05-05T05:05:05Z'),
	('dora', '$H', NULL, NULL, NULL),
	('eve',  '$H', 4, 'updatedge', '2022-02-02T00:00:00Z'),
	('eve',  '$H2', 1, 'X', '2025-01-01T00:00:00Z'),
	('fay',  '$H', 3, NULL, '2021-01-01T00:00:00Z'),
	('gus',  '$H', 4, 'Y', '2021-06-01T12:34:56.789+02:00'),
	('hal',  '$H', 2, 'A', '2020-01-01T00:00:00Z'),
	('hal',  '$H', 5, 'B', '2020-06-01T00:00:00Z'),
	('ian',  '$H2', 5, 'B', '2020-06-01T00:00:00Z')
) AS r(who, hirer, rating, provider, last_worked)
JOIN workhooks.person p ON lower(p.email) = r.who || '@$dom';" >/dev/null

zed='{"name":"Zed Alpha","emailAddress":"zed@'$dom'","profileImageUrl":"https://img.t-updatedge.test/zed.jpg","ratings":[{"rating":5,"ratingProvider":"updatedge","lastWorked":"2024-01-01T00:00:00Z"}]}'
amy='{"name":"Amy Beta","emailAddress":"Amy.Beta@'$dom'","ratings":[]}'
carl='{"name":"Carl 100%_\\ Gamma","emailAddress":"carl@'$dom'","ratings":[{"rating":2,"ratingProvider":"P","lastWorked":"2023-05-05T05:05:05Z"}]}'
dora='{"name":"Dora Delta","emailAddress":"dora@'$dom'","ratings":[]}'
eve='{"name":"Eve Epsilon","emailAddress":"eve@'$dom'","profileImageUrl":"https://img.t-updatedge.test/eve.jpg","ratings":[{"rating":4,"ratingProvider":"updatedge","lastWorked":"2022-02-02T00:00:00Z"}]}'
eve2='{"name":"Eve Epsilon","emailAddress":"eve@'$dom'","profileImageUrl":"https://img.t-updatedge.test/eve.jpg","ratings":[{"rating":1,"ratingProvider":"X","lastWorked":"2025-01-01T00:00:00Z"},{"rating":4,"ratingProvider":"updatedge","lastWorked":"2022-02-02T00:00:00Z"}]}'
fay='{"name":"Fay Phi","emailAddress":"fay@'$dom'","ratings":[]}'
gus='{"name":"Gus Gimel","emailAddress":"gus@'$dom'","ratings":[{"rating":4,"ratingProvider":"Y","lastWorked":"2021-06-01T10:34:56Z"}]}'
hal='{"name":"Hal Multi","emailAddress":"hal@'$dom'","ratings":[{"rating":5,"ratingProvider":"B","lastWorked":"2020-06-01T00:00:00Z"},{"rating":2,"ratingProvider":"A","lastWorked":"2020-01-01T00:00:00Z"}]}'
ian='{"name":"Ian Elsewhere","emailAddress":"ian@'$dom'","ratings":[{"rating":5,"ratingProvider":"B","lastWorked":"2020-06-01T00:00:00Z"}]}'

# sfor FILTER [EMAILS_JSON]: the request body, built by jq (exact escapes).
sfor() {
	if [ $# -eq 0 ]; then
		jq -cn --arg h "${H^^}" '{userEmailAddresses: [$h]}'
	else
		jq -cn --arg h "${H^^}" --arg f "$1" --argjson e "${2:-null}" \
			'{userEmailAddresses: ($e // [$h]), filter: $f}'
	fi
}

suggest "$(sfor)"
expect_status 200 "suggestions for a hirer (upper-cased in the request) -> 200"
golden "[$amy,$zed,$carl,$eve,$gus,$fay,$hal,$dora]" \
	"order: latest lastWorked first, ties by name, unknown last; ratings of matching relationships only (newest first), incomplete ratings left out, lastWorked in UTC with Z"
suggest "$(sfor "" "[\"$H\",\"$H2\"]")"
golden "[$eve2,$amy,$zed,$carl,$gus,$fay,$hal,$ian,$dora]" \
	"two hirers, empty filter: Eve's ratings from both, ordered by her latest over both; Ian from the second"
suggest "$(sfor "" "[\"$H2\",\"$H2\"]")"
golden "[$(printf '%s' "$eve2" | jq -c '.ratings = [.ratings[0]]'),$ian]" \
	"the same hirer twice: each relationship counted once"

suggest "$(sfor ALPHA)"
golden "[$zed]" "filter ALPHA: case-insensitive substring of the name"
suggest "$(sfor "beta@$RUN")"
golden "[$amy]" "filter part of an email address (other case)"
suggest "$(sfor '%')"
golden "[$carl]" "filter % is a literal percent sign"
suggest "$(sfor '_')"
golden "[$carl]" "filter _ is a literal underscore"
suggest "$(sfor '\')"
golden "[$carl]" "filter \\ is a literal backslash"
suggest "$(sfor '100%_\ g')"
golden "[$carl]" "filter 100%_\\ g matches literally, case-insensitively"
suggest "$(sfor 'a%a')"
golden "[]" "filter a%a is not a pattern (would match Zed Alpha as LIKE)"
suggest "$(sfor 'd_a')"
golden "[]" "filter d_a is not a pattern (would match Zed Alpha as LIKE)"
suggest "$(jq -cn --arg h "$H" '{userEmailAddresses: [$h], filter: null}')"
golden "[$amy,$zed,$carl,$eve,$gus,$fay,$hal,$dora]" "filter null means no filter"
suggest "{\"userEmailAddresses\":[\"nobody.$RUN@t-updatedge.test\"]}"
golden "[]" "a hirer with no relationships -> []"

# Limit (default 50): 55 people for hirer $L, one day apart.
L=limit.$RUN@t-updatedge.test
sql "
INSERT INTO workhooks.person (name, email)
SELECT 'Limit ' || lpad(i::text, 2, '0'), 'limit' || i || '@$dom' FROM generate_series(1, 55) AS i;
INSERT INTO workhooks.relationship (person_id, hirer_email, last_worked)
SELECT p.id, '$L', timestamptz '2001-01-01Z' + (substr(p.name, 7)::int || ' days')::interval
FROM workhooks.person p WHERE p.email LIKE 'limit%@$dom';" >/dev/null
suggest "{\"userEmailAddresses\":[\"$L\"]}"
expect_json_field 'length' 50 "55 matching people: at most the configured limit (50)"
expect_json_field '[.[0].name, .[49].name] | join(",")' "Limit 55,Limit 06" "the limit keeps the 50 most recent"

# GET with a body, through nginx and Apache.
suggest "$(sfor ALPHA)" GET
expect_status 200 "GET /contact-suggestions with a body through nginx -> 200"
golden "[$zed]" "GET with a body through nginx: the same answer"
suggest "$(sfor ALPHA)" GET "$APACHE_URL/updatedge"
expect_status 200 "GET /contact-suggestions with a body through Apache -> 200"
golden "[$zed]" "GET with a body through Apache: the same answer"
suggest "$(sfor ALPHA)" POST "$APACHE_URL/updatedge"
golden "[$zed]" "POST through Apache: the same answer"

# The schema rules, each with its good twin.
emails() { # N [LEN]: a JSON array of N addresses (the first LEN characters long)
	jq -cn --argjson n "$1" --argjson len "${2:-0}" --arg d "$dom" \
		'[range($n) | "u\(.)@\($d)"] | if $len > 0 then .[0] = ("x" * ($len - 1 - ($d | length)) + "@" + $d) else . end'
}
suggest "{\"userEmailAddresses\":$(emails 50)}"
expect_status 200 "userEmailAddresses with 50 items -> 200"
suggest "{\"userEmailAddresses\":$(emails 51)}"
expect_status 400 "userEmailAddresses with 51 items -> 400"
expect_json_field .field userEmailAddresses "51 items: the 400 names userEmailAddresses"
suggest '{"userEmailAddresses":[]}'
expect_status 400 "userEmailAddresses empty -> 400"
expect_json_field .field userEmailAddresses "empty array: the 400 names userEmailAddresses"
suggest "{\"userEmailAddresses\":$(emails 1 254)}"
expect_status 200 "an address of 254 characters -> 200"
suggest "{\"userEmailAddresses\":$(emails 1 255)}"
expect_status 400 "an address of 255 characters -> 400"
expect_json_field .field userEmailAddresses "255 characters: the 400 names userEmailAddresses"
suggest '{"userEmailAddresses":"someone@companyA.com"}'
expect_status 400 "userEmailAddresses a string, not an array -> 400"
expect_json_field .field userEmailAddresses "not an array: the 400 names userEmailAddresses"
suggest '{"userEmailAddresses":["someone@companyA.com",42]}'
expect_status 400 "userEmailAddresses with a number item -> 400"
expect_json_field .field userEmailAddresses "number item: the 400 names userEmailAddresses"
suggest '{"filter":"smith"}'
expect_status 400 "userEmailAddresses missing -> 400"
expect_json_field .field userEmailAddresses "missing: the 400 names userEmailAddresses"
suggest "$(sfor "$(printf 'f%.0s' {1..200})")"
expect_status 200 "filter of 200 characters -> 200"
suggest "$(sfor "$(printf 'f%.0s' {1..201})")"
expect_status 400 "filter of 201 characters -> 400"
expect_json_field .field filter "filter too long: the 400 names filter"
suggest '{"userEmailAddresses":["someone@companyA.com"],"filter":5}'
expect_status 400 "filter a number -> 400"
expect_json_field .field filter "filter a number: the 400 names filter"
suggest 'not json'
expect_status 400 "contact-suggestions: not JSON -> 400"
ts=$(ue_now)
req POST "$UE/contact-suggestions" -H 'Content-Type: application/json' -H "Timestamp: $ts" \
	-H "Authorization: $(ue_sign "$ts" wrong)" --data-binary "$(sfor)"
expect_status 401 "contact-suggestions: wrong secret -> 401"
expect_body_not "$RUN" "contact-suggestions: the 401 reveals no suggestion"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE endpoint = 'contact-suggestions'")" "$deliveries_before" \
	"contact-suggestions stores no delivery (a query, not an event)"

# ---------------------------------------------------------------- read-only role

for rel in timeline_change worker_timeline_latest offer_response offer_response_current \
	offer_event_deleted worker_contact person relationship relationship_incomplete_rating suggestion_source; do
	like "$(sql_ro "SELECT count(*) FROM workhooks.$rel" 2>&1)" '^[0-9]+$' "workhooks_ro may read workhooks.$rel"
done
like "$(sql_ro "SELECT workhooks.contact_suggestions('[\"someone@companyA.com\"]', NULL, 50)" 2>&1)" 'permission denied' \
	"workhooks_ro may not call contact_suggestions (the endpoints' role only)"

# ---------------------------------------------------------------- database down

pids_tl=$(worker_pids updatedge-timeline-changed | tr '\n' ' ')
pids_cn=$(worker_pids updatedge-contact-new | tr '\n' ' ')
pids_cs=$(worker_pids updatedge-contact-suggestions | tr '\n' ' ')
down="{\"workerId\":\"down-$RUN\",\"periodStart\":\"2020-01-31T09:00:00Z\",\"periodEnd\":\"2020-01-31T17:00:00Z\",\"completedAt\":\"2020-01-30T12:00:00Z\"}"
f=$(body down "$down")
pg_stop
post events/timelineChanged "$f"
expect_status 503 "PostgreSQL stopped: timelineChanged -> 503"
expect_header Retry-After '^[0-9]+$' "timelineChanged 503 carries Retry-After"
expect_json_field '.error | type' string "timelineChanged 503 body is a JSON error"
ue_req GET "$UE/contact/new/down-$RUN"
expect_status 503 "PostgreSQL stopped: contact/new -> 503"
expect_header Retry-After '^[0-9]+$' "contact/new 503 carries Retry-After"
post offer/response "$acc"
expect_status 503 "PostgreSQL stopped: offer/response -> 503"
post offer/eventDeleted "$VECTORS/updatedge-offer-eventDeleted.json"
expect_status 503 "PostgreSQL stopped: offer/eventDeleted -> 503"
suggest "$(sfor ALPHA)"
expect_status 503 "PostgreSQL stopped: contact-suggestions -> 503"
expect_header Retry-After '^[0-9]+$' "contact-suggestions 503 carries Retry-After"
pg_start
post events/timelineChanged "$f"
expect_status 200 "PostgreSQL back: the same timelineChanged -> 200"
expect_json_field '.duplicate' false "the timelineChanged refused with 503 had not been stored"
is "$(sql "SELECT count(*), max(d.times_received) FROM workhooks.timeline_change t JOIN workhooks.delivery d ON d.id = t.delivery_id WHERE t.worker_id = 'down-$RUN'")" \
	"1|1" "after the outage: one timeline_change row, one delivery received once"
ue_req GET "$UE/contact/new/down-$RUN"
expect_status 200 "PostgreSQL back: the same contact/new -> 200"
is "$(sql "SELECT times_added FROM workhooks.worker_contact WHERE worker_id = 'down-$RUN'")" 1 \
	"after the outage: the refused contact/new was not counted"
suggest "$(sfor ALPHA)"
expect_status 200 "PostgreSQL back: contact-suggestions -> 200"
golden "[$zed]" "PostgreSQL back: contact-suggestions answers as before"
is "$(worker_pids updatedge-timeline-changed | tr '\n' ' ')" "$pids_tl" "the same timelineChanged workers served before and after"
is "$(worker_pids updatedge-contact-new | tr '\n' ' ')" "$pids_cn" "the same contact/new workers served before and after"
is "$(worker_pids updatedge-contact-suggestions | tr '\n' ' ')" "$pids_cs" "the same contact-suggestions workers served before and after"

done_testing
