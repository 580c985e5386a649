/* policy-util.c: the helpers the policy unit tests share (see policy-util.h). */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy-util.h"

#define CASE_DIR_TEMPLATE "/tmp/guard-test-policy-XXXXXX"

/* The test case's directory holds its tests' directories. The runner makes and removes
 * it in its own process (an unchecked fixture), so it goes even when a forked test
 * exits at a failed assertion or is killed, where a checked teardown never runs. */
static char case_dir[] = CASE_DIR_TEMPLATE;
char test_dir[sizeof(CASE_DIR_TEMPLATE "/XXXXXX")];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void case_dir_setup(void)
{
	strcpy(case_dir, CASE_DIR_TEMPLATE);
	ck_assert_ptr_nonnull(mkdtemp(case_dir));
}

static void case_dir_teardown(void)
{
	remove_tree(case_dir);
}

static void test_dir_setup(void)
{
	snprintf(test_dir, sizeof(test_dir), "%s/XXXXXX", case_dir);
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
	ck_assert_int_eq(chmod(test_dir, 0755), 0);
}

static void test_dir_teardown(void)
{
	/* A test may have given it another mode or owner. */
	chmod(test_dir, 0700);
	remove_tree(test_dir);
}

void test_add_dir_fixture(TCase *tc)
{
	tcase_add_unchecked_fixture(tc, case_dir_setup, case_dir_teardown);
	tcase_add_checked_fixture(tc, test_dir_setup, test_dir_teardown);
}

int test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *test_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

char *test_source_path(const char *rel)
{
	const char *root = getenv("GUARD_SOURCE_ROOT");

	ck_assert_msg(root, "GUARD_SOURCE_ROOT is not set (run the tests with meson test)");
	return test_xasprintf("%s/%s", root, rel);
}

void test_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "cannot create %s", path);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

void test_write_policy(const char *name, const char *text)
{
	char *json = strdup(text), *file = test_xasprintf("%s/%s", test_dir, name);

	ck_assert_ptr_nonnull(json);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	test_write_file(file, json, 0644);
	free(file);
	free(json);
}

struct policy *test_load(const char *dir)
{
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r = policy_load_dir(dir, &errs, &p);

	ck_assert_msg(r == 0, "loading failed (%d): %s", r, errs.n ? errs.lines[0] : "");
	policy_errors_clear(&errs);
	return p;
}

time_t test_utc(const char *s)
{
	struct tm tm = {0};

	ck_assert_int_eq(sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec),
			 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

bool test_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool test_corpus_list(const char *dir, const char *suffix1, const char *suffix2,
		      struct test_corpus *ret)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		char **names;

		if (de->d_name[0] == '.' || !(test_has_suffix(de->d_name, suffix1) ||
					      (suffix2 && test_has_suffix(de->d_name, suffix2))))
			continue;
		names = realloc(ret->names, (ret->n + 1) * sizeof(*ret->names));
		if (!names || !(names[ret->n] = strdup(de->d_name))) {
			ret->names = names;
			closedir(d);
			return false;
		}
		ret->names = names;
		ret->n++;
	}
	closedir(d);
	if (ret->n > 1)
		qsort(ret->names, ret->n, sizeof(*ret->names), compare_names);
	return true;
}

void test_corpus_free(struct test_corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	*c = (struct test_corpus){0};
}
