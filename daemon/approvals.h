/* approvals.h: guardd's side of the two-person rule: the store of approval requests
 * (approval.h) and its state file, the timer that expires them, and a record for every
 * step ("type": "approval"), written through the decision log like any other record.
 *
 * The flow (guardd(8)): Check with "request": true, when the policy's decision is
 * approve, makes a pending request bound to the exact request's digest and answers
 * with its id; members of the rule's group (or root), never the requester, approve or
 * reject it (io.guard.Approve, io.guard.Reject) and see it in io.guard.Pending, where
 * its requester follows it too; Check with "approval": ID from the same uid, for the
 * same request and rule, is then allowed, once.
 *
 * A step changes the store and saves the state file before its record is submitted;
 * if the batch holding the record cannot be written, the step is taken back (the audit
 * log's unwritten hook), so no step stands unrecorded. */
#pragma once

#include <ev.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "approval.h"
#include "audit.h"

struct manager;
struct conn;
struct peer;
struct call;
struct request;
struct outcome;

struct approvals {
	struct manager *m;
	struct approval_store *store;
	ev_timer timer; /* the next deadline: a request to expire, or one to forget */
};

/* Reads the state file from m->cfg.state_dir, records the expiry of requests that
 * expired while guardd was down, and starts the timer; m's loop and log must be open.
 * A state file that cannot be used is moved aside and a "recovery" record says so
 * (approval_load()). Returns 0 and *ret, or negative errno after logging why (a state
 * directory that cannot be trusted: guardd refuses to start). */
int approvals_open(struct manager *m, struct approvals **ret);

/* Stops the timer and frees the store (the state file is saved at every change, so
 * there is nothing left to write). Accepts NULL. */
void approvals_free(struct approvals *a);

/* The clock the store runs on: seconds since the epoch (requests outlive restarts). */
int64_t approvals_now(void);

/* Expires what is due (an "expire" record each), forgets requests that ended long
 * enough ago, saves if anything changed, and sets the timer to the next deadline.
 * Called by the timer and before every step, so that no step sees a stale state. */
void approvals_sweep(struct approvals *a);

/* Saves the state file (logs and returns negative errno on failure), and sets the
 * timer to the next deadline: called after every change. */
int approvals_save(struct approvals *a);

/* The record with this id was not written: its step is taken back and saved. */
void approvals_unwritten(struct approvals *a, const char *record);

/* One step, as its record says it. */
struct approvals_step {
	const char *event;        /* "request", "approve", "reject", "expire", "use" */
	const struct peer *actor; /* who took it; NULL for "expire" */
	const char *reason;       /* approve, reject: as given, or NULL */
	const char *decision;     /* request, use: the decision record's id */
	json_t *command;          /* request: the redacted command (borrowed) */
	const char *record;       /* the record's own id */
};

/* Submits the record of step st on request ap; reply (stolen, may be NULL) goes to c
 * (may be NULL) once it is written, else fail's reply. Returns 0 or negative errno
 * (nothing queued; reply released). */
int approvals_record(struct approvals *a, const struct approval *ap,
		     const struct approvals_step *st, struct conn *c, json_t *reply,
		     audit_fail_fn fail);

/* Who a peer is, for the store. Borrows from p. */
void approvals_who(const struct peer *p, struct approval_who *ret);

/* ap as a client sees it (Pending, Approve, Reject): a new object, or NULL. */
json_t *approvals_view(const struct approval *ap, const struct approval_who *who, int64_t now);

/* Seconds since the epoch as RFC 3339 UTC ("2026-11-25T08:46:03Z"). */
void approvals_time(int64_t t, char ret[32]);

/* Check's part (approval-check.c), called once the decision is made: when it is an
 * enforced approve and the client asked, makes the request ("request": true) or uses
 * the approval ("approval": ID), changing o (an approval used: allow; one that does
 * not fit: deny with why) and submitting the step's record, which goes out in the
 * same batch as the decision's. ret's objects (new, or NULL) are added to the decision
 * record and to the reply's parameters. why (why_size bytes) holds o->why. */
struct approvals_fields {
	json_t *record, *reply;
};
void approvals_check(struct call *call, const struct request *rq, struct outcome *o, char *why,
		     size_t why_size, struct approvals_fields *ret);
