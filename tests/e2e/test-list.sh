#!/bin/bash
# What the person sees: guard --list shows the rules that apply to the caller here and
# now (and hides those for another user, group, host, time or environment), refusals
# first, in plain words, or as JSON; refusals name the rule, why and the run book, and
# say how to go on; colour only on a terminal without NO_COLOR, and text from the
# policy never drives the terminal.
. "$(dirname "$0")/lib.sh"

host=$(uname -n)
policy_file 10-test.json <<JSON
{ "rules": [
  { "id": "test-no-marker", "description": "No deny-me markers",
    "match": { "program": "touch", "args": ["*deny-me*"] },
    "decision": "deny", "message": "Markers named deny-me are not made here.",
    "runbook": "https://wiki.example/runbooks/markers" },
  { "id": "test-other-user", "match": { "program": "touch", "user": "guard-e2e-nobody-else" },
    "decision": "deny", "message": "Not for that user." },
  { "id": "test-other-host", "match": { "program": "touch", "host": "db-guard-e2e-*" },
    "decision": "deny", "message": "Not on database hosts." },
  { "id": "test-this-host", "match": { "program": "reboot", "host": "$host" },
    "decision": "confirm", "message": "Rebooting this host needs a confirmation." },
  { "id": "test-root-group", "match": { "program": "shutdown", "group": "root" },
    "decision": "reason", "message": "Say why." },
  { "id": "test-past", "match": { "program": "ls", "time": { "tz": "UTC", "dates": ["2001-01-01"] } },
    "decision": "deny", "message": "Gone." },
  { "id": "test-stage", "match": { "program": "true", "env": { "GUARD_E2E_STAGE": "prod*" } },
    "decision": "deny", "message": "Not in prod." },
  { "id": "test-confirm", "match": { "program": "touch", "args": ["*confirm-me*"] },
    "decision": "confirm", "message": "Sure?" },
  { "id": "test-escape", "match": { "program": "touch", "args": ["*escape-me*"] },
    "decision": "deny", "message": "Bell \u0007 and \u001b[31mred\u001b[0m." },
  { "id": "test-watch", "mode": "dry-run", "match": { "program": "mv" },
    "decision": "deny", "message": "Watching mv." } ] }
JSON
start_daemon || { not_ok "guardd starts"; done_testing; }
ok "guardd starts"
cd "$T"
pty() { script -qefc "$(printf '%q ' "$@")" /dev/null; }
ESC=$(printf '\033')

out=$(env -u GUARD_E2E_STAGE "$GUARD" --list)
check "--list exits 0" [ $? -eq 0 ]
check "it names who and where" grep -q "Rules that apply to $(id -un) (uid $(id -u)) on $host in $T" <<<"$out"
check "a deny rule that applies is listed, with its description" grep -q "^  test-no-marker: No deny-me markers$" <<<"$out"
check "in plain words" grep -q "command: program touch, an argument matching \*deny-me\*" <<<"$out"
check_that "with its message and run book" \
	'grep -q "says: Markers named deny-me are not made here." <<<"$out" && grep -q "run book: https://wiki.example/runbooks/markers" <<<"$out"'
check "a rule for another user is hidden" bash -c '! grep -q test-other-user <<<"$1"' _ "$out"
check "a rule for another host is hidden" bash -c '! grep -q test-other-host <<<"$1"' _ "$out"
check "a rule for this host is listed, with its context" grep -q "only on host $host" <<<"$out"
check "a rule whose dates are past is hidden" bash -c '! grep -q test-past <<<"$1"' _ "$out"
check "a rule about an unset variable is hidden" bash -c '! grep -q test-stage <<<"$1"' _ "$out"
out2=$(GUARD_E2E_STAGE=prod-eu "$GUARD" --list)
check "and shown when the variable is set" grep -q test-stage <<<"$out2"
check_that "refusals come first, then the steps, allowed, and dry-run rules last" \
	'awk "/^Denied:/{d=NR} /^Needs a reason:/{r=NR} /^Needs a confirmation:/{c=NR} /^Watched, not enforced/{w=NR} END{exit !(d && r && c && w && d<r && r<c && c<w)}" <<<"$out"'
check "the default is said" grep -q "Anything else: allow (the policy's default)" <<<"$out"
check "a plain --list has no escape codes" bash -c '! grep -q "$1" <<<"$2"' _ "$ESC" "$out"
check "policy text is shown harmless" grep -q 'Bell ? and ?\[31mred?\[0m.' <<<"$out"

