/* test-policy-match.c: evaluating requests: each condition on its own, the order of
 * rules, the default, the request contract, and the shipped rule pack. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guard/policy.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define N(a)      ((int)(sizeof(a) / sizeof((a)[0])))

static char tmp[] = "/tmp/guard-test-policy-XXXXXX";

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void setup(void)
{
	strcpy(tmp, "/tmp/guard-test-policy-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_eq(chmod(tmp, 0755), 0);
}

static void teardown(void)
{
	nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "cannot create %s", path);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
}

static struct policy *load(const char *dir)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r = policy_load_dir(dir, &errs, &p);

	ck_assert_msg(r == 0, "loading failed (%d): %s", r, errs.n ? errs.lines[0] : "");
	policy_errors_clear(&errs);
	return p;
}

/* Loads a policy written with ' for " to keep the tables readable. */
static struct policy *load_text(const char *text)
{
	char *json = strdup(text), *file = xasprintf("%s/10-test.json", tmp);
	struct policy *p;

	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	write_file(file, json);
	p = load(tmp);
	unlink(file);
	free(file);
	free(json);
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
	{"path_no_tilde_expansion", "{'paths':['/home/alice']}", ARGV("rm", "~"), "/", NULL, false},
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
	char *text = xasprintf("{'rules':[{'id':'r','match':%s,'decision':'deny','message':'m'}]}",
			       c->match);
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
	char *text = xasprintf("{'rules':[{'id':'r','match':%s,'decision':'deny','message':'m'}]}",
			       c->match);
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
	const char *root = getenv("GUARD_SOURCE_ROOT");
	char *dir;
	DIR *d;
	struct dirent *de;
	struct policy *p;

	ck_assert_msg(root, "GUARD_SOURCE_ROOT is not set (run the tests with meson test)");
	dir = xasprintf("%s/policy/rules.d", root);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char *from, *to, *text = NULL;
		size_t n = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		from = xasprintf("%s/%s", dir, de->d_name);
		to = xasprintf("%s/%s", tmp, de->d_name);
		f = fopen(from, "re");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_ge(getdelim(&text, &n, '\0', f), 0);
		fclose(f);
		write_file(to, text);
		free(text);
		free(from);
		free(to);
	}
	closedir(d);
	free(dir);
	p = load(tmp);
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
	{ARGV("dd", "if=/dev/sda", "of=/dev/null"), "/", "disk-dd-to-device"},

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
	const char *files[] = {"50-filesystem.json", "50-disks.json"};
	struct policy *p = load_shipped();

	ck_assert_int_eq(policy_default(p), POLICY_ALLOW);
	ck_assert_uint_eq(policy_n_files(p), N(files));
	for (int i = 0; i < N(files); i++) {
		char *path = xasprintf("%s/policy/rules.d/%s", root, files[i]);
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

	tcase_add_checked_fixture(conditions, setup, teardown);
	tcase_add_loop_test(conditions, condition_case_matches, 0, N(condition_cases));
	tcase_add_loop_test(conditions, identity_case_matches, 0, N(identity_cases));
	tcase_add_test(conditions, many_globstars_against_a_deep_path_are_fast);
	suite_add_tcase(s, conditions);

	tcase_add_checked_fixture(order, setup, teardown);
	tcase_add_test(order, first_matching_rule_wins);
	tcase_add_test(order, default_allow_when_nothing_matches);
	tcase_add_test(order, default_deny_when_nothing_matches);
	tcase_add_test(order, allow_rule_message_is_never_null);
	suite_add_tcase(s, order);

	tcase_add_checked_fixture(requests, setup, teardown);
	tcase_add_loop_test(requests, invalid_request_is_einval, 0, N(invalid_cases));
	tcase_add_test(requests, null_arguments_are_einval);
	suite_add_tcase(s, requests);

	tcase_add_checked_fixture(shipped, setup, teardown);
	tcase_add_loop_test(shipped, shipped_case_decides, 0, N(shipped_cases));
	tcase_add_test(shipped, shipped_rules_have_description_and_message);
	suite_add_tcase(s, shipped);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
