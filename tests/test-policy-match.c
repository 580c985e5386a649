/* test-policy-match.c: evaluating requests: each condition on its own, the order of
 * rules, the default, the request contract, and the shipped rule pack. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/policy.h"
#include "policy-util.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define N(a)      ((int)(sizeof(a) / sizeof((a)[0])))

/* Loads a policy written with ' for " to keep the tables readable. */
static struct policy *load_text(const char *text)
{
	char *file = test_xasprintf("%s/10-test.json", test_dir);
	struct policy *p;

	test_write_policy("10-test.json", text);
	p = test_load(test_dir);
	unlink(file);
	free(file);
	return p;
}

static size_t count(const char *const *argv)
{
	size_t n = 0;

	while (argv[n])
		n++;
	return n;
}

/* Who asks, unless a case says otherwise: alice (1000), groups alice (1000) and
 * sudo (27). */
static const gid_t alice_groups[] = {1000, 27};
static const char *const alice_group_names[] = {"alice", "sudo"};

static struct policy_request request(const char *const *argv, const char *cwd, const char *program)
{
	return (struct policy_request){
		.argv = argv,
		.argc = count(argv),
		.program = program,
		.cwd = cwd ? cwd : "/",
		.uid = 1000,
		.gid = 1000,
		.user = "alice",
		.groups = alice_groups,
		.group_names = alice_group_names,
		.n_groups = 2,
	};
}

static bool denied_by_r(const struct policy *p, const struct policy_request *req)
{
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate(p, req, &d), 0);
	if (d.verdict == POLICY_ALLOW) {
		ck_assert_ptr_null(d.rule_id);
		return false;
	}
	ck_assert_str_eq(d.rule_id, "r");
	ck_assert_str_eq(d.message, "m");
	return true;
}

/* A single deny rule "r" with the given match; whether the request matches it. */
struct condition_case {
	const char *name;
	const char *match;
	const char *const *argv;
	const char *cwd;     /* NULL: "/" */
	const char *program; /* the resolved path, or NULL */
	bool matches;
};

static const struct condition_case condition_cases[] = {
	/* program */
	{"program_basename", "{'program':'rm'}", ARGV("rm", "-rf", "x"), NULL, NULL, true},
	{"program_basename_of_argv0_path", "{'program':'rm'}", ARGV("/bin/rm", "x"), NULL, NULL,
	 true},
	{"program_basename_of_resolved_path", "{'program':'rm'}", ARGV("del", "x"), NULL,
	 "/usr/bin/rm", true},
	{"program_other_name", "{'program':'rm'}", ARGV("rmdir", "x"), NULL, NULL, false},
	{"program_basename_glob", "{'program':'mkfs.*'}", ARGV("mkfs.ext4", "/dev/sda1"), NULL,
	 NULL, true},
	{"program_basename_glob_needs_its_dot", "{'program':'mkfs.*'}", ARGV("mkfs", "/dev/sda1"),
	 NULL, NULL, false},
	{"program_any_of", "{'program':['shred','rm']}", ARGV("rm", "x"), NULL, NULL, true},
	{"program_path_glob_on_resolved_path", "{'program':'/usr/bin/*'}", ARGV("rm", "x"), NULL,
	 "/usr/bin/rm", true},
	{"program_path_glob_star_stays_in_component", "{'program':'/usr/*'}", ARGV("rm", "x"), NULL,
	 "/usr/bin/rm", false},
	{"program_path_glob_globstar", "{'program':'/opt/**/rm'}", ARGV("rm", "x"), NULL,
	 "/opt/a/b/rm", true},
	{"program_path_glob_resolved_path_canonicalised", "{'program':'/usr/bin/rm'}",
	 ARGV("rm", "x"), NULL, "/usr//bin/./rm", true},
	{"program_path_glob_unknown_without_a_path", "{'program':'/usr/bin/rm'}", ARGV("rm", "x"),
	 NULL, NULL, false},
	{"program_path_glob_on_argv0_path", "{'program':'/usr/bin/rm'}", ARGV("/usr/bin/rm", "x"),
	 NULL, NULL, true},
	{"program_path_glob_on_relative_argv0_path", "{'program':'/opt/app/bin/deploy'}",
	 ARGV("./bin/deploy"), "/opt/app", NULL, true},

	/* flags */
	{"flag_alone", "{'flags':['-r']}", ARGV("rm", "-r", "x"), NULL, NULL, true},
	{"flags_combined_rf", "{'flags':[['-r','--recursive'],['-f','--force']]}",
	 ARGV("rm", "-rf", "x"), NULL, NULL, true},
	{"flags_combined_fr", "{'flags':[['-r','--recursive'],['-f','--force']]}",
	 ARGV("rm", "-fr", "x"), NULL, NULL, true},
	{"flags_combined_Rrf", "{'flags':['-R','-r','-f']}", ARGV("rm", "-Rrf", "x"), NULL, NULL,
	 true},
	{"flags_separate", "{'flags':[['-r','--recursive'],['-f','--force']]}",
	 ARGV("rm", "-r", "-f", "x"), NULL, NULL, true},
	{"flags_long", "{'flags':[['-r','--recursive'],['-f','--force']]}",
	 ARGV("rm", "--recursive", "--force", "x"), NULL, NULL, true},
	{"flags_long_and_short", "{'flags':[['-r','--recursive'],['-f','--force']]}",
	 ARGV("rm", "x", "--force", "-r"), NULL, NULL, true},
	{"flags_every_element_must_hold", "{'flags':[['-r','--recursive'],['-f','--force']]}",
	 ARGV("rm", "-r", "x"), NULL, NULL, false},
	{"flag_cluster_in_rule_means_both", "{'flags':['-rf']}", ARGV("rm", "-f", "-r", "x"), NULL,
	 NULL, true},
	{"flag_cluster_in_rule_needs_both", "{'flags':['-rf']}", ARGV("rm", "-r", "x"), NULL, NULL,
	 false},
	{"flag_other_letter_is_not_the_flag", "{'flags':['-r']}", ARGV("rm", "-v", "-s", "x"), NULL,
	 NULL, false},
	{"long_flag", "{'flags':['--force']}", ARGV("git", "push", "--force"), NULL, NULL, true},
	{"long_flag_with_value", "{'flags':['--force']}", ARGV("git", "push", "--force=yes"), NULL,
	 NULL, true},
	{"force_with_lease_is_not_force", "{'flags':['--force']}",
	 ARGV("git", "push", "--force-with-lease"), NULL, NULL, false},
	{"long_flag_prefix_is_not_the_flag", "{'flags':['--force']}", ARGV("git", "push", "--forc"),
	 NULL, NULL, false},
	{"long_option_letters_are_not_short_flags", "{'flags':['-f']}", ARGV("rm", "--force", "x"),
	 NULL, NULL, false},
	{"flags_after_double_dash_are_ignored", "{'flags':['-r']}", ARGV("rm", "--", "-rf"), NULL,
	 NULL, false},

	/* subcommand */
	{"subcommand_first_word", "{'program':'git','subcommand':'push'}",
	 ARGV("git", "push", "origin"), NULL, NULL, true},
	{"subcommand_is_exact", "{'subcommand':'push'}", ARGV("git", "pushx"), NULL, NULL, false},
	{"subcommand_after_git_C", "{'program':'git','subcommand':'push'}",
	 ARGV("git", "-C", "/x", "push"), NULL, NULL, true},
	{"subcommand_after_git_c", "{'program':'git','subcommand':'push'}",
	 ARGV("git", "-c", "user.name=x", "push"), NULL, NULL, true},
	{"subcommand_after_git_dir_by_path", "{'program':'git','subcommand':'push'}",
	 ARGV("/usr/bin/git", "--git-dir", "/x/.git", "push"), NULL, NULL, true},
	{"git_commit_message_push_is_not_push", "{'program':'git','subcommand':'push'}",
	 ARGV("git", "commit", "-m", "push"), NULL, NULL, false},
	{"git_options_after_the_subcommand_keep_their_words", "{'paths':['/x']}",
	 ARGV("git", "diff", "-C", "/x"), NULL, NULL, true},
	{"subcommand_words", "{'subcommand':'stash drop'}",
	 ARGV("git", "stash", "drop", "stash@{0}"), NULL, NULL, true},
	{"subcommand_words_all_needed", "{'subcommand':'stash drop'}", ARGV("git", "stash", "list"),
	 NULL, NULL, false},
	{"subcommand_words_not_enough", "{'subcommand':'stash drop'}", ARGV("git", "stash"), NULL,
	 NULL, false},
	{"subcommand_any_of", "{'subcommand':['apply','delete']}", ARGV("kubectl", "delete", "pod"),
	 NULL, NULL, true},
	{"subcommand_after_kubectl_namespace", "{'program':'kubectl','subcommand':'delete ns'}",
	 ARGV("kubectl", "-n", "prod", "delete", "ns", "x"), NULL, NULL, true},
	{"subcommand_around_kubectl_namespace", "{'program':'kubectl','subcommand':'delete ns'}",
	 ARGV("kubectl", "delete", "-n", "prod", "ns", "x"), NULL, NULL, true},
	{"subcommand_after_kubectl_namespace_equals", "{'subcommand':'delete ns'}",
	 ARGV("kubectl", "--namespace=prod", "--context", "c", "delete", "ns", "x"), NULL, NULL,
	 true},
	{"subcommand_after_systemctl_host", "{'program':'systemctl','subcommand':'stop'}",
	 ARGV("systemctl", "-H", "db1", "stop", "x"), NULL, NULL, true},
	{"option_values_of_other_programs_are_words", "{'subcommand':'push'}",
	 ARGV("tool", "-C", "push"), NULL, NULL, true},

	/* args */
	{"args_glob", "{'program':'dd','args':['of=/dev/*']}",
	 ARGV("dd", "if=/dev/zero", "of=/dev/sda"), NULL, NULL, true},
	{"args_star_crosses_slash", "{'args':['of=/dev/*']}", ARGV("dd", "of=/dev/disk/by-id/x"),
	 NULL, NULL, true},
	{"args_no_match", "{'args':['of=/dev/*']}", ARGV("dd", "if=a", "of=b"), NULL, NULL, false},
	{"args_only_positional_words", "{'args':['-rf']}", ARGV("rm", "-rf", "x"), NULL, NULL,
	 false},
	{"args_after_double_dash", "{'args':['-rf']}", ARGV("echo", "--", "-rf"), NULL, NULL, true},
	{"args_empty_word_is_a_word", "{'args':['*']}", ARGV("printf", ""), NULL, NULL, true},
	{"args_lone_dash_is_a_word", "{'args':['-']}", ARGV("cat", "-"), NULL, NULL, true},

	/* paths */
	{"path_absolute", "{'paths':['/etc']}", ARGV("rm", "/etc"), NULL, NULL, true},
	{"path_trailing_slash", "{'paths':['/etc']}", ARGV("rm", "/etc/"), NULL, NULL, true},
	{"path_double_slash", "{'paths':['/etc']}", ARGV("rm", "//etc"), NULL, NULL, true},
	{"path_dot", "{'paths':['/etc']}", ARGV("rm", "/./etc/."), NULL, NULL, true},
	{"path_dotdot", "{'paths':['/etc']}", ARGV("rm", "/etc/x/../"), NULL, NULL, true},
	{"path_dotdot_stops_at_root", "{'paths':['/']}", ARGV("rm", "/../../.."), NULL, NULL, true},
	{"path_relative_to_cwd", "{'paths':['/home/alice/proj/build']}", ARGV("rm", "build"),
	 "/home/alice/proj", NULL, true},
	{"path_dot_is_cwd", "{'paths':['/home/alice/proj']}", ARGV("rm", "."), "/home/alice/proj",
	 NULL, true},
	{"path_dotdot_from_cwd", "{'paths':['/etc']}", ARGV("rm", ".."), "/etc/x", NULL, true},
	{"path_cwd_canonicalised_too", "{'paths':['/etc/y']}", ARGV("rm", "y"), "/etc//x/..", NULL,
	 true},
	{"path_no_tilde_expansion_without_a_home", "{'paths':['/home/alice']}", ARGV("rm", "~"),
	 "/", NULL, false},
	{"path_empty_word_is_no_path", "{'paths':['/']}", ARGV("rm", ""), "/", NULL, false},
	{"path_options_are_not_paths", "{'paths':['/etc']}", ARGV("rm", "--dir=/etc"), NULL, NULL,
	 false},
	{"path_any_word", "{'paths':['/etc']}", ARGV("rm", "/tmp/a", "/etc", "/tmp/b"), NULL, NULL,
	 true},
	{"path_star_one_component", "{'paths':['/home/*']}", ARGV("rm", "/home/alice"), NULL, NULL,
	 true},
	{"path_star_not_two_components", "{'paths':['/home/*']}", ARGV("rm", "/home/alice/x"), NULL,
	 NULL, false},
	{"path_star_not_zero_components", "{'paths':['/home/*']}", ARGV("rm", "/home"), NULL, NULL,
	 false},
	{"path_star_matches_dotfiles", "{'paths':['/home/alice/*']}",
	 ARGV("rm", "/home/alice/.ssh"), NULL, NULL, true},
	{"path_star_does_not_reach_into_the_next_component", "{'paths':['/*c/**']}",
	 ARGV("rm", "/ab/c"), NULL, NULL, false},
	{"path_question_does_not_match_a_slash", "{'paths':['/a?c/**']}", ARGV("rm", "/a/c"), NULL,
	 NULL, false},
	{"path_star_is_not_root", "{'paths':['/*']}", ARGV("rm", "/"), NULL, NULL, false},
	{"path_question_and_brackets", "{'paths':['/dev/sd[a-z]?']}", ARGV("rm", "/dev/sda1"), NULL,
	 NULL, true},
	{"path_question_needs_a_character", "{'paths':['/dev/sd[a-z]?']}", ARGV("rm", "/dev/sda"),
	 NULL, NULL, false},
	{"path_globstar_deep", "{'paths':['/var/lib/mysql/**']}",
	 ARGV("rm", "/var/lib/mysql/a/b/c"), NULL, NULL, true},
	{"path_trailing_globstar_matches_the_dir", "{'paths':['/var/lib/mysql/**']}",
	 ARGV("rm", "/var/lib/mysql"), NULL, NULL, true},
	{"path_globstar_not_a_sibling", "{'paths':['/var/lib/mysql/**']}",
	 ARGV("rm", "/var/lib/mysqlx"), NULL, NULL, false},
	{"path_globstar_not_the_parent", "{'paths':['/var/lib/mysql/**']}", ARGV("rm", "/var/lib"),
	 NULL, NULL, false},
	{"path_globstar_in_the_middle", "{'paths':['/srv/**/secrets']}",
	 ARGV("rm", "/srv/a/b/secrets"), NULL, NULL, true},
	{"path_globstar_in_the_middle_matches_none", "{'paths':['/srv/**/secrets']}",
	 ARGV("rm", "/srv/secrets"), NULL, NULL, true},
	{"path_globstar_in_the_middle_anchored_at_end", "{'paths':['/srv/**/secrets']}",
	 ARGV("rm", "/srv/a/secrets/x"), NULL, NULL, false},
	{"path_globstars_backtrack", "{'paths':['/**/a/*/b/**/c']}", ARGV("rm", "/a/a/x/a/y/b/q/c"),
	 NULL, NULL, true},
	{"path_globstar_everything", "{'paths':['/**']}", ARGV("rm", "/"), NULL, NULL, true},
	{"path_root_only_root", "{'paths':['/']}", ARGV("rm", "/etc"), NULL, NULL, false},
	{"path_double_star_inside_a_component_is_a_star", "{'paths':['/a**']}", ARGV("rm", "/abc"),
	 NULL, NULL, true},
	{"path_double_star_inside_a_component_stays_in_it", "{'paths':['/a**']}",
	 ARGV("rm", "/abc/d"), NULL, NULL, false},

	/* all together */
	{"empty_match_matches_everything", "{}", ARGV("anything"), NULL, NULL, true},
	{"all_conditions_must_hold", "{'program':'rm','paths':['/etc']}", ARGV("rm", "/tmp"), NULL,
	 NULL, false},
	{"all_conditions_hold",
	 "{'program':'rm','flags':['-r'],'args':['/e*'],'paths':['/etc'],'user':'alice',"
	 "'group':'sudo'}",
	 ARGV("rm", "-r", "/etc"), NULL, NULL, true},
};

