# shellcheck shell=bash
# workhooks — the private stack shared by script/server, script/test and the
# integration tests: PostgreSQL, the FastCGI workers (spawn-fcgi +
# multiwatch), nginx and Apache, each started on loopback or a unix socket,
# each stopped by the PID it recorded.
#
# Source it, set the variables below, call wh_stack_init, then the
# functions. Nothing here touches a system service: the PostgreSQL cluster,
# the web servers' prefixes, logs and sockets all live under $WH_STATE.
#
#   WH_ROOT         the repository (nginx/, apache/, sql/, script/)
#   WH_STATE        directory holding everything the stack writes
#   WH_BIN          directory with the endpoint binaries (a build's cgi-bin)
#   WH_PG_PORT      PostgreSQL port (the unix socket's name; no TCP listener)
#   WH_HTTP_PORT    nginx port on 127.0.0.1
#   WH_APACHE_PORT  Apache port on 127.0.0.1
#   WH_TLS_PORT     optional: nginx also serves the example site
#                   nginx/workhooks-site.conf over HTTPS on this port, its
#                   port-80 redirect on WH_REDIRECT_PORT
#   WH_APACHE_CGI_PORT  optional: Apache also runs the binaries as plain CGI
#                   (apache/workhooks-cgi.conf) on this port
#   WH_WORKERS      worker processes per endpoint (multiwatch -f), default 6
#   WH_PG_SETTINGS  extra postgresql.conf lines (e.g. "fsync = off")
#   WH_PGLIB        optional: a directory postgres can read holding the
#                   PostgreSQL module workhooks.so (a build's pg/); the
#                   cluster's dynamic_library_path then looks there before
#                   $libdir, so nothing is installed into the system
#   WH_WORKER_ENV   extra NAME=value words for the workers' environment
#                   (sanitizer options)
#
#   WH_REPLICA_PORT the streaming replica's port (default WH_PG_PORT: its
#                   socket lives in a directory of its own)
#
# Layout under $WH_STATE: pg/data (cluster), pg/socket, pg/postgresql.log,
# pg-replica/ (the same for the streaming replica, replica_*),
# run/<endpoint>.sock and .pid, log/<endpoint>.log, nginx/, apache/,
# workhooks.conf.

# Every endpoint binary the project has or will have, in cgi-bin/.
WH_ENDPOINTS="updatedge-test updatedge-test-auth updatedge-contact-new
updatedge-contact-suggestions updatedge-timeline-changed
updatedge-offer-response updatedge-offer-event-deleted worksome healthz
metrics"

wh_note() { printf 'workhooks: %s\n' "$*" >&2; }
wh_die() { printf 'workhooks: error: %s\n' "$*" >&2; exit 1; }
wh_is_root() { [ "$(id -u)" -eq 0 ]; }

# wh_stack_init: check the variables and derive the paths.
wh_stack_init() {
	: "${WH_ROOT:?}" "${WH_STATE:?}" "${WH_PG_PORT:?}"
	WH_BIN=${WH_BIN:-}
	WH_WORKERS=${WH_WORKERS:-6}
	WH_HTTP_PORT=${WH_HTTP_PORT:-8080}
	WH_APACHE_PORT=${WH_APACHE_PORT:-8081}
	WH_RUN=$WH_STATE/run
	WH_LOG=$WH_STATE/log
	WH_PGDIR=$WH_STATE/pg
	WH_PGDATA=$WH_PGDIR/data
	WH_PGSOCK=$WH_PGDIR/socket
	WH_CONFIG=${WH_CONFIG:-$WH_STATE/workhooks.conf}
	if wh_is_root; then
		# The database server refuses root, and the workers should not
		# have it: both run as unprivileged system users.
		WH_DB_OSUSER=postgres
		WH_PG_SUPERUSER=postgres
		WH_RUN_USER=${WH_RUN_USER:-www-data}
		WH_RUN_GROUP=$(id -gn "$WH_RUN_USER")
	else
		WH_DB_OSUSER=$(id -un)
		WH_PG_SUPERUSER=$WH_DB_OSUSER
		WH_RUN_USER=$WH_DB_OSUSER
		WH_RUN_GROUP=$(id -gn)
	fi
	WH_PGBIN=$(wh_pg_bindir) || wh_die "no PostgreSQL server binaries under /usr/lib/postgresql (run script/bootstrap)"
	# sun_path holds 107 bytes; the longest socket name is the suggestions one.
	local longest="$WH_RUN/updatedge-contact-suggestions.sock"
	[ "${#longest}" -lt 100 ] || wh_die "state directory path too long for unix sockets: $WH_STATE"
	export WH_ROOT WH_STATE WH_BIN WH_PG_PORT WH_HTTP_PORT WH_APACHE_PORT WH_WORKERS
	WH_RPDIR=$WH_STATE/pg-replica
	WH_RPDATA=$WH_RPDIR/data
	WH_RPSOCK=$WH_RPDIR/socket
	WH_REPLICA_PORT=${WH_REPLICA_PORT:-$WH_PG_PORT}
	export WH_RUN WH_LOG WH_PGDIR WH_PGDATA WH_PGSOCK WH_CONFIG WH_PG_SUPERUSER
	export WH_RPDIR WH_RPDATA WH_RPSOCK WH_REPLICA_PORT
}

