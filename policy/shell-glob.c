/* shell-glob.c: whether a word that stands for many values (an unquoted '*', find's
 * "{}") matches a rule's glob. For a rule that is not allow: whether some value could
 * match it, erring towards yes. For an allow rule: whether every value must, erring
 * towards no. Globs are compared byte by byte, as fnmatch(3) does in the C locale. */
#include <fnmatch.h>
#include <string.h>

#include "shell.h"

#define TOKENS_MAX 128 /* beyond, two globs are taken to meet */

/* One element of a glob: '*', or a set of the bytes it matches. */
struct token {
	uint64_t set[4];
	bool star;
};

static void set_add(uint64_t set[4], unsigned c)
{
	set[c / 64] |= UINT64_C(1) << (c % 64);
}

/* ASCII classes; bytes above 0x7f are added to every class and to every negation, so
 * that a set is never smaller than what some locale would make of it. */
static bool in_class(const char *name, size_t n, unsigned c)
{
	bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z', digit = c >= '0' && c <= '9';

#define CLASS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
	if (CLASS("alpha"))
		return alpha;
	if (CLASS("digit"))
		return digit;
	if (CLASS("alnum"))
		return alpha || digit;
	if (CLASS("upper"))
		return c >= 'A' && c <= 'Z';
	if (CLASS("lower"))
		return c >= 'a' && c <= 'z';
	if (CLASS("space"))
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (CLASS("blank"))
		return c == ' ' || c == '\t';
	if (CLASS("punct"))
		return c > ' ' && c < 0x7f && !alpha && !digit;
	if (CLASS("print"))
		return c >= ' ' && c < 0x7f;
	if (CLASS("graph"))
		return c > ' ' && c < 0x7f;
	if (CLASS("cntrl"))
		return c < ' ' || c == 0x7f;
	if (CLASS("xdigit"))
		return digit || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
#undef CLASS
	return true;
}

/* "[:alpha:]", "[=a=]", "[.a.]" at g[j] inside a bracket: added to set. Returns the
 * index after it, or 0 when it is not one. */
static size_t bracket_class(const char *g, size_t n, size_t j, uint64_t set[4])
{
	char kind = g[j + 1];
	size_t end = j + 2;

	while (end + 1 < n && !(g[end] == kind && g[end + 1] == ']'))
		end++;
	if (end + 1 >= n)
		return 0;
	for (unsigned c = 1; c < 256; c++)
		if (c >= 0x80 || (kind == ':' ? in_class(g + j + 2, end - j - 2, c)
					      : end - j - 2 != 1 || (unsigned char)g[j + 2] == c))
			set_add(set, c);
	return end + 2;
}

/* The bracket expression at g[i] ('['): its set, and the index after it; 0 when it is
 * not closed, and then '[' is itself. */
static size_t bracket(const char *g, size_t n, size_t i, uint64_t set[4])
{
	size_t j = i + 1, first;
	bool negate = j < n && (g[j] == '!' || g[j] == '^');

	j += negate;
	first = j;
	while (j < n) {
		unsigned c = (unsigned char)g[j];

		if (c == ']' && j > first) {
			for (unsigned k = 0; negate && k < 4; k++)
				set[k] = ~set[k];
			for (unsigned k = 0x80; negate && k < 256; k++)
				set_add(set, k);
			return j + 1;
		}
		if (c == '[' && j + 1 < n && strchr(":=.", g[j + 1])) {
			size_t next = bracket_class(g, n, j, set);

			if (next) {
				j = next;
				continue;
			}
		}
		if (c == '\\' && j + 1 < n)
			c = (unsigned char)g[++j];
		j++;
		if (j + 1 < n && g[j] == '-' && g[j + 1] != ']') {
			unsigned to = (unsigned char)g[j + 1];

			j += 2;
			for (unsigned k = c; k <= to; k++)
				set_add(set, k);
		} else {
			set_add(set, c);
		}
	}
	return 0;
}

