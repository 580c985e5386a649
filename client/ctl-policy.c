/* ctl-policy.c: guardctl policy check and policy test. Both work on policy
 * files directly, without a daemon: a policy is tested like code before it is
 * installed. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "context.h"
#include "ctl.h"
#include "exit.h"

int ctl_load_policy(const char *dir, struct policy **ret, struct policy_errors *keep)
{
	struct policy_errors errs = {0};
	int r = policy_load_dir(dir, &errs, ret);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	if (r < 0)
		fprintf(stderr, "guardctl: %s: policy refused (%zu error%s)\n", dir, errs.n,
			errs.n == 1 ? "" : "s");
	if (keep)
		*keep = errs;
	else
		policy_errors_clear(&errs);
	return r < 0 ? EXIT_DENIED : 0;
}

static json_t *summary(const char *dir, const struct policy *p)
{
	return json_pack("{s:s,s:b,s:I,s:I,s:s,s:s}", "directory", dir, "ok", 1, "files",
			 (json_int_t)policy_n_files(p), "rules", (json_int_t)policy_n_rules(p),
			 "default", policy_verdict_to_string(policy_default(p)), "revision",
			 policy_revision(p));
}

int ctl_policy_check(struct ctl *o, int argc, char **argv)
{
	int r = ctl_common_args(o, argc, argv);
	if (r != 0)
		return r < 0 ? 0 : r; /* -1: --help was shown */
	if (argc - optind > 1) {
		fprintf(stderr, "guardctl: policy check takes at most one directory\n");
		return EXIT_USAGE;
	}
	const char *dir = optind < argc ? argv[optind] : GUARD_DEFAULT_POLICY;
	struct policy *p = NULL;
	struct policy_errors errs = {0};
	r = ctl_load_policy(dir, &p, &errs);
	if (r != 0 && o->json) {
		json_t *lines = json_array();
		for (size_t i = 0; i < errs.n; i++)
			json_array_append_new(lines, json_string(errs.lines[i]));
		ctl_print_json(
			json_pack("{s:s,s:b,s:o}", "directory", dir, "ok", 0, "errors", lines));
	}
	policy_errors_clear(&errs);
	if (r != 0)
		return r;
	json_t *res = summary(dir, p);
	if (o->json)
		ctl_print_json(json_incref(res));
	else
		printf("%s: OK: %lld files, %lld rules, default %s, revision %s\n", dir,
		       ctl_num(res, "files"), ctl_num(res, "rules"), ctl_str(res, "default"),
		       ctl_str(res, "revision"));
	json_decref(res);
	policy_free(p);
	return 0;
}

/* ---- policy test ------------------------------------------------------------ */

/* One test file's run: where errors and results go. */
struct suite {
	const char *file;
	struct policy *policy;
	int passed, failed, errors;
	bool verbose, json;
	json_t *results; /* with --json */
};

static void test_error(struct suite *s, const char *where, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", s->file, where, what);
	s->errors++;
}

/* Whether o's keys are all among keys (a NULL-terminated list). */
static const char *unknown_key(json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], k))
			i++;
		if (!keys[i])
			return k;
	}
	return NULL;
}

/* The neutral context tests start from: no part of it comes from this machine,
 * so a test means the same everywhere. */
static int default_context(struct context *c)
{
	*c = (struct context){.uid = 1000, .gid = 1000, .tty = true};
	int r = context_set_string(&c->user, "alice");
	if (r == 0)
		r = context_set_string(&c->home, "/home/alice");
	if (r == 0)
		r = context_set_string(&c->host, "localhost");
	if (r == 0)
		r = context_set_string(&c->cwd, "/home/alice");
	if (r == 0)
		r = context_parse_time("2026-06-01T12:00:00Z", &c->now);
	return r;
}

