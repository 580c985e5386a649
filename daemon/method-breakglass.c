/* method-breakglass.c: io.guard.BreakGlass: guard is about to run a command without a
 * decision, in an emergency, and says why. Nothing is decided: the record (with what the
 * policy would have said) is written, then the reply lets guard go on, and a completion
 * may be reported for it as for an allowed decision. A site that forbids break-glass for
 * this user gets BreakGlassForbidden, and the refused attempt is recorded too. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "breakglass.h"
#include "conn.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "recent.h"
#include "record.h"
#include "request.h"

/* The reply when the record could not be written: guard then keeps it in its spool. */
static json_t *unrecorded(const char *id, int error)
{
	char why[256];
	snprintf(why, sizeof why,
		 "the decision log is unavailable (%s); the break-glass is not "
		 "recorded here",
		 strerror(-error));
	return method_error(GUARD_ERROR_LOG_FAILED, json_pack("{s:s}", "message", why));
}

/* Forbidden stays forbidden when the log fails: guard must not take a failed write for
 * an unreachable daemon and spool what the site refused. */
static json_t *forbidden_reply(const char *why)
{
	return method_error(GUARD_ERROR_BREAK_GLASS_FORBIDDEN, json_pack("{s:s}", "message", why));
}

static json_t *forbidden_unrecorded(const char *id, int error)
{
	return forbidden_reply("break-glass is not allowed here");
}

static json_t *reply_params(const char *id, const struct policy_decision *d)
{
	return json_pack("{s:s,s:{s:s,s:s?,s:s}}", "id", id, "would", "decision",
			 policy_verdict_to_string(d->verdict), "rule", d->rule_id, "message",
			 d->message);
}

/* Queues the record; the reply leaves once it is on disk. */
static json_t *record(struct call *call, const struct breakglass *b)
{
	struct manager *m = call->m;
	json_t *rec = breakglass_record(m, b);
	json_t *reply = !rec           ? NULL
			: b->forbidden ? forbidden_reply(b->forbidden)
				       : method_reply(reply_params(b->id, b->would));
	int r = method_submit(call, rec, reply, b->forbidden ? forbidden_unrecorded : unrecorded,
			      LOG_LEVEL_WARNING);
	if (r == 0)
		return NULL;
	return b->forbidden ? forbidden_reply(b->forbidden) : unrecorded(b->id, r);
}

json_t *method_break_glass(struct call *call)
{
	struct manager *m = call->m;
	const struct peer *peer = &call->conn->peer;
	struct request rq;
	json_t *reply;
	if (request_parse(call, REQUEST_REASON, &rq, &reply) < 0)
		return reply;
	const char *problem = breakglass_reason_problem(rq.reason);
	if (problem) {
		request_done(&rq);
		return method_invalid(call, "reason", problem);
	}
	struct policy_request pr;
	struct policy_decision d;
	char id[RECORD_ID_LEN + 1];
	request_context(&rq, peer, m, &pr);
	int r = record_new_id(id);
	if (r == 0)
		r = rq.line ? policy_evaluate_line(m->policy, &pr, rq.line, &d)
			    : policy_evaluate(m->policy, &pr, &d);
	if (r < 0) {
		request_done(&rq);
		return method_error(
			GUARD_ERROR_INTERNAL,
			json_pack("{s:s}", "message", "the request cannot be evaluated"));
	}
	struct breakglass b = {
		.id = id,
		.uid = peer->uid,
		.gid = peer->gid,
		.pid = peer->pid,
		.user = peer->user,
		.req = &rq,
		.reason = rq.reason,
		.would = &d,
		.forbidden = breakglass_forbidden(m, peer->uid, peer->user),
		.claimed_uid = -1,
	};
	if (b.forbidden)
		log_warning("uid %u (pid %d) tried to break glass; refused: %s",
			    (unsigned)peer->uid, (int)peer->pid, b.forbidden);
	reply = record(call, &b);
	/* The command runs now: its completion is reported as an allowed decision's is. */
	if (call->later && !b.forbidden)
		recent_add(m->recent, id, peer->uid, peer->pid, recent_now());
	request_done(&rq);
	return reply;
}
