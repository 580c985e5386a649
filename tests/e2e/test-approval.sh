#!/bin/bash
# Two-person approval: nobody asks, guard waits; root or a member of the approver group
# approves with guardctl, and the very same command then runs, once. Refused: approving
# one's own request (root's too), an outsider (PermissionDenied), another command or
# directory, a second use, an expired request. Requests survive a restart of guardd,
# a broken state file is moved aside, and every step is a record in the log.
. "$(dirname "$0")/lib.sh"

own_group guard-e2e-ap "approval by a second person (two real users)"
# The approver: a uid other than root and nobody, in the group or not.
APPROVER=daemon
getent passwd "$APPROVER" >/dev/null || APPROVER=bin

policy_file 10-test.json <<JSON
{ "rules": [
  { "id": "approve-touch", "match": { "program": "touch", "args": ["*approve-me*"] },
    "decision": "approve", "approvers": { "group": "$GROUP", "expires": "5m" },
    "message": "A second person approves this." },
  { "id": "approve-two", "match": { "program": "touch", "args": ["*two-me*"] },
    "decision": "approve", "approvers": { "group": "$GROUP", "count": 2, "expires": "5m" },
    "message": "Two people approve this." },
  { "id": "approve-short", "match": { "program": "touch", "args": ["*short-me*"] },
    "decision": "approve", "approvers": { "group": "$GROUP", "expires": "2s" },
    "message": "Approve it quickly." },
  { "id": "approve-ghost", "match": { "program": "touch", "args": ["*ghost-me*"] },
    "decision": "approve", "approvers": { "group": "no-such-group-e2e" },
    "message": "Nobody can approve this." } ] }
JSON
start_daemon || { not_ok "guardd starts"; done_testing; }
ok "guardd starts"
W=$T/work
mkdir -p "$W"
chmod 0777 "$W"
cd "$W"

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody_in_group() { setpriv --reuid=nobody --regid=nogroup --groups="$GID" "$@"; }
as_member() { setpriv --reuid="$APPROVER" --regid="$APPROVER" --groups="$GID" "$@"; }
as_outsider() { setpriv --reuid="$APPROVER" --regid="$APPROVER" --clear-groups "$@"; }
ctl() { $WRAP "$GUARDCTL" "$@"; }
guard_() { $WRAP "$GUARD" "$@"; }
# The records of request ID, one event a line.
events() { jq -r --arg id "$1" 'select(.type == "approval" and .request == $id) | .event' "$LOG" | paste -sd' '; }
# The id of the last request nobody made.
last_request() { jq -r 'select(.type == "approval" and .event == "request") | .request' "$LOG" | tail -n 1; }
requests_made() { grep -c '"event":"request"' "$LOG"; }
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
more_requests_than() { [ "$(requests_made)" -gt "$1" ]; }

# --check asks, and makes nothing.
as_nobody "$GUARD" --check touch "$W/approve-me-0" >"$T/out"
rc=$?
check_that "--check of an approve rule exits 2 and makes no request" \
	'[ $rc -eq 2 ] && [ "$(requests_made)" -eq 0 ] && [ ! -e "$STATE/approvals.json" ]'

# nobody asks and waits; root approves; the command runs.
n=$(requests_made)
(as_nobody $WRAP "$GUARD" touch "$W/approve-me-1" 2>"$T/wait1"; echo $? >"$T/rc1") &
wait_for 10 more_requests_than "$n"
id=$(last_request)
check_that "guard says the request's id and what the approver runs" \
	'wait_for 5 grep -q "guardctl approve $id" "$T/wait1"'
check_that "the request is pending, and nobody has run yet" \
	'[ "$(ctl pending --json | jq -r --arg id "$id" ".requests[] | select(.id == \$id) | .state")" = pending ] && [ ! -e "$W/approve-me-1" ]'
check_that "the state file holds it, mode 0600, in a 0700 directory" \
	'jq -e --arg id "$id" ".requests[0].id == \$id" "$STATE/approvals.json" >/dev/null && [ "$(stat -c %a "$STATE/approvals.json")" = 600 ] && [ "$(stat -c %a "$STATE")" = 700 ]'