/* The tokens of glob g (n bytes); false when there are too many. */
static bool tokenize(const char *g, size_t n, struct token *t, size_t *ret_n)
{
	size_t k = 0, next;

	for (size_t i = 0; i < n; k++) {
		if (k == TOKENS_MAX)
			return false;
		t[k] = (struct token){0};
		if (g[i] == '*') {
			t[k].star = true;
			i++;
		} else if (g[i] == '?') {
			memset(t[k].set, 0xff, sizeof(t[k].set));
			i++;
		} else if (g[i] == '[' && (next = bracket(g, n, i, t[k].set))) {
			i = next;
		} else {
			if (g[i] == '\\' && i + 1 < n)
				i++;
			t[k] = (struct token){0};
			set_add(t[k].set, (unsigned char)g[i]);
			i++;
		}
	}
	*ret_n = k;
	return true;
}

static bool sets_meet(const struct token *a, const struct token *b)
{
	return (a->set[0] & b->set[0]) | (a->set[1] & b->set[1]) | (a->set[2] & b->set[2]) |
	       (a->set[3] & b->set[3]);
}

/* Whether some string matches both: a walk of the product of the two patterns, each
 * state (i, j) visited once. */
static bool tokens_meet(const struct token *a, size_t na, const struct token *b, size_t nb)
{
	unsigned char reach[((TOKENS_MAX + 1) * (TOKENS_MAX + 1) + 7) / 8] = {0};
	size_t w = nb + 1;

#define AT(i, j)  (reach[((i)*w + (j)) / 8] & (1u << (((i)*w + (j)) % 8)))
#define SET(i, j) (reach[((i)*w + (j)) / 8] |= (unsigned char)(1u << (((i)*w + (j)) % 8)))
	SET(0, 0);
	for (size_t i = 0; i <= na; i++) {
		for (size_t j = 0; j <= nb; j++) {
			bool sa = i < na && a[i].star, sb = j < nb && b[j].star;

			if (!AT(i, j))
				continue;
			if (sa)
				SET(i + 1, j);
			if (sb)
				SET(i, j + 1);
			if (i == na || j == nb)
				continue;
			if (sa && !sb)
				SET(i, j + 1);
			if (sb && !sa)
				SET(i + 1, j);
			if (!sa && !sb && sets_meet(&a[i], &b[j]))
				SET(i + 1, j + 1);
		}
	}
	return AT(na, nb);
#undef AT
#undef SET
}

static bool globs_meet(const char *a, size_t na, const char *b, size_t nb)
{
	struct token ta[TOKENS_MAX], tb[TOKENS_MAX];
	size_t ka, kb;

	if (!tokenize(a, na, ta, &ka) || !tokenize(b, nb, tb, &kb))
		return true;
	return tokens_meet(ta, ka, tb, kb);
}

/* Whether pattern p (n bytes) has an active glob character. */
static bool active(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '*' || p[i] == '?' || p[i] == '[')
			return true;
	}
	return false;
}

/* p (n bytes) without its escapes, into out (n + 1 bytes). */
static void unescape(const char *p, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = p[i];
	}
	out[o] = '\0';
}

/* Every value of pattern p is matched by glob g: when the rule's glob is "*" or the
 * same pattern, or p is one literal value that matches. */
static bool glob_within(const char *g, size_t ng, const char *p, size_t np, int flags)
{
	char *literal;
	bool r;

	if ((ng == 1 && g[0] == '*') || (ng == np && memcmp(g, p, ng) == 0))
		return true;
	if (active(p, np))
		return false;
	literal = malloc(np + 1);
	if (!literal)
		return false;
	unescape(p, np, literal);
	if (g[ng] == '\0') {
		r = fnmatch(g, literal, flags) == 0;
	} else {
		char *glob = strndup(g, ng);

		r = glob && fnmatch(glob, literal, flags) == 0;
		free(glob);
	}
	free(literal);
	return r;
}

bool policy_glob_meets(const char *glob, const char *pattern, bool loose)
{
	if (loose)
		return globs_meet(glob, strlen(glob), pattern, strlen(pattern));
	return glob_within(glob, strlen(glob), pattern, strlen(pattern), 0);
}

/* Paths. */

static size_t component_length(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != '/')
		n++;
	return n;
}

