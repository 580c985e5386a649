/* approval.h: guard's side of the two-person rule. When guardd's decision is approve,
 * the Check (sent with "request": true) has made a pending request; guard says its id
 * and the command an approver runs, then waits, asking guardd (io.guard.Pending) every
 * few seconds, with a countdown on a terminal, until the request is approved (guard
 * then asks again with "approval": ID, and runs), rejected, expired, or the person
 * presses Ctrl-C. --no-wait stops after saying how to go on: guard --approval ID. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct approval_opts {
	const char *socket; /* --socket, or NULL */
	bool no_wait;       /* --no-wait: say how to go on, exit 2 */
	const char *line;   /* -c LINE, or NULL */
	char **cmd;         /* else the command (NULL-terminated), for the line to run */
};

/* Appends s to buf (size bytes, n of them used) as a POSIX shell word: as it is when
 * plain, else in single quotes; control characters shown as '?'. Cut to fit. Returns
 * the new length. */
size_t approval_quote(const char *s, char *buf, size_t size, size_t n);

/* A request's command ({argv|line, ...}) as one line of shell words, cut to fit. */
void approval_command_text(json_t *command, char *buf, size_t size);

/* Whether s is a request id (32 lowercase hex digits). */
bool approval_id_ok(const char *s);

/* Adds to Check's parameters what the approval flow needs: "approval": id when one is
 * to be used, else "request": true (nothing is made for a --check). Returns 0 or
 * -ENOMEM. */
int approval_params(json_t *params, bool check, const char *id);

/* The id of the request a Check's reply parameters say was made, or NULL. */
const char *approval_made(json_t *params);

/* After a Check whose reply (parameters p) made a request: says so, then waits for
 * the approval. Returns 0 when it is approved (params then carry "approval": ID for
 * the Check that uses it), or guard's exit code after saying why: 1 rejected or used,
 * 2 expired, gone or --no-wait, 3 guardd unreachable past the deadline. Ctrl-C while
 * waiting says how to go on and ends guard by SIGINT. */
int approval_wait_new(const struct approval_opts *o, json_t *p, json_t *params);

/* guard --approval ID: waits until ID is approved (returns at once when it is), as
 * approval_wait_new() does. */
int approval_wait_id(const struct approval_opts *o, const char *id);
