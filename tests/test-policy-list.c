/* test-policy-list.c: guard --list's part of the engine: which rules may apply to a
 * context whatever the command (a rule is hidden only when its context conditions alone
 * rule it out; "not" and "any" that mix command and context keep it), and the rules'
 * conditions in plain words, bounded. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/policy.h"
#include "policy-util.h"

#define N(a)       ((int)(sizeof(a) / sizeof((a)[0])))
#define MAX_LISTED 32

#define SATURDAY "2026-11-28 12:00:00"
#define MONDAY   "2026-11-23 12:00:00"

static struct policy *load_context_rules(void)
{
	test_write_policy(
		"10-list.json",
		"{'rules':["
		"{'id':'rm-root','match':{'program':'rm','paths':['/']},'decision':'deny',"
		" 'message':'m'},"
		"{'id':'for-alice','match':{'user':'alice'},'decision':'deny','message':'m'},"
		"{'id':'for-1000','match':{'program':'x','user':'1000'},'decision':'confirm',"
		" 'message':'m'},"
		"{'id':'group-ops','match':{'group':'ops'},'decision':'reason','message':'m'},"
		"{'id':'on-db','match':{'host':'db-*'},'decision':'deny','message':'m'},"
		"{'id':'in-srv','match':{'cwd':['/srv/**']},'decision':'deny','message':'m'},"
		"{'id':'prod-env','match':{'env':{'STAGE':'prod-*'}},'decision':'deny',"
		" 'message':'m'},"
		"{'id':'tty-only','match':{'tty':true},'decision':'confirm','message':'m'},"
		"{'id':'weekend','match':{'time':{'tz':'UTC','days':'sat-sun'}},"
		" 'decision':'deny','message':'m'},"
		"{'id':'not-root','match':{'program':'x','not':{'user':'root'}},"
		" 'decision':'deny','message':'m'},"
		"{'id':'not-mixed','match':{'not':{'user':'root','program':'y'}},"
		" 'decision':'deny','message':'m'},"
		"{'id':'any-ctx','match':{'any':[{'user':'alice'},{'host':'db-*'}]},"
		" 'decision':'deny','message':'m'},"
		"{'id':'any-mixed','match':{'any':[{'user':'alice'},{'program':'z'}]},"
		" 'decision':'deny','message':'m'},"
		"{'id':'watch','mode':'dry-run','match':{'program':'mv'},'decision':'deny',"
		" 'message':'m'}]}");
	return test_load(test_dir);
}

struct list_case {
	const char *name;
	const char *user;
	uid_t uid;
	const char *group; /* one supplementary group name, or NULL */
	const char *host;
	const char *cwd;
	const char *env; /* one "NAME=value", or NULL */
	bool tty;
	const char *when;
	const char *want; /* the ids listed, space-separated, in policy order */
};

static const struct list_case list_cases[] = {
	{"plain_user_sees_rules_about_any_context", "bob", 1001, NULL, "web-1", "/home/bob", NULL,
	 false, MONDAY, "rm-root not-root not-mixed any-mixed watch"},
	{"a_user_by_name", "alice", 1002, NULL, "web-1", "/", NULL, false, MONDAY,
	 "rm-root for-alice not-root not-mixed any-ctx any-mixed watch"},
	{"a_user_by_uid", "carol", 1000, NULL, "web-1", "/", NULL, false, MONDAY,
	 "rm-root for-1000 not-root not-mixed any-mixed watch"},
	{"root_is_spared_a_not_user_root_rule", "root", 0, NULL, "web-1", "/", NULL, false, MONDAY,
	 "rm-root not-mixed any-mixed watch"},
	{"group_host_cwd_env_tty_and_time", "bob", 1001, "ops", "db-7", "/srv/app", "STAGE=prod-eu",
	 true, SATURDAY,
	 "rm-root group-ops on-db in-srv prod-env tty-only weekend not-root not-mixed any-ctx "
	 "any-mixed watch"},
	{"host_names_are_case_insensitive", "bob", 1001, NULL, "DB-7", "/", NULL, false, MONDAY,
	 "rm-root on-db not-root not-mixed any-ctx any-mixed watch"},
	{"cwd_is_canonical", "bob", 1001, NULL, "web-1", "/srv/./x/../app", "STAGE=test", false,
	 MONDAY, "rm-root in-srv not-root not-mixed any-mixed watch"},
};

