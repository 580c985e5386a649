#!/bin/bash
# Each record also goes to syslog (the journal on systemd hosts): a stand-in syslog
# daemon (tests/dgramsink) on a private socket receives exactly the lines of the log.
. "$(dirname "$0")/lib.sh"

SINK_PID=
sink_start() {
	"$BUILD/tests/dgramsink" "$T/log.sock" >>"$T/syslog.out" 2>>"$T/dgramsink.err" &
	SINK_PID=$!
	for _ in $(seq 1 50); do [ -S "$T/log.sock" ] && return 0; sleep 0.1; done
	return 1
}
sink_stop() { [ -z "$SINK_PID" ] || { kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null; SINK_PID=; }; }
trap 'sink_stop; cleanup' EXIT
# wait_lines N: until the sink has printed N lines (datagrams arrive asynchronously).
wait_lines() {
	for _ in $(seq 1 $((30 * SLOW))); do
		[ "$(wc -l <"$T/syslog.out" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

policy_shipped
sink_start || { not_ok "the stand-in syslog daemon starts"; done_testing; }
start_daemon --syslog --syslog-socket "$T/log.sock" || { not_ok "guardd starts"; done_testing; }
run_guard --check ls >/dev/null
run_guard --check rm -rf / >/dev/null 2>&1
check "two decisions make two syslog messages" wait_lines 2
check "each message is the record, as glibc's syslog() frames it" \
	grep -Eq '^<86>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} guardd\[[0-9]+\]: \{"ts":' "$T/syslog.out"
check "an allow is authpriv.info (<86>), a deny authpriv.notice (<85>)" \
	[ "$(cut -c1-4 "$T/syslog.out" | tr '\n' ' ')" = "<86> <85> " ]
check "the message is exactly the log line, seq and prev included" \
	[ "$(sed -n 2p "$T/syslog.out" | sed 's/^[^{]*//')" = "$(sed -n 2p "$LOG")" ]
json=$(run_guardctl --json status)
check "status shows the sink connected with nothing dropped" \
	jq -e '.syslog.connected and .syslog.dropped == 0' <<<"$json"

# The syslog daemon restarts: guardd keeps deciding, and sends again once it is back.
sink_stop
rm -f "$T/log.sock"
run_guard --check ls >/dev/null
check "with no syslog daemon, decisions still go to the log" [ "$(log_lines)" -eq 3 ]
sink_start
sleep 1.2 # the sink tries to reconnect at most once a second
run_guard --check ls >/dev/null
check "after it restarts, records reach it again" wait_lines 3
json=$(run_guardctl --json status)
check "the record sent while it was away is counted as dropped" jq -e '.syslog.dropped == 1' <<<"$json"
check "guardd stops cleanly" stop_daemon

# No syslog daemon at start is no reason not to start.
rm -f "$T/nowhere.sock"
start_daemon --syslog --syslog-socket "$T/nowhere.sock" || not_ok "guardd starts without a syslog daemon"
check "it warns that nothing listens yet" grep -q "nothing listens on $T/nowhere.sock" "$T/guardd.err"
run_guard --check ls >/dev/null
check "and decides" [ "$(log_lines)" -eq 5 ]
check "guardd stops cleanly" stop_daemon
done_testing
