/* test-tz.c: named time zones against glibc's localtime_r() as the oracle (every
 * transition of a set of hard zones, and random instants), hand-made TZif files and TZ
 * strings, and a corpus of bad names, bad files and random mutations that must fail
 * cleanly. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../policy/tz.h"

#define N(a)   ((int)(sizeof(a) / sizeof((a)[0])))
#define UNUSED __attribute__((unused))

#define HOUR  3600
#define WEEK  (7 * 24 * HOUR)
#define T1850 (-3786825600LL) /* 1850-01-01T00:00:00Z */
#define T2100 4102444800LL    /* 2100-01-01T00:00:00Z */

static char tmp[] = "/tmp/guard-test-tz-XXXXXX";

/* The zones compared with glibc, each for a reason. */
static const char *const oracle_zones[] = {
	"UTC",
	"Europe/Berlin",
	"Europe/London",
	"America/New_York",
	"America/Sao_Paulo",   /* southern DST, abolished in 2019 */
	"Australia/Sydney",    /* southern DST across the new year */
	"Australia/Lord_Howe", /* 30-minute DST */
	"Asia/Kolkata",        /* +05:30 */
	"Asia/Kathmandu",      /* +05:45 */
	"Pacific/Chatham",     /* +12:45, DST at 2:45 */
	"Africa/Casablanca",   /* negative DST for Ramadan, listed to 2087 */
	"America/St_Johns",    /* -03:30 */
	"Pacific/Apia",        /* skipped 2011-12-30 */
	"Europe/Dublin",       /* negative DST: winter is "daylight" time */
	"Antarctica/Troll",    /* +00 with 2-hour DST */
	"America/Nuuk",        /* v3: rule time -1 */
	"Asia/Gaza",           /* v3: rule times of 50 hours */
};

/* A fixed-seed generator (splitmix64), so that a failure can be replayed. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static time_t rnd_between(int64_t from, int64_t to)
{
	return (time_t)(from + (int64_t)(rnd() % (uint64_t)(to - from)));
}

static int remove_one(const char *path, UNUSED const struct stat *st, UNUSED int flag,
		      UNUSED struct FTW *ftw)
{
	return remove(path);
}

static void setup(void)
{
	strcpy(tmp, "/tmp/guard-test-tz-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	unsetenv("TZDIR");
}

static void teardown(void)
{
	nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_bytes(const char *name, const void *data, size_t size)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "cannot create %s", path);
	ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
	close(fd);
}

static bool read_bytes(const char *path, uint8_t *buf, size_t size, size_t *ret)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	*ret = fread(buf, 1, size, f);
	fclose(f);
	return *ret < size;
}

static void use_tz(const char *tz)
{
	ck_assert_int_eq(setenv("TZ", tz, 1), 0);
	tzset();
}

static bool same_tm(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday &&
	       a->tm_hour == b->tm_hour && a->tm_min == b->tm_min && a->tm_sec == b->tm_sec &&
	       a->tm_wday == b->tm_wday && a->tm_yday == b->tm_yday && a->tm_isdst == b->tm_isdst &&
	       a->tm_gmtoff == b->tm_gmtoff;
}

static void tm_format(const struct tm *tm, char *buf, size_t size)
{
	snprintf(buf, size, "%d-%02d-%02d %02d:%02d:%02d wday %d yday %d isdst %d gmtoff %ld",
		 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min,
		 tm->tm_sec, tm->tm_wday, tm->tm_yday, tm->tm_isdst, tm->tm_gmtoff);
}

/* Compares tz with glibc under the current TZ at t. Returns true when they agree,
 * or else false with the difference in why. Both failing (a year beyond int) agrees. */
static bool agrees(const struct policy_tz *tz, time_t t, char *why, size_t size)
{
	struct tm want, got;
	bool glibc_ok = localtime_r(&t, &want) != NULL;
	int r = policy_tz_localtime(tz, t, &got);
	char a[128], b[128];

	if (!glibc_ok || r < 0) {
		if (glibc_ok == (r == 0) && (r == 0 || r == -EOVERFLOW))
			return true;
		snprintf(why, size, "t=%lld: glibc %s, policy_tz_localtime %d", (long long)t,
			 glibc_ok ? "succeeds" : "fails", r);
		return false;
	}
	if (same_tm(&want, &got))
		return true;
	tm_format(&want, a, sizeof(a));
	tm_format(&got, b, sizeof(b));
	snprintf(why, size, "t=%lld: glibc %s, policy_tz_localtime %s", (long long)t, a, b);
	return false;
}

/* Instants to compare, with room for all transitions of a zone. */
struct instants {
	time_t *v;
	size_t n, size;
};

static void instants_add(struct instants *s, time_t t)
{
	if (s->n == s->size) {
		s->size = s->size ? s->size * 2 : 1024;
		s->v = realloc(s->v, s->size * sizeof(*s->v));
		ck_assert_ptr_nonnull(s->v);
	}
	s->v[s->n++] = t;
}

