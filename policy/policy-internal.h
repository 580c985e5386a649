/* policy-internal.h: what the files of the policy library share with each other.
 * Not installed; the public API is include/guard/policy.h. */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "guard/policy.h"
#include "tz.h"

/* Limits, checked while loading so that evaluation never meets an unbounded input
 * from the policy side. */
#define POLICY_FILE_MAX     (1024 * 1024) /* bytes of one policy file */
#define POLICY_ID_MAX       64            /* characters of a rule id */
#define POLICY_MESSAGE_MAX  1024          /* characters of a message */
#define POLICY_RUNBOOK_MAX  1024          /* characters of a runbook link */
#define POLICY_PHRASE_MAX   128           /* characters of a confirm phrase */
#define POLICY_GLOB_MAX     4096          /* bytes of one glob (PATH_MAX) */
#define POLICY_REGEX_MAX    1024          /* bytes of one regex */
#define POLICY_REASON_MAX   1024          /* bytes of an answer to a reason step */
#define POLICY_ENV_NAME_MAX 128           /* bytes of an environment variable name */
#define POLICY_GROUP_MAX    256           /* bytes of an approvers group name */
#define POLICY_DEPTH_MAX    8             /* match objects nested in "not" and "any" */
#define POLICY_QUOTE_MAX    128           /* bytes of a quoted string in an error line */
#define POLICY_WHERE_MAX    384           /* "rules[3].match.any[0].not.env.NAME" */
#define POLICY_WHY_MAX      512           /* bytes of an explanation's "why" */

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

/* Writes s to buf as a double-quoted string with control characters, '"' and '\'
 * escaped, cut (at a character boundary, marked "...") to fit size bytes, so that a
 * hostile key cannot break an error line in two or make it huge. */
void policy_quote(const char *s, char *buf, size_t size);

/* arena.c */

/* Memory that lives as long as one policy file and is freed at once: the parsed rules
 * and copies of their strings, so that the JSON documents (several times larger) can
 * be dropped right after parsing. Pointers into it never move. */
struct policy_arena_chunk;
struct policy_arena {
	struct policy_arena_chunk *head;
	size_t used; /* bytes used of head */
	size_t size; /* bytes head has */
};

/* Zeroed memory of size bytes, aligned for any type; NULL when out of memory. */
void *policy_arena_alloc(struct policy_arena *a, size_t size);
/* A copy of s in a; NULL when out of memory. */
char *policy_arena_strdup(struct policy_arena *a, const char *s);
/* Frees everything and leaves a empty and reusable. */
void policy_arena_free(struct policy_arena *a);

/* The policy in memory. Strings and arrays live in the arena of their file. */
struct policy_strv {
	const char **v;
	size_t n; /* 0: the condition was not given (empty arrays are refused) */
};

/* A compiled extended regex; the file keeps a list of them to regfree(). */
struct policy_regex {
	regex_t re;
	const char *source;
	struct policy_regex *next;
};

struct policy_regexv {
	struct policy_regex **v;
	size_t n;
};

enum policy_tristate {
	POLICY_UNSET, /* the condition was not given */
	POLICY_FALSE,
	POLICY_TRUE,
};

/* One variable of "env". */
struct policy_env {
	const char *name;
	enum policy_tristate set; /* POLICY_UNSET: globs on the value decide */
	struct policy_strv globs;
};

/* A range of "hours" (seconds of the day, end exclusive) or "dates" (YYYYMMDD,
 * end inclusive). */
struct policy_span {
	long from, to;
};

struct policy_time {
	const struct policy_tz *tz; /* owned by the file's zone list */
	unsigned days;              /* bit 1 << tm_wday per day; 0: not given */
	struct policy_strv days_text;
	struct policy_span *hours;
	struct policy_strv hours_text; /* parallel to hours */
	struct policy_span *dates;
	struct policy_strv dates_text; /* parallel to dates */
};

/* One element of "flags": an any-of set. The lone short flags of it ("-r", not
 * "-rf") as a bit set too, so that the common case is one AND. */
struct policy_flags {
	struct policy_strv any;
	uint64_t letters[4];
};

