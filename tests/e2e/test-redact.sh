#!/bin/bash
# Secrets never reach the decision log (nor syslog, which gets the same line): the
# built-in shapes, a site pattern from --redact, and environment values the policy
# reads. The reply to the client is not redacted: the client typed it.
. "$(dirname "$0")/lib.sh"

policy_shipped
policy_file 10-site.json <<'JSON'
{ "rules": [
  { "id": "tokens-seen", "match": { "program": "deploy-tool", "env": { "GITHUB_TOKEN": "*" } },
    "decision": "allow", "message": "deploys with a token are fine" }
] }
JSON
start_daemon --redact 'ticket-pin=([0-9]+)' || { not_ok "guardd starts"; done_testing; }
secrets='hunter2|s3cretpw|pa55word|ghp_[A-Za-z0-9]{36}|AKIAIOSFODNN7EXAMPLE|eyJhbGciOiJIUzI1NiJ9|4242|tok-value-9'

run_guard --check mysql -uroot -phunter2 shop >/dev/null
check "mysql -pSECRET is recorded as -p***" \
	jq -e '.argv == ["mysql","-uroot","-p***","shop"] and .redacted' <(tail -n 1 "$LOG")
run_guard --check psql --password=s3cretpw -h db >/dev/null
check "--password=SECRET keeps the option, hides the value" \
	jq -e '.argv[1] == "--password=***"' <(tail -n 1 "$LOG")
run_guard --check -c 'PGPASSWORD=pa55word pg_dump -h db shop > /tmp/shop.sql' >/dev/null
check "PGPASSWORD=... in a line is hidden" \
	jq -e '.line == "PGPASSWORD=*** pg_dump -h db shop > /tmp/shop.sql"' <(tail -n 1 "$LOG")
run_guard --check git clone https://bob:pa55word@git.example/x.git >/dev/null
check "a URL's password is hidden, the user and host kept" \
	jq -e '.argv[2] == "https://bob:***@git.example/x.git"' <(tail -n 1 "$LOG")
run_guard --check curl -H "Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789" api >/dev/null
run_guard --check aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE >/dev/null
run_guard --check http GET x "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl" >/dev/null
run_guard --check open-door ticket-pin=4242 >/dev/null
check "the site pattern (--redact with a group) hides only the group" \
	jq -e '.argv[1] == "ticket-pin=***"' <(tail -n 1 "$LOG")
GITHUB_TOKEN=tok-value-9 run_guard --check deploy-tool >/dev/null
check "an environment value the policy reads is recorded, hidden by its name" \
	jq -e '.env == {"GITHUB_TOKEN": "***"} and .rule == "tokens-seen"' <(tail -n 1 "$LOG")
check "no secret of the above is anywhere in the log" bash -c "! grep -Eq '$secrets' '$LOG'"
run_guard --check ls -la >/dev/null
check "a record with nothing to hide is not marked" jq -e 'has("redacted") | not' <(tail -n 1 "$LOG")
check "the chain holds over redacted records (guardctl log verify)" run_guardctl log verify "$LOG"
check "guardd stops cleanly" stop_daemon

run_guardd --socket "$T/other.sock" --policy "$POLICY" --audit-log "$T/other.jsonl" \
	--redact 'bad(' 2>"$T/err"
rc=$?
check "a bad site pattern refuses the start" [ $rc -ne 0 ]
check "and says which pattern" grep -q "redact" "$T/err"
done_testing
