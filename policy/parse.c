/* parse.c: strict validation of one policy file's JSON into rules, reporting every
 * problem rather than the first.
 *
 * The file format (guard-policy(5) is written from this):
 *
 *   {
 *     "default": "allow",        optional: "allow" or "deny"
 *     "rules": [ RULE, ... ]     required; may be empty
 *   }
 *
 * "default" is the verdict when no rule matches (allow when no file sets it); files
 * that set it must agree. RULE is an object:
 *
 *   "id"           required; 1 to 64 of A-Z a-z 0-9 . _ -; unique across all files
 *   "description"  optional non-empty string, for people reading the policy
 *   "match"        required object of conditions; all given must hold; {} matches all
 *   "decision"     required: "allow" or "deny"
 *   "message"      non-empty string shown to the person, at most 1024 characters;
 *                  required for "deny"
 *   "runbook"      optional non-empty string, a link shown with the message (at most
 *                  1024 characters)
 *
 * Conditions. A list is any-of; where a string is allowed it stands for a list of one;
 * an empty array is an error (it could never match), and so is an empty string.
 *
 *   "program"     string or array of globs. One with a '/' is a path glob (as in
 *                 "paths") on the program's path: the path the client resolved, else
 *                 argv[0] made absolute against the cwd when it has a '/'. One without
 *                 is an fnmatch(3) glob on the last component of that path or of
 *                 argv[0]; either matching will do.
 *   "subcommand"  string or array; each string is words separated by spaces
 *                 ("stash drop") that must equal the leading positional words. Words
 *                 do not start with '-'.
 *   "flags"       array; every element must hold; an element is a flag or an array
 *                 of flags (any-of). "-r" is given alone or in a cluster ("-fr");
 *                 "-rf" means "-r" and "-f"; "--force" matches "--force" and
 *                 "--force=X", never "--force-with-lease". Only arguments before "--"
 *                 are flags. A flag has no '=', space or control character.
 *   "args"        array of fnmatch(3) globs in which '*' crosses '/'; holds when some
 *                 positional word matches some glob.
 *   "paths"       array of absolute path globs without "." or ".." components; holds
 *                 when some non-empty positional word, joined to the cwd unless
 *                 absolute and canonicalised lexically ("//", "." and ".." resolved,
 *                 no trailing '/', no symlinks, no '~'), matches some glob. '*', '?'
 *                 and '[...]' match within one component ('*' matches a leading '.'
 *                 too); "**" as a whole component matches zero or more components, so
 *                 a trailing "**" also matches the directory it follows.
 *   "user"        string or array of user names or decimal uids ("0").
 *   "group"       string or array of group names or decimal gids; holds when the
 *                 primary group or any supplementary group is one of them.
 *
 * Positional words are the arguments after argv[0] that do not start with '-' (a lone
 * "-" is one), and every argument after "--"; the value after an option that takes one
 * is skipped for git, kubectl and systemctl (see command.c). Globs are at most 4096
 * bytes. Unknown keys anywhere are errors. Errors come in document order, file by
 * file; the checks across files (ids, default) follow. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy-internal.h"

#define WHERE_MAX 96 /* "rules[N].match.flags[N][N]" */

struct parser {
	const char *file;
	struct policy_errors *errs;
	int r; /* 0, -EINVAL once a problem was reported, -ENOMEM */
};

struct condition;
typedef void parse_fn(struct parser *p, const char *where, json_t *v, const struct condition *c,
		      struct policy_match *m);

/* One condition of "match". */
struct condition {
	const char *key;
	parse_fn *parse;
	const char *noun;       /* in "invalid NOUN "VALUE": PROBLEM" */
	const char *type_error; /* when the value has the wrong JSON type */
	bool one_or_many;       /* a lone string stands for an array of one */
	const char *(*problem)(const char *s);
	size_t offset; /* of its struct policy_strv in struct policy_match */
};

static const char *const top_keys[] = {"default", "rules", NULL};
static const char *const rule_keys[] = {
	"id", "description", "match", "decision", "message", "runbook", NULL,
};

static void report(struct parser *p, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds "FILE: WHERE: TEXT" (or "FILE: TEXT" for the top level) to the errors. */
static void report(struct parser *p, const char *where, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0) {
		p->r = -ENOMEM;
		return;
	}
	if (where)
		r = policy_errors_addf(p->errs, "%s: %s: %s", p->file, where, text);
	else
		r = policy_errors_addf(p->errs, "%s: %s", p->file, text);
	free(text);
	p->r = policy_worse(p->r, r < 0 ? r : -EINVAL);
}

