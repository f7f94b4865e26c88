#!/usr/bin/env bash
# intentionalctl doctor on the development stack under load (wrk on
# GET /health/db): it prints the header and one row per scaling trigger,
# each with a value and a state of ok, warn or critical (none unknown: it
# read the metrics, /proc and PostgreSQL), and the slowest statements.
set -euo pipefail

# shellcheck source=tests/stack-test.sh
. "${TOP_SRCDIR:-.}/tests/stack-test.sh"
need_wrk
test_dir doctor
start_stack "$data"
wrk_pid=
stop_wrk() {
	[[ -z $wrk_pid ]] || kill "$wrk_pid"
}
at_exit stop_wrk

wrk -t2 -c8 -d6s "$URL/health/db" >/dev/null 2>&1 &
wrk_pid=$!
sleep 1
status=0
"$build/spawn/intentionalctl" --env-file "$data/intentional.env" doctor \
	--metrics-url "$URL/metrics" --interval 3 >"$data/doctor.txt" 2>&1 ||
	status=$?
wait "$wrk_pid" || true
wrk_pid=
cat "$data/doctor.txt"
((status <= 1)) || fail "doctor exited with $status"

grep -qE '^TRIGGER +VALUE +WARN/CRIT +STATE +ACTION$' "$data/doctor.txt" ||
	fail "no table header"
for trigger in "cpu busy" "memory used" "p95 latency" "db connections" \
	"error rate \(5xx\)" "db cache hit ratio"; do
	grep -qE "^$trigger +[0-9.]+ (%|ms) +[<>][0-9.]+/[0-9.]+ +(ok|warn|critical) +[a-z]" \
		"$data/doctor.txt" || fail "no judged row for $trigger"
done
grep -q '^slowest statements (pg_stat_statements' "$data/doctor.txt" ||
	fail "no slowest statements"
# With a critical trigger the exit status says so, and only then.
if grep -qE ' critical ' "$data/doctor.txt"; then
	((status == 1)) || fail "a critical trigger, but exit status $status"
else
	((status == 0)) || fail "no critical trigger, but exit status $status"
fi
echo "1 passed, 0 failed"
