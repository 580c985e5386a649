/* evaluate.c: deciding a request: every part of it (shell.c) is judged, and the most
 * restrictive verdict wins. For each part the first matching enforcing rule decides,
 * dry-run rules on the way are noted, and no match gives the default; a part that
 * cannot be understood gets the policy's "unknown" verdict. policy_evaluate() meets
 * only the rules the index hands it; policy_explain() walks all of them in order and
 * says why each did not match, which also makes it the reference the index is tested
 * against. A request without wrappers is its own single part and is judged without the
 * analyser. */
#include <stdio.h>
#include <string.h>

#include "shell.h"

static bool request_valid(const struct policy_request *req, bool line)
{
	if (!req || !req->cwd || req->cwd[0] != '/')
		return false;
	if (!line && (!req->argv || req->argc < 1))
		return false;
	if (!line && req->program && req->program[0] != '/')
		return false;
	if ((req->n_groups > 0 && !req->groups) || (req->n_env > 0 && !req->env))
		return false;
	for (size_t i = 0; !line && i < req->argc; i++)
		if (!req->argv[i])
			return false;
	for (size_t i = 0; i < req->n_env; i++)
		if (!req->env[i])
			return false;
	return true;
}

/* The molly-guard default: typing the host's name shows that the person knows where
 * they are. */
static const char *phrase(const struct policy_rule *r, const struct policy_request *req)
{
	if (r->phrase)
		return r->phrase;
	return req->host && req->host[0] ? req->host : "yes";
}

/* What the parts came to so far. */
struct tally {
	struct {
		const char *rule_id;
		enum policy_verdict verdict;
	} dry_run[POLICY_MAX_DRY_RUN];
	size_t n_dry_run;
	bool judged;
	enum policy_verdict verdict;    /* the most restrictive yet */
	const struct policy_rule *rule; /* that decided it; NULL: default or unknown */
	const struct policy_part *part; /* that decided it */
};

/* A dry-run rule matched: noted once, however many parts it matched. */
static void note_dry_run(struct tally *t, const struct policy_rule *r)
{
	size_t named = t->n_dry_run < POLICY_MAX_DRY_RUN ? t->n_dry_run : POLICY_MAX_DRY_RUN;

	for (size_t i = 0; i < named; i++)
		if (t->dry_run[i].rule_id == r->id)
			return;
	if (t->n_dry_run < POLICY_MAX_DRY_RUN) {
		t->dry_run[t->n_dry_run].rule_id = r->id;
		t->dry_run[t->n_dry_run].verdict = r->decision;
	}
	t->n_dry_run++;
}

/* The part's verdict against the one so far: greater wins, the first of equals stays. */
static void note_verdict(struct tally *t, const struct policy_part *part, enum policy_verdict v,
			 const struct policy_rule *rule)
{
	if (t->judged && v <= t->verdict)
		return;
	t->judged = true;
	t->verdict = v;
	t->rule = rule;
	t->part = part;
}

/* Explaining: the callback, and the text of the part being judged. */
struct explainer {
	void (*fn)(void *userdata, const struct policy_trace *t);
	void *userdata;
	char part[POLICY_PART_TEXT_MAX];
};

/* Matches rule with an explanation and reports it. */
static bool trace(const struct policy_rule *rule, const struct policy_command *c,
		  struct explainer *ex)
{
	struct policy_why why = {.failed = ""};
	struct policy_trace t = {
		.rule_id = rule->id,
		.file = rule->file,
		.index = rule->index,
		.dry_run = rule->dry_run,
		.verdict = rule->decision,
		.part = ex->part,
	};

	t.matched = policy_match_holds(&rule->match, c, 0, rule->decision != POLICY_ALLOW, &why);
	if (!t.matched) {
		t.failed = why.failed;
		t.why = why.text;
	}
	if (ex->fn)
		ex->fn(ex->userdata, &t);
	return t.matched;
}

/* The first enforcing rule that matches c, noting dry-run rules on the way; NULL when
 * none does. */
static const struct policy_rule *first_match(const struct policy *p, const struct policy_command *c,
					     struct explainer *ex, struct tally *t)
{
	struct policy_candidates cand;
	uint32_t seq;
	bool named;

	if (ex) {
		for (size_t i = 0; i < p->n_rules; i++) {
			if (!trace(p->rules[i], c, ex))
				continue;
			if (!p->rules[i]->dry_run)
				return p->rules[i];
			note_dry_run(t, p->rules[i]);
		}
		return NULL;
	}
	policy_index_candidates(&p->index, c->name, c->program_name, &cand);
	while (policy_candidates_next(&cand, &seq, &named)) {
		const struct policy_rule *rule = p->rules[seq];

		if (!policy_rule_may_match(rule, c))
			continue;
		/* Filed under the request's name: its program condition holds. */
		if (!policy_match_holds(&rule->match, c, named ? POLICY_GIVEN_PROGRAM : 0,
					rule->decision != POLICY_ALLOW, NULL))
			continue;
		if (!rule->dry_run)
			return rule;
		note_dry_run(t, rule);
	}
	return NULL;
}

/* The one trace of a part that was not understood: no rule is looked at. */
static void trace_unknown(const struct policy *p, const struct policy_part *part,
			  struct explainer *ex)
{
	struct policy_trace t = {
		.matched = true,
		.verdict = p->unknown_verdict,
		.why = part->unknown,
		.part = ex->part,
	};

	if (ex->fn)
		ex->fn(ex->userdata, &t);
}

