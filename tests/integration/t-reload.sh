#!/usr/bin/env bash
# Zero-downtime reload (README "Reload"): the workers re-read the
# configuration on SIGHUP, or on SIGUSR2 sent to multiwatch (which forwards
# it to every worker: the unit's ExecReload=), between requests. Under a
# bounded load on POST /worksome the Worksome secret set changes twice -- a
# new secret is added, the load switches to it, the old one is removed --
# with no non-2xx answer and no dropped request; a bad file is refused with
# a line naming file, line and key, and the old configuration kept; a new
# conninfo is used from the next request on.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

name=worksome
log=$WH_LOG/$name.log
conf=$WORKHOOKS_CONFIG
orig=$_t_tmp/orig.conf
cp -p "$conf" "$orig"
NEW_SECRET="reload-new-$$-$RANDOM"
tag="reload-$$-$RANDOM"

# write_conf: replace the config file's contents, keeping its owner and mode
# (the workers' user must still read it).
write_conf() { cat >"$conf"; }

# restore: the original file, and the workers back on it.
restore() {
	cat "$orig" >"$conf"
	kill -USR2 "$(worker_pid "$name")" 2>/dev/null
}

# log_mark: the current length of the worker log.
log_mark() { stat -c %s "$log"; }

# reloaded_pids MARK WORDS: the worker PIDs that logged WORDS after MARK.
reloaded_pids() {
	tail -c +$(($1 + 1)) "$log" | grep -F -- "$2" |
		sed -n 's/.*\[\([0-9]*\)\].*/\1/p' | sort -un
}

# wait_all MARK WORDS: every live worker logged WORDS since MARK (5 s).
wait_all() {
	local i want got
	want=$(worker_pids "$name" | tr '\n' ' ')
	for i in $(seq 50); do
		got=$(reloaded_pids "$1" "$2" | tr '\n' ' ')
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	diag "workers: $want" "logged '$2': $got"
	return 1
}

# ---------------------------------------------------------------- the load

secret_file=$_t_tmp/secret
printf '%s' "$WS_SECRET" >"$secret_file"

# load N: one client posting signed unknown events, with the secret that
# $secret_file holds at that moment, until $_t_tmp/stop exists (at most 30
# s or 2000 requests). One line per request: status, secret used.
load() {
	local n=$1 i=0 s sig f=$_t_tmp/body.$1 code end=$((SECONDS + 30))
	while [ ! -e "$_t_tmp/stop" ] && [ $SECONDS -lt $end ] && [ $i -lt 2000 ]; do
		i=$((i + 1))
		s=$(cat "$secret_file")
		printf '{"event":"reloadProbe","data":{"tag":"%s","client":%d,"n":%d}}' "$tag" "$n" "$i" >"$f"
		sig=$(ws_sign "$f" "$s")
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
			-H 'Content-Type: application/json' -H "Signature: $sig" \
			--data-binary @"$f" "$BASE_URL/worksome" 2>/dev/null) || code=${code:-000}
		printf '%s %s\n' "${code:-000}" "$([ "$s" = "$WS_SECRET" ] && echo old || echo new)"
	done >"$_t_tmp/load.$n"
}

pids=()
for c in 1 2 3; do
	load "$c" &
	pids+=($!)
done
sleep 1

# 1. Add the new secret; every worker reloads; then the load switches to it.
mark=$(log_mark)
{ cat "$orig"; printf 'worksome_secret.reload-new = %s\n' "$NEW_SECRET"; } | write_conf
kill -USR2 "$(worker_pid "$name")"
wait_all "$mark" "configuration reloaded"
_t_check $? "USR2 to multiwatch: every $name worker reloads (the new secret added)"
is "$(worker_count "$name")" "$WH_WORKERS" "USR2 to multiwatch: still $WH_WORKERS workers (multiwatch forwards it, no restart)"
sleep 1
# Atomically (a reader must never see the file empty).
printf '%s' "$NEW_SECRET" >"$secret_file.new" && mv "$secret_file.new" "$secret_file"
sleep 1

# 2. Remove the old secret.
mark=$(log_mark)
grep -v '^worksome_secret\.dev ' "$orig" | { cat; printf 'worksome_secret.reload-new = %s\n' "$NEW_SECRET"; } | write_conf
kill -USR2 "$(worker_pid "$name")"
wait_all "$mark" "configuration reloaded"
_t_check $? "USR2 to multiwatch: every $name worker reloads (the old secret removed)"
sleep 1
touch "$_t_tmp/stop"
wait "${pids[@]}"

