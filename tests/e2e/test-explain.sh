#!/bin/bash
# guardctl explain (offline and against guardd) and guardctl policy test,
# including the shipped packs' own tests.
. "$(dirname "$0")/lib.sh"

policy_shipped
policy_file 10-site.json <<'JSON'
{ "rules": [
  { "id": "freeze-kubectl", "description": "Year-end change freeze",
    "match": { "program": "kubectl", "subcommand": ["apply", "delete"],
               "env": { "KUBE_CONTEXT": "prod-*" },
               "time": { "tz": "Europe/Berlin", "dates": ["2026-12-20..2027-01-04"] } },
    "decision": "reason", "reason_pattern": "^(INC|CHG)-[0-9]+$",
    "message": "Change freeze: name the incident or change ticket." },
  { "id": "ops-only-restart", "match": { "program": "systemctl", "subcommand": "restart",
                                          "not": { "group": "root" } },
    "decision": "deny", "message": "Only root restarts services here." }
] }
JSON

# Offline, against the policy directory.
out=$(run_guardctl explain --policy "$POLICY" --time 2026-12-24T10:00:00+01:00 \
	--env KUBE_CONTEXT=prod-eu -- kubectl delete ns shop)
check "offline explain exits 0" [ $? -eq 0 ]
check "offline explain names the decision and rule" grep -q "decision: reason by rule freeze-kubectl" <<<"$out"
out=$(run_guardctl explain --policy "$POLICY" --time 2026-11-24T10:00:00+01:00 \
	--env KUBE_CONTEXT=prod-eu -- kubectl apply -f shop.yaml)
check "outside the freeze the default decides" grep -q "no rule matched" <<<"$out"
check "and the freeze rule says which condition failed" \
	grep -q "freeze-kubectl .*match.time" <<<"$out"
json=$(run_guardctl explain --json --policy "$POLICY" --env KUBE_CONTEXT=dev -- kubectl apply -f x.yaml)
check "--json explain: the trace has every rule when the default decides" \
	jq -e '.decision.decision == "allow" and (.trace | length) >= 3 and (.trace | all(.matched == false))' <<<"$json"
check "--json explain: the failed condition is the env one" \
	jq -e '.trace[0].rule == "freeze-kubectl" and (.trace[0].failed | startswith("match.env"))' <<<"$json"
json=$(run_guardctl explain --json --policy "$POLICY" -- rm -rf /)
check "explain stops at the deciding rule" \
	jq -e '.decision.rule == "fs-rm-root" and .trace[-1].rule == "fs-rm-root" and .trace[-1].matched' <<<"$json"

# Against the running daemon.
start_daemon || { not_ok "guardd starts"; done_testing; }
before=$(log_lines)
out=$(run_guardctl explain -- rm -rf /etc)
check "explain against guardd names the rule" grep -q "decision: deny by rule fs-rm-system-dir" <<<"$out"
check "explain is not a decision: nothing recorded" [ "$(log_lines)" -eq "$before" ]
json=$(run_guardctl explain --json --time @1798110000 --env KUBE_CONTEXT=prod-us -- kubectl apply -f x)
check "explain against guardd takes --time and --env" \
	jq -e '.decision.decision == "reason" and .decision.rule == "freeze-kubectl"' <<<"$json"
if [ "$(id -u)" -eq 0 ]; then
	json=$(run_guardctl explain --json --user nobody -- systemctl restart nginx)
	check "explain --user asks as another user (nobody is not in root)" \
		jq -e '.decision.rule == "ops-only-restart" and .context.user == "nobody"' <<<"$json"
	json=$(run_guardctl explain --json -- systemctl restart nginx)
	check "and as root the rule does not apply" jq -e '.decision.decision == "allow"' <<<"$json"
else
	skip "explain --user" "needs root's view of the account database"
fi
run_guardctl explain --user no-such-user-here -- ls 2>/dev/null
check "explain --user of an unknown user is a usage error" [ $? -eq 4 ]
check "guardd stops cleanly" stop_daemon

# Policy tests: the shipped packs carry their own, run against the packs alone
# (the site rules above would change some answers, as a site's rules should).
policy_shipped "$T/shipped"
out=$(run_guardctl policy test --policy "$T/shipped" "$SRC"/policy/tests/*.json)
rc=$?
check "the shipped packs pass their own tests" [ $rc -eq 0 ]
check "a summary line counts them" grep -Eq "^PASS: ([0-9]+)/\1 \(all\)$" <<<"$out"
echo "$out" | tail -n 1 | diag

mkdir -p "$T/tests"
cat >"$T/tests/site.test.json" <<JSON
{ "policy": "../rules.d",
  "context": { "env": { "KUBE_CONTEXT": "prod-eu" } },
  "tests": [
    { "name": "freeze asks for a reason", "command": ["kubectl", "delete", "ns", "shop"],
      "context": { "time": "2026-12-24T10:00:00+01:00" },
      "expect": { "decision": "reason", "rule": "freeze-kubectl" } },
    { "name": "this one is wrong on purpose", "command": ["kubectl", "delete", "ns", "shop"],
      "context": { "time": "2026-12-24T10:00:00+01:00" },
      "expect": { "decision": "allow" } },
    { "name": "after the freeze", "command": ["kubectl", "apply", "-f", "shop.yaml"],
      "context": { "time": "2027-01-05T10:00:00+01:00" },
      "expect": { "decision": "allow", "rule": null } }
  ] }
JSON
# "../rules.d" from $T/tests is $POLICY itself.
out=$(run_guardctl policy test "$T/tests/site.test.json")
rc=$?
check "a failing policy test exits 1" [ $rc -eq 1 ]
check "the failure is named with what was got and wanted" \
	grep -q "FAIL  this one is wrong on purpose: got reason by rule freeze-kubectl, want allow" <<<"$out"
check "the summary counts passes and failures" grep -q "^PASS: 2/3" <<<"$out" && grep -q "^FAIL: 1/3" <<<"$out"
json=$(run_guardctl policy test --json "$T/tests/site.test.json")
check "--json policy test lists every result" jq -e '.passed == 2 and .failed == 1 and (.results | length) == 3' <<<"$json"

printf '{ "tests": [ { "name": "x", "command": ["ls"], "expect": { "decison": "allow" } } ] }' >"$T/tests/typo.test.json"
run_guardctl policy test --policy "$POLICY" "$T/tests/typo.test.json" >/dev/null 2>"$T/err"
rc=$?
check_that "a typo in a test file is an error, not a pass" '[ $rc -eq 1 ] && grep -q "tests\[0\]" "$T/err"'
printf '{ "tests": [ ' >"$T/tests/broken.test.json"
run_guardctl policy test --policy "$POLICY" "$T/tests/broken.test.json" >/dev/null 2>"$T/err"
rc=$?
check_that "a test file that is not JSON is reported with line and column" \
	'[ $rc -eq 1 ] && grep -q "broken.test.json:1:" "$T/err"'
done_testing
