#!/bin/bash
# The decision log's durability: the hash chain across restarts and rotation, a torn
# last line kept aside at start, and kill -9 under load losing no answered decision.
. "$(dirname "$0")/lib.sh"

# prev_of_line FILE N: the hash the record after line N must carry.
hash_of_line() { sed -n "${2}p" "$1" | tr -d '\n' | sha256sum | cut -d' ' -f1; }
# chain_whole FILE [PREV]: every record's prev is the hash of the line before it, and
# seq goes up by one; the first record's prev is PREV (default: genesis).
chain_whole() {
	local file=$1 prev=${2:-0000000000000000000000000000000000000000000000000000000000000000}
	local n i=0 line want seq last=
	n=$(wc -l <"$file")
	while IFS= read -r line; do
		i=$((i + 1))
		[ "$(jq -r .prev <<<"$line")" = "$prev" ] || { echo "line $i: prev differs"; return 1; }
		seq=$(jq -r .seq <<<"$line")
		[ -z "$last" ] || [ "$seq" -eq $((last + 1)) ] || { echo "line $i: seq $seq after $last"; return 1; }
		last=$seq
		prev=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
	done <"$file"
	[ "$i" -eq "$n" ]
}

policy_shipped
start_daemon || { not_ok "guardd starts"; done_testing; }
for _ in 1 2 3; do run_guard --check ls >/dev/null; done
check "three records chain from genesis" chain_whole "$LOG"
check "guardd stops cleanly" stop_daemon

# A restart continues the chain where the file ends.
start_daemon || { not_ok "guardd restarts"; done_testing; }
run_guard --check ls >/dev/null
check "after a restart the chain goes on (seq 4)" [ "$(last_field seq)" = 4 ]
check "and the whole file still chains" chain_whole "$LOG"

# Rotation: logrotate moves the file, SIGUSR1 reopens it; the chain crosses files.
mv "$LOG" "$LOG.1"
kill -USR1 "$DAEMON_PID"
for _ in $(seq 1 $((20 * SLOW))); do grep -q "reopened decision log" "$T/guardd.err" && break; sleep 0.1; done
run_guard --check ls >/dev/null
check "SIGUSR1: a new file is created with mode 0640" [ "$(stat -c %a "$LOG" 2>/dev/null)" = 640 ]
check "the old file is whole and untouched" [ "$(wc -l <"$LOG.1")" -eq 4 ]
check "the new file's first record continues the old one's chain" \
	chain_whole "$LOG" "$(hash_of_line "$LOG.1" 4)"
check "seq goes on across files" [ "$(head -n 1 "$LOG" | jq .seq)" = 5 ]

# guardctl log rotate, then a restart before anything is written: the new, empty file
# must not restart the chain; it goes on from the rotated copy.
out=$(run_guardctl log rotate)
check "guardctl log rotate names the rotated file" grep -q "^rotated: $LOG is now $LOG\.[0-9]" <<<"$out"
rotated=$(ls "$LOG".2* 2>/dev/null | head -n 1)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARDCTL" log rotate 2>"$T/err"
	check "log rotate by someone not an administrator is refused (1)" [ $? -eq 1 ]
else
	skip "log rotate by a non-administrator" "needs root to run as nobody"
fi
check "guardd stops cleanly" stop_daemon
start_daemon || { not_ok "guardd restarts on an empty, just rotated log"; done_testing; }
run_guard --check ls >/dev/null
check "after rotate and restart, seq goes on from the rotated file" \
	[ "$(last_field seq)" = "$(($(tail -n 1 "$rotated" | jq .seq) + 1))" ]
check "and prev is the hash of its last line" \
	[ "$(last_field prev)" = "\"$(hash_of_line "$rotated" "$(wc -l <"$rotated")")\"" ]
check "guardctl log verify checks the rotated and the new file as one chain" \
	run_guardctl log verify "$rotated" "$LOG"
check "guardd stops cleanly" stop_daemon
rm -f "$LOG.1" "$rotated"

# A torn last line (a crash in the middle of a write) is kept aside, never lost.
last_hash=$(hash_of_line "$LOG" 1)
printf '{"ts":"2026-11-25T12:00:00.000000Z","id":"torn' >>"$LOG"
start_daemon || { not_ok "guardd starts on a log with a torn line"; done_testing; }
torn=$(ls "$LOG".torn-* 2>/dev/null | head -n 1)
check "the torn bytes are saved to a .torn- file" [ -n "$torn" ]
check "exactly the torn bytes" [ "$(cat "$torn" 2>/dev/null)" = '{"ts":"2026-11-25T12:00:00.000000Z","id":"torn' ]
check "the log is whole lines again" jq -e -s 'length == 2' "$LOG"
check "a recovery record says so" \
	jq -e -s --arg f "$torn" '.[1] | .type == "recovery" and .torn_bytes == 46 and .saved_to == $f' "$LOG"
check "and continues the chain" [ "$(last_field prev)" = "\"$last_hash\"" ]
check "guardd warned about it" grep -q "torn line" "$T/guardd.err"
run_guard --check ls >/dev/null
check "decisions chain on after the recovery record" chain_whole "$LOG" "$(head -n 1 "$LOG" | jq -r .prev)"

# kill -9 under load: every decision a client received is in the log.
stop_daemon
hammer() { # writes each id the client received, as it arrives
	local out=$1
	while :; do
		id=$("$GUARD" --check --json ls 2>/dev/null | jq -r '.parameters.id // empty' 2>/dev/null) || true
		[ -n "$id" ] && echo "$id" >>"$out"
		[ -e "$T/stop" ] && break
	done
}
lost=0 received_all=0 runs=5
for run in $(seq 1 $runs); do
	rm -f "$T/stop" "$T"/got.*
	start_daemon || { not_ok "guardd starts (run $run)"; break; }
	for k in 1 2 3 4; do hammer "$T/got.$k" & done
	sleep 0.$((3 + run))
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	touch "$T/stop"
	wait
	received=$(cat "$T"/got.* 2>/dev/null | sort -u | wc -l)
	missing=$(cat "$T"/got.* 2>/dev/null | sort -u | while read -r id; do
		grep -q "\"id\":\"$id\"" "$LOG" || echo "$id"; done | wc -l)
	echo "run $run: $received decisions received, $missing of them missing from the log" | diag
	lost=$((lost + missing))
	received_all=$((received_all + received))
done
check "kill -9 under load: no received decision is missing from the log ($received_all received over $runs runs)" \
	[ "$lost" -eq 0 ] && [ "$received_all" -gt 0 ]
start_daemon || not_ok "guardd restarts after kill -9"
check "after the kills the log still chains end to end (guardctl log verify)" run_guardctl log verify "$LOG"
check "guardd stops cleanly" stop_daemon
done_testing
