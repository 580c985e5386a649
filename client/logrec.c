/* logrec.c: a validating single-pass scan of one log line. It accepts what a strict
 * JSON parser (jansson, which writes the log) accepts, and remembers only where the
 * known top-level members' values are. */
#include "logrec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct scan {
	const unsigned char *p, *start, *end;
	const char *err;
	int depth;
};

/* The members known, with their lengths for a quick compare. */
#define KEY(k, name) [k] = {name, sizeof name - 1}
static const struct {
	const char *name;
	size_t len;
} keys[LOGREC_N_KEYS] = {
	KEY(LOGREC_TS, "ts"),
	KEY(LOGREC_ID, "id"),
	KEY(LOGREC_TYPE, "type"),
	KEY(LOGREC_DECISION_ID, "decision_id"),
	KEY(LOGREC_HOST, "host"),
	KEY(LOGREC_UID, "uid"),
	KEY(LOGREC_USER, "user"),
	KEY(LOGREC_ARGV, "argv"),
	KEY(LOGREC_LINE, "line"),
	KEY(LOGREC_PROGRAM, "program"),
	KEY(LOGREC_CHECK, "check"),
	KEY(LOGREC_DECISION, "decision"),
	KEY(LOGREC_RULE, "rule"),
	KEY(LOGREC_MODE, "mode"),
	KEY(LOGREC_PART, "part"),
	KEY(LOGREC_UNKNOWN, "unknown"),
	KEY(LOGREC_STEP, "step"),
	KEY(LOGREC_ANSWER_OK, "answer_ok"),
	KEY(LOGREC_REASON, "reason"),
	KEY(LOGREC_DRY_RUN, "dry_run"),
	KEY(LOGREC_EXIT, "exit"),
	KEY(LOGREC_SIGNAL, "signal"),
	KEY(LOGREC_DURATION_MS, "duration_ms"),
	KEY(LOGREC_TORN_BYTES, "torn_bytes"),
	KEY(LOGREC_SAVED_TO, "saved_to"),
	KEY(LOGREC_EVENT, "event"),
	KEY(LOGREC_REQUEST, "request"),
	KEY(LOGREC_REQUESTER, "requester"),
	KEY(LOGREC_SEQ, "seq"),
	KEY(LOGREC_PREV, "prev"),
};
#undef KEY

