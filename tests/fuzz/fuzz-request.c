/* fuzz-request.c: libFuzzer harness for what a client sends guardd: the framing, the
 * call envelope (conn.c), the parameters of every method (request.c and the methods).
 * A real manager (manager_new: a copy of the shipped policy, a decision log, the
 * listening socket) is made once; each input is the byte stream of one client, written
 * into one end of a socketpair whose other end conn_accept() takes, as accept_cb()
 * would; the loop runs until every complete message is answered or the daemon hangs
 * up. Then:
 * - every reply is a JSON object with "parameters" and perhaps "error", nothing else;
 * - a call whose envelope is broken gets an error, never a decision;
 * - a Check that is not well formed (by the contract in ARCHITECTURE.md and
 *   guardd(8), checked here on its own) never gets "allow";
 * - every decision but the "log unavailable" deny has its record in the log, with
 *   the same id and decision, and the log's seq goes up by one a line;
 * - the connection is gone afterwards, nothing left behind.
 * Build with -Dfuzz=true and clang (see tests/fuzz/meson.build). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "conn.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Past the frame limit and a read, so that oversized messages are tried too. */
#define INPUT_MAX (2 * GUARD_MAX_MESSAGE + 1024)
/* The log is rotated away past this, so that a long run does not fill the disk. */
#define LOG_MAX (8 * 1024 * 1024)
/* A session that takes longer has hung: a complete message nobody answers. */
#define SESSION_MAX_SEC 10.0

static struct manager *m;
static bool verbose; /* FUZZ_VERBOSE set: the daemon's messages and every reply */
static char dir[64], log_path[96];

/* One client's conversation. */
struct session {
	int fd;
	const uint8_t *data;
	size_t size, sent;
	char *replies; /* everything received */
	size_t len, cap;
	size_t n_replies;
	bool eof;
};

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;
	if (in < 0 || out < 0 || fchmod(out, 0644) < 0)
		abort();
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			abort();
	if (n < 0)
		abort();
	close(in);
	close(out);
}

/* A private copy of policy/rules.d: policy files must be ours and not group-writable,
 * whoever checked out the tree. */
static void copy_policy(const char *to)
{
	DIR *d = opendir(FUZZ_POLICY_DIR);
	struct dirent *de;
	if (!d || mkdir(to, 0755) < 0 || chmod(to, 0755) < 0)
		abort();
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char from[512], path[512];
		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(from, sizeof from, "%s/%s", FUZZ_POLICY_DIR, de->d_name);
		snprintf(path, sizeof path, "%s/%s", to, de->d_name);
		copy_file(from, path);
	}
	closedir(d);
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		char sub[512];
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

/* A run that found a crash exits without cleanup(): the next run removes what it left,
 * the directories of processes that are gone. */
static void remove_stale(const char *parent)
{
	static const char prefix[] = "guard-fuzz-request-";
	DIR *d = opendir(parent);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[512];
		int pid;
		if (strncmp(de->d_name, prefix, sizeof prefix - 1) != 0 ||
		    sscanf(de->d_name + sizeof prefix - 1, "%d-", &pid) != 1 || pid <= 0 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof path, "%s/%s", parent, de->d_name);
		remove_tree(path);
	}
	if (d)
		closedir(d);
}