/* Can never be cut for the sizes a policy file has; marked if it were. */
static const char *mark_cut(char where[WHERE_MAX], int n)
{
	if (n >= WHERE_MAX)
		memcpy(where + WHERE_MAX - 4, "...", 4);
	return where;
}

static const char *member(char where[WHERE_MAX], const char *parent, const char *key)
{
	if (!parent)
		return mark_cut(where, snprintf(where, WHERE_MAX, "%s", key));
	return mark_cut(where, snprintf(where, WHERE_MAX, "%s.%s", parent, key));
}

static const char *element(char where[WHERE_MAX], const char *parent, size_t i)
{
	return mark_cut(where, snprintf(where, WHERE_MAX, "%s[%zu]", parent, i));
}

static bool key_known(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

static void check_keys(struct parser *p, const char *where, json_t *obj, const char *const *keys)
{
	char valid[128] = "";

	for (const char *const *k = keys; *k; k++)
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
			 k == keys ? "" : ", ", *k);
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		char q[POLICY_QUOTE_MAX];

		if (key_known(key, keys))
			continue;
		policy_quote(key, q, sizeof(q));
		report(p, where, "unknown key %s (valid: %s)", q, valid);
	}
}

static json_t *required(struct parser *p, const char *where, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		report(p, where, "missing key \"%s\"", key);
	return v;
}

/* Characters, not bytes: jansson has checked that strings are valid UTF-8. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool parse_verdict(struct parser *p, const char *where, json_t *v, enum policy_verdict *ret)
{
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		report(p, where, "expected \"allow\" or \"deny\"");
		return false;
	}
	if (policy_verdict_from_string(json_string_value(v), ret) == 0)
		return true;
	policy_quote(json_string_value(v), q, sizeof(q));
	report(p, where, "unknown decision %s (valid: allow, deny)", q);
	return false;
}

static bool id_valid(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

	return n >= 1 && n <= POLICY_ID_MAX && s[n] == '\0';
}

static const char *parse_id(struct parser *p, const char *where, json_t *rule)
{
	json_t *v = required(p, where, rule, "id");
	char w[WHERE_MAX], q[POLICY_QUOTE_MAX];

	if (!v)
		return NULL;
	member(w, where, "id");
	if (!json_is_string(v)) {
		report(p, w, "expected a string");
		return NULL;
	}
	if (!id_valid(json_string_value(v))) {
		policy_quote(json_string_value(v), q, sizeof(q));
		report(p, w, "invalid id %s (use 1 to 64 letters, digits, \".\", \"_\" and \"-\")",
		       q);
		return NULL;
	}
	return json_string_value(v);
}

/* An optional human text: a non-empty string of at most max characters. */
static const char *parse_text(struct parser *p, const char *where, json_t *rule, const char *key,
			      size_t max)
{
	json_t *v = json_object_get(rule, key);
	char w[WHERE_MAX];

	if (!v)
		return NULL;
	member(w, where, key);
	if (!json_is_string(v)) {
		report(p, w, "expected a string");
		return NULL;
	}
	if (json_string_value(v)[0] == '\0') {
		report(p, w, "empty string");
		return NULL;
	}
	if (utf8_chars(json_string_value(v)) > max) {
		report(p, w, "longer than %zu characters", max);
		return NULL;
	}
	return json_string_value(v);
}

static const char *glob_problem(const char *s)
{
	return strlen(s) > POLICY_GLOB_MAX ? "it is longer than 4096 bytes" : NULL;
}

static const char *program_problem(const char *s)
{
	return strchr(s, '/') ? policy_path_glob_problem(s) : glob_problem(s);
}

static const char *subcommand_problem(const char *s)
{
	if (s[strspn(s, " ")] == '\0')
		return "it has no words";
	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		if (*s == '-')
			return "its words do not start with \"-\" (match options with \"flags\")";
		s += strcspn(s, " ");
	}
	return NULL;
}

/* A name, or a decimal id that fits. */
static const char *id_problem(const char *s)
{
	unsigned long id;

	if (s[strspn(s, "0123456789")] == '\0' && !policy_parse_id(s, &id))
		return "the number is out of range";
	return NULL;
}

