#!/bin/sh
# rules.sh: how the size of the policy affects a decision. For 10, 1,000 and
# 10,000 rules spread over 500 programs, starts a private guardd, measures
# Check with guard-bench (1 client and 16) and reads guardd's resident memory.
# Prints numbers; never passes or fails on them.
#
#   BUILD=build bench/rules.sh
set -eu

BUILD=${BUILD:-build}
CALLS=${CALLS:-5000}
guardd=$BUILD/daemon/guardd
bench=$BUILD/bench/guard-bench
for f in "$guardd" "$bench"; do
	[ -x "$f" ] || { echo "rules.sh: $f not found; build first" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/guard-rules.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# gen N: a policy of N rules over 500 programs (prog0..prog499), each rule with
# the flags, paths and args conditions of a realistic pack, plus the shipped
# packs. The requests meet all of prog7's rules and match none of them (the
# args condition fails last), so every candidate rule is evaluated.
gen() {
	dir=$tmp/rules-$1
	mkdir -p "$dir"
	# 1,000 rules a file: a policy file may not exceed 1 MiB.
	awk -v n="$1" -v dir="$dir" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = sprintf("%s/40-generated-%03d.json", dir, int(i / 1000))
			last = (i == n - 1 || i % 1000 == 999)
			if (i % 1000 == 0)
				printf "{ \"rules\": [\n" > f
			printf "  { \"id\": \"r%d\", \"match\": { \"program\": \"prog%d\", ", i, i % 500 > f
			printf "\"flags\": [[\"-r\", \"--recursive\"]], \"paths\": [\"/srv/data%d/**\"], ", i > f
			printf "\"args\": [\"*x%d*\"] }, \"decision\": \"deny\", \"message\": \"rule %d\" }%s\n", i, i, last ? "" : "," > f
			if (last) {
				printf "] }\n" > f
				close(f)
			}
		}
	}'
	cp policy/rules.d/*.json "$dir/"
	chmod 0755 "$dir"
	chmod 0644 "$dir"/*.json
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "# $(uname -sr), $(nproc) CPUs; each request meets prog7, which has N/500 rules of its own"
for n in 10 1000 10000; do
	gen "$n"
	sock=$tmp/guard-$n.sock
	"$guardd" --socket "$sock" --policy "$tmp/rules-$n" --audit-log "$tmp/log-$n" 2>"$tmp/guardd-$n.err" &
	pid=$!
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$sock" ] || { cat "$tmp/guardd-$n.err" >&2; exit 1; }
	rss0=$(rss_kib "$pid")
	echo "rules=$n  guardd RSS after load: $((rss0 / 1024)).$(((rss0 % 1024) * 10 / 1024)) MiB"
	"$bench" --socket "$sock" -c 1 -n "$CALLS" --argv 'prog7 -rf /srv/data7/x' | sed "s/^/rules=$n  /"
	"$bench" --socket "$sock" -c 16 -n $((CALLS / 4)) --argv 'prog7 -rf /srv/data7/x' | sed "s/^/rules=$n  /"
	rss1=$(rss_kib "$pid")
	echo "rules=$n  guardd RSS after the runs: $((rss1 / 1024)).$(((rss1 % 1024) * 10 / 1024)) MiB"
	kill "$pid"
	wait "$pid" || true
	pid=
done
