# Sourced by the shell tests that run the development stack
# (spawn/intentional-stack): paths, a private temporary directory, a stack
# in it, wrk, and clean-up at exit whatever way the test ends.
#
#   . "${TOP_SRCDIR:-.}/tests/stack-test.sh"
#   test_dir reload          # $data: a fresh directory, removed at exit
#   start_stack "$data"      # URL, MOD_URL ... of DATA/stack.env; stopped at exit
#   at_exit stop_wrk         # a command (a function of the test) to run at
#                            # exit, before those registered earlier
#   fail "why"               # exit 1 with the reason
# shellcheck shell=bash

src=${TOP_SRCDIR:-.}
build=${TOP_BUILDDIR:-.}
stack=$src/spawn/intentional-stack
data=
cleanups=()

at_exit() {
	cleanups+=("$1")
}

run_cleanups() {
	local i
	for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do
		eval "${cleanups[i]}" >/dev/null 2>&1 || true
	done
}
trap run_cleanups EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Sets data to a new directory under $TMPDIR; KEEP=1 keeps it to look at.
test_dir() {
	data=$(mktemp -d "${TMPDIR:-/tmp}/$1-test.XXXXXX")
	[[ -n ${KEEP:-} ]] || at_exit "rm -rf $(printf %q "$data")"
}

# Starts the stack in $1 on free ports with 2 responders per service and
# the PostgreSQL cluster cache the C tests share (more intentional-stack
# options may follow), and reads its stack.env.
start_stack() {
	local dir=$1
	shift
	at_exit "$(printf %q "$stack") stop --data-dir $(printf %q "$dir")"
	"$stack" start --data-dir "$dir" --port 0 --mod-port 0 --responders 2 \
		--build-dir "$build" --pg-template "$build/tests/tmp" "$@" >/dev/null
	# shellcheck source=/dev/null
	. "$dir/stack.env"
}

# wrk is in spawn/debian-packages, so CI has it; elsewhere skip (77).
need_wrk() {
	command -v wrk >/dev/null && return 0
	[[ -z ${CI:-} ]] || fail "wrk is missing (spawn/debian-packages)"
	echo "SKIP: wrk not installed"
	exit 77
}