cat "$_t_tmp"/load.* >"$_t_tmp/load"
total=$(wc -l <"$_t_tmp/load")
n2xx=$(grep -c '^2' "$_t_tmp/load")
old=$(grep -c ' old$' "$_t_tmp/load")
new=$(grep -c ' new$' "$_t_tmp/load")
diag "load: $total requests ($old with the old secret, $new with the new), $n2xx answered 2xx"
[ "$total" -ge 60 ] && [ "$old" -ge 20 ] && [ "$new" -ge 20 ]
_t_check $? "the load ran through both reloads ($total requests: $old old secret, $new new)"
is "$(grep -vc '^2' "$_t_tmp/load")" 0 "0 non-2xx answers while the secret set changed twice"
is "$(grep -c '^000' "$_t_tmp/load")" 0 "0 dropped requests (no connection error or timeout)"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE source = 'worksome' AND event = 'reloadProbe' AND body LIKE '%\"tag\":\"$tag\"%'")" \
	"$n2xx" "every 2xx has its delivery row"
is "$(sql "SELECT string_agg(secret_label || '=' || n, ' ' ORDER BY secret_label) FROM (SELECT secret_label, count(*) n FROM workhooks.delivery WHERE body LIKE '%\"tag\":\"$tag\"%' GROUP BY 1) s")" \
	"dev=$old reload-new=$new" "each delivery is stored with the label of the secret that signed it"

printf '{"event":"reloadProbe","data":{"tag":"%s","after":"removal"}}' "$tag" >"$_t_tmp/after"
ws_post() {
	req POST "$BASE_URL/worksome" -H 'Content-Type: application/json' -H "Signature: $2" --data-binary @"$1"
}
ws_post "$_t_tmp/after" "$(ws_sign "$_t_tmp/after" "$WS_SECRET")"
expect_status 401 "after the reload the removed secret is refused -> 401"
ws_post "$_t_tmp/after" "$(ws_sign "$_t_tmp/after" "$NEW_SECRET")"
expect_status 200 "after the reload the new secret is accepted -> 200"

# ---------------------------------------------------------------- a bad file

mark=$(log_mark)
{ grep -v '^worksome_secret\.dev ' "$orig"; printf 'worksome_secret.reload-new = %s\n' "$NEW_SECRET"; printf 'bogus_key = 1\n'; } | write_conf
badline=$(wc -l <"$conf")
# SIGHUP straight to each worker (the other way to ask for a reload).
for p in $(worker_pids "$name"); do kill -HUP "$p"; done
wait_all "$mark" "reload refused"
_t_check $? "SIGHUP with a bad file: every worker refuses it"
like "$(tail -c +$((mark + 1)) "$log" | grep -F 'reload refused' | head -n 1)" \
	"$(printf '%s' "$conf" | sed 's/[.[\*^$()+?{|]/\\&/g'):$badline: bogus_key: unknown key" \
	"the refusal names the file, the line and the key"
if tail -c +$((mark + 1)) "$log" | grep -F 'reload refused' | grep -qF -- "$NEW_SECRET"; then
	not_ok "the refusal does not print a secret"
else
	ok "the refusal does not print a secret"
fi
is "$(worker_count "$name")" "$WH_WORKERS" "a bad file ends no worker"
printf '{"event":"reloadProbe","data":{"tag":"%s","after":"bad file"}}' "$tag" >"$_t_tmp/bad"
ok_all=1
for i in $(seq $((WH_WORKERS * 2))); do
	printf '{"event":"reloadProbe","data":{"tag":"%s","bad":%d}}' "$tag" "$i" >"$_t_tmp/bad"
	ws_post "$_t_tmp/bad" "$(ws_sign "$_t_tmp/bad" "$NEW_SECRET")"
	[ "$STATUS" = 200 ] || ok_all=0
done
is "$ok_all" 1 "after the refused file, the running configuration still serves (new secret -> 200)"
ws_post "$_t_tmp/bad" "$(ws_sign "$_t_tmp/bad" "$WS_SECRET")"
expect_status 401 "after the refused file, the removed secret is still refused"

# ---------------------------------------------------------------- conninfo

app="wh-reload-$$"
mark=$(log_mark)
sed -e "s/^database = .*/& application_name=$app/" "$orig" | write_conf
kill -USR2 "$(worker_pid "$name")"
wait_all "$mark" "configuration reloaded"
_t_check $? "a changed conninfo is loaded by every worker"
for i in $(seq $((WH_WORKERS * 2))); do
	printf '{"event":"reloadProbe","data":{"tag":"%s","conninfo":%d}}' "$tag" "$i" >"$_t_tmp/ci"
	ws_post "$_t_tmp/ci" "$(ws_sign "$_t_tmp/ci" "$WS_SECRET")"
done
expect_status 200 "with the changed conninfo, deliveries are stored"
like "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'")" '^[1-9]' \
	"the workers reconnected with the new conninfo (application_name in pg_stat_activity)"

mark=$(log_mark)
restore
wait_all "$mark" "configuration reloaded"
_t_check $? "the original configuration is back in every worker"
is "$(worker_count "$name")" "$WH_WORKERS" "after every reload the pool still has $WH_WORKERS workers"

done_testing
