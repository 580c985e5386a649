/* audit.c: the decision log writer. A record is in the file before the reply
 * that reports it is queued; durability (fdatasync, group commit) comes later. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

struct audit {
	int fd;
	char *path;
};

int audit_open(const char *path, struct audit **ret)
{
	struct audit *a = calloc(1, sizeof *a);
	if (!a)
		return -ENOMEM;
	a->path = strdup(path);
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (!a->path || a->fd < 0) {
		int r = a->path ? -errno : -ENOMEM;
		audit_free(a);
		return r;
	}
	struct stat st;
	if (fstat(a->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		audit_free(a);
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

void audit_free(struct audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	free(a);
}

const char *audit_path(const struct audit *a)
{
	return a->path;
}

/* Writes the rest of a record after a short write. */
static int write_rest(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int audit_append(struct audit *a, const char *line, size_t n)
{
	if (memchr(line, '\n', n))
		return -EINVAL;
	/* We are the only writer, so the size before the write is where a torn
	 * record starts; it is cut back off so the file stays whole lines. */
	off_t before = lseek(a->fd, 0, SEEK_END);
	if (before < 0)
		return -errno;
	struct iovec iov[2] = {{(void *)line, n}, {(void *)"\n", 1}};
	ssize_t w = writev(a->fd, iov, 2);
	if (w == (ssize_t)(n + 1))
		return 0;
	int r;
	if (w < 0)
		r = -errno;
	else if ((size_t)w < n)
		r = write_rest(a->fd, line + w, n - (size_t)w);
	else
		r = 0;
	if (r == 0)
		r = write_rest(a->fd, "\n", 1);
	if (r < 0 && ftruncate(a->fd, before) < 0)
		return -errno;
	return r;
}
