/* prompt.c: see prompt.h. */
#include "prompt.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

int prompt_open(void)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int prompt_line(int tty, const char *text, char *buf, size_t size)
{
	int r = fdio_write_all(tty, text, strlen(text));
	if (r < 0)
		return r;
	/* Byte by byte: a terminal in canonical mode hands over one line per read
	 * anyway, and we must not swallow anything after the newline. */
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t got = read(tty, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return n == 0 ? -ENODATA : -EIO;
		if (c == '\n')
			break;
		if (n + 1 >= size)
			return -EMSGSIZE;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}
