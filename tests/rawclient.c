/* rawclient.c: a deliberately bad guardd client for the end-to-end tests. It
 * sends its stdin byte for byte (whatever framing it has or lacks), prints
 * every NUL-terminated reply on a line of its own, and ends with "<closed>"
 * when the daemon hung up or "<open>" when it kept the connection.
 *   rawclient [--hangup] [--hold SEC] [--wait SEC] SOCKET < bytes
 * --hangup: send, then close at once without reading (a client that leaves).
 * --hold:   connect and keep the connection for SEC seconds, sending nothing
 *           first; prints "<connected>" once connected (for the cap tests). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_to(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		fprintf(stderr, "rawclient: connect %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static void send_stdin(int fd)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			return; /* the daemon may close on us mid-way: that is a result too */
}

/* Prints replies until the peer closes or wait_ms pass in silence. */
static void print_replies(int fd, int wait_ms)
{
	char buf[65536];
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, wait_ms) <= 0) {
			printf("<open>\n");
			return;
		}
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n <= 0) {
			printf("<closed>\n");
			return;
		}
		for (ssize_t i = 0; i < n; i++)
			putchar(buf[i] ? buf[i] : '\n');
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	int hangup = 0, hold = 0, wait_ms = 1000, i = 1;
	for (; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--hangup"))
			hangup = 1;
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc - 1)
			hold = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--wait") && i + 1 < argc - 1)
			wait_ms = (int)(atof(argv[++i]) * 1000);
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: rawclient [--hangup] [--hold SEC] [--wait SEC] SOCKET\n");
		return 2;
	}
	int fd = connect_to(argv[i]);
	if (hold) {
		printf("<connected>\n");
		fflush(stdout);
		print_replies(fd, hold * 1000);
		return 0;
	}
	send_stdin(fd);
	if (hangup) {
		close(fd);
		return 0;
	}
	print_replies(fd, wait_ms);
	close(fd);
	return 0;
}
