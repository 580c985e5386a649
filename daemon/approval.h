/* approval.h: the approval requests of the two-person rule: who asked for exactly
 * what (bound by a digest), who approved or rejected it, and whether it was used.
 * Kept in memory and in a state file (approval-file.c) so that they survive a
 * restart. Pure: no clock, no loop, no log of its own; the caller passes the time,
 * writes the records, and saves after every change.
 *
 * A request's state: pending until `count` members of its group approved it, then
 * approved; it ends rejected (by an approver, or withdrawn by its requester), used
 * (once, by its requester, for the very same request), or expired. A pending request
 * lives `lifetime` seconds from its creation; an approved one `lifetime` seconds from
 * the approval that completed it. An ended request is kept APPROVAL_KEEP_SEC more, so
 * that the guard waiting on it learns how it ended, then forgotten.
 *
 * Every change names the id of the record that reports it; approval_undo() takes the
 * change back when that record could not be written, so no step stands unrecorded. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define APPROVAL_ID_LEN     32 /* hex, as RECORD_ID_LEN */
#define APPROVAL_DIGEST_LEN 64 /* hex SHA-256 */

/* Limits on what clients make us keep. Open (pending or approved) requests of one
 * uid; requests in all, ended ones included; one request's command as JSON; the
 * commands of all of them (the state file is rewritten on every change). */
#define APPROVAL_MAX_PER_UID 16
#define APPROVAL_MAX         1024
#define APPROVAL_MAX_COMMAND (16 * 1024)
#define APPROVAL_MAX_BYTES   (4 * 1024 * 1024)
#define APPROVAL_MAX_VOTES   10 /* a rule asks for at most 10 approvals */
#define APPROVAL_MAX_REASON  1024
#define APPROVAL_MAX_NAME    256 /* a user, group, rule or host name */
#define APPROVAL_KEEP_SEC    600
/* The state file's name in the state directory, and its largest size. */
#define APPROVAL_FILE     "approvals.json"
#define APPROVAL_FILE_MAX (APPROVAL_MAX_BYTES + APPROVAL_MAX * 32 * 1024)

enum approval_state {
	APPROVAL_PENDING,  /* waiting for approvals */
	APPROVAL_APPROVED, /* enough approvals: its requester may use it, once */
	APPROVAL_REJECTED, /* an approver said no, or the requester withdrew it */
	APPROVAL_EXPIRED,
	APPROVAL_USED,
};

/* "pending", "approved", "rejected", "expired", "used". */
const char *approval_state_name(enum approval_state s);

/* Someone who acted on a request: an approver, who rejected it, who used it. */
struct approval_actor {
	uid_t uid;
	char *user;                       /* NULL when the uid has no name */
	char *reason;                     /* NULL when none was given */
	int64_t ts;                       /* seconds since the epoch */
	char record[APPROVAL_ID_LEN + 1]; /* the record that reported it ("" once loaded) */
	int64_t prev_expires;             /* an approval's undo: the deadline before it */
};

struct approval {
	char id[APPROVAL_ID_LEN + 1];
	char digest[APPROVAL_DIGEST_LEN + 1];
	char decision[APPROVAL_ID_LEN + 1]; /* the decision record that asked */
	uid_t uid;                          /* the requester, from the kernel */
	char *user;                         /* NULL when unnamed */
	char *host, *rule;
	char *group;       /* the rule's approver group as written (a name or a gid) */
	gid_t gid;         /* ... resolved when the request was made */
	unsigned count;    /* approvals needed, 1..APPROVAL_MAX_VOTES */
	unsigned lifetime; /* seconds (the rule's "expires") */
	int64_t created, expires;
	json_t *command; /* {argv|line, program, cwd, env}, redacted: what approvers see */
	struct approval_actor votes[APPROVAL_MAX_VOTES];
	size_t n_votes;
	enum approval_state end;           /* PENDING while open, else how it ended */
	struct approval_actor closer;      /* reject: who; use: the requester; expire: ts only */
	char used_by[APPROVAL_ID_LEN + 1]; /* use: the decision that ran it */
	char create_record[APPROVAL_ID_LEN + 1], end_record[APPROVAL_ID_LEN + 1];
	size_t bytes; /* the command's size as JSON, for APPROVAL_MAX_BYTES */
};

/* Who is acting, as the kernel says (struct peer). */
struct approval_who {
	uid_t uid;
	const char *user;
	const gid_t *groups; /* primary first, then supplementary */
	size_t n_groups;
};

/* What a new request is. Strings are copied; command is copied deeply. */
struct approval_new {
	const char *id;       /* fresh and unguessable (record_new_id()) */
	const char *digest;   /* approval_digest() of the exact request */
	const char *decision; /* the decision record that asks */
	const char *record;   /* the "request" record's id */
	uid_t uid;
	const char *user;
	const char *host, *rule, *group;
	gid_t gid;
	unsigned count, lifetime;
	json_t *command;
};

struct approval_store;

/* A store whose state file lives in dir (not touched until approval_load() or
 * approval_save()). Returns 0 and *ret, or -ENOMEM. */
int approval_store_new(const char *dir, struct approval_store **ret);
/* Accepts NULL. */
void approval_store_free(struct approval_store *s);
/* Forgets every request (the file is not touched). */
void approval_store_clear(struct approval_store *s);
/* The state file's path. */
const char *approval_store_path(const struct approval_store *s);

