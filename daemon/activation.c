/* activation.c: see activation.h. */
#include "activation.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_FDS_START 3

static int parse_int(const char *s, long *ret)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || end == s || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Only a listening Unix stream socket will do: anything else is a unit file error. */
static int check_socket(int fd)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof type;
	struct sockaddr_un addr = {0};
	socklen_t alen = sizeof addr;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	len = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&addr, &alen) < 0)
		return -errno;
	if (type != SOCK_STREAM || !listening || addr.sun_family != AF_UNIX)
		return -EINVAL;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

int activation_listen_fd(int *ret_fd)
{
	const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
	long pid, fds;
	if (!pid_s || !fds_s)
		return 0;
	int r = parse_int(pid_s, &pid) < 0 || parse_int(fds_s, &fds) < 0 ? -EINVAL : 0;
	/* Meant for another process (we were started by something that inherited it). */
	if (r == 0 && pid != (long)getpid())
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (r == 0 && fds != 1)
		r = -EINVAL;
	if (r == 0)
		r = check_socket(LISTEN_FDS_START);
	if (r < 0)
		return r;
	*ret_fd = LISTEN_FDS_START;
	return 1;
}

int activation_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof addr.sun_path)
		return -EINVAL;
	memcpy(addr.sun_path, path, n);
	if (path[0] == '@') /* an abstract socket */
		addr.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	ssize_t w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, len);
	int r = w < 0 ? -errno : 0;
	close(fd);
	return r;
}
