/* match.c: evaluation of a request against the policy: the first rule whose
 * conditions all hold decides, else the default. */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "policy-internal.h"

/* Every condition holds when it was not given (n == 0; empty lists are refused). */

static bool program_matches(const struct policy_strv *s, const struct policy_command *c)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *g = s->v[i];

		if (strchr(g, '/')) {
			if (c->program.buf && policy_path_match(g, &c->program))
				return true;
		} else if (fnmatch(g, c->name, 0) == 0 ||
			   (c->program_name && fnmatch(g, c->program_name, 0) == 0)) {
			/* Either name will do: catching more is the safe side for a deny. */
			return true;
		}
	}
	return s->n == 0;
}

static bool subcommand_matches(const struct policy_strv *s, const struct policy_command *c)
{
	for (size_t i = 0; i < s->n; i++)
		if (policy_command_has_subcommand(c, s->v[i]))
			return true;
	return s->n == 0;
}

static bool flags_match(const struct policy_match *m, const struct policy_command *c)
{
	for (size_t i = 0; i < m->n_flags; i++) {
		bool any = false;

		for (size_t j = 0; !any && j < m->flags[i].n; j++)
			any = policy_command_has_flag(c, m->flags[i].v[j]);
		if (!any)
			return false;
	}
	return true;
}

static bool args_match(const struct policy_strv *s, const struct policy_command *c)
{
	for (size_t k = 0; k < c->n_words; k++)
		for (size_t i = 0; i < s->n; i++)
			if (fnmatch(s->v[i], c->argv[c->words[k]], 0) == 0)
				return true;
	return s->n == 0;
}

static bool paths_match(const struct policy_strv *s, const struct policy_command *c)
{
	for (size_t k = 0; k < c->n_words; k++)
		for (size_t i = 0; c->paths[k].buf && i < s->n; i++)
			if (policy_path_match(s->v[i], &c->paths[k]))
				return true;
	return s->n == 0;
}

/* entry is a decimal id or a name. */
static bool names(const char *entry, unsigned long id, const char *name)
{
	unsigned long want;

	if (policy_parse_id(entry, &want))
		return want == id;
	return name && strcmp(entry, name) == 0;
}

static bool user_matches(const struct policy_strv *s, const struct policy_request *req)
{
	for (size_t i = 0; i < s->n; i++)
		if (names(s->v[i], req->uid, req->user))
			return true;
	return s->n == 0;
}

static bool group_matches(const struct policy_strv *s, const struct policy_request *req)
{
	for (size_t i = 0; i < s->n; i++) {
		if (names(s->v[i], req->gid, NULL))
			return true;
		for (size_t g = 0; g < req->n_groups; g++)
			if (names(s->v[i], req->groups[g],
				  req->group_names ? req->group_names[g] : NULL))
				return true;
	}
	return s->n == 0;
}

static bool rule_matches(const struct policy_rule *r, const struct policy_command *c,
			 const struct policy_request *req)
{
	const struct policy_match *m = &r->match;

	return program_matches(&m->program, c) && subcommand_matches(&m->subcommand, c) &&
	       flags_match(m, c) && args_match(&m->args, c) && paths_match(&m->paths, c) &&
	       user_matches(&m->user, req) && group_matches(&m->group, req);
}

static const struct policy_rule *first_match(const struct policy *p, const struct policy_command *c,
					     const struct policy_request *req)
{
	for (size_t i = 0; i < p->n_files; i++)
		for (size_t j = 0; j < p->files[i].n_rules; j++)
			if (rule_matches(&p->files[i].rules[j], c, req))
				return &p->files[i].rules[j];
	return NULL;
}

static bool request_valid(const struct policy_request *req)
{
	if (!req || !req->argv || req->argc < 1 || !req->cwd || req->cwd[0] != '/')
		return false;
	if (req->program && req->program[0] != '/')
		return false;
	if (req->n_groups > 0 && !req->groups)
		return false;
	for (size_t i = 0; i < req->argc; i++)
		if (!req->argv[i])
			return false;
	return true;
}

int policy_evaluate(const struct policy *p, const struct policy_request *req,
		    struct policy_decision *ret)
{
	const struct policy_rule *rule;
	struct policy_command c;
	int r;

	if (!p || !ret || !request_valid(req))
		return -EINVAL;
	r = policy_command_parse(req, &c);
	if (r < 0)
		return r;
	rule = first_match(p, &c, req);
	policy_command_done(&c);
	if (!rule) {
		*ret = (struct policy_decision){
			.verdict = p->default_verdict,
			.message = p->default_verdict == POLICY_ALLOW
					   ? "no rule matched; the default is allow"
					   : "no rule matched; the default is deny",
		};
		return 0;
	}
	*ret = (struct policy_decision){
		.verdict = rule->decision,
		.rule_id = rule->id,
		.message = rule->message ? rule->message : "allowed by a policy rule",
		.runbook = rule->runbook,
	};
	return 0;
}
