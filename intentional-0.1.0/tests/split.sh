#!/usr/bin/env bash
# The split layout of README "Split host" on loopback: PostgreSQL in its
# own cluster on its own TCP port, tuned by `intentionalctl tune --split`,
# and the stack's responders reaching it over TCP (intentional-stack
# --database-url) with no database of their own.  The API works through
# nginx under wrk without a failed request, the responders' sessions come
# over TCP, and stopping the app side leaves the database running.
set -euo pipefail

# shellcheck source=tests/stack-test.sh
. "${TOP_SRCDIR:-.}/tests/stack-test.sh"
pg=$src/spawn/pg-cluster
test_dir split
app=$data/app
db=$data/db
stop_db() {
	"$pg" "$db" stop
}
at_exit stop_db

# ---- the database host ----
"$pg" "$db" init >/dev/null
"$build/spawn/intentionalctl" tune --users 1500 --ram 2G --cpus 2 --split \
	--write "$data/tune" >/dev/null
install -m 0644 "$data/tune/postgresql/intentional.conf" "$db/data/tune.conf"
echo "include = 'tune.conf'" >>"$db/data/postgresql.conf"
"$pg" "$db" start >/dev/null
port=$(cat "$db/port")
url="postgresql://intentional@127.0.0.1:$port/intentional"
psql() {
	command psql -X -q -tA -d "$url" -c "$1"
}
[[ $(psql 'SHOW shared_buffers') == 512MB ]] ||
	fail "the tune drop-in is not in effect: $(psql 'SHOW shared_buffers')"
want=$(sed -n 's/^max_connections = //p' "$data/tune/postgresql/intentional.conf")
[[ $(psql 'SHOW max_connections') == "$want" ]] || fail "max_connections is not $want"
echo "ok: database cluster on 127.0.0.1:$port with the tune --split drop-in"

# ---- the app host ----
mkdir -p "$app"
start_stack "$app" --database-url "$url"
[[ ! -e $app/pg ]] || fail "the app side made a cluster of its own"
status=$("$stack" status --data-dir "$app") || fail "status: $status"
grep -q '^postgresql: external' <<<"$status" ||
	fail "status does not report the external database: $status"
echo "ok: stack started against DATABASE_URL=$url"

if command -v wrk >/dev/null; then
	wrk -t2 -c4 -d2s "$URL/health/db" >"$data/wrk.txt" 2>&1
	! grep -qE 'Non-2xx|Socket errors' "$data/wrk.txt" ||
		fail "requests failed: $(cat "$data/wrk.txt")"
	echo "ok: $(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$data/wrk.txt") requests under wrk, none failed"
else
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/health/db") == 200 ]] ||
		fail "/health/db does not answer 200"
fi
tcp=$(psql "SELECT count(*) FROM pg_stat_activity WHERE client_addr = '127.0.0.1'
	AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
((tcp >= 2)) || fail "only $tcp sessions over TCP; the responders should hold 2"
echo "ok: $tcp responder sessions over TCP"

"$stack" stop --data-dir "$app" >/dev/null
"$pg" "$db" status >/dev/null || fail "stopping the app side stopped the database"
[[ $(psql 'SELECT count(*) FROM intentional_schema_migrations') -ge 1 ]] ||
	fail "the migrations were not applied to the database host"
echo "ok: the database host keeps running without the app side"
echo "1 passed, 0 failed"
