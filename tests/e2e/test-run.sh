#!/bin/bash
# guard runs what is allowed, exactly as asked, and nothing that is denied.
. "$(dirname "$0")/lib.sh"

policy_shipped
policy_file 10-test.json <<'JSON'
{ "rules": [
  { "id": "test-no-marker", "match": { "program": "touch", "args": ["*deny-me*"] },
    "decision": "deny", "message": "Markers named deny-me are not made here.",
    "runbook": "https://wiki.example/runbooks/markers" } ] }
JSON
start_daemon || { not_ok "guardd starts"; done_testing; }
ok "guardd starts with the shipped policy and a site file"

cd "$T"
run_guard sh -c 'exit 7'
check "exit status of an allowed command passes through (7)" [ $? -eq 7 ]
run_guard true
check "exit status 0 passes through" [ $? -eq 0 ]

out=$(run_guard printf '%s|' "two words" '$HOME' "" "*")
check "argv reaches the command exactly (spaces, \$, empty, glob)" [ "$out" = 'two words|$HOME||*|' ]

out=$(GUARD_E2E_VALUE=kept run_guard sh -c 'echo "$GUARD_E2E_VALUE"')
check "environment reaches the command" [ "$out" = kept ]

out=$(echo piped | run_guard cat)
check "stdin reaches the command" [ "$out" = piped ]

run_guard touch "$T/allowed-marker"
check "an allowed command runs (marker made)" [ -f "$T/allowed-marker" ]

err=$(run_guard touch "$T/deny-me" 2>&1 >/dev/null)
rc=$?
check "a denied command exits 1" [ $rc -eq 1 ]
check "a denied command does not run (no marker)" [ ! -e "$T/deny-me" ]
check "the denial names the rule and its message" \
	grep -q "denied by rule test-no-marker: Markers named deny-me are not made here." <<<"$err"
check "the denial shows the run book" grep -q "run book: https://wiki.example/runbooks/markers" <<<"$err"

mkdir -p "$T/bin"
printf '#!/bin/sh\necho from-path "$@"\n' >"$T/bin/guardtestprog"
chmod 0755 "$T/bin/guardtestprog"
out=$(PATH="$T/bin:$PATH" run_guard guardtestprog a b)
check "the program is found through PATH" [ "$out" = "from-path a b" ]
check "the resolved path is what was sent" [ "$(last_decision program)" = "\"$T/bin/guardtestprog\"" ]

out=$(cd "$T/bin" && run_guard ./guardtestprog rel)
check "a relative program path runs" [ "$out" = "from-path rel" ]
check "a relative program path is sent absolute" [ "$(last_decision program)" = "\"$T/bin/guardtestprog\"" ]

run_guard guard-no-such-program-here 2>/dev/null
check "an unknown program exits 127" [ $? -eq 127 ]
check "an unknown program is still asked about and recorded" \
	[ "$(last_decision argv)" = '["guard-no-such-program-here"]' ]

printf 'echo not executable\n' >"$T/bin/noexec"
chmod 0644 "$T/bin/noexec"
run_guard "$T/bin/noexec" 2>/dev/null
check "a file that is not executable exits 126" [ $? -eq 126 ]

run_guard 2>/dev/null
check "no command is a usage error (4)" [ $? -eq 4 ]
run_guard --bogus-option true 2>/dev/null
check "an unknown option is a usage error (4)" [ $? -eq 4 ]
out=$(run_guard --help)
check "--help explains usage" grep -q "Usage: guard" <<<"$out"
out=$(run_guard -- ls -d /)
check "options after the command are the command's" [ "$out" = / ]

check "guardd stops cleanly on SIGTERM" stop_daemon
check "the socket is removed at shutdown" [ ! -e "$SOCK" ]
done_testing
