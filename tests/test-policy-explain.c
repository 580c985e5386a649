/* test-policy-explain.c: explanations: every rule up to the deciding one, in policy
 * order across files, each with the first condition that did not hold and why; the
 * default-decided case covers all rules; dry-run rules show as matched; untrusted text
 * is quoted and every explanation is bounded. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/policy.h"
#include "policy-util.h"

#define ARGV(...)  ((const char *const[]){__VA_ARGS__, NULL})
#define N(a)       ((int)(sizeof(a) / sizeof((a)[0])))
#define MAX_TRACES 16

/* The policy the cases explain: two files, so that order crosses a file. */
static struct policy *load_small(void)
{
	test_write_policy(
		"10-a.json",
		"{'rules':["
		"{'id':'rm-root','match':{'program':'rm','flags':[['-r','-R','--recursive']],"
		" 'paths':['/']},'decision':'deny','message':'m'},"
		"{'id':'kube-prod','match':{'program':'kubectl','subcommand':'delete',"
		" 'env':{'KUBE_CONTEXT':'prod-*'}},'decision':'deny','message':'m'},"
		"{'id':'git-watch','match':{'program':'git'},'decision':'confirm',"
		" 'message':'m','mode':'dry-run'}]}");
	test_write_policy("20-b.json",
			  "{'rules':["
			  "{'id':'weekend','match':{'time':{'tz':'UTC','days':'sat-sun'}},"
			  " 'decision':'deny','message':'m'},"
			  "{'id':'fallback','match':{'tty':true,'not':{'user':'root'}},"
			  " 'decision':'confirm','message':'m'}]}");
	return test_load(test_dir);
}