static void instants_add_around(struct instants *s, time_t t)
{
	static const int deltas[] = {-HOUR, -1, 0, 1, HOUR};

	for (int i = 0; i < N(deltas); i++)
		instants_add(s, t + deltas[i]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The transition times of a real zone file, read the simple way (the file is trusted
 * here): the 64-bit block of a version 2+ file. Returns how many were added, and the
 * last in *ret_last (T1850 when there are none). */
static size_t file_transitions(const char *zone, struct instants *s, time_t *ret_last)
{
	static uint8_t buf[1024 * 1024];
	char path[PATH_MAX];
	const uint8_t *h, *p;
	size_t size, n;

	snprintf(path, sizeof(path), "%s/%s", POLICY_TZ_DIR, zone);
	ck_assert_msg(read_bytes(path, buf, sizeof(buf), &size), "cannot read %s", path);
	ck_assert_msg(size >= 44 && buf[4] >= '2', "%s: not a TZif file of version 2+", path);
	/* Skip the 32-bit block: counts isut, isstd, leap, time, type, char. */
	h = buf + 44 + be32(buf + 32) * 5 + be32(buf + 36) * 6 + be32(buf + 40) +
	    be32(buf + 28) * 8 + be32(buf + 24) + be32(buf + 20);
	ck_assert(h + 44 <= buf + size);
	n = be32(h + 32);
	ck_assert(h + 44 + n * 8 <= buf + size);
	p = h + 44;
	*ret_last = T1850;
	for (size_t i = 0; i < n; i++, p += 8) {
		time_t t = (time_t)((uint64_t)be32(p) << 32 | be32(p + 4));

		instants_add_around(s, t);
		if (t > *ret_last)
			*ret_last = t;
	}
	return n;
}

struct state {
	long gmtoff;
	int isdst;
};

static struct state glibc_state(time_t t)
{
	struct tm tm;

	ck_assert_ptr_nonnull(localtime_r(&t, &tm));
	return (struct state){tm.tm_gmtoff, tm.tm_isdst};
}

static bool same_state(struct state a, struct state b)
{
	return a.gmtoff == b.gmtoff && a.isdst == b.isdst;
}

/* The changes glibc sees in [from, to), week by week and then to the second: for a
 * real zone, those after the file's last transition come from the footer's rule.
 * Returns how many were added. */
static size_t glibc_transitions(struct instants *s, time_t from, time_t to)
{
	struct state prev = glibc_state(from), cur;
	size_t n = 0;

	for (time_t t = from + WEEK; t < to; t += WEEK, prev = cur) {
		time_t lo = t - WEEK, hi = t;

		cur = glibc_state(t);
		if (same_state(prev, cur))
			continue;
		/* state(lo) == prev != state(hi) */
		while (hi - lo > 1) {
			time_t mid = lo + (hi - lo) / 2;

			if (same_state(glibc_state(mid), prev))
				lo = mid;
			else
				hi = mid;
		}
		instants_add_around(s, hi);
		n++;
	}
	return n;
}

static struct policy_tz *load(const char *dir, const char *zone)
{
	struct policy_tz *tz = NULL;
	int r = policy_tz_load(dir, zone, &tz);

	ck_assert_msg(r == 0, "loading %s from %s: %d (%s)", zone, dir, r, strerror(-r));
	ck_assert_str_eq(policy_tz_name(tz), zone);
	return tz;
}

/* Compares tz with glibc at every instant of s; TZ must be set. */
static void compare_all(const char *what, const struct policy_tz *tz, const struct instants *s)
{
	char why[512] = "", first[512] = "";
	size_t bad = 0;

	for (size_t i = 0; i < s->n; i++)
		if (!agrees(tz, s->v[i], why, sizeof(why)) && bad++ == 0)
			strcpy(first, why);
	ck_assert_msg(bad == 0, "%s: %zu of %zu instants differ from glibc, first %s", what, bad,
		      s->n, first);
}

START_TEST(zone_agrees_with_glibc)
{
	const char *zone = oracle_zones[_i];
	struct instants s = {0};
	struct policy_tz *tz = load(POLICY_TZ_DIR, zone);
	size_t in_file, after;
	time_t last;

	use_tz(zone);
	rnd_state = 20261220 + (uint64_t)_i;
	in_file = file_transitions(zone, &s, &last);
	/* The changes of the footer's rule, from the file's last transition to 2100. */
	after = glibc_transitions(&s, last, T2100);
	for (int i = 0; i < 3000; i++)
		instants_add(&s, rnd_between(T1850, T2100));
	compare_all(zone, tz, &s);
	printf("%-20s %5zu instants: %3zu transitions in the file, %3zu changes after it "
	       "to 2100, 5 instants around each, 3000 random 1850-2100\n",
	       zone, s.n, in_file, after);
	free(s.v);
	policy_tz_free(tz);
}
END_TEST

static int add_zone(const char *path, UNUSED const struct stat *st, int flag, struct FTW *ftw)
{
	const char *name = path + strlen(POLICY_TZ_DIR "/");
	struct policy_tz *tz;
	struct instants s = {0};
	int r;

	if (ftw->level == 0)
		return FTW_CONTINUE;
	if (flag == FTW_D && (strcmp(name, "right") == 0 || strcmp(name, "posix") == 0))
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F || strchr(name, '.') || strcmp(name, "leapseconds") == 0)
		return FTW_CONTINUE;
	r = policy_tz_load(POLICY_TZ_DIR, name, &tz);
	ck_assert_msg(r == 0, "%s: %d (%s)", name, r, strerror(-r));
	use_tz(name);
	for (int i = 0; i < 100; i++)
		instants_add(&s, rnd_between(T1850, T2100));
	compare_all(name, tz, &s);
	free(s.v);
	policy_tz_free(tz);
	return FTW_CONTINUE;
}

/* Every installed zone (symlinks followed, as glibc does) loads and agrees at a few
 * random instants. */
START_TEST(every_installed_zone_agrees_with_glibc)
{
	rnd_state = 1;
	ck_assert_int_eq(nftw(POLICY_TZ_DIR, add_zone, 16, FTW_ACTIONRETVAL), 0);
}
END_TEST

/* UT instants of the years that fit in tm_year, and of those up to 5,000,000, beyond
 * which glibc's rule arithmetic overflows an int (and its DST goes wrong). */
#define T_MIN (-67768040609740800LL) /* -2147481748-01-01T00:00:00Z */
#define T_MAX 67768036191676799LL    /* 2147485547-12-31T23:59:59Z */
#define T_5E6 157725632793600LL      /* 5000000-01-01T00:00:00Z */

START_TEST(far_times_agree_with_glibc)
{
	static const char *const zones[] = {"UTC", "Europe/Berlin", "America/New_York"};
	struct instants far = {0}, near = {0};

	rnd_state = 7;
	for (int64_t t = -(1LL << 59); t < (1LL << 59); t += (1LL << 53) + 12345)
		instants_add(&far, (time_t)t);
	for (int i = 0; i < 1000; i++) {
		instants_add(&far, rnd_between(T_MIN - 86400, T_MAX + 86400));
		instants_add(&near, rnd_between(T_MIN - 86400, T_5E6));
	}
	instants_add_around(&far, T_MAX);
	instants_add_around(&far, T_MIN);
	for (int i = 0; i < N(zones); i++) {
		struct policy_tz *tz = load(POLICY_TZ_DIR, zones[i]);

		use_tz(zones[i]);
		compare_all(zones[i], tz, i == 0 ? &far : &near);
		policy_tz_free(tz);
	}
	free(far.v);
	free(near.v);
}
END_TEST

/* Past glibc's reach the footer's rule still holds: CEST in July, CET in January. */
START_TEST(far_future_keeps_the_rule)
{
	static const int years[] = {10000000, 100000000, 1000000000, INT_MAX};
	struct policy_tz *tz = load(POLICY_TZ_DIR, "Europe/Berlin");
	struct tm tm, want;

	for (int i = 0; i < N(years); i++) {
		for (int mon = 0; mon < 12; mon += 6) {
			time_t t;

			want = (struct tm){
				.tm_year = years[i], .tm_mon = mon, .tm_mday = 1, .tm_hour = 12};
			t = timegm(&want);
			ck_assert_int_eq(policy_tz_localtime(tz, t, &tm), 0);
			ck_assert_int_eq(tm.tm_year, years[i]);
			ck_assert_int_eq(tm.tm_yday, want.tm_yday);
			ck_assert_int_eq(tm.tm_wday, want.tm_wday);
			ck_assert_int_eq(tm.tm_isdst, mon == 6);
			ck_assert_int_eq(tm.tm_hour, mon == 6 ? 14 : 13);
		}
	}
	policy_tz_free(tz);
}
END_TEST

/* Zones counting leap seconds assume a clock that does too; no Linux clock does. */
START_TEST(leap_second_zone_is_refused)
{
	struct policy_tz *tz;

	if (access(POLICY_TZ_DIR "/right/UTC", R_OK) != 0)
		return;
	ck_assert_int_eq(policy_tz_load(POLICY_TZ_DIR, "right/UTC", &tz), -EINVAL);
}
END_TEST

START_TEST(overflow_is_eoverflow)
{
	static const char *const zones[] = {"UTC", "Europe/Berlin", "Pacific/Kiritimati",
					    "Etc/GMT+12"};
	static const int64_t instants[] = {INT64_MIN,         INT64_MIN + 1,     -(1LL << 62),
					   T_MIN - 50 * HOUR, T_MAX + 50 * HOUR, 1LL << 62,
					   INT64_MAX - 1,     INT64_MAX};
	struct tm tm;

	for (int i = 0; i < N(zones); i++) {
		struct policy_tz *tz = load(POLICY_TZ_DIR, zones[i]);

		for (int j = 0; j < N(instants); j++) {
			tm = (struct tm){.tm_year = 42};
			ck_assert_int_eq(policy_tz_localtime(tz, (time_t)instants[j], &tm),
					 -EOVERFLOW);
			ck_assert_int_eq(tm.tm_year, 42); /* untouched */
		}
		policy_tz_free(tz);
	}
}
END_TEST

/* The year 2147483647 + 1900 is the last that fits; UTC has no offset to blur it. */
START_TEST(last_representable_year)
{
	struct policy_tz *tz = load(POLICY_TZ_DIR, "UTC");
	struct tm tm;

	ck_assert_int_eq(policy_tz_localtime(tz, T_MAX, &tm), 0);
	ck_assert_int_eq(tm.tm_year, INT_MAX);
	ck_assert_int_eq(tm.tm_mon, 11);
	ck_assert_int_eq(tm.tm_mday, 31);
	ck_assert_int_eq(tm.tm_sec, 59);
	ck_assert_int_eq(policy_tz_localtime(tz, T_MAX + 1, &tm), -EOVERFLOW);
	ck_assert_int_eq(policy_tz_localtime(tz, T_MIN, &tm), 0);
	ck_assert_int_eq(tm.tm_year, INT_MIN);
	ck_assert_int_eq(tm.tm_mon, 0);
	ck_assert_int_eq(tm.tm_mday, 1);
	ck_assert_int_eq(policy_tz_localtime(tz, T_MIN - 1, &tm), -EOVERFLOW);
	policy_tz_free(tz);
}
END_TEST

/* Hand-made TZif files. Counts and data follow the fields; the 32-bit block carries
 * the same data as the 64-bit one (times must then fit in 32 bits). */
struct tzif_type {
	int32_t utoff;
	uint8_t isdst;
	uint8_t desig;
};

struct tzif {
	char version;  /* '\0', '2', '3' */
	char version2; /* of the second header when not 0 */
	size_t n_times;
	int64_t times[8];
	uint8_t idx[8];
	size_t n_types;
	struct tzif_type types[4];
	const char *chars; /* designations, each ending in a NUL */
	size_t n_chars;
	size_t n_leaps;     /* zeroed leap-second records */
	int indicators;     /* -1: none, else the value of every isstd and isut byte */
	const char *footer; /* written between newlines; NULL: no footer at all */
	bool footer_raw;    /* written as it is */
	const char *trailer;
};

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put_block(uint8_t *p, const struct tzif *z, char version, size_t time_size)
{
	uint32_t n_ind = z->indicators < 0 ? 0 : (uint32_t)z->n_types;

	memcpy(p, "TZif", 4);
	p[4] = (uint8_t)version;
	memset(p + 5, 0, 15);
	p = put32(p + 20, n_ind);
	p = put32(p, n_ind);
	p = put32(p, (uint32_t)z->n_leaps);
	p = put32(p, (uint32_t)z->n_times);
	p = put32(p, (uint32_t)z->n_types);
	p = put32(p, (uint32_t)z->n_chars);
	for (size_t i = 0; i < z->n_times; i++) {
		if (time_size == 8)
			p = put32(p, (uint32_t)((uint64_t)z->times[i] >> 32));
		p = put32(p, (uint32_t)z->times[i]);
	}
	memcpy(p, z->idx, z->n_times);
	p += z->n_times;
	for (size_t i = 0; i < z->n_types; i++) {
		p = put32(p, (uint32_t)z->types[i].utoff);
		*p++ = z->types[i].isdst;
		*p++ = z->types[i].desig;
	}
	memcpy(p, z->chars, z->n_chars);
	p += z->n_chars;
	memset(p, 0, z->n_leaps * (time_size + 4));
	p += z->n_leaps * (time_size + 4);
	memset(p, z->indicators, 2 * n_ind);
	return p + 2 * n_ind;
}

/* Writes z to buf (4096 bytes are plenty) and returns its size. */
static size_t tzif_make(const struct tzif *z, uint8_t *buf)
{
	uint8_t *p = put_block(buf, z, z->version, 4);

	if (z->version != '\0') {
		p = put_block(p, z, z->version2 ? z->version2 : z->version, 8);
		if (z->footer)
			p += sprintf((char *)p, z->footer_raw ? "%s" : "\n%s\n", z->footer);
	}
	if (z->trailer)
		p += sprintf((char *)p, "%s", z->trailer);
	return (size_t)(p - buf);
}

static void tzif_write(const char *name, const struct tzif *z)
{
	uint8_t buf[4096];

	write_bytes(name, buf, tzif_make(z, buf));
}

/* A valid version 2 zone: EST/EDT with one transition each way in 2000 and the US
 * rule after. */
static const struct tzif us_zone = {
	.version = '2',
	.n_times = 2,
	.times = {954658800, 972802800}, /* 2000-04-02T07:00Z, 2000-10-29T06:00Z */
	.idx = {1, 0},
	.n_types = 2,
	.types = {{-5 * HOUR, 0, 0}, {-4 * HOUR, 1, 4}},
	.chars = "EST\0EDT",
	.n_chars = 8,
	.indicators = 0,
	.footer = "EST5EDT,M4.1.0,M10.5.0",
};

/* Compares a hand-made zone with glibc reading the same file (TZ=":/path") at its
 * changes and random instants in [from, to). */
static void compare_file(const char *name, const struct policy_tz *tz, time_t from, time_t to)
{
	char tzvar[PATH_MAX + 1];
	struct instants s = {0};

	/* glibc keeps the zone it has read when the next file has the same inode and
	 * mtime, as a new file in a new temporary directory can: a TZ string in between
	 * makes it read afresh. */
	use_tz("UTC0");
	snprintf(tzvar, sizeof(tzvar), ":%s/%s", tmp, name);
	use_tz(tzvar);
	glibc_transitions(&s, from, to);
	for (int i = 0; i < 2000; i++)
		instants_add(&s, rnd_between(from, to));
	compare_all(name, tz, &s);
	free(s.v);
}

START_TEST(v2_file_with_transitions_and_footer)
{
	struct policy_tz *tz;
	struct tm tm;

	tzif_write("US", &us_zone);
	tz = load(tmp, "US");
	/* 2000-04-02T06:59:59Z is 01:59:59 EST; a second later 03:00:00 EDT. */
	ck_assert_int_eq(policy_tz_localtime(tz, 954658799, &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 1);
	ck_assert_int_eq(tm.tm_isdst, 0);
	ck_assert_int_eq(policy_tz_localtime(tz, 954658800, &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 3);
	ck_assert_int_eq(tm.tm_isdst, 1);
	ck_assert_int_eq(tm.tm_gmtoff, -4 * HOUR);
	rnd_state = 2;
	compare_file("US", tz, 631152000 /* 1990 */, 1893456000 /* 2030 */);
	policy_tz_free(tz);
}
END_TEST

/* Version 1: 32-bit times, no footer; after the last transition its type stays, and
 * before the first the first standard-time type applies even when type 0 is DST. */
START_TEST(v1_file)
{
	struct tzif z = {
		.version = '\0',
		.n_times = 3,
		.times = {-1000000000, 0, 1000000000},
		.idx = {1, 2, 0},
		.n_types = 3,
		.types = {{2 * HOUR, 1, 0}, {HOUR, 0, 4}, {5400, 0, 8}},
		.chars = "AAA\0BBB\0CCC",
		.n_chars = 12,
		.indicators = 1,
	};
	struct policy_tz *tz;
	struct tm tm;

	tzif_write("Old", &z);
	tz = load(tmp, "Old");
	ck_assert_int_eq(policy_tz_localtime(tz, -2000000000, &tm), 0);
	ck_assert_int_eq(tm.tm_gmtoff, HOUR);
	ck_assert_int_eq(tm.tm_isdst, 0);
	ck_assert_int_eq(policy_tz_localtime(tz, 1, &tm), 0);
	ck_assert_int_eq(tm.tm_gmtoff, 5400);
	ck_assert_int_eq(tm.tm_hour, 1);
	ck_assert_int_eq(tm.tm_min, 30);
	ck_assert_int_eq(policy_tz_localtime(tz, 4000000000LL, &tm), 0);
	ck_assert_int_eq(tm.tm_gmtoff, 2 * HOUR);
	ck_assert_int_eq(tm.tm_isdst, 1);
	rnd_state = 3;
	compare_file("Old", tz, -2100000000, 2100000000);
	policy_tz_free(tz);
}
END_TEST

/* An empty footer says nothing about later times: the last type stays. */
START_TEST(empty_footer_keeps_last_type)
{
	struct tzif z = us_zone;
	struct policy_tz *tz;
	struct tm tm;

	z.footer = "";
	tzif_write("Empty", &z);
	tz = load(tmp, "Empty");
	ck_assert_int_eq(policy_tz_localtime(tz, 2000000000, &tm), 0); /* 2033-05-18 */
	ck_assert_int_eq(tm.tm_gmtoff, -5 * HOUR);
	ck_assert_int_eq(tm.tm_isdst, 0);
	policy_tz_free(tz);
}
END_TEST

/* The footer alone, in a file with no transitions: RFC 8536 has it apply at all times.
 * (glibc differs here: it takes the file's first type and ignores the footer.) */
START_TEST(footer_only_file)
{
	static const struct tzif z = {
		.version = '2',
		.n_types = 1,
		.types = {{-5 * HOUR, 0, 0}},
		.chars = "EST",
		.n_chars = 4,
		.indicators = -1,
		.footer = "EST5EDT,M3.2.0,M11.1.0",
	};
	static const struct {
		time_t t;
		int hour, min, isdst;
	} cases[] = {
		{1615705199, 1, 59, 0},                         /* 2021-03-14T06:59:59Z */
		{1615705200, 3, 0, 1},  {1636264799, 1, 59, 1}, /* 2021-11-07T05:59:59Z */
		{1636264800, 1, 0, 0},  {-2208970800, 0, 0, 0}, /* 1900-01-01T05:00:00Z */
		{4118097600, 0, 0, 1},                          /* 2100-07-01T04:00:00Z */
	};
	struct policy_tz *tz;
	struct tm tm;

	tzif_write("Footer", &z);
	tz = load(tmp, "Footer");
	for (int i = 0; i < N(cases); i++) {
		ck_assert_int_eq(policy_tz_localtime(tz, cases[i].t, &tm), 0);
		ck_assert_int_eq(tm.tm_hour, cases[i].hour);
		ck_assert_int_eq(tm.tm_isdst, cases[i].isdst);
		ck_assert_int_eq(tm.tm_gmtoff, cases[i].isdst ? -4 * HOUR : -5 * HOUR);
		ck_assert_int_eq(tm.tm_min, cases[i].min);
	}
	policy_tz_free(tz);
}
END_TEST

/* Footers checked against glibc parsing the same string as TZ (it then reads no
 * file), in footer-only files, from 1970 to 2100: glibc computes the changes of any
 * earlier year as if it were 1970. Rule times stay inside their year, where glibc,
 * which weighs only the changes of t's own year, is right. */
static const struct footer_case {
	const char *footer;
	char version;
} footer_cases[] = {
	{"EST5EDT,M3.2.0,M11.1.0", '2'},
	{"<+0330>-3:30", '2'},
	{"<-0330>3:30", '2'},
	{"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", '2'},
	{"AEST-10AEDT,M10.1.0,M4.1.0/3", '2'},
	{"IST-1GMT0,M10.5.0,M3.5.0/1", '2'},
	{"<+00>0<+02>-2,M3.5.0/1,M10.5.0/3", '2'},
	{"<-03>+3<-02>+2,M10.1.0/0,M2.3.0/0", '2'},
	{"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", '3'},
	{"EET-2EEST,M3.4.4/50,M10.4.4/50", '3'},
	{"XXX3YYY,J60/-2:30,J300/26", '3'},
	{"XXX-3YYY-4:15:30,59/-23:59:59,299/47:30", '3'},
	{"ABC-5:30DEF,M1.1.0/100,M12.5.6/-100", '3'},
	{"ABC5DEF,J1/167,J365/-167", '3'},
	{"<A-1>+1<B+1>-1,M5.5.0/24,M9.5.0/+0:30", '3'},
};

START_TEST(footer_agrees_with_glibc)
{
	const struct footer_case *c = &footer_cases[_i];
	const struct tzif z = {
		.version = c->version,
		.n_types = 1,
		.types = {{0, 0, 0}},
		.chars = "ZZZ",
		.n_chars = 4,
		.indicators = -1,
		.footer = c->footer,
	};
	struct instants s = {0};
	struct policy_tz *tz;

	tzif_write("Footer", &z);
	tz = load(tmp, "Footer");
	use_tz(c->footer);
	rnd_state = 100 + (uint64_t)_i;
	glibc_transitions(&s, 1577836800 /* 2020 */, 1956528000 /* 2032 */);
	for (int i = 0; i < 2000; i++)
		instants_add(&s, rnd_between(0, T2100));
	compare_all(c->footer, tz, &s);
	free(s.v);
	policy_tz_free(tz);
}
END_TEST

/* zic's way of saying DST all year: from Jan 1 0:00 to Dec 31 25:00 DST, which is the
 * next start. (glibc shows standard time for the first five hours of each UT year,
 * as it weighs only the changes of t's year.) */
START_TEST(dst_all_year)
{
	const struct tzif z = {
		.version = '3',
		.n_types = 1,
		.types = {{-4 * HOUR, 1, 0}},
		.chars = "EDT",
		.n_chars = 4,
		.indicators = -1,
		.footer = "EST5EDT,0/0,J365/25",
	};
	static const time_t jan1 = 1893456000; /* 2030-01-01T00:00:00Z */
	const time_t cases[] = {jan1,     jan1 + 2 * HOUR,   jan1 + 5 * HOUR - 1, jan1 + 5 * HOUR,
				jan1 - 1, jan1 + 180 * 86400};
	struct policy_tz *tz;
	struct tm tm;

	tzif_write("Always", &z);
	tz = load(tmp, "Always");
	for (int i = 0; i < N(cases); i++) {
		ck_assert_int_eq(policy_tz_localtime(tz, cases[i], &tm), 0);
		ck_assert_int_eq(tm.tm_isdst, 1);
		ck_assert_int_eq(tm.tm_gmtoff, -4 * HOUR);
	}
	rnd_state = 4;
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(policy_tz_localtime(tz, rnd_between(T1850, T2100), &tm), 0);
		ck_assert_int_eq(tm.tm_isdst, 1);
	}
	policy_tz_free(tz);
}
END_TEST

/* Names: what tz.h allows, and nothing that leaves the directory. */
static const char *const bad_names[] = {
	"../etc/passwd",
	"/etc/localtime",
	"Europe/../UTC",
	"",
	"a//b",
	"Europe/",
	"./UTC",
	".",
	"..",
	"zone.tab",
	"UTC ",
	"Europe\\Berlin",
	"a\nb",
	"Ä",
	"~root",
};

START_TEST(bad_name_is_einval)
{
	struct policy_tz *tz = (struct policy_tz *)&tz;

	ck_assert_int_eq(policy_tz_load(tmp, bad_names[_i], &tz), -EINVAL);
	ck_assert_ptr_eq(tz, (struct policy_tz *)&tz); /* untouched */
}
END_TEST

START_TEST(long_name_is_einval)
{
	char name[300];
	struct policy_tz *tz;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(policy_tz_load(tmp, name, &tz), -EINVAL);
	ck_assert_int_eq(policy_tz_load(tmp, NULL, &tz), -EINVAL);
	ck_assert_int_eq(policy_tz_load(NULL, "UTC", &tz), -EINVAL);
}
END_TEST

START_TEST(unknown_zone_is_enoent)
{
	char path[PATH_MAX];
	struct policy_tz *tz;

	tzif_write("Plain", &us_zone);
	snprintf(path, sizeof(path), "%s/Europe", tmp);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(policy_tz_load(tmp, "Nowhere", &tz), -ENOENT);
	ck_assert_int_eq(policy_tz_load(tmp, "Europe/Nowhere", &tz), -ENOENT);
	ck_assert_int_eq(policy_tz_load(tmp, "Plain/Sub", &tz), -ENOENT); /* ENOTDIR */
	ck_assert_int_eq(policy_tz_load(tmp, "Europe", &tz), -ENOENT);    /* a directory */
}
END_TEST

/* Links are followed (most zone names are links); special files are refused without
 * blocking on them. */
START_TEST(files_of_other_kinds)
{
	char path[PATH_MAX], target[PATH_MAX];
	static uint8_t big[1024 * 1024 + 1];
	struct policy_tz *tz;

	tzif_write("Plain", &us_zone);
	snprintf(path, sizeof(path), "%s/Link", tmp);
	ck_assert_int_eq(symlink("Plain", path), 0);
	tz = load(tmp, "Link");
	policy_tz_free(tz);

	snprintf(path, sizeof(path), "%s/Loop", tmp);
	ck_assert_int_eq(symlink("Loop", path), 0);
	ck_assert_int_eq(policy_tz_load(tmp, "Loop", &tz), -ELOOP);

	snprintf(path, sizeof(path), "%s/Fifo", tmp);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(policy_tz_load(tmp, "Fifo", &tz), -EINVAL);

	snprintf(path, sizeof(path), "%s/Null", tmp);
	ck_assert_int_eq(symlink("/dev/null", path), 0);
	ck_assert_int_eq(policy_tz_load(tmp, "Null", &tz), -EINVAL);

	write_bytes("Empty", "", 0);
	ck_assert_int_eq(policy_tz_load(tmp, "Empty", &tz), -EINVAL);

	/* A valid file padded past the cap of 1 MiB. */
	tzif_make(&us_zone, big);
	write_bytes("Big", big, sizeof(big));
	ck_assert_int_eq(policy_tz_load(tmp, "Big", &tz), -EINVAL);

	snprintf(target, sizeof(target), "%s/Dir", tmp);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	snprintf(path, sizeof(path), "%s/Dir/Zone", tmp);
	ck_assert_int_eq(symlink("../Plain", path), 0);
	tz = load(tmp, "Dir/Zone");
	policy_tz_free(tz);
}
END_TEST

/* The offset of the version 2+ header in a file made from z. */
static size_t v2_header(const struct tzif *z)
{
	size_t n_ind = z->indicators < 0 ? 0 : z->n_types;

	return 44 + z->n_times * 5 + z->n_types * 6 + z->n_chars + z->n_leaps * 8 + 2 * n_ind;
}

/* Bad files, each us_zone with one thing wrong: edit changes the fields, patch the
 * bytes made from them (the counts of a header are at 20..43). */
struct bad_file {
	const char *name;
	void (*edit)(struct tzif *z);
	void (*patch)(const struct tzif *z, uint8_t *buf);
};

static void bad_version(struct tzif *z)
{
	z->version = '1';
}

static void bad_version_5(struct tzif *z)
{
	z->version = '5';
}

static void versions_differ(struct tzif *z)
{
	z->version2 = '3';
}

static void index_out_of_range(struct tzif *z)
{
	z->idx[1] = 2;
}

static void times_not_ascending(struct tzif *z)
{
	z->times[1] = z->times[0];
}

static void utoff_too_large(struct tzif *z)
{
	z->types[0].utoff = 93600;
}

static void utoff_too_small(struct tzif *z)
{
	z->types[0].utoff = INT32_MIN;
}

static void isdst_not_boolean(struct tzif *z)
{
	z->types[1].isdst = 2;
}

static void designation_out_of_range(struct tzif *z)
{
	z->types[1].desig = 8;
}

static void designations_not_terminated(struct tzif *z)
{
	z->chars = "EST\0EDTX";
}

static void indicator_not_boolean(struct tzif *z)
{
	z->indicators = 2;
}

static void leap_seconds(struct tzif *z)
{
	z->n_leaps = 1;
}

static void no_footer(struct tzif *z)
{
	z->footer = NULL;
}

static void footer_without_newline(struct tzif *z)
{
	z->footer = "\nEST5EDT,M4.1.0,M10.5.0";
	z->footer_raw = true;
}

static void footer_without_first_newline(struct tzif *z)
{
	z->footer = "EST5EDT,M4.1.0,M10.5.0\n";
	z->footer_raw = true;
}

static void trailing_bytes(struct tzif *z)
{
	z->trailer = "x";
}

static void v1_trailing_bytes(struct tzif *z)
{
	z->version = '\0';
	z->trailer = "\nEST5\n";
}

static void patch_magic(UNUSED const struct tzif *z, uint8_t *buf)
{
	buf[0] = 'X';
}

static void patch_magic2(const struct tzif *z, uint8_t *buf)
{
	buf[v2_header(z) + 3] = 'F';
}

static void patch_count(uint8_t *buf, size_t field, uint32_t v)
{
	put32(buf + 20 + 4 * field, v);
}

static void patch_timecnt_huge(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 3, UINT32_MAX);
}

static void patch_timecnt_past_end(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 3, 200);
}

