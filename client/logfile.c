/* logfile.c: the line reader guardctl's log commands share, and the rotated files of
 * a log in the order they were written. */
#include "logfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logrec.h"

#define CHUNK (1024 * 1024)
/* Beyond this many rotated files, something other than logrotate is at work. */
#define MAX_SIBLINGS 10000

int logfile_open(const char *path, struct logfile **ret)
{
	struct logfile *f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->fd = -1;
	f->path = strdup(path);
	f->cap = CHUNK;
	f->buf = malloc(f->cap);
	if (!f->path || !f->buf) {
		logfile_free(f);
		return -ENOMEM;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		int r = -errno;
		logfile_free(f);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		logfile_free(f);
		return -EISDIR;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	*ret = f;
	return 0;
}

void logfile_free(struct logfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	free(f->path);
	free(f);
}

size_t logfile_pending(const struct logfile *f)
{
	return f->skipping ? 0 : f->end - f->start;
}

/* Moves the unread bytes to the front and reads more after them. Returns the bytes
 * read (0 at the end of the file for now) or negative errno. */
static ssize_t fill(struct logfile *f)
{
	if (f->start > 0) {
		memmove(f->buf, f->buf + f->start, f->end - f->start);
		f->buf_off += (off_t)f->start;
		f->end -= f->start;
		f->start = 0;
	}
	if (f->cap - f->end < CHUNK / 2) {
		char *b = realloc(f->buf, f->cap * 2);
		if (!b)
			return -ENOMEM;
		f->buf = b;
		f->cap *= 2;
	}
	for (;;) {
		ssize_t n = read(f->fd, f->buf + f->end, f->cap - f->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		f->end += (size_t)n;
		return n;
	}
}

int logfile_next(struct logfile *f, const char **ret_line, size_t *ret_n)
{
	for (;;) {
		char *b = f->buf + f->start;
		char *nl = memchr(b, '\n', f->end - f->start);
		if (nl) {
			size_t n = (size_t)(nl - b);
			off_t off = f->buf_off + (off_t)f->start;
			f->start += n + 1;
			if (f->skipping) {
				f->skipping = false;
				continue;
			}
			f->line_no++;
			f->line_off = off;
			if (n > LOGFILE_MAX_LINE)
				return -E2BIG;
			*ret_line = b;
			*ret_n = n;
			return 1;
		}
		if (f->skipping || f->end - f->start > LOGFILE_MAX_LINE) {
			/* Drop what is read of an over-long line, but keep counting bytes. */
			f->buf_off += (off_t)f->end;
			f->start = f->end = 0;
			if (!f->skipping) {
				f->skipping = true;
				f->line_no++;
				return -E2BIG;
			}
		}
		ssize_t r = fill(f);
		if (r <= 0)
			return (int)r;
	}
}

void logfile_list_free(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

struct sibling {
	char *path;
	uint64_t seq; /* of its first record */
};

static int by_seq(const void *a, const void *b)
{
	const struct sibling *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->path, y->path);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The seq of a file's first record: 1 and *ret; 0 when it is empty (nothing to
 * read); -EBADMSG when its first line is not a record. */
static int first_seq(const char *path, uint64_t *ret)
{
	struct logfile *f;
	int r = logfile_open(path, &f);
	if (r < 0)
		return r;
	const char *line;
	size_t n;
	struct logrec rec;
	int64_t seq;
	r = logfile_next(f, &line, &n);
	if (r == 1)
		r = logrec_parse(line, n, &rec, NULL) == 0 &&
				    logrec_int(rec.f[LOGREC_SEQ], &seq) == 0 && seq > 0
			    ? 1
			    : -EBADMSG;
	else if (r == 0 && logfile_pending(f) > 0)
		r = -EBADMSG;
	else if (r == -E2BIG)
		r = -EBADMSG;
	if (r == 1)
		*ret = (uint64_t)seq;
	logfile_free(f);
	return r;
}

/* Adds a copy of s to a NULL-terminated list of *n entries. */
static int push(char ***list, size_t *n, char *s)
{
	char **l = realloc(*list, (*n + 2) * sizeof *l);
	if (!l) {
		free(s);
		return -ENOMEM;
	}
	l[(*n)++] = s;
	l[*n] = NULL;
	*list = l;
	return 0;
}

/* What to do with a directory entry beside the live file: 1 read it, 0 leave it out,
 * -1 note it as skipped. */
static int classify(const char *base, const char *name)
{
	size_t n = strlen(base);
	if (strncmp(name, base, n) != 0 || (name[n] != '.' && name[n] != '-') || !name[n + 1])
		return 0;
	if (strncmp(name + n, ".torn-", 6) == 0)
		return 0;
	static const char *const packed[] = {".gz", ".xz", ".zst", ".bz2", ".lz4", ".Z"};
	for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
		if (ends_with(name, packed[i]))
			return -1;
	return 1;
}

static int scan_dir(const char *dir, const char *base, struct sibling **sib, size_t *n_sib,
		    char ***skipped, size_t *n_skipped)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		int kind = classify(base, e->d_name);
		struct stat st;
		if (kind == 0 || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		char *path;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		uint64_t seq = 0;
		int got = kind > 0 ? first_seq(path, &seq) : -EBADMSG;
		if (got == 0) {
			free(path);
			continue;
		}
		if (got < 0) {
			r = push(skipped, n_skipped, path);
			continue;
		}
		if (*n_sib >= MAX_SIBLINGS) {
			free(path);
			r = -E2BIG;
			break;
		}
		struct sibling *s = realloc(*sib, (*n_sib + 1) * sizeof *s);
		if (!s) {
			free(path);
			r = -ENOMEM;
			break;
		}
		*sib = s;
		s[(*n_sib)++] = (struct sibling){path, seq};
	}
	closedir(d);
	return r;
}

int logfile_siblings(const char *live, char ***ret, char ***ret_skipped)
{
	char *dcopy = strdup(live), *bcopy = strdup(live);
	struct sibling *sib = NULL;
	size_t n_sib = 0, n = 0, n_skipped = 0;
	char **list = NULL, **skipped = NULL;
	int r = dcopy && bcopy ? 0 : -ENOMEM;
	if (r == 0)
		r = scan_dir(dirname(dcopy), basename(bcopy), &sib, &n_sib, &skipped, &n_skipped);
	if (r == 0 && n_sib > 1)
		qsort(sib, n_sib, sizeof *sib, by_seq);
	for (size_t i = 0; i < n_sib; i++) {
		if (r == 0)
			r = push(&list, &n, sib[i].path);
		else
			free(sib[i].path);
	}
	free(sib);
	if (r == 0) {
		char *l = strdup(live);
		r = l ? push(&list, &n, l) : -ENOMEM;
	}
	if (r == 0 && !skipped && !(skipped = calloc(1, sizeof *skipped)))
		r = -ENOMEM;
	free(dcopy);
	free(bcopy);
	if (r < 0) {
		logfile_list_free(list);
		logfile_list_free(skipped);
		return r;
	}
	*ret = list;
	*ret_skipped = skipped;
	return 0;
}
