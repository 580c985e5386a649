/* errors.c: the list of load errors handed back to the caller, quoting of untrusted
 * strings inside those lines, and the names of verdicts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy-internal.h"

const char *policy_verdict_to_string(enum policy_verdict v)
{
	switch (v) {
	case POLICY_ALLOW:
		return "allow";
	case POLICY_DENY:
		return "deny";
	}
	/* Only a corrupted value gets here; naming it "deny" keeps callers fail-closed. */
	return "deny";
}

int policy_verdict_from_string(const char *s, enum policy_verdict *ret)
{
	if (!s || !ret)
		return -EINVAL;
	if (strcmp(s, "allow") == 0)
		*ret = POLICY_ALLOW;
	else if (strcmp(s, "deny") == 0)
		*ret = POLICY_DENY;
	else
		return -EINVAL;
	return 0;
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
