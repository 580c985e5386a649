/* policy-internal.h: what the files of the policy library share with each other.
 * Not installed; the public API is include/guard/policy.h. */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "guard/policy.h"

/* Limits, checked while loading so that evaluation never meets an unbounded input
 * from the policy side. */
#define POLICY_FILE_MAX    (1024 * 1024) /* bytes of one policy file */
#define POLICY_ID_MAX      64            /* characters of a rule id */
#define POLICY_MESSAGE_MAX 1024          /* characters of a message */
#define POLICY_RUNBOOK_MAX 1024          /* characters of a runbook link */
#define POLICY_GLOB_MAX    4096          /* bytes of one glob (PATH_MAX) */
#define POLICY_QUOTE_MAX   128           /* bytes of a quoted string in an error line */

static inline void policy_freep(void *p)
{
	free(*(void **)p);
}
#define AUTOFREE __attribute__((cleanup(policy_freep)))

/* Of two results, the one to return: out of memory beats everything (the error list
 * is incomplete), then the first refusal or I/O error, then a content error. */
static inline int policy_worse(int a, int b)
{
	if (b == -ENOMEM || a == 0 || a == -EINVAL)
		return b ? b : a;
	return a;
}

/* errors.c */

/* Appends one formatted line to e; e may be NULL (the line is dropped). Returns 0 or
 * -ENOMEM. */
int policy_errors_addf(struct policy_errors *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes s to buf as a double-quoted string with control characters, '"' and '\'
 * escaped, cut (at a character boundary, marked "...") to fit size bytes, so that a
 * hostile key cannot break an error line in two or make it huge. */
void policy_quote(const char *s, char *buf, size_t size);

/* The policy in memory. Strings are borrowed from the parsed JSON documents, which
 * the policy keeps alive; the arrays are owned. */
struct policy_strv {
	const char **v;
	size_t n; /* 0: the condition was not given (empty arrays are refused) */
};

struct policy_match {
	struct policy_strv program;
	struct policy_strv subcommand;
	struct policy_strv *flags; /* every element must hold; each is an any-of set */
	size_t n_flags;
	struct policy_strv args;
	struct policy_strv paths;
	struct policy_strv user;
	struct policy_strv group;
};

struct policy_rule {
	const char *id; /* NULL only in a file with errors */
	const char *description;
	const char *message;
	const char *runbook;
	enum policy_verdict decision;
	size_t index; /* position in its file's "rules" array, for error lines */
	struct policy_match match;
};

struct policy_file {
	char *path; /* as shown in error lines */
	json_t *doc;
	struct policy_rule *rules;
	size_t n_rules;
	bool has_default;
	enum policy_verdict default_verdict;
};

struct policy {
	struct policy_file *files;
	size_t n_files;
	size_t n_rules;
	enum policy_verdict default_verdict;
	char revision[65];
};

/* parse.c */

/* Parses and validates one file's text into f, whose path must be set. Every problem
 * is appended to errs. f is filled with what could be understood even when the file
 * has errors, so that the caller can still check ids across files; the caller releases
 * it with policy_file_done(). Returns 0, -EINVAL (errors appended) or -ENOMEM. */
int policy_parse_file(const char *data, size_t size, struct policy_errors *errs,
		      struct policy_file *f);
/* Frees what f owns and leaves it zeroed. Accepts a zeroed f. */
void policy_file_done(struct policy_file *f);
/* Parses a decimal uid or gid ("0", "1000"). Returns true and sets *ret, or false for
 * anything else, including names and values out of range. */
bool policy_parse_id(const char *s, unsigned long *ret);

/* policy.c */

/* Checks what no single file can check: unique ids, one default. Files with errors
 * take part with what could be understood of them. Returns 0, -EINVAL (errors
 * appended) or -ENOMEM. */
int policy_files_check(const struct policy_file *files, size_t n, struct policy_errors *errs);
/* Makes the policy from checked files. Takes ownership of files[0..n) and of the array,
 * also on failure. Returns 0 and *ret, or -ENOMEM. */
int policy_new(struct policy_file *files, size_t n, const char *revision, struct policy **ret);
/* Frees files[0..n) and the array; accepts NULL. */
void policy_files_free(struct policy_file *files, size_t n);

/* path.c */

/* A canonical absolute path split into its components: n strings, each ending in a
 * NUL, one after the other in buf ("/" has none). Split once, so that matching a
 * component never has to look at the rest of the path. */
struct policy_path {
	char *buf;
	size_t n;
};

/* Joins path to the absolute cwd unless it is absolute, then canonicalises it
 * lexically: "//" collapsed, "." removed, ".." pops a component but never above "/",
 * no trailing "/" except for "/" itself. No symlinks are resolved. Returns 0 and a
 * new string in *ret (the caller frees it), or -ENOMEM. */
int policy_path_canon(const char *cwd, const char *path, char **ret);
/* As policy_path_canon(), split. The caller frees ret->buf. */
int policy_path_split(const char *cwd, const char *path, struct policy_path *ret);
/* Whether the path matches the absolute path glob. Per component "*", "?" and "[...]"
 * as fnmatch(3), never crossing '/'; a "**" component matches zero or more
 * components. At most components(glob) * components(path) component matches. */
bool policy_path_match(const char *glob, const struct policy_path *path);
/* Why glob is not a valid path glob, or NULL when it is. */
const char *policy_path_glob_problem(const char *glob);

/* command.c */

/* One request's argv, analysed once for all rules. */
struct policy_command {
	const char *const *argv;
	size_t argc;
	const char *name;           /* basename of argv[0] */
	struct policy_path program; /* canonical program path; buf NULL when not known */
	const char *program_name;   /* its last component, or NULL */
	size_t *words;              /* indices into argv of the positional words */
	size_t n_words;
	struct policy_path *paths; /* words canonicalised against the cwd; buf NULL for "" */
	size_t *longs;             /* indices into argv of "--long" options before "--" */
	size_t n_longs;
	unsigned char shorts[32]; /* bit set of the short options before "--" */
};

/* Analyses req, which must be valid. Returns 0 and fills *ret (release it with
 * policy_command_done()), or -ENOMEM with *ret untouched. */
int policy_command_parse(const struct policy_request *req, struct policy_command *ret);
void policy_command_done(struct policy_command *c);
/* flag is "-r", a cluster "-rf" (all of its letters), or "--long". */
bool policy_command_has_flag(const struct policy_command *c, const char *flag);
/* words is space-separated; they must equal the leading positional words. */
bool policy_command_has_subcommand(const struct policy_command *c, const char *words);
/* Why flag is not a valid rule flag, or NULL when it is. */
const char *policy_flag_problem(const char *flag);
