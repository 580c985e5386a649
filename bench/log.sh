#!/bin/sh
# log.sh: what the durable decision log costs. Prints the disk's own cost of appending
# a line (write alone, write + fdatasync) and then guardd's figures with --sync always
# (the default: fdatasync before a batch's replies leave) and --sync none (write only).
# The log lives in TMPDIR (default /tmp): point it at the file system the real log uses.
#
#   BUILD=build bench/log.sh
set -eu
BUILD=${BUILD:-build}
dir=$(dirname "$0")
echo "# the disk under ${TMPDIR:-/tmp}: appending a 420-byte line"
"$BUILD/bench/guard-fsync" "${TMPDIR:-/tmp}"
for sync in always none; do
	echo "# guardd --sync $sync"
	SYNC=$sync BUILD=$BUILD "$dir/run.sh" "$@" 2>&1 | grep -E '^(guardd|#.*log sync|# decision log)'
done
