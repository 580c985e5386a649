/* match.c: whether a rule's conditions hold for a request, in the documented order,
 * and when asked, which one did not and why. The hot path passes no why, and then no
 * text is ever built. */
#include <assert.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "policy-internal.h"

/* Every condition holds when it was not given (n == 0; empty lists are refused). */

/* Literal names, which most program conditions are, need no fnmatch(3). */
static bool name_matches(const char *glob, const char *name)
{
	if (policy_index_literal(glob))
		return strcmp(glob, name) == 0;
	return fnmatch(glob, name, 0) == 0;
}

static bool program_holds(const struct policy_match *m, const struct policy_command *c,
			  struct policy_why *why)
{
	const struct policy_strv *s = &m->program;

	for (size_t i = 0; i < s->n; i++) {
		const char *g = s->v[i];

		if (strchr(g, '/')) {
			if (c->program.buf && policy_path_match(g, &c->program))
				return true;
		} else if (name_matches(g, c->name) ||
			   (c->program_name && name_matches(g, c->program_name))) {
			/* Either name will do: catching more is the safe side for a deny. */
			return true;
		}
	}
	if (s->n && why) {
		policy_why_set(why, "match.program", "program ");
		policy_why_quote(why, c->name);
		if (c->req->program) {
			policy_why_add(why, " (");
			policy_why_quote(why, c->req->program);
			policy_why_add(why, ")");
		}
		policy_why_add(why, " is not ");
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool subcommand_holds(const struct policy_match *m, const struct policy_command *c,
			     struct policy_why *why)
{
	const struct policy_strv *s = &m->subcommand;

	for (size_t i = 0; i < s->n; i++)
		if (policy_command_has_subcommand(c, s->v[i]))
			return true;
	if (s->n && why) {
		policy_why_set(why, "match.subcommand", "the subcommand is not ");
		policy_why_list(why, s, " or ");
		if (c->n_words == 0) {
			policy_why_add(why, " (there are no positional words)");
		} else {
			policy_why_add(why, " (the first word is ");
			policy_why_quote(why, c->argv[c->words[0]]);
			policy_why_add(why, ")");
		}
	}
	return s->n == 0;
}

static bool flags_hold(const struct policy_match *m, const struct policy_command *c,
		       struct policy_why *why)
{
	for (size_t i = 0; i < m->n_flags; i++) {
		char failed[48];
		const struct policy_strv *f = &m->flags[i].any;
		bool any = policy_command_has_letter(c, &m->flags[i]);

		/* The lone short flags were just checked. */
		for (size_t j = 0; !any && j < f->n; j++)
			any = (f->v[j][1] == '-' || f->v[j][2] != '\0') &&
			      policy_command_has_flag(c, f->v[j]);
		if (any)
			continue;
		if (why) {
			snprintf(failed, sizeof(failed), "match.flags[%zu]", i);
			policy_why_set(why, failed, "no ");
			policy_why_list(why, f, " or ");
		}
		return false;
	}
	return true;
}

static void explain_no_words(const struct policy_command *c, struct policy_why *why,
			     const char *failed)
{
	policy_why_set(why, failed,
		       c->n_words ? "no positional word matches "
				  : "there are no positional words to match ");
}

static bool args_hold(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	const struct policy_strv *s = &m->args;

	for (size_t k = 0; k < c->n_words; k++)
		for (size_t i = 0; i < s->n; i++)
			if (fnmatch(s->v[i], c->argv[c->words[k]], 0) == 0)
				return true;
	if (s->n && why) {
		explain_no_words(c, why, "match.args");
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool args_regex_hold(const struct policy_match *m, const struct policy_command *c,
			    struct policy_why *why)
{
	const struct policy_regexv *s = &m->args_regex;

	for (size_t k = 0; k < c->n_words; k++)
		for (size_t i = 0; i < s->n; i++)
			if (regexec(&s->v[i]->re, c->argv[c->words[k]], 0, NULL, 0) == 0)
				return true;
	if (s->n && why) {
		explain_no_words(c, why, "match.args_regex");
		for (size_t i = 0; i < s->n; i++) {
			struct policy_strv one = {.v = &s->v[i]->source, .n = 1};

			policy_why_add(why, "%s", i == 0 ? "" : i + 1 == s->n ? " or " : ", ");
			policy_why_list(why, &one, "");
		}
	}
	return s->n == 0;
}

static bool path_matches(const struct policy_strv *s, const struct policy_path *path,
			 const struct policy_command *c)
{
	for (size_t i = 0; i < s->n; i++)
		if (policy_path_match_home(s->v[i], path, &c->home))
			return true;
	return false;
}

/* With "paths_mode": "all", the first path that matches no glob, or SIZE_MAX when
 * there is no path at all; c->n_words when every path matches. */
static size_t first_outsider(const struct policy_match *m, const struct policy_command *c)
{
	size_t seen = 0;

	for (size_t k = 0; k < c->n_words; k++) {
		if (!c->paths[k].buf)
			continue;
		if (!path_matches(&m->paths, &c->paths[k], c))
			return k;
		seen++;
	}
	return seen ? c->n_words : SIZE_MAX;
}

static void explain_unknown_home(const struct policy_strv *s, const struct policy_command *c,
				 struct policy_why *why)
{
	for (size_t i = 0; !c->home.buf && i < s->n; i++) {
		if (s->v[i][0] == '~') {
			policy_why_add(why, " (the home directory is unknown)");
			return;
		}
	}
}

static void explain_paths(const struct policy_match *m, const struct policy_command *c,
			  size_t outsider, struct policy_why *why)
{
	if (outsider == SIZE_MAX) {
		policy_why_set(why, "match.paths", "there are no paths to match ");
	} else if (m->paths_all) {
		policy_why_set(why, "match.paths", "%s", "");
		policy_why_quote(why, c->argv[c->words[outsider]]);
		policy_why_add(why, " does not match ");
	} else {
		policy_why_set(why, "match.paths", "no path matches ");
	}
	policy_why_list(why, &m->paths, " or ");
	explain_unknown_home(&m->paths, c, why);
}

static bool paths_hold(const struct policy_match *m, const struct policy_command *c,
		       struct policy_why *why)
{
	size_t outsider = SIZE_MAX;

	if (m->paths.n == 0)
		return true;
	if (m->paths_all) {
		outsider = first_outsider(m, c);
		if (outsider == c->n_words)
			return true;
	} else {
		for (size_t k = 0; k < c->n_words; k++) {
			if (!c->paths[k].buf)
				continue;
			if (path_matches(&m->paths, &c->paths[k], c))
				return true;
			outsider = k;
		}
	}
	if (why)
		explain_paths(m, c, outsider, why);
	return false;
}

/* entry is a decimal id or a name. */
static bool names(const char *entry, unsigned long id, const char *name)
{
	unsigned long want;

	if (policy_parse_id(entry, &want))
		return want == id;
	return name && strcmp(entry, name) == 0;
}

static bool user_holds(const struct policy_match *m, const struct policy_command *c,
		       struct policy_why *why)
{
	const struct policy_strv *s = &m->user;
	const struct policy_request *req = c->req;

	for (size_t i = 0; i < s->n; i++)
		if (names(s->v[i], req->uid, req->user))
			return true;
	if (s->n && why) {
		policy_why_set(why, "match.user", "user ");
		if (req->user) {
			policy_why_quote(why, req->user);
			policy_why_add(why, " (uid %lu) is not ", (unsigned long)req->uid);
		} else {
			policy_why_add(why, "%lu is not ", (unsigned long)req->uid);
		}
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool group_holds(const struct policy_match *m, const struct policy_command *c,
			struct policy_why *why)
{
	const struct policy_strv *s = &m->group;
	const struct policy_request *req = c->req;

	for (size_t i = 0; i < s->n; i++) {
		if (names(s->v[i], req->gid, NULL))
			return true;
		for (size_t g = 0; g < req->n_groups; g++)
			if (names(s->v[i], req->groups[g],
				  req->group_names ? req->group_names[g] : NULL))
				return true;
	}
	if (s->n && why) {
		policy_why_set(why, "match.group", "no group of the user is ");
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool host_holds(const struct policy_match *m, const struct policy_command *c,
		       struct policy_why *why)
{
	const struct policy_strv *s = &m->host;
	const char *host = c->req->host;

	/* Host names are case-insensitive (RFC 4343). */
	for (size_t i = 0; host && i < s->n; i++)
		if (fnmatch(s->v[i], host, FNM_CASEFOLD) == 0)
			return true;
	if (s->n && why) {
		if (host) {
			policy_why_set(why, "match.host", "host ");
			policy_why_quote(why, host);
			policy_why_add(why, " is not ");
		} else {
			policy_why_set(why, "match.host",
				       "the host name is unknown, so it is not ");
		}
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool cwd_holds(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	const struct policy_strv *s = &m->cwd;

	if (s->n == 0 || path_matches(s, &c->cwd, c))
		return true;
	if (why) {
		policy_why_set(why, "match.cwd", "the working directory ");
		policy_why_quote(why, c->req->cwd);
		policy_why_add(why, " does not match ");
		policy_why_list(why, s, " or ");
		explain_unknown_home(s, c, why);
	}
	return false;
}

static bool env_one_holds(const struct policy_env *e, const char *value)
{
	if (e->set != POLICY_UNSET)
		return (value != NULL) == (e->set == POLICY_TRUE);
	for (size_t i = 0; value && i < e->globs.n; i++)
		if (fnmatch(e->globs.v[i], value, 0) == 0)
			return true;
	return false;
}

static void explain_env(const struct policy_env *e, const char *value, struct policy_why *why)
{
	char failed[POLICY_WHERE_MAX];

	snprintf(failed, sizeof(failed), "match.env.%s", e->name);
	if (!value) {
		policy_why_set(why, failed, "%s is not set", e->name);
		return;
	}
	policy_why_set(why, failed, "%s is ", e->name);
	if (e->set == POLICY_FALSE) {
		policy_why_add(why, "set");
		return;
	}
	policy_why_quote(why, value);
	policy_why_add(why, ", not ");
	policy_why_list(why, &e->globs, " or ");
}

static bool env_holds(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	for (size_t i = 0; i < m->n_env; i++) {
		const char *value = policy_command_getenv(c, m->env[i].name);

		if (env_one_holds(&m->env[i], value))
			continue;
		if (why)
			explain_env(&m->env[i], value, why);
		return false;
	}
	return true;
}

static bool tristate_holds(enum policy_tristate want, bool have, struct policy_why *why,
			   const char *failed, const char *yes, const char *no)
{
	if (want == POLICY_UNSET || have == (want == POLICY_TRUE))
		return true;
	if (why)
		policy_why_set(why, failed, "%s", have ? yes : no);
	return false;
}

static bool tty_holds(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	return tristate_holds(m->tty, c->req->tty, why, "match.tty", "there is a terminal",
			      "there is no terminal");
}

static bool ssh_holds(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	return tristate_holds(m->ssh, c->req->ssh, why, "match.ssh", "it runs over ssh",
			      "it does not run over ssh");
}

static bool time_holds(const struct policy_match *m, const struct policy_command *c,
		       struct policy_why *why)
{
	return !m->time || policy_time_holds(m->time, c->req->now, why);
}

/* Nested match objects are not explained in detail: the path says which one. */
static bool not_holds(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	if (!m->not || !policy_match_holds(m->not, c, 0, NULL))
		return true;
	if (why)
		policy_why_set(why, "match.not", "what it names holds");
	return false;
}

static bool any_holds(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why)
{
	for (size_t i = 0; i < m->n_any; i++)
		if (policy_match_holds(&m->any[i], c, 0, NULL))
			return true;
	if (m->n_any && why)
		policy_why_set(why, "match.any", "none of its %zu match objects holds", m->n_any);
	return m->n_any == 0;
}

typedef bool holds_fn(const struct policy_match *m, const struct policy_command *c,
		      struct policy_why *why);

/* The order of guard-policy(5): explanations name the first that fails. */
static holds_fn *const conditions[] = {
	program_holds, subcommand_holds, flags_hold, args_hold, args_regex_hold, paths_hold,
	user_holds,    group_holds,      host_holds, cwd_holds, env_holds,       tty_holds,
	ssh_holds,     time_holds,       not_holds,  any_holds,
};

void policy_match_given(struct policy_match *m)
{
	const bool given[] = {
		m->program.n,
		m->subcommand.n,
		m->n_flags,
		m->args.n,
		m->args_regex.n,
		m->paths.n,
		m->user.n,
		m->group.n,
		m->host.n,
		m->cwd.n,
		m->n_env,
		m->tty != POLICY_UNSET,
		m->ssh != POLICY_UNSET,
		m->time,
		m->not,
		m->n_any,
	};

	static_assert(sizeof(given) / sizeof(given[0]) ==
			      sizeof(conditions) / sizeof(conditions[0]),
		      "one bit per condition");
	m->given = 0;
	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (given[i])
			m->given |= 1u << i;
}

bool policy_match_holds(const struct policy_match *m, const struct policy_command *c, uint32_t skip,
			struct policy_why *why)
{
	/* Only the conditions given: a rule has a few of the sixteen. */
	for (uint32_t left = m->given & ~skip; left; left &= left - 1)
		if (!conditions[__builtin_ctz(left)](m, c, why))
			return false;
	return true;
}
