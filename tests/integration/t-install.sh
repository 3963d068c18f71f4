#!/usr/bin/env bash
# t-install: "make install" yields a working service. A build configured as
# a Debian operator would (--prefix=/usr --sysconfdir=/etc
# --libexecdir=/usr/libexec, no sanitizers) in build-install/ (reused, so
# only the first run compiles) is installed with DESTDIR into a temporary
# root; then: every file is there, each binary answers --version, the man
# pages are groff-clean, systemd-analyze verify passes on the installed
# units, sysusers.d/tmpfiles.d create the user and the socket directory,
# workhooks-migrate applies to a fresh database and refuses what it must,
# workhooks-send gets 200 from the running stack and fails with a wrong
# secret, uninstall keeps an edited configuration only.
. "$WH_ROOT/tests/integration/lib.sh"
# shellcheck source=../../script/lib/build.sh
. "$WH_ROOT/script/lib/build.sh"

T=$_t_tmp/install
R=$T/root
mkdir -p "$T"

wh_build "$WH_ROOT/build-install" --prefix=/usr --sysconfdir=/etc --libexecdir=/usr/libexec \
	--localstatedir=/var --with-systemdsystemunitdir=/usr/lib/systemd/system \
	--with-sysusersdir=/usr/lib/sysusers.d --with-tmpfilesdir=/usr/lib/tmpfiles.d
B=$WH_BUILD_DIR
make -C "$B" install DESTDIR="$R" >"$T/install.out" 2>&1
_t_check $? "make install DESTDIR=... succeeds"
grep -q "installed $R/etc/workhooks.conf" "$T/install.out"
_t_check $? "make install puts the example configuration in /etc/workhooks.conf when there is none"

