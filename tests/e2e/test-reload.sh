#!/bin/bash
# Reload: SIGHUP and guardctl reload; all or nothing; only root or the admin
# group; Checks answered all the while.
. "$(dirname "$0")/lib.sh"

policy_shipped
policy_file 10-site.json <<'JSON'
{ "rules": [ { "id": "site-no-touch-a", "match": { "program": "touch", "args": ["*a-file*"] },
               "decision": "deny", "message": "not a-file" } ] }
JSON
admin_args=()
if [ "$(id -u)" -eq 0 ]; then
	groupadd -f guard-e2e-admins
	admin_args=(--admin-group guard-e2e-admins)
fi
start_daemon "${admin_args[@]}" || { not_ok "guardd starts"; done_testing; }
rev0=$("$GUARDCTL" --json status | jq -r .policy.revision)

run_guard --check touch a-file >/dev/null
check "before the reload the site rule denies" [ $? -eq 1 ]

policy_file 10-site.json <<'JSON'
{ "rules": [ { "id": "site-no-touch-b", "match": { "program": "touch", "args": ["*b-file*"] },
               "decision": "deny", "message": "not b-file" } ] }
JSON
out=$(run_guardctl reload)
check "guardctl reload succeeds" [ $? -eq 0 ]
check "guardctl reload reports the new revision" grep -q "reloaded: revision" <<<"$out"
rev1=$("$GUARDCTL" --json status | jq -r .policy.revision)
check "status shows a new revision" [ "$rev0" != "$rev1" ]
run_guard --check touch a-file >/dev/null
check "after the reload the old rule is gone" [ $? -eq 0 ]
run_guard --check touch b-file >/dev/null
check "after the reload the new rule denies" [ $? -eq 1 ]
check "records carry the revision in force" [ "$(last_field policy)" = "\"$rev1\"" ]
check "guardd logs the reload" grep -q "policy reloaded from" "$T/guardd.err"

# A broken policy: refused as a whole, the previous one stays.
printf '{ "rules": [ { "id": "x", "match": { "flgs": [] }, "decision": "deny" } ] }\n' >"$POLICY/20-broken.json"
chmod 0644 "$POLICY/20-broken.json"
out=$(run_guardctl reload 2>&1)
rc=$?
check "a reload of a broken policy exits 1" [ $rc -eq 1 ]
check "the caller gets every error with its file" grep -q "$POLICY/20-broken.json: rules\[0\]" <<<"$out"
check "the daemon's log gets the errors too" grep -q "20-broken.json: rules\[0\]" "$T/guardd.err"
check "the previous policy stays in force" \
	[ "$("$GUARDCTL" --json status | jq -r .policy.revision)" = "$rev1" ]
run_guard --check touch b-file >/dev/null
check "and keeps deciding" [ $? -eq 1 ]
json=$(run_guardctl --json reload 2>/dev/null)
check "--json reload shows the error list" jq -e '.error == "io.guard.PolicyInvalid" and (.parameters.errors | length) >= 1' <<<"$json"

chmod 0666 "$POLICY/20-broken.json"
printf '{ "rules": [] }\n' >"$POLICY/20-broken.json"
out=$(run_guardctl reload 2>&1)
check "a policy file others can write is refused on reload" grep -q "writable by group or others" <<<"$out"
chmod 0644 "$POLICY/20-broken.json"

kill -HUP "$DAEMON_PID"
for _ in $(seq 1 $((50 * SLOW))); do
	[ "$("$GUARDCTL" --json status | jq .policy.reloads)" -ge 2 ] && break
	sleep 0.1
done
check "SIGHUP reloads" [ "$("$GUARDCTL" --json status | jq .policy.reloads)" -ge 2 ]
check "the SIGHUP reload is logged" grep -q "received SIGHUP, reloading" "$T/guardd.err"

if [ "$(id -u)" -eq 0 ]; then
	out=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARDCTL" reload 2>&1)
	rc=$?
	check "a user outside the admin group gets PermissionDenied" \
		grep -q "org.varlink.service.PermissionDenied" <<<"$out"
	check "and exit 1" [ $rc -eq 1 ]
	check "the refusal is logged" grep -q "refused io.guard.Reload to pid .* uid 65534" "$T/guardd.err"
	gid=$(getent group guard-e2e-admins | cut -d: -f3)
	out=$(cd / && setpriv --reuid=nobody --regid=nogroup --groups="$gid" "$GUARDCTL" reload 2>&1)
	check "a member of the admin group may reload" [ $? -eq 0 ]
else
	skip "PermissionDenied for other users" "needs root to become nobody"
fi

# Under load: checks keep being answered, none fails, while reloads run.
if [ -x "$BUILD/bench/guard-bench" ]; then
	"$BUILD/bench/guard-bench" --socket "$SOCK" -c 4 -n $((2000 / SLOW)) --json >"$T/bench.json" 2>"$T/bench.err" &
	bench=$!
	for i in $(seq 1 10); do
		touch "$POLICY/10-site.json"
		run_guardctl reload >/dev/null 2>&1 || echo "reload $i failed" >>"$T/reload.err"
	done
	wait $bench
	check "reloads under load all succeed" [ ! -s "$T/reload.err" ]
	check "under load every check is answered (no errors)" \
		jq -e -s 'all(.errors == 0 and .connect_failed == 0)' "$T/bench.json"
	check "the load got its decisions" jq -e -s 'all(.calls > 0)' "$T/bench.json"
else
	skip "reload under load" "guard-bench not built"
fi
check "guardd stops cleanly" stop_daemon
[ "$(id -u)" -eq 0 ] && groupdel guard-e2e-admins 2>/dev/null
done_testing
