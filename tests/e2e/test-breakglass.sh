#!/bin/bash
# Break-glass: guard --break-glass REASON runs the command without a decision, warns,
# and records it: with guardd (a "break-glass" record with what the policy would have
# said, and the completion linked to it), or, with guardd down, in the spool and syslog,
# which guardd takes in exactly once when it starts, believing the file's owner and not
# its contents. A site can forbid it for everyone or for chosen users.
. "$(dirname "$0")/lib.sh"

policy_file 10-test.json <<'JSON'
{ "rules": [
  { "id": "test-no-marker", "match": { "program": "touch", "args": ["*deny-me*"] },
    "decision": "deny", "message": "Markers named deny-me are not made here.",
    "runbook": "https://wiki.example/runbooks/markers" } ] }
JSON
SPOOL=$T/spool
mkdir -p "$SPOOL"
chmod 1733 "$SPOOL"
export GUARD_SPOOL_DIR=$SPOOL
start_daemon || { not_ok "guardd starts"; done_testing; }
ok "guardd starts"
cd "$T"

RAW_WAIT=0.5
[ -n "$WRAP" ] && RAW_WAIT=5
raw() { "$RAW" --wait "$RAW_WAIT" "$@" "$SOCK"; }
bg_records() { grep '"type":"break-glass"' "$LOG" | jq -c .; }
last_bg() { bg_records | tail -n 1; }
completion_of() { grep "\"decision_id\":\"$1\"" "$LOG" | jq -c .; }
spool_files() { find "$SPOOL" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort; }
# config NAME < JSON: a guardd configuration file in $T, mode 0644; prints its path.
config() {
	cat >"$T/$1"
	chmod 0644 "$T/$1"
	echo "$T/$1"
}
restart() {
	stop_daemon >/dev/null
	start_daemon "$@"
}

# With guardd up: recorded, warned, run, completed.
run_guard --break-glass "INC-42: disk full" touch "$T/deny-me-1" 2>"$T/err"
rc=$?
check "guardd up: the denied command runs under break-glass (exit 0)" [ $rc -eq 0 ]
check "and it ran" [ -e "$T/deny-me-1" ]
check_that "the warning says emergency override, recorded, and the reason" \
	'grep -q "BREAK-GLASS: emergency override" "$T/err" && grep -q "recorded" "$T/err" &&
	 grep -q "INC-42: disk full" "$T/err"'
check "the warning says what the policy would have decided" \
	grep -q "without break-glass: deny by rule test-no-marker" "$T/err"
rec=$(last_bg)
check "a break-glass record with reason, argv and what would have been decided" \
	jq -e --arg t "$T/deny-me-1" '.reason == "INC-42: disk full" and .argv == ["touch", $t] and
	 .would.decision == "deny" and .would.rule == "test-no-marker" and .permitted == true and
	 (.spooled | not)' <<<"$rec"
fields='["ts","id","type","host","uid","user","gid","pid","cwd","argv","program","tty","env","reason","would","permitted","forbidden","policy","seq","prev"]'
check "the record has the documented fields, in order" \
	jq -e --argjson f "$fields" 'keys_unsorted == $f' <<<"$rec"
check_that "it names who, from the kernel" \
	"jq -e --argjson u $(id -u) --arg n $(id -un) '.uid == \$u and .user == \$n and .program == \"$(command -v touch)\"' <<<'$rec'"
id=$(jq -r .id <<<"$rec")
check "the completion links to the break-glass record" \
	jq -e '.type == "completion" and .exit == 0' <<<"$(completion_of "$id")"
check "no decision record was made for it" [ "$(grep -c '"type":"decision"' "$LOG")" -eq 0 ]

run_guard --break-glass "INC-43" sh -c 'exit 7' 2>/dev/null
check "the command's exit status passes through (7)" [ $? -eq 7 ]
check "and the completion says 7" jq -e '.exit == 7' <<<"$(completion_of "$(last_bg | jq -r .id)")"
run_guard --break-glass "INC-44" -c "touch '$T/deny-me-2'" 2>/dev/null
check_that "-c with break-glass: the line runs and the record has the line" \
	'[ -e "$T/deny-me-2" ] && jq -e ".line == \"touch '"'$T/deny-me-2'"'\" and (has(\"argv\") | not)" <<<"$(last_bg)"'

