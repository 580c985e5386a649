/* approvals.c: see approvals.h: the store's life in guardd, its timer, its records. */
#include "approvals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "manager.h"
#include "peer.h"
#include "record.h"

/* The timer wakes at least this often, so a wall clock set forward is noticed; and
 * waits at least this long after a sweep that left something due (its record could
 * not be queued), so a failure does not spin the loop. */
#define APPROVALS_MAX_SLEEP 3600.0
#define APPROVALS_RETRY     1.0

int64_t approvals_now(void)
{
	return (int64_t)time(NULL);
}

void approvals_time(int64_t t, char ret[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(ret, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(ret, 32, "?");
}

void approvals_who(const struct peer *p, struct approval_who *ret)
{
	*ret = (struct approval_who){
		.uid = p->uid, .user = p->user, .groups = p->groups, .n_groups = p->n_groups};
}

static void arm(struct approvals *a);

int approvals_save(struct approvals *a)
{
	int r = approval_save(a->store);
	if (r < 0)
		log_errno(r, "cannot save the approval requests to %s",
			  approval_store_path(a->store));
	/* Whatever changed may have changed the next deadline. */
	arm(a);
	return r;
}

static void arm(struct approvals *a)
{
	struct ev_loop *loop = a->m->loop;
	int64_t due = approval_next_deadline(a->store);
	ev_timer_stop(loop, &a->timer);
	if (due == INT64_MAX)
		return;
	double delay = (double)due - ev_time();
	if (delay <= 0)
		delay = APPROVALS_RETRY;
	if (delay > APPROVALS_MAX_SLEEP)
		delay = APPROVALS_MAX_SLEEP;
	ev_timer_set(&a->timer, delay, 0.);
	ev_timer_start(loop, &a->timer);
}

void approvals_sweep(struct approvals *a)
{
	int64_t now = approvals_now();
	bool changed = false;
	struct approval *ap;
	while ((ap = approval_next_due(a->store, now))) {
		char rec[RECORD_ID_LEN + 1];
		if (record_new_id(rec) < 0 || approval_expire(a->store, ap, now, rec) < 0)
			break;
		changed = true;
		struct approvals_step st = {.event = "expire", .record = rec};
		int r = approvals_record(a, ap, &st, NULL, NULL, NULL);
		if (r < 0) {
			log_errno(r,
				  "cannot record the expiry of approval request %s; trying again",
				  ap->id);
			approval_undo(a->store, rec);
			break;
		}
	}
	changed |= approval_prune(a->store, now) > 0;
	if (changed)
		approvals_save(a);
	else
		arm(a);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	approvals_sweep(w->data);
}

void approvals_unwritten(struct approvals *a, const char *record)
{
	if (!a || !approval_undo(a->store, record))
		return;
	log_warning("the record %s of an approval step was not written; the step is undone",
		    record);
	approvals_save(a);
}

/* The fields the step adds to the record. */
static int add_step(json_t *rec, const struct approval *ap, const struct approvals_step *st)
{
	int r = 0;
	bool act = !strcmp(st->event, "approve") || !strcmp(st->event, "reject");
	if (act)
		r = json_object_update_new(rec,
					   json_pack("{s:s?,s:I,s:s?}", "approver", st->actor->user,
						     "approver_uid", (json_int_t)st->actor->uid,
						     "reason", st->reason));
	if (r == 0 && st->decision)
		r = json_object_set_new(rec, "decision_id", json_string(st->decision));
	if (r == 0 && st->command)
		r = json_object_update(rec, st->command);
	return r;
}

int approvals_record(struct approvals *a, const struct approval *ap,
		     const struct approvals_step *st, struct conn *c, json_t *reply,
		     audit_fail_fn fail)
{
	struct manager *m = a->m;
	const struct peer *p = st->actor;
	char ts[RECORD_TS_LEN + 1], expires[32];
	record_timestamp(ts);
	approvals_time(ap->expires, expires);
	/* Who took the step; an expiry is nobody's, and filed under the requester. */
	json_t *rec = json_pack(
		"{s:s,s:s,s:s,s:s,s:I,s:s?,s:o,s:s,s:s,s:s,s:I,s:s?,s:s,s:I,s:I,s:s,s:s,s:s}", "ts",
		ts, "id", st->record, "type", "approval", "host", m->host, "uid",
		(json_int_t)(p ? p->uid : ap->uid), "user", p ? p->user : ap->user, "pid",
		p ? json_integer(p->pid) : json_null(), "event", st->event, "request", ap->id,
		"rule", ap->rule, "requester_uid", (json_int_t)ap->uid, "requester", ap->user,
		"group", ap->group, "count", (json_int_t)ap->count, "approvals",
		(json_int_t)ap->n_votes, "state",
		approval_state_name(approval_state(ap, approvals_now())), "expires", expires,
		"digest", ap->digest);
	if (rec && add_step(rec, ap, st) < 0) {
		json_decref(rec);
		rec = NULL;
	}
	int r = rec ? audit_submit(m->audit, rec, c, reply, fail, LOG_LEVEL_NOTICE) : -ENOMEM;
	if (r < 0 && reply)
		json_decref(reply);
	return r;
}

static json_t *actor_view(const struct approval_actor *act)
{
	char ts[32];
	approvals_time(act->ts, ts);
	return json_pack("{s:s?,s:I,s:s?,s:s}", "user", act->user, "uid", (json_int_t)act->uid,
			 "reason", act->reason, "ts", ts);
}

static json_t *closed_view(const struct approval *ap)
{
	char ts[32];
	if (ap->end == APPROVAL_PENDING)
		return json_null();
	if (ap->end == APPROVAL_EXPIRED) {
		approvals_time(ap->closer.ts, ts);
		return json_pack("{s:s}", "ts", ts);
	}
	return actor_view(&ap->closer);
}

json_t *approvals_view(const struct approval *ap, const struct approval_who *who, int64_t now)
{
	char created[32], expires[32];
	approvals_time(ap->created, created);
	approvals_time(ap->expires, expires);
	enum approval_state st = approval_state(ap, now);
	json_t *votes = json_array();
	for (size_t i = 0; votes && i < ap->n_votes; i++)
		if (json_array_append_new(votes, actor_view(&ap->votes[i])) < 0) {
			json_decref(votes);
			votes = NULL;
		}
	bool may = st == APPROVAL_PENDING && approval_may_act(ap, who) == 0;
	for (size_t i = 0; may && i < ap->n_votes; i++)
		may = ap->votes[i].uid != who->uid;
	return json_pack("{s:s,s:s,s:s?,s:I,s:s,s:s,s:s,s:I,s:o,s:O,s:s,s:s,s:I,s:I,s:o,s:s,s:b}",
			 "id", ap->id, "state", approval_state_name(st), "requester", ap->user,
			 "requester_uid", (json_int_t)ap->uid, "host", ap->host, "rule", ap->rule,
			 "group", ap->group, "count", (json_int_t)ap->count, "approvals", votes,
			 "command", ap->command, "created", created, "expires", expires, "age_sec",
			 (json_int_t)(now - ap->created), "expires_in_sec",
			 (json_int_t)(ap->expires > now ? ap->expires - now : 0), "closed",
			 closed_view(ap), "digest", ap->digest, "may_approve", may);
}

/* The requests in a file that could not be used are not lost (it is kept) and not
 * silent: the log says so, where the next reader of the log looks. */
static void record_recovery(struct manager *m, const char *path, const char *moved, const char *why)
{
	char ts[RECORD_TS_LEN + 1], id[RECORD_ID_LEN + 1];
	record_timestamp(ts);
	int r = record_new_id(id);
	json_t *rec =
		r == 0 ? json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ts", ts, "id", id, "type",
				   "recovery", "host", m->host, "what", "approval requests", "file",
				   path, "saved_to", moved, "error", why)
		       : NULL;
	r = rec ? audit_submit(m->audit, rec, NULL, NULL, NULL, LOG_LEVEL_WARNING) : -ENOMEM;
	if (r < 0)
		log_errno(r, "cannot record that %s was moved aside", path);
}

int approvals_open(struct manager *m, struct approvals **ret)
{
	struct approvals *a = calloc(1, sizeof *a);
	if (!a)
		return log_errno(-ENOMEM, "cannot start");
	a->m = m;
	ev_timer_init(&a->timer, timer_cb, 0., 0.);
	a->timer.data = a;
	int r = approval_store_new(m->cfg.state_dir, &a->store);
	if (r < 0) {
		free(a);
		return log_errno(r, "cannot start");
	}
	char why[1024] = "", *moved = NULL;
	r = approval_load(a->store, &moved, why, sizeof why);
	if (r < 0) {
		log_error("refusing to start: %s", why[0] ? why : strerror(-r));
		approvals_free(a);
		return r;
	}
	const char *path = approval_store_path(a->store);
	if (moved) {
		log_error(
			"the approval requests in %s cannot be used (%s): the file is kept as %s; "
			"none of its requests can be approved or used",
			path, why, moved);
		record_recovery(m, path, moved, why);
		free(moved);
	} else if (approval_count(a->store) > 0) {
		log_info("approval requests: %zu from %s", approval_count(a->store), path);
	}
	*ret = a;
	approvals_sweep(a);
	return 0;
}

void approvals_free(struct approvals *a)
{
	if (!a)
		return;
	if (a->m->loop)
		ev_timer_stop(a->m->loop, &a->timer);
	approval_store_free(a->store);
	free(a);
}
