/* logshow.h: a decision record as one row of guardctl log's table. Everything taken
 * from the log is escaped on the way out (argv shell-quoted, control characters
 * spelled out), so a record can neither break the table nor drive the terminal. */
#pragma once

#include <stddef.h>

#include "logrec.h"

/* A growing text buffer; free p when done. */
struct logshow_buf {
	char *p;
	size_t n, cap;
	int failed; /* -ENOMEM once an append failed; the text is then cut short */
};

void logshow_add(struct logshow_buf *b, const char *s, size_t n);

/* The table's heading line, with the columns' widths. */
void logshow_header(struct logshow_buf *b);

/* Replaces b's text with r's row (no newline). */
void logshow_row(const struct logrec *r, struct logshow_buf *b);

/* Appends s[0..n) quoted for a POSIX shell: bare when it is safe, else in single
 * quotes, or $'...' when it holds control characters. */
void logshow_quote(struct logshow_buf *b, const char *s, size_t n);

/* Appends s[0..n) with control characters written as \n, \t or \xHH. */
void logshow_escape(struct logshow_buf *b, const char *s, size_t n);

/* Cuts b to at most width characters (a UTF-8 sequence counts one), marking the cut
 * with a last '>'. */
void logshow_fit(struct logshow_buf *b, size_t width);
