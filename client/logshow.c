/* logshow.c: guardctl log's table rows. */
#include "logshow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logtime.h"

/* The widths of the columns before COMMAND. */
enum { W_TIME = 19, W_USER = 10, W_DECISION = 14, W_RULE = 24 };

/* Room for n more bytes and a NUL. */
static int reserve(struct logshow_buf *b, size_t n)
{
	if (b->failed)
		return b->failed;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return b->failed = -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

void logshow_add(struct logshow_buf *b, const char *s, size_t n)
{
	if (reserve(b, n) < 0)
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void add_str(struct logshow_buf *b, const char *s)
{
	logshow_add(b, s, strlen(s));
}

/* Characters (not bytes) of UTF-8 text. */
static size_t width_of(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Adds what is between from and the end of b, padded to width, then the gap. */
static void pad(struct logshow_buf *b, size_t from, size_t width)
{
	size_t w = b->failed ? width : width_of(b->p + from, b->n - from);
	for (; w < width; w++)
		logshow_add(b, " ", 1);
	logshow_add(b, "  ", 2);
}

/* The length of a character that must not reach a terminal as it is at s (C0, DEL,
 * C1, and the bidirectional overrides that can make text read backwards), else 0.
 * *ret_cp is its code point. */
static size_t control_at(const unsigned char *s, size_t n, unsigned *ret_cp)
{
	if (s[0] < 0x20 || s[0] == 0x7f) {
		*ret_cp = s[0];
		return 1;
	}
	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*ret_cp = s[1];
		return 2;
	}
	if (n >= 3 && s[0] == 0xe2 &&
	    ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
	     (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9))) {
		*ret_cp = 0x2000u | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
		return 3;
	}
	return 0;
}

/* \n, \t, \r, or \xHH for C0 and DEL, \uHHHH beyond. */
static void add_control(struct logshow_buf *b, unsigned cp)
{
	char e[16];
	if (cp == '\n')
		add_str(b, "\\n");
	else if (cp == '\t')
		add_str(b, "\\t");
	else if (cp == '\r')
		add_str(b, "\\r");
	else {
		snprintf(e, sizeof e, cp < 0x80 ? "\\x%02x" : "\\u%04x", cp);
		add_str(b, e);
	}
}

void logshow_escape(struct logshow_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned cp;
		size_t len = control_at(p + i, n - i, &cp);
		if (!len) {
			i++;
			continue;
		}
		logshow_add(b, s + run, i - run);
		add_control(b, cp);
		i += len;
		run = i;
	}
	logshow_add(b, s + run, n - run);
}

static bool safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("@%_+=:,./-", c);
}

void logshow_quote(struct logshow_buf *b, const char *s, size_t n)
{
	bool safe = n > 0, control = false;
	for (size_t i = 0; i < n; i++) {
		unsigned cp;
		safe = safe && s[i] && safe_char((unsigned char)s[i]);
		control = control || control_at((const unsigned char *)s + i, n - i, &cp);
	}
	if (safe) {
		logshow_add(b, s, n);
		return;
	}
	if (!control) {
		logshow_add(b, "'", 1);
		for (size_t i = 0, run = 0; i <= n; i++)
			if (i == n || s[i] == '\'') {
				logshow_add(b, s + run, i - run);
				if (i < n)
					add_str(b, "'\\''");
				run = i + 1;
			}
		logshow_add(b, "'", 1);
		return;
	}
	add_str(b, "$'");
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = control_at((const unsigned char *)s + i, n - i, &cp);
		if (len) {
			add_control(b, cp);
			i += len;
			continue;
		}
		if (s[i] == '\\' || s[i] == '\'')
			logshow_add(b, "\\", 1);
		logshow_add(b, s + i, 1);
		i++;
	}
	add_str(b, "'");
}

void logshow_fit(struct logshow_buf *b, size_t width)
{
	if (b->failed || width == 0 || width_of(b->p, b->n) <= width)
		return;
	size_t w = 0, i = 0;
	for (; i < b->n; i++) {
		if (((unsigned char)b->p[i] & 0xc0) != 0x80 && ++w == width)
			break;
	}
	b->n = i;
	logshow_add(b, ">", 1);
}

