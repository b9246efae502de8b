#!/usr/bin/env bash
# make test: build plain + ASan/UBSan, run every suite, print one closing line
# "N passed, N failed". Suites: Check unit tests (tests/**/test_*.c), the same under
# ASan+UBSan, Node integration/peer tests (tests/**/*.test.mjs) against the real binary
# and a throwaway PostgreSQL cluster.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export RADSCHED_ROOT=$root
jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0
failures=()

log() { printf '== %s\n' "$*"; }

mkdir -p build && make -j"$jobs" build test-bins >build/build.log 2>&1 || { cat build/build.log; echo "0 passed, 1 failed"; exit 1; }
if [ "${RADSCHED_SKIP_ASAN:-0}" != 1 ]; then
	mkdir -p build-asan && make -j"$jobs" BUILD=build-asan SAN=1 CFLAGS="-O1 -g" build test-bins >build-asan/build.log 2>&1 || { cat build-asan/build.log; echo "0 passed, 1 failed"; exit 1; }
fi

# throwaway PostgreSQL for every suite that needs one
# under /tmp: the postgres user must reach it even when the checkout is in a private home
pgdir=$(mktemp -d /tmp/radsched-test.XXXXXX)
scripts/pgtest.sh start "$pgdir" || { echo "0 passed, 1 failed"; exit 1; }
export RADSCHED_TEST_PG="host=$pgdir/sock dbname=postgres user=postgres"
trap 'scripts/pgtest.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT

run_check() { # dir of binaries, label
	local bdir=$1 label=$2 out
	for t in $(find "$bdir/tests" -type f -name 'test_*' ! -name '*.[od]' | sort); do
		out=$("$t" 2>&1); rc=$?
		line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -1)
		if [ -n "$line" ]; then
			n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
			f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
			e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
			passed=$((passed + n - f - e)); failed=$((failed + f + e))
		else
			failed=$((failed + 1))
		fi
		if [ $rc -ne 0 ]; then
			failures+=("$label ${t#$bdir/}")
			printf '%s\n' "$out" | grep -vE '^(Running suite|[0-9]+%: Checks)' | tail -40
		fi
		printf '%-8s %-50s %s\n' "$label" "${t#$bdir/tests/}" "${line:-no result (exit $rc)}"
	done
}

log "unit tests (Check)"
run_check build unit
if [ "${RADSCHED_SKIP_ASAN:-0}" != 1 ]; then
	log "unit tests under ASan+UBSan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_check build-asan asan
fi

mapfile -t node_tests < <(find tests -name '*.test.mjs' | sort)
if [ ${#node_tests[@]} -gt 0 ]; then
	log "integration and peer tests (node --test)"
	# every test is bounded (--test-timeout), and so is the whole run (timeout): CI never hangs
	out=$(timeout -k 10 1500 node --test --test-reporter=tap --test-concurrency=2 --test-timeout=300000 "${node_tests[@]}" 2>&1); rc=$?
	[ $rc -eq 124 ] && echo "node tests: stopped after 25 minutes" 
	p=$(grep -E '^# pass [0-9]+' <<<"$out" | awk '{print $3}' | tail -1)
	f=$(grep -E '^# fail [0-9]+' <<<"$out" | awk '{print $3}' | tail -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		[ "${f:-0}" = 0 ] && failed=$((failed + 1))
		failures+=("node tests")
		grep -E '^(not ok|# Subtest)|error|Error|expected|actual' <<<"$out" | grep -B1 -A12 'not ok' | head -150
	fi
	printf 'node     %d passed, %d failed\n' "${p:-0}" "${f:-0}"
fi

if [ ${#failures[@]} -gt 0 ]; then
	log "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
