#!/bin/bash
# A raw client breaking the protocol gets an error or is dropped, and the daemon
# goes on answering everybody else.
. "$(dirname "$0")/lib.sh"

policy_shipped
start_daemon --idle-timeout 2 --max-connections-per-uid 4 --max-connections 8 ||
	{ not_ok "guardd starts"; done_testing; }

raw() { "$RAW" "$@" "$SOCK"; }
# still_answers: a well-behaved client gets its decision.
still_answers() { run_guard --check ls >/dev/null; }

out=$(printf '{"method":"org.varlink.service.GetInfo"}\0' | raw)
check "GetInfo answers with the product" grep -q '"product":"guardd"' <<<"$out"
check "GetInfo lists io.guard" grep -q '"io.guard"' <<<"$out"
check "a good call keeps the connection open" [ "$(tail -n 1 <<<"$out")" = "<open>" ]

out=$(printf '{"method":"io.guard.Status"}\0{"method":"io.guard.Status"}\0' | raw)
check "two pipelined calls get two replies in order" [ "$(grep -c '"decisions"' <<<"$out")" -eq 2 ]

out=$(printf '{"method": "io.guard.Check", "parameters": {"argv": ["ls"], \0' | raw)
check "bad JSON gets a ProtocolError" grep -q '"error":"io.guard.ProtocolError"' <<<"$out"
check "bad JSON closes the connection" [ "$(tail -n 1 <<<"$out")" = "<closed>" ]
check "guardd still answers after bad JSON" still_answers

out=$(printf '[1,2,3]\0' | raw)
check_that "a call that is not an object is refused and closed" \
	'grep -q ProtocolError <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "<closed>" ]'

out=$(printf '{"method":"io.guard.Nope","parameters":{}}\0' | raw)
check "an unknown method gets MethodNotFound" \
	grep -q '"error":"org.varlink.service.MethodNotFound"' <<<"$out"
check "MethodNotFound names the method" grep -q '"method":"io.guard.Nope"' <<<"$out"
check "guardd still answers after an unknown method" still_answers

out=$(printf '{"method":"io.guard.Check","parameters":{"argv":["ls"],"cwd":"/","evil":1}}\0' | raw)
check "an unknown parameter gets InvalidParameter naming it" \
	grep -q '"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"evil"' <<<"$out"
check "an unknown parameter closes the connection" [ "$(tail -n 1 <<<"$out")" = "<closed>" ]

out=$(printf '{"method":"io.guard.Status","parameters":{"verbose":true}}\0' | raw)
check "Status with a parameter gets InvalidParameter naming it" \
	grep -q '"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"verbose"' <<<"$out"

out=$(printf '{"method":"io.guard.Check","parameters":{"argv":["ls"],"cwd":"/"},"oneway":true}\0' | raw)
check "an unknown key in the call is refused" grep -q ProtocolError <<<"$out"

while read -r name params; do
	out=$(printf '{"method":"io.guard.Check","parameters":%s}\0' "$params" | raw)
	check_that "Check with $name gets InvalidParameter, never a decision" \
		'grep -q InvalidParameter <<<"$out" && ! grep -q "\"decision\"" <<<"$out"'
done <<'CASES'
argv-missing {"cwd":"/"}
argv-empty {"argv":[],"cwd":"/"}
argv-number {"argv":[1],"cwd":"/"}
argv-string {"argv":"rm -rf /","cwd":"/"}
argv-null-entry {"argv":["rm",null],"cwd":"/"}
cwd-missing {"argv":["ls"]}
cwd-relative {"argv":["ls"],"cwd":"tmp"}
program-relative {"argv":["ls"],"cwd":"/","program":"bin/ls"}
tty-number {"argv":["ls"],"cwd":"/","tty":5}
check-string {"argv":["ls"],"cwd":"/","check":"yes"}
CASES

