/* load.c: the client side of guard-bench. Each client is a thread doing what
 * `guard` does (socket, timeouts, connect, send one call, read one reply,
 * close), with the clock read around exactly that; the reply is checked
 * afterwards, outside the measured time. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "guard/protocol.h"
#include "wire.h"

/* Counts of one phase of one client. */
struct tally {
	uint64_t calls, ok, connect_failed, errors;
	uint64_t verdicts[LOAD_N_VERDICTS];
	struct load_failures failures;
};

/* Holds the clients after warm-up until all are ready, so the measured phase
 * is cfg->clients concurrent clients from its first call, not a ramp. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned ready;
	bool open;
	bool cancel; /* the run could not be set up: skip the measured phase */
};

struct worker {
	const struct load_config *cfg;
	pthread_t thread;
	struct gate *gate;
	struct wire_buf in; /* kept across calls so a call costs no allocation */
	int fd;             /* the open connection with --keep-alive, else -1 */
	struct tally warm, run;
	uint64_t *samples; /* latency in ns of each successful measured call */
	size_t n_samples;
	struct timespec start, end;
};

static const char *const verdict_names[LOAD_N_VERDICTS] = {
	[LOAD_ALLOW] = "allow",   [LOAD_DENY] = "deny",       [LOAD_CONFIRM] = "confirm",
	[LOAD_REASON] = "reason", [LOAD_APPROVE] = "approve", [LOAD_OTHER] = "other",
};

const char *load_verdict_name(enum load_verdict v)
{
	return v < LOAD_N_VERDICTS ? verdict_names[v] : "other";
}

static enum load_verdict verdict_from_string(const char *s)
{
	for (int v = 0; v < LOAD_OTHER; v++)
		if (strcmp(s, verdict_names[v]) == 0)
			return (enum load_verdict)v;
	return LOAD_OTHER;
}

static uint64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	return (uint64_t)((b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec));
}

int load_address(const char *path, struct sockaddr_un *addr)
{
	*addr = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof addr->sun_path)
		return -ENAMETOOLONG;
	memcpy(addr->sun_path, path, strlen(path) + 1);
	return 0;
}

/* The same syscalls as the real client's call_connect(): the timeouts are
 * part of what every `guard` invocation pays. */
static int connect_to(const struct load_config *cfg, int *ret_fd)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct timeval tv = {.tv_sec = cfg->timeout_ms / 1000,
			     .tv_usec = (cfg->timeout_ms % 1000) * 1000};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (const struct sockaddr *)&cfg->addr, sizeof cfg->addr) < 0) {
		int r = -errno;
		close(fd);
		return r == -EAGAIN ? -ETIMEDOUT : r;
	}
	*ret_fd = fd;
	return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until one whole message is held. Bytes after it would mean the
 * server answered more than once: that is a broken reply, not a fast one. */
