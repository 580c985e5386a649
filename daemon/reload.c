/* reload.c: see reload.h. One load at a time; requests that arrive while one
 * runs are answered by the next load, which starts as soon as this one ends. */
#include "reload.h"

#include <errno.h>
#include <pthread.h>
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

struct reload {
	struct manager *m;
	ev_async done;
	pthread_t thread;
	bool running;
	struct waiters now;  /* answered by the running load */
	struct waiters next; /* answered by the one after it */
	/* Written by the thread, read by the loop after ev_async says it is done. */
	struct policy *result;
	struct policy_errors errs;
	int r;
};

static void *load_thread(void *arg)
{
	struct reload *rl = arg;
	rl->r = policy_load_dir(rl->m->cfg.policy_dir, &rl->errs, &rl->result);
	ev_async_send(rl->m->loop, &rl->done);
	return NULL;
}

static int start(struct reload *rl)
{
	rl->result = NULL;
	rl->errs = (struct policy_errors){0};
	int r = -pthread_create(&rl->thread, NULL, load_thread, rl);
	if (r == 0)
		rl->running = true;
	return r;
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
	pthread_join(rl->thread, NULL);
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
	ev_async_init(&rl->done, done_cb);
	rl->done.data = rl;
	ev_async_start(m->loop, &rl->done);
	*ret = rl;
	return 0;
}

void reload_free(struct reload *rl)
{
	if (!rl)
		return;
	if (rl->running)
		pthread_join(rl->thread, NULL);
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