static void cleanup(void)
{
	manager_free(m);
	m = NULL;
	remove_tree(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The manager borrows these for its lifetime. */
	static char policy[96], sock[96], spool[96], state[96];
	/* tmpfs when there is one: every Check appends to the log. */
	remove_stale("/dev/shm");
	remove_stale("/tmp");
	snprintf(dir, sizeof dir, "/dev/shm/guard-fuzz-request-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof dir, "/tmp/guard-fuzz-request-%d-XXXXXX", (int)getpid());
		if (!mkdtemp(dir))
			abort();
	}
	chmod(dir, 0755);
	snprintf(policy, sizeof policy, "%s/policy", dir);
	snprintf(sock, sizeof sock, "%s/guard.sock", dir);
	snprintf(log_path, sizeof log_path, "%s/decisions.jsonl", dir);
	snprintf(spool, sizeof spool, "%s/spool", dir);
	snprintf(state, sizeof state, "%s/state", dir);
	copy_policy(policy);
	/* As guardd(8) asks: sticky and group-writable, so users cannot read each other's. */
	if (mkdir(spool, 0755) < 0 || chmod(spool, 03733) < 0 || mkdir(state, 0700) < 0)
		abort();
	struct manager_config cfg = {
		.socket_path = sock,
		.policy_dir = policy,
		.audit_path = log_path,
		.sync = AUDIT_SYNC_NONE,
		.max_conns = 16,
		.max_conns_per_uid = 8,
		.idle_timeout = 30,
		.spool_dir = spool,
		.state_dir = state,
	};
	/* Refusals of bad input are the daemon's job here, not news. */
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	log_setup("fuzz-request", verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (manager_new(&cfg, &m) < 0)
		abort();
	atexit(cleanup);
	return 0;
}

/* Writes what the socket takes of the input; the rest goes as the daemon reads. */
static void feed(struct session *s)
{
	while (s->sent < s->size) {
		ssize_t n = send(s->fd, s->data + s->sent, s->size - s->sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EPIPE || errno == ECONNRESET)) {
			if (errno != EAGAIN)
				s->sent = s->size; /* the daemon hung up; the rest is moot */
			return;
		}
		if (n <= 0)
			abort();
		s->sent += (size_t)n;
	}
}

static void drain(struct session *s)
{
	for (;;) {
		if (s->cap - s->len < 65536) {
			s->cap = s->cap ? s->cap * 2 : 262144;
			s->replies = realloc(s->replies, s->cap);
			if (!s->replies)
				abort();
		}
		ssize_t n = recv(s->fd, s->replies + s->len, s->cap - s->len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			s->eof = true;
			return;
		}
		for (ssize_t i = 0; i < n; i++)
			s->n_replies += s->replies[s->len + (size_t)i] == '\0';
		s->len += (size_t)n;
	}
}

static size_t count_messages(const uint8_t *data, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\0';
	return n;
}

/* A reply arrived: ev_run() returns, and converse() reads it. */
static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
}

static void hung(struct ev_loop *loop, ev_timer *w, int revents)
{
	fprintf(stderr, "fuzz-request: guardd did not answer within %.0fs\n", SESSION_MAX_SEC);
	abort();
}

/* Runs the loop until every complete message is answered or the daemon hangs up, then
 * hangs up itself and runs it until the connection is gone. */
static void converse(struct session *s)
{
	size_t want = count_messages(s->data, s->size);
	ev_timer guard;
	ev_io client;
	ev_timer_init(&guard, hung, SESSION_MAX_SEC, 0.);
	ev_timer_start(m->loop, &guard);
	ev_io_init(&client, readable, s->fd, EV_READ);
	ev_io_start(m->loop, &client);
	for (;;) {
		feed(s);
		drain(s);
		if (s->eof || (s->sent == s->size && s->n_replies >= want))
			break;
		ev_run(m->loop, EVRUN_ONCE);
	}
	ev_io_stop(m->loop, &client);
	close(s->fd);
	while (m->n_conns > 0)
		ev_run(m->loop, EVRUN_ONCE);
	ev_timer_stop(m->loop, &guard);
}

/* The next message of the input, as guardd frames it: NULL past the last complete one. */
static const char *next_message(const uint8_t *data, size_t size, size_t *off, size_t *ret_len)
{
	const uint8_t *nul = *off < size ? memchr(data + *off, '\0', size - *off) : NULL;
	if (!nul)
		return NULL;
	const char *msg = (const char *)data + *off;
	*ret_len = (size_t)(nul - (data + *off));
	*off += *ret_len + 1;
	return msg;
}

