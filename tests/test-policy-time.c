/* test-policy-time.c: the "time" condition: days and their ranges, hours with an
 * exclusive end and across midnight, dates and date ranges across a year end, in
 * named zones through DST changes in both hemispheres. Instants are written in UTC
 * and made with timegm(), so the test does not depend on the machine's zone. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/policy.h"
#include "policy-util.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Loads one deny rule "r" with the given time object, written with ' for ". */
static struct policy *load_time(const char *time)
{
	char *json = test_xasprintf("{'rules':[{'id':'r','match':{'time':%s},'decision':'deny',"
				    "'message':'m'}]}",
				    time);
	char *file = test_xasprintf("%s/10-time.json", test_dir);
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r;

	test_write_policy("10-time.json", json);
	r = policy_load_dir(test_dir, &errs, &p);
	ck_assert_msg(r == 0, "loading %s failed: %s", time, errs.n ? errs.lines[0] : "");
	policy_errors_clear(&errs);
	unlink(file);
	free(file);
	free(json);
	return p;
}

static bool holds_at(const struct policy *p, time_t now)
{
	const char *argv[] = {"x", NULL};
	struct policy_request req = {.argv = argv, .argc = 1, .cwd = "/", .now = now};
	struct policy_decision d;

	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	return d.verdict == POLICY_DENY;
}

struct time_case {
	const char *name;
	const char *time; /* the "time" object */
	const char *utc;  /* the instant, in UTC */
	bool holds;
};

#define BERLIN   "'tz':'Europe/Berlin'"
#define NEW_YORK "'tz':'America/New_York'"
#define SYDNEY   "'tz':'Australia/Sydney'"
#define AUCKLAND "'tz':'Pacific/Auckland'"
#define UTC      "'tz':'UTC'"

