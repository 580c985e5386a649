#!/bin/bash
# guardd --config FILE: a file can set what the options set; a bad file (unknown
# key, wrong type, bad syntax, writable by others) keeps guardd from starting and
# says why; the command line overrides the file.
. "$(dirname "$0")/lib.sh"

policy_shipped

# config NAME < JSON: a configuration file in $T, mode 0644; prints its path.
config() {
	cat >"$T/$1"
	chmod 0644 "$T/$1"
	echo "$T/$1"
}

# start_config SOCKET ARGS...: guardd with only ARGS (no --socket, --policy or
# --audit-log of start_daemon's), ready when status answers on SOCKET.
start_config() {
	local sock=$1
	shift
	(exec $WRAP "$GUARDD" "$@" 2>>"$T/guardd.err") &
	DAEMON_PID=$!
	await_daemon "$sock"
}

# refused FILE: runs guardd --config FILE (with the usual socket, policy and log
# on the command line); its exit status in $rc, its messages in $T/err.
refused() {
	rc=0
	run_guardd --config "$@" --socket "$SOCK" --policy "$POLICY" --audit-log "$LOG" \
		2>"$T/err" || rc=$?
}

# --- A file sets the socket, the policy and the log. ---
good=$(config good.json <<JSON
{
  "policy": "$POLICY",
  "socket": "$SOCK",
  "audit_log": "$LOG",
  "sync": "none",
  "max_connections": 100,
  "max_connections_per_uid": 10,
  "idle_timeout": 5,
  "redact": ["--token=[^ ]+"]
}
JSON
)
# The file names the socket, so $GUARD_SOCKET (the clients' variable) does not count.
if GUARD_SOCKET=$T/elsewhere.sock start_config "$SOCK" --config "$good"; then
	ok "guardd starts with only --config"
	check "it says where its settings come from" grep -q "settings from $good" "$T/guardd.err"
	check "it listens on the file's socket, not \$GUARD_SOCKET's" [ ! -e "$T/elsewhere.sock" ]
	out=$(run_guardctl status)
	check "it uses the file's policy directory" grep -q "policy: *$POLICY: [0-9]* files" <<<"$out"
	check "it writes to the file's decision log" grep -q "decision log: $LOG" <<<"$out"
	run_guard --check ls >/dev/null
	check "it answers" [ $? -eq 0 ]
	check "the decision is in the file's log" [ "$(last_field decision)" = '"allow"' ]
	check "guardd stops cleanly" stop_daemon
else
	not_ok "guardd starts with only --config"
fi

# --- The command line overrides the file. ---
mkdir -p "$T/broken"
chmod 0755 "$T/broken"
echo '{ "rules": [ ] ' >"$T/broken/10-broken.json"
chmod 0644 "$T/broken/10-broken.json"
other=$(config other.json <<JSON
{
  "policy": "$T/broken",
  "socket": "$T/file.sock",
  "audit_log": "$T/file-log.jsonl",
  "sync": "always",
  "max_connections": 1
}
JSON
)
if start_config "$SOCK" --config "$other" --policy "$POLICY" --socket "$SOCK" \
	--audit-log "$LOG" --max-connections 5 --sync none; then
	ok "options override a file whose policy directory is broken"
	check "the socket of the command line is used" [ ! -e "$T/file.sock" ]
	n=$(log_lines)
	run_guard --check ls >/dev/null
	check "the log of the command line is written" [ "$(log_lines)" -eq $((n + 1)) ]
	check "the file's log is not created" [ ! -e "$T/file-log.jsonl" ]
	# The file's max_connections 1 would refuse a second connection.
	"$RAW" --hold 3 "$SOCK" >"$T/h1" &
	h1=$!
	for _ in $(seq 1 $((50 * SLOW))); do grep -q connected "$T/h1" && break; sleep 0.1; done
	run_guard --check ls >/dev/null
	check "--max-connections overrides the file's max_connections" [ $? -eq 0 ]
	kill "$h1" 2>/dev/null
	wait "$h1" 2>/dev/null
	check "guardd stops cleanly" stop_daemon
else
	not_ok "options override a file whose policy directory is broken"
fi

