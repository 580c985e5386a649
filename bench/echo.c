/* echo.c: the floor for guard-bench. A server shaped like guardd minus policy
 * and log: one thread, one epoll loop, non-blocking sockets, NUL framing with
 * the same wire buffer and limit; each message goes straight back. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench.h"
#include "guard/protocol.h"
#include "wire.h"

/* Output a client has not read yet; the client sends one call at a time, so
 * this is never approached by a well-behaved one. */
#define ECHO_MAX_OUTPUT (1024 * 1024)

struct echo_conn {
	int fd;
	bool want_write; /* EPOLLOUT armed: only while output is queued */
	struct wire_buf in, out;
	struct echo_conn *prev, *next;
};

struct echo {
	int epfd, lfd, stopfd;
	pthread_t thread;
	bool running;
	struct echo_conn *conns;
	char dir[PATH_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

const char *echo_path(const struct echo *e)
{
	return e->path;
}

static void conn_free(struct echo *e, struct echo_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		e->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close(c->fd); /* also removes it from the epoll set */
	wire_buf_free(&c->in);
	wire_buf_free(&c->out);
	free(c);
}

static int conn_want_write(struct echo *e, struct echo_conn *c, bool want)
{
	if (c->want_write == want)
		return 0;
	struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
	if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->want_write = want;
	return 0;
}

/* Writes what the socket takes now and arms EPOLLOUT for the rest. */
static int conn_flush(struct echo *e, struct echo_conn *c)
{
	size_t n = wire_buf_pending(&c->out);
	if (n > 0) {
		ssize_t w = send(c->fd, wire_buf_peek(&c->out), n, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (w > 0)
			wire_buf_consume(&c->out, (size_t)w);
	}
	return conn_want_write(e, c, wire_buf_pending(&c->out) > 0);
}

/* One read per readiness, as guardd's loop does; level-triggered epoll calls
 * again if more is waiting. Returns 0, or negative to drop the connection
 * (EOF, error, oversized message). */
static int conn_read(struct echo *e, struct echo_conn *c)
{
	char chunk[16384];
	ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	int r = wire_buf_append(&c->in, chunk, (size_t)n);
	const char *msg;
	size_t len;
	while (r == 0 && wire_buf_next(&c->in, &msg, &len) == 1)
		r = wire_buf_append_message(&c->out, msg, len);
	return r < 0 ? r : conn_flush(e, c);
}

static void conn_event(struct echo *e, struct echo_conn *c, uint32_t events)
{
	int r = 0;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		r = conn_read(e, c);
	if (r == 0 && (events & EPOLLOUT))
		r = conn_flush(e, c);
	if (r < 0)
		conn_free(e, c);
}

static int conn_new(struct echo *e, int fd)
{
	struct echo_conn *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	*c = (struct echo_conn){.fd = fd, .next = e->conns};
	wire_buf_init(&c->in, GUARD_MAX_MESSAGE);
	wire_buf_init(&c->out, ECHO_MAX_OUTPUT);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;
		free(c);
		return r;
	}
	if (e->conns)
		e->conns->prev = c;
	e->conns = c;
	return 0;
}

/* Takes every pending connection. On EMFILE and the like it gives up for
 * this round; the clients' timeouts then show up as errors in the figures. */
static void echo_accept(struct echo *e)
{
	for (;;) {
		/* NULL, NULL is allowed (accept4(2)); cppcheck's gnu.cfg says otherwise. */
		/* cppcheck-suppress nullPointer */
		int fd = accept4(e->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			return;
		if (conn_new(e, fd) < 0)
			close(fd);
	}
}

static void *echo_loop(void *arg)
{
	struct echo *e = arg;
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(e->epfd, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			if (p == &e->stopfd)
				return NULL;
			if (p == &e->lfd)
				echo_accept(e);
			else
				conn_event(e, p, evs[i].events);
		}
	}
}

static int epoll_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* A private directory, so the socket cannot be raced or collide with a
 * parallel run. */
static int make_socket_dir(struct echo *e, char *err, size_t err_len)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	int n = snprintf(e->dir, sizeof e->dir, "%s/guard-bench.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof e->dir || !mkdtemp(e->dir)) {
		int r = n < 0 || (size_t)n >= sizeof e->dir ? -ENAMETOOLONG : -errno;
		snprintf(err, err_len, "cannot create a directory in %s: %s", tmp, strerror(-r));
		e->dir[0] = '\0';
		return r;
	}
	n = snprintf(e->path, sizeof e->path, "%s/echo.sock", e->dir);
	if ((size_t)n >= sizeof e->path) {
		snprintf(err, err_len, "socket path %s/echo.sock is too long", e->dir);
		e->path[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

static int listen_on(struct echo *e, char *err, size_t err_len)
{
	struct sockaddr_un addr;
	int r = load_address(e->path, &addr);
	e->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r == 0 && (e->lfd < 0 || bind(e->lfd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
		       listen(e->lfd, SOMAXCONN) < 0))
		r = -errno;
	if (r < 0)
		snprintf(err, err_len, "cannot listen on %s: %s", e->path, strerror(-r));
	return r;
}

static int setup(struct echo *e, char *err, size_t err_len)
{
	int r = make_socket_dir(e, err, err_len);
	if (r == 0)
		r = listen_on(e, err, err_len);
	if (r < 0)
		return r;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->epfd < 0 || e->stopfd < 0)
		r = -errno;
	if (r == 0)
		r = epoll_add(e->epfd, e->lfd, &e->lfd);
	if (r == 0)
		r = epoll_add(e->epfd, e->stopfd, &e->stopfd);
	if (r == 0)
		r = -pthread_create(&e->thread, NULL, echo_loop, e);
	if (r < 0)
		snprintf(err, err_len, "cannot start the echo server: %s", strerror(-r));
	e->running = r == 0;
	return r;
}

int echo_start(struct echo **ret, char *err, size_t err_len)
{
	struct echo *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, err_len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	e->epfd = e->lfd = e->stopfd = -1;
	int r = setup(e, err, err_len);
	if (r < 0) {
		echo_stop(e);
		return r;
	}
	*ret = e;
	return 0;
}

void echo_stop(struct echo *e)
{
	if (!e)
		return;
	if (e->running) {
		uint64_t one = 1;
		(void)!write(e->stopfd, &one, sizeof one);
		pthread_join(e->thread, NULL);
	}
	while (e->conns)
		conn_free(e, e->conns);
	if (e->lfd >= 0)
		close(e->lfd);
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->stopfd >= 0)
		close(e->stopfd);
	if (e->path[0])
		unlink(e->path);
	if (e->dir[0])
		rmdir(e->dir);
	free(e);
}
