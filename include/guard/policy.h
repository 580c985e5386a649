/* policy.h: the policy engine: load and validate JSON rules, evaluate a request.
 * Pure: no sockets, no clock and no host name of its own; the caller passes the context.
 * The only I/O is reading the policy files. Library code never logs: errors go back
 * to the caller, who prints them. See guard-policy(5) for the file format. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Ordered from least to most restrictive: when several parts of a request are
 * judged (a shell line), the greatest verdict wins. */
enum policy_verdict {
	POLICY_ALLOW,
	POLICY_CONFIRM, /* the person types a phrase (by default the host name) */
	POLICY_REASON,  /* the person gives a justification matching a pattern */
	POLICY_APPROVE, /* a second person from a named group approves */
	POLICY_DENY,
};

/* "allow", "confirm", "reason", "approve", "deny"; never NULL. */
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
	const char *home;               /* uid's home directory ("~"), or NULL */
	const gid_t *groups;            /* primary and supplementary group ids */
	const char *const *group_names; /* parallel to groups; entries may be NULL */
	size_t n_groups;
	const char *host;         /* the deciding host's name; NULL matches no "host" */
	const char *const *env;   /* "NAME=value" entries the client reported */
	size_t n_env;
	bool tty;                 /* the client has a terminal */
	bool ssh;                 /* the client runs in an ssh session */
	time_t now;               /* the caller's clock, for "time" conditions */
};

/* The most dry-run rules one decision reports; more are counted, not named. */
#define POLICY_MAX_DRY_RUN 8

struct policy_rule;

struct policy_decision {
	enum policy_verdict verdict; /* what is enforced */
	const struct policy_rule *rule; /* the rule that decided, or NULL for the default */
	const char *rule_id; /* the rule that decided, or NULL for the default */
	const char *message; /* shown to the person; never NULL */
	const char *runbook; /* a link, or NULL */
	const char *phrase;  /* confirm: what to type (the rule's, else req->host, else "yes") */
	const char *reason_pattern; /* reason: the extended regex an answer must match */
	const char *approvers_group; /* approve: who may approve */
	unsigned approvers_count;    /* approve: how many of them */
	unsigned approvers_expires;  /* approve: seconds the approval stays valid */
	/* Dry-run rules that matched on the way: recorded, never enforced. Evaluation
	 * goes on past them to the first enforcing rule that matches. */
	struct {
		const char *rule_id;
		enum policy_verdict verdict;
	} dry_run[POLICY_MAX_DRY_RUN];
	size_t n_dry_run; /* how many matched; only the first POLICY_MAX_DRY_RUN are named */
};

/* First matching rule decides; no match gives the default. Strings in *ret are
 * owned by p and live as long as it, except phrase, which may be req->host. Returns 0;
 * -EINVAL for a request that breaks the contract above (argc 0, NULL argv entries,
 * relative cwd, NULL env entries); or -ENOMEM. On failure *ret is untouched and the
 * caller must deny. */
int policy_evaluate(const struct policy *p, const struct policy_request *req,
		    struct policy_decision *ret);

/* The environment variable names the policy's "env" conditions refer to, sorted
 * and unique: only these are worth recording (the full environment never is).
 * Returns how many, with the array (owned by p) in *ret. */
size_t policy_env_names(const struct policy *p, const char *const **ret);

/* Whether text is an acceptable answer to the reason step of rule (the rule's
 * reason_pattern, an extended regex compiled at load). False for other rules. */
bool policy_reason_ok(const struct policy_rule *rule, const char *text);

/* One rule's part in an explanation, in policy order, up to the deciding rule. */
struct policy_trace {
	const char *rule_id;
	const char *file;        /* the file's path as loaded */
	size_t index;            /* position in the file's "rules" */
	bool matched;            /* all conditions held */
	bool dry_run;            /* the rule is "mode": "dry-run" */
	enum policy_verdict verdict; /* the rule's decision */
	const char *failed;      /* the first condition that did not hold, as a path into
				  * the rule ("match.flags[0]", "match.time.days"); NULL
				  * when matched */
	const char *why;         /* that condition in words ("no -r, -R or --recursive") */
};

/* Like policy_evaluate(), and calls fn for every rule up to the one that decided
 * (every rule when the default decided). The strings in a trace live until fn
 * returns. Slower than policy_evaluate(): meant for people, not the hot path. */
int policy_explain(const struct policy *p, const struct policy_request *req,
		   void (*fn)(void *userdata, const struct policy_trace *t), void *userdata,
		   struct policy_decision *ret);
