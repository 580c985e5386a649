/* test-spool-entry.c: the break-glass spool's entries as guardd parses them: the
 * format guard writes is taken, and everything else (bad JSON, unknown keys, wrong
 * types, a bad reason, a bad id or time, too large) is refused with a reason; file
 * names say which files are entries. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spool-entry.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define ID   "0123456789abcdef0123456789abcdef"
#define REQ  "\"request\":{\"argv\":[\"rm\",\"-rf\",\"/\"],\"cwd\":\"/\"}"

static int parse(const char *text, struct spool_entry *e, char *why, size_t size)
{
	return spool_entry_parse(text, strlen(text), e, why, size);
}

START_TEST(guards_entry_is_taken)
{
	struct spool_entry e;
	char why[160] = "";
	const char *text = "{\"version\":1,\"spool_id\":\"" ID "\",\"ts\":\"2026-11-25T08:46:03."
			   "123456Z\",\"pid\":4242,\"uid\":1000,\"user\":\"alice\",\"reason\":"
			   "\"INC-1: disk full\"," REQ "}";

	ck_assert_int_eq(parse(text, &e, why, sizeof(why)), 0);
	ck_assert_str_eq(e.spool_id, ID);
	ck_assert_str_eq(e.ts, "2026-11-25T08:46:03.123456Z");
	ck_assert_int_eq(e.when, 1795596363);
	ck_assert_int_eq(e.pid, 4242);
	ck_assert_int_eq(e.uid, 1000);
	ck_assert_str_eq(e.reason, "INC-1: disk full");
	ck_assert(json_is_object(e.request));
	ck_assert_int_eq(json_array_size(json_object_get(e.request, "argv")), 3);
	spool_entry_done(&e);
}
END_TEST

START_TEST(optional_fields_may_be_missing)
{
	struct spool_entry e;
	char why[160] = "";
	const char *text = "{\"version\":1,\"spool_id\":\"" ID "\",\"reason\":\"r\"," REQ "}";

	ck_assert_int_eq(parse(text, &e, why, sizeof(why)), 0);
	ck_assert_ptr_null(e.ts);
	ck_assert_int_eq(e.when, 0);
	ck_assert_int_eq(e.pid, -1);
	ck_assert_int_eq(e.uid, -1);
	spool_entry_done(&e);
}
END_TEST

struct bad_case {
	const char *name;
	const char *text;
	const char *why; /* a part of the reason given */
};

#define HEAD "{\"version\":1,\"spool_id\":\"" ID "\","

static const struct bad_case bad_cases[] = {
	{"empty", "", "not JSON"},
	{"not_json", "rm -rf /", "not JSON"},
	{"truncated", HEAD "\"reason\":\"r\",\"request\":{\"argv\":[\"rm\"", "not JSON"},
	{"array", "[1,2]", "not a JSON object"},
	{"duplicate_key", HEAD "\"reason\":\"r\",\"reason\":\"s\"," REQ "}", "not JSON"},
	{"unknown_key", HEAD "\"reason\":\"r\",\"evil\":1," REQ "}", "unknown key \"evil\""},
	{"no_version", "{\"spool_id\":\"" ID "\",\"reason\":\"r\"," REQ "}", "version"},
	{"version_2", "{\"version\":2,\"spool_id\":\"" ID "\",\"reason\":\"r\"," REQ "}",
	 "version"},
	{"version_string", "{\"version\":\"1\",\"spool_id\":\"" ID "\",\"reason\":\"r\"," REQ "}",
	 "version"},
	{"no_id", "{\"version\":1,\"reason\":\"r\"," REQ "}", "spool_id"},
	{"short_id", "{\"version\":1,\"spool_id\":\"abc\",\"reason\":\"r\"," REQ "}", "spool_id"},
	{"upper_id",
	 "{\"version\":1,\"spool_id\":\"0123456789ABCDEF0123456789abcdef\",\"reason\":\"r\"," REQ
	 "}",
	 "spool_id"},
	{"bad_time", HEAD "\"ts\":\"yesterday\",\"reason\":\"r\"," REQ "}", "ts"},
	{"time_without_zone", HEAD "\"ts\":\"2026-11-25T08:46:03\",\"reason\":\"r\"," REQ "}",
	 "ts"},
	{"time_number", HEAD "\"ts\":12,\"reason\":\"r\"," REQ "}", "ts"},
	{"pid_negative", HEAD "\"pid\":-1,\"reason\":\"r\"," REQ "}", "pid"},
	{"pid_string", HEAD "\"pid\":\"1\",\"reason\":\"r\"," REQ "}", "pid"},
	{"uid_negative", HEAD "\"uid\":-5,\"reason\":\"r\"," REQ "}", "uid"},
	{"uid_huge", HEAD "\"uid\":4294967295,\"reason\":\"r\"," REQ "}", "uid"},
	{"user_number", HEAD "\"user\":0,\"reason\":\"r\"," REQ "}", "user"},
	{"no_reason", HEAD REQ "}", "needs a reason"},
	{"empty_reason", HEAD "\"reason\":\"\"," REQ "}", "needs a reason"},
	{"reason_with_newline", HEAD "\"reason\":\"a\\nb\"," REQ "}", "control characters"},
	{"reason_with_escape", HEAD "\"reason\":\"\\u001b[31m\"," REQ "}", "control characters"},
	{"no_request", HEAD "\"reason\":\"r\"}", "request"},
	{"request_array", HEAD "\"reason\":\"r\",\"request\":[]}", "request"},
};

