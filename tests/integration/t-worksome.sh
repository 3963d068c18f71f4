#!/usr/bin/env bash
# POST /worksome through the real stack (protocol §3): the vendor's vectors and
# what they store, the Signature rules (§3.1: raw bytes, either case,
# sha256= prefix, several secrets), the envelope and per-event 400s,
# repeats, out-of-order versions, PostgreSQL going away, and hires feeding
# contact suggestions (POST /updatedge/contact-suggestions).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

WS=$BASE_URL/worksome
# Unique per run: keys and emails of the bodies made here.
RUN=$(date +%s)$$

if ! have_bin worksome; then
	skip "cgi-bin/worksome is not built"
	done_testing
fi

# ws_post FILE [SIGNATURE] [URL]: POST a body file as Worksome does.
ws_post() {
	local f=$1 sig=${2-} url=${3:-$WS}
	[ $# -ge 2 ] || sig=$(ws_sign "$f")
	if [ -n "$sig" ]; then
		req POST "$url" -H 'Content-Type: application/json' -H "Signature: $sig" --data-binary "@$f"
	else
		req POST "$url" -H 'Content-Type: application/json' --data-binary "@$f"
	fi
	derive_queued
}

# body NAME JSON: write JSON (exact bytes) to a file; prints the path.
body() {
	printf '%s' "$2" >"$_t_tmp/$1.json"
	printf '%s\n' "$_t_tmp/$1.json"
}

# hire_body KEY STATUS [END_DATE] [WORKER_EMAIL] [OWNERS_JSON] [WORKER_NAME]:
# a hireUpdated body for hire KEY.
hire_body() {
	local key=$1 status=$2 end=${3:-null} email=${4:-null} owners=${5:-[]} name=${6:-Test Worker}
	[ "$end" = null ] || end="\"$end\""
	[ "$email" = null ] || email="\"$email\""
	printf '{"event":"hireUpdated","data":{"contract":{"id":"C-%s","hireId":"%s","accountId":"QWNjb3VudDox","hireStatus":"%s","startDate":"2024-06-03","endDate":%s,"workerAcceptedAt":"2024-05-28 14:03:11","currency":"EUR","rate":"12.50","rateType":"hourly","jobOwners":%s,"jobName":"Tester"},"worker":{"id":"W-%s","name":"%s","email":%s},"trustedContact":{"id":"T-%s","accountId":"QWNjb3VudDox","externalIdentifier":null,"status":"accepted"},"customFieldValues":[]}}' \
		"$key" "$key" "$status" "$end" "$owners" "$key" "$name" "$email" "$key"
}

# delivery_of: the delivery id of the last 200.
delivery_of() { printf '%s' "$BODY" | jq -r '.delivery'; }

# ---------------------------------------------------------------- the vectors

declare -A DELIVERY=()
while IFS=$'\t' read -r file header sig; do
	case $file in '#'* | '' | crosscheck-*) continue ;; esac
	ws_post "$VECTORS/$file" "$sig"
	expect_status 200 "$file with its documented Signature -> 200"
	expect_json_field '.status' ok "$file: body says ok"
	DELIVERY[$file]=$(delivery_of)
done <"$VECTORS/worksome-signatures.tsv"

d=${DELIVERY[worksome-hireUpdated.json]}
is "$(sql "SELECT source, endpoint, event, secret_label FROM workhooks.delivery WHERE id = $d")" \
	"worksome|worksome|hireUpdated|dev" "hireUpdated: delivery source, endpoint, event and secret label 'dev' recorded"
is "$(sql "SELECT md5(body) FROM workhooks.delivery WHERE id = $d")" \
	"$(md5sum <"$VECTORS/worksome-hireUpdated.json" | cut -d' ' -f1)" "hireUpdated: the raw body is stored byte for byte"
is "$(sql "SELECT hire_key, hire_id IS NULL, status, rate = 550, rate_type, currency, start_date, end_date FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"Q29udHJhY3Q6MTIzNA==|t|active|t|daily|USD|2023-11-20|2024-02-20" \
	"hireUpdated: no hireId -> hire key is contract.id; status, rate \"550\" as numeric, dates"