/* Decodes a string value into scratch; NULL when v is not a string. */
static const char *text(struct logrec_span v, struct logshow_buf *scratch, size_t *ret_n)
{
	if (!logrec_is_string(v))
		return NULL;
	scratch->n = 0;
	if (reserve(scratch, v.n) < 0) /* decoded, a string is never longer */
		return NULL;
	int n = logrec_string(v, scratch->p, scratch->cap);
	*ret_n = n < 0 ? 0 : (size_t)n;
	return scratch->p;
}

/* A string member escaped, else a number as it is, else dflt. */
static void add_value(struct logshow_buf *b, struct logrec_span v, const char *dflt,
		      struct logshow_buf *scratch)
{
	size_t n;
	const char *s = text(v, scratch, &n);
	if (s)
		logshow_escape(b, s, n);
	else if (v.p && !logrec_is_null(v) && v.p[0] != '{' && v.p[0] != '[')
		logshow_add(b, v.p, v.n);
	else
		add_str(b, dflt);
}

static void add_time(struct logshow_buf *b, struct logrec_span ts, struct logshow_buf *scratch)
{
	if (logrec_is_string(ts) && ts.n == LOGTIME_TS_LEN + 2 &&
	    logtime_is_canonical(ts.p + 1, LOGTIME_TS_LEN)) {
		logshow_add(b, ts.p + 1, 10);
		logshow_add(b, " ", 1);
		logshow_add(b, ts.p + 12, 8);
	} else
		add_value(b, ts, "-", scratch);
}

static void add_decision(struct logshow_buf *b, const struct logrec *r, struct logshow_buf *s)
{
	struct logrec_span type = r->f[LOGREC_TYPE];
	if (logrec_string_eq(type, "approval")) {
		add_str(b, "approval ");
		add_value(b, r->f[LOGREC_EVENT], "?", s);
	} else if (logrec_string_eq(type, "completion")) {
		bool sig = r->f[LOGREC_SIGNAL].p && !logrec_is_null(r->f[LOGREC_SIGNAL]);
		add_str(b, sig ? "signal " : "exit ");
		add_value(b, sig ? r->f[LOGREC_SIGNAL] : r->f[LOGREC_EXIT], "?", s);
	} else if (r->f[LOGREC_DECISION].p) {
		add_value(b, r->f[LOGREC_DECISION], "-", s);
		if (logrec_is_true(r->f[LOGREC_CHECK]))
			add_str(b, " (check)");
	} else
		add_value(b, type, "?", s);
}

/* ["rm","-rf","/"] as rm -rf /. */
static void add_argv(struct logshow_buf *b, struct logrec_span argv, struct logshow_buf *s)
{
	size_t pos = 0;
	struct logrec_span arg;
	for (int i = 0; logrec_array_next(argv, &pos, &arg) == 1; i++) {
		size_t n;
		const char *a = text(arg, s, &n);
		if (i)
			logshow_add(b, " ", 1);
		if (a)
			logshow_quote(b, a, n);
		else
			logshow_add(b, "?", 1);
	}
}

/* " [dry-run: rule would deny, ...]" */
static void add_dry_run(struct logshow_buf *b, struct logrec_span list, struct logshow_buf *s)
{
	size_t pos = 0;
	struct logrec_span e;
	for (int i = 0; logrec_array_next(list, &pos, &e) == 1; i++) {
		size_t mpos = 0;
		struct logrec_span k, v, rule = {0}, decision = {0};
		while (logrec_object_next(e, &mpos, &k, &v) == 1) {
			if (logrec_string_eq(k, "rule"))
				rule = v;
			else if (logrec_string_eq(k, "decision"))
				decision = v;
		}
		add_str(b, i ? ", " : "  [dry-run: ");
		add_value(b, rule, "?", s);
		add_str(b, " would ");
		add_value(b, decision, "?", s);
	}
	if (pos)
		add_str(b, "]");
}