static int recv_reply(int fd, struct wire_buf *b, const char **ret, size_t *ret_len)
{
	while (wire_buf_next(b, ret, ret_len) == 0) {
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof chunk, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -ECONNRESET;
		int r = wire_buf_append(b, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
	return wire_buf_pending(b) > 0 ? -EPROTO : 0;
}

/* One call on an open connection. The reply stays valid until the next call. */
static int call_once(struct worker *w, int fd, const char **ret, size_t *ret_len)
{
	wire_buf_consume(&w->in, wire_buf_pending(&w->in));
	int r = send_all(fd, w->cfg->message, w->cfg->message_len);
	return r < 0 ? r : recv_reply(fd, &w->in, ret, ret_len);
}

static const char *io_strerror(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "no answer in time";
	case -ECONNRESET:
		return "the server closed the connection without answering";
	case -EMSGSIZE:
		return "the reply exceeds the message limit";
	case -EPROTO:
		return "more bytes after the reply";
	default:
		return strerror(-err);
	}
}

static int verify_echo(const struct load_config *cfg, const char *msg, size_t len, char *err,
		       size_t err_len)
{
	if (len + 1 != cfg->message_len || memcmp(msg, cfg->message, len) != 0) {
		snprintf(err, err_len, "the echo differs from the message sent");
		return -EBADMSG;
	}
	return 0;
}

/* Checks that a reply is {"parameters":{"decision":"..."}} and names what it
 * is when it is not (most usefully, the error guardd answered). */
static int verify_decision(json_t *reply, enum load_verdict *ret, char *err, size_t err_len)
{
	const char *error = json_string_value(json_object_get(reply, "error"));
	json_t *params = json_object_get(reply, "parameters");
	const char *decision = json_string_value(json_object_get(params, "decision"));
	if (error) {
		const char *text = json_string_value(json_object_get(params, "message"));
		snprintf(err, err_len, "error reply %s%s%s", error, text ? ": " : "",
			 text ? text : "");
		return -EBADMSG;
	}
	if (!decision) {
		snprintf(err, err_len, "the reply has no parameters.decision string");
		return -EBADMSG;
	}
	*ret = verdict_from_string(decision);
	return 0;
}

/* Every reply is parsed, the echo too, so that the client does the same work
 * per reply against both servers; an echo must come back byte for byte. */
static int verify(const struct load_config *cfg, const char *msg, size_t len,
		  enum load_verdict *ret, char *err, size_t err_len)
{
	json_error_t jerr;
	json_t *reply = json_loadb(msg, len, JSON_REJECT_DUPLICATES, &jerr);
	int r;
	if (!json_is_object(reply)) {
		snprintf(err, err_len, "the reply is not a JSON object: %.80s",
			 reply ? "another JSON value" : jerr.text);
		r = -EBADMSG;
	} else if (cfg->echo) {
		*ret = LOAD_OTHER;
		r = verify_echo(cfg, msg, len, err, err_len);
	} else {
		r = verify_decision(reply, ret, err, err_len);
	}
	json_decref(reply);
	return r;
}

/* Adds count failures described by text, grouped with the same text. */
static void failures_add(struct load_failures *f, const char *text, uint64_t count)
{
	unsigned i = 0;
	while (i < f->n && strcmp(f->kind[i].text, text) != 0)
		i++;
	if (i == LOAD_MAX_FAILURE_KINDS) {
		f->unlisted += count;
		return;
	}
	if (i == f->n) {
		snprintf(f->kind[i].text, sizeof f->kind[i].text, "%s", text);
		f->n++;
	}
	f->kind[i].count += count;
}

static void fail(struct tally *t, uint64_t *counter, const char *what, const char *why)
{
	char text[sizeof t->failures.kind[0].text];
	(*counter)++;
	snprintf(text, sizeof text, "%s: %s", what, why);
	failures_add(&t->failures, text, 1);
}

static void failures_merge(struct load_failures *to, const struct load_failures *from)
{
	for (unsigned i = 0; i < from->n; i++)
		failures_add(to, from->kind[i].text, from->kind[i].count);
	to->unlisted += from->unlisted;
}

/* The connection for the next call with --keep-alive: the kept one, or a
 * new one after a failure. Its connect is outside the clock. */
static int kept_conn(struct worker *w, struct tally *t, int *ret_fd)
{
	int r = 0;
	if (w->fd < 0 && (r = connect_to(w->cfg, &w->fd)) < 0) {
		fail(t, &t->connect_failed, "connect", io_strerror(r));
		w->fd = -1;
		return r;
	}
	*ret_fd = w->fd;
	return 0;
}

/* Counts the outcome of a call that reached the server. Returns 0 when it
 * yielded a valid reply. */
static int tally_call(struct worker *w, struct tally *t, int r, const char *msg, size_t len)
{
	char why[160];
	enum load_verdict v;
	if (r < 0) {
		fail(t, &t->errors, "call", io_strerror(r));
		return r;
	}
	if (verify(w->cfg, msg, len, &v, why, sizeof why) < 0) {
		fail(t, &t->errors, "reply", why);
		return -EBADMSG;
	}
	t->ok++;
	t->verdicts[v]++;
	return 0;
}

/* One timed call: connect, send, receive, close; with keep-alive only send
 * and receive. */
static void run_call(struct worker *w, struct tally *t, bool measured)
{
	bool keep = w->cfg->keep_alive;
	struct timespec t0, t1;
	int fd = -1, r;
	t->calls++;
	if (keep && kept_conn(w, t, &fd) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!keep && (r = connect_to(w->cfg, &fd)) < 0) {
		fail(t, &t->connect_failed, "connect", io_strerror(r));
		return;
	}
	const char *msg = NULL;
	size_t len = 0;
	r = call_once(w, fd, &msg, &len);
	if (!keep)
		close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r = tally_call(w, t, r, msg, len);
	if (r == 0 && measured)
		w->samples[w->n_samples++] = ns_between(&t0, &t1);
	/* guardd drops a connection after a bad call: start the next one clean. */
	if (keep && r < 0) {
		/* Closed above only when not kept; cppcheck misses that keep is the same. */
		/* cppcheck-suppress doubleFree */
		close(fd);
		w->fd = -1;
	}
}

/* Waits until every client is warm. Returns false if the run was cancelled. */
static bool gate_pass(struct gate *g, unsigned n)
{
	pthread_mutex_lock(&g->lock);
	if (++g->ready == n)
		g->open = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->open && !g->cancel)
		pthread_cond_wait(&g->cond, &g->lock);
	bool go = g->open && !g->cancel;
	pthread_mutex_unlock(&g->lock);
	return go;
}