START_TEST(condition_case_matches)
{
	const struct condition_case *c = &condition_cases[_i];
	char *text = test_xasprintf(
		"{'rules':[{'id':'r','match':%s,'decision':'deny','message':'m'}]}", c->match);
	struct policy *p = load_text(text);
	struct policy_request req = request(c->argv, c->cwd, c->program);

	ck_assert_msg(denied_by_r(p, &req) == c->matches, "%s: expected %s", c->name,
		      c->matches ? "a match" : "no match");
	policy_free(p);
	free(text);
}
END_TEST

/* Who asks, for the user and group conditions. */
struct identity_case {
	const char *name;
	const char *match;
	uid_t uid;
	const char *user;
	gid_t gid;
	const gid_t *groups;
	const char *const *group_names;
	size_t n_groups;
	bool matches;
};

static const gid_t root_groups[] = {0};
static const char *const root_group_names[] = {"root"};
static const char *const unnamed_groups[] = {NULL, "sudo"};

#define ALICE_GROUPS alice_groups, alice_group_names, 2

static const struct identity_case identity_cases[] = {
	{"user_by_name", "{'user':'alice'}", 1000, "alice", 1000, ALICE_GROUPS, true},
	{"user_by_uid", "{'user':'1000'}", 1000, "alice", 1000, ALICE_GROUPS, true},
	{"user_root_by_uid", "{'user':'0'}", 0, "root", 0, root_groups, root_group_names, 1, true},
	{"user_other_name", "{'user':'bob'}", 1000, "alice", 1000, ALICE_GROUPS, false},
	{"user_other_uid", "{'user':'0'}", 1000, "alice", 1000, ALICE_GROUPS, false},
	{"user_any_of", "{'user':['bob','alice']}", 1000, "alice", 1000, ALICE_GROUPS, true},
	{"user_without_name_by_name", "{'user':'alice'}", 1000, NULL, 1000, ALICE_GROUPS, false},
	{"user_without_name_by_uid", "{'user':'1000'}", 1000, NULL, 1000, ALICE_GROUPS, true},
	{"group_primary_by_name", "{'group':'alice'}", 1000, "alice", 1000, ALICE_GROUPS, true},
	{"group_primary_by_gid", "{'group':'1000'}", 1000, "alice", 1000, ALICE_GROUPS, true},
	{"group_supplementary_by_name", "{'group':'sudo'}", 1000, "alice", 1000, ALICE_GROUPS,
	 true},
	{"group_supplementary_by_gid", "{'group':'27'}", 1000, "alice", 1000, ALICE_GROUPS, true},
	{"group_primary_gid_outside_the_list", "{'group':'1000'}", 1000, "alice", 1000,
	 alice_groups + 1, alice_group_names + 1, 1, true},
	{"group_other", "{'group':['wheel','4']}", 1000, "alice", 1000, ALICE_GROUPS, false},
	{"group_without_names_by_name", "{'group':'sudo'}", 1000, "alice", 1000, alice_groups, NULL,
	 2, false},
	{"group_without_names_by_gid", "{'group':'27'}", 1000, "alice", 1000, alice_groups, NULL, 2,
	 true},
	{"group_unnamed_entry_skipped", "{'group':'sudo'}", 1000, "alice", 1000, alice_groups,
	 unnamed_groups, 2, true},
	{"group_no_groups", "{'group':'sudo'}", 1000, "alice", 1000, NULL, NULL, 0, false},
	{"user_and_group_both", "{'user':'alice','group':'wheel'}", 1000, "alice", 1000,
	 ALICE_GROUPS, false},
};

START_TEST(identity_case_matches)
{
	const struct identity_case *c = &identity_cases[_i];
	char *text = test_xasprintf(
		"{'rules':[{'id':'r','match':%s,'decision':'deny','message':'m'}]}", c->match);
	struct policy *p = load_text(text);
	struct policy_request req = request(ARGV("id"), "/", NULL);

	req.uid = c->uid;
	req.user = c->user;
	req.gid = c->gid;
	req.groups = c->groups;
	req.group_names = c->group_names;
	req.n_groups = c->n_groups;
	ck_assert_msg(denied_by_r(p, &req) == c->matches, "%s: expected %s", c->name,
		      c->matches ? "a match" : "no match");
	policy_free(p);
	free(text);
}
END_TEST

