/* test-policy-line.c: judging shell lines, and argv requests with wrappers, against a
 * small policy: the most restrictive part wins and is named, what cannot be understood
 * gets the "unknown" verdict, unknown words and globs match deny rules and not allow
 * rules, redirections are parts, ssh parts run on their host, dry-run matches of all
 * parts are reported together, and explanations go part by part. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard/policy.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define N(a)      ((int)(sizeof(a) / sizeof((a)[0])))

static char tmp[] = "/tmp/guard-test-line-XXXXXX";

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void setup(void)
{
	strcpy(tmp, "/tmp/guard-test-line-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_eq(chmod(tmp, 0755), 0);
}

static void teardown(void)
{
	nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Loads a policy of one file, written with ' for " to keep it readable. */
static struct policy *load(const char *text)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	char *json = strdup(text), *file;
	int fd, r;

	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	ck_assert_int_ge(asprintf(&file, "%s/10-test.json", tmp), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
	r = policy_load_dir(tmp, &errs, &p);
	ck_assert_msg(r == 0, "loading failed (%d): %s", r, errs.n ? errs.lines[0] : "");
	policy_errors_clear(&errs);
	unlink(file);
	free(file);
	free(json);
	return p;
}

/* The policy of most cases: a rule of each decision, exceptions before denials, and a
 * dry-run rule. */
static const char policy_text[] =
	"{'rules':["
	"{'id':'tmp-ok','match':{'program':'rm','paths':['/tmp/**'],'paths_mode':'all'},"
	" 'decision':'allow'},"
	"{'id':'rm-root','match':{'program':'rm','flags':[['-r','-R']],'paths':['/']},"
	" 'decision':'deny','message':'root'},"
	"{'id':'rm-top','match':{'program':'rm','flags':[['-r','-R']],'paths':['/*']},"
	" 'decision':'deny','message':'top'},"
	"{'id':'rm-home-contents','match':{'program':'rm','paths':['~/*']},"
	" 'decision':'approve','message':'home','approvers':{'group':'admins'}},"
	"{'id':'rm-etc','match':{'program':'rm','paths':['/etc/**']},'decision':'reason',"
	" 'message':'etc'},"
	"{'id':'dd-device','match':{'program':'dd','args':['of=/dev/*']},'decision':'deny',"
	" 'message':'dd'},"
	"{'id':'push','match':{'program':'git','subcommand':'push'},'decision':'confirm',"
	" 'message':'push'},"
	"{'id':'git-watch','match':{'program':'git'},'decision':'deny','message':'w',"
	" 'mode':'dry-run'},"
	"{'id':'ls-watch','match':{'program':'ls'},'decision':'confirm','message':'w',"
	" 'mode':'dry-run'},"
	"{'id':'sudo','match':{'program':'sudo','flags':['-i']},'decision':'confirm',"
	" 'message':'sudo -i'},"
	"{'id':'write-device','match':{'program':'>','paths':['/dev/sd*','/etc/passwd']},"
	" 'decision':'deny','message':'write'},"
	"{'id':'prod','match':{'program':'reboot','host':'prod-*'},'decision':'deny',"
	" 'message':'prod'},"
	"{'id':'make-in-root','match':{'program':'make','cwd':'/'},'decision':'deny',"
	" 'message':'make'},"
	"{'id':'drop-regex','match':{'program':'psql','args_regex':['^drop']},"
	" 'decision':'deny','message':'drop'},"
	"{'id':'not-build','match':{'program':'shred','not':{'paths':['/w/build/**']}},"
	" 'decision':'deny','message':'shred'}"
	"]}";

static struct policy_request request(void)
{
	return (struct policy_request){
		.cwd = "/w",
		.home = "/home/alice",
		.uid = 1000,
		.gid = 1000,
		.user = "alice",
		.host = "db1",
		.now = 1700000000,
	};
}

