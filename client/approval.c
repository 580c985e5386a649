/* approval.c: see approval.h. Each look at the request is a new connection, so the
 * daemon's idle timeout never closes one under us and a guardd restarted meanwhile
 * is simply asked again: the request is kept on its disk. */
#include "approval.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "exit.h"
#include "guard/protocol.h"
#include "present.h"

/* How often guardd is asked, how long one question may take, and how long past the
 * request's deadline guard goes on trying a guardd that does not answer. */
#define APPROVAL_POLL_SEC   2.0
#define APPROVAL_TIMEOUT_MS 10000
#define APPROVAL_GRACE_SEC  30.0
/* The countdown is redrawn this often. */
#define APPROVAL_TICK_NS (250 * 1000 * 1000L)
#define APPROVAL_ID_LEN  32
/* Not an exit code: the request is still pending. */
#define WAITING (-1)

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

bool approval_id_ok(const char *s)
{
	return s && strlen(s) == APPROVAL_ID_LEN &&
	       strspn(s, "0123456789abcdef") == APPROVAL_ID_LEN;
}

int approval_params(json_t *params, bool check, const char *id)
{
	if (check)
		return 0;
	int r = id ? json_object_set_new(params, "approval", json_string(id))
		   : json_object_set_new(params, "request", json_true());
	return r < 0 ? -ENOMEM : 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const char *approval_made(json_t *params)
{
	const char *id = str(json_object_get(params, "approval"), "id");
	return approval_id_ok(id) ? id : NULL;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends s to buf (of size, holding n bytes) as far as it fits. */
static size_t add(char *buf, size_t size, size_t n, const char *s)
{
	size_t k = strlen(s);
	if (n + 1 >= size)
		return n;
	if (k > size - 1 - n)
		k = size - 1 - n;
	memcpy(buf + n, s, k);
	buf[n + k] = '\0';
	return n + k;
}

size_t approval_quote(const char *s, char *buf, size_t size, size_t n)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "_@%+=:,./-") == strlen(s))
		return add(buf, size, n, s);
	n = add(buf, size, n, "'");
	for (; *s; s++) {
		char c[2] = {*s, '\0'};
		/* Never drive the terminal: the text is for reading. */
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			c[0] = '?';
		n = add(buf, size, n, *s == '\'' ? "'\\''" : c);
	}
	return add(buf, size, n, "'");
}

void approval_command_text(json_t *command, char *buf, size_t size)
{
	json_t *argv = json_object_get(command, "argv");
	size_t i, n = 0;
	json_t *v;
	buf[0] = '\0';
	if (!json_is_array(argv)) {
		const char *line = str(command, "line");
		approval_quote(line ? line : "?", buf, size, 0);
		return;
	}
	json_array_foreach(argv, i, v)
	{
		if (i)
			n = add(buf, size, n, " ");
		n = approval_quote(json_string_value(v) ? json_string_value(v) : "?", buf, size, n);
	}
}

/* "guard --approval ID -- CMD..." or "guard --approval ID -c 'LINE'". */
static void say_retry(const struct approval_opts *o, const char *id, const char *lead)
{
	char text[8192];
	size_t n = add(text, sizeof text, 0, o->line ? " -c " : " --");
	if (o->line)
		approval_quote(o->line, text, sizeof text, n);
	for (int i = 0; !o->line && o->cmd && o->cmd[i]; i++) {
		n = add(text, sizeof text, n, " ");
		n = approval_quote(o->cmd[i], text, sizeof text, n);
	}
	fprintf(stderr, "guard: %sguard --approval %s%s\n", lead, id, text);
}

/* The request as guardd has it now: 0 and the request's view, -ESRCH when guardd
 * does not know it (or not for us), another negative errno when guardd cannot be
 * asked; *ret_error the error's message then, when guardd gave one. */
static int look(const struct approval_opts *o, const char *id, json_t **ret, char **ret_error)
{
	json_t *params = json_pack("{s:s}", "id", id), *reply = NULL;
	int fd, r = params ? call_connect(call_socket_path(o->socket), APPROVAL_TIMEOUT_MS, &fd)
			   : -ENOMEM;
	if (r == 0) {
		r = call_method(fd, GUARD_METHOD_PENDING, params, &reply);
		close(fd);
	}
	json_decref(params);
	if (r < 0)
		return r;
	const char *err = call_reply_error(reply);
	json_t *p = json_object_get(reply, "parameters");
	json_t *req = json_array_get(json_object_get(p, "requests"), 0);
	if (err || !json_is_object(req)) {
		const char *msg = str(p, "message");
		*ret_error = strdup(msg ? msg : err ? err : "no request in the reply");
		r = err && strcmp(err, GUARD_ERROR_NO_SUCH_REQUEST) == 0 ? -ESRCH : -EPROTO;
	} else {
		*ret = json_incref(req);
	}
	json_decref(reply);
	return r;
}

