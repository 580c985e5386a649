/* match.c: whether a rule's conditions hold for a part of a request, in the documented
 * order, and when asked, which one did not and why. The hot path passes no why, and then
 * no text is ever built. What the shell analyser could not know is judged loosely for
 * rules that are not allow (it may match) and strictly for allow rules (it must). */
#include <assert.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "shell.h"

/* Every condition holds when it was not given (n == 0; empty lists are refused). */

/* Literal names, which most program conditions are, need no fnmatch(3). */
static bool name_matches(const char *glob, const char *name)
{
	if (policy_index_literal(glob))
		return strcmp(glob, name) == 0;
	return fnmatch(glob, name, 0) == 0;
}

static bool program_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
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
		if (c->part->program) {
			policy_why_add(why, " (");
			policy_why_quote(why, c->part->program);
			policy_why_add(why, ")");
		}
		policy_why_add(why, " is not ");
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool subcommand_holds(const struct policy_match *m, const struct policy_command *c,
			     bool loose, struct policy_why *why)
{
	const struct policy_strv *s = &m->subcommand;

	for (size_t i = 0; i < s->n; i++)
		if (policy_command_has_subcommand(c, s->v[i], loose))
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

static bool flags_hold(const struct policy_match *m, const struct policy_command *c, bool loose,
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

/* A glob of "args" and positional word k. */
static bool arg_matches(const struct policy_command *c, size_t k, const char *glob, bool loose)
{
	unsigned flags = c->word_flags ? c->word_flags[k] : 0;
	const struct policy_part *part = c->part;

	if (flags & (POLICY_WORD_UNKNOWN | POLICY_WORD_BELOW))
		return loose;
	if (flags & POLICY_WORD_GLOB)
		return policy_glob_meets(glob, part->words[c->words[k]].pattern, loose);
	return fnmatch(glob, c->argv[c->words[k]], 0) == 0;
}

static bool args_hold(const struct policy_match *m, const struct policy_command *c, bool loose,
		      struct policy_why *why)
{
	const struct policy_strv *s = &m->args;

	for (size_t k = 0; k < c->n_words; k++)
		for (size_t i = 0; i < s->n; i++)
			if (arg_matches(c, k, s->v[i], loose))
				return true;
	if (s->n && why) {
		explain_no_words(c, why, "match.args");
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool args_regex_hold(const struct policy_match *m, const struct policy_command *c,
			    bool loose, struct policy_why *why)
{
	const struct policy_regexv *s = &m->args_regex;

	for (size_t k = 0; k < c->n_words; k++) {
		/* A regex and a glob are not compared: a glob word is taken as unknown. */
		if (c->word_flags && c->word_flags[k]) {
			if (loose && s->n)
				return true;
			continue;
		}
		for (size_t i = 0; i < s->n; i++)
			if (regexec(&s->v[i]->re, c->argv[c->words[k]], 0, NULL, 0) == 0)
				return true;
	}
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

/* Whether positional word k, taken as a path, matches one of the globs s: an unknown
 * word may be any path. */
static bool word_path_matches(const struct policy_strv *s, const struct policy_command *c, size_t k,
			      bool loose)
{
	unsigned flags = c->word_flags ? c->word_flags[k] : 0;

	if (flags & POLICY_WORD_UNKNOWN)
		return loose;
	if (!flags)
		return path_matches(s, &c->paths[k], c);
	for (size_t i = 0; i < s->n; i++)
		if (policy_path_meets_home(s->v[i], &c->paths[k], flags, loose, &c->home))
			return true;
	return false;
}

static bool is_path(const struct policy_command *c, size_t k)
{
	return c->paths[k].buf || (c->word_flags && (c->word_flags[k] & POLICY_WORD_UNKNOWN));
}

/* With "paths_mode": "all", the first path that matches no glob, or SIZE_MAX when
 * there is no path at all; c->n_words when every path matches. */
static size_t first_outsider(const struct policy_match *m, const struct policy_command *c,
			     bool loose)
{
	size_t seen = 0;

	for (size_t k = 0; k < c->n_words; k++) {
		if (!is_path(c, k))
			continue;
		if (!word_path_matches(&m->paths, c, k, loose))
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

/* For an allow rule: a word that is not known, or a pattern, is not taken to match. */
static void explain_unknown_words(const struct policy_command *c, struct policy_why *why)
{
	for (size_t k = 0; c->word_flags && k < c->n_words; k++) {
		if (!c->word_flags[k])
			continue;
		policy_why_add(why, " (");
		policy_why_quote(why, c->argv[c->words[k]]);
		policy_why_add(why, " may be %s)",
			       c->word_flags[k] & POLICY_WORD_UNKNOWN ? "anything" : "other paths");
		return;
	}
}

static void explain_paths(const struct policy_match *m, const struct policy_command *c,
			  size_t outsider, bool loose, struct policy_why *why)
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
	if (!loose)
		explain_unknown_words(c, why);
}

static bool paths_hold(const struct policy_match *m, const struct policy_command *c, bool loose,
		       struct policy_why *why)
{
	size_t outsider = SIZE_MAX;

	if (m->paths.n == 0)
		return true;
	if (m->paths_all) {
		outsider = first_outsider(m, c, loose);
		if (outsider == c->n_words)
			return true;
	} else {
		for (size_t k = 0; k < c->n_words; k++) {
			if (!is_path(c, k))
				continue;
			if (word_path_matches(&m->paths, c, k, loose))
				return true;
			outsider = k;
		}
	}
	if (why)
		explain_paths(m, c, outsider, loose, why);
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

static bool user_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
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

static bool group_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
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

static bool host_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		       struct policy_why *why)
{
	const struct policy_strv *s = &m->host;
	const char *host = c->host_unknown ? NULL : c->host;

	if (c->host_unknown && s->n && loose)
		return true;
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
				       c->host_unknown
					       ? "the host (over ssh) is not known, so it is not "
					       : "the host name is unknown, so it is not ");
		}
		policy_why_list(why, s, " or ");
	}
	return s->n == 0;
}

static bool cwd_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		      struct policy_why *why)
{
	const struct policy_strv *s = &m->cwd;

	if (s->n == 0 || (c->cwd_unknown ? loose : path_matches(s, &c->cwd, c)))
		return true;
	if (why && c->cwd_unknown) {
		policy_why_set(why, "match.cwd",
			       "the working directory is not known, so it is not ");
		policy_why_list(why, s, " or ");
	} else if (why) {
		policy_why_set(why, "match.cwd", "the working directory ");
		policy_why_quote(why, c->cwd_text);
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

static bool env_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
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

static bool tty_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		      struct policy_why *why)
{
	return tristate_holds(m->tty, c->req->tty, why, "match.tty", "there is a terminal",
			      "there is no terminal");
}

static bool ssh_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		      struct policy_why *why)
{
	return tristate_holds(m->ssh, c->req->ssh, why, "match.ssh", "it runs over ssh",
			      "it does not run over ssh");
}

static bool time_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		       struct policy_why *why)
{
	return !m->time || policy_time_holds(m->time, c->req->now, why);
}

/* Nested match objects are not explained in detail: the path says which one. */
static bool not_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		      struct policy_why *why)
{
	if (!m->not || !policy_match_holds(m->not, c, 0, !loose, NULL))
		return true;
	if (why)
		policy_why_set(why, "match.not", "what it names holds");
	return false;
}

static bool any_holds(const struct policy_match *m, const struct policy_command *c, bool loose,
		      struct policy_why *why)
{
	for (size_t i = 0; i < m->n_any; i++)
		if (policy_match_holds(&m->any[i], c, 0, loose, NULL))
			return true;
	if (m->n_any && why)
		policy_why_set(why, "match.any", "none of its %zu match objects holds", m->n_any);
	return m->n_any == 0;
}

typedef bool holds_fn(const struct policy_match *m, const struct policy_command *c, bool loose,
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
			bool loose, struct policy_why *why)
{
	/* Only the conditions given: a rule has a few of the sixteen. */
	for (uint32_t left = m->given & ~skip; left; left &= left - 1)
		if (!conditions[__builtin_ctz(left)](m, c, loose, why))
			return false;
	return true;
}
