#!/bin/bash
# Reading the decision log: guardctl log (filters, table, --json, -n, rotated files,
# --follow across a rotation), guardctl log verify (a whole chain, then copies with a
# line altered, deleted, inserted, swapped, broken or torn), and guardctl report,
# against the log a real guardd wrote.
. "$(dirname "$0")/lib.sh"

policy_shipped
policy_file 10-site.json <<'JSON'
{ "rules": [
  { "id": "site-confirm-touch", "match": { "program": "touch", "args": ["*confirm-me*"] },
    "decision": "confirm", "message": "Touching this needs a confirmation." },
  { "id": "site-reason-mkdir", "match": { "program": "mkdir", "args": ["*reason-me*"] },
    "decision": "reason", "reason_pattern": "^INC-[0-9]+$", "message": "Name the incident." },
  { "id": "site-watch-echo", "mode": "dry-run", "match": { "program": "echo" },
    "decision": "deny", "message": "Watching echo." }
] }
JSON
start_daemon || { not_ok "guardd starts"; done_testing; }
cd "$T"
host=$(uname -n)
me=$(id -un)

# glog ARGS...: guardctl log; gjson ARGS...: its --json output. pjson is gjson never
# under GUARD_TEST_WRAP: each filter's code runs wrapped in test-logtools and in the
# wrapped calls here, and a wrapped call costs a second or two under valgrind.
glog() { run_guardctl log "$@"; }
gjson() { run_guardctl log --json "$@"; }
pjson() { "$GUARDCTL" log --json "$@"; }
# count_jq FILTER [FILES...]: how many records of the log (default: $LOG) FILTER selects.
count_jq() {
	local f=$1
	shift
	cat "${@:-$LOG}" | jq -s "map(select($f)) | length"
}
count_lines() { wc -l | tr -d ' '; }

# The decisions: allowed runs, denials, --check queries, a line, human steps, dry-run.
run_guard true
run_guard rm -rf / 2>/dev/null
run_guard --check rm -rf / >/dev/null
run_guard --check ls >/dev/null
run_guard -c 'ls / | wc -l' >/dev/null
run_guard --check printf $'two\nlines' '$(id)' >/dev/null
run_guard touch "$T/confirm-me-1" </dev/null >/dev/null 2>&1
run_guard --confirm "$host" touch "$T/confirm-me-2"
run_guard --confirm "wrong" touch "$T/confirm-me-3" 2>/dev/null
run_guard --reason INC-42 mkdir "$T/reason-me-1"
run_guard --reason nope mkdir "$T/reason-me-2" 2>/dev/null
run_guard echo watched >/dev/null
n=$(log_lines)
check "guardd wrote the records ($n)" [ "$n" -ge 12 ]

# ---- guardctl log -------------------------------------------------------------
check "--json without FILE prints guardd's log as it is" diff <(gjson) "$LOG"
check "a FILE given prints the same" diff <(gjson "$LOG") "$LOG"
out=$(glog)
rc=$?
check_that "the table: exit 0, a heading and one row per record" \
	'[ $rc -eq 0 ] && [ "$(count_lines <<<"$out")" -eq $((n + 1)) ]'
check "the table names the columns" grep -q '^TIME (UTC) *USER *DECISION *RULE *COMMAND$' <<<"$out"
check_that "the denied rm -rf / is a row with its user, decision, rule and command" \
	'grep -E "^[0-9-]{10} [0-9:]{8}  $me +deny +fs-rm-root +rm -rf /\$" <<<"$out"'
check "a --check query is marked" grep -qE 'deny \(check\) +fs-rm-root +rm -rf /$' <<<"$out"
check "argv is shell-quoted, a newline escaped" grep -qF "printf \$'two\\nlines' '\$(id)'" <<<"$out"
check "a shell line is shown as the line" grep -qF 'ls / | wc -l' <<<"$out"
check "a reason given is shown" grep -qF '[reason: INC-42]' <<<"$out"
check "a dry-run match is shown" grep -qF '[dry-run: site-watch-echo would deny]' <<<"$out"

