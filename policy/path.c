/* path.c: lexical path canonicalisation against the request's cwd, and the path glob
 * matcher with "**", which fnmatch(3) does not have. */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "policy-internal.h"

/* strspn() and strcspn() for '/': plain loops, which beat the vectorised versions on
 * path components a few bytes long, and these run for every rule a request meets. */
static size_t skip_slashes(const char *s)
{
	size_t n = 0;

	while (s[n] == '/')
		n++;
	return n;
}

static size_t component_length(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != '/')
		n++;
	return n;
}

/* Appends path's components to out[0..o), a canonical path without its trailing
 * "/" ("" standing for "/"), and returns the new length. */
static size_t append_components(char *out, size_t o, const char *path)
{
	for (;;) {
		size_t len;

		path += skip_slashes(path);
		len = component_length(path);
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
	s += skip_slashes(s);
	*len = component_length(s);
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

/* Whether the glob component g (len bytes) matches the path component p. Most
 * components of most globs are plain names, which need no fnmatch(3) and no copy. */
static bool component_matches(const char *g, size_t len, const char *p)
{
	char pattern[POLICY_GLOB_MAX + 1];

	if (len > POLICY_GLOB_MAX)
		return false;
	if (!memchr(g, '*', len) && !memchr(g, '?', len) && !memchr(g, '[', len) &&
	    !memchr(g, '\\', len))
		return strncmp(g, p, len) == 0 && p[len] == '\0';
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

bool policy_path_match_home(const char *glob, const struct policy_path *path,
			    const struct policy_path *home)
{
	const char *p = path->buf, *h = home->buf;
	struct policy_path rest;

	if (glob[0] != '~')
		return policy_path_match(glob, path);
	/* The home directory is compared as it is, not as a glob: a '*' in a home
	 * directory's name means a '*'. */
	if (!h || path->n < home->n)
		return false;
	for (size_t i = 0; i < home->n; i++) {
		if (strcmp(p, h) != 0)
			return false;
		p += strlen(p) + 1;
		h += strlen(h) + 1;
	}
	rest = (struct policy_path){.buf = (char *)p, .n = path->n - home->n};
	return policy_path_match(glob + 1, &rest);
}

const char *policy_path_glob_problem(const char *glob, bool tilde)
{
	const char *g = glob;
	size_t len;

	if (tilde && glob[0] == '~') {
		if (glob[1] != '\0' && glob[1] != '/')
			return "only \"~\" and \"~/...\" name a home directory (the one of the "
			       "person asking)";
		g++;
	} else if (glob[0] != '/') {
		return tilde ? "it must be absolute (start with \"/\") or start with \"~\""
			     : "it must be absolute (start with \"/\")";
	}
	if (strlen(glob) > POLICY_GLOB_MAX)
		return "it is longer than 4096 bytes";
	while ((g = component(g, &len))) {
		/* Paths are canonical when compared, so such a glob could never match. */
		if ((len == 1 && g[0] == '.') || (len == 2 && g[0] == '.' && g[1] == '.'))
			return "it must not have \".\" or \"..\" components";
		g += len;
	}
	return policy_glob_problem(glob);
}
