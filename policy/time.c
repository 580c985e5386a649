/* time.c: the "time" condition: days, hours and dates in a named zone, parsed once at
 * load and checked against the local wall-clock time of the request's instant. */
#include <string.h>

#include "policy-internal.h"

/* In tm_wday order. */
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const day_long_names[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};
static const char *const time_keys[] = {"tz", "days", "hours", "dates", NULL};

#define DAY_SECONDS (24 * 3600)

/* The tm_wday of the three letters at s, or -1. */
static int day_index(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (strncmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "mon" or "fri-mon" (wrapping over the end of the week). */
static const char *parse_day(const char *s, struct policy_time *t, size_t i)
{
	size_t n = strlen(s);
	int from = n == 3 || n == 7 ? day_index(s) : -1;
	int to = n == 7 && s[3] == '-' ? day_index(s + 4) : n == 3 ? from : -1;

	if (from < 0 || to < 0)
		return "use mon, tue, wed, thu, fri, sat, sun or a range as \"mon-fri\"";
	for (int d = from;; d = (d + 1) % 7) {
		t->days |= 1u << d;
		if (d == to)
			break;
	}
	return NULL;
}

static bool two_digits(const char *s, long *ret)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*ret = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/* "HH:MM" as seconds of the day; "24:00" is the end of the day. */
static bool parse_clock(const char *s, long *ret)
{
	long h, m;

	if (!two_digits(s, &h) || s[2] != ':' || !two_digits(s + 3, &m) || m > 59 || h > 24 ||
	    (h == 24 && m != 0))
		return false;
	*ret = h * 3600 + m * 60;
	return true;
}

static const char *parse_hours(const char *s, struct policy_time *t, size_t i)
{
	struct policy_span *span = &t->hours[i];

	if (strlen(s) != 11 || s[5] != '-' || !parse_clock(s, &span->from) ||
	    !parse_clock(s + 6, &span->to) || span->from == DAY_SECONDS)
		return "use \"HH:MM-HH:MM\" (\"09:00-17:30\", \"22:00-06:00\")";
	if (span->from == span->to)
		return "the range is empty";
	return NULL;
}

static bool leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" as YYYYMMDD; *real false for a day the calendar does not have. */
static bool parse_date(const char *s, long *ret, bool *real)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	long c, y, m, d;

	if (!two_digits(s, &c) || !two_digits(s + 2, &y) || s[4] != '-' || !two_digits(s + 5, &m) ||
	    s[7] != '-' || !two_digits(s + 8, &d))
		return false;
	y += c * 100;
	*real = m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap(y));
	*ret = y * 10000 + m * 100 + d;
	return true;
}

static const char *parse_dates(const char *s, struct policy_time *t, size_t i)
{
	struct policy_span *span = &t->dates[i];
	size_t n = strlen(s);
	bool real = false, real_to = true;

	if ((n != 10 && n != 22) || !parse_date(s, &span->from, &real) ||
	    (n == 22 &&
	     (strncmp(s + 10, "..", 2) != 0 || !parse_date(s + 12, &span->to, &real_to))))
		return "use \"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\"";
	if (!real || !real_to)
		return "the calendar has no such day";
	if (n == 10)
		span->to = span->from;
	if (span->to < span->from)
		return "it ends before it starts";
	return NULL;
}

/* One part of "time": a string or an array of them, each parsed by fn. */
struct part {
	const char *key;
	const char *noun;
	const char *(*parse)(const char *s, struct policy_time *t, size_t i);
	size_t text;  /* offset of its struct policy_strv in struct policy_time */
	size_t spans; /* offset of its struct policy_span * or 0 */
};

static void parse_entry(struct policy_parser *p, const char *where, json_t *v,
			const struct part *part, struct policy_time *t)
{
	struct policy_strv *text = (struct policy_strv *)((char *)t + part->text);
	const char *problem, *copy;
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		policy_report(p, where, "expected a string");
		return;
	}
	problem = part->parse(json_string_value(v), t, text->n);
	if (problem) {
		policy_quote(json_string_value(v), q, sizeof(q));
		policy_report(p, where, "invalid %s %s: %s", part->noun, q, problem);
		return;
	}
	copy = policy_parser_strdup(p, json_string_value(v));
	if (copy)
		text->v[text->n++] = copy;
}

static void parse_part(struct policy_parser *p, const char *where, json_t *v,
		       const struct part *part, struct policy_time *t)
{
	struct policy_strv *text = (struct policy_strv *)((char *)t + part->text);
	bool one = json_is_string(v);
	size_t n = one ? 1 : json_array_size(v);
	char w[POLICY_WHERE_MAX];

	if (!one && !json_is_array(v)) {
		policy_report(p, where, "expected a string or an array of strings");
		return;
	}
	if (n == 0) {
		policy_report(p, where, "empty array; it would never match");
		return;
	}
	text->v = policy_parser_alloc(p, n * sizeof(*text->v));
	if (part->spans) {
		struct policy_span **spans = (struct policy_span **)((char *)t + part->spans);

		*spans = policy_parser_alloc(p, n * sizeof(**spans));
		if (!*spans)
			return;
	}
	if (!text->v)
		return;
	if (one)
		parse_entry(p, where, v, part, t);
	for (size_t i = 0; !one && i < n; i++)
		parse_entry(p, policy_where_element(w, where, i), json_array_get(v, i), part, t);
}

static const struct part parts[] = {
	{"days", "day", parse_day, offsetof(struct policy_time, days_text), 0},
	{"hours", "hours", parse_hours, offsetof(struct policy_time, hours_text),
	 offsetof(struct policy_time, hours)},
	{"dates", "date", parse_dates, offsetof(struct policy_time, dates_text),
	 offsetof(struct policy_time, dates)},
};

