/* regex-cost.c: the size regcomp() would give an extended regex (see regex-cost.h).
 * Follows glibc's parse_dup_op(): "x{m,n}" becomes m copies of x then n - m optional
 * ones, "x+" is "x x*", "x*" and "x?" keep one copy; a group costs what it holds. */
#include "regex-cost.h"

#include <stdbool.h>

/* Past this everything is "too much"; keeps the arithmetic far from overflowing. */
#define SATURATED ((size_t)POLICY_REGEX_COST_MAX + 1)
/* Groups nested deeper cost too much as such (and would recurse too far here). */
#define DEPTH_MAX 64

static size_t add(size_t a, size_t b)
{
	return a + b > SATURATED ? SATURATED : a + b;
}

static size_t mul(size_t a, size_t b)
{
	return b && a > SATURATED / b ? SATURATED : a * b > SATURATED ? SATURATED : a * b;
}

/* A decimal count of an interval; what is past RE_DUP_MAX saturates. */
static const char *number(const char *s, size_t *ret)
{
	*ret = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		*ret = *ret >= SATURATED ? SATURATED : *ret * 10 + (size_t)(*s - '0');
	return s;
}

/* "{m}", "{m,}" or "{m,n}" at s: returns the end and sets *ret_copies to how many
 * copies of the element regcomp() makes, or NULL when s is not an interval. */
static const char *interval(const char *s, size_t *ret_copies)
{
	size_t m, n;
	const char *p = number(s + 1, &m);
	if (p == s + 1)
		return NULL;
	n = m;
	if (*p == ',') {
		const char *q = number(p + 1, &n);
		n = q == p + 1 ? m + 1 : n; /* "{m,}": m copies and a starred one */
		p = q;
	}
	if (*p != '}')
		return NULL;
	*ret_copies = (m > n ? m : n) + 1;
	return p + 1;
}

/* The end of a bracket expression starting at s ('['), or NULL when it has none. */
static const char *bracket_end(const char *s)
{
	s++;
	s += *s == '^';
	s += *s == ']';
	for (; *s; s++) {
		if (*s == ']')
			return s + 1;
		if (*s == '[' && (s[1] == ':' || s[1] == '=' || s[1] == '.')) {
			char close = s[1];
			for (s += 2; *s && !(*s == close && s[1] == ']'); s++)
				;
			if (!*s)
				return NULL;
			s++;
		}
	}
	return NULL;
}

static size_t alternation(const char **s, unsigned depth);

/* One element at *s (a character, an escape, a bracket expression, a group), *s moved
 * past it. */
static size_t element(const char **s, unsigned depth)
{
	const char *p = *s;
	if (*p == '(') {
		*s = p + 1;
		if (depth >= DEPTH_MAX)
			return SATURATED;
		size_t inner = alternation(s, depth + 1);
		if (**s == ')')
			(*s)++;
		return add(inner, 1);
	}
	if (*p == '[') {
		const char *end = bracket_end(p);
		*s = end ? end : p + 1;
		return 1;
	}
	*s = p + (*p == '\\' && p[1] ? 2 : 1);
	return 1;
}

/* A concatenation, up to '|', ')' or the end. */
static size_t sequence(const char **s, unsigned depth)
{
	size_t total = 0, last = 0;
	while (**s && **s != '|' && !(**s == ')' && depth > 0)) {
		size_t copies = 0;
		const char *after = NULL;
		if (**s == '*' || **s == '?')
			copies = 1, after = *s + 1;
		else if (**s == '+')
			copies = 2, after = *s + 1;
		else if (**s == '{')
			after = interval(*s, &copies);
		if (after && last > 0) {
			/* The element is replaced by its copies, and an operator node. */
			total -= last;
			last = add(mul(last, copies), 1);
			total = add(total, last);
			*s = after;
			continue;
		}
		last = element(s, depth);
		total = add(total, last);
	}
	return total;
}

static size_t alternation(const char **s, unsigned depth)
{
	size_t total = sequence(s, depth);
	while (**s == '|') {
		(*s)++;
		total = add(add(total, sequence(s, depth)), 1);
	}
	return total;
}

size_t policy_regex_cost(const char *s)
{
	/* At the top a ')' is one more element: all of s is read. */
	return alternation(&s, 0);
}

bool policy_regex_has_backreference(const char *s)
{
	for (; *s; s++) {
		if (*s == '[') {
			const char *end = bracket_end(s);
			if (!end)
				return false; /* regcomp() reports it */
			s = end - 1;
		} else if (*s == '\\') {
			if (s[1] >= '1' && s[1] <= '9')
				return true;
			if (s[1])
				s++;
		}
	}
	return false;
}
