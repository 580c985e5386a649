/* breakglass.h: break-glass: a command run in an emergency without a decision, and
 * recorded; the site's say on who may do it; the record, shared by io.guard.BreakGlass
 * and the spool that guard fills while guardd is down. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "guard/policy.h"

struct manager;
struct request;

/* The longest reason, in bytes, as for a rule's reason step. */
#define BREAKGLASS_REASON_MAX 1024

/* What a break-glass record says. */
struct breakglass {
	const char *id; /* the record's */
	uid_t uid;      /* from the kernel, or the spool file's owner */
	gid_t gid;
	pid_t pid;        /* the client's, as the kernel or (spooled) guard said */
	const char *user; /* uid's name, or NULL */
	const struct request *req;
	const char *reason;
	const struct policy_decision *would; /* what the policy would have decided, or NULL */
	const char *forbidden;               /* why the site forbids it, or NULL */
	/* Spooled: guard wrote it to the spool while guardd could not be reached. */
	const char *spool_id;   /* NULL unless spooled */
	const char *spooled_at; /* the time guard wrote in the entry (RFC 3339), or NULL */
	long long claimed_uid;  /* a uid the entry claimed that is not its owner's, or -1 */
};

/* NULL when the site lets uid (named user, may be NULL) break glass; else why not, as
 * a sentence for the person. */
const char *breakglass_forbidden(const struct manager *m, uid_t uid, const char *user);

/* NULL when reason is acceptable (1 to BREAKGLASS_REASON_MAX bytes, no control
 * characters: it goes into the record, syslog and in front of people); else why not.
 * Inline, so that the spool's parser stays a pure unit of its own. */
static inline const char *breakglass_reason_problem(const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;

	if (n == 0)
		return "a break-glass needs a reason";
	if (n > BREAKGLASS_REASON_MAX)
		return "the reason is longer than 1024 bytes";
	for (const char *s = reason; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "the reason has control characters";
	return NULL;
}

/* The record (type "break-glass") as a new JSON object, redacted, or NULL when out of
 * memory. */
json_t *breakglass_record(const struct manager *m, const struct breakglass *b);