# ------------------------------------------------------------ the tree
# Every cgi-bin/NAME.c is an endpoint program.
endpoints=$(cd "$WH_ROOT/cgi-bin" && ls ./*.c | sed -e 's|^\./||' -e 's|\.c$||')
want=(usr/sbin/workhooks-migrate usr/bin/workhooks-send
	usr/lib/systemd/system/workhooks@.service usr/lib/systemd/system/workhooks.target
	usr/lib/sysusers.d/workhooks.conf usr/lib/tmpfiles.d/workhooks.conf
	etc/workhooks.conf usr/share/workhooks/workhooks.conf.example
	usr/share/man/man8/workhooks.8 usr/share/man/man5/workhooks.conf.5
	usr/share/man/man8/workhooks-migrate.8 usr/share/man/man1/workhooks-send.1
	usr/share/man/man1/workhooks-listen.1)
for e in $endpoints; do want+=("usr/libexec/workhooks/$e"); done
# The PostgreSQL module (workhooks.rederive), into the server's $libdir.
want+=("$(pg_config --pkglibdir | sed -e 's|^/||')/workhooks.so")
for f in "$WH_ROOT"/sql/[0-9]*.sql "$WH_ROOT"/sql/code/*.sql; do
	[ -f "$f" ] && want+=("usr/share/workhooks/${f#"$WH_ROOT"/}")
done
for f in "$WH_ROOT"/nginx/workhooks*.conf; do want+=("usr/share/workhooks/nginx/${f##*/}"); done
for f in "$WH_ROOT"/apache/*.conf "$WH_ROOT"/apache/errors/*.json; do
	[ -f "$f" ] && want+=("usr/share/workhooks/${f#"$WH_ROOT"/}")
done
for s in updatedge-contact-suggestions updatedge-timelineChanged updatedge-offer-response \
	updatedge-offer-eventDeleted worksome-contractAccepted worksome-hireUpdated \
	worksome-hireCancelled worksome-trustedContactUpdated; do
	want+=("usr/share/workhooks/samples/$s.json")
done
missing=()
for f in "${want[@]}"; do [ -f "$R/$f" ] || missing+=("$f"); done
is "${missing[*]}" "" "every file is installed (${#want[@]} checked)"
for f in usr/sbin/workhooks-migrate usr/bin/workhooks-send; do
	[ -x "$R/$f" ]
	_t_check $? "/$f is executable"
done
is "$(stat -c %a "$R/etc/workhooks.conf")" 640 "/etc/workhooks.conf is installed mode 0640 (it will hold the secrets)"
! grep -qE '^[[:blank:]]*(updatedge|worksome)_secret\.' "$R/etc/workhooks.conf"
_t_check $? "the example configuration sets no secret (an unconfigured install accepts no signature)"
leftover=$(grep -rlE '@[A-Za-z_]+@' "$R/usr/sbin" "$R/usr/bin" "$R/usr/lib" "$R/usr/share/man" 2>/dev/null)
is "$leftover" "" "no @placeholder@ is left in the installed scripts, units and man pages"
grep -qx ': "${WORKHOOKS_SQL_DIR:=/usr/share/workhooks/sql}"; export WORKHOOKS_SQL_DIR' "$R/usr/sbin/workhooks-migrate"
_t_check $? "workhooks-migrate reads the installed /usr/share/workhooks/sql by default"
cmp -s "$WH_ROOT/nginx/workhooks.conf" "$R/usr/share/workhooks/nginx/workhooks.conf"
_t_check $? "the nginx files are installed as they are in the tree"

# ------------------------------------------------------------ --version
for e in $endpoints; do
	out=$("$R/usr/libexec/workhooks/$e" --version 2>&1)
	like "$out" "^$e [0-9]+\.[0-9]+\.[0-9]+ \(workhooks, build [^ )]+\)$" "$e --version says version and build"
done
like "$("$R/usr/bin/workhooks-send" --version)" '^workhooks-send [0-9]+\.[0-9]+' "workhooks-send --version"
like "$("$R/usr/sbin/workhooks-migrate" --version)" '^workhooks-migrate [0-9]+\.[0-9]+\.[0-9]+ \(build [^ )]+\)$' \
	"workhooks-migrate --version"
like "$("$R/usr/sbin/workhooks-migrate" --help)" '^Usage: workhooks-migrate \[CONNINFO\]' "workhooks-migrate --help prints its usage"
out=$(env -i REQUEST_METHOD=GET "$R/usr/libexec/workhooks/updatedge-test" 2>/dev/null)
like "$out" '^Status: 200' "the installed updatedge-test answers a CGI request"

# ------------------------------------------------------------ man pages
for m in man8/workhooks.8 man5/workhooks.conf.5 man8/workhooks-migrate.8 man1/workhooks-send.1 \
	man1/workhooks-listen.1; do
	out=$(groff -man -ww -z "$R/usr/share/man/$m" 2>&1)
	rc=$?
	[ "$rc" = 0 ] && [ -z "$out" ]
	_t_check $? "groff -man -ww -z ${m#*/}: no warning"
	[ -z "$out" ] || diag "$out"
done
nopage=()
for f in "$R"/usr/bin/* "$R"/usr/sbin/*; do
	n=${f##*/}
	[ -f "$R/usr/share/man/man1/$n.1" ] || [ -f "$R/usr/share/man/man8/$n.8" ] || nopage+=("$n")
done
is "${nopage[*]}" "" "every installed command has its man page"

# ------------------------------------------------------------ systemd
# systemd-analyze checks that every command exists: the copies it verifies
# have the DESTDIR in front of the paths this package installed (spawn-fcgi,
# multiwatch, sh, kill, rm, systemd-tmpfiles are the host's); MANPATH lets
# it find the Documentation= pages among the installed ones.
U=$T/units
mkdir -p "$U"
for f in "$R"/usr/lib/systemd/system/*; do
	sed -e "s|/usr/libexec/workhooks/|$R/usr/libexec/workhooks/|g" "$f" >"$U/${f##*/}"