struct wait {
	const struct approval_opts *o;
	const char *id;
	bool tty;
	size_t drawn;      /* characters of the countdown line on the terminal */
	double left_at;    /* mono() when expires_in was read */
	long long left;    /* seconds the request had left then */
	long long got, of; /* approvals so far, needed */
	bool unreachable;  /* said so already */
};

static void erase(struct wait *w)
{
	if (w->drawn)
		fprintf(stderr, "\r%*s\r", (int)w->drawn, "");
	w->drawn = 0;
}

/* "guard: waiting for approval (0 of 1): 29:58 left", redrawn in place. */
static void draw(struct wait *w)
{
	if (!w->tty)
		return;
	double left = (double)w->left - (mono() - w->left_at);
	long long s = left > 0 ? (long long)left : 0;
	char line[160];
	int n = snprintf(line, sizeof line,
			 "guard: waiting for approval (%lld of %lld): %lld:%02lld left%s", w->got,
			 w->of, s / 60, s % 60, w->unreachable ? " (guardd not answering)" : "");
	fprintf(stderr, "\r%s", line);
	if ((size_t)n < w->drawn)
		fprintf(stderr, "%*s", (int)(w->drawn - (size_t)n), "");
	w->drawn = (size_t)n > w->drawn ? (size_t)n : w->drawn;
	fflush(stderr);
}

/* Who ended the request, and why, from its "closed". */
static void say_closed(json_t *req, const char *how)
{
	json_t *c = json_object_get(req, "closed");
	char who[256], why[1100];
	const char *user = str(c, "user"), *reason = str(c, "reason");
	present_clean(user ? user : "?", who, sizeof who);
	fprintf(stderr, "guard: request %s was %s by %s", str(req, "id"), how, who);
	if (reason)
		fprintf(stderr, ": %s", present_clean(reason, why, sizeof why));
	fputs("; nothing was run\n", stderr);
}

/* What the state means: 0 approved, WAITING still pending, else an exit code. */
static int judge(struct wait *w, json_t *req)
{
	const char *st = str(req, "state");
	w->left = (long long)json_integer_value(json_object_get(req, "expires_in_sec"));
	w->left_at = mono();
	w->got = (long long)json_array_size(json_object_get(req, "approvals"));
	w->of = (long long)json_integer_value(json_object_get(req, "count"));
	if (st && strcmp(st, "pending") == 0)
		return WAITING;
	erase(w);
	if (st && strcmp(st, "approved") == 0)
		return 0;
	if (st && strcmp(st, "rejected") == 0) {
		say_closed(req, "rejected");
		return EXIT_DENIED;
	}
	if (st && strcmp(st, "used") == 0) {
		fprintf(stderr,
			"guard: request %s was used already (an approval runs one "
			"command, once); nothing was run\n",
			w->id);
		return EXIT_DENIED;
	}
	fprintf(stderr, "guard: request %s %s; nothing was run\n", w->id,
		st && strcmp(st, "expired") == 0 ? "expired before it was approved"
						 : "is in a state guard does not know");
	return EXIT_HUMAN;
}

/* One look at the request; 0 approved, WAITING go on waiting, else an exit code. */
static int poll_once(struct wait *w, double deadline)
{
	json_t *req = NULL;
	char *error = NULL;
	int r = look(w->o, w->id, &req, &error);
	if (r == 0) {
		w->unreachable = false;
		r = judge(w, req);
		json_decref(req);
		return r;
	}
	if (r == -ESRCH) {
		erase(w);
		fprintf(stderr, "guard: guardd does not know request %s (%s); nothing was run\n",
			w->id, error);
		free(error);
		return EXIT_HUMAN;
	}
	free(error);
	if (!w->unreachable) {
		erase(w);
		fprintf(stderr,
			"guard: cannot ask guardd at %s about request %s (%s); still "
			"waiting\n",
			call_socket_path(w->o->socket), w->id, call_strerror(r));
		w->unreachable = true;
	}
	if (mono() > deadline) {
		erase(w);
		fprintf(stderr, "guard: guardd did not answer until the request's deadline; "
				"nothing was run\n");
		return EXIT_UNDECIDED;
	}
	return WAITING;
}