static void patch_v1_timecnt_past_end(UNUSED const struct tzif *z, uint8_t *buf)
{
	patch_count(buf, 3, 400);
}

static void patch_typecnt_zero(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 4, 0);
}

static void patch_typecnt_257(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 4, 257);
}

static void patch_charcnt_zero(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 5, 0);
}

static void patch_isutcnt_mismatch(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 0, 1);
}

static void patch_leapcnt_huge(const struct tzif *z, uint8_t *buf)
{
	patch_count(buf + v2_header(z), 2, 0x40000000);
}

static const struct bad_file bad_files[] = {
	{"bad magic", NULL, patch_magic},
	{"bad magic of the second header", NULL, patch_magic2},
	{"version '1'", bad_version, NULL},
	{"version '5'", bad_version_5, NULL},
	{"headers of different versions", versions_differ, NULL},
	{"timecnt 2^32-1", NULL, patch_timecnt_huge},
	{"timecnt past the end", NULL, patch_timecnt_past_end},
	{"v1 timecnt past the end", NULL, patch_v1_timecnt_past_end},
	{"typecnt 0", NULL, patch_typecnt_zero},
	{"typecnt 257", NULL, patch_typecnt_257},
	{"charcnt 0", NULL, patch_charcnt_zero},
	{"isutcnt neither 0 nor typecnt", NULL, patch_isutcnt_mismatch},
	{"leapcnt 2^30", NULL, patch_leapcnt_huge},
	{"type index out of range", index_out_of_range, NULL},
	{"transition times not ascending", times_not_ascending, NULL},
	{"UT offset above 25:59:59", utoff_too_large, NULL},
	{"UT offset -2^31", utoff_too_small, NULL},
	{"isdst 2", isdst_not_boolean, NULL},
	{"designation index out of range", designation_out_of_range, NULL},
	{"designations not NUL-terminated", designations_not_terminated, NULL},
	{"indicator 2", indicator_not_boolean, NULL},
	{"leap seconds", leap_seconds, NULL},
	{"no footer", no_footer, NULL},
	{"footer without its last newline", footer_without_newline, NULL},
	{"footer without its first newline", footer_without_first_newline, NULL},
	{"bytes after the footer", trailing_bytes, NULL},
	{"bytes after a version 1 block", v1_trailing_bytes, NULL},
};

