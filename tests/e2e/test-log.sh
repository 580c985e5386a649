#!/bin/bash
# The decision log: one record per decision, written before the answer, with
# the fields ARCHITECTURE.md lists; a log that cannot be written means deny.
. "$(dirname "$0")/lib.sh"

policy_shipped
start_daemon || { not_ok "guardd starts"; done_testing; }
cd "$T"

run_guard true
run_guard --check rm -rf / >/dev/null
run_guard rm -rf /etc 2>/dev/null
run_guard --check ls >/dev/null
# The command that ran (true) adds the record of its completion (test-finished).
check "four decisions and one completion make exactly five records" [ "$(log_lines)" -eq 5 ]
check "every line is one JSON object" jq -e -s 'length == 5 and all(type == "object")' "$LOG"
DEC=$T/decisions-only.jsonl
jq -c 'select(.type == "decision")' "$LOG" >"$DEC"

fields='["ts","id","type","host","uid","user","gid","pid","cwd","argv","program","tty","check","env","decision","rule","mode","policy","seq","prev"]'
check "every record has exactly the documented fields" \
	jq -e -s --argjson f "$fields" 'all(keys_unsorted == $f)' "$DEC"
check "ts is RFC 3339 UTC with microseconds" \
	jq -e -s 'all(.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"))' "$LOG"
check "ids are unique 32-hex strings" \
	jq -e -s '(map(.id) | unique | length) == 5 and all(.id | test("^[0-9a-f]{32}$"))' "$LOG"
check "uid, gid and user come from the kernel" \
	jq -e -s --argjson u "$(id -u)" --argjson g "$(id -g)" --arg n "$(id -un)" \
	'all(.uid == $u and .gid == $g and .user == $n)' "$DEC"
check "host is the daemon's host name" jq -e -s --arg h "$(uname -n)" 'all(.host == $h)' "$LOG"
check "cwd is the client's" jq -e -s --arg d "$T" 'all(.cwd == $d)' "$DEC"
check "the first record: allow, not a check, resolved program" \
	jq -e -s '.[0] | .decision == "allow" and .check == false and .rule == null and (.program | endswith("/true")) and .argv == ["true"]' "$DEC"
check "the second record: deny, a check, with its rule" \
	jq -e -s '.[1] | .decision == "deny" and .check == true and (.rule | type) == "string" and .argv == ["rm","-rf","/"]' "$DEC"
check "the third record: deny of a run" jq -e -s '.[2] | .decision == "deny" and .check == false' "$DEC"
check "the policy revision is in every record and matches status" \
	jq -e -s --arg r "$("$GUARDCTL" --socket "$SOCK" --json status | jq -r .policy.revision)" \
	'all(.policy == $r) and ($r | length) == 64' "$DEC"
check "mode is enforce" jq -e -s 'all(.mode == "enforce")' "$DEC"
check "the environment is not recorded (the policy refers to none of it)" \
	jq -e -s 'all(.env == {})' "$DEC"
check "seq counts the records from 1" jq -e -s '[.[].seq] == [1,2,3,4,5]' "$LOG"
check "the first record's prev is 64 zeros" jq -e -s '.[0].prev == ("0" * 64)' "$LOG"
chain_ok=true
for k in 2 3 4 5; do
	want=$(sed -n "$((k - 1))p" "$LOG" | tr -d '\n' | sha256sum | cut -d' ' -f1)
	[ "$(sed -n "${k}p" "$LOG" | jq -r .prev)" = "$want" ] || chain_ok=false
done
check "every prev is the SHA-256 of the line before it" $chain_ok
check "the log is not readable by others (0640)" [ "$(stat -c %a "$LOG")" = 640 ]

# A record reaches the file before the answer reaches the client.
json=$(run_guard --check --json ls)
id=$(jq -r .parameters.id <<<"$json")
check "the id in the reply is in the log when the reply arrives" grep -q "\"id\":\"$id\"" "$LOG"

# argv with awkward bytes is kept exactly and stays one line.
run_guard --check printf $'line1\nline2' '"quoted"' $'tab\tx' >/dev/null
check "argv with newlines, quotes and tabs is one intact record" \
	jq -e -s '.[-1].argv == ["printf", "line1\nline2", "\"quoted\"", "tab\tx"]' "$LOG"
check "the log is still whole lines" [ "$(log_lines)" -eq 7 ]

check "guardd stops cleanly" stop_daemon

# Fail closed: a full disk. Needs root to mount a tiny filesystem.
if [ "$(id -u)" -ne 0 ]; then
	skip "full disk means deny" "needs root to mount a small tmpfs"
	done_testing
fi
mkdir "$T/mnt"
mount -t tmpfs -o size=8k,mode=0755 tmpfs "$T/mnt"
LOG=$T/mnt/decisions.jsonl
start_daemon || { not_ok "guardd starts on the small filesystem"; done_testing; }
run_guard --check ls >/dev/null
check "a decision is recorded while there is space" [ "$(log_lines)" -eq 1 ]
dd if=/dev/zero of="$T/mnt/filler" bs=1k count=64 2>/dev/null
# tmpfs counts whole pages: records still fit in the log's last page until it is full.
rc=0
for _ in $(seq 1 40); do
	run_guard --check ls >/dev/null 2>&1 || { rc=$?; break; }
done
check "once the page is full, --check is denied (exit 1)" [ $rc -eq 1 ]
n_full=$(log_lines)
out=$(run_guard touch "$T/full-marker" 2>&1)
rc=$?
check "with the disk full, an allowed command is denied (exit 1)" [ $rc -eq 1 ]
check "with the disk full, nothing runs" [ ! -e "$T/full-marker" ]
check "the denial says the log cannot be written" grep -q "decision log is unavailable" <<<"$out"
check "no torn line is left in the log" jq -e -s --argjson n "$n_full" 'length == $n' "$LOG"
check "the log ends with a newline" [ "$(tail -c 1 "$LOG" | od -An -c | tr -d ' ')" = '\n' ]
status=$("$GUARDCTL" --socket "$SOCK" --json status)
check "status reports the log as failing" [ "$(jq .audit_ok <<<"$status")" = false ]
rm -f "$T/mnt/filler"
run_guard touch "$T/full-marker"
check "when space returns, guardd recovers by itself" [ -e "$T/full-marker" ]
check "and records again (the decision and the completion)" [ "$(log_lines)" -eq $((n_full + 2)) ]
check_that "guardd logged the failure once and the recovery" \
	'[ "$(grep -c "cannot write decision log" "$T/guardd.err")" -eq 1 ] && grep -q "writable again" "$T/guardd.err"'
check "guardd stops cleanly" stop_daemon
done_testing
