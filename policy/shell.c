/* shell.c: the shell analyser: what a request would run, as a list of parts, each
 * judged by the rules. This file holds the analysis (its memory, limits and parts),
 * variables and working directories; shell-lex.c reads words, shell-parse.c the
 * grammar and the builtins, shell-wrap.c the wrappers, shell-glob.c compares what a
 * word may be with a rule's globs.
 *
 * UNDERSTANDING A COMMAND (a section of guard-policy(5))
 *
 * Parts. A request is understood as its parts: every simple command it would run.
 * For an argv request the parts are the command itself and what its wrappers run:
 * "sudo env X=1 nice rm -rf /" has the parts "sudo env X=1 nice rm -rf /", "env X=1
 * nice rm -rf /", "nice rm -rf /" and "rm -rf /", so that a rule about sudo still
 * sees sudo. For a shell line (guard -c) the parts are every simple command of the
 * line, every command inside $( ) and `...`, inside "sh -c STRING" (recursively),
 * the remote command of ssh, the commands of find -exec and of xargs, each unwrapped
 * the same way. Every part is judged like a request of its own, in the same context
 * but with its own words, working directory and, over ssh, host; the most restrictive
 * verdict wins (deny, then approve, reason, confirm, allow; of equals, the first part
 * in line order), and the decision names the part that decided. Dry-run matches of
 * all parts are reported together.
 *
 * The program of a part is its first word after quote removal ("\rm" and "'rm'" are
 * rm). Rules match its basename; a word with a '/' is also its path, made absolute
 * against the part's working directory. Only the request's own command of an argv
 * request has the program the client resolved; guard does not know the client's PATH.
 *
 * Redirections that write ('>', '>>', '>|', '&>', '&>>', 'N>', '<>' and bash's
 * '>& FILE') are parts of their own: argv ">" and the target, in the command's
 * working directory. So { "program": ">", "paths": ["/dev/sd*", "/etc/passwd"] }
 * catches "echo x > /dev/sda". Duplications ('2>&1', '>&-') and reads are not parts.
 * find's -fprint, -fprint0, -fls and -fprintf FILE and time's -o FILE write too, and
 * are such parts.
 *
 * The shell. Lines are read as POSIX sh with the bash extensions agents write: single,
 * double, $'...' and $"..." quotes, backslashes, line continuations, comments, the
 * operators ; && || | |& & and newlines, ( ) and { } groups, if, while, until, for,
 * select and case, functions, [[ ]] and (( )), $( ), `...`, $(( )) and ${ },
 * NAME=value prefixes, arrays, redirections, here-documents and here-strings, brace
 * expansion ({a,b}) and extended globs (@(x|y)). Nothing is run. A here-document or
 * here-string is data, except for a shell that reads it: "bash <<EOF" has its body
 * analysed as commands. "((...))" is an arithmetic command to bash and two nested
 * subshells to dash (/bin/sh on Debian): both readings are judged. A command that is not
 * read to its end (a quote left open) runs in no shell and is no part; the reason is.
 *
 * Values. A word is known when the analyser knows its value: literal text, HOME (the
 * request's home directory, or HOME as the client reported it), variables the client
 * reported in its environment, and variables assigned earlier in the line (D=/; rm -rf
 * $D; export D=/). Unquoted expansions are split into words as the shell does. A word
 * whose value cannot be known is unknown: an unset or unreported variable, the output
 * of $( ), an argument xargs reads from its input, a variable assigned in a branch,
 * loop or pipeline (it may or may not have been), the words after "read". Commands
 * started by a command (sh -c, su -c) see only the variables known to be exported.
 *
 * Unknown words are judged pessimistically. Where a rule compares a word (subcommand,
 * args, args_regex, paths), an unknown word matches the conditions of a rule whose
 * decision is not allow, so that a rule denying "rm -rf /" fires for "rm -rf $DIR/",
 * and never those of an allow rule, so that an exception cannot be opened by a value
 * nobody can see. Inside "not" the two swap. An unknown working directory (cd $X)
 * makes the relative words after it unknown, and matches a "cwd" condition the same
 * way; so does an unknown host for "host". Unknown words are never taken for flags:
 * "rm $OPTS x" is not taken to mean "rm -r x".
 *
 * Globs. An unquoted '*', '?' or '[...]' in a word (or a brace expansion, an extended
 * glob, a number from $(( )), $$ or $#, or a for loop's variable over such a word)
 * makes it stand for any of the values it matches. Such a word matches a rule's path
 * glob, for a rule that is not allow, when some path could match both: each component
 * of the word is compared with the rule's component it lines up with ("**" of the
 * rule taking any number of them) and the two must have a string in common (two
 * fnmatch patterns of one component, compared exactly, or found to meet when they are
 * longer than 128 characters). So "rm -rf /" followed by "*", and "rm -rf *" run in
 * "/", hit rules about "/" followed by "*" and about "/etc"; "rm -rf ./build/" followed
 * by "*" in a project meets no rule about system directories; "rm -rf ~/" followed by
 * "*" meets "~/" and "/home/" followed by "*". For an allow rule the
 * word must be inside the rule for every value it may take: each component of the word
 * must be literal and match, or the rule's component must be "*" or the same pattern.
 * For "args" the whole word is compared the same way; for "args_regex" a glob word is
 * taken as unknown. "**" as a component of a word (globstar) stands for the directory
 * before it and everything below it, as does find's "{}" (below).
 *
 * What cannot be understood is not silently allowed: it is an unknown part, whose
 * verdict is the policy's "unknown" setting (default confirm), with the message
 * "guard cannot fully understand this command: WHY; confirm it" and no rule. That is:
 * a quote, $( ), ${ }, `, here-document or compound command left open, or a token
 * where none may be; eval of a value that is not known; source and "."; a shell or
 * interpreter reading its commands from a pipe, a file or a here-document (curl x | sh,
 * python3 <<EOF; bash <<EOF has its body analysed when it is known); sh -c, ssh or
 * watch given a string that is not known (sh -c "$VAR"); a program word that is not
 * known ($CMD -rf /) or a pattern; options of a wrapper that are not known; nesting
 * deeper than the limits; more parts, words, variables or functions than the limits;
 * a line that would expand to more than the analyser's budget. The unknown part takes
 * part in "most restrictive wins" like any other.
 *
 * Working directories. "cd DIR" (and pushd, popd) changes the working directory of the
 * parts after it in the same list; ( ), $( ), pipelines and '&' keep the change to
 * themselves. A cd that fails leaves the directory as it was: after "cd DIR && ..." the
 * commands run in DIR, after "cd DIR; ..." or inside "if cd DIR" they may run in
 * either, and are judged in both (a part for each); "cd DIR || exit" leaves only DIR.
 * With "set -e" a failed command ends the line. cd to an unknown place ("cd $X", "cd
 * -", a third possible directory) makes the directory unknown. CDPATH is taken as
 * unset. A loop whose body changes the directory or a variable is read twice: first to
 * find what it changes, which is then unknown throughout the loop. Function and alias
 * bodies and trap strings are judged where they are defined, with an unknown working
 * directory and unknown arguments; calling a function makes what its body changes
 * unknown.
 *
 * Wrappers, each with its own options, are unwrapped; every level is a part:
 *   sudo     options -a -C -c -D -g -p -R -r -T -t -U -u take a value (-h only when
 *            attached), and their long forms; NAME=value words before the command are
 *            its environment; -D DIR (--chdir) is where it runs; -i and -s run the
 *            command through a shell, which sudo hands it escaped except for '$': a word
 *            with a '$' is unknown, and with -i the directory is the target's home
 *            (unknown); -e, -l, -v, -V, -K, -h alone run nothing
 *   doas     -a -C -u take a value; -C and -L run nothing
 *   env      -i (-, --ignore-environment), -u NAME (--unset), -C DIR (--chdir) where it
 *            runs, -S STRING (--split-string) split into words and read on as env's own
 *            arguments, -P and -a take a value, NAME=value
 *   nice     -n N, -N, --adjustment N;   ionice -c -n take a value, -p -P -u run
 *            nothing more;   nohup;   timeout -s -k take a value, then the duration;
 *            stdbuf -i -o -e take a value;   time -f and -o take a value (-o FILE
 *            writes it);   command (-v and -V run nothing), builtin, exec (-a NAME)
 *   watch    -n, -q (--interval, --equexit) take a value; the words are joined and run
 *            by sh -c, so they are analysed as a line; with -x (--exec) as a command
 *   xargs    -a -d -E -I -L -n -P -s take a value (-i, -l and -e only attached): its
 *            command (echo when none) with one more, unknown, word; with -I R every
 *            word holding R is unknown instead
 *   find     -H -L -P -D -O; the starting points; the part "find ..." itself stays, so
 *            a rule about find / -delete sees it; each -exec, -execdir, -ok, -okdir
 *            COMMAND ; or {} + is a part whose "{}" is the starting point and anything
 *            below it (when there is one starting point; else unknown), a word holding
 *            "{}" and more is unknown, and -execdir's directory is unknown
 *   sh, bash, dash, zsh, ksh, ksh93, ash, mksh, yash, posh, lksh, rbash
 *            -c STRING [ARG0 [ARGS]]: STRING is analysed as a line, $0, $1... bound to
 *            the words after it; -o, +o, -O, +O, --rcfile and --init-file take a value;
 *            -s or no operand: commands from the standard input; a script operand is
 *            not read
 *   su, runuser  options anywhere (GNU getopt permutes them); -c and --command STRING
 *            as sh -c, in the target's environment and home with "-" or -l; -s -g -G -w
 *            take a value; runuser -u USER -- COMMAND as a command
 *   ssh      -B -b -c -D -E -e -F -I -i -J -L -l -m -O -o -P -p -Q -R -S -W -w take
 *            a value; [user@]HOST or ssh://[user@]HOST[:port]; the words after it are
 *            joined by spaces, as ssh does, and analysed as a line run on HOST: those
 *            parts have host HOST, an unknown working directory and home, and no known
 *            variables. -N, -W, -G, -O, -s and -V run no command.
 *   python, perl, ruby, node, php, lua and friends read their program from standard
 *   input when they have no script operand and no -c, -e, -E, -m, -r or --eval.
 * Builtins that change what the analyser knows: cd, pushd, popd, export, readonly,
 * local, declare, typeset, unset, read, mapfile, readarray, getopts, printf -v, let,
 * set (-e, -o errexit, --), shift, eval (a known string is analysed in place), source
 * and ".", alias, trap, exit, return.
 *
 * Limits. A line is at most POLICY_LINE_MAX (64 KiB) bytes. Texts nest at most 8 deep
 * (sh -c, $( ), `...`, ssh, eval, watch, here-documents read by a shell, find -exec);
 * compound commands and ${ } at most 64 deep in one text. A request has at most 256
 * parts, a part at most 4096 words; 128 variable assignments and 64 functions are
 * remembered (beyond, variables are unknown). Words and values together are at most
 * 1 MiB plus 32 times the request's length. The text is read once, left to right (a
 * loop's body once more per enclosing loop, a text nested in a string once more per
 * level), so time grows linearly with the length of the line.
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "shell-internal.h"

#define BUDGET_BASE   (1024 * 1024)
#define BUDGET_FACTOR 32

/* The reasons that end the whole analysis, not just one text. */
static const char too_large[] = "it would expand to more than guard analyses";
static const char too_many_parts[] = "it runs more than 256 commands";

