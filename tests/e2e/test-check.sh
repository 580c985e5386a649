#!/bin/bash
# guard --check: the decision as an exit code and text, nothing run; daemon down
# means no decision and nothing run.
. "$(dirname "$0")/lib.sh"

policy_shipped
start_daemon || { not_ok "guardd starts"; done_testing; }

run_guard --check ls / >"$T/out"
check "--check of an allowed command exits 0" [ $? -eq 0 ]
check "--check says allowed" grep -q "^allowed" "$T/out"

run_guard -n rm -rf / >"$T/out"
check "-n of rm -rf / exits 1" [ $? -eq 1 ]
check "--check names the deciding rule" grep -q "^denied by rule " "$T/out"

run_guard --check touch "$T/check-marker" >/dev/null
check "--check of an allowed command runs nothing" [ ! -e "$T/check-marker" ]

json=$(run_guard --check --json rm -fr /)
check "--json --check exits 1 on deny" [ $? -eq 1 ]
check "--json prints the reply with decision deny" \
	[ "$(jq -r .parameters.decision <<<"$json")" = deny ]
check "--json reply carries the rule id" [ "$(jq -r '.parameters.rule | type' <<<"$json")" = string ]
check "--json reply carries the decision id" \
	[ "$(jq -r '.parameters.id | length' <<<"$json")" = 32 ]
json=$(run_guard --check --json ls)
check "--json prints allow for ls" [ "$(jq -r .parameters.decision <<<"$json")" = allow ]

# The shipped pack, asked as an operator would.
while read -r want cmd; do
	run_guard --check $cmd >/dev/null 2>&1
	rc=$?
	check "shipped policy: '$cmd' -> exit $want" [ $rc -eq "$want" ]
done <<'CASES'
1 rm -rf /
1 rm -r -f /
1 /bin/rm --recursive --force /
1 rm -rf /etc
1 rm -rf /usr/
1 rm -rf /home/alice
1 rm -rf /root
1 mkfs.ext4 /dev/sda1
1 dd if=/dev/zero of=/dev/sda bs=1M
0 rm -rf /tmp/build-output
0 rm notes.txt
0 ls -la /
0 dd if=a.img of=b.img
0 echo rm -rf /
CASES

check "guardd stops cleanly" stop_daemon

touch "$T/before"
run_guard --check ls >/dev/null 2>"$T/err"
check "--check with the daemon down exits 3" [ $? -eq 3 ]
check "the client says it cannot reach guardd" grep -q "cannot reach guardd at $SOCK" "$T/err"
run_guard touch "$T/down-marker" 2>"$T/err"
rc=$?
check "a run with the daemon down exits 3" [ $rc -eq 3 ]
check "a run with the daemon down runs nothing" [ ! -e "$T/down-marker" ]
check "it says nothing was run" grep -q "nothing was run" "$T/err"

GUARD_SOCKET=$T/elsewhere.sock run_guard --check ls 2>"$T/err" >/dev/null
check "GUARD_SOCKET chooses the socket" grep -q "$T/elsewhere.sock" "$T/err"

# A socket nobody serves (a stale file): refused connection, exit 3.
make_stale_socket() {
	"$GUARDD" --socket "$SOCK" --policy "$POLICY" --audit-log "$LOG" 2>/dev/null &
	local pid=$!
	for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	kill -KILL $pid
	wait $pid 2>/dev/null
	[ -S "$SOCK" ]
}
check "a killed guardd leaves a stale socket" make_stale_socket
run_guard touch "$T/stale-marker" 2>/dev/null
rc=$?
check_that "a stale socket gives exit 3 and runs nothing" '[ $rc -eq 3 ] && [ ! -e "$T/stale-marker" ]'
done_testing
