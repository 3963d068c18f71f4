#!/usr/bin/env bash
# The SQL layout (README "Data"): one baseline migration, then sql/code/
# re-applied at every script/migrate.  A fresh database and one where
# migrate ran twice (the code applied again over itself) end with the same
# schema (pg_dump --schema-only); every function, view and trigger is
# defined in exactly one file; and the privileges on functions are exactly
# the ones README "Roles" states (issue 7 item 4).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pgbin=$(wh_pg_bindir)
dbs="wh_schema_once_$$ wh_schema_twice_$$"
for db in $dbs; do
	WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0" >/dev/null
done
cleanup_dbs() {
	for db in $dbs; do
		WH_PSQL_DB=postgres wh_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	done
}
trap cleanup_dbs EXIT

"$WH_ROOT/script/migrate" "$(wh_conninfo "wh_schema_once_$$")" 2>"$_t_tmp/once.log"
_t_check $? "migrate on a fresh database" || diag "$(cat "$_t_tmp/once.log")"
"$WH_ROOT/script/migrate" "$(wh_conninfo "wh_schema_twice_$$")" 2>"$_t_tmp/twice.log" &&
	"$WH_ROOT/script/migrate" "$(wh_conninfo "wh_schema_twice_$$")" 2>>"$_t_tmp/twice.log"
_t_check $? "migrate twice on another" || diag "$(cat "$_t_tmp/twice.log")"
like "$(tail -n 2 "$_t_tmp/twice.log" | tr '\n' ' ')" "code applied .*0 applied, $(ls "$WH_ROOT"/sql/[0-9]*.sql | wc -l) already present" \
	"the second run applies no migration and the code again"

dump() {
	# \restrict lines carry a random key per run (pg_dump 15.14+).
	"$pgbin/pg_dump" --schema-only -d "$(wh_conninfo "$1")" | grep -Ev '^\\(un)?restrict '
}
dump "wh_schema_once_$$" >"$_t_tmp/once.sql"
dump "wh_schema_twice_$$" >"$_t_tmp/twice.sql"
[ -s "$_t_tmp/once.sql" ] && cmp -s "$_t_tmp/once.sql" "$_t_tmp/twice.sql"
_t_check $? "pg_dump --schema-only: fresh = migrated twice" ||
	diag "$(diff "$_t_tmp/once.sql" "$_t_tmp/twice.sql" | head -n 40)"
dump workhooks >"$_t_tmp/test.sql"
cmp -s "$_t_tmp/once.sql" "$_t_tmp/test.sql"
_t_check $? "pg_dump --schema-only: the test stack's database is the same schema" ||
	diag "$(diff "$_t_tmp/once.sql" "$_t_tmp/test.sql" | head -n 40)"

