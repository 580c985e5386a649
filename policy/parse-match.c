/* parse-match.c: the conditions of a rule's "match" object, nested ones in "not" and
 * "any" included, checked as strictly as the rest of the file (see parse.c for the
 * format). */
#include <string.h>

#include "policy-internal.h"

#define ONE_OR_LIST "expected a string or an array of strings"
#define LIST        "expected an array of strings"
#define MATCH       "expected a match object"

struct condition;
typedef void parse_fn(struct policy_parser *p, const char *where, json_t *v,
		      const struct condition *c, struct policy_match *m, unsigned depth);

/* One condition of "match". */
struct condition {
	const char *key;
	parse_fn *parse;
	const char *noun;       /* in "invalid NOUN "VALUE": PROBLEM" */
	const char *type_error; /* when the value has the wrong JSON type */
	bool one_or_many;       /* a lone string stands for an array of one */
	const char *(*problem)(const char *s);
	size_t offset; /* of its field in struct policy_match */
};

/* The end of the fnmatch(3) bracket expression that starts at s ('['), or NULL when it
 * is not closed. */
static const char *bracket_end(const char *s)
{
	s++;
	s += *s == '!' || *s == '^';
	s += *s == ']';
	for (; *s; s++) {
		if (*s == ']')
			return s;
		if (*s == '\\' && s[1]) {
			s++;
		} else if (*s == '[' && (s[1] == ':' || s[1] == '=' || s[1] == '.')) {
			const char *end = strstr(s + 2, (const char[]){s[1], ']', '\0'});

			if (!end)
				return NULL;
			s = end + 1;
		}
	}
	return NULL;
}

/* fnmatch(3) takes an unclosed '[' and a trailing '\' as themselves; in a rule they
 * are far more likely a mistake, and "\[" says '[' unambiguously. */
const char *policy_glob_problem(const char *s)
{
	if (strlen(s) > POLICY_GLOB_MAX)
		return "it is longer than 4096 bytes";
	for (; *s; s++) {
		if (*s == '\\') {
			if (!s[1])
				return "it ends in a lone \"\\\" (write \"\\\\\\\\\" for a \"\\\")";
			s++;
		} else if (*s == '[') {
			s = bracket_end(s);
			if (!s)
				return "it has a \"[\" without its \"]\" (write \"\\\\[\" for a "
				       "\"[\")";
		}
	}
	return NULL;
}

static const char *program_problem(const char *s)
{
	return strchr(s, '/') ? policy_path_glob_problem(s, false) : policy_glob_problem(s);
}

static const char *path_problem(const char *s)
{
	return policy_path_glob_problem(s, true);
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

static void parse_string(struct policy_parser *p, const char *where, json_t *v,
			 const struct condition *c, struct policy_strv *ret)
{
	const char *problem, *copy;
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		policy_report(p, where, "expected a string");
		return;
	}
	if (json_string_value(v)[0] == '\0') {
		policy_report(p, where, "empty string");
		return;
	}
	problem = c->problem(json_string_value(v));
	if (problem) {
		policy_quote(json_string_value(v), q, sizeof(q));
		policy_report(p, where, "invalid %s %s: %s", c->noun, q, problem);
		return;
	}
	copy = policy_parser_strdup(p, json_string_value(v));
	if (copy)
		ret->v[ret->n++] = copy;
}

/* Room for the elements of the array v, size bytes each; NULL when v is not an array or
 * is empty (either reported at where, as an empty one would never match) or when memory
 * runs out. */
static void *alloc_elements(struct policy_parser *p, const char *where, json_t *v,
			    const struct condition *c, size_t size)
{
	size_t n = json_array_size(v);

	if (!json_is_array(v)) {
		policy_report(p, where, "%s", c->type_error);
		return NULL;
	}
	if (n == 0) {
		policy_report(p, where, "empty array; it would never match");
		return NULL;
	}
	return policy_parser_alloc(p, n * size);
}

static void parse_strings(struct policy_parser *p, const char *where, json_t *v,
			  const struct condition *c, struct policy_strv *ret)
{
	char w[POLICY_WHERE_MAX];

	if (c->one_or_many && json_is_string(v)) {
		ret->v = policy_parser_alloc(p, sizeof(*ret->v));
		if (ret->v)
			parse_string(p, where, v, c, ret);
		return;
	}
	ret->v = alloc_elements(p, where, v, c, sizeof(*ret->v));
	if (!ret->v)
		return;
	for (size_t i = 0; i < json_array_size(v); i++)
		parse_string(p, policy_where_element(w, where, i), json_array_get(v, i), c, ret);
}

static void parse_list(struct policy_parser *p, const char *where, json_t *v,
		       const struct condition *c, struct policy_match *m, unsigned depth)
{
	parse_strings(p, where, v, c, (struct policy_strv *)((char *)m + c->offset));
}

