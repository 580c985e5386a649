#!/bin/bash
# guardd's life cycle: start only with a valid policy, never take over a live
# socket, replace a stale one, caps, clean shutdown; guardctl status and check.
. "$(dirname "$0")/lib.sh"

policy_shipped
start_daemon --max-connections 2 || { not_ok "guardd starts"; done_testing; }
ok "guardd starts"

out=$(run_guardctl --socket "$SOCK" status)
check "guardctl status shows the policy directory" grep -q "policy: *$POLICY: [0-9]* files" <<<"$out"
check "guardctl status shows the decision log" grep -q "decision log: $LOG (writable, 0 records, sync always)" <<<"$out"
json=$(run_guardctl --socket "$SOCK" --json status)
check "guardctl --json status is JSON with the pid" [ "$(jq .pid <<<"$json")" = "$DAEMON_PID" ]
check "status counts the rules" jq -e '.policy.rules > 0 and .policy.files > 0' <<<"$json"

"$GUARDD" --socket "$SOCK" --policy "$POLICY" --audit-log "$T/second.jsonl" 2>"$T/err2"
check "a second guardd on a live socket refuses to start" [ $? -ne 0 ]
check "it says another guardd answers there" grep -q "another guardd answers on $SOCK" "$T/err2"
check "it leaves no log file behind" [ ! -e "$T/second.jsonl" ]
check "the first guardd still answers" run_guard --check ls

# The total cap: two connections held, the third is refused.
"$RAW" --hold 3 "$SOCK" >"$T/h1" &
h1=$!
"$RAW" --hold 3 "$SOCK" >"$T/h2" &
h2=$!
for f in h1 h2; do for _ in $(seq 1 50); do grep -q connected "$T/$f" && break; sleep 0.1; done; done
sleep 0.2
out=$(printf '{"method":"io.guard.Status"}\0' | "$RAW" "$SOCK")
check "a connection over --max-connections is refused with an error" grep -q TooManyConnections <<<"$out"
check "guardd logs the refusal" grep -q "refusing connection" "$T/guardd.err"
kill "$h1" "$h2" 2>/dev/null
wait "$h1" "$h2"
check "guardd answers once the held connections are gone" run_guard --check ls

kill -HUP "$DAEMON_PID"
sleep 0.2
check "SIGHUP does not kill guardd" run_guard --check ls
check "guardd reloads on SIGHUP" grep -q "received SIGHUP, reloading" "$T/guardd.err"
check "guardd stops cleanly" stop_daemon