# One home per object: each CREATE of a function, view or trigger appears
# in one file only, and none in a numbered migration.
defs=$(cat "$WH_ROOT"/sql/code/*.sql | grep -Eio '^create (or replace )?(function|view|trigger) [a-z_.]+' |
	awk '{ print tolower($NF) }' | sort)
is "$(printf '%s\n' "$defs" | uniq -d | tr '\n' ' ')" "" "sql/code: no function, view or trigger defined twice"
is "$(grep -Eil '^create (or replace )?(function|view|trigger)' "$WH_ROOT"/sql/[0-9]*.sql | tr '\n' ' ')" "" \
	"migrations define no function, view or trigger"
is "$(printf '%s\n' "$defs" | wc -l)" \
	"$(sql "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'workhooks'::regnamespace)
	     + (SELECT count(*) FROM pg_views WHERE schemaname = 'workhooks')
	     + (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE c.relnamespace = 'workhooks'::regnamespace AND NOT t.tgisinternal)")" \
	"every function, view and trigger in the database has its file"

# The tarball and the installation carry every file: Makefile.am lists them.
is "$(cd "$WH_ROOT" && for f in sql/[0-9]*.sql sql/code/*.sql; do grep -qF "	$f" Makefile.am || printf '%s ' "$f"; done)" "" \
	"Makefile.am lists every migration and every sql/code file"

# ---------------------------------------------------------------- privileges
# (issue 7 item 4): who may execute what, from pg_proc.
execs() { # ROLE: the workhooks functions ROLE may execute, sorted
	sql "SELECT string_agg(p.proname, ' ' ORDER BY p.proname) FROM pg_proc p
	     WHERE p.pronamespace = 'workhooks'::regnamespace
	       AND has_function_privilege('$1', p.oid, 'EXECUTE')"
}
is "$(sql "SELECT count(*) FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
	WHERE p.pronamespace = 'workhooks'::regnamespace AND a.grantee = 0")" 0 \
	"no workhooks function is executable by PUBLIC"
is "$(sql "SELECT count(*) FROM pg_proc p WHERE p.prosecdef AND p.pronamespace = 'workhooks'::regnamespace
	AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0)")" 0 \
	"no SECURITY DEFINER function is executable by PUBLIC"
sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wh_schema_nobody') THEN
	CREATE ROLE wh_schema_nobody NOLOGIN; END IF; END \$\$" >/dev/null
is "$(execs wh_schema_nobody)" "" "a role in neither group executes no workhooks function"
is "$(execs workhooks_reader)" "" "workhooks_reader executes no function"
is "$(execs workhooks_ro)" "" "workhooks_ro (a reader login) executes no function"
is "$(execs workhooks_writer)" \
	"contact_suggestions contact_suggestions_fast count_metrics count_rejected fold metrics_sample store_contact_new store_offer_event_deleted store_offer_response store_timeline_changed store_timeline_changed_many store_worksome_hire store_worksome_hire_many store_worksome_raw store_worksome_trusted_contact wake worker_timeline_fold worksome_hire_fold" \
	"workhooks_writer executes exactly the store entry points, wake, fold (and the two folds it calls), count_rejected, count_metrics, metrics_sample and contact_suggestions(_fast)"
like "$(psql -X -A -t -q -d "$(wh_conninfo workhooks workhooks_app)" -c \
	"SELECT workhooks.record_delivery('updatedge', 'events/timelineChanged', NULL, '{}', sha256(''), NULL, NULL, NULL, NULL, NULL)" 2>&1)" \
	'permission denied' "the endpoints' role cannot call record_delivery (a delivery never derived)"
like "$(sql_ro "SELECT workhooks.count_rejected('x', '[]')" 2>&1)" 'permission denied' \
	"the reader cannot call count_rejected (it would write)"
is "$(sql "SELECT count(*) FROM pg_proc WHERE pronamespace = 'workhooks'::regnamespace AND prosecdef
	AND NOT EXISTS (SELECT FROM unnest(proconfig) c WHERE c LIKE 'search_path=%')")" 0 \
	"every SECURITY DEFINER function pins its search_path"
# The writer reads the migration table (/healthz) and what the inlined
# fast path of contact suggestions names (the rendered entries, two key
# columns), and writes no table directly.
is "$(sql "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
	WHERE c.relnamespace = 'workhooks'::regnamespace AND c.relkind IN ('r', 'v', 'p')
	  AND (has_table_privilege('workhooks_writer', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
	       OR has_any_column_privilege('workhooks_writer', c.oid, 'SELECT, INSERT, UPDATE'))")" \
	"relationship schema_migration suggestion_entry worksome_relationship" \
	"workhooks_writer reads only schema_migration, suggestion_entry and two key columns"
is "$(sql "SELECT string_agg(c.relname || '.' || a.attname, ' ' ORDER BY c.relname, a.attnum) FROM pg_class c
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE c.relnamespace = 'workhooks'::regnamespace AND c.relname IN ('relationship', 'worksome_relationship')
	  AND has_column_privilege('workhooks_writer', c.oid, a.attnum, 'SELECT')")" \
	"relationship.hirer_email_key worksome_relationship.owner_email_key" \
	"... of relationship and worksome_relationship only the hirer's key column"
is "$(sql "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'workhooks'::regnamespace
	AND c.relkind IN ('r', 'v', 'p')
	AND (has_table_privilege('workhooks_writer', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
	     OR has_any_column_privilege('workhooks_writer', c.oid, 'INSERT, UPDATE'))")" 0 \
	"workhooks_writer writes no table directly"

# The reader reads every table and view but delivery, and every column of
# delivery but the two authentication headers (README "Roles").  The
# inbox's monthly partitions (sql/001_baseline.sql) are read through
# delivery only: a grant on one would show the headers.
is "$(sql "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
	WHERE c.relnamespace = 'workhooks'::regnamespace AND c.relkind IN ('r', 'v', 'p')
	  AND NOT c.relispartition
	  AND NOT has_table_privilege('workhooks_reader', c.oid, 'SELECT')")" "delivery" \
	"workhooks_reader may SELECT every table and view except delivery as a whole"
is "$(sql "SELECT string_agg(a.attname, ' ' ORDER BY a.attnum) FROM pg_attribute a
	WHERE a.attrelid = 'workhooks.delivery'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	  AND NOT has_column_privilege('workhooks_reader', a.attrelid, a.attnum, 'SELECT')")" \
	"signature signed_timestamp" "... and every column of delivery but signature and signed_timestamp"
is "$(sql "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'workhooks'::regnamespace
	AND c.relkind IN ('r', 'v', 'p')
	AND (has_table_privilege('workhooks_reader', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
	     OR has_any_column_privilege('workhooks_reader', c.oid, 'INSERT, UPDATE'))")" 0 \
	"workhooks_reader writes nothing"

# An upgrade with data (sql/004_ledger_key_at.sql): a database at 003 whose
# ledger holds a timelineChanged key as the stores before 004 wrote it,
# migrated to now, gives that key its completedAt, so that the same body
# sent again is a repeat, never stored twice; a new key is led by its
# completedAt, a delivery of another endpoint by -infinity.
up=wh_schema_up_$$
dbs="$dbs $up"
WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE $up ENCODING 'UTF8' TEMPLATE template0" >/dev/null
old=$_t_tmp/sql-003
mkdir -p "$old/code"
cp "$WH_ROOT"/sql/00[1-3]_*.sql "$old/"
echo 'SELECT 1;' >"$old/code/00-none.sql"
WORKHOOKS_SQL_DIR=$old "$WH_ROOT/script/migrate" "$(wh_conninfo "$up")" 2>"$_t_tmp/up.log"
_t_check $? "migrate a database to 003" || diag "$(cat "$_t_tmp/up.log")"
upsql() { WH_PSQL_DB=$up wh_psql -A -t -c "$1"; }
body='{"workerId":"w-upgrade","periodStart":"2020-01-31T09:00:00+00:00","periodEnd":"2020-01-31T17:00:00+00:00","completedAt":"2020-01-30T12:32:11.5726446+00:00"}'
upsql "INSERT INTO workhooks.delivery_key (source, endpoint, dedup_key, delivery_id)
	VALUES ('updatedge', 'events/timelineChanged', sha256(convert_to('$body', 'UTF8')), 41);
INSERT INTO workhooks.delivery (id, source, endpoint, body, body_sha256, dedup_key)
	SELECT 41, 'updatedge', 'events/timelineChanged', '$body', dedup_key, dedup_key FROM workhooks.delivery_key;
INSERT INTO workhooks.timeline_change (delivery_id, worker_id, period_start, period_end, completed_at)
	VALUES (41, 'w-upgrade', '2020-01-31T09:00:00Z', '2020-01-31T17:00:00Z', '2020-01-30T12:32:11.572645Z');
SELECT setval('workhooks.delivery_ids', 41);" >/dev/null
"$WH_ROOT/script/migrate" "$(wh_conninfo "$up")" 2>>"$_t_tmp/up.log"
_t_check $? "migrate it to now" || diag "$(cat "$_t_tmp/up.log")"
is "$(upsql "SELECT key_at = '2020-01-30T12:32:11.572645Z' FROM workhooks.delivery_key WHERE delivery_id = 41")" t \
	"004: the key from before it has its delivery's completedAt"
store_up() { # store_up BODY WORKER: delivery id and times received
	upsql "SELECT delivery_id || ' ' || times_received FROM workhooks.store_timeline_changed(
		'events/timelineChanged', NULL, '$1', sha256(convert_to('$1', 'UTF8')), NULL, NULL, NULL,
		NULL, NULL, '$2', NULL, '2020-01-31T09:00:00Z', '2020-01-31T17:00:00Z',
		'2020-01-30T12:32:11.572645Z', NULL, NULL)"
}
is "$(store_up "$body" w-upgrade)" "41 2" "the same body after the upgrade: a repeat of delivery 41"
is "$(upsql "SELECT count(*) FROM workhooks.timeline_change")" 1 "... derived nothing again"
body2=${body/w-upgrade/w-upgrade-2}
new=$(store_up "$body2" w-upgrade-2)
is "${new#* }" 1 "a new body: a new delivery"
is "$(upsql "SELECT key_at = '2020-01-30T12:32:11.572645Z' FROM workhooks.delivery_key WHERE delivery_id = ${new% *}")" t \
	"... whose key is led by its completedAt"
is "$(store_up "$body2" w-upgrade-2)" "${new% *} 2" "... and a repeat of it is one"
other=$(upsql "SELECT delivery_id FROM workhooks.store_offer_event_deleted('events/offerEventDeleted', NULL,
	'{\"offerId\":\"o-1\"}', sha256(convert_to('{\"offerId\":\"o-1\"}', 'UTF8')), NULL, NULL, NULL, NULL, NULL,
	'o-1', 'w-1', '2020-01-31T09:00:00Z')")
is "$(upsql "SELECT key_at FROM workhooks.delivery_key WHERE delivery_id = ${other:-0}")" -infinity \
	"another endpoint's key: led by -infinity"

done_testing