static void flag_letters(struct policy_flags *f)
{
	for (size_t i = 0; i < f->any.n; i++) {
		const unsigned char *s = (const unsigned char *)f->any.v[i];

		if (s[1] != '-' && s[2] == '\0')
			f->letters[s[1] / 64] |= UINT64_C(1) << (s[1] % 64);
	}
}

static void parse_flags(struct policy_parser *p, const char *where, json_t *v,
			const struct condition *c, struct policy_match *m, unsigned depth)
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
	char w[POLICY_WHERE_MAX];

	m->flags = alloc_elements(p, where, v, c, sizeof(*m->flags));
	if (!m->flags)
		return;
	m->n_flags = n;
	for (size_t i = 0; i < n; i++) {
		parse_strings(p, policy_where_element(w, where, i), json_array_get(v, i),
			      &element_condition, &m->flags[i].any);
		flag_letters(&m->flags[i]);
	}
}

static void parse_regexes(struct policy_parser *p, const char *where, json_t *v,
			  const struct condition *c, struct policy_match *m, unsigned depth)
{
	size_t n = json_array_size(v);
	char w[POLICY_WHERE_MAX];

	m->args_regex.v = alloc_elements(p, where, v, c, sizeof(*m->args_regex.v));
	if (!m->args_regex.v)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		struct policy_regex *re;

		policy_where_element(w, where, i);
		if (!json_is_string(e)) {
			policy_report(p, w, "expected a string");
			continue;
		}
		if (json_string_value(e)[0] == '\0') {
			policy_report(p, w, "empty string");
			continue;
		}
		re = policy_parser_regex(p, w, c->noun, json_string_value(e));
		if (re)
			m->args_regex.v[m->args_regex.n++] = re;
	}
}

static void parse_paths_mode(struct policy_parser *p, const char *where, json_t *v,
			     const struct condition *c, struct policy_match *m, unsigned depth)
{
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		policy_report(p, where, "%s", c->type_error);
		return;
	}
	if (strcmp(json_string_value(v), "all") == 0) {
		m->paths_all = true;
		return;
	}
	if (strcmp(json_string_value(v), "any") == 0)
		return;
	policy_quote(json_string_value(v), q, sizeof(q));
	policy_report(p, where, "unknown paths mode %s (valid: any, all)", q);
}

static void parse_tristate(struct policy_parser *p, const char *where, json_t *v,
			   const struct condition *c, struct policy_match *m, unsigned depth)
{
	enum policy_tristate *t = (enum policy_tristate *)((char *)m + c->offset);

	if (!json_is_boolean(v)) {
		policy_report(p, where, "%s", c->type_error);
		return;
	}
	*t = json_is_true(v) ? POLICY_TRUE : POLICY_FALSE;
}

#define LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"

static bool env_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= POLICY_ENV_NAME_MAX && strchr(LETTERS, s[0]) &&
	       s[strspn(s, LETTERS "0123456789")] == '\0';
}

/* One variable: a glob or globs on its value, or whether it is set. */
static void parse_env_one(struct policy_parser *p, const char *where, const char *name, json_t *v,
			  struct policy_env *ret)
{
	static const struct condition glob_condition = {
		.key = "env",
		.noun = "glob",
		.type_error = "expected a glob, an array of globs, true (set) or false (not set)",
		.one_or_many = true,
		.problem = policy_glob_problem,
	};
	char w[POLICY_WHERE_MAX], q[POLICY_QUOTE_MAX];

	if (!env_name_valid(name)) {
		policy_quote(name, q, sizeof(q));
		policy_report(p, where,
			      "invalid variable name %s (letters, digits and \"_\", not starting "
			      "with a digit, at most 128 bytes)",
			      q);
		return;
	}
	policy_where_member(w, where, name);
	ret->name = policy_parser_strdup(p, name);
	if (json_is_boolean(v))
		ret->set = json_is_true(v) ? POLICY_TRUE : POLICY_FALSE;
	else
		parse_strings(p, w, v, &glob_condition, &ret->globs);
}

static void parse_env(struct policy_parser *p, const char *where, json_t *v,
		      const struct condition *c, struct policy_match *m, unsigned depth)
{
	size_t n = json_object_size(v);

	if (!json_is_object(v)) {
		policy_report(p, where, "%s", c->type_error);
		return;
	}
	if (n == 0) {
		policy_report(p, where, "empty object; name at least one variable");
		return;
	}
	m->env = policy_parser_alloc(p, n * sizeof(*m->env));
	if (!m->env)
		return;
	/* jansson keeps the keys in document order: so are they checked and explained. */
	for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
		struct policy_env *e = &m->env[m->n_env];

		parse_env_one(p, where, json_object_iter_key(it), json_object_iter_value(it), e);
		if (e->name)
			m->n_env++;
	}
}

