/* test-settings.c: guardd's configuration file: the good and bad corpora in
 * tests/corpus/settings, every key reaching its field, refusals by owner, mode, type
 * and size, and the redaction list the command line adds to. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy-util.h"
#include "settings.h"

static struct test_corpus good, bad;

/* What guardd starts from before it reads a file: the values a file must leave alone. */
static const struct manager_config defaults = {
	.socket_path = "/default/guard.sock",
	.policy_dir = "/default/rules.d",
	.audit_path = "/default/decisions.jsonl",
	.sync = AUDIT_SYNC_ALWAYS,
	.max_conns = 1024,
	.max_conns_per_uid = 64,
	.idle_timeout = 30.0,
};

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0;

	ck_assert_msg(f, "cannot open %s", path);
	if (getdelim(&s, &n, '\0', f) < 0) {
		ck_assert(feof(f));
		free(s);
		s = strdup("");
	}
	fclose(f);
	return s;
}

/* test_dir/name with text, written with ' for " to keep the tests readable; its path. */
static char *write_config(const char *name, const char *text, mode_t mode)
{
	char *json = strdup(text), *file = test_xasprintf("%s/%s", test_dir, name);

	ck_assert_ptr_nonnull(json);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	test_write_file(file, json, mode);
	free(json);
	return file;
}

/* The error lines, each ending in "\n", with path written as FILE. */
static char *errors_text(const struct settings *s, const char *path)
{
	size_t n, len = strlen(path);
	const char *const *lines = settings_errors(s, &n);
	char *text = strdup("");

	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		char *next;

		if (strncmp(l, path, len) == 0)
			next = test_xasprintf("%sFILE%s\n", text, l + len);
		else
			next = test_xasprintf("%s%s\n", text, l);
		free(text);
		text = next;
	}
	return text;
}

/* Loads path onto the defaults and expects failure r with exactly the lines want, and
 * the configuration untouched. */
static void expect_fails(const char *path, int r, const char *want)
{
	struct manager_config cfg = defaults;
	struct settings *s;
	char *got;

	ck_assert_int_eq(settings_new(&s), 0);
	ck_assert_int_eq(settings_load(s, path, &cfg), r);
	ck_assert_mem_eq(&cfg, &defaults, sizeof(cfg));
	got = errors_text(s, path);
	ck_assert_msg(strcmp(got, want) == 0, "errors differ.\n--- want:\n%s--- got:\n%s", want,
		      got);
	free(got);
	settings_free(s);
}

/* Loads path onto the defaults, which must succeed; the caller frees *s. */
static struct manager_config load_ok(const char *path, struct settings **s)
{
	struct manager_config cfg = defaults;
	int r;

	ck_assert_int_eq(settings_new(s), 0);
	r = settings_load(*s, path, &cfg);
	if (r != 0) {
		char *text = errors_text(*s, path);

		ck_abort_msg("loading %s failed (%d):\n%s", path, r, text);
	}
	return cfg;
}

/* Copies corpus file dir/name to test_dir with mode 0644, whatever the checkout's
 * umask made of it; its new path. */
static char *copy_case(const char *dir, const char *name)
{
	char *from = test_xasprintf("%s/%s", dir, name);
	char *to = test_xasprintf("%s/%s", test_dir, name);
	char *text = read_text(from);

	test_write_file(to, text, 0644);
	free(text);
	free(from);
	return to;
}

START_TEST(corpora_are_not_empty)
{
	ck_assert_uint_ge(good.n, 3);
	ck_assert_uint_ge(bad.n, 10);
}
END_TEST

START_TEST(good_corpus_case_loads)
{
	char *dir = test_source_path("tests/corpus/settings/good");
	char *path = copy_case(dir, good.names[_i]);
	struct settings *s;

	load_ok(path, &s);
	settings_free(s);
	free(path);
	free(dir);
}
END_TEST

START_TEST(bad_corpus_case_fails_with_every_error)
{
	char *dir = test_source_path("tests/corpus/settings/bad");
	const char *name = bad.names[_i];
	char *path = copy_case(dir, name);
	char *err = test_xasprintf("%s/%.*s.err", dir, (int)(strlen(name) - 5), name);
	char *want = read_text(err);

	expect_fails(path, -EINVAL, want);
	free(want);
	free(err);
	free(path);
	free(dir);
}
END_TEST

