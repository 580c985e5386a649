/* test-policy-load.c: loading a policy: the good and bad corpora in
 * tests/corpus/policy, refusals by owner, mode and file type, the revision, and the
 * order of files. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard/policy.h"
#include "policy-util.h"

/* A corpus case: a NAME.json file or a NAME.d directory of files. */
static struct test_corpus good, bad;
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0;

	ck_assert_msg(f, "cannot open %s", path);
	/* -1 at once for an empty file, which the corpus has. */
	if (getdelim(&s, &n, '\0', f) < 0) {
		ck_assert(feof(f));
		free(s);
		s = strdup("");
	}
	fclose(f);
	return s;
}

/* Copies with mode 0644, whatever the checkout's umask made of the original. */
static void copy_file(const char *from, const char *to)
{
	char *text = read_text(from);

	test_write_file(to, text, 0644);
	free(text);
}

/* Copies corpus case NAME (a file, or the *.json files of a directory) into test_dir. */
static void copy_case(const char *dir, const char *name)
{
	char *from = test_xasprintf("%s/%s", dir, name);

	if (test_has_suffix(name, ".d")) {
		struct test_corpus files = {0};

		ck_assert_msg(test_corpus_list(from, ".json", NULL, &files), "cannot list %s",
			      from);
		for (size_t i = 0; i < files.n; i++) {
			char *f = test_xasprintf("%s/%s", from, files.names[i]);
			char *t = test_xasprintf("%s/%s", test_dir, files.names[i]);

			copy_file(f, t);
			free(f);
			free(t);
		}
		test_corpus_free(&files);
	} else {
		char *to = test_xasprintf("%s/%s", test_dir, name);

		copy_file(from, to);
		free(to);
	}
	free(from);
}

static char *replace_all(char *s, const char *from, const char *to)
{
	char *out = strdup(""), *hit, *rest = s;

	while ((hit = strstr(rest, from))) {
		char *next = test_xasprintf("%s%.*s%s", out, (int)(hit - rest), rest, to);

		free(out);
		out = next;
		rest = hit + strlen(from);
	}
	hit = test_xasprintf("%s%s", out, rest);
	free(out);
	free(s);
	return hit;
}

/* The error lines, each ending in "\n", with the temporary directory written as DIR
 * and file (a path in it, or NULL) as FILE, as the .err files of the corpus have them. */
static char *errors_text(const struct policy_errors *e, const char *file)
{
	char *s = strdup("");

	for (size_t i = 0; i < e->n; i++) {
		char *next = test_xasprintf("%s%s\n", s, e->lines[i]);

		free(s);
		s = next;
	}
	if (file)
		s = replace_all(s, file, "FILE");
	return replace_all(s, test_dir, "DIR");
}

static void expect_errors(const struct policy_errors *e, const char *file, const char *want)
{
	char *got = errors_text(e, file);

	ck_assert_msg(strcmp(got, want) == 0, "errors differ.\n--- want:\n%s--- got:\n%s", want,
		      got);
	free(got);
}

/* Loads test_dir and expects failure r with exactly the error lines want. */
static void expect_load_fails(int r, const char *file, const char *want)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load_dir(test_dir, &errs, &p), r);
	ck_assert_ptr_null(p);
	expect_errors(&errs, file, want);
	policy_errors_clear(&errs);
}

static struct policy *load_ok(const char *dir)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r = policy_load_dir(dir, &errs, &p);
	char *text = errors_text(&errs, NULL);

	ck_assert_msg(r == 0, "loading %s failed (%d):\n%s", dir, r, text);
	ck_assert_uint_eq(errs.n, 0);
	free(text);
	return p;
}

static const char one_rule[] =
	"{ \"rules\": [ { \"id\": \"r\", \"match\": {}, \"decision\": \"allow\" } ] }\n";

START_TEST(good_corpus_case_loads)
{
	char *dir = test_source_path("tests/corpus/policy/good");
	struct policy *p;

	copy_case(dir, good.names[_i]);
	p = load_ok(test_dir);
	ck_assert_uint_ge(policy_n_files(p), 1);
	policy_free(p);
	free(dir);
}
END_TEST

/* NAME.json has its expected errors in NAME.err, NAME.d in NAME.d.err. */
static char *err_file(const char *dir, const char *name)
{
	if (test_has_suffix(name, ".json"))
		return test_xasprintf("%s/%.*s.err", dir, (int)(strlen(name) - strlen(".json")),
				      name);
	return test_xasprintf("%s/%s.err", dir, name);
}

