/* test-recent.c: the registry of allowed decisions awaiting their completion:
 * one take per id and uid, eviction of the oldest, aging, and an index that stays
 * right under churn (checked against a plain list on a table small enough for
 * every probe sequence to collide). */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recent.h"

#define WEEK RECENT_MAX_AGE_SEC

static struct recent *r;

static void teardown(void)
{
	recent_free(r);
	r = NULL;
}

/* A valid id from two numbers: ids with the same hi share their first 16 hex
 * digits, the part the index hashes, so they collide. */
static const char *id_of(unsigned lo, unsigned hi)
{
	static char buf[4][33];
	static int k;
	char *s = buf[k++ % 4];
	snprintf(s, 33, "%016x%016x", hi, lo);
	return s;
}

START_TEST(take_returns_what_was_added)
{
	ck_assert_int_eq(recent_new(16, WEEK, &r), 0);
	ck_assert_int_eq(recent_add(r, id_of(1, 1), 1000, 42, 100), 0);
	ck_assert_uint_eq(recent_count(r), 1);
	struct recent_entry e;
	ck_assert_int_eq(recent_take(r, id_of(1, 1), 1000, 101, &e), 0);
	ck_assert_int_eq(e.uid, 1000);
	ck_assert_int_eq(e.pid, 42);
	ck_assert_int_eq(e.added, 100);
	ck_assert_uint_eq(recent_count(r), 0);
}
END_TEST

START_TEST(an_id_is_taken_once)
{
	ck_assert_int_eq(recent_new(16, WEEK, &r), 0);
	ck_assert_int_eq(recent_add(r, id_of(1, 1), 0, 1, 0), 0);
	ck_assert_int_eq(recent_take(r, id_of(1, 1), 0, 0, NULL), 0);
	ck_assert_int_eq(recent_take(r, id_of(1, 1), 0, 0, NULL), -ENOENT);
}
END_TEST

START_TEST(another_uid_is_refused_and_the_entry_stays)
{
	ck_assert_int_eq(recent_new(16, WEEK, &r), 0);
	ck_assert_int_eq(recent_add(r, id_of(7, 7), 1000, 1, 0), 0);
	ck_assert_int_eq(recent_take(r, id_of(7, 7), 65534, 0, NULL), -EPERM);
	ck_assert_int_eq(recent_take(r, id_of(7, 7), 0, 0, NULL), -EPERM);
	ck_assert_uint_eq(recent_count(r), 1);
	ck_assert_int_eq(recent_take(r, id_of(7, 7), 1000, 0, NULL), 0);
}
END_TEST

START_TEST(unknown_and_malformed_ids)
{
	ck_assert_int_eq(recent_new(16, WEEK, &r), 0);
	ck_assert_int_eq(recent_add(r, id_of(1, 1), 0, 1, 0), 0);
	ck_assert_int_eq(recent_take(r, id_of(2, 1), 0, 0, NULL), -ENOENT);
	static const char *const bad[] = {
		"",
		"abc",
		"0000000000000001000000000000000",
		"00000000000000010000000000000001a",
		"0000000000000001000000000000000G",
		"0000000000000001000000000000000A",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(recent_add(r, bad[i], 0, 1, 0), -EINVAL);
		ck_assert_int_eq(recent_take(r, bad[i], 0, 0, NULL), -ENOENT);
	}
	ck_assert_int_eq(recent_add(r, NULL, 0, 1, 0), -EINVAL);
	ck_assert_uint_eq(recent_count(r), 1);
}
END_TEST

START_TEST(the_oldest_goes_when_full)
{
	ck_assert_int_eq(recent_new(4, WEEK, &r), 0);
	for (unsigned i = 1; i <= 6; i++)
		ck_assert_int_eq(recent_add(r, id_of(i, 0), 0, 1, i), 0);
	ck_assert_uint_eq(recent_count(r), 4);
	ck_assert_int_eq(recent_take(r, id_of(1, 0), 0, 7, NULL), -ENOENT);
	ck_assert_int_eq(recent_take(r, id_of(2, 0), 0, 7, NULL), -ENOENT);
	for (unsigned i = 3; i <= 6; i++)
		ck_assert_int_eq(recent_take(r, id_of(i, 0), 0, 7, NULL), 0);
}
END_TEST

START_TEST(too_old_is_forgotten)
{
	ck_assert_int_eq(recent_new(16, 10, &r), 0);
	ck_assert_int_eq(recent_add(r, id_of(1, 0), 0, 1, 100), 0);
	ck_assert_int_eq(recent_add(r, id_of(2, 0), 0, 1, 100), 0);
	ck_assert_int_eq(recent_take(r, id_of(1, 0), 0, 110, NULL), 0);
	ck_assert_int_eq(recent_take(r, id_of(2, 0), 0, 111, NULL), -ENOENT);
	ck_assert_uint_eq(recent_count(r), 0);
}
END_TEST

