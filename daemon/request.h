/* request.h: the parameters a client sends with Check and Explain, validated,
 * and the policy context built from them and from what the kernel says. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "guard/policy.h"

struct call;
struct peer;
struct manager;

struct request {
	json_t *argv;        /* borrowed from the call's parameters; NULL for a line */
	const char *line;    /* a shell line instead of argv, or NULL */
	const char **argv_v; /* owned array of borrowed strings, NULL-terminated */
	size_t argc;
	const char *program; /* absolute, or NULL */
	const char *cwd;     /* absolute */
	const char *tty;     /* the client's terminal, or NULL */
	bool check;          /* --check: a question, nothing will run */
	char **env;          /* owned "NAME=value" strings */
	size_t n_env;
	const char *confirm; /* the phrase the person typed, or NULL */
	const char *reason;  /* the reason the person gave, or NULL */
	bool want_request;    /* "request": put an approve decision up for approval */
	const char *approval; /* "approval": the approved request to use, or NULL */
};

/* The keys a method accepts, besides those every request has (argv, program,
 * cwd, tty, env). */
enum {
	REQUEST_CHECK = 1 << 0,   /* "check" */
	REQUEST_ANSWERS = 1 << 1, /* "confirm", "reason" */
	REQUEST_EXPLAIN = 1 << 2, /* "user", "host", "time": a hypothetical context */
	REQUEST_REASON = 1 << 3,  /* "reason" alone (BreakGlass) */
	/* No argv, line or program: the context alone (List). */
	REQUEST_NO_COMMAND = 1 << 4,
	REQUEST_APPROVAL = 1 << 5, /* "request", "approval" (Check; see approvals.h) */
};

/* Fills *ret from call->params. Returns 0 (release *ret with request_done()),
 * -EINVAL with the InvalidParameter reply to send in *ret_reply (the call is
 * marked for hang-up), or -ENOMEM (*ret_reply may then be NULL). */
int request_parse(struct call *call, unsigned keys, struct request *ret, json_t **ret_reply);

void request_done(struct request *r);

/* The policy's view of the request: what the client reported, who the kernel
 * says is asking, and the daemon's own host and clock. Borrows from r and peer. */
void request_context(const struct request *r, const struct peer *peer, const struct manager *m,
		     struct policy_request *ret);

/* The variables of r the policy refers to, as a JSON object for the record:
 * the full environment is never written down. */
json_t *request_env_record(const struct request *r, const struct policy *p);