START_TEST(every_key_sets_its_field)
{
	char *path = write_config("guardd.json",
				  "{ 'policy': '/p', 'socket': '/s.sock', 'audit_log': '/a.jsonl',"
				  "  'sync': 'none', 'syslog': true, 'syslog_socket': '/l.sock',"
				  "  'redact': ['one', 'two+'], 'max_connections': 7,"
				  "  'max_connections_per_uid': 3, 'idle_timeout': 1.5,"
				  "  'admin_group': 'wheel', 'seccomp': 'kill' }",
				  0644);
	struct settings *s;
	struct manager_config cfg = load_ok(path, &s);

	ck_assert_str_eq(cfg.policy_dir, "/p");
	ck_assert_str_eq(cfg.socket_path, "/s.sock");
	ck_assert_str_eq(cfg.audit_path, "/a.jsonl");
	ck_assert_int_eq(cfg.sync, AUDIT_SYNC_NONE);
	ck_assert(cfg.syslog);
	ck_assert_str_eq(cfg.syslog_socket, "/l.sock");
	ck_assert_uint_eq(cfg.n_redact, 2);
	ck_assert_str_eq(cfg.redact[0], "one");
	ck_assert_str_eq(cfg.redact[1], "two+");
	ck_assert_uint_eq(cfg.max_conns, 7);
	ck_assert_uint_eq(cfg.max_conns_per_uid, 3);
	ck_assert_double_eq(cfg.idle_timeout, 1.5);
	ck_assert_str_eq(cfg.admin_group, "wheel");
	ck_assert_int_eq(cfg.seccomp, SANDBOX_KILL);
	settings_free(s);
	free(path);
}
END_TEST

START_TEST(break_glass_keys_set_their_fields)
{
	char *path = write_config("guardd.json",
				  "{ 'spool_dir': '/var/spool/bg', 'break_glass': false,"
				  "  'break_glass_deny_users': ['nobody', 1000, '1001'] }",
				  0644);
	struct settings *s;
	struct manager_config cfg = load_ok(path, &s);

	ck_assert_str_eq(cfg.spool_dir, "/var/spool/bg");
	ck_assert(cfg.no_break_glass);
	ck_assert_uint_eq(cfg.n_break_glass_deny, 3);
	ck_assert_str_eq(cfg.break_glass_deny[0], "nobody");
	ck_assert_str_eq(cfg.break_glass_deny[1], "1000");
	ck_assert_str_eq(cfg.break_glass_deny[2], "1001");
	settings_free(s);
	free(path);
}
END_TEST

START_TEST(keys_not_given_keep_their_values)
{
	char *path = write_config("guardd.json", "{ 'sync': 'none' }", 0644);
	struct settings *s;
	struct manager_config cfg = load_ok(path, &s), want = defaults;

	want.sync = AUDIT_SYNC_NONE;
	ck_assert_mem_eq(&cfg, &want, sizeof(cfg));
	settings_free(s);
	free(path);
}
END_TEST

START_TEST(syslog_false_and_sync_always_override)
{
	char *path = write_config("guardd.json", "{ 'sync': 'always', 'syslog': false }", 0644);
	struct manager_config cfg = defaults;
	struct settings *s;

	cfg.sync = AUDIT_SYNC_NONE;
	cfg.syslog = true;
	ck_assert_int_eq(settings_new(&s), 0);
	ck_assert_int_eq(settings_load(s, path, &cfg), 0);
	ck_assert_int_eq(cfg.sync, AUDIT_SYNC_ALWAYS);
	ck_assert(!cfg.syslog);
	settings_free(s);
	free(path);
}
END_TEST

START_TEST(group_writable_file_is_refused)
{
	char *path = write_config("guardd.json", "{}", 0664);

	expect_fails(path, -EPERM, "FILE: writable by group or others (mode 0664); refusing it\n");
	free(path);
}
END_TEST

START_TEST(other_writable_file_is_refused)
{
	char *path = write_config("guardd.json", "{}", 0602);

	expect_fails(path, -EPERM, "FILE: writable by group or others (mode 0602); refusing it\n");
	free(path);
}
END_TEST