check "--decision deny: exactly the denials" \
	[ "$(pjson --decision deny | count_lines)" -eq "$(count_jq '.decision == "deny"')" ]
check "--decision deny: and nothing else" \
	jq -e -s 'length >= 4 and all(.decision == "deny")' <(pjson --decision deny)
check "--decision takes a list and repeats" \
	[ "$(pjson --decision deny,confirm --decision reason | count_lines)" -eq \
		"$(count_jq '.decision == "deny" or .decision == "confirm" or .decision == "reason"')" ]
check "--rule fs-rm-root: the run and the check" \
	jq -e -s 'length == 2 and all(.rule == "fs-rm-root")' <(pjson --rule fs-rm-root)
check "--rule: a rule seen only in dry_run is not the record's rule" \
	[ "$(pjson --rule site-watch-echo | count_lines)" -eq 0 ]
check "--check: only the queries" \
	jq -e -s 'length == 3 and all(.check == true)' <(pjson --check)
check "--no-check: everything else" \
	[ "$(pjson --no-check | count_lines)" -eq "$(count_jq '.check != true')" ]
check "--program rm by base name" \
	jq -e -s 'length == 2 and all(.argv[0] == "rm")' <(pjson --program rm)
check "--program by path" \
	[ "$(pjson --program "$(command -v touch)" | count_lines)" -eq "$(count_jq '.argv[0] == "touch"')" ]
check "--program ls finds the shell line" \
	jq -e -s 'any(.line == "ls / | wc -l")' <(pjson --program ls --type decision)
check "--user NAME" [ "$(pjson --user "$me" | count_lines)" -eq "$(count_jq ".user == \"$me\"")" ]
check "--user UID" [ "$(pjson --user "$(id -u)" | count_lines)" -eq "$(count_jq ".uid == $(id -u)")" ]
check "--user of nobody here" [ "$(pjson --user no-such-user-x | count_lines)" -eq 0 ]
check "--host" [ "$(pjson --host "$host" | count_lines)" -eq "$(count_jq ".host == \"$host\"")" ]
check "--host elsewhere" [ "$(pjson --host elsewhere.example | count_lines)" -eq 0 ]
check "--type decision" [ "$(pjson --type decision | count_lines)" -eq "$(count_jq '.type == "decision"')" ]
check "--type completion" [ "$(pjson --type completion | count_lines)" -eq "$(count_jq '.type == "completion"')" ]
id=$(grep '"argv":\["true"\]' "$LOG" | head -n 1 | jq -r .id)
check "--id: the decision and its completion, if any" \
	[ "$(pjson --id "$id" | count_lines)" -eq "$(count_jq ".id == \"$id\" or .decision_id == \"$id\"")" ]
check "--id: the decision first" [ "$(gjson --id "$id" | head -n 1 | jq -r .id)" = "$id" ]
check "--since 1h: everything" [ "$(pjson --since 1h | count_lines)" -eq "$n" ]
check "--until 1h: nothing" [ "$(pjson --until 1h | count_lines)" -eq 0 ]
first_ts=$(head -n 1 "$LOG" | jq -r .ts)
check "--since the first record's time includes it" [ "$(pjson --since "$first_ts" | count_lines)" -eq "$n" ]
check "--until the first record's time excludes it" [ "$(pjson --until "$first_ts" | count_lines)" -eq 0 ]
check "--since tomorrow's date: nothing" [ "$(pjson --since "$(date -d tomorrow +%F)" | count_lines)" -eq 0 ]
check "-n 3: the last three matches" diff <(gjson -n 3) <(tail -n 3 "$LOG")
check "--last 2 with a filter" diff <(gjson --last 2 --decision deny) <(grep '"decision":"deny","rule"' "$LOG" | tail -n 2)
out=$(gjson --rule fs-rm-root --no-check --user "$me" --since 1h --until "$(date -d tomorrow +%F)" \
	--program rm --decision deny --host "$host" --type decision)