START_TEST(too_old_is_evicted_when_adding)
{
	ck_assert_int_eq(recent_new(16, 10, &r), 0);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_int_eq(recent_add(r, id_of(i, 0), 0, 1, 100 + i), 0);
	ck_assert_int_eq(recent_add(r, id_of(99, 0), 0, 1, 112), 0);
	/* 100, 101 are older than 10 s at 112; 102..104 and the new one stay. */
	ck_assert_uint_eq(recent_count(r), 4);
	ck_assert_int_eq(recent_take(r, id_of(2, 0), 0, 112, NULL), 0);
}
END_TEST

START_TEST(adding_an_id_again_keeps_the_newest)
{
	ck_assert_int_eq(recent_new(2, WEEK, &r), 0);
	ck_assert_int_eq(recent_add(r, id_of(1, 0), 1, 1, 0), 0);
	ck_assert_int_eq(recent_add(r, id_of(1, 0), 2, 1, 0), 0);
	ck_assert_uint_eq(recent_count(r), 1);
	/* Full: the first (stale) ring entry goes, and must not take the live one. */
	ck_assert_int_eq(recent_add(r, id_of(3, 0), 3, 1, 0), 0);
	ck_assert_int_eq(recent_take(r, id_of(1, 0), 2, 0, NULL), 0);
}
END_TEST

START_TEST(rejects_a_zero_size)
{
	ck_assert_int_eq(recent_new(0, WEEK, &r), -EINVAL);
	ck_assert_ptr_null(r);
}
END_TEST

/* A list of what was added, in order; present = among the last max added, not
 * taken. Ids differ only in their low half half the time, so they collide. */
START_TEST(churn_matches_a_plain_list)
{
	enum { MAX = 8, OPS = 200000, IDS = 64 };
	ck_assert_int_eq(recent_new(MAX, WEEK, &r), 0);
	long last_added[IDS];
	bool taken[IDS];
	for (int i = 0; i < IDS; i++) {
		last_added[i] = -1;
		taken[i] = false;
	}
	long adds = 0;
	srand(12345);
	for (long op = 0; op < OPS; op++) {
		int i = rand() % IDS;
		const char *id = id_of((unsigned)i, (unsigned)(i % 2 ? i : 0) << 4);
		if (rand() % 2) {
			ck_assert_int_eq(recent_add(r, id, (uid_t)i, 1, 0), 0);
			last_added[i] = adds++;
			taken[i] = false;
			continue;
		}
		bool present = last_added[i] >= 0 && last_added[i] >= adds - MAX && !taken[i];
		int got = recent_take(r, id, (uid_t)i, 0, NULL);
		ck_assert_msg(got == (present ? 0 : -ENOENT), "op %ld id %d: %d", op, i, got);
		if (present)
			taken[i] = true;
	}
	size_t n = 0;
	for (int i = 0; i < IDS; i++)
		n += last_added[i] >= adds - MAX && last_added[i] >= 0 && !taken[i];
	ck_assert_uint_eq(recent_count(r), n);
}
END_TEST

START_TEST(full_size_registry_holds_its_maximum)
{
	ck_assert_int_eq(recent_new(RECENT_MAX, WEEK, &r), 0);
	for (unsigned i = 0; i < RECENT_MAX + 10; i++)
		ck_assert_int_eq(recent_add(r, id_of(i * 2654435761u, i), 0, 1, 0), 0);
	ck_assert_uint_eq(recent_count(r), RECENT_MAX);
	ck_assert_int_eq(recent_take(r, id_of(9 * 2654435761u, 9), 0, 0, NULL), -ENOENT);
	ck_assert_int_eq(recent_take(r, id_of(10 * 2654435761u, 10), 0, 0, NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("recent");
	TCase *tc = tcase_create("registry");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, take_returns_what_was_added);
	tcase_add_test(tc, an_id_is_taken_once);
	tcase_add_test(tc, another_uid_is_refused_and_the_entry_stays);
	tcase_add_test(tc, unknown_and_malformed_ids);
	tcase_add_test(tc, the_oldest_goes_when_full);
	tcase_add_test(tc, too_old_is_forgotten);
	tcase_add_test(tc, too_old_is_evicted_when_adding);
	tcase_add_test(tc, adding_an_id_again_keeps_the_newest);
	tcase_add_test(tc, rejects_a_zero_size);
	tcase_add_test(tc, churn_matches_a_plain_list);
	tcase_add_test(tc, full_size_registry_holds_its_maximum);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