/* The lowercase hex SHA-256 of the canonical JSON (sorted keys, compact) of
 * {"command": command, "host": host, "uid": uid}: the exact request an approval is
 * for. command is the unredacted {argv|line, program, cwd, env}. Returns 0, -ENOMEM
 * or -EIO. */
int approval_digest(json_t *command, uid_t uid, const char *host,
		    char ret[APPROVAL_DIGEST_LEN + 1]);

/* The state of a at time now: an open request past its deadline is expired even
 * before approval_expire() records it so. */
enum approval_state approval_state(const struct approval *a, int64_t now);

/* Adds a pending request. Ended requests are forgotten, those that ended first first,
 * to make room. Returns 0 and the request in *ret (owned by s), or -EUSERS (the uid
 * has APPROVAL_MAX_PER_UID open requests), -ENOSPC (the store is full of open ones),
 * -E2BIG (the command is larger than APPROVAL_MAX_COMMAND), -EEXIST (the id is
 * taken), -EINVAL, -ENOMEM. */
int approval_create(struct approval_store *s, const struct approval_new *n, int64_t now,
		    struct approval **ret);

/* The request with this id, or NULL. */
struct approval *approval_find(const struct approval_store *s, const char *id);

/* The requests, in the order they were made: i < approval_count(s). */
size_t approval_count(const struct approval_store *s);
struct approval *approval_at(const struct approval_store *s, size_t i);

/* Open requests of uid. */
size_t approval_open_by(const struct approval_store *s, uid_t uid, int64_t now);

/* Whether who may approve or reject a: 0; -EPERM when it is who's own request (root's
 * too); -EACCES when who is neither root nor in a's group. */
int approval_may_act(const struct approval *a, const struct approval_who *who);

/* Whether who may see a: its requester, root, members of its group. */
bool approval_visible(const struct approval *a, const struct approval_who *who);

/* who approves a, reported by record. Returns 0, or: -EPERM, -EACCES as
 * approval_may_act(); -EEXIST who has approved it already; -ETIME it has expired;
 * -EALREADY it is approved already, rejected or used. The approval that completes
 * the count moves the deadline to now + lifetime. */
int approval_approve(struct approval_store *s, struct approval *a, const struct approval_who *who,
		     const char *reason, int64_t now, const char *record);

/* who rejects a (its requester: withdraws it), reported by record. Returns 0,
 * -EACCES (neither the requester, root nor in the group), -ETIME, -EALREADY (ended). */
int approval_reject(struct approval_store *s, struct approval *a, const struct approval_who *who,
		    const char *reason, int64_t now, const char *record);

/* The requester uses the approved a for decision, reported by record: the request
 * must be uid's, approved, not expired, and for the same digest and rule. Returns 0,
 * -EPERM (another uid's), -EAGAIN (not approved yet), -ETIME, -EALREADY (rejected or
 * used), -ENOMSG (another request: digest or rule differ). */
int approval_use(struct approval_store *s, struct approval *a, uid_t uid, const char *digest,
		 const char *rule, int64_t now, const char *decision, const char *record);

/* An open request past its deadline, or NULL: the next to approval_expire(). */
struct approval *approval_next_due(const struct approval_store *s, int64_t now);
/* Marks a (open, past its deadline) expired, reported by record. 0 or -EINVAL. */
int approval_expire(struct approval_store *s, struct approval *a, int64_t now, const char *record);

/* Forgets requests that ended more than APPROVAL_KEEP_SEC ago; returns how many. */
size_t approval_prune(struct approval_store *s, int64_t now);

/* When something is next due (an open request's deadline, an ended one's end of
 * keeping); INT64_MAX when nothing is. */
int64_t approval_next_deadline(const struct approval_store *s);

/* The record with this id could not be written: takes back the change it reported
 * (a request made is forgotten, an approval withdrawn, an end undone). Returns true
 * when something changed (the state file must then be saved again). */
bool approval_undo(struct approval_store *s, const char *record);

/* a as it is saved: a new object, or NULL when out of memory. */
json_t *approval_to_json(const struct approval *a);

/* Writes every request to the state file atomically (a temporary file, fsync,
 * rename, fsync of the directory), mode 0600, making the directory (0700) if it is
 * missing; it must pass the checks approval_load() makes. Returns 0 or negative
 * errno (-EPERM: the directory's owner or mode); the old file stays as it was on
 * failure. */
int approval_save(struct approval_store *s);

/* Reads the state file, if there is one, into the (empty) store. A missing directory
 * holds no requests; one that exists must be owned by root or the effective uid and
 * not writable by group or others, else -EPERM. A state file that cannot be trusted or
 * read (not a regular file, another owner, readable by others, too large, not JSON,
 * a wrong field) is moved aside to FILE.broken-TIMESTAMP: nothing in it is lost, and
 * none of it is used. Returns 0; *ret_moved is then NULL, or the new name of a file
 * moved aside (the caller frees it) with why written to why. Negative errno when the
 * directory cannot be used or a broken file cannot be moved aside (why says which). */
int approval_load(struct approval_store *s, char **ret_moved, char *why, size_t why_size);

/* For approval-file.c: a request from its saved form (returns 0, or -EINVAL with
 * why), and adding it to the store as it is. */
int approval_from_json(json_t *o, struct approval **ret, char *why, size_t why_size);
int approval_store_add(struct approval_store *s, struct approval *a);
void approval_free(struct approval *a);