bool policy_parse_id(const char *s, unsigned long *ret)
{
	unsigned long v = 0;

	if (s[0] == '\0' || strlen(s) > 10 || s[strspn(s, "0123456789")] != '\0')
		return false;
	for (; *s; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	/* (uid_t)-1 means "no id" to the kernel; nobody has it. */
	if (v >= UINT32_MAX)
		return false;
	*ret = v;
	return true;
}

static void parse_string(struct parser *p, const char *where, json_t *v, const struct condition *c,
			 struct policy_strv *ret)
{
	const char *problem;
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		report(p, where, "expected a string");
		return;
	}
	if (json_string_value(v)[0] == '\0') {
		report(p, where, "empty string");
		return;
	}
	problem = c->problem(json_string_value(v));
	if (problem) {
		policy_quote(json_string_value(v), q, sizeof(q));
		report(p, where, "invalid %s %s: %s", c->noun, q, problem);
		return;
	}
	ret->v[ret->n++] = json_string_value(v);
}

static void parse_strings(struct parser *p, const char *where, json_t *v, const struct condition *c,
			  struct policy_strv *ret)
{
	bool one = c->one_or_many && json_is_string(v);
	size_t n = one ? 1 : json_array_size(v);
	char w[WHERE_MAX];

	if (!one && !json_is_array(v)) {
		report(p, where, "%s", c->type_error);
		return;
	}
	if (n == 0) {
		report(p, where, "empty array; it would never match");
		return;
	}
	ret->v = calloc(n, sizeof(*ret->v));
	if (!ret->v) {
		p->r = -ENOMEM;
		return;
	}
	if (one)
		parse_string(p, where, v, c, ret);
	for (size_t i = 0; !one && i < n; i++)
		parse_string(p, element(w, where, i), json_array_get(v, i), c, ret);
}

static void parse_flags(struct parser *p, const char *where, json_t *v, const struct condition *c,
			struct policy_match *m)
{
	/* Each element: a flag, or an array of flags of which one must be given. */
	static const struct condition element_condition = {
		.key = "flags",
		.noun = "flag",
		.type_error = "expected a flag or an array of flags",
		.one_or_many = true,
		.problem = policy_flag_problem,
	};
	size_t n = json_array_size(v);
	char w[WHERE_MAX];

	if (!json_is_array(v)) {
		report(p, where, "%s", c->type_error);
		return;
	}
	if (n == 0) {
		report(p, where, "empty array; it would never match");
		return;
	}
	m->flags = calloc(n, sizeof(*m->flags));
	if (!m->flags) {
		p->r = -ENOMEM;
		return;
	}
	m->n_flags = n;
	for (size_t i = 0; i < n; i++)
		parse_strings(p, element(w, where, i), json_array_get(v, i), &element_condition,
			      &m->flags[i]);
}

static void parse_list(struct parser *p, const char *where, json_t *v, const struct condition *c,
		       struct policy_match *m)
{
	parse_strings(p, where, v, c, (struct policy_strv *)((char *)m + c->offset));
}

#define ONE_OR_LIST "expected a string or an array of strings"
#define LIST        "expected an array of strings"

/* In the order of guard-policy(5), which is the order their errors are reported in. */
static const struct condition conditions[] = {
	{"program", parse_list, "program", ONE_OR_LIST, true, program_problem,
	 offsetof(struct policy_match, program)},
	{"subcommand", parse_list, "subcommand", ONE_OR_LIST, true, subcommand_problem,
	 offsetof(struct policy_match, subcommand)},
	{.key = "flags", .parse = parse_flags, .type_error = "expected an array of flags"},
	{"args", parse_list, "argument glob", LIST, false, glob_problem,
	 offsetof(struct policy_match, args)},
	{"paths", parse_list, "path glob", LIST, false, policy_path_glob_problem,
	 offsetof(struct policy_match, paths)},
	{"user", parse_list, "user", ONE_OR_LIST, true, id_problem,
	 offsetof(struct policy_match, user)},
	{"group", parse_list, "group", ONE_OR_LIST, true, id_problem,
	 offsetof(struct policy_match, group)},
};
static const char *const match_keys[] = {
	"program", "subcommand", "flags", "args", "paths", "user", "group", NULL,
};

