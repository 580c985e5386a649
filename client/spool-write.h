/* spool-write.h: guard's side of the break-glass spool: when guardd cannot be reached,
 * the record of a break-glass is left as one file in the spool directory, which guardd
 * takes in when it next starts (guardd(8) BREAK-GLASS SPOOL; daemon/spool-entry.h has
 * the format). */
#pragma once

#include <jansson.h>

#define SPOOL_WRITE_ID_LEN 32

/* The spool directory: dir if given, else $GUARD_SPOOL_DIR, else the default. */
const char *spool_write_dir(const char *dir);

/* The entry as JSON: version, a fresh spool_id (copied to ret_id), the time, this
 * process's pid, uid and user name (claims only: guardd believes the file's owner),
 * the reason, and request (Check's parameters without the reason; borrowed). NULL when
 * out of memory or no random id could be had. */
json_t *spool_write_entry(json_t *request, const char *reason, char ret_id[SPOOL_WRITE_ID_LEN + 1]);

/* Writes entry into dir as "<spool_id>.json", atomically: a temporary name, fsync,
 * rename. The directory must exist: a site disables offline break-glass by not having
 * one. Returns 0, -ENOENT when dir does not exist, or another negative errno. */
int spool_write(const char *dir, json_t *entry);