wh_pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/postgres" ] && printf '%s\n' "$d"
}

# wh_mkdir DIR...: directories the unprivileged users must be able to enter.
wh_mkdir() { mkdir -p "$@" && chmod 755 "$@"; }

# wh_can USER TEST PATH: as root, check that USER passes "test TEST PATH"
# (a state directory under /root is out of reach of postgres and www-data).
wh_can() {
	wh_is_root || return 0
	runuser -u "$1" -- test "$2" "$3" 2>/dev/null
}

# wh_alive PID: the process exists and is not a zombie (processes re-parented
# to an init that does not reap stay zombies, and kill -0 succeeds on those).
wh_alive() {
	local pid=$1 stat
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# wh_pidfile_alive FILE [COMM]: the PID recorded in FILE is alive (and runs
# the program COMM: after a reboot a stale PID file may name a stranger).
wh_pidfile_alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(head -n 1 "$1")
	wh_alive "$pid" || return 1
	[ -z "${2:-}" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# wh_stop_pid PID NAME [SIGNAL] [SECONDS]: signal one process, wait for it to
# go, SIGKILL it (that PID only) when it outstays the timeout.
wh_stop_pid() {
	local pid=$1 name=$2 sig=${3:-TERM} secs=${4:-15} i
	wh_alive "$pid" || return 0
	kill -s "$sig" "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		wh_alive "$pid" || return 0
		sleep 0.1
	done
	wh_note "$name (pid $pid) did not stop within ${secs}s; killing it"
	kill -s KILL "$pid" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		wh_alive "$pid" || return 0
		sleep 0.1
	done
	return 1
}

# wh_stop_pidfile FILE COMM [SIGNAL] [SECONDS]: stop the process FILE names
# if it is alive and runs COMM.
wh_stop_pidfile() {
	local file=$1 comm=$2
	if wh_pidfile_alive "$file" "$comm"; then
		wh_stop_pid "$(head -n 1 "$file")" "$comm" "${@:3}"
	fi
	rm -f "$file"
}

# wh_wait SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds.
wh_wait() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# wh_http_status URL: print the status code (000 when nothing answers).
wh_http_status() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null
}

# wh_wait_http URL STATUS SECONDS
wh_wait_http() {
	local url=$1 want=$2 secs=${3:-30} i got=
	for ((i = 0; i < secs * 5; i++)); do
		got=$(wh_http_status "$url")
		[ "$got" = "$want" ] && return 0
		sleep 0.2
	done
	wh_note "$url answered $got, expected $want (waited ${secs}s)"
	return 1
}

# wh_port_free PORT: nothing listens on 127.0.0.1:PORT.
wh_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wh_free_port START: the first free port from START on.
wh_free_port() {
	local p=$1
	while ! wh_port_free "$p"; do p=$((p + 1)); done
	printf '%s\n' "$p"
}

# wh_sed_repl STRING: STRING escaped for the right side of s|...|...|.
wh_sed_repl() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# ---------------------------------------------------------------- PostgreSQL

# wh_as_db COMMAND...: run as the cluster's owner.
wh_as_db() {
	if wh_is_root; then
		runuser -u "$WH_DB_OSUSER" -- "$@"
	else
		"$@"
	fi
}

# Connection strings for the private cluster (unix socket only).
wh_conninfo() { # [DBNAME [USER]]
	printf 'host=%s port=%s dbname=%s user=%s' "$WH_PGSOCK" "$WH_PG_PORT" \
		"${1:-workhooks}" "${2:-$WH_PG_SUPERUSER}"
}

# wh_psql [psql args]: psql as the cluster's superuser on database workhooks.
wh_psql() {
	PGOPTIONS='-c client_min_messages=warning' \
		psql -X -q -v ON_ERROR_STOP=1 -d "$(wh_conninfo "${WH_PSQL_DB:-workhooks}")" "$@"
}

pg_running() { wh_pidfile_alive "$WH_PGDATA/postmaster.pid" postgres; }

# pg_init: create the cluster unless it exists (a re-run reuses it).
pg_init() {
	local locale=C
	if [ -s "$WH_PGDATA/PG_VERSION" ]; then
		return 0
	fi
	wh_mkdir "$WH_STATE" "$WH_PGDIR" "$WH_PGSOCK"
	wh_can "$WH_DB_OSUSER" -x "$WH_PGDIR" ||
		wh_die "user $WH_DB_OSUSER cannot reach $WH_PGDIR (a parent directory is closed to it; use a state directory elsewhere)"
	mkdir -p "$WH_PGDATA"
	chmod 700 "$WH_PGDATA"
	if wh_is_root; then
		chown "$WH_DB_OSUSER:" "$WH_PGDIR" "$WH_PGDATA" "$WH_PGSOCK"
	fi
	if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		locale=C.UTF-8
	fi
	wh_note "creating PostgreSQL cluster in $WH_PGDATA"
	wh_as_db "$WH_PGBIN/initdb" -D "$WH_PGDATA" -E UTF8 --locale="$locale" \
		-U "$WH_PG_SUPERUSER" --auth-local=trust --auth-host=reject \
		--no-instructions >"$WH_PGDIR/initdb.log" 2>&1 ||
		{ cat "$WH_PGDIR/initdb.log" >&2; wh_die "initdb failed"; }
	printf "\n# workhooks: private cluster settings, rewritten at every start\ninclude_if_exists = 'workhooks.conf'\n" |
		wh_as_db tee -a "$WH_PGDATA/postgresql.conf" >/dev/null
}

# pg_start: start the private cluster and wait until it accepts connections.
pg_start() {
	pg_running && return 0
	# Port and socket directory are rewritten at each start, so a cluster
	# follows WORKHOOKS_PG_PORT and a moved state directory.
	{
		printf "listen_addresses = ''\n"
		printf "port = %s\n" "$WH_PG_PORT"
		printf "unix_socket_directories = '%s'\n" "$WH_PGSOCK"
		printf "unix_socket_permissions = 0777\n"
		printf "max_connections = 200\n"
		[ -z "${WH_PGLIB:-}" ] || printf "dynamic_library_path = '%s:\$libdir'\n" "$WH_PGLIB"
		printf '%s\n' "${WH_PG_SETTINGS:-}"
	} | wh_as_db tee "$WH_PGDATA/workhooks.conf" >/dev/null
	wh_as_db "$WH_PGBIN/pg_ctl" start -w -t 60 -s -D "$WH_PGDATA" \
		-l "$WH_PGDIR/postgresql.log" ||
		{ tail -n 20 "$WH_PGDIR/postgresql.log" >&2; wh_die "PostgreSQL did not start (log: $WH_PGDIR/postgresql.log)"; }
}

# pg_stop: fast shutdown (open sessions are ended), by the postmaster's PID.
pg_stop() {
	pg_running || return 0
	wh_as_db "$WH_PGBIN/pg_ctl" stop -w -t 60 -s -m fast -D "$WH_PGDATA" ||
		wh_stop_pidfile "$WH_PGDATA/postmaster.pid" postgres QUIT 10
}

# ------------------------------------------------------- streaming replica
#
# A hot standby of the private cluster, for reads (suggestions_database):
# pg_basebackup -R over the primary's unix socket, then its own socket
# directory, log and PID file under $WH_RPDIR. The primary needs wal_level
# replica or higher, WAL senders and a "local replication" line in
# pg_hba.conf; replica_init makes sure of all three.

# wh_replica_conninfo [DBNAME [USER]]: a connection to the standby alone.
wh_replica_conninfo() {
	printf 'host=%s port=%s dbname=%s user=%s' "$WH_RPSOCK" "$WH_REPLICA_PORT" \
		"${1:-workhooks}" "${2:-$WH_PG_SUPERUSER}"
}

# wh_readers_conninfo [DBNAME [USER]]: the libpq multi-host conninfo an
# operator writes for suggestions_database: the standby first, the primary
# as fallback, prefer-standby.
wh_readers_conninfo() {
	printf 'host=%s,%s port=%s,%s dbname=%s user=%s target_session_attrs=prefer-standby' \
		"$WH_RPSOCK" "$WH_PGSOCK" "$WH_REPLICA_PORT" "$WH_PG_PORT" "${1:-workhooks}" "${2:-$WH_PG_SUPERUSER}"
}

replica_running() { wh_pidfile_alive "$WH_RPDATA/postmaster.pid" postgres; }

# replica_init: a base backup of the running primary with -R (standby.signal
# and primary_conninfo written by pg_basebackup), unless one exists.
replica_init() {
	local hba level senders
	[ -s "$WH_RPDATA/standby.signal" ] && return 0
	pg_running || wh_die "replica_init: the primary is not running"
	level=$(WH_PSQL_DB=postgres wh_psql -At -c 'SHOW wal_level')
	senders=$(WH_PSQL_DB=postgres wh_psql -At -c 'SHOW max_wal_senders')
	if [ "$level" = minimal ] || [ "$senders" -lt 2 ]; then
		wh_die "replica_init: the primary has wal_level $level, max_wal_senders $senders (needs replica, >= 2; see WH_PG_SETTINGS)"
	fi
	hba=$(WH_PSQL_DB=postgres wh_psql -At -c 'SHOW hba_file')
	if ! wh_as_db grep -qE '^[[:space:]]*local[[:space:]]+replication[[:space:]]' "$hba"; then
		printf 'local replication %s trust\n' "$WH_PG_SUPERUSER" | wh_as_db tee -a "$hba" >/dev/null
		WH_PSQL_DB=postgres wh_psql -At -c 'SELECT pg_reload_conf()' >/dev/null
	fi
	rm -rf "$WH_RPDIR"
	wh_mkdir "$WH_RPDIR" "$WH_RPSOCK"
	mkdir -p "$WH_RPDATA"
	chmod 700 "$WH_RPDATA"
	if wh_is_root; then
		chown "$WH_DB_OSUSER:" "$WH_RPDIR" "$WH_RPDATA" "$WH_RPSOCK"
	fi
	wh_note "pg_basebackup -R into $WH_RPDATA"
	wh_as_db "$WH_PGBIN/pg_basebackup" -D "$WH_RPDATA" -R -X stream -c fast \
		-h "$WH_PGSOCK" -p "$WH_PG_PORT" -U "$WH_PG_SUPERUSER" >"$WH_RPDIR/basebackup.log" 2>&1 ||
		{ cat "$WH_RPDIR/basebackup.log" >&2; wh_die "pg_basebackup failed"; }
}

# replica_start: start the standby on its own socket directory and wait
# until it accepts read-only connections.
replica_start() {
	replica_running && return 0
	{
		printf "listen_addresses = ''\n"
		printf "port = %s\n" "$WH_REPLICA_PORT"
		printf "unix_socket_directories = '%s'\n" "$WH_RPSOCK"
		printf "unix_socket_permissions = 0777\n"
		printf "max_connections = 200\n"
		printf "hot_standby = on\n"
		printf '%s\n' "${WH_PG_SETTINGS:-}"
	} | wh_as_db tee "$WH_RPDATA/workhooks.conf" >/dev/null
	wh_as_db "$WH_PGBIN/pg_ctl" start -w -t 60 -s -D "$WH_RPDATA" \
		-l "$WH_RPDIR/postgresql.log" ||
		{ tail -n 20 "$WH_RPDIR/postgresql.log" >&2; wh_die "the replica did not start (log: $WH_RPDIR/postgresql.log)"; }
}

# replica_stop: fast shutdown of the standby, by its postmaster's PID.
replica_stop() {
	replica_running || return 0
	wh_as_db "$WH_PGBIN/pg_ctl" stop -w -t 60 -s -m fast -D "$WH_RPDATA" ||
		wh_stop_pidfile "$WH_RPDATA/postmaster.pid" postgres QUIT 10
}

# replica_wait_lsn SECONDS: the standby has replayed everything the primary
# had written when this was called.
replica_wait_lsn() {
	local lsn i
	lsn=$(WH_PSQL_DB=postgres wh_psql -At -c 'SELECT pg_current_wal_lsn()')
	for ((i = 0; i < ${1:-10} * 10; i++)); do
		[ "$(psql -X -At -d "$(wh_replica_conninfo postgres)" \
			-c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}

# db_setup: database workhooks, the migrations, the login roles the
# endpoints (workhooks_app) and people (workhooks_ro) connect as.
db_setup() {
	WH_PSQL_DB=postgres wh_psql -At -c "SELECT 1 FROM pg_database WHERE datname = 'workhooks'" | grep -q 1 ||
		WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE workhooks ENCODING 'UTF8' TEMPLATE template0" ||
		{ wh_note "cannot create database workhooks"; return 1; }
	"$WH_ROOT/script/migrate" "$(wh_conninfo workhooks)" || { wh_note "migrations failed"; return 1; }
	wh_psql <<-'SQL' || { wh_note "cannot create the login roles"; return 1; }
		DO $$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'workhooks_app') THEN
				CREATE ROLE workhooks_app LOGIN;
			END IF;
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'workhooks_ro') THEN
				CREATE ROLE workhooks_ro LOGIN;
			END IF;
			IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'workhooks_writer') THEN
				GRANT workhooks_writer TO workhooks_app;
			ELSE
				RAISE WARNING 'role workhooks_writer does not exist (no migration created it yet)';
			END IF;
			IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'workhooks_reader') THEN
				GRANT workhooks_reader TO workhooks_ro;
			ELSE
				RAISE WARNING 'role workhooks_reader does not exist (no migration created it yet)';
			END IF;
		END
		$$;
	SQL
}

