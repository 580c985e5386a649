# lib.sh: shared by the end-to-end tests. They drive the built binaries: a real
# guardd on a private socket in a temp dir, the real guard and guardctl. Output
# is TAP, so meson counts every case. GUARD_TEST_WRAP (for example
# "valgrind --error-exitcode=99 --leak-check=full") runs our programs under a tool.
set -u
BUILD=${GUARD_BUILD_ROOT:?set by meson}
SRC=${GUARD_SOURCE_ROOT:?set by meson}
WRAP=${GUARD_TEST_WRAP:-}
GUARDD=$BUILD/daemon/guardd
GUARD=$BUILD/client/guard
GUARDCTL=$BUILD/client/guardctl
RAW=$BUILD/tests/rawclient

T=$(mktemp -d /tmp/guard-e2e.XXXXXX)
chmod 0755 "$T"
SOCK=$T/guard.sock
# guard and guardctl find the test daemon the way a user points them at one.
export GUARD_SOCKET=$SOCK
LOG=$T/decisions.jsonl
POLICY=$T/rules.d
DAEMON_PID=
TAP_N=0
TAP_FAILED=0
# Under valgrind everything is ~20 times slower.
SLOW=1
[ -n "$WRAP" ] && SLOW=20

cleanup() {
	if [ -n "$DAEMON_PID" ]; then kill -KILL "$DAEMON_PID" 2>/dev/null; fi
	for m in "$T"/mnt*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
	rm -rf "$T"
}
trap cleanup EXIT

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=1; echo "not ok $TAP_N - $*"; }
diag() { sed 's/^/# /'; }
# jq 1.6's -e exits 0 when there is no input at all, so a check on the JSON of a
# command that printed nothing would pass. With -e, no output is a failure (4).
jq() {
	local a out rc
	for a in "$@"; do
		case $a in
		-e | --exit-status | -[a-zA-Z]*e*)
			out=$(command jq "$@")
			rc=$?
			[ -n "$out" ] || return 4
			printf '%s\n' "$out"
			return "$rc"
			;;
		esac
	done
	command jq "$@"
}
# check DESC CMD...: one case, passing when CMD succeeds. What CMD prints goes
# to stderr, which meson keeps in the log, so it cannot be mistaken for TAP.
check() {
	local desc=$1
	shift
	if "$@" >&2; then ok "$desc"; else not_ok "$desc"; fi
}
# check_that DESC EXPR: one case, passing when the shell expression EXPR,
# evaluated now, succeeds; for cases that need several conditions at once.
check_that() {
	local desc=$1
	if eval "$2" >&2; then ok "$desc"; else not_ok "$desc"; fi
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
done_testing() {
	echo "1..$TAP_N"
	exit $TAP_FAILED
}

run_guardd() { $WRAP "$GUARDD" "$@"; }
run_guard() { $WRAP "$GUARD" "$@"; }
run_guardctl() { $WRAP "$GUARDCTL" "$@"; }

# own_group PREFIX WHAT: for tests that need root to make a second user's world: skips
# the whole test (saying it needs WHAT) unless root with setpriv and groupadd, else
# makes a group of this run's own, PREFIX-PID (another run, the sanitizer or valgrind
# build, may make and remove its own at the same time), removed at exit. Sets GROUP
# and GID.
own_group() {
	if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! command -v groupadd >/dev/null; then
		skip "$2" "needs root, setpriv and groupadd"
		done_testing
	fi
	GROUP=$1-$$
	groupadd "$GROUP" || { not_ok "groupadd $GROUP"; done_testing; }
	trap 'groupdel "$GROUP" 2>/dev/null; cleanup' EXIT
	GID=$(getent group "$GROUP" | cut -d: -f3)
}

# A policy directory made from the shipped packs, with the modes guardd wants
# whatever the checkout's umask was.
# policy_shipped [DIR]: the shipped packs, into DIR (default $POLICY).
policy_shipped() {
	local dir=${1:-$POLICY}
	mkdir -p "$dir"
	cp "$SRC"/policy/rules.d/*.json "$dir"/
	chmod 0755 "$dir"
	chmod 0644 "$dir"/*.json
}

# policy_file NAME < JSON: one more policy file.
policy_file() {
	mkdir -p "$POLICY"
	chmod 0755 "$POLICY"
	cat >"$POLICY/$1"
	chmod 0644 "$POLICY/$1"
}

# start_daemon [ARGS...]: guardd in the background, ready when status answers. Its
# approval requests are kept in $STATE (ARGS may name another --state-dir).
STATE=$T/state
start_daemon() {
	# exec, so that $! is guardd itself and the signals we send reach it.
	# A spool of its own: a test's guardd never takes in the host's break-glass spool.
	(exec $WRAP "$GUARDD" --socket "$SOCK" --policy "$POLICY" --audit-log "$LOG" \
		--spool-dir "$T/spool" --state-dir "$STATE" "$@" \
		2>>"$T/guardd.err") &
	DAEMON_PID=$!
	await_daemon "$SOCK"
}

# await_daemon SOCKET: until the guardd of $DAEMON_PID answers status on SOCKET; fails
# (saying what guardd said) when it dies first or takes more than 5 s (times SLOW).
await_daemon() {
	local i
	for i in $(seq 1 $((50 * SLOW))); do
		if [ -S "$1" ] && "$GUARDCTL" --socket "$1" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "guardd did not come up:" | diag
	diag <"$T/guardd.err"
	return 1
}

# stop_daemon: SIGTERM; succeeds when guardd exits 0 (under valgrind: no errors).
stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	if [ "$rc" -ne 0 ]; then
		echo "guardd exited with $rc" | diag
		diag <"$T/guardd.err"
	fi
	return "$rc"
}

# Number of lines in the decision log.
log_lines() { if [ -f "$LOG" ]; then wc -l <"$LOG"; else echo 0; fi; }
# The last record's field, as jq prints it.
last_field() { tail -n 1 "$LOG" | jq -c ".$1"; }
# The last decision record's field (the whole record without one): a command that
# ran is followed by its completion record. Compact JSON cannot hold this text
# inside a string, where quotes are escaped.
last_decision() { grep '"type":"decision"' "$LOG" | tail -n 1 | jq -c ".${1:-}"; }