/* What a callback saw, copied: the trace's strings live only during the call. */
struct seen {
	struct {
		char *rule_id, *file, *failed, *why;
		size_t index;
		bool matched, dry_run;
		enum policy_verdict verdict;
	} t[MAX_TRACES];
	size_t n;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void collect(void *userdata, const struct policy_trace *t)
{
	struct seen *seen = userdata;

	ck_assert_uint_lt(seen->n, MAX_TRACES);
	ck_assert_msg(t->matched == (t->failed == NULL), "failed is set exactly when not matched");
	ck_assert_msg(t->matched == (t->why == NULL), "why is set exactly when not matched");
	seen->t[seen->n].rule_id = dup_or_null(t->rule_id);
	seen->t[seen->n].file = dup_or_null(t->file);
	seen->t[seen->n].failed = dup_or_null(t->failed);
	seen->t[seen->n].why = dup_or_null(t->why);
	seen->t[seen->n].index = t->index;
	seen->t[seen->n].matched = t->matched;
	seen->t[seen->n].dry_run = t->dry_run;
	seen->t[seen->n].verdict = t->verdict;
	seen->n++;
}

static void seen_free(struct seen *seen)
{
	for (size_t i = 0; i < seen->n; i++) {
		free(seen->t[i].rule_id);
		free(seen->t[i].file);
		free(seen->t[i].failed);
		free(seen->t[i].why);
	}
	seen->n = 0;
}

#define MONDAY   "2026-11-23 12:00:00"
#define SATURDAY "2026-11-28 12:00:00"

struct want_trace {
	const char *rule_id;
	bool matched;
	bool dry_run;
	const char *failed;
	const char *why;
};

struct explain_case {
	const char *name;
	const char *const *argv;
	const char *const *env;
	bool tty;
	bool root;
	const char *when;
	const char *decided_by; /* NULL: the default */
	struct want_trace traces[6];
};

static const struct explain_case explain_cases[] = {
	{"default_decides_after_every_rule",
	 ARGV("rm", "-f", "/tmp/x"),
	 NULL,
	 false,
	 false,
	 MONDAY,
	 NULL,
	 {
		 {"rm-root", false, false, "match.flags[0]", "no -r, -R or --recursive"},
		 {"kube-prod", false, false, "match.program", "program \"rm\" is not kubectl"},
		 {"git-watch", false, true, "match.program", "program \"rm\" is not git"},
		 {"weekend", false, false, "match.time.days", "Monday (UTC) is not in sat-sun"},
		 {"fallback", false, false, "match.tty", "there is no terminal"},
	 }},
	{"path_outside",
	 ARGV("rm", "-rf", "/etc"),
	 NULL,
	 false,
	 false,
	 MONDAY,
	 NULL,
	 {
		 {"rm-root", false, false, "match.paths", "no path matches /"},
		 {"kube-prod", false, false, "match.program", "program \"rm\" is not kubectl"},
		 {"git-watch", false, true, "match.program", "program \"rm\" is not git"},
		 {"weekend", false, false, "match.time.days", "Monday (UTC) is not in sat-sun"},
		 {"fallback", false, false, "match.tty", "there is no terminal"},
	 }},
	{"first_rule_decides_alone",
	 ARGV("rm", "-rf", "/"),
	 NULL,
	 false,
	 false,
	 MONDAY,
	 "rm-root",
	 {
		 {"rm-root", true, false, NULL, NULL},
	 }},
	{"env_value_named",
	 ARGV("kubectl", "delete", "ns", "x"),
	 ARGV("KUBE_CONTEXT=dev"),
	 true,
	 false,
	 SATURDAY,
	 "weekend",
	 {
		 {"rm-root", false, false, "match.program", "program \"kubectl\" is not rm"},
		 {"kube-prod", false, false, "match.env.KUBE_CONTEXT",
		  "KUBE_CONTEXT is \"dev\", not prod-*"},
		 {"git-watch", false, true, "match.program", "program \"kubectl\" is not git"},
		 {"weekend", true, false, NULL, NULL},
	 }},
	{"env_unset_named",
	 ARGV("kubectl", "delete", "ns", "x"),
	 NULL,
	 false,
	 false,
	 SATURDAY,
	 "weekend",
	 {
		 {"rm-root", false, false, "match.program", "program \"kubectl\" is not rm"},
		 {"kube-prod", false, false, "match.env.KUBE_CONTEXT", "KUBE_CONTEXT is not set"},
		 {"git-watch", false, true, "match.program", "program \"kubectl\" is not git"},
		 {"weekend", true, false, NULL, NULL},
	 }},
	{"subcommand_named",
	 ARGV("kubectl", "get", "pods"),
	 ARGV("KUBE_CONTEXT=prod-1"),
	 false,
	 false,
	 SATURDAY,
	 "weekend",
	 {
		 {"rm-root", false, false, "match.program", "program \"kubectl\" is not rm"},
		 {"kube-prod", false, false, "match.subcommand",
		  "the subcommand is not delete (the first word is \"get\")"},
		 {"git-watch", false, true, "match.program", "program \"kubectl\" is not git"},
		 {"weekend", true, false, NULL, NULL},
	 }},
	{"dry_run_rule_matches_and_goes_on",
	 ARGV("git", "push"),
	 NULL,
	 true,
	 false,
	 MONDAY,
	 "fallback",
	 {
		 {"rm-root", false, false, "match.program", "program \"git\" is not rm"},
		 {"kube-prod", false, false, "match.program", "program \"git\" is not kubectl"},
		 {"git-watch", true, true, NULL, NULL},
		 {"weekend", false, false, "match.time.days", "Monday (UTC) is not in sat-sun"},
		 {"fallback", true, false, NULL, NULL},
	 }},
	{"not_named",
	 ARGV("ls"),
	 NULL,
	 true,
	 true,
	 MONDAY,
	 NULL,
	 {
		 {"rm-root", false, false, "match.program", "program \"ls\" is not rm"},
		 {"kube-prod", false, false, "match.program", "program \"ls\" is not kubectl"},
		 {"git-watch", false, true, "match.program", "program \"ls\" is not git"},
		 {"weekend", false, false, "match.time.days", "Monday (UTC) is not in sat-sun"},
		 {"fallback", false, false, "match.not", "what it names holds"},
	 }},
	{"untrusted_text_is_quoted",
	 ARGV("rm\x1b[31m\n", "-r", "/"),
	 NULL,
	 false,
	 false,
	 SATURDAY,
	 "weekend",
	 {
		 {"rm-root", false, false, "match.program",
		  "program \"rm\\u001b[31m\\n\" is not rm"},
		 {"kube-prod", false, false, "match.program",
		  "program \"rm\\u001b[31m\\n\" is not kubectl"},
		 {"git-watch", false, true, "match.program",
		  "program \"rm\\u001b[31m\\n\" is not git"},
		 {"weekend", true, false, NULL, NULL},
	 }},
};

static struct policy_request make_request(const struct explain_case *c)
{
	static const gid_t groups[] = {1000};
	size_t argc = 0, n_env = 0;