/* A zone name as tz.h takes it: components of [A-Za-z0-9_+-]. */
static bool zone_name_valid(const char *s)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789_+-";

	if (strlen(s) > 255)
		return false;
	for (;;) {
		size_t n = strspn(s, chars);

		if (n == 0)
			return false;
		if (s[n] == '\0')
			return true;
		if (s[n] != '/')
			return false;
		s += n + 1;
	}
}

static void report_zone(struct policy_parser *p, const char *where, const char *name, int r)
{
	char q[POLICY_QUOTE_MAX], buf[128];

	policy_quote(name, q, sizeof(q));
	if (r == -ENOMEM)
		p->r = -ENOMEM;
	else if (r == -ENOENT || r == -EISDIR || r == -ENOTDIR)
		policy_report(p, where, "unknown time zone %s (not in %s)", q, POLICY_TZ_DIR);
	else if (r == -EINVAL)
		policy_report(p, where, "time zone %s: its file in %s is not a valid TZif file", q,
			      POLICY_TZ_DIR);
	else
		policy_report(p, where, "time zone %s: %s", q, strerror_r(-r, buf, sizeof(buf)));
}

/* Each zone is read once per file, however many rules name it. */
static const struct policy_tz *zone(struct policy_parser *p, const char *where, const char *name)
{
	struct policy_zone *z;
	struct policy_tz *tz;
	char q[POLICY_QUOTE_MAX];
	int r;

	for (z = p->f->zones; z; z = z->next)
		if (strcmp(policy_tz_name(z->tz), name) == 0)
			return z->tz;
	if (!zone_name_valid(name)) {
		policy_quote(name, q, sizeof(q));
		policy_report(p, where, "invalid time zone %s (a name as \"Europe/Berlin\")", q);
		return NULL;
	}
	r = policy_tz_load(POLICY_TZ_DIR, name, &tz);
	if (r < 0) {
		report_zone(p, where, name, r);
		return NULL;
	}
	z = policy_parser_alloc(p, sizeof(*z));
	if (!z) {
		policy_tz_free(tz);
		return NULL;
	}
	*z = (struct policy_zone){.tz = tz, .next = p->f->zones};
	p->f->zones = z;
	return tz;
}

static void parse_tz(struct policy_parser *p, const char *where, json_t *v, struct policy_time *t)
{
	char w[POLICY_WHERE_MAX];

	policy_where_member(w, where, "tz");
	if (!json_is_string(v))
		policy_report(p, w, "expected a string");
	else if (json_string_value(v)[0] == '\0')
		policy_report(p, w, "empty string");
	else
		t->tz = zone(p, w, json_string_value(v));
}

void policy_parse_time(struct policy_parser *p, const char *where, json_t *v,
		       struct policy_time **ret)
{
	struct policy_time *t;
	char w[POLICY_WHERE_MAX];
	json_t *tz;

	if (!json_is_object(v)) {
		policy_report(p, where,
			      "expected an object (\"tz\", \"days\", \"hours\", \"dates\")");
		return;
	}
	t = policy_parser_alloc(p, sizeof(*t));
	if (!t)
		return;
	policy_check_keys(p, where, v, time_keys);
	tz = json_object_get(v, "tz");
	if (!tz)
		policy_report(p, where, "missing key \"tz\"");
	else
		parse_tz(p, where, tz, t);
	if (!json_object_get(v, "days") && !json_object_get(v, "hours") &&
	    !json_object_get(v, "dates"))
		policy_report(p, where, "give \"days\", \"hours\" or \"dates\" besides \"tz\"");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		json_t *pv = json_object_get(v, parts[i].key);

		if (pv)
			parse_part(p, policy_where_member(w, where, parts[i].key), pv, &parts[i],
				   t);
	}
	*ret = t;
}

static bool in_hours(const struct policy_time *t, long s)
{
	for (size_t i = 0; i < t->hours_text.n; i++) {
		const struct policy_span *h = &t->hours[i];

		/* A range whose end comes before its start wraps past midnight. */
		if (h->from < h->to ? s >= h->from && s < h->to : s >= h->from || s < h->to)
			return true;
	}
	return false;
}

static bool in_dates(const struct policy_time *t, long date)
{
	for (size_t i = 0; i < t->dates_text.n; i++)
		if (date >= t->dates[i].from && date <= t->dates[i].to)
			return true;
	return false;
}

bool policy_time_holds(const struct policy_time *t, time_t now, struct policy_why *why)
{
	const char *zone = policy_tz_name(t->tz);
	long s, date;
	struct tm tm;

	if (policy_tz_localtime(t->tz, now, &tm) < 0) {
		if (why)
			policy_why_set(why, "match.time", "the time is out of range");
		return false;
	}
	s = tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec;
	date = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	if (t->days && !(t->days & (1u << tm.tm_wday))) {
		if (why) {
			policy_why_set(why, "match.time.days", "%s (%s) is not in ",
				       day_long_names[tm.tm_wday], zone);
			policy_why_list(why, &t->days_text, " or ");
		}
		return false;
	}
	if (t->hours_text.n && !in_hours(t, s)) {
		if (why) {
			policy_why_set(why, "match.time.hours", "%02d:%02d:%02d (%s) is not in ",
				       tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
			policy_why_list(why, &t->hours_text, " or ");
		}
		return false;
	}
	if (t->dates_text.n && !in_dates(t, date)) {
		if (why) {
			policy_why_set(why, "match.time.dates", "%04ld-%02d-%02d (%s) is not in ",
				       date / 10000, tm.tm_mon + 1, tm.tm_mday, zone);
			policy_why_list(why, &t->dates_text, " or ");
		}
		return false;
	}
	return true;
}
