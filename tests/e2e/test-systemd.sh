#!/bin/bash
# systemd: the units pass systemd-analyze verify; guardd serves on a socket systemd
# passes (socket activation, here by systemd-socket-activate, the tool systemd ships
# for exactly this) and tells the service manager when it is ready, reloading and
# stopping (sd_notify protocol, read by a stand-in datagram receiver).
. "$(dirname "$0")/lib.sh"

policy_shipped

# The units, rendered with this build's guardd so that verify finds the binary.
if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=[^ ]*/guardd|ExecStart=$GUARDD|" "$BUILD/systemd/guardd.service" >"$T/guardd.service"
	cp "$SRC/systemd/guardd.socket" "$T/guardd.socket"
	(cd "$T" && systemd-analyze verify --man=no ./guardd.socket ./guardd.service) 2>"$T/verify.err"
	rc=$?
	check "systemd-analyze verify passes on guardd.socket and guardd.service" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || diag <"$T/verify.err"
	score=$(cd "$T" && systemd-analyze security --offline=true ./guardd.service 2>/dev/null |
		sed -n 's/.*Overall exposure level for guardd.service: \([0-9.]*\).*/\1/p')
	echo "systemd-analyze security: exposure $score" | diag
	check "the service is hardened (exposure at most 2.0 of 10)" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
	# The unit's SystemCallFilter= must let guardd install its own filter and then
	# make every call that filter allows: expand the unit's groups as systemd does.
	expand_groups() {
		local item sub
		for item in "$@"; do
			case $item in
			@*) systemd-analyze syscall-filter "$item" 2>/dev/null |
				sed -n '2,$s/^ *\([@a-z0-9_-]*\).*/\1/p' |
				while read -r sub; do [ -n "$sub" ] && expand_groups "$sub"; done ;;
			*) echo "$item" ;;
			esac
		done
	}
	unit=$T/guardd.service
	comm -23 <(expand_groups $(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$unit") | sort -u) \
		<(expand_groups $(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$unit") | sort -u) >"$T/unit-allows"
	# What a sanitizer or valgrind needs besides is not the unit's business.
	"$GUARDD" --list-syscalls | grep -v "# relaxed" >"$T/guardd-allows"
	missing=$( (echo seccomp; cut -f1 "$T/guardd-allows") | sort -u | comm -23 - "$T/unit-allows" | paste -sd' ')
	check_that "the unit allows seccomp(2) and all $(wc -l <"$T/guardd-allows") calls guardd allows itself${missing:+ (missing: $missing)}" \
		"[ -z '$missing' ] && [ $(wc -l <"$T/unit-allows") -gt 100 ]"
else
	skip "systemd-analyze verify" "systemd-analyze is not installed"
	skip "systemd-analyze security" "systemd-analyze is not installed"
	skip "the unit allows what guardd's own filter allows" "systemd-analyze is not installed"
fi

if ! command -v systemd-socket-activate >/dev/null; then
	skip "socket activation" "systemd-socket-activate is not installed"
	done_testing
fi
"$BUILD/tests/dgramsink" "$T/notify.sock" >"$T/notify.out" 2>/dev/null &
SINK=$!
trap 'kill $SINK 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done

# systemd-socket-activate listens, and starts guardd with the socket on the first call.
NOTIFY_SOCKET=$T/notify.sock systemd-socket-activate -E NOTIFY_SOCKET -l "$SOCK" \
	$WRAP "$GUARDD" --policy "$POLICY" --audit-log "$LOG" 2>>"$T/guardd.err" &
DAEMON_PID=$!
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
check "before the first call, nothing but the socket exists (no log yet)" [ ! -e "$LOG" ]
run_guard --check ls >/dev/null
check "the first call starts guardd on the passed socket, and is decided" [ $? -eq 0 ]
check "and recorded" [ "$(log_lines)" -eq 1 ]
check "guardd says the socket was passed by systemd" grep -q "(passed by systemd)" "$T/guardd.err"
json=$(run_guardctl --json status)
check "status names the passed socket's path" jq -e --arg s "$SOCK" '.socket == $s' <<<"$json"
for _ in $(seq 1 $((30 * SLOW))); do grep -q READY "$T/notify.out" && break; sleep 0.1; done
check "guardd told the service manager READY=1" grep -q '^READY=1' "$T/notify.out"
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 $((30 * SLOW))); do [ "$(grep -c READY "$T/notify.out")" -ge 2 ] && break; sleep 0.1; done
check "a reload is RELOADING=1, then READY=1" \
	[ "$(tr '\n' ' ' <"$T/notify.out" | sed 's/\\nSTATUS=deciding//')" = "READY=1 RELOADING=1 READY=1 " ]
check "guardd stops cleanly" stop_daemon
check "and says STOPPING=1" grep -q '^STOPPING=1' "$T/notify.out"
check "the socket systemd owns is left in place" [ -S "$SOCK" ]
rm -f "$SOCK"

# What systemd passes must be one listening Unix stream socket; anything else is refused.
sh -c 'LISTEN_PID=$$ LISTEN_FDS=2 exec "$@"' sh $WRAP "$GUARDD" --policy "$POLICY" \
	--audit-log "$LOG" --socket "$T/other.sock" 2>"$T/err" 3</dev/null 4</dev/null
check "two passed fds: guardd refuses to start" [ $? -ne 0 ]
check "and says why" grep -q "LISTEN_FDS" "$T/err"
sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"' sh $WRAP "$GUARDD" --policy "$POLICY" \
	--audit-log "$LOG" --socket "$T/other.sock" 2>"$T/err" 3<"$POLICY/50-git.json"
check "a passed fd that is a file, not a socket: refused" [ $? -ne 0 ]
# LISTEN_PID of another process: not meant for guardd, which opens its own socket.
LISTEN_PID=1 LISTEN_FDS=1 start_daemon || not_ok "guardd starts on its own socket"
check "LISTEN_PID of another process is ignored: guardd listens itself" [ -S "$SOCK" ]
check "guardd stops cleanly" stop_daemon
done_testing
