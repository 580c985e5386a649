/* test-logtools.c: the parts of guardctl log, log verify and report that need no
 * daemon: the record scanner, times, the filters and their prefilters, the verify
 * state machine fed chains built in memory, table rows, and the line reader on real
 * files in a temporary directory. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"
#include "logchain.h"
#include "logfile.h"
#include "logfilter.h"
#include "logrec.h"
#include "logshow.h"
#include "logtime.h"

#define USEC 1000000LL

/* ---- helpers ----------------------------------------------------------------- */

static struct logrec parse_ok(const char *line)
{
	struct logrec r;
	struct logrec_error err = {0};
	int rc = logrec_parse(line, strlen(line), &r, &err);
	ck_assert_msg(rc == 0, "refused %s: %s at %zu", line, err.text ? err.text : "?",
		      err.offset);
	return r;
}

static char *str_of(struct logrec_span v)
{
	static char buf[1024];
	ck_assert_int_ge(logrec_string(v, buf, sizeof buf), 0);
	return buf;
}

static const char decision_line[] =
	"{\"ts\":\"2026-11-25T08:46:03.123456Z\",\"id\":\"0123456789abcdef0123456789abcdef\","
	"\"type\":\"decision\",\"host\":\"web-1\",\"uid\":1000,\"user\":\"alice\",\"gid\":1000,"
	"\"pid\":42,\"cwd\":\"/srv\",\"argv\":[\"rm\",\"-rf\",\"/\"],\"program\":\"/usr/bin/rm\","
	"\"tty\":null,\"check\":false,\"env\":{},\"decision\":\"deny\",\"rule\":\"fs-rm-root\","
	"\"mode\":\"enforce\",\"policy\":\"abc\",\"dry_run\":[{\"rule\":\"site-x\",\"decision\":"
	"\"deny\"}],\"seq\":7,\"prev\":"
	"\"0000000000000000000000000000000000000000000000000000000000000000\"}";

/* ---- logrec ------------------------------------------------------------------ */

START_TEST(scanner_finds_top_level_members_only)
{
	struct logrec r = parse_ok(decision_line);
	ck_assert_str_eq(str_of(r.f[LOGREC_RULE]), "fs-rm-root");
	ck_assert_str_eq(str_of(r.f[LOGREC_DECISION]), "deny");
	ck_assert_str_eq(str_of(r.f[LOGREC_TS]), "2026-11-25T08:46:03.123456Z");
	int64_t seq;
	ck_assert_int_eq(logrec_int(r.f[LOGREC_SEQ], &seq), 0);
	ck_assert_int_eq(seq, 7);
	ck_assert(logrec_is_null(r.f[LOGREC_PROGRAM]) == false);
	ck_assert(!logrec_is_true(r.f[LOGREC_CHECK]));
	ck_assert_ptr_null(r.f[LOGREC_REASON].p);
	ck_assert_uint_eq(r.f[LOGREC_DRY_RUN].n,
			  strlen("[{\"rule\":\"site-x\",\"decision\":\"deny\"}]"));
}
END_TEST

/* Lines a strict JSON parser refuses must be refused too: verify calls them "not a
 * JSON record". */
START_TEST(scanner_refuses_what_is_not_strict_json)
{
	static const char *const bad[] = {
		"",
		"   ",
		"[]",
		"{",
		"{\"a\":1",
		"{\"a\":1}x",
		"{\"a\":1,}",
		"{,}",
		"{\"a\" 1}",
		"{a:1}",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":-}",
		"{\"a\":.5}",
		"{\"a\":1e}",
		"{\"a\":tru}",
		"{\"a\":nul}",
		"{\"a\":[1,]}",
		"{\"a\":[1 2]}",
		"{\"a\":\"x\ty\"}",
		"{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":\"\\u0000\"}",
		"{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\"}",
		"{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\xff\"}",
		"{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xe2\x82\"}",
		"{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"rule\":\"a\",\"rule\":\"b\"}",
		"{\"r\\u0075le\":\"a\",\"rule\":\"b\"}",
		"{\"a\":\"unterminated}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct logrec_error err = {0};
		ck_assert_msg(logrec_parse(bad[i], strlen(bad[i]), NULL, &err) == -EBADMSG,
			      "accepted case %zu: %s", i, bad[i]);
		ck_assert_ptr_nonnull(err.text);
	}
	/* A NUL byte inside the line is not JSON either. */
	ck_assert_int_eq(logrec_parse("{\"a\":\"x\0y\"}", 11, NULL, NULL), -EBADMSG);
}
END_TEST

START_TEST(scanner_refuses_deep_nesting)
{
	char line[256] = "{\"a\":";
	for (int i = 0; i < 40; i++)
		strcat(line, "[");
	for (int i = 0; i < 40; i++)
		strcat(line, "]");
	strcat(line, "}");
	struct logrec_error err;
	ck_assert_int_eq(logrec_parse(line, strlen(line), NULL, &err), -EBADMSG);
	ck_assert_str_eq(err.text, "nested too deep");
}
END_TEST

