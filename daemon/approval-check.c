/* approval-check.c: Check's part in the two-person rule (approvals.h): an approve
 * decision put up for approval, or an approval used. The request an approval is for
 * is its digest: the command (argv or line, resolved program, cwd, and the variables
 * the policy refers to), the uid asking and the host; an approval fits only the very
 * same request, from the same uid, decided by the same rule. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "conn.h"
#include "guard/policy.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "names.h"
#include "peer.h"
#include "record.h"
#include "request.h"

/* {argv|line, program, cwd, env}: what is approved, as the client reported it. */
static json_t *command(const struct request *rq, const struct manager *m)
{
	json_t *c = json_pack("{s:s?,s:s,s:o}", "program", rq->program, "cwd", rq->cwd, "env",
			      request_env_record(rq, m->policy));
	int r = !c         ? -ENOMEM
		: rq->line ? json_object_set_new(c, "line", json_string(rq->line))
			   : json_object_set(c, "argv", rq->argv);
	if (r < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static const char *create_error(int r, const struct policy_decision *d, char *buf, size_t size)
{
	if (r == -ENOENT)
		snprintf(buf, size,
			 "the approver group %s does not exist, so nobody can approve; nothing "
			 "may run (tell whoever keeps the policy)",
			 d->approvers_group);
	else if (r == -EUSERS)
		snprintf(buf, size,
			 "you have %d open approval requests, the most; wait for one to end, or "
			 "withdraw one with guardctl reject ID",
			 APPROVAL_MAX_PER_UID);
	else if (r == -ENOSPC)
		snprintf(buf, size,
			 "guardd holds as many approval requests as it keeps (%d); "
			 "try again later",
			 APPROVAL_MAX);
	else if (r == -E2BIG)
		snprintf(buf, size,
			 "the command is too large to be put up for approval (over %d bytes)",
			 APPROVAL_MAX_COMMAND);
	else
		snprintf(buf, size, "the approval request cannot be kept (%s); nothing may run",
			 strerror(-r));
	return buf;
}

/* Makes the request, saves it and submits its record; 0 and *ret, or negative errno
 * with nothing left behind. */
static int make_request(struct call *call, const struct outcome *o, const char *digest,
			json_t *shown, struct approval **ret)
{
	struct manager *m = call->m;
	struct approvals *a = m->approvals;
	const struct peer *p = &call->conn->peer;
	char id[RECORD_ID_LEN + 1], rec[RECORD_ID_LEN + 1];
	gid_t gid;
	int r = names_gid(o->d.approvers_group, &gid);
	if (r == 0)
		r = record_new_id(id);
	if (r == 0)
		r = record_new_id(rec);
	if (r < 0)
		return r;
	struct approval_new n = {.id = id,
				 .digest = digest,
				 .decision = o->id,
				 .record = rec,
				 .uid = p->uid,
				 .user = p->user,
				 .host = m->host,
				 .rule = o->d.rule_id,
				 .group = o->d.approvers_group,
				 .gid = gid,
				 .count = o->d.approvers_count,
				 .lifetime = o->d.approvers_expires,
				 .command = shown};
	r = approval_create(a->store, &n, approvals_now(), ret);
	if (r == 0)
		r = approvals_save(a);
	struct approvals_step st = {
		.event = "request", .actor = p, .decision = o->id, .command = shown, .record = rec};
	if (r == 0)
		r = approvals_record(a, *ret, &st, NULL, NULL, NULL);
	if (r < 0 && approval_undo(a->store, rec))
		approvals_save(a);
	return r;
}

static void request(struct call *call, struct outcome *o, const char *digest, json_t *shown,
		    char *why, size_t why_size, struct approvals_fields *ret)
{
	struct approval *ap = NULL;
	int r = make_request(call, o, digest, shown, &ap);
	if (r < 0) {
		o->why = create_error(r, &o->d, why, why_size);
		return;
	}
	char expires[32];
	approvals_time(ap->expires, expires);
	ret->record = json_pack("{s:s}", "approval", ap->id);
	ret->reply =
		json_pack("{s:{s:s,s:s,s:s,s:I,s:s,s:I}}", "approval", "id", ap->id, "state",
			  "pending", "group", ap->group, "count", (json_int_t)ap->count, "expires",
			  expires, "expires_in_sec", (json_int_t)(ap->expires - approvals_now()));
}

static const char *use_error(int r, const struct approval *ap, const char *id, char *buf,
			     size_t size)
{
	const char *what = "cannot be used";
	if (r == -ENOENT || r == -EPERM)
		what = "is no approval request of yours (unknown, another user's, or forgotten "
		       "after it ended)";
	else if (r == -EAGAIN)
		what = "is not approved yet";
	else if (r == -ETIME)
		what = "has expired; ask again";
	else if (r == -EALREADY && ap && ap->end == APPROVAL_USED)
		what = "was used already: an approval runs one command, once";
	else if (r == -EALREADY)
		what = "was rejected";
	else if (r == -ENOMSG)
		what = "is for another request (a different command, directory, user, host or "
		       "rule)";
	snprintf(buf, size, "approval %s %s; nothing may run", id, what);
	return buf;
}

static json_t *approvers(const struct approval *ap)
{
	json_t *names = json_array();
	for (size_t i = 0; names && i < ap->n_votes; i++)
		json_array_append_new(names, ap->votes[i].user ? json_string(ap->votes[i].user)
							       : json_integer(ap->votes[i].uid));
	return names;
}

static void use(struct call *call, const struct request *rq, struct outcome *o, const char *digest,
		char *why, size_t why_size, struct approvals_fields *ret)
{
	struct approvals *a = call->m->approvals;
	const struct peer *p = &call->conn->peer;
	struct approval *ap = approval_find(a->store, rq->approval);
	char rec[RECORD_ID_LEN + 1];
	int r = ap ? record_new_id(rec) : -ENOENT;
	if (r == 0)
		r = approval_use(a->store, ap, p->uid, digest, o->d.rule_id, approvals_now(), o->id,
				 rec);
	if (r == -EPERM)
		log_warning("uid %u (pid %d) tried to use approval request %s of uid %u; refused",
			    (unsigned)p->uid, (int)p->pid, ap->id, (unsigned)ap->uid);
	bool used = r == 0;
	if (used)
		r = approvals_save(a);
	struct approvals_step st = {.event = "use", .actor = p, .decision = o->id, .record = rec};
	if (r == 0)
		r = approvals_record(a, ap, &st, NULL, NULL, NULL);
	if (r < 0 && used && approval_undo(a->store, rec))
		approvals_save(a);
	o->answered = true;
	o->answer_ok = r == 0;
	o->d.verdict = r == 0 ? POLICY_ALLOW : POLICY_DENY;
	if (r < 0 && used)
		snprintf(why, why_size, "approval %s cannot be marked used (%s); nothing may run",
			 rq->approval, strerror(-r));
	else if (r < 0)
		use_error(r, ap, rq->approval, why, why_size);
	if (r < 0)
		o->why = why;
	ret->record = r == 0 ? json_pack("{s:s,s:o}", "approval", rq->approval, "approved_by",
					 approvers(ap))
			     : json_pack("{s:s}", "approval", rq->approval);
	ret->reply = json_deep_copy(ret->record);
}

void approvals_check(struct call *call, const struct request *rq, struct outcome *o, char *why,
		     size_t why_size, struct approvals_fields *ret)
{
	struct manager *m = call->m;
	*ret = (struct approvals_fields){0};
	/* A question runs nothing and makes nothing; an approval the policy no longer
	 * asks for is not spent. */
	if (rq->check || o->d.verdict != POLICY_APPROVE || (!rq->want_request && !rq->approval))
		return;
	approvals_sweep(m->approvals);
	char digest[APPROVAL_DIGEST_LEN + 1];
	json_t *cmd = command(rq, m), *shown = cmd ? json_deep_copy(cmd) : NULL;
	int r = shown ? approval_digest(cmd, call->conn->peer.uid, m->host, digest) : -ENOMEM;
	/* Approvers see what the log shows: secrets hidden. */
	if (r == 0)
		r = record_redact(shown, m->redact);
	json_decref(cmd);
	if (r < 0) {
		snprintf(why, why_size, "the request cannot be put up for approval (%s)",
			 strerror(-r));
		o->why = why;
		if (rq->approval)
			o->d.verdict = POLICY_DENY;
	} else if (rq->approval) {
		use(call, rq, o, digest, why, why_size, ret);
	} else {
		request(call, o, digest, shown, why, why_size, ret);
	}
	json_decref(shown);
}
