#!/usr/bin/env bash
# The Prometheus files we ship: promtool accepts the scrape configuration
# and the alert rules, and the rules' unit tests (prometheus-alerts.test.yml)
# show each scaling alert firing at the threshold intentionalctl doctor
# uses.  CI installs promtool (Debian package prometheus); elsewhere its
# absence skips the test.
set -euo pipefail

src=${TOP_SRCDIR:-.}
command -v promtool >/dev/null || {
	if [[ -n ${CI:-} ]]; then
		echo "FAIL: promtool is missing (spawn/debian-packages: prometheus)" >&2
		exit 1
	fi
	echo "SKIP: promtool not installed (apt-get install prometheus)"
	exit 77
}

promtool check config "$src/prometheus/prometheus.yml"
promtool check rules "$src/prometheus/intentional-alerts.yml"
# The test file names the rules relative to itself.
(cd "$src/tests" && promtool test rules prometheus-alerts.test.yml)
echo "1 passed, 0 failed"
