/* shell.h: the shell analyser's interface to the rest of the policy library (and to its
 * tests): a request, an argv or a shell line, understood as the list of parts it would
 * run. shell.c says how; the analyser runs nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy-internal.h"

/* Limits: beyond any of them a request is not understood (an unknown part). */
#define POLICY_SHELL_DEPTH_MAX 8    /* texts inside texts: sh -c, $( ), ssh, here-documents */
#define POLICY_SHELL_NEST_MAX  64   /* ( ), { }, if, loops, case, ${ } inside one text */
#define POLICY_SHELL_PARTS_MAX 256  /* parts of one request */
#define POLICY_SHELL_WORDS_MAX 4096 /* words of one part */
#define POLICY_SHELL_VARS_MAX  128  /* variable assignments remembered */
#define POLICY_SHELL_FUNCS_MAX 64   /* functions and aliases defined */

/* What the analyser knows of a word's value. A word without flags is its text. */
#define POLICY_WORD_UNKNOWN 1u /* any value: a variable guard does not know, $(...) */
#define POLICY_WORD_GLOB    2u /* any of the values pattern matches (an unquoted "*") */
#define POLICY_WORD_BELOW   4u /* pattern or any path below it ("{}" of find ROOT -exec) */

struct policy_word {
	/* GLOB: an fnmatch(3) pattern of the values, the literal characters escaped; BELOW:
	 * the path (a pattern too when GLOB is set). Relative paths are to the part's cwd. */
	const char *pattern;
	unsigned flags;
};

/* One simple command the request would run, with its context. */
struct policy_part {
	const char *const *argv;         /* the words; an unknown word as it was written ("$DIR") */
	const struct policy_word *words; /* parallel to argv; NULL when every word is literal */
	size_t argc;                     /* >= 1 */
	const char *program;             /* absolute path of the program when known, else NULL */
	const char *cwd;                 /* canonical absolute working directory; NULL: not known */
	const char *host;                /* where it runs (ssh); NULL: the request's host */
	bool host_unknown;               /* over ssh to a host whose name is not known */
	bool remote;                     /* over ssh: the home directory is not the request's */
	bool verbatim;       /* words of the request's argv: "~", "$HOME" name the home */
	const char *unknown; /* why it cannot be understood (then it is not matched), or NULL */
};

/* The parts of a request and the memory they live in: blocks that grow from small,
 * as most requests need little, freed at once. */
struct policy_shell_block;
struct policy_parts {
	struct policy_part *v;
	size_t n;
	struct policy_shell_block *blocks;
};

/* Whether a command named name (a basename) runs another command that the analyser
 * unwraps: when not, an argv request is its own single part. */
bool policy_shell_unwraps(const char *name);

/* The parts of req's argv: the command itself (with req->program), then what its
 * wrappers run. Returns 0 and *ret (release it with policy_parts_done()), or -ENOMEM. */
int policy_shell_argv(const struct policy_request *req, struct policy_parts *ret);

/* The parts of a shell line run in req's context. Returns 0 and *ret, -EINVAL when the
 * line is longer than POLICY_LINE_MAX, or -ENOMEM. A line that is not understood has
 * an unknown part; one without any command has none. */
int policy_shell_line(const struct policy_request *req, const char *line, struct policy_parts *ret);

/* Accepts a zeroed parts. */
void policy_parts_done(struct policy_parts *parts);

/* The part as text for people, at most size - 1 bytes: words joined by spaces and
 * quoted where needed, control characters and bytes that are not UTF-8 shown as '?',
 * cut with "..." at a character boundary. */
void policy_part_text(const struct policy_part *part, char *buf, size_t size);

/* Copies s into buf (size bytes) as policy_part_text() shows text: one line, valid
 * UTF-8, cut with "..." at a character boundary. */
void policy_shell_text(const char *s, char *buf, size_t size);

/* shell-glob.c: comparing what a word may be with a rule's globs. loose: whether some
 * value of the word matches (over-approximated: true when unsure); else whether every
 * value does (under-approximated: false when unsure). */

/* An fnmatch(3) glob of a rule ("args") and the pattern of a GLOB word. */
bool policy_glob_meets(const char *glob, const char *pattern, bool loose);
/* A rule's path glob (absolute; "~" handled by the caller) and a word's canonical path,
 * whose components are patterns when flags has POLICY_WORD_GLOB, and which stands for
 * itself and every path below it when flags has POLICY_WORD_BELOW. */
bool policy_path_meets(const char *glob, const struct policy_path *path, unsigned flags,
		       bool loose);
/* As policy_path_meets(), for a glob that may start with "~" (home split, buf NULL when
 * not known). */
bool policy_path_meets_home(const char *glob, const struct policy_path *path, unsigned flags,
			    bool loose, const struct policy_path *home);