static void stop(struct shell *sh, const char *why);

void shell_oom(struct shell *sh)
{
	sh->error = -ENOMEM;
	sh->stop = true;
}

bool shell_spend(struct shell *sh, size_t size)
{
	if (sh->stop)
		return false;
	if (size > sh->budget) {
		stop(sh, too_large);
		return false;
	}
	sh->budget -= size;
	return true;
}

#define BLOCK_FIRST 1024        /* bytes of the first block */
#define BLOCK_MAX   (64 * 1024) /* and of those it grows to */

struct policy_shell_block {
	struct policy_shell_block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

/* A block for at least size bytes, twice as large as the last one. */
static struct policy_shell_block *block_new(struct policy_parts *parts, size_t size)
{
	size_t last = parts->blocks ? parts->blocks->size : BLOCK_FIRST / 2;
	size_t room = last < BLOCK_MAX ? 2 * last : BLOCK_MAX;
	struct policy_shell_block *b;

	if (room < size)
		room = size;
	b = malloc(sizeof(*b) + room);
	if (!b)
		return NULL;
	*b = (struct policy_shell_block){.next = parts->blocks, .size = room};
	parts->blocks = b;
	return b;
}

void *shell_alloc(struct shell *sh, size_t size)
{
	struct policy_shell_block *b = sh->parts->blocks;
	size_t align = alignof(max_align_t), start;
	void *p;

	if (!shell_spend(sh, size))
		return NULL;
	size = size ? size : 1;
	start = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || start > b->size || b->size - start < size) {
		b = block_new(sh->parts, size);
		if (!b) {
			shell_oom(sh);
			return NULL;
		}
		start = 0;
	}
	p = b->data + start;
	b->used = start + size;
	/* Zeroed, as the callers count on. */
	return memset(p, 0, size);
}

