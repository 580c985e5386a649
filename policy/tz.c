/* tz.c: local time in a named zone, read from its TZif file (RFC 8536) and the POSIX TZ
 * string of the file's footer, with no global state: no TZ, no tzset(), no caches. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tz.h"

/* Limits on what a zone file may make us read or allocate. The real files are a few
 * KiB with at most a few hundred transitions; tzcode itself refuses more than 2000. */
#define TZ_FILE_MAX  (1024 * 1024)
#define TZ_TIMES_MAX 10000
#define TZ_TYPES_MAX 256 /* a transition's type index is one octet */
#define TZ_CHARS_MAX 4096
#define TZ_NAME_MAX  255 /* of a zone name, and of a designation in a TZ string */

/* RFC 8536 3.2: a UT offset should lie in -89999..93599 (-24:59:59..25:59:59). Keeping
 * to it bounds every sum of a time and an offset. */
#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599

#define SECS_PER_DAY  86400
#define SECS_PER_HOUR 3600

struct tz_type {
	int32_t utoff; /* seconds east of UT */
	bool isdst;
};

/* When DST starts or ends, as the TZ string says. */
struct tz_rule {
	char kind;    /* 'J': Jn (1..365, Feb 29 never counted); 'D': n (0..365); 'M': Mm.w.d */
	int day;      /* n, or d of Mm.w.d (0 = Sunday) */
	int week;     /* 1..5; 5 is the last d of the month */
	int month;    /* 1..12 */
	int32_t secs; /* local time of day of the change, -167h..167h */
};

/* The footer's POSIX TZ string, for times after the last transition. */
struct tz_posix {
	struct tz_type std;
	struct tz_type dst;
	bool has_dst;
	struct tz_rule start; /* in standard time */
	struct tz_rule end;   /* in daylight time */
};

struct policy_tz {
	char *name;
	int64_t *times; /* strictly ascending */
	uint8_t *idx;   /* types[idx[i]] applies from times[i] on */
	size_t n_times;
	struct tz_type types[TZ_TYPES_MAX];
	size_t n_types;
	size_t first; /* the type before the first transition */
	bool has_posix;
	struct tz_posix posix;
};

/* A header's counts, in the order of the file. */
struct tz_header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* What is left of the file. Every read goes through take(), which checks the length. */
struct reader {
	const uint8_t *p;
	size_t left;
};

