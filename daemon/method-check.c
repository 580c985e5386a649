/* method-check.c: io.guard.Check, the decision. Every path that is not a clean
 * evaluation with a written record ends in a deny or an error, never an allow.
 * A human step (confirm, reason) is answered by calling Check again with the
 * answer; the daemon, not the client, judges the answer, and records it. An
 * approval (approvals.h) is asked for and used the same way: "request", "approval". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "audit.h"
#include "conn.h"
#include "guard/policy.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "recent.h"
#include "record.h"
#include "request.h"

/* Judges the person's answer to the rule's step, if one was given: a right
 * answer allows, a wrong one denies. Without an answer the step stands. */
static void judge_answer(struct outcome *o, const struct request *rq, char *why, size_t why_len)
{
	const struct policy_decision *d = &o->d;
	if (d->verdict == POLICY_CONFIRM && rq->confirm) {
		o->answer_ok = strcmp(rq->confirm, d->phrase) == 0;
		snprintf(why, why_len, "what was typed does not match \"%s\"; nothing may run",
			 d->phrase);
	} else if (d->verdict == POLICY_REASON && rq->reason) {
		o->answer_ok = policy_reason_ok(d->rule, rq->reason);
		snprintf(why, why_len, "the reason does not match %s; nothing may run",
			 d->reason_pattern);
	} else {
		return;
	}
	o->answered = true;
	o->d.verdict = o->answer_ok ? POLICY_ALLOW : POLICY_DENY;
	if (!o->answer_ok)
		o->why = why;
}

/* The syslog priority of a decision: what stopped or asked is a notice. */
static int priority(const struct outcome *o)
{
	return o->d.verdict == POLICY_ALLOW && o->step == POLICY_ALLOW ? LOG_LEVEL_INFO
								       : LOG_LEVEL_NOTICE;
}

/* Adds the approval's fields (borrowed, may be NULL) to o; false when out of memory. */
static bool add_fields(json_t *o, json_t *fields)
{
	return !o || !fields || json_object_update(o, fields) == 0;
}

/* Queues the record; the reply leaves once the record is on disk (audit.h). When it
 * cannot even be queued, the answer is a deny now. */
static json_t *record(struct call *call, const struct request *rq, struct outcome *o,
		      const struct approvals_fields *af)
{
	struct manager *m = call->m;
	json_t *rec = record_decision(m, &call->conn->peer, rq, o);
	if (rec && (record_redact(rec, m->redact) < 0 || !add_fields(rec, af->record))) {
		json_decref(rec);
		rec = NULL;
	}
	json_t *params = rec ? record_reply(m, o) : NULL;
	json_t *reply = params && add_fields(params, af->reply) ? method_reply(params) : NULL;
	if (params && !reply)
		json_decref(params);
	int r = method_submit(call, rec, reply, record_unrecorded, priority(o));
	return r == 0 ? NULL : record_unrecorded(o->id, r);
}

json_t *method_check(struct call *call)
{
	struct manager *m = call->m;
	struct request rq;
	json_t *bad;
	if (request_parse(call, REQUEST_CHECK | REQUEST_ANSWERS | REQUEST_APPROVAL, &rq, &bad) < 0)
		return bad;
	struct policy_request pr;
	request_context(&rq, &call->conn->peer, m, &pr);
	char id[RECORD_ID_LEN + 1], why[1400];
	struct outcome o = {.id = id};
	int r = record_new_id(id);
	if (r == 0)
		r = rq.line ? policy_evaluate_line(m->policy, &pr, rq.line, &o.d)
			    : policy_evaluate(m->policy, &pr, &o.d);
	if (r < 0) {
		request_done(&rq);
		return method_error(
			GUARD_ERROR_INTERNAL,
			json_pack("{s:s}", "message", "the request cannot be evaluated"));
	}
	if (o.d.verdict != POLICY_ALLOW && o.d.verdict != POLICY_DENY)
		o.step = o.d.verdict;
	judge_answer(&o, &rq, why, sizeof why);
	struct approvals_fields af;
	approvals_check(call, &rq, &o, why, sizeof why, &af);
	json_t *reply = record(call, &rq, &o, &af);
	json_decref(af.record);
	json_decref(af.reply);
	if (call->later && o.d.verdict == POLICY_ALLOW && !rq.check)
		recent_add(m->recent, id, call->conn->peer.uid, call->conn->peer.pid, recent_now());
	m->n_decisions++;
	request_done(&rq);
	return reply;
}