static void gate_cancel(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->cancel = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static bool stopped(const struct load_config *cfg)
{
	return cfg->stop && atomic_load(cfg->stop);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (unsigned i = 0; i < w->cfg->warmup && !stopped(w->cfg); i++)
		run_call(w, &w->warm, false);
	if (gate_pass(w->gate, w->cfg->clients)) {
		clock_gettime(CLOCK_MONOTONIC, &w->start);
		for (unsigned i = 0; i < w->cfg->calls && !stopped(w->cfg); i++)
			run_call(w, &w->run, true);
		clock_gettime(CLOCK_MONOTONIC, &w->end);
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	return NULL;
}

int load_probe(const struct load_config *cfg, char *err, size_t err_len)
{
	struct worker w = {.cfg = cfg, .fd = -1};
	wire_buf_init(&w.in, GUARD_MAX_MESSAGE);
	run_call(&w, &w.warm, false);
	if (w.fd >= 0)
		close(w.fd);
	wire_buf_free(&w.in);
	snprintf(err, err_len, "%s", w.warm.failures.n ? w.warm.failures.kind[0].text : "");
	if (w.warm.connect_failed)
		return -ECONNREFUSED;
	return w.warm.ok ? 0 : -EBADMSG;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted samples: the smallest value with at
 * least permille/1000 of them at or below it. Integer arithmetic, so p50 of
 * 1000 samples is exactly the 500th. */
static uint64_t percentile(const uint64_t *s, size_t n, unsigned permille)
{
	size_t rank = (n * permille + 999) / 1000;
	return s[rank ? rank - 1 : 0];
}

/* Merges every client's samples and reads the percentiles off the sorted whole. */
static int summarize_latency(struct worker *ws, unsigned n_workers, struct load_result *res)
{
	size_t n = 0;
	for (unsigned i = 0; i < n_workers; i++)
		n += ws[i].n_samples;
	if (n == 0)
		return 0;
	uint64_t *all = malloc(n * sizeof *all);
	if (!all)
		return -ENOMEM;
	size_t k = 0;
	double sum = 0;
	for (unsigned i = 0; i < n_workers; i++) {
		memcpy(all + k, ws[i].samples, ws[i].n_samples * sizeof *all);
		k += ws[i].n_samples;
	}
	qsort(all, n, sizeof *all, cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += (double)all[i];
	res->min_ns = all[0];
	res->p50_ns = percentile(all, n, 500);
	res->p90_ns = percentile(all, n, 900);
	res->p99_ns = percentile(all, n, 990);
	res->p999_ns = percentile(all, n, 999);
	res->max_ns = all[n - 1];
	res->mean_ns = sum / (double)n;
	free(all);
	return 0;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Adds up the clients' counts; wall time spans the earliest start to the latest end. */
static void summarize_counts(struct worker *ws, unsigned n_workers, struct load_result *res)
{
	struct timespec first = ws[0].start, last = ws[0].end;
	for (unsigned i = 0; i < n_workers; i++) {
		const struct tally *t = &ws[i].run;
		res->calls += t->calls;
		res->ok += t->ok;
		res->connect_failed += t->connect_failed;
		res->errors += t->errors;
		res->warmup_failed += ws[i].warm.connect_failed + ws[i].warm.errors;
		for (int v = 0; v < LOAD_N_VERDICTS; v++)
			res->verdicts[v] += t->verdicts[v];
		failures_merge(&res->failures, &t->failures);
		failures_merge(&res->warmup_failures, &ws[i].warm.failures);
		if (before(&ws[i].start, &first))
			first = ws[i].start;
		if (before(&last, &ws[i].end))
			last = ws[i].end;
	}
	res->wall_s = (double)ns_between(&first, &last) / 1e9;
}

static void workers_free(struct worker *ws, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(ws[i].samples);
		wire_buf_free(&ws[i].in);
	}
	free(ws);
}

static int workers_new(const struct load_config *cfg, struct gate *gate, struct worker **ret)
{
	struct worker *ws = calloc(cfg->clients, sizeof *ws);
	if (!ws)
		return -ENOMEM;
	for (unsigned i = 0; i < cfg->clients; i++) {
		ws[i] = (struct worker){.cfg = cfg, .gate = gate, .fd = -1};
		wire_buf_init(&ws[i].in, GUARD_MAX_MESSAGE);
		/* Every sample slot up front: no allocation inside the measured loop. */
		ws[i].samples = malloc((cfg->calls ? cfg->calls : 1) * sizeof *ws[i].samples);
		if (!ws[i].samples) {
			workers_free(ws, cfg->clients);
			return -ENOMEM;
		}
	}
	*ret = ws;
	return 0;
}

/* Starts the threads, then waits for them. If one cannot be started the
 * others are let go without measuring. Returns 0 or a negative errno. */
static int workers_run(struct worker *ws, unsigned n, struct gate *gate)
{
	unsigned started = 0;
	int r = 0;
	while (started < n && r == 0) {
		r = -pthread_create(&ws[started].thread, NULL, worker_main, &ws[started]);
		if (r == 0)
			started++;
	}
	if (r < 0)
		gate_cancel(gate);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	return r;
}

int load_run(const struct load_config *cfg, struct load_result *ret)
{
	struct gate gate = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct load_result res = {0};
	struct worker *ws;
	int r = workers_new(cfg, &gate, &ws);
	if (r < 0)
		return r;
	r = workers_run(ws, cfg->clients, &gate);
	if (r == 0 && stopped(cfg))
		r = -EINTR;
	if (r == 0) {
		summarize_counts(ws, cfg->clients, &res);
		r = summarize_latency(ws, cfg->clients, &res);
	}
	workers_free(ws, cfg->clients);
	if (r == 0)
		*ret = res;
	return r;
}