static const uint8_t *take(struct reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (n > r->left)
		return NULL;
	r->p += n;
	r->left -= n;
	return p;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A big-endian two's complement number of 4 or 8 bytes, sign-extended by arithmetic
 * rather than by an implementation-defined conversion. */
static int64_t be_signed(const uint8_t *p, size_t size)
{
	uint64_t u = 0, sign = (uint64_t)1 << (size * 8 - 1), mask = sign * 2 - 1;

	for (size_t i = 0; i < size; i++)
		u = u << 8 | p[i];
	return u & sign ? -(int64_t)(~u & mask) - 1 : (int64_t)u;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;

	return r < 0 ? r + b : r;
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return days[m - 1] + (m == 2 && is_leap(y));
}

/* Days since 1970-01-01 of a proleptic Gregorian date; the 400-year cycle makes it
 * exact for any year, negative ones too (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void civil_from_days(int64_t z, int64_t *ret_y, int *ret_m, int *ret_d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_y = yoe + era * 400 + (*ret_m <= 2);
}

/* POSIX TZ strings (RFC 8536 3.3, with the 3.3.1 extension of transition times from
 * -167h to 167h), scanned over [p, end): the footer is not NUL-terminated. */
struct scan {
	const char *p;
	const char *end;
};

static bool scan_peek(const struct scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

static bool scan_char(struct scan *s, char c)
{
	if (!scan_peek(s, c))
		return false;
	s->p++;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* One or more decimal digits of a value no greater than max. */
static bool scan_num(struct scan *s, int max, int *ret)
{
	int v = 0;

	if (s->p >= s->end || !is_digit(*s->p))
		return false;
	while (s->p < s->end && is_digit(*s->p)) {
		v = v * 10 + (*s->p++ - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

/* A designation: three or more letters, or <...> of three or more [A-Za-z0-9+-]
 * ("<+0330>"). Only checked: tm_zone is not filled. */
static bool scan_name(struct scan *s)
{
	const char *start;
	bool quoted = scan_char(s, '<');

	start = s->p;
	while (s->p < s->end &&
	       (is_alpha(*s->p) || (quoted && (is_digit(*s->p) || *s->p == '+' || *s->p == '-'))))
		s->p++;
	if (s->p - start < 3 || s->p - start > TZ_NAME_MAX)
		return false;
	return !quoted || scan_char(s, '>');
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to max_hours. */
static bool scan_hms(struct scan *s, int max_hours, int32_t *ret)
{
	int h, m = 0, sec = 0, sign = 1;

	if (scan_char(s, '-'))
		sign = -1;
	else
		scan_char(s, '+');
	if (!scan_num(s, max_hours, &h))
		return false;
	if (scan_char(s, ':')) {
		if (!scan_num(s, 59, &m))
			return false;
		if (scan_char(s, ':') && !scan_num(s, 59, &sec))
			return false;
	}
	*ret = sign * (h * SECS_PER_HOUR + m * 60 + sec);
	return true;
}

/* An offset is hours west of UT ("EST5"), a type's utoff seconds east. POSIX bounds
 * the hours to 24, which keeps the offset within the TZif range. */
static bool scan_offset(struct scan *s, int32_t *ret_utoff)
{
	int32_t secs;

	if (!scan_hms(s, 24, &secs))
		return false;
	*ret_utoff = -secs;
	return true;
}

static bool scan_rule(struct scan *s, struct tz_rule *r)
{
	*r = (struct tz_rule){.kind = 'D', .secs = 2 * SECS_PER_HOUR};
	if (scan_char(s, 'J')) {
		r->kind = 'J';
		if (!scan_num(s, 365, &r->day) || r->day < 1)
			return false;
	} else if (scan_char(s, 'M')) {
		r->kind = 'M';
		if (!scan_num(s, 12, &r->month) || r->month < 1 || !scan_char(s, '.') ||
		    !scan_num(s, 5, &r->week) || r->week < 1 || !scan_char(s, '.') ||
		    !scan_num(s, 6, &r->day))
			return false;
	} else if (!scan_num(s, 365, &r->day)) {
		return false;
	}
	return !scan_char(s, '/') || scan_hms(s, 167, &r->secs);
}

/* DST without rules is left to the implementation by POSIX; zic never writes it, and
 * guessing (glibc takes the US rules) is worse than refusing the file. */
static int posix_parse(const char *p, size_t n, struct tz_posix *ret)
{
	struct scan s = {p, p + n};
	struct tz_posix z = {0};

	if (!scan_name(&s) || !scan_offset(&s, &z.std.utoff))
		return -EINVAL;
	if (s.p == s.end) {
		*ret = z;
		return 0;
	}
	if (!scan_name(&s))
		return -EINVAL;
	z.has_dst = true;
	z.dst.isdst = true;
	z.dst.utoff = z.std.utoff + SECS_PER_HOUR;
	if (!scan_peek(&s, ',') && !scan_offset(&s, &z.dst.utoff))
		return -EINVAL;
	if (!scan_char(&s, ',') || !scan_rule(&s, &z.start) || !scan_char(&s, ',') ||
	    !scan_rule(&s, &z.end) || s.p != s.end)
		return -EINVAL;
	*ret = z;
	return 0;
}

/* The day (since the epoch) on which rule r falls in year y. */
static int64_t rule_day(const struct tz_rule *r, int64_t y)
{
	int64_t jan1 = days_from_civil(y, 1, 1), first;
	int wday, mday;

	switch (r->kind) {
	case 'J':
		return jan1 + r->day - 1 + (is_leap(y) && r->day >= 60);
	case 'D':
		return jan1 + r->day;
	default:
		first = days_from_civil(y, r->month, 1);
		wday = (int)floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday */
		mday = 1 + (r->day - wday + 7) % 7 + 7 * (r->week - 1);
		while (mday > month_days(y, r->month)) /* week 5: the last one */
			mday -= 7;
		return first + mday - 1;
	}
}

/* The UT instant of rule r in year y, its time of day being local time at utoff. */
static int64_t rule_time(const struct tz_rule *r, int64_t y, int32_t utoff)
{
	return rule_day(r, y) * SECS_PER_DAY + r->secs - utoff;
}

/* The type in force at t, for t whose UT year is y: that of the last change at or
 * before t. Rule times beyond a day (v3) can move a change into the next or previous
 * year, and southern zones have DST across the new year, so the changes of the years
 * around y are all weighed; a change of y-2 is always before t, so one is found. Of
 * equal times the later year's wins: where one year's end meets the next year's start
 * (DST all year, "0/0,J365/25") DST goes on. */
static struct tz_type posix_at(const struct tz_posix *z, int64_t t, int64_t y)
{
	struct tz_type type = z->std;
	int64_t best = INT64_MIN;

	if (!z->has_dst)
		return z->std;
	for (int64_t yy = y - 2; yy <= y + 1; yy++) {
		int64_t start = rule_time(&z->start, yy, z->std.utoff);
		int64_t end = rule_time(&z->end, yy, z->dst.utoff);

		if (start <= t && start >= best) {
			best = start;
			type = z->dst;
		}
		if (end <= t && end >= best) {
			best = end;
			type = z->std;
		}
	}
	return type;
}

static int header_parse(struct reader *r, struct tz_header *h)
{
	const uint8_t *p = take(r, 44);

	if (!p || memcmp(p, "TZif", 4) != 0)
		return -EINVAL;
	/* Version 4 differs from 3 only in leap-second tables, which are refused below. */
	h->version = (char)p[4];
	if (h->version != '\0' && (h->version < '2' || h->version > '4'))
		return -EINVAL;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->typecnt < 1 || h->typecnt > TZ_TYPES_MAX || h->charcnt < 1 ||
	    h->charcnt > TZ_CHARS_MAX || h->timecnt > TZ_TIMES_MAX || h->leapcnt > TZ_TIMES_MAX ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return -EINVAL;
	return 0;
}

/* The size of the data block after h, with times of time_size bytes. The counts are
 * capped, so this cannot overflow. */
static size_t block_size(const struct tz_header *h, size_t time_size)
{
	return (size_t)h->timecnt * (time_size + 1) + (size_t)h->typecnt * 6 + h->charcnt +
	       (size_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

static int times_parse(struct reader *r, const struct tz_header *h, size_t time_size,
		       struct policy_tz *tz)
{
	const uint8_t *times = take(r, (size_t)h->timecnt * time_size);
	const uint8_t *idx = take(r, h->timecnt);

	if (!times || !idx)
		return -EINVAL;
	if (h->timecnt == 0)
		return 0;
	tz->times = malloc(sizeof(*tz->times) * h->timecnt);
	tz->idx = malloc(h->timecnt);
	if (!tz->times || !tz->idx)
		return -ENOMEM;
	for (size_t i = 0; i < h->timecnt; i++) {
		tz->times[i] = be_signed(times + i * time_size, time_size);
		/* Binary search needs them sorted; RFC 8536 says strictly ascending. */
		if (i > 0 && tz->times[i] <= tz->times[i - 1])
			return -EINVAL;
		if (idx[i] >= h->typecnt)
			return -EINVAL;
		tz->idx[i] = idx[i];
	}
	tz->n_times = h->timecnt;
	return 0;
}

static int types_parse(struct reader *r, const struct tz_header *h, struct policy_tz *tz)
{
	const uint8_t *types = take(r, (size_t)h->typecnt * 6);
	const uint8_t *chars = take(r, h->charcnt);

	if (!types || !chars || chars[h->charcnt - 1] != '\0')
		return -EINVAL;
	for (size_t i = 0; i < h->typecnt; i++) {
		const uint8_t *p = types + i * 6;
		int32_t utoff = (int32_t)be_signed(p, 4);

		if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX || p[4] > 1 || p[5] >= h->charcnt)
			return -EINVAL;
		tz->types[i] = (struct tz_type){.utoff = utoff, .isdst = p[4]};
	}
	tz->n_types = h->typecnt;
	/* Before the first transition: the first standard-time type, as glibc and the
	 * older tzfile(5) have it. RFC 8536 says type 0, which zic makes the same one. */
	tz->first = 0;
	while (tz->first < tz->n_types && tz->types[tz->first].isdst)
		tz->first++;
	if (tz->first == tz->n_types)
		tz->first = 0;
	return 0;
}

static int indicators_parse(struct reader *r, const struct tz_header *h)
{
	const uint8_t *p = take(r, (size_t)h->isstdcnt + h->isutcnt);

	if (!p)
		return -EINVAL;
	for (size_t i = 0; i < (size_t)h->isstdcnt + h->isutcnt; i++)
		if (p[i] > 1)
			return -EINVAL;
	return 0;
}

/* Leap-second records are refused rather than skipped: they belong to the "right/"
 * zones, which assume a clock counting leap seconds, and no Linux clock does. */
static int block_parse(struct reader *r, const struct tz_header *h, size_t time_size,
		       struct policy_tz *tz)
{
	int k;

	if (h->leapcnt != 0 || block_size(h, time_size) > r->left)
		return -EINVAL;
	k = times_parse(r, h, time_size, tz);
	if (k < 0)
		return k;
	k = types_parse(r, h, tz);
	if (k < 0)
		return k;
	return indicators_parse(r, h);
}

/* "\n" TZ string "\n", and nothing after it. An empty string says nothing about the
 * times after the last transition, which then keep its type. */
static int footer_parse(struct reader *r, struct policy_tz *tz)
{
	const uint8_t *first = take(r, 1), *nl;
	size_t n;

	if (!first || *first != '\n')
		return -EINVAL;
	nl = memchr(r->p, '\n', r->left);
	if (!nl || (size_t)(nl - r->p) + 1 != r->left)
		return -EINVAL;
	n = (size_t)(nl - r->p);
	if (n == 0)
		return 0;
	if (posix_parse((const char *)r->p, n, &tz->posix) < 0)
		return -EINVAL;
	tz->has_posix = true;
	return 0;
}

/* A version 2+ file repeats its data with 64-bit times after the 32-bit block, then
 * has the footer; the 32-bit block is skipped, its size checked like any other. */
static int tzif_parse(const uint8_t *data, size_t size, struct policy_tz *tz)
{
	struct reader r = {data, size};
	struct tz_header h, h2;
	int k;

	k = header_parse(&r, &h);
	if (k < 0)
		return k;
	if (h.version == '\0') {
		k = block_parse(&r, &h, 4, tz);
		if (k == 0 && r.left != 0)
			k = -EINVAL;
		return k;
	}
	if (!take(&r, block_size(&h, 4)))
		return -EINVAL;
	k = header_parse(&r, &h2);
	if (k < 0)
		return k;
	if (h2.version != h.version)
		return -EINVAL;
	k = block_parse(&r, &h2, 8, tz);
	if (k < 0)
		return k;
	return footer_parse(&r, tz);
}

/* A relative path of [A-Za-z0-9_+-] components: no "..", no absolute path, and no
 * "." at all, which also keeps out "zone.tab" and the other non-zone files. */
static bool name_valid(const char *name)
{
	size_t n = strlen(name);
	bool component_start = true;

	if (n == 0 || n > TZ_NAME_MAX || name[n - 1] == '/')
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '/') {
			if (component_start)
				return false;
			component_start = true;
			continue;
		}
		if (!is_alpha(*p) && !is_digit(*p) && *p != '_' && *p != '+' && *p != '-')
			return false;
		component_start = false;
	}
	return true;
}

static int read_fd(int fd, uint8_t **ret, size_t *ret_size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) /* "Europe" is a directory of zones, not one */
		return -ENOENT;
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX)
		return -EINVAL;
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* an error, or the file shrank under us */
			int k = n < 0 ? -errno : -EINVAL;

			free(buf);
			return k;
		}
		got += (size_t)n;
	}
	*ret = buf;
	*ret_size = got;
	return 0;
}

/* Symlinks are followed: most zone names are links to others. O_NONBLOCK so that a
 * FIFO in their place cannot hang us before fstat() refuses it. */
static int read_zone(const char *dir, const char *name, uint8_t **ret, size_t *ret_size)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *path = malloc(n);
	int fd, k;

	if (!path)
		return -ENOMEM;
	strcpy(path, dir);
	strcat(path, "/");
	strcat(path, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	k = fd < 0 ? -errno : 0;
	free(path);
	if (k == -ENOTDIR) /* "UTC/x": a component is a file, so no such zone */
		return -ENOENT;
	if (k < 0)
		return k;
	k = read_fd(fd, ret, ret_size);
	close(fd);
	return k;
}

int policy_tz_load(const char *dir, const char *name, struct policy_tz **ret)
{
	struct policy_tz *tz;
	uint8_t *data = NULL;
	size_t size = 0;
	int k;

	if (!dir || !name || !ret || !name_valid(name))
		return -EINVAL;
	k = read_zone(dir, name, &data, &size);
	if (k < 0)
		return k;
	tz = calloc(1, sizeof(*tz));
	if (!tz) {
		free(data);
		return -ENOMEM;
	}
	k = tzif_parse(data, size, tz);
	free(data);
	if (k == 0) {
		tz->name = strdup(name);
		k = tz->name ? 0 : -ENOMEM;
	}
	if (k < 0) {
		policy_tz_free(tz);
		return k;
	}
	*ret = tz;
	return 0;
}

void policy_tz_free(struct policy_tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->times);
	free(tz->idx);
	free(tz);
}

const char *policy_tz_name(const struct policy_tz *tz)
{
	return tz->name;
}

/* The type in force at t; y is t's UT year. */
static struct tz_type type_at(const struct policy_tz *tz, int64_t t, int64_t y)
{
	size_t lo = 0, hi = tz->n_times;

	if (tz->n_times == 0 || t > tz->times[tz->n_times - 1]) {
		if (tz->has_posix)
			return posix_at(&tz->posix, t, y);
		if (tz->n_times == 0)
			return tz->types[tz->first];
	}
	if (t < tz->times[0])
		return tz->types[tz->first];
	/* The last transition at or before t: times[lo] <= t < times[hi]. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->types[tz->idx[lo]];
}

int policy_tz_localtime(const struct policy_tz *tz, time_t t, struct tm *ret)
{
	int64_t days = floor_div(t, SECS_PER_DAY), secs = floor_mod(t, SECS_PER_DAY), y;
	struct tz_type type;
	int m, d;

	/* The local year is the UT year or one off, so a UT year far out of range is an
	 * overflow; the check also keeps the rule arithmetic of posix_at() in range. */
	civil_from_days(days, &y, &m, &d);
	if (y - 1900 > (int64_t)INT_MAX + 1 || y - 1900 < (int64_t)INT_MIN - 1)
		return -EOVERFLOW;
	type = type_at(tz, t, y);
	secs += type.utoff;
	days += floor_div(secs, SECS_PER_DAY);
	secs = floor_mod(secs, SECS_PER_DAY);
	civil_from_days(days, &y, &m, &d);
	if (y - 1900 > INT_MAX || y - 1900 < INT_MIN)
		return -EOVERFLOW;
	*ret = (struct tm){
		.tm_year = (int)(y - 1900),
		.tm_mon = m - 1,
		.tm_mday = d,
		.tm_hour = (int)(secs / SECS_PER_HOUR),
		.tm_min = (int)(secs / 60 % 60),
		.tm_sec = (int)(secs % 60),
		.tm_wday = (int)floor_mod(days + 4, 7),
		.tm_yday = (int)(days - days_from_civil(y, 1, 1)),
		.tm_isdst = type.isdst,
		.tm_gmtoff = type.utoff,
		.tm_zone = NULL,
	};
	return 0;
}
