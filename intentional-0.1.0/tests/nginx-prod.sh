#!/usr/bin/env bash
# The production nginx configuration (intentionalctl nginx) in front of the
# development stack's responders, on loopback ports with a self-signed
# certificate: nginx -t accepts it, then HTTP/2 over TLS, the security
# headers, gzip, CORS pre-flights answered at the edge, 429 from the auth
# rate limits, body limits, the HTTPS redirect and the loopback metrics
# ports behave as README "nginx and TLS" says.
set -euo pipefail

# shellcheck source=tests/stack-test.sh
. "${TOP_SRCDIR:-.}/tests/stack-test.sh"
test_dir nginx-prod
ngx=$data/prod
nginx=$(command -v nginx || echo /usr/sbin/nginx)
start_stack "$data"
stop_nginx() {
	[[ ! -f $ngx/nginx.pid ]] || kill "$(cat "$ngx/nginx.pid")"
}
at_exit stop_nginx

failures=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what" >&2
		failures=$((failures + 1))
	fi
}

# Whether stdin has no line matching the extended regex $1.
lacks() {
	! grep -qiE "$1"
}

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Four free consecutive ports from $1 on: http, https, metrics (main, mod).
pick_ports() {
	local p
	for ((p = 20000 + RANDOM % 20000; ; p += 4)); do
		if port_free "$p" && port_free $((p + 1)) && port_free $((p + 2)) &&
			port_free $((p + 3)); then
			echo "$p"
			return
		fi
	done
}

mkdir -p "$ngx/certs" "$ngx/tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=api.test -addext "subjectAltName=DNS:api.test,DNS:mod.test" \
	-keyout "$ngx/certs/privkey.pem" -out "$ngx/certs/fullchain.pem" 2>/dev/null

base=$(pick_ports)
http=$base https=$((base + 1)) metrics=$((base + 2))
"$build/spawn/intentionalctl" --env-file "$data/intentional.env" nginx \
	--server-name api.test --moderation-server-name mod.test \
	--cert-dir "$ngx/certs" --moderation-cert-dir "$ngx/certs" \
	--upstream "unix:$data/run/main.sock" \
	--moderation-upstream "unix:$data/run/mod.sock" \
	--metrics-allow 10.1.2.0/24 --metrics-port "$metrics" \
	--listen 127.0.0.1 --http-port "$http" --https-port "$https" \
	--acme-root "$ngx" --template "$src/nginx/intentional.conf.in" \
	--snippets "$(cd "$src/nginx" && pwd)" --out "$ngx/intentional.conf" \
	2>"$ngx/render.log"
grep -q "can never match" "$ngx/render.log" ||
	check "the default CORS list's entry with a slash is reported" false

# The http{} around it, as /etc/nginx/nginx.conf gives it in production.
# As root, workers would be nobody, who cannot reach the private data dir.
{
	((EUID != 0)) || echo "user root;"
	cat <<NGX
daemon on;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $ngx/tmp/body;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    proxy_temp_path $ngx/tmp/proxy;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    default_type application/octet-stream;
    include $ngx/intentional.conf;
}
NGX
} >"$ngx/nginx.conf"

if ! "$nginx" -t -q -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log"; then
	echo "FAIL: nginx -t rejects the rendered configuration" >&2
	cat "$ngx/error.log" >&2
	exit 1
fi
echo "ok: nginx -t accepts the rendered configuration"
"$nginx" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log"

# curl through the TLS servers, by name, on loopback.
req() {
	local host=$1
	shift
	curl -sS -k --max-time 10 --resolve "$host:$https:127.0.0.1" "$@"
}
headers() {
	req "$@" -o /dev/null -D - | tr -d '\r'
}

check "HTTP/2 over TLS answers /health" \
	test "$(req api.test "https://api.test:$https/health" -o /dev/null \
		-w '%{http_version} %{http_code}')" = "2 200"