is "$(sql "SELECT to_char(worker_accepted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), worker_accepted_at_raw FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"2024-11-19 09:41:34|2024-11-19 10:41:34" "hireUpdated: workerAcceptedAt read as Copenhagen winter time (UTC+1), raw text kept"
is "$(sql "SELECT job_id, purchase_order_number, location_preference FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"Sm9iOjc5MTMK|BA-1234-5678|remote-only" "hireUpdated: job id, purchase order number, location preference"
is "$(sql "SELECT string_agg(slug || '=' || display_value, ',' ORDER BY position) FROM workhooks.worksome_custom_field_value WHERE delivery_id = $d")" \
	"manager=Olivia Dunham,client=Massive Dynamic" "hireUpdated: both custom field values, in order"
is "$(sql "SELECT name, email, location_city, location_state, business_entity_type, business_company_name FROM workhooks.worksome_worker WHERE id = 'V29ya2VyOjIzNDU2'")" \
	"Peter Bishop|peter.bishop@example.com|Springfield|IL|common_business|Bishop Ltd." \
	"hireUpdated: the worker with location and business entity"
is "$(sql "SELECT status, external_identifier, worker_id FROM workhooks.worksome_trusted_contact WHERE id = 'VHJ1c3RlZENvbnRhY3Q6MzA='")" \
	"invited|d05fc13d-156e-4cc6-b325-a42e20f721c5|V29ya2VyOjIzNDU2" "hireUpdated: the trusted contact"
is "$(sql "SELECT status FROM workhooks.worksome_hire_current WHERE hire_key = 'Q29udHJhY3Q6MTIzNA=='")" \
	active "hireUpdated: worksome_hire_current shows the hire"

d=${DELIVERY[worksome-contractAccepted.json]}
is "$(sql "SELECT hire_key, contract_id, status, rate = 450, end_date IS NULL FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"SGlyZToxMjM=|Q29udHJhY3Q6MTIzNA==|signed|t|t" \
	"contractAccepted: hire key is contract.hireId; hireStatus; rate 450 (a number); endDate null"
is "$(sql "SELECT worker_accepted_at = '2024-05-28 12:03:11Z', worker_accepted_at_raw FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"t|2024-05-28 14:03:11" "contractAccepted: workerAcceptedAt 2024-05-28 14:03:11 Copenhagen = 12:03:11Z"
is "$(sql "SELECT job_name, job_description FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"Backend developer / PHP|Team of Søren needs help" "contractAccepted: \\/ and \\u00f8 escapes decoded in the typed columns"
is "$(sql "SELECT count(*) FROM workhooks.worksome_custom_field_value WHERE delivery_id = $d")" 0 \
	"contractAccepted: customFieldValues [] -> no rows"
is "$(sql "SELECT id, name, email FROM workhooks.worksome_job_owner WHERE delivery_id = $d")" \
	"VXNlcjo1|Ana Owner|ana.owner@example.com" "contractAccepted: the job owner"

d=${DELIVERY[worksome-hireCancelled.json]}
is "$(sql "SELECT hire_key, status, rate = 55, rate::text, currency, end_date FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"SGlyZToxMjM=|cancelled|t|55.00|GBP|2024-09-30" "hireCancelled: rate \"55.00\" as numeric, same hire key as contractAccepted"
is "$(sql "SELECT cancel_reason = '{}'::jsonb, jsonb_typeof(cancel_reason), worker_accepted_at IS NULL FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" \
	"t|object|t" "hireCancelled: cancelReason {} kept as jsonb; workerAcceptedAt null"
is "$(sql "SELECT count(*) FROM workhooks.worksome_custom_field_value WHERE delivery_id = $d")" 0 \
	"hireCancelled: customFieldValues {} accepted -> no rows"
is "$(sql "SELECT count(*) FROM workhooks.worksome_hire_version WHERE hire_key = 'SGlyZToxMjM=' AND delivery_id IN (${DELIVERY[worksome-contractAccepted.json]}, $d)")" 2 \
	"contractAccepted and hireCancelled are two versions of one hire"

d=${DELIVERY[worksome-trustedContactUpdated.json]}
is "$(sql "SELECT status, external_identifier, worker_id FROM workhooks.worksome_trusted_contact WHERE id = 'VHJ1c3RlZENvbnRhY3Q6Nw=='")" \
	"accepted|EXT-0042|V29ya2VyOjQy" "trustedContactUpdated: the trusted contact's external identifier"
is "$(sql "SELECT count(*) FROM workhooks.worksome_hire_version WHERE delivery_id = $d")" 0 \
	"trustedContactUpdated: no hire version"