static const char *apply_string(struct context *c, const char *key, json_t *v)
{
	char **field = !strcmp(key, "user")      ? &c->user
		       : !strcmp(key, "home")    ? &c->home
		       : !strcmp(key, "host")    ? &c->host
		       : !strcmp(key, "cwd")     ? &c->cwd
		       : !strcmp(key, "program") ? &c->program
						 : NULL;
	if (!field)
		return "unknown key";
	if (!json_is_string(v) && !json_is_null(v))
		return "expected a string or null";
	if ((!strcmp(key, "cwd") || !strcmp(key, "program")) && json_is_string(v) &&
	    json_string_value(v)[0] != '/')
		return "expected an absolute path";
	return context_set_string(field, json_string_value(v)) < 0 ? "out of memory" : NULL;
}

static const char *apply_env(struct context *c, json_t *env)
{
	const char *name;
	json_t *v;
	if (!json_is_object(env))
		return "expected an object of strings (or null to unset)";
	json_object_foreach(env, name, v)
	{
		if (!json_is_string(v) && !json_is_null(v))
			return "expected an object of strings (or null to unset)";
		if (context_set_env(c, name, json_string_value(v)) < 0)
			return "out of memory";
	}
	return NULL;
}

static const char *apply_groups(struct context *c, json_t *groups)
{
	size_t i;
	json_t *g;
	if (!json_is_array(groups))
		return "expected an array of group names or ids";
	json_array_foreach(groups, i, g)
	{
		int r = json_is_integer(g)
				? context_add_group(c, (gid_t)json_integer_value(g), NULL)
			: json_is_string(g) ? context_add_group(c, (gid_t)-1, json_string_value(g))
					    : -EINVAL;
		if (r < 0)
			return "expected an array of group names or ids";
	}
	return NULL;
}

/* Applies one "context" object; returns what is wrong with key *ret_key, or NULL. */
static const char *apply_context(struct context *c, json_t *ctx, const char **ret_key)
{
	const char *key, *why = NULL;
	json_t *v;
	*ret_key = "context";
	if (!json_is_object(ctx))
		return "expected an object";
	json_object_foreach(ctx, key, v)
	{
		*ret_key = key;
		if (!strcmp(key, "uid") || !strcmp(key, "gid")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return "expected a non-negative integer";
			*(key[0] == 'u' ? &c->uid : &c->gid) = (unsigned)json_integer_value(v);
		} else if (!strcmp(key, "tty") || !strcmp(key, "ssh")) {
			if (!json_is_boolean(v))
				return "expected true or false";
			*(key[0] == 't' ? &c->tty : &c->ssh) = json_is_true(v);
		} else if (!strcmp(key, "time")) {
			if (!json_is_string(v) || context_parse_time(json_string_value(v), &c->now))
				return "expected a time such as \"2026-12-24T10:00:00+01:00\"";
		} else if (!strcmp(key, "env")) {
			why = apply_env(c, v);
		} else if (!strcmp(key, "groups")) {
			why = apply_groups(c, v);
		} else {
			why = apply_string(c, key, v);
		}
		if (why)
			return why;
	}
	return NULL;
}

/* "deny by rule X" or "allow by the default", for messages. */
static void describe(char *buf, size_t size, const char *verdict, const char *rule)
{
	if (rule)
		snprintf(buf, size, "%s by rule %s", verdict, rule);
	else
		snprintf(buf, size, "%s by the default", verdict);
}

/* Compares a decision with "expect": NULL when it is as expected, else why not
 * (in buf). */
static const char *compare(json_t *expect, const struct policy_decision *d, char *buf, size_t size)
{
	const char *want = json_string_value(json_object_get(expect, "decision"));
	json_t *rule = json_object_get(expect, "rule");
	const char *got = policy_verdict_to_string(d->verdict);
	bool rule_ok = !rule || (json_is_null(rule) && !d->rule_id) ||
		       (d->rule_id && json_is_string(rule) &&
			!strcmp(json_string_value(rule), d->rule_id));
	char g[160], w[160];
	describe(g, sizeof g, got, d->rule_id);
	if (want && !strcmp(want, got) && rule_ok)
		return NULL;
	describe(w, sizeof w, want ? want : "?",
		 json_is_string(rule) ? json_string_value(rule) : NULL);
	snprintf(buf, size, "got %s, want %s%s", g,
		 rule   ? w
		 : want ? want
			: "?",
		 rule ? "" : " (any rule)");
	return buf;
}

