/* logtime.h: the times guardctl's log commands take (--since, --until) and the
 * records' "ts", as microseconds since the epoch. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* A record's ts: 2026-11-25T08:46:03.123456Z. */
#define LOGTIME_TS_LEN 27

/* Parses a time given on the command line, relative to now (microseconds):
 * - RFC 3339: 2026-11-25T12:00:00Z, 2026-11-25T13:00:00.5+01:00 (a space may stand
 *   for the T, seconds may be left out); without an offset, local time;
 * - a date, 2026-11-25: local midnight;
 * - a duration before now: 90s, 30m, 1h, 7d, 2w, or several (1h30m);
 * - now, today, yesterday (local midnight); @SECONDS since the epoch.
 * Returns 0 and *ret, or -EINVAL (*ret untouched). */
int logtime_parse(const char *s, int64_t now, int64_t *ret);

/* Parses an RFC 3339 time with its offset (a record's ts) from s[0..n). Returns 0 or
 * -EINVAL. */
int logtime_parse_ts(const char *s, size_t n, int64_t *ret);

/* Whether s[0..LOGTIME_TS_LEN) has the exact shape guardd writes, so that comparing two
 * such strings byte by byte compares the times. */
int logtime_is_canonical(const char *s, size_t n);

/* usec as guardd writes ts, in UTC. */
void logtime_format(int64_t usec, char ret[LOGTIME_TS_LEN + 1]);

/* Now, in microseconds since the epoch. */
int64_t logtime_now(void);