# db_load_sample: load sql/sample/people.sql when it exists and changed since
# it was last loaded (the file should be idempotent anyway).
db_load_sample() {
	local f=$WH_ROOT/sql/sample/people.sql sum
	[ -f "$f" ] || return 0
	sum=$(sha256sum "$f" | cut -d' ' -f1)
	[ "$(cat "$WH_STATE/sample.sha256" 2>/dev/null)" = "$sum" ] && return 0
	wh_note "loading sample data from sql/sample/people.sql"
	wh_psql -f "$f" || wh_die "sql/sample/people.sql failed"
	printf '%s\n' "$sum" >"$WH_STATE/sample.sha256"
}

# ----------------------------------------------------------------- config

# wh_write_config UE_SECRET WS_SECRET [EXTRA LINES]: the workers' config
# file, readable by the workers' user only (it holds the secrets).
wh_write_config() {
	local ue=$1 ws=$2 extra=${3:-}
	wh_mkdir "$WH_STATE"
	(
		umask 077
		cat >"$WH_CONFIG" <<-EOF
			# workhooks configuration written by script/lib/stack.sh for a
			# private development/test stack. Not for production.
			database = $(wh_conninfo workhooks workhooks_app) connect_timeout=3
			updatedge_secret.dev = $ue
			worksome_secret.dev = $ws
			updatedge_replay_window = 300
			body_limit = 1048576
			pool_dir = $WH_RUN
			$extra
		EOF
	)
	if wh_is_root; then
		chgrp "$WH_RUN_GROUP" "$WH_CONFIG"
		chmod 640 "$WH_CONFIG"
	fi
}