/* "  [LABEL: text]" when the field is a string. */
static void add_note(struct logshow_buf *b, const char *label, struct logrec_span v,
		     struct logshow_buf *s)
{
	if (!logrec_is_string(v))
		return;
	add_str(b, label);
	add_value(b, v, "", s);
	add_str(b, "]");
}

/* The first 12 digits of an id field, or "?". */
static void add_short_id(struct logshow_buf *b, struct logrec_span v)
{
	char id[16] = "?";
	if (logrec_is_string(v))
		logrec_string(v, id, 13);
	logshow_escape(b, id, strlen(id));
}

/* The argv as words, else the line; "-" when neither. */
static void add_words(struct logshow_buf *b, const struct logrec_span *f, struct logshow_buf *s)
{
	if (f[LOGREC_ARGV].p && f[LOGREC_ARGV].p[0] == '[')
		add_argv(b, f[LOGREC_ARGV], s);
	else
		add_value(b, f[LOGREC_LINE], "-", s);
}

/* "(request 1a2b3c4d5e6f of alice) terraform destroy  [reason: ...]": which request
 * the step belongs to; only the request's own record has the command. */
static void add_approval(struct logshow_buf *b, const struct logrec *r, struct logshow_buf *s)
{
	const struct logrec_span *f = r->f;
	add_str(b, "(request ");
	add_short_id(b, f[LOGREC_REQUEST]);
	add_str(b, " of ");
	add_value(b, f[LOGREC_REQUESTER], "?", s);
	add_str(b, ")");
	if (f[LOGREC_ARGV].p || f[LOGREC_LINE].p) {
		add_str(b, " ");
		add_words(b, f, s);
	}
	add_note(b, "  [reason: ", f[LOGREC_REASON], s);
}

static void add_command(struct logshow_buf *b, const struct logrec *r, struct logshow_buf *s)
{
	const struct logrec_span *f = r->f;
	if (logrec_string_eq(f[LOGREC_TYPE], "completion")) {
		add_str(b, "(completes ");
		add_short_id(b, f[LOGREC_DECISION_ID]);
		add_str(b, ", ");
		add_value(b, f[LOGREC_DURATION_MS], "?", s);
		add_str(b, " ms)");
		return;
	}
	if (logrec_string_eq(f[LOGREC_TYPE], "approval")) {
		add_approval(b, r, s);
		return;
	}
	if (logrec_string_eq(f[LOGREC_TYPE], "recovery")) {
		add_str(b, "(");
		add_value(b, f[LOGREC_TORN_BYTES], "?", s);
		add_str(b, " torn bytes saved to ");
		add_value(b, f[LOGREC_SAVED_TO], "?", s);
		add_str(b, ")");
		return;
	}
	add_words(b, f, s);
	add_note(b, "  [not understood: ", f[LOGREC_UNKNOWN], s);
	add_note(b, "  [reason: ", f[LOGREC_REASON], s);
	add_dry_run(b, f[LOGREC_DRY_RUN], s);
}

void logshow_header(struct logshow_buf *b)
{
	char h[128];
	snprintf(h, sizeof h, "%-*s  %-*s  %-*s  %-*s  %s", W_TIME, "TIME (UTC)", W_USER, "USER",
		 W_DECISION, "DECISION", W_RULE, "RULE", "COMMAND");
	b->n = 0;
	add_str(b, h);
}

void logshow_row(const struct logrec *r, struct logshow_buf *b)
{
	struct logshow_buf s = {0};
	b->n = 0;
	b->failed = 0;
	size_t at = b->n;
	add_time(b, r->f[LOGREC_TS], &s);
	pad(b, at, W_TIME);
	at = b->n;
	add_value(b, logrec_is_string(r->f[LOGREC_USER]) ? r->f[LOGREC_USER] : r->f[LOGREC_UID],
		  "-", &s);
	pad(b, at, W_USER);
	at = b->n;
	add_decision(b, r, &s);
	pad(b, at, W_DECISION);
	at = b->n;
	add_value(b, r->f[LOGREC_RULE], "-", &s);
	pad(b, at, W_RULE);
	add_command(b, r, &s);
	free(s.p);
}