static void stop_waiting(struct wait *w)
{
	erase(w);
	fprintf(stderr, "guard: stopped waiting; request %s stays open until it expires\n", w->id);
	say_retry(w->o, w->id, "once it is approved, run: ");
	fflush(stderr);
	signal(SIGINT, SIG_DFL);
	raise(SIGINT);
}

/* Until approved (0) or an exit code. left: the seconds the request has (from its
 * reply), or -1 when not known yet. */
static int wait_for(const struct approval_opts *o, const char *id, long long left)
{
	struct wait w = {
		.o = o, .id = id, .tty = isatty(STDERR_FILENO), .left = left, .left_at = mono()};
	struct sigaction sa = {.sa_handler = on_sigint}, old;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: Ctrl-C ends the sleep at once. */
	sigaction(SIGINT, &sa, &old);
	interrupted = 0;
	double next = 0, deadline = mono() + (left > 0 ? (double)left : 0) + APPROVAL_GRACE_SEC;
	int r = WAITING;
	bool said = w.tty;
	while (r == WAITING) {
		if (interrupted)
			stop_waiting(&w);
		if (mono() >= next) {
			r = poll_once(&w, deadline);
			next = mono() + APPROVAL_POLL_SEC;
			if (w.left > 0)
				deadline = w.left_at + (double)w.left + APPROVAL_GRACE_SEC;
			continue;
		}
		/* Without a terminal to count down on, once: guardd said it is pending. */
		if (!said)
			fprintf(stderr, "guard: waiting for the approval (Ctrl-C stops waiting)\n");
		said = true;
		draw(&w);
		struct timespec tick = {0, APPROVAL_TICK_NS};
		nanosleep(&tick, NULL);
	}
	erase(&w);
	sigaction(SIGINT, &old, NULL);
	return r;
}

static int use_approval(json_t *params, const char *id)
{
	json_object_del(params, "request");
	if (json_object_set_new(params, "approval", json_string(id)) < 0)
		return EXIT_UNDECIDED;
	fprintf(stderr, "guard: request %s is approved; asking guardd to run it\n", id);
	return 0;
}

int approval_wait_new(const struct approval_opts *o, json_t *p, json_t *params)
{
	const char *id = approval_made(p);
	json_t *ap = json_object_get(p, "approval");
	struct present pr;
	char group[512];
	present_init(&pr, stderr, "guard: ");
	present_decision(&pr, p, "approval needed");
	present_line(&pr, "request %s%s%s: %lld approval(s) from group %s, until %s",
		     present_on(&pr, PRESENT_BOLD), id, present_off(&pr),
		     (long long)json_integer_value(json_object_get(ap, "count")),
		     present_clean(str(ap, "group") ? str(ap, "group") : "?", group, sizeof group),
		     str(ap, "expires") ? str(ap, "expires") : "?");
	present_line(&pr, "an approver runs: %sguardctl approve %s%s",
		     present_on(&pr, PRESENT_BOLD), id, present_off(&pr));
	if (o->no_wait) {
		say_retry(o, id, "once it is approved, run: ");
		return EXIT_HUMAN;
	}
	int r = wait_for(o, id,
			 (long long)json_integer_value(json_object_get(ap, "expires_in_sec")));
	return r == 0 ? use_approval(params, id) : r;
}

int approval_wait_id(const struct approval_opts *o, const char *id)
{
	if (o->no_wait) {
		json_t *req = NULL;
		char *error = NULL;
		int r = look(o, id, &req, &error);
		struct wait w = {.o = o, .id = id};
		if (r == 0) {
			r = judge(&w, req);
			json_decref(req);
		} else {
			fprintf(stderr, "guard: cannot ask guardd about request %s: %s\n", id,
				error ? error : call_strerror(r));
			r = r == -ESRCH ? EXIT_HUMAN : EXIT_UNDECIDED;
		}
		free(error);
		if (r == WAITING)
			fprintf(stderr, "guard: request %s is not approved yet; nothing was run\n",
				id);
		return r == WAITING ? EXIT_HUMAN : r;
	}
	return wait_for(o, id, -1);
}
