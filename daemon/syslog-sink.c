/* syslog-sink.c: our own client of the local syslog socket, rather than syslog(3),
 * because syslog(3) may block when the receiver is slow (it reconnects and sends
 * blocking on a full queue) and cannot say what it dropped; guardd answers only after
 * its records are written, so nothing on that path may wait on another daemon. */
#include "syslog-sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define IDENT "guardd"

struct syslog_sink {
	struct sockaddr_un addr;
	int fd;
	bool connected;
	struct timespec last_try; /* CLOCK_MONOTONIC of the last connect() */
	pid_t pid;
	uint64_t dropped;
};

/* connect() again at most once a second: a missing syslog daemon must not cost a
 * system call for every record. */
static bool may_try(const struct syslog_sink *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - s->last_try.tv_sec > SYSLOG_SINK_RETRY_SEC ||
	       (now.tv_sec - s->last_try.tv_sec == SYSLOG_SINK_RETRY_SEC &&
		now.tv_nsec >= s->last_try.tv_nsec);
}

/* A datagram socket may connect again: to the same path, now another socket, when the
 * syslog daemon has restarted. */
static bool try_connect(struct syslog_sink *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->last_try);
	s->connected = connect(s->fd, (const struct sockaddr *)&s->addr, sizeof(s->addr)) == 0;
	return s->connected;
}

int syslog_sink_new(const char *path, struct syslog_sink **ret)
{
	struct syslog_sink *s;

	if (!path)
		path = SYSLOG_SINK_DEFAULT_PATH;
	if (strlen(path) >= sizeof(s->addr.sun_path))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->addr.sun_family = AF_UNIX;
	strcpy(s->addr.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		int r = -errno;

		free(s);
		return r;
	}
	s->pid = getpid();
	try_connect(s);
	*ret = s;
	return 0;
}

void syslog_sink_free(struct syslog_sink *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

uint64_t syslog_sink_dropped(const struct syslog_sink *s)
{
	return s->dropped;
}

bool syslog_sink_connected(const struct syslog_sink *s)
{
	return s->connected;
}

/* "<PRI>Mmm dd hh:mm:ss guardd[PID]: " as glibc writes it: the local time, English
 * month names whatever the locale, the day padded with a space. */
static size_t header(const struct syslog_sink *s, int priority, char *buf, size_t size)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct timespec now;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!localtime_r(&now.tv_sec, &tm))
		memset(&tm, 0, sizeof(tm));
	n = snprintf(buf, size, "<%d>%s %2d %02d:%02d:%02d %s[%d]: ", priority,
		     months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, IDENT,
		     (int)s->pid);
	return n < 0 ? 0 : (size_t)n;
}

/* The message after the header, cut to fit SYSLOG_SINK_MAX with the mark at the end,
 * never inside a UTF-8 sequence; the datagram's length. */
static size_t body(char *buf, size_t h, const char *msg, size_t n)
{
	size_t room = SYSLOG_SINK_MAX - h, mark = strlen(SYSLOG_SINK_CUT_MARK);

	if (n <= room) {
		memcpy(buf + h, msg, n);
		return h + n;
	}
	n = room - mark;
	while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf + h, msg, n);
	memcpy(buf + h + n, SYSLOG_SINK_CUT_MARK, mark);
	return h + n + mark;
}

/* The receiver went away (a restart) or was never there: connecting again may help. */
static bool is_gone(int err)
{
	return err == ECONNREFUSED || err == ENOTCONN || err == ECONNRESET || err == EPIPE ||
	       err == EDESTADDRREQ;
}

static bool send_once(struct syslog_sink *s, const char *buf, size_t len, int *err)
{
	ssize_t k;

	do
		k = send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	*err = k < 0 ? errno : 0;
	return k >= 0;
}

void syslog_sink_send(struct syslog_sink *s, int priority, const char *msg, size_t n)
{
	char buf[SYSLOG_SINK_MAX];
	size_t len;
	int err;

	priority &= LOG_PRIMASK | LOG_FACMASK;
	if (!(priority & LOG_FACMASK))
		priority |= LOG_AUTHPRIV;
	if (n > 0 && msg[n - 1] == '\n')
		n--;
	len = body(buf, header(s, priority, buf, sizeof(buf)), msg, n);
	if (!s->connected && !(may_try(s) && try_connect(s))) {
		s->dropped++;
		return;
	}
	if (send_once(s, buf, len, &err))
		return;
	/* EAGAIN or ENOBUFS (a full queue) and the rest: this one is lost, the next may
	 * go through. A receiver that is gone may be back under the same name. */
	if (is_gone(err)) {
		s->connected = false;
		if (may_try(s) && try_connect(s) && send_once(s, buf, len, &err))
			return;
	}
	s->dropped++;
}
