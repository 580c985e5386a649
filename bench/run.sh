#!/bin/sh
# run.sh: guard-bench's standard comparison. Starts a private guardd from the
# build directory with the shipped policy, then prints the echo floor and
# guardd's figures side by side. Prints numbers; never passes or fails on them.
#
#   BUILD=build bench/run.sh            # from the source tree
#   CALLS1=5000 CALLS16=2000 bench/run.sh
#   SECCOMP=off SYNC=none bench/run.sh  # the filter's cost, without the disk
#
# Any further arguments are passed to every guard-bench run (e.g. --json or
# --argv 'git push --force').
set -eu

BUILD=${BUILD:-build}
SYNC=${SYNC:-always}      # guardd --sync: always (fdatasync per batch) or none
SECCOMP=${SECCOMP:-deny}  # guardd --seccomp: deny (its default), kill or off
CALLS1=${CALLS1:-5000}    # calls for the single client
CALLS16=${CALLS16:-2000}  # calls per client with 16 clients
WARMUP=${WARMUP:-100}

src=$(cd "$(dirname "$0")/.." && pwd)
bench=$BUILD/bench/guard-bench
guardd=$BUILD/daemon/guardd
for f in "$bench" "$guardd"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f not found; build first (meson setup $BUILD && ninja -C $BUILD)" >&2
		exit 1
	fi
done

# With --json, stdout is one JSON object a line for the machine; the notes
# around the figures then go to stderr.
note() { echo "$@"; }
for a in "$@"; do
	case $a in -j | --json) note() { echo "$@" >&2; } ;; esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guard-bench-run.XXXXXX")
pid=
bpid=
status=
stop() {
	if [ -n "$1" ]; then
		kill -TERM "$1" 2>/dev/null || true
		status=0
		wait "$1" 2>/dev/null || status=$?
	fi
}
cleanup() {
	stop "$bpid"
	stop "$pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# guardd refuses policy files that others could write, as doas does: give it
# a private copy with the modes it expects.
mkdir -m 0755 "$tmp/rules.d"
for f in "$src"/policy/rules.d/*.json; do
	[ -e "$f" ] || continue
	install -m 0644 "$f" "$tmp/rules.d/"
done

"$guardd" --socket "$tmp/guard.sock" --policy "$tmp/rules.d" --sync "$SYNC" \
	--seccomp "$SECCOMP" --audit-log "$tmp/decisions.jsonl" 2>"$tmp/guardd.log" &
pid=$!

# Up to 5 s for the socket; give up early if guardd died (bad policy...).
i=0
while [ ! -S "$tmp/guard.sock" ]; do
	if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 50 ]; then
		echo "run.sh: guardd did not start; its log:" >&2
		cat "$tmp/guardd.log" >&2
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done

packs=$(cd "$tmp/rules.d" && echo *.json)
note "# $(uname -sr), $(nproc) CPUs, policy: $packs, log sync: $SYNC, seccomp: $SECCOMP"
# In the background and waited for, so that a signal to this script is acted
# on at once rather than after the run in progress.
run() {
	"$bench" -w "$WARMUP" "$@" &
	bpid=$!
	wait "$bpid"
	bpid=
}
run --echo -c 1 -n "$CALLS1" "$@"
run --echo -c 16 -n "$CALLS16" "$@"
run --socket "$tmp/guard.sock" -c 1 -n "$CALLS1" "$@"
run --socket "$tmp/guard.sock" -c 16 -n "$CALLS16" "$@"
run --socket "$tmp/guard.sock" -c 16 -n "$CALLS16" --keep-alive "$@"

# The decision log grows by one record a call: say how much, since that is
# part of what each decision costs.
note "# decision log: $(wc -l <"$tmp/decisions.jsonl") records, $(wc -c <"$tmp/decisions.jsonl") bytes"
# Stopped before its log is shown, so that what it says on the way out (and
# a sanitizer's report, in such a build) is part of it.
stop "$pid"
pid=
note "# guardd exited with status $status after SIGTERM"
if [ -s "$tmp/guardd.log" ]; then
	note "# guardd said:"
	note "$(sed 's/^/#   /' "$tmp/guardd.log" | tail -n 40)"
fi