h=$(headers api.test "https://api.test:$https/health")
check "security headers and HSTS" grep -q "^strict-transport-security: max-age=31536000; includeSubDomains" <<<"$h"
check "X-Frame-Options DENY" grep -qi "^x-frame-options: DENY" <<<"$h"
check "the moderation service on its own name" \
	grep -q '"service":"observability-backend"' \
	<(req mod.test "https://mod.test:$https/health")

h=$(headers api.test "https://api.test:$https/metrics" -H 'Accept-Encoding: gzip')
check "gzip for text over 1 KiB, with Vary" \
	grep -q "^content-encoding: gzip" <<<"$h"
check "gzip_vary" grep -qi "^vary: Accept-Encoding" <<<"$h"
h=$(headers api.test "https://api.test:$https/health" -H 'Accept-Encoding: gzip')
check "no gzip under 1 KiB" lacks "^content-encoding" <<<"$h"

preflight() {
	headers api.test "https://api.test:$https/auth/me/bio" -X OPTIONS \
		-H "Origin: $1" -H 'Access-Control-Request-Method: PUT' \
		-H 'Access-Control-Request-Headers: authorization,content-type'
}
h=$(preflight http://localhost:5173)
check "pre-flight from an allowed origin: 200" grep -q "^HTTP/2 200" <<<"$h"
check "pre-flight echoes the origin" \
	grep -q "^access-control-allow-origin: http://localhost:5173" <<<"$h"
check "pre-flight echoes the headers" \
	grep -q "^access-control-allow-headers: authorization,content-type" <<<"$h"
h=$(preflight https://evil.example)
check "pre-flight from another origin: 400" grep -q "^HTTP/2 400" <<<"$h"
check "no CORS headers for another origin" \
	lacks "^access-control-allow-origin" <<<"$h"

codes=$(for _ in 1 2 3 4 5 6 7; do
	req api.test "https://api.test:$https/auth/username/select" -X POST \
		-H 'Content-Type: application/json' -d '{}' -o /dev/null -w '%{http_code} '
done)
check "username/select: 5 per minute, then 429 ($codes)" \
	test "${codes##* 429 }" != "$codes"
body=$(req api.test "https://api.test:$https/auth/username/select" -X POST -d '{}')
check "429 in the JSON envelope" grep -q '"detail":"rate limit exceeded' <<<"$body"

head -c 2000000 /dev/zero | tr '\0' x >"$ngx/big"
code=$(req api.test "https://api.test:$https/feed" -X POST --data-binary "@$ngx/big" \
	-o "$ngx/413.json" -w '%{http_code}')
check "JSON routes: bodies over 1 MiB get 413 from nginx" test "$code" = 413
check "413 in the JSON envelope" grep -q '"detail"' "$ngx/413.json"
code=$(req api.test "https://api.test:$https/posts/" -X POST --data-binary "@$ngx/big" \
	-o /dev/null -w '%{http_code}')
check "POST /posts/ takes 2 MB past nginx ($code from the responder)" \
	test "$code" != 413 -a "$code" != 000

mkdir -p "$(sed -n 's/^MEDIA_DIR=//p' "$data/intentional.env" | tail -n 1)/users"
check "the media location is internal" \
	test "$(req api.test "https://api.test:$https/_media/users/" -o /dev/null \
		-w '%{http_code}')" = 404

check "plain HTTP redirects to HTTPS" \
	grep -q "^Location: https://api.test" \
	<(curl -sS -D - -o /dev/null -H 'Host: api.test' "http://127.0.0.1:$http/feed" | tr -d '\r')
check "metrics port of the main service" \
	grep -q "^# TYPE http_requests_total counter" \
	<(curl -sS "http://127.0.0.1:$metrics/metrics")
check "metrics port of the moderation service" \
	grep -q 'handler="/health"' \
	<(curl -sS "http://127.0.0.1:$((metrics + 1))/metrics")
check "only /metrics on the metrics ports" \
	test "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics/health")" = 404

if ((failures > 0)); then
	echo "$failures checks failed; nginx error log:" >&2
	tail -n 20 "$ngx/error.log" >&2
	exit 1
fi
echo "1 passed, 0 failed"