struct line_case {
	const char *line;
	const char *cwd; /* NULL: /w */
	enum policy_verdict verdict;
	const char *rule_id; /* NULL: none (the default, or what was not understood) */
	const char *part;    /* "" when the line is one part */
};

static const struct line_case line_cases[] = {
	/* The most restrictive part wins; of equals the first; part names it. */
	{"rm -rf /", NULL, POLICY_DENY, "rm-root", ""},
	{"echo \"rm -rf /\"", NULL, POLICY_ALLOW, NULL, ""},
	{"git commit -m \"drop rm -rf /\"", NULL, POLICY_ALLOW, NULL, ""},
	{"git push; rm -rf /etc/x; rm -rf /", NULL, POLICY_DENY, "rm-root", "rm -rf /"},
	{"git push; rm -rf /etc/x", NULL, POLICY_REASON, "rm-etc", "rm -rf /etc/x"},
	{"git push a; git push b", NULL, POLICY_CONFIRM, "push", "git push a"},
	{"sudo rm -fr /", NULL, POLICY_DENY, "rm-root", "rm -fr /"},
	{"bash -c 'cd / && rm -rf *'", NULL, POLICY_DENY, "rm-top", "rm -rf *"},
	{"find / -exec rm -rf {} \\;", NULL, POLICY_DENY, "rm-root", "rm -rf {}"},
	{"ls | xargs rm -rf", NULL, POLICY_DENY, "rm-root", "rm -rf ..."},
	{"# nothing", NULL, POLICY_ALLOW, NULL, ""},
	{"X=1", NULL, POLICY_ALLOW, NULL, ""},
	/* Unknown words: they meet deny rules, never allow rules. */
	{"rm -rf $DIR/", NULL, POLICY_DENY, "rm-root", ""},
	{"rm -rf /tmp/$X", NULL, POLICY_DENY, "rm-root", ""},
	{"rm $X", NULL, POLICY_APPROVE, "rm-home-contents", ""},
	{"rm /tmp/a $X", NULL, POLICY_APPROVE, "rm-home-contents", ""},
	{"D=/tmp/x; rm -rf $D", NULL, POLICY_ALLOW, "tmp-ok", ""},
	{"dd if=x of=$DEV", NULL, POLICY_DENY, "dd-device", ""},
	{"dd if=x of=/dev/sd?", NULL, POLICY_DENY, "dd-device", ""},
	{"dd if=x of=/tmp/*", NULL, POLICY_ALLOW, NULL, ""},
	{"git $SUB", NULL, POLICY_CONFIRM, "push", ""},
	{"git status", NULL, POLICY_ALLOW, NULL, ""},
	{"psql $Q", NULL, POLICY_DENY, "drop-regex", ""},
	{"psql select*", NULL, POLICY_DENY, "drop-regex", ""},
	{"psql select", NULL, POLICY_ALLOW, NULL, ""},
	{"shred $X", NULL, POLICY_DENY, "not-build", ""},
	{"shred /w/build/x", NULL, POLICY_ALLOW, NULL, ""},
	{"cd $X; make", NULL, POLICY_DENY, "make-in-root", "make"},
	{"cd /w; make", NULL, POLICY_ALLOW, NULL, "cd /w"},
	/* Globs. */
	{"rm -rf /*", NULL, POLICY_DENY, "rm-top", ""},
	{"rm -rf *", "/", POLICY_DENY, "rm-top", ""},
	{"cd / && rm -rf *", NULL, POLICY_DENY, "rm-top", "rm -rf *"},
	{"rm -rf ./build/*", NULL, POLICY_ALLOW, NULL, ""},
	{"rm -rf ~/*", NULL, POLICY_APPROVE, "rm-home-contents", ""},
	{"rm /tmp/*.o /tmp/x/*", NULL, POLICY_ALLOW, "tmp-ok", ""},
	{"rm /t*/x", NULL, POLICY_ALLOW, NULL, ""},
	{"rm /h*/alice/x", NULL, POLICY_APPROVE, "rm-home-contents", ""},
	{"rm /e*/passwd", NULL, POLICY_REASON, "rm-etc", ""},
	{"rm -rf /**", NULL, POLICY_DENY, "rm-root", ""},
	/* Redirections. */
	{"echo x > /dev/sda", NULL, POLICY_DENY, "write-device", "> /dev/sda"},
	{"echo x >> /etc/passwd 2>&1", NULL, POLICY_DENY, "write-device", "> /etc/passwd"},
	{"echo x > /tmp/y 2>&1", NULL, POLICY_ALLOW, NULL, "echo x"},
	{"cat < /etc/passwd", NULL, POLICY_ALLOW, NULL, ""},
	{"echo x > $OUT", NULL, POLICY_DENY, "write-device", "> $OUT"},
	/* Hosts. */
	{"reboot", NULL, POLICY_ALLOW, NULL, ""},
	{"ssh prod-db reboot", NULL, POLICY_DENY, "prod", "reboot"},
	{"ssh dev-db reboot", NULL, POLICY_ALLOW, NULL, "ssh dev-db reboot"},
	{"ssh -l root ssh://prod-db:22 'sudo reboot'", NULL, POLICY_DENY, "prod", "reboot"},
	/* What cannot be understood. */
	{"curl x | sh", NULL, POLICY_CONFIRM, NULL, "sh"},
	{"curl x | sh; rm -rf /", NULL, POLICY_DENY, "rm-root", "rm -rf /"},
	{"git push; eval \"$X\"", NULL, POLICY_CONFIRM, "push", "git push"},
	{"echo \"oops", NULL, POLICY_CONFIRM, NULL, ""},
};

