/* evaluate.c: deciding a request: the first matching enforcing rule decides, dry-run
 * rules on the way are noted, and no match gives the default. policy_evaluate() meets
 * only the rules the index hands it; policy_explain() walks all of them in order and
 * says why each did not match, which also makes it the reference the index is tested
 * against. */
#include <string.h>

#include "policy-internal.h"

static bool request_valid(const struct policy_request *req)
{
	if (!req || !req->argv || req->argc < 1 || !req->cwd || req->cwd[0] != '/')
		return false;
	if (req->program && req->program[0] != '/')
		return false;
	if ((req->n_groups > 0 && !req->groups) || (req->n_env > 0 && !req->env))
		return false;
	for (size_t i = 0; i < req->argc; i++)
		if (!req->argv[i])
			return false;
	for (size_t i = 0; i < req->n_env; i++)
		if (!req->env[i])
			return false;
	return true;
}

static void note_dry_run(struct policy_decision *d, const struct policy_rule *r)
{
	if (d->n_dry_run < POLICY_MAX_DRY_RUN) {
		d->dry_run[d->n_dry_run].rule_id = r->id;
		d->dry_run[d->n_dry_run].verdict = r->decision;
	}
	d->n_dry_run++;
}

/* The molly-guard default: typing the host's name shows that the person knows where
 * they are. */
static const char *phrase(const struct policy_rule *r, const struct policy_request *req)
{
	if (r->phrase)
		return r->phrase;
	return req->host && req->host[0] ? req->host : "yes";
}

/* Fills d, whose dry-run part is already set, from the deciding rule r (NULL: the
 * default decides). */
static void decide(const struct policy *p, const struct policy_rule *r,
		   const struct policy_request *req, struct policy_decision *d)
{
	if (!r) {
		d->verdict = p->default_verdict;
		d->message = p->default_verdict == POLICY_ALLOW
				     ? "no rule matched; the default is allow"
				     : "no rule matched; the default is deny";
		return;
	}
	d->verdict = r->decision;
	d->rule = r;
	d->rule_id = r->id;
	d->message = r->message ? r->message : "allowed by a policy rule";
	d->runbook = r->runbook;
	if (r->decision == POLICY_CONFIRM)
		d->phrase = phrase(r, req);
	if (r->decision == POLICY_REASON)
		d->reason_pattern = r->reason->source;
	if (r->decision == POLICY_APPROVE) {
		d->approvers_group = r->approvers_group;
		d->approvers_count = r->approvers_count;
		d->approvers_expires = r->approvers_expires;
	}
}

int policy_evaluate(const struct policy *p, const struct policy_request *req,
		    struct policy_decision *ret)
{
	struct policy_decision d = {0};
	const struct policy_rule *decider = NULL;
	struct policy_candidates cand;
	struct policy_command c;
	uint32_t seq;
	bool named;
	int r;

	if (!p || !ret || !request_valid(req))
		return -EINVAL;
	r = policy_command_parse(req, &c);
	if (r < 0)
		return r;
	policy_index_candidates(&p->index, c.name, c.program_name, &cand);
	while (!decider && policy_candidates_next(&cand, &seq, &named)) {
		const struct policy_rule *rule = p->rules[seq];

		if (!policy_rule_may_match(rule, &c))
			continue;
		/* Filed under the request's name: its program condition holds. */
		if (!policy_match_holds(&rule->match, &c, named ? POLICY_GIVEN_PROGRAM : 0, NULL))
			continue;
		if (rule->dry_run)
			note_dry_run(&d, rule);
		else
			decider = rule;
	}
	policy_command_done(&c);
	decide(p, decider, req, &d);
	*ret = d;
	return 0;
}

/* Matches rule with an explanation and reports it to fn. */
static bool trace(const struct policy_rule *rule, const struct policy_command *c,
		  void (*fn)(void *userdata, const struct policy_trace *t), void *userdata)
{
	struct policy_why why = {.failed = ""};
	struct policy_trace t = {
		.rule_id = rule->id,
		.file = rule->file,
		.index = rule->index,
		.dry_run = rule->dry_run,
		.verdict = rule->decision,
	};

	t.matched = policy_match_holds(&rule->match, c, 0, &why);
	if (!t.matched) {
		t.failed = why.failed;
		t.why = why.text;
	}
	if (fn)
		fn(userdata, &t);
	return t.matched;
}

int policy_explain(const struct policy *p, const struct policy_request *req,
		   void (*fn)(void *userdata, const struct policy_trace *t), void *userdata,
		   struct policy_decision *ret)
{
	struct policy_decision d = {0};
	const struct policy_rule *decider = NULL;
	struct policy_command c;
	int r;

	if (!p || !ret || !request_valid(req))
		return -EINVAL;
	r = policy_command_parse(req, &c);
	if (r < 0)
		return r;
	for (size_t i = 0; !decider && i < p->n_rules; i++) {
		const struct policy_rule *rule = p->rules[i];

		if (!trace(rule, &c, fn, userdata))
			continue;
		if (rule->dry_run)
			note_dry_run(&d, rule);
		else
			decider = rule;
	}
	policy_command_done(&c);
	decide(p, decider, req, &d);
	*ret = d;
	return 0;
}

bool policy_reason_ok(const struct policy_rule *rule, const char *text)
{
	if (!rule || !text || rule->decision != POLICY_REASON || !rule->reason)
		return false;
	/* It goes into the record and in front of people: bounded, one line, no escape
	 * sequences. */
	if (strnlen(text, POLICY_REASON_MAX + 1) > POLICY_REASON_MAX)
		return false;
	for (const char *s = text; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return regexec(&rule->reason->re, text, 0, NULL, 0) == 0;
}

size_t policy_env_names(const struct policy *p, const char *const **ret)
{
	if (ret)
		*ret = p->env_names;
	return p->n_env_names;
}