# Bad usage runs nothing.
for args in "--break-glass= touch deny-me-u1" "--break-glass R --check touch deny-me-u1" \
	"--break-glass R --reason X touch deny-me-u1" "--break-glass R --list"; do
	# shellcheck disable=SC2086
	run_guard $args 2>/dev/null
	check "guard $args: bad usage (4)" [ $? -eq 4 ]
done
run_guard --break-glass "$(printf 'two\nlines')" touch deny-me-u1 2>/dev/null
check "a reason with a newline is bad usage (4)" [ $? -eq 4 ]
check "nothing ran for bad usage" [ ! -e deny-me-u1 ]

# The protocol: a reason is required, unknown keys refused.
out=$(printf '{"method":"io.guard.BreakGlass","parameters":{"argv":["true"],"cwd":"/"}}\0' | raw)
check "BreakGlass without a reason: InvalidParameter reason" \
	grep -q '"parameter":"reason"' <<<"$out"
out=$(printf '{"method":"io.guard.BreakGlass","parameters":{"argv":["true"],"cwd":"/","reason":"r","check":true}}\0' | raw)
check "BreakGlass with an unknown key: InvalidParameter" grep -q InvalidParameter <<<"$out"

# Forbidden by the site.
cfg=$(config off.json <<<'{"break_glass": false}')
restart --config "$cfg" || not_ok "guardd restarts with break_glass false"
before=$(bg_records | wc -l)
run_guard --break-glass "INC-50" touch "$T/forbidden-1" 2>"$T/err"
rc=$?
check_that "break_glass false: exit 1 and nothing runs" '[ $rc -eq 1 ] && [ ! -e "$T/forbidden-1" ]'
check "it says it is refused and why" grep -q "break-glass refused: break-glass is disabled on this host" "$T/err"
check "the refused attempt is recorded (permitted false), nothing spooled" \
	jq -e -s --argjson n "$before" 'length == $n + 1 and (.[-1] | .permitted == false and (.forbidden | test("disabled")))' <<<"$(bg_records)"
check "and the spool stays empty" [ -z "$(spool_files)" ]

if [ "$(id -u)" -eq 0 ]; then
	cfg=$(config deny.json <<<'{"break_glass_deny_users": ["nobody", "4242"]}')
	restart --config "$cfg" || not_ok "guardd restarts with break_glass_deny_users"
	out=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$GUARD" --break-glass "INC-51" touch "$T/forbidden-2" 2>&1)
	rc=$?
	check_that "a denied user (nobody): exit 1 and nothing runs" \
		'[ $rc -eq 1 ] && [ ! -e "$T/forbidden-2" ] && grep -q "not allowed for this user" <<<"$out"'
	check "nobody's refused attempt is recorded as nobody's" \
		jq -e '.uid == 65534 and .permitted == false' <<<"$(last_bg)"
	run_guard --break-glass "INC-52" touch "$T/deny-me-3" 2>/dev/null
	check "another user (root) still may" [ -e "$T/deny-me-3" ]
else
	for d in "a denied user (nobody): exit 1 and nothing runs" "nobody's refused attempt is recorded as nobody's" \
		"another user (root) still may"; do
		skip "$d" "needs root to become nobody"
	done
fi

# guardd down: the spool and syslog.
check "guardd stops cleanly" stop_daemon
GITHUB_TOKEN=ghp_spoolsecret run_guard --break-glass "INC-60: guardd is down" touch "$T/deny-me-off-1" 2>"$T/err"
rc=$?
check_that "guardd down: the command runs (exit 0)" '[ $rc -eq 0 ] && [ -e "$T/deny-me-off-1" ]'
check "it says where it was recorded" grep -q "recorded in $SPOOL as" "$T/err"
files=$(spool_files)
check "one entry in the spool, named by its id" grep -qxE '[0-9a-f]{32}\.json' <<<"$files"
entry=$SPOOL/$files
check "the entry is valid JSON with the reason and the request" \
	jq -e '.version == 1 and .reason == "INC-60: guardd is down" and .request.argv[0] == "touch" and (.request | has("reason") | not)' "$entry"
check "the entry carries no environment (tokens would wait on disk)" \
	jq -e '.request | has("env") | not' "$entry"
check "the entry was written whole (no temporary file left)" [ "$(spool_files | wc -l)" -eq 1 ]
spool_id=$(jq -r .spool_id "$entry")
cp -p "$entry" "$T/entry.copy"