char *shell_strndup(struct shell *sh, const char *s, size_t n)
{
	char *copy = n < SIZE_MAX ? shell_alloc(sh, n + 1) : NULL;

	if (copy)
		memcpy(copy, s, n);
	return copy;
}

/* Room for one more part; NULL when out of memory. The array is the analysis's own
 * (not the arena's): it is grown, and the arena never gives memory back. */
static struct policy_part *part_new(struct shell *sh)
{
	struct policy_parts *parts = sh->parts;

	if (parts->n == sh->cap) {
		size_t cap = sh->cap ? 2 * sh->cap : 8;
		struct policy_part *grown = realloc(parts->v, cap * sizeof(*grown));

		if (!grown) {
			shell_oom(sh);
			return NULL;
		}
		parts->v = grown;
		sh->cap = cap;
	}
	parts->v[parts->n] = (struct policy_part){0};
	return &parts->v[parts->n++];
}

/* The last part: what was not analysed. It needs no arena memory, which may be what
 * ran out. */
static void stop(struct shell *sh, const char *why)
{
	static const char *const argv[] = {"..."};
	struct policy_part *part;

	if (sh->stop)
		return;
	part = part_new(sh);
	sh->stop = true;
	if (!part)
		return;
	*part = (struct policy_part){.argv = argv, .argc = 1, .cwd = sh->req->cwd, .unknown = why};
}