d=${DELIVERY[worksome-unknown-event.json]}
is "$(sql "SELECT event, payload->'data' ? 'paymentRequest' FROM workhooks.delivery_json WHERE id = $d")" \
	"paymentRequestPaid|t" "unknown event: stored raw with its event name and payload"
is "$(sql "SELECT (SELECT count(*) FROM workhooks.worksome_hire_version WHERE delivery_id = $d)
	+ (SELECT count(*) FROM workhooks.worksome_worker WHERE delivery_id = $d)
	+ (SELECT count(*) FROM workhooks.worksome_trusted_contact WHERE delivery_id = $d)")" 0 \
	"unknown event: no derived rows"

# ---------------------------------------------------------------- Signature

f=$VECTORS/worksome-contractAccepted.json
sig=$(ws_sign "$f")

ws_post "$f" "sha256=$sig"
expect_status 200 "Signature with a sha256= prefix -> 200"
ws_post "$f" "$(printf '%s' "$sig" | tr '[:lower:]' '[:upper:]')"
expect_status 200 "Signature in upper-case hex -> 200"

# Exactly one byte different: the rate 450 -> 451.
sed -e 's/"rate":450,/"rate":451,/' "$f" | head -c "$(stat -c %s "$f")" >"$_t_tmp/changed.json"
is "$(cmp -l "$f" "$_t_tmp/changed.json" | wc -l)" 1 "test setup: the changed body differs in one byte"
ws_post "$_t_tmp/changed.json" "$sig"
expect_status 401 "a body changed by one byte, original Signature -> 401"
expect_json_field '.error' unauthorized "the 401 body is a JSON error"
expect_body_not 'signature|secret|hex|digest' "the 401 body does not say which part failed"

ws_post "$f" "$(ws_sign "$f" 'not-the-secret')"
expect_status 401 "Signature made with a wrong secret -> 401"
ws_post "$f" ""
expect_status 401 "no Signature header -> 401"
expect_json_field '.error' unauthorized "missing Signature: JSON error body"
ws_post "$f" "$(printf '%s' "$sig" | sed -e 's/^./z/')"
expect_status 401 "Signature that is not hex -> 401"
ws_post "$f" "${sig:0:63}"
expect_status 401 "Signature of 63 hex digits -> 401"
ws_post "$f" "${sig}0"
expect_status 401 "Signature of 65 hex digits -> 401"

# PHP escapes / as \/: the signature covers those bytes, not a
# re-serialisation of the same JSON.
sed -e 's|\\/|/|g' "$f" | head -c $(($(stat -c %s "$f") - 1)) >"$_t_tmp/reserialised.json"
is "$(jq -cS . "$_t_tmp/reserialised.json")" "$(jq -cS . "$f")" "test setup: the re-serialised body is the same JSON"
ws_post "$_t_tmp/reserialised.json" "$sig"
expect_status 401 "the same JSON re-serialised (/ for \\/), original Signature -> 401"

# Rotation: a second configured secret verifies, and its label is kept.
f2=$(body rotation "$(hire_body "rot-$RUN" active)")
ws_post "$f2" "$(ws_sign "$f2" "$WS_SECRET2")"
expect_status 200 "a body signed with the second configured secret (rotation) -> 200"
is "$(sql "SELECT secret_label FROM workhooks.delivery WHERE id = $(delivery_of)")" rotation \
	"the second secret's label 'rotation' is recorded in delivery.secret_label"

# GitHub's published example: the HMAC and the prefix agree with another
# implementation; the body is not JSON, so authentication passes first.
ws_post "$VECTORS/crosscheck-github-hello.txt" "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
expect_status 400 "GitHub's crosscheck vector: signature verifies (third secret), then 400 as not JSON"

# Apache passes the Signature header too.
f3=$(body apache "$(hire_body "apache-$RUN" active)")
ws_post "$f3" "$(ws_sign "$f3")" "$APACHE_URL/worksome"
expect_status 200 "apache: a signed hireUpdated -> 200"

# ---------------------------------------------------------------- envelope, 400

