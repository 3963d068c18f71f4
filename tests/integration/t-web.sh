#!/usr/bin/env bash
# The web server configurations as shipped (README "nginx", "Apache"):
# nginx's example site (nginx/workhooks-site.conf: HTTP -> HTTPS redirect,
# TLS 1.2+, HSTS, no session tickets, server_tokens off, limit_req per real
# client, real_ip), Apache with mod_proxy_fcgi (apache/workhooks.conf: JSON
# error documents, Retry-After on 503, chunked bodies under the cap,
# mod_reqtimeout, mod_remoteip) and Apache plain CGI
# (apache/workhooks-cgi.conf), and the /healthz allow-list applied to the
# real client address behind a trusted local proxy.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

: "${HTTPS_URL:?}" "${REDIRECT_URL:?}" "${CGI_URL:?}" "${TLS_CA:?}"
tls_port=${HTTPS_URL##*:}
export CURL_CA_BUNDLE=$TLS_CA

# A client trickling a body is cut off by mod_reqtimeout (body=10-30,
# MinRate=500): started first, checked at the end (~11 s later).
# slow_client PORT PATH OUT: declare 200 bytes, send a byte a second, keep
# what Apache answers in OUT.
slow_client() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
		printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{' "$2" >&3
		(for _ in $(seq 40); do printf ' ' >&3 2>/dev/null || exit 0; sleep 1; done) &
		timeout 40 cat <&3 >"$3"
		kill $! 2>/dev/null
	) &
}
slow_client "${APACHE_URL##*:}" /worksome "$_t_tmp/slow.fcgi"
slow_fcgi=$!
slow_client "${CGI_URL##*:}" /worksome "$_t_tmp/slow.cgi"
slow_cgi=$!
slow_t0=$SECONDS

# ---------------------------------------------------------------- nginx site

req GET "$REDIRECT_URL/updatedge/test?x=1"
expect_status 301 "site: http:// -> 301"
expect_header Location "^https://127\.0\.0\.1:$tls_port/updatedge/test\?x=1$" "site: the redirect goes to the same path over https://"

req GET "$HTTPS_URL/updatedge/test"
expect_status 200 "site: GET https://.../updatedge/test -> 200 (certificate verified)"
expect_header Strict-Transport-Security '^max-age=([3-9][0-9]{7}|[0-9]{9,})' "site: HSTS for at least a year"
expect_header Server '^nginx$' "site: server_tokens off (no version in Server)"
req GET "$HTTPS_URL/nothing-here"
expect_status 404 "site: an unknown path -> 404"
expect_json_field .error "not found" "site: its 404 is JSON"
expect_header Strict-Transport-Security 'max-age' "site: HSTS on errors too"

code=$(curl -s -o /dev/null -w '%{http_code}' --tlsv1.2 --tls-max 1.2 "$HTTPS_URL/updatedge/test")
is "$code" 200 "site: TLS 1.2 is accepted"
code=$(curl -s -o /dev/null -w '%{http_code}' --tlsv1.3 "$HTTPS_URL/updatedge/test")
is "$code" 200 "site: TLS 1.3 is accepted"
out=$(openssl s_client -connect "127.0.0.1:$tls_port" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1)
if printf '%s' "$out" | grep -q 'Cipher is (NONE)\|alert\|error\|no protocols'; then
	ok "site: TLS 1.1 is refused"
else
	not_ok "site: TLS 1.1 is refused"
	diag "$(printf '%s' "$out" | head -n 20)"
fi
out=$(openssl s_client -connect "127.0.0.1:$tls_port" -tls1_2 -CAfile "$TLS_CA" </dev/null 2>&1)
like "$out" 'Verify return code: 0' "site: a TLS 1.2 handshake with the test CA verifies"
if printf '%s' "$out" | grep -q 'TLS session ticket'; then
	not_ok "site: no TLS session ticket is issued (ssl_session_tickets off)"
else
	ok "site: no TLS session ticket is issued (ssl_session_tickets off)"
fi
cipher=$(printf '%s' "$out" | sed -n 's/^ *Cipher *: *//p' | head -n 1)
like "$cipher" '^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$' "site: TLS 1.2 negotiates a forward-secret AEAD cipher ($cipher)"

