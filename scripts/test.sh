#!/bin/bash
# test.sh: guard's whole test suite, as README.md gives it and .ci/run runs it.
# Installs what is missing, builds, runs the Check unit tests and the end-to-end
# tests against a real guardd, then the same suite under AddressSanitizer with
# UndefinedBehaviorSanitizer, and under valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it starts, in seconds since the start: the time of each part.
step() { printf '\n== [%ss] %s\n' "$(($(date +%s) - start))" "$*"; }
# meson test prints one line per test and, on failure, the test's log.
mtest() { meson test --print-errorlogs "$@"; }

start=$(date +%s)
scripts/setup.sh

step "build"
scripts/build.sh build
step "unit and end-to-end tests"
mtest -C build

step "build with AddressSanitizer and UndefinedBehaviorSanitizer"
scripts/build.sh build-sanitize -Db_sanitize=address,undefined -Db_lundef=false
step "unit and end-to-end tests under the sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	mtest -C build-sanitize

VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
step "unit tests under valgrind"
CK_FORK=no mtest -C build --suite unit --wrap="$VG"
step "end-to-end tests with guardd, guard and guardctl under valgrind"
# Known flake (see the issues' notes): test-approval failed once in five clean runs under
# valgrind, never otherwise. Until it is found, a failing run is repeated once, loudly.
if ! GUARD_TEST_WRAP="$VG" mtest -C build --suite e2e; then
	echo "== RETRY: an end-to-end test failed under valgrind; running them once more" >&2
	grep -h "^not ok\|^# " build/meson-logs/testlog.txt 2>/dev/null | head -n 40 >&2 || true
	GUARD_TEST_WRAP="$VG" mtest -C build --suite e2e
fi

# --- Fuzzing and static analysis ---------------------------------------------------
# The fuzz harnesses' seeds and the crash inputs found so far (tests/fuzz/*-seeds) were
# replayed above by gcc and under the sanitizers (suite fuzz-replay); here under
# valgrind too. Then each libFuzzer harness runs for a few seconds from a clang build
# (build-fuzz; its corpus-NAME directories keep what earlier runs found), and cppcheck
# goes over the tree.
step "fuzz seeds replayed under valgrind"
CK_FORK=no mtest -C build --suite fuzz-replay --wrap="$VG"

FUZZERS=(shell wire policy request)
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
# One harness: a line of figures, or the end of its log and where the input is.
fuzz_one() {
	local h=$1 log=build-fuzz/fuzz-$1.log opts=()
	[ -f "tests/fuzz/$h.dict" ] && opts+=("-dict=tests/fuzz/$h.dict")
	mkdir -p "build-fuzz/corpus-$h" build-fuzz/artifacts
	if ! "build-fuzz/tests/fuzz/fuzz-$h" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix=build-fuzz/artifacts/ "${opts[@]}" \
		"build-fuzz/corpus-$h" "tests/fuzz/$h-seeds" >"$log" 2>&1; then
		tail -n 40 "$log"
		echo "fuzz-$h found a failure: its input is in build-fuzz/artifacts/; once fixed, add it to tests/fuzz/$h-seeds" >&2
		return 1
	fi
	printf 'fuzz-%s: %s runs, %s a second\n' "$h" \
		"$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
		"$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
}
if command -v clang >/dev/null 2>&1; then
	step "libFuzzer harnesses, ${FUZZ_SECONDS}s each"
	if [ ! -f build-fuzz/build.ninja ]; then
		CC=clang meson setup build-fuzz -Dfuzz=true >/dev/null
	fi
	# Only the harnesses: the rest of the tree was built and tested above.
	targets=("${FUZZERS[@]/#/tests/fuzz/fuzz-}")
	ninja -C build-fuzz "${targets[@]}" >/dev/null || ninja -C build-fuzz "${targets[@]}"
	for h in "${FUZZERS[@]}"; do
		fuzz_one "$h"
	done
else
	step "no clang: the libFuzzer harnesses are not run (scripts/setup.sh installs it)"
fi

step "static analysis (cppcheck)"
# warning, portability and performance: what is worth an edit; style is clang-format's.
# scripts/cppcheck/guard.cfg teaches it jansson's iteration macros. False positives are
# suppressed inline ("cppcheck-suppress"), each with its reason beside it.
cppcheck --enable=warning,portability,performance --error-exitcode=1 --inline-suppr -q -j2 \
	--library=gnu --library=openssl --library=scripts/cppcheck/guard.cfg -D_GNU_SOURCE \
	-I include -I common -I . -I daemon -I policy -I client \
	common policy daemon client bench tests

step "all tests passed in $(($(date +%s) - start))s"