done
like "$(grep '^ExecStart=' "$R/usr/lib/systemd/system/workhooks@.service")" \
	'^ExecStart=/usr/bin/spawn-fcgi -n -s /run/workhooks/%i\.sock -M 0660 -- /usr/bin/multiwatch -f \$\{WORKERS\} -s TERM -- /usr/libexec/workhooks/%i$' \
	"workhooks@.service runs spawn-fcgi -n + multiwatch -s TERM on /run/workhooks/%i.sock"
for k in 'User=workhooks' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
	'PrivateDevices=yes' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'CapabilityBoundingSet=' \
	'SystemCallFilter=@system-service' 'Restart=always' 'ExecStartPre=/usr/libexec/workhooks/%i --check-config'; do
	grep -qxF "$k" "$R/usr/lib/systemd/system/workhooks@.service"
	_t_check $? "workhooks@.service: $k"
done
for e in $endpoints; do
	grep -qx "Wants=workhooks@$e.service" "$R/usr/lib/systemd/system/workhooks.target" || missing+=("$e")
done
is "${missing[*]}" "" "workhooks.target wants every endpoint's pool"
insts=()
for e in $endpoints; do
	ln -sf "workhooks@.service" "$U/workhooks@$e.service"
	insts+=("$U/workhooks@$e.service")
done
out=$(cd "$U" && MANPATH=$R/usr/share/man SYSTEMD_LOG_LEVEL=notice \
	systemd-analyze verify "$U/workhooks.target" "${insts[@]}" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ]
_t_check $? "systemd-analyze verify: the target and every instance, no complaint"
[ -z "$out" ] || diag "$out"

# sysusers.d and tmpfiles.d into an empty root: the user, then the shared
# socket directory (setgid, group of the web server).
S=$T/sysroot
mkdir -p "$S/etc"
grep '^www-data:' /etc/group >"$S/etc/group"
out=$(systemd-sysusers --root="$S" "$R/usr/lib/sysusers.d/workhooks.conf" 2>&1)
_t_check $? "systemd-sysusers accepts sysusers.d/workhooks.conf"
like "$(grep '^workhooks:' "$S/etc/passwd")" '^workhooks:x:[0-9]+:[0-9]+:[^:]*:/:/usr/sbin/nologin$' \
	"sysusers.d creates the system user workhooks (no login)"
out=$(systemd-tmpfiles --root="$S" --create "$R/usr/lib/tmpfiles.d/workhooks.conf" 2>&1)
_t_check $? "systemd-tmpfiles --create accepts tmpfiles.d/workhooks.conf"
[ -z "$out" ] || diag "$out"
wuid=$(awk -F: '$1 == "workhooks" { print $3 }' "$S/etc/passwd")
is "$(stat -c '%a %u %g' "$S/run/workhooks" 2>&1)" "2750 $wuid $(id -g www-data)" \
	"tmpfiles.d: /run/workhooks is workhooks:www-data 2750 (sockets get the web server's group)"

# ------------------------------------------------------------ workhooks-migrate
M=$R/usr/sbin/workhooks-migrate
export WORKHOOKS_SQL_DIR=$R/usr/share/workhooks/sql
db=wh_install_$$
nfiles=$(ls "$WORKHOOKS_SQL_DIR"/[0-9]*.sql | wc -l)
first=$(cd "$WORKHOOKS_SQL_DIR" && ls [0-9]*.sql | sort -V | head -n 1)
first_said=$(printf '%s' "${first%.sql}" | sed -e 's/_/ /')
next=$(printf %03d $((nfiles + 1)))
WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0"
conn=$(wh_conninfo "$db")
out=$("$M" "$conn" 2>&1)
_t_check $? "workhooks-migrate applies to a fresh database"
like "$out" "applying $first_said" "it says what it applies"
like "$out" "migrate: $nfiles applied, 0 already present" "and how many"
is "$(WH_PSQL_DB=$db wh_psql -At -c 'SELECT count(*) FROM workhooks.schema_migration')" "$nfiles" "every file is recorded"
out=$("$M" "$conn" 2>&1)
_t_check $? "a second run succeeds"
like "$out" "migrate: 0 applied, $nfiles already present" "and applies nothing"

