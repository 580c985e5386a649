/* rawclient.c: a deliberately bad guardd client for the end-to-end tests. It
 * sends its stdin byte for byte (whatever framing it has or lacks), prints
 * every NUL-terminated reply on a line of its own, and ends with "<closed>"
 * when the daemon hung up or "<open>" when it kept the connection.
 *   rawclient [--hangup] [--hold SEC] [--wait SEC] SOCKET < bytes
 *   rawclient --flood N --hold SEC [--wait SEC] SOCKET
 * --hangup: send, then close at once without reading (a client that leaves).
 * --hold:   connect and keep the connection for SEC seconds, sending nothing
 *           first; prints "<connected>" once connected (for the cap tests).
 * --flood:  open N connections (at most FLOOD_MAX) as fast as it can, sending
 *           nothing; once guardd has been silent for --wait SEC, print one line
 *           "<flood> connected C refused R closed X other O held H ms M" (refused:
 *           a TooManyConnections error; closed: hung up without one; other: any
 *           other reply; M: how long connecting took), then keep the held ones
 *           open for --hold SEC. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX 20000
/* Refusals are reaped every this many connections, so that a low descriptor
 * limit is not used up by connections guardd has already closed. */
#define FLOOD_REAP_EVERY 64

/* A connected socket, or negative errno. */
static int try_connect(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int connect_to(const char *path)
{
	int fd = try_connect(path);
	if (fd < 0) {
		fprintf(stderr, "rawclient: connect %s: %s\n", path, strerror(-fd));
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

struct flood {
	struct pollfd *p; /* fd -1: reaped */
	size_t n;
	unsigned connected, refused, closed, other, held;
};

/* Closes the connections guardd answered or hung up; returns how many. */
static unsigned flood_reap(struct flood *f, int timeout_ms)
{
	if (poll(f->p, f->n, timeout_ms) <= 0)
		return 0;
	unsigned done = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (f->p[i].fd < 0 || !f->p[i].revents)
			continue;
		char buf[4096];
		ssize_t n = recv(f->p[i].fd, buf, sizeof buf - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, "io.guard.TooManyConnections"))
				f->refused++;
			else
				f->other++;
		} else {
			f->closed++;
		}
		close(f->p[i].fd);
		f->p[i].fd = -1;
		f->held--;
		done++;
	}
	return done;
}

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flood(const char *path, unsigned n, int hold, int wait_ms)
{
	/* Our own descriptor limit must not be what stops the flood. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			fprintf(stderr, "rawclient: cannot raise RLIMIT_NOFILE: %s\n",
				strerror(errno));
	}
	struct flood f = {.p = calloc(n, sizeof *f.p)};
	if (!f.p) {
		fprintf(stderr, "rawclient: out of memory\n");
		return 2;
	}
	unsigned busy = 0; /* tries in a row that found no descriptor free */
	double start = now_sec();
	while (f.connected < n) {
		int fd = try_connect(path);
		if ((fd == -EMFILE || fd == -ENFILE) && busy++ < 50) {
			flood_reap(&f, 100);
			continue;
		}
		if (fd < 0) {
			fprintf(stderr, "rawclient: connection %u of %u: %s\n", f.connected + 1, n,
				strerror(-fd));
			break;
		}
		busy = 0;
		f.p[f.n++] = (struct pollfd){.fd = fd, .events = POLLIN};
		f.connected++;
		f.held++;
		if (f.connected % FLOOD_REAP_EVERY == 0)
			flood_reap(&f, 0);
	}
	double took = now_sec() - start;
	while (flood_reap(&f, wait_ms) > 0)
		;
	printf("<flood> connected %u refused %u closed %u other %u held %u ms %.0f\n", f.connected,
	       f.refused, f.closed, f.other, f.held, took * 1000);
	fflush(stdout);
	for (double end = now_sec() + hold, left; (left = end - now_sec()) > 0;)
		flood_reap(&f, (int)(left * 1000) + 1);
	for (size_t i = 0; i < f.n; i++)
		if (f.p[i].fd >= 0)
			close(f.p[i].fd);
	free(f.p);
	return f.connected == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	int hangup = 0, hold = 0, wait_ms = 1000, i = 1;
	long flood_n = 0;
	for (; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--hangup"))
			hangup = 1;
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc - 1)
			hold = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--wait") && i + 1 < argc - 1)
			wait_ms = (int)(atof(argv[++i]) * 1000);
		else if (!strcmp(argv[i], "--flood") && i + 1 < argc - 1)
			flood_n = atol(argv[++i]);
		else
			break;
	}
	if (i != argc - 1 || flood_n < 0 || flood_n > FLOOD_MAX || (flood_n && hangup)) {
		fprintf(stderr,
			"usage: rawclient [--hangup] [--hold SEC] [--wait SEC] SOCKET\n"
			"       rawclient --flood N --hold SEC [--wait SEC] SOCKET "
			"(N at most %d)\n",
			FLOOD_MAX);
		return 2;
	}
	if (flood_n)
		return flood(argv[i], (unsigned)flood_n, hold, wait_ms);
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
