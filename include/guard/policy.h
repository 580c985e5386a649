/* policy.h: the policy engine: load and validate JSON rules, evaluate a request.
 * Pure: no sockets, no clock and no host name of its own; the caller passes the context.
 * The only I/O is reading the policy files. Library code never logs: errors go back
 * to the caller, who prints them. See guard-policy(5) for the file format. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum policy_verdict {
	POLICY_ALLOW,
	POLICY_DENY,
};

/* "allow" / "deny"; never NULL. */
const char *policy_verdict_to_string(enum policy_verdict v);
/* Returns 0 and sets *ret, or -EINVAL for an unknown name (*ret untouched). */
int policy_verdict_from_string(const char *s, enum policy_verdict *ret);

/* Every problem found while loading, one line each, already formatted as
 * "FILE:LINE:COLUMN: text" (JSON syntax) or "FILE: rules[3].match.flags: text". */
struct policy_errors {
	char **lines;
	size_t n;
};

/* Frees the lines and leaves e empty and reusable. Accepts an empty e. */
void policy_errors_clear(struct policy_errors *e);

struct policy;

/* Loads every "*.json" file of dir (not starting with '.') in strcmp() order of
 * their names. All or nothing: returns 0 and a new policy in *ret (the caller
 * frees it with policy_free()), or a negative errno with *ret untouched and every
 * error appended to errs: -EINVAL for content errors, -EPERM for files whose owner
 * or mode is refused, other errnos when the directory cannot be read. Files must be
 * owned by root or by the calling process's effective uid and not writable by group
 * or others; the directory too. An empty directory is an error. */
int policy_load_dir(const char *dir, struct policy_errors *errs, struct policy **ret);

/* As policy_load_dir(), for an explicit list of files in the given order. */
int policy_load_files(const char *const *paths, size_t n, struct policy_errors *errs,
		      struct policy **ret);

/* Accepts NULL. */
void policy_free(struct policy *p);

/* Revision of the loaded policy: lowercase hex SHA-256 over each file's name and
 * contents in load order. Owned by p. */
const char *policy_revision(const struct policy *p);
size_t policy_n_rules(const struct policy *p);
size_t policy_n_files(const struct policy *p);
/* The decision when no rule matches: "default" in a policy file, else allow. */
enum policy_verdict policy_default(const struct policy *p);

/* What is asked. Borrowed by policy_evaluate() for the call only. */
struct policy_request {
	const char *const *argv; /* the command as typed; argv[0] is the program word */
	size_t argc;             /* >= 1 */
	const char *program;     /* absolute path the client resolved, or NULL */
	const char *cwd;         /* the client's absolute working directory */
	uid_t uid;               /* from the kernel, never from the request */
	gid_t gid;
	const char *user;               /* name of uid, or NULL when it has none */
	const gid_t *groups;            /* primary and supplementary group ids */
	const char *const *group_names; /* parallel to groups; entries may be NULL */
	size_t n_groups;
};

struct policy_decision {
	enum policy_verdict verdict;
	const char *rule_id; /* the rule that decided, or NULL for the default */
	const char *message; /* shown to the person; never NULL */
	const char *runbook; /* a link, or NULL */
};

/* First matching rule decides; no match gives the default. Strings in *ret are
 * owned by p and live as long as it. Returns 0; -EINVAL for a request that
 * breaks the contract above (argc 0, NULL argv entries, relative cwd); or
 * -ENOMEM. On failure *ret is untouched and the caller must deny. */
int policy_evaluate(const struct policy *p, const struct policy_request *req,
		    struct policy_decision *ret);
