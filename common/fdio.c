/* fdio.c: see fdio.h. */
#include "fdio.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int fdio_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int fdio_read_max(int fd, size_t max, char **ret, size_t *ret_n)
{
	/* One byte more than max, to see that there is more, and one for the NUL. */
	char *buf = malloc(max + 2);
	size_t n = 0;
	if (!buf)
		return -ENOMEM;
	while (n <= max) {
		ssize_t k = read(fd, buf + n, max + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int r = -errno;
			free(buf);
			return r;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*ret = buf;
	*ret_n = n;
	return 0;
}
