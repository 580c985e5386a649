/* resolve.c: program lookup. We send the daemon the path we will execute and
 * then execute exactly that path, so what was judged is what runs. */
#include "resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Drops "." components and repeated slashes in place. ".." is kept: with
 * symlinks, only the kernel knows what it leads to, and we execute this exact
 * string, so what the daemon sees is what runs either way. */
static void tidy(char *path)
{
	char *out = path;
	for (const char *p = path; *p;) {
		if (p[0] == '/' && (p[1] == '/' || (p[1] == '.' && (p[2] == '/' || !p[2])))) {
			p += p[1] == '/' ? 1 : 2;
			continue;
		}
		*out++ = *p++;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

static char *join(const char *dir, size_t dir_len, const char *cwd, const char *word)
{
	char *s = NULL;
	int n;
	if (dir_len > 0 && dir[0] == '/')
		n = asprintf(&s, "%.*s/%s", (int)dir_len, dir, word);
	else if (dir_len > 0)
		n = asprintf(&s, "%s/%.*s/%s", cwd, (int)dir_len, dir, word);
	else /* an empty PATH entry means the current directory */
		n = asprintf(&s, "%s/%s", cwd, word);
	if (n < 0)
		return NULL;
	tidy(s);
	return s;
}

static int executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

int resolve_program(const char *word, const char *cwd, char **ret)
{
	if (!*word)
		return -ENOENT;
	if (strchr(word, '/')) {
		char *s = word[0] == '/' ? strdup(word) : join(NULL, 0, cwd, word);
		if (!s)
			return -ENOMEM;
		tidy(s);
		*ret = s;
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t len = strcspn(p, ":");
		char *cand = join(p, len, cwd, word);
		if (!cand)
			return -ENOMEM;
		if (executable(cand) == 0) {
			*ret = cand;
			return 0;
		}
		free(cand);
		p += len;
		if (!*p)
			return -ENOENT;
	}
}
