/* audit.h: the append-only decision log, one JSON line per record, hash-chained.
 *
 * Group commit: records submitted while the loop handles one round of events are
 * appended together with one write just before the loop waits again, and, with
 * AUDIT_SYNC_ALWAYS, made durable with one fdatasync; only then are their replies
 * sent. A batch is written whole or not at all: on any failure the file is cut back
 * to where the batch began and every reply in it becomes the failure reply.
 *
 * Every record gets "seq" (previous + 1) and "prev" (common/chain.h) as its last
 * two fields when it is submitted, so the chain is the order of submission. */
#pragma once

#include <ev.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "manager.h"

struct audit;
struct conn;
struct syslog_sink;

/* The reply sent instead when the batch holding a record could not be written.
 * id is the record's id; error a negative errno. Returns a new reply object. */
typedef json_t *(*audit_fail_fn)(const char *id, int error);

/* Opens (creating with mode 0640) the log for appending and finds where the chain
 * stands. A torn last line (a crash mid-write) is moved to PATH.torn-TIMESTAMP,
 * never deleted, and a "recovery" record saying so continues the chain. host is
 * copied into recovery records; sink (may be NULL) gets every record, the recovery one
 * included (see audit_set_sink). Returns 0 and a new writer in *ret, or negative
 * errno after logging what went wrong. */
int audit_open(struct ev_loop *loop, const char *path, enum audit_sync sync, const char *host,
	       struct syslog_sink *sink, struct audit **ret);

/* Writes what is pending, then closes. Accepts NULL. */
void audit_free(struct audit *a);

const char *audit_path(const struct audit *a);
/* 0 while the log is being written, else the last failure (negative errno). */
int audit_failing(const struct audit *a);
/* The seq of the last record written. */
uint64_t audit_seq(const struct audit *a);
enum audit_sync audit_sync_mode(const struct audit *a);

/* Called with the id of every record of a batch that could not be written, so that
 * what was noted about it when it was submitted can be undone. */
typedef void (*audit_unwritten_fn)(void *data, const char *id);
void audit_set_unwritten_hook(struct audit *a, audit_unwritten_fn fn, void *data);

/* Each record written from now on also goes to sink (NULL: none); not owned. */
void audit_set_sink(struct audit *a, struct syslog_sink *sink);

/* Queues rec (stolen) for the next batch. When it is written, reply (stolen) is
 * sent to c with conn_reply_later(); when not, fail(id, error)'s reply is. The
 * caller marks its call as answered later. priority is the syslog priority.
 * Returns 0, or negative errno (nothing queued, nothing stolen but rec). */
int audit_submit(struct audit *a, json_t *rec, struct conn *c, json_t *reply, audit_fail_fn fail,
		 int priority);

/* Writes every pending batch now (the loop does this by itself before it waits). */
void audit_flush(struct audit *a);

/* c is going away: its pending records are still written, their replies dropped. */
void audit_forget(struct audit *a, const struct conn *c);

/* Reopens the log at its path (after logrotate moved it), or, with rotate_to, first
 * renames the file to rotate_to. Pending records go to the old file first; the
 * chain continues in the new one. Returns 0 or negative errno (the old file stays
 * in use). */
int audit_reopen(struct audit *a, const char *rotate_to);