# Rate limit per real client: a burst of 400 on one connection from
# 192.0.2.10 (through the trusted local proxy) gets 429s in JSON; another
# client is not held back by it.
urls=()
for i in $(seq 400); do urls+=(-o /dev/null "$HTTPS_URL/updatedge/test?$i"); done
curl -s -H 'X-Forwarded-For: 192.0.2.10' \
	-w '%{http_code} %{content_type} %header{retry-after}\n' "${urls[@]}" >"$_t_tmp/burst"
n429=$(grep -c '^429 ' "$_t_tmp/burst")
n200=$(grep -c '^200 ' "$_t_tmp/burst")
diag "burst of 400: $n200 x 200, $n429 x 429"
[ "$n429" -ge 20 ] && [ "$n200" -ge 200 ] && [ $((n200 + n429)) -eq 400 ]
_t_check $? "site: limit_req lets a burst of 200 through, then answers 429 ($n200 passed, $n429 refused)"
is "$(grep '^429 ' "$_t_tmp/burst" | sort -u | head -n 1)" "429 application/json 1" "site: the 429 is JSON with Retry-After"
req GET "$HTTPS_URL/updatedge/test" -H 'X-Forwarded-For: 192.0.2.11'
expect_status 200 "site: the limit is per client address (another client at once -> 200)"

# ---------------------------------------------------------------- allow-list

# healthz_tests URL VIA: /healthz allows the real client address only.
healthz_tests() {
	local u=$1 via=$2
	req GET "$u/healthz"
	expect_status 200 "$via: /healthz from 127.0.0.1 -> 200"
	req GET "$u/healthz" -H 'X-Forwarded-For: 192.0.2.7'
	expect_status 403 "$via: /healthz through the trusted local proxy for 192.0.2.7 -> 403"
	expect_json_field .error forbidden "$via: that 403 is JSON"
	req GET "$u/healthz" -H 'X-Forwarded-For: 127.0.0.1'
	expect_status 200 "$via: /healthz through the trusted local proxy for 127.0.0.1 -> 200"
	req GET "$u/healthz" --interface 127.0.0.2 -H 'X-Forwarded-For: 127.0.0.1'
	expect_status 403 "$via: an untrusted peer (127.0.0.2) cannot claim 127.0.0.1 in X-Forwarded-For -> 403"
}
healthz_tests "$HTTPS_URL" "site"
healthz_tests "$BASE_URL" "nginx snippets"
healthz_tests "$APACHE_URL" "apache"
healthz_tests "$CGI_URL" "apache CGI"

# ---------------------------------------------------------------- Apache errors

for via in apache "apache CGI"; do
	[ "$via" = apache ] && u=$APACHE_URL || u=$CGI_URL
	req GET "$u/updatedge/nothing"
	expect_status 404 "$via: an unrouted path under /updatedge/ -> 404"
	expect_header Content-Type '^application/json' "$via: its 404 is application/json"
	expect_json_field .error "not found" "$via: its 404 body is JSON"
	ue_req GET "$u/updatedge/contact/new/bad%2Fid-$$"
	expect_status 400 "$via: an encoded slash in contact/new reaches the binary -> 400"
	expect_json_field .field workerId "$via: that 400 names workerId"
	head -c 1200000 /dev/zero | tr '\0' ' ' >"$_t_tmp/huge"
	req POST "$u/worksome" -H 'Content-Type: application/json' --data-binary @"$_t_tmp/huge"
	expect_status 413 "$via: a 1.2 MB body -> 413"
	expect_header Content-Type '^application/json' "$via: Apache's own 413 is application/json"
	expect_json "$via: Apache's own 413 body is JSON"
	expect_header Cache-Control 'no-store' "$via: Apache's own 413 has Cache-Control: no-store"
	req POST "$u/worksome" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$_t_tmp/huge"
	expect_status 413 "$via: a chunked 1.2 MB body is stopped by the cap too -> 413"
done

# A chunked, correctly signed 20 kB Worksome delivery is stored (the body is
# read whole, so the worker gets its length).
printf '{"event":"chunkedProbe","data":{"pad":"%s","n":"%s"}}' "$(head -c 20000 /dev/zero | tr '\0' a)" "$$-$RANDOM" >"$_t_tmp/chunked"
req POST "$APACHE_URL/worksome" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	-H "Signature: $(ws_sign "$_t_tmp/chunked")" --data-binary @"$_t_tmp/chunked"
expect_status 200 "apache: a chunked, signed 20 kB Worksome delivery -> 200"
is "$(sql "SELECT count(*) FROM workhooks.delivery WHERE md5(body) = '$(md5sum <"$_t_tmp/chunked" | cut -d' ' -f1)'")" 1 \
	"apache: the chunked delivery is stored byte for byte"