rc=$?
check_that "every filter at once (exit 0)" \
	'[ $rc -eq 0 ] && jq -e -s "length == 1 and .[0].check == false and .[0].rule == \"fs-rm-root\"" <<<"$out"'

run_guardctl log --since yesterday-ish >/dev/null 2>"$T/err"
check "a time that is not one: exit 4" [ $? -eq 4 ]
check "and says what it takes" grep -q "not a time" "$T/err"
run_guardctl log --decision maybe >/dev/null 2>&1
check "an unknown decision: exit 4" [ $? -eq 4 ]
run_guardctl log --json verify >/dev/null 2>&1
check "'verify' after an option is not taken as a file: exit 4" [ $? -eq 4 ]
run_guardctl log "$T/no-such.jsonl" >/dev/null 2>"$T/err"
check "a file that cannot be read: exit 1" [ $? -eq 1 ]
check "and says which" grep -q "no-such.jsonl" "$T/err"
check "log --help lists the filters" grep -q -- "--program NAME" <(run_guardctl log --help)

# A record that is not one is skipped with a note, not fatal.
cp "$LOG" "$T/noisy.jsonl"
echo 'not a record' >>"$T/noisy.jsonl"
gjson "$T/noisy.jsonl" >"$T/out" 2>"$T/err"
rc=$?
check_that "a line that is not a record is skipped with a note" \
	'[ $rc -eq 0 ] && [ "$(count_lines <"$T/out")" -eq "$n" ] && grep -q "1 line is not" "$T/err"'

# ---- guardctl log verify -----------------------------------------------------------
out=$(run_guardctl log verify)
check "verify: guardd's whole log passes (exit 0)" [ $? -eq 0 ]
check "verify: the summary names the records, seqs and last hash" \
	grep -qE "^OK: $n records, seq 1\\.\\.$n, last hash $(tail -n 1 "$LOG" | tr -d '\n' | sha256sum | cut -d' ' -f1)\$" <<<"$out"
check "verify --json" jq -e --argjson n "$n" '.ok == true and .records == $n and .last_seq == $n' \
	<(run_guardctl log verify --json)

# Copies of the log, each with one kind of damage: the first problem, its line, exit 1.
cp "$LOG" "$T/good.jsonl"
deny_line=$(grep -n '"argv":\["rm","-rf","/"\],"program"' "$LOG" | grep -v '"check":true' | head -n 1 | cut -d: -f1)
# verify_copy NAME WANT: verify $T/NAME exits 1 and prints exactly WANT. Unwrapped, as
# pjson: every kind of problem is found wrapped in test-logtools.
verify_copy() {
	local got rc
	got=$("$GUARDCTL" log verify "$T/$1")
	rc=$?
	[ "$rc" -eq 1 ] && [ "$got" = "$2" ] || { echo "exit $rc, got: $got; want: $2"; return 1; }
}
sed "${deny_line}s/\"decision\":\"deny\"/\"decision\":\"allow\"/" "$T/good.jsonl" >"$T/altered.jsonl"
check "altered: a deny turned allow is found on its own line ($deny_line)" \
	verify_copy altered.jsonl "$T/altered.jsonl:$deny_line: line $deny_line was altered (its hash does not match line $((deny_line + 1))'s prev)"
sed '5d' "$T/good.jsonl" >"$T/deleted.jsonl"
check "deleted: the cut is found before line 5" \
	verify_copy deleted.jsonl "$T/deleted.jsonl:5: 1 record missing before line 5 (seq jumps from 4 at line 4 to 6)"
sed '7,8d' "$T/good.jsonl" >"$T/deleted2.jsonl"
check "two lines deleted: counted" \
	verify_copy deleted2.jsonl "$T/deleted2.jsonl:7: 2 records missing before line 7 (seq jumps from 6 at line 6 to 9)"