static const struct time_case time_cases[] = {
	/* days: 2026-11-23 is a Monday */
	{"weekday_in_range", "{" BERLIN ",'days':'mon-fri'}", "2026-11-23 10:00:00", true},
	{"weekend_not_in_range", "{" BERLIN ",'days':'mon-fri'}", "2026-11-28 10:00:00", false},
	{"range_end_included", "{" BERLIN ",'days':'mon-fri'}", "2026-11-27 22:59:59", true},
	{"range_end_by_local_date", "{" BERLIN ",'days':'mon-fri'}", "2026-11-27 23:00:00", false},
	{"range_start_by_local_date", "{" BERLIN ",'days':'mon-fri'}", "2026-11-22 23:00:00", true},
	{"wrapping_range_friday", "{" UTC ",'days':'fri-mon'}", "2026-11-27 12:00:00", true},
	{"wrapping_range_sunday", "{" UTC ",'days':'fri-mon'}", "2026-11-29 12:00:00", true},
	{"wrapping_range_monday", "{" UTC ",'days':'fri-mon'}", "2026-11-23 12:00:00", true},
	{"wrapping_range_not_tuesday", "{" UTC ",'days':'fri-mon'}", "2026-11-24 12:00:00", false},
	{"wrapping_range_not_thursday", "{" UTC ",'days':'fri-mon'}", "2026-11-26 12:00:00", false},
	{"single_day", "{" UTC ",'days':'sun'}", "2026-11-29 00:00:00", true},
	{"single_day_other", "{" UTC ",'days':'sun'}", "2026-11-30 00:00:00", false},
	{"day_list", "{" UTC ",'days':['sat','sun']}", "2026-11-28 08:00:00", true},
	{"whole_week_range", "{" UTC ",'days':'mon-sun'}", "2026-11-25 08:00:00", true},
	{"same_day_range", "{" UTC ",'days':'wed-wed'}", "2026-11-25 08:00:00", true},
	{"same_day_range_only_that_day", "{" UTC ",'days':'wed-wed'}", "2026-11-26 08:00:00",
	 false},
	/* Tuesday 03:00 UTC is still Monday evening in New York. */
	{"local_day_behind_utc", "{" NEW_YORK ",'days':'mon'}", "2026-11-24 03:00:00", true},
	/* Monday 12:00 UTC is Tuesday 01:00 in Auckland (NZDT, +13). */
	{"local_day_ahead_of_utc", "{" AUCKLAND ",'days':'tue'}", "2026-11-23 12:00:00", true},
	{"local_day_ahead_of_utc_not_monday", "{" AUCKLAND ",'days':'mon'}", "2026-11-23 12:00:00",
	 false},

	/* hours: the start holds, the end does not */
	{"hours_inside", "{" UTC ",'hours':'09:00-17:00'}", "2026-11-23 12:00:00", true},
	{"hours_start_included", "{" UTC ",'hours':'09:00-17:00'}", "2026-11-23 09:00:00", true},
	{"hours_before_start", "{" UTC ",'hours':'09:00-17:00'}", "2026-11-23 08:59:59", false},
	{"hours_last_second", "{" UTC ",'hours':'09:00-17:00'}", "2026-11-23 16:59:59", true},
	{"hours_end_excluded", "{" UTC ",'hours':'09:00-17:00'}", "2026-11-23 17:00:00", false},
	{"hours_minutes", "{" UTC ",'hours':'09:15-09:45'}", "2026-11-23 09:44:59", true},
	{"hours_minutes_end", "{" UTC ",'hours':'09:15-09:45'}", "2026-11-23 09:45:00", false},
	{"hours_local_time", "{" BERLIN ",'hours':'09:00-17:00'}", "2026-11-23 08:00:00", true},
	{"hours_local_time_end", "{" BERLIN ",'hours':'09:00-17:00'}", "2026-11-23 16:00:00",
	 false},
	{"hours_local_time_summer", "{" BERLIN ",'hours':'09:00-17:00'}", "2026-07-01 07:00:00",
	 true},
	{"hours_local_time_summer_before", "{" BERLIN ",'hours':'09:00-17:00'}",
	 "2026-07-01 06:59:59", false},
	{"hours_list", "{" UTC ",'hours':['06:00-07:00','18:00-19:00']}", "2026-11-23 18:30:00",
	 true},
	{"hours_list_between", "{" UTC ",'hours':['06:00-07:00','18:00-19:00']}",
	 "2026-11-23 12:00:00", false},
	/* across midnight */
	{"night_evening", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-23 23:30:00", true},
	{"night_start", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-23 22:00:00", true},
	{"night_midnight", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-24 00:00:00", true},
	{"night_last_second", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-24 05:59:59", true},
	{"night_end_excluded", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-24 06:00:00", false},
	{"night_not_before_start", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-23 21:59:59", false},
	{"night_not_midday", "{" UTC ",'hours':'22:00-06:00'}", "2026-11-23 12:00:00", false},
	{"whole_day", "{" UTC ",'hours':'00:00-24:00'}", "2026-11-23 23:59:59", true},
	{"whole_day_midnight", "{" UTC ",'hours':'00:00-24:00'}", "2026-11-23 00:00:00", true},
	{"until_midnight", "{" UTC ",'hours':'22:00-24:00'}", "2026-11-23 23:59:59", true},
	{"until_midnight_not_after", "{" UTC ",'hours':'22:00-24:00'}", "2026-11-24 00:00:00",
	 false},
	/* days with a wrapping range of hours: both on the calendar day of the instant */
	{"night_on_the_day_late", "{" BERLIN ",'days':'fri','hours':'22:00-06:00'}",
	 "2026-11-27 22:00:00", true},
	{"night_on_the_day_early", "{" BERLIN ",'days':'fri','hours':'22:00-06:00'}",
	 "2026-11-27 01:00:00", true},
	{"night_not_into_the_next_day", "{" BERLIN ",'days':'fri','hours':'22:00-06:00'}",
	 "2026-11-28 01:00:00", false},
	{"night_not_the_day_at_noon", "{" BERLIN ",'days':'fri','hours':'22:00-06:00'}",
	 "2026-11-27 11:00:00", false},

	/* dates */
	{"date_on_the_day", "{" UTC ",'dates':'2026-12-24'}", "2026-12-24 13:00:00", true},
	{"date_first_second", "{" UTC ",'dates':'2026-12-24'}", "2026-12-24 00:00:00", true},
	{"date_last_second", "{" UTC ",'dates':'2026-12-24'}", "2026-12-24 23:59:59", true},
	{"date_next_day", "{" UTC ",'dates':'2026-12-24'}", "2026-12-25 00:00:00", false},
	{"date_other_year", "{" UTC ",'dates':'2026-12-24'}", "2027-12-24 12:00:00", false},
	{"date_list", "{" UTC ",'dates':['2026-12-24','2026-12-31']}", "2026-12-31 12:00:00", true},
	{"leap_day", "{" UTC ",'dates':'2028-02-29'}", "2028-02-29 12:00:00", true},
	{"freeze_start_local", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2026-12-19 23:00:00", true},
	{"freeze_before_start_local", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2026-12-19 22:59:59", false},
	{"freeze_over_new_year", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2026-12-31 23:30:00", true},
	{"freeze_new_year_day", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2027-01-01 12:00:00", true},
	{"freeze_last_day_included", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2027-01-04 22:59:59", true},
	{"freeze_after_end_local", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2027-01-04 23:00:00", false},
	{"freeze_middle_of_year", "{" BERLIN ",'dates':'2026-12-20..2027-01-04'}",
	 "2026-07-01 12:00:00", false},
	{"year_end_utc", "{" UTC ",'dates':'2026-12-31'}", "2026-12-31 23:59:59", true},
	{"year_end_utc_over", "{" UTC ",'dates':'2026-12-31'}", "2027-01-01 00:00:00", false},
	{"every_part_must_hold",
	 "{" UTC ",'days':'thu','hours':'09:00-17:00','dates':'2026-12-24'}", "2026-12-24 18:00:00",
	 false},
	{"every_part_holds", "{" UTC ",'days':'thu','hours':'09:00-17:00','dates':'2026-12-24'}",
	 "2026-12-24 10:00:00", true},

	/* DST in Europe/Berlin: on 2026-03-29 at 01:00 UTC, 02:00 CET becomes 03:00 CEST */
	{"berlin_spring_0230_on_a_normal_day", "{" BERLIN ",'hours':'02:00-03:00'}",
	 "2026-03-28 01:30:00", true},
	{"berlin_spring_before_the_gap", "{" BERLIN ",'hours':'02:00-03:00'}",
	 "2026-03-29 00:59:59", false},
	{"berlin_spring_the_gap_never_occurs", "{" BERLIN ",'hours':'02:00-03:00'}",
	 "2026-03-29 01:00:00", false},
	{"berlin_spring_after_the_gap", "{" BERLIN ",'hours':'02:00-03:00'}", "2026-03-29 01:30:00",
	 false},
	{"berlin_spring_0300_is_local", "{" BERLIN ",'hours':'03:00-04:00'}", "2026-03-29 01:00:00",
	 true},
	/* on 2026-10-25 at 01:00 UTC, 03:00 CEST becomes 02:00 CET: 02:xx occurs twice */
	{"berlin_fall_0230_first_time", "{" BERLIN ",'hours':'02:00-03:00'}", "2026-10-25 00:30:00",
	 true},
	{"berlin_fall_0230_second_time", "{" BERLIN ",'hours':'02:00-03:00'}",
	 "2026-10-25 01:30:00", true},
	{"berlin_fall_first_0200", "{" BERLIN ",'hours':'02:00-03:00'}", "2026-10-25 00:00:00",
	 true},
	{"berlin_fall_last_second_of_the_second_hour", "{" BERLIN ",'hours':'02:00-03:00'}",
	 "2026-10-25 01:59:59", true},
	{"berlin_fall_0300", "{" BERLIN ",'hours':'02:00-03:00'}", "2026-10-25 02:00:00", false},
	{"berlin_fall_before", "{" BERLIN ",'hours':'02:00-03:00'}", "2026-10-24 23:59:59", false},
	/* America/New_York: 2026-03-08 at 07:00 UTC, 02:00 EST becomes 03:00 EDT */
	{"new_york_spring_0230_on_a_normal_day", "{" NEW_YORK ",'hours':'02:00-03:00'}",
	 "2026-03-07 07:30:00", true},
	{"new_york_spring_before_the_gap", "{" NEW_YORK ",'hours':'02:00-03:00'}",
	 "2026-03-08 06:59:59", false},
	{"new_york_spring_the_gap_never_occurs", "{" NEW_YORK ",'hours':'02:00-03:00'}",
	 "2026-03-08 07:00:00", false},
	{"new_york_spring_0300_edt", "{" NEW_YORK ",'hours':'03:00-04:00'}", "2026-03-08 07:00:00",
	 true},
	/* 2026-11-01 at 06:00 UTC, 02:00 EDT becomes 01:00 EST: 01:xx occurs twice */
	{"new_york_fall_0130_first_time", "{" NEW_YORK ",'hours':'01:00-02:00'}",
	 "2026-11-01 05:30:00", true},
	{"new_york_fall_0130_second_time", "{" NEW_YORK ",'hours':'01:00-02:00'}",
	 "2026-11-01 06:30:00", true},
	{"new_york_fall_0200_est", "{" NEW_YORK ",'hours':'01:00-02:00'}", "2026-11-01 07:00:00",
	 false},
	{"new_york_fall_0100_edt", "{" NEW_YORK ",'hours':'01:00-02:00'}", "2026-11-01 04:59:59",
	 false},
	{"new_york_fall_day_is_sunday_both_times",
	 "{" NEW_YORK ",'days':'sun','hours':'01:00-02:00'}", "2026-11-01 06:30:00", true},

	/* Australia/Sydney: summer time from October to April */
	{"sydney_summer_start_of_day", "{" SYDNEY ",'hours':'09:00-17:00'}", "2027-01-15 22:00:00",
	 true},
	{"sydney_summer_before", "{" SYDNEY ",'hours':'09:00-17:00'}", "2027-01-15 21:59:59",
	 false},
	{"sydney_winter_start_of_day", "{" SYDNEY ",'hours':'09:00-17:00'}", "2026-07-15 23:00:00",
	 true},
	{"sydney_winter_before", "{" SYDNEY ",'hours':'09:00-17:00'}", "2026-07-15 22:59:59",
	 false},
	/* 2026-10-04 at 16:00 UTC (Oct 3), 02:00 AEST becomes 03:00 AEDT */
	{"sydney_spring_the_gap_never_occurs", "{" SYDNEY ",'hours':'02:00-03:00'}",
	 "2026-10-03 16:00:00", false},
	{"sydney_spring_before_the_gap", "{" SYDNEY ",'hours':'02:00-03:00'}",
	 "2026-10-03 15:59:59", false},
	{"sydney_spring_0230_on_a_normal_day", "{" SYDNEY ",'hours':'02:00-03:00'}",
	 "2026-10-02 16:30:00", true},
	/* 2026-04-05 at 16:00 UTC (Apr 4), 03:00 AEDT becomes 02:00 AEST */
	{"sydney_fall_0230_first_time", "{" SYDNEY ",'hours':'02:00-03:00'}", "2026-04-04 15:30:00",
	 true},
	{"sydney_fall_0230_second_time", "{" SYDNEY ",'hours':'02:00-03:00'}",
	 "2026-04-04 16:30:00", true},
	{"sydney_fall_0300_aest", "{" SYDNEY ",'hours':'02:00-03:00'}", "2026-04-04 17:00:00",
	 false},
	{"sydney_new_year_local", "{" SYDNEY ",'dates':'2027-01-01'}", "2026-12-31 13:00:00", true},
	{"sydney_new_year_local_not_before", "{" SYDNEY ",'dates':'2027-01-01'}",
	 "2026-12-31 12:59:59", false},
};

START_TEST(time_case_holds)
{
	const struct time_case *c = &time_cases[_i];
	struct policy *p = load_time(c->time);

	ck_assert_msg(holds_at(p, test_utc(c->utc)) == c->holds, "%s: %s at %s UTC: expected %s",
		      c->name, c->time, c->utc, c->holds ? "to hold" : "not to hold");
	policy_free(p);
}
END_TEST

START_TEST(one_zone_serves_many_rules)
{
	/* Loaded once per file; every rule still sees its own window. */
	char *file = test_xasprintf("%s/10-time.json", test_dir);
	const char *json = "{\"rules\":["
			   "{\"id\":\"a\",\"match\":{\"time\":{\"tz\":\"Europe/Berlin\","
			   "\"hours\":\"09:00-10:00\"}},\"decision\":\"deny\",\"message\":\"a\"},"
			   "{\"id\":\"b\",\"match\":{\"time\":{\"tz\":\"Europe/Berlin\","
			   "\"hours\":\"10:00-11:00\"}},\"decision\":\"deny\",\"message\":\"b\"}]}";
	const char *argv[] = {"x", NULL};
	struct policy_request req = {.argv = argv, .argc = 1, .cwd = "/"};
	struct policy_errors errs = {0};
	struct policy_decision d;
	struct policy *p = NULL;

	test_write_file(file, json, 0644);
	ck_assert_int_eq(policy_load_dir(test_dir, &errs, &p), 0);
	req.now = test_utc("2026-11-23 09:30:00"); /* 10:30 in Berlin */
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_str_eq(d.rule_id, "b");
	req.now = test_utc("2026-11-23 08:30:00");
	ck_assert_int_eq(policy_evaluate(p, &req, &d), 0);
	ck_assert_str_eq(d.rule_id, "a");
	policy_free(p);
	free(file);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy-time");
	TCase *windows = tcase_create("windows");

	test_add_dir_fixture(windows);
	tcase_add_loop_test(windows, time_case_holds, 0, N(time_cases));
	tcase_add_test(windows, one_zone_serves_many_rules);
	suite_add_tcase(s, windows);
	return s;
}

int main(void)
{
	static const char *const zones[] = {"UTC", "Europe/Berlin", "America/New_York",
					    "Australia/Sydney", "Pacific/Auckland"};

	for (int i = 0; i < N(zones); i++) {
		char path[256];

		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zones[i]);
		if (access(path, R_OK) < 0) {
			/* 77: meson's "skipped". */
			printf("skipped: %s is missing (install tzdata)\n", path);
			return 77;
		}
	}
	return test_run(suite());
}
