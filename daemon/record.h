/* record.h: the fields of a decision record (see ARCHITECTURE.md). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "guard/policy.h"

struct manager;
struct peer;
struct request;
struct redact;

#define RECORD_ID_LEN 32 /* hex characters */
#define RECORD_TS_LEN 27 /* 2026-11-25T08:46:03.123456Z */

/* A fresh unguessable id: later calls (approvals) refer to decisions by it. */
int record_new_id(char ret[RECORD_ID_LEN + 1]);

/* Now as RFC 3339 UTC with microseconds. */
void record_timestamp(char ret[RECORD_TS_LEN + 1]);

/* What came of a request: the policy's decision, and what the person answered. */
struct outcome {
	const char *id;
	struct policy_decision d; /* d.verdict is what is enforced */
	enum policy_verdict step; /* the rule's human step, when it had one (else ALLOW) */
	bool answered;            /* the person answered the step */
	bool answer_ok;           /* ... and the daemon accepted the answer */
	const char *why;          /* our own message, when it replaces the rule's */
};

/* The decision record as a new JSON object, or NULL when out of memory. */
json_t *record_decision(const struct manager *m, const struct peer *peer, const struct request *req,
			const struct outcome *o);

/* The parameters of the reply to the client, or NULL when out of memory. */
json_t *record_reply(const struct manager *m, const struct outcome *o);

/* Hides secrets in rec's argv, line, part and env values (redact.h) and marks it
 * "redacted": true when anything was hidden. Returns 0 or -ENOMEM; on failure the
 * record must not be written as it is. */
int record_redact(json_t *rec, const struct redact *r);

/* The whole reply (not only its parameters) when the record of decision id could
 * not be written (error: negative errno): a deny that says the log is unavailable,
 * so nothing runs unrecorded. Matches audit_fail_fn. */
json_t *record_unrecorded(const char *id, int error);

/* How a command that a decision allowed ended, as its guard reported it. */
struct completion {
	const char *id;          /* the completion record's own id */
	const char *decision_id; /* the decision that let the command run */
	int exit;                /* 0..255, or -1 (null) when a signal ended it */
	int signal;              /* the signal that ended it, or 0 (null) */
	int64_t duration_ms;
};

/* The completion record (type "completion") as a new JSON object, or NULL when
 * out of memory. uid, user and pid are the reporter's, from the kernel. */
json_t *record_completion(const struct manager *m, const struct peer *peer,
			  const struct completion *c);