START_TEST(bad_corpus_case_fails_with_every_error)
{
	const char *name = bad.names[_i];
	char *dir = test_source_path("tests/corpus/policy/bad");
	char *errfile = err_file(dir, name);
	char *file = test_xasprintf("%s/%s", test_dir, name);
	char *want = read_text(errfile);

	copy_case(dir, name);
	expect_load_fails(-EINVAL, test_has_suffix(name, ".json") ? file : NULL, want);
	free(want);
	free(file);
	free(errfile);
	free(dir);
}
END_TEST

START_TEST(corpora_are_not_empty)
{
	/* A wrong GUARD_SOURCE_ROOT must not pass by testing nothing. */
	ck_assert_uint_ge(good.n, 5);
	ck_assert_uint_ge(bad.n, 25);
}
END_TEST

START_TEST(shipped_pack_loads)
{
	char *dir = test_source_path("policy/rules.d");
	struct test_corpus files = {0};
	struct policy *p;

	ck_assert_msg(test_corpus_list(dir, ".json", NULL, &files), "cannot list %s", dir);
	for (size_t i = 0; i < files.n; i++)
		copy_case(dir, files.names[i]);
	p = load_ok(test_dir);
	ck_assert_uint_eq(policy_n_files(p), files.n);
	ck_assert_uint_ge(policy_n_rules(p), 5);
	ck_assert_int_eq(policy_default(p), POLICY_ALLOW);
	policy_free(p);
	test_corpus_free(&files);
	free(dir);
}
END_TEST

START_TEST(group_writable_file_is_refused)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	test_write_file(file, one_rule, 0664);
	expect_load_fails(-EPERM, file,
			  "FILE: writable by group or others (mode 0664); refusing it\n");
	free(file);
}
END_TEST

START_TEST(other_writable_file_is_refused)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	test_write_file(file, one_rule, 0646);
	expect_load_fails(-EPERM, file,
			  "FILE: writable by group or others (mode 0646); refusing it\n");
	free(file);
}
END_TEST

START_TEST(other_writable_dir_is_refused)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	test_write_file(file, one_rule, 0644);
	ck_assert_int_eq(chmod(test_dir, 0757), 0);
	expect_load_fails(-EPERM, file,
			  "DIR: writable by group or others (mode 0757); refusing it\n");
	free(file);
}
END_TEST

START_TEST(sticky_world_writable_dir_is_refused)
{
	ck_assert_int_eq(chmod(test_dir, 01777), 0);
	expect_load_fails(-EPERM, NULL,
			  "DIR: writable by group or others (mode 1777); refusing it\n");
}
END_TEST

START_TEST(file_of_another_user_is_refused)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	if (geteuid() != 0) {
		printf("file_of_another_user_is_refused: skipped, needs root to chown\n");
		free(file);
		return;
	}
	test_write_file(file, one_rule, 0644);
	ck_assert_int_eq(chown(file, 65534, 65534), 0);
	expect_load_fails(-EPERM, file, "FILE: owned by uid 65534, not by root; refusing it\n");
	free(file);
}
END_TEST

START_TEST(dir_of_another_user_is_refused)
{
	if (geteuid() != 0) {
		printf("dir_of_another_user_is_refused: skipped, needs root to chown\n");
		return;
	}
	ck_assert_int_eq(chown(test_dir, 65534, 65534), 0);
	expect_load_fails(-EPERM, NULL, "DIR: owned by uid 65534, not by root; refusing it\n");
}
END_TEST

START_TEST(owner_and_mode_are_both_reported)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	if (geteuid() != 0) {
		printf("owner_and_mode_are_both_reported: skipped, needs root to chown\n");
		free(file);
		return;
	}
	test_write_file(file, one_rule, 0666);
	ck_assert_int_eq(chown(file, 65534, 65534), 0);
	expect_load_fails(-EPERM, file,
			  "FILE: owned by uid 65534, not by root; refusing it\n"
			  "FILE: writable by group or others (mode 0666); refusing it\n");
	free(file);
}
END_TEST

START_TEST(refusal_and_content_errors_are_all_reported)
{
	char *a = test_xasprintf("%s/10-a.json", test_dir),
	     *b = test_xasprintf("%s/20-b.json", test_dir);

	test_write_file(a, "{ \"rules\": 1 }\n", 0644);
	test_write_file(b, one_rule, 0664);
	/* The refusal decides the errno; the content error is still reported. */
	expect_load_fails(-EPERM, NULL,
			  "DIR/10-a.json: rules: expected an array of rules\n"
			  "DIR/20-b.json: writable by group or others (mode 0664); refusing it\n");
	free(a);
	free(b);
}
END_TEST