/* A part if there is room; at the limit, the part saying so. */
static struct policy_part *part_add(struct shell *sh)
{
	if (sh->stop)
		return NULL;
	if (sh->parts->n >= POLICY_SHELL_PARTS_MAX) {
		stop(sh, too_many_parts);
		return NULL;
	}
	return part_new(sh);
}

static void part_context(struct policy_part *part, const struct shell_ctx *c)
{
	part->host = c->host;
	part->host_unknown = c->host_unknown;
	part->remote = c->remote;
}

void shell_unknown(struct shell_ctx *c, const char *const *argv, const struct policy_word *words,
		   size_t argc, const char *fmt, ...)
{
	static const char *const nothing[] = {"?"};
	struct policy_part *part;
	char raw[POLICY_UNKNOWN_TEXT_MAX], why[POLICY_UNKNOWN_TEXT_MAX];
	struct policy_word *flags = NULL;
	const char **copy_argv;
	const char *copy;
	va_list ap;

	if (c->dry)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* It quotes the request: one line of valid UTF-8. */
	policy_shell_text(raw, why, sizeof(why));
	if (!argv || argc == 0) {
		argv = nothing;
		argc = 1;
	}
	/* The words may be the caller's own: the part keeps a copy of the list. */
	copy = shell_strndup(c->sh, why, strlen(why));
	copy_argv = copy ? shell_alloc(c->sh, argc * sizeof(*copy_argv)) : NULL;
	if (copy_argv && words)
		flags = shell_alloc(c->sh, argc * sizeof(*flags));
	part = copy_argv && (!words || flags) ? part_add(c->sh) : NULL;
	if (!part)
		return;
	for (size_t i = 0; i < argc; i++) {
		copy_argv[i] = argv[i] ? argv[i] : "?";
		if (flags)
			flags[i] = words[i];
	}
	*part = (struct policy_part){
		.argv = copy_argv,
		.words = flags,
		.argc = argc,
		.cwd = c->cwd.unknown || c->cwd.n == 0 ? NULL : c->cwd.v[0],
		.unknown = copy,
	};
	part_context(part, c);
}

static void emit_one(const struct shell_cmd *cmd, const char *cwd)
{
	struct policy_part *part = part_add(cmd->ctx->sh);

	if (!part)
		return;
	*part = (struct policy_part){
		.argv = cmd->argv,
		.words = cmd->words,
		.argc = cmd->argc,
		.program = cmd->program,
		.cwd = cwd,
		.verbatim = cmd->verbatim,
	};
	part_context(part, cmd->ctx);
}

