#!/usr/bin/env bash
# make install DESTDIR=... installs exactly the files of tests/installed-files
# (paths written with the configured directories as ${bindir} etc., so the
# list holds for any --prefix, as under make distcheck; the migrations as
# one line, as each new one would otherwise touch the list); every
# installed command and intentionalctl subcommand answers --help;
# systemd-analyze finds nothing to say about the units; and make
# uninstall removes every one of them.
set -euo pipefail

src=${TOP_SRCDIR:-.}
build=${TOP_BUILDDIR:-.}
expected=$src/tests/installed-files
work=$(mktemp -d "${TMPDIR:-/tmp}/install-test.XXXXXX")
dest=$work/root
trap 'rm -rf "$work"' EXIT

# The parent make's jobserver is not ours to use.
sub_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$build" "$@"
}

run_make() {
	sub_make "$@" DESTDIR="$dest" >"$work/log" 2>&1 || {
		cat "$work/log" >&2
		echo "FAIL: make $*" >&2
		exit 1
	}
}

# "name=value" lines of the directories, longest value first, so that
# ${pkgdatadir} wins over a shorter directory it lies in.
dirs() {
	sub_make print-install-dirs | awk -F= '{ print length($2) "\t" $0 }' |
		sort -rn | cut -f2-
}

installed() {
	local line name value pair subst
	mapfile -t subst < <(dirs)
	(cd "$dest" && find . -type f -o -type l) | sed 's|^\.||' | sort |
		while read -r line; do
			for pair in "${subst[@]}"; do
				name=${pair%%=*}
				value=${pair#*=}
				if [[ $line == "$value"/* ]]; then
					line="\${$name}${line#"$value"}"
					break
				fi
			done
			echo "$line"
		done | sed "s|^\\\${pkgdatadir}/schema/[0-9]*_.*\\.sql\$|\\\${pkgdatadir}/schema/*.sql|" |
		sort -u
}

run_make install
# After adding an installed file: UPDATE=1 tests/install.sh rewrites the list.
[[ -z ${UPDATE:-} ]] || installed >"$expected"
if ! diff -u "$expected" <(installed) >"$work/diff"; then
	echo "FAIL: installed files differ from tests/installed-files:" >&2
	cat "$work/diff" >&2
	exit 1
fi
# ---- --help of every command ----
dir_of() {
	sub_make print-install-dirs | sed -n "s/^$1=//p"
}
sbin=$dest$(dir_of sbindir)
bin=$dest$(dir_of bindir)
libexec=$dest$(dir_of libexecdir)
helps=("$sbin/intentional-fcgi" "$sbin/intentional-supervise"
	"$libexec/intentional-image" "$bin/intentionalctl")
for cmd in $("$bin/intentionalctl" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'); do
	helps+=("$bin/intentionalctl $cmd")
done
for cmd in "${helps[@]}"; do
	# shellcheck disable=SC2086 # "intentionalctl CMD" is two words
	out=$($cmd --help) || {
		echo "FAIL: $cmd --help exits with $?" >&2
		exit 1
	}
	[[ $out == usage:* ]] || {
		echo "FAIL: $cmd --help prints no usage" >&2
		exit 1
	}
done
echo "ok: --help of ${#helps[@]} commands"

# ---- the units, with their paths moved under DESTDIR ----
if command -v systemd-analyze >/dev/null; then
	units=$work/units
	mkdir -p "$units"
	moves=()
	for d in sbindir bindir sysconfdir; do
		moves+=(-e "s|$(dir_of "$d")/|$dest$(dir_of "$d")/|g")
	done
	for unit in "$dest$(dir_of systemdunitdir)"/*; do
		sed "${moves[@]}" "$unit" >"$units/${unit##*/}"
	done
	said=$(systemd-analyze verify "$units/intentional@main.service" \
		"$units/intentional-backup.service" "$units/intentional-backup.timer" 2>&1) || true
	[[ -z $said ]] || {
		echo "FAIL: systemd-analyze verify: $said" >&2
		exit 1
	}
	echo "ok: systemd-analyze verify accepts the units"
fi

migrations=$(find "$src/schema" -name '[0-9]*_*.sql' | wc -l)
[[ $(find "$dest" -path '*/schema/*.sql' | wc -l) -eq $migrations ]] ||
	{
		echo "FAIL: not all $migrations migrations are installed" >&2
		exit 1
	}
echo "ok: make install: the files as listed, with $migrations migrations"
(cd "$dest" && find . -type f -o -type l) | sed 's|^\.|  |' | sort

run_make uninstall
left=$(cd "$dest" && find . -type f -o -type l)
[[ -z $left ]] || {
	echo "FAIL: make uninstall left: $left" >&2
	exit 1
}
echo "ok: make uninstall removes them all"
echo "2 passed, 0 failed"