static int fail(struct scan *s, const char *text)
{
	if (!s->err)
		s->err = text;
	return -1;
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (p + 4 <= end checked by the caller); -1 if not. */
static long hex4(const unsigned char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(p[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One UTF-8 sequence at s->p (its first byte is >= 0x80), as RFC 3629 allows it. */
static int utf8_seq(struct scan *s)
{
	const unsigned char *p = s->p;
	size_t left = (size_t)(s->end - p);
	unsigned c = p[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf; /* the range of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return fail(s, "invalid UTF-8");
	if (left < len || p[1] < lo || p[1] > hi)
		return fail(s, "invalid UTF-8");
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return fail(s, "invalid UTF-8");
	s->p += len;
	return 0;
}

/* A \u escape at s->p (just after the backslash and 'u'), with its low surrogate. */
static int unicode_escape(struct scan *s)
{
	if (s->end - s->p < 4)
		return fail(s, "truncated \\u escape");
	long u = hex4(s->p);
	if (u < 0)
		return fail(s, "invalid \\u escape");
	s->p += 4;
	if (u == 0)
		return fail(s, "\\u0000 in a string");
	if (u >= 0xdc00 && u <= 0xdfff)
		return fail(s, "lone low surrogate");
	if (u >= 0xd800 && u <= 0xdbff) {
		if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
			return fail(s, "lone high surrogate");
		long lo = hex4(s->p + 2);
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(s, "lone high surrogate");
		s->p += 6;
	}
	return 0;
}

/* Bytes a string may hold as they are: not a quote, backslash, control or non-ASCII. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Skips plain bytes eight at a time: a string is most of a record, and most of a
 * string is plain ASCII. A word is passed over only when none of its bytes is a
 * quote, a backslash, below 0x20 or above 0x7f. */
static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	while (end - p >= 8) {
		uint64_t v, q, b;
		memcpy(&v, p, 8);
		q = v ^ (ones * '"');
		b = v ^ (ones * '\\');
		uint64_t special =
			((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v) | v;
		if (special & highs)
			break;
		p += 8;
	}
	while (p < end && plain(*p))
		p++;
	return p;
}

/* A string at s->p (the opening quote); *ret_escaped says whether it has escapes. */
static int string(struct scan *s, bool *ret_escaped)
{
	bool escaped = false;
	s->p++;
	for (;;) {
		s->p = skip_plain(s->p, s->end);
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		unsigned char c = *s->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(s, "control character in a string");
		if (c >= 0x80) {
			if (utf8_seq(s) < 0)
				return -1;
			continue;
		}
		/* a backslash */
		escaped = true;
		if (++s->p >= s->end)
			return fail(s, "unterminated string");
		c = *s->p++;
		if (c == 'u') {
			if (unicode_escape(s) < 0)
				return -1;
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0')
			return fail(s, "invalid escape");
	}
	s->p++;
	if (ret_escaped)
		*ret_escaped = escaped;
	return 0;
}

static bool digit(const struct scan *s)
{
	return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static int number(struct scan *s)
{
	if (*s->p != '-' && !digit(s))
		return fail(s, "invalid value");
	if (*s->p == '-')
		s->p++;
	if (!digit(s))
		return fail(s, "invalid number");
	if (*s->p == '0')
		s->p++;
	else
		while (digit(s))
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digit(s))
			return fail(s, "invalid number");
		while (digit(s))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digit(s))
			return fail(s, "invalid number");
		while (digit(s))
			s->p++;
	}
	return 0;
}

static int literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "invalid value");
	s->p += n;
	return 0;
}

static int value(struct scan *s);

/* The elements of an array or the members of an object, after the opening bracket. */
static int container(struct scan *s, unsigned char close)
{
	if (++s->depth > MAX_DEPTH)
		return fail(s, "nested too deep");
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "expected a member name");
			if (string(s, NULL) < 0)
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "expected ':'");
			s->p++;
			skip_ws(s);
		}
		if (value(s) < 0)
			return -1;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return fail(s, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int value(struct scan *s)
{
	if (s->p >= s->end)
		return fail(s, "truncated");
	switch (*s->p) {
	case '"':
		return string(s, NULL);
	case '{':
	case '[':
		return container(s, *s->p++ == '{' ? '}' : ']');
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number(s);
	}
}

/* The known key a member name is, or -1. name is the raw text between the quotes. */
static int known_key(const unsigned char *name, size_t n, bool escaped)
{
	char buf[16];
	if (escaped) {
		/* Unusual, but "r\u0075le" is "rule" to any JSON reader, so to us too. */
		struct logrec_span v = {(const char *)name - 1, n + 2};
		int len = logrec_string(v, buf, sizeof buf);
		if (len < 0 || (size_t)len >= sizeof buf)
			return -1;
		name = (const unsigned char *)buf;
		n = (size_t)len;
	}
	if (n < 2 || n > 11)
		return -1;
	for (int k = 0; k < LOGREC_N_KEYS; k++)
		if (keys[k].len == n && keys[k].name[0] == name[0] &&
		    memcmp(keys[k].name, name, n) == 0)
			return k;
	return -1;
}

static int members(struct scan *s, struct logrec *r)
{
	s->depth = 1;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return fail(s, "expected a member name");
		const unsigned char *name = s->p + 1;
		bool escaped;
		if (string(s, &escaped) < 0)
			return -1;
		int k = known_key(name, (size_t)(s->p - 1 - name), escaped);
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, "expected ':'");
		s->p++;
		skip_ws(s);
		const unsigned char *v = s->p;
		if (value(s) < 0)
			return -1;
		if (k >= 0) {
			if (r->f[k].p)
				return fail(s, "a member appears twice");
			r->f[k] = (struct logrec_span){(const char *)v, (size_t)(s->p - v)};
		}
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		return fail(s, "expected ',' or '}'");
	}
}

int logrec_parse(const char *line, size_t n, struct logrec *ret, struct logrec_error *ret_err)
{
	struct scan s = {(const unsigned char *)line, (const unsigned char *)line,
			 (const unsigned char *)line + n, NULL, 0};
	struct logrec r = {0};
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		fail(&s, s.p >= s.end ? "empty line" : "not a JSON object");
	else {
		s.p++;
		if (members(&s, &r) == 0) {
			skip_ws(&s);
			if (s.p != s.end)
				fail(&s, "text after the object");
		}
	}
	if (s.err) {
		if (ret_err)
			*ret_err = (struct logrec_error){s.err, (size_t)(s.p - s.start)};
		return -EBADMSG;
	}
	if (ret)
		*ret = r;
	return 0;
}

bool logrec_is_string(struct logrec_span v)
{
	return v.p && v.n >= 2 && v.p[0] == '"';
}

bool logrec_is_null(struct logrec_span v)
{
	return v.p && v.n == 4 && memcmp(v.p, "null", 4) == 0;
}

bool logrec_is_true(struct logrec_span v)
{
	return v.p && v.n == 4 && memcmp(v.p, "true", 4) == 0;
}

/* Where a decoded string goes: whole UTF-8 sequences while they fit. */
struct out {
	char *buf;
	size_t cap, written, len;
	bool full;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (!o->full) {
		size_t room = o->cap - 1 - o->written, k = n;
		if (n > room) {
			/* p[k] is the first byte left out: it must start a character. */
			for (k = room; k > 0 && ((unsigned char)p[k] & 0xc0) == 0x80; k--)
				;
			o->full = true;
		}
		memcpy(o->buf + o->written, p, k);
		o->written += k;
	}
	o->len += n;
}

