/* method-approval.c: io.guard.Pending, io.guard.Approve and io.guard.Reject: the
 * approvers' side of the two-person rule (approvals.h). Who may do what comes from the
 * kernel's view of the caller (struct peer): the requester never approves their own
 * request, root approves any other, and otherwise only members of the rule's group. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approvals.h"
#include "conn.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "peer.h"
#include "record.h"

/* A list of requests stops before its reply would pass this: clients read replies of
 * at most GUARD_MAX_MESSAGE bytes. The rest is counted in "more". */
#define PENDING_REPLY_MAX (GUARD_MAX_MESSAGE - 4096)

static bool is_id(const char *s)
{
	return s && strlen(s) == APPROVAL_ID_LEN &&
	       strspn(s, "0123456789abcdef") == APPROVAL_ID_LEN;
}

static bool reason_ok(json_t *v)
{
	const char *s = json_string_value(v);
	if (!s || json_string_length(v) > APPROVAL_MAX_REASON)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* {"id", "reason"?}, or for Pending {"id"?}. Returns NULL, or the InvalidParameter
 * reply (the call is marked for hang-up). */
static json_t *parse(struct call *call, bool pending, const char **ret_id, const char **ret_reason)
{
	const char *key;
	json_t *v;
	json_object_foreach(call->params, key, v)
	{
		if (strcmp(key, "id") != 0 && (pending || strcmp(key, "reason") != 0))
			return method_invalid(call, key, "unknown parameter");
	}
	v = json_object_get(call->params, "id");
	*ret_id = json_string_value(v);
	if ((v || !pending) && !is_id(*ret_id))
		return method_invalid(call, "id", "must be a request id: 32 lowercase hex digits");
	v = json_object_get(call->params, "reason");
	*ret_reason = json_string_value(v);
	if (v && !json_is_null(v) && !reason_ok(v))
		return method_invalid(call, "reason",
				      "must be a string of at most 1024 bytes without control "
				      "characters, or null");
	return NULL;
}

static json_t *no_such(const char *id)
{
	return method_error(GUARD_ERROR_NO_SUCH_REQUEST,
			    json_pack("{s:s,s:s}", "id", id, "message",
				      "no such approval request (unknown, or forgotten some "
				      "minutes after it ended)"));
}

json_t *method_pending(struct call *call)
{
	struct approvals *a = call->m->approvals;
	const char *id, *reason;
	json_t *bad = parse(call, true, &id, &reason);
	if (bad)
		return bad;
	approvals_sweep(a);
	struct approval_who who;
	approvals_who(&call->conn->peer, &who);
	int64_t now = approvals_now();
	json_t *list = json_array();
	if (id) {
		/* One request, however it ended: its requester waits to learn that. */
		const struct approval *ap = approval_find(a->store, id);
		if (!ap || !approval_visible(ap, &who)) {
			json_decref(list);
			return no_such(id);
		}
		json_array_append_new(list, approvals_view(ap, &who, now));
	}
	size_t used = 0, more = 0;
	for (size_t i = 0; !id && list && i < approval_count(a->store); i++) {
		const struct approval *ap = approval_at(a->store, i);
		enum approval_state st = approval_state(ap, now);
		if ((st != APPROVAL_PENDING && st != APPROVAL_APPROVED) ||
		    !approval_visible(ap, &who))
			continue;
		json_t *view = approvals_view(ap, &who, now);
		char *text = view ? json_dumps(view, JSON_COMPACT) : NULL;
		bool ok = text != NULL;
		size_t n = ok ? strlen(text) + 1 : 0;
		free(text);
		if (ok && used + n > PENDING_REPLY_MAX) {
			json_decref(view);
			more++;
		} else if (!ok || json_array_append_new(list, view) < 0) {
			if (!ok)
				json_decref(view);
			json_decref(list);
			list = NULL;
		} else {
			used += n;
		}
	}
	return list ? method_reply(
			      json_pack("{s:o,s:I}", "requests", list, "more", (json_int_t)more))
		    : NULL;
}

/* Why who may not approve or reject ap. */
static json_t *refusal(int r, const struct approval *ap, bool approve)
{
	char why[512];
	const char *error = VARLINK_ERROR_PERMISSION_DENIED;
	if (r == -EPERM)
		snprintf(why, sizeof why,
			 "nobody approves their own request (root neither); another member of "
			 "group %s must",
			 ap->group);
	else if (r == -EEXIST)
		snprintf(why, sizeof why,
			 "you have approved this request already; another member of group %s "
			 "must",
			 ap->group);
	else if (r == -EACCES)
		snprintf(why, sizeof why, "only members of group %s (and root) may %s this request",
			 ap->group, approve ? "approve" : "reject");
	else if (r == -ETIME)
		error = GUARD_ERROR_REQUEST_EXPIRED;
	else if (r == -EALREADY)
		error = GUARD_ERROR_REQUEST_CLOSED;
	else
		error = GUARD_ERROR_INTERNAL;
	if (r == -ETIME)
		snprintf(why, sizeof why, "request %s has expired", ap->id);
	else if (r == -EALREADY)
		snprintf(why, sizeof why, "request %s is %s already", ap->id,
			 approval_state_name(approval_state(ap, approvals_now())));
	else if (r != -EPERM && r != -EEXIST && r != -EACCES)
		snprintf(why, sizeof why, "cannot change request %s: %s", ap->id, strerror(-r));
	return method_error(error,
			    json_pack("{s:s,s:s,s:s}", "id", ap->id, "state",
				      approval_state_name(approval_state(ap, approvals_now())),
				      "message", why));
}

/* The reply when the step's record could not be written. Matches audit_fail_fn. */
static json_t *unrecorded(const char *id, int error)
{
	char why[256];
	snprintf(why, sizeof why,
		 "the decision log is unavailable (%s); the step is not recorded and does not "
		 "count",
		 strerror(-error));
	return method_error(GUARD_ERROR_LOG_FAILED, json_pack("{s:s}", "message", why));
}

static json_t *act(struct call *call, bool approve)
{
	struct approvals *a = call->m->approvals;
	const struct peer *p = &call->conn->peer;
	const char *id, *reason;
	json_t *bad = parse(call, false, &id, &reason);
	if (bad)
		return bad;
	approvals_sweep(a);
	struct approval *ap = approval_find(a->store, id);
	if (!ap)
		return no_such(id);
	struct approval_who who;
	approvals_who(p, &who);
	char rec[RECORD_ID_LEN + 1];
	int64_t now = approvals_now();
	int r = record_new_id(rec);
	if (r == 0)
		r = approve ? approval_approve(a->store, ap, &who, reason, now, rec)
			    : approval_reject(a->store, ap, &who, reason, now, rec);
	if (r == -EPERM || r == -EACCES)
		log_warning("uid %u (pid %d) may not %s approval request %s; refused",
			    (unsigned)p->uid, (int)p->pid, approve ? "approve" : "reject", id);
	if (r < 0)
		return refusal(r, ap, approve);
	r = approvals_save(a);
	struct approvals_step st = {.event = approve ? "approve" : "reject",
				    .actor = p,
				    .reason = reason,
				    .record = rec};
	json_t *reply =
		r == 0 ? method_reply(json_pack("{s:o}", "request", approvals_view(ap, &who, now)))
		       : NULL;
	if (r == 0)
		r = reply ? approvals_record(a, ap, &st, call->conn, reply, unrecorded) : -ENOMEM;
	if (r == 0) {
		call->later = true;
		return NULL;
	}
	if (approval_undo(a->store, rec))
		approvals_save(a);
	return refusal(r, ap, approve);
}

json_t *method_approve(struct call *call)
{
	return act(call, true);
}

json_t *method_reject(struct call *call)
{
	return act(call, false);
}
