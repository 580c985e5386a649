/* audit.c: the decision log writer: group commit, the hash chain, reopening. The
 * loop is single-threaded, so a batch is simply what was submitted since the last
 * flush; flushing from an ev_prepare watcher means it happens once all the events
 * of this round were handled, just before the loop would wait. While fdatasync
 * runs, new requests wait in the sockets and form the next, larger batch. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit-recover.h"
#include "chain.h"
#include "conn.h"
#include "fdio.h"
#include "log.h"
#include "record.h"
#include "syslog-sink.h"

struct pending {
	struct conn *conn; /* NULL: nobody waits (gone, or a record of our own) */
	json_t *reply;
	audit_fail_fn fail;
	char id[RECORD_ID_LEN + 1];
	int priority;
	size_t off, len; /* the line in the batch buffer */
};

struct batch {
	char *buf;
	size_t len, cap;
	struct pending *p;
	size_t n, cap_p;
};

struct audit {
	struct ev_loop *loop;
	ev_prepare prepare;
	int fd;
	char *path, *host;
	enum audit_sync sync;
	struct syslog_sink *sink;
	audit_unwritten_fn unwritten;
	void *unwritten_data;
	int failing;
	/* The chain as submitted, and as it stood when the batch began (= written). */
	char prev[CHAIN_HEX_LEN + 1], base_prev[CHAIN_HEX_LEN + 1];
	uint64_t seq, base_seq;
	struct batch next;     /* being filled */
	struct batch *sending; /* replies being delivered, for audit_forget */
};

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	audit_flush(w->data);
}

static int open_file(const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* The record that says a torn line was found and where it went. */
static int write_recovery(struct audit *a, const struct audit_tail *t)
{
	char ts[RECORD_TS_LEN + 1], id[RECORD_ID_LEN + 1];
	record_timestamp(ts);
	int r = record_new_id(id);
	if (r < 0)
		return r;
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "ts", ts, "id", id, "type", "recovery",
				"host", a->host, "torn_bytes", (json_int_t)t->torn_bytes,
				"saved_to", t->saved_to);
	r = rec ? audit_submit(a, rec, NULL, NULL, NULL, LOG_LEVEL_WARNING) : -ENOMEM;
	if (r == 0)
		audit_flush(a);
	return r < 0 ? r : a->failing;
}