# ----------------------------------------------------------------- workers

# The workers' environment: nothing inherited but PATH, the locale, the
# config path, WORKHOOKS_* overrides and what WH_WORKER_ENV adds.
wh_worker_env() {
	local v
	printf '%s\n' "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "WORKHOOKS_CONFIG=$WH_CONFIG"
	while IFS= read -r v; do
		[ "$v" = WORKHOOKS_CONFIG ] && continue
		printf '%s=%s\n' "$v" "${!v}"
	done < <(compgen -e | grep '^WORKHOOKS_' || true)
	for v in ${WH_WORKER_ENV:-}; do printf '%s\n' "$v"; done
}

worker_pid() { head -n 1 "$WH_RUN/$1.pid" 2>/dev/null; }

# worker_pids NAME: the live worker processes under NAME's multiwatch, one
# PID a line, sorted.
worker_pids() {
	local pid c
	pid=$(worker_pid "$1")
	wh_alive "$pid" || return 0
	for c in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
		wh_alive "$c" && echo "$c"
	done | sort -n
}

# worker_count NAME
worker_count() { worker_pids "$1" | wc -l; }

# worker_start NAME: spawn-fcgi creates NAME's socket and execs multiwatch,
# which keeps WH_WORKERS copies of the binary running (a dead one is
# restarted). spawn-fcgi runs in the foreground (-n) so the workers' stderr
# goes to the endpoint's log file; in its forking mode it sends stderr to
# /dev/null. As root, the workers run as WH_RUN_USER, who owns the socket.
worker_start() {
	local name=$1 bin=$WH_BIN/$1 sock=$WH_RUN/$1.sock env=() opts=()
	if [ ! -x "$bin" ]; then
		wh_note "skipping $name: $bin not built"
		return 0
	fi
	wh_can "$WH_RUN_USER" -x "$bin" ||
		wh_die "user $WH_RUN_USER cannot run $bin (a parent directory is closed to it)"
	wh_can "$WH_RUN_USER" -r "$WH_CONFIG" ||
		wh_die "user $WH_RUN_USER cannot read $WH_CONFIG"
	wh_pidfile_alive "$WH_RUN/$name.pid" multiwatch && return 0
	wh_mkdir "$WH_RUN" "$WH_LOG"
	rm -f "$sock"
	mapfile -t env < <(wh_worker_env)
	opts=(-n -s "$sock" -M 0660)
	if wh_is_root; then
		opts+=(-u "$WH_RUN_USER" -g "$WH_RUN_GROUP")
	fi
	printf '%s workhooks: starting %s (%s workers)\n' "$(date -u +%FT%TZ)" "$name" "$WH_WORKERS" >>"$WH_LOG/$name.log"
	# Without job control a background job is no process-group leader, so
	# setsid execs in place and $! is multiwatch's PID.
	setsid env -i "${env[@]}" spawn-fcgi "${opts[@]}" -- \
		/usr/bin/multiwatch -f "$WH_WORKERS" -s TERM -- "$bin" \
		</dev/null >>"$WH_LOG/$name.log" 2>&1 &
	echo $! >"$WH_RUN/$name.pid"
}

