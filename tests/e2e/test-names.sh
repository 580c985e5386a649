#!/bin/bash
# Names from NSS, however big: a group with thousands of members (more than fits
# the 16 KiB glibc's examples use) still has its name, so a rule on that group
# still matches, and it still works as the admin group and as approvers. Before,
# such a group had no name for guardd and a deny rule on it silently let
# everything through.
. "$(dirname "$0")/lib.sh"

own_group guard-e2e-big "a group too big for 16 KiB"
# 3000 members of 24 bytes: about 72 KiB on the group's line. Members need not
# exist for NSS to list them.
members=$(seq -f "guard-e2e-member-%05g" 1 3000 | paste -sd,)
sed -i "s/^$GROUP:x:$GID:.*/$GROUP:x:$GID:$members/" /etc/group
check_that "the group's entry is over 64 KiB" "[ \$(getent group $GROUP | wc -c) -gt 65536 ]"

policy_shipped
policy_file 10-big.json <<JSON
{ "rules": [
  { "id": "big-group-no-touch", "match": { "program": "touch", "args": ["*big-me*"], "group": "$GROUP" },
    "decision": "deny", "message": "Not for members of the big group." } ] }
JSON
start_daemon --admin-group "$GROUP" || { not_ok "guardd starts with the big group as admin group"; done_testing; }
ok "guardd starts with the big group as admin group"

cd /
W=$T/work
mkdir -p "$W"
chmod 0777 "$W"
out=$(setpriv --reuid=nobody --regid=nogroup --groups="$GID" "$GUARD" --check touch "$W/big-me" 2>&1)
rc=$?
check_that "a member of the big group is denied by the rule on it (exit 1)" \
	'[ $rc -eq 1 ] && grep -q big-group-no-touch <<<"$out"' || diag <<<"$out"
check "the record names the group's rule" jq -e -s 'map(select(.type == "decision")) | .[-1].rule == "big-group-no-touch"' "$LOG"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARD" --check touch "$W/big-me" 2>&1)
check "someone outside it is not" [ $? -eq 0 ]
out=$(setpriv --reuid=nobody --regid=nogroup --groups="$GID" "$GUARDCTL" reload 2>&1)
check "a member of the big admin group may reload" [ $? -eq 0 ]
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARDCTL" reload 2>&1)
rc=$?
check_that "someone outside it may not" '[ $rc -ne 0 ] && grep -q PermissionDenied <<<"$out"'
check "guardd stops cleanly" stop_daemon

done_testing