START_TEST(bad_file_is_einval)
{
	const struct bad_file *c = &bad_files[_i];
	struct tzif z = us_zone;
	static uint8_t buf[4096];
	struct policy_tz *tz = NULL;
	size_t size;
	int r;

	if (c->edit)
		c->edit(&z);
	size = tzif_make(&z, buf);
	if (c->patch)
		c->patch(&z, buf);
	write_bytes("Bad", buf, size);
	r = policy_tz_load(tmp, "Bad", &tz);
	ck_assert_msg(r == -EINVAL, "%s: %d", c->name, r);
	ck_assert_ptr_null(tz);
}
END_TEST

/* Footers that are not POSIX TZ strings, or ask what this code does not guess. */
static const char *const bad_footers[] = {
	"EST5EDT",                            /* DST without rules */
	"EST",                                /* no offset */
	"ES5",                                /* name too short */
	"<+03",                               /* unterminated */
	"<+0>-3",                             /* quoted name too short */
	"<+03:>-3",                           /* ':' in a quoted name */
	"EST25",                              /* offset beyond 24 hours */
	"EST5:60",                            /* minutes beyond 59 */
	"EST5EDT,M3.2.0",                     /* one rule */
	"EST5EDT,M13.2.0,M11.1.0",            /* month 13 */
	"EST5EDT,M0.2.0,M11.1.0",             /* month 0 */
	"EST5EDT,M3.0.0,M11.1.0",             /* week 0 */
	"EST5EDT,M3.6.0,M11.1.0",             /* week 6 */
	"EST5EDT,M3.2.7,M11.1.0",             /* day 7 */
	"EST5EDT,J0,J300",                    /* Jn from 1 */
	"EST5EDT,J366,J300",                  /* Jn to 365 */
	"EST5EDT,366,300",                    /* n to 365 */
	"EST5EDT,M3.2.0/168,M11.1.0",         /* time beyond 167 hours */
	"EST5EDT,M3.2.0/-168,M11.1.0",        /* time below -167 hours */
	"EST5EDT,M3.2.0,M11.1.0,",            /* a third rule */
	"EST5EDT,M3.2.0,M11.1.0 ",            /* trailing space */
	"EST5EDT,M3.2.0/2:,M11.1.0",          /* ':' without minutes */
	"EST5EDT,M3.2.0,M11.1.0/99999999999", /* digits past any int */
	"EST5\tEDT",                          /* a control character */
	"EST5EDT,X3.2.0,M11.1.0",             /* unknown rule kind */
	"EST5EDT4,M3.2.0,M11.1.0/-",          /* sign without digits */
};