cp -r "$WORKHOOKS_SQL_DIR" "$T/sql-changed"
echo "-- changed after it was applied" >>"$T/sql-changed/$first"
out=$(WORKHOOKS_SQL_DIR=$T/sql-changed "$M" "$conn" 2>&1)
rc=$?
[ "$rc" != 0 ]
_t_check $? "workhooks-migrate refuses an applied file that changed (exit $rc)"
like "$out" "$first was applied with sha256 .* an applied migration must not change" "and says which"

cp -r "$WORKHOOKS_SQL_DIR" "$T/sql-gap"
printf 'SELECT 1;\n' >"$T/sql-gap/$(printf %03d $((nfiles + 2)))_after_a_gap.sql"
WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE ${db}_gap ENCODING 'UTF8' TEMPLATE template0"
out=$(WORKHOOKS_SQL_DIR=$T/sql-gap "$M" "$(wh_conninfo "${db}_gap")" 2>&1)
rc=$?
[ "$rc" != 0 ]
_t_check $? "workhooks-migrate refuses a gap in the numbering (exit $rc)"
like "$out" "gap in the numbering: no migration $next before" "and names the missing number"
is "$(WH_PSQL_DB=${db}_gap wh_psql -At -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'workhooks'")" 0 \
	"nothing was applied to that database"

WH_PSQL_DB=postgres wh_psql -c "CREATE DATABASE ${db}_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
out=$("$M" "$(wh_conninfo "${db}_latin1")" 2>&1)
rc=$?
[ "$rc" != 0 ]
_t_check $? "workhooks-migrate refuses a database that is not UTF8 (exit $rc)"
like "$out" "has encoding LATIN1; workhooks needs UTF8.*createdb -E UTF8 -T template0" "with a clear message"

# One run at a time: a session holding the lock makes a run wait, then
# fail after WORKHOOKS_MIGRATE_WAIT; once it is gone a run goes through.
cp -r "$WORKHOOKS_SQL_DIR" "$T/sql-next"
printf 'CREATE TABLE workhooks.install_test (id int);\n' >"$T/sql-next/${next}_install_test.sql"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -d "$conn" \
	-c 'SELECT pg_advisory_lock(8606223218567507819)' -c 'SELECT pg_sleep(3)' >/dev/null 2>&1 &
holder=$!
wh_wait 5 bash -c "[ \"\$(psql -X -At -d '$conn' -c \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'\")\" = 1 ]"
t0=$(date +%s%N)
out=$(WORKHOOKS_MIGRATE_WAIT=1 WORKHOOKS_SQL_DIR=$T/sql-next "$M" "$conn" 2>&1)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" != 0 ] && [ "$ms" -ge 900 ]
_t_check $? "a run waits for another that holds the lock and gives up after WORKHOOKS_MIGRATE_WAIT (exit $rc after $ms ms)"
like "$out" "another workhooks-migrate is running on database $db" "and says why"
is "$(WH_PSQL_DB=$db wh_psql -At -c "SELECT to_regclass('workhooks.install_test') IS NULL")" t "it applied nothing"
out=$(WORKHOOKS_MIGRATE_WAIT=20 WORKHOOKS_SQL_DIR=$T/sql-next "$M" "$conn" 2>&1)
_t_check $? "with a longer wait it goes on once the other run ends"
like "$out" "applying $next install_test" "and applies the new file"
wait "$holder" 2>/dev/null

# lock_timeout: a migration that cannot get its table lock fails quickly
# and is rolled back instead of queueing the endpoints behind it.
cp -r "$T/sql-next" "$T/sql-locked"
printf 'ALTER TABLE workhooks.delivery ADD COLUMN install_test int;\n' >"$T/sql-locked/$(printf %03d $((nfiles + 2)))_locked.sql"
PGOPTIONS='-c client_min_messages=warning' psql -X -q -d "$conn" \
	-c 'BEGIN' -c 'LOCK TABLE workhooks.delivery IN ACCESS SHARE MODE' -c 'SELECT pg_sleep(3)' -c 'COMMIT' >/dev/null 2>&1 &
