/* conn.c: one client connection. Reads are bounded by the wire buffer's frame
 * limit before anything is parsed; the write watcher is armed only while output
 * is queued; a peer that breaks the protocol gets one error and is dropped. */
#include "conn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "reload.h"

#define CONN_READ_CHUNK 16384
/* Replies queued for a peer that does not read them; past this it is dropped. */
#define CONN_MAX_OUTPUT (1024 * 1024)
/* Stop reading requests while this much output waits, so a pipelining peer
 * cannot make us queue without bound. */
#define CONN_OUTPUT_HIGH (256 * 1024)

static void conn_process(struct conn *c);

/* Writes what is queued. Returns 0, or -1 when the connection was freed. */
static int conn_flush(struct conn *c)
{
	while (wire_buf_pending(&c->out) > 0) {
		ssize_t n = send(c->fd, wire_buf_peek(&c->out), wire_buf_pending(&c->out),
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			ev_io_start(c->m->loop, &c->wio);
			return 0;
		}
		if (n <= 0) {
			conn_free(c);
			return -1;
		}
		wire_buf_consume(&c->out, (size_t)n);
	}
	ev_io_stop(c->m->loop, &c->wio);
	if (c->hangup) {
		conn_free(c);
		return -1;
	}
	return 0;
}

/* Queues a reply (stealing it). Returns 0, or -1 when the connection was freed. */
static int conn_send(struct conn *c, json_t *reply)
{
	char *s = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	json_decref(reply);
	int r = s ? wire_buf_append_message(&c->out, s, strlen(s)) : -ENOMEM;
	free(s);
	if (r < 0) {
		log_warning("dropping connection of pid %d uid %u: cannot queue reply: %s",
			    (int)c->peer.pid, (unsigned)c->peer.uid, strerror(-r));
		conn_free(c);
		return -1;
	}
	return 0;
}

static json_t *protocol_error(struct conn *c, const char *error, const char *text)
{
	c->hangup = true;
	return method_error(error, json_pack("{s:s}", "message", text));
}

/* The envelope is strict: only "method" and "parameters", of the right types. */
static json_t *conn_call(struct conn *c, json_t *req)
{
	if (!json_is_object(req))
		return protocol_error(c, GUARD_ERROR_PROTOCOL, "a call must be a JSON object");
	const char *key;
	json_t *value;
	json_object_foreach(req, key, value)
	{
		if (strcmp(key, "method") != 0 && strcmp(key, "parameters") != 0)
			return protocol_error(c, GUARD_ERROR_PROTOCOL, "unknown key in call");
	}
	const char *name = json_string_value(json_object_get(req, "method"));
	json_t *params = json_object_get(req, "parameters");
	if (!name)
		return protocol_error(c, GUARD_ERROR_PROTOCOL, "\"method\" must be a string");
	if (params && !json_is_object(params))
		return protocol_error(c, GUARD_ERROR_PROTOCOL, "\"parameters\" must be an object");
	const struct method *meth = method_find(name);
	if (!meth)
		return method_error(VARLINK_ERROR_METHOD_NOT_FOUND,
				    json_pack("{s:s}", "method", name));
	if (meth->admin && !manager_is_admin(c->m, &c->peer)) {
		log_warning("refused %s to pid %d uid %u: not an administrator", name,
			    (int)c->peer.pid, (unsigned)c->peer.uid);
		return method_error(
			VARLINK_ERROR_PERMISSION_DENIED,
			json_pack("{s:s}", "message", "only root or the admin group may do this"));
	}
	json_t *empty = params ? NULL : json_object();
	struct call call = {.m = c->m, .conn = c, .params = params ? params : empty};
	json_t *reply = meth->fn(&call);
	json_decref(empty);
	c->hangup = c->hangup || call.hangup;
	c->waiting = call.later && !reply;
	/* A call answered later (a reload) is not idleness: the clock stops. */
	if (c->waiting)
		ev_timer_stop(c->m->loop, &c->idle);
	return reply;
}

/* Handles one complete message. Returns 0, or -1 when the connection was freed. */
static int conn_dispatch(struct conn *c, const char *msg, size_t len)
{
	ev_timer_again(c->m->loop, &c->idle);
	json_error_t err;
	json_t *req = json_loadb(msg, len, JSON_REJECT_DUPLICATES, &err);
	json_t *reply;
	if (!req) {
		char text[256];
		snprintf(text, sizeof text, "not valid JSON: %s (column %d)", err.text, err.column);
		reply = protocol_error(c, GUARD_ERROR_PROTOCOL, text);
	} else {
		reply = conn_call(c, req);
		json_decref(req);
		if (c->waiting)
			return 0;
	}
	return conn_send(c, reply);
}