# Patterns of --redact add to the file's; a bad one is a usage error (exit 2).
if start_config "$SOCK" --config "$good" --redact 'secret-[a-z]+' --redact '^-p.+'; then
	ok "guardd starts with --redact added to the file's patterns"
	check "guardd stops cleanly" stop_daemon
else
	not_ok "guardd starts with --redact added to the file's patterns"
fi
run_guardd --config "$good" --redact '(' 2>"$T/err"
rc=$?
check_that "a --redact that is not a regex is a usage error (exit 2)" \
	'[ $rc -eq 2 ] && grep -q "invalid value for --redact: .(.: Unmatched ( or" "$T/err"'
run_guardd --config "$good" --sync sometimes 2>"$T/err"
rc=$?
check_that "--sync sometimes is a usage error (exit 2)" \
	'[ $rc -eq 2 ] && grep -q "invalid value for --sync: sometimes" "$T/err"'

# --- Bad files: guardd refuses to start (exit 1), says why, binds nothing. ---
# expect_refusal DESC FILE PATTERN: guardd --config FILE exits 1 with a line
# matching PATTERN, then "refusing to start", and leaves no socket or log.
expect_refusal() {
	local desc=$1 file=$2 pattern=$3
	rm -f "$LOG"
	refused "$file"
	check_that "$desc: refused (exit 1)" '[ $rc -eq 1 ]'
	check "$desc: the message says why" grep -qF -- "$pattern" "$T/err"
	check "$desc: then that guardd does not start" \
		grep -q "refusing to start: cannot use the configuration file $file" "$T/err"
	check_that "$desc: no socket, no log" '[ ! -e "$SOCK" ] && [ ! -e "$LOG" ]'
}

f=$(config unknown.json <<<'{ "sync": "none", "polcy": "/etc/guard/rules.d" }')
expect_refusal "an unknown key" "$f" "$f: unknown key \"polcy\" (valid: policy, socket,"

f=$(config type.json <<<'{ "syslog": "yes", "max_connections": "10" }')
expect_refusal "a wrong type" "$f" "$f: syslog: expected true or false"
check "every wrong value is reported" \
	grep -qF "$f: max_connections: expected a whole number from 1 to 1000000" "$T/err"

f=$(config range.json <<<'{ "idle_timeout": 0 }')
expect_refusal "a value out of range" "$f" \
	"$f: idle_timeout: expected a number of seconds, more than 0 and at most 86400"

f=$(config relative.json <<<'{ "socket": "guard.sock" }')
expect_refusal "a relative path" "$f" "$f: socket: expected an absolute path"

f=$(config regex.json <<<'{ "redact": ["ok", "(a)\\1"] }')
expect_refusal "a back-reference in redact" "$f" \
	"$f: redact[1]: invalid regex \"(a)\\\\1\": back-references (\"\\1\") are not allowed"

f=$(config syntax.json <<'JSON'
{
  "sync": "none",
}
JSON
)
expect_refusal "a JSON syntax error" "$f" "$f:3:1: string or '}' expected near '}'"

f=$(config writable.json <<<'{}')
chmod 0664 "$f"
expect_refusal "a group-writable file" "$f" \
	"$f: writable by group or others (mode 0664); refusing it"

f=$(config world.json <<<'{}')
chmod 0646 "$f"
expect_refusal "a world-writable file" "$f" \
	"$f: writable by group or others (mode 0646); refusing it"

if [ "$(id -u)" -eq 0 ]; then
	f=$(config nobody.json <<<'{}')
	chown 65534 "$f"
	expect_refusal "a file of another user" "$f" "$f: owned by uid 65534, not by root; refusing it"
else
	skip "a file of another user is refused" "needs root to chown"
fi

expect_refusal "a missing file" "$T/none.json" "$T/none.json: No such file or directory"
expect_refusal "a directory" "$T" "$T: not a regular file; refusing it"

# A broken file beats good options: the file was asked for, so it must be right.
f=$(config unknown2.json <<<'{ "frob": 1 }')
refused "$f" --max-connections 5
check "a bad file is refused even when options would override it" [ "$rc" -eq 1 ]

run_guardd --help >"$T/help"
check "--help shows --config" grep -q -- "--config FILE" "$T/help"
check "--help shows --syslog and --redact" grep -q -- "--syslog-socket PATH" "$T/help"

done_testing