static bool is_abs_path(json_t *v, bool null_ok)
{
	const char *s = json_string_value(v);
	if (!v || json_is_null(v))
		return null_ok;
	return s && s[0] == '/' && strlen(s) <= GUARD_MAX_PATH_LEN;
}

static bool optional(json_t *v, bool (*is)(const json_t *))
{
	return !v || json_is_null(v) || is(v);
}

static bool is_string(const json_t *v)
{
	return json_is_string(v);
}

static bool is_boolean(const json_t *v)
{
	return json_is_boolean(v);
}

static bool is_env(const json_t *v)
{
	const char *k;
	json_t *x;
	if (!json_is_object(v))
		return false;
	json_object_foreach((json_t *)v, k, x) if (!json_is_string(x) || !*k) return false;
	return true;
}

static bool is_argv(json_t *v)
{
	size_t n = json_array_size(v);
	if (!json_is_array(v) || n == 0 || n > GUARD_MAX_ARGS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!json_is_string(json_array_get(v, i)))
			return false;
	return true;
}

/* The contract of a Check's parameters, written down here on its own rather than
 * taken from request.c, so that the two can disagree. A key Check learns goes here. */
static bool check_well_formed(json_t *p)
{
	static const char *const keys[] = {"argv",   "line",    "program", "cwd",
					   "tty",    "env",     "check",   "confirm",
					   "reason", "request", "approval"};
	const char *k;
	json_t *v;
	if (!json_is_object(p))
		return false;
	json_object_foreach(p, k, v)
	{
		bool known = false;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known = known || strcmp(k, keys[i]) == 0;
		if (!known)
			return false;
	}
	json_t *argv = json_object_get(p, "argv"), *line = json_object_get(p, "line");
	if (argv && line)
		return false;
	if (line ? !json_is_string(line) || json_string_length(line) == 0 : !is_argv(argv))
		return false;
	return is_abs_path(json_object_get(p, "cwd"), false) &&
	       is_abs_path(json_object_get(p, "program"), true) &&
	       optional(json_object_get(p, "tty"), is_string) &&
	       optional(json_object_get(p, "env"), is_env) &&
	       optional(json_object_get(p, "confirm"), is_string) &&
	       optional(json_object_get(p, "reason"), is_string) &&
	       optional(json_object_get(p, "check"), is_boolean) &&
	       optional(json_object_get(p, "request"), is_boolean) &&
	       optional(json_object_get(p, "approval"), is_string);
}

/* Only "method" and "parameters", a string and an object. */
static bool envelope_ok(json_t *call)
{
	const char *k;
	json_t *v;
	if (!json_is_object(call) || !json_is_string(json_object_get(call, "method")))
		return false;
	json_object_foreach(call, k, v) if (strcmp(k, "method") != 0 &&
					    strcmp(k, "parameters") != 0) return false;
	v = json_object_get(call, "parameters");
	return !v || json_is_object(v);
}

/* The ids and decisions the log gained, one line each. */
struct records {
	json_t *by_id; /* id -> decision */
	bool rotated;  /* the log was renamed meanwhile: what it gained is elsewhere */
};

static void read_records(off_t from, ino_t ino, struct records *ret)
{
	struct stat st;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);
	ret->by_id = json_object();
	ret->rotated = fd < 0 || fstat(fd, &st) < 0 || st.st_ino != ino || st.st_size < from;
	if (ret->rotated) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t n = (size_t)(st.st_size - from), got = 0;
	char *buf = malloc(n + 1);
	if (!buf)
		abort();
	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, from + (off_t)got);
		if (k <= 0)
			abort();
		got += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	json_int_t seq = -1;
	for (char *line = buf, *end; line < buf + n; line = end + 1) {
		end = strchr(line, '\n');
		if (!end)
			abort(); /* a torn line, and nothing crashed */
		json_t *rec = json_loadb(line, (size_t)(end - line), JSON_REJECT_DUPLICATES, NULL);
		json_t *s = json_object_get(rec, "seq");
		if (!json_is_integer(s) || (seq >= 0 && json_integer_value(s) != seq + 1))
			abort();
		seq = json_integer_value(s);
		const char *id = json_string_value(json_object_get(rec, "id"));
		json_t *d = json_object_get(rec, "decision");
		if (id && d)
			json_object_set(ret->by_id, id, d);
		json_decref(rec);
	}
	free(buf);
}

