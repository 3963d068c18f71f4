#!/usr/bin/env bash
# t-debian-pg: the documented path on a PostgreSQL cluster set up as
# Debian's postgresql package sets it up: pg_hba "local all all peer", no
# passwords, the superuser "postgres". As the README says: the database is
# created and migrated by the postgres superuser (sudo -u postgres), the
# workers' system user logs in as the role of the same name (peer), member
# of workhooks_writer; the NOTIFY switch is flipped by the same superuser.
# The workers run as a user of their own ("nobody" here, standing for
# "workhooks": peer maps an OS user to the role of its name, and reusing an
# existing user leaves nothing behind), nginx as www-data in front; the
# socket directory is the one tmpfiles.d makes (setgid, group www-data) and
# the configuration is not readable by the web server. Everything runs
# from what "make install" installed (the build t-install checks, in a
# DESTDIR here): workhooks-migrate and its sql directory, the endpoint
# programs started with the ExecStart= line of the installed
# workhooks@.service, nginx with the installed snippets.
. "$WH_ROOT/tests/integration/lib.sh"
# shellcheck source=../../script/lib/build.sh
. "$WH_ROOT/script/lib/build.sh"

if ! wh_is_root; then
	not_ok "t-debian-pg needs root (it runs PostgreSQL as postgres, the workers as nobody, nginx as www-data)"
	done_testing
fi

D=$WH_STATE/debian-pg
DATA=$D/pg/data
SOCK=$D/pg/socket
RUN=$D/run
LOG=$D/log
PORT=$WH_PG_PORT
WUSER=nobody
WGROUP=$(id -gn "$WUSER")
CONF=$D/workhooks.conf
wh_mkdir "$D" "$D/pg" "$SOCK" "$LOG"
mkdir -p "$DATA" && chmod 700 "$DATA"
chown postgres: "$D/pg" "$DATA" "$SOCK"
chown "$WUSER:" "$LOG"

# The installed tree, somewhere postgres, nobody and www-data can read.
wh_build "$WH_ROOT/build-install" --prefix=/usr --sysconfdir=/etc --libexecdir=/usr/libexec \
	--localstatedir=/var --with-systemdsystemunitdir=/usr/lib/systemd/system \
	--with-sysusersdir=/usr/lib/sysusers.d --with-tmpfilesdir=/usr/lib/tmpfiles.d
I=$D/root
make -C "$WH_BUILD_DIR" install DESTDIR="$I" >"$D/install.out" 2>&1
_t_check $? "make install DESTDIR=..." || diag "$(tail -n 5 "$D/install.out")"
chmod -R a+rX "$I"
LIBEXEC=$I/usr/libexec/workhooks

pids=()
cleanup() {
	local p
	wh_stop_pidfile "$D/nginx/nginx.pid" nginx QUIT 10
	for p in "${pids[@]}"; do wh_stop_pid "$p" multiwatch TERM 15; done
	if [ -s "$DATA/postmaster.pid" ]; then
		runuser -u postgres -- "$WH_PGBIN/pg_ctl" stop -w -t 30 -s -m fast -D "$DATA" >/dev/null 2>&1
	fi
	rm -rf "$D"
}
trap 'rc=$?; cleanup; (exit $rc); _t_end' EXIT

as_pg() { runuser -u postgres -- "$@"; }
pgsql() { as_pg psql -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -d "${PGDB:-workhooks}" "$@"; }

# ------------------------------------------------------------ the cluster
as_pg "$WH_PGBIN/initdb" -D "$DATA" -E UTF8 --locale=C.UTF-8 -U postgres \
	--auth-local=peer --auth-host=scram-sha-256 --no-instructions >"$D/pg/initdb.log" 2>&1
_t_check $? "initdb as postgres, local peer authentication" || diag "$(tail -n 5 "$D/pg/initdb.log")"
# Debian's pg_hba.conf, as the postgresql-common package writes it.
as_pg tee "$DATA/pg_hba.conf" >/dev/null <<'EOF'
local   all             postgres                                peer
local   all             all                                     peer
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     peer
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
EOF
as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
fsync = off
EOF
as_pg "$WH_PGBIN/pg_ctl" start -w -t 60 -s -D "$DATA" -l "$D/pg/postgresql.log"
_t_check $? "the Debian-like cluster starts" || diag "$(tail -n 10 "$D/pg/postgresql.log")"
ver=$(PGDB=postgres pgsql -c 'SHOW server_version_num')
[ "${ver:-0}" -ge 140000 ]
_t_check $? "PostgreSQL $ver is at least 14, the version the README names (BEGIN ATOMIC)"
is "$(psql -X -At -h "$SOCK" -p "$PORT" -d postgres -U postgres -c 'SELECT 1' 2>&1 | grep -c 'Peer authentication failed')" 1 \
	"root cannot log in as postgres: peer authentication is on"

