/* tz.h: local time in a named time zone, from the system's TZif files, without
 * touching the process's TZ or calling tzset(): the policy library has no globals
 * and a rule's zone is its own, not the daemon's. */
#pragma once

#include <time.h>

struct policy_tz;

/* The default directory of TZif files. */
#define POLICY_TZ_DIR "/usr/share/zoneinfo"

/* Loads zone name ("Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires") from
 * dir. name must be a relative path of [A-Za-z0-9_+-] components without "." or
 * ".." (else -EINVAL); the file must be a valid TZif (version 1, 2 or 3; for times
 * after its last transition the footer's POSIX TZ rule is used). Returns 0 and a new
 * zone in *ret (free it with policy_tz_free()), -ENOENT for an unknown zone, -EINVAL
 * for a malformed file or name, -ENOMEM. */
int policy_tz_load(const char *dir, const char *name, struct policy_tz **ret);

/* Accepts NULL. */
void policy_tz_free(struct policy_tz *tz);

/* The zone's name as loaded. */
const char *policy_tz_name(const struct policy_tz *tz);

/* Breaks t down into local time in tz, as localtime_r() would with TZ set to the
 * zone: tm_year, tm_mon, tm_mday, tm_hour, tm_min, tm_sec, tm_wday, tm_yday,
 * tm_isdst and tm_gmtoff are set (tm_zone is NULL). Returns 0, or -EOVERFLOW when
 * the year does not fit in an int. */
int policy_tz_localtime(const struct policy_tz *tz, time_t t, struct tm *ret);