# syslog: the real syslog(3) call, caught by a stand-in for /dev/log in a mount
# namespace of its own.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	"$BUILD/tests/dgramsink" -n 1 "$T/devlog.sock" >"$T/syslog.out" &
	sink=$!
	for _ in $(seq 1 50); do [ -S "$T/devlog.sock" ] && break; sleep 0.1; done
	unshare -m sh -c 'mount -t tmpfs tmpfs /dev && ln -s "$1" /dev/log && shift &&
		exec "$@" 2>/dev/null' sh "$T/devlog.sock" "$GUARD" --spool-dir "$T/spool2" \
		--break-glass "INC-61" true
	rc=$?
	mkdir -p "$T/spool2" # not there: nothing may run, nothing goes to syslog
	unshare -m sh -c 'mount -t tmpfs tmpfs /dev && ln -s "$1" /dev/log && shift &&
		exec "$@" 2>/dev/null' sh "$T/devlog.sock" "$GUARD" --spool-dir "$T/spool2" \
		--break-glass "INC-62" true
	for _ in $(seq 1 50); do [ -s "$T/syslog.out" ] && break; sleep 0.1; done
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null
	check "no spool directory: nothing runs (exit 3)" [ $rc -eq 3 ]
	check_that "syslog gets one authpriv.warning line from guard with user, reason and spool id" \
		'[ "$(wc -l <"$T/syslog.out")" -eq 1 ] && grep -q "^<84>.*guard\[[0-9]*\]: break-glass by root (uid 0) in .*: true; reason: INC-62; guardd unreachable, spooled as [0-9a-f]\{32\}" "$T/syslog.out"'
	rm -rf "$T/spool2"
else
	skip "no spool directory: nothing runs (exit 3)" "needs root and unshare for a private /dev/log"
	skip "syslog gets one authpriv.warning line from guard with user, reason and spool id" \
		"needs root and unshare for a private /dev/log"
fi
run_guard --spool-dir "$T/no-such-spool" --break-glass "INC-63" touch "$T/never" 2>"$T/err"
rc=$?
check_that "no spool directory: exit 3, nothing runs, and it says offline break-glass is not enabled" \
	'[ $rc -eq 3 ] && [ ! -e "$T/never" ] && grep -q "break-glass without guardd is not enabled here" "$T/err"'

