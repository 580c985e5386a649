/* shell-internal.h: what the files of the shell analyser share: the analysis and its
 * memory, the context commands run in, the texts being read, words and commands. */
#pragma once

#include "shell.h"

/* A value: a word of a command, a variable's value, what a here-document holds. */
struct shell_value {
	const char *text;    /* the value; for an UNKNOWN one, how it was written */
	const char *pattern; /* GLOB, BELOW: see struct policy_word */
	unsigned flags;      /* POLICY_WORD_* */
};

/* Variable bindings, newest first; a list is shared by the contexts that see it, so
 * that a subshell's changes are undone by taking back the older head. */
struct shell_var {
	const char *name; /* NULL: a barrier, before which nothing is known (or nothing is
			   * set, when cleared) */
	size_t name_n;
	struct shell_value v; /* text NULL: not known */
	unsigned gen;         /* the shell process that made it */
	bool exported;        /* seen by commands it starts */
	bool cleared;         /* a barrier of env -i: nothing before it is set */
	const struct shell_var *next;
};

/* A function or alias: what calling it may change. */
struct shell_func {
	const char *name;
	bool cwd;                    /* it may change the working directory */
	const struct shell_var *set; /* the bindings its body made, down to... */
	const struct shell_var *set_end;
	bool all; /* what it changes is not known: everything */
	const struct shell_func *next;
};

/* Where commands may run: up to two known directories (a cd that may fail leaves the
 * old one possible), or an unknown one. */
struct shell_cwds {
	const char *v[2];
	unsigned n;
	bool unknown;
	bool dead; /* after exit: nothing runs, but what follows is judged anyway */
};

/* Positional parameters. */
struct shell_args {
	const struct shell_value *v;
	size_t n;
	bool unknown;     /* not known at all (inside a function) */
	const char *zero; /* $0, or NULL when not known */
};

/* What a command reads on its standard input. */
enum shell_in {
	SHELL_IN_INHERIT, /* whatever the line was given: a terminal, as far as guard knows */
	SHELL_IN_PIPE,
	SHELL_IN_FILE,
	SHELL_IN_EMPTY, /* /dev/null */
	SHELL_IN_TEXT,  /* a here-string or a here-document whose body is known */
	SHELL_IN_LATER, /* a here-document whose body comes after this line */
};

struct shell_heredoc;

struct shell_input {
	enum shell_in kind;
	struct shell_value text;     /* TEXT */
	struct shell_heredoc *later; /* LATER */
	const char *what;            /* how to name it in words: "a pipe" */
};

/* The analysis of one request. */
struct shell {
	const struct policy_request *req;
	struct policy_parts *parts;
	size_t cap;    /* room in parts->v */
	size_t budget; /* bytes of words and values that may still be made */
	unsigned n_vars, n_funcs;
	unsigned next_gen;
	bool stop; /* a limit was reached: nothing more is analysed */
	int error; /* -ENOMEM */
};

/* Where the commands of a text run. Copied for a subshell. */
struct shell_ctx {
	struct shell *sh;
	const struct shell_var *vars;
	const struct shell_func *funcs;
	struct shell_cwds cwd;
	struct shell_args args;
	const char *host;
	bool host_unknown;
	bool remote;
	unsigned gen;
	unsigned depth; /* texts nested */
	bool errexit;   /* set -e */
	bool dry;       /* reading ahead (a loop's body): nothing is emitted */
	bool cwd_moved; /* a cd was met (what a dry read looks for) */
};

/* A simple command about to be judged, and what its wrappers run. */
struct shell_cmd {
	const char *const *argv;
	struct policy_word *words; /* NULL: all literal */
	size_t argc;
	struct shell_ctx *ctx;
	struct shell_input in;
	const char *program;             /* the request's resolved program, for its own argv */
	const struct shell_var *env;     /* NAME=value given to it, as bindings, newest first, */
	const struct shell_var *env_end; /* down to env_end */
	bool env_clear;                  /* env -i: nothing else */
	bool verbatim;
	const char *cwd_override; /* sudo -D, env -C: where it runs; NULL: not known */
	bool cwd_set;             /* cwd_override applies */
	const char *reader;       /* set by shell_run(): a program that reads commands from the
				   * standard input it inherited */
};

/* shell.c */

/* Zeroed memory for the analysis, counted against its budget; NULL (and the analysis
 * stops with an unknown part, or -ENOMEM) when there is none. */
void *shell_alloc(struct shell *sh, size_t size);
/* Counts size bytes against the budget; false (and the analysis stops) when over. */
bool shell_spend(struct shell *sh, size_t size);
/* Out of memory: the analysis stops and returns -ENOMEM. */
void shell_oom(struct shell *sh);
char *shell_strndup(struct shell *sh, const char *s, size_t n);
/* Adds a part that cannot be understood: argv and words (either may be NULL) as far as
 * it goes, and why, formatted. */
