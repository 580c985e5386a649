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

/* Appends one formatted line to e; e may be NULL (the line is dropped). Returns 0 or
 * -ENOMEM. */
int policy_errors_addf(struct policy_errors *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a JSON syntax error of file as "FILE:LINE:COLUMN: TEXT" ("FILE: TEXT" when
 * line is not positive), control characters in text (which quotes the file) made '?'
 * so that the error stays one line. Returns 0 or -ENOMEM. */
int policy_errors_add_syntax(struct policy_errors *e, const char *file, int line, int column,
			     char *text);

struct stat;

/* As doas and sudo do: only root (or we ourselves, for a daemon run by a service user
 * or for tests) may own a file guardd trusts (a policy file, its directory, the
 * settings file), and nobody else may write it. Appends "PATH: owned by uid N, not by
 * root; refusing it" and "PATH: writable by group or others (mode 0664); refusing it"
 * for what is wrong, both when both are. Returns 0, -EPERM, or -ENOMEM. */
int policy_check_owner_mode(struct policy_errors *errs, const char *path, const struct stat *st);

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
/* The decision for what cannot be understood: "unknown" in a policy file (allow, confirm
 * or deny), else confirm. */
enum policy_verdict policy_unknown(const struct policy *p);

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
	const char *host;       /* the deciding host's name; NULL matches no "host" */
	const char *const *env; /* "NAME=value" entries the client reported */
	size_t n_env;
	bool tty;   /* the client has a terminal */
	bool ssh;   /* the client runs in an ssh session */
	time_t now; /* the caller's clock, for "time" conditions */
};

/* The most dry-run rules one decision reports; more are counted, not named. */
#define POLICY_MAX_DRY_RUN 8
/* Room for the text of the deciding part and for why a request was not understood. */
#define POLICY_PART_TEXT_MAX       256
#define POLICY_UNKNOWN_TEXT_MAX    256
#define POLICY_UNKNOWN_MESSAGE_MAX (POLICY_UNKNOWN_TEXT_MAX + 96)

struct policy_rule;

struct policy_decision {
	enum policy_verdict verdict;    /* what is enforced */
	const struct policy_rule *rule; /* the rule that decided, or NULL for the default */
	const char *rule_id;            /* the rule that decided, or NULL for the default */
	const char *message;            /* shown to the person; never NULL; may point into
					 * unknown_message below */
	const char *runbook;            /* a link, or NULL */
	const char *phrase; /* confirm: what to type (the rule's, else req->host, else "yes") */
	const char *reason_pattern;  /* reason: the extended regex an answer must match */
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
	/* A request is understood as every simple command it would run (the command
	 * itself, what its wrappers run, every part of a shell line); the most
	 * restrictive verdict of them wins. part is the one that decided, as text
	 * ("rm -rf *" of "cd / && rm -rf *"); empty when the request had one part. */
	char part[POLICY_PART_TEXT_MAX];
	/* Why some of the request could not be understood (an eval, a pipe into sh,
	 * an unterminated quote...), when that decided; else empty. What cannot be
	 * understood gets the policy's "unknown" verdict (default confirm), with rule and
	 * rule_id NULL. part and unknown are one line of valid UTF-8, cut with "..." to
	 * fit. */
	char unknown[POLICY_UNKNOWN_TEXT_MAX];
	/* When unknown decided, message is "guard cannot fully understand this command:
	 * WHY; confirm it" ("...; so it is refused", "...; the policy lets it run"), held
	 * here: read message from the decision it was returned in, not from a copy that
	 * outlives it. */
	char unknown_message[POLICY_UNKNOWN_MESSAGE_MAX];
};

/* Each part of the request is evaluated; for each, the first matching rule
 * decides, no match gives the default; the most restrictive part wins (of equals, the
 * first). The parts of an argv request are the command and what its wrappers run (sudo,
 * env, nice, sh -c STRING, find -exec, ssh...; see guard-policy(5)). Strings in *ret are
 * owned by p and live as long as it, except phrase, which may be req->host, and message,
 * which may point into *ret. Returns 0;
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

/* One rule's part in an explanation, in policy order, up to the deciding rule; for each
 * part of the request in turn. A part that could not be understood has one trace of its
 * own instead, with rule_id and file NULL, index 0, matched true, verdict the policy's
 * "unknown" setting, failed NULL and why saying what could not be understood. */
struct policy_trace {
	const char *rule_id;
	const char *file;            /* the file's path as loaded */
	size_t index;                /* position in the file's "rules" */
	bool matched;                /* all conditions held */
	bool dry_run;                /* the rule is "mode": "dry-run" */
	enum policy_verdict verdict; /* the rule's decision */
	const char *failed;          /* the first condition that did not hold, as a path into
				      * the rule ("match.flags[0]", "match.time.days"); NULL
				      * when matched */
	const char *why;             /* that condition in words ("no -r, -R or --recursive") */
	const char *part;            /* the part of the request being judged, as text (never
				      * NULL, also when the request is one part) */
};

/* A shell line, as `guard -c LINE` and coding agents hand them over. Same as
 * policy_evaluate() with the request's argv replaced by what the line would run
 * (req->argv and req->argc are ignored and may be NULL and 0; req->program too, as a
 * line has no one program). The line is analysed, never run. A line that runs no
 * command (only comments or assignments) is allowed with message "it runs no command".
 * Returns 0, -EINVAL (a NULL line, longer than POLICY_LINE_MAX, or a request that breaks
 * the contract above), -ENOMEM. */
#define POLICY_LINE_MAX (64 * 1024)
int policy_evaluate_line(const struct policy *p, const struct policy_request *req, const char *line,
			 struct policy_decision *ret);

/* Like policy_evaluate(), and calls fn for every rule up to the one that decided
 * (every rule when the default decided). The strings in a trace live until fn
 * returns. Slower than policy_evaluate(): meant for people, not the hot path. */
int policy_explain(const struct policy *p, const struct policy_request *req,
		   void (*fn)(void *userdata, const struct policy_trace *t), void *userdata,
		   struct policy_decision *ret);

/* policy_explain() for a shell line: fn is called for each part's rules in turn. */
int policy_explain_line(const struct policy *p, const struct policy_request *req, const char *line,
			void (*fn)(void *userdata, const struct policy_trace *t), void *userdata,
			struct policy_decision *ret);

/* One rule as `guard --list` shows it. The strings live until fn returns. */
struct policy_listing {
	const char *rule_id;
	const char *file; /* the file's path as loaded */
	size_t index;     /* position in the file's "rules" */
	enum policy_verdict verdict;
	bool dry_run;
	const char *description; /* the rule's, or NULL */
	const char *message;     /* the rule's, or NULL */
	const char *runbook;     /* the rule's, or NULL */
	const char *command;     /* its command conditions in plain words ("program rm, with
				  * flags -r and -f"); "any command" when it has none */
	const char *context;     /* its context conditions in plain words ("on host db-*"), or
				  * NULL when it has none */
};

/* Calls fn, in policy order, for every rule that may apply to req's context whatever
 * the command: those whose user, group, host, cwd, env, tty, ssh and time conditions do
 * not rule them out by themselves. req->argv, argc and program are ignored. Returns 0,
 * -EINVAL for a request that breaks the contract of policy_evaluate(), or -ENOMEM. */
int policy_list(const struct policy *p, const struct policy_request *req,
		void (*fn)(void *userdata, const struct policy_listing *l), void *userdata);