out=$(as_nobody_in_group "$GUARDCTL" approve "$id" 2>&1)
rc=$?
check_that "the requester cannot approve their own request, even in the group" \
	'[ $rc -eq 1 ] && grep -q "PermissionDenied" <<<"$out" && grep -q "own request" <<<"$out"'
out=$(as_outsider "$GUARDCTL" approve "$id" 2>&1)
rc=$?
check_that "a user outside the approver group gets PermissionDenied" \
	'[ $rc -eq 1 ] && grep -q "org.varlink.service.PermissionDenied" <<<"$out"'
check_that "an outsider does not see the request in pending" \
	'[ "$(as_outsider "$GUARDCTL" pending --json | jq ".requests | length")" -eq 0 ]'
check_that "a member of the group sees it, and may approve it" \
	'as_member "$GUARDCTL" pending --json | jq -e --arg id "$id" ".requests[] | select(.id == \$id) | .may_approve" >/dev/null'
check_that "the requester sees their own request, and may not approve it" \
	'as_nobody "$GUARDCTL" pending --json | jq -e --arg id "$id" ".requests[] | select(.id == \$id) | .may_approve == false" >/dev/null'
out=$(ctl approve "$id" --reason "CHG-42 reviewed")
rc=$?
check_that "root approves another user's request" '[ $rc -eq 0 ] && grep -q "approved request $id of nobody" <<<"$out"'
check_that "nobody's guard runs the command once approved, and exits 0" \
	'wait_for 15 test -s "$T/rc1" && [ "$(cat "$T/rc1")" -eq 0 ] && [ -e "$W/approve-me-1" ]'
check "the request's steps are recorded: request, approve, use" [ "$(events "$id")" = "request approve use" ]
use=$(grep '"type":"decision"' "$LOG" | jq -c --arg id "$id" 'select(.approval == $id and .decision == "allow")')
check_that "the allowing decision names the approval and the approver" \
	'jq -e ".user == \"nobody\" and .approved_by == [\"root\"] and .step == \"approve\" and .answer_ok == true" <<<"$use"'
rec=$(jq -c --arg id "$id" 'select(.type == "approval" and .request == $id and .event == "approve")' "$LOG")
check_that "the approve record: who, whose, why, the rule and the digest" \
	'jq -e --arg h "$(uname -n)" ".uid == 0 and .user == \"root\" and .approver == \"root\" and .requester == \"nobody\" and .requester_uid == 65534 and .rule == \"approve-touch\" and .reason == \"CHG-42 reviewed\" and .host == \$h and (.digest | test(\"^[0-9a-f]{64}\$\")) and .state == \"approved\"" <<<"$rec"'
req=$(jq -c --arg id "$id" 'select(.type == "approval" and .request == $id and .event == "request")' "$LOG")
fields='["ts","id","type","host","uid","user","pid","event","request","rule","requester_uid","requester","group","count","approvals","state","expires","digest","decision_id","program","cwd","env","argv","seq","prev"]'
check "the request record has the documented fields, in order" \
	jq -e --argjson f "$fields" 'keys_unsorted == $f' <<<"$req"
check_that "the request record names the command and the decision that asked" \
	'jq -e --arg w "$W" ".argv == [\"touch\", \"$W/approve-me-1\"] and .cwd == \$w and (.program | test(\"/touch\$\"))" <<<"$req" >/dev/null && [ "$(jq -r .decision_id <<<"$req")" = "$(grep "\"approval\":\"$id\"" "$LOG" | jq -r "select(.decision == \"approve\") | .id")" ]'

# Once used, never again.
as_nobody $WRAP "$GUARD" --approval "$id" touch "$W/approve-me-1" 2>"$T/err"
rc=$?
check_that "a second run with the same approval is refused (exit 1)" \
	'[ $rc -eq 1 ] && grep -q "used already" "$T/err"'

# --no-wait, then --approval ID; another command or directory does not fit.
rm -f "$W/approve-me-2"
as_nobody $WRAP "$GUARD" --no-wait touch "$W/approve-me-2" 2>"$T/err"
rc=$?
check_that "--no-wait: exit 2, prints how to go on" \
	'[ $rc -eq 2 ] && grep -q -- "--approval [0-9a-f]\{32\} -- touch $W/approve-me-2" "$T/err"'
