#!/bin/bash
# Completions: guard stays the parent of the command it runs, passes signals on,
# follows the command's stops, exits with its status, and has guardd record how it
# ended (io.guard.Finished), linked to the decision; guardd takes one report per
# allowed run, from the uid that asked.
. "$(dirname "$0")/lib.sh"

# Lines with variables and tests are this file's daily bread: "unknown" allows them.
policy_file 10-test.json <<'JSON'
{ "unknown": "allow",
  "rules": [
  { "id": "test-no-marker", "match": { "program": "touch", "args": ["*deny-me*"] },
    "decision": "deny", "message": "Markers named deny-me are not made here." } ] }
JSON
# A short idle timeout: a command that runs longer than it still gets its completion.
start_daemon --idle-timeout 2 || { not_ok "guardd starts"; done_testing; }
ok "guardd starts"
cd "$T"

# Replies come at once; rawclient's wait for more only has to outlast a slow guardd.
RAW_WAIT=0.5
[ -n "$WRAP" ] && RAW_WAIT=5
raw() { "$RAW" --wait "$RAW_WAIT" "$@" "$SOCK"; }
# completion_of ID: the completion record of decision ID, compact.
completion_of() { grep "\"decision_id\":\"$1\"" "$LOG" | jq -c .; }
# The id of the last decision record.
last_id() { last_decision id | tr -d '"'; }
# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS (times SLOW).
wait_for() {
	local n=$(($1 * 10 * SLOW))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
# child_of PID NAME: the pid of PID's child named NAME (after its exec).
child_of() { pgrep -P "$1" -x "$2"; }
has_child() { child_of "$@" >/dev/null; }
state_of() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }

# Exit status and the completion record.
run_guard sh -c 'exit 7'
check "exit status of the command passes through (7)" [ $? -eq 7 ]
id=$(last_id)
rec=$(completion_of "$id")
check "one completion record links to the decision" [ "$(completion_of "$id" | wc -l)" -eq 1 ]
check "the completion has exit 7, no signal, a duration" \
	jq -e '.type == "completion" and .exit == 7 and .signal == null and (.duration_ms | type) == "number" and .duration_ms >= 0' <<<"$rec"
fields='["ts","id","type","decision_id","host","uid","user","pid","exit","signal","duration_ms","seq","prev"]'
check "the completion has exactly the documented fields, in order" \
	jq -e --argjson f "$fields" 'keys_unsorted == $f' <<<"$rec"
check_that "the completion has its own id and names who reported it" \
	"jq -e --arg d '$id' --argjson u $(id -u) --arg n $(id -un) --arg h $(uname -n) \
	 '.id != \$d and (.id | test(\"^[0-9a-f]{32}\$\")) and .uid == \$u and .user == \$n and .host == \$h' <<<'$rec'"
check "the completion is the record after its decision" \
	[ "$(tail -n 1 "$LOG" | jq -r .decision_id)" = "$id" ]

run_guard sh -c 'sleep 0.3'
check "duration_ms measures the run" jq -e '.duration_ms >= 250 and .duration_ms < 60000' <<<"$(completion_of "$(last_id)")"

run_guard sh -c 'kill -TERM $$'
check "a command killed by signal N exits 128+N (SIGTERM: 143)" [ $? -eq 143 ]
check "its completion says signal 15 and no exit" \
	jq -e '.signal == 15 and .exit == null' <<<"$(completion_of "$(last_id)")"

run_guard -c 'exit 3'
check "guard -c: the line's status passes through (3)" [ $? -eq 3 ]
check "guard -c: its completion is recorded" jq -e '.exit == 3' <<<"$(completion_of "$(last_id)")"

# stdin and stdout are the command's own.
out=$(printf 'one\ntwo\n' | run_guard cat)
check "stdin and stdout pass through" [ "$out" = $'one\ntwo' ]
run_guard sh -c 'echo to-stderr >&2' 2>"$T/err"
check "stderr passes through" grep -qx to-stderr "$T/err"