# Out of file descriptors: guardd pauses accepting instead of spinning, then
# recovers on its own. A low RLIMIT_NOFILE makes that happen for real. Not under
# valgrind, which needs descriptors of its own below that limit.
fd_exhaustion() {
	(ulimit -n 16; exec $WRAP "$GUARDD" --socket "$SOCK" --policy "$POLICY" --audit-log "$LOG" 2>>"$T/guardd.err") &
	DAEMON_PID=$!
	await_daemon "$SOCK"
	holders=()
	for i in $(seq 1 14); do
		"$RAW" --hold 3 "$SOCK" >"$T/fd$i" &
		holders+=($!)
	done
	for _ in $(seq 1 $((30 * SLOW))); do grep -q "pausing" "$T/guardd.err" && break; sleep 0.1; done
	check "out of descriptors, guardd pauses accepting and says so" grep -q "cannot accept (Too many open files); pausing" "$T/guardd.err"
	check "it does not spin: one message per pause" [ "$(grep -c pausing "$T/guardd.err")" -le 5 ]
	kill "${holders[@]}" 2>/dev/null
	wait "${holders[@]}" 2>/dev/null
	check "when descriptors are free again, guardd answers by itself" answers_within 3
}
# answers_within SEC: guard gets a decision within SEC seconds.
answers_within() {
	for _ in $(seq 1 $(($1 * 10))); do run_guard --check ls >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
if [ -n "$WRAP" ]; then
	skip "out of descriptors, guardd pauses accepting" "not under valgrind"
	start_daemon
else
	fd_exhaustion
fi

kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
check "a killed guardd leaves its socket behind" [ -S "$SOCK" ]
start_daemon
check "a new guardd replaces the stale socket" run_guard --check ls
check "guardd stops cleanly on SIGTERM" stop_daemon

# SIGINT as well.
start_daemon
kill -INT "$DAEMON_PID"
wait "$DAEMON_PID"
check "guardd stops cleanly on SIGINT" [ $? -eq 0 ]
DAEMON_PID=

echo "not a socket" >"$T/plain"
"$GUARDD" --socket "$T/plain" --policy "$POLICY" --audit-log "$LOG" 2>"$T/err"
check "guardd refuses a socket path that is a plain file" [ $? -ne 0 ]
check "and leaves the file alone" grep -q "not a socket" "$T/plain"

"$GUARDD" --socket "$SOCK" --policy "$POLICY" --audit-log "$T/no/such/dir/log" 2>"$T/err"
check "guardd refuses to start without a writable decision log" [ $? -ne 0 ]
check "it names the log" grep -q "cannot open decision log $T/no/such/dir/log" "$T/err"
check "and removes its socket again" [ ! -e "$SOCK" ]

# Broken policies: guardd does not start, guardctl policy check says why.
mkdir -p "$T/bad"
chmod 0755 "$T/bad"
printf '{ "rules": [ { "id": "x", "match": {}, "decision": "allow" }, ] }\n' >"$T/bad/10-broken.json"
chmod 0644 "$T/bad/10-broken.json"
"$GUARDD" --socket "$SOCK" --policy "$T/bad" --audit-log "$LOG" 2>"$T/err"
check "guardd refuses to start with a broken policy" [ $? -ne 0 ]
check "guardd reports file:line:column" grep -q "$T/bad/10-broken.json:1:[0-9]*:" "$T/err"
check "guardd binds no socket then" [ ! -e "$SOCK" ]
run_guardctl policy check "$T/bad" >/dev/null 2>"$T/err"
check "guardctl policy check exits 1 on a broken policy" [ $? -eq 1 ]
check "guardctl policy check reports file:line:column" grep -q "$T/bad/10-broken.json:1:[0-9]*:" "$T/err"
json=$(run_guardctl policy check --json "$T/bad" 2>/dev/null)
check "guardctl policy check --json lists the errors" \
	jq -e --arg f "$T/bad/10-broken.json" '.ok == false and (.errors | length) == 1 and (.errors[0] | startswith($f + ":1:"))' <<<"$json"
run_guardctl policy 2>"$T/err"
rc=$?
check_that "guardctl policy alone asks for a subcommand (exit 4)" \
	'[ $rc -eq 4 ] && grep -q "policy needs a subcommand" "$T/err"'

mkdir -p "$T/empty"
"$GUARDD" --socket "$SOCK" --policy "$T/empty" --audit-log "$LOG" 2>"$T/err"
check "guardd refuses an empty policy directory" [ $? -ne 0 ]

cp -r "$POLICY" "$T/loose"
chmod 0664 "$T/loose/"*.json
run_guardctl policy check "$T/loose" >/dev/null 2>"$T/err"
rc=$?
check_that "a group-writable policy file is refused" \
	'[ $rc -eq 1 ] && grep -q "writable by group or others" "$T/err"'

out=$(run_guardctl policy check "$POLICY")
check "guardctl policy check passes the shipped policy" [ $? -eq 0 ]
check "and says how much it loaded" grep -q "OK: [0-9]* files, [0-9]* rules" <<<"$out"
run_guardctl policy check "$T/does-not-exist" 2>/dev/null
check "guardctl policy check of a missing directory exits 1" [ $? -eq 1 ]

run_guardctl --socket "$SOCK" status 2>"$T/err"
check "guardctl status with no daemon exits 3" [ $? -eq 3 ]
run_guardctl frobnicate 2>/dev/null
check "an unknown guardctl command exits 4" [ $? -eq 4 ]
"$GUARDD" --no-such-option 2>/dev/null
check "guardd rejects an unknown option" [ $? -ne 0 ]
"$GUARDD" --idle-timeout -1 2>/dev/null
check "guardd rejects a bad --idle-timeout" [ $? -ne 0 ]
check "guardd --help documents --policy" sh -c "'$GUARDD' --help | grep -q -- --policy"
done_testing
