/* listen.h: the daemon's listening Unix socket. */
#pragma once

#include <sys/types.h>

/* Binds and listens on path (non-blocking, close-on-exec, mode 0666: who may
 * ask is decided per request, not by the socket's mode). A socket file that a
 * live daemon answers on is never taken over (-EADDRINUSE); a stale one, left
 * by a daemon that died, is replaced; a path that is not a socket is left
 * alone (-EEXIST). Returns 0 and the fd in *ret_fd, the socket's inode in
 * *ret_ino, or negative errno. */
int listen_open(const char *path, int *ret_fd, ino_t *ret_ino);

/* Removes path at shutdown if it is still the socket we created. */
void listen_unlink(const char *path, ino_t ino);