# Signals sent to guard reach the command.
$WRAP "$GUARD" sleep 30 &
g=$!
wait_for 5 has_child $g sleep
c=$(child_of $g sleep)
check "guard is the parent of the command it runs" [ -n "$c" ]
kill -TERM $g
wait $g
rc=$?
check "SIGTERM sent to guard: guard exits 143" [ $rc -eq 143 ]
check_that "SIGTERM sent to guard: the command died of it" '[ -n "$c" ] && ! kill -0 "$c" 2>/dev/null'
check "SIGTERM sent to guard: the completion says signal 15" \
	jq -e '.signal == 15 and .exit == null' <<<"$(completion_of "$(last_id)")"

# Background jobs of a script ignore SIGINT unless job control is on.
set -m
$WRAP "$GUARD" sleep 30 &
g=$!
wait_for 5 has_child $g sleep
c=$(child_of $g sleep)
kill -INT $g
wait $g
rc=$?
set +m
check_that "SIGINT sent to guard by kill is passed on (the command dies of it)" \
	'[ -n "$c" ] && ! kill -0 "$c" 2>/dev/null'
check "and guard ends as killed by SIGINT (130)" [ $rc -eq 130 ]
check "its completion says signal 2" jq -e '.signal == 2' <<<"$(completion_of "$(last_id)")"

$WRAP "$GUARD" sh -c 'trap "echo got-usr1 >usr1; exit 0" USR1; while :; do sleep 0.1; done' &
g=$!
wait_for 5 has_child $g sh
kill -USR1 $g
wait $g
rc=$?
check_that "SIGUSR1 is passed on to the command" '[ $rc -eq 0 ] && grep -qx got-usr1 usr1'

# A command stopped on its own stops guard; continuing guard continues it.
$WRAP "$GUARD" sh -c 'while [ ! -e go ]; do sleep 0.1; done; echo resumed >out' &
g=$!
wait_for 5 has_child $g sh
c=$(child_of $g sh)
kill -STOP "$c"
wait_for 5 eval '[ "$(state_of $g)" = T ]'
check "a stopped command stops guard (state T)" [ "$(state_of $g)" = T ]
touch go
sleep 0.3
check "the command stays stopped while guard is" [ ! -e out ]
kill -CONT $g
wait $g
rc=$?
check_that "SIGCONT to guard resumes the command to completion" '[ $rc -eq 0 ] && grep -qx resumed out'

# SIGTSTP: guard does not stop by itself but when the command does. Job control
# on, so that the job's process group is not orphaned (the kernel would drop
# SIGTSTP); guard runs in a subshell that keeps its status, as bash's wait
# returns early for a job that has stopped.
set -m
if [ -z "$WRAP" ]; then
	(
		"$GUARD" sh -c 'until test -e go2; do sleep 0.1; done; echo resumed >out2'
		echo $? >rc2
	) &
	sub=$!
	wait_for 5 has_child $sub guard
	g=$(child_of $sub guard)
	wait_for 5 has_child "$g" sh
	kill -TSTP "$g"
	wait_for 5 eval '[ "$(state_of $g)" = T ]'
	check_that "SIGTSTP sent to guard stops the command, then guard" \
		'[ "$(state_of $g)" = T ] && [ "$(state_of "$(child_of $g sh)")" = T ]'
	touch go2
	kill -CONT "$g"
	wait $sub
	check_that "and SIGCONT resumes both" '[ "$(cat rc2)" = 0 ] && grep -qx resumed out2'
else
	# valgrind does not stop a program on SIGTSTP (only on SIGSTOP).
	skip "SIGTSTP sent to guard stops the command, then guard" "not under $WRAP"
	skip "and SIGCONT resumes both" "not under $WRAP"
fi
$WRAP "$GUARD" sh -c 'trap "" TSTP; until test -e go3; do sleep 0.1; done; echo ran-on >out3' &
g=$!
wait_for 5 has_child $g sh
kill -TSTP $g
sleep 0.5
check "a command that ignores SIGTSTP keeps guard running" [ "$(state_of $g)" != T ]
touch go3
wait $g
rc=$?
set +m
check_that "and runs to its end" '[ $rc -eq 0 ] && grep -qx ran-on out3'

