/* wire.h: the NUL-framed message buffer shared by guardd and its clients.
 * Pure bytes, no I/O: the caller reads and writes the socket. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct wire_buf {
	char *data;
	size_t start; /* first unconsumed byte */
	size_t len;   /* end of the data, from data[0] */
	size_t cap;
	size_t max;  /* largest message (without its NUL), or the largest total for output */
	size_t scan; /* where the search for the next NUL resumes, from data[0] */
	size_t tail; /* length of the message still being received (after the last NUL) */
};

/* An empty buffer; max bounds one incoming message (see wire_buf_append). */
void wire_buf_init(struct wire_buf *b, size_t max);
/* Frees the storage and leaves b empty. Accepts an already freed buffer. */
void wire_buf_free(struct wire_buf *b);

/* Bytes held and not yet consumed. */
size_t wire_buf_pending(const struct wire_buf *b);
const char *wire_buf_peek(const struct wire_buf *b);

/* Appends raw bytes as they came off the socket. Returns 0, -ENOMEM, or
 * -EMSGSIZE when the message still being received would exceed max: the
 * frame limit is enforced before anything is parsed. */
int wire_buf_append(struct wire_buf *b, const void *data, size_t n);

/* Appends one message and its terminating NUL, for output. Returns 0, -ENOMEM,
 * -EINVAL if msg contains a NUL, or -EMSGSIZE if the buffer would hold more
 * than max bytes (a peer that does not read its replies). */
int wire_buf_append_message(struct wire_buf *b, const char *msg, size_t n);

/* Takes the next complete message off the front. Returns 1 and sets *ret to
 * the NUL-terminated message and *ret_len to its length (both valid until the
 * next call on b), 0 when no complete message is held yet. */
int wire_buf_next(struct wire_buf *b, const char **ret, size_t *ret_len);

/* Drops n bytes from the front, after they were written out. */
void wire_buf_consume(struct wire_buf *b, size_t n);