START_TEST(bad_footer_is_einval)
{
	struct tzif z = us_zone;
	struct policy_tz *tz = NULL;
	int r;

	z.version = '3';
	z.footer = bad_footers[_i];
	tzif_write("Bad", &z);
	r = policy_tz_load(tmp, "Bad", &tz);
	ck_assert_msg(r == -EINVAL, "footer \"%s\": %d", bad_footers[_i], r);
	ck_assert_ptr_null(tz);
}
END_TEST

/* Every proper prefix of a valid file is refused. */
START_TEST(truncated_file_is_einval)
{
	uint8_t buf[4096];
	size_t size = tzif_make(&us_zone, buf);
	struct policy_tz *tz = NULL;

	for (size_t n = 0; n < size; n++) {
		int r;

		write_bytes("Short", buf, n);
		r = policy_tz_load(tmp, "Short", &tz);
		ck_assert_msg(r == -EINVAL, "%zu of %zu bytes: %d", n, size, r);
	}
	ck_assert_ptr_null(tz);
}
END_TEST

/* Loads a mutation of base; it must be refused or give sane times. */
static void mutate_once(const uint8_t *base, size_t size)
{
	static const uint32_t counts[] = {0, 1, 2, 255, 256, 257, 0x7fffffff, 0xffffffff};
	static const char tz_chars[] = "0123456789<>+-,.:/JMESTDabc\n\0";
	static const int64_t instants[] = {INT64_MIN,  -(1LL << 59), -1,        0,
					   2000000000, 4102444800LL, 1LL << 40, INT64_MAX};
	static uint8_t buf[64 * 1024];
	struct policy_tz *tz;
	size_t n = size;
	int r;

	memcpy(buf, base, size);
	switch (rnd() % 4) {
	case 0: /* a few random bytes */
		for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
			buf[rnd() % n] = (uint8_t)rnd();
		break;
	case 1: /* cut */
		n = rnd() % size;
		break;
	case 2: /* a count of either header */
		put32(buf + (rnd() % 2 ? 0 : v2_header(&us_zone)) + 20 + 4 * (rnd() % 6),
		      rnd() % 2 ? counts[rnd() % N(counts)] : (uint32_t)rnd());
		break;
	default: /* the footer's text */
		for (int k = 1 + (int)(rnd() % 3); k > 0; k--)
			buf[size - 1 - rnd() % (size < 40 ? size : 40)] =
				(uint8_t)tz_chars[rnd() % (sizeof(tz_chars) - 1)];
		break;
	}
	write_bytes("Fuzz", buf, n);
	r = policy_tz_load(tmp, "Fuzz", &tz);
	ck_assert_msg(r == 0 || r == -EINVAL, "%d", r);
	if (r < 0)
		return;
	for (int i = 0; i < N(instants); i++) {
		struct tm tm;

		r = policy_tz_localtime(tz, (time_t)instants[i], &tm);
		ck_assert(r == 0 || r == -EOVERFLOW);
		ck_assert(r < 0 || (tm.tm_mon >= 0 && tm.tm_mon < 12 && tm.tm_mday >= 1 &&
				    tm.tm_mday <= 31 && tm.tm_hour >= 0 && tm.tm_hour < 24 &&
				    tm.tm_yday >= 0 && tm.tm_yday < 366));
	}
	policy_tz_free(tz);
}