# A command that cannot be executed: the same statuses and messages as ever.
run_guard guard-no-such-program-here 2>"$T/err"
check "an unknown program exits 127" [ $? -eq 127 ]
check "and says so" grep -q "guard: guard-no-such-program-here: command not found" "$T/err"
check "its completion says 127" jq -e '.exit == 127' <<<"$(completion_of "$(last_id)")"
printf 'echo not executable\n' >"$T/noexec"
chmod 0644 "$T/noexec"
run_guard "$T/noexec" 2>"$T/err"
check "a file that is not executable exits 126" [ $? -eq 126 ]
check "with the reason" grep -q "guard: cannot execute $T/noexec: Permission denied" "$T/err"
check "its completion says 126" jq -e '.exit == 126' <<<"$(completion_of "$(last_id)")"
printf '#!/nonexistent/interpreter\n' >"$T/badinterp"
chmod 0755 "$T/badinterp"
if [ -z "$WRAP" ]; then
	run_guard "$T/badinterp" 2>"$T/err"
	check "a missing interpreter is an exec failure in the child: 127" [ $? -eq 127 ]
	check "with the reason" grep -q "guard: cannot execute $T/badinterp: No such file or directory" "$T/err"
else
	# valgrind kills a process whose execve fails in a way it did not foresee (101).
	skip "a missing interpreter is an exec failure in the child: 127" "not under $WRAP"
	skip "with the reason" "not under $WRAP"
fi

# Longer than the idle timeout: the report goes on a new connection.
run_guard sh -c 'sleep 3; exit 4' 2>"$T/err"
check "a run longer than the idle timeout keeps its status (4)" [ $? -eq 4 ]
check_that "and its completion is recorded without a warning" \
	'jq -e ".exit == 4" <<<"$(completion_of "$(last_id)")" && ! grep -q "could not record" "$T/err"'

# What is not run is not completed.
before=$(log_lines)
run_guard --check true >/dev/null
check "--check records the decision and no completion" [ "$(log_lines)" -eq $((before + 1)) ]
before=$(log_lines)
run_guard touch deny-me 2>/dev/null
check "a denied command records no completion" [ "$(log_lines)" -eq $((before + 1)) ]

# Protocol: Finished by hand. check_id ARGV_JSON [CHECK]: a decision's id.
check_id() {
	printf '{"method":"io.guard.Check","parameters":{"argv":%s,"cwd":"/","check":%s}}\0' \
		"$1" "${2:-false}" | raw | head -n 1 | jq -r .parameters.id
}
finished() { printf '{"method":"io.guard.Finished","parameters":%s}\0' "$1" | raw "${@:2}"; }

id=$(check_id '["true"]')
out=$(finished "{\"id\":\"$id\",\"exit\":0,\"signal\":null,\"duration_ms\":12}")
check "Finished for an allowed decision answers the completion's id" \
	jq -e -R 'fromjson? | .parameters.id | test("^[0-9a-f]{32}$")' <<<"$(head -n 1 <<<"$out")"
check "the record links to the decision" jq -e '.duration_ms == 12 and .exit == 0' <<<"$(completion_of "$id")"
out=$(printf '{"method":"io.guard.Finished","parameters":{"id":"%s","exit":0,"duration_ms":12}}\0{"method":"io.guard.Status"}\0' "$id" | raw)
check "a second Finished for the same id is refused with NoSuchDecision" \
	grep -q '"error":"io.guard.NoSuchDecision"' <<<"$out"
check "and recorded nothing" [ "$(completion_of "$id" | wc -l)" -eq 1 ]
check "NoSuchDecision keeps the connection (the next call is answered)" grep -q '"decisions"' <<<"$out"

id=$(check_id '["true"]' true)
out=$(finished "{\"id\":\"$id\",\"exit\":0,\"duration_ms\":1}")
check "Finished for a --check decision is refused" grep -q NoSuchDecision <<<"$out"
id=$(check_id '["touch","deny-me"]')
out=$(finished "{\"id\":\"$id\",\"exit\":0,\"duration_ms\":1}")
check "Finished for a denied decision is refused" grep -q NoSuchDecision <<<"$out"
out=$(finished '{"id":"0123456789abcdef0123456789abcdef","exit":0,"duration_ms":1}')
check "Finished for an unknown id is refused" grep -q NoSuchDecision <<<"$out"
id=$(check_id '["true"]')
out=$(finished "{\"id\":\"$id\",\"signal\":9,\"duration_ms\":0}")
check "a signal without exit is accepted" grep -q '"parameters":{"id":' <<<"$out"
check "and recorded" jq -e '.signal == 9 and .exit == null' <<<"$(completion_of "$id")"