static void parse_match(struct parser *p, const char *where, json_t *v, struct policy_match *m)
{
	char w[WHERE_MAX], cw[WHERE_MAX];

	if (!v) {
		report(p, where, "missing key \"match\"");
		return;
	}
	member(w, where, "match");
	if (!json_is_object(v)) {
		report(p, w, "expected an object");
		return;
	}
	check_keys(p, w, v, match_keys);
	for (size_t i = 0; i < sizeof(conditions) / sizeof(conditions[0]); i++) {
		const struct condition *c = &conditions[i];
		json_t *cv = json_object_get(v, c->key);

		if (cv)
			c->parse(p, member(cw, w, c->key), cv, c, m);
	}
}

static void parse_rule(struct parser *p, size_t i, json_t *j, struct policy_rule *r)
{
	char where[WHERE_MAX], w[WHERE_MAX];
	json_t *decision;
	bool decided = false;

	r->index = i;
	element(where, "rules", i);
	if (!json_is_object(j)) {
		report(p, where, "expected an object");
		return;
	}
	check_keys(p, where, j, rule_keys);
	r->id = parse_id(p, where, j);
	r->description = parse_text(p, where, j, "description", SIZE_MAX);
	parse_match(p, where, json_object_get(j, "match"), &r->match);
	decision = required(p, where, j, "decision");
	if (decision)
		decided = parse_verdict(p, member(w, where, "decision"), decision, &r->decision);
	r->message = parse_text(p, where, j, "message", POLICY_MESSAGE_MAX);
	if (decided && r->decision == POLICY_DENY && !json_object_get(j, "message"))
		report(p, where, "missing key \"message\" (a deny rule must tell the person why)");
	r->runbook = parse_text(p, where, j, "runbook", POLICY_RUNBOOK_MAX);
}

static void parse_rules(struct parser *p, json_t *rules, struct policy_file *f)
{
	size_t n = json_array_size(rules);

	/* One element more than needed, so that an empty array is not a failed calloc. */
	f->rules = calloc(n + 1, sizeof(*f->rules));
	if (!f->rules) {
		p->r = -ENOMEM;
		return;
	}
	f->n_rules = n;
	for (size_t i = 0; i < n; i++)
		parse_rule(p, i, json_array_get(rules, i), &f->rules[i]);
}

static void parse_top(struct parser *p, json_t *doc, struct policy_file *f)
{
	json_t *def = json_object_get(doc, "default"), *rules = json_object_get(doc, "rules");

	if (!json_is_object(doc)) {
		report(p, NULL, "expected an object at the top level");
		return;
	}
	check_keys(p, NULL, doc, top_keys);
	if (def)
		f->has_default = parse_verdict(p, "default", def, &f->default_verdict);
	if (!rules) {
		report(p, NULL, "missing key \"rules\"");
		return;
	}
	if (!json_is_array(rules)) {
		report(p, "rules", "expected an array of rules");
		return;
	}
	parse_rules(p, rules, f);
}

static void syntax_error(struct parser *p, json_error_t *je)
{
	int r;

	if (json_error_code(je) == json_error_out_of_memory) {
		p->r = -ENOMEM;
		return;
	}
	/* The text quotes the file ("near 'x'"); keep the line one line. */
	for (char *c = je->text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (je->line > 0)
		r = policy_errors_addf(p->errs, "%s:%d:%d: %s", p->file, je->line, je->column,
				       je->text);
	else
		r = policy_errors_addf(p->errs, "%s: %s", p->file, je->text);
	p->r = policy_worse(p->r, r < 0 ? r : -EINVAL);
}

int policy_parse_file(const char *data, size_t size, struct policy_errors *errs,
		      struct policy_file *f)
{
	struct parser p = {.file = f->path, .errs = errs};
	json_error_t je;

	f->doc = json_loadb(data, size, JSON_REJECT_DUPLICATES, &je);
	if (!f->doc)
		syntax_error(&p, &je);
	else
		parse_top(&p, f->doc, f);
	return p.r;
}

static void match_done(struct policy_match *m)
{
	const struct policy_strv *lists[] = {&m->program, &m->subcommand, &m->args,
					     &m->paths,   &m->user,       &m->group};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		free(lists[i]->v);
	for (size_t i = 0; i < m->n_flags; i++)
		free(m->flags[i].v);
	free(m->flags);
}

void policy_file_done(struct policy_file *f)
{
	for (size_t i = 0; i < f->n_rules; i++)
		match_done(&f->rules[i].match);
	free(f->rules);
	json_decref(f->doc);
	free(f->path);
	*f = (struct policy_file){0};
}
