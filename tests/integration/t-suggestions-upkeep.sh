#!/usr/bin/env bash
# Contact suggestions stay true as the organisation's tables change
# (the pre-rendered suggestion_entry, sql/code/5*-6*,
# kept by triggers), and the fast path (one address) answers exactly what
# the general path (several addresses) does.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

UE=$BASE_URL/updatedge
hirer="upkeep-$$@hirer.example"
suggest() {
	ue_req POST "$UE/contact-suggestions" -H 'Content-Type: application/json' --data-binary "$1"
}
names() { jq -r '[.[].name] | join(",")' <<<"$BODY"; }

sql "INSERT INTO workhooks.person (name, email) VALUES
	('Upkeep Ann $$', 'ann-$$@upkeep.example'),
	('Upkeep Bob $$', 'bob-$$@upkeep.example'),
	('Upkeep Cy $$',  'cy-$$@upkeep.example');
INSERT INTO workhooks.relationship (person_id, hirer_email, rating, rating_provider, last_worked)
SELECT p.id, upper('$hirer'), 4, 'Upkeep', t::timestamptz
FROM (VALUES ('ann-$$@upkeep.example', '2024-01-01Z'), ('bob-$$@upkeep.example', '2024-06-01Z'),
	('cy-$$@upkeep.example', '2023-01-01Z')) AS v(e, t)
JOIN workhooks.person p ON p.email = v.e" >/dev/null

suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
expect_status 200 "suggestions for a freshly loaded hirer -> 200"
is "$(names)" "Upkeep Bob $$,Upkeep Ann $$,Upkeep Cy $$" "new relationships show at once, latest lastWorked first"
fast=$(jq -S . <<<"$BODY")
suggest "{\"userEmailAddresses\":[\"$hirer\",\"nobody-$$@nowhere.example\"]}"
is "$(jq -S . <<<"$BODY")" "$fast" "one address (fast path) and two addresses (general path) give the same answer"

sql "UPDATE workhooks.person SET name = 'Upkeep Robert $$', profile_image_url = 'http://img.example/bob.jpg'
	WHERE email = 'bob-$$@upkeep.example'" >/dev/null
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
is "$(names)" "Upkeep Robert $$,Upkeep Ann $$,Upkeep Cy $$" "a person's new name shows in suggestions"
expect_json_field '.[0].profileImageUrl' 'http://img.example/bob.jpg' "a person's new image shows in suggestions"

sql "UPDATE workhooks.relationship SET last_worked = '2025-01-01Z'
	WHERE person_id = (SELECT id FROM workhooks.person WHERE email = 'cy-$$@upkeep.example')" >/dev/null
suggest "{\"userEmailAddresses\":[\"$hirer\"],\"filter\":\"upkeep\"}"
is "$(names)" "Upkeep Cy $$,Upkeep Robert $$,Upkeep Ann $$" "a changed lastWorked reorders the answer"
expect_json_field '.[0].ratings[0].lastWorked' '2025-01-01T00:00:00Z' "the rating shows the new lastWorked"

sql "DELETE FROM workhooks.relationship
	WHERE person_id = (SELECT id FROM workhooks.person WHERE email = 'ann-$$@upkeep.example')" >/dev/null
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
is "$(names)" "Upkeep Cy $$,Upkeep Robert $$" "a deleted relationship leaves the answer"
fast=$(jq -S . <<<"$BODY")
suggest "{\"userEmailAddresses\":[\"$hirer\",\"nobody-$$@nowhere.example\"]}"
is "$(jq -S . <<<"$BODY")" "$fast" "after the changes, fast and general paths still agree"

is "$(sql "SELECT count(*) FROM (SELECT * FROM workhooks.suggestion_entry WHERE hirer_key = lower('$hirer')) e")" 2 \
	"suggestion_entry holds one row per (hirer, person) left"

