#!/bin/sh
# send — make check: the built workhooks-send signs exactly as the vendors'
# examples in tests/vectors (updatedge: HMAC-SHA256 of the Timestamp;
# Worksome: HMAC-SHA256 of the raw body), offline: --verbose prints the
# headers before sending to a port where nothing listens; and the man pages
# are groff-clean. Run by make check in the build directory with srcdir
# set; prints TAP.
top=${srcdir:-.}
V=$top/tests/vectors
send=./tools/workhooks-send
url=http://127.0.0.1:9
n=0 failed=0
t() { # RESULT DESC
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=1; echo "not ok $n - $2"; fi
}
header() { # NAME: the value of header NAME in the --verbose output on stdin
	sed -n "s/^> $1: //p"
}
while IFS='	' read -r file hdr want; do
	case $file in '#'* | '') continue ;; esac
	case $want in sha256=*) continue ;; esac
	got=$(WORKHOOKS_SEND_SECRET='tHizIsAnX@mp|E' "$send" worksome "$url/worksome" "$V/$file" --verbose 2>/dev/null |
		header "$hdr")
	[ "$got" = "$want" ]
	t $? "worksome $file: Signature as in worksome-signatures.tsv"
done <"$V/worksome-signatures.tsv"
got=$(WORKHOOKS_SEND_SECRET="It's a Secret to Everybody" "$send" worksome "$url/worksome" \
	"$V/crosscheck-github-hello.txt" --verbose 2>/dev/null | header Signature)
[ "sha256=$got" = "$(awk -F'\t' '$1 == "crosscheck-github-hello.txt" { print $3 }' "$V/worksome-signatures.tsv")" ]
t $? "GitHub's published HMAC example"
for ts in 2018-11-26T10:55Z 2018-11-26T10:55:00Z; do
	want=$(awk -F'\t' -v ts="$ts" '$1 == ts && $2 == "hmac" { print tolower($3) }' "$V/updatedge-digests.tsv")
	out=$(WORKHOOKS_SEND_SECRET=0da22586-719c-433b-bd81-d66ec6d5b932 "$send" updatedge \
		"$url/updatedge/test/auth" --timestamp "$ts" --verbose 2>/dev/null)
	[ "$(printf '%s\n' "$out" | header Authorization)" = "hmac $want" ] &&
		[ "$(printf '%s\n' "$out" | header Timestamp)" = "$ts" ]
	t $? "updatedge Timestamp $ts: Authorization as in updatedge-digests.tsv"
done
WORKHOOKS_SEND_SECRET=x "$send" updatedge "$url/updatedge/test/auth" >/dev/null 2>&1
[ $? = 3 ]
t $? "nothing listening: exit 3"
"$send" nonsense "$url" >/dev/null 2>&1
[ $? = 2 ]
t $? "an unknown vendor: exit 2"
for m in man/workhooks.8 man/workhooks.conf.5 man/workhooks-migrate.8 man/workhooks-send.1 man/workhooks-listen.1; do
	if command -v groff >/dev/null 2>&1; then
		out=$(groff -man -ww -z "$m" 2>&1) && [ -z "$out" ]
		t $? "groff -man -ww -z $m: no warning"
	else
		t 1 "groff -man -ww -z $m: groff is not installed"
	fi
done
# Every key of common/config.c's environment table, and its variable, is
# in workhooks.conf(5) (the secrets by their prefix).
undocumented=
pairs=$(sed -n 's/^[[:space:]]*{ "\(WORKHOOKS_[A-Z_]*\)", "\([a-z_.]*\)" },.*/\1 \2/p' "$top/common/config.c")
for p in $pairs; do
	case $p in *_secret.env) p=${p%.env}. ;; esac
	grep -qF -- "$p" man/workhooks.conf.5 || undocumented="$undocumented $p"
done
[ -n "$pairs" ] && [ -z "$undocumented" ]
t $? "workhooks.conf(5) names every key and variable of common/config.c${undocumented:+ (missing:$undocumented)}"
echo "1..$n"
exit $failed
