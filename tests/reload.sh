#!/usr/bin/env bash
# Reload and upgrade under load, on the development stack: wrk keeps
# GET /health/db (a database round trip) busy through nginx while the
# responder count goes 2 -> 4 -> 2 (intentional-stack reload: SIGHUP to
# intentional-supervise) and then through an upgrade (migrate, then every
# responder replaced one by one).  Not one request may fail: no non-2xx
# answer, no socket error.
set -euo pipefail

# shellcheck source=tests/stack-test.sh
. "${TOP_SRCDIR:-.}/tests/stack-test.sh"
need_wrk
test_dir reload
start_stack "$data"
wrk_pid=
stop_wrk() {
	[[ -z $wrk_pid ]] || kill "$wrk_pid"
}
at_exit stop_wrk

count() {
	pgrep -P "$(cat "$data/run/main.pid")" | wc -l
}

# Sets reload_errors from wrk's report in $1; prints the totals.
check_wrk() {
	local report=$1 requests
	requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$report")
	echo "wrk: ${requests:-0} requests; $(grep -E 'Non-2xx|Socket errors' "$report" || echo 'no errors')"
	((${requests:-0} > 100)) || fail "wrk made too few requests: $(cat "$report")"
	! grep -qE 'Non-2xx|Socket errors' "$report" ||
		fail "requests failed: $(cat "$report"; grep -v ' method=' "$data/log/main.log")"
}

# ---- 2 -> 4 -> 2 responders under load ----
wrk -t2 -c8 -d6s "$URL/health/db" >"$data/wrk-reload.txt" 2>&1 &
wrk_pid=$!
sleep 1
[[ $(count) -eq 2 ]] || fail "started with $(count) responders, not 2"
"$stack" reload --data-dir "$data" --build-dir "$build" --responders 4 >/dev/null
[[ $(count) -eq 4 ]] || fail "reload to 4 left $(count) responders"
sleep 1
"$stack" reload --data-dir "$data" --build-dir "$build" --responders 2 >/dev/null
[[ $(count) -eq 2 ]] || fail "reload to 2 left $(count) responders"
wait "$wrk_pid"
wrk_pid=
check_wrk "$data/wrk-reload.txt"
echo "ok: responders 2 -> 4 -> 2 under load"

# ---- zero-downtime upgrade under load ----
before=$(pgrep -P "$(cat "$data/run/main.pid")" | sort)
wrk -t2 -c8 -d6s "$URL/health/db" >"$data/wrk-upgrade.txt" 2>&1 &
wrk_pid=$!
sleep 1
"$stack" upgrade --data-dir "$data" --build-dir "$build" >/dev/null
wait "$wrk_pid"
wrk_pid=
after=$(pgrep -P "$(cat "$data/run/main.pid")" | sort)
! grep -qxF -f <(echo "$before") <<<"$after" || fail "upgrade kept old responders"
check_wrk "$data/wrk-upgrade.txt"
echo "ok: upgrade (migrate, then responders one by one) under load"

# ---- without traffic, a reload does not wait for requests ----
# (a responder stops without a last connection to wake its accept())
SECONDS=0
"$stack" reload --data-dir "$data" --build-dir "$build" >/dev/null
((SECONDS < 10)) || fail "an idle reload took $SECONDS s"
echo "ok: an idle reload took $SECONDS s"
echo "3 passed, 0 failed"