void shell_unknown(struct shell_ctx *c, const char *const *argv, const struct policy_word *words,
		   size_t argc, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Emits cmd as a part (one for each directory it may run in). */
void shell_emit(struct shell_cmd *cmd);
/* A word of text, quoted for showing in a why ("'a b'"), cut to fit; in the arena. */
const char *shell_show(struct shell *sh, const char *text);

/* Variables and functions. */
/* The binding of name visible in c, or NULL when there is none: then *ret_unset (when
 * not NULL) says whether the variable is certainly not set (env -i), rather than not
 * known. */
const struct shell_var *shell_var_find(const struct shell_ctx *c, const char *name, size_t n,
				       bool *ret_unset);
/* IFS as a shell process sees it: set in that very process, or the default (shells do
 * not take it from their environment); NULL when not known. */
const char *shell_ifs(const struct shell_ctx *c);
void shell_var_bind(struct shell_ctx *c, const char *name, size_t n, const struct shell_value *v,
		    bool exported);
/* Binds as unknown every name bound on c->vars since mark. */
void shell_var_forget_since(struct shell_ctx *c, const struct shell_var *mark);
/* Binds as unknown every name bound in [from, to). */
void shell_var_forget(struct shell_ctx *c, const struct shell_var *from,
		      const struct shell_var *to);
/* Forgets every variable. */
void shell_var_barrier(struct shell_ctx *c);
/* Unsets every variable (env -i). */
void shell_var_clear(struct shell_ctx *c);
/* A context for a new shell process started by a command of c: only exported
 * variables and those of env go with it; functions do not. */
void shell_ctx_child(const struct shell_ctx *c, const struct shell_cmd *cmd, struct shell_ctx *ret);

/* Directories. */
void shell_cwds_one(struct shell_cwds *set, const char *cwd);
void shell_cwds_union(struct shell_cwds *a, const struct shell_cwds *b);
bool shell_cwds_equal(const struct shell_cwds *a, const struct shell_cwds *b);
/* cd to dir (a known word) from every directory of from, into ret. */
void shell_cwds_cd(struct shell *sh, const struct shell_cwds *from, const char *dir,
		   struct shell_cwds *ret);

/* shell-lex.c and shell-parse.c: reading a text. */

/* The words of a command being read; malloc'd, freed by whoever reads the command. */
struct shell_words {
	struct shell_value *v;
	size_t n, cap;
};

bool shell_words_add(struct shell *sh, struct shell_words *w, const struct shell_value *v);
void shell_words_free(struct shell_words *w);
/* w->v[first..first+n) as the arrays of a command, in the arena (words NULL when all
 * are literal). False when out of memory. */
bool shell_words_arrays(struct shell *sh, const struct shell_words *w, size_t first, size_t n,
			const char *const **ret_argv, struct policy_word **ret_words);

/* A here-document: its body starts after the next newline of its text. */
struct shell_heredoc {
	const char *delim;
	size_t delim_n;
	bool strip;  /* <<- */
	bool quoted; /* a quoted delimiter: no expansion in the body */
	bool done;   /* the body has been read */
	struct shell_value body;
	struct shell_ctx *shell; /* a shell reads it: analyse the body as commands */
	const char *reader;      /* that shell's name */
	struct shell_heredoc *next;
};

/* A text being read. */
struct shell_src {
	struct shell *sh;
	const char *s;
	size_t n, i;
	struct shell_heredoc *pending, **tail; /* here-documents whose body comes next */
	unsigned nest;                         /* compound commands open */
	const char *error;                     /* why reading stopped; NULL while it goes on */
	bool words_only;                       /* env -S: words, no operators */
	unsigned trial;     /* reading "((" as dash does, to see whether it can: no second
			     * reading inside */
	const char *reader; /* a program in the compound being read that reads commands
			     * from the standard input it inherits */
};

enum shell_tok {
	SHELL_TOK_EOF,
	SHELL_TOK_WORD,
	SHELL_TOK_ASSIGN,
	SHELL_TOK_REDIR,
	SHELL_TOK_NEWLINE,
	SHELL_TOK_SEMI,
	SHELL_TOK_AMP,
	SHELL_TOK_AND,
	SHELL_TOK_OR,
	SHELL_TOK_PIPE,
	SHELL_TOK_LPAREN,
	SHELL_TOK_RPAREN,
	SHELL_TOK_DSEMI, /* ;; ;& ;;& */
};

enum shell_redir {
	SHELL_R_IN,         /* < */
	SHELL_R_OUT,        /* > >| &> */
	SHELL_R_APPEND,     /* >> &>> */
	SHELL_R_RW,         /* <> */
	SHELL_R_HEREDOC,    /* << <<- */
	SHELL_R_HERESTRING, /* <<< */
	SHELL_R_DUP,        /* >&N <&N: no file */
};

struct shell_token {
	enum shell_tok kind;
	size_t start, end; /* in the text */
	bool plain;        /* WORD: unquoted letters only, so maybe a reserved word */
	size_t first, n;   /* WORD: its fields in the reader's list */
	const char *name;  /* ASSIGN: NAME=value */
	size_t name_n;
	struct shell_value value;
	enum shell_redir op; /* REDIR */
	int fd;              /* REDIR: the descriptor written before it, or -1 */
	struct shell_value target;
	struct shell_heredoc *heredoc;
};

/* How shell_lex() takes a word. */
#define SHELL_LEX_ARG    0 /* an argument */
#define SHELL_LEX_CMD    1 /* the start of a command: NAME=value is an assignment */
#define SHELL_LEX_ASSIGN 2 /* an argument of export, local...: NAME=value too */
#define SHELL_LEX_TEST   3 /* inside [[ ]]: < > ( ) are words */

/* Reads the next token of s. A word's fields are appended to out. */
void shell_lex(struct shell_src *s, struct shell_ctx *c, unsigned mode, struct shell_words *out,
	       struct shell_token *t);
/* Reads an arithmetic expression at s->i, just after its "((" , up to and with its
 * "))", analysing the commands substituted in it. Returns false, s->i untouched, when it
 * is not one (no "))" closes it). */
bool shell_lex_arith(struct shell_src *s, struct shell_ctx *c);
/* Stops reading s because of why (the first reason stays). */
void shell_src_fail(struct shell_src *s, const char *why);
/* Reads the commands of "$(" at s->i up to and with its ")" (shell-parse.c). */
void shell_subst(struct shell_src *s, struct shell_ctx *c);

/* Analyses text (n bytes) as shell commands run in c with standard input in. what names
 * the text in whys ("the line", "the string of sh -c"). */
void shell_text(struct shell_ctx *c, const char *text, size_t n, const struct shell_input *in,
		const char *what);
/* Splits text into words as env -S does, appended to the command being built in ret
 * (ret->argv, ret->words, ret->argc), in the arena. Returns false when it cannot be
 * (a quote left open). */
bool shell_split(struct shell_ctx *c, const char *text, size_t n, const char *const **ret_argv,
		 struct policy_word **ret_words, size_t *ret_argc);

/* How the working directory goes on after a command: where it is when the command
 * succeeds, and when it fails. */
struct shell_flow {
	struct shell_cwds ok, fail;
};

/* An assignment among a command's arguments (export X=1). */
struct shell_assign {
	const char *name;
	size_t n;
	struct shell_value value;
};

/* shell-builtin.c */

/* What the builtin cmd may be (cd, export, read, eval, source, a function...) changes in
 * its context and in *flow, which comes in as "nothing changed". assigns are the
 * NAME=value among its arguments. */
void shell_builtin(struct shell_cmd *cmd, const struct shell_assign *assigns, size_t n_assigns,
		   struct shell_flow *flow);
/* Remembers a function (or alias) name whose body may change the directory (cwd) and
 * made the bindings [set, set_end). */
void shell_func_define(struct shell_ctx *c, const char *name, size_t n, bool cwd,
		       const struct shell_var *set, const struct shell_var *set_end);

/* shell-wrap.c */

/* Options of a command, the getopt(3) way: short ones alone or in clusters ("-rf"),
 * with a value attached ("-uroot") or in the next argument ("-u root"); long ones with
 * "=value" or the next argument. */
struct shell_optspec {
	const char *with_value;             /* short letters that take a value */
	const char *attached_value;         /* short letters whose value can only be attached */
	const char *const *long_with_value; /* long names (no "--") that take a value */
	bool plus;                          /* "+o" is an option too (sh, set) */
	bool numbers;                       /* "-10" is an option (nice) */
};

struct shell_opt {
	char letter;      /* 0: a long option */
	const char *name; /* a long option's name, without "--" or "=value" */
	size_t name_n;
	bool plus;         /* given with '+' */
	const char *value; /* NULL: none */
	unsigned value_flags;
	const char *value_pattern; /* of a value that is a glob */
};

struct shell_opts {
	const struct shell_cmd *cmd;
	const struct shell_optspec *spec;
	size_t i;     /* the argument being read; at the end, the first operand */
	size_t pos;   /* the next letter in a cluster, or 0 */
	bool unknown; /* stopped at an argument whose value is not known */
};

/* The next option of o into *ret; false at the first operand (past a "--"), at the
 * end, or at an unknown argument (o->unknown). */
bool shell_opts_next(struct shell_opts *o, struct shell_opt *ret);
/* Whether the option is the long one name. */
bool shell_opt_is(const struct shell_opt *opt, const char *name);
/* The text of argument i of cmd when its value is known, else NULL. */
const char *shell_arg(const struct shell_cmd *cmd, size_t i);
/* Arguments from k on joined by spaces, as eval, watch and ssh join them, in the arena;
 * NULL when one is not known. */
const char *shell_join(const struct shell_cmd *cmd, size_t k, size_t *ret_n);

/* Emits cmd and everything it runs: what its wrappers run, the strings its shells run,
 * the commands of find -exec and xargs, the remote command of ssh. */
void shell_run(struct shell_cmd *cmd);