# bad NAME JSON FIELD DESC: a signed body that must be 400 naming FIELD.
bad() {
	local f
	f=$(body "$1" "$2")
	ws_post "$f"
	expect_status 400 "$4 -> 400"
	expect_json_field '.field' "$3" "$4: the error names $3"
}
bad no-event '{"data":{}}' event "missing event"
bad num-event '{"event":42,"data":{}}' event "non-string event"
bad null-event '{"event":null,"data":{}}' event "event null"
bad no-data '{"event":"hireUpdated"}' data "missing data"
bad str-data '{"event":"somethingNew","data":"x"}' data "data not an object (even for an unknown event)"
bad no-contract '{"event":"hireUpdated","data":{"worker":{},"trustedContact":{}}}' data.contract "hireUpdated without data.contract"
bad no-contract2 '{"event":"contractAccepted","data":{"contract":null,"worker":{},"trustedContact":{}}}' data.contract "contractAccepted with data.contract null"
bad no-worker '{"event":"hireEnded","data":{"contract":{"id":"x"},"trustedContact":{}}}' data.worker "hireEnded without data.worker"
bad no-tc '{"event":"trustedContactUpdated","data":{"worker":{"id":"x"}}}' data.trustedContact "trustedContactUpdated without data.trustedContact"
bad no-key '{"event":"hireUpdated","data":{"contract":{"hireId":null},"worker":{},"trustedContact":{}}}' data.contract.id "a hire without hireId or id"
bad bad-rate '{"event":"hireUpdated","data":{"contract":{"id":"x","rate":"12,50"},"worker":{},"trustedContact":{}}}' data.contract.rate "rate not a decimal"
bad bad-date '{"event":"hireUpdated","data":{"contract":{"id":"x","startDate":"2024-02-30"},"worker":{},"trustedContact":{}}}' data.contract.startDate "startDate not a calendar date"
bad bad-accepted '{"event":"hireUpdated","data":{"contract":{"id":"x","workerAcceptedAt":"2024-05-28T14:03:11+02:00"},"worker":{},"trustedContact":{}}}' data.contract.workerAcceptedAt "workerAcceptedAt not YYYY-MM-DD HH:mm:ss"
bad bad-hour '{"event":"hireUpdated","data":{"contract":{"id":"x","workerAcceptedAt":"2024-05-28 24:00:00"},"worker":{},"trustedContact":{}}}' data.contract.workerAcceptedAt "workerAcceptedAt at hour 24"
bad bad-owners '{"event":"hireUpdated","data":{"contract":{"id":"x","jobOwners":{"0":{"email":"a@b.c"}}},"worker":{},"trustedContact":{}}}' data.contract.jobOwners "jobOwners a non-empty object"
bad bad-worker-id '{"event":"hireUpdated","data":{"contract":{"id":"x"},"worker":{"id":""},"trustedContact":{}}}' data.worker.id "worker.id empty"
bad bad-cfv '{"event":"hireUpdated","data":{"contract":{"id":"x"},"worker":{},"trustedContact":{},"customFieldValues":"none"}}' data.customFieldValues "customFieldValues a string"

# Tolerance: every optional field missing or null.
f=$(body nulls "{\"event\":\"hireEnded\",\"data\":{\"contract\":{\"id\":\"nulls-$RUN\",\"hireId\":null,\"hireStatus\":null,\"status\":null,\"startDate\":null,\"endDate\":null,\"workerAcceptedAt\":null,\"rate\":null,\"jobOwners\":null,\"currency\":null},\"worker\":{\"id\":null,\"email\":null,\"location\":null,\"businessEntity\":null},\"trustedContact\":{\"id\":null},\"customFieldValues\":null}}")
ws_post "$f"
expect_status 200 "a hire with every optional field null -> 200"
is "$(sql "SELECT hire_key, status IS NULL, rate IS NULL FROM workhooks.worksome_hire_version WHERE delivery_id = $(delivery_of)")" \
	"nulls-$RUN|t|t" "... stored with the key from contract.id and NULLs"
f=$(body status "{\"event\":\"hireTerminated\",\"data\":{\"contract\":{\"id\":\"st-$RUN\",\"status\":\"paused-by-robot\",\"rate\":7},\"worker\":{},\"trustedContact\":{},\"terminatedReason\":{\"code\":3}}}")
ws_post "$f"
expect_status 200 "hireTerminated with 'status' (not hireStatus), an unknown value, terminatedReason an object -> 200"
is "$(sql "SELECT status, terminated_reason->>'code' FROM workhooks.worksome_hire_version WHERE delivery_id = $(delivery_of)")" \
	"paused-by-robot|3" "... status kept as sent, terminatedReason kept as jsonb"

