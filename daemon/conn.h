/* conn.h: one client connection: non-blocking I/O, framing, limits. */
#pragma once

#include <ev.h>
#include <stdbool.h>

#include "peer.h"
#include "wire.h"

struct manager;

struct conn {
	struct manager *m;
	struct conn *prev, *next;
	int fd;
	ev_io rio, wio;
	ev_timer idle;
	struct wire_buf in, out;
	struct peer peer;
	bool hangup; /* close once the queued output is written */
};

/* Takes ownership of fd, a freshly accepted socket. Enforces the connection
 * caps (over them, the client gets an error and is closed). Returns 0 or
 * negative errno; fd is closed either way on failure. */
int conn_accept(struct manager *m, int fd);

/* Frees the connection and unlinks it from the manager. */
void conn_free(struct conn *c);