# ------------------------------------------------------------ database and roles
as_pg createdb -h "$SOCK" -p "$PORT" -E UTF8 -T template0 workhooks
_t_check $? "sudo -u postgres createdb -E UTF8 -T template0 workhooks"
# The installed workhooks-migrate; its sql directory is under the DESTDIR.
out=$(cd / && as_pg env WORKHOOKS_SQL_DIR="$I/usr/share/workhooks/sql" "$I/usr/sbin/workhooks-migrate" \
	"host=$SOCK port=$PORT dbname=workhooks" 2>&1)
_t_check $? "sudo -u postgres workhooks-migrate dbname=workhooks applies every migration" || diag "$out"
pgsql -c "CREATE ROLE $WUSER LOGIN IN ROLE workhooks_writer"
_t_check $? "the documented CREATE ROLE line: a login role named after the workers' user, in workhooks_writer"
pgsql -c "ALTER ROLE $WUSER SET workhooks.notify = off"
_t_check $? "the NOTIFY switch is flipped by the superuser that migrates (ALTER ROLE ... SET workhooks.notify)"
is "$(pgsql -c "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE setrole = '$WUSER'::regrole")" \
	"workhooks.notify=off" "and is recorded for that role"
out=$(cd / && runuser -u "$WUSER" -- psql -X -q -At -h "$SOCK" -p "$PORT" -d workhooks \
	-c 'CREATE TABLE workhooks.not_allowed (id int)' 2>&1)
[ $? != 0 ]
_t_check $? "the workers' role (peer) cannot create anything" || diag "$out"
out=$(cd / && runuser -u www-data -- psql -X -q -At -h "$SOCK" -p "$PORT" -d workhooks -c 'SELECT 1' 2>&1)
like "$out" 'role "www-data" does not exist|authentication failed' "the web server's user has no way in"

# ------------------------------------------------------------ workers and nginx
# The socket directory as tmpfiles.d makes it: the workers', group of the
# web server, setgid.
mkdir -p "$RUN" && chown "$WUSER:www-data" "$RUN" && chmod 2750 "$RUN"
(
	umask 077
	cat >"$CONF" <<EOF
database = host=$SOCK port=$PORT dbname=workhooks connect_timeout=3
updatedge_secret.dev = $UE_SECRET
worksome_secret.dev = $WS_SECRET
EOF
)
chown "root:$WGROUP" "$CONF" && chmod 640 "$CONF"
runuser -u www-data -- cat "$CONF" >/dev/null 2>&1
is "$?" 1 "the web server's user cannot read the configuration (the secrets)"
# The pools as systemd starts them: ExecStartPre= and ExecStart= of the
# installed unit, with this test's paths for /run/workhooks and the DESTDIR,
# run as the workers' user (User=) in its own session.
unit=$I/usr/lib/systemd/system/workhooks@.service
unit_line() { # KEY ENDPOINT: the unit's KEY= line for that instance, here
	sed -n "s/^$1=//p" "$unit" | head -n 1 | sed -e "s|%i|$2|g" -e "s|/run/workhooks/|$RUN/|g" \
		-e "s|/usr/libexec/workhooks/|$LIBEXEC/|g" -e 's|${WORKERS}|2|g'
}
like "$(unit_line ExecStart worksome)" "^/usr/bin/spawn-fcgi -n -s $RUN/worksome.sock -M 0660 -- /usr/bin/multiwatch -f 2 -s TERM -- $LIBEXEC/worksome\$" \
	"the installed unit's ExecStart= (spawn-fcgi -n, multiwatch -s TERM)"
