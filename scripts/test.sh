#!/bin/bash
# test.sh: guard's whole test suite, as README.md gives it and .ci/run runs it.
# Installs what is missing, builds, runs the Check unit tests and the end-to-end
# tests against a real guardd, then the same suite under AddressSanitizer with
# UndefinedBehaviorSanitizer, and under valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
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
GUARD_TEST_WRAP="$VG" mtest -C build --suite e2e

step "all tests passed in $(($(date +%s) - start))s"