/* A RotateLog in the input left a renamed log beside ours. */
static void remove_rotated(json_t *p)
{
	const char *to = json_string_value(json_object_get(p, "rotated_to"));
	if (to && strncmp(to, log_path, strlen(log_path)) == 0 &&
	    !strchr(to + strlen(log_path), '/'))
		unlink(to);
}

static void check_decision(json_t *call, json_t *p, const struct records *recs)
{
	const char *decision = json_string_value(json_object_get(p, "decision"));
	const char *id = json_string_value(json_object_get(p, "id"));
	if (!decision)
		return; /* another kind of answer (approval requests and the like) */
	if (strcmp(decision, "allow") == 0 &&
	    !check_well_formed(json_object_get(call, "parameters")))
		abort();
	if (recs->rotated ||
	    (strcmp(decision, "deny") == 0 && !json_object_get(recs->by_id, id ? id : "")))
		return; /* the one unrecorded answer: a deny when the log cannot be written */
	json_t *logged = id ? json_object_get(recs->by_id, id) : NULL;
	if (!logged || strcmp(json_string_value(logged), decision) != 0)
		abort();
}

/* Reply i answers message i, until the one the daemon hung up after. */
static void check_replies(const struct session *s, const struct records *recs)
{
	size_t off = 0, at = 0, len;
	const char *msg;
	while (at < s->len && (msg = next_message(s->data, s->size, &off, &len))) {
		size_t rlen = strlen(s->replies + at);
		json_t *reply = json_loadb(s->replies + at, rlen, JSON_REJECT_DUPLICATES, NULL);
		json_t *call = json_loadb(msg, len, JSON_REJECT_DUPLICATES, NULL);
		json_t *p = json_object_get(reply, "parameters"),
		       *err = json_object_get(reply, "error");
		at += rlen + 1;
		if (verbose)
			fprintf(stderr, "fuzz-request: %.*s\n    -> %s\n", (int)len, msg,
				s->replies + at - rlen - 1);
		if (!json_is_object(p) || json_object_size(reply) != 1u + (err != NULL) ||
		    (err && !json_is_string(err)))
			abort();
		if (err && strcmp(json_string_value(err), GUARD_ERROR_TOO_LARGE) == 0)
			at = s->len; /* refused with its read: what came before it too */
		else if (!envelope_ok(call) && !err)
			abort();
		else if (!err)
			remove_rotated(p);
		if (!err && strcmp(json_string_value(json_object_get(call, "method")),
				   GUARD_METHOD_CHECK) == 0)
			check_decision(call, p, recs);
		json_decref(call);
		json_decref(reply);
	}
	if (at < s->len)
		abort(); /* more replies than messages */
}

/* Rotates the log away through the daemon's own path, as logrotate with SIGUSR1 would. */
static void keep_log_small(void)
{
	struct stat st;
	char old[128];
	if (stat(log_path, &st) < 0 || st.st_size < LOG_MAX)
		return;
	snprintf(old, sizeof old, "%s.old", log_path);
	if (audit_reopen(m->audit, old) < 0)
		abort();
	unlink(old);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	struct stat st;
	if (size > INPUT_MAX)
		return 0;
	keep_log_small();
	if (stat(log_path, &st) < 0)
		abort();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	struct session s = {.fd = sv[1], .data = data, .size = size};
	feed(&s);
	/* As accept_cb() does; it reads what is already there at once. */
	conn_accept(m, sv[0]);
	converse(&s);
	struct records recs;
	read_records(st.st_size, st.st_ino, &recs);
	check_replies(&s, &recs);
	json_decref(recs.by_id);
	free(s.replies);
	if (m->n_conns != 0 || m->n_uids != 0)
		abort();
	return 0;
}
