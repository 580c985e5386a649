/* method-finished.c: io.guard.Finished: guard reports how a command that a decision
 * let run has ended, and the completion record links to that decision. Only the
 * uid that got the decision may report it, only once, and only for a decision that
 * allowed a run (recent.h); everything else is NoSuchDecision, without saying
 * which, so ids of other users' decisions cannot be probed. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "conn.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "recent.h"
#include "record.h"

/* The largest integer every JSON reader holds exactly. */
#define FINISHED_MAX_DURATION_MS (INT64_C(1) << 53)
#define FINISHED_MAX_SIGNAL      64 /* SIGRTMAX on Linux */

struct report {
	const char *id; /* the decision's */
	int exit;       /* -1: null */
	int signal;     /* 0: null */
	int64_t duration_ms;
};

static bool is_id(const char *s)
{
	return s && strlen(s) == RECORD_ID_LEN && strspn(s, "0123456789abcdef") == RECORD_ID_LEN;
}

/* An integer in [lo, hi] into *ret; absent or null leaves *ret alone. */
static int get_int(json_t *params, const char *key, json_int_t lo, json_int_t hi, bool nullable,
		   json_int_t *ret)
{
	json_t *v = json_object_get(params, key);
	if (!v || json_is_null(v))
		return nullable ? 0 : -EINVAL;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return -EINVAL;
	*ret = json_integer_value(v);
	return 0;
}

/* Fills *ret from the call's parameters; returns NULL, or the InvalidParameter
 * reply (the call is marked for hang-up: a broken client, not a question). */
static json_t *parse(struct call *call, struct report *ret)
{
	static const char *const keys[] = {"id", "exit", "signal", "duration_ms"};
	json_t *p = call->params, *v;
	const char *key;
	json_object_foreach(p, key, v)
	{
		size_t i = 0;
		while (i < sizeof keys / sizeof keys[0] && strcmp(key, keys[i]) != 0)
			i++;
		if (i == sizeof keys / sizeof keys[0])
			return method_invalid(call, key, "unknown parameter");
	}
	json_int_t code = -1, sig = 0, ms = -1;
	ret->id = json_string_value(json_object_get(p, "id"));
	if (!is_id(ret->id))
		return method_invalid(call, "id", "must be a decision id: 32 lowercase hex digits");
	if (get_int(p, "exit", 0, 255, true, &code) < 0)
		return method_invalid(call, "exit", "must be an integer 0..255 or null");
	if (get_int(p, "signal", 1, FINISHED_MAX_SIGNAL, true, &sig) < 0)
		return method_invalid(call, "signal", "must be an integer 1..64 or null");
	if ((code >= 0) == (sig > 0))
		return method_invalid(call, "exit",
				      "exactly one of exit and signal must be given (not null)");
	if (get_int(p, "duration_ms", 0, FINISHED_MAX_DURATION_MS, false, &ms) < 0)
		return method_invalid(call, "duration_ms", "must be an integer 0..2^53");
	ret->exit = (int)code;
	ret->signal = (int)sig;
	ret->duration_ms = ms;
	return NULL;
}

/* The reply when the completion record could not be written. Matches audit_fail_fn. */
static json_t *unrecorded(const char *id, int error)
{
	char why[256];
	snprintf(why, sizeof why,
		 "the decision log is unavailable (%s); the completion is not "
		 "recorded",
		 strerror(-error));
	return method_error(GUARD_ERROR_LOG_FAILED, json_pack("{s:s}", "message", why));
}

/* Queues the completion record; the reply leaves once it is on disk (audit.h). */
static json_t *record(struct call *call, const struct report *rp)
{
	struct manager *m = call->m;
	char id[RECORD_ID_LEN + 1];
	struct completion c = {.id = id,
			       .decision_id = rp->id,
			       .exit = rp->exit,
			       .signal = rp->signal,
			       .duration_ms = rp->duration_ms};
	int r = record_new_id(id);
	json_t *rec = r == 0 ? record_completion(m, &call->conn->peer, &c) : NULL;
	json_t *reply = rec ? method_reply(json_pack("{s:s}", "id", id)) : NULL;
	if (r == 0) /* else rec and reply are NULL */
		r = method_submit(call, rec, reply, unrecorded, LOG_LEVEL_INFO);
	return r == 0 ? NULL : unrecorded(id, r);
}

json_t *method_finished(struct call *call)
{
	struct manager *m = call->m;
	struct report rp = {0};
	json_t *bad = parse(call, &rp);
	if (bad)
		return bad;
	const struct peer *peer = &call->conn->peer;
	/* Taken before the record is written: a second report in the same round of
	 * the loop must not pass while the first one waits for the disk. */
	int r = recent_take(m->recent, rp.id, peer->uid, recent_now(), NULL);
	if (r == -EPERM)
		log_warning("uid %u (pid %d) reported the completion of another user's decision "
			    "%s; refused",
			    (unsigned)peer->uid, (int)peer->pid, rp.id);
	if (r < 0)
		return method_error(
			GUARD_ERROR_NO_SUCH_DECISION,
			json_pack("{s:s,s:s}", "id", rp.id, "message",
				  "no decision of yours with this id awaits its completion "
				  "(unknown, already reported, not an allowed run, or forgotten)"));
	return record(call, &rp);
}