f=$(body tsep "{\"event\":\"contractAccepted\",\"data\":{\"contract\":{\"id\":\"tsep-$RUN\",\"workerAcceptedAt\":\"2024-01-15T08:00:00\",\"jobOwners\":{}},\"worker\":{},\"trustedContact\":{}}}")
ws_post "$f"
expect_status 200 "workerAcceptedAt with a T instead of the space, jobOwners {} -> 200"
is "$(sql "SELECT worker_accepted_at = '2024-01-15 07:00:00Z' FROM workhooks.worksome_hire_version WHERE delivery_id = $(delivery_of)")" \
	t "... read as Copenhagen winter time"

# ---------------------------------------------------------------- repeats

f=$(body twice "$(hire_body "twice-$RUN" active)")
ws_post "$f"
expect_status 200 "a new body -> 200"
expect_json_field '.duplicate' false "first time: not a duplicate"
first=$(delivery_of)
ws_post "$f"
expect_status 200 "the same body again -> 200"
expect_json_field '.duplicate' true "second time: a duplicate"
is "$(delivery_of)" "$first" "the repeat answers the same delivery id"
is "$(sql "SELECT count(*), max(times_received) FROM workhooks.delivery WHERE source = 'worksome' AND body_sha256 = sha256(convert_to(body, 'UTF8')) AND id = $first")" \
	"1|2" "stored once, times_received 2"
is "$(sql "SELECT count(*) FROM workhooks.worksome_hire_version WHERE hire_key = 'twice-$RUN'")" 1 \
	"the repeat derives nothing twice"

# ---------------------------------------------------------------- order

# Worksome gives no ordering guarantee: the version meant later (ended)
# arrives first; the current state is the latest received all the same.
later=$(body later "$(hire_body "order-$RUN" ended 2024-09-30)")
earlier=$(body earlier "$(hire_body "order-$RUN" active)")
ws_post "$later"
expect_status 200 "out of order: the later-meant version (ended) first -> 200"
d1=$(delivery_of)
ws_post "$earlier"
expect_status 200 "out of order: the earlier-meant version (active) second -> 200"
d2=$(delivery_of)
is "$(sql "SELECT string_agg(status, ',' ORDER BY delivery_id) FROM workhooks.worksome_hire_version WHERE hire_key = 'order-$RUN'")" \
	"ended,active" "both versions kept in worksome_hire_version, in arrival order"
is "$(sql "SELECT current_delivery_id, status, versions FROM workhooks.worksome_hire WHERE hire_key = 'order-$RUN'")" \
	"$d2|active|2" "current state = the latest received version"
is "$(sql "SELECT status, end_date IS NULL FROM workhooks.worksome_hire_current WHERE hire_key = 'order-$RUN'")" \
	"active|t" "worksome_hire_current shows the latest received"
[ "$d2" -gt "$d1" ]
_t_check $? "the latest received has the higher delivery id"

# trustedContactUpdated carries a reduced worker object: what it leaves out
# keeps the value a hire event brought; what it carries is current.
f=$(body merge1 "$(hire_body "merge-$RUN" active null "merge.$RUN@example.com" "[]" "Mae Before")")
ws_post "$f"
expect_status 200 "a hire brings a worker with an email -> 200"
f=$(body merge2 "{\"event\":\"trustedContactUpdated\",\"data\":{\"trustedContact\":{\"id\":\"T-merge-$RUN\",\"accountId\":\"QWNjb3VudDox\",\"externalIdentifier\":\"EXT-$RUN\",\"status\":\"declined\"},\"worker\":{\"id\":\"W-merge-$RUN\",\"name\":\"Mae After\"}}}")
ws_post "$f"
expect_status 200 "then trustedContactUpdated for that worker, without an email -> 200"
is "$(sql "SELECT name, email, event FROM workhooks.worksome_worker WHERE id = 'W-merge-$RUN'")" \
	"Mae After|merge.$RUN@example.com|trustedContactUpdated" "the worker: new name, email kept from the hire"
is "$(sql "SELECT status, external_identifier FROM workhooks.worksome_trusted_contact WHERE id = 'T-merge-$RUN'")" \
	"declined|EXT-$RUN" "the trusted contact as trustedContactUpdated says"