holder=$!
wh_wait 5 bash -c "[ \"\$(psql -X -At -d '$conn' -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'delivery' AND l.mode = 'AccessShareLock' AND l.pid <> pg_backend_pid()\")\" -ge 1 ]"
t0=$(date +%s%N)
out=$(WORKHOOKS_MIGRATE_LOCK_TIMEOUT=500ms WORKHOOKS_SQL_DIR=$T/sql-locked "$M" "$conn" 2>&1)
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" != 0 ] && [ "$ms" -lt 2500 ]
_t_check $? "a migration waiting for a table lock fails after WORKHOOKS_MIGRATE_LOCK_TIMEOUT (exit $rc after $ms ms)"
like "$out" "lock timeout" "and says so"
is "$(WH_PSQL_DB=$db wh_psql -At -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 'delivery' AND column_name = 'install_test'")" 0 \
	"nothing of it was applied"
wait "$holder" 2>/dev/null
for d in "$db" "${db}_gap" "${db}_latin1"; do
	WH_PSQL_DB=postgres wh_psql -c "DROP DATABASE IF EXISTS $d WITH (FORCE)"
done
unset WORKHOOKS_SQL_DIR

# ------------------------------------------------------------ workhooks-send
SEND=$R/usr/bin/workhooks-send
export WORKHOOKS_SAMPLES=$R/usr/share/workhooks/samples
out=$("$SEND" updatedge "$BASE_URL/updatedge/test/auth" --secret "$UE_SECRET" 2>&1)
_t_check $? "workhooks-send updatedge .../test/auth with the right secret exits 0"
like "$(printf '%s\n' "$out" | head -n 1)" '^HTTP/1\.[01] 200' "and prints the status line"
out=$("$SEND" updatedge "$BASE_URL/updatedge/test/auth" --secret not-the-secret 2>&1)
rc=$?
is "$rc" 1 "with a wrong secret it exits 1"
like "$(printf '%s\n' "$out" | head -n 1)" '^HTTP/1\.[01] 401' "and prints the 401"
out=$("$SEND" updatedge "$BASE_URL/updatedge/test/auth" --secret "$UE_SECRET" --timestamp 2018-11-26T10:55Z 2>&1)
is "$?" 1 "--timestamp: the vendor's example timestamp of 2018 is outside the replay window (exit 1)"
like "$out" '^HTTP/1\.[01] 401' "after a 401"
out=$(WORKHOOKS_SEND_SECRET=$UE_SECRET "$SEND" updatedge "$BASE_URL/updatedge/events/timelineChanged" 2>&1)
_t_check $? "the sample timelineChanged body is stored (secret from WORKHOOKS_SEND_SECRET)"
like "$out" '"status":"ok"' "and the body says so"
out=$("$SEND" updatedge "$BASE_URL/updatedge/contact/new/workhooks-send-test" --secret "$UE_SECRET" 2>&1)
_t_check $? "contact/new/{id} goes as a signed GET"
out=$("$SEND" updatedge "$BASE_URL/updatedge/contact-suggestions" --secret "$UE_SECRET" 2>&1)
_t_check $? "contact-suggestions gets 200 with the sample body"
for ev in contractAccepted hireUpdated hireCancelled trustedContactUpdated; do
	out=$("$SEND" worksome "$BASE_URL/worksome" --event "$ev" --secret "$WS_SECRET" 2>&1)
	_t_check $? "workhooks-send worksome --event $ev: 200"
