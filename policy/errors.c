/* errors.c: the list of load errors handed back to the caller, quoting of untrusted
 * strings inside those lines, the explanations of conditions that did not hold, and
 * the names of verdicts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy-internal.h"

static const char *const verdict_names[] = {
	[POLICY_ALLOW] = "allow",     [POLICY_CONFIRM] = "confirm", [POLICY_REASON] = "reason",
	[POLICY_APPROVE] = "approve", [POLICY_DENY] = "deny",
};

const char *policy_verdict_to_string(enum policy_verdict v)
{
	if ((unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]))
		return verdict_names[v];
	/* Only a corrupted value gets here; naming it "deny" keeps callers fail-closed. */
	return "deny";
}

int policy_verdict_from_string(const char *s, enum policy_verdict *ret)
{
	if (!s || !ret)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(verdict_names) / sizeof(verdict_names[0]); i++) {
		if (strcmp(s, verdict_names[i]) == 0) {
			*ret = (enum policy_verdict)i;
			return 0;
		}
	}
	return -EINVAL;
}

void policy_errors_clear(struct policy_errors *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	e->lines = NULL;
	e->n = 0;
}

int policy_errors_addf(struct policy_errors *e, const char *fmt, ...)
{
	char *line, **lines;
	va_list ap;
	int r;

	if (!e)
		return 0;
	va_start(ap, fmt);
	r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	lines = realloc(e->lines, (e->n + 1) * sizeof(*lines));
	if (!lines) {
		free(line);
		return -ENOMEM;
	}
	lines[e->n++] = line;
	e->lines = lines;
	return 0;
}

int policy_errors_add_syntax(struct policy_errors *e, const char *file, int line, int column,
			     char *text)
{
	for (char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (line > 0)
		return policy_errors_addf(e, "%s:%d:%d: %s", file, line, column, text);
	return policy_errors_addf(e, "%s: %s", file, text);
}

/* Bytes of the UTF-8 sequence that starts with c (1 for anything unexpected). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf7)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Writes the escaped form of the sequence at s (n bytes) to out; returns its length. */
static size_t escape(const char *s, size_t n, char out[8])
{
	unsigned char c = (unsigned char)s[0];

	if (c == '"' || c == '\\')
		return (size_t)snprintf(out, 8, "\\%c", c);
	if (c == '\n')
		return (size_t)snprintf(out, 8, "\\n");
	if (c == '\t')
		return (size_t)snprintf(out, 8, "\\t");
	if (c < 0x20 || c == 0x7f)
		return (size_t)snprintf(out, 8, "\\u%04x", c);
	memcpy(out, s, n);
	return n;
}

void policy_quote(const char *s, char *buf, size_t size)
{
	/* Room kept for the closing quote, "..." and the NUL. */
	const size_t reserve = 5;
	size_t o = 0;

	buf[o++] = '"';
	while (*s) {
		size_t n = strnlen(s, utf8_len((unsigned char)*s));
		char out[8];
		size_t len = escape(s, n, out);

		if (o + len + reserve > size) {
			memcpy(buf + o, "\"...", 5);
			return;
		}
		memcpy(buf + o, out, len);
		o += len;
		s += n;
	}
	memcpy(buf + o, "\"", 2);
}

static void why_vadd(struct policy_why *w, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void why_vadd(struct policy_why *w, const char *fmt, va_list ap)
{
	size_t room = sizeof(w->text) - w->len;
	int n = vsnprintf(w->text + w->len, room, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n < room) {
		w->len += (size_t)n;
		return;
	}
	/* Full: a bounded why is more useful than a complete one nobody reads. */
	memcpy(w->text + sizeof(w->text) - 4, "...", 4);
	w->len = sizeof(w->text) - 1;
}

void policy_why_set(struct policy_why *w, const char *failed, const char *fmt, ...)
{
	va_list ap;

	snprintf(w->failed, sizeof(w->failed), "%s", failed);
	w->len = 0;
	w->text[0] = '\0';
	va_start(ap, fmt);
	why_vadd(w, fmt, ap);
	va_end(ap);
}

void policy_why_add(struct policy_why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	why_vadd(w, fmt, ap);
	va_end(ap);
}

void policy_why_quote(struct policy_why *w, const char *s)
{
	char q[POLICY_QUOTE_MAX];

	policy_quote(s, q, sizeof(q));
	policy_why_add(w, "%s", q);
}

/* The policy's own text is trusted, but it still must not reach a terminal with
 * control characters in it. */
static void why_plain(struct policy_why *w, const char *s)
{
	size_t start = w->len;

	policy_why_add(w, "%s", s);
	for (char *c = w->text + start; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

void policy_why_list(struct policy_why *w, const struct policy_strv *s, const char *last)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0)
			policy_why_add(w, "%s", i + 1 == s->n ? last : ", ");
		why_plain(w, s->v[i]);
	}
}
