/* reload.c: see reload.h. One load at a time; requests that arrive while one
 * runs are answered by the next load, which starts as soon as this one ends. */
#include "reload.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "conn.h"
#include "guard/policy.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"

struct waiters {
	struct conn **v;
	size_t n;
	bool any; /* a reload was asked for (by a call or by SIGHUP) */
};

/* The loader is one thread for the daemon's life, started before the seccomp
 * filter (sandbox.h) is installed: after that no thread or process can be
 * created, so the filter can refuse clone outright. */
struct reload {
	struct manager *m;
	ev_async done;
	pthread_t thread;
	bool has_thread;
	bool running;        /* the loop's view: a load was handed over and not yet applied */
	struct waiters now;  /* answered by the running load */
	struct waiters next; /* answered by the one after it */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool go, quit; /* under lock */
	/* Written by the thread, read by the loop after ev_async says it is done. */
	struct policy *result;
	struct policy_errors errs;
	int r;
};

static void *load_thread(void *arg)
{
	struct reload *rl = arg;
	pthread_mutex_lock(&rl->lock);
	for (;;) {
		while (!rl->go && !rl->quit)
			pthread_cond_wait(&rl->wake, &rl->lock);
		if (rl->quit)
			break;
		rl->go = false;
		pthread_mutex_unlock(&rl->lock);
		rl->r = policy_load_dir(rl->m->cfg.policy_dir, &rl->errs, &rl->result);
		ev_async_send(rl->m->loop, &rl->done);
		pthread_mutex_lock(&rl->lock);
	}
	pthread_mutex_unlock(&rl->lock);
	return NULL;
}

static int start(struct reload *rl)
{
	rl->result = NULL;
	rl->errs = (struct policy_errors){0};
	pthread_mutex_lock(&rl->lock);
	rl->go = true;
	pthread_cond_signal(&rl->wake);
	pthread_mutex_unlock(&rl->lock);
	rl->running = true;
	return 0;
}

static json_t *success_reply(struct manager *m, const char *previous)
{
	return method_reply(json_pack("{s:s,s:s,s:b,s:I,s:I}", "revision",
				      policy_revision(m->policy), "previous", previous, "changed",
				      strcmp(previous, policy_revision(m->policy)) != 0, "files",
				      (json_int_t)policy_n_files(m->policy), "rules",
				      (json_int_t)policy_n_rules(m->policy)));
}

static json_t *failure_reply(struct reload *rl)
{
	json_t *errors = json_array();
	for (size_t i = 0; errors && i < rl->errs.n; i++)
		json_array_append_new(errors, json_string(rl->errs.lines[i]));
	return method_error(GUARD_ERROR_POLICY_INVALID,
			    json_pack("{s:s,s:o,s:s}", "message",
				      "the new policy was refused; the previous one stays in force",
				      "errors", errors, "revision",
				      policy_revision(rl->m->policy)));
}

/* Swaps the new policy in, or logs why not; returns the reply for waiters. */
static json_t *apply(struct reload *rl)
{
	struct manager *m = rl->m;
	char previous[65];
	snprintf(previous, sizeof previous, "%s", policy_revision(m->policy));
	for (size_t i = 0; i < rl->errs.n; i++)
		log_error("%s", rl->errs.lines[i]);
	if (rl->r < 0) {
		log_error("reload of %s refused (%zu error%s); revision %.12s stays in force",
			  m->cfg.policy_dir, rl->errs.n, rl->errs.n == 1 ? "" : "s", previous);
		return failure_reply(rl);
	}
	policy_free(m->policy);
	m->policy = rl->result;
	rl->result = NULL;
	m->n_reloads++;
	log_info("policy reloaded from %s: %zu files, %zu rules, revision %.12s (was %.12s)",
		 m->cfg.policy_dir, policy_n_files(m->policy), policy_n_rules(m->policy),
		 policy_revision(m->policy), previous);
	return success_reply(m, previous);
}

static void done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct reload *rl = w->data;
	if (!rl->running)
		return;
	rl->running = false;
	json_t *reply = apply(rl);
	policy_errors_clear(&rl->errs);
	activation_notify("READY=1"); /* after RELOADING=1, whatever came of it */
	struct waiters answered = rl->now;
	rl->now = rl->next;
	rl->next = (struct waiters){0};
	if (rl->now.any && start(rl) < 0) {
		log_error("cannot start the queued reload");
		rl->now.any = false;
	}
	for (size_t i = 0; i < answered.n; i++)
		conn_reply_later(answered.v[i], json_incref(reply));
	free(answered.v);
	json_decref(reply);
}

int reload_new(struct manager *m, struct reload **ret)
{
	struct reload *rl = calloc(1, sizeof *rl);
	if (!rl)
		return -ENOMEM;
	rl->m = m;
	pthread_mutex_init(&rl->lock, NULL);
	pthread_cond_init(&rl->wake, NULL);
	ev_async_init(&rl->done, done_cb);
	rl->done.data = rl;
	ev_async_start(m->loop, &rl->done);
	/* Signals are the loop's: the worker starts with every one blocked. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = -pthread_create(&rl->thread, NULL, load_thread, rl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		reload_free(rl);
		return r;
	}
	rl->has_thread = true;
	*ret = rl;
	return 0;
}

void reload_free(struct reload *rl)
{
	if (!rl)
		return;
	/* A load in progress is finished first: the thread owns its result. */
	if (rl->has_thread) {
		pthread_mutex_lock(&rl->lock);
		rl->quit = true;
		pthread_cond_signal(&rl->wake);
		pthread_mutex_unlock(&rl->lock);
		pthread_join(rl->thread, NULL);
	}
	pthread_mutex_destroy(&rl->lock);
	pthread_cond_destroy(&rl->wake);
	ev_async_stop(rl->m->loop, &rl->done);
	policy_free(rl->result);
	policy_errors_clear(&rl->errs);
	free(rl->now.v);
	free(rl->next.v);
	free(rl);
}

static int add_waiter(struct waiters *w, struct conn *c)
{
	w->any = true;
	if (!c)
		return 0;
	struct conn **v = realloc(w->v, (w->n + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	w->v = v;
	w->v[w->n++] = c;
	return 0;
}

int reload_request(struct reload *rl, struct conn *waiter)
{
	if (rl->running)
		return add_waiter(&rl->next, waiter);
	int r = add_waiter(&rl->now, waiter);
	if (r == 0)
		r = start(rl);
	if (r < 0) {
		rl->now.n = 0;
		rl->now.any = false;
	}
	return r;
}

static void drop(struct waiters *w, struct conn *c)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i] == c)
			w->v[i] = w->v[--w->n];
}

void reload_forget(struct reload *rl, struct conn *c)
{
	drop(&rl->now, c);
	drop(&rl->next, c);
}

json_t *method_reload(struct call *call)
{
	json_t *bad = method_no_params(call);
	if (bad)
		return bad;
	int r = reload_request(call->m->reload, call->conn);
	if (r < 0)
		return method_error(GUARD_ERROR_RELOAD_FAILED,
				    json_pack("{s:s}", "message", strerror(-r)));
	call->later = true;
	return NULL;
}