START_TEST(symlink_is_refused)
{
	char *target = test_xasprintf("%s/real", test_dir),
	     *link = test_xasprintf("%s/10-a.json", test_dir);

	test_write_file(target, one_rule, 0644);
	ck_assert_int_eq(symlink(target, link), 0);
	expect_load_fails(-EPERM, link, "FILE: a symbolic link; refusing it\n");
	free(target);
	free(link);
}
END_TEST

START_TEST(fifo_is_refused_without_blocking)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	ck_assert_int_eq(mkfifo(file, 0644), 0);
	expect_load_fails(-EPERM, file, "FILE: not a regular file; refusing it\n");
	free(file);
}
END_TEST

START_TEST(directory_named_json_is_refused)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);

	ck_assert_int_eq(mkdir(file, 0755), 0);
	expect_load_fails(-EPERM, file, "FILE: not a regular file; refusing it\n");
	free(file);
}
END_TEST

START_TEST(file_over_one_mib_is_refused)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);
	char *big = malloc(1024 * 1024 + 2);

	memset(big, ' ', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	test_write_file(file, big, 0644);
	expect_load_fails(-EINVAL, file, "FILE: larger than 1 MiB (1048577 bytes); refusing it\n");
	free(big);
	free(file);
}
END_TEST

START_TEST(empty_dir_is_an_error)
{
	expect_load_fails(-EINVAL, NULL, "DIR: no policy files (*.json)\n");
}
END_TEST

START_TEST(only_json_files_count)
{
	const char *names[] = {"README", ".hidden.json", "10-a.json~", "10-a.json.bak", ".json"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *file = test_xasprintf("%s/%s", test_dir, names[i]);

		test_write_file(file, "not json", 0644);
		free(file);
	}
	expect_load_fails(-EINVAL, NULL, "DIR: no policy files (*.json)\n");
}
END_TEST

START_TEST(missing_dir_is_enoent)
{
	char *dir = test_xasprintf("%s/nonexistent", test_dir);
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load_dir(dir, &errs, &p), -ENOENT);
	ck_assert_ptr_null(p);
	expect_errors(&errs, NULL, "DIR/nonexistent: No such file or directory\n");
	policy_errors_clear(&errs);
	free(dir);
}
END_TEST

START_TEST(file_instead_of_dir_is_enotdir)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir);
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	test_write_file(file, one_rule, 0644);
	ck_assert_int_eq(policy_load_dir(file, &errs, &p), -ENOTDIR);
	expect_errors(&errs, file, "FILE: Not a directory\n");
	policy_errors_clear(&errs);
	free(file);
}
END_TEST

START_TEST(trailing_slash_of_dir_is_not_doubled)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir),
	     *dir = test_xasprintf("%s//", test_dir);
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	test_write_file(file, "{}", 0644);
	ck_assert_int_eq(policy_load_dir(dir, &errs, &p), -EINVAL);
	expect_errors(&errs, NULL, "DIR/10-a.json: missing key \"rules\"\n");
	policy_errors_clear(&errs);
	free(file);
	free(dir);
}
END_TEST

static char *revision_of(const char *text, const char *name)
{
	char *file = test_xasprintf("%s/%s", test_dir, name);
	struct policy *p;
	char *rev;

	test_write_file(file, text, 0644);
	p = load_ok(test_dir);
	rev = strdup(policy_revision(p));
	policy_free(p);
	unlink(file);
	free(file);
	return rev;
}

START_TEST(revision_is_stable_and_follows_content)
{
	char *a = revision_of(one_rule, "10-a.json");
	char *again = revision_of(one_rule, "10-a.json");
	char *changed = revision_of("{ \"rules\": [] }\n", "10-a.json");
	char *renamed = revision_of(one_rule, "20-a.json");

	ck_assert_uint_eq(strlen(a), 64);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
	ck_assert_str_eq(a, again);
	ck_assert_str_ne(a, changed);
	ck_assert_str_ne(a, renamed);
	free(a);
	free(again);
	free(changed);
	free(renamed);
}
END_TEST

START_TEST(revision_does_not_depend_on_the_directory)
{
	char *file = test_xasprintf("%s/10-a.json", test_dir),
	     *sub = test_xasprintf("%s/sub", test_dir);
	char *subfile = test_xasprintf("%s/sub/10-a.json", test_dir);
	struct policy *p, *q;

	test_write_file(file, one_rule, 0644);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	test_write_file(subfile, one_rule, 0644);
	p = load_ok(test_dir);
	q = load_ok(sub);
	ck_assert_str_eq(policy_revision(p), policy_revision(q));
	policy_free(p);
	policy_free(q);
	free(file);
	free(sub);
	free(subfile);
}
END_TEST