for e in healthz updatedge-timeline-changed worksome; do
	read -r -a pre <<<"$(sed -n 's/^ExecStartPre=\([^+].*\)$/\1/p' "$unit" | sed -e "s|%i|$e|g" -e "s|/usr/libexec/workhooks/|$LIBEXEC/|g")"
	out=$(cd / && runuser -u "$WUSER" -- env -i WORKHOOKS_CONFIG="$CONF" "${pre[@]}" 2>&1)
	_t_check $? "$e: the unit's ExecStartPre= (${pre[*]##*/}) as the workers' user" || diag "$out"
	read -r -a cmd <<<"$(unit_line ExecStart "$e")"
	# setpriv execs in place (runuser would fork): $! is multiwatch.
	(cd / && exec setsid setpriv --reuid="$WUSER" --regid="$WGROUP" --init-groups -- \
		env -i PATH=/usr/bin:/bin LANG=C.UTF-8 WORKHOOKS_CONFIG="$CONF" "${cmd[@]}" \
		</dev/null >>"$LOG/$e.log" 2>&1) &
	pids+=($!)
done
for e in healthz updatedge-timeline-changed worksome; do
	wh_wait 10 test -S "$RUN/$e.sock" || diag "$(tail -n 5 "$LOG/$e.log")"
done
is "$(stat -c '%U %G %a' "$RUN/worksome.sock" 2>&1)" "$WUSER www-data 660" \
	"the socket is the workers', group www-data (from the setgid directory), mode 0660"
wpids=$(cat "/proc/${pids[2]}/task/"*/children 2>/dev/null)
is "$(ps -o user= -p "${pids[2]}" $(printf -- '-p %s ' $wpids) 2>/dev/null | sort -u | tr -d ' ')" "$WUSER" \
	"multiwatch and the workers run as $WUSER"

# nginx with the installed snippets: stack.sh's nginx_start takes them
# from $WH_ROOT/nginx, so it gets a root whose nginx/ is the installed one.
HTTP=$(wh_free_port $((WH_APACHE_PORT + 10)))
mkdir -p "$D/fakeroot"
ln -s "$I/usr/share/workhooks/nginx" "$D/fakeroot/nginx"
(
	WH_NGINX_TEMPLATE=${WH_NGINX_TEMPLATE:-$WH_ROOT/nginx/private.conf.in}
	# Plain HTTP only: the stack's own HTTPS site keeps its ports.
	unset WH_TLS_PORT WH_REDIRECT_PORT
	WH_ROOT=$D/fakeroot WH_STATE=$D WH_RUN=$RUN WH_HTTP_PORT=$HTTP WH_RUN_USER=www-data WH_RUN_GROUP=www-data
	nginx_start
)
_t_check $? "nginx (as www-data) in front of them, with the installed snippets"
URL=http://127.0.0.1:$HTTP
wh_wait_http "$URL/healthz" 200 15
req GET "$URL/healthz"
expect_status 200 "/healthz through nginx: the workers reach PostgreSQL as their peer role"

b=$_t_tmp/timeline.json
printf '{"workerId":"debian-pg-%s","periodStart":"2021-03-01T09:00:00Z","periodEnd":"2021-03-01T17:00:00Z","completedAt":"2021-02-28T10:00:00Z"}' "$$" >"$b"
ue_req POST "$URL/updatedge/events/timelineChanged" -H 'Content-Type: application/json' --data-binary "@$b"
expect_status 200 "a timelineChanged delivery through nginx -> 200"
id=$(jq -r .delivery <<<"$BODY" 2>/dev/null)
is "$(pgsql -c "SELECT source || ' ' || endpoint FROM workhooks.delivery WHERE id = ${id:-0}")" \
	"updatedge events/timelineChanged" "it is stored"
req POST "$URL/worksome" -H 'Content-Type: application/json' -H "Signature: $(ws_sign "$VECTORS/worksome-hireUpdated.json")" \
	--data-binary "@$VECTORS/worksome-hireUpdated.json"
expect_status 200 "a Worksome delivery through nginx -> 200"
is "$(pgsql -c "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = '$WUSER' AND datname = 'workhooks'")" t \
	"the workers' sessions are the peer role $WUSER"

# No worker died (script/test checks its own stack's logs; these live here).
for e in healthz updatedge-timeline-changed worksome; do
	! grep -qE 'Spawning child' "$LOG/$e.log"
	_t_check $? "$e: no worker died" || diag "$(tail -n 20 "$LOG/$e.log")"
done

cleanup
trap - EXIT
trap _t_end EXIT
done_testing