int audit_open(struct ev_loop *loop, const char *path, enum audit_sync sync, const char *host,
	       struct syslog_sink *sink, struct audit **ret)
{
	struct audit *a = calloc(1, sizeof *a);
	if (!a)
		return log_errno(-ENOMEM, "cannot open decision log %s", path);
	*a = (struct audit){.loop = loop, .fd = -1, .sync = sync, .sink = sink};
	a->path = strdup(path);
	a->host = strdup(host);
	ev_prepare_init(&a->prepare, prepare_cb);
	a->prepare.data = a;
	struct audit_tail t = {.seq = 0};
	int r = a->path && a->host ? open_file(path) : -ENOMEM;
	if (r >= 0) {
		a->fd = r;
		r = audit_recover(a->fd, path, &t);
	}
	/* A log rotated just before a restart is empty: the chain goes on from the copy. */
	if (r == 0 && t.seq == 0)
		r = audit_recover_rotated(path, &t);
	if (r < 0) {
		log_errno(r, "cannot open decision log %s", path);
		audit_free(a);
		return r;
	}
	memcpy(a->prev, t.prev, sizeof a->prev);
	memcpy(a->base_prev, t.prev, sizeof a->prev);
	a->seq = a->base_seq = t.seq;
	if (t.saved_to) {
		log_warning("decision log %s ended in a torn line (%zu bytes): moved to %s", path,
			    t.torn_bytes, t.saved_to);
		r = write_recovery(a, &t);
	}
	audit_tail_clear(&t);
	if (r < 0) {
		log_errno(r, "cannot write to decision log %s", path);
		audit_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		json_decref(b->p[i].reply);
	free(b->buf);
	free(b->p);
	*b = (struct batch){0};
}

void audit_free(struct audit *a)
{
	if (!a)
		return;
	audit_flush(a);
	if (a->loop)
		ev_prepare_stop(a->loop, &a->prepare);
	batch_free(&a->next);
	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
	free(a->host);
	free(a);
}

const char *audit_path(const struct audit *a)
{
	return a->path;
}

int audit_failing(const struct audit *a)
{
	return a->failing;
}

uint64_t audit_seq(const struct audit *a)
{
	return a->base_seq;
}

enum audit_sync audit_sync_mode(const struct audit *a)
{
	return a->sync;
}

void audit_set_unwritten_hook(struct audit *a, audit_unwritten_fn fn, void *data)
{
	a->unwritten = fn;
	a->unwritten_data = data;
}

void audit_set_sink(struct audit *a, struct syslog_sink *sink)
{
	a->sink = sink;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Adds seq and prev, serialises, and appends the line to the batch. */
static int add_line(struct audit *a, json_t *rec, size_t *off, size_t *len)
{
	if (json_object_set_new(rec, "seq", json_integer((json_int_t)(a->seq + 1))) < 0 ||
	    json_object_set_new(rec, "prev", json_string(a->prev)) < 0)
		return -ENOMEM;
	char *line = json_dumps(rec, JSON_COMPACT);
	if (!line)
		return -ENOMEM;
	size_t n = strlen(line);
	struct batch *b = &a->next;
	int r = memchr(line, '\n', n) ? -EINVAL
				      : grow((void **)&b->buf, &b->cap, b->len + n + 1, 1);
	if (r == 0)
		r = chain_hash(line, n, a->prev);
	if (r == 0) {
		memcpy(b->buf + b->len, line, n);
		b->buf[b->len + n] = '\n';
		*off = b->len;
		*len = n;
		b->len += n + 1;
		a->seq++;
	}
	free(line);
	return r;
}

int audit_submit(struct audit *a, json_t *rec, struct conn *c, json_t *reply, audit_fail_fn fail,
		 int priority)
{
	struct batch *b = &a->next;
	int r = grow((void **)&b->p, &b->cap_p, b->n + 1, sizeof *b->p);
	struct pending p = {.conn = c, .reply = reply, .fail = fail, .priority = priority};
	const char *id = json_string_value(json_object_get(rec, "id"));
	snprintf(p.id, sizeof p.id, "%s", id ? id : "");
	if (r == 0)
		r = add_line(a, rec, &p.off, &p.len);
	json_decref(rec);
	if (r < 0)
		return r;
	b->p[b->n++] = p;
	ev_prepare_start(a->loop, &a->prepare);
	return 0;
}

/* Writes the batch whole or not at all. We are the only writer, so the size before
 * the write is where a torn batch starts, and it is cut back off. */
static int write_batch(struct audit *a, const struct batch *b)
{
	off_t before = lseek(a->fd, 0, SEEK_END);
	if (before < 0)
		return -errno;
	int r = fdio_write_all(a->fd, b->buf, b->len);
	if (r == 0 && a->sync == AUDIT_SYNC_ALWAYS && fdatasync(a->fd) < 0)
		r = -errno;
	if (r < 0 && ftruncate(a->fd, before) < 0)
		log_errno(-errno, "cannot cut a failed write off decision log %s", a->path);
	return r;
}

/* Logs only when the log's state changes, so a full disk does not flood stderr. */
static void note_result(struct audit *a, int r)
{
	if (r == 0 && a->failing)
		log_info("decision log %s is writable again", a->path);
	if (r < 0 && r != a->failing)
		log_errno(r, "cannot write decision log %s; denying every request", a->path);
	a->failing = r;
}

static void deliver(struct audit *a, struct batch *b, int r)
{
	a->sending = b;
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &b->p[i];
		json_t *reply = p->reply;
		p->reply = NULL;
		if (r < 0 && a->unwritten && p->id[0])
			a->unwritten(a->unwritten_data, p->id);
		if (r < 0) {
			json_decref(reply);
			reply = p->conn && p->fail ? p->fail(p->id, r) : NULL;
		}
		if (r == 0 && a->sink)
			syslog_sink_send(a->sink, p->priority, b->buf + p->off, p->len);
		if (p->conn)
			conn_reply_later(p->conn, reply);
		else
			json_decref(reply);
	}
	a->sending = NULL;
}

/* Writes one batch and answers its callers; replies may submit the next batch. */
static void flush_once(struct audit *a)
{
	struct batch b = a->next;
	a->next = (struct batch){0};
	int r = write_batch(a, &b);
	if (r < 0) {
		memcpy(a->prev, a->base_prev, sizeof a->prev);
		a->seq = a->base_seq;
	} else {
		memcpy(a->base_prev, a->prev, sizeof a->prev);
		a->base_seq = a->seq;
	}
	note_result(a, r);
	deliver(a, &b, r);
	batch_free(&b);
}

void audit_flush(struct audit *a)
{
	while (a->next.n > 0)
		flush_once(a);
	ev_prepare_stop(a->loop, &a->prepare);
}

void audit_forget(struct audit *a, const struct conn *c)
{
	struct batch *bs[] = {&a->next, a->sending};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; bs[k] && i < bs[k]->n; i++)
			if (bs[k]->p[i].conn == c)
				bs[k]->p[i].conn = NULL;
}

int audit_reopen(struct audit *a, const char *rotate_to)
{
	audit_flush(a);
	if (rotate_to && rename(a->path, rotate_to) < 0)
		return -errno;
	int fd = open_file(a->path);
	if (fd < 0)
		return fd;
	/* The old file is complete: what was written to it is on disk before we go on. */
	if (fdatasync(a->fd) < 0)
		log_errno(-errno, "cannot sync the rotated decision log");
	close(a->fd);
	a->fd = fd;
	return 0;
}
