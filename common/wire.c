/* wire.c: the NUL-framed message buffer (see wire.h). */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void wire_buf_init(struct wire_buf *b, size_t max)
{
	*b = (struct wire_buf){.max = max};
}

void wire_buf_free(struct wire_buf *b)
{
	free(b->data);
	wire_buf_init(b, b->max);
}

size_t wire_buf_pending(const struct wire_buf *b)
{
	return b->len - b->start;
}

const char *wire_buf_peek(const struct wire_buf *b)
{
	return b->data ? b->data + b->start : "";
}

/* Moves the unconsumed bytes to the front so the buffer does not creep
 * forward forever, and grows it to fit n more bytes. */
static int reserve(struct wire_buf *b, size_t n)
{
	if (b->start > 0) {
		memmove(b->data, b->data + b->start, b->len - b->start);
		b->len -= b->start;
		b->scan -= b->start;
		b->start = 0;
	}
	if (b->len + n <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Checks every message that data completes or extends against max, and
 * returns the new length of the message still being received. Kept
 * incrementally, so a peer dripping one byte at a time costs O(1) a byte, not
 * a rescan of everything held. Returns -EMSGSIZE for any message over max,
 * complete or not: a NUL arriving in the same read is no excuse. */
static int scan_lengths(const struct wire_buf *b, const char *data, size_t n, size_t *ret_tail)
{
	size_t seg = b->tail;
	for (const char *p = data, *end = data + n; p < end;) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		seg += (size_t)((nul ? nul : end) - p);
		if (seg > b->max)
			return -EMSGSIZE;
		if (!nul)
			break;
		seg = 0;
		p = nul + 1;
	}
	*ret_tail = seg;
	return 0;
}

int wire_buf_append(struct wire_buf *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	/* Checked before copying, so an oversized peer costs us at most one read. */
	size_t tail;
	int r = scan_lengths(b, data, n, &tail);
	if (r < 0)
		return r;
	r = reserve(b, n);
	if (r < 0)
		return r;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->tail = tail;
	return 0;
}

int wire_buf_append_message(struct wire_buf *b, const char *msg, size_t n)
{
	if (memchr(msg, '\0', n))
		return -EINVAL;
	if (wire_buf_pending(b) + n + 1 > b->max)
		return -EMSGSIZE;
	int r = reserve(b, n + 1);
	if (r < 0)
		return r;
	memcpy(b->data + b->len, msg, n);
	b->data[b->len + n] = '\0';
	b->len += n + 1;
	b->scan = b->len;
	return 0;
}

int wire_buf_next(struct wire_buf *b, const char **ret, size_t *ret_len)
{
	if (b->scan < b->start)
		b->scan = b->start;
	if (b->scan == b->len)
		return 0;
	const char *nul = memchr(b->data + b->scan, '\0', b->len - b->scan);
	if (!nul) {
		b->scan = b->len; /* do not rescan these bytes on the next call */
		return 0;
	}
	*ret = b->data + b->start;
	*ret_len = (size_t)(nul - *ret);
	b->start = (size_t)(nul - b->data) + 1;
	b->scan = b->start;
	return 1;
}

void wire_buf_consume(struct wire_buf *b, size_t n)
{
	if (n > wire_buf_pending(b))
		n = wire_buf_pending(b);
	b->start += n;
	if (b->scan < b->start)
		b->scan = b->start;
	if (b->start == b->len)
		b->start = b->len = b->scan = b->tail = 0;
}