out=$(printf '{"method":"io.guard.Check","parameters":{"argv":["ls\\u0000x"],"cwd":"/"}}\0' | raw)
check "an escaped NUL inside a string is refused" grep -q ProtocolError <<<"$out"
out=$(printf '{"method":"io.guard.Check","method":"io.guard.Status"}\0' | raw)
check "duplicate keys are refused" grep -q ProtocolError <<<"$out"
before=$(log_lines)
out=$(printf '{"method":"io.guard.Check","parameters":{"argv":["rm","-rf","/\xff\xfe"],"cwd":"/"}}\0' | raw)
check "invalid UTF-8 gets an error, not a decision" grep -q '"error":"io.guard.ProtocolError"' <<<"$out"
check "and closes the connection" [ "$(tail -n 1 <<<"$out")" = "<closed>" ]
nest=$(printf '[%.0s' $(seq 5000))
out=$(printf '{"method":"io.guard.Check","parameters":{"argv":%s}}\0' "$nest" | raw)
check "JSON nested 5000 deep gets an error, never a crash" grep -q '"error":' <<<"$out"
out=$(printf '{"method":"io.guard.Check","parameters":{"argv":["ls"],"cwd":"/","env":{"A":{"b":[[[1]]]}}}}\0' | raw)
check "a value of the wrong type deep inside is InvalidParameter" grep -q InvalidParameter <<<"$out"
check "none of these was decided or recorded" [ "$(log_lines)" -eq "$before" ]
check "guardd still answers after them" still_answers

big=$(head -c 70000 /dev/zero | tr '\0' 'a')
out=$(printf '{"method":"io.guard.Check","parameters":{"argv":["%s"],"cwd":"/"}}\0' "$big" | raw)
check "a message over 64 KiB gets MessageTooLarge" grep -q '"error":"io.guard.MessageTooLarge"' <<<"$out"
check "an oversized message closes the connection" [ "$(tail -n 1 <<<"$out")" = "<closed>" ]
out=$(head -c 200000 /dev/zero | tr '\0' 'a' | raw)
check_that "an endless message without NUL is cut off at the limit" \
	'grep -q MessageTooLarge <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "<closed>" ]'
check "guardd still answers after oversized messages" still_answers

before=$(log_lines)
printf '{"method":"io.guard.Check","parameters":{"argv":["touch","x"],"cwd":"/"' | raw --hangup
printf '{"method":"io.guard.Check","parameters":{"argv":["ls"],"cwd":"/"}}' | raw --hangup
check "guardd still answers after clients hang up mid-message" still_answers
check "a message cut off by a hang-up is never decided" [ "$(log_lines)" -eq $((before + 1)) ]

args=$(seq 1 4097 | sed 's/.*/"a"/' | paste -sd,)
out=$(printf '{"method":"io.guard.Check","parameters":{"argv":[%s],"cwd":"/"}}\0' "$args" | raw)
check "more than 4096 arguments is refused" grep -q InvalidParameter <<<"$out"

out=$(printf '{"method":"io.guard.Status"}\0' | raw --wait 4)
check "an idle connection is closed after the idle timeout" [ "$(tail -n 1 <<<"$out")" = "<closed>" ]
# A byte every 0.7 s for 4.2 s: each keeps the line busy, none completes a message.
out=$( (printf '{"method":'; for _ in 1 2 3 4 5 6; do sleep 0.7; printf ' '; done
	printf '"io.guard.Status"}\0') | raw)
check_that "a client that dribbles its message is dropped after the idle timeout" \
	'! grep -q decisions <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "<closed>" ]' ||
	diag <<<"$out"

# Connection caps: 4 per uid, 8 in all.
holders=()
for i in 1 2 3 4; do
	"$RAW" --hold 6 "$SOCK" >"$T/hold$i" &
	holders+=($!)
done
for i in 1 2 3 4; do
	for _ in $(seq 1 50); do grep -q connected "$T/hold$i" && break; sleep 0.1; done
done
sleep 0.3
out=$(printf '{"method":"io.guard.Status"}\0' | raw)
check "the fifth connection of one uid is refused with TooManyConnections" \
	grep -q '"error":"io.guard.TooManyConnections"' <<<"$out"
if [ "$(id -u)" -eq 0 ]; then
	out=$(printf '{"method":"io.guard.Status"}\0' | setpriv --reuid=nobody --regid=nogroup --clear-groups "$RAW" "$SOCK")
	check "another uid is not held to the first uid's cap" grep -q '"decisions"' <<<"$out"
	out=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$GUARD" --socket "$SOCK" --check ls >/dev/null; echo $?)
	check "a second user gets decisions" [ "$out" -eq 0 ]
	check_that "the record names the second user from the kernel" \
		'[ "$(last_field user)" = "\"nobody\"" ] && [ "$(last_field uid)" = 65534 ]'
else
	skip "another uid is not held to the first uid's cap" "needs root to become nobody"
	skip "a second user gets decisions" "needs root to become nobody"
	skip "the record names the second user from the kernel" "needs root to become nobody"
fi
wait "${holders[@]}"
check "after the held connections close, the uid may connect again" still_answers
check "guardd stops cleanly" stop_daemon
done_testing