done
out=$("$SEND" worksome "$BASE_URL/worksome" --secret "$WS_SECRET" "$VECTORS/worksome-unknown-event.json" 2>&1)
_t_check $? "a BODY_FILE is sent as given"
out=$("$SEND" worksome "$BASE_URL/worksome" --secret wrong 2>&1)
is "$?" 1 "worksome with a wrong secret exits 1"
like "$out" '^HTTP/1\.[01] 401' "after a 401"
out=$("$SEND" worksome "$BASE_URL/worksome" --event noSuchEvent --secret "$WS_SECRET" 2>&1)
is "$?" 2 "an unknown --event is a usage error"
like "$out" "no sample for event noSuchEvent.*contractAccepted" "listing the events there are"

# --config: the secrets as the workers read them (labels, quotes, comments).
cfg=$T/send.conf
cat >"$cfg" <<EOF
# a comment
database = dbname=nothing
updatedge_secret.old = not-the-secret
  updatedge_secret.current   =   $UE_SECRET
worksome_secret.quoted = "$(printf '%s' "$WS_SECRET" | sed -e 's/[\\"]/\\&/g')"
EOF
"$SEND" updatedge "$BASE_URL/updatedge/test/auth" --config "$cfg" --label current >/dev/null 2>&1
_t_check $? "--config FILE --label L reads updatedge_secret.L"
"$SEND" updatedge "$BASE_URL/updatedge/test/auth" --config "$cfg" >/dev/null 2>&1
is "$?" 1 "--config without --label takes the first updatedge secret (here the old, wrong one)"
"$SEND" worksome "$BASE_URL/worksome" --config "$cfg" >/dev/null 2>&1
_t_check $? "--config reads a quoted Worksome secret"
out=$("$SEND" worksome "$BASE_URL/worksome" --config "$cfg" --label nope 2>&1)
is "$?" 2 "a label the file lacks is a configuration error"
like "$out" "no worksome_secret.nope in" "and says which"
out=$("$SEND" updatedge "$BASE_URL/updatedge/test/auth" 2>&1)
is "$?" 2 "without a secret it reads /etc/workhooks.conf (absent here: error)"
like "$out" "cannot read /etc/workhooks.conf" "and says so"
out=$("$SEND" updatedge "http://127.0.0.1:1/updatedge/test" --secret x 2>&1)
is "$?" 3 "no answer: exit 3"

# --insecure: a self-signed certificate (openssl s_server answers any GET).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 1 \
	-subj /CN=localhost >/dev/null 2>&1
tls=$(wh_free_port $((WH_APACHE_PORT + 30)))
openssl s_server -accept "127.0.0.1:$tls" -www -quiet -cert "$T/tls.crt" -key "$T/tls.key" \
	</dev/null >/dev/null 2>&1 &
tls_pid=$!
wh_wait 5 bash -c "(exec 3<>/dev/tcp/127.0.0.1/$tls) 2>/dev/null"
"$SEND" updatedge "https://127.0.0.1:$tls/updatedge/test" --secret x >/dev/null 2>&1
is "$?" 3 "a self-signed certificate is refused (exit 3)"
out=$("$SEND" updatedge "https://127.0.0.1:$tls/updatedge/test" --secret x --insecure 2>&1)
_t_check $? "--insecure accepts it"
like "$(printf '%s\n' "$out" | head -n 1)" '^HTTP/1\.[01] 200' "and prints the status line"
kill "$tls_pid" 2>/dev/null
wait "$tls_pid" 2>/dev/null

# ------------------------------------------------------------ reinstall, uninstall
echo "# edited by the operator" >>"$R/etc/workhooks.conf"
make -C "$B" install DESTDIR="$R" >"$T/install2.out" 2>&1
_t_check $? "make install again"
grep -q '^# edited by the operator$' "$R/etc/workhooks.conf"
_t_check $? "a second make install keeps the existing /etc/workhooks.conf"
make -C "$B" uninstall DESTDIR="$R" >"$T/uninstall.out" 2>&1
_t_check $? "make uninstall"
is "$(cd "$R" && find . -type f | sort)" "./etc/workhooks.conf" "uninstall removes everything but the edited configuration"

done_testing