id=$(last_request)
as_nobody $WRAP "$GUARD" --no-wait --approval "$id" touch "$W/approve-me-2" 2>"$T/err"
rc=$?
check_that "--approval with --no-wait before the approval: exit 2, nothing runs" \
	'[ $rc -eq 2 ] && grep -q "not approved yet" "$T/err" && [ ! -e "$W/approve-me-2" ]'
out=$(as_member "$GUARDCTL" approve "$id" --reason ok)
check "a member of the approver group approves" [ $? -eq 0 ]
as_nobody $WRAP "$GUARD" --approval "$id" touch "$W/approve-me-3" 2>"$T/err"
rc=$?
check_that "another command cannot use the approval (deny, exit 1)" \
	'[ $rc -eq 1 ] && grep -q "another request" "$T/err" && [ ! -e "$W/approve-me-3" ]'
(cd / && as_nobody $WRAP "$GUARD" --approval "$id" touch "$W/approve-me-2" 2>"$T/err")
rc=$?
check_that "another directory cannot use the approval" \
	'[ $rc -eq 1 ] && grep -q "another request" "$T/err" && [ ! -e "$W/approve-me-2" ]'
$WRAP "$GUARD" --approval "$id" touch "$W/approve-me-2" 2>"$T/err"
rc=$?
check_that "another user (root) cannot use nobody's approval" \
	'[ $rc -eq 1 ] && [ ! -e "$W/approve-me-2" ]'
as_nobody $WRAP "$GUARD" --approval "$id" touch "$W/approve-me-2" 2>"$T/err"
rc=$?
check_that "the very same request uses it: runs, exit 0" '[ $rc -eq 0 ] && [ -e "$W/approve-me-2" ]' ||
	{ echo "rc=$rc; guard said:" | diag; diag <"$T/err"; jq -c 'select(.type == "approval")' "$LOG" | tail -n 6 | diag; }
check "failed attempts did not spend it: request, approve, use" [ "$(events "$id")" = "request approve use" ]

# root's own request: root may approve others', never its own.
$WRAP "$GUARD" --no-wait touch "$W/approve-me-root" 2>/dev/null
id=$(last_request)
out=$(ctl approve "$id" 2>&1)
rc=$?
check_that "root cannot approve its own request" '[ $rc -eq 1 ] && grep -q "PermissionDenied" <<<"$out"'
as_member "$GUARDCTL" approve "$id" >/dev/null
check "a member approves root's request" [ $? -eq 0 ]

# Two approvals from two people.
(as_nobody $WRAP "$GUARD" touch "$W/two-me" 2>"$T/wait2"; echo $? >"$T/rc2") &
# The request record itself: the decision record names the rule too.
two_request() { jq -r 'select(.event == "request" and .rule == "approve-two") | .request' "$LOG"; }
has_two_request() { [ -n "$(two_request)" ]; }
wait_for 10 has_two_request
id=$(two_request)
as_member "$GUARDCTL" approve "$id" >"$T/out"
check_that "one of two approvals: still pending, nothing runs" \
	'grep -q "another member" "$T/out" && sleep 2.5 && [ ! -e "$W/two-me" ] && [ ! -s "$T/rc2" ]' ||
	{ echo "request id '$id'; guard's exit: $(cat "$T/rc2" 2>/dev/null); it said:" | diag; diag <"$T/wait2"; }
out=$(as_member "$GUARDCTL" approve "$id" 2>&1)
rc=$?
check_that "the same person cannot approve twice" '[ $rc -eq 1 ] && grep -q "already" <<<"$out"'
ctl approve "$id" >/dev/null
check_that "the second approval lets it run" \
	'wait_for 15 test -s "$T/rc2" && [ "$(cat "$T/rc2")" -eq 0 ] && [ -e "$W/two-me" ]'

# A rejection ends the wait with the approver's reason.
(as_nobody $WRAP "$GUARD" touch "$W/approve-me-rejected" 2>"$T/wait3"; echo $? >"$T/rc3") &
n=$(requests_made)
wait_for 10 more_requests_than "$n"
id=$(last_request)
wait_for 10 grep -q "$id" "$T/wait3"
as_member "$GUARDCTL" reject "$id" --reason "not during the freeze" >/dev/null
check_that "rejected: guard exits 1 with the approver's reason, nothing runs" \
	'wait_for 15 test -s "$T/rc3" && [ "$(cat "$T/rc3")" -eq 1 ] && grep -q "rejected by $APPROVER: not during the freeze" "$T/wait3" && [ ! -e "$W/approve-me-rejected" ]'