static const char *first_rule_for(struct policy *p)
{
	const char *argv[] = {"x"};
	struct policy_request req = {.argv = argv, .argc = 1, .cwd = "/"};
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	return d.rule_id;
}

START_TEST(files_load_in_name_order)
{
	const char *files[][2] = {
		{"50-b.json", "{\"rules\":[{\"id\":\"b\",\"match\":{},\"decision\":\"deny\","
			      "\"message\":\"m\"}]}"},
		{"10-a.json", "{\"rules\":[{\"id\":\"a\",\"match\":{},\"decision\":\"allow\"}]}"},
		{"9-c.json", "{\"rules\":[{\"id\":\"c\",\"match\":{},\"decision\":\"deny\","
			     "\"message\":\"m\"}]}"},
	};
	struct policy *p;

	for (size_t i = 0; i < 3; i++) {
		char *file = test_xasprintf("%s/%s", test_dir, files[i][0]);

		test_write_file(file, files[i][1], 0644);
		free(file);
	}
	p = load_ok(test_dir);
	/* strcmp() order: "10-a" < "50-b" < "9-c". */
	ck_assert_str_eq(first_rule_for(p), "a");
	ck_assert_uint_eq(policy_n_files(p), 3);
	ck_assert_uint_eq(policy_n_rules(p), 3);
	policy_free(p);
}
END_TEST

START_TEST(explicit_files_load_in_the_given_order)
{
	char *a = test_xasprintf("%s/10-a.json", test_dir),
	     *b = test_xasprintf("%s/50-b.json", test_dir);
	const char *paths[2] = {b, a};
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	test_write_file(a, "{\"rules\":[{\"id\":\"a\",\"match\":{},\"decision\":\"allow\"}]}",
			0644);
	test_write_file(b, "{\"rules\":[{\"id\":\"b\",\"match\":{},\"decision\":\"allow\"}]}",
			0644);
	ck_assert_int_eq(policy_load_files(paths, 2, &errs, &p), 0);
	ck_assert_str_eq(first_rule_for(p), "b");
	policy_free(p);
	free(a);
	free(b);
}
END_TEST

START_TEST(explicit_files_report_their_paths)
{
	char *a = test_xasprintf("%s/a.json", test_dir),
	     *missing = test_xasprintf("%s/missing.json", test_dir);
	const char *paths[2] = {a, missing};
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	test_write_file(a, "{\"rules\":[{}]}", 0644);
	ck_assert_int_eq(policy_load_files(paths, 2, &errs, &p), -ENOENT);
	ck_assert_ptr_null(p);
	expect_errors(&errs, NULL,
		      "DIR/a.json: rules[0]: missing key \"id\"\n"
		      "DIR/a.json: rules[0]: missing key \"match\"\n"
		      "DIR/a.json: rules[0]: missing key \"decision\"\n"
		      "DIR/missing.json: No such file or directory\n");
	policy_errors_clear(&errs);
	free(a);
	free(missing);
}
END_TEST

START_TEST(no_explicit_files_is_an_error)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load_files(NULL, 0, &errs, &p), -EINVAL);
	expect_errors(&errs, NULL, "no policy files given\n");
	policy_errors_clear(&errs);
}
END_TEST

START_TEST(errors_append_and_clear)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;

	ck_assert_int_eq(policy_load_dir(test_dir, &errs, &p), -EINVAL);
	ck_assert_int_eq(policy_load_dir(test_dir, &errs, &p), -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	policy_errors_clear(&errs);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_null(errs.lines);
	policy_errors_clear(&errs);
	/* Errors may also be ignored. */
	ck_assert_int_eq(policy_load_dir(test_dir, NULL, &p), -EINVAL);
}
END_TEST

START_TEST(default_is_read_from_any_file)
{
	char *a = test_xasprintf("%s/10-a.json", test_dir),
	     *b = test_xasprintf("%s/20-b.json", test_dir);
	struct policy *p;

	test_write_file(a, "{\"rules\":[]}", 0644);
	test_write_file(b, "{\"default\":\"deny\",\"rules\":[]}", 0644);
	p = load_ok(test_dir);
	ck_assert_int_eq(policy_default(p), POLICY_DENY);
	ck_assert_uint_eq(policy_n_rules(p), 0);
	policy_free(p);
	free(a);
	free(b);
}
END_TEST