json=$(run_guard --list --json)
check "--list --json is the reply" \
	jq -e --argjson u "$(id -u)" '.parameters.context.uid == $u and (.parameters.rules | map(.rule) | index("test-no-marker") != null and index("test-other-user") == null) and .parameters.default == "allow"' <<<"$json"
check "each rule has its decision, mode and plain words" \
	jq -e '.parameters.rules | map(select(.rule == "test-watch"))[0] | .decision == "deny" and .mode == "dry-run" and .command == "program mv"' <<<"$json"

if [ "$(id -u)" -eq 0 ]; then
	out=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARD" --list)
	check_that "as nobody: the root-group rule is hidden, the others are not" \
		'! grep -q test-root-group <<<"$out" && grep -q test-no-marker <<<"$out" && grep -q "(uid 65534)" <<<"$out"'
	check "as root: the root-group rule is listed" grep -q test-root-group <<<"$(run_guard --list)"
else
	skip "as nobody: the root-group rule is hidden, the others are not" "needs root"
	skip "as root: the root-group rule is listed" "needs root"
fi

run_guard --list touch x 2>/dev/null
check "--list with a command is bad usage (4)" [ $? -eq 4 ]
out=$(printf '{"method":"io.guard.List","parameters":{"cwd":"/","argv":["x"]}}\0' | "$RAW" --wait 0.5 "$SOCK")
check "List with argv is an InvalidParameter" grep -q '"parameter":"argv"' <<<"$out"

# Refusals, and colour.
run_guard touch deny-me 2>"$T/err"
check "a refusal exits 1" [ $? -eq 1 ]
check_that "it names the rule, why and the run book, without colour off a terminal" \
	'grep -q "^guard: denied by rule test-no-marker: Markers named deny-me are not made here.$" "$T/err" &&
	 grep -q "^guard: run book: https://wiki.example/runbooks/markers$" "$T/err" && ! grep -q "$ESC" "$T/err"'
run_guard touch confirm-me </dev/null 2>"$T/err"
check_that "a step with no terminal says how to go on" \
	'grep -q "^guard: to go on: .*--confirm '"'$host'"'" "$T/err"'
out=$(unset NO_COLOR; TERM=xterm pty "$GUARD" touch deny-me 2>&1)
check "on a terminal, a refusal is coloured, around the same words" grep -q "${ESC}\[1;31mdenied by rule test-no-marker: Markers named deny-me are not made here.${ESC}\[0m" <<<"$out"
out=$(NO_COLOR=1 TERM=xterm pty "$GUARD" touch deny-me 2>&1)
check_that "NO_COLOR: no escape codes on a terminal" \
	'grep -q "denied by rule test-no-marker" <<<"$out" && ! grep -q "$ESC" <<<"$out"'
out=$(unset NO_COLOR; TERM=dumb pty "$GUARD" touch deny-me 2>&1)
check "TERM=dumb: no escape codes" bash -c '! grep -q "$1" <<<"$2"' _ "$ESC" "$out"
out=$(unset NO_COLOR; TERM=xterm pty "$GUARD" touch escape-me 2>&1)
check_that "on a terminal, the policy's own escape codes are still made harmless" \
	'grep -q "Bell ? and ?\[31mred?\[0m." <<<"$out" && ! grep -q "${ESC}\[31mred" <<<"$out"'
out=$(unset NO_COLOR; TERM=xterm pty "$GUARD" --list 2>&1)
check "--list on a terminal is coloured" grep -q "${ESC}\[1;31mDenied:" <<<"$out"

# More rules than one reply holds: the rest are counted, the list still comes.
long=$(printf 'x%.0s' $(seq 1 1000))
seq 1 150 | jq -R --arg m "$long" '{id: ("test-many-" + .), match: {program: ("p" + .)}, decision: "deny", message: $m}' |
	jq -s '{rules: .}' | policy_file 20-many.json
run_guardctl reload >/dev/null
json=$(run_guard --list --json)
check "a list too long for one reply says how many rules were left out" \
	jq -e '.parameters.left_out > 0 and (.parameters.rules | length) + .parameters.left_out >= 150' <<<"$json"
check "and stays within the protocol's 64 KiB" [ "${#json}" -lt 65536 ]
check "the text says so too" grep -q "more rules apply; they did not fit" <<<"$(run_guard --list)"

check "guardd stops cleanly" stop_daemon
run_guard --list 2>"$T/err" >/dev/null
rc=$?
check_that "--list with guardd down: exit 3, and why" '[ $rc -eq 3 ] && grep -q "cannot list the rules" "$T/err"'
done_testing