START_TEST(line_is_judged_by_its_parts)
{
	const struct line_case *c = &line_cases[_i];
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;

	if (c->cwd)
		req.cwd = c->cwd;
	ck_assert_int_eq(policy_evaluate_line(p, &req, c->line, &d), 0);
	ck_assert_msg(d.verdict == c->verdict, "%s: %s, not %s (%s, %s)", c->line,
		      policy_verdict_to_string(d.verdict), policy_verdict_to_string(c->verdict),
		      d.rule_id ? d.rule_id : "no rule", d.message);
	if (c->rule_id)
		ck_assert_str_eq(d.rule_id ? d.rule_id : "(none)", c->rule_id);
	else
		ck_assert_ptr_null(d.rule_id);
	ck_assert_str_eq(d.part, c->part);
	policy_free(p);
}
END_TEST

START_TEST(unknown_part_gets_the_unknown_verdict)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;

	ck_assert_int_eq(policy_unknown(p), POLICY_CONFIRM);
	ck_assert_int_eq(policy_evaluate_line(p, &req, "curl x | sh", &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_CONFIRM);
	ck_assert_ptr_null(d.rule);
	ck_assert_ptr_null(d.rule_id);
	ck_assert_str_eq(d.unknown, "sh reads its commands from a pipe");
	ck_assert_str_eq(d.message, "guard cannot fully understand this command: sh reads its "
				    "commands from a pipe; confirm it");
	ck_assert_str_eq(d.phrase, "db1");
	policy_free(p);
}
END_TEST

/* dash runs what any number of "(" hold; past the nesting limit the line is not
 * understood, never read as bash arithmetic that runs nothing (found in review). */
START_TEST(deep_parentheses_are_not_allowed)
{
	static const int depths[] = {8, 63, 64, 65, 200};
	struct policy *p = load(policy_text);

	for (size_t i = 0; i < N(depths); i++) {
		int n = depths[i];
		char line[1024] = "";
		struct policy_request req = request();
		struct policy_decision d;

		memset(line, '(', (size_t)n);
		strcpy(line + n, "rm -rf /");
		memset(line + n + 8, ')', (size_t)n);
		line[2 * n + 8] = '\0';
		ck_assert_int_eq(policy_evaluate_line(p, &req, line, &d), 0);
		ck_assert_msg(d.verdict != POLICY_ALLOW, "%d parentheses: allowed", n);
	}
	policy_free(p);
}
END_TEST