struct policy_match {
	uint32_t given; /* bit i: condition i of match.c's table was given */
	struct policy_strv program;
	struct policy_strv subcommand;
	struct policy_flags *flags; /* every element must hold */
	size_t n_flags;
	struct policy_strv args;
	struct policy_regexv args_regex;
	struct policy_strv paths;
	bool paths_all; /* "paths_mode": "all" */
	struct policy_strv user;
	struct policy_strv group;
	struct policy_strv host;
	struct policy_strv cwd;
	struct policy_env *env; /* every one must hold */
	size_t n_env;
	enum policy_tristate tty;
	enum policy_tristate ssh;
	struct policy_time *time;
	struct policy_match * not ;
	struct policy_match *any; /* one of them must hold */
	size_t n_any;
};

struct policy_rule {
	const char *id;       /* NULL only in a file with errors */
	const char *file;     /* the path of its file, as loaded */
	size_t index;         /* position in its file's "rules" array, for error lines */
	uint32_t seq;         /* position in the whole policy */
	uint64_t need_all;    /* features a request must all have to match (index.c) */
	uint64_t need_any[2]; /* sets of which it must have one each; 0: none */
	const char *description; /* for people reading the policy, and guard --list */
	const char *message;
	const char *runbook;
	enum policy_verdict decision;
	bool dry_run;
	const char *phrase;                /* confirm */
	const struct policy_regex *reason; /* reason: always set, the default pattern too */
	const char *approvers_group;       /* approve */
	unsigned approvers_count;          /* approve */
	unsigned approvers_expires;        /* approve: seconds */
	struct policy_match match;
};

/* A time zone loaded once per file, however many rules name it. */
struct policy_zone {
	struct policy_tz *tz;
	struct policy_zone *next;
};

struct policy_file {
	char *path; /* as shown in error lines */
	struct policy_arena arena;
	struct policy_rule *rules;
	size_t n_rules;
	bool has_default;
	enum policy_verdict default_verdict;
	bool has_unknown;
	enum policy_verdict unknown_verdict; /* "unknown": what is not understood */
	struct policy_regex *regexes;        /* every compiled regex, to regfree() */
	struct policy_regex *default_reason; /* shared by the reason rules without a pattern */
	struct policy_zone *zones;
};

/* index.c */

/* Rules by the literal program names they are about, so that a request meets only
 * the rules that could match it. Rules are named by their seq. */
struct policy_index_slot;
struct policy_index {
	struct policy_index_slot *slots; /* open addressing; a power of two of them */
	size_t mask;
	uint32_t *seqs;    /* each slot's rules, one run after another */
	uint32_t *generic; /* rules that any program may meet, in order */
	size_t n_generic;
};

/* The candidates of one request: up to three lists in policy order, merged. */
struct policy_candidates {
	const uint32_t *list[3];
	size_t n[3];
};

/* Builds ix over rules[0..n), each rules[i]->seq == i. Returns 0 or -ENOMEM. */
int policy_index_build(struct policy_index *ix, const struct policy_rule **rules, size_t n);
/* Frees what ix owns and leaves it zeroed. Accepts a zeroed ix. */
void policy_index_done(struct policy_index *ix);
/* The rules a command named name (argv[0]'s basename) whose program path ends in
 * program_name (or NULL) may match. */
void policy_index_candidates(const struct policy_index *ix, const char *name,
			     const char *program_name, struct policy_candidates *ret);
/* The next candidate in policy order, once each; false at the end. *ret_named: it was
 * filed under one of the names, so its program condition holds. */
bool policy_candidates_next(struct policy_candidates *c, uint32_t *ret, bool *ret_named);
/* Whether a "program" condition entry can go into the index: a name without glob
 * characters or '/', which matches only itself. */
bool policy_index_literal(const char *name);

/* Features of a request, hashed into one of 64 bits: what a rule needs and a request
 * has can be compared in one AND before the rule's conditions are looked at. kind is
 * one of the POLICY_FEATURE_* below, s (n bytes) its name. */
#define POLICY_FEATURE_SHORT 's' /* a short option letter */
#define POLICY_FEATURE_LONG  'l' /* a long option's name, without "=value" */
#define POLICY_FEATURE_WORD  'w' /* the first positional word */
#define POLICY_FEATURE_TTY   't'
#define POLICY_FEATURE_SSH   'h'
#define POLICY_FEATURE_ENV   'e' /* a variable that is set */
#define POLICY_FEATURE_PATH  'p' /* the first component of a path ("" for "/") */
uint64_t policy_feature(char kind, const char *s, size_t n);
/* Sets r->need_all and r->need_any[] from its top-level conditions: only what is
 * certainly needed, so that a request lacking it certainly does not match. */