void shell_emit(struct shell_cmd *cmd)
{
	const struct shell_cwds *cwd = &cmd->ctx->cwd;

	if (cmd->ctx->dry || cmd->ctx->sh->stop)
		return;
	if (cmd->cwd_set) {
		emit_one(cmd, cmd->cwd_override);
		return;
	}
	if (cwd->unknown || cwd->n == 0) {
		emit_one(cmd, NULL);
		return;
	}
	for (unsigned i = 0; i < cwd->n; i++)
		emit_one(cmd, cwd->v[i]);
}

/* Variables. */

const struct shell_var *shell_var_find(const struct shell_ctx *c, const char *name, size_t n,
				       bool *ret_unset)
{
	if (ret_unset)
		*ret_unset = false;
	for (const struct shell_var *v = c->vars; v; v = v->next) {
		if (!v->name) {
			if (ret_unset)
				*ret_unset = v->cleared;
			return NULL;
		}
		if (v->name_n != n || memcmp(v->name, name, n) != 0)
			continue;
		/* Not exported by the shell that set it: this process has whatever its
		 * environment had. */
		if (v->gen != c->gen && !v->exported)
			return NULL;
		return v;
	}
	return NULL;
}

const char *shell_ifs(const struct shell_ctx *c)
{
	for (const struct shell_var *v = c->vars; v && v->gen == c->gen; v = v->next) {
		if (!v->name)
			return v->cleared ? " \t\n" : NULL;
		if (v->name_n == 3 && memcmp(v->name, "IFS", 3) == 0)
			return v->v.text;
	}
	return " \t\n";
}

static void barrier(struct shell_ctx *c, bool cleared)
{
	struct shell_var *b = shell_alloc(c->sh, sizeof(*b));

	if (!b)
		return;
	b->gen = c->gen;
	b->cleared = cleared;
	b->next = c->vars;
	c->vars = b;
}

void shell_var_barrier(struct shell_ctx *c)
{
	barrier(c, false);
}

void shell_var_clear(struct shell_ctx *c)
{
	barrier(c, true);
}

void shell_var_bind(struct shell_ctx *c, const char *name, size_t n, const struct shell_value *v,
		    bool exported)
{
	const struct shell_var *old = shell_var_find(c, name, n, NULL);
	struct shell_var *b;

	/* Beyond the limit nothing more is remembered, and then nothing can be trusted. */
	if (c->sh->n_vars >= POLICY_SHELL_VARS_MAX) {
		shell_var_barrier(c);
		return;
	}
	b = shell_alloc(c->sh, sizeof(*b));
	if (!b)
		return;
	b->name = shell_strndup(c->sh, name, n);
	if (!b->name)
		return;
	b->name_n = n;
	if (v && !(v->flags & POLICY_WORD_UNKNOWN) && v->text)
		b->v = *v;
	else
		b->v = (struct shell_value){.flags = POLICY_WORD_UNKNOWN};
	b->gen = c->gen;
	b->exported = exported || (old && old->exported);
	b->next = c->vars;
	c->vars = b;
	c->sh->n_vars++;
}

void shell_var_forget(struct shell_ctx *c, const struct shell_var *from, const struct shell_var *to)
{
	for (const struct shell_var *v = from; v && v != to; v = v->next) {
		if (!v->name) {
			shell_var_barrier(c);
			return;
		}
		shell_var_bind(c, v->name, v->name_n, NULL, v->exported);
	}
}

void shell_var_forget_since(struct shell_ctx *c, const struct shell_var *mark)
{
	shell_var_forget(c, c->vars, mark);
}

void shell_ctx_child(const struct shell_ctx *c, const struct shell_cmd *cmd, struct shell_ctx *ret)
{
	const struct shell_var *list[64];
	struct shell_ctx child = *c;
	size_t n = 0;

	child.gen = ++c->sh->next_gen;
	child.funcs = NULL;
	child.errexit = false;
	child.args = (struct shell_args){.unknown = true};
	child.depth = c->depth + 1;
	if (cmd && cmd->env_clear) {
		child.vars = NULL;
		shell_var_clear(&child);
	}
	/* The command's NAME=value, newest first as a binding list is: bound oldest first.
	 * More than fit are not known. */
	for (const struct shell_var *v = cmd ? cmd->env : NULL; v && v != cmd->env_end;
	     v = v->next) {
		if (n == 64) {
			shell_var_barrier(&child);
			n = 0;
			break;
		}
		list[n++] = v;
	}
	while (n-- > 0)
		shell_var_bind(&child, list[n]->name, list[n]->name_n, &list[n]->v, true);
	*ret = child;
}