static void parse_time_condition(struct policy_parser *p, const char *where, json_t *v,
				 const struct condition *c, struct policy_match *m, unsigned depth)
{
	policy_parse_time(p, where, v, &m->time);
}

static void parse_not(struct policy_parser *p, const char *where, json_t *v,
		      const struct condition *c, struct policy_match *m, unsigned depth)
{
	if (!json_is_object(v)) {
		policy_report(p, where, "%s", c->type_error);
		return;
	}
	if (json_object_size(v) == 0) {
		policy_report(p, where, "empty object; a \"not\" of it would never match");
		return;
	}
	m->not = policy_parser_alloc(p, sizeof(*m->not ));
	if (m->not )
		policy_parse_match(p, where, v, m->not, depth + 1);
}

static void parse_any(struct policy_parser *p, const char *where, json_t *v,
		      const struct condition *c, struct policy_match *m, unsigned depth)
{
	size_t n = json_array_size(v);
	char w[POLICY_WHERE_MAX];

	m->any = alloc_elements(p, where, v, c, sizeof(*m->any));
	if (!m->any)
		return;
	m->n_any = n;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);

		policy_where_element(w, where, i);
		if (!json_is_object(e))
			policy_report(p, w, MATCH);
		else
			policy_parse_match(p, w, e, &m->any[i], depth + 1);
	}
}

#define AT(field) offsetof(struct policy_match, field)

/* In the order of guard-policy(5), which is the order their errors are reported and
 * their failures explained in. */
static const struct condition conditions[] = {
	{"program", parse_list, "program", ONE_OR_LIST, true, program_problem, AT(program)},
	{"subcommand", parse_list, "subcommand", ONE_OR_LIST, true, subcommand_problem,
	 AT(subcommand)},
	{"flags", parse_flags, NULL, "expected an array of flags", false, NULL, 0},
	{"args", parse_list, "argument glob", LIST, false, policy_glob_problem, AT(args)},
	{"args_regex", parse_regexes, "regex", LIST, false, NULL, 0},
	{"paths", parse_list, "path glob", LIST, false, path_problem, AT(paths)},
	{"paths_mode", parse_paths_mode, NULL, "expected \"any\" or \"all\"", false, NULL, 0},
	{"user", parse_list, "user", ONE_OR_LIST, true, id_problem, AT(user)},
	{"group", parse_list, "group", ONE_OR_LIST, true, id_problem, AT(group)},
	{"host", parse_list, "host glob", ONE_OR_LIST, true, policy_glob_problem, AT(host)},
	{"cwd", parse_list, "path glob", ONE_OR_LIST, true, path_problem, AT(cwd)},
	{"env", parse_env, NULL, "expected an object of variable names", false, NULL, 0},
	{"tty", parse_tristate, NULL, "expected true or false", false, NULL, AT(tty)},
	{"ssh", parse_tristate, NULL, "expected true or false", false, NULL, AT(ssh)},
	{"time", parse_time_condition, NULL, NULL, false, NULL, 0},
	{"not", parse_not, NULL, MATCH, false, NULL, 0},
	{"any", parse_any, NULL, "expected an array of match objects", false, NULL, 0},
};
static const char *const match_keys[] = {
	"program",    "subcommand", "flags", "args", "args_regex", "paths",
	"paths_mode", "user",       "group", "host", "cwd",        "env",
	"tty",        "ssh",        "time",  "not",  "any",        NULL,
};

void policy_parse_match(struct policy_parser *p, const char *where, json_t *v,
			struct policy_match *m, unsigned depth)
{
	char cw[POLICY_WHERE_MAX];

	if (!json_is_object(v)) {
		policy_report(p, where, "expected an object");
		return;
	}
	/* Bounded, so that a hostile file cannot make loading or matching recurse deep. */
	if (depth > POLICY_DEPTH_MAX) {
		policy_report(p, where, "match objects nest at most %d deep in \"not\" and \"any\"",
			      POLICY_DEPTH_MAX);
		return;
	}
	policy_check_keys(p, where, v, match_keys);
	for (size_t i = 0; i < sizeof(conditions) / sizeof(conditions[0]); i++) {
		const struct condition *c = &conditions[i];
		json_t *cv = json_object_get(v, c->key);

		if (cv)
			c->parse(p, policy_where_member(cw, where, c->key), cv, c, m, depth);
	}
	if (json_object_get(v, "paths_mode") && !json_object_get(v, "paths"))
		policy_report(p, policy_where_member(cw, where, "paths_mode"),
			      "it says how \"paths\" holds, and there is no \"paths\"");
	policy_match_given(m);
}
