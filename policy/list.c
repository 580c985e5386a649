/* list.c: the rules that may apply to someone here and now, whatever they run (guard
 * --list, as sudo -l): a rule is left out only when its context conditions alone (user,
 * group, host, cwd, env, tty, ssh, time) rule it out. What depends on the command, or
 * cannot be told apart from it ("not" and "any" objects that mix both), keeps the rule
 * in the list: a list that hides a rule which then stops someone would mislead. */
#include <string.h>

#include "shell.h"

/* Whether m's own conditions are all about the context, so that it can be judged
 * without a command. */
static bool context_only(const struct policy_match *m)
{
	return (m->given & ~POLICY_GIVEN_CONTEXT) == 0;
}

static bool could_hold(const struct policy_match *m, const struct policy_command *c)
{
	/* Everything but the context conditions is skipped. */
	if (!policy_match_holds(m, c, ~POLICY_GIVEN_CONTEXT, true, NULL))
		return false;
	if (m->not &&context_only(m->not ) && policy_match_holds(m->not, c, 0, true, NULL))
		return false;
	for (size_t i = 0; i < m->n_any; i++)
		if (could_hold(&m->any[i], c))
			return true;
	return m->n_any == 0;
}

bool policy_rule_context_matches(const struct policy_rule *r, const struct policy_command *c)
{
	return could_hold(&r->match, c);
}

static void report(const struct policy_rule *r,
		   void (*fn)(void *userdata, const struct policy_listing *l), void *userdata)
{
	struct policy_why command, context;
	struct policy_listing l = {
		.rule_id = r->id,
		.file = r->file,
		.index = r->index,
		.verdict = r->decision,
		.dry_run = r->dry_run,
		.description = r->description,
		.message = r->message,
		.runbook = r->runbook,
	};

	policy_describe_command(&r->match, &command);
	l.command = command.text;
	if (policy_describe_context(&r->match, &context))
		l.context = context.text;
	fn(userdata, &l);
}

int policy_list(const struct policy *p, const struct policy_request *req,
		void (*fn)(void *userdata, const struct policy_listing *l), void *userdata)
{
	/* No command: one empty word stands for it, which no command condition is asked
	 * about. */
	static const char *const none[] = {"", NULL};
	struct policy_part part = {.argv = none, .argc = 1, .verbatim = true};
	struct policy_command c;
	int r;

	if (!p || !fn || !req || !req->cwd || req->cwd[0] != '/' ||
	    (req->n_groups && !req->groups) || (req->n_env && !req->env))
		return -EINVAL;
	for (size_t i = 0; i < req->n_env; i++)
		if (!req->env[i])
			return -EINVAL;
	part.cwd = req->cwd;
	r = policy_command_parse(req, &part, &c);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n_rules; i++)
		if (policy_rule_context_matches(p->rules[i], &c))
			report(p->rules[i], fn, userdata);
	policy_command_done(&c);
	return 0;
}
