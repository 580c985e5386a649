/* logfile.h: reading a decision log line by line through a large buffer, never the
 * whole file at once, and finding the files of a rotated log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A record line longer than this is not one guardd wrote (a request is at most 64
 * KiB, and escaping can make it a few times longer). */
#define LOGFILE_MAX_LINE (4 * 1024 * 1024)

struct logfile {
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	off_t buf_off;          /* the file offset of buf[0] */
	uint64_t line_no;       /* of the line last returned */
	off_t line_off;         /* its offset in the file */
	bool skipping;          /* inside an over-long line, until its newline */
};

/* Opens path for reading. Returns 0 and a reader in *ret (free with logfile_free), or
 * negative errno. */
int logfile_open(const char *path, struct logfile **ret);

/* Accepts NULL. */
void logfile_free(struct logfile *f);

/* The next whole line, without its newline: 1 and *ret_line, *ret_n (valid until the
 * next call); 0 when the file has no more whole lines now (more may be appended: call
 * again later); -E2BIG for a line over LOGFILE_MAX_LINE (skipped; f->line_no is its
 * number); other negative errno on read errors. */
int logfile_next(struct logfile *f, const char **ret_line, size_t *ret_n);

/* Bytes after the last newline read so far: an unfinished (or torn) last line. */
size_t logfile_pending(const struct logfile *f);

/* The files of a log whose live file is live: its rotated siblings (live.SUFFIX or
 * live-SUFFIX) holding plain JSON lines, ordered by the seq of their first record,
 * then live itself (whether or not it exists). Compressed siblings (.gz, .xz, .zst,
 * .bz2) are not read: their names go to *ret_skipped (NULL-terminated, may be empty);
 * torn-line files (live.torn-*) are not records and are left out silently. Returns 0
 * and a NULL-terminated list in *ret (free both with logfile_list_free), or negative
 * errno. */
int logfile_siblings(const char *live, char ***ret, char ***ret_skipped);

void logfile_list_free(char **list);