/* Working directories. */

void shell_cwds_one(struct shell_cwds *set, const char *cwd)
{
	*set = (struct shell_cwds){.v = {cwd}, .n = cwd ? 1 : 0, .unknown = !cwd};
}

static void cwds_add(struct shell_cwds *set, const char *cwd)
{
	for (unsigned i = 0; i < set->n; i++)
		if (strcmp(set->v[i], cwd) == 0)
			return;
	if (set->n < 2)
		set->v[set->n++] = cwd;
	else
		set->unknown = true;
}

void shell_cwds_union(struct shell_cwds *a, const struct shell_cwds *b)
{
	if (b->dead)
		return;
	if (a->dead) {
		*a = *b;
		return;
	}
	a->unknown |= b->unknown;
	for (unsigned i = 0; i < b->n; i++)
		cwds_add(a, b->v[i]);
}

bool shell_cwds_equal(const struct shell_cwds *a, const struct shell_cwds *b)
{
	if (a->unknown || b->unknown || a->n != b->n)
		return a->unknown == b->unknown && a->unknown;
	for (unsigned i = 0; i < a->n; i++) {
		bool found = false;

		for (unsigned j = 0; j < b->n; j++)
			found |= strcmp(a->v[i], b->v[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

static const char *canon(struct shell *sh, const char *cwd, const char *dir)
{
	char *path, *copy;

	if (policy_path_canon(cwd, dir, &path) < 0) {
		shell_oom(sh);
		return NULL;
	}
	copy = shell_strndup(sh, path, strlen(path));
	free(path);
	return copy;
}

void shell_cwds_cd(struct shell *sh, const struct shell_cwds *from, const char *dir,
		   struct shell_cwds *ret)
{
	struct shell_cwds to = {0};

	if (dir[0] == '/') {
		shell_cwds_one(ret, canon(sh, "/", dir));
		return;
	}
	if (from->unknown) {
		shell_cwds_one(ret, NULL);
		return;
	}
	for (unsigned i = 0; i < from->n; i++) {
		const char *cwd = canon(sh, from->v[i], dir);

		if (!cwd) {
			shell_cwds_one(ret, NULL);
			return;
		}
		cwds_add(&to, cwd);
	}
	*ret = to;
}

/* Text for people: one line, valid UTF-8, bounded. */

struct out {
	char *buf;
	size_t size, len;
	size_t fit; /* the length up to the last character after which "..." fits */
	bool cut;
};

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->cut)
		return;
	if (o->len + n + 1 > o->size) {
		/* fit leaves room for "...", unless the buffer is too small for it at all. */
		o->cut = true;
		if (o->size < 4) {
			o->len = 0;
			o->buf[0] = '\0';
			return;
		}
		o->len = o->fit;
		memcpy(o->buf + o->len, "...", 4);
		o->len += 3;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	if (o->len + 4 <= o->size)
		o->fit = o->len;
}

/* The length of the UTF-8 character at s (n bytes left), or 0 when it is not one:
 * what JSON and terminals accept, no overlong forms, no surrogates. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4 || n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void out_text(struct out *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n && !o->cut;) {
		size_t len = u[i] >= 0x80 ? utf8_length(u + i, n - i) : 1;

		if (len == 0 || u[i] < 0x20 || u[i] == 0x7f) {
			out_put(o, "?", 1);
			i++;
			continue;
		}
		out_put(o, s + i, len);
		i += len;
	}
}

void policy_shell_text(const char *s, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};

	if (size == 0)
		return;
	buf[0] = '\0';
	out_text(&o, s, strlen(s));
}

static bool needs_quotes(const char *w)
{
	if (!w[0])
		return true;
	for (const char *c = w; *c; c++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "_./:=@%+,-",
			    *c) &&
		    (unsigned char)*c < 0x80)
			return true;
	return false;
}

/* A word as it could be typed: in single quotes when it has to be. */
static void out_word(struct out *o, const char *w, bool as_written)
{
	if (as_written || !needs_quotes(w)) {
		out_text(o, w, strlen(w));
		return;
	}
	out_put(o, "'", 1);
	for (const char *c = w; *c; c++) {
		size_t n = strcspn(c, "'");

		out_text(o, c, n);
		c += n;
		if (!*c)
			break;
		out_put(o, "'\\''", 4);
	}
	out_put(o, "'", 1);
}

void policy_part_text(const struct policy_part *part, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < part->argc; i++) {
		/* Unknown and glob words are shown as they were written, and so is the ">"
		 * of a redirection. */
		bool as_written = (part->words && part->words[i].flags) ||
				  (i == 0 && strcmp(part->argv[0], ">") == 0);

		if (i > 0)
			out_put(&o, " ", 1);
		out_word(&o, part->argv[i], as_written);
	}
}

const char *shell_show(struct shell *sh, const char *text)
{
	char buf[64];
	struct out o = {.buf = buf, .size = sizeof(buf)};

	buf[0] = '\0';
	out_word(&o, text, false);
	return shell_strndup(sh, buf, o.len);
}

/* The analysis. */

/* HOME and the variables the client reported are known, and exported. */
static void ctx_start(struct shell *sh, struct shell_ctx *c)
{
	const struct policy_request *req = sh->req;

	*c = (struct shell_ctx){.sh = sh};
	shell_cwds_one(&c->cwd, canon(sh, "/", req->cwd));
	if (req->home && req->home[0] == '/') {
		struct shell_value home = {.text = req->home};

		shell_var_bind(c, "HOME", 4, &home, true);
	}
	for (size_t i = 0; i < req->n_env; i++) {
		const char *eq = strchr(req->env[i], '=');
		struct shell_value v = {.text = eq ? eq + 1 : NULL};

		if (eq && !shell_var_find(c, req->env[i], (size_t)(eq - req->env[i]), NULL))
			shell_var_bind(c, req->env[i], (size_t)(eq - req->env[i]), &v, true);
	}
	/* The line is run by sh -c with no arguments. */
	c->args = (struct shell_args){.zero = "sh"};
}

static int start(const struct policy_request *req, size_t size, struct policy_parts *parts,
		 struct shell *sh)
{
	*parts = (struct policy_parts){0};
	*sh = (struct shell){
		.req = req,
		.parts = parts,
		.budget = BUDGET_BASE + BUDGET_FACTOR * size,
	};
	return 0;
}

static int finish(struct shell *sh, struct policy_parts *ret)
{
	if (sh->error) {
		policy_parts_done(sh->parts);
		return sh->error;
	}
	*ret = *sh->parts;
	return 0;
}

int policy_shell_line(const struct policy_request *req, const char *line, struct policy_parts *ret)
{
	size_t n = strnlen(line, POLICY_LINE_MAX + 1);
	struct shell_input in = {.kind = SHELL_IN_INHERIT};
	struct policy_parts parts;
	struct shell_ctx c;
	struct shell sh;

	if (n > POLICY_LINE_MAX)
		return -EINVAL;
	start(req, n, &parts, &sh);
	ctx_start(&sh, &c);
	shell_text(&c, line, n, &in, "the line");
	return finish(&sh, ret);
}

int policy_shell_argv(const struct policy_request *req, struct policy_parts *ret)
{
	struct shell_input in = {.kind = SHELL_IN_INHERIT};
	struct policy_parts parts;
	struct shell_cmd cmd;
	struct shell_ctx c;
	struct shell sh;
	size_t size = 0;

	for (size_t i = 0; i < req->argc; i++)
		size += strlen(req->argv[i]) + 1;
	start(req, size, &parts, &sh);
	ctx_start(&sh, &c);
	cmd = (struct shell_cmd){
		.argv = req->argv,
		.argc = req->argc,
		.ctx = &c,
		.in = in,
		.program = req->program,
		.verbatim = true,
	};
	if (req->argc > POLICY_SHELL_WORDS_MAX)
		shell_unknown(&c, req->argv, NULL, 1, "a command of more than %d words",
			      POLICY_SHELL_WORDS_MAX);
	else
		shell_run(&cmd);
	return finish(&sh, ret);
}

void policy_parts_done(struct policy_parts *parts)
{
	struct policy_shell_block *b = parts->blocks;

	while (b) {
		struct policy_shell_block *next = b->next;

		free(b);
		b = next;
	}
	free(parts->v);
	*parts = (struct policy_parts){0};
}