START_TEST(verdict_names_round_trip)
{
	static const char *const names[] = {"allow", "confirm", "reason", "approve", "deny"};
	enum policy_verdict v = POLICY_DENY;

	/* The enum's order is the order of restriction: the greatest verdict wins. */
	for (int i = 0; i < 5; i++) {
		ck_assert_str_eq(policy_verdict_to_string((enum policy_verdict)i), names[i]);
		ck_assert_int_eq(policy_verdict_from_string(names[i], &v), 0);
		ck_assert_int_eq(v, i);
	}
	ck_assert_int_lt(POLICY_ALLOW, POLICY_CONFIRM);
	ck_assert_int_lt(POLICY_CONFIRM, POLICY_REASON);
	ck_assert_int_lt(POLICY_REASON, POLICY_APPROVE);
	ck_assert_int_lt(POLICY_APPROVE, POLICY_DENY);
	ck_assert_int_eq(policy_verdict_from_string("Deny", &v), -EINVAL);
	ck_assert_int_eq(policy_verdict_from_string("dry-run", &v), -EINVAL);
	ck_assert_int_eq(v, POLICY_DENY);
	ck_assert_int_eq(policy_verdict_from_string(NULL, &v), -EINVAL);
	/* A corrupted value reads as the safe side. */
	ck_assert_str_eq(policy_verdict_to_string((enum policy_verdict)42), "deny");
}
END_TEST

START_TEST(free_accepts_null)
{
	policy_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy-load");
	TCase *corpus = tcase_create("corpus"), *files = tcase_create("files");
	TCase *api = tcase_create("api");

	test_add_dir_fixture(corpus);
	tcase_add_test(corpus, corpora_are_not_empty);
	tcase_add_loop_test(corpus, good_corpus_case_loads, 0, (int)good.n);
	tcase_add_loop_test(corpus, bad_corpus_case_fails_with_every_error, 0, (int)bad.n);
	tcase_add_test(corpus, shipped_pack_loads);
	suite_add_tcase(s, corpus);

	test_add_dir_fixture(files);
	tcase_add_test(files, group_writable_file_is_refused);
	tcase_add_test(files, other_writable_file_is_refused);
	tcase_add_test(files, other_writable_dir_is_refused);
	tcase_add_test(files, sticky_world_writable_dir_is_refused);
	tcase_add_test(files, file_of_another_user_is_refused);
	tcase_add_test(files, dir_of_another_user_is_refused);
	tcase_add_test(files, owner_and_mode_are_both_reported);
	tcase_add_test(files, refusal_and_content_errors_are_all_reported);
	tcase_add_test(files, symlink_is_refused);
	tcase_add_test(files, fifo_is_refused_without_blocking);
	tcase_add_test(files, directory_named_json_is_refused);
	tcase_add_test(files, file_over_one_mib_is_refused);
	tcase_add_test(files, empty_dir_is_an_error);
	tcase_add_test(files, only_json_files_count);
	tcase_add_test(files, missing_dir_is_enoent);
	tcase_add_test(files, file_instead_of_dir_is_enotdir);
	tcase_add_test(files, trailing_slash_of_dir_is_not_doubled);
	tcase_add_test(files, revision_is_stable_and_follows_content);
	tcase_add_test(files, revision_does_not_depend_on_the_directory);
	tcase_add_test(files, files_load_in_name_order);
	tcase_add_test(files, explicit_files_load_in_the_given_order);
	tcase_add_test(files, explicit_files_report_their_paths);
	tcase_add_test(files, default_is_read_from_any_file);
	suite_add_tcase(s, files);

	test_add_dir_fixture(api);
	tcase_add_test(api, no_explicit_files_is_an_error);
	tcase_add_test(api, errors_append_and_clear);
	tcase_add_test(api, verdict_names_round_trip);
	tcase_add_test(api, free_accepts_null);
	suite_add_tcase(s, api);
	return s;
}

int main(void)
{
	const char *root = getenv("GUARD_SOURCE_ROOT");
	char *good_dir = NULL, *bad_dir = NULL;
	int r;

	if (!root || asprintf(&good_dir, "%s/tests/corpus/policy/good", root) < 0 ||
	    asprintf(&bad_dir, "%s/tests/corpus/policy/bad", root) < 0 ||
	    !test_corpus_list(good_dir, ".json", ".d", &good) ||
	    !test_corpus_list(bad_dir, ".json", ".d", &bad)) {
		fprintf(stderr,
			"cannot list the corpus: set GUARD_SOURCE_ROOT (meson test does)\n");
		return EXIT_FAILURE;
	}
	free(good_dir);
	free(bad_dir);
	r = test_run(suite());
	test_corpus_free(&good);
	test_corpus_free(&bad);
	return r;
}