out=$(ctl approve "$id" 2>&1)
rc=$?
check_that "a rejected request cannot be approved (RequestClosed, exit 1)" \
	'[ $rc -eq 1 ] && grep -q "io.guard.RequestClosed" <<<"$out"'
check "the rejection is recorded with its reason" \
	jq -e -s --arg id "$id" 'map(select(.request == $id and .event == "reject"))[0] | .reason == "not during the freeze" and .approver != null' "$LOG"

# Expiry.
as_nobody $WRAP "$GUARD" --no-wait touch "$W/short-me-1" 2>/dev/null
id=$(last_request)
sleep 3
check_that "an expired request is recorded as expired by guardd itself" \
	'wait_for 5 grep -q "\"event\":\"expire\",\"request\":\"$id\"" "$LOG"'
out=$(ctl approve "$id" 2>&1)
rc=$?
check_that "approving an expired request: RequestExpired, exit 1" \
	'[ $rc -eq 1 ] && grep -q "io.guard.RequestExpired" <<<"$out"'
out=$(ctl approve 0123456789abcdef0123456789abcdef 2>&1)
rc=$?
check_that "approving an unknown request: NoSuchRequest, exit 1" \
	'[ $rc -eq 1 ] && grep -q "io.guard.NoSuchRequest" <<<"$out"'
as_nobody $WRAP "$GUARD" touch "$W/short-me-2" 2>"$T/err"
rc=$?
check_that "a waiting guard whose request expires exits 2" \
	'[ $rc -eq 2 ] && grep -q "expired" "$T/err" && [ ! -e "$W/short-me-2" ]'

# A group that does not exist: nobody could approve, so no request is made.
n=$(requests_made)
as_nobody $WRAP "$GUARD" touch "$W/ghost-me" 2>"$T/err"
rc=$?
check_that "an approver group that does not exist: exit 2, says so, makes nothing" \
	'[ $rc -eq 2 ] && grep -q "does not exist" "$T/err" && [ "$(requests_made)" -eq "$n" ]'

# Limits: 16 open requests a user.
for i in $(seq 1 16); do as_nobody "$GUARD" --no-wait touch "$W/approve-me-lim$i" 2>/dev/null; done
as_nobody "$GUARD" --no-wait touch "$W/approve-me-lim17" 2>"$T/err"
rc=$?
check_that "a user's 17th open request is refused (exit 2), with how to go on" \
	'[ $rc -eq 2 ] && grep -q "16 open approval requests" "$T/err"'
as_nobody "$GUARDCTL" reject "$(last_request)" >/dev/null
check "the requester may withdraw a request" [ $? -eq 0 ]
as_nobody "$GUARD" --no-wait touch "$W/approve-me-lim18" 2>/dev/null
check "... which makes room for another" [ $? -eq 2 ]
for r in $(ctl pending --json | jq -r '.requests[] | select(.requester == "nobody") | .id'); do
	as_nobody "$GUARDCTL" reject "$r" >/dev/null
done

# Restart with a request pending: kept, then approved and used, never twice.
(as_nobody $WRAP "$GUARD" touch "$W/approve-me-restart" 2>"$T/wait4"; echo $? >"$T/rc4") &
n=$(requests_made)
wait_for 10 more_requests_than "$n"
id=$(last_request)
check "guardd stops with a request pending" stop_daemon
sleep 2.5 # the waiting guard finds nobody at least once
start_daemon
check_that "after the restart the request is still pending" \
	'[ "$(ctl pending "$id" --json | jq -r ".requests[0].state")" = pending ]'
ctl approve "$id" >/dev/null
check_that "the waiting guard went on across the restart and runs the command" \
	'wait_for 15 test -s "$T/rc4" && [ "$(cat "$T/rc4")" -eq 0 ] && [ -e "$W/approve-me-restart" ]'
check "... and said guardd was away meanwhile" grep -q "still waiting" "$T/wait4"
check "nothing was made twice: request, approve, use" [ "$(events "$id")" = "request approve use" ]

