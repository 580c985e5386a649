/* spool-entry.h: one break-glass entry of the spool, as guard writes it when guardd
 * cannot be reached (guard(1), guardd(8) BREAK-GLASS SPOOL):
 *
 *   {"version": 1, "spool_id": "<32 hex>", "ts": "2026-11-25T08:46:03.123456Z",
 *    "pid": 4242, "uid": 1000, "user": "alice", "reason": "INC-1: disk full",
 *    "request": {"argv": [...] or "line": "...", "program": "/usr/bin/rm",
 *                "cwd": "/", "tty": "/dev/pts/0", "env": {...}}}
 *
 * "request" holds exactly what io.guard.Check takes, and is validated as Check's
 * parameters are. Nothing in the file is trusted about who wrote it: "uid" and "user"
 * are what guard claimed; guardd takes the uid from the file's owner. Pure: parsing
 * only, no I/O. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SPOOL_ENTRY_VERSION 1
/* The largest entry taken in: a request fits a message, the rest is small. */
#define SPOOL_ENTRY_MAX (256 * 1024)
#define SPOOL_ID_LEN    32 /* lowercase hex, as record ids */

struct spool_entry {
	json_t *doc; /* owned; the pointers below borrow from it */
	char spool_id[SPOOL_ID_LEN + 1];
	const char *ts;     /* as written, when it is a valid time; else NULL */
	time_t when;        /* ts as seconds, or 0 */
	long long pid;      /* what guard said, or -1 */
	long long uid;      /* what guard claimed, or -1 */
	const char *reason; /* valid (breakglass.h) */
	json_t *request;    /* Check's parameters, still to be validated as such */
};

/* Parses size bytes of data. Returns 0 and *ret (release it with spool_entry_done()),
 * -EINVAL with why the entry is refused written to why, or -ENOMEM. */
int spool_entry_parse(const char *data, size_t size, struct spool_entry *ret, char *why,
		      size_t why_size);

void spool_entry_done(struct spool_entry *e);

/* The spool id of a file name: "<id>.json" (an entry) or "<id>.json.ingesting" (one
 * being taken in); *ret_ingesting says which. False for any other name. */
bool spool_entry_name(const char *name, char ret_id[SPOOL_ID_LEN + 1], bool *ret_ingesting);

/* Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z". 0 and *ret, or -EINVAL. */
int spool_entry_time(const char *s, time_t *ret);
