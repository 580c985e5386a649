/* audit-recover.h: where an existing decision log's chain stands, found when guardd
 * opens it; a torn last line is moved aside first. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "chain.h"

struct audit_tail {
	char prev[CHAIN_HEX_LEN + 1]; /* the hash of the last whole line, or genesis */
	uint64_t seq;                 /* its seq (0: an empty log) */
	size_t torn_bytes;            /* bytes after the last newline that were moved */
	char *saved_to;               /* where they went (malloc'ed), or NULL */
};

/* Reads the end of the log open as fd (path names it, for the torn file's name).
 * A tail without a newline is copied to PATH.torn-TIMESTAMP (created exclusively,
 * mode 0640, synced) and only then cut off. A last line without "seq" (a log from
 * before the chain) counts as seq = the number of lines. Returns 0, or negative
 * errno (-EFBIG: the last line is longer than any record guardd writes). */
int audit_recover(int fd, const char *path, struct audit_tail *ret);

/* For a log that is empty (just rotated): the chain's end in its rotated copies beside
 * it (PATH.1, PATH-DATE, PATH.STAMP; compressed ones cannot be read), the one with the
 * highest seq, into *ret when higher than ret's. Returns 0, or negative errno when the
 * directory cannot be read. */
int audit_recover_rotated(const char *path, struct audit_tail *ret);

void audit_tail_clear(struct audit_tail *t);