sed "6r /dev/stdin" "$T/good.jsonl" <<<"$(sed -n 2p "$T/good.jsonl")" >"$T/inserted.jsonl"
check "inserted: a copy of line 2 after line 6 is line 7, inserted" \
	verify_copy inserted.jsonl "$T/inserted.jsonl:7: line 7 was inserted (line 8 continues the chain from line 6)"
{ sed -n 1,3p "$T/good.jsonl"; sed -n 5p "$T/good.jsonl"; sed -n 4p "$T/good.jsonl"; sed -n '6,$p' "$T/good.jsonl"; } >"$T/swapped.jsonl"
check "swapped: lines 4 and 5" \
	verify_copy swapped.jsonl "$T/swapped.jsonl:4: lines 4 and 5 are swapped (seq 5 comes before seq 4)"
sed '3s/.*/{"ts": oops/' "$T/good.jsonl" >"$T/broken.jsonl"
check "not JSON: line 3" \
	verify_copy broken.jsonl "$T/broken.jsonl:3: line 3 is not a JSON record (invalid value at byte 8)"
sed '2s/,"prev":"[0-9a-f]*"}$/}/' "$T/good.jsonl" >"$T/noprev.jsonl"
check "no prev: line 2" verify_copy noprev.jsonl "$T/noprev.jsonl:2: line 2 has no prev"
cp "$T/good.jsonl" "$T/torn.jsonl"
printf '{"ts":"2026-11-25T12:00:00.000000Z","id":"torn' >>"$T/torn.jsonl"
check "a torn last line" \
	verify_copy torn.jsonl "$T/torn.jsonl:$((n + 1)): line $((n + 1)) is incomplete: 46 bytes without a newline at the end (a torn write)"
run_guardctl log verify --json "$T/swapped.jsonl" >"$T/out"
check "verify --json on a problem: exit 1, file, line and text" \
	jq -e --arg f "$T/swapped.jsonl" '.ok == false and .file == $f and .line == 4 and (.problem | test("swapped"))' "$T/out"
{ sed -n 1,5p "$T/good.jsonl" >"$T/part1.jsonl"; sed -n '6,$p' "$T/good.jsonl" >"$T/part2.jsonl"; }
check "two files given in order chain on" grep -q "^OK: $n records" <(run_guardctl log verify "$T/part1.jsonl" "$T/part2.jsonl")
out=$(run_guardctl log verify "$T/part2.jsonl")
rc=$?
check_that "a file that starts mid-chain is checked from its first line, and says so" \
	'[ $rc -eq 0 ] && grep -qx "$T/part2.jsonl: starts after seq 5 of an earlier file (not checked)" <<<"$out" && grep -q "^OK: $((n - 5)) records, seq 6\\.\\.$n" <<<"$out"'
out=$(run_guardctl log verify "$T/part2.jsonl" "$T/part1.jsonl")
check "files out of order are a problem" [ $? -eq 1 ]

# ---- guardctl report -----------------------------------------------------------------
run_guardctl report --json >"$T/report.json"
check "report --json: exit 0" [ $? -eq 0 ]
check "report: the rule that stopped rm -rf / once (the check is not counted)" \
	jq -e '.rules["fs-rm-root"].stopped == 1' "$T/report.json"
check "report: checks counted apart" jq -e '.checks == 3' "$T/report.json"
check "report: confirmation asked once, confirmed once, refused once" \
	jq -e '.rules["site-confirm-touch"] | .confirm_asked == 1 and .confirmed == 1 and .confirm_wrong == 1 and .stopped == 1' "$T/report.json"
check "report: the reason given is listed, the refused one is not" \
	jq -e '.rules["site-reason-mkdir"] | .reason_given == 1 and .reason_rejected == 1 and .reasons == {"INC-42": 1}' "$T/report.json"
check "report: the dry-run rule would have denied echo" \
	jq -e '.rules["site-watch-echo"] | .dry_run == 1 and .dry_run_decisions == {"deny": 1} and .stopped == 0' "$T/report.json"
