/* policy-util.h: what the policy unit tests share: a fresh directory for each test,
 * policy files written and loaded there, and small helpers that fail the test instead
 * of returning an error. */
#ifndef GUARD_TESTS_POLICY_UTIL_H
#define GUARD_TESTS_POLICY_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "guard/policy.h"

/* The running test's directory (mode 0755, owned by us). */
extern char test_dir[];

/* Gives each test of tc a fresh test_dir. It is removed after the test, and whatever
 * a test that failed, crashed or timed out before its teardown left behind goes with
 * the directory of tc, which the runner itself removes after the last test of tc. */
void test_add_dir_fixture(TCase *tc);

/* Runs the tests of s (each in a child of its own unless CK_FORK=no) and frees it; the
 * exit status for meson. */
int test_run(Suite *s);

/* asprintf(), failing the test when it cannot; the caller frees the string. */
char *test_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* $GUARD_SOURCE_ROOT/rel; the caller frees it. */
char *test_source_path(const char *rel);

/* Creates or replaces path with text, and gives it mode (whatever the umask). */
void test_write_file(const char *path, const char *text, mode_t mode);

/* Writes test_dir/name, mode 0644, from text written with ' for " to keep the tests'
 * JSON readable. */
void test_write_policy(const char *name, const char *text);

/* The policy in dir, which must load; the caller frees it with policy_free(). */
struct policy *test_load(const char *dir);

/* "YYYY-MM-DD HH:MM:SS" in UTC. */
time_t test_utc(const char *s);

/* Whether s ends in suffix (and is longer than it). */
bool test_has_suffix(const char *s, const char *suffix);

/* The cases of a corpus directory: the names of its entries, sorted. */
struct test_corpus {
	char **names;
	size_t n;
};

/* Lists the names in dir (not starting with '.') that end in suffix1 or, when not
 * NULL, suffix2, sorted. Without Check's asserts, so that main() may call it before
 * any test runs: false when dir cannot be read or memory runs out. */
bool test_corpus_list(const char *dir, const char *suffix1, const char *suffix2,
		      struct test_corpus *ret);
void test_corpus_free(struct test_corpus *c);

#endif
