#!/bin/bash
# Faults a real guardd must take: one user flooding it with connections (others still
# get decisions, it holds no more than the per-uid cap, does not spin, does not flood
# its own log), clients that leave between request and reply (every decision recorded
# once, nothing left over), and SIGTERM in the middle of a busy load (a clean exit, no
# answered decision missing, a whole log that a new guardd continues).
. "$(dirname "$0")/lib.sh"

# wait_for SEC CMD...: until CMD succeeds, at most SEC seconds (times SLOW).
wait_for() {
	local n=$(($1 * 10 * SLOW))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
# guardd's open connections, as status counts them (this call's own included). Not
# under $WRAP: it is polled, and guardctl under valgrind is tested elsewhere.
connections() { "$GUARDCTL" --json status 2>/dev/null | jq -r '.connections // empty'; }
connections_are() { [ "$(connections)" = "$1" ]; }
# CPU time guardd has used, in clock ticks: utime + stime of /proc/PID/stat (the
# fields after the command name, which is in parentheses).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# decisions_of REGEX: how many decision records there are for each argv[1] matching
# REGEX, one "COUNT MARKER" a line.
decisions_of() {
	jq -r --arg re "$1" 'select(.type == "decision" and (.argv[1] // "" | test($re))) | .argv[1]' "$LOG" |
		sort | uniq -c
}
# exactly_once REGEX N: N markers matching REGEX, each with exactly one decision.
exactly_once() {
	local got
	got=$(decisions_of "$1")
	awk '$1 != 1' <<<"$got"
	[ "$(grep -c . <<<"$got")" -eq "$2" ] && awk '$1 != 1 { bad = 1 } END { exit bad }' <<<"$got"
}
# exited PID: our child PID has ended (it is a zombie until waited for).
exited() { [ ! -e "/proc/$1" ] || [ "$(sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)" = Z ]; }
hash_of_last() { tail -n 1 "$LOG" | tr -d '\n' | sha256sum | cut -d' ' -f1; }
# last_line_whole: the log's last line is complete JSON, and ends in a newline.
last_line_whole() { [ "$(tail -c 1 "$LOG" | od -An -c | tr -d ' ')" = '\n' ] && tail -n 1 "$LOG" | jq -e . >/dev/null; }

# Root asks to run these, and a person of group root must approve (test-approval.sh has
# the whole flow; here only the request matters).
policy_shipped
policy_file 90-faults.json <<'JSON'
{ "rules": [
  { "id": "approve-hangup", "match": { "program": "true", "args": ["approve-hangup-*"] },
    "decision": "approve", "approvers": { "group": "root", "expires": "5m" },
    "message": "A second person approves this." } ] }
JSON
# The default caps (1024 in all, 64 per uid): what a flood meets in production.
start_daemon || { not_ok "guardd starts"; done_testing; }
ok "guardd starts with the default connection caps"

# 1. One uid's flood of connections. Under valgrind guardd is ~20 times slower: fewer.
FLOOD=2000
[ -n "$WRAP" ] && FLOOD=300
# How long one of root's checks may take while the flood is on.
BOUND=5
[ -n "$WRAP" ] && BOUND=15
# timed_check FILE: one check by root within BOUND seconds; "RC MS" appended to FILE.
timed_check() {
	local t0 rc
	t0=$(date +%s%N)
	timeout -k 1 "$BOUND" "$GUARD" --check ls >/dev/null 2>&1
	rc=$?
	echo "$rc $((($(date +%s%N) - t0) / 1000000))" >>"$1"
}
# all_in_time FILE: every check in FILE got its decision (exit 0), within BOUND.
all_in_time() { cat "$1"; [ -s "$1" ] && awk '$1 != 0 { exit 1 }' "$1"; }
flood() {
	local errs_before flooder checker i counts json
	errs_before=$(wc -l <"$T/guardd.err")
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$RAW" --flood "$FLOOD" --hold 60 --wait "$((SLOW > 1 ? 3 : 1))" "$SOCK" \
		>"$T/flood" 2>"$T/flood.err" &
	flooder=$!
	# Root's checks while the connections pour in, until the flood is in place (or 100).
	(
		for i in $(seq 1 100); do
			timed_check "$T/during"
			[ "$i" -ge 3 ] && grep -q '^<flood>' "$T/flood" && break
		done
	) &
	checker=$!
	wait_for 30 grep -q '^<flood>' "$T/flood"
	wait "$checker"
	counts=$(grep '^<flood>' "$T/flood")
	echo "$counts" | diag
	diag <"$T/flood.err"
	# "<flood> connected C refused R closed X other O held H ms M"
	read -r _ _ connected _ refused _ closed _ other _ held _ <<<"$counts"
	awk '{ n++; if ($2 > max) max = $2 } END { printf "root: %d checks while the flood connected and settled, the slowest %d ms\n", n, max }' \
		"$T/during" | diag
	check_that "nobody opens $FLOOD connections, and each one connects" \
		'[ "${connected:-0}" -eq "$FLOOD" ]'
	check_that "guardd keeps 64 of them (the per-uid cap) and refuses the rest" \
		'[ "${held:-0}" -eq 64 ] && [ "$((refused + closed))" -eq "$((FLOOD - 64))" ] && [ "$other" -eq 0 ]'
	check_that "the refused ones are told TooManyConnections" '[ "${refused:-0}" -gt 0 ]'
	check "root's checks get decisions while the flood pours in (each within ${BOUND}s)" \
		all_in_time "$T/during"
	for _ in 1 2 3; do timed_check "$T/holding"; done
	check "and while it holds 64 connections" all_in_time "$T/holding"
	json=$(run_guardctl --json status)
	check "guardctl status answers during the flood" jq -e '.pid > 0' <<<"$json"
	check_that "status: guardd holds no more than 64 of nobody's connections (64 and this call)" \
		'[ "$(jq .connections <<<"$json")" -eq 65 ]'
	if [ -n "$WRAP" ]; then
		skip "guardd does not spin while the flood holds" "CPU time is not measured under $WRAP"
	else
		local t0 t1 hz
		hz=$(getconf CLK_TCK)
		t0=$(cpu_ticks "$DAEMON_PID")
		sleep 2
		t1=$(cpu_ticks "$DAEMON_PID")
		echo "guardd used $((t1 - t0)) ticks of $hz a second in 2 s of the flood" | diag
		check_that "guardd does not spin while the flood holds (under 0.5 s of CPU in 2 s)" \
			'[ "$((t1 - t0))" -lt "$((hz / 2))" ]'
	fi
	local lines refusals
	lines=$(($(wc -l <"$T/guardd.err") - errs_before))
	refusals=$(tail -n "+$((errs_before + 1))" "$T/guardd.err" | grep -c "refusing connection of uid 65534")
	echo "guardd wrote $lines lines to its log for $((FLOOD - 64)) refused connections" | diag
	check "guardd logs that it refuses nobody's connections" [ "$refusals" -gt 0 ]
	check_that "guardd does not flood its own log: $lines lines (at most 5) for $((FLOOD - 64)) refusals" \
		'[ "$lines" -le 5 ]'
	check "status counts every refusal" \
		jq -e --argjson n "$((FLOOD - 64))" '.refused_connections >= $n' <<<"$(run_guardctl --json status)"
	kill "$flooder"
	wait "$flooder"
	check "once the flood ends, guardd's connections drop back to 1 (status's own)" \
		wait_for 5 connections_are 1
	check "nobody gets a decision again after the flood" \
		sh -c "cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups '$GUARD' --check ls >/dev/null"
}
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	flood
else
	skip "one user's flood of connections" "needs root and setpriv to flood as nobody"
fi

# 2. A complete request, then the client leaves before the reply: the decision is
# made and recorded, once, and the connection goes away.
HANGUPS=50
check_req() { printf '{"method":"io.guard.Check","parameters":{"argv":["true","%s"],"cwd":"/"%s}}\0' "$1" "${2:-}"; }
hangup_check() { check_req "hangup-$1" | "$RAW" --hangup "$SOCK"; }
hangup_reload() { printf '{"method":"io.guard.Reload"}\0' | "$RAW" --hangup "$SOCK"; }
hangup_approval() { check_req "approve-hangup-$1" ',"request":true' | "$RAW" --hangup "$SOCK"; }
# one_by_one FROM TO FUNC, in_parallel FROM TO FUNC: FUNC I for each I, in turn or all
# at once (waiting for those only: guardd is a background job too).
one_by_one() { local i; for i in $(seq "$1" "$2"); do "$3" "$i"; done; }
in_parallel() {
	local i pids=()
	for i in $(seq "$1" "$2"); do
		"$3" "$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
}
one_by_one 1 $HANGUPS hangup_check
check "Check then hang up, $HANGUPS times: guardd still answers" run_guard --check ls
check "their connections are gone (status counts 1, its own)" wait_for 5 connections_are 1
# In parallel, below the per-uid cap of 64 so that none is refused.
in_parallel $((HANGUPS + 1)) $((2 * HANGUPS)) hangup_check
check "$HANGUPS more at once: guardd still answers" run_guard --check ls
check "their connections are gone too" wait_for 5 connections_are 1
check "each of the $((2 * HANGUPS)) decisions is in the log exactly once" \
	exactly_once '^hangup-[0-9]+$' $((2 * HANGUPS))
check "guardctl log verify passes" run_guardctl log verify "$LOG"

# Reload, and gone before the reply: the waiter is forgotten, the reload still happens.
reloads=$("$GUARDCTL" --json status | jq .policy.reloads)
policy_file 91-faults.json <<'JSON'
{ "rules": [ { "id": "deny-reloaded", "match": { "program": "true", "args": ["after-reload"] },
    "decision": "deny", "message": "Only after the reload." } ] }
JSON
one_by_one 1 10 hangup_reload
in_parallel 1 10 hangup_reload
reloaded() { [ "$("$GUARDCTL" --json status | jq .policy.reloads)" -gt "$reloads" ]; }
check "Reload then hang up, 20 times: guardd still answers" run_guard --check ls
check "the reloads happen though nobody waits for them" wait_for 5 reloaded
n=$(($("$GUARDCTL" --json status | jq .policy.reloads) - reloads))
echo "$n reloads for 20 calls (calls made during a reload share the next one)" | diag
check_that "no more reloads than calls" '[ "$n" -ge 1 ] && [ "$n" -le 20 ]'
run_guard --check -- true after-reload >/dev/null
check "the new policy is in force" [ $? -eq 1 ]
check "the Reload callers' connections are gone" wait_for 5 connections_are 1
check "a reload with the caller waiting still answers" run_guardctl reload

# Asking for an approval, and gone before the reply: the request stands, recorded once.
APPROVALS=5
one_by_one 1 $APPROVALS hangup_approval
in_parallel $((APPROVALS + 1)) $((2 * APPROVALS)) hangup_approval
check "approval requests then hang up: guardd still answers" run_guard --check ls
check "the requesters' connections are gone" wait_for 5 connections_are 1
check "each approval request's decision is in the log exactly once" \
	exactly_once '^approve-hangup-[0-9]+$' $((2 * APPROVALS))
# Each decision has exactly one request record, and the request is pending.
one_request_each() {
	local d r bad=0
	for d in $(jq -r 'select(.type == "decision" and (.argv[1] // "" | startswith("approve-hangup-"))) | .id' "$LOG"); do
		r=$(jq -r --arg d "$d" 'select(.type == "approval" and .event == "request" and .decision_id == $d) | .request' "$LOG")
		[ "$(grep -c . <<<"$r")" -eq 1 ] || { echo "decision $d: requests '$r'"; bad=1; }
	done
	return $bad
}
check "each has exactly one approval request record" one_request_each
check_that "and each request is pending, once" \
	'[ "$(run_guardctl pending --json | jq "[.requests[] | select(.state == \"pending\" and (.command.argv[1] | startswith(\"approve-hangup-\")))] | length")" -eq $((2 * APPROVALS)) ]'
check "guardctl log verify passes" run_guardctl log verify "$LOG"
check "guardd stops cleanly" stop_daemon

# 3. SIGTERM while busy: clients in loops, and one pipelining many calls on one
# connection. Each line of $T/busy.K: "MARKER EXIT ID" (ID empty without an answer).
rm -f "$T"/busy.* "$T"/pipe.*
start_daemon || { not_ok "guardd starts again"; done_testing; }
busy() {
	local k=$1 n=0 out rc id
	while [ "$n" -lt 5000 ]; do
		n=$((n + 1))
		out=$(timeout -k 1 "$BOUND" "$GUARD" --json --check -- true "busy-$k-$n" 2>/dev/null)
		rc=$?
		id=$(jq -r '.parameters.id // empty' <<<"$out" 2>/dev/null)
		echo "busy-$k-$n $rc $id" >>"$T/busy.$k"
		# Once guardd is gone nothing answers: the loop ends on the first miss.
		[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || break
	done
}
# pipeline NAME N: N Checks sent at once on one connection; the replies go to
# $T/pipe.NAME. Replies queued for it are what shutdown must not lose track of.
pipeline() {
	local i
	for i in $(seq 1 "$2"); do check_req "pipe-$1-$i"; done |
		timeout -k 1 "$BOUND" "$RAW" --wait 0.2 "$SOCK" >"$T/pipe.$1" 2>/dev/null
}
pipelines() {
	local r
	for r in $(seq 1 1000); do
		pipeline "$r" 50
		[ -e "$T/gone" ] && break
	done
}
rm -f "$T/gone"
loops=()
for k in 1 2 3 4; do
	busy "$k" &
	loops+=($!)
done
pipelines &
loops+=($!)
answered() { [ "$(cat "$T"/busy.* 2>/dev/null | awk '$2 == 0' | wc -l)" -ge 40 ]; }
wait_for 10 answered
# One more, large, so that the signal is likely to find calls of it read and unread.
pipeline last 500 &
loops+=($!)
sleep 0.05
kill -TERM "$DAEMON_PID"
t0=$(date +%s%N)
wait_for 5 exited "$DAEMON_PID" || kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
DAEMON_PID=
touch "$T/gone"
wait "${loops[@]}"
echo "guardd exited $rc after SIGTERM, in $ms ms" | diag
check_that "SIGTERM mid-load: guardd exits 0 within $((5 * SLOW)) s" '[ "$rc" -eq 0 ]'
cat "$T"/busy.* >"$T/busy"
total=$(wc -l <"$T/busy")
got=$(awk '$2 == 0 || $2 == 1' "$T/busy" | wc -l)
echo "$total checks by 4 loops: $got answered, $((total - got)) not" | diag
# Each line: an answer (0 or 1) with its id, or exit 3 without one; anything else
# (a hang cut off by timeout is 124) is wrong.
answer_or_3() {
	awk '($2 == 0 || $2 == 1) && $3 != "" { next } $2 == 3 && $3 == "" { next } { print; bad = 1 }
		END { exit bad }' "$T/busy"
}
check "every check either got an answer (0 or 1, with its id) or exit 3; none hung" answer_or_3
ended_on_3() {
	local f
	for f in "$T"/busy.[0-9]; do [ "$(tail -n 1 "$f" | cut -d' ' -f2)" = 3 ] || return 1; done
}
check "each loop ended on a check guardd did not answer (exit 3)" ended_on_3
# Every id a client received; the pipelining client's too.
{
	awk '$3 != "" { print $3 }' "$T/busy"
	grep -ho '"parameters":{"id":"[0-9a-f]*"' "$T"/pipe.* 2>/dev/null | cut -d'"' -f6
} | sort -u >"$T/received"
jq -r 'select(.type == "decision") | .id' "$LOG" | sort -u >"$T/logged"
missing=$(comm -23 "$T/received" "$T/logged" | wc -l)
piped=$(grep -ho '"parameters":{"id"' "$T"/pipe.* 2>/dev/null | wc -l)
echo "$(wc -l <"$T/received") decisions received ($piped by pipelining clients, $(grep -c '"id"' "$T/pipe.last") of the last 500), $missing missing from the log" | diag
check_that "every decision a client received is in the log" \
	'[ "$missing" -eq 0 ] && [ "$got" -gt 0 ] && [ "$piped" -gt 0 ]'
check "the log's last line is complete JSON ending in a newline" last_line_whole
check "guardctl log verify passes" run_guardctl log verify "$LOG"
seq_before=$(last_field seq)
hash_before=$(hash_of_last)
start_daemon || { not_ok "a new guardd starts on the same socket and log"; done_testing; }
ok "a new guardd starts on the same socket and log"
check "it answers" run_guard --check ls
check_that "and continues the chain (seq and prev follow the last record)" \
	'[ "$(last_field seq)" -eq $((seq_before + 1)) ] && [ "$(last_field prev)" = "\"$hash_before\"" ]'
check "guardctl log verify passes over the whole log" run_guardctl log verify "$LOG"
check "guardd stops cleanly" stop_daemon
done_testing