START_TEST(bad_case_is_refused)
{
	const struct bad_case *c = &bad_cases[_i];
	struct spool_entry e = {.pid = 7};
	char why[160] = "";

	ck_assert_int_eq(parse(c->text, &e, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, c->why), "%s: why is \"%s\", want \"%s\" in it", c->name, why,
		      c->why);
	ck_assert_int_eq(e.pid, 7); /* untouched */
}
END_TEST

START_TEST(too_large_is_refused_before_parsing)
{
	size_t n = SPOOL_ENTRY_MAX + 1;
	char *big = malloc(n), why[160] = "";
	struct spool_entry e;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	ck_assert_int_eq(spool_entry_parse(big, n, &e, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "larger than"));
	free(big);
}
END_TEST

START_TEST(long_reason_is_refused)
{
	char *reason = malloc(1100), *text;
	struct spool_entry e;
	char why[160] = "";

	memset(reason, 'x', 1025);
	reason[1025] = '\0';
	ck_assert_int_ge(asprintf(&text, HEAD "\"reason\":\"%s\"," REQ "}", reason), 0);
	ck_assert_int_eq(parse(text, &e, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "longer than 1024"));
	free(text);
	reason[1024] = '\0';
	ck_assert_int_ge(asprintf(&text, HEAD "\"reason\":\"%s\"," REQ "}", reason), 0);
	ck_assert_int_eq(parse(text, &e, why, sizeof(why)), 0);
	spool_entry_done(&e);
	free(text);
	free(reason);
}
END_TEST

struct name_case {
	const char *name;
	bool entry;
	bool ingesting;
};

static const struct name_case name_cases[] = {
	{ID ".json", true, false},
	{ID ".json.ingesting", true, true},
	{ID ".json.bad", false, false},
	{ID ".json.ingesting.bad", false, false},
	{".tmp-" ID, false, false},
	{ID, false, false},
	{ID ".jso", false, false},
	{"0123456789ABCDEF0123456789abcdef.json", false, false},
	{"0123456789abcdef0123456789abcde.json", false, false},
	{"../" ID ".json", false, false},
	{"", false, false},
};

START_TEST(name_case_is_read)
{
	const struct name_case *c = &name_cases[_i];
	char id[SPOOL_ID_LEN + 1] = "";
	bool ingesting = false;

	ck_assert_msg(spool_entry_name(c->name, id, &ingesting) == c->entry, "%s", c->name);
	if (c->entry) {
		ck_assert_str_eq(id, ID);
		ck_assert_int_eq(ingesting, c->ingesting);
	}
}
END_TEST

START_TEST(times_are_read_as_utc)
{
	time_t t = 1;

	ck_assert_int_eq(spool_entry_time("1970-01-01T00:00:00Z", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(spool_entry_time("2026-11-25T08:46:03.000001Z", &t), 0);
	ck_assert_int_eq(t, 1795596363);
	ck_assert_int_eq(spool_entry_time("2026-11-25T08:46:03.1Z", &t), -EINVAL);
	ck_assert_int_eq(spool_entry_time("2026-11-25 08:46:03Z", &t), -EINVAL);
	ck_assert_int_eq(spool_entry_time("2026-11-25T08:46:03+01:00", &t), -EINVAL);
	ck_assert_int_eq(spool_entry_time("2026-11-25T08:46:03Zjunk", &t), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("spool-entry");
	TCase *parse_tc = tcase_create("parse"), *names = tcase_create("names");

	tcase_add_test(parse_tc, guards_entry_is_taken);
	tcase_add_test(parse_tc, optional_fields_may_be_missing);
	tcase_add_loop_test(parse_tc, bad_case_is_refused, 0, N(bad_cases));
	tcase_add_test(parse_tc, too_large_is_refused_before_parsing);
	tcase_add_test(parse_tc, long_reason_is_refused);
	suite_add_tcase(s, parse_tc);
	tcase_add_loop_test(names, name_case_is_read, 0, N(name_cases));
	tcase_add_test(names, times_are_read_as_utc);
	suite_add_tcase(s, names);
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