void policy_rule_needs(struct policy_rule *r);

struct policy {
	struct policy_file *files;
	size_t n_files;
	size_t n_rules;
	const struct policy_rule **rules; /* every rule in policy order; rules[i]->seq == i */
	struct policy_index index;
	const char **env_names; /* sorted, unique */
	size_t n_env_names;
	enum policy_verdict default_verdict;
	enum policy_verdict unknown_verdict;
	char revision[65];
};

/* parse.c */

/* The state of parsing one file, shared by the parsers of its parts. */
struct policy_parser {
	const char *file;
	struct policy_errors *errs;
	int r; /* 0, -EINVAL once a problem was reported, -ENOMEM */
	struct policy_file *f;
	size_t regex_cost; /* of the file's regexes so far (regex-cost.h) */
};

/* Adds "FILE: WHERE: TEXT" (or "FILE: TEXT" for a NULL where) to the errors. */
void policy_report(struct policy_parser *p, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "parent.key" and "parent[i]" into where, which is returned. */
const char *policy_where_member(char where[POLICY_WHERE_MAX], const char *parent, const char *key);
const char *policy_where_element(char where[POLICY_WHERE_MAX], const char *parent, size_t i);
/* Reports every key of obj that is not in the NULL-terminated keys. */
void policy_check_keys(struct policy_parser *p, const char *where, json_t *obj,
		       const char *const *keys);
/* Zeroed memory, or a copy of s, in the file's arena; NULL (and p->r -ENOMEM) when
 * out of memory. */
void *policy_parser_alloc(struct policy_parser *p, size_t size);
const char *policy_parser_strdup(struct policy_parser *p, const char *s);
/* Compiles the extended regex source (noun names it in errors) and links it to the
 * file; NULL after reporting the problem. */
struct policy_regex *policy_parser_regex(struct policy_parser *p, const char *where,
					 const char *noun, const char *source);

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

/* parse-match.c */

/* Parses the match object v found at where into m. depth is 0 for a rule's "match"
 * and grows by one inside "not" and "any". */
void policy_parse_match(struct policy_parser *p, const char *where, json_t *v,
			struct policy_match *m, unsigned depth);
/* Why s is not a valid fnmatch(3) glob, or NULL when it is. */
const char *policy_glob_problem(const char *s);

/* time.c */

/* Parses the "time" object v at where into *ret. */
void policy_parse_time(struct policy_parser *p, const char *where, json_t *v,
		       struct policy_time **ret);

/* An explanation of a condition that did not hold, written while matching when asked
 * for. */
struct policy_why {
	char failed[POLICY_WHERE_MAX]; /* "match.flags[0]" */
	char text[POLICY_WHY_MAX];
	size_t len;
};

/* Sets the failed path and starts the text from fmt. */
void policy_why_set(struct policy_why *w, const char *failed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends to the text, cut with "..." when it fills up. */
void policy_why_add(struct policy_why *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s quoted with policy_quote(): for text from the request. */
void policy_why_quote(struct policy_why *w, const char *s);
/* Appends "a, b or c" from the policy's own strings, control characters made '?'. */
void policy_why_list(struct policy_why *w, const struct policy_strv *s, const char *last);

/* Whether the instant holds for t; explains to why (may be NULL) when it does not. */
bool policy_time_holds(const struct policy_time *t, time_t now, struct policy_why *why);

/* policy.c */

/* Checks what no single file can check: unique ids, one default, one unknown verdict. Files with
 * errors take part with what could be understood of them. Returns 0, -EINVAL (errors appended) or
 * -ENOMEM. */
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
/* As policy_path_match(), for a glob that may also start with "~" (the home directory
 * home, split; buf NULL when unknown, and then such a glob never matches). */
bool policy_path_match_home(const char *glob, const struct policy_path *path,
			    const struct policy_path *home);
/* Why glob is not a valid path glob, or NULL when it is. tilde: "~" and "~/..." are
 * allowed too. */
const char *policy_path_glob_problem(const char *glob, bool tilde);

/* command.c */

struct policy_part; /* shell.h */

/* One part of a request, analysed once for all rules. */
struct policy_command {
	const struct policy_request *req;
	const struct policy_part *part;
	const char *const *argv;
	size_t argc;
	const char *name;           /* basename of argv[0] */
	struct policy_path program; /* canonical program path; buf NULL when not known */
	const char *program_name;   /* its last component, or NULL */
	struct policy_path cwd;     /* the canonical cwd (the request's when not known) */
	bool cwd_unknown;           /* where the part runs is not known */
	const char *cwd_text;       /* as shown */
	const char *host;           /* where it runs, or NULL */
	bool host_unknown;
	struct policy_path home; /* the canonical home; buf NULL when not known */
	size_t *words;           /* indices into argv of the positional words */
	size_t n_words;
	unsigned *word_flags;      /* POLICY_WORD_* of each positional word; NULL: all literal */
	struct policy_path *paths; /* words canonicalised against the cwd, "~" and "$HOME"
				    * expanded (patterns for glob words); buf NULL for "" and
				    * for unknown words */
	size_t *longs;             /* indices into argv of "--long" options before "--" */
	size_t n_longs;
	uint64_t shorts[4]; /* bit set of the short options before "--" */
	uint64_t present;   /* policy_feature() bits of what the request has */
};

/* False when c certainly lacks something rule r needs (index.c): a few ANDs per rule
 * before its conditions are looked at. */
static inline bool policy_rule_may_match(const struct policy_rule *r,
					 const struct policy_command *c)
{
	return !(r->need_all & ~c->present) && (!r->need_any[0] || (r->need_any[0] & c->present)) &&
	       (!r->need_any[1] || (r->need_any[1] & c->present));
}

/* Analyses part of req, which must be valid. Returns 0 and fills *ret (release it with
 * policy_command_done()), or -ENOMEM with *ret untouched. */
int policy_command_parse(const struct policy_request *req, const struct policy_part *part,
			 struct policy_command *ret);
void policy_command_done(struct policy_command *c);
/* flag is "-r", a cluster "-rf" (all of its letters), "--long", or "--long=GLOB". */
bool policy_command_has_flag(const struct policy_command *c, const char *flag);
/* words is space-separated; they must equal the leading positional words. loose: a word
 * whose value is not known may be any of them. */
bool policy_command_has_subcommand(const struct policy_command *c, const char *words, bool loose);
/* Why flag is not a valid rule flag, or NULL when it is. */
const char *policy_flag_problem(const char *flag);
/* Whether one of the lone short flags of f was given. */
bool policy_command_has_letter(const struct policy_command *c, const struct policy_flags *f);
/* The value of variable name in the request's environment (the first entry wins), or
 * NULL when it is not set. */
const char *policy_command_getenv(const struct policy_command *c, const char *name);

/* match.c */

/* The bit of the "program" condition in policy_match.given. */
#define POLICY_GIVEN_PROGRAM 1u
/* The bits of the context conditions, user to time in match.c's table: what can be
 * judged without a command. */
#define POLICY_GIVEN_CONTEXT 0x3fc0u

/* Sets m->given from what m holds; once m is parsed. */
void policy_match_given(struct policy_match *m);
/* Whether every condition of m holds for c, leaving out those whose bits are in skip
 * (the program, when the index has checked it); when not and why is not NULL, why
 * names the first condition that did not hold ("match.flags[0]") and says why. What the
 * analyser could not know (unknown and glob words, an unknown working directory or
 * host) holds when loose (for rules that are not allow) and not otherwise; "not"
 * swaps the two. */
bool policy_match_holds(const struct policy_match *m, const struct policy_command *c, uint32_t skip,
			bool loose, struct policy_why *why);

/* list.c */

/* Whether the context conditions of r (user, group, host, cwd, env, tty, ssh, time, and
 * "not"/"any" objects made of them only) may hold for c, whatever the command. */
bool policy_rule_context_matches(const struct policy_rule *r, const struct policy_command *c);

/* describe.c */

/* The command conditions of m (program, subcommand, flags, args, paths, and nested "not"
 * and "any" objects) in plain words into ret->text; "any command" when there are none. */
void policy_describe_command(const struct policy_match *m, struct policy_why *ret);
/* The context conditions of m in plain words into ret->text; false (text empty) when
 * there are none. */
bool policy_describe_context(const struct policy_match *m, struct policy_why *ret);
