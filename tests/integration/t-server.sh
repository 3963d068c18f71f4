#!/usr/bin/env bash
# t-server: script/server where it used to fail. A release tree ("make
# distdir": what the tarball holds, no git) is configured in place, in a
# directory other users cannot enter (as a checkout under /root), and run
# with WORKHOOKS_STATE_DIR elsewhere and ports of its own; --status must
# print the ports it runs on, not the defaults.
. "$WH_ROOT/tests/integration/lib.sh"
# shellcheck source=../../script/lib/build.sh
. "$WH_ROOT/script/lib/build.sh"

wh_build "$WH_ROOT/build-install" --prefix=/usr --sysconfdir=/etc --libexecdir=/usr/libexec \
	--localstatedir=/var --with-systemdsystemunitdir=/usr/lib/systemd/system \
	--with-sysusersdir=/usr/lib/sysusers.d --with-tmpfilesdir=/usr/lib/tmpfiles.d
closed=$(mktemp -d "${TMPDIR:-/tmp}/wh-closed.XXXXXX")
chmod 700 "$closed"
src=$closed/workhooks
state=$WH_STATE/server-state
make -s -C "$WH_BUILD_DIR" distdir distdir="$src" >"$_t_tmp/distdir.out" 2>&1
_t_check $? "a release tree (make distdir)" || diag "$(tail -n 5 "$_t_tmp/distdir.out")"
[ ! -e "$src/.git" ]
_t_check $? "it is no git checkout"
(cd "$src" && CFLAGS="-O0 -g0" ./configure >configure.out 2>&1)
_t_check $? "./configure in place"
is "$(sed -n 's/^systemdsystemunitdir = //p' "$src/Makefile")" "$(pkg-config --variable=systemdsystemunitdir systemd)" \
	"configure's default unit directory is systemd's (pkg-config)"
if wh_is_root; then
	runuser -u www-data -- test -x "$src/script" 2>/dev/null
	is "$?" 1 "the tree is in a directory the web server's user cannot enter"
fi

http=$(wh_free_port $((WH_APACHE_PORT + 20)))
pgport=$((WH_PG_PORT + 20))
srv() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="${HOME:-/}" \
		CFLAGS="-O0 -g0" WORKHOOKS_STATE_DIR="$state" "$@"
}
stop_server() { srv "$src/script/server" --stop >/dev/null 2>&1; }
trap 'rc=$?; stop_server; rm -rf "$closed"; (exit $rc); _t_end' EXIT

srv WORKHOOKS_PORT="$http" WORKHOOKS_PG_PORT="$pgport" WORKHOOKS_WORKERS=2 \
	"$src/script/server" --detach --no-bootstrap >"$_t_tmp/server.out" 2>&1
_t_check $? "script/server --detach from that tree, WORKHOOKS_STATE_DIR=$state" ||
	diag "$(tail -n 20 "$_t_tmp/server.out")"
grep -q "configured in place; building a mirror" "$_t_tmp/server.out"
_t_check $? "it builds from a mirror of the configured tree, without git"
req GET "http://127.0.0.1:$http/healthz"
expect_status 200 "/healthz answers on the port it was given"
ts=$(ue_now)
req GET "http://127.0.0.1:$http/updatedge/test/auth" -H "Timestamp: $ts" \
	-H "Authorization: $(ue_sign "$ts" 0da22586-719c-433b-bd81-d66ec6d5b932)"
expect_status 200 "a signed request with the development secret -> 200"

out=$(srv "$src/script/server" --status 2>&1)
_t_check $? "--status: running"
like "$out" "PostgreSQL: running \(port $pgport," "--status prints the PostgreSQL port it runs on"
like "$out" "nginx: running \(http://127.0.0.1:$http\)" "--status prints the nginx port it runs on"
like "$out" "worksome: 2 workers" "--status counts the workers"
out=$(srv "$src/script/psql" -Atc 'SELECT count(*) > 0 FROM workhooks.schema_migration' 2>&1)
is "$out" t "script/psql finds the database on the port it runs on"

srv "$src/script/server" --stop >/dev/null 2>&1
_t_check $? "--stop"
out=$(srv "$src/script/server" --status 2>&1)
is "$?" 1 "--status after --stop: nothing runs (exit 1)"
like "$out" "PostgreSQL: stopped" "and says so"

done_testing