static void collect(void *userdata, const struct policy_listing *l)
{
	char *ids = userdata;

	ck_assert_ptr_nonnull(l->command);
	ck_assert_uint_lt(strlen(ids) + strlen(l->rule_id) + 2, 512);
	if (*ids)
		strcat(ids, " ");
	strcat(ids, l->rule_id);
}

START_TEST(list_case_shows)
{
	const struct list_case *c = &list_cases[_i];
	struct policy *p = load_context_rules();
	const char *env[] = {c->env};
	gid_t groups[] = {100, 200};
	const char *names[] = {"users", c->group};
	struct policy_request req = {
		.cwd = c->cwd,
		.uid = c->uid,
		.gid = 100,
		.user = c->user,
		.groups = groups,
		.group_names = names,
		.n_groups = c->group ? 2 : 1,
		.host = c->host,
		.env = env,
		.n_env = c->env ? 1 : 0,
		.tty = c->tty,
		.now = test_utc(c->when),
	};
	char ids[512] = "";

	ck_assert_int_eq(policy_list(p, &req, collect, ids), 0);
	ck_assert_msg(strcmp(ids, c->want) == 0, "%s: listed \"%s\", want \"%s\"", c->name, ids,
		      c->want);
	policy_free(p);
}
END_TEST

START_TEST(invalid_context_lists_nothing)
{
	struct policy *p = load_context_rules();
	struct policy_request req = {.cwd = "relative", .host = "h"};
	char ids[512] = "";

	ck_assert_int_eq(policy_list(p, &req, collect, ids), -EINVAL);
	req.cwd = NULL;
	ck_assert_int_eq(policy_list(p, &req, collect, ids), -EINVAL);
	req.cwd = "/";
	req.n_env = 1; /* env NULL */
	ck_assert_int_eq(policy_list(p, &req, collect, ids), -EINVAL);
	ck_assert_str_eq(ids, "");
	policy_free(p);
}
END_TEST

/* One rule's words. */
struct words {
	char command[1024], context[1024], description[256];
	bool has_context, dry_run;
	enum policy_verdict verdict;
};

static void keep_words(void *userdata, const struct policy_listing *l)
{
	struct words *w = userdata;

	snprintf(w->command, sizeof(w->command), "%s", l->command);
	w->has_context = l->context != NULL;
	snprintf(w->context, sizeof(w->context), "%s", l->context ? l->context : "");
	snprintf(w->description, sizeof(w->description), "%s",
		 l->description ? l->description : "");
	w->dry_run = l->dry_run;
	w->verdict = l->verdict;
}

/* Lists the one rule of a policy whose match is match_json, in a context where every
 * context condition of the cases holds: root in group wheel, over ssh without a terminal,
 * on db-1 in /srv/x, with A and KUBE_CONTEXT set, on a Monday of a change freeze. */
static void words_of(const char *match_json, struct words *w)
{
	char *text = test_xasprintf("{'rules':[{'id':'r','description':'about it','match':%s,"
				    "'decision':'deny','message':'m'}]}",
				    match_json);
	struct policy *p;
	const char *env[] = {"A=1", "KUBE_CONTEXT=prod-1"};
	gid_t groups[] = {10};
	const char *names[] = {"wheel"};
	struct policy_request req = {
		.cwd = "/srv/x",
		.host = "db-1",
		.user = "root",
		.groups = groups,
		.group_names = names,
		.n_groups = 1,
		.env = env,
		.n_env = 2,
		.ssh = true,
		.now = test_utc("2026-12-21 10:00:00"),
	};

	test_write_policy("10-one.json", text);
	free(text);
	p = test_load(test_dir);
	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(policy_list(p, &req, keep_words, w), 0);
	policy_free(p);
}

struct words_case {
	const char *match;
	const char *command;
	const char *context; /* NULL: none */
};

