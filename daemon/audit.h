/* audit.h: the append-only decision log, one JSON line per record. */
#pragma once

#include <stddef.h>

struct audit;

/* Opens (creating with mode 0640) the log for appending. Returns 0 and a new
 * writer in *ret, or negative errno. */
int audit_open(const char *path, struct audit **ret);

/* Accepts NULL. */
void audit_free(struct audit *a);

const char *audit_path(const struct audit *a);

/* Appends one record (a line without its newline) in full, or not at all: a
 * short write (full disk) is cut back off so no torn line is left behind.
 * Returns 0 or negative errno; the caller must not report the decision as
 * recorded unless this returned 0. */
int audit_append(struct audit *a, const char *line, size_t n);
