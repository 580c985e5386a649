#!/bin/sh
# setup.sh: install the Debian packages guard needs to build and test, when
# some are missing. As root it runs apt-get update once, then apt-get install;
# otherwise it uses sudo when that works without a password, or says what to run.
set -eu

# clang and its runtime (libFuzzer, the sanitizers) build the fuzz harnesses; cppcheck is
# the suite's static analysis.
PACKAGES="gcc pkg-config meson ninja-build libev-dev libjansson-dev libseccomp-dev
libssl-dev check jq valgrind util-linux procps clang libclang-rt-14-dev cppcheck"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root="sudo -n"
else
	echo "setup: these packages are missing and I am not root:$missing" >&2
	echo "setup: run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086 # the list is meant to split
$as_root apt-get install -y -q --no-install-recommends $missing
