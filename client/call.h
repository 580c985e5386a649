/* call.h: one varlink call to guardd from a client: connect, send, read the reply. */
#pragma once

#include <jansson.h>

/* --socket if given, else $GUARD_SOCKET, else the default. */
const char *call_socket_path(const char *opt);

/* Connects with send and receive timeouts of timeout_ms, so a hung daemon
 * cannot hang the client. Returns 0 and the fd (close-on-exec), or negative errno. */
int call_connect(const char *path, int timeout_ms, int *ret_fd);

/* Sends {"method": method, "parameters": params} (params borrowed; NULL sends
 * none) and reads one reply. Returns 0 and the reply object in *ret (the caller
 * owns it), or negative errno: -ETIMEDOUT, -ECONNRESET when the daemon hung up
 * first, -EMSGSIZE for an oversized reply, -EBADMSG for one that is not a JSON
 * object. *ret is untouched on failure. */
int call_method(int fd, const char *method, json_t *params, json_t **ret);

/* The error name of a reply, or NULL when it is a success. */
const char *call_reply_error(json_t *reply);

/* A short human description of a call's failure (from a negative errno). */
const char *call_strerror(int err);