# Ctrl-C stops waiting and leaves the request open.
n=$(requests_made)
# exec: $! is guard itself (setpriv and a wrapper exec too), as Ctrl-C would reach it.
(exec setpriv --reuid=nobody --regid=nogroup --clear-groups $WRAP "$GUARD" \
	touch "$W/approve-me-int" 2>"$T/wait5") &
gpid=$!
wait_for 10 more_requests_than "$n"
id=$(last_request)
wait_for 10 grep -q "waiting for the approval" "$T/wait5"
kill -INT "$gpid"
wait "$gpid"
rc=$?
check_that "Ctrl-C: guard stops waiting and dies of SIGINT, saying how to go on" \
	'[ $rc -eq 130 ] && grep -q -- "--approval $id -- touch" "$T/wait5"'
check "... and the request stays open" \
	[ "$(ctl pending "$id" --json | jq -r '.requests[0].state')" = pending ]

# On a terminal, a countdown.
if command -v script >/dev/null; then
	as_nobody script -qec "$GUARD touch $W/short-me-tty" "$W/typescript" >/dev/null 2>&1
	check "on a terminal guard counts down while it waits" grep -q "[0-9]:[0-9][0-9] left" "$W/typescript"
else
	skip "countdown on a terminal" "no script(1)"
fi

# Every record so far is in one unbroken chain; every step has its record.
check "the log's chain verifies" ctl log verify "$LOG"
check "every approval record has ts, id, host, uid, user, event, request, rule, digest" \
	jq -e -s 'map(select(.type == "approval")) | length > 0 and all(.ts and .id and .host and has("uid") and has("user") and .event and .request and .rule and .digest)' "$LOG"

# guardctl report counts the approval steps, as the records say.
n_of() { jq -s --arg e "$1" 'map(select(.type == "approval" and .event == $e)) | length' "$LOG"; }
report=$(ctl report --json)
check "report counts the approval requests, approvals, rejections, expiries and uses" \
	jq -e --argjson q "$(n_of request)" --argjson a "$(n_of approve)" --argjson r "$(n_of reject)" \
	--argjson x "$(n_of expire)" --argjson u "$(n_of use)" \
	'.approvals == {requested: $q, approved: $a, rejected: $r, expired: $x, used: $u} and $a > 0 and $u > 0' <<<"$report"
touch_approved=$(jq -s 'map(select(.type == "approval" and .event == "approve" and .rule == "approve-touch")) | length' "$LOG")
check_that "report: approve-touch approved $touch_approved times, by rule" \
	"jq -e '.rules[\"approve-touch\"].approved == $touch_approved and .rules[\"approve-touch\"].approval_used > 0' <<<'$report' >/dev/null"
table=$(ctl log --type approval)
check "guardctl log shows each approval step, its request and requester" \
	grep -qE "approval approve +approve-touch +\(request [0-9a-f]{12} of nobody\)" <<<"$table"
check "the request step shows the command" grep -qE "approval request.*\(request [0-9a-f]{12} of nobody\) touch $W/approve-me" <<<"$table"
check "report's table has the approval line" sh -c "$GUARDCTL report | grep -q '^Approval requests: [0-9]* made, [0-9]* approved'"

# A state file that cannot be trusted is moved aside, with a record; guardd starts.
stop_daemon
echo '{"version":1,"requests":[{"id":"forged"}]}' >"$STATE/approvals.json"
start_daemon
check "a broken state file does not stop guardd" [ -n "$DAEMON_PID" ]
check_that "it is moved aside, kept whole, and a recovery record says where" \
	'ls "$STATE"/approvals.json.broken-* >/dev/null && grep -q forged "$STATE"/approvals.json.broken-* && tail -n 1 "$LOG" | jq -e ".type == \"recovery\" and (.saved_to | test(\"broken\"))" >/dev/null'
check "guardd says so on stderr" grep -q "cannot be used" "$T/guardd.err"
stop_daemon
chmod 0777 "$STATE"
(exec timeout 20 $WRAP "$GUARDD" --socket "$SOCK" --policy "$POLICY" --audit-log "$LOG" --state-dir "$STATE" \
	--spool-dir "$T/spool" 2>"$T/err")
rc=$?
check_that "a state directory others may write: guardd refuses to start" \
	'[ $rc -ne 0 ] && grep -q "not be writable by group or others" "$T/err"'

done_testing