workers_start() {
	local name
	[ -n "$WH_BIN" ] || wh_die "WH_BIN is not set"
	wh_mkdir "$WH_STATE" "$WH_RUN" "$WH_LOG"
	for name in $WH_ENDPOINTS; do
		worker_start "$name"
	done
	for name in $WH_ENDPOINTS; do
		[ -e "$WH_RUN/$name.pid" ] || continue
		wh_wait 10 test -S "$WH_RUN/$name.sock" ||
			{ tail -n 20 "$WH_LOG/$name.log" >&2; wh_die "$name did not create its socket"; }
	done
}

worker_stop() {
	wh_stop_pidfile "$WH_RUN/$1.pid" multiwatch TERM 15
	rm -f "$WH_RUN/$1.sock"
}

workers_stop() {
	local name
	for name in $WH_ENDPOINTS; do
		[ -e "$WH_RUN/$name.pid" ] && worker_stop "$name"
	done
	return 0
}

# ----------------------------------------------------------------- nginx

# wh_install_snippet SRC DEST: a shipped config file with its socket paths
# moved from /run/workhooks to this stack's run directory.
wh_install_snippet() {
	sed -e "s|/run/workhooks/|$(wh_sed_repl "$WH_RUN/")|g" "$1" >"$2"
}

# nginx_start: nginx on 127.0.0.1:WH_HTTP_PORT with the shipped snippets.
#   WH_NGINX_TEMPLATE  main config template (default nginx/private.conf.in;
#                      @PREFIX@ @RUN@ @PORT@ @USER_LINE@ are filled in)
#   WH_NGINX_HOOK      a command run with the conf directory as argument
#                      after the files are written, before nginx -t (the
#                      benchmark tunes keepalive there)
#   WH_TLS_PORT        when set, also the example site nginx/workhooks-site.conf
#                      with HTTPS on 127.0.0.1:WH_TLS_PORT and its redirect
#                      on WH_REDIRECT_PORT, with a self-signed certificate
#                      for 127.0.0.1 and localhost made here (tls/cert.pem:
#                      curl --cacert)
nginx_start() {
	local p=$WH_STATE/nginx user_line= site_line= f
	wh_pidfile_alive "$p/nginx.pid" nginx && return 0
	wh_mkdir "$p" "$p/conf" "$p/conf/workhooks" "$p/tmp"
	cp /etc/nginx/fastcgi_params "$p/conf/fastcgi_params" || wh_die "no /etc/nginx/fastcgi_params (run script/bootstrap)"
	for f in "$WH_ROOT"/nginx/workhooks*.conf; do
		[ "${f##*/}" = workhooks-site.conf ] && continue
		wh_install_snippet "$f" "$p/conf/workhooks/${f##*/}"
	done
	if [ -n "${WH_TLS_PORT:-}" ]; then
		nginx_site "$p" || wh_die "cannot set up the example site"
		site_line="include workhooks-site.conf;"
	fi
	wh_is_root && user_line="user $WH_RUN_USER $WH_RUN_GROUP;"
	sed -e "s|@PREFIX@|$(wh_sed_repl "$p")|g" -e "s|@RUN@|$(wh_sed_repl "$WH_RUN")|g" \
		-e "s|@PORT@|$WH_HTTP_PORT|g" -e "s|@USER_LINE@|$user_line|" -e "s|@SITE_LINE@|$site_line|" \
		"${WH_NGINX_TEMPLATE:-$WH_ROOT/nginx/private.conf.in}" >"$p/conf/nginx.conf"
	if [ -n "${WH_NGINX_HOOK:-}" ]; then
		$WH_NGINX_HOOK "$p/conf" || wh_die "WH_NGINX_HOOK failed"
	fi
	wh_port_free "$WH_HTTP_PORT" || wh_die "127.0.0.1:$WH_HTTP_PORT is in use (set another port)"
	nginx -q -t -p "$p/" -e "$p/error.log" -c "$p/conf/nginx.conf" ||
		wh_die "nginx configuration test failed ($p/conf/nginx.conf)"
	nginx -p "$p/" -e "$p/error.log" -c "$p/conf/nginx.conf" || wh_die "nginx did not start (log: $p/error.log)"
	wh_wait 10 wh_pidfile_alive "$p/nginx.pid" nginx || wh_die "nginx did not start (log: $p/error.log)"
}