check "report: the commands most often stopped" \
	jq -e '.top_stopped | any(.command == "rm" and .stopped == 1) and any(.command == "touch")' "$T/report.json"
check "report: no user or uid anywhere in it" \
	jq -e --arg me "$me" '[.. | objects | keys[]] + [.. | strings] | all(. != "user" and . != "uid" and . != $me)' "$T/report.json"
out=$(run_guardctl report)
check "report: a table per rule" grep -qE '^fs-rm-root +1 +0 ' <<<"$out"
check "report: reasons given" grep -qF 'site-reason-mkdir: INC-42 (1)' <<<"$out"
check "report: commands most often stopped" grep -A3 'Commands most often stopped' <<<"$out" | grep -qE '^ +1  rm$'
check "report --since the future: nothing counted" jq -e '.records == 0' <(run_guardctl report --json --since "$(date -d tomorrow +%F)")

# ---- rotated files and --follow -------------------------------------------------------
# exec, so that $! is guardctl itself and the signal below reaches it.
(exec $WRAP "$GUARDCTL" log --json -f >"$T/follow.out" 2>"$T/follow.err") &
follower=$!
# wait_for CMD...: until CMD succeeds (at most 10 s, times SLOW).
wait_for() {
	local i
	for i in $(seq 1 $((100 * SLOW))); do "$@" && return 0; sleep 0.1; done
	return 1
}
followed_at_least() { [ "$(count_lines <"$T/follow.out")" -ge "$1" ]; }
wait_for followed_at_least "$n"
check "--follow first prints what is there" diff <(head -n "$n" "$T/follow.out") "$LOG"
run_guard --check --json ls >"$T/reply1"
id1=$(jq -r .parameters.id "$T/reply1")
check "--follow prints a new record as it is written" wait_for grep -q "\"id\":\"$id1\"" "$T/follow.out"
# logrotate's way: move the file, tell guardd to reopen.
mv "$LOG" "$LOG.1"
kill -USR1 "$DAEMON_PID"
wait_for grep -q "reopened decision log" "$T/guardd.err"
run_guard --check --json ls >"$T/reply2"
id2=$(jq -r .parameters.id "$T/reply2")
check "--follow goes on in the new file after a rotation" wait_for grep -q "\"id\":\"$id2\"" "$T/follow.out"
kill "$follower" 2>/dev/null
wait "$follower" 2>/dev/null
check "--follow printed every record once, in order" diff "$T/follow.out" <(cat "$LOG.1" "$LOG")

# Without FILE, the rotated files are read too, oldest first.
printf 'compressed' | gzip >"$LOG.2.gz"
printf '{"ts":"torn' >"$LOG.torn-20261125T120000Z"
check "rotated files are read in order" diff <(gjson 2>"$T/err") <(cat "$LOG.1" "$LOG")
check "a compressed one is skipped with a note" grep -q "not reading $LOG.2.gz (compressed" "$T/err"
check "a torn-bytes file is not a record file (no note)" [ "$(grep -c torn "$T/err")" -eq 0 ]
check "verify follows the chain across the rotation" \
	grep -q "^OK: $((n + 2)) records, seq 1\\.\\.$((n + 2))" <(run_guardctl log verify 2>/dev/null)
check "report reads them too" jq -e --argjson n "$((n + 2))" '.records == $n' <(run_guardctl report --json 2>/dev/null)

# The chain cannot see lines cut off its end; guardd's own count can.
head -n -1 "$LOG" >"$T/cut" && cat "$T/cut" >"$LOG"
out=$(run_guardctl log verify 2>/dev/null)
rc=$?
check_that "verify: a record cut off the live file's end is found (guardd's seq)" \
	'[ $rc -eq 1 ] && grep -q "1 record missing at the end (guardd has written up to seq $((n + 2)), the log ends at seq $((n + 1)))" <<<"$out"'

check "guardd stops cleanly" stop_daemon
done_testing