/* The conditions on the context of a request: the home directory, host, cwd,
 * environment, terminal and ssh, and the combinations "not" and "any". A single deny
 * rule "r" with the given match; whether the request matches it. */
struct context_case {
	const char *name;
	const char *match;
	const char *const *argv;
	const char *cwd;  /* NULL: "/" */
	const char *home; /* NULL: unknown */
	const char *host; /* NULL: unknown */
	const char *const *env;
	bool tty;
	bool ssh;
	const char *user; /* NULL: alice */
	bool matches;
};

#define HOME     "/home/alice"
#define ENV(...) ARGV(__VA_ARGS__)

static const struct context_case context_cases[] = {
	/* flags: "--opt=GLOB" values, "--" */
	{.name = "flag_value_glob",
	 .match = "{'flags':['--context=prod-*']}",
	 .argv = ARGV("kubectl", "--context=prod-eu", "delete", "ns", "x"),
	 .matches = true},
	{.name = "flag_value_glob_other_value",
	 .match = "{'flags':['--context=prod-*']}",
	 .argv = ARGV("kubectl", "--context=dev", "delete"),
	 .matches = false},
	{.name = "flag_value_glob_separate_argument_is_not_its_value",
	 .match = "{'flags':['--context=prod-*']}",
	 .argv = ARGV("kubectl", "--context", "prod-eu", "delete"),
	 .matches = false},
	{.name = "flag_value_glob_after_double_dash_is_a_word",
	 .match = "{'flags':['--context=prod-*']}",
	 .argv = ARGV("kubectl", "delete", "--", "--context=prod-eu"),
	 .matches = false},
	{.name = "flag_value_glob_bare_option_has_no_value",
	 .match = "{'flags':['--force=*']}",
	 .argv = ARGV("git", "push", "--force"),
	 .matches = false},
	{.name = "flag_value_glob_empty_value",
	 .match = "{'flags':['--force=*']}",
	 .argv = ARGV("git", "push", "--force="),
	 .matches = true},
	{.name = "flag_value_glob_is_not_a_prefix_option",
	 .match = "{'flags':['--force=*']}",
	 .argv = ARGV("git", "push", "--force-with-lease=main"),
	 .matches = false},
	{.name = "flag_value_exact",
	 .match = "{'flags':['--grace-period=0']}",
	 .argv = ARGV("kubectl", "delete", "--grace-period=0"),
	 .matches = true},
	{.name = "flag_value_exact_not_a_prefix",
	 .match = "{'flags':['--grace-period=0']}",
	 .argv = ARGV("kubectl", "delete", "--grace-period=00"),
	 .matches = false},
	{.name = "flag_value_star_crosses_slash",
	 .match = "{'flags':['--kubeconfig=*/prod.yaml']}",
	 .argv = ARGV("kubectl", "--kubeconfig=/etc/k8s/prod.yaml", "get"),
	 .matches = true},
	{.name = "flag_value_any_of",
	 .match = "{'flags':[['--context=prod-*','--context=live-*']]}",
	 .argv = ARGV("kubectl", "--context=live-1", "get"),
	 .matches = true},
	{.name = "flag_plain_long_matches_a_value_form",
	 .match = "{'flags':['--context']}",
	 .argv = ARGV("kubectl", "--context=prod", "get"),
	 .matches = true},
	{.name = "flag_short_n_in_a_cluster",
	 .match = "{'flags':['-n']}",
	 .argv = ARGV("rsync", "-avn", "a", "b"),
	 .matches = true},
	{.name = "flag_short_n_is_not_a_value_glob",
	 .match = "{'flags':['-n']}",
	 .argv = ARGV("rsync", "--dry-run", "a", "b"),
	 .matches = false},
	{.name = "double_dash_ends_options",
	 .match = "{'flags':['-f']}",
	 .argv = ARGV("rm", "--", "-f"),
	 .matches = false},
	{.name = "double_dash_twice_second_is_a_word",
	 .match = "{'args':['--']}",
	 .argv = ARGV("rm", "--", "--"),
	 .matches = true},
	{.name = "flags_before_double_dash_count",
	 .match = "{'flags':['-r','--force']}",
	 .argv = ARGV("rm", "-r", "--force", "--", "-x"),
	 .matches = true},

	/* args_regex */
	{.name = "regex_unanchored",
	 .match = "{'args_regex':['prod']}",
	 .argv = ARGV("deploy", "my-prod-app"),
	 .matches = true},
	{.name = "regex_anchored",
	 .match = "{'args_regex':['^prod']}",
	 .argv = ARGV("deploy", "my-prod-app"),
	 .matches = false},
	{.name = "regex_extended_syntax",
	 .match = "{'args_regex':['^(ns|namespace)/prod-[a-z]+$']}",
	 .argv = ARGV("kubectl", "delete", "namespace/prod-eu"),
	 .matches = true},
	{.name = "regex_any_of_words_and_regexes",
	 .match = "{'args_regex':['^a$','^b$']}",
	 .argv = ARGV("x", "c", "b"),
	 .matches = true},
	{.name = "regex_only_positional_words",
	 .match = "{'args_regex':['^-rf$']}",
	 .argv = ARGV("rm", "-rf", "x"),
	 .matches = false},
	{.name = "regex_after_double_dash",
	 .match = "{'args_regex':['^-rf$']}",
	 .argv = ARGV("echo", "--", "-rf"),
	 .matches = true},
	{.name = "regex_no_words",
	 .match = "{'args_regex':['.*']}",
	 .argv = ARGV("ls"),
	 .matches = false},
	{.name = "regex_empty_word",
	 .match = "{'args_regex':['^$']}",
	 .argv = ARGV("printf", ""),
	 .matches = true},

	/* "~" in path globs: the home directory of the person asking */
	{.name = "home_glob_is_home",
	 .match = "{'paths':['~']}",
	 .argv = ARGV("rm", "-r", HOME),
	 .home = HOME,
	 .matches = true},
	{.name = "home_glob_below",
	 .match = "{'paths':['~/.ssh/**']}",
	 .argv = ARGV("rm", HOME "/.ssh/id_ed25519"),
	 .home = HOME,
	 .matches = true},
	{.name = "home_glob_not_a_sibling",
	 .match = "{'paths':['~/**']}",
	 .argv = ARGV("rm", "/home/alicex"),
	 .home = HOME,
	 .matches = false},
	{.name = "home_glob_not_the_parent",
	 .match = "{'paths':['~/**']}",
	 .argv = ARGV("rm", "/home"),
	 .home = HOME,
	 .matches = false},
	{.name = "home_glob_home_canonicalised",
	 .match = "{'paths':['~']}",
	 .argv = ARGV("rm", HOME),
	 .home = "/home//alice/",
	 .matches = true},
	{.name = "home_glob_unknown_home_never_matches",
	 .match = "{'paths':['~/**']}",
	 .argv = ARGV("rm", HOME),
	 .matches = false},
	{.name = "home_glob_relative_home_is_unknown",
	 .match = "{'paths':['~/**']}",
	 .argv = ARGV("rm", "home/alice"),
	 .home = "home/alice",
	 .matches = false},
	{.name = "home_glob_home_is_root",
	 .match = "{'paths':['~/etc']}",
	 .argv = ARGV("rm", "/etc"),
	 .home = "/",
	 .matches = true},
	{.name = "home_glob_home_taken_literally",
	 .match = "{'paths':['~/x']}",
	 .argv = ARGV("rm", "/home/ab/x"),
	 .home = "/home/a*",
	 .matches = false},
	{.name = "home_glob_home_with_star_itself",
	 .match = "{'paths':['~/x']}",
	 .argv = ARGV("rm", "/home/a*/x"),
	 .home = "/home/a*",
	 .matches = true},
	{.name = "home_glob_relative_word",
	 .match = "{'paths':['~/proj/**']}",
	 .argv = ARGV("rm", "-r", "build"),
	 .cwd = HOME "/proj",
	 .home = HOME,
	 .matches = true},

	/* "~" and "$HOME" in arguments */
	{.name = "arg_tilde",
	 .match = "{'paths':['/home/alice']}",
	 .argv = ARGV("rm", "-rf", "~"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_tilde_slash",
	 .match = "{'paths':['/home/alice']}",
	 .argv = ARGV("rm", "-rf", "~/"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_tilde_below",
	 .match = "{'paths':['/home/alice/.ssh']}",
	 .argv = ARGV("rm", "-rf", "~/.ssh"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_tilde_double_slash_stays_below_home",
	 .match = "{'paths':['/home/alice/etc']}",
	 .argv = ARGV("rm", "~//etc"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_tilde_dotdot",
	 .match = "{'paths':['/home']}",
	 .argv = ARGV("rm", "-r", "~/.."),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_home_variable",
	 .match = "{'paths':['/home/alice']}",
	 .argv = ARGV("rm", "-rf", "$HOME"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_home_variable_below",
	 .match = "{'paths':['/home/alice/.ssh']}",
	 .argv = ARGV("rm", "-rf", "$HOME/.ssh"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_home_variable_braced",
	 .match = "{'paths':['/home/alice/.ssh']}",
	 .argv = ARGV("rm", "-rf", "${HOME}/.ssh"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_home_variable_braced_alone",
	 .match = "{'paths':['~']}",
	 .argv = ARGV("rm", "-rf", "${HOME}"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_other_variable_stays_literal",
	 .match = "{'paths':['/home/alice/**']}",
	 .argv = ARGV("rm", "$HOMEDIR"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = false},
	{.name = "arg_tilde_user_stays_literal",
	 .match = "{'paths':['/home/bob']}",
	 .argv = ARGV("rm", "~bob"),
	 .cwd = "/home",
	 .home = HOME,
	 .matches = false},
	{.name = "arg_tilde_user_is_a_relative_name",
	 .match = "{'paths':['/home/~bob']}",
	 .argv = ARGV("rm", "~bob"),
	 .cwd = "/home",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_tilde_inside_a_word_stays",
	 .match = "{'paths':['/tmp/x/~']}",
	 .argv = ARGV("rm", "x/~"),
	 .cwd = "/tmp",
	 .home = HOME,
	 .matches = true},
	{.name = "arg_tilde_without_home_stays",
	 .match = "{'paths':['/tmp/~']}",
	 .argv = ARGV("rm", "~"),
	 .cwd = "/tmp",
	 .matches = true},
	{.name = "arg_tilde_args_see_the_raw_word",
	 .match = "{'args':['~/*']}",
	 .argv = ARGV("rm", "~/x"),
	 .home = HOME,
	 .matches = true},

	/* paths_mode */
	{.name = "paths_all_every_path_matches",
	 .match = "{'paths':['/tmp/**'],'paths_mode':'all'}",
	 .argv = ARGV("rm", "/tmp/a", "/tmp/b/c"),
	 .matches = true},
	{.name = "paths_all_one_outside",
	 .match = "{'paths':['/tmp/**'],'paths_mode':'all'}",
	 .argv = ARGV("rm", "/tmp/a", "/etc/passwd"),
	 .matches = false},
	{.name = "paths_all_needs_a_path",
	 .match = "{'paths':['/tmp/**'],'paths_mode':'all'}",
	 .argv = ARGV("rm", "-rf"),
	 .matches = false},
	{.name = "paths_all_empty_word_is_no_path",
	 .match = "{'paths':['/tmp/**'],'paths_mode':'all'}",
	 .argv = ARGV("rm", "/tmp/a", ""),
	 .matches = true},
	{.name = "paths_all_only_empty_words",
	 .match = "{'paths':['/**'],'paths_mode':'all'}",
	 .argv = ARGV("rm", ""),
	 .matches = false},
	{.name = "paths_all_any_glob_per_path",
	 .match = "{'paths':['/tmp/**','~/**'],'paths_mode':'all'}",
	 .argv = ARGV("rm", "/tmp/a", "~/b"),
	 .home = HOME,
	 .matches = true},
	{.name = "paths_any_one_inside",
	 .match = "{'paths':['/tmp/**'],'paths_mode':'any'}",
	 .argv = ARGV("rm", "/etc/passwd", "/tmp/a"),
	 .matches = true},
	{.name = "paths_any_is_the_default",
	 .match = "{'paths':['/tmp/**']}",
	 .argv = ARGV("rm", "/etc/passwd", "/tmp/a"),
	 .matches = true},

	/* host */
	{.name = "host_glob",
	 .match = "{'host':'bastion-prod-*'}",
	 .argv = ARGV("terraform"),
	 .host = "bastion-prod-2",
	 .matches = true},
	{.name = "host_other",
	 .match = "{'host':'bastion-prod-*'}",
	 .argv = ARGV("terraform"),
	 .host = "bastion-dev-2",
	 .matches = false},
	{.name = "host_ignores_case",
	 .match = "{'host':'Bastion-PROD-*'}",
	 .argv = ARGV("terraform"),
	 .host = "bastion-prod-2",
	 .matches = true},
	{.name = "host_unknown_matches_nothing",
	 .match = "{'host':'*'}",
	 .argv = ARGV("terraform"),
	 .matches = false},
	{.name = "host_any_of",
	 .match = "{'host':['db-*','web-*']}",
	 .argv = ARGV("reboot"),
	 .host = "web-1",
	 .matches = true},
	{.name = "host_whole_name",
	 .match = "{'host':'db'}",
	 .argv = ARGV("reboot"),
	 .host = "db.example.com",
	 .matches = false},

	/* cwd */
	{.name = "cwd_glob",
	 .match = "{'cwd':'/srv/**'}",
	 .argv = ARGV("make"),
	 .cwd = "/srv/app",
	 .matches = true},
	{.name = "cwd_other",
	 .match = "{'cwd':'/srv/**'}",
	 .argv = ARGV("make"),
	 .cwd = "/tmp",
	 .matches = false},
	{.name = "cwd_canonicalised",
	 .match = "{'cwd':'/srv/app'}",
	 .argv = ARGV("make"),
	 .cwd = "/srv//x/../app/",
	 .matches = true},
	{.name = "cwd_home",
	 .match = "{'cwd':'~'}",
	 .argv = ARGV("make"),
	 .cwd = HOME,
	 .home = HOME,
	 .matches = true},
	{.name = "cwd_home_below",
	 .match = "{'cwd':'~/**'}",
	 .argv = ARGV("make"),
	 .cwd = HOME "/src",
	 .home = HOME,
	 .matches = true},
	{.name = "cwd_home_unknown",
	 .match = "{'cwd':'~/**'}",
	 .argv = ARGV("make"),
	 .cwd = HOME,
	 .matches = false},
	{.name = "cwd_any_of",
	 .match = "{'cwd':['/srv','/opt/**']}",
	 .argv = ARGV("make"),
	 .cwd = "/opt/x",
	 .matches = true},

	/* env */
	{.name = "env_glob",
	 .match = "{'env':{'KUBE_CONTEXT':'prod-*'}}",
	 .argv = ARGV("kubectl"),
	 .env = ENV("KUBE_CONTEXT=prod-eu"),
	 .matches = true},
	{.name = "env_glob_other_value",
	 .match = "{'env':{'KUBE_CONTEXT':'prod-*'}}",
	 .argv = ARGV("kubectl"),
	 .env = ENV("KUBE_CONTEXT=dev"),
	 .matches = false},
	{.name = "env_glob_unset",
	 .match = "{'env':{'KUBE_CONTEXT':'*'}}",
	 .argv = ARGV("kubectl"),
	 .env = ENV("HOME=/root"),
	 .matches = false},
	{.name = "env_glob_star_matches_empty_value",
	 .match = "{'env':{'KUBE_CONTEXT':'*'}}",
	 .argv = ARGV("kubectl"),
	 .env = ENV("KUBE_CONTEXT="),
	 .matches = true},
	{.name = "env_glob_any_of",
	 .match = "{'env':{'KUBE_CONTEXT':['prod-*','live-*']}}",
	 .argv = ARGV("kubectl"),
	 .env = ENV("KUBE_CONTEXT=live-1"),
	 .matches = true},
	{.name = "env_glob_star_crosses_slash",
	 .match = "{'env':{'KUBECONFIG':'*/prod/*'}}",
	 .argv = ARGV("kubectl"),
	 .env = ENV("KUBECONFIG=/etc/prod/config"),
	 .matches = true},
	{.name = "env_set",
	 .match = "{'env':{'SUDO_USER':true}}",
	 .argv = ARGV("x"),
	 .env = ENV("SUDO_USER=bob"),
	 .matches = true},
	{.name = "env_set_empty_is_set",
	 .match = "{'env':{'SUDO_USER':true}}",
	 .argv = ARGV("x"),
	 .env = ENV("SUDO_USER="),
	 .matches = true},
	{.name = "env_set_but_unset",
	 .match = "{'env':{'SUDO_USER':true}}",
	 .argv = ARGV("x"),
	 .matches = false},
	{.name = "env_unset",
	 .match = "{'env':{'CI':false}}",
	 .argv = ARGV("x"),
	 .env = ENV("HOME=/"),
	 .matches = true},
	{.name = "env_unset_but_set",
	 .match = "{'env':{'CI':false}}",
	 .argv = ARGV("x"),
	 .env = ENV("CI=true"),
	 .matches = false},
	{.name = "env_unset_but_set_empty",
	 .match = "{'env':{'CI':false}}",
	 .argv = ARGV("x"),
	 .env = ENV("CI="),
	 .matches = false},
	{.name = "env_first_entry_wins",
	 .match = "{'env':{'X':'a'}}",
	 .argv = ARGV("x"),
	 .env = ENV("X=a", "X=b"),
	 .matches = true},
	{.name = "env_later_entry_ignored",
	 .match = "{'env':{'X':'b'}}",
	 .argv = ARGV("x"),
	 .env = ENV("X=a", "X=b"),
	 .matches = false},
	{.name = "env_longer_name_is_another_variable",
	 .match = "{'env':{'KUBE':true}}",
	 .argv = ARGV("x"),
	 .env = ENV("KUBE_CONTEXT=prod"),
	 .matches = false},
	{.name = "env_entry_without_equals_is_ignored",
	 .match = "{'env':{'CI':true}}",
	 .argv = ARGV("x"),
	 .env = ENV("CI"),
	 .matches = false},
	{.name = "env_every_variable_must_hold",
	 .match = "{'env':{'A':true,'B':true}}",
	 .argv = ARGV("x"),
	 .env = ENV("A=1"),
	 .matches = false},
	{.name = "env_every_variable_holds",
	 .match = "{'env':{'A':true,'B':'2*','C':false}}",
	 .argv = ARGV("x"),
	 .env = ENV("B=20", "A=1"),
	 .matches = true},
	{.name = "env_names_are_case_sensitive",
	 .match = "{'env':{'ci':true}}",
	 .argv = ARGV("x"),
	 .env = ENV("CI=1"),
	 .matches = false},

	/* tty and ssh */
	{.name = "tty_wanted_and_given",
	 .match = "{'tty':true}",
	 .argv = ARGV("x"),
	 .tty = true,
	 .matches = true},
	{.name = "tty_wanted_not_given",
	 .match = "{'tty':true}",
	 .argv = ARGV("x"),
	 .matches = false},
	{.name = "no_tty_wanted_and_none",
	 .match = "{'tty':false}",
	 .argv = ARGV("x"),
	 .matches = true},
	{.name = "no_tty_wanted_but_given",
	 .match = "{'tty':false}",
	 .argv = ARGV("x"),
	 .tty = true,
	 .matches = false},
	{.name = "ssh_wanted_and_given",
	 .match = "{'ssh':true}",
	 .argv = ARGV("x"),
	 .ssh = true,
	 .matches = true},
	{.name = "ssh_wanted_not_given",
	 .match = "{'ssh':true}",
	 .argv = ARGV("x"),
	 .matches = false},
	{.name = "no_ssh_wanted_and_none",
	 .match = "{'ssh':false}",
	 .argv = ARGV("x"),
	 .matches = true},
	{.name = "no_ssh_wanted_but_given",
	 .match = "{'ssh':false}",
	 .argv = ARGV("x"),
	 .ssh = true,
	 .matches = false},
	{.name = "tty_and_ssh_both",
	 .match = "{'tty':true,'ssh':true}",
	 .argv = ARGV("x"),
	 .tty = true,
	 .matches = false},

	/* not and any */
	{.name = "not_holds_when_it_does_not",
	 .match = "{'not':{'user':'root'}}",
	 .argv = ARGV("x"),
	 .matches = true},
	{.name = "not_fails_when_it_holds",
	 .match = "{'not':{'user':'root'}}",
	 .argv = ARGV("x"),
	 .user = "root",
	 .matches = false},
	{.name = "not_of_several_needs_one_to_fail",
	 .match = "{'not':{'program':'rm','flags':['-r']}}",
	 .argv = ARGV("rm", "-f", "x"),
	 .matches = true},
	{.name = "not_of_several_all_holding",
	 .match = "{'not':{'program':'rm','flags':['-r']}}",
	 .argv = ARGV("rm", "-r", "x"),
	 .matches = false},
	{.name = "not_not",
	 .match = "{'not':{'not':{'program':'rm'}}}",
	 .argv = ARGV("rm"),
	 .matches = true},
	{.name = "not_with_the_other_conditions",
	 .match = "{'program':'rm','not':{'cwd':'/tmp/**'}}",
	 .argv = ARGV("rm", "x"),
	 .cwd = "/tmp/a",
	 .matches = false},
	{.name = "any_one_holds",
	 .match = "{'any':[{'tty':false},{'ssh':true}]}",
	 .argv = ARGV("x"),
	 .tty = true,
	 .ssh = true,
	 .matches = true},
	{.name = "any_none_holds",
	 .match = "{'any':[{'tty':false},{'ssh':true}]}",
	 .argv = ARGV("x"),
	 .tty = true,
	 .matches = false},
	{.name = "any_element_needs_all_its_conditions",
	 .match = "{'any':[{'program':'rm','flags':['-r']},{'program':'shred'}]}",
	 .argv = ARGV("rm", "-f", "x"),
	 .matches = false},
	{.name = "any_program_only_inside",
	 .match = "{'any':[{'program':'rm'},{'program':'shred'}]}",
	 .argv = ARGV("shred", "x"),
	 .matches = true},
	{.name = "any_empty_object_always_holds",
	 .match = "{'any':[{'user':'root'},{}]}",
	 .argv = ARGV("x"),
	 .matches = true},
	{.name = "not_any",
	 .match = "{'program':'rm','not':{'any':[{'cwd':'/tmp/**'},{'tty':false}]}}",
	 .argv = ARGV("rm", "x"),
	 .cwd = "/srv",
	 .tty = true,
	 .matches = true},
	{.name = "not_any_one_holding",
	 .match = "{'program':'rm','not':{'any':[{'cwd':'/tmp/**'},{'tty':false}]}}",
	 .argv = ARGV("rm", "x"),
	 .cwd = "/srv",
	 .matches = false},
	{.name = "nested_eight_deep",
	 .match = "{'not':{'not':{'not':{'not':{'not':{'not':{'not':{'not':{'user':'root'}}}}}}}}}",
	 .argv = ARGV("x"),
	 .user = "root",
	 .matches = true},
	{.name = "any_inside_any",
	 .match = "{'any':[{'user':'bob'},{'any':[{'host':'x'},{'env':{'A':true}}]}]}",
	 .argv = ARGV("x"),
	 .env = ENV("A=1"),
	 .matches = true},
};

static size_t count_env(const char *const *env)
{
	return env ? count(env) : 0;
}

START_TEST(context_case_matches)
{
	const struct context_case *c = &context_cases[_i];
	char *text = test_xasprintf(
		"{'rules':[{'id':'r','match':%s,'decision':'deny','message':'m'}]}", c->match);
	struct policy *p = load_text(text);
	struct policy_request req = request(c->argv, c->cwd, NULL);

	req.home = c->home;
	req.host = c->host;
	req.env = c->env;
	req.n_env = count_env(c->env);
	req.tty = c->tty;
	req.ssh = c->ssh;
	if (c->user) {
		req.user = c->user;
		req.uid = 0;
	}
	ck_assert_msg(denied_by_r(p, &req) == c->matches, "%s: expected %s", c->name,
		      c->matches ? "a match" : "no match");
	policy_free(p);
	free(text);
}
END_TEST

static struct policy_decision decide(const struct policy *p, const char *const *argv,
				     const char *cwd)
{
	struct policy_request req = request(argv, cwd, NULL);
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_ptr_nonnull(d.message);
	return d;
}

START_TEST(first_matching_rule_wins)
{
	struct policy *p = load_text(
		"{'rules':["
		"{'id':'tmp','match':{'program':'rm','paths':['/tmp/**']},'decision':'allow'},"
		"{'id':'rm','match':{'program':'rm'},'decision':'deny','message':'no rm',"
		" 'runbook':'https://wiki.example/rm'},"
		"{'id':'never','match':{'program':'rm'},'decision':'allow'}]}");
	struct policy_decision d = decide(p, ARGV("rm", "/tmp/x"), NULL);

	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_str_eq(d.rule_id, "tmp");
	ck_assert_ptr_null(d.runbook);
	d = decide(p, ARGV("rm", "/etc/x"), NULL);
	ck_assert_int_eq(d.verdict, POLICY_DENY);
	ck_assert_str_eq(d.rule_id, "rm");
	ck_assert_str_eq(d.message, "no rm");
	ck_assert_str_eq(d.runbook, "https://wiki.example/rm");
	policy_free(p);
}
END_TEST

START_TEST(default_allow_when_nothing_matches)
{
	struct policy *p =
		load_text("{'rules':[{'id':'rm','match':{'program':'rm'},'decision':'deny',"
			  "'message':'m'}]}");
	struct policy_decision d = decide(p, ARGV("ls"), NULL);

	ck_assert_int_eq(policy_default(p), POLICY_ALLOW);
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_ptr_null(d.rule_id);
	ck_assert_ptr_null(d.runbook);
	ck_assert_str_eq(d.message, "no rule matched; the default is allow");
	policy_free(p);
}
END_TEST

START_TEST(default_deny_when_nothing_matches)
{
	struct policy *p = load_text("{'default':'deny','rules':[{'id':'ls','match':{'program':"
				     "'ls'},'decision':'allow'}]}");
	struct policy_decision d = decide(p, ARGV("rm", "x"), NULL);

	ck_assert_int_eq(d.verdict, POLICY_DENY);
	ck_assert_ptr_null(d.rule_id);
	ck_assert_str_eq(d.message, "no rule matched; the default is deny");
	d = decide(p, ARGV("ls"), NULL);
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_str_eq(d.rule_id, "ls");
	policy_free(p);
}
END_TEST

START_TEST(allow_rule_message_is_never_null)
{
	struct policy *p =
		load_text("{'rules':[{'id':'a','match':{'program':'ls'},'decision':'allow'},"
			  "{'id':'b','match':{},'decision':'allow','message':'fine'}]}");
	struct policy_decision d = decide(p, ARGV("ls"), NULL);

	ck_assert_str_eq(d.rule_id, "a");
	ck_assert_str_ne(d.message, "");
	d = decide(p, ARGV("cat"), NULL);
	ck_assert_str_eq(d.message, "fine");
	policy_free(p);
}
END_TEST

/* What each decision carries, and the defaults of confirm, reason and approve. */
static const char decisions_policy[] =
	"{'rules':["
	"{'id':'c1','match':{'program':'reboot'},'decision':'confirm','message':'mc',"
	" 'runbook':'https://wiki.example/reboot'},"
	"{'id':'c2','match':{'program':'shutdown'},'decision':'confirm','message':'mc2',"
	" 'phrase':'shut it down'},"
	"{'id':'r1','match':{'program':'iptables'},'decision':'reason','message':'mr'},"
	"{'id':'r3','match':{'program':'nft'},'decision':'reason','message':'mr3'},"
	"{'id':'r2','match':{'program':'kubectl'},'decision':'reason','message':'mr2',"
	" 'reason_pattern':'^(INC|CHG)-[0-9]+$'},"
	"{'id':'a1','match':{'program':'dropdb'},'decision':'approve','message':'ma',"
	" 'approvers':{'group':'dba'}},"
	"{'id':'a2','match':{'program':'terraform'},'decision':'approve','message':'ma2',"
	" 'approvers':{'group':'sre-leads','count':2,'expires':'2h'},'runbook':'rb'},"
	"{'id':'d1','match':{'program':'mkfs'},'decision':'deny','message':'md'},"
	"{'id':'ok','match':{'program':'ls'},'decision':'allow'}]}";

struct decision_case {
	const char *name;
	const char *const *argv;
	const char *host;
	enum policy_verdict verdict;
	const char *rule;
	const char *message;
	const char *runbook;
	const char *phrase;
	const char *reason_pattern;
	const char *group;
	unsigned count, expires;
};

static const struct decision_case decision_cases[] = {
	{.name = "confirm_phrase_is_the_host",
	 .argv = ARGV("reboot"),
	 .host = "db1",
	 .verdict = POLICY_CONFIRM,
	 .rule = "c1",
	 .message = "mc",
	 .runbook = "https://wiki.example/reboot",
	 .phrase = "db1"},
	{.name = "confirm_phrase_without_a_host_is_yes",
	 .argv = ARGV("reboot"),
	 .verdict = POLICY_CONFIRM,
	 .rule = "c1",
	 .message = "mc",
	 .runbook = "https://wiki.example/reboot",
	 .phrase = "yes"},
	{.name = "confirm_phrase_with_an_empty_host_is_yes",
	 .argv = ARGV("reboot"),
	 .host = "",
	 .verdict = POLICY_CONFIRM,
	 .rule = "c1",
	 .message = "mc",
	 .runbook = "https://wiki.example/reboot",
	 .phrase = "yes"},
	{.name = "confirm_own_phrase",
	 .argv = ARGV("shutdown", "-h", "now"),
	 .host = "db1",
	 .verdict = POLICY_CONFIRM,
	 .rule = "c2",
	 .message = "mc2",
	 .phrase = "shut it down"},
	{.name = "reason_default_pattern",
	 .argv = ARGV("iptables", "-F"),
	 .host = "db1",
	 .verdict = POLICY_REASON,
	 .rule = "r1",
	 .message = "mr",
	 .reason_pattern = "[^[:space:]]"},
	{.name = "reason_own_pattern",
	 .argv = ARGV("kubectl", "delete"),
	 .host = "db1",
	 .verdict = POLICY_REASON,
	 .rule = "r2",
	 .message = "mr2",
	 .reason_pattern = "^(INC|CHG)-[0-9]+$"},
	{.name = "approve_defaults",
	 .argv = ARGV("dropdb", "x"),
	 .host = "db1",
	 .verdict = POLICY_APPROVE,
	 .rule = "a1",
	 .message = "ma",
	 .group = "dba",
	 .count = 1,
	 .expires = 1800},
	{.name = "approve_given",
	 .argv = ARGV("terraform", "apply"),
	 .host = "db1",
	 .verdict = POLICY_APPROVE,
	 .rule = "a2",
	 .message = "ma2",
	 .runbook = "rb",
	 .group = "sre-leads",
	 .count = 2,
	 .expires = 7200},
	{.name = "deny_has_no_step",
	 .argv = ARGV("mkfs", "/dev/sda"),
	 .host = "db1",
	 .verdict = POLICY_DENY,
	 .rule = "d1",
	 .message = "md"},
	{.name = "allow_without_message",
	 .argv = ARGV("ls"),
	 .host = "db1",
	 .verdict = POLICY_ALLOW,
	 .rule = "ok",
	 .message = "allowed by a policy rule"},
	{.name = "default_decides",
	 .argv = ARGV("cat"),
	 .host = "db1",
	 .verdict = POLICY_ALLOW,
	 .message = "no rule matched; the default is allow"},
};

static void assert_str_or_null(const char *what, const char *got, const char *want)
{
	if (!want)
		ck_assert_msg(!got, "%s: expected NULL, got \"%s\"", what, got);
	else
		ck_assert_msg(got && strcmp(got, want) == 0, "%s: expected \"%s\", got \"%s\"",
			      what, want, got ? got : "(null)");
}

START_TEST(decision_case_carries_its_fields)
{
	const struct decision_case *c = &decision_cases[_i];
	struct policy *p = load_text(decisions_policy);
	struct policy_request req = request(c->argv, "/", NULL);
	struct policy_decision d;

	req.host = c->host;
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_msg(d.verdict == c->verdict, "%s: verdict %s", c->name,
		      policy_verdict_to_string(d.verdict));
	assert_str_or_null("rule_id", d.rule_id, c->rule);
	ck_assert(c->rule ? d.rule != NULL : d.rule == NULL);
	assert_str_or_null("message", d.message, c->message);
	assert_str_or_null("runbook", d.runbook, c->runbook);
	assert_str_or_null("phrase", d.phrase, c->phrase);
	assert_str_or_null("reason_pattern", d.reason_pattern, c->reason_pattern);
	assert_str_or_null("approvers_group", d.approvers_group, c->group);
	ck_assert_uint_eq(d.approvers_count, c->count);
	ck_assert_uint_eq(d.approvers_expires, c->expires);
	ck_assert_uint_eq(d.n_dry_run, 0);
	policy_free(p);
}
END_TEST

/* The rule of a reason decision, for policy_reason_ok(). */
static const struct policy_rule *rule_for(const struct policy *p, const char *const *argv)
{
	struct policy_request req = request(argv, "/", NULL);
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	return d.rule;
}

struct reason_case {
	const char *name;
	const char *const *argv; /* iptables: the default pattern; kubectl: tickets */
	const char *text;
	bool ok;
};

static const struct reason_case reason_cases[] = {
	{"default_any_text", ARGV("iptables"), "flushing the test chain", true},
	{"default_one_character", ARGV("iptables"), "x", true},
	{"default_empty", ARGV("iptables"), "", false},
	{"default_blank", ARGV("iptables"), "   \t", false},
	{"default_null", ARGV("iptables"), NULL, false},
	{"control_character", ARGV("iptables"), "INC-1\nallow", false},
	{"escape_sequence", ARGV("iptables"), "\x1b[2Jok", false},
	{"delete_character", ARGV("iptables"), "ok\x7f", false},
	{"pattern_matches", ARGV("kubectl"), "INC-4711", true},
	{"pattern_other_prefix", ARGV("kubectl"), "CHG-1", true},
	{"pattern_case", ARGV("kubectl"), "inc-4711", false},
	{"pattern_anchored_end", ARGV("kubectl"), "INC-4711 and more", false},
	{"pattern_anchored_start", ARGV("kubectl"), "see INC-4711", false},
	{"default_shared_by_a_second_rule", ARGV("nft"), "flush", true},
	{"default_shared_by_a_second_rule_blank", ARGV("nft"), " ", false},
	{"not_a_reason_rule", ARGV("reboot"), "INC-1", false},
	{"no_rule", ARGV("cat"), "INC-1", false},
};

START_TEST(reason_case_is_judged)
{
	const struct reason_case *c = &reason_cases[_i];
	struct policy *p = load_text(decisions_policy);

	ck_assert_msg(policy_reason_ok(rule_for(p, c->argv), c->text) == c->ok, "%s: expected %s",
		      c->name, c->ok ? "ok" : "refused");
	policy_free(p);
}
END_TEST

START_TEST(reason_text_length_is_bounded)
{
	struct policy *p = load_text(decisions_policy);
	const struct policy_rule *r = rule_for(p, ARGV("iptables"));
	char text[1026];

	memset(text, 'x', sizeof(text));
	text[1024] = '\0';
	ck_assert(policy_reason_ok(r, text));
	text[1024] = 'x';
	text[1025] = '\0';
	ck_assert(!policy_reason_ok(r, text));
	ck_assert(!policy_reason_ok(NULL, "x"));
	policy_free(p);
}
END_TEST

/* Dry-run rules: noted on the way, never deciding. */
static const char dry_run_policy[] =
	"{'rules':["
	"{'id':'dry1','match':{'program':'rm'},'decision':'deny','message':'m','mode':'dry-run'},"
	"{'id':'dry-other','match':{'program':'ls'},'decision':'deny','message':'m','mode':'dry-"
	"run'},"
	"{'id':'dry2','match':{},'decision':'confirm','message':'m','mode':'dry-run'},"
	"{'id':'enforced','match':{'program':'rm','flags':['-r']},'decision':'reason',"
	" 'message':'why','mode':'enforce'},"
	"{'id':'dry-after','match':{'program':'rm'},'decision':'approve','message':'m',"
	" 'approvers':{'group':'g'},'mode':'dry-run'}]}";

START_TEST(dry_run_rules_are_noted_and_evaluation_goes_on)
{
	struct policy *p = load_text(dry_run_policy);
	struct policy_decision d = decide(p, ARGV("rm", "-r", "x"), NULL);

	ck_assert_int_eq(d.verdict, POLICY_REASON);
	ck_assert_str_eq(d.rule_id, "enforced");
	ck_assert_uint_eq(d.n_dry_run, 2);
	ck_assert_str_eq(d.dry_run[0].rule_id, "dry1");
	ck_assert_int_eq(d.dry_run[0].verdict, POLICY_DENY);
	ck_assert_str_eq(d.dry_run[1].rule_id, "dry2");
	ck_assert_int_eq(d.dry_run[1].verdict, POLICY_CONFIRM);
	policy_free(p);
}
END_TEST

START_TEST(dry_run_rules_after_the_default_are_all_reached)
{
	struct policy *p = load_text(dry_run_policy);
	struct policy_decision d = decide(p, ARGV("rm", "x"), NULL);

	/* No enforcing rule matched: the default decides, every dry-run rule was reached. */
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_ptr_null(d.rule_id);
	ck_assert_uint_eq(d.n_dry_run, 3);
	ck_assert_str_eq(d.dry_run[0].rule_id, "dry1");
	ck_assert_str_eq(d.dry_run[1].rule_id, "dry2");
	ck_assert_str_eq(d.dry_run[2].rule_id, "dry-after");
	ck_assert_int_eq(d.dry_run[2].verdict, POLICY_APPROVE);
	policy_free(p);
}
END_TEST

START_TEST(dry_run_rules_beyond_the_limit_are_counted)
{
	char *text = strdup("{'rules':["), *next;
	struct policy *p;
	struct policy_decision d;

	for (int i = 0; i < 12; i++) {
		next = test_xasprintf("%s{'id':'dry%d','match':{},'decision':'deny','message':'m',"
				      "'mode':'dry-run'},",
				      text, i);
		free(text);
		text = next;
	}
	next = test_xasprintf("%s{'id':'last','match':{},'decision':'deny','message':'m'}]}", text);
	free(text);
	p = load_text(next);
	d = decide(p, ARGV("x"), NULL);
	ck_assert_str_eq(d.rule_id, "last");
	ck_assert_uint_eq(d.n_dry_run, 12);
	for (int i = 0; i < POLICY_MAX_DRY_RUN; i++) {
		char *id = test_xasprintf("dry%d", i);

		ck_assert_str_eq(d.dry_run[i].rule_id, id);
		free(id);
	}
	policy_free(p);
	free(next);
}
END_TEST

START_TEST(env_names_are_sorted_and_unique)
{
	struct policy *p = load_text(
		"{'rules':["
		"{'id':'a','match':{'env':{'KUBE_CONTEXT':'prod-*','CI':false}},'decision':'allow'}"
		","
		"{'id':'b','match':{'not':{'env':{'AWS_PROFILE':true}}},'decision':'allow'},"
		"{'id':'c','match':{'any':[{'tty':true},{'not':{'env':{'CI':true,'ZZ':'x'}}}]},"
		" 'decision':'allow'},"
		"{'id':'d','match':{'program':'rm'},'decision':'allow'}]}");
	const char *const *names = NULL;
	const char *const want[] = {"AWS_PROFILE", "CI", "KUBE_CONTEXT", "ZZ"};

	ck_assert_uint_eq(policy_env_names(p, &names), N(want));
	for (int i = 0; i < N(want); i++)
		ck_assert_str_eq(names[i], want[i]);
	policy_free(p);
	p = load_text("{'rules':[{'id':'d','match':{'program':'rm'},'decision':'allow'}]}");
	ck_assert_uint_eq(policy_env_names(p, &names), 0);
	policy_free(p);
}
END_TEST

/* The index must never change a decision: policy_evaluate() (rules by program name)
 * against policy_explain() (every rule in order) over a generated policy of literal,
 * listed, globbed, path and nested program conditions, and generic rules. */
static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift32: the same policy and requests on every run. */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

static char *append(char *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *append(char *s, const char *fmt, ...)
{
	va_list ap;
	char *more, *both;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&more, fmt, ap), 0);
	va_end(ap);
	both = test_xasprintf("%s%s", s, more);
	free(s);
	free(more);
	return both;
}

#define GEN_PROGRAMS 200

static char *gen_program(char *s)
{
	uint32_t a = rnd(GEN_PROGRAMS), b = rnd(GEN_PROGRAMS), kind = rnd(20);

	if (kind < 12)
		return append(s, "'program':'p%u',", a);
	if (kind < 14) /* a name twice: filed once */
		return append(s, "'program':['p%u','p%u','p%u'],", a, b, a);
	if (kind == 14)
		return append(s, "'program':'p%u*',", a % 20);
	if (kind == 15)
		return append(s, "'program':'/usr/bin/p%u',", a);
	if (kind == 16)
		return append(s, "'program':['p?','p%u'],", a);
	if (kind == 19)
		return append(s, "'any':[{'program':'p%u'},{'program':'p%u'}],", a, b);
	return s;
}

static char *gen_conditions(char *s)
{
	static const char *const flags[] = {
		"['-r']",  "[['-f','--force']]", "['--mode=fast*']",
		"['-rf']", "[['-rf','--all']]",  "['-r',['-f','--force'],['-x','--mode']]",
	};
	static const char *const subcommands[] = {"'a'", "'b'", "'a b'", "['a','b']"};
	static const char *const paths[] = {
		"['/tmp/**']", "['/etc/**','~/**']", "['/']", "['/*/y/**']", "['/tmp/x','/etc/y']",
	};

	if (rnd(2))
		s = append(s, "'flags':%s,", flags[rnd(6)]);
	if (rnd(10) < 3)
		s = append(s, "'subcommand':%s,", subcommands[rnd(4)]);
	if (rnd(10) < 3)
		s = append(s, "'paths':%s,%s", paths[rnd(5)], rnd(3) ? "" : "'paths_mode':'all',");
	if (rnd(10) == 0)
		s = append(s, "'env':{'E':%s},", rnd(2) ? "'x*'" : "false");
	if (rnd(10) == 0)
		s = append(s, "'tty':%s,", rnd(2) ? "true" : "false");
	if (rnd(20) == 0)
		s = append(s, "'not':{'user':'root'},");
	return s;
}

static char *gen_rule(char *s, unsigned id)
{
	static const char *const decisions[] = {
		"'decision':'allow'",
		"'decision':'confirm','message':'m'",
		"'decision':'reason','message':'m'",
		"'decision':'approve','message':'m','approvers':{'group':'g'}",
		"'decision':'deny','message':'m'",
	};

	s = append(s, "{'id':'g%u','match':{", id);
	s = gen_conditions(gen_program(s));
	/* Drop the last ',' of the match, if any. */
	if (s[strlen(s) - 1] == ',')
		s[strlen(s) - 1] = '\0';
	return append(s, "},%s%s}", decisions[rnd(5)], rnd(20) < 3 ? ",'mode':'dry-run'" : "");
}

static void gen_file(const char *name, unsigned first, unsigned n)
{
	char *s = strdup("{'rules':[");

	for (unsigned i = 0; i < n; i++)
		s = append(gen_rule(s, first + i), "%s", i + 1 < n ? "," : "");
	s = append(s, "]}");
	test_write_policy(name, s);
	free(s);
}

static const char *gen_word(char *buf, size_t size)
{
	static const char *const words[] = {
		"-r",     "-f",     "--force", "--mode=fast1", "--mode=slow", "a", "b",
		"/tmp/x", "/etc/y", "~/z",     "--",           "-x",          "a", "/tmp/y/z",
		"/",      "-rf",    "--all",   "-fx",          "tmp",
	};

	snprintf(buf, size, "%s", words[rnd(sizeof(words) / sizeof(words[0]))]);
	return buf;
}

struct gen_request {
	char argv0[32], program[32], words[4][16];
	const char *argv[6];
	const char *env[1];
	struct policy_request req;
};

static void gen_request(struct gen_request *g)
{
	static const char *const envs[] = {"E=x1", "E=y"};
	uint32_t name = rnd(GEN_PROGRAMS + 10), form = rnd(10), n = rnd(5);

	/* Names beyond the policy's, argv[0] as a path, and a resolved program of another
	 * name: both names must be looked up. */
	snprintf(g->argv0, sizeof(g->argv0),
		 form < 3   ? "/usr/bin/p%u"
		 : form < 4 ? "./p%u"
			    : "p%u",
		 name);
	g->argv[0] = g->argv0;
	for (uint32_t i = 0; i < n; i++)
		g->argv[i + 1] = gen_word(g->words[i], sizeof(g->words[i]));
	g->argv[n + 1] = NULL;
	g->req = request(g->argv, rnd(2) ? "/tmp" : "/home/alice", NULL);
	if (rnd(10) < 4) {
		snprintf(g->program, sizeof(g->program), "/usr/bin/p%u",
			 rnd(2) ? name : rnd(GEN_PROGRAMS));
		g->req.program = g->program;
	}
	g->req.home = "/home/alice";
	g->req.tty = rnd(2);
	if (rnd(5) == 0) {
		g->req.uid = 0;
		g->req.user = "root";
	}
	if (rnd(10) < 7) {
		g->env[0] = envs[rnd(2)];
		g->req.env = g->env;
		g->req.n_env = 1;
	}
}

static void same_decision(const struct policy_decision *a, const struct policy_decision *b,
			  const char *argv0)
{
	ck_assert_msg(a->verdict == b->verdict && a->rule == b->rule,
		      "%s: index decided %s by %s, the scan %s by %s", argv0,
		      policy_verdict_to_string(a->verdict), a->rule_id ? a->rule_id : "default",
		      policy_verdict_to_string(b->verdict), b->rule_id ? b->rule_id : "default");
	ck_assert_uint_eq(a->n_dry_run, b->n_dry_run);
	for (size_t i = 0; i < a->n_dry_run && i < POLICY_MAX_DRY_RUN; i++) {
		ck_assert_ptr_eq(a->dry_run[i].rule_id, b->dry_run[i].rule_id);
		ck_assert_int_eq(a->dry_run[i].verdict, b->dry_run[i].verdict);
	}
}

START_TEST(index_decides_as_a_scan_of_every_rule)
{
	struct policy *p;
	size_t by_rule = 0, dry = 0;

	rnd_state = 2463534242u;
	gen_file("10-gen.json", 0, 1000);
	gen_file("20-gen.json", 1000, 1000);
	p = test_load(test_dir);
	ck_assert_uint_eq(policy_n_rules(p), 2000);
	for (int i = 0; i < 3000; i++) {
		struct gen_request g;
		struct policy_decision a, b;

		gen_request(&g);
		ck_assert_int_eq(policy_evaluate(p, &g.req, &a), 0);
		ck_assert_int_eq(policy_explain(p, &g.req, NULL, NULL, &b), 0);
		same_decision(&a, &b, g.argv0);
		by_rule += a.rule != NULL;
		dry += a.n_dry_run > 0;
	}
	/* Not a comparison of two defaults. */
	ck_assert_uint_ge(by_rule, 1500);
	ck_assert_uint_ge(dry, 150);
	policy_free(p);
}
END_TEST

/* A request that breaks the contract: -EINVAL and *ret untouched. */
struct invalid_case {
	const char *name;
	const char *const *argv;
	size_t argc;
	const char *cwd;
	const char *program;
	size_t n_groups; /* with groups NULL */
};

static const struct invalid_case invalid_cases[] = {
	{"no_arguments", ARGV("rm"), 0, "/", NULL, 0},
	{"no_argv", NULL, 1, "/", NULL, 0},
	{"null_argument", (const char *const[]){"rm", NULL, "x"}, 3, "/", NULL, 0},
	{"no_cwd", ARGV("rm"), 1, NULL, NULL, 0},
	{"relative_cwd", ARGV("rm"), 1, "home/alice", NULL, 0},
	{"empty_cwd", ARGV("rm"), 1, "", NULL, 0},
	{"relative_program", ARGV("rm"), 1, "/", "bin/rm", 0},
	{"groups_missing", ARGV("rm"), 1, "/", NULL, 2},
};

START_TEST(invalid_request_is_einval)
{
	const struct invalid_case *c = &invalid_cases[_i];
	struct policy *p = load_text("{'rules':[{'id':'a','match':{},'decision':'allow'}]}");
	struct policy_request req = {
		.argv = c->argv,
		.argc = c->argc,
		.cwd = c->cwd,
		.program = c->program,
		.n_groups = c->n_groups,
	};
	struct policy_decision d = {.verdict = POLICY_DENY, .message = "untouched"};

	ck_assert_msg(policy_evaluate(p, &req, &d) == -EINVAL, "%s: expected -EINVAL", c->name);
	ck_assert_str_eq(d.message, "untouched");
	policy_free(p);
}
END_TEST

START_TEST(null_arguments_are_einval)
{
	struct policy *p = load_text("{'rules':[]}");
	struct policy_request req = request(ARGV("rm"), "/", NULL);
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate(NULL, &req, &d), -EINVAL);
	ck_assert_int_eq(policy_evaluate(p, NULL, &d), -EINVAL);
	ck_assert_int_eq(policy_evaluate(p, &req, NULL), -EINVAL);
	policy_free(p);
}
END_TEST

START_TEST(many_globstars_against_a_deep_path_are_fast)
{
	/* A backtracking matcher would take exponential time here; ours takes
	 * components(glob) * components(path). */
	struct policy *p = load_text("{'rules':[{'id':'r','match':{'paths':["
				     "'/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/**/x/**/y'"
				     "]},'decision':'deny','message':'m'}]}");
	size_t depth = 16000;
	char *path = malloc(depth * 2 + 3);
	struct policy_request req;
	clock_t start = clock();

	for (size_t i = 0; i < depth; i++)
		memcpy(path + 2 * i, "/x", 2);
	memcpy(path + 2 * depth, "/z", 3);
	req = request((const char *const[]){"rm", path, NULL}, "/", NULL);
	ck_assert(!denied_by_r(p, &req));
	path[2 * depth + 1] = 'y';
	ck_assert(denied_by_r(p, &req));
	ck_assert_msg(clock() - start < 5 * CLOCKS_PER_SEC, "path matching took %.1f s",
		      (double)(clock() - start) / CLOCKS_PER_SEC);
	free(path);
	policy_free(p);
}
END_TEST

/* The shipped pack in policy/rules.d, copied so that the checkout's modes do not
 * matter. */
static struct policy *load_shipped(void)
{
	char *dir = test_source_path("policy/rules.d");
	DIR *d;
	struct dirent *de;
	struct policy *p;

	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char *from, *to, *text = NULL;
		size_t n = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		from = test_xasprintf("%s/%s", dir, de->d_name);
		to = test_xasprintf("%s/%s", test_dir, de->d_name);
		f = fopen(from, "re");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_ge(getdelim(&text, &n, '\0', f), 0);
		fclose(f);
		test_write_file(to, text, 0644);
		free(text);
		free(from);
		free(to);
	}
	closedir(d);
	free(dir);
	p = test_load(test_dir);
	return p;
}

struct shipped_case {
	const char *const *argv;
	const char *cwd;
	const char *rule; /* the deny rule, or NULL for allowed */
};

static const struct shipped_case shipped_cases[] = {
	{ARGV("rm", "-rf", "/"), "/", "fs-rm-root"},
	{ARGV("rm", "-fr", "/"), "/home/alice", "fs-rm-root"},
	{ARGV("/bin/rm", "-r", "-f", "/"), "/", "fs-rm-root"},
	{ARGV("rm", "--recursive", "--force", "/"), "/", "fs-rm-root"},
	{ARGV("rm", "-r", "/"), "/", "fs-rm-root"},
	{ARGV("rm", "-rf", "--", "/"), "/", "fs-rm-root"},
	{ARGV("rm", "-R", "-v", "/."), "/", "fs-rm-root"},
	{ARGV("rm", "-rf", "../.."), "/home/alice", "fs-rm-root"},
	{ARGV("rm", "-rf", "/home/alice"), "/", "fs-rm-home"},
	{ARGV("rm", "-rf", "/home/alice/"), "/", "fs-rm-home"},
	{ARGV("rm", "-rf", "."), "/home/alice", "fs-rm-home"},
	{ARGV("rm", "-rf", "/home"), "/", "fs-rm-home"},
	{ARGV("rm", "-rf", "/root"), "/", "fs-rm-home"},
	{ARGV("rm", "-rf", "/etc"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/usr/"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", ".."), "/etc/x", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/usr/lib"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/usr/local"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/var/lib"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/var/lib/docker"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/boot/efi"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/tmp/x", "/bin", "/boot"), "/", "fs-rm-system-dir"},
	{ARGV("rm", "-rf", "/tmp"), "/", "fs-rm-top-level"},
	{ARGV("rm", "-rf", "/data"), "/", "fs-rm-top-level"},
	{ARGV("mkfs.ext4", "/dev/sda1"), "/", "disk-mkfs"},
	{ARGV("mkfs", "-t", "xfs", "/dev/sdb"), "/", "disk-mkfs"},
	{ARGV("/sbin/mkfs.xfs", "-f", "sdb1"), "/dev", "disk-mkfs"},
	{ARGV("mke2fs", "/dev/nvme0n1p1"), "/", "disk-mkfs"},
	{ARGV("mkswap", "/dev/mapper/vg-swap"), "/", "disk-mkfs"},
	{ARGV("wipefs", "-a", "/dev/sda"), "/", "disk-wipefs"},
	{ARGV("wipefs", "--all", "/dev/sda"), "/", "disk-wipefs"},
	{ARGV("dd", "if=/dev/zero", "of=/dev/sda"), "/", "disk-dd-to-device"},
	{ARGV("dd", "if=image.iso", "of=/dev/disk/by-id/usb-x", "bs=4M"), "/", "disk-dd-to-device"},
	/* dd takes its last of=, so an allow rule for of=/dev/null could be fooled. */
	{ARGV("dd", "if=x", "of=/dev/null", "of=/dev/sda"), "/", "disk-dd-to-device"},
	{ARGV("dd", "if=/dev/sda", "of=/dev/null"), "/", NULL}, /* reading a disk is routine */

	{ARGV("rm", "-rf", "./build"), "/home/alice/proj", NULL},
	{ARGV("rm", "-rf", "/tmp/x"), "/", NULL},
	{ARGV("rm", "file"), "/", NULL},
	{ARGV("rm", "/etc/motd"), "/", NULL},
	{ARGV("rm", "-f", "/"), "/", NULL},
	{ARGV("rm", "-rf", "/home/alice/proj/build"), "/", NULL},
	{ARGV("rm", "-rf", "/usr/local/go"), "/", NULL},
	{ARGV("rm", "-rf", "/var/lib/apt/lists/partial"), "/", NULL},
	{ARGV("rm", "-rf", "--", "-x"), "/home/alice", NULL},
	{ARGV("ls", "/"), "/", NULL},
	{ARGV("ls", "-r", "/"), "/", NULL},
	{ARGV("echo", "rm", "-rf", "/"), "/", NULL},
	{ARGV("dd", "if=a", "of=b"), "/", NULL},
	{ARGV("dd", "if=/dev/sda", "of=disk.img"), "/", NULL},
	{ARGV("mkfs.ext4", "disk.img"), "/home/alice", NULL},
	{ARGV("wipefs", "/dev/sda"), "/", NULL},
	{ARGV("lsblk", "-f", "/dev/sda"), "/", NULL},
};

START_TEST(shipped_case_decides)
{
	const struct shipped_case *c = &shipped_cases[_i];
	struct policy *p = load_shipped();
	struct policy_decision d = decide(p, c->argv, c->cwd);
	char line[256] = "";

	for (const char *const *a = c->argv; *a; a++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s ", *a);
	if (c->rule) {
		ck_assert_msg(d.verdict == POLICY_DENY, "%s(in %s): expected deny", line, c->cwd);
		ck_assert_msg(strcmp(d.rule_id, c->rule) == 0, "%s: expected rule %s, got %s", line,
			      c->rule, d.rule_id);
	} else {
		ck_assert_msg(d.verdict == POLICY_ALLOW, "%s(in %s): expected allow, denied by %s",
			      line, c->cwd, d.rule_id);
		ck_assert_ptr_null(d.rule_id);
	}
	policy_free(p);
}
END_TEST

START_TEST(shipped_rules_have_description_and_message)
{
	const char *root = getenv("GUARD_SOURCE_ROOT");
	const char *files[] = {"50-cloud.json", "50-containers.json", "50-databases.json",
			       "50-disks.json", "50-filesystem.json", "50-git.json",
			       "50-host.json"};
	struct policy *p = load_shipped();

	ck_assert_int_eq(policy_default(p), POLICY_ALLOW);
	ck_assert_uint_eq(policy_n_files(p), N(files));
	for (int i = 0; i < N(files); i++) {
		char *path = test_xasprintf("%s/policy/rules.d/%s", root, files[i]);
		json_t *doc = json_load_file(path, 0, NULL), *rule;
		size_t k;

		ck_assert_ptr_nonnull(doc);
		/* A shipped pack must not set "default": a site's 10-site.json may. */
		ck_assert_ptr_null(json_object_get(doc, "default"));
		json_array_foreach(json_object_get(doc, "rules"), k, rule)
		{
			ck_assert(json_string_length(json_object_get(rule, "description")) > 0);
			ck_assert(json_string_length(json_object_get(rule, "message")) > 0);
		}
		json_decref(doc);
		free(path);
	}
	policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy-match");
	TCase *conditions = tcase_create("conditions"), *order = tcase_create("order");
	TCase *requests = tcase_create("requests"), *shipped = tcase_create("shipped");
	TCase *decisions = tcase_create("decisions");

	test_add_dir_fixture(conditions);
	tcase_add_loop_test(conditions, condition_case_matches, 0, N(condition_cases));
	tcase_add_loop_test(conditions, identity_case_matches, 0, N(identity_cases));
	tcase_add_loop_test(conditions, context_case_matches, 0, N(context_cases));
	tcase_add_test(conditions, many_globstars_against_a_deep_path_are_fast);
	suite_add_tcase(s, conditions);

	test_add_dir_fixture(order);
	tcase_add_test(order, first_matching_rule_wins);
	tcase_add_test(order, default_allow_when_nothing_matches);
	tcase_add_test(order, default_deny_when_nothing_matches);
	tcase_add_test(order, allow_rule_message_is_never_null);
	tcase_add_test(order, dry_run_rules_are_noted_and_evaluation_goes_on);
	tcase_add_test(order, dry_run_rules_after_the_default_are_all_reached);
	tcase_add_test(order, dry_run_rules_beyond_the_limit_are_counted);
	tcase_add_test(order, index_decides_as_a_scan_of_every_rule);
	suite_add_tcase(s, order);

	test_add_dir_fixture(decisions);
	tcase_add_loop_test(decisions, decision_case_carries_its_fields, 0, N(decision_cases));
	tcase_add_loop_test(decisions, reason_case_is_judged, 0, N(reason_cases));
	tcase_add_test(decisions, reason_text_length_is_bounded);
	tcase_add_test(decisions, env_names_are_sorted_and_unique);
	suite_add_tcase(s, decisions);

	test_add_dir_fixture(requests);
	tcase_add_loop_test(requests, invalid_request_is_einval, 0, N(invalid_cases));
	tcase_add_test(requests, null_arguments_are_einval);
	suite_add_tcase(s, requests);

	test_add_dir_fixture(shipped);
	tcase_add_loop_test(shipped, shipped_case_decides, 0, N(shipped_cases));
	tcase_add_test(shipped, shipped_rules_have_description_and_message);
	suite_add_tcase(s, shipped);
	return s;
}

int main(void)
{
	return test_run(suite());
}