START_TEST(unknown_setting_decides)
{
	static const struct {
		const char *setting;
		enum policy_verdict verdict;
		const char *end;
	} settings[] = {
		{"deny", POLICY_DENY, "; so it is refused"},
		{"allow", POLICY_ALLOW, "; the policy lets it run"},
		{"confirm", POLICY_CONFIRM, "; confirm it"},
	};

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		char *text;
		struct policy *p;
		struct policy_request req = request();
		struct policy_decision d;

		ck_assert_int_ge(
			asprintf(&text, "{'unknown':'%s','rules':[]}", settings[i].setting), 0);
		p = load(text);
		ck_assert_int_eq(policy_unknown(p), settings[i].verdict);
		ck_assert_int_eq(policy_evaluate_line(p, &req, "echo \"oops", &d), 0);
		ck_assert_int_eq(d.verdict, settings[i].verdict);
		ck_assert_str_eq(d.unknown, "the line: an unterminated double quote");
		ck_assert_ptr_nonnull(strstr(d.message, settings[i].end));
		ck_assert_str_eq(d.part, "");
		/* Of equal verdicts the first part decides. */
		ck_assert_int_eq(policy_evaluate_line(p, &req, "eval \"$X\"; ls", &d), 0);
		ck_assert_int_eq(d.verdict, settings[i].verdict);
		ck_assert_str_eq(d.part, "eval \"$X\"");
		policy_free(p);
		free(text);
	}
}
END_TEST

START_TEST(known_parts_leave_unknown_empty)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate_line(p, &req, "curl x | sh; rm -rf /", &d), 0);
	ck_assert_str_eq(d.unknown, "");
	ck_assert_str_eq(d.message, "root");
	policy_free(p);
}
END_TEST

START_TEST(dry_runs_of_all_parts_are_merged)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate_line(p, &req, "git status; ls; git log", &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_uint_eq(d.n_dry_run, 2);
	ck_assert_str_eq(d.dry_run[0].rule_id, "git-watch");
	ck_assert_int_eq(d.dry_run[0].verdict, POLICY_DENY);
	ck_assert_str_eq(d.dry_run[1].rule_id, "ls-watch");
	policy_free(p);
}
END_TEST

START_TEST(argv_request_sees_its_wrappers)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;

	req.argv = ARGV("sudo", "-i", "ls");
	req.argc = 3;
	req.program = "/usr/bin/sudo";
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_CONFIRM);
	ck_assert_str_eq(d.rule_id, "sudo");
	ck_assert_str_eq(d.part, "sudo -i ls");
	req.argv = ARGV("sudo", "env", "X=1", "nice", "rm", "-rf", "/");
	req.argc = 7;
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_DENY);
	ck_assert_str_eq(d.part, "rm -rf /");
	/* One part: no part text, as before. */
	req.argv = ARGV("rm", "-rf", "/");
	req.argc = 3;
	req.program = "/usr/bin/rm";
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_str_eq(d.rule_id, "rm-root");
	ck_assert_str_eq(d.part, "");
	/* A request's words are data: "$X" is a file of that name. */
	req.argv = ARGV("sudo", "rm", "$X");
	req.argc = 3;
	req.program = NULL;
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	policy_free(p);
}
END_TEST

START_TEST(part_text_is_cut_at_a_character)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;
	char line[1024] = "ls; rm -rf / ";

	for (size_t i = strlen(line); i < 600; i += 2)
		memcpy(line + i, "é", 2);
	ck_assert_int_eq(policy_evaluate_line(p, &req, line, &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_DENY);
	ck_assert_uint_eq(strlen(d.part), POLICY_PART_TEXT_MAX - 2);
	ck_assert_str_eq(d.part + strlen(d.part) - 5, "é...");
	policy_free(p);
}
END_TEST

