#!/bin/bash
# Whole shell lines: guard -c against a real guardd, guardctl explain -c, and
# the corpus of destructive, routine and known-gap lines over the shipped packs.
. "$(dirname "$0")/lib.sh"

policy_shipped
start_daemon || { not_ok "guardd starts"; done_testing; }

# Dangerous text that is only data runs.
out=$(run_guard -c 'echo "rm -rf /"; git commit --dry-run -m "drop rm -rf" 2>/dev/null; true')
check "a line that only mentions rm -rf / runs" [ $? -eq 0 ]
check "and its output is the command's" grep -qx 'rm -rf /' <<<"$out"
check "the record holds the line, not an argv" \
	jq -e 'has("argv") | not' <<<"$(last_decision)"
check "the line is recorded exactly" [ "$(last_decision line)" = '"echo \"rm -rf /\"; git commit --dry-run -m \"drop rm -rf\" 2>/dev/null; true"' ]

# One dangerous part stops the whole line: nothing of it runs.
run_guard -c "touch $T/marker; cd / && sudo rm -rf *" 2>"$T/err"
check "a line with sudo rm -rf * in / is denied (1)" [ $? -eq 1 ]
check "nothing of a denied line ran" [ ! -e "$T/marker" ]
check "the refusal names the rule" grep -q "denied by rule fs-rm-root" "$T/err"
check "the record names the part that decided" [ "$(last_field part)" = '"rm -rf *"' ]
check "and the rule" [ "$(last_field rule)" = '"fs-rm-root"' ]

# Shells and wrappers inside the line are seen through.
run_guard -c "bash -c 'find / -delete'" 2>/dev/null
check "bash -c 'find / -delete' is denied" [ $? -eq 1 ]
check "by the find rule" [ "$(last_field rule)" = '"fs-find-delete-root"' ]
run_guard -c 'echo x > /dev/sda' 2>/dev/null
check "a redirect onto a block device is denied" [ $? -eq 1 ]
check "by the redirect rule" [ "$(last_field rule)" = '"disk-redirect-to-device"' ]

# What guard cannot understand is not allowed silently.
json=$(run_guard --check --json -c 'eval "$CMD"')
check "eval of a variable asks for confirmation (the policy's unknown default)" \
	jq -e '.parameters.decision == "confirm" and (.parameters.unknown | test("eval"))' <<<"$json"
run_guard -c "touch $T/marker2; eval \"\$CMD\"" </dev/null 2>"$T/err"
check "without a terminal it runs nothing and exits 2" [ $? -eq 2 ] && [ ! -e "$T/marker2" ]
check "and says why" grep -q "cannot fully understand" "$T/err"
check "the record says what was not understood" jq -e '.unknown | test("eval")' <(tail -n 1 "$LOG")
run_guard --confirm "$(hostname)" -c "touch $T/marker3; eval true"
check "with the phrase given the line runs" [ $? -eq 0 ] && [ -e "$T/marker3" ]

# Usage errors.
run_guard -c 'ls' -- ls 2>/dev/null
check "-c and a command together is a usage error (4)" [ $? -eq 4 ]
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
before=$(log_lines)
run_guard --check -c "echo $big" 2>"$T/err"
check "a line over 64 KiB is a usage error (4), not a decision" [ $? -eq 4 ]
check "with a message that says so" grep -q "longer than 65536 bytes" "$T/err"
check "and nothing was recorded" [ "$(log_lines)" -eq "$before" ]
near=$(head -c 65450 /dev/zero | tr '\0' 'a')
run_guard --check -c "echo $near" 2>"$T/err"
check "a line under 64 KiB whose request is over it is a usage error (4) too" [ $? -eq 4 ]
check "saying the request is too large" grep -q "request is larger than 65536 bytes" "$T/err"
run_guard -c '' 2>"$T/err"
check "an empty -c line is a usage error (4)" [ $? -eq 4 ]

# explain -c, against guardd and offline.
out=$(run_guardctl explain -c 'ls; sudo rm -rf /')
check "explain -c names the deciding part" grep -q "^part:     rm -rf /$" <<<"$out"
check "and collapses the parts that matched nothing" grep -q "for ls: no rule matched" <<<"$out"
json=$(run_guardctl explain --json --policy "$POLICY" -c 'cd /etc && rm -rf ./*')
check "offline explain -c --json: deny, rule and part" \
	jq -e '.decision.decision == "deny" and .decision.rule == "fs-rm-system-dir" and .decision.part == "rm -rf ./*"' <<<"$json"
check "guardd stops cleanly" stop_daemon

# The corpus: every pack, wrapper and construct, and look-alikes that must run.
for c in destructive routine; do
	out=$(run_guardctl policy test --policy "$POLICY" "$SRC/tests/corpus/lines/$c.test.json" 2>&1)
	rc=$?
	check "corpus $c: every case as expected" [ $rc -eq 0 ]
	tail -n 1 <<<"$out" | diag
	[ $rc -eq 0 ] || grep "^FAIL " <<<"$out" | head -n 20 | diag
done
# Known gaps are written down with the answer they should get; they fail today.
# When one starts passing, this says so: move it to the corpus.
json=$(run_guardctl policy test --json --policy "$POLICY" "$SRC/tests/corpus/lines/known-gaps.test.json")
check "known gaps: none passes yet (move a fixed one to the corpus)" jq -e '.passed == 0' <<<"$json"
jq -r '"known gaps: \(.failed)"' <<<"$json" | diag
done_testing
