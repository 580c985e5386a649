#!/bin/bash
# guardd confines itself with seccomp: on by default, probed at start, visible in
# /proc and in status; decisions, reloads and rotation still work inside it; and
# calls made from inside the running daemon (by a preloaded intruder, on SIGUSR2)
# are refused with EPERM, or kill guardd with --seccomp kill. With --seccomp off
# the same intruder runs a program: the test can tell the difference.
. "$(dirname "$0")/lib.sh"

INTRUDER=$BUILD/tests/seccomp-intruder.so
OUT=$T/intruder
# ASan must come first among the libraries; the preload goes after it, harmlessly.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
under_valgrind() { [[ "$WRAP" == *valgrind* ]]; }
# valgrind cannot survive a refused execve: there the intruder does not try one.
under_valgrind && touch "$OUT.no-exec"

# intrude: SIGUSR2 to guardd, then wait for the intruder's report (or guardd's end).
intrude() {
	rm -f "$OUT" "$OUT.ran"
	kill -USR2 "$DAEMON_PID"
	local i
	for i in $(seq 1 $((30 * SLOW))); do
		[ -s "$OUT" ] && [ "$(wc -l <"$OUT")" -ge 6 ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 0
		sleep 0.1
	done
}

policy_shipped
GUARD_INTRUDER_OUT=$OUT LD_PRELOAD=$INTRUDER start_daemon ||
	{ not_ok "guardd starts with the filter"; done_testing; }
ok "guardd starts with the filter"
json=$(run_guardctl --json status)
relaxed=$(jq -r .seccomp.relaxed <<<"$json")
# A sanitizer's or valgrind's filter allows fork and ptrace: the intruder does not
# try them there (seccomp-intruder.c says why).
[ "$relaxed" = true ] && touch "$OUT.relaxed"
check "it says the filter is on, and probed" \
	grep -q "seccomp filter on: [0-9]* system calls allowed, any other fails with EPERM (probed)" "$T/guardd.err"
check "the kernel says the main thread is filtered" \
	grep -q "^Seccomp:[[:space:]]*2" "/proc/$DAEMON_PID/status"
if under_valgrind; then
	skip "every thread is filtered" "valgrind has no seccomp(2): only the main thread"
else
	tasks=$(ls "/proc/$DAEMON_PID/task" | wc -l)
	filtered=$(grep -l "^Seccomp:[[:space:]]*2" /proc/"$DAEMON_PID"/task/*/status | wc -l)
	check_that "every thread is filtered ($filtered of $tasks, the reload worker too)" \
		"[ $tasks -ge 2 ] && [ $filtered -eq $tasks ]"
fi
check "status says mode deny" jq -e '.seccomp.mode == "deny" and .seccomp.allowed > 50' <<<"$json"
check "guardctl status shows it" sh -c "$GUARDCTL status | grep -q 'seccomp: *deny: [0-9]* system calls allowed'"

# What guardd does for a living still works inside the filter.
check "an allowed command is decided and runs" run_guard -- true
run_guard --check -- rm -rf / >/dev/null 2>&1
check_that "a destructive one is refused" "[ $? -eq 1 ]"
check "a reload loads the policy on the confined worker" run_guardctl reload
check "the log is rotated" run_guardctl log rotate
kill -USR1 "$DAEMON_PID"
check "after SIGUSR1 guardd still decides" run_guard --check -- ls
check "the log chain verifies" run_guardctl log verify "$LOG"

# From inside the running daemon.
intrude
check "the intruder in guardd reported" [ -s "$OUT" ]
diag <"$OUT"
if under_valgrind; then
	skip "execve is refused with EPERM" "valgrind dies when an execve fails"
else
	check "execve is refused with EPERM" grep -qx "execve EPERM" "$OUT"
fi
check "no program ran" [ ! -e "$OUT.ran" ]
check "a network socket is refused with EPERM" grep -qx "socket EPERM" "$OUT"
check "setuid is refused with EPERM" grep -qx "setuid EPERM" "$OUT"
if [ "$relaxed" = true ]; then
	for c in fork setrlimit ptrace; do
		skip "$c is refused with EPERM" "a sanitizer or valgrind needs it; the filter allows it here"
	done
else
	check "fork is refused with EPERM" grep -qx "fork EPERM" "$OUT"
	check "raising a limit is refused with EPERM" grep -qx "setrlimit EPERM" "$OUT"
	check "ptrace is refused with EPERM" grep -qx "ptrace EPERM" "$OUT"
fi
check "guardd goes on deciding" run_guard --check -- ls
check "guardd stops cleanly" stop_daemon

# --seccomp kill: the first forbidden call ends guardd.
if under_valgrind; then
	skip "--seccomp kill: guardd dies of SIGSYS" "valgrind cannot load a filter that kills"
else
	GUARD_INTRUDER_OUT=$OUT LD_PRELOAD=$INTRUDER start_daemon --seccomp kill ||
		not_ok "guardd starts with --seccomp kill"
	check "it says a call off the list kills it" grep -q "any other kills guardd" "$T/guardd.err"
	check "status says mode kill" jq -e '.seccomp.mode == "kill"' <<<"$(run_guardctl --json status)"
	intrude
	rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	check_that "the intruder's execve killed guardd with SIGSYS (status $rc)" "[ $rc -eq $((128 + 31)) ]"
	check "no program ran" [ ! -e "$OUT.ran" ]
	check "and it had no time to report" [ ! -s "$OUT" ]
fi

# --seccomp off: the same intruder gets a shell. This is what the filter stops.
: >"$T/guardd.err"
rm -f "$OUT.no-exec"
GUARD_INTRUDER_OUT=$OUT LD_PRELOAD=$INTRUDER start_daemon --seccomp off ||
	not_ok "guardd starts with --seccomp off"
check "it warns that it is not confined" grep -q "seccomp filter off (--seccomp off): guardd is not confined" "$T/guardd.err"
check "the kernel says: no filter" grep -q "^Seccomp:[[:space:]]*0" "/proc/$DAEMON_PID/status"
check "status says mode off" jq -e '.seccomp.mode == "off" and .seccomp.allowed == 0' <<<"$(run_guardctl --json status)"
intrude
for _ in $(seq 1 $((30 * SLOW))); do [ -e "$OUT.ran" ] && break; sleep 0.1; done
check "unconfined, the intruder's execve ran a program" grep -qx intruder "$OUT.ran"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=

# The option and the configuration key.
run_guardd --seccomp on --socket "$SOCK" --policy "$POLICY" --audit-log "$LOG" 2>"$T/err"
check_that "--seccomp on is a usage error (exit 2)" "[ $? -eq 2 ]"
check "it names the option" grep -q "invalid value for --seccomp: on" "$T/err"
printf '{ "seccomp": "off" }\n' >"$T/guardd.json"
chmod 0644 "$T/guardd.json"
start_daemon --config "$T/guardd.json" || not_ok "guardd starts with seccomp off in its file"
check "\"seccomp\": \"off\" in the file turns it off" jq -e '.seccomp.mode == "off"' <<<"$(run_guardctl --json status)"
check "guardd stops cleanly" stop_daemon
start_daemon --config "$T/guardd.json" --seccomp deny || not_ok "guardd starts"
check "--seccomp deny overrides the file" jq -e '.seccomp.mode == "deny"' <<<"$(run_guardctl --json status)"
check "guardd stops cleanly" stop_daemon

done_testing
