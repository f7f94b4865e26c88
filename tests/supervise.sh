#!/usr/bin/env bash
# intentional-supervise on its own, with stand-in responders: it keeps the
# count, replaces a killed child, changes the count on SIGHUP (replacing
# every child), rate-limits a crash loop with a logged back-off, and stops
# its children on SIGTERM.
set -euo pipefail

supervise=${TOP_BUILDDIR:-.}/spawn/intentional-supervise
tmp=$(mktemp -d "${TMPDIR:-/tmp}/supervise-test.XXXXXX")
sup=
cleanup() {
	[[ -z $sup ]] || kill -TERM "$sup" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	sed 's/^/  log: /' "$tmp/log" >&2 || true
	exit 1
}

children() {
	pgrep -P "$sup" | sort -n || true
}

# Waits up to 5 s until the supervisor has $1 children; prints them.
wait_count() {
	local i now
	for ((i = 0; i < 50; i++)); do
		now=$(children)
		if [[ $(wc -w <<<"$now") -eq $1 ]]; then
			echo "$now"
			return 0
		fi
		sleep 0.1
	done
	fail "wanted $1 children, have: $(children | tr '\n' ' ')"
}

echo RESPONDERS=3 >"$tmp/env"
"$supervise" --env-file "$tmp/env" -- /bin/sleep 1000 </dev/null 2>"$tmp/log" &
sup=$!
first=$(wait_count 3)
echo "ok: 3 children from RESPONDERS=3"

victim=$(head -n 1 <<<"$first")
kill -KILL "$victim"
for ((i = 0; i < 50; i++)); do
	now=$(children)
	[[ $(wc -w <<<"$now") -eq 3 ]] && ! grep -qx "$victim" <<<"$now" && break
	sleep 0.1
done
((i < 50)) || fail "killed child $victim was not replaced"
grep -q "responder $victim killed by signal 9" "$tmp/log" || fail "no log of the death"
echo "ok: a killed child is replaced and logged"

before=$(children)
echo RESPONDERS=5 >"$tmp/env"
kill -HUP "$sup"
for ((i = 0; i < 50; i++)); do
	now=$(children)
	[[ $(wc -w <<<"$now") -eq 5 ]] && ! grep -qxF -f <(echo "$before") <<<"$now" && break
	sleep 0.1
done
((i < 50)) || fail "SIGHUP: wanted 5 new children, have $(children | tr '\n' ' ')"
echo RESPONDERS=2 >"$tmp/env"
kill -HUP "$sup"
wait_count 2 >/dev/null
echo "ok: SIGHUP takes the count to 5 (all replaced), then 2"

kids=$(children)
kill -TERM "$sup"
wait "$sup" || fail "the supervisor exited with $?"
sup=
for pid in $kids; do
	! kill -0 "$pid" 2>/dev/null || fail "child $pid outlived the supervisor"
done
echo "ok: SIGTERM stops the children, then the supervisor"

# A responder that ignores SIGTERM would hold up a reload for ever: after
# --stop-timeout it is killed, and the replacement goes on.
echo RESPONDERS=1 >"$tmp/env"
: >"$tmp/log"
"$supervise" --env-file "$tmp/env" --stop-timeout 2 -- \
	/bin/sh -c 'trap "" TERM; exec sleep 1000' </dev/null 2>"$tmp/log" &
sup=$!
stuck=$(wait_count 1)
kill -HUP "$sup"
for ((i = 0; i < 50; i++)); do
	now=$(children)
	[[ $(wc -w <<<"$now") -eq 1 && $now != "$stuck" ]] && break
	sleep 0.1
done
((i < 50)) || fail "the stuck responder $stuck was not replaced"
grep -q "responder $stuck still running 2 s after SIGTERM; killing it" "$tmp/log" ||
	fail "no log of the kill"
last=$(children)
kill -TERM "$sup"
wait "$sup" || fail "the supervisor exited with $?"
sup=
! kill -0 "$last" 2>/dev/null || fail "the stuck responder $last outlived the stop"
echo "ok: a responder stuck after SIGTERM is killed after --stop-timeout"

# /bin/false dies at once: without a limit, thousands of starts a second.
: >"$tmp/log"
"$supervise" --responders 2 --burst 3 --window 10 -- /bin/false </dev/null 2>"$tmp/log" &
sup=$!
sleep 3.5
kill -TERM "$sup"
wait "$sup" || true
sup=
deaths=$(grep -c 'exited with status 1' "$tmp/log" || true)
trips=$(grep -c 'crash loop: 3 responders died within 10 s; next start in' "$tmp/log" || true)
((trips >= 2)) || fail "crash loop not reported ($trips times)"
grep -q 'next start in 2 s' "$tmp/log" || fail "the back-off does not grow"
((deaths <= 12)) || fail "$deaths starts in 3.5 s: the crash loop is not limited"
echo "ok: crash loop: $deaths starts in 3.5 s, back-off logged $trips times"
echo "1 passed, 0 failed"