START_TEST(line_contract)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d = {.verdict = POLICY_APPROVE};
	char *long_line = malloc(POLICY_LINE_MAX + 2);

	memset(long_line, 'a', POLICY_LINE_MAX + 1);
	long_line[POLICY_LINE_MAX + 1] = '\0';
	ck_assert_int_eq(policy_evaluate_line(p, &req, NULL, &d), -EINVAL);
	ck_assert_int_eq(policy_evaluate_line(p, &req, long_line, &d), -EINVAL);
	ck_assert_int_eq(policy_evaluate_line(NULL, &req, "ls", &d), -EINVAL);
	ck_assert_int_eq(policy_evaluate_line(p, NULL, "ls", &d), -EINVAL);
	ck_assert_int_eq(policy_evaluate_line(p, &req, "ls", NULL), -EINVAL);
	req.cwd = "relative";
	ck_assert_int_eq(policy_evaluate_line(p, &req, "ls", &d), -EINVAL);
	req = request();
	req.n_env = 1;
	ck_assert_int_eq(policy_evaluate_line(p, &req, "ls", &d), -EINVAL);
	/* Failures leave the decision alone. */
	ck_assert_int_eq(d.verdict, POLICY_APPROVE);
	long_line[POLICY_LINE_MAX] = '\0';
	req = request();
	ck_assert_int_eq(policy_evaluate_line(p, &req, long_line, &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_str_eq(d.message, "no rule matched; the default is allow");
	ck_assert_int_eq(policy_evaluate_line(p, &req, "  # only a comment", &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_ALLOW);
	ck_assert_str_eq(d.message, "it runs no command");
	free(long_line);
	policy_free(p);
}
END_TEST

/* Explanations. */

struct seen {
	char text[4096];
	size_t n;
};

static void collect(void *userdata, const struct policy_trace *t)
{
	struct seen *s = userdata;
	size_t len = strlen(s->text);

	ck_assert_ptr_nonnull(t->part);
	snprintf(s->text + len, sizeof(s->text) - len, "%s|%s|%s|%s\n", t->part,
		 t->rule_id ? t->rule_id : "-", t->matched ? "matched" : "no",
		 t->rule_id ? "" : t->why);
	s->n++;
}

START_TEST(explain_goes_part_by_part)
{
	struct policy *p =
		load("{'rules':["
		     "{'id':'a','match':{'program':'rm'},'decision':'deny','message':'m'},"
		     "{'id':'b','match':{'program':'ls'},'decision':'allow'}]}");
	struct policy_request req = request();
	struct policy_decision d;
	struct seen s = {.n = 0};

	ck_assert_int_eq(policy_explain_line(p, &req, "ls; curl x | sh; rm x", collect, &s, &d), 0);
	ck_assert_str_eq(s.text, "ls|a|no|\n"
				 "ls|b|matched|\n"
				 "curl x|a|no|\n"
				 "curl x|b|no|\n"
				 "sh|a|no|\n"
				 "sh|b|no|\n"
				 "sh|-|matched|sh reads its commands from a pipe\n"
				 "rm x|a|matched|\n");
	ck_assert_int_eq(d.verdict, POLICY_DENY);
	ck_assert_str_eq(d.part, "rm x");
	/* The same decision as without explaining. */
	ck_assert_int_eq(policy_evaluate_line(p, &req, "ls; curl x | sh; rm x", &d), 0);
	ck_assert_int_eq(d.verdict, POLICY_DENY);
	policy_free(p);
}
END_TEST

START_TEST(explain_of_an_argv_request_names_its_part)
{
	struct policy *p = load("{'rules':[{'id':'a','match':{'program':'rm'},"
				"'decision':'deny','message':'m'}]}");
	struct policy_request req = request();
	struct policy_decision d;
	struct seen s = {.n = 0};

	req.argv = ARGV("rm", "x");
	req.argc = 2;
	ck_assert_int_eq(policy_explain(p, &req, collect, &s, &d), 0);
	ck_assert_str_eq(s.text, "rm x|a|matched|\n");
	s = (struct seen){.n = 0};
	req.argv = ARGV("nice", "rm", "x");
	req.argc = 3;
	ck_assert_int_eq(policy_explain(p, &req, collect, &s, &d), 0);
	ck_assert_str_eq(s.text, "nice rm x|a|no|\nrm x|a|matched|\n");
	policy_free(p);
}
END_TEST

struct why {
	char text[1024];
};

static void collect_why(void *userdata, const struct policy_trace *t)
{
	struct why *w = userdata;

	if (t->why)
		snprintf(w->text + strlen(w->text), sizeof(w->text) - strlen(w->text), "%s: %s\n",
			 t->rule_id ? t->rule_id : "-", t->why);
}

START_TEST(explain_says_an_unknown_word_may_be_anything)
{
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision d;
	struct why w = {""};

	ck_assert_int_eq(policy_explain_line(p, &req, "rm -r $X", collect_why, &w, &d), 0);
	ck_assert_msg(
		strstr(w.text, "tmp-ok: \"$X\" does not match /tmp/** (\"$X\" may be anything)"),
		"%s", w.text);
	ck_assert_str_eq(d.rule_id, "rm-root");
	policy_free(p);
}
END_TEST

/* The explanations and the index agree on every case, as they do for argv requests. */
START_TEST(explain_and_evaluate_agree)
{
	const struct line_case *c = &line_cases[_i];
	struct policy *p = load(policy_text);
	struct policy_request req = request();
	struct policy_decision a, b;
	struct seen s = {.n = 0};

	if (c->cwd)
		req.cwd = c->cwd;
	ck_assert_int_eq(policy_evaluate_line(p, &req, c->line, &a), 0);
	ck_assert_int_eq(policy_explain_line(p, &req, c->line, collect, &s, &b), 0);
	ck_assert_int_eq(a.verdict, b.verdict);
	ck_assert_ptr_eq(a.rule, b.rule);
	ck_assert_str_eq(a.part, b.part);
	ck_assert_uint_eq(a.n_dry_run, b.n_dry_run);
	policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy-line");
	TCase *lines = tcase_create("lines"), *unknown = tcase_create("unknown");
	TCase *explain = tcase_create("explain");

	tcase_add_checked_fixture(lines, setup, teardown);
	tcase_add_loop_test(lines, line_is_judged_by_its_parts, 0, N(line_cases));
	tcase_add_test(lines, dry_runs_of_all_parts_are_merged);
	tcase_add_test(lines, deep_parentheses_are_not_allowed);
	tcase_add_test(lines, argv_request_sees_its_wrappers);
	tcase_add_test(lines, part_text_is_cut_at_a_character);
	tcase_add_test(lines, line_contract);
	suite_add_tcase(s, lines);
	tcase_add_checked_fixture(unknown, setup, teardown);
	tcase_add_test(unknown, unknown_part_gets_the_unknown_verdict);
	tcase_add_test(unknown, unknown_setting_decides);
	tcase_add_test(unknown, known_parts_leave_unknown_empty);
	suite_add_tcase(s, unknown);
	tcase_add_checked_fixture(explain, setup, teardown);
	tcase_add_test(explain, explain_goes_part_by_part);
	tcase_add_test(explain, explain_of_an_argv_request_names_its_part);
	tcase_add_test(explain, explain_says_an_unknown_word_may_be_anything);
	tcase_add_loop_test(explain, explain_and_evaluate_agree, 0, N(line_cases));
	suite_add_tcase(s, explain);
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
