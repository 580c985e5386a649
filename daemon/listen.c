/* listen.c: set up the listening socket without trampling a running daemon. */
#include "listen.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int make_addr(const char *path, struct sockaddr_un *ret)
{
	if (strlen(path) >= sizeof ret->sun_path)
		return -ENAMETOOLONG;
	memset(ret, 0, sizeof *ret);
	ret->sun_family = AF_UNIX;
	strcpy(ret->sun_path, path);
	return 0;
}

/* Something exists at path: decide whether it is ours to replace. */
static int clear_stale(const char *path, const struct sockaddr_un *addr)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = connect(fd, (const struct sockaddr *)addr, sizeof *addr);
	int err = errno;
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	/* EAGAIN: the backlog is full, so somebody is listening. */
	if (err != ECONNREFUSED)
		return err == EAGAIN ? -EADDRINUSE : -err;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int listen_open(const char *path, int *ret_fd, ino_t *ret_ino)
{
	struct sockaddr_un addr;
	int r = make_addr(path, &addr);
	if (r < 0)
		return r;
	r = clear_stale(path, &addr);
	if (r < 0)
		return r;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (chmod(path, 0666) < 0 || listen(fd, SOMAXCONN) < 0 || stat(path, &st) < 0) {
		r = -errno;
		close(fd);
		unlink(path); /* ours: bind just made it */
		return r;
	}
	*ret_fd = fd;
	*ret_ino = st.st_ino;
	return 0;
}

void listen_unlink(const char *path, ino_t ino)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == ino)
		unlink(path);
}