START_TEST(refusal_comes_before_the_contents)
{
	/* A file others may write is not read at all: its errors would be theirs. */
	char *path = write_config("guardd.json", "{ 'nonsense': 1 }", 0666);

	expect_fails(path, -EPERM, "FILE: writable by group or others (mode 0666); refusing it\n");
	free(path);
}
END_TEST

START_TEST(file_of_another_user_is_refused)
{
	char *path = write_config("guardd.json", "{}", 0644);

	if (geteuid() != 0) {
		printf("file_of_another_user_is_refused: skipped, needs root to chown\n");
		free(path);
		return;
	}
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	expect_fails(path, -EPERM, "FILE: owned by uid 65534, not by root; refusing it\n");
	free(path);
}
END_TEST

START_TEST(owner_and_mode_are_both_reported)
{
	char *path = write_config("guardd.json", "{}", 0646);

	if (geteuid() != 0) {
		printf("owner_and_mode_are_both_reported: skipped, needs root to chown\n");
		free(path);
		return;
	}
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	expect_fails(path, -EPERM,
		     "FILE: owned by uid 65534, not by root; refusing it\n"
		     "FILE: writable by group or others (mode 0646); refusing it\n");
	free(path);
}
END_TEST

START_TEST(fifo_is_refused_without_blocking)
{
	char *path = test_xasprintf("%s/guardd.json", test_dir);

	ck_assert_int_eq(mkfifo(path, 0644), 0);
	expect_fails(path, -EPERM, "FILE: not a regular file; refusing it\n");
	free(path);
}
END_TEST

START_TEST(directory_is_refused)
{
	expect_fails(test_dir, -EPERM, "FILE: not a regular file; refusing it\n");
}
END_TEST

START_TEST(missing_file_is_enoent)
{
	char *path = test_xasprintf("%s/none.json", test_dir);

	expect_fails(path, -ENOENT, "FILE: No such file or directory\n");
	free(path);
}
END_TEST

START_TEST(file_over_64_kib_is_refused)
{
	size_t n = SETTINGS_FILE_MAX + 1;
	char *text = malloc(n + 1), *path;

	ck_assert_ptr_nonnull(text);
	memset(text, ' ', n);
	text[0] = '{';
	text[n - 1] = '}';
	text[n] = '\0';
	path = write_config("guardd.json", text, 0644);
	expect_fails(path, -EINVAL, "FILE: larger than 64 KiB (65537 bytes); refusing it\n");
	free(path);
	free(text);
}
END_TEST

START_TEST(file_of_exactly_64_kib_loads)
{
	size_t n = SETTINGS_FILE_MAX;
	char *text = malloc(n + 1), *path;
	struct settings *s;

	ck_assert_ptr_nonnull(text);
	memset(text, ' ', n);
	text[0] = '{';
	text[n - 1] = '}';
	text[n] = '\0';
	path = write_config("guardd.json", text, 0644);
	load_ok(path, &s);
	settings_free(s);
	free(path);
	free(text);
}
END_TEST

START_TEST(symlink_is_followed_and_its_target_checked)
{
	char *target = write_config("real.json", "{ 'sync': 'none' }", 0644);
	char *link = test_xasprintf("%s/guardd.json", test_dir);
	struct settings *s;
	struct manager_config cfg;

	ck_assert_int_eq(symlink(target, link), 0);
	cfg = load_ok(link, &s);
	ck_assert_int_eq(cfg.sync, AUDIT_SYNC_NONE);
	settings_free(s);
	ck_assert_int_eq(chmod(target, 0664), 0);
	expect_fails(link, -EPERM, "FILE: writable by group or others (mode 0664); refusing it\n");
	free(link);
	free(target);
}
END_TEST

START_TEST(too_many_patterns_in_the_file)
{
	char *text = strdup("{ 'redact': ['p'"), *path;

	for (int i = 1; i < SETTINGS_REDACT_MAX + 1; i++) {
		char *next = test_xasprintf("%s, 'p'", text);

		free(text);
		text = next;
	}
	path = test_xasprintf("%s ] }", text);
	free(text);
	text = path;
	path = write_config("guardd.json", text, 0644);
	expect_fails(path, -EINVAL, "FILE: redact: more than 256 patterns\n");
	free(text);
	free(path);
}
END_TEST