START_TEST(scanner_accepts_what_is_json)
{
	static const char *const good[] = {
		"{}",
		" { \"a\" : [ 1 , -2.5e+3 , true , false , null , { } , [ ] ] } ",
		"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}",
		"{\"a\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
		"{\"a\":-0,\"b\":0.0,\"c\":1E5}",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		parse_ok(good[i]);
}
END_TEST

START_TEST(strings_decode_escapes_and_cut_between_characters)
{
	struct logrec r = parse_ok("{\"user\":\"a\\u00e9\\ud83d\\ude00\\n\\\"\"}");
	char buf[64];
	ck_assert_int_eq(logrec_string(r.f[LOGREC_USER], buf, sizeof buf), 9);
	ck_assert_str_eq(buf, "a\xc3\xa9\xf0\x9f\x98\x80\n\"");
	/* Room for "a" and two bytes: the cut falls before the two-byte é, not inside it. */
	ck_assert_int_eq(logrec_string(r.f[LOGREC_USER], buf, 3), 9);
	ck_assert_str_eq(buf, "a");
	ck_assert(logrec_string_eq(r.f[LOGREC_USER], "a\xc3\xa9\xf0\x9f\x98\x80\n\""));
	ck_assert(!logrec_string_eq(r.f[LOGREC_USER], "a"));
	ck_assert_int_eq(logrec_string(r.f[LOGREC_UID], buf, sizeof buf), -EINVAL);
}
END_TEST

START_TEST(escaped_member_names_are_the_names_they_spell)
{
	struct logrec r = parse_ok("{\"r\\u0075le\":\"x\"}");
	ck_assert(logrec_string_eq(r.f[LOGREC_RULE], "x"));
}
END_TEST

START_TEST(integers_are_exact_and_bounded)
{
	struct logrec r = parse_ok("{\"seq\":9223372036854775807,\"uid\":-5,\"pid\":1.5,"
				   "\"gid\":9223372036854775808}");
	int64_t v;
	ck_assert_int_eq(logrec_int(r.f[LOGREC_SEQ], &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(logrec_int(r.f[LOGREC_UID], &v), 0);
	ck_assert_int_eq(v, -5);
	struct logrec_span pid = {"1.5", 3}, big = {"9223372036854775808", 19};
	ck_assert_int_eq(logrec_int(pid, &v), -EINVAL);
	ck_assert_int_eq(logrec_int(big, &v), -ERANGE);
}
END_TEST

START_TEST(arrays_and_objects_iterate)
{
	struct logrec r = parse_ok(decision_line);
	size_t pos = 0;
	struct logrec_span e, k, v;
	const char *want[] = {"rm", "-rf", "/"};
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(logrec_array_next(r.f[LOGREC_ARGV], &pos, &e), 1);
		ck_assert(logrec_string_eq(e, want[i]));
	}
	ck_assert_int_eq(logrec_array_next(r.f[LOGREC_ARGV], &pos, &e), 0);
	pos = 0;
	ck_assert_int_eq(logrec_array_next(r.f[LOGREC_DRY_RUN], &pos, &e), 1);
	size_t mpos = 0;
	ck_assert_int_eq(logrec_object_next(e, &mpos, &k, &v), 1);
	ck_assert(logrec_string_eq(k, "rule") && logrec_string_eq(v, "site-x"));
	ck_assert_int_eq(logrec_object_next(e, &mpos, &k, &v), 1);
	ck_assert_int_eq(logrec_object_next(e, &mpos, &k, &v), 0);
	ck_assert_int_eq(logrec_array_next(r.f[LOGREC_RULE], &pos, &e), -EINVAL);
}
END_TEST

/* ---- logtime ----------------------------------------------------------------- */

static int64_t t_parse(const char *s, int64_t now)
{
	int64_t t = -1;
	ck_assert_msg(logtime_parse(s, now, &t) == 0, "refused %s", s);
	return t;
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

START_TEST(times_in_rfc3339_with_offsets)
{
	set_tz("UTC0");
	const int64_t base = 1795596363LL * USEC; /* 2026-11-25T08:46:03Z */
	ck_assert(t_parse("2026-11-25T08:46:03Z", 0) == base);
	ck_assert(t_parse("2026-11-25t08:46:03z", 0) == base);
	ck_assert(t_parse("2026-11-25 09:46:03+01:00", 0) == base);
	ck_assert(t_parse("2026-11-25T09:46:03+0100", 0) == base);
	ck_assert(t_parse("2026-11-25T03:46:03-05", 0) == base);
	ck_assert(t_parse("2026-11-25T08:46:03.123456Z", 0) == base + 123456);
	ck_assert(t_parse("2026-11-25T08:46:03.5Z", 0) == base + 500000);
	ck_assert(t_parse("2026-11-25T08:46Z", 0) == base - 3 * USEC);
	ck_assert(t_parse("@1795596363", 0) == base);
	int64_t t;
	ck_assert_int_eq(logtime_parse_ts("2026-11-25T08:46:03.123456Z", 27, &t), 0);
	ck_assert(t == base + 123456);
	/* A record's ts must say its offset. */
	ck_assert_int_eq(logtime_parse_ts("2026-11-25T08:46:03", 19, &t), -EINVAL);
}
END_TEST

START_TEST(times_without_offset_are_local)
{
	/* A POSIX TZ string: no zone database needed. Berlin is UTC+1 in November. */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	const int64_t base = 1795596363LL * USEC;
	ck_assert(t_parse("2026-11-25T09:46:03", 0) == base);
	ck_assert(t_parse("2026-11-25", 0) == (1795561200LL) * USEC); /* 2026-11-24T23:00Z */
	ck_assert(t_parse("today", base) == 1795561200LL * USEC);
	ck_assert(t_parse("yesterday", base) == (1795561200LL - 86400) * USEC);
	/* Summer time: UTC+2. */
	ck_assert(t_parse("2026-07-01T12:00:00", 0) == 1782900000LL * USEC);
	set_tz("UTC0");
}
END_TEST

START_TEST(times_ago)
{
	const int64_t now = 1795596363LL * USEC;
	ck_assert(t_parse("90s", now) == now - 90 * USEC);
	ck_assert(t_parse("30m", now) == now - 1800 * USEC);
	ck_assert(t_parse("1h", now) == now - 3600 * USEC);
	ck_assert(t_parse("1h30m", now) == now - 5400 * USEC);
	ck_assert(t_parse("7d", now) == now - 7 * 86400 * USEC);
	ck_assert(t_parse("2w", now) == now - 14 * 86400 * USEC);
	ck_assert(t_parse("now", now) == now);
}
END_TEST

START_TEST(times_refused)
{
	static const char *const bad[] = {
		"",
		"h",
		"1",
		"1x",
		"-1h",
		"1h-",
		"2026-02-29",
		"2026-13-01",
		"2026-00-10",
		"2026-11-31",
		"2026-11-25T24:00",
		"2026-11-25T12:60",
		"2026-11-25T12:00:60",
		"2026-11-25T12",
		"2026-11-25T12:00+25:00",
		"2026-11-25T12:00Zjunk",
		"2026-11-25x",
		"@",
		"@-5",
		"@12x",
		"99999999999d",
		"1969-12-31",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 42;
		ck_assert_msg(logtime_parse(bad[i], 0, &t) == -EINVAL, "accepted %s", bad[i]);
		ck_assert(t == 42);
	}
	int64_t t;
	ck_assert_int_eq(logtime_parse("2024-02-29", 0, &t), 0); /* a leap year */
}
END_TEST

START_TEST(times_format_as_guardd_writes_them)
{
	char ts[LOGTIME_TS_LEN + 1];
	logtime_format(1795596363LL * USEC + 7, ts);
	ck_assert_str_eq(ts, "2026-11-25T08:46:03.000007Z");
	ck_assert(logtime_is_canonical(ts, LOGTIME_TS_LEN));
	ck_assert(!logtime_is_canonical("2026-11-25T08:46:03Z", 20));
	ck_assert(!logtime_is_canonical("2026-11-25 08:46:03.000007Z", LOGTIME_TS_LEN));
	ck_assert(!logtime_is_canonical("2026-1x-25T08:46:03.000007Z", LOGTIME_TS_LEN));
}
END_TEST

/* ---- logfilter --------------------------------------------------------------- */

/* A record line with the fields the filters look at. */
static char *record(const char *ts, const char *type, const char *user, int uid,
		    const char *decision, const char *rule, const char *extra)
{
	char *s;
	ck_assert_int_ge(
		asprintf(&s,
			 "{\"ts\":\"%s\",\"id\":\"id-%s\",\"type\":\"%s\",\"host\":\"web-1\","
			 "\"uid\":%d,\"user\":\"%s\",\"argv\":[\"/bin/rm\",\"-rf\",\"/\"],"
			 "\"program\":\"/usr/bin/rm\",\"check\":false,\"decision\":\"%s\","
			 "\"rule\":%s%s%s%s,\"seq\":1,\"prev\":\"x\"}",
			 ts, ts, type, uid, user, decision, rule ? "\"" : "", rule ? rule : "null",
			 rule ? "\"" : "", extra ? extra : ""),
		0);
	return s;
}

static bool maybe(struct logfilter *f, const char *line)
{
	return logfilter_maybe(f, line, strlen(line));
}

static bool matches(struct logfilter *f, const char *line)
{
	struct logrec r = parse_ok(line);
	bool m = logfilter_match(f, &r);
	/* The prefilter may let through what does not match, never the reverse. */
	ck_assert_msg(!m || maybe(f, line), "prefilter dropped a match: %s", line);
	return m;
}

START_TEST(rule_prefilter_and_exact_match)
{
	struct logfilter f;
	logfilter_init(&f);
	f.rule = "site-x";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	char *hit = record("2026-11-25T08:00:00.000000Z", "decision", "alice", 1000, "deny",
			   "site-x", NULL);
	char *dry = record("2026-11-25T08:00:00.000000Z", "decision", "alice", 1000, "allow", NULL,
			   ",\"dry_run\":[{\"rule\":\"site-x\",\"decision\":\"deny\"}]");
	char *miss = record("2026-11-25T08:00:00.000000Z", "decision", "alice", 1000, "deny",
			    "site-xy", NULL);
	ck_assert(matches(&f, hit));
	/* A dry-run mention passes the cheap look but not the exact test. */
	ck_assert(maybe(&f, dry) && !matches(&f, dry));
	ck_assert(!maybe(&f, miss) && !matches(&f, miss));
	free(hit);
	free(dry);
	free(miss);
	logfilter_done(&f);
}
END_TEST

START_TEST(time_prefilter_compares_the_leading_ts)
{
	struct logfilter f;
	logfilter_init(&f);
	f.has_since = f.has_until = true;
	ck_assert_int_eq(logtime_parse("2026-11-25T08:00:00Z", 0, &f.since), 0);
	ck_assert_int_eq(logtime_parse("2026-11-25T09:00:00Z", 0, &f.until), 0);
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	char *at_since =
		record("2026-11-25T08:00:00.000000Z", "decision", "a", 1, "allow", NULL, NULL);
	char *before =
		record("2026-11-25T07:59:59.999999Z", "decision", "a", 1, "allow", NULL, NULL);
	char *at_until =
		record("2026-11-25T09:00:00.000000Z", "decision", "a", 1, "allow", NULL, NULL);
	/* Not guardd's form: the cheap look cannot tell; the exact test parses it. */
	char *offset = record("2026-11-25T09:30:00+01:00", "decision", "a", 1, "allow", NULL, NULL);
	char *late = record("2026-11-25T10:30:00+01:00", "decision", "a", 1, "allow", NULL, NULL);
	ck_assert(matches(&f, at_since));
	ck_assert(!maybe(&f, before) && !matches(&f, before));
	ck_assert(!maybe(&f, at_until) && !matches(&f, at_until));
	ck_assert(maybe(&f, offset) && matches(&f, offset));
	ck_assert(maybe(&f, late) && !matches(&f, late));
	free(at_since);
	free(before);
	free(at_until);
	free(offset);
	free(late);
	logfilter_done(&f);
}
END_TEST

START_TEST(uid_needle_needs_a_whole_number)
{
	struct logfilter f;
	logfilter_init(&f);
	f.user = "10";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	char *u10 =
		record("2026-11-25T08:00:00.000000Z", "decision", "ten", 10, "allow", NULL, NULL);
	char *u1000 =
		record("2026-11-25T08:00:00.000000Z", "decision", "k", 1000, "allow", NULL, NULL);
	ck_assert(matches(&f, u10));
	ck_assert(!maybe(&f, u1000) && !matches(&f, u1000));
	logfilter_done(&f);
	logfilter_init(&f);
	f.user = "ten";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	ck_assert(matches(&f, u10) && !matches(&f, u1000));
	free(u10);
	free(u1000);
	logfilter_done(&f);
}
END_TEST

START_TEST(decisions_and_types_take_lists)
{
	struct logfilter f;
	logfilter_init(&f);
	ck_assert_int_eq(logfilter_add_decisions(&f, "deny,confirm"), 0);
	ck_assert_int_eq(logfilter_add_decisions(&f, "approve"), 0);
	ck_assert_int_eq(logfilter_add_decisions(&f, "maybe"), -EINVAL);
	ck_assert_int_eq(logfilter_add_decisions(&f, "deny,"), -EINVAL);
	ck_assert_int_eq(logfilter_add_types(&f, "decision"), 0);
	ck_assert_int_eq(logfilter_add_types(&f, "event"), -EINVAL);
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	char *deny = record("2026-11-25T08:00:00.000000Z", "decision", "a", 1, "deny", "r", NULL);
	char *approve =
		record("2026-11-25T08:00:00.000000Z", "decision", "a", 1, "approve", "r", NULL);
	char *allow = record("2026-11-25T08:00:00.000000Z", "decision", "a", 1, "allow", "r", NULL);
	char *completion =
		record("2026-11-25T08:00:00.000000Z", "completion", "a", 1, "deny", NULL, NULL);
	ck_assert(matches(&f, deny) && matches(&f, approve));
	ck_assert(!maybe(&f, allow) && !matches(&f, allow));
	ck_assert(!maybe(&f, completion) && !matches(&f, completion));
	free(deny);
	free(approve);
	free(allow);
	free(completion);
	logfilter_done(&f);
}
END_TEST

START_TEST(id_matches_the_decision_a_completion_completes)
{
	struct logfilter f;
	logfilter_init(&f);
	f.id = "d1";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	const char *dec =
		"{\"ts\":\"2026-11-25T08:00:00.000000Z\",\"id\":\"d1\",\"type\":\"decision\"}";
	const char *comp = "{\"ts\":\"2026-11-25T08:00:01.000000Z\",\"id\":\"c9\",\"type\":"
			   "\"completion\",\"decision_id\":\"d1\"}";
	const char *other = "{\"ts\":\"2026-11-25T08:00:01.000000Z\",\"id\":\"d12\",\"type\":"
			    "\"decision\"}";
	ck_assert(matches(&f, dec) && matches(&f, comp));
	ck_assert(!maybe(&f, other) && !matches(&f, other));
	logfilter_done(&f);
}
END_TEST

START_TEST(program_by_base_name_path_argv0_or_line)
{
	struct logfilter f;
	const char *path_rec = "{\"argv\":[\"rm\"],\"program\":\"/usr/bin/rm\"}";
	const char *unresolved = "{\"argv\":[\"/opt/bin/rm\",\"x\"],\"program\":null}";
	const char *line_rec = "{\"line\":\"  rm -rf / && ls\",\"program\":null}";
	const char *part_rec = "{\"line\":\"cd / && rm -rf x\",\"part\":\"rm -rf x\"}";
	const char *other = "{\"argv\":[\"rmdir\"],\"program\":\"/usr/bin/rmdir\"}";
	logfilter_init(&f);
	f.program = "rm";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	ck_assert(matches(&f, path_rec) && matches(&f, unresolved) && matches(&f, line_rec) &&
		  matches(&f, part_rec));
	ck_assert(!matches(&f, other));
	logfilter_done(&f);
	logfilter_init(&f);
	f.program = "/usr/bin/rm";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	ck_assert(matches(&f, path_rec) && !matches(&f, unresolved) && !matches(&f, other));
	logfilter_done(&f);
}
END_TEST

START_TEST(check_and_no_check)
{
	struct logfilter f;
	const char *check = "{\"type\":\"decision\",\"check\":true}";
	const char *run = "{\"type\":\"decision\",\"check\":false}";
	const char *completion = "{\"type\":\"completion\"}";
	logfilter_init(&f);
	f.check = 1;
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	ck_assert(matches(&f, check) && !matches(&f, run) && !matches(&f, completion));
	ck_assert(!maybe(&f, run));
	logfilter_done(&f);
	logfilter_init(&f);
	f.check = 0;
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	ck_assert(!matches(&f, check) && matches(&f, run) && matches(&f, completion));
	logfilter_done(&f);
}
END_TEST

START_TEST(needles_are_encoded_as_guardd_encodes)
{
	struct logfilter f;
	logfilter_init(&f);
	f.host = "we\"b\x01";
	ck_assert_int_eq(logfilter_prepare(&f), 0);
	const char *line = "{\"host\":\"we\\\"b\\u0001\"}";
	ck_assert(matches(&f, line));
	logfilter_done(&f);
	logfilter_init(&f);
	f.rule = "\xff";
	ck_assert_int_eq(logfilter_prepare(&f), -EINVAL);
	logfilter_done(&f);
}
END_TEST

/* ---- logchain ---------------------------------------------------------------- */

#define MAX_LINES 16

/* n chained records, seq from first (prev of the first: genesis, or given). */
struct chain {
	char *line[MAX_LINES];
	size_t n;
};

static char *chained(uint64_t seq, const char *prev, const char *tag)
{
	char *s;
	ck_assert_int_ge(
		asprintf(&s,
			 "{\"ts\":\"2026-11-25T08:00:%02u.000000Z\",\"id\":\"%s\",\"type\":"
			 "\"decision\",\"decision\":\"allow\",\"seq\":%llu,\"prev\":\"%s\"}",
			 (unsigned)(seq % 60), tag, (unsigned long long)seq, prev),
		0);
	return s;
}

static char *hash_of(const char *line)
{
	static char h[CHAIN_HEX_LEN + 1];
	ck_assert_int_eq(chain_hash(line, strlen(line), h), 0);
	return h;
}

static void make_chain(struct chain *c, size_t n)
{
	char prev[CHAIN_HEX_LEN + 1];
	chain_genesis(prev);
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		char tag[32];
		snprintf(tag, sizeof tag, "r%zu", i + 1);
		c->line[i] = chained(i + 1, prev, tag);
		snprintf(prev, sizeof prev, "%s", hash_of(c->line[i]));
	}
}

static void free_chain(struct chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->line[i]);
	c->n = 0;
}

static void delete_line(struct chain *c, size_t k) /* k from 1 */
{
	free(c->line[k - 1]);
	memmove(&c->line[k - 1], &c->line[k], (c->n - k) * sizeof c->line[0]);
	c->n--;
}

static void insert_line(struct chain *c, size_t k, char *line) /* becomes line k */
{
	memmove(&c->line[k], &c->line[k - 1], (c->n - k + 1) * sizeof c->line[0]);
	c->line[k - 1] = line;
	c->n++;
}

/* Feeds lines [from, to) of c as file name; returns the first problem's line, or 0. */
static uint64_t feed(struct logchain *lc, struct chain *c, size_t from, size_t to, const char *file,
		     struct logchain_problem *pr)
{
	for (size_t i = from; i < to; i++) {
		struct logchain_pos pos = {file, i - from + 1};
		int r = logchain_feed(lc, pos, c->line[i], strlen(c->line[i]), pr);
		ck_assert_int_ge(r, 0);
		if (r == 1)
			return pr->pos.line;
	}
	return 0;
}

/* Runs the whole chain through a check; the problem's line, or 0 when whole. */
static uint64_t verify(struct chain *c, struct logchain_problem *pr)
{
	struct logchain lc;
	logchain_init(&lc);
	uint64_t at = feed(&lc, c, 0, c->n, "log", pr);
	if (!at && logchain_end(&lc, pr) == 1)
		at = pr->pos.line;
	return at;
}

#define ck_problem(c, want_line, want_text)                                                        \
	do {                                                                                       \
		struct logchain_problem pr_;                                                       \
		ck_assert_int_eq(verify(c, &pr_), want_line);                                      \
		ck_assert_msg(strstr(pr_.text, want_text), "got: %s", pr_.text);                   \
	} while (0)

START_TEST(chain_whole)
{
	struct chain c;
	make_chain(&c, 8);
	struct logchain lc;
	struct logchain_problem pr;
	logchain_init(&lc);
	ck_assert_int_eq(feed(&lc, &c, 0, 8, "log", &pr), 0);
	ck_assert_int_eq(logchain_end(&lc, &pr), 0);
	ck_assert_int_eq(lc.n, 8);
	ck_assert_int_eq(lc.first_seq, 1);
	ck_assert_int_eq(lc.last.seq, 8);
	ck_assert_str_eq(lc.last.hash, hash_of(c.line[7]));
	ck_assert(!lc.after_earlier);
	free_chain(&c);
}
END_TEST

START_TEST(chain_altered_line)
{
	struct chain c;
	make_chain(&c, 6);
	char *p = strstr(c.line[2], "allow");
	memcpy(p, "deny\"", 5); /* "decision":"deny"" ... breaks nothing but the hash */
	memmove(p + 4, p + 5, strlen(p + 5) + 1);
	ck_problem(&c, 3, "line 3 was altered (its hash does not match line 4's prev)");
	free_chain(&c);
}
END_TEST

START_TEST(chain_altered_prev)
{
	/* Changing a line's own prev breaks the link on both of its sides. */
	struct chain c;
	make_chain(&c, 6);
	char *p = strstr(c.line[2], "\"prev\":\"") + 8;
	*p = *p == 'a' ? 'b' : 'a';
	ck_problem(&c, 3,
		   "line 3 was altered (its prev does not match the hash of line 2, and its "
		   "hash does not match line 4's prev)");
	free_chain(&c);
}
END_TEST

START_TEST(chain_missing_lines)
{
	struct chain c;
	make_chain(&c, 8);
	delete_line(&c, 4);
	ck_problem(&c, 4, "1 record missing before line 4 (seq jumps from 3");
	delete_line(&c, 4);
	ck_problem(&c, 4, "2 records missing before line 4");
	free_chain(&c);
	make_chain(&c, 8);
	delete_line(&c, 8); /* the last one: the chain cannot tell */
	struct logchain_problem pr;
	ck_assert_int_eq(verify(&c, &pr), 0);
	free_chain(&c);
}
END_TEST

START_TEST(chain_inserted_copy)
{
	struct chain c;
	make_chain(&c, 8);
	insert_line(&c, 6, strdup(c.line[1])); /* line 2 again, as line 6 */
	ck_problem(&c, 6, "line 6 was inserted (line 7 continues the chain from line 5)");
	free_chain(&c);
	make_chain(&c, 8);
	insert_line(&c, 4, strdup(c.line[2])); /* a duplicate right after itself */
	ck_problem(&c, 4, "line 4 was inserted");
	free_chain(&c);
}
END_TEST

START_TEST(chain_inserted_forgery_that_chains)
{
	/* Whoever forges a line can chain it to the line before; the line after still
	 * points past it. */
	struct chain c;
	make_chain(&c, 8);
	insert_line(&c, 5, chained(5, hash_of(c.line[3]), "forged"));
	ck_problem(&c, 5, "line 5 was inserted (line 6 has the same seq and line 7 continues");
	free_chain(&c);
	/* With a seq of its own choosing. */
	make_chain(&c, 8);
	insert_line(&c, 5, chained(40, hash_of(c.line[3]), "forged"));
	ck_problem(&c, 5, "line 5 was inserted (line 6 continues the chain from line 4)");
	free_chain(&c);
}
END_TEST

START_TEST(chain_swapped_lines)
{
	struct chain c;
	make_chain(&c, 8);
	char *t = c.line[3];
	c.line[3] = c.line[4];
	c.line[4] = t;
	ck_problem(&c, 4, "lines 4 and 5 are swapped");
	free_chain(&c);
	make_chain(&c, 8);
	t = c.line[2]; /* lines 3 and 6 */
	c.line[2] = c.line[5];
	c.line[5] = t;
	ck_problem(&c, 3, "line 3 is out of order (seq 6 where seq 3 was expected)");
	free_chain(&c);
}
END_TEST

START_TEST(chain_lines_that_are_not_records)
{
	struct chain c;
	make_chain(&c, 5);
	free(c.line[2]);
	c.line[2] = strdup("not json");
	ck_problem(&c, 3, "line 3 is not a JSON record (not a JSON object at byte 1)");
	free(c.line[2]);
	c.line[2] = strdup("{\"ts\":\"x\",\"prev\":\"" /* no seq */
			   "0000000000000000000000000000000000000000000000000000000000000000\"}");
	ck_problem(&c, 3, "line 3 has no seq");
	free(c.line[2]);
	c.line[2] = strdup("{\"seq\":3}");
	ck_problem(&c, 3, "line 3 has no prev");
	free(c.line[2]);
	c.line[2] = strdup("{\"seq\":3,\"prev\":\"ABC\"}");
	ck_problem(&c, 3, "line 3's prev is not 64 lowercase hex digits");
	free(c.line[2]);
	c.line[2] = strdup("{\"seq\":0,\"prev\":\"x\"}");
	ck_problem(&c, 3, "line 3's seq is not a positive integer");
	free_chain(&c);
}
END_TEST

START_TEST(chain_start_after_an_earlier_file)
{
	struct chain c;
	make_chain(&c, 8);
	struct logchain lc;
	struct logchain_problem pr;
	logchain_init(&lc);
	ck_assert_int_eq(feed(&lc, &c, 3, 8, "log.2", &pr), 0);
	ck_assert_int_eq(logchain_end(&lc, &pr), 0);
	ck_assert(lc.after_earlier);
	ck_assert_int_eq(lc.first_seq, 4);
	ck_assert_int_eq(lc.n, 5);
	free_chain(&c);
	/* Genesis must be seq 1. */
	make_chain(&c, 1);
	free(c.line[0]);
	c.line[0] =
		chained(5, "0000000000000000000000000000000000000000000000000000000000000000", "x");
	ck_problem(&c, 1, "starts the chain (its prev is all zeros) but has seq 5, not 1");
	free_chain(&c);
}
END_TEST

START_TEST(chain_across_files)
{
	struct chain c;
	make_chain(&c, 8);
	struct logchain lc;
	struct logchain_problem pr;
	logchain_init(&lc);
	ck_assert_int_eq(feed(&lc, &c, 0, 5, "log.1", &pr), 0);
	ck_assert_int_eq(feed(&lc, &c, 5, 8, "log", &pr), 0);
	ck_assert_int_eq(logchain_end(&lc, &pr), 0);
	ck_assert_int_eq(lc.n, 8);
	/* The last line of the first file altered: found at the second file's first line. */
	strstr(c.line[4], "\"r5\"")[1] = 'R';
	logchain_init(&lc);
	ck_assert_int_eq(feed(&lc, &c, 0, 5, "log.1", &pr), 0);
	ck_assert_int_eq(feed(&lc, &c, 5, 8, "log", &pr), 5);
	ck_assert_str_eq(pr.pos.file, "log.1");
	ck_assert_str_eq(pr.text, "line 5 was altered (its hash does not match log:1's prev)");
	free_chain(&c);
	/* A file missing in between. */
	make_chain(&c, 8);
	logchain_init(&lc);
	ck_assert_int_eq(feed(&lc, &c, 0, 3, "log.2", &pr), 0);
	ck_assert_int_eq(feed(&lc, &c, 5, 8, "log", &pr), 1);
	ck_assert_str_eq(pr.pos.file, "log");
	ck_assert_str_eq(pr.text,
			 "2 records missing before line 1 (seq jumps from 3 at log.2:3 to 6)");
	free_chain(&c);
}
END_TEST

START_TEST(chain_bad_line_after_a_doubtful_one)
{
	struct chain c;
	make_chain(&c, 6);
	delete_line(&c, 3);
	struct logchain lc;
	struct logchain_problem pr;
	logchain_init(&lc);
	ck_assert_int_eq(feed(&lc, &c, 0, 3, "log", &pr), 0); /* line 3 in doubt */
	ck_assert_int_eq(logchain_bad_line(&lc, (struct logchain_pos){"log", 4}, "is torn", &pr),
			 1);
	ck_assert_int_eq(pr.pos.line, 3);
	ck_assert(strstr(pr.text, "1 record missing before line 3"));
	logchain_init(&lc);
	ck_assert_int_eq(logchain_bad_line(&lc, (struct logchain_pos){"log", 1}, "is torn", &pr),
			 1);
	ck_assert_str_eq(pr.text, "line 1 is torn");
	free_chain(&c);
}
END_TEST

/* ---- logshow ----------------------------------------------------------------- */

static char *quoted(const char *s, size_t n)
{
	static char out[256];
	struct logshow_buf b = {0};
	logshow_quote(&b, s, n);
	ck_assert_int_eq(b.failed, 0);
	snprintf(out, sizeof out, "%s", b.p);
	free(b.p);
	return out;
}

START_TEST(arguments_are_shell_quoted)
{
	ck_assert_str_eq(quoted("rm", 2), "rm");
	ck_assert_str_eq(quoted("/a/b-c_d.e:f,g=h+i@%", 20), "/a/b-c_d.e:f,g=h+i@%");
	ck_assert_str_eq(quoted("", 0), "''");
	ck_assert_str_eq(quoted("a b", 3), "'a b'");
	ck_assert_str_eq(quoted("$(id)", 5), "'$(id)'");
	ck_assert_str_eq(quoted("it's", 4), "'it'\\''s'");
	ck_assert_str_eq(quoted("caf\xc3\xa9", 5), "'caf\xc3\xa9'");
	ck_assert_str_eq(quoted("a\nb", 3), "$'a\\nb'");
	ck_assert_str_eq(quoted("\x1b[31mred's\\", 11), "$'\\x1b[31mred\\'s\\\\'");
	ck_assert_str_eq(quoted("x\xe2\x80\xaey", 5), "$'x\\u202ey'");
	ck_assert_str_eq(quoted("\xc2\x9b", 2), "$'\\u009b'");
	ck_assert_str_eq(quoted("a\0b", 3), "$'a\\x00b'");
}
END_TEST

START_TEST(escape_and_fit)
{
	struct logshow_buf b = {0};
	logshow_escape(&b, "a\tb\x7f\x1b", 5);
	ck_assert_str_eq(b.p, "a\\tb\\x7f\\x1b");
	b.n = 0;
	logshow_add(&b, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8); /* four characters */
	logshow_fit(&b, 4);
	ck_assert_str_eq(b.p, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	logshow_fit(&b, 3);
	ck_assert_str_eq(b.p, "\xc3\xa9\xc3\xa9>");
	free(b.p);
}
END_TEST

static char *row_of(const char *line)
{
	static char out[1024];
	struct logrec r = parse_ok(line);
	struct logshow_buf b = {0};
	logshow_row(&r, &b);
	snprintf(out, sizeof out, "%s", b.p);
	free(b.p);
	return out;
}

START_TEST(rows_say_what_happened)
{
	const char *row = row_of(decision_line);
	ck_assert_msg(strncmp(row, "2026-11-25 08:46:03  alice       deny            fs-rm-root",
			      59) == 0,
		      "%s", row);
	ck_assert_msg(strstr(row, "  rm -rf /  [dry-run: site-x would deny]"), "%s", row);
	row = row_of(
		"{\"ts\":\"2026-11-25T08:46:04.000000Z\",\"type\":\"completion\",\"decision_id\":"
		"\"0123456789abcdef\",\"uid\":7,\"user\":null,\"exit\":0,\"signal\":null,"
		"\"duration_ms\":12}");
	ck_assert_msg(strstr(row, "  7           exit 0") &&
			      strstr(row, "(completes 0123456789ab, 12 ms)"),
		      "%s", row);
	row = row_of("{\"ts\":\"2026-11-25T08:46:04.000000Z\",\"type\":\"decision\",\"user\":\"b\","
		     "\"line\":\"ls\\n\\u001b[2J\",\"check\":true,\"decision\":\"confirm\","
		     "\"rule\":null,"
		     "\"unknown\":\"eval\",\"reason\":\"INC-1\"}");
	ck_assert_msg(strstr(row, "confirm (check)") && strstr(row, "ls\\n\\x1b[2J") &&
			      strstr(row, "[not understood: eval]") &&
			      strstr(row, "[reason: INC-1]"),
		      "%s", row);
	row = row_of(
		"{\"ts\":\"2026-11-25T08:46:04.000000Z\",\"type\":\"recovery\",\"torn_bytes\":46,"
		"\"saved_to\":\"/var/log/guard/d.torn-1\"}");
	ck_assert_msg(strstr(row, "recovery") &&
			      strstr(row, "(46 torn bytes saved to /var/log/guard/d.torn-1)"),
		      "%s", row);
}
END_TEST

/* ---- logfile ----------------------------------------------------------------- */

static char dir[64];

static void dir_setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/test-logtools.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void dir_teardown(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *path_in(const char *name)
{
	static char p[2][256];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void write_bytes(const char *name, const char *data, size_t n, int flags)
{
	int fd = open(path_in(name), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

START_TEST(reader_long_lines_and_a_growing_file)
{
	/* A line of 3 MiB (longer than a read), one of 5 MiB (refused), then short ones. */
	size_t big = 3 << 20, huge = 5 << 20;
	char *data = malloc(big + huge + 64);
	size_t n = 0;
	memset(data, 'a', big);
	n = big;
	data[n++] = '\n';
	memset(data + n, 'b', huge);
	n += huge;
	data[n++] = '\n';
	memcpy(data + n, "short\n\nlast", 11);
	n += 11;
	write_bytes("log", data, n, O_TRUNC);
	free(data);
	struct logfile *f;
	const char *line;
	size_t len;
	ck_assert_int_eq(logfile_open(path_in("log"), &f), 0);
	ck_assert_int_eq(logfile_next(f, &line, &len), 1);
	ck_assert_uint_eq(len, big);
	ck_assert(line[0] == 'a' && line[len - 1] == 'a');
	ck_assert_int_eq(logfile_next(f, &line, &len), -E2BIG);
	ck_assert_int_eq(f->line_no, 2);
	ck_assert_int_eq(logfile_next(f, &line, &len), 1);
	ck_assert_uint_eq(len, 5);
	ck_assert(memcmp(line, "short", 5) == 0);
	ck_assert_int_eq(f->line_no, 3);
	ck_assert(f->line_off == (off_t)(big + huge + 2));
	ck_assert_int_eq(logfile_next(f, &line, &len), 1);
	ck_assert_uint_eq(len, 0);
	/* "last" has no newline yet: not a line, but pending. */
	ck_assert_int_eq(logfile_next(f, &line, &len), 0);
	ck_assert_uint_eq(logfile_pending(f), 4);
	write_bytes("log", " one\nmore\n", 10, O_APPEND);
	ck_assert_int_eq(logfile_next(f, &line, &len), 1);
	ck_assert_uint_eq(len, 8);
	ck_assert(memcmp(line, "last one", 8) == 0);
	ck_assert_int_eq(logfile_next(f, &line, &len), 1);
	ck_assert_int_eq(logfile_next(f, &line, &len), 0);
	ck_assert_uint_eq(logfile_pending(f), 0);
	ck_assert_int_eq(f->line_no, 6);
	logfile_free(f);
	ck_assert_int_eq(logfile_open(path_in("missing"), &f), -ENOENT);
	ck_assert_int_eq(logfile_open(dir, &f), -EISDIR);
}
END_TEST

static void write_first_seq(const char *name, int seq)
{
	char line[64];
	int n = snprintf(line, sizeof line, "{\"seq\":%d,\"prev\":\"x\"}\n", seq);
	write_bytes(name, line, (size_t)n, O_TRUNC);
}

START_TEST(siblings_in_the_order_of_their_records)
{
	write_first_seq("d.jsonl", 900);
	write_first_seq("d.jsonl.1", 500);
	write_first_seq("d.jsonl.20261101T000000Z", 100);
	write_first_seq("d.jsonl-20261020", 7);
	write_bytes("d.jsonl.2.gz", "\x1f\x8b", 2, O_TRUNC);
	write_bytes("d.jsonl.torn-20261125T120000Z", "{\"ts", 4, O_TRUNC);
	write_bytes("d.jsonl.3", "", 0, O_TRUNC);          /* empty: nothing to read */
	write_bytes("d.jsonl.bak", "hello\n", 6, O_TRUNC); /* not records */
	write_first_seq("d.jsonlx", 1);                    /* another log's name */
	write_first_seq("other.1", 1);
	char **list, **skipped;
	ck_assert_int_eq(logfile_siblings(path_in("d.jsonl"), &list, &skipped), 0);
	const char *want[] = {"d.jsonl-20261020", "d.jsonl.20261101T000000Z", "d.jsonl.1",
			      "d.jsonl"};
	size_t i = 0;
	for (; list[i]; i++) {
		ck_assert_uint_lt(i, 4);
		ck_assert_str_eq(list[i], path_in(want[i]));
	}
	ck_assert_uint_eq(i, 4);
	ck_assert_ptr_nonnull(skipped[0]);
	ck_assert_ptr_nonnull(skipped[1]);
	ck_assert_ptr_null(skipped[2]);
	bool gz = strcmp(skipped[0], path_in("d.jsonl.2.gz")) == 0 ||
		  strcmp(skipped[1], path_in("d.jsonl.2.gz")) == 0;
	bool bak = strcmp(skipped[0], path_in("d.jsonl.bak")) == 0 ||
		   strcmp(skipped[1], path_in("d.jsonl.bak")) == 0;
	ck_assert(gz && bak);
	logfile_list_free(list);
	logfile_list_free(skipped);
	/* A live file that does not exist yet is still the last one. */
	ck_assert_int_eq(logfile_siblings(path_in("new.jsonl"), &list, &skipped), 0);
	ck_assert_str_eq(list[0], path_in("new.jsonl"));
	ck_assert_ptr_null(list[1]);
	ck_assert_ptr_null(skipped[0]);
	logfile_list_free(list);
	logfile_list_free(skipped);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("logtools");
	TCase *rec = tcase_create("scanner");
	tcase_add_test(rec, scanner_finds_top_level_members_only);
	tcase_add_test(rec, scanner_refuses_what_is_not_strict_json);
	tcase_add_test(rec, scanner_refuses_deep_nesting);
	tcase_add_test(rec, scanner_accepts_what_is_json);
	tcase_add_test(rec, strings_decode_escapes_and_cut_between_characters);
	tcase_add_test(rec, escaped_member_names_are_the_names_they_spell);
	tcase_add_test(rec, integers_are_exact_and_bounded);
	tcase_add_test(rec, arrays_and_objects_iterate);
	suite_add_tcase(s, rec);
	TCase *tm = tcase_create("time");
	tcase_add_test(tm, times_in_rfc3339_with_offsets);
	tcase_add_test(tm, times_without_offset_are_local);
	tcase_add_test(tm, times_ago);
	tcase_add_test(tm, times_refused);
	tcase_add_test(tm, times_format_as_guardd_writes_them);
	suite_add_tcase(s, tm);
	TCase *flt = tcase_create("filter");
	tcase_add_test(flt, rule_prefilter_and_exact_match);
	tcase_add_test(flt, time_prefilter_compares_the_leading_ts);
	tcase_add_test(flt, uid_needle_needs_a_whole_number);
	tcase_add_test(flt, decisions_and_types_take_lists);
	tcase_add_test(flt, id_matches_the_decision_a_completion_completes);
	tcase_add_test(flt, program_by_base_name_path_argv0_or_line);
	tcase_add_test(flt, check_and_no_check);
	tcase_add_test(flt, needles_are_encoded_as_guardd_encodes);
	suite_add_tcase(s, flt);
	TCase *ch = tcase_create("chain");
	tcase_add_test(ch, chain_whole);
	tcase_add_test(ch, chain_altered_line);
	tcase_add_test(ch, chain_altered_prev);
	tcase_add_test(ch, chain_missing_lines);
	tcase_add_test(ch, chain_inserted_copy);
	tcase_add_test(ch, chain_inserted_forgery_that_chains);
	tcase_add_test(ch, chain_swapped_lines);
	tcase_add_test(ch, chain_lines_that_are_not_records);
	tcase_add_test(ch, chain_start_after_an_earlier_file);
	tcase_add_test(ch, chain_across_files);
	tcase_add_test(ch, chain_bad_line_after_a_doubtful_one);
	suite_add_tcase(s, ch);
	TCase *sh = tcase_create("show");
	tcase_add_test(sh, arguments_are_shell_quoted);
	tcase_add_test(sh, escape_and_fit);
	tcase_add_test(sh, rows_say_what_happened);
	suite_add_tcase(s, sh);
	TCase *fl = tcase_create("files");
	tcase_add_checked_fixture(fl, dir_setup, dir_teardown);
	tcase_add_test(fl, reader_long_lines_and_a_growing_file);
	tcase_add_test(fl, siblings_in_the_order_of_their_records);
	suite_add_tcase(s, fl);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