# nginx_site PREFIX: the shipped example site made private: loopback ports,
# a certificate of its own, the snippets and upstreams already included by
# private.conf.in.
nginx_site() {
	local p=$1 tls=$WH_STATE/tls
	: "${WH_REDIRECT_PORT:?}"
	wh_mkdir "$tls"
	if [ ! -s "$tls/cert.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$tls/key.pem" -out "$tls/cert.pem" -days 2 -subj /CN=localhost \
			-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$tls/openssl.log" 2>&1 ||
			{ cat "$tls/openssl.log" >&2; return 1; }
		chmod 600 "$tls/key.pem"
	fi
	wh_install_snippet "$WH_ROOT/nginx/workhooks-site.conf" "$p/conf/workhooks-site.conf.tmp"
	sed -e '/^include .*workhooks-upstreams.conf;/d' -e '/listen \[::\]/d' \
		-e "s|listen 80;|listen 127.0.0.1:$WH_REDIRECT_PORT;|" \
		-e "s|listen 443 ssl;|listen 127.0.0.1:$WH_TLS_PORT ssl;|" \
		-e "s|https://\$host\$request_uri|https://\$host:$WH_TLS_PORT\$request_uri|" \
		-e "s|ssl_certificate .*;|ssl_certificate $(wh_sed_repl "$tls/cert.pem");|" \
		-e "s|ssl_certificate_key .*;|ssl_certificate_key $(wh_sed_repl "$tls/key.pem");|" \
		"$p/conf/workhooks-site.conf.tmp" >"$p/conf/workhooks-site.conf" &&
		rm -f "$p/conf/workhooks-site.conf.tmp"
}

nginx_stop() {
	# QUIT: graceful; idle keep-alive connections are closed at once.
	wh_stop_pidfile "$WH_STATE/nginx/nginx.pid" nginx QUIT 10
}

# ----------------------------------------------------------------- Apache

WH_APACHE_MODDIR=/usr/lib/apache2/modules

# apache_start: Apache on 127.0.0.1:WH_APACHE_PORT with the shipped
# apache/workhooks.conf (mod_proxy_fcgi), and, when WH_APACHE_CGI_PORT is
# set, a second VirtualHost on that port with apache/workhooks-cgi.conf
# running the binaries of WH_BIN as plain CGI.
apache_start() {
	local p=$WH_STATE/apache user_line= cgi_listen= cgi_vhost= env
	wh_pidfile_alive "$p/httpd.pid" apache2 && return 0
	[ -x /usr/sbin/apache2 ] || wh_die "no /usr/sbin/apache2 (run script/bootstrap)"
	wh_mkdir "$p" "$p/run" "$p/htdocs" "$p/errors"
	cp "$WH_ROOT"/apache/errors/*.json "$p/errors/"
	chmod 644 "$p/errors/"*.json
	wh_install_snippet "$WH_ROOT/apache/workhooks.conf" "$p/workhooks.conf"
	sed -i -e "s|/usr/share/workhooks/apache/errors|$(wh_sed_repl "$p/errors")|g" "$p/workhooks.conf"
	if [ -n "${WH_APACHE_CGI_PORT:-}" ]; then
		sed -e "s|/usr/libexec/workhooks|$(wh_sed_repl "$WH_BIN")|g" \
			-e "s|/usr/share/workhooks/apache/errors|$(wh_sed_repl "$p/errors")|g" \
			"$WH_ROOT/apache/workhooks-cgi.conf" >"$p/workhooks-cgi.conf"
		cgi_listen="Listen 127.0.0.1:$WH_APACHE_CGI_PORT"
		cgi_vhost="Include \"$p/cgi-vhost.conf\""
		{
			printf '<VirtualHost 127.0.0.1:%s>\n' "$WH_APACHE_CGI_PORT"
			printf '    Include "%s/workhooks-cgi.conf"\n' "$p"
			# The workers' environment (config path, sanitizer options).
			while IFS= read -r env; do
				case $env in PATH=* | LANG=*) continue ;; esac
				printf '    SetEnv %s "%s"\n' "${env%%=*}" "${env#*=}"
			done < <(wh_worker_env)
			printf '</VirtualHost>\n'
		} >"$p/cgi-vhost.conf"
	fi
	wh_is_root && user_line="User $WH_RUN_USER\nGroup $WH_RUN_GROUP"
	sed -e "s|@PREFIX@|$(wh_sed_repl "$p")|g" -e "s|@PORT@|$WH_APACHE_PORT|g" \
		-e "s|@MODDIR@|$WH_APACHE_MODDIR|g" -e "s|@USER_LINE@|$user_line|" \
		-e "s|@CGI_LISTEN@|$(wh_sed_repl "$cgi_listen")|" -e "s|@CGI_VHOST@|$(wh_sed_repl "$cgi_vhost")|" \
		"$WH_ROOT/apache/private.conf.in" >"$p/httpd.conf"
	wh_port_free "$WH_APACHE_PORT" || wh_die "127.0.0.1:$WH_APACHE_PORT is in use (set another port)"
	/usr/sbin/apache2 -t -f "$p/httpd.conf" >"$p/configtest.log" 2>&1 ||
		{ cat "$p/configtest.log" >&2; wh_die "Apache configuration test failed ($p/httpd.conf)"; }
	/usr/sbin/apache2 -f "$p/httpd.conf" -k start || wh_die "Apache did not start (log: $p/error.log)"
	wh_wait 10 wh_pidfile_alive "$p/httpd.pid" apache2 || wh_die "Apache did not start (log: $p/error.log)"
}

apache_stop() {
	wh_stop_pidfile "$WH_STATE/apache/httpd.pid" apache2 TERM 15
}

# ----------------------------------------------------------------- all

# stack_stop: everything this state directory's PID files name.
stack_stop() {
	nginx_stop
	apache_stop
	workers_stop
	replica_stop
	pg_stop
}

# stack_running: something of this stack is still up.
stack_running() {
	local f
	pg_running && return 0
	replica_running && return 0
	wh_pidfile_alive "$WH_STATE/nginx/nginx.pid" nginx && return 0
	wh_pidfile_alive "$WH_STATE/apache/httpd.pid" apache2 && return 0
	for f in "$WH_RUN"/*.pid; do
		wh_pidfile_alive "$f" multiwatch && return 0
	done
	return 1
}