is "$(sql "SELECT trusted_contact_status, hires FROM workhooks.worksome_worker_current WHERE id = 'W-merge-$RUN'")" \
	"declined|1" "worksome_worker_current: trusted-contact status and hire count"

# ---------------------------------------------------------------- database down

pids_before=$(worker_pids worksome | tr '\n' ' ')
f=$(body outage "$(hire_body "outage-$RUN" active)")
pg_stop
ws_post "$f"
expect_status 503 "PostgreSQL stopped -> 503"
expect_header Retry-After '^[0-9]+$' "the 503 carries Retry-After"
expect_json_field '.error | type' string "the 503 body is a JSON error"
pg_start
ws_post "$f"
expect_status 200 "after PostgreSQL restarts -> 200, no worker restarted"
expect_json_field '.duplicate' false "the body refused with 503 had not been stored"
is "$(worker_pids worksome | tr '\n' ' ')" "$pids_before" "the same worksome workers served before and after the outage"

# ---------------------------------------------------------------- suggestions

owner=ana.owner@example.com
# suggest [FILTER]: contact suggestions for the job owner (upper-cased: emails
# compare case-insensitively).
suggest() {
	local filter=${1:-}
	if [ -n "$filter" ]; then
		ue_req POST "$BASE_URL/updatedge/contact-suggestions" -H 'Content-Type: application/json' \
			--data-binary "{\"userEmailAddresses\":[\"ANA.Owner@example.com\"],\"filter\":\"$filter\"}"
	else
		ue_req POST "$BASE_URL/updatedge/contact-suggestions" -H 'Content-Type: application/json' \
			--data-binary '{"userEmailAddresses":["ANA.Owner@example.com"]}'
	fi
}