static int judge(const struct policy *p, const struct policy_request *req,
		 const struct policy_part *part, struct explainer *ex, struct tally *t)
{
	const struct policy_rule *decider;
	struct policy_command c;
	int r;

	if (ex)
		policy_part_text(part, ex->part, sizeof(ex->part));
	if (part->unknown) {
		if (ex)
			trace_unknown(p, part, ex);
		note_verdict(t, part, p->unknown_verdict, NULL);
		return 0;
	}
	r = policy_command_parse(req, part, &c);
	if (r < 0)
		return r;
	decider = first_match(p, &c, ex, t);
	policy_command_done(&c);
	note_verdict(t, part, decider ? decider->decision : p->default_verdict, decider);
	return 0;
}

static const char *unknown_verb(enum policy_verdict v)
{
	switch (v) {
	case POLICY_ALLOW:
		return "the policy lets it run";
	case POLICY_DENY:
		return "so it is refused";
	default:
		return "confirm it";
	}
}

/* A part that was not understood decides: the policy's "unknown" verdict, no rule. */
static void decide_unknown(const struct policy *p, const struct policy_part *part,
			   const struct policy_request *req, struct policy_decision *d)
{
	d->verdict = p->unknown_verdict;
	policy_shell_text(part->unknown, d->unknown, sizeof(d->unknown));
	snprintf(d->unknown_message, sizeof(d->unknown_message),
		 "guard cannot fully understand this command: %s; %s", d->unknown,
		 unknown_verb(d->verdict));
	d->message = d->unknown_message;
	if (d->verdict == POLICY_CONFIRM)
		d->phrase = req->host && req->host[0] ? req->host : "yes";
}

/* Fills d from the deciding rule r (NULL: the default decides). */
static void decide_rule(const struct policy *p, const struct policy_rule *r,
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

/* The decision from the tally. Only the fields in use are written: the texts are
 * started empty rather than cleared, which the hot path would pay for. */
static void decide(const struct policy *p, const struct policy_request *req, const struct tally *t,
		   size_t n_parts, struct policy_decision *d)
{
	d->verdict = POLICY_ALLOW;
	d->rule = NULL;
	d->rule_id = NULL;
	d->runbook = NULL;
	d->phrase = NULL;
	d->reason_pattern = NULL;
	d->approvers_group = NULL;
	d->approvers_count = d->approvers_expires = 0;
	d->n_dry_run = t->n_dry_run;
	memcpy(d->dry_run, t->dry_run, sizeof(d->dry_run));
	d->part[0] = d->unknown[0] = d->unknown_message[0] = '\0';
	if (!t->judged) {
		/* A line without any command (comments, assignments) runs nothing. */
		d->message = "it runs no command";
	} else if (t->part->unknown) {
		decide_unknown(p, t->part, req, d);
	} else {
		decide_rule(p, t->rule, req, d);
	}
	if (n_parts > 1 && t->part)
		policy_part_text(t->part, d->part, sizeof(d->part));
}

static int judge_parts(const struct policy *p, const struct policy_request *req,
		       const struct policy_part *parts, size_t n, struct explainer *ex,
		       struct policy_decision *ret)
{
	struct tally t = {.n_dry_run = 0};

	for (size_t i = 0; i < n; i++) {
		int r = judge(p, req, &parts[i], ex, &t);

		if (r < 0)
			return r;
	}
	decide(p, req, &t, n, ret);
	return 0;
}

/* Whether argv[0] or the program is a wrapper whose command is a part too. */
static bool unwraps(const struct policy_request *req)
{
	const char *name = strrchr(req->argv[0], '/');
	const char *program = req->program ? strrchr(req->program, '/') : NULL;

	return policy_shell_unwraps(name ? name + 1 : req->argv[0]) ||
	       (program && policy_shell_unwraps(program + 1));
}

static int judge_argv(const struct policy *p, const struct policy_request *req,
		      struct explainer *ex, struct policy_decision *ret)
{
	struct policy_parts parts;
	int r;

	if (!p || !ret || !request_valid(req, false))
		return -EINVAL;
	if (!unwraps(req)) {
		const struct policy_part part = {
			.argv = req->argv,
			.argc = req->argc,
			.program = req->program,
			.cwd = req->cwd,
			.verbatim = true,
		};

		return judge_parts(p, req, &part, 1, ex, ret);
	}
	r = policy_shell_argv(req, &parts);
	if (r < 0)
		return r;
	r = judge_parts(p, req, parts.v, parts.n, ex, ret);
	policy_parts_done(&parts);
	return r;
}

static int judge_line(const struct policy *p, const struct policy_request *req, const char *line,
		      struct explainer *ex, struct policy_decision *ret)
{
	struct policy_parts parts;
	int r;

	if (!p || !ret || !line || !request_valid(req, true))
		return -EINVAL;
	r = policy_shell_line(req, line, &parts);
	if (r < 0)
		return r;
	r = judge_parts(p, req, parts.v, parts.n, ex, ret);
	policy_parts_done(&parts);
	return r;
}

int policy_evaluate(const struct policy *p, const struct policy_request *req,
		    struct policy_decision *ret)
{
	return judge_argv(p, req, NULL, ret);
}

int policy_evaluate_line(const struct policy *p, const struct policy_request *req, const char *line,
			 struct policy_decision *ret)
{
	return judge_line(p, req, line, NULL, ret);
}

int policy_explain(const struct policy *p, const struct policy_request *req,
		   void (*fn)(void *userdata, const struct policy_trace *t), void *userdata,
		   struct policy_decision *ret)
{
	struct explainer ex = {.fn = fn, .userdata = userdata};

	return judge_argv(p, req, &ex, ret);
}

int policy_explain_line(const struct policy *p, const struct policy_request *req, const char *line,
			void (*fn)(void *userdata, const struct policy_trace *t), void *userdata,
			struct policy_decision *ret)
{
	struct explainer ex = {.fn = fn, .userdata = userdata};

	return judge_line(p, req, line, &ex, ret);
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
