/* audit-recover.c: finding the chain's end in an existing log. The file is read
 * backwards from its end in blocks, so start-up costs the same for a small log and a
 * huge one (except for a log from before the chain, which is counted once). */
#include "audit-recover.h"

#include "fdio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (64 * 1024)
/* No record guardd writes comes near this: a request is at most 64 KiB. */
#define LINE_MAX_BYTES (16 * 1024 * 1024)

static int read_at(int fd, char *buf, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, buf, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		buf += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* The offset just after the last '\n' before end (0 when there is none). */
static int after_last_newline(int fd, off_t end, off_t *ret)
{
	char buf[BLOCK];
	while (end > 0) {
		size_t n = end > BLOCK ? BLOCK : (size_t)end;
		int r = read_at(fd, buf, n, end - (off_t)n);
		if (r < 0)
			return r;
		char *nl = memrchr(buf, '\n', n);
		if (nl) {
			*ret = end - (off_t)n + (nl - buf) + 1;
			return 0;
		}
		end -= (off_t)n;
	}
	*ret = 0;
	return 0;
}

/* Copies [from, size) to PATH.torn-TIMESTAMP and syncs it. */
static int save_torn(int fd, const char *path, off_t from, off_t size, char **saved_to)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *name = NULL;
	int out = -1;
	for (int i = 0; i < 100 && out < 0; i++) {
		free(name);
		name = NULL;
		if ((i ? asprintf(&name, "%s.torn-%s.%d", path, stamp, i)
		       : asprintf(&name, "%s.torn-%s", path, stamp)) < 0)
			return -ENOMEM;
		out = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (out < 0 && errno != EEXIST)
			break;
	}
	int r = out < 0 ? -errno : 0;
	char buf[BLOCK];
	for (off_t off = from; r == 0 && off < size;) {
		size_t n = size - off > BLOCK ? BLOCK : (size_t)(size - off);
		r = read_at(fd, buf, n, off);
		if (r == 0)
			r = fdio_write_all(out, buf, n);
		off += (off_t)n;
	}
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	if (out >= 0)
		close(out);
	if (r < 0) {
		free(name);
		return r;
	}
	*saved_to = name;
	return 0;
}

static int count_lines(int fd, off_t end, uint64_t *ret)
{
	char buf[BLOCK];
	uint64_t n = 0;
	for (off_t off = 0; off < end;) {
		size_t len = end - off > BLOCK ? BLOCK : (size_t)(end - off);
		int r = read_at(fd, buf, len, off);
		if (r < 0)
			return r;
		for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
			n++;
		off += (off_t)len;
	}
	*ret = n;
	return 0;
}

/* The hash and seq of the whole line [start, end) (end is its '\n'). */
static int read_last_line(int fd, off_t start, off_t end, off_t size_whole, struct audit_tail *t)
{
	if (end - start > LINE_MAX_BYTES)
		return -EFBIG;
	size_t n = (size_t)(end - start);
	char *line = malloc(n ? n : 1);
	if (!line)
		return -ENOMEM;
	int r = read_at(fd, line, n, start);
	if (r == 0)
		r = chain_hash(line, n, t->prev);
	json_t *o = r == 0 ? json_loadb(line, n, 0, NULL) : NULL;
	json_t *seq = json_object_get(o, "seq");
	if (r == 0 && json_is_integer(seq) && json_integer_value(seq) > 0)
		t->seq = (uint64_t)json_integer_value(seq);
	else if (r == 0)
		r = count_lines(fd, size_whole, &t->seq);
	json_decref(o);
	free(line);
	return r;
}

int audit_recover(int fd, const char *path, struct audit_tail *ret)
{
	struct audit_tail t = {.seq = 0};
	chain_genesis(t.prev);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	off_t whole;
	int r = after_last_newline(fd, st.st_size, &whole);
	if (r == 0 && whole < st.st_size) {
		r = save_torn(fd, path, whole, st.st_size, &t.saved_to);
		if (r == 0 && (ftruncate(fd, whole) < 0 || fsync(fd) < 0))
			r = -errno;
		t.torn_bytes = (size_t)(st.st_size - whole);
	}
	off_t start = 0;
	if (r == 0 && whole > 0)
		r = after_last_newline(fd, whole - 1, &start);
	if (r == 0 && whole > 0)
		r = read_last_line(fd, start, whole - 1, whole, &t);
	if (r < 0) {
		audit_tail_clear(&t);
		return r;
	}
	*ret = t;
	return 0;
}

/* Whether name (in the log's directory) is a rotated copy of the log we can read:
 * base.1, base-20261125, base.20261125T120000Z; not a torn file or a compressed one. */
static bool rotated_sibling(const char *name, const char *base)
{
	static const char *const packed[] = {".gz", ".xz", ".bz2", ".zst", ".lz4", ".Z"};
	size_t n = strlen(base), len = strlen(name);
	if (strncmp(name, base, n) != 0 || (name[n] != '.' && name[n] != '-') || !name[n + 1])
		return false;
	if (strstr(name + n, ".torn-"))
		return false;
	for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++) {
		size_t k = strlen(packed[i]);
		if (len > k && strcmp(name + len - k, packed[i]) == 0)
			return false;
	}
	return true;
}

/* The chain's end in one rotated file, read only; a torn tail there is ignored. */
static int sibling_tail(int dirfd, const char *name, struct audit_tail *t)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct stat st;
	off_t whole = 0, start = 0;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
	if (r == 0)
		r = after_last_newline(fd, st.st_size, &whole);
	if (r == 0 && whole == 0)
		r = -ENODATA;
	if (r == 0)
		r = after_last_newline(fd, whole - 1, &start);
	if (r == 0)
		r = read_last_line(fd, start, whole - 1, whole, t);
	close(fd);
	return r;
}

int audit_recover_rotated(const char *path, struct audit_tail *ret)
{
	char *d = strdup(path), *b = strdup(path);
	DIR *dir = d && b ? opendir(dirname(d)) : NULL;
	int r = !d || !b ? -ENOMEM : !dir ? -errno : 0;
	const char *base = b ? basename(b) : NULL;
	struct dirent *e;
	while (r == 0 && (e = readdir(dir))) {
		struct audit_tail t = {.seq = 0};
		if (!rotated_sibling(e->d_name, base) ||
		    sibling_tail(dirfd(dir), e->d_name, &t) < 0)
			continue;
		if (t.seq > ret->seq) {
			memcpy(ret->prev, t.prev, sizeof ret->prev);
			ret->seq = t.seq;
		}
	}
	if (dir)
		closedir(dir);
	free(d);
	free(b);
	return r;
}

void audit_tail_clear(struct audit_tail *t)
{
	free(t->saved_to);
	t->saved_to = NULL;
}
