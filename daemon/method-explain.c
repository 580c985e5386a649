/* method-explain.c: io.guard.Explain: what the running policy would decide and
 * why, rule by rule. Not a decision: nothing is recorded and nothing may run on
 * it. A caller may ask about another user, host or time; that reveals no more
 * than the policy files, which every user may read. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "guard/protocol.h"
#include "manager.h"
#include "method.h"
#include "names.h"
#include "peer.h"
#include "record.h"
#include "request.h"

#define EXPLAIN_MAX_GROUPS 1024

static int user_groups(struct manager *m, const struct passwd *pw, struct peer *p)
{
	gid_t buf[EXPLAIN_MAX_GROUPS];
	int n = EXPLAIN_MAX_GROUPS;
	if (getgrouplist(pw->pw_name, pw->pw_gid, buf, &n) < 0)
		n = EXPLAIN_MAX_GROUPS; /* more than we look at; the first ones will do */
	p->groups = malloc((size_t)n * sizeof *p->groups);
	p->group_names = calloc((size_t)n, sizeof *p->group_names);
	if (!p->groups || !p->group_names)
		return -ENOMEM;
	memcpy(p->groups, buf, (size_t)n * sizeof *p->groups);
	p->n_groups = (size_t)n;
	for (size_t i = 0; i < p->n_groups; i++)
		p->group_names[i] = names_group(m->names, p->groups[i]);
	return 0;
}

/* The peer as whom to explain: a user name or decimal uid from the account
 * database. Returns 0, -ENOENT for an unknown user, -ENOMEM. */
static int peer_of_user(struct manager *m, const char *user, struct peer *ret)
{
	char buf[16384], *end;
	struct passwd pw, *res = NULL;
	unsigned long uid = strtoul(user, &end, 10);
	if (*user && !*end && user[0] != '-')
		getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &res);
	else
		getpwnam_r(user, &pw, buf, sizeof buf, &res);
	if (!res)
		return -ENOENT;
	*ret = (struct peer){.uid = res->pw_uid, .gid = res->pw_gid};
	ret->user = strdup(res->pw_name);
	ret->home = res->pw_dir[0] == '/' ? strdup(res->pw_dir) : NULL;
	int r = ret->user ? user_groups(m, res, ret) : -ENOMEM;
	if (r < 0)
		peer_clear(ret);
	return r;
}

static void add_trace(void *userdata, const struct policy_trace *t)
{
	json_t *trace = userdata;
	json_array_append_new(trace,
			      json_pack("{s:s?,s:s?,s:I,s:b,s:b,s:s,s:s?,s:s?,s:s?}", "rule",
					t->rule_id, "file", t->file, "index", (json_int_t)t->index,
					"matched", t->matched, "dry_run", t->dry_run, "decision",
					policy_verdict_to_string(t->verdict), "failed", t->failed,
					"why", t->why, "part", t->part));
}

/* Applies the hypothetical context; returns the InvalidParameter reply if any. */
static json_t * override(struct call *call, struct policy_request *pr, struct peer *as)
{
	json_t *p = call->params, *user = json_object_get(p, "user");
	json_t *host = json_object_get(p, "host"), *when = json_object_get(p, "time");
	if (user && (!json_is_string(user) || peer_of_user(call->m, json_string_value(user), as)))
		return method_invalid(call, "user", "must name a known user or uid");
	if (host && (!json_is_string(host) || json_string_length(host) > 255))
		return method_invalid(call, "host", "must be a host name");
	if (when && !json_is_integer(when))
		return method_invalid(call, "time", "must be seconds since the epoch");
	if (user) {
		pr->uid = as->uid;
		pr->gid = as->gid;
		pr->user = as->user;
		pr->home = as->home;
		pr->groups = as->groups;
		pr->group_names = (const char *const *)as->group_names;
		pr->n_groups = as->n_groups;
	}
	if (host)
		pr->host = json_string_value(host);
	if (when)
		pr->now = (time_t)json_integer_value(when);
	return NULL;
}

static json_t *context(const struct policy_request *pr)
{
	return json_pack("{s:I,s:s?,s:s?,s:s,s:I,s:b,s:b}", "uid", (json_int_t)pr->uid, "user",
			 pr->user, "host", pr->host, "cwd", pr->cwd, "time", (json_int_t)pr->now,
			 "tty", pr->tty, "ssh", pr->ssh);
}

json_t *method_explain(struct call *call)
{
	struct request rq;
	struct peer as = {0};
	struct policy_request pr;
	json_t *reply;
	if (request_parse(call, REQUEST_EXPLAIN, &rq, &reply) < 0)
		return reply;
	request_context(&rq, &call->conn->peer, call->m, &pr);
	reply = override(call, &pr, &as);
	json_t *trace = reply ? NULL : json_array();
	struct outcome o = {0};
	int r = !trace ? -ENOMEM
		: rq.line
			? policy_explain_line(call->m->policy, &pr, rq.line, add_trace, trace, &o.d)
			: policy_explain(call->m->policy, &pr, add_trace, trace, &o.d);
	if (r == 0) {
		reply = method_reply(json_pack("{s:o,s:o,s:o}", "decision",
					       record_reply(call->m, &o), "trace", trace, "context",
					       context(&pr)));
	} else if (!reply) {
		json_decref(trace);
		reply = method_error(GUARD_ERROR_INTERNAL,
				     json_pack("{s:s}", "message", "cannot explain this request"));
	}
	request_done(&rq);
	peer_clear(&as);
	return reply;
}
