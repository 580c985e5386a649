/* call.c: see call.h. Blocking I/O with timeouts: a client has one question. */
#include "call.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guard/protocol.h"
#include "wire.h"

const char *call_socket_path(const char *opt)
{
	const char *env = getenv(GUARD_SOCKET_ENV);
	if (opt)
		return opt;
	return env && *env ? env : GUARD_DEFAULT_SOCKET;
}

int call_connect(const char *path, int timeout_ms, int *ret_fd)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof addr.sun_path)
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int r = -errno;
		close(fd);
		return r == -EAGAIN ? -ETIMEDOUT : r;
	}
	*ret_fd = fd;
	return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_reply(int fd, struct wire_buf *b, json_t **ret)
{
	const char *msg;
	size_t len;
	while (wire_buf_next(b, &msg, &len) == 0) {
		char buf[16384];
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -ECONNRESET;
		int r = wire_buf_append(b, buf, (size_t)n);
		if (r < 0)
			return r;
	}
	json_t *reply = json_loadb(msg, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(reply)) {
		json_decref(reply);
		return -EBADMSG;
	}
	*ret = reply;
	return 0;
}

int call_method(int fd, const char *method, json_t *params, json_t **ret)
{
	json_t *call = json_pack("{s:s}", "method", method);
	if (call && params)
		json_object_set(call, "parameters", params);
	char *s = call ? json_dumps(call, JSON_COMPACT) : NULL;
	json_decref(call);
	if (!s)
		return -ENOMEM;
	int r = strlen(s) > GUARD_MAX_MESSAGE ? -EMSGSIZE : send_all(fd, s, strlen(s) + 1);
	free(s);
	if (r < 0)
		return r;
	struct wire_buf b;
	wire_buf_init(&b, GUARD_MAX_MESSAGE);
	r = read_reply(fd, &b, ret);
	wire_buf_free(&b);
	return r;
}

const char *call_reply_error(json_t *reply)
{
	return json_string_value(json_object_get(reply, "error"));
}

const char *call_strerror(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "no answer in time";
	case -ECONNRESET:
		return "the daemon closed the connection without answering";
	case -EMSGSIZE:
		return "message too large";
	case -EBADMSG:
		return "the daemon's answer is not a JSON object";
	default:
		return strerror(-err);
	}
}
