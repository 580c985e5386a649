/* conn.h: one client connection: non-blocking I/O, framing, limits. */
#pragma once

#include <ev.h>
#include <jansson.h>
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
	bool hangup;  /* close once the queued output is written */
	bool waiting; /* a call is in flight whose reply comes later */
};

/* Takes ownership of fd, a freshly accepted socket. Enforces the connection
 * caps (over them, the client gets an error and is closed). Returns 0 or
 * negative errno; fd is closed either way on failure. */
int conn_accept(struct manager *m, int fd);

/* Sends the reply to the call the connection is waiting on (stealing it), then
 * goes on with what the client sent meanwhile. */
void conn_reply_later(struct conn *c, json_t *reply);

/* Frees the connection and unlinks it from the manager. */
void conn_free(struct conn *c);