/* A valid version 3 zone with a rich footer, the base of the mutations. */
static const struct tzif rich_zone = {
	.version = '3',
	.n_times = 3,
	.times = {-1000000000, 954658800, 972802800},
	.idx = {0, 1, 0},
	.n_types = 2,
	.types = {{-10800, 0, 0}, {-7200, 1, 4}},
	.chars = "<-03\0-02",
	.n_chars = 9,
	.indicators = 1,
	.footer = "<-03>3<-02>,J60/-2:30,300/26",
};

START_TEST(mutations_of_a_made_file_fail_cleanly)
{
	uint8_t base[4096];
	size_t size = tzif_make(&rich_zone, base);

	rnd_state = 5;
	for (int i = 0; i < 300; i++)
		mutate_once(base, size);
}
END_TEST

START_TEST(mutations_of_a_real_file_fail_cleanly)
{
	static uint8_t base[64 * 1024];
	size_t size;

	ck_assert(read_bytes(POLICY_TZ_DIR "/Europe/Berlin", base, sizeof(base), &size));
	rnd_state = 6;
	for (int i = 0; i < 300; i++)
		mutate_once(base, size);
}
END_TEST

static Suite *suite(bool zoneinfo)
{
	Suite *s = suite_create("tz");
	TCase *made = tcase_create("made"), *bad = tcase_create("bad");
	TCase *oracle = tcase_create("oracle");

	tcase_add_checked_fixture(made, setup, teardown);
	tcase_add_test(made, v2_file_with_transitions_and_footer);
	tcase_add_test(made, v1_file);
	tcase_add_test(made, empty_footer_keeps_last_type);
	tcase_add_test(made, footer_only_file);
	tcase_add_loop_test(made, footer_agrees_with_glibc, 0, N(footer_cases));
	tcase_add_test(made, dst_all_year);
	suite_add_tcase(s, made);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_loop_test(bad, bad_name_is_einval, 0, N(bad_names));
	tcase_add_test(bad, long_name_is_einval);
	tcase_add_test(bad, unknown_zone_is_enoent);
	tcase_add_test(bad, files_of_other_kinds);
	tcase_add_loop_test(bad, bad_file_is_einval, 0, N(bad_files));
	tcase_add_loop_test(bad, bad_footer_is_einval, 0, N(bad_footers));
	tcase_add_test(bad, truncated_file_is_einval);
	tcase_add_test(bad, mutations_of_a_made_file_fail_cleanly);
	suite_add_tcase(s, bad);

	if (!zoneinfo)
		return s;
	tcase_add_checked_fixture(oracle, setup, teardown);
	tcase_add_loop_test(oracle, zone_agrees_with_glibc, 0, N(oracle_zones));
	tcase_add_test(oracle, every_installed_zone_agrees_with_glibc);
	tcase_add_test(oracle, far_times_agree_with_glibc);
	tcase_add_test(oracle, far_future_keeps_the_rule);
	tcase_add_test(oracle, overflow_is_eoverflow);
	tcase_add_test(oracle, leap_second_zone_is_refused);
	tcase_add_test(oracle, last_representable_year);
	tcase_add_test(oracle, mutations_of_a_real_file_fail_cleanly);
	suite_add_tcase(s, oracle);
	return s;
}

/* Without the system's zone files the comparisons with glibc cannot run: the rest
 * runs, and the test reports a skip (77) so that the gap is seen. */
int main(void)
{
	bool zoneinfo = access(POLICY_TZ_DIR "/Europe/Berlin", R_OK) == 0;
	SRunner *sr = srunner_create(suite(zoneinfo));
	int failed;

	if (!zoneinfo)
		printf("test-tz: %s/Europe/Berlin is missing (is tzdata installed?): skipping "
		       "the comparisons with glibc\n",
		       POLICY_TZ_DIR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	return zoneinfo ? EXIT_SUCCESS : 77;
}