id=$(check_id '["true"]')
while read -r name params; do
	out=$(finished "$params")
	check_that "Finished with $name gets InvalidParameter and is closed" \
		'grep -q InvalidParameter <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "<closed>" ]'
done <<CASES
an-unknown-key {"id":"$id","exit":0,"duration_ms":1,"evil":1}
no-id {"exit":0,"duration_ms":1}
a-short-id {"id":"abc","exit":0,"duration_ms":1}
an-uppercase-id {"id":"$(tr a-f A-F <<<"$id")","exit":0,"duration_ms":1}
a-number-id {"id":5,"exit":0,"duration_ms":1}
exit-and-signal {"id":"$id","exit":0,"signal":9,"duration_ms":1}
neither {"id":"$id","exit":null,"signal":null,"duration_ms":1}
exit-256 {"id":"$id","exit":256,"duration_ms":1}
exit-negative {"id":"$id","exit":-1,"duration_ms":1}
exit-string {"id":"$id","exit":"0","duration_ms":1}
exit-real {"id":"$id","exit":1.0,"duration_ms":1}
signal-0 {"id":"$id","signal":0,"duration_ms":1}
signal-65 {"id":"$id","signal":65,"duration_ms":1}
no-duration {"id":"$id","exit":0}
duration-null {"id":"$id","exit":0,"duration_ms":null}
duration-negative {"id":"$id","exit":0,"duration_ms":-1}
duration-over-2^53 {"id":"$id","exit":0,"duration_ms":9007199254740993}
duration-real {"id":"$id","exit":0,"duration_ms":1.5}
CASES
out=$(finished "{\"id\":\"$id\",\"exit\":255,\"duration_ms\":9007199254740992}")
check "after refused calls the decision can still be reported (exit 255, 2^53 ms)" \
	jq -e '.exit == 255 and .duration_ms == 9007199254740992' <<<"$(completion_of "$id")"

# Another uid cannot report someone else's decision.
if [ "$(id -u)" -eq 0 ]; then
	id=$(check_id '["true"]')
	out=$(printf '{"method":"io.guard.Finished","parameters":{"id":"%s","exit":0,"duration_ms":1}}\0' "$id" |
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$RAW" --wait "$RAW_WAIT" "$SOCK")
	check "another uid's Finished for my decision gets NoSuchDecision" grep -q NoSuchDecision <<<"$out"
	check "and records nothing" [ -z "$(completion_of "$id")" ]
	check "guardd says who tried" grep -q "reported the completion of another user's decision $id" "$T/guardd.err"
	out=$(finished "{\"id\":\"$id\",\"exit\":0,\"duration_ms\":1}")
	check "the owner still can" jq -e '.exit == 0' <<<"$(completion_of "$id")"
	out=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARD" sh -c 'exit 9')
	check "a second user's own run is completed (9)" [ $? -eq 9 ]
	check "with the second user's uid" jq -e '.uid == 65534 and .exit == 9' <<<"$(completion_of "$(last_id)")"
else
	for d in "another uid's Finished for my decision gets NoSuchDecision" "and records nothing" \
		"guardd says who tried" "the owner still can" "a second user's own run is completed (9)" \
		"with the second user's uid"; do
		skip "$d" "needs root to become nobody"
	done
fi

# guardd gone when the command ends: a warning, and the command's status.
run_guard sh -c 'kill -TERM "$1"; while [ -e "$2" ]; do sleep 0.1; done; exit 5' sh "$DAEMON_PID" "$SOCK" \
	2>"$T/err"
rc=$?
check "guardd down at completion: the command's status (5)" [ $rc -eq 5 ]
check "and one warning line" [ "$(grep -c "guard: could not record the completion: " "$T/err")" -eq 1 ]
wait "$DAEMON_PID"
check "guardd had stopped cleanly" [ $? -eq 0 ]
DAEMON_PID=
done_testing
