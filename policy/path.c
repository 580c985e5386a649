/* path.c: lexical path canonicalisation against the request's cwd, and the path glob
 * matcher with "**", which fnmatch(3) does not have. */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "policy-internal.h"

/* Appends path's components to out[0..o), a canonical path without its trailing
 * "/" ("" standing for "/"), and returns the new length. */
static size_t append_components(char *out, size_t o, const char *path)
{
	for (;;) {
		size_t len;

		path += strspn(path, "/");
		len = strcspn(path, "/");
		if (len == 0)
			return o;
		if (len == 2 && path[0] == '.' && path[1] == '.') {
			/* ".." at "/" stays at "/", as the kernel does. */
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (len != 1 || path[0] != '.') {
			out[o++] = '/';
			memcpy(out + o, path, len);
			o += len;
		}
		path += len;
	}
}

int policy_path_canon(const char *cwd, const char *path, char **ret)
{
	/* The result is never longer than cwd, a '/', path and the NUL. */
	char *out = malloc(strlen(cwd) + strlen(path) + 2);
	size_t o = 0;

	if (!out)
		return -ENOMEM;
	if (path[0] != '/')
		o = append_components(out, o, cwd);
	o = append_components(out, o, path);
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*ret = out;
	return 0;
}

/* The next component at or after s, its length in *len; NULL at the end. */
static const char *component(const char *s, size_t *len)
{
	s += strspn(s, "/");
	*len = strcspn(s, "/");
	return *len ? s : NULL;
}

static bool is_globstar(const char *g, size_t len)
{
	return len == 2 && g[0] == '*' && g[1] == '*';
}

int policy_path_split(const char *cwd, const char *path, struct policy_path *ret)
{
	char *s;
	size_t n = 0;
	int r = policy_path_canon(cwd, path, &s);

	if (r < 0)
		return r;
	/* "/a/b" becomes "a\0b\0"; "/" becomes "" with no components. */
	memmove(s, s + 1, strlen(s));
	for (char *c = s; *c; c++) {
		if (*c == '/') {
			*c = '\0';
			n++;
		}
	}
	*ret = (struct policy_path){.buf = s, .n = s[0] ? n + 1 : 0};
	return 0;
}

/* Whether the glob component g (len bytes) matches the path component p. */
static bool component_matches(const char *g, size_t len, const char *p)
{
	char pattern[POLICY_GLOB_MAX + 1];

	if (len > POLICY_GLOB_MAX)
		return false;
	memcpy(pattern, g, len);
	pattern[len] = '\0';
	return fnmatch(pattern, p, FNM_PATHNAME) == 0;
}

/* The classic two-pointer wildcard match, over components instead of characters:
 * "**" plays the part of "*", every other glob component matches exactly one path
 * component. Only the last "**" is ever backtracked to, which is enough because
 * everything after it matches a fixed number of components; so however many "**"
 * there are, there are at most components(glob) * components(path) component
 * matches, each looking at one component only. */
bool policy_path_match(const char *glob, const struct policy_path *path)
{
	const char *p = path->buf, *star_g = NULL, *star_p = NULL;
	size_t left = path->n, star_left = 0, glen;

	for (;;) {
		const char *g = component(glob, &glen);

		if (left == 0) {
			while (g && is_globstar(g, glen))
				g = component(g + glen, &glen);
			return !g;
		}
		if (g && is_globstar(g, glen)) {
			glob = star_g = g + glen;
			star_p = p;
			star_left = left;
			continue;
		}
		if (g && component_matches(g, glen, p)) {
			glob = g + glen;
			p += strlen(p) + 1;
			left--;
			continue;
		}
		if (!star_g)
			return false;
		/* Let the last "**" take one more component and try again after it. */
		star_p += strlen(star_p) + 1;
		star_left--;
		glob = star_g;
		p = star_p;
		left = star_left;
	}
}

const char *policy_path_glob_problem(const char *glob)
{
	const char *g = glob;
	size_t len;

	if (glob[0] != '/')
		return "it must be absolute (start with \"/\")";
	if (strlen(glob) > POLICY_GLOB_MAX)
		return "it is longer than 4096 bytes";
	while ((g = component(g, &len))) {
		/* Paths are canonical when compared, so such a glob could never match. */
		if ((len == 1 && g[0] == '.') || (len == 2 && g[0] == '.' && g[1] == '.'))
			return "it must not have \".\" or \"..\" components";
		g += len;
	}
	return NULL;
}
