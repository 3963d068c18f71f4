#!/usr/bin/env bash
# Vendor data never fails a delivery in SQL, and the reader cannot forge
# one (issue 7, items 1, 2, 3 and 7):
#   1. every free-text field of a Worksome hire 3 kB and 20 kB of
#      incompressible text: 200, stored, no index key overflows;
#   2. an unknown Worksome event named with 300 and 7990 characters: 200,
#      stored raw with its name;
#   3. workhooks_reader cannot read the delivery's Authorization/Signature
#      or Timestamp (with them, an updatedge request replays);
#   (and an integer beyond 64 bits is never stored clamped);
#   7. the 7th fraction digit: what the endpoint validated is what is
#      stored (no 500 from the table's CHECK after PostgreSQL rounds).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

WS=$BASE_URL/worksome
RUN=$(date +%s)$$

ws_post() { # FILE
	req POST "$WS" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$1")" --data-binary "@$1"
	derive_queued
}
# big N: N characters of incompressible text (base64 of random bytes).
big() { openssl rand -base64 $(($1 * 3 / 4 + 3)) | tr -d '\n' | head -c "$1"; }

# ------------------------------------------------------------ 1. long text
for n in 3000 20000; do
	key=long-$n-$RUN
	# The vendor's hireUpdated, every string of data replaced by n
	# characters of random text, except the values the endpoint checks
	# (ids, dates, workerAcceptedAt, rate, the status); two job owners,
	# one with a long name and email, one with a long name only.
	big "$n" >"$_t_tmp/big"
	jq -c --rawfile big "$_t_tmp/big" --arg key "$key" '
		.data.contract.jobOwners = [{"id":"O1","name":"x","email":"x"},
			{"id":"O2","name":"x","email":("owner-" + $key + "@example.com")}]
		| .data.customFieldValues += [{"id":"F3","slug":"x","customFieldTitle":"x","displayValue":"x"}]
		| .data |= reduce (paths(strings)) as $p (.;
			if ($p[-1] | IN("id", "startDate", "endDate", "workerAcceptedAt", "rate", "status"))
			   or ($p[-1] == "email" and ($p | index("jobOwners")) and (getpath($p) | startswith("owner-")))
			then . else setpath($p; ($p | map(tostring) | join(".")) + ":" + $big) end)
		| .data.contract.hireId = $key | .data.contract.id = ("C-" + $key)
		| .data.contract.status = "active"
		| .data.worker.id = ("W-" + $key) | .data.trustedContact.id = ("T-" + $key)' \
		"$VECTORS/worksome-hireUpdated.json" >"$_t_tmp/long-$n.json"
	ws_post "$_t_tmp/long-$n.json"
	expect_status 200 "hire with ${n}-character text in every free-text field -> 200"
	d=$(jq -r .delivery <<<"$BODY")
	is "$(sql "SELECT length(w.name) > $n, length(w.email) > $n, length(w.location_address) > $n,
		length(w.business_company_name) > $n, length(v.job_description) > $n,
		length(v.worker_name) > $n, (SELECT count(*) FROM workhooks.worksome_job_owner o
			WHERE o.delivery_id = $d AND length(o.name) > $n),
		(SELECT count(*) FROM workhooks.worksome_custom_field_value f
			WHERE f.delivery_id = $d AND length(f.display_value) > $n AND length(f.custom_field_title) > $n),
		length(tc.external_identifier) > $n
		FROM workhooks.worksome_hire_version v
		JOIN workhooks.worksome_worker w ON w.id = v.worker_id
		JOIN workhooks.worksome_trusted_contact tc ON tc.id = v.trusted_contact_id
		WHERE v.delivery_id = $d")" "t|t|t|t|t|t|2|3|t" \
		"${n} characters: worker, version, job owners, custom fields, trusted contact stored whole"
	is "$(sql "SELECT count(*) FROM workhooks.worksome_relationship WHERE hire_key = '$key'")" 0 \
		"${n} characters: a worker whose email is no address (> 254 bytes) is not suggested"
	is "$(sql "SELECT md5(body) FROM workhooks.delivery WHERE id = $d")" "$(md5sum <"$_t_tmp/long-$n.json" | cut -d' ' -f1)" \
		"${n} characters: the raw body stored byte for byte"

	# A usable worker email with a long name, a long-named owner with a
	# usable email: the pair feeds suggestions, name and all.
	jq -c --arg key "$key" '.data.worker.email = ("worker-" + $key + "@example.com")
		| .data.contract.hireId = ($key + "-b") | .data.contract.id = ("C-" + $key + "-b")' \
		"$_t_tmp/long-$n.json" >"$_t_tmp/long-$n-b.json"
	ws_post "$_t_tmp/long-$n-b.json"
	expect_status 200 "${n} characters, usable worker email -> 200"
	is "$(sql "SELECT count(*), min(length(worker_name)) > $n FROM workhooks.worksome_relationship WHERE hire_key = '$key-b'")" "1|t" \
		"${n} characters: one suggestion row (the owner with an address), the long name kept"
	ts=$(ue_now)
	req POST "$BASE_URL/updatedge/contact-suggestions" -H 'Content-Type: application/json' \
		-H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" \
		--data-binary "{\"userEmailAddresses\":[\"owner-$key@example.com\"]}"
	expect_status 200 "${n} characters: suggestions for that owner -> 200"
	is "$(jq -r '.[0].emailAddress, (.[0].name | length > '"$n"')' <<<"$BODY" | tr '\n' ' ')" "worker-$key@example.com true " \
		"${n} characters: the worker is suggested under the long name"
done

# Numbers beyond 64 bits: where a string is documented, kept exactly as
# their text (the store reads the objects from the body, never from
# json-c's clamped integers); as the rate (a typed value), refused by name.
key=bignum-$RUN
jq -c --arg key "$key" '.data.contract.hireId = $key | .data.worker.id = ("W-" + $key)
	| .data.trustedContact.id = ("T-" + $key)' "$VECTORS/worksome-hireUpdated.json" |
	sed -e 's/"phone":"[^"]*"/"phone":123456789012345678901234567890/' >"$_t_tmp/bignum.json"
ws_post "$_t_tmp/bignum.json"
expect_status 200 "a worker phone sent as a 30-digit number -> 200"
is "$(sql "SELECT phone FROM workhooks.worksome_worker WHERE id = 'W-$key'")" "123456789012345678901234567890" \
	"... stored as its exact text"
sed -e 's/"rate":"550"/"rate":123456789012345678901234567890/' -e "s/$key/$key-rate/g" "$_t_tmp/bignum.json" >"$_t_tmp/bigrate.json"
ws_post "$_t_tmp/bigrate.json"
expect_status 400 "a rate beyond 64 bits -> 400"
expect_json_field .field data.contract.rate "... naming data.contract.rate"

# ------------------------------------------------- 2. long unknown event name
for n in 300 7990; do
	name=$(printf 'e%.0s' $(seq "$n"))
	printf '{"event":"%s","data":{"run":"%s"}}' "$name" "$RUN" >"$_t_tmp/event-$n.json"
	ws_post "$_t_tmp/event-$n.json"
	expect_status 200 "unknown event named with $n characters -> 200"
	d=$(jq -r .delivery <<<"$BODY")
	is "$(sql "SELECT length(event) FROM workhooks.delivery WHERE id = $d")" "$n" \
		"unknown event of $n characters: stored raw with its whole name"
done

# ------------------------------------------------ 3. the reader and the headers
ts=$(ue_now)
req POST "$BASE_URL/updatedge/events/timelineChanged" -H 'Content-Type: application/json' \
	-H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" \
	--data-binary "{\"workerId\":\"trust-$RUN\",\"periodStart\":\"2021-03-01T09:00:00Z\",\"periodEnd\":\"2021-03-01T17:00:00Z\",\"completedAt\":\"2021-02-28T10:00:00Z\"}"
expect_status 200 "a signed timelineChanged -> 200"
d=$(jq -r .delivery <<<"$BODY")
is "$(sql "SELECT signed_timestamp = '$ts' AND signature LIKE 'hmac %' FROM workhooks.delivery WHERE id = $d")" t \
	"the delivery keeps its Timestamp and Authorization (for re-verification by the owner)"
for col in signature signed_timestamp '*'; do
	like "$(sql_ro "SELECT $col FROM workhooks.delivery WHERE id = $d" 2>&1)" 'permission denied' \
		"workhooks_ro cannot read delivery.$col"
done
for q in "SELECT signature FROM workhooks.delivery_json" "SELECT signature FROM workhooks.recent_deliveries"; do
	like "$(sql_ro "$q" 2>&1)" 'does not exist' "no view shows the signature (${q##* })"
done
is "$(sql_ro "SELECT id, endpoint, md5(body), secret_label IS NOT NULL, signed_at IS NOT NULL FROM workhooks.delivery WHERE id = $d" 2>&1 | cut -d'|' -f1,2,4,5)" \
	"$d|events/timelineChanged|t|t" "workhooks_ro reads the rest of the delivery"
is "$(sql_ro "SELECT payload->>'workerId' FROM workhooks.delivery_json WHERE id = $d" 2>&1)" "trust-$RUN" \
	"workhooks_ro reads the parsed body through delivery_json"
is "$(sql "SELECT string_agg(DISTINCT r.rolname, ' ') FROM pg_roles r, unnest(ARRAY['signature', 'signed_timestamp']) AS c(col)
	WHERE r.rolname LIKE 'workhooks_%' AND NOT r.rolsuper
	  AND has_column_privilege(r.oid, 'workhooks.delivery', c.col, 'SELECT')")" "" \
	"no workhooks role (writer, reader, their logins) may read those two columns"

# ------------------------------------------------------ 7. the 7th digit
ts=$(ue_now)
req POST "$BASE_URL/updatedge/events/timelineChanged" -H 'Content-Type: application/json' \
	-H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" \
	--data-binary "{\"workerId\":\"digit-$RUN\",\"periodStart\":\"2021-03-01T09:00:00.0000026Z\",\"periodEnd\":\"2021-03-01T09:00:00.0000025Z\",\"completedAt\":\"2021-02-28T10:00:00.0000005Z\"}"
expect_status 400 "periodStart .0000026 / periodEnd .0000025: 3 us and 2 us once rounded as PostgreSQL rounds -> 400"
expect_json_field .field periodEnd "the 400 names periodEnd"
is "$(sql "SELECT count(*) FROM workhooks.timeline_change WHERE worker_id = 'digit-$RUN'")" 0 \
	"nothing stored for the refused body"
ts=$(ue_now)
req POST "$BASE_URL/updatedge/events/timelineChanged" -H 'Content-Type: application/json' \
	-H "Timestamp: $ts" -H "Authorization: $(ue_sign "$ts")" \
	--data-binary "{\"workerId\":\"digit-$RUN\",\"periodStart\":\"2021-03-01T09:00:00.0000025Z\",\"periodEnd\":\"2021-03-01T09:00:00.0000026Z\",\"completedAt\":\"2021-02-28T10:00:00.0000005Z\"}"
expect_status 200 "periodStart .0000025 / periodEnd .0000026 -> 200"
is "$(sql "SET TimeZone = 'UTC'; SELECT period_start, period_end, completed_at, period_start = '2021-03-01T09:00:00.0000025Z'::timestamptz FROM workhooks.timeline_change WHERE worker_id = 'digit-$RUN'")" \
	"2021-03-01 09:00:00.000002+00|2021-03-01 09:00:00.000003+00|2021-02-28 10:00:00+00|t" \
	"the stored microseconds are the validated ones, and PostgreSQL's own reading of the text agrees"

done_testing
