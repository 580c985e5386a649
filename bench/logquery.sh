#!/bin/bash
# logquery.sh: how long guardctl log, log verify and report take over a decision log of
# N records (default 1,000,000) written by guard-mklog: a filter that matches few, one
# that matches many, the table and --json, then verify and report. The file is read
# once first, so the figures are for a log in the page cache; wc -l and grep over the
# same file are the floor. Each figure is the median of RUNS runs (default 3). Prints
# numbers; it neither passes nor fails.
#
#   BUILD=build N=1000000 RUNS=3 bench/logquery.sh
set -eu
BUILD=${BUILD:-build}
N=${N:-1000000}
RUNS=${RUNS:-3}
GUARDCTL=$BUILD/client/guardctl
dir=$(mktemp -d "${TMPDIR:-/tmp}/guard-logquery.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
log=$dir/decisions.jsonl
export GUARD_SOCKET=$dir/none.sock # the files are named; no daemon is asked

"$BUILD/bench/guard-mklog" -n "$N" "$log"
records=$(wc -l <"$log")
echo "# $records records, $(($(stat -c %s "$log") / 1048576)) MiB, in ${TMPDIR:-/tmp}; median of $RUNS runs"
cat "$log" >/dev/null
# An id from the middle of the log, for a query that matches one decision.
id=$(sed -n "$((records / 2))p" "$log" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')

now() { date +%s%N; }
# bench NAME CMD...: runs CMD RUNS times (output to a file), prints the median time,
# records per second and the lines it printed.
bench() {
	local name=$1 t0 t1 times= i lines
	shift
	for i in $(seq 1 "$RUNS"); do
		t0=$(now)
		"$@" >"$dir/out" 2>/dev/null || true
		t1=$(now)
		times="$times $(((t1 - t0) / 1000000))"
	done
	lines=$(wc -l <"$dir/out")
	local ms
	ms=$(printf '%s\n' $times | sort -n | sed -n "$(((RUNS + 1) / 2))p")
	printf '%-44s %7d ms %12d records/s %9d lines out\n' "$name" "$ms" \
		$((records * 1000 / (ms > 0 ? ms : 1))) "$lines"
}

bench "wc -l (the floor)" wc -l "$log"
bench "grep -c host-sysrq (the floor)" grep -c host-sysrq "$log"
bench "log --rule host-sysrq (matches few)" "$GUARDCTL" log --rule host-sysrq "$log"
bench "log --id ID (matches one)" "$GUARDCTL" log --id "$id" "$log"
bench "log --user alice --since 2026-12-01" "$GUARDCTL" log --user alice --since 2026-12-01 "$log"
bench "log --decision allow (matches many, table)" "$GUARDCTL" log --decision allow "$log"
bench "log --decision allow --json (many, JSON)" "$GUARDCTL" log --decision allow --json "$log"
bench "log (everything, table)" "$GUARDCTL" log "$log"
bench "log -n 10 --decision deny" "$GUARDCTL" log -n 10 --decision deny "$log"
bench "log verify" "$GUARDCTL" log verify "$log"
bench "report" "$GUARDCTL" report "$log"
