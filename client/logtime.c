/* logtime.c: reading and writing the times of the decision log. */
#include "logtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USEC 1000000LL

/* n decimal digits at *p, advancing it; -1 if they are not there. */
static int digits(const char **p, const char *end, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (*p >= end || **p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_date(int y, int m, int d)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days[m - 1] + (m == 2 && leap(y));
}

/* The broken-down time, fraction and offset of an RFC 3339-like string. */
struct parsed {
	struct tm tm;
	int64_t usec;   /* the fraction of the second */
	bool has_off;   /* Z or +HH:MM was given */
	int off_sec;    /* east of UTC */
	bool date_only; /* YYYY-MM-DD alone */
};

/* [.fraction] then Z, +HH:MM, +HHMM, +HH or nothing. */
static int parse_rest(const char *p, const char *end, struct parsed *r)
{
	if (p < end && *p == '.') {
		int64_t scale = 100000;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return -EINVAL;
		for (; p < end && *p >= '0' && *p <= '9'; p++, scale /= 10)
			r->usec += (*p - '0') * scale;
	}
	if (p == end)
		return 0;
	r->has_off = true;
	if ((*p == 'Z' || *p == 'z') && p + 1 == end)
		return 0;
	if (*p != '+' && *p != '-')
		return -EINVAL;
	int sign = *p++ == '-' ? -1 : 1;
	int hh = digits(&p, end, 2), mm = 0;
	if (p < end && *p == ':')
		p++;
	if (p < end)
		mm = digits(&p, end, 2);
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || p != end)
		return -EINVAL;
	r->off_sec = sign * (hh * 3600 + mm * 60);
	return 0;
}

static int parse_rfc3339(const char *s, size_t n, struct parsed *r)
{
	const char *p = s, *end = s + n;
	*r = (struct parsed){0};
	int y = digits(&p, end, 4);
	int m = p < end && *p++ == '-' ? digits(&p, end, 2) : -1;
	int d = p < end && *p++ == '-' ? digits(&p, end, 2) : -1;
	if (y < 0 || m < 0 || d < 0 || !valid_date(y, m, d))
		return -EINVAL;
	r->tm = (struct tm){.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
	if (p == end) {
		r->date_only = true;
		return 0;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -EINVAL;
	p++;
	int hh = digits(&p, end, 2);
	int mm = p < end && *p++ == ':' ? digits(&p, end, 2) : -1;
	int ss = 0;
	if (p < end && *p == ':') {
		p++;
		ss = digits(&p, end, 2);
	}
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
		return -EINVAL;
	r->tm.tm_hour = hh;
	r->tm.tm_min = mm;
	r->tm.tm_sec = ss;
	return parse_rest(p, end, r);
}

/* The moment a parsed time names; local time when it has no offset. */
static int to_usec(struct parsed *r, int64_t *ret)
{
	time_t t;
	if (r->has_off)
		t = timegm(&r->tm) - r->off_sec;
	else {
		t = mktime(&r->tm);
		if (t == (time_t)-1)
			return -EINVAL;
	}
	*ret = (int64_t)t * USEC + r->usec;
	return 0;
}

int logtime_parse_ts(const char *s, size_t n, int64_t *ret)
{
	struct parsed r;
	if (parse_rfc3339(s, n, &r) < 0 || !r.has_off)
		return -EINVAL;
	return to_usec(&r, ret);
}

/* Local midnight days_ago days before now. */
static int midnight(int64_t now, int days_ago, int64_t *ret)
{
	time_t t = (time_t)(now / USEC);
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return -EINVAL;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days_ago;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = (int64_t)t * USEC;
	return 0;
}

/* 1h30m, 7d, 90s: a sum of durations, subtracted from now. */
static int parse_ago(const char *s, int64_t now, int64_t *ret)
{
	int64_t total = 0;
	const char *p = s;
	if (!*p)
		return -EINVAL;
	while (*p) {
		int64_t n = 0;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (*p - '0');
			if (n > 1000000000)
				return -EINVAL;
		}
		int64_t unit;
		switch (*p++) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return -EINVAL;
		}
		total += n * unit;
		if (total > 100LL * 366 * 86400)
			return -EINVAL;
	}
	*ret = now - total * USEC;
	return 0;
}

static int parse_epoch(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 253402300799LL)
		return -EINVAL;
	*ret = (int64_t)v * USEC;
	return 0;
}

int logtime_parse(const char *s, int64_t now, int64_t *ret)
{
	if (strcmp(s, "now") == 0) {
		*ret = now;
		return 0;
	}
	if (strcmp(s, "today") == 0)
		return midnight(now, 0, ret);
	if (strcmp(s, "yesterday") == 0)
		return midnight(now, 1, ret);
	if (s[0] == '@')
		return parse_epoch(s + 1, ret);
	struct parsed r;
	if (parse_rfc3339(s, strlen(s), &r) == 0)
		return to_usec(&r, ret);
	return parse_ago(s, now, ret);
}

int logtime_is_canonical(const char *s, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	if (n < LOGTIME_TS_LEN)
		return 0;
	for (size_t i = 0; i < LOGTIME_TS_LEN; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return 0;
	return 1;
}

void logtime_format(int64_t usec, char ret[LOGTIME_TS_LEN + 1])
{
	int64_t sec = usec / USEC, frac = usec % USEC;
	if (frac < 0) {
		frac += USEC;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof buf - n, ".%06dZ", (int)frac);
	/* Years past 9999 do not occur; the width stays the log's. */
	memcpy(ret, buf, LOGTIME_TS_LEN);
	ret[LOGTIME_TS_LEN] = '\0';
}

int64_t logtime_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * USEC + ts.tv_nsec / 1000;
}