# The rare branches of the fast path.  A person whose name is too long to
# be an index key gets an entry without a key: that hirer is answered by
# the general path, with the person, and the same answer as two addresses.
long=$(printf 'Upkeep Long %.0s' $(seq 60))
sql "INSERT INTO workhooks.person (name, email) VALUES ('$long$$', 'long-$$@upkeep.example');
INSERT INTO workhooks.relationship (person_id, hirer_email, last_worked)
SELECT id, '$hirer', '2026-01-01Z' FROM workhooks.person WHERE email = 'long-$$@upkeep.example'" >/dev/null
is "$(sql "SELECT count(*) FROM workhooks.suggestion_entry WHERE hirer_key = lower('$hirer') AND person_key IS NULL")" 1 \
	"a person too long to index: their entry has no key"
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
is "$(jq -r '.[0].emailAddress' <<<"$BODY")" "long-$$@upkeep.example" "... and that hirer's answer still lists them (general path)"
fast=$(jq -S . <<<"$BODY")
suggest "{\"userEmailAddresses\":[\"$hirer\",\"nobody-$$@nowhere.example\"]}"
is "$(jq -S . <<<"$BODY")" "$fast" "... the same answer as with two addresses"
sql "DELETE FROM workhooks.person WHERE email = 'long-$$@upkeep.example'" >/dev/null
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
is "$(names)" "Upkeep Cy $$,Upkeep Robert $$" "deleting the person (cascading to the relationship) removes them again"

# A person's new email reaches their entries (the person trigger).
sql "UPDATE workhooks.person SET email = 'cy-new-$$@upkeep.example' WHERE email = 'cy-$$@upkeep.example'" >/dev/null
suggest "{\"userEmailAddresses\":[\"$hirer\"],\"filter\":\"cy-new\"}"
is "$(jq -r '[.[].emailAddress] | join(",")' <<<"$BODY")" "cy-new-$$@upkeep.example" "a person's new email shows and is filtered on"

# suggestion_entry emptied behind the triggers' back: the general path
# answers, and suggestion_entry_rebuild() makes the entries again.
before=$(sql "SELECT count(*) FROM workhooks.suggestion_entry")
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
fast=$(jq -S . <<<"$BODY")
sql "TRUNCATE workhooks.suggestion_entry" >/dev/null
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
is "$(jq -S . <<<"$BODY")" "$fast" "entries emptied: the same answer (general path)"
is "$(sql "SELECT workhooks.suggestion_entry_rebuild()")" "$before" "suggestion_entry_rebuild() makes every entry again"
suggest "{\"userEmailAddresses\":[\"$hirer\"]}"
is "$(jq -S . <<<"$BODY")" "$fast" "after the rebuild: the same answer"
is "$(sql "SELECT count(*) FROM (SELECT * FROM workhooks.suggestion_entry EXCEPT SELECT * FROM workhooks.suggestion_entry_source) d")" 0 \
	"the entries are exactly what suggestion_entry_source computes"

# The fast path is inlined into the endpoint's statement (a LANGUAGE sql
# function without SET or SECURITY DEFINER, run with the endpoints' rights):
# no function call of its own, its index range read in the caller's plan.
plan=$(psql -X -A -t -q -d "$(wh_conninfo workhooks workhooks_app)" -c \
	"EXPLAIN (VERBOSE, COSTS OFF) SELECT f.answer FROM workhooks.contact_suggestions_fast('[\"$hirer\"]'::jsonb, NULL, 50) AS f" 2>&1)
unlike "$plan" 'contact_suggestions_fast' "the endpoints' role gets contact_suggestions_fast inlined (no function scan)"
like "$plan" 'suggestion_entry_answer' "... its plan reads the hirer's entries by suggestion_entry_answer"
is "$(psql -X -A -t -q -d "$(wh_conninfo workhooks workhooks_app)" -c \
	"SELECT f.answer FROM workhooks.contact_suggestions_fast('[\"$hirer\"]'::jsonb, NULL, 50) AS f" | jq -S .)" "$fast" \
	"... and gives the endpoint's answer"

# ... and in the generic plan each request's values are computed once: the
# filter is a parameter of the entries' scan (not lower(...) per entry)
# and the answer's range read is planned once, not once per mention.
gplan=$(psql -X -A -t -q -d "$(wh_conninfo workhooks workhooks_app)" <<'SQL' 2>&1
SET plan_cache_mode = force_generic_plan;
PREPARE s(jsonb, text, integer) AS SELECT f.answer FROM workhooks.contact_suggestions_fast($1, $2, $3) AS f;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE s('["x@example.com"]', 'abc', 50);
SQL
)
is "$(grep -c 'Filter: .*strpos' <<<"$gplan")" 1 "generic plan: one filtered range read of the entries"
unlike "$(grep 'Filter:' <<<"$gplan")" 'lower\(' "generic plan: the filter is lower-cased once, not per entry"

done_testing