static const char *component(const char *s, size_t *len)
{
	while (*s == '/')
		s++;
	*len = component_length(s);
	return *len ? s : NULL;
}

static bool is_globstar(const char *g, size_t len)
{
	return len == 2 && g[0] == '*' && g[1] == '*';
}

/* Glob component g (len bytes) and the word's component p. */
static bool component_meets(const char *g, size_t len, const char *p, unsigned flags, bool loose)
{
	if (!(flags & POLICY_WORD_GLOB) || !active(p, strlen(p))) {
		char literal[POLICY_GLOB_MAX + 1], pattern[POLICY_GLOB_MAX + 1];
		size_t n = strlen(p);

		if (n > POLICY_GLOB_MAX || len > POLICY_GLOB_MAX)
			return loose;
		if (flags & POLICY_WORD_GLOB)
			unescape(p, n, literal);
		else
			memcpy(literal, p, n + 1);
		memcpy(pattern, g, len);
		pattern[len] = '\0';
		return fnmatch(pattern, literal, FNM_PATHNAME) == 0;
	}
	if (loose)
		return globs_meet(g, len, p, strlen(p));
	return glob_within(g, len, p, strlen(p), FNM_PATHNAME);
}

/* What is left of the glob when the word's components are used up: nothing, or "**"
 * only (a BELOW word also needs a "**" to take what is below it). */
static bool rest_holds(const char *g, size_t glen, const char *star_g, unsigned flags, bool loose)
{
	bool any_star = false;

	if ((flags & POLICY_WORD_BELOW) && loose)
		return true;
	while (g && is_globstar(g, glen)) {
		any_star = true;
		g = component(g + glen, &glen);
	}
	if (g)
		return false;
	return !(flags & POLICY_WORD_BELOW) || any_star || (star_g && !component(star_g, &glen));
}

/* policy_path_match() with a predicate on pairs of components: the classic two-pointer
 * wildcard match over components ("**" for '*'), which finds a match whenever one exists
 * for any predicate, as each pair is judged on its own. */
bool policy_path_meets(const char *glob, const struct policy_path *path, unsigned flags, bool loose)
{
	const char *p = path->buf, *star_g = NULL, *star_p = NULL;
	size_t left = path->n, star_left = 0, glen;

	for (;;) {
		const char *g = component(glob, &glen);

		if (left == 0)
			return rest_holds(g, glen, star_g, flags, loose);
		if (g && is_globstar(g, glen)) {
			glob = star_g = g + glen;
			star_p = p;
			star_left = left;
			continue;
		}
		if (g && component_meets(g, glen, p, flags, loose)) {
			glob = g + glen;
			p += strlen(p) + 1;
			left--;
			continue;
		}
		if (!star_g)
			return false;
		star_p += strlen(star_p) + 1;
		star_left--;
		glob = star_g;
		p = star_p;
		left = star_left;
	}
}

/* Whether the word's component p may be (loose) or is (strict) the home's h. */
static bool home_component(const char *p, const char *h, unsigned flags, bool loose)
{
	if (!(flags & POLICY_WORD_GLOB))
		return strcmp(p, h) == 0;
	if (loose)
		return fnmatch(p, h, FNM_PATHNAME) == 0;
	return !active(p, strlen(p)) && fnmatch(p, h, FNM_PATHNAME) == 0;
}

bool policy_path_meets_home(const char *glob, const struct policy_path *path, unsigned flags,
			    bool loose, const struct policy_path *home)
{
	const char *p = path->buf, *h = home->buf;
	struct policy_path rest;

	if (glob[0] != '~')
		return policy_path_meets(glob, path, flags, loose);
	if (!h)
		return false;
	for (size_t i = 0; i < home->n; i++) {
		/* The word ends above the home directory: below it may be inside. */
		if (i == path->n)
			return loose && (flags & POLICY_WORD_BELOW);
		if (!home_component(p, h, flags, loose))
			return false;
		p += strlen(p) + 1;
		h += strlen(h) + 1;
	}
	rest = (struct policy_path){.buf = (char *)p, .n = path->n - home->n};
	return policy_path_meets(glob + 1, &rest, flags, loose);
}