START_TEST(long_strings_are_quoted_and_cut)
{
	char long_re[SETTINGS_REGEX_MAX + 2], cut[123];
	char *text, *path, *want;

	memset(long_re, 'a', sizeof(long_re) - 1);
	long_re[sizeof(long_re) - 1] = '\0';
	/* 128 bytes in all: the quotes, "...", the NUL and 122 of the string. */
	memset(cut, 'a', sizeof(cut) - 1);
	cut[sizeof(cut) - 1] = '\0';
	text = test_xasprintf("{ 'redact': ['%s'], '%s': 1 }", long_re, long_re);
	path = write_config("guardd.json", text, 0644);
	want = test_xasprintf(
		"FILE: redact[0]: invalid regex \"%s\"...: longer than 1024 bytes\n"
		"FILE: unknown key \"%s\"... (valid: policy, socket, audit_log, sync, "
		"syslog, syslog_socket, redact, max_connections, "
		"max_connections_per_uid, idle_timeout, admin_group, spool_dir, state_dir, "
		"break_glass, break_glass_deny_users, seccomp)\n",
		cut, cut);
	expect_fails(path, -EINVAL, want);
	free(want);
	free(path);
	free(text);
}
END_TEST

START_TEST(quoting_does_not_split_a_character)
{
	/* 'é' is two bytes; the cut must fall before it or after it, never inside, wherever
	 * the characters start (here after one byte). */
	char key[200] = "x", *text, *path;
	struct settings *s;
	struct manager_config cfg = defaults;
	size_t n;

	for (int i = 0; i < 90; i++)
		strcat(key, "\xc3\xa9");
	text = test_xasprintf("{ '%s': 1 }", key);
	path = write_config("guardd.json", text, 0644);
	ck_assert_int_eq(settings_new(&s), 0);
	ck_assert_int_eq(settings_load(s, path, &cfg), -EINVAL);
	const char *line = settings_errors(s, &n)[0];
	const char *cut = strstr(line, "\"...");

	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(cut);
	ck_assert_msg((unsigned char)cut[-1] == 0xa9, "cut inside a character: %s", line);
	settings_free(s);
	free(path);
	free(text);
}
END_TEST

START_TEST(command_line_patterns_follow_the_file)
{
	char *path = write_config("guardd.json", "{ 'redact': ['a', 'b'] }", 0644);
	struct settings *s;
	struct manager_config cfg = load_ok(path, &s);

	ck_assert_int_eq(settings_add_redact(s, &cfg, "c"), 0);
	ck_assert_int_eq(settings_add_redact(s, &cfg, "d|e"), 0);
	ck_assert_uint_eq(cfg.n_redact, 4);
	ck_assert_str_eq(cfg.redact[0], "a");
	ck_assert_str_eq(cfg.redact[1], "b");
	ck_assert_str_eq(cfg.redact[2], "c");
	ck_assert_str_eq(cfg.redact[3], "d|e");
	settings_free(s);
	free(path);
}
END_TEST

START_TEST(command_line_patterns_without_a_file)
{
	struct manager_config cfg = defaults;
	struct settings *s;

	ck_assert_int_eq(settings_new(&s), 0);
	ck_assert_int_eq(settings_add_redact(s, &cfg, "x+"), 0);
	ck_assert_uint_eq(cfg.n_redact, 1);
	ck_assert_str_eq(cfg.redact[0], "x+");
	settings_free(s);
}
END_TEST

START_TEST(bad_or_too_many_command_line_patterns_are_refused)
{
	struct manager_config cfg = defaults, before;
	struct settings *s;

	ck_assert_int_eq(settings_new(&s), 0);
	ck_assert_int_eq(settings_add_redact(s, &cfg, "("), -EINVAL);
	ck_assert_mem_eq(&cfg, &defaults, sizeof(cfg));
	for (int i = 0; i < SETTINGS_REDACT_MAX; i++)
		ck_assert_int_eq(settings_add_redact(s, &cfg, "p"), 0);
	before = cfg;
	ck_assert_int_eq(settings_add_redact(s, &cfg, "p"), -EINVAL);
	ck_assert_mem_eq(&cfg, &before, sizeof(cfg));
	settings_free(s);
}
END_TEST

