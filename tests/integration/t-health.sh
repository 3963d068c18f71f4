#!/usr/bin/env bash
# GET /healthz as readiness (README "Operations"): 200 naming every check
# when all is well; 503 with Retry-After and a JSON body naming what is
# wrong when a worker pool is stopped (socket gone, or left behind and
# refusing), when the schema is older than the binaries expect, and when
# PostgreSQL is down; 200 again once each is repaired. The probe itself
# is no request: the probed pools neither count nor log it.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

H=$BASE_URL/healthz
newest=$(ls "$WH_ROOT"/sql/[0-9]*.sql | sed -E 's|.*/0*([0-9]+)_[^/]*$|\1|' | sort -n | tail -n 1)

req GET "$H"
expect_status 200 "GET /healthz -> 200 with everything up"
expect_json_field .status ok
expect_json_field .database ok
expect_json_field .schema.expected "$newest" "the binaries expect the newest migration, $newest"
expect_json_field .schema.applied "$newest" "the applied schema is $newest"
expect_json_field '[.pools[]] | all(. == "ok")' true "every pool answers"
expect_json_field '.pools | has("worksome") and has("metrics") and has("updatedge-timeline-changed")' true \
	"the pools probed include worksome, metrics and timelineChanged"
expect_json_field '.problems | length' 0 "no problems"

# pools / pool_dir (README "Configuration"), through the binary as CGI.
cgi healthz REQUEST_METHOD=GET WORKHOOKS_POOLS="worksome, metrics"
expect_status 200 "CGI healthz with pools = worksome, metrics -> 200"
expect_json_field '.pools | keys | join(" ")' "metrics worksome" "pools limits the probe to the pools named"
cgi healthz REQUEST_METHOD=GET WORKHOOKS_POOLS="worksome nosuch"
expect_status 503 "a pool named in pools without a socket -> 503"
expect_json_field '.pools.nosuch' 'no socket'
out=$(env -i PATH=/usr/bin:/bin WORKHOOKS_CONFIG="$WORKHOOKS_CONFIG" WORKHOOKS_POOL_DIR=relative/dir "$BIN/healthz" --check-config 2>&1)
like "$out" 'WORKHOOKS_POOL_DIR: must be an absolute directory' "a relative pool_dir is refused at start, naming the key"
out=$(env -i PATH=/usr/bin:/bin WORKHOOKS_CONFIG="$WORKHOOKS_CONFIG" WORKHOOKS_POOLS='a;b' "$BIN/healthz" --check-config 2>&1)
like "$out" 'WORKHOOKS_POOLS: must be pool names' "pools with a stray character is refused at start"

# The probe is not a request: no log line in the probed pool.
before=$(wc -l <"$WH_LOG/updatedge-test.log")
for _ in 1 2 3; do req GET "$H"; done
is "$(wc -l <"$WH_LOG/updatedge-test.log")" "$before" "probing a pool writes nothing to its log"

# A pool stopped the ordinary way: its socket is gone.
worker_stop worksome
req GET "$H"
expect_status 503 "worksome pool stopped -> /healthz 503"
expect_header Retry-After '^[0-9]+$'
expect_json_field .status unavailable
expect_json_field .error "service unavailable" "the 503 body has an error word like every error body"
expect_json_field '.pools.worksome' 'no socket' "the answer names the worksome pool: no socket"
expect_json_field '.problems | map(select(startswith("pool worksome"))) | length' 1 "problems name the worksome pool"
expect_json_field '.pools."updatedge-timeline-changed"' ok "the other pools still answer"
req GET "$APACHE_URL/healthz"
expect_status 503 "through Apache too -> 503"
worker_start worksome
wh_wait 10 test -S "$WH_RUN/worksome.sock"
wh_wait_http "$H" 200 10
req GET "$H"
expect_status 200 "worksome pool started again -> /healthz 200"

# A pool that died and left its socket behind: connection refused.
wh_stop_pidfile "$WH_RUN/updatedge-offer-response.pid" multiwatch TERM 15
test -S "$WH_RUN/updatedge-offer-response.sock"
_t_check $? "the dead pool's socket file is still there"
req GET "$H"
expect_status 503 "a dead pool with a stale socket -> 503"
expect_json_field '.pools."updatedge-offer-response"' 'connection refused (pool stopped)'
worker_start updatedge-offer-response
wh_wait 10 test -S "$WH_RUN/updatedge-offer-response.sock"
wh_wait_http "$H" 200 10

req GET "$H"
expect_status 200 "offer-response pool back -> /healthz 200"

# A schema older than the binaries: the newest migration not applied.
row=$(sql "SELECT version || '|' || name || '|' || sha256 || '|' || applied_at FROM workhooks.schema_migration WHERE version::int = $newest")
sql "DELETE FROM workhooks.schema_migration WHERE version::int = $newest" >/dev/null
req GET "$H"
expect_status 503 "schema older than the binaries -> 503"
expect_json_field '.schema.applied' "$((newest - 1))"
expect_json_field '.problems | map(select(startswith("schema"))) | length' 1 "problems name the schema"
IFS='|' read -r v n s a <<<"$row"
sql "INSERT INTO workhooks.schema_migration (version, name, sha256, applied_at) VALUES ('$v', '$n', '$s', '$a')" >/dev/null
req GET "$H"
expect_status 200 "schema restored -> 200"

# PostgreSQL down.
pg_stop
req GET "$H"
expect_status 503 "PostgreSQL down -> /healthz 503"
expect_json_field '.problems | map(select(startswith("database"))) | length' 1 "problems name the database"
expect_json_field '.pools.worksome' ok "the pools are still probed while the database is down"
pg_start
wh_wait_http "$H" 200 15
req GET "$H"
expect_status 200 "PostgreSQL back -> /healthz 200"

done_testing