static void conn_process(struct conn *c)
{
	const char *msg;
	size_t len;
	while (!c->hangup && !c->waiting && wire_buf_pending(&c->out) < CONN_OUTPUT_HIGH &&
	       wire_buf_next(&c->in, &msg, &len) > 0) {
		if (conn_dispatch(c, msg, len) < 0)
			return;
	}
	if (conn_flush(c) < 0)
		return;
	/* Read more only when what we hold is answered and output is drained. */
	if (c->hangup || c->waiting || wire_buf_pending(&c->out) >= CONN_OUTPUT_HIGH)
		ev_io_stop(c->m->loop, &c->rio);
	else
		ev_io_start(c->m->loop, &c->rio);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	char buf[CONN_READ_CHUNK];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF: a message cut off mid-way is abandoned, never acted on. */
		if (wire_buf_pending(&c->out) == 0) {
			conn_free(c);
			return;
		}
		c->hangup = true;
		ev_io_stop(loop, &c->rio);
		return;
	}
	/* No ev_timer_again here: only a whole message (conn_dispatch) and a reply
	 * written out in full (conn_write_cb) count as activity, so a client that
	 * dribbles a byte at a time, or reads one, is dropped after the idle timeout. */
	int r = wire_buf_append(&c->in, buf, (size_t)n);
	if (r == -EMSGSIZE) {
		char text[96];
		snprintf(text, sizeof text, "a message may not exceed %d bytes", GUARD_MAX_MESSAGE);
		if (conn_send(c, protocol_error(c, GUARD_ERROR_TOO_LARGE, text)) == 0)
			conn_process(c);
		return;
	}
	if (r < 0) {
		conn_free(c);
		return;
	}
	conn_process(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	if (conn_flush(c) < 0)
		return;
	if (wire_buf_pending(&c->out) == 0)
		ev_timer_again(loop, &c->idle);
	conn_process(c);
}

static void conn_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = w->data;
	log_debug("connection of pid %d uid %u idle for %.0fs", (int)c->peer.pid,
		  (unsigned)c->peer.uid, c->m->cfg.idle_timeout);
	conn_free(c);
}

/* Over a cap: say so in one best-effort write, then close. */
static void conn_refuse(int fd, const char *text)
{
	json_t *e = method_error(GUARD_ERROR_TOO_MANY, json_pack("{s:s}", "message", text));
	char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
	if (s)
		(void)!send(fd, s, strlen(s) + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(s);
	json_decref(e);
	close(fd);
}

/* At most one warning per REFUSAL_LOG_SEC however many connections are refused: a
 * user's flood of connections must not become a flood of guardd's own log. The
 * next warning says how many went unlogged; status counts them all. */
#define REFUSAL_LOG_SEC 5.0

static void note_refusal(struct manager *m, const struct peer *p, const char *why)
{
	m->n_refused++;
	double now = ev_now(m->loop);
	if (m->refusal_logged > 0 && now - m->refusal_logged < REFUSAL_LOG_SEC)
		return;
	uint64_t quiet = m->n_refused - 1 - m->refused_at_log;
	if (quiet)
		log_warning("refusing connection of uid %u: %s (and %" PRIu64
			    " more refused since the last message)",
			    (unsigned)p->uid, why, quiet);
	else
		log_warning("refusing connection of uid %u: %s", (unsigned)p->uid, why);
	m->refusal_logged = now;
	m->refused_at_log = m->n_refused;
}

static int conn_admit(struct manager *m, const struct peer *p, int fd)
{
	char why[64];
	if (m->n_conns >= m->cfg.max_conns) {
		snprintf(why, sizeof why, "%u connections open", m->n_conns);
		note_refusal(m, p, why);
		conn_refuse(fd, "guardd has too many connections; try again later");
		return -EUSERS;
	}
	if (manager_uid_add(m, p->uid) < 0) {
		snprintf(why, sizeof why, "over its limit of %u", m->cfg.max_conns_per_uid);
		note_refusal(m, p, why);
		conn_refuse(fd, "too many connections from this user; try again later");
		return -EUSERS;
	}
	return 0;
}

int conn_accept(struct manager *m, int fd)
{
	struct peer peer;
	int r = peer_from_socket(m->names, fd, &peer);
	if (r < 0) {
		close(fd);
		return r;
	}
	r = conn_admit(m, &peer, fd);
	if (r < 0) {
		peer_clear(&peer);
		return r;
	}
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		manager_uid_remove(m, peer.uid);
		peer_clear(&peer);
		close(fd);
		return -ENOMEM;
	}
	*c = (struct conn){.m = m, .fd = fd, .peer = peer, .next = m->conns};
	wire_buf_init(&c->in, GUARD_MAX_MESSAGE);
	wire_buf_init(&c->out, CONN_MAX_OUTPUT);
	if (m->conns)
		m->conns->prev = c;
	m->conns = c;
	m->n_conns++;
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	ev_init(&c->idle, conn_idle_cb);
	c->idle.repeat = m->cfg.idle_timeout;
	c->rio.data = c->wio.data = c->idle.data = c;
	ev_io_start(m->loop, &c->rio);
	ev_timer_again(m->loop, &c->idle);
	log_debug("connection from pid %d uid %u (%s); %u open", (int)c->peer.pid,
		  (unsigned)c->peer.uid, c->peer.user ? c->peer.user : "?", m->n_conns);
	/* A client sends its call right after connecting: reading it now, not in the
	 * next round, lets the calls of everyone who connected together share a flush. */
	conn_read_cb(m->loop, &c->rio, EV_READ);
	return 0;
}

void conn_reply_later(struct conn *c, json_t *reply)
{
	c->waiting = false;
	ev_timer_again(c->m->loop, &c->idle);
	if (conn_send(c, reply) == 0)
		conn_process(c);
}

void conn_free(struct conn *c)
{
	struct manager *m = c->m;
	log_debug("closing connection of pid %d uid %u", (int)c->peer.pid, (unsigned)c->peer.uid);
	if (c->waiting) {
		reload_forget(m->reload, c);
		audit_forget(m->audit, c);
	}
	ev_io_stop(m->loop, &c->rio);
	ev_io_stop(m->loop, &c->wio);
	ev_timer_stop(m->loop, &c->idle);
	if (c->prev)
		c->prev->next = c->next;
	else
		m->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	m->n_conns--;
	manager_uid_remove(m, c->peer.uid);
	close(c->fd);
	wire_buf_free(&c->in);
	wire_buf_free(&c->out);
	peer_clear(&c->peer);
	free(c);
}