static const struct words_case words_cases[] = {
	{"{'program':'rm','flags':[['-r','-R'],['-f','--force']],'paths':['/','/etc']}",
	 "program rm, with flags (-r or -R) and (-f or --force), a path matching / or /etc", NULL},
	{"{'program':['kubectl','oc'],'subcommand':['apply','delete'],"
	 "'env':{'KUBE_CONTEXT':'prod-*'}}",
	 "program kubectl or oc, subcommand apply or delete", "when KUBE_CONTEXT is prod-*"},
	{"{'program':'git','args':['push'],'args_regex':['^--force','^-f$']}",
	 "program git, an argument matching push, an argument matching the regex ^--force or ^-f$",
	 NULL},
	{"{'program':'chmod','paths':['/srv/**'],'paths_mode':'all'}",
	 "program chmod, every path matching /srv/**", NULL},
	{"{'program':'wipefs','flags':['-a','--all']}", "program wipefs, with flags -a and --all",
	 NULL},
	{"{'program':'wipefs','flags':[['-a','--all']]}", "program wipefs, with flags -a or --all",
	 NULL},
	{"{'user':['root','0'],'group':'wheel'}", "any command",
	 "for user root or 0, for group wheel"},
	{"{'host':'db-*','cwd':['/srv/**'],'tty':false,'ssh':true}", "any command",
	 "on host db-*, in a directory matching /srv/**, without a terminal, over ssh"},
	{"{'env':{'A':true,'B':false}}", "any command", "when A is set, when B is not set"},
	{"{'time':{'tz':'UTC','days':['mon','tue'],'hours':'09:00-17:00',"
	 "'dates':['2026-12-20..2027-01-04']}}",
	 "any command", "on mon or tue from 09:00-17:00 during 2026-12-20..2027-01-04 (UTC)"},
	{"{'program':'rm','not':{'cwd':['/tmp/**']}}",
	 "program rm, unless (in a directory matching /tmp/**)", NULL},
	{"{'any':[{'program':'halt'},{'program':'systemctl','subcommand':'poweroff'}]}",
	 "when one of: (program halt) or (program systemctl, subcommand poweroff)", NULL},
};

START_TEST(words_case_reads)
{
	const struct words_case *c = &words_cases[_i];
	struct words w;

	words_of(c->match, &w);
	ck_assert_str_eq(w.command, c->command);
	ck_assert_int_eq(w.has_context, c->context != NULL);
	if (c->context)
		ck_assert_str_eq(w.context, c->context);
	ck_assert_str_eq(w.description, "about it");
	ck_assert_int_eq(w.verdict, POLICY_DENY);
}
END_TEST

START_TEST(words_are_bounded_and_one_line)
{
	char match[8192] = "{'program':'rm','paths':[";
	struct words w;

	for (int i = 0; i < 200; i++)
		snprintf(match + strlen(match), sizeof(match) - strlen(match), "%s'/data/%03d/**'",
			 i ? "," : "", i);
	strcat(match, "]}");
	words_of(match, &w);
	ck_assert_uint_lt(strlen(w.command), 512);
	ck_assert_msg(strcmp(w.command + strlen(w.command) - 3, "...") == 0, "cut with ...: %s",
		      w.command);
	ck_assert_ptr_null(strchr(w.command, '\n'));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy-list");
	TCase *list = tcase_create("list"), *words = tcase_create("words");

	test_add_dir_fixture(list);
	tcase_add_loop_test(list, list_case_shows, 0, N(list_cases));
	tcase_add_test(list, invalid_context_lists_nothing);
	suite_add_tcase(s, list);
	test_add_dir_fixture(words);
	tcase_add_loop_test(words, words_case_reads, 0, N(words_cases));
	tcase_add_test(words, words_are_bounded_and_one_line);
	suite_add_tcase(s, words);
	return s;
}

int main(void)
{
	if (access("/usr/share/zoneinfo/UTC", R_OK) < 0) {
		printf("skipped: /usr/share/zoneinfo is missing (install tzdata)\n");
		return 77;
	}
	return test_run(suite());
}