# A missing worker pool: every front end answers 503 in JSON with Retry-After.
worker_stop updatedge-test
for u in "$APACHE_URL" "$BASE_URL" "$HTTPS_URL"; do
	req GET "$u/updatedge/test"
	expect_status 503 "$u: no worker socket -> 503"
	expect_header Retry-After '^[0-9]+$' "$u: that 503 carries Retry-After"
	expect_header Content-Type '^application/json' "$u: that 503 is application/json"
	expect_json "$u: that 503 body is JSON"
	expect_header Cache-Control 'no-store' "$u: that 503 has Cache-Control: no-store"
done
worker_start updatedge-test
wh_wait 10 test -S "$WH_RUN/updatedge-test.sock"
wh_wait_http "$APACHE_URL/updatedge/test" 200 10
_t_check $? "apache: /updatedge/test -> 200 again once its pool is back"

# ---------------------------------------------------------------- slow clients

# trickle PORT PATH: a client declaring a 200-byte body and sending a byte
# a second (at most 25 s), in the background. One more of them than the
# pool has workers: if Apache handed their bodies to workers as they came,
# the probe would wait until mod_reqtimeout cut one off (~10 s).
trickle() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
		printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{' "$2" >&3
		for _ in $(seq 25); do printf ' ' >&3 2>/dev/null || exit 0; sleep 1; done
	) &
}
probe_ms() {
	local f=$_t_tmp/probe t
	printf '{"event":"slowProbe","data":{"n":"%s"}}' "$$-$RANDOM-$1" >"$f"
	t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 30 -X POST \
		-H 'Content-Type: application/json' -H "Signature: $(ws_sign "$f")" --data-binary @"$f" "$1/worksome")
	printf '%s' "$t"
}
tricklers=()
apache_port=${APACHE_URL##*:}
for i in $(seq $((WH_WORKERS + 1))); do
	trickle "$apache_port" /worksome
	tricklers+=($!)
done
sleep 3
t=$(probe_ms "$APACHE_URL")
code=${t%% *}
secs=${t#* }
is "$code" 200 "apache: a probe while $((WH_WORKERS + 1)) clients trickle bodies (more than the pool's workers) -> 200"
awk -v s="$secs" 'BEGIN { exit !(s < 3) }'
_t_check $? "apache: clients trickling bodies hold no worker: the probe is not delayed (took ${secs}s, under 3 s)"
for p in "${tricklers[@]}"; do kill "$p" 2>/dev/null; done
wait "${tricklers[@]}" 2>/dev/null

for via in apache "apache CGI"; do
	[ "$via" = apache ] && { p=$slow_fcgi; f=$_t_tmp/slow.fcgi; } || { p=$slow_cgi; f=$_t_tmp/slow.cgi; }
	wait "$p" 2>/dev/null
	like "$(head -n 1 "$f" | tr -d '\r')" '^HTTP/1\.1 408' "$via: a client trickling a body is cut off with 408 (mod_reqtimeout)" ||
		diag "$(head -c 600 "$f")"
	grep -qi '^Content-Type: application/json' "$f"
	_t_check $? "$via: that 408 is application/json"
done
is "$(awk -v t=$((SECONDS - slow_t0)) 'BEGIN { print (t <= 35) }')" 1 "the slow clients were cut off within 35 s ($((SECONDS - slow_t0)) s)"

# ---------------------------------------------------------------- timeouts

# The web servers must wait longer than a worker may spend on the database
# (statement_timeout, default 10 s): else they answer 504/503 while the
# worker may still commit, and the vendor's retry counts twice.
read_timeout=$(sed -n 's/^fastcgi_read_timeout \([0-9]*\)s;/\1/p' "$WH_ROOT/nginx/workhooks-fastcgi.conf")
proxy_timeout=$(sed -n 's/^ProxyTimeout \([0-9]*\)$/\1/p' "$WH_ROOT/apache/workhooks.conf")
[ "${read_timeout:-0}" -ge 30 ]
_t_check $? "nginx: fastcgi_read_timeout (${read_timeout:-none}s) stays at 30 s or more, above statement_timeout"
[ "${proxy_timeout:-0}" -ge 30 ]
_t_check $? "apache: ProxyTimeout (${proxy_timeout:-none}s) stays at 30 s or more, above statement_timeout"

done_testing