	while (c->argv[argc])
		argc++;
	while (c->env && c->env[n_env])
		n_env++;
	return (struct policy_request){
		.argv = c->argv,
		.argc = argc,
		.cwd = "/home/alice",
		.uid = c->root ? 0 : 1000,
		.gid = c->root ? 0 : 1000,
		.user = c->root ? "root" : "alice",
		.home = c->root ? "/root" : "/home/alice",
		.groups = groups,
		.n_groups = 1,
		.host = "db1",
		.env = c->env,
		.n_env = n_env,
		.tty = c->tty,
		.now = test_utc(c->when),
	};
}

static void expect_trace(const char *name, size_t i, const struct seen *seen,
			 const struct want_trace *w)
{
	ck_assert_msg(strcmp(seen->t[i].rule_id, w->rule_id) == 0, "%s: trace %zu is %s, not %s",
		      name, i, seen->t[i].rule_id, w->rule_id);
	ck_assert_msg(seen->t[i].matched == w->matched, "%s: %s matched", name, w->rule_id);
	ck_assert_msg(seen->t[i].dry_run == w->dry_run, "%s: %s dry_run", name, w->rule_id);
	if (w->failed) {
		ck_assert_msg(seen->t[i].failed && strcmp(seen->t[i].failed, w->failed) == 0,
			      "%s: %s failed at %s, not %s", name, w->rule_id, seen->t[i].failed,
			      w->failed);
		ck_assert_msg(seen->t[i].why && strcmp(seen->t[i].why, w->why) == 0,
			      "%s: %s why:\n  got  %s\n  want %s", name, w->rule_id, seen->t[i].why,
			      w->why);
	}
}

START_TEST(explain_case_traces)
{
	const struct explain_case *c = &explain_cases[_i];
	struct policy *p = load_small();
	struct policy_request req = make_request(c);
	struct policy_decision d, e;
	struct seen seen = {0};
	size_t n = 0;

	while (n < N(c->traces) && c->traces[n].rule_id)
		n++;
	ck_assert_int_eq(policy_explain(p, &req, collect, &seen, &d), 0);
	ck_assert_msg(seen.n == n, "%s: %zu traces, not %zu", c->name, seen.n, n);
	for (size_t i = 0; i < n; i++)
		expect_trace(c->name, i, &seen, &c->traces[i]);
	if (c->decided_by) {
		ck_assert_str_eq(d.rule_id, c->decided_by);
		/* The deciding rule is the last trace. */
		ck_assert_str_eq(seen.t[n - 1].rule_id, c->decided_by);
		ck_assert(seen.t[n - 1].matched && !seen.t[n - 1].dry_run);
	} else {
		ck_assert_ptr_null(d.rule_id);
		ck_assert_uint_eq(n, policy_n_rules(p));
	}
	/* The same decision as the indexed evaluation. */
	ck_assert_int_eq(policy_evaluate(p, &req, &e), 0);
	ck_assert_int_eq(d.verdict, e.verdict);
	ck_assert_ptr_eq(d.rule, e.rule);
	ck_assert_uint_eq(d.n_dry_run, e.n_dry_run);
	seen_free(&seen);
	policy_free(p);
}
END_TEST

START_TEST(traces_name_file_index_and_verdict)
{
	struct policy *p = load_small();
	const struct explain_case *c = &explain_cases[0];
	struct policy_request req = make_request(c);
	struct policy_decision d;
	struct seen seen = {0};
	char *a = test_xasprintf("%s/10-a.json", test_dir),
	     *b = test_xasprintf("%s/20-b.json", test_dir);

	ck_assert_int_eq(policy_explain(p, &req, collect, &seen, &d), 0);
	ck_assert_uint_eq(seen.n, 5);
	ck_assert_str_eq(seen.t[0].file, a);
	ck_assert_uint_eq(seen.t[0].index, 0);
	ck_assert_int_eq(seen.t[0].verdict, POLICY_DENY);
	ck_assert_str_eq(seen.t[2].file, a);
	ck_assert_uint_eq(seen.t[2].index, 2);
	ck_assert_int_eq(seen.t[2].verdict, POLICY_CONFIRM);
	ck_assert_str_eq(seen.t[3].file, b);
	ck_assert_uint_eq(seen.t[3].index, 0);
	ck_assert_str_eq(seen.t[4].file, b);
	ck_assert_uint_eq(seen.t[4].index, 1);
	ck_assert_str_eq(d.message, "no rule matched; the default is allow");
	seen_free(&seen);
	free(a);
	free(b);
	policy_free(p);
}
END_TEST

START_TEST(dry_run_rules_are_in_the_decision_too)
{
	struct policy *p = load_small();
	struct policy_request req = make_request(&explain_cases[6]);
	struct policy_decision d;

	ck_assert_int_eq(policy_explain(p, &req, NULL, NULL, &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_CONFIRM);
	ck_assert_str_eq(d.phrase, "db1");
	ck_assert_uint_eq(d.n_dry_run, 1);
	ck_assert_str_eq(d.dry_run[0].rule_id, "git-watch");
	ck_assert_int_eq(d.dry_run[0].verdict, POLICY_CONFIRM);
	policy_free(p);
}
END_TEST

/* One rule and a request; the first failed condition's path and why. */
struct why_case {
	const char *name;
	const char *match;
	const char *const *argv;
	const char *failed;
	const char *why;
};

static const struct why_case why_cases[] = {
	{"program_with_resolved_path", "{'program':['rm','shred']}", ARGV("del", "x"),
	 "match.program", "program \"del\" (\"/usr/bin/del\") is not rm or shred"},
	{"flags_second_element", "{'flags':['-r',['-f','--force','--context=prod-*']]}",
	 ARGV("rm", "-r", "x"), "match.flags[1]", "no -f, --force or --context=prod-*"},
	{"args", "{'args':['of=/dev/*']}", ARGV("dd", "if=x"), "match.args",
	 "no positional word matches of=/dev/*"},
	{"args_without_words", "{'args':['of=/dev/*']}", ARGV("dd", "-v"), "match.args",
	 "there are no positional words to match of=/dev/*"},
	{"args_regex", "{'args_regex':['^a$','^b$']}", ARGV("x", "c"), "match.args_regex",
	 "no positional word matches ^a$ or ^b$"},
	{"paths_without_paths", "{'paths':['/etc/**']}", ARGV("rm"), "match.paths",
	 "there are no paths to match /etc/**"},
	{"paths_all_names_the_outsider", "{'paths':['/tmp/**'],'paths_mode':'all'}",
	 ARGV("rm", "/tmp/a", "/etc/b"), "match.paths", "\"/etc/b\" does not match /tmp/**"},
	{"paths_home_unknown", "{'paths':['~/x']}", ARGV("rm", "/x"), "match.paths",
	 "no path matches ~/x (the home directory is unknown)"},
	{"user", "{'user':['root','0']}", ARGV("x"), "match.user",
	 "user \"alice\" (uid 1000) is not root or 0"},
	{"group", "{'group':'wheel'}", ARGV("x"), "match.group", "no group of the user is wheel"},
	{"host", "{'host':'bastion-*'}", ARGV("x"), "match.host", "host \"db1\" is not bastion-*"},
	{"cwd", "{'cwd':['/srv/**']}", ARGV("x"), "match.cwd",
	 "the working directory \"/home/alice\" does not match /srv/**"},
	{"env_set_but_should_not_be", "{'env':{'HOME':true,'CI':false}}", ARGV("x"), "match.env.CI",
	 "CI is set"},
	{"ssh", "{'ssh':true}", ARGV("x"), "match.ssh", "it does not run over ssh"},
	{"tty_present", "{'tty':false}", ARGV("x"), "match.tty", "there is a terminal"},
	{"hours", "{'time':{'tz':'UTC','hours':['09:00-10:00','22:00-06:00']}}", ARGV("x"),
	 "match.time.hours", "12:00:00 (UTC) is not in 09:00-10:00 or 22:00-06:00"},
	{"dates", "{'time':{'tz':'Europe/Berlin','dates':'2026-12-20..2027-01-04'}}", ARGV("x"),
	 "match.time.dates", "2026-11-23 (Europe/Berlin) is not in 2026-12-20..2027-01-04"},
	{"days_before_hours", "{'time':{'tz':'UTC','days':'sun','hours':'00:00-01:00'}}", ARGV("x"),
	 "match.time.days", "Monday (UTC) is not in sun"},
	{"any", "{'any':[{'user':'root'},{'host':'x'}]}", ARGV("x"), "match.any",
	 "none of its 2 match objects holds"},
	{"order_program_before_flags", "{'flags':['-r'],'program':'rm'}", ARGV("ls"),
	 "match.program", "program \"ls\" is not rm"},
	{"order_env_before_time", "{'time':{'tz':'UTC','days':'sun'},'env':{'A':true}}", ARGV("x"),
	 "match.env.A", "A is not set"},
};

START_TEST(why_case_explains)
{
	const struct why_case *c = &why_cases[_i];
	char *text = test_xasprintf(
		"{'rules':[{'id':'r','match':%s,'decision':'deny','message':'m'}]}", c->match);
	struct explain_case ec = {.argv = c->argv,
				  .env = ARGV("HOME=/home/alice", "CI=1"),
				  .tty = true,
				  .when = MONDAY};
	struct policy_request req = make_request(&ec);
	struct policy_decision d;
	struct seen seen = {0};
	struct policy *p;

	test_write_policy("10-a.json", text);
	p = test_load(test_dir);
	if (strcmp(c->name, "program_with_resolved_path") == 0)
		req.program = "/usr/bin/del";
	if (strcmp(c->name, "paths_home_unknown") == 0)
		req.home = NULL;
	ck_assert_int_eq(policy_explain(p, &req, collect, &seen, &d), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_msg(!seen.t[0].matched, "%s: matched", c->name);
	ck_assert_msg(strcmp(seen.t[0].failed, c->failed) == 0, "%s: failed at %s", c->name,
		      seen.t[0].failed);
	ck_assert_msg(strcmp(seen.t[0].why, c->why) == 0, "%s:\n  got  %s\n  want %s", c->name,
		      seen.t[0].why, c->why);
	seen_free(&seen);
	policy_free(p);
	free(text);
}
END_TEST

START_TEST(why_is_bounded)
{
	char *flags = strdup("['--a0'"), *text;
	struct explain_case ec = {.argv = ARGV("x"), .when = MONDAY};
	struct policy_request req = make_request(&ec);
	struct policy_decision d;
	struct seen seen = {0};
	struct policy *p;

	/* 400 alternatives of 40 characters: far more than a why holds. */
	for (int i = 1; i < 400; i++) {
		char *next = test_xasprintf("%s,'--a-very-long-option-name-number-%05d'", flags, i);

		free(flags);
		flags = next;
	}
	text = test_xasprintf("{'rules':[{'id':'r','match':{'flags':[%s]]},'decision':'deny',"
			      "'message':'m'}]}",
			      flags);
	test_write_policy("10-a.json", text);
	p = test_load(test_dir);
	ck_assert_int_eq(policy_explain(p, &req, collect, &seen, &d), 0);
	ck_assert_uint_lt(strlen(seen.t[0].why), 512);
	ck_assert_uint_gt(strlen(seen.t[0].why), 400);
	ck_assert_str_eq(seen.t[0].why + strlen(seen.t[0].why) - 3, "...");
	seen_free(&seen);
	policy_free(p);
	free(text);
	free(flags);
}
END_TEST

START_TEST(invalid_request_explains_nothing)
{
	struct policy *p = load_small();
	struct explain_case ec = {.argv = ARGV("x"), .when = MONDAY};
	struct policy_request req = make_request(&ec);
	struct policy_decision d = {.message = "untouched"};
	struct seen seen = {0};

	req.cwd = "relative";
	ck_assert_int_eq(policy_explain(p, &req, collect, &seen, &d), -EINVAL);
	ck_assert_uint_eq(seen.n, 0);
	ck_assert_str_eq(d.message, "untouched");
	req.cwd = "/";
	req.n_env = 1;
	req.env = NULL;
	ck_assert_int_eq(policy_explain(p, &req, collect, &seen, &d), -EINVAL);
	ck_assert_int_eq(policy_explain(NULL, &req, collect, &seen, &d), -EINVAL);
	policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy-explain");
	TCase *traces = tcase_create("traces"), *why = tcase_create("why");

	test_add_dir_fixture(traces);
	tcase_add_loop_test(traces, explain_case_traces, 0, N(explain_cases));
	tcase_add_test(traces, traces_name_file_index_and_verdict);
	tcase_add_test(traces, dry_run_rules_are_in_the_decision_too);
	tcase_add_test(traces, invalid_request_explains_nothing);
	suite_add_tcase(s, traces);

	test_add_dir_fixture(why);
	tcase_add_loop_test(why, why_case_explains, 0, N(why_cases));
	tcase_add_test(why, why_is_bounded);
	suite_add_tcase(s, why);
	return s;
}

int main(void)
{
	if (access("/usr/share/zoneinfo/UTC", R_OK) < 0 ||
	    access("/usr/share/zoneinfo/Europe/Berlin", R_OK) < 0) {
		printf("skipped: /usr/share/zoneinfo is missing (install tzdata)\n");
		return 77;
	}
	return test_run(suite());
}