static void put_code_point(struct out *o, unsigned long u)
{
	char b[4];
	if (u < 0x80) {
		b[0] = (char)u;
		put(o, b, 1);
	} else if (u < 0x800) {
		b[0] = (char)(0xc0 | u >> 6);
		b[1] = (char)(0x80 | (u & 0x3f));
		put(o, b, 2);
	} else if (u < 0x10000) {
		b[0] = (char)(0xe0 | u >> 12);
		b[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		b[2] = (char)(0x80 | (u & 0x3f));
		put(o, b, 3);
	} else {
		b[0] = (char)(0xf0 | u >> 18);
		b[1] = (char)(0x80 | ((u >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((u >> 6) & 0x3f));
		b[3] = (char)(0x80 | (u & 0x3f));
		put(o, b, 4);
	}
}

static unsigned long escape_char(unsigned char c)
{
	switch (c) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return c; /* " \ / */
	}
}

int logrec_string(struct logrec_span v, char *buf, size_t cap)
{
	if (!logrec_is_string(v))
		return -EINVAL;
	const unsigned char *p = (const unsigned char *)v.p + 1, *end = p + v.n - 2;
	struct out o = {buf, cap, 0, 0, false};
	while (p < end) {
		if (*p != '\\') {
			/* A run up to the next escape. */
			const unsigned char *q = memchr(p, '\\', (size_t)(end - p));
			if (!q)
				q = end;
			put(&o, (const char *)p, (size_t)(q - p));
			p = q;
			continue;
		}
		p++;
		if (*p != 'u') {
			put_code_point(&o, escape_char(*p++));
			continue;
		}
		unsigned long u = (unsigned long)hex4(p + 1);
		p += 5;
		if (u >= 0xd800 && u <= 0xdbff && end - p >= 6) {
			unsigned long lo = (unsigned long)hex4(p + 2);
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		}
		put_code_point(&o, u);
	}
	buf[o.written] = '\0';
	return o.len > (size_t)INT32_MAX ? INT32_MAX : (int)o.len;
}

bool logrec_string_eq(struct logrec_span v, const char *s)
{
	if (!logrec_is_string(v))
		return false;
	size_t n = strlen(s);
	if (!memchr(v.p + 1, '\\', v.n - 2))
		return v.n - 2 == n && memcmp(v.p + 1, s, n) == 0;
	/* Escapes only shorten a string: a longer s cannot be equal. */
	if (n > v.n)
		return false;
	char small[512];
	char *buf = n + 2 <= sizeof small ? small : malloc(n + 2);
	if (!buf)
		return false;
	int len = logrec_string(v, buf, n + 2);
	bool eq = len >= 0 && (size_t)len == n && memcmp(buf, s, n) == 0;
	if (buf != small)
		free(buf);
	return eq;
}

int logrec_int(struct logrec_span v, int64_t *ret)
{
	if (!v.p || v.n == 0)
		return -EINVAL;
	const char *p = v.p, *end = v.p + v.n;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (p >= end)
		return -EINVAL;
	uint64_t x = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (x > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	if (x > (uint64_t)INT64_MAX + neg)
		return -ERANGE;
	*ret = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/* The next element or member of a container value; *pos is where the scan stopped. */
static int next_in(struct logrec_span c, unsigned char open, size_t *pos,
		   struct logrec_span *ret_key, struct logrec_span *ret)
{
	if (!c.p || c.n < 2 || (unsigned char)c.p[0] != open)
		return -EINVAL;
	struct scan s = {(const unsigned char *)c.p + (*pos ? *pos : 1), (const unsigned char *)c.p,
			 (const unsigned char *)c.p + c.n, NULL, 0};
	skip_ws(&s);
	if (s.p >= s.end || *s.p == ']' || *s.p == '}')
		return 0;
	if (*pos && *s.p == ',') {
		s.p++;
		skip_ws(&s);
	}
	if (ret_key) {
		const unsigned char *k = s.p;
		if (string(&s, NULL) < 0)
			return -EINVAL;
		*ret_key = (struct logrec_span){(const char *)k, (size_t)(s.p - k)};
		skip_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return -EINVAL;
		s.p++;
		skip_ws(&s);
	}
	const unsigned char *v = s.p;
	if (value(&s) < 0)
		return -EINVAL;
	*ret = (struct logrec_span){(const char *)v, (size_t)(s.p - v)};
	*pos = (size_t)(s.p - s.start);
	return 1;
}

int logrec_array_next(struct logrec_span a, size_t *pos, struct logrec_span *ret)
{
	return next_in(a, '[', pos, NULL, ret);
}

int logrec_object_next(struct logrec_span o, size_t *pos, struct logrec_span *ret_key,
		       struct logrec_span *ret_value)
{
	return next_in(o, '{', pos, ret_key, ret_value);
}
