#!/bin/bash
# demo.sh: guard's main job, start to finish. Builds guard, starts guardd on a
# private socket with the shipped policy (policy/rules.d), runs commands through
# guard (one allowed and run, one refused, one --check, shell lines), and shows the
# log with guardctl log, log verify and report.
# Nothing outside a temporary directory is touched; the refused command is one
# that would harm nothing even if it ran.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh build
B=$PWD/build

demo=$(mktemp -d /tmp/guard-demo.XXXXXX)
chmod 0755 "$demo"
cleanup() {
	[ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$demo"
}
trap cleanup EXIT

# guardd refuses policy files that group or others may write, as doas does;
# a private copy gets the right modes whatever this checkout's umask was.
mkdir "$demo/rules.d"
cp policy/rules.d/*.json "$demo/rules.d/"
chmod 0755 "$demo/rules.d"
chmod 0644 "$demo/rules.d/"*.json
export GUARD_SOCKET=$demo/guard.sock

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
# show CMD...: print the command as typed, then run it, its messages in line.
show() {
	printf '$ %s\n' "$(sed "s|$B/[a-z]*/||" <<<"$*")"
	"$@" 2>&1
}
# show_rc CMD...: run CMD, then print its exit status.
show_rc() {
	local rc=0
	show "$@" || rc=$?
	echo "(exit status $rc)"
}

say "1. Check the shipped policy, and run its tests"
show "$B/client/guardctl" policy check "$demo/rules.d"
show "$B/client/guardctl" policy test --policy "$demo/rules.d" policy/tests/*.json | tail -n 1

say "2. Start guardd on a private socket"
"$B/daemon/guardd" --policy "$demo/rules.d" --audit-log "$demo/decisions.jsonl" 2>"$demo/guardd.log" &
daemon=$!
for _ in $(seq 1 50); do
	"$B/client/guardctl" status >/dev/null 2>&1 && break
	sleep 0.1
done
show "$B/client/guardctl" status

say "3. An allowed command runs: a recursive delete of a build directory in /tmp"
mkdir -p "$demo/project/build/obj"
show_rc "$B/client/guard" rm -rf "$demo/project/build"
[ ! -e "$demo/project/build" ] && echo "(the build directory is gone)"

say "4. A refused command does not run: mkfs onto a block device"
show_rc "$B/client/guard" mkfs.ext4 /dev/guard-demo-disk

say "5. Ask without running: would 'rm -rf /' be allowed?"
show_rc "$B/client/guard" --check rm -rf /
show_rc "$B/client/guard" --check ls -l /etc

say "6. Why? Ask guardd to explain a decision, rule by rule"
show "$B/client/guardctl" explain -- rm -rf /usr/

say "7. Whole shell lines, as agents send them: every part is judged"
show_rc "$B/client/guard" -c 'echo "rm -rf /"; true'
show_rc "$B/client/guard" -c 'cd / && sudo rm -rf *'

say "8. The decision log: one JSON line per record, durable before each answer"
show "$B/client/guardctl" log "$demo/decisions.jsonl"
echo
show "$B/client/guardctl" log --decision deny --json "$demo/decisions.jsonl"
echo
show "$B/client/guardctl" log verify "$demo/decisions.jsonl"
echo
show "$B/client/guardctl" report "$demo/decisions.jsonl"

say "9. guardd down: guard fails closed"
kill "$daemon"
wait "$daemon" || true
daemon=
show_rc "$B/client/guard" ls /

say "guardd's own log"
cat "$demo/guardd.log"
