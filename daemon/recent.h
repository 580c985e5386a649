/* recent.h: the decisions that let a command run and whose completion has not
 * been reported yet, so io.guard.Finished accepts exactly one report for each,
 * from the uid that asked. Bounded: the oldest are forgotten first, and none is
 * kept longer than the maximum age. Lookups are O(1) (open addressing). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A week covers the longest command anyone runs behind guard; 65536 entries
 * (2.5 MiB) cover a busy host's week of commands that never reported. */
#define RECENT_MAX         65536
#define RECENT_MAX_AGE_SEC (7 * 24 * 3600)

struct recent;

/* What the registry knows of a decision. */
struct recent_entry {
	uid_t uid;
	pid_t pid;
	int64_t added; /* recent_now() when it was added */
};

/* A registry of at most max (>= 1) entries, each kept at most max_age seconds.
 * Returns 0 and *ret, or -EINVAL, -ENOMEM. */
int recent_new(size_t max, int64_t max_age, struct recent **ret);

/* Accepts NULL. */
void recent_free(struct recent *r);

/* Seconds on a clock that does not jump and counts time suspended (CLOCK_BOOTTIME). */
int64_t recent_now(void);

/* Adds decision id (RECORD_ID_LEN lowercase hex), evicting what is too old and,
 * when full, the oldest entry. Returns 0, or -EINVAL for an id that is not
 * 32 lowercase hex digits. */
int recent_add(struct recent *r, const char *id, uid_t uid, pid_t pid, int64_t now);

/* Takes id out of the registry when uid is the one it was added for. Returns 0
 * and the entry in *ret (may be NULL); -ENOENT when it is unknown, too old,
 * already taken or forgotten, or not a valid id; -EPERM when it belongs to
 * another uid (the entry stays). */
int recent_take(struct recent *r, const char *id, uid_t uid, int64_t now, struct recent_entry *ret);

/* Entries held (some may be too old, not yet evicted). */
/* Drops id whoever it belongs to: its record could not be written after all. */
void recent_forget(struct recent *r, const char *id);

size_t recent_count(const struct recent *r);