static int argv_of(json_t *cmd, const char ***ret, size_t *ret_n)
{
	size_t n = json_array_size(cmd);
	if (!json_is_array(cmd) || n == 0)
		return -EINVAL;
	const char **v = calloc(n + 1, sizeof *v);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = json_string_value(json_array_get(cmd, i)))) {
			free(v);
			return -EINVAL;
		}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void report(struct suite *s, const char *name, const char *failure)
{
	if (failure)
		s->failed++;
	else
		s->passed++;
	if (s->json)
		json_array_append_new(s->results,
				      json_pack("{s:s,s:s,s:b,s:s?}", "file", s->file, "name", name,
						"pass", !failure, "failure", failure));
	else if (failure)
		printf("  FAIL  %s: %s\n", name, failure);
	else if (s->verbose)
		printf("  PASS  %s\n", name);
}

/* Whether test i has the keys it needs; says what is wrong when not. */
static bool test_ok(struct suite *s, json_t *t, const char *where)
{
	static const char *const keys[] = {"name", "command", "line", "context", "expect", NULL};
	static const char *const expect_keys[] = {"decision", "rule", NULL};
	json_t *expect = json_object_get(t, "expect");
	const char *bad = json_is_object(t) ? unknown_key(t, keys) : "(not an object)";
	if (!bad && json_is_object(expect))
		bad = unknown_key(expect, expect_keys);
	bool one = !json_object_get(t, "command") != !json_object_get(t, "line");
	enum policy_verdict v;
	const char *want = json_string_value(json_object_get(expect, "decision"));
	char why[256];
	if (bad)
		snprintf(why, sizeof why, "unknown key \"%.64s\"", bad);
	else if (!one || !json_string_value(json_object_get(t, "name")) || !want)
		snprintf(why, sizeof why,
			 "needs \"name\", \"command\" or \"line\", and "
			 "\"expect\": {\"decision\": ...}");
	else if (policy_verdict_from_string(want, &v) < 0)
		snprintf(why, sizeof why, "expect.decision: unknown decision \"%.64s\"", want);
	else
		return true;
	test_error(s, where, why);
	return false;
}

/* Evaluates test t in context c; returns what is wrong with it, or NULL and *d. */
static const char *evaluate(struct suite *s, json_t *t, struct context *c,
			    struct policy_decision *d, const char **ret_key)
{
	struct policy_request req;
	const char **argv = NULL, *line = json_string_value(json_object_get(t, "line"));
	size_t argc = 0;
	*ret_key = line || json_object_get(t, "line") ? "line" : "command";
	if (json_object_get(t, "line") && (!line || !*line))
		return "must be a non-empty string";
	if (!line && argv_of(json_object_get(t, "command"), &argv, &argc) < 0)
		return "must be a non-empty array of strings";
	context_request(c, argv, argc, &req);
	int r = line ? policy_evaluate_line(s->policy, &req, line, d)
		     : policy_evaluate(s->policy, &req, d);
	free(argv);
	*ret_key = "context";
	return r < 0 ? "the request is not valid (is cwd absolute?)" : NULL;
}

static void run_test(struct suite *s, json_t *t, size_t i, json_t *file_ctx)
{
	char where[64], why[512];
	snprintf(where, sizeof where, "tests[%zu]", i);
	if (!test_ok(s, t, where))
		return;
	struct context c;
	struct policy_decision d;
	const char *key = NULL, *problem = NULL;
	if (default_context(&c) < 0)
		problem = "out of memory";
	if (!problem && file_ctx)
		problem = apply_context(&c, file_ctx, &key);
	if (!problem && json_object_get(t, "context"))
		problem = apply_context(&c, json_object_get(t, "context"), &key);
	if (!problem)
		problem = evaluate(s, t, &c, &d, &key);
	if (problem) {
		snprintf(why, sizeof why, "%s: %s", key ? key : "context", problem);
		test_error(s, where, why);
	} else {
		report(s, json_string_value(json_object_get(t, "name")),
		       compare(json_object_get(t, "expect"), &d, why, sizeof why));
	}
	context_done(&c);
}

