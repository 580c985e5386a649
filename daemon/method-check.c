/* method-check.c: io.guard.Check, the decision. Every path that is not a clean
 * evaluation with a written record ends in a deny or an error, never an allow.
 * A human step (confirm, reason) is answered by calling Check again with the
 * answer; the daemon, not the client, judges the answer, and records it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "conn.h"
#include "guard/policy.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
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

/* Writes the record; on failure turns the outcome into a deny that says why.
 * Logs only when the log's state changes, so a full disk does not flood stderr. */
static void record(struct call *call, const struct request *rq, struct outcome *o, char *why,
		   size_t why_len)
{
	struct manager *m = call->m;
	json_t *rec = record_decision(m, &call->conn->peer, rq, o);
	char *line = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	int r = line ? audit_append(m->audit, line, strlen(line)) : -ENOMEM;
	free(line);
	json_decref(rec);
	if (r == 0 && m->audit_failing)
		log_info("decision log %s is writable again", audit_path(m->audit));
	if (r < 0 && r != m->audit_failing)
		log_errno(r, "cannot write decision log %s; denying every request",
			  audit_path(m->audit));
	m->audit_failing = r;
	if (r == 0)
		return;
	snprintf(why, why_len,
		 "the decision log cannot be written (%s); nothing may run unrecorded",
		 strerror(-r));
	o->d = (struct policy_decision){.verdict = POLICY_DENY, .message = why};
	o->step = POLICY_ALLOW;
	o->answered = false;
	o->why = NULL;
}

json_t *method_check(struct call *call)
{
	struct manager *m = call->m;
	struct request rq;
	json_t *bad;
	if (request_parse(call, REQUEST_CHECK | REQUEST_ANSWERS, &rq, &bad) < 0)
		return bad;
	struct policy_request pr;
	request_context(&rq, &call->conn->peer, m, &pr);
	char id[RECORD_ID_LEN + 1], why[1400], log_why[256];
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
	record(call, &rq, &o, log_why, sizeof log_why);
	m->n_decisions++;
	json_t *reply = method_reply(record_reply(m, &o));
	request_done(&rq);
	return reply;
}