static const struct {
	const char *pattern;
	const char *problem; /* NULL: accepted; else the start of why not */
} regexes[] = {
	{"--password=[^ ]*", NULL},
	{"(^|[[:space:]])-p[^ ]+", NULL},
	{"[\\1]", NULL}, /* '\' is plain inside brackets: no back-reference */
	{"[[:alpha:]\\]\\1", "back-references"},
	{"x\\\\1", NULL}, /* an escaped '\' then '1' */
	{"", "an empty pattern"},
	{"(a)\\1", "back-references"},
	{"(", "Unmatched ( or \\("},
	{"a{1", "Unmatched \\{"},
};

START_TEST(regex_problems)
{
	char buf[256];
	const char *got = settings_regex_problem(regexes[_i].pattern, buf, sizeof(buf));
	const char *want = regexes[_i].problem;

	if (!want)
		ck_assert_msg(!got, "%s refused: %s", regexes[_i].pattern, got);
	else
		ck_assert_msg(got && strncmp(got, want, strlen(want)) == 0,
			      "%s: want \"%s...\", got \"%s\"", regexes[_i].pattern, want,
			      got ? got : "(accepted)");
}
END_TEST

START_TEST(regex_length_limit)
{
	char re[SETTINGS_REGEX_MAX + 2], buf[256];

	memset(re, 'a', SETTINGS_REGEX_MAX);
	re[SETTINGS_REGEX_MAX] = '\0';
	ck_assert_ptr_null(settings_regex_problem(re, buf, sizeof(buf)));
	strcat(re, "a");
	ck_assert_str_eq(settings_regex_problem(re, buf, sizeof(buf)), "longer than 1024 bytes");
}
END_TEST

START_TEST(free_accepts_null)
{
	settings_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("settings");
	TCase *corpus = tcase_create("corpus"), *file = tcase_create("file");
	TCase *redact = tcase_create("redact");

	test_add_dir_fixture(corpus);
	tcase_add_test(corpus, corpora_are_not_empty);
	tcase_add_loop_test(corpus, good_corpus_case_loads, 0, (int)good.n);
	tcase_add_loop_test(corpus, bad_corpus_case_fails_with_every_error, 0, (int)bad.n);
	suite_add_tcase(s, corpus);

	test_add_dir_fixture(file);
	tcase_add_test(file, every_key_sets_its_field);
	tcase_add_test(file, break_glass_keys_set_their_fields);
	tcase_add_test(file, keys_not_given_keep_their_values);
	tcase_add_test(file, syslog_false_and_sync_always_override);
	tcase_add_test(file, group_writable_file_is_refused);
	tcase_add_test(file, other_writable_file_is_refused);
	tcase_add_test(file, refusal_comes_before_the_contents);
	tcase_add_test(file, file_of_another_user_is_refused);
	tcase_add_test(file, owner_and_mode_are_both_reported);
	tcase_add_test(file, fifo_is_refused_without_blocking);
	tcase_add_test(file, directory_is_refused);
	tcase_add_test(file, missing_file_is_enoent);
	tcase_add_test(file, file_over_64_kib_is_refused);
	tcase_add_test(file, file_of_exactly_64_kib_loads);
	tcase_add_test(file, symlink_is_followed_and_its_target_checked);
	tcase_add_test(file, too_many_patterns_in_the_file);
	tcase_add_test(file, long_strings_are_quoted_and_cut);
	tcase_add_test(file, quoting_does_not_split_a_character);
	suite_add_tcase(s, file);

	test_add_dir_fixture(redact);
	tcase_add_test(redact, command_line_patterns_follow_the_file);
	tcase_add_test(redact, command_line_patterns_without_a_file);
	tcase_add_test(redact, bad_or_too_many_command_line_patterns_are_refused);
	tcase_add_loop_test(redact, regex_problems, 0, (int)(sizeof(regexes) / sizeof(regexes[0])));
	tcase_add_test(redact, regex_length_limit);
	tcase_add_test(redact, free_accepts_null);
	suite_add_tcase(s, redact);
	return s;
}

int main(void)
{
	const char *root = getenv("GUARD_SOURCE_ROOT");
	char *good_dir = NULL, *bad_dir = NULL;
	int r;

	if (!root || asprintf(&good_dir, "%s/tests/corpus/settings/good", root) < 0 ||
	    asprintf(&bad_dir, "%s/tests/corpus/settings/bad", root) < 0 ||
	    !test_corpus_list(good_dir, ".json", NULL, &good) ||
	    !test_corpus_list(bad_dir, ".json", NULL, &bad)) {
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