# A file claiming to be root's, written by nobody; and broken entries.
if [ "$(id -u)" -eq 0 ]; then
	fake=0123456789abcdef0123456789abcdef
	printf '{"version":1,"spool_id":"%s","uid":0,"user":"root","reason":"framed","request":{"argv":["rm","-rf","/"],"cwd":"/"}}' "$fake" |
		setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c "cat >'$SPOOL/$fake.json'"
	check "nobody can leave an entry in the spool" [ -e "$SPOOL/$fake.json" ]
	(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARD" --break-glass "INC-64" true 2>/dev/null)
	check "nobody's own offline break-glass runs" [ $? -eq 0 ]
else
	skip "nobody can leave an entry in the spool" "needs root to become nobody"
	skip "nobody's own offline break-glass runs" "needs root to become nobody"
fi
printf 'not json' >"$SPOOL/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"
ln -s /etc/passwd "$SPOOL/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.json"
head -c 300000 /dev/zero | tr '\0' ' ' >"$SPOOL/cccccccccccccccccccccccccccccccc.json"
ln "$T/entry.copy" "$SPOOL/dddddddddddddddddddddddddddddddd.json"
printf 'junk' >"$SPOOL/junk.txt"
mkfifo "$SPOOL/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.json"
sed 's/"version":1/"version":1,"evil":true/' "$T/entry.copy" >"$SPOOL/ffffffffffffffffffffffffffffffff.json"

# guardd takes the spool in at start, exactly once.
start_daemon || not_ok "guardd starts with a spool"
n=$(bg_records | jq -s --arg s "$spool_id" 'map(select(.spool_id == $s)) | length')
check "the spooled break-glass is recorded once" [ "$n" -eq 1 ]
rec=$(bg_records | jq -c --arg s "$spool_id" 'select(.spool_id == $s)')
check "as spooled, with its reason, time and what would have been decided" \
	jq -e '.spooled == true and .reason == "INC-60: guardd is down" and (.spooled_at | test("Z$")) and .would.decision == "deny" and .would.rule == "test-no-marker" and .permitted == true' <<<"$rec"
check "with the file owner's uid" jq -e --argjson u "$(id -u)" '.uid == $u' <<<"$rec"
if [ "$(id -u)" -eq 0 ]; then
	rec=$(bg_records | jq -c --arg s "$fake" 'select(.spool_id == $s)')
	check_that "an entry claiming uid 0 written by nobody is recorded as nobody's" \
		'jq -e ".uid == 65534 and .user == \"nobody\" and .claimed_uid == 0 and .argv == [\"rm\",\"-rf\",\"/\"]" <<<"$rec"'
	check "nobody's own entry is recorded as nobody's" \
		jq -e -s 'map(select(.reason == "INC-64")) | length == 1 and .[0].uid == 65534' <<<"$(bg_records)"
else
	skip "an entry claiming uid 0 written by nobody is recorded as nobody's" "needs root"
	skip "nobody's own entry is recorded as nobody's" "needs root"
fi
for f in aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json.bad bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.json.bad \
	cccccccccccccccccccccccccccccccc.json.bad dddddddddddddddddddddddddddddddd.json.bad \
	junk.txt.bad eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.json.bad ffffffffffffffffffffffffffffffff.json.bad; do
	check "a refused entry is set aside: $f" [ -e "$SPOOL/$f" -o -L "$SPOOL/$f" ]
done
check "the symbolic link was not followed (/etc/passwd untouched, not recorded)" \
	bash -c '! grep -q "root:x:0" "'"$LOG"'"'
check "each refusal is a spool-refused record with why" \
	jq -e -s 'map(select(.type == "spool-refused")) | length == 7 and (map(.why) | any(test("symbolic link")) and any(test("hard link")) and any(test("larger than")) and any(test("not JSON")) and any(test("not a regular file")) and any(test("unknown key")))' "$LOG"
check "guardd says why it refused them" grep -q "refused (not JSON" "$T/guardd.err"
check "the spool holds only what was set aside" [ -z "$(spool_files | grep -v '\.bad$')" ]
check "guardd still answers" run_guardctl status

# Exactly once across stops: a second start records nothing again.
before=$(bg_records | wc -l)
restart || not_ok "guardd restarts"
check "a restart does not record the spool twice" [ "$(bg_records | wc -l)" -eq "$before" ]

# Killed between the record and the removal: the entry is left as .ingesting and its
# record is in the log. (Made by hand: the copy taken before it was taken in.)
stop_daemon >/dev/null
cp -p "$T/entry.copy" "$SPOOL/$spool_id.json.ingesting"
start_daemon || not_ok "guardd starts after a crash between record and removal"
n=$(bg_records | jq -s --arg s "$spool_id" 'map(select(.spool_id == $s)) | length')
check "an .ingesting entry already in the log is not recorded again" [ "$n" -eq 1 ]
check "and it is removed" [ ! -e "$SPOOL/$spool_id.json.ingesting" ]
check "guardd says so" grep -q "was recorded before a stop; removed" "$T/guardd.err"

# Killed between the rename and the record: taken in once.
stop_daemon >/dev/null
new=$(sed 's/"reason":"INC-60: guardd is down"/"reason":"INC-65"/; s/"spool_id":"[0-9a-f]*"/"spool_id":"0000000000000000000000000000abcd"/' "$T/entry.copy")
printf '%s' "$new" >"$SPOOL/0000000000000000000000000000abcd.json.ingesting"
start_daemon || not_ok "guardd starts after a crash between rename and record"
check "an .ingesting entry not in the log is recorded once" \
	jq -e -s 'map(select(.spool_id == "0000000000000000000000000000abcd")) | length == 1 and .[0].reason == "INC-65"' <<<"$(bg_records)"
check "and removed" [ ! -e "$SPOOL/0000000000000000000000000000abcd.json.ingesting" ]

# SIGHUP looks at the spool again.
run_guard --socket "$T/elsewhere.sock" --break-glass "INC-66" true 2>/dev/null
check "an entry left while guardd runs (guard pointed elsewhere) waits in the spool" \
	[ "$(spool_files | grep -c '\.json$')" -eq 1 ]
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 $((30 * SLOW))); do
	[ "$(spool_files | grep -c '\.json$')" -eq 0 ] && break
	sleep 0.1
done
check "SIGHUP takes it in" jq -e -s 'map(select(.reason == "INC-66")) | length == 1' <<<"$(bg_records)"
check "the chain of the log is intact" run_guardctl log verify "$LOG"
check "guardd stops cleanly" stop_daemon
done_testing
