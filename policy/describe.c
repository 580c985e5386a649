/* describe.c: a rule's conditions in plain words, for guard --list: what command it is
 * about ("program rm, shred or mv, with a path matching /var/lib/mysql/...") and in
 * which context it applies ("on host bastion-*, from 09:00-17:00 (Europe/Berlin)").
 * The words are built with the explanation helpers (errors.c), so they are bounded,
 * cut with "..." and free of control characters like every other text of the engine. */
#include <string.h>

#include "shell.h"

static void sep(struct policy_why *w, bool *first)
{
	if (!*first)
		policy_why_add(w, ", ");
	*first = false;
}

static void describe_flags(const struct policy_match *m, struct policy_why *w, bool *first)
{
	if (!m->n_flags)
		return;
	sep(w, first);
	policy_why_add(w, "with flag%s ", m->n_flags > 1 || m->flags[0].any.n > 1 ? "s" : "");
	for (size_t i = 0; i < m->n_flags; i++) {
		bool group = m->n_flags > 1 && m->flags[i].any.n > 1;

		policy_why_add(w, "%s%s", i ? " and " : "", group ? "(" : "");
		policy_why_list(w, &m->flags[i].any, " or ");
		policy_why_add(w, "%s", group ? ")" : "");
	}
}

static void describe_args_regex(const struct policy_match *m, struct policy_why *w, bool *first)
{
	if (!m->args_regex.n)
		return;
	sep(w, first);
	policy_why_add(w, "an argument matching the regex ");
	for (size_t i = 0; i < m->args_regex.n; i++) {
		struct policy_strv one = {.v = &m->args_regex.v[i]->source, .n = 1};

		policy_why_add(w, "%s", i == 0 ? "" : i + 1 == m->args_regex.n ? " or " : ", ");
		policy_why_list(w, &one, "");
	}
}

/* "label a, b or c" when the list was given. */
static void listed(struct policy_why *w, bool *first, const char *label,
		   const struct policy_strv *s)
{
	if (!s->n)
		return;
	sep(w, first);
	policy_why_add(w, "%s", label);
	policy_why_list(w, s, " or ");
}

static void describe_match(const struct policy_match *m, struct policy_why *w, bool *first,
			   bool command, bool context);

static void describe_nested(const struct policy_match *m, struct policy_why *w, bool *first)
{
	if (m->not ) {
		bool inner = true;

		sep(w, first);
		policy_why_add(w, "unless (");
		describe_match(m->not, w, &inner, true, true);
		policy_why_add(w, ")");
	}
	if (m->n_any) {
		sep(w, first);
		policy_why_add(w, "when one of: ");
		for (size_t i = 0; i < m->n_any; i++) {
			bool inner = true;

			policy_why_add(w, "%s(", i ? " or " : "");
			describe_match(&m->any[i], w, &inner, true, true);
			if (inner)
				policy_why_add(w, "anything");
			policy_why_add(w, ")");
		}
	}
}

static void describe_command(const struct policy_match *m, struct policy_why *w, bool *first)
{
	listed(w, first, "program ", &m->program);
	listed(w, first, "subcommand ", &m->subcommand);
	describe_flags(m, w, first);
	listed(w, first, "an argument matching ", &m->args);
	describe_args_regex(m, w, first);
	listed(w, first, m->paths_all ? "every path matching " : "a path matching ", &m->paths);
}

static void describe_env(const struct policy_match *m, struct policy_why *w, bool *first)
{
	for (size_t i = 0; i < m->n_env; i++) {
		const struct policy_env *e = &m->env[i];

		sep(w, first);
		if (e->set == POLICY_TRUE) {
			policy_why_add(w, "when %s is set", e->name);
		} else if (e->set == POLICY_FALSE) {
			policy_why_add(w, "when %s is not set", e->name);
		} else {
			policy_why_add(w, "when %s is ", e->name);
			policy_why_list(w, &e->globs, " or ");
		}
	}
}

static void describe_time(const struct policy_time *t, struct policy_why *w, bool *first)
{
	if (!t)
		return;
	sep(w, first);
	if (t->days_text.n) {
		policy_why_add(w, "on ");
		policy_why_list(w, &t->days_text, " or ");
		policy_why_add(w, "%s", t->hours_text.n || t->dates_text.n ? " " : "");
	}
	if (t->hours_text.n) {
		policy_why_add(w, "from ");
		policy_why_list(w, &t->hours_text, " or ");
		policy_why_add(w, "%s", t->dates_text.n ? " " : "");
	}
	if (t->dates_text.n) {
		policy_why_add(w, "during ");
		policy_why_list(w, &t->dates_text, " or ");
	}
	policy_why_add(w, " (%s)", policy_tz_name(t->tz));
}

static void describe_context(const struct policy_match *m, struct policy_why *w, bool *first)
{
	listed(w, first, "for user ", &m->user);
	listed(w, first, "for group ", &m->group);
	listed(w, first, "on host ", &m->host);
	listed(w, first, "in a directory matching ", &m->cwd);
	describe_env(m, w, first);
	if (m->tty != POLICY_UNSET) {
		sep(w, first);
		policy_why_add(w, m->tty == POLICY_TRUE ? "from a terminal" : "without a terminal");
	}
	if (m->ssh != POLICY_UNSET) {
		sep(w, first);
		policy_why_add(w, m->ssh == POLICY_TRUE ? "over ssh" : "not over ssh");
	}
	describe_time(m->time, w, first);
}

static void describe_match(const struct policy_match *m, struct policy_why *w, bool *first,
			   bool command, bool context)
{
	if (command)
		describe_command(m, w, first);
	if (context)
		describe_context(m, w, first);
	/* Nested objects may mix both kinds: they belong to the command's words. */
	if (command)
		describe_nested(m, w, first);
}

void policy_describe_command(const struct policy_match *m, struct policy_why *ret)
{
	bool first = true;

	policy_why_set(ret, "match", "%s", "");
	describe_match(m, ret, &first, true, false);
	if (first)
		policy_why_add(ret, "any command");
}

bool policy_describe_context(const struct policy_match *m, struct policy_why *ret)
{
	bool first = true;

	policy_why_set(ret, "match", "%s", "");
	describe_match(m, ret, &first, false, true);
	return !first;
}
