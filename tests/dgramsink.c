/* dgramsink.c: a stand-in for the syslog daemon in the end-to-end tests. Binds an
 * AF_UNIX datagram socket at PATH and prints each datagram received as one line on
 * stdout, flushed at once, until it is killed or has printed N lines (-n N).
 *
 *   dgramsink [-n N] PATH
 *
 * A newline or a NUL inside a datagram is printed as "\n" or "\0", so that one
 * datagram stays one line. A socket already at PATH (left by a killed sink) is
 * replaced; anything else there is an error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Larger than anything guardd sends (SYSLOG_SINK_MAX), so a cut shows. */
#define DATAGRAM_MAX 65536

static int bind_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "dgramsink: %s: path too long for a socket\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "dgramsink: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

static void print_line(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			fputs("\\n", stdout);
		else if (buf[i] == '\0')
			fputs("\\0", stdout);
		else
			putchar(buf[i]);
	}
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static char buf[DATAGRAM_MAX];
	long max = -1, got = 0;
	char *end;
	int c, fd;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return 2;
		max = strtol(optarg, &end, 10);
		if (*end || max < 1) {
			fprintf(stderr, "dgramsink: -n wants a number above 0\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: dgramsink [-n N] PATH\n");
		return 2;
	}
	fd = bind_at(argv[optind]);
	if (fd < 0)
		return 1;
	while (max < 0 || got < max) {
		ssize_t k = recv(fd, buf, sizeof(buf), 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fprintf(stderr, "dgramsink: %s\n", strerror(errno));
			return 1;
		}
		print_line(buf, (size_t)k);
		got++;
	}
	close(fd);
	return 0;
}