/* The policy a test file is about: --policy, else its "policy" (relative to the
 * file), else the default directory. */
static int suite_policy(struct suite *s, json_t *doc, const char *opt_dir)
{
	const char *rel = json_string_value(json_object_get(doc, "policy"));
	char *copy = strdup(s->file), dir[4096];
	if (!copy)
		return -ENOMEM;
	if (opt_dir)
		snprintf(dir, sizeof dir, "%s", opt_dir);
	else if (rel && rel[0] != '/')
		snprintf(dir, sizeof dir, "%s/%s", dirname(copy), rel);
	else
		snprintf(dir, sizeof dir, "%s", rel ? rel : GUARD_DEFAULT_POLICY);
	free(copy);
	return ctl_load_policy(dir, &s->policy, NULL) == 0 ? 0 : -EINVAL;
}

static void run_file(struct suite *s, const char *opt_dir)
{
	static const char *const keys[] = {"policy", "context", "tests", NULL};
	json_error_t jerr;
	json_t *doc = json_load_file(s->file, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc && jerr.line < 1) /* not a syntax error: the file could not be read */
		fprintf(stderr, "%s: %s\n", s->file, jerr.text);
	else if (!doc)
		fprintf(stderr, "%s:%d:%d: %s\n", s->file, jerr.line, jerr.column, jerr.text);
	if (!doc) {
		s->errors++;
		return;
	}
	json_t *tests = json_object_get(doc, "tests");
	const char *bad = json_is_object(doc) ? unknown_key(doc, keys) : "(not an object)";
	if (bad || !json_is_array(tests)) {
		test_error(
			s, bad ? bad : "tests",
			"a test file is {\"policy\": DIR, \"context\": {...}, \"tests\": [...]}");
	} else if (suite_policy(s, doc, opt_dir) < 0) {
		s->errors++;
	} else {
		if (!s->json)
			printf("%s:\n", s->file);
		size_t i;
		json_t *t;
		json_array_foreach(tests, i, t) run_test(s, t, i, json_object_get(doc, "context"));
	}
	policy_free(s->policy);
	s->policy = NULL;
	json_decref(doc);
}

int ctl_policy_test(struct ctl *o, int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTIONS,
		{"policy", required_argument, NULL, 'p'},
		{"verbose", no_argument, NULL, 'v'},
		{0},
	};
	const char *dir = NULL;
	struct suite s = {0};
	int c;
	while ((c = getopt_long(argc, argv, CTL_COMMON_SHORT "p:v", opts, NULL)) != -1) {
		if (c == 'p')
			dir = optarg;
		else if (c == 'v')
			s.verbose = true;
		else if (!ctl_common_option(o, c))
			return EXIT_USAGE;
	}
	if (o->help) {
		ctl_command_usage(o);
		return 0;
	}
	if (optind >= argc) {
		fprintf(stderr, "guardctl: policy test needs at least one test file\n");
		return EXIT_USAGE;
	}
	s.json = o->json;
	s.results = json_array();
	for (int i = optind; i < argc; i++) {
		s.file = argv[i];
		run_file(&s, dir);
	}
	int total = s.passed + s.failed;
	if (s.json)
		ctl_print_json(json_pack("{s:i,s:i,s:i,s:o}", "passed", s.passed, "failed",
					 s.failed, "errors", s.errors, "results", s.results));
	else if (total == 0)
		printf("--------------------------------------------------\nno test ran\n");
	else
		printf("%s\nPASS: %d/%d%s\n", "--------------------------------------------------",
		       s.passed, total, s.failed || s.errors ? "" : " (all)");
	if (!s.json && s.failed)
		printf("FAIL: %d/%d\n", s.failed, total);
	if (!s.json && s.errors)
		printf("ERRORS: %d (test files or tests that could not run)\n", s.errors);
	if (!s.json)
		json_decref(s.results);
	return s.failed || s.errors ? EXIT_DENIED : 0;
}
