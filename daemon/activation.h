/* activation.h: systemd's socket activation and readiness protocol, spoken directly
 * (sd_listen_fds(3), sd_notify(3)): both are a few environment variables and one
 * datagram, stable for a decade, so guardd needs no libsystemd to use them. */
#pragma once

/* The listening socket systemd passed (LISTEN_PID is ours, LISTEN_FDS is 1: fd 3),
 * checked to be a listening AF_UNIX stream socket and made non-blocking and
 * close-on-exec. The variables are removed so children do not see them. Returns 1
 * and the fd in *ret_fd, 0 when guardd was not socket-activated, or negative errno
 * (-EINVAL: more than one fd, or not the socket guardd can serve on). */
int activation_listen_fd(int *ret_fd);

/* Sends state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...") to the service
 * manager when NOTIFY_SOCKET is set; otherwise does nothing. Returns 0, or negative
 * errno (the caller logs it; readiness is not worth dying for). */
int activation_notify(const char *state);