liv="liv.$RUN@example.com"
f=$(body hired "$(hire_body "liv-$RUN" active 2031-01-31 "Liv.$RUN@Example.com" "[{\"id\":\"VXNlcjo1\",\"name\":\"Ana Owner\",\"email\":\"$owner\"}]" "Liv Worker $RUN")")
ws_post "$f"
expect_status 200 "a hire of a worker with an email, job owner $owner -> 200"
is "$(sql "SELECT owner_email_key, worker_email_key, last_worked = '2031-01-31Z' FROM workhooks.worksome_relationship WHERE hire_key = 'liv-$RUN'")" \
	"$owner|$liv|t" "worksome_relationship: worker x job owner, last worked = the end date"
suggest
expect_status 200 "contact suggestions for the job owner -> 200"
expect_json_field "[.[] | select(.emailAddress | ascii_downcase == \"$liv\")] | length" 1 \
	"the worker hired through Worksome is suggested to the job owner"
expect_json_field "[.[] | select(.emailAddress | ascii_downcase == \"$liv\")][0].name" "Liv Worker $RUN" \
	"... under the worker's name"
expect_json_field "[.[] | select(.emailAddress | ascii_downcase == \"$liv\")][0].ratings" "[]" \
	"... with no rating (Worksome gives none)"
suggest "liv worker $RUN"
expect_json_field "[.[] | .emailAddress | ascii_downcase] | join(\",\")" "$liv" "the filter applies to Worksome workers too"

# A worker with no email cannot be suggested.
f=$(body noemail "$(hire_body "noemail-$RUN" active 2031-01-31 null "[{\"email\":\"$owner\"}]" "Nomail $RUN")")
ws_post "$f"
expect_status 200 "a hire of a worker without an email -> 200"
is "$(sql "SELECT count(*) FROM workhooks.worksome_relationship WHERE hire_key = 'noemail-$RUN'")" 0 \
	"... gives no suggestion row"

# A person who is one of the organisation's people and was also hired
# through Worksome is listed once, as the organisation knows them.
bo="bo.$RUN@example.com"
sql "INSERT INTO workhooks.person (name, email, profile_image_url) VALUES ('Bo Person $RUN', '$bo', 'https://img.example/bo.jpg');
     INSERT INTO workhooks.relationship (person_id, hirer_email, rating, rating_provider, last_worked)
       SELECT id, 'Ana.Owner@example.com', 4, 'Org rating', '2024-01-02Z' FROM workhooks.person WHERE email = '$bo'" >/dev/null
f=$(body both "$(hire_body "bo-$RUN" active 2031-01-31 "BO.$RUN@EXAMPLE.COM" "[{\"email\":\"$owner\"}]" "Bo Worksome")")
ws_post "$f"
expect_status 200 "a Worksome hire of one of the organisation's people -> 200"
suggest
expect_json_field "[.[] | select(.emailAddress | ascii_downcase == \"$bo\")] | length" 1 \
	"a person both in workhooks.person and hired through Worksome is listed once"
expect_json_field "[.[] | select(.emailAddress | ascii_downcase == \"$bo\")][0] | [.name, .emailAddress, .profileImageUrl] | join(\"|\")" \
	"Bo Person $RUN|$bo|https://img.example/bo.jpg" "... with the organisation's name, email and image"
expect_json_field "[.[] | select(.emailAddress | ascii_downcase == \"$bo\")][0].ratings | length" 1 \
	"... and the organisation's rating"

# One of the organisation's people with no relationship of their own: the
# Worksome row takes their name and image.
cy="cy.$RUN@example.com"
sql "INSERT INTO workhooks.person (name, email, profile_image_url) VALUES ('Cy Person $RUN', '$cy', 'https://img.example/cy.jpg')" >/dev/null
f=$(body cy "$(hire_body "cy-$RUN" active 2031-01-31 "$cy" "[{\"email\":\"$owner\"}]" "Cy Worksome")")
ws_post "$f"
suggest
expect_json_field "[.[] | select(.emailAddress == \"$cy\")][0] | [.name, .profileImageUrl] | join(\"|\")" \
	"Cy Person $RUN|https://img.example/cy.jpg" "a hired worker who is one of the organisation's people is shown as the organisation knows them"

# The hire's current version decides: a later version without job owners
# removes the suggestion.
f=$(body cy2 "$(hire_body "cy-$RUN" ended 2031-01-31 "$cy" "[]" "Cy Worksome")")
ws_post "$f"
expect_status 200 "a later version of the hire with no job owners -> 200"
suggest
expect_json_field "[.[] | select(.emailAddress == \"$cy\")] | length" 0 \
	"... and the worker is no longer suggested to the former job owner"

# The hirer predicate reaches an index in the Worksome branch.
plan=$(sql "SET enable_seqscan = off; EXPLAIN SELECT * FROM workhooks.suggestion_source WHERE hirer_email = ANY ('{ana.owner@example.com}')")
like "$plan" 'worksome_relationship_owner' "suggestion_source: the hirer predicate uses worksome_relationship_owner"

sql "DELETE FROM workhooks.person WHERE email IN ('$bo', '$cy')" >/dev/null

# ------------------------------------------------------ derived off the path
# The store queues a hire delivery (worksome_hire_pending) and the
# workers derive the queue about once a second, on their own: no fold
# called here, the hire appears within a few seconds (README "Work off
# the request path").
f=$(body own "$(hire_body "own-$RUN" active)")
req POST "$WS" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$f")" --data-binary "@$f"
expect_status 200 "a hire delivery -> 200"
d=$(delivery_of)
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE id = $d")" 1 "... committed before the answer"
for _ in $(seq 50); do
	[ "$(sql "SELECT count(*) FROM workhooks.worksome_hire WHERE hire_key = 'own-$RUN'")" = 1 ] && break
	sleep 0.1
done
is "$(sql "SELECT status, versions FROM workhooks.worksome_hire WHERE hire_key = 'own-$RUN'")" "active|1" \
	"the workers derive a queued hire delivery on their own within 5 s"
is "$(sql "SELECT count(*) FROM workhooks.worksome_hire_pending WHERE delivery_id = $d")" 0 \
	"... and it has left the queue"

# A delivery whose derivation fails for a reason of its data stays queued
# with its error; the others of its fold are derived. (In one transaction,
# rolled back: a constraint made for the test refuses one version.)
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" 2>&1 <<-SQL
	BEGIN;
	SELECT (workhooks.worksome_hire_fold(true)).taken >= 0;
	ALTER TABLE workhooks.worksome_hire_version ADD CONSTRAINT test_refuse
		CHECK (job_name IS DISTINCT FROM 'refused-$RUN') NOT VALID;
	SELECT count(*) FROM (SELECT workhooks.store_worksome_hire_many('worksome',
		ARRAY['hireUpdated', 'hireUpdated'],
		ARRAY[replace(b, '"jobName":"Tester"', '"jobName":"refused-$RUN"'), b],
		ARRAY[sha256(convert_to(replace(b, '"jobName":"Tester"', '"jobName":"refused-$RUN"'), 'UTF8'))::text,
		      sha256(convert_to(b, 'UTF8'))::text],
		'{NULL,NULL}', '{t,t}', '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}',
		ARRAY['bad-$RUN', 'good-$RUN'], '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}',
		'{NULL,NULL}', '{NULL,NULL}', ARRAY['W-bad-$RUN', 'W-good-$RUN'], '{NULL,NULL}')
		FROM (SELECT '$(hire_body "x-$RUN" active)'::text AS b) AS x) AS s;
	SET client_min_messages = error;
	SELECT taken FROM workhooks.worksome_hire_fold(true);
	SELECT hire_id || ' ' || (error LIKE '23514: %test_refuse%') FROM workhooks.worksome_hire_pending WHERE hire_id LIKE '%-$RUN';
	SELECT hire_key FROM workhooks.worksome_hire WHERE hire_key IN ('bad-$RUN', 'good-$RUN');
	SELECT 'again ' || taken FROM workhooks.worksome_hire_fold(true);
	ALTER TABLE workhooks.worksome_hire_version DROP CONSTRAINT test_refuse;
	SELECT 'rederived ' || workhooks.rederive('worksome', 'worksome', now());
	SELECT count(*) FROM workhooks.worksome_hire_pending WHERE hire_id LIKE '%-$RUN';
	SELECT count(*) FROM workhooks.worksome_hire_version WHERE job_name = 'refused-$RUN';
	ROLLBACK;
SQL
)
is "$out" "t
2
2
bad-$RUN true
good-$RUN
again 0
rederived 2
0
1" "a derivation that fails stays queued with its error (not taken again), the other delivery of the fold is derived; after the fix, rederive() derives it and it leaves the queue"

# Without p_wait a fold takes at most p_limit deliveries (the workers'
# call: 5,000, about half a second); with p_wait all of them.
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB_CONNINFO" 2>&1 <<-SQL
	BEGIN;
	SELECT (workhooks.worksome_hire_fold(true)).taken >= 0;
	SELECT count(*) FROM (SELECT workhooks.store_worksome_hire_many('worksome',
		array_fill('hireUpdated'::text, ARRAY[3]),
		ARRAY(SELECT replace(b, 'Tester', 'Tester ' || i) FROM generate_series(1, 3) AS i),
		ARRAY(SELECT sha256(convert_to(replace(b, 'Tester', 'Tester ' || i), 'UTF8'))::text FROM generate_series(1, 3) AS i),
		array_fill(NULL::text, ARRAY[3]), array_fill('t'::text, ARRAY[3]), array_fill(NULL::text, ARRAY[3]),
		array_fill(NULL::text, ARRAY[3]), array_fill(NULL::text, ARRAY[3]),
		ARRAY['lim1-$RUN', 'lim2-$RUN', 'lim3-$RUN'], array_fill(NULL::text, ARRAY[3]),
		array_fill(NULL::text, ARRAY[3]), array_fill(NULL::text, ARRAY[3]), array_fill(NULL::text, ARRAY[3]),
		array_fill(NULL::text, ARRAY[3]), array_fill(NULL::text, ARRAY[3]), array_fill(NULL::text, ARRAY[3]))
		FROM (SELECT '$(hire_body "lim-$RUN" active)'::text AS b) AS x) AS s;
	SELECT taken, more FROM workhooks.worksome_hire_fold(false, 2);
	SELECT count(*) FROM workhooks.worksome_hire_pending WHERE hire_id LIKE 'lim%-$RUN';
	SELECT taken FROM workhooks.worksome_hire_fold(true);
	SELECT count(*) FROM workhooks.worksome_hire WHERE hire_key LIKE 'lim%-$RUN';
	ROLLBACK;
SQL
)
is "$out" "t
3
2|t
1
1
3" "worksome_hire_fold(): at most p_limit deliveries a call (and says more), the rest with p_wait"

# People at psql: the reader role sees the Worksome tables and views.
is "$(sql_ro "SELECT count(*) > 0 FROM workhooks.worksome_hire_current")" t "workhooks_ro can read worksome_hire_current"
is "$(sql_ro "SELECT count(*) > 0 FROM workhooks.worksome_worker_current")" t "workhooks_ro can read worksome_worker_current"

done_testing
