/* fuzz-wire.c: libFuzzer harness for the NUL-framed wire buffer (common/wire.c). The
 * input is a program of operations on an input buffer (bytes in arbitrary chunkings,
 * messages taken off the front) and an output buffer (messages queued, partial writes
 * consumed), each checked against a plain model: the same messages in the same order,
 * none over the cap, an oversized read refused before anything is copied.
 *
 * Input: byte 0 picks the cap (1..255, or GUARD_MAX_MESSAGE); then operations, each an
 * opcode byte and a length byte, followed by the data the opcode takes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/protocol.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the buffer must hold: the bytes v[off..end) not yet taken off, and the cap. */
struct model {
	uint8_t *v;
	size_t off, end, cap, max;
	size_t tail; /* bytes since the last NUL pushed: the message being received */
};

static size_t held(const struct model *m)
{
	return m->end - m->off;
}

static void model_push(struct model *m, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	if (m->end + n > m->cap && m->off > 0) {
		memmove(m->v, m->v + m->off, held(m));
		m->end -= m->off;
		m->off = 0;
	}
	if (m->end + n > m->cap) {
		m->cap = (m->end + n) * 2;
		m->v = realloc(m->v, m->cap);
		if (!m->v)
			abort();
	}
	memcpy(m->v + m->end, p, n);
	m->end += n;
	for (size_t i = 0; i < n; i++)
		m->tail = p[i] ? m->tail + 1 : 0;
}

static void model_drop(struct model *m, size_t n)
{
	m->off += n < held(m) ? n : held(m);
	if (m->off == m->end)
		m->off = m->end = 0;
}

static void model_reset(struct model *m)
{
	m->off = m->end = m->tail = 0;
}

/* Whether appending p would make some message longer than the cap. */
static bool model_too_long(const struct model *m, const uint8_t *p, size_t n)
{
	size_t seg = m->tail;
	for (size_t i = 0; i < n; i++) {
		seg = p[i] ? seg + 1 : 0;
		if (seg > m->max)
			return true;
	}
	return false;
}

/* The same bytes pending: after every operation the length and both ends (comparing all
 * of a megabyte each time would make the harness slow), at the end all of them. */
static void check_pending(const struct wire_buf *b, const struct model *m, bool all)
{
	size_t n = held(m), k = all || n < 64 ? n : 64;
	if (wire_buf_pending(b) != n)
		abort();
	if (n == 0)
		return;
	const uint8_t *have = (const uint8_t *)wire_buf_peek(b), *want = m->v + m->off;
	if ((memcmp(have, want, k) != 0 || memcmp(have + n - k, want + n - k, k) != 0))
		abort();
}

/* Past this much held, appends are skipped: runs of NULs would otherwise let a short
 * input make the harness hold gigabytes. */
#define HELD_MAX (256 * 1024)

static void in_append(struct wire_buf *b, struct model *m, const uint8_t *p, size_t n)
{
	if (held(m) + n > HELD_MAX)
		return;
	bool too_long = model_too_long(m, p, n);
	int r = wire_buf_append(b, p, n);
	if (r == -EMSGSIZE && too_long)
		return; /* refused whole: the model stays as it was */
	if (r != 0 || too_long)
		abort();
	model_push(m, p, n);
}

/* Takes up to k messages off the front. */
static void in_next(struct wire_buf *b, struct model *m, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		const char *msg = NULL;
		size_t len = 0;
		const uint8_t *front = held(m) ? m->v + m->off : NULL;
		const uint8_t *nul = front ? memchr(front, '\0', held(m)) : NULL;
		int r = wire_buf_next(b, &msg, &len);
		if (!nul) {
			if (r != 0)
				abort();
			return;
		}
		size_t want = (size_t)(nul - front);
		if (r != 1 || len != want || len > b->max || msg[len] != '\0' ||
		    memcmp(msg, front, len) != 0 || memchr(msg, '\0', len))
			abort();
		model_drop(m, want + 1);
	}
}

static void out_append(struct wire_buf *b, struct model *m, const uint8_t *p, size_t n)
{
	int r = wire_buf_append_message(b, (const char *)p, n);
	if (memchr(p, '\0', n)) {
		if (r != -EINVAL)
			abort();
	} else if (held(m) + n + 1 > m->max) {
		if (r != -EMSGSIZE)
			abort();
	} else {
		static const uint8_t nul;
		if (r != 0)
			abort();
		model_push(m, p, n);
		model_push(m, &nul, 1);
	}
}

static void out_consume(struct wire_buf *b, struct model *m, size_t n)
{
	wire_buf_consume(b, n);
	model_drop(m, n);
}

/* One byte of input repeated: reaches the 64 KiB cap with a short input. */
static void in_append_run(struct wire_buf *b, struct model *m, uint8_t byte, size_t n)
{
	uint8_t *run = malloc(n);
	if (!run)
		abort();
	memset(run, byte, n);
	in_append(b, m, run, n);
	free(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t max = data[0] ? data[0] : GUARD_MAX_MESSAGE;
	struct wire_buf in, out;
	struct model min = {.max = max}, mout = {.max = max * 4};
	wire_buf_init(&in, max);
	wire_buf_init(&out, mout.max);
	for (size_t i = 1; i + 2 <= size;) {
		uint8_t op = data[i], len = data[i + 1];
		i += 2;
		size_t n = len < size - i ? len : size - i;
		switch (op % 6) {
		case 0:
			in_append(&in, &min, data + i, n);
			i += n;
			break;
		case 1:
			in_next(&in, &min, len % 8 + 1);
			break;
		case 2:
			out_append(&out, &mout, data + i, n);
			i += n;
			break;
		case 3:
			out_consume(&out, &mout, len);
			break;
		case 4:
			/* NULs are each a message to take off: a short run of them will do. */
			if (op >> 3 & 1)
				in_append_run(&in, &min, 0, len);
			else
				in_append_run(&in, &min, 'x', (size_t)len * 257);
			break;
		case 5: /* the connection goes away and the buffers are reused */
			wire_buf_free(op & 8 ? &out : &in);
			wire_buf_free(op & 8 ? &out : &in);
			model_reset(op & 8 ? &mout : &min);
			break;
		}
		check_pending(&in, &min, false);
		check_pending(&out, &mout, false);
	}
	check_pending(&in, &min, true);
	check_pending(&out, &mout, true);
	in_next(&in, &min, UINT32_MAX);
	wire_buf_free(&in);
	wire_buf_free(&out);
	free(min.v);
	free(mout.v);
	return 0;
}
