/* method-list.c: io.guard.List: the rules that may apply to the caller here and now,
 * whatever they run (guard --list, as sudo -l), in plain words. The caller is who the
 * kernel says; host, time and policy are ours; the cwd, environment and terminal are
 * what the client reports, as for Check. Not a decision: nothing is recorded. */
#include <errno.h>
#include <string.h>

#include "conn.h"
#include "guard/protocol.h"
#include "manager.h"
#include "method.h"
#include "peer.h"
#include "request.h"

/* The reply must fit one message: what does not fit is counted, not sent. */
#define LIST_BUDGET (GUARD_MAX_MESSAGE - 4096)

struct lister {
	json_t *rules;
	size_t used;
	size_t left_out;
	int r;
};

static size_t len(const char *s)
{
	return s ? strlen(s) + 16 : 0;
}

static void add(void *userdata, const struct policy_listing *l)
{
	struct lister *ls = userdata;
	size_t need = 128 + len(l->rule_id) + len(l->file) + len(l->description) + len(l->message) +
		      len(l->runbook) + len(l->command) + len(l->context);
	if (ls->r < 0)
		return;
	/* Escaping may grow a string; the budget keeps a margin for it. */
	if (ls->used + need > LIST_BUDGET) {
		ls->left_out++;
		return;
	}
	json_t *o = json_pack("{s:s?,s:s?,s:I,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s?}", "rule", l->rule_id,
			      "file", l->file, "index", (json_int_t)l->index, "decision",
			      policy_verdict_to_string(l->verdict), "mode",
			      l->dry_run ? "dry-run" : "enforce", "description", l->description,
			      "message", l->message, "runbook", l->runbook, "command", l->command,
			      "context", l->context);
	if (!o || json_array_append_new(ls->rules, o) < 0)
		ls->r = -ENOMEM;
	ls->used += need;
}

/* The estimate in add() keeps a margin; should escaping still outgrow it, the last
 * rules go, counted, so that the client can always read the reply. */
static void fit(json_t *reply)
{
	json_t *p = json_object_get(reply, "parameters");
	json_t *rules = json_object_get(p, "rules");
	size_t n = json_array_size(rules);
	while (n > 0 && json_dumpb(reply, NULL, 0, JSON_COMPACT) >= GUARD_MAX_MESSAGE - 64) {
		json_array_remove(rules, --n);
		json_object_set_new(
			p, "left_out",
			json_integer(json_integer_value(json_object_get(p, "left_out")) + 1));
	}
}

static json_t *groups(const struct peer *p)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < p->n_groups; i++)
		json_array_append_new(a, p->group_names[i] ? json_string(p->group_names[i])
							   : json_integer(p->groups[i]));
	return a;
}

static json_t *context(const struct policy_request *pr, const struct peer *p)
{
	return json_pack("{s:I,s:s?,s:o,s:s?,s:s,s:I,s:b,s:b}", "uid", (json_int_t)pr->uid, "user",
			 pr->user, "groups", groups(p), "host", pr->host, "cwd", pr->cwd, "time",
			 (json_int_t)pr->now, "tty", pr->tty, "ssh", pr->ssh);
}

json_t *method_list(struct call *call)
{
	struct manager *m = call->m;
	const struct peer *peer = &call->conn->peer;
	struct request rq;
	struct policy_request pr;
	json_t *reply;
	if (request_parse(call, REQUEST_NO_COMMAND, &rq, &reply) < 0)
		return reply;
	request_context(&rq, peer, m, &pr);
	struct lister ls = {.rules = json_array()};
	int r = ls.rules ? policy_list(m->policy, &pr, add, &ls) : -ENOMEM;
	if (r == 0)
		r = ls.r;
	reply = r < 0 ? NULL
		      : method_reply(json_pack(
				"{s:o,s:s,s:s,s:s,s:o,s:I}", "context", context(&pr, peer),
				"default", policy_verdict_to_string(policy_default(m->policy)),
				"unknown", policy_verdict_to_string(policy_unknown(m->policy)),
				"policy", policy_revision(m->policy), "rules", ls.rules, "left_out",
				(json_int_t)ls.left_out));
	fit(reply);
	if (!reply) {
		if (r < 0)
			json_decref(ls.rules);
		reply = method_error(GUARD_ERROR_INTERNAL,
				     json_pack("{s:s}", "message", "cannot list the rules"));
	}
	request_done(&rq);
	return reply;
}
