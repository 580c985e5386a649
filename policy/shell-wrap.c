/* shell-wrap.c: commands that run other commands, unwrapped with their own options:
 * sudo, doas, env, nice, ionice, nohup, timeout, stdbuf, time, command, builtin, exec,
 * watch, xargs, find -exec, the shells' -c strings, su -c, the remote command of ssh,
 * and the shells and interpreters that read their commands from standard input. Every
 * level is emitted as a part. */
#include <stdlib.h>
#include <string.h>

#include "shell-internal.h"

#define SPLIT_MAX 8 /* env -S strings read in one env */

static bool stopped(const struct shell_cmd *cmd)
{
	return cmd->ctx->sh->stop;
}

const char *shell_arg(const struct shell_cmd *cmd, size_t i)
{
	if (i >= cmd->argc || (cmd->words && cmd->words[i].flags))
		return NULL;
	return cmd->argv[i];
}

static struct shell_value value_of(const struct shell_cmd *cmd, size_t i)
{
	if (!cmd->words || !cmd->words[i].flags)
		return (struct shell_value){.text = cmd->argv[i]};
	return (struct shell_value){cmd->argv[i], cmd->words[i].pattern, cmd->words[i].flags};
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Options. */

bool shell_opt_is(const struct shell_opt *opt, const char *name)
{
	return !opt->letter && opt->name_n == strlen(name) &&
	       memcmp(opt->name, name, opt->name_n) == 0;
}

static bool long_takes_value(const struct shell_optspec *spec, const char *name, size_t n)
{
	for (const char *const *l = spec->long_with_value; l && *l; l++)
		if (strlen(*l) == n && memcmp(*l, name, n) == 0)
			return true;
	return false;
}

/* The value of an option in the next argument, if there is one. */
static void next_value(struct shell_opts *o, struct shell_opt *ret)
{
	const struct shell_cmd *cmd = o->cmd;

	if (o->i >= cmd->argc)
		return;
	ret->value = cmd->argv[o->i];
	ret->value_flags = cmd->words ? cmd->words[o->i].flags : 0;
	ret->value_pattern = cmd->words ? cmd->words[o->i].pattern : NULL;
	o->i++;
}

static bool long_option(struct shell_opts *o, const char *a, struct shell_opt *ret)
{
	const char *eq = strchr(a + 2, '=');

	ret->name = a + 2;
	ret->name_n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
	o->i++;
	if (eq)
		ret->value = eq + 1;
	else if (long_takes_value(o->spec, ret->name, ret->name_n))
		next_value(o, ret);
	return true;
}

/* At the start of an argument: whether it is an option, and a long or numeric one. */
static bool option_start(struct shell_opts *o, struct shell_opt *ret, bool *ret_done)
{
	const struct shell_optspec *spec = o->spec;
	const char *a;

	*ret_done = false;
	if (o->i >= o->cmd->argc)
		return false;
	a = shell_arg(o->cmd, o->i);
	if (!a) {
		o->unknown = true;
		return false;
	}
	if (strcmp(a, "--") == 0) {
		o->i++;
		return false;
	}
	if (!((a[0] == '-' || (spec->plus && a[0] == '+')) && a[1]))
		return false;
	if (a[0] == '-' && a[1] == '-') {
		*ret_done = long_option(o, a, ret);
		return true;
	}
	if (spec->numbers && a[1] >= '0' && a[1] <= '9') {
		ret->letter = '0';
		ret->value = a + 1;
		o->i++;
		*ret_done = true;
		return true;
	}
	o->pos = 1;
	return true;
}

bool shell_opts_next(struct shell_opts *o, struct shell_opt *ret)
{
	const struct shell_optspec *spec = o->spec;
	const char *a;
	bool done;
	char l;

	*ret = (struct shell_opt){0};
	if (o->pos == 0 && (!option_start(o, ret, &done) || done))
		return o->pos == 0 ? ret->letter || ret->name : true;
	a = o->cmd->argv[o->i];
	l = a[o->pos++];
	ret->letter = l;
	ret->plus = a[0] == '+';
	if ((spec->with_value && strchr(spec->with_value, l)) ||
	    (spec->attached_value && strchr(spec->attached_value, l))) {
		bool attached = a[o->pos] != '\0';

		if (attached)
			ret->value = a + o->pos;
		o->i++;
		o->pos = 0;
		if (!attached && spec->with_value && strchr(spec->with_value, l))
			next_value(o, ret);
		return true;
	}
	if (a[o->pos] == '\0') {
		o->i++;
		o->pos = 0;
	}
	return true;
}

/* Unwrapping. */

/* next: what cmd runs from its argument k on. False when there is none. */
static bool skip_to(const struct shell_cmd *cmd, size_t k, struct shell_cmd *next)
{
	if (k >= cmd->argc)
		return false;
	next->argv = cmd->argv + k;
	next->words = cmd->words ? cmd->words + k : NULL;
	next->argc = cmd->argc - k;
	return true;
}

/* A part that cannot be understood for what (a phrase after the program's name);
 * false, as nothing more can be unwrapped. */
static bool not_known(struct shell_cmd *cmd, const char *what)
{
	shell_unknown(cmd->ctx, cmd->argv, cmd->words, cmd->argc, "%s %s guard cannot know",
		      cmd->argv[0], what);
	return false;
}

/* Reads the options of cmd by spec; calls fn (may be NULL) for each, which returns
 * false to stop: the command runs nothing more. Returns the first operand's index, or
 * 0 when there is no command. */
static size_t options(struct shell_cmd *cmd, const struct shell_optspec *spec,
		      bool (*fn)(struct shell_cmd *cmd, const struct shell_opt *opt, void *u),
		      void *u)
{
	struct shell_opts o = {.cmd = cmd, .spec = spec, .i = 1};
	struct shell_opt opt;

	while (shell_opts_next(&o, &opt))
		if (fn && !fn(cmd, &opt, u))
			return 0;
	if (o.unknown) {
		not_known(cmd, "has an argument");
		return 0;
	}
	return o.i;
}

static bool plain_options(struct shell_cmd *cmd, struct shell_cmd *next,
			  const struct shell_optspec *spec, size_t operands)
{
	size_t k = options(cmd, spec, NULL, NULL);

	return k && skip_to(cmd, k + operands, next);
}

static bool w_nohup(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const struct shell_optspec spec = {0};

	return plain_options(cmd, next, &spec, 0);
}

static bool w_nice(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"adjustment", NULL};
	static const struct shell_optspec spec = {
		.with_value = "n", .numbers = true, .long_with_value = longs};

	return plain_options(cmd, next, &spec, 0);
}

static bool ionice_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	/* -p, -P, -u: it acts on processes that run already. */
	return !(opt->letter && strchr("pPu", opt->letter)) && !shell_opt_is(opt, "pid") &&
	       !shell_opt_is(opt, "pgid") && !shell_opt_is(opt, "uid");
}

static bool w_ionice(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"class", "classdata", "pid", "pgid", "uid", NULL};
	static const struct shell_optspec spec = {.with_value = "cnpPu", .long_with_value = longs};
	size_t k = options(cmd, &spec, ionice_opt, NULL);

	return k && skip_to(cmd, k, next);
}

static bool w_timeout(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"signal", "kill-after", NULL};
	static const struct shell_optspec spec = {.with_value = "sk", .long_with_value = longs};

	/* After the options, the duration. */
	return plain_options(cmd, next, &spec, 1);
}

static bool w_stdbuf(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"input", "output", "error", NULL};
	static const struct shell_optspec spec = {.with_value = "ioe", .long_with_value = longs};

	return plain_options(cmd, next, &spec, 0);
}

/* A file a command writes: a part as a redirection is. */
static void writes(struct shell_cmd *cmd, const char *text, unsigned flags, const char *pattern)
{
	const char **argv = shell_alloc(cmd->ctx->sh, 3 * sizeof(*argv));
	struct policy_word *words = flags ? shell_alloc(cmd->ctx->sh, 2 * sizeof(*words)) : NULL;
	struct shell_cmd w = {.argv = argv,
			      .words = words,
			      .argc = 2,
			      .ctx = cmd->ctx,
			      .cwd_override = cmd->cwd_override,
			      .cwd_set = cmd->cwd_set};

	if (!argv || (flags && !words) || !text)
		return;
	argv[0] = ">";
	argv[1] = text;
	if (words)
		words[1] = (struct policy_word){.pattern = pattern, .flags = flags};
	shell_emit(&w);
}

static bool time_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	if (opt->letter == 'o' || shell_opt_is(opt, "output"))
		writes(cmd, opt->value, opt->value_flags, opt->value_pattern);
	return true;
}

static bool w_time(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"format", "output", NULL};
	static const struct shell_optspec spec = {.with_value = "fo", .long_with_value = longs};
	size_t k = options(cmd, &spec, time_opt, NULL);

	return k && skip_to(cmd, k, next);
}

static bool command_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	/* command -v and -V only say what a name is. */
	return opt->letter != 'v' && opt->letter != 'V';
}

static bool w_command(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const struct shell_optspec spec = {0};
	size_t k = options(cmd, &spec, command_opt, NULL);

	return k && skip_to(cmd, k, next);
}

static bool w_exec(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const struct shell_optspec spec = {.with_value = "a"};

	return plain_options(cmd, next, &spec, 0);
}

/* NAME=value arguments: the command's environment. */

static bool is_assignment(const char *w, size_t *ret_n)
{
	size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");

	*ret_n = n;
	return n > 0 && !(w[0] >= '0' && w[0] <= '9') && w[n] == '=';
}

static void env_push(struct shell_cmd *cmd, const char *name, size_t n, const struct shell_value *v)
{
	struct shell_var *b = shell_alloc(cmd->ctx->sh, sizeof(*b));

	if (!b)
		return;
	*b = (struct shell_var){.name = name, .name_n = n, .exported = true, .next = cmd->env};
	if (v && v->text && !v->flags)
		b->v = *v;
	else
		b->v.flags = POLICY_WORD_UNKNOWN;
	if (!cmd->env)
		cmd->env_end = NULL;
	cmd->env = b;
}

/* Takes the NAME=value arguments from k on into next's environment; returns the index
 * after them. */
static size_t assignments(const struct shell_cmd *cmd, size_t k, struct shell_cmd *next)
{
	size_t n;

	for (; k < cmd->argc; k++) {
		const char *w = cmd->argv[k];
		struct shell_value v;

		if ((cmd->words && (cmd->words[k].flags & POLICY_WORD_UNKNOWN)) ||
		    !is_assignment(w, &n))
			return k;
		v = value_of(cmd, k);
		v.text = w + n + 1;
		env_push(next, w, n, &v);
	}
	return k;
}

/* Where a command runs after -D DIR or -C DIR: made absolute against where its wrapper
 * runs; not known when that is not one known directory. */
static void change_dir(struct shell_cmd *next, const struct shell_opt *opt)
{
	const struct shell_cwds *cwd = &next->ctx->cwd;
	const char *base = next->cwd_set                 ? next->cwd_override
			   : cwd->unknown || cwd->n != 1 ? NULL
							 : cwd->v[0];
	char *path = NULL;

	next->cwd_set = true;
	next->cwd_override = NULL;
	if (!opt->value || opt->value_flags || (opt->value[0] != '/' && !base))
		return;
	if (policy_path_canon(base ? base : "/", opt->value, &path) < 0) {
		shell_oom(next->ctx->sh);
		return;
	}
	next->cwd_override = shell_strndup(next->ctx->sh, path, strlen(path));
	free(path);
}

/* sudo -s and -i hand the command to a shell with every character escaped but '$':
 * a word with a '$' is expanded there, to a value guard cannot know. */
static void dollars_unknown(struct shell_cmd *next)
{
	struct policy_word *words = shell_alloc(next->ctx->sh, next->argc * sizeof(*words));

	if (!words)
		return;
	for (size_t i = 0; i < next->argc; i++) {
		if (next->words)
			words[i] = next->words[i];
		if (strchr(next->argv[i], '$'))
			words[i] = (struct policy_word){.flags = POLICY_WORD_UNKNOWN};
	}
	next->words = words;
}

struct sudo {
	struct shell_cmd *next;
	bool shell, login;
};

static bool sudo_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	struct sudo *s = u;
	char l = opt->letter;

	if (l == 'D' || shell_opt_is(opt, "chdir"))
		change_dir(s->next, opt);
	s->shell |= l == 's' || shell_opt_is(opt, "shell");
	s->login |= l == 'i' || shell_opt_is(opt, "login");
	/* Editing, listing, validating, help and version run no command. */
	if ((l && strchr("elvVK", l)) || (l == 'h' && !opt->value) || shell_opt_is(opt, "edit") ||
	    shell_opt_is(opt, "list") || shell_opt_is(opt, "validate") ||
	    shell_opt_is(opt, "version") || shell_opt_is(opt, "help") ||
	    shell_opt_is(opt, "remove-timestamp"))
		return false;
	return true;
}

static bool w_sudo(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {
		"close-from", "chdir",           "group",      "prompt", "chroot",    "role",
		"type",       "command-timeout", "other-user", "user",   "auth-type", "login-class",
		NULL,
	};
	static const struct shell_optspec spec = {
		.with_value = "aCcDgpRrTtUu", .attached_value = "h", .long_with_value = longs};
	struct sudo s = {.next = next};
	size_t k = options(cmd, &spec, sudo_opt, &s);

	if (!k)
		return false;
	k = assignments(cmd, k, next);
	if (!skip_to(cmd, k, next))
		return false;
	if (s.login) {
		/* In the target user's home directory. */
		next->cwd_set = true;
		next->cwd_override = NULL;
	}
	if (s.shell || s.login)
		dollars_unknown(next);
	return true;
}

static bool doas_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	/* -C checks a configuration, -L clears, -s is a shell: no command. */
	return opt->letter != 'C' && opt->letter != 'L' && opt->letter != 's';
}

static bool w_doas(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const struct shell_optspec spec = {.with_value = "aCu"};
	size_t k = options(cmd, &spec, doas_opt, NULL);

	return k && skip_to(cmd, k, next);
}

/* env: its options, NAME=value, then the command. */

struct env {
	struct shell_cmd *next;
	const char *split;
	unsigned split_flags;
};

static bool env_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	struct env *e = u;
	static const struct shell_value unset = {.text = ""};

	if (opt->letter == 'i' || shell_opt_is(opt, "ignore-environment"))
		e->next->env_clear = true;
	if ((opt->letter == 'u' || shell_opt_is(opt, "unset")) && opt->value && !opt->value_flags)
		env_push(e->next, opt->value, strlen(opt->value), &unset);
	if (opt->letter == 'C' || shell_opt_is(opt, "chdir"))
		change_dir(e->next, opt);
	if (opt->letter == 'S' || shell_opt_is(opt, "split-string")) {
		e->split = opt->value ? opt->value : "";
		e->split_flags = opt->value_flags;
		return false;
	}
	return true;
}

/* env -S STRING: the string's words take its place among env's arguments. */
static bool env_split(struct shell_cmd *cmd, struct env *e, size_t rest)
{
	const char *const *split;
	struct policy_word *split_words;
	const char **argv;
	struct policy_word *words;
	size_t n, total;

	if (e->split_flags)
		return not_known(cmd, "-S splits a string");
	if (!shell_split(cmd->ctx, e->split, strlen(e->split), &split, &split_words, &n))
		return not_known(cmd, "-S splits a string");
	total = 1 + n + (cmd->argc - rest);
	argv = shell_alloc(cmd->ctx->sh, (total + 1) * sizeof(*argv));
	words = shell_alloc(cmd->ctx->sh, total * sizeof(*words));
	if (!argv || !words)
		return false;
	argv[0] = cmd->argv[0];
	for (size_t i = 0; i < n; i++) {
		argv[1 + i] = split[i];
		if (split_words)
			words[1 + i] = split_words[i];
	}
	for (size_t i = rest; i < cmd->argc; i++) {
		argv[1 + n + i - rest] = cmd->argv[i];
		if (cmd->words)
			words[1 + n + i - rest] = cmd->words[i];
	}
	cmd->argv = argv;
	cmd->words = words;
	cmd->argc = total;
	return true;
}

/* The index after env's options, or 0 when there is no command. */
static size_t env_options(struct shell_cmd *cmd, struct env *e)
{
	static const char *const longs[] = {"unset", "chdir", "split-string", "argv0", NULL};
	static const struct shell_optspec spec = {.with_value = "uCSPa", .long_with_value = longs};

	for (unsigned splits = 0;; splits++) {
		struct shell_opts o = {.cmd = cmd, .spec = &spec, .i = 1};
		struct shell_opt opt;

		e->split = NULL;
		while (shell_opts_next(&o, &opt) && env_opt(cmd, &opt, e))
			;
		if (o.unknown) {
			not_known(cmd, "has an argument");
			return 0;
		}
		if (!e->split)
			return o.i;
		if (splits == SPLIT_MAX) {
			not_known(cmd, "-S splits more strings than");
			return 0;
		}
		if (!env_split(cmd, e, o.i))
			return 0;
	}
}

static bool w_env(struct shell_cmd *cmd, struct shell_cmd *next)
{
	struct shell_cmd copy = *cmd;
	struct env e = {.next = next};
	size_t k = env_options(&copy, &e);

	if (!k)
		return false;
	if (k < copy.argc && shell_arg(&copy, k) && strcmp(copy.argv[k], "-") == 0) {
		next->env_clear = true;
		k++;
	}
	k = assignments(&copy, k, next);
	return skip_to(&copy, k, next);
}

/* Texts to analyse: strings run by a shell. */

const char *shell_join(const struct shell_cmd *cmd, size_t k, size_t *ret_n)
{
	size_t n = 0, o = 0;
	char *text;

	for (size_t i = k; i < cmd->argc; i++) {
		if (!shell_arg(cmd, i))
			return NULL;
		n += strlen(cmd->argv[i]) + 1;
	}
	text = shell_alloc(cmd->ctx->sh, n + 1);
	if (!text)
		return NULL;
	for (size_t i = k; i < cmd->argc; i++) {
		size_t len = strlen(cmd->argv[i]);

		memcpy(text + o, cmd->argv[i], len);
		o += len;
		if (i + 1 < cmd->argc)
			text[o++] = ' ';
	}
	text[o] = '\0';
	*ret_n = o;
	return text;
}

/* The context of a shell that cmd starts. */
static void child_of(const struct shell_cmd *cmd, struct shell_ctx *ret)
{
	shell_ctx_child(cmd->ctx, cmd, ret);
	if (cmd->cwd_set)
		shell_cwds_one(&ret->cwd, cmd->cwd_override);
}

static void run_text(struct shell_ctx *child, const char *text, const struct shell_input *in,
		     const char *what)
{
	shell_text(child, text, strlen(text), in, what);
}

/* A program that reads commands (a shell) or its program (an interpreter) from its
 * standard input. */
static void reads_input(struct shell_cmd *cmd, const char *name, bool shell)
{
	const char *verb = shell ? "reads its commands from" : "reads its program from";
	struct shell_input inherit = {.kind = SHELL_IN_INHERIT};
	struct shell_ctx child, *later;

	switch (cmd->in.kind) {
	case SHELL_IN_INHERIT:
		cmd->reader = name;
		return;
	case SHELL_IN_EMPTY:
		return;
	case SHELL_IN_TEXT:
		if (!shell || (cmd->in.text.flags & POLICY_WORD_UNKNOWN)) {
			shell_unknown(cmd->ctx, cmd->argv, cmd->words, cmd->argc, "%s %s %s%s",
				      name, verb, cmd->in.what,
				      shell ? " that holds what guard cannot know" : "");
			return;
		}
		child_of(cmd, &child);
		run_text(&child, cmd->in.text.text, &inherit, "the commands it reads");
		return;
	case SHELL_IN_LATER:
		later = shell ? shell_alloc(cmd->ctx->sh, sizeof(*later)) : NULL;
		if (!later)
			break;
		child_of(cmd, later);
		cmd->in.later->shell = later;
		cmd->in.later->reader = name;
		return;
	default:
		break;
	}
	shell_unknown(cmd->ctx, cmd->argv, cmd->words, cmd->argc, "%s %s %s", name, verb,
		      cmd->in.what);
}

struct sh {
	bool c, s;
};

static void sh_opt(struct shell_cmd *cmd, const struct shell_opt *opt, struct sh *sh)
{
	sh->c |= opt->letter == 'c' && !opt->plus;
	sh->s |= opt->letter == 's' && !opt->plus;
}

/* $0, $1... of sh -c STRING ARG0 ARGS. */
static void bind_args(const struct shell_cmd *cmd, size_t k, struct shell_ctx *child)
{
	struct shell_value *v = NULL;

	child->args = (struct shell_args){.zero = shell_arg(cmd, k) ? cmd->argv[k] : NULL};
	if (k >= cmd->argc)
		child->args.zero = cmd->argv[0];
	if (k + 1 < cmd->argc)
		v = shell_alloc(cmd->ctx->sh, (cmd->argc - k - 1) * sizeof(*v));
	for (size_t i = k + 1; v && i < cmd->argc; i++)
		v[i - k - 1] = value_of(cmd, i);
	child->args.v = v;
	child->args.n = v ? cmd->argc - k - 1 : 0;
}

static bool w_shell(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"rcfile", "init-file", NULL};
	static const struct shell_optspec spec = {
		.with_value = "oO", .plus = true, .long_with_value = longs};
	struct shell_opts o = {.cmd = cmd, .spec = &spec, .i = 1};
	const char *name = base_name(cmd->argv[0]);
	struct shell_ctx child;
	struct shell_opt opt;
	struct sh sh = {0};

	while (shell_opts_next(&o, &opt))
		sh_opt(cmd, &opt, &sh);
	if (o.unknown)
		return not_known(cmd, sh.c ? "-c runs a string" : "has an argument");
	if (!sh.c) {
		if (sh.s || o.i >= cmd->argc)
			reads_input(cmd, name, true);
		return false;
	}
	if (o.i >= cmd->argc)
		return false;
	child_of(cmd, &child);
	bind_args(cmd, o.i + 1, &child);
	run_text(&child, cmd->argv[o.i], &cmd->in, "the string of sh -c");
	return false;
}

struct su {
	const char *command;
	unsigned flags;
	bool given, login, user;
};

static void su_opt(const struct shell_opt *opt, struct su *su)
{
	if (opt->letter == 'c' || opt->letter == 'C' || shell_opt_is(opt, "command") ||
	    shell_opt_is(opt, "session-command")) {
		su->command = opt->value;
		su->flags = opt->value_flags;
		su->given = true;
	}
	su->login |= opt->letter == 'l' || shell_opt_is(opt, "login");
	su->user |= opt->letter == 'u' || shell_opt_is(opt, "user");
}

/* su reads its options anywhere (GNU getopt permutes): "su - bob -c CMD". Returns the
 * index of the first operand after "--" (runuser -u USER -- CMD), or argc. */
static size_t su_options(struct shell_cmd *cmd, struct su *su, bool *ret_unknown)
{
	static const char *const longs[] = {"command",    "session-command",       "shell", "group",
					    "supp-group", "whitelist-environment", "user",  NULL};
	static const struct shell_optspec spec = {.with_value = "cCsgGwu",
						  .long_with_value = longs};
	struct shell_opts o = {.cmd = cmd, .spec = &spec, .i = 1};
	struct shell_opt opt;

	*ret_unknown = false;
	while (o.i < cmd->argc) {
		size_t at = o.i;

		while (shell_opts_next(&o, &opt))
			su_opt(&opt, su);
		if (o.unknown) {
			*ret_unknown = true;
			return cmd->argc;
		}
		if (o.i > at && strcmp(cmd->argv[o.i - 1], "--") == 0)
			return o.i;
		if (o.i < cmd->argc && strcmp(cmd->argv[o.i], "-") == 0)
			su->login = true;
		o.i++;
	}
	return cmd->argc;
}

/* su and runuser: -c COMMAND is run by the user's shell; runuser -u USER -- COMMAND as it
 * is. */
static bool w_su(struct shell_cmd *cmd, struct shell_cmd *next)
{
	struct su su = {0};
	bool unknown;
	size_t k = su_options(cmd, &su, &unknown);
	struct shell_ctx child;

	if (unknown)
		return not_known(cmd, "has an argument");
	if (su.user && !su.given)
		return skip_to(cmd, k, next);
	if (!su.given) {
		reads_input(cmd, base_name(cmd->argv[0]), true);
		return false;
	}
	if (!su.command || su.flags)
		return not_known(cmd, "-c runs a string");
	child_of(cmd, &child);
	if (su.login) {
		child.vars = NULL;
		shell_var_barrier(&child);
		shell_cwds_one(&child.cwd, NULL);
	}
	run_text(&child, su.command, &cmd->in, "the command of su -c");
	return false;
}

struct watch {
	bool exec;
};

static bool watch_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	struct watch *w = u;

	w->exec |= opt->letter == 'x' || shell_opt_is(opt, "exec");
	return true;
}

/* watch runs its words joined by spaces with sh -c, or with -x as they are. */
static bool w_watch(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {"interval", "equexit", NULL};
	static const struct shell_optspec spec = {.with_value = "nq", .long_with_value = longs};
	struct watch w = {0};
	size_t k = options(cmd, &spec, watch_opt, &w), n;
	struct shell_input in = {.kind = SHELL_IN_EMPTY};
	struct shell_ctx child;
	const char *text;

	if (!k)
		return false;
	if (w.exec)
		return skip_to(cmd, k, next);
	if (k >= cmd->argc)
		return false;
	text = shell_join(cmd, k, &n);
	if (!text)
		return not_known(cmd, "runs words");
	child_of(cmd, &child);
	run_text(&child, text, &in, "the command of watch");
	return false;
}

/* ssh [options] [user@]HOST [COMMAND...] */

struct ssh {
	bool no_command;
};

static bool ssh_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	struct ssh *s = u;

	/* No remote command: forwarding only, a control command, a subsystem, the
	 * configuration or the version. */
	s->no_command |= opt->letter && strchr("NWGOsV", opt->letter);
	return true;
}

/* The host of [user@]host, ssh://[user@]host[:port]. */
static const char *ssh_host(struct shell *sh, const char *dest)
{
	const char *at, *end;

	if (strncmp(dest, "ssh://", 6) == 0)
		dest += 6;
	at = strrchr(dest, '@');
	if (at)
		dest = at + 1;
	end = dest + strcspn(dest, ":/");
	if (dest[0] == '[')
		end = dest + strcspn(dest, "]") + (dest[strcspn(dest, "]")] == ']'), dest++;
	return shell_strndup(sh, dest, (size_t)(end - dest) - (end > dest && end[-1] == ']'));
}

static bool w_ssh(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const struct shell_optspec spec = {.with_value = "BbcDEeFIiJLlmOoPpQRSWw"};
	struct ssh s = {0};
	size_t k = options(cmd, &spec, ssh_opt, &s), n;
	const char *text;
	struct shell_ctx remote;

	if (!k || s.no_command || k >= cmd->argc)
		return false;
	shell_ctx_child(cmd->ctx, NULL, &remote);
	remote.vars = NULL;
	shell_var_barrier(&remote);
	shell_cwds_one(&remote.cwd, NULL);
	remote.remote = true;
	remote.host = shell_arg(cmd, k) ? ssh_host(cmd->ctx->sh, cmd->argv[k]) : NULL;
	remote.host_unknown = !remote.host;
	if (k + 1 >= cmd->argc) {
		/* A shell there, reading what this end gives it. */
		if (cmd->in.kind != SHELL_IN_INHERIT && cmd->in.kind != SHELL_IN_EMPTY)
			shell_unknown(&remote, cmd->argv, cmd->words, cmd->argc,
				      "the shell on %s reads its commands from %s",
				      remote.host ? remote.host : "the remote host", cmd->in.what);
		return false;
	}
	text = shell_join(cmd, k + 1, &n);
	if (!text)
		return not_known(cmd, "runs a remote command");
	shell_text(&remote, text, n, &cmd->in, "the remote command");
	return false;
}

/* xargs: its command with the arguments it reads. */

struct xargs {
	const char *replace;
	bool replace_unknown, tty;
};

static bool xargs_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	struct xargs *x = u;

	if (opt->letter == 'I' || opt->letter == 'i' || shell_opt_is(opt, "replace")) {
		x->replace = opt->value ? opt->value : "{}";
		x->replace_unknown = opt->value_flags != 0;
	}
	x->tty |= opt->letter == 'o' || shell_opt_is(opt, "open-tty");
	return true;
}

/* The command's words, with what xargs reads in: every word holding the replace string,
 * or one more word. */
static bool xargs_words(struct shell_cmd *cmd, size_t k, const struct xargs *x,
			struct shell_cmd *next)
{
	static const char *const echo[] = {"echo"};
	size_t n = k < cmd->argc ? cmd->argc - k : 1, total = n + !x->replace;
	const char **argv = shell_alloc(cmd->ctx->sh, (total + 1) * sizeof(*argv));
	struct policy_word *words = shell_alloc(cmd->ctx->sh, total * sizeof(*words));

	if (!argv || !words)
		return false;
	for (size_t i = 0; i < n; i++) {
		argv[i] = k < cmd->argc ? cmd->argv[k + i] : echo[0];
		if (k < cmd->argc && cmd->words)
			words[i] = cmd->words[k + i];
		if (x->replace && (x->replace_unknown || strstr(argv[i], x->replace)) && i > 0)
			words[i] = (struct policy_word){.flags = POLICY_WORD_UNKNOWN};
	}
	if (!x->replace) {
		argv[n] = "...";
		words[n] = (struct policy_word){.flags = POLICY_WORD_UNKNOWN};
	}
	next->argv = argv;
	next->words = words;
	next->argc = total;
	next->in = (struct shell_input){.kind = x->tty ? SHELL_IN_INHERIT : SHELL_IN_EMPTY};
	return true;
}

static bool w_xargs(struct shell_cmd *cmd, struct shell_cmd *next)
{
	static const char *const longs[] = {
		"arg-file", "delimiter", "eof",       "replace",          "max-lines",
		"max-args", "max-procs", "max-chars", "process-slot-var", NULL,
	};
	static const struct shell_optspec spec = {
		.with_value = "adEILnPs", .attached_value = "ile", .long_with_value = longs};
	struct xargs x = {0};
	size_t k = options(cmd, &spec, xargs_opt, &x);

	return k && xargs_words(cmd, k, &x, next);
}

/* find: the starting points, then the expression with its -exec commands. */

/* Whether argument i starts find's expression: a test, action or operator. A word that
 * is not known, or a pattern, is taken for a starting point. */
static bool find_expression(const struct shell_cmd *cmd, size_t i)
{
	const char *w = shell_arg(cmd, i);

	return w && ((w[0] == '-' && w[1]) || strcmp(w, "(") == 0 || strcmp(w, "!") == 0 ||
		     strcmp(w, ")") == 0 || strcmp(w, ",") == 0);
}

/* What "{}" stands for: the one starting point and everything below it. */
static struct policy_word find_below(const struct shell_cmd *cmd, size_t first, size_t n)
{
	struct shell_value root = n == 1 ? value_of(cmd, first) : (struct shell_value){.text = "."};

	if (n > 1 || (root.flags & (POLICY_WORD_UNKNOWN | POLICY_WORD_BELOW)))
		return (struct policy_word){.flags = POLICY_WORD_UNKNOWN};
	if (root.flags & POLICY_WORD_GLOB)
		return (struct policy_word){root.pattern, POLICY_WORD_GLOB | POLICY_WORD_BELOW};
	return (struct policy_word){root.text, POLICY_WORD_BELOW};
}

/* The end of the -exec that starts at k: its ";", or its "+" after "{}"; 0 when none. */
static size_t exec_end(const struct shell_cmd *cmd, size_t k)
{
	for (size_t j = k + 1; j < cmd->argc; j++) {
		const char *w = shell_arg(cmd, j);

		if (w &&
		    (strcmp(w, ";") == 0 || (strcmp(w, "+") == 0 && shell_arg(cmd, j - 1) &&
					     strcmp(cmd->argv[j - 1], "{}") == 0 && j > k + 1)))
			return j;
	}
	return 0;
}

static void find_exec(struct shell_cmd *cmd, size_t k, size_t end, struct policy_word below,
		      bool in_dir)
{
	struct shell_ctx sub = *cmd->ctx;
	size_t n = end - k - 1;
	const char **argv = shell_alloc(sub.sh, (n + 1) * sizeof(*argv));
	struct policy_word *words = shell_alloc(sub.sh, (n ? n : 1) * sizeof(*words));
	struct shell_cmd exec = {.argv = argv,
				 .words = words,
				 .argc = n,
				 .ctx = &sub,
				 .in = cmd->in,
				 .verbatim = cmd->verbatim,
				 .cwd_override = cmd->cwd_override,
				 .cwd_set = cmd->cwd_set};

	if (!argv || !words || n == 0)
		return;
	if (++sub.depth > POLICY_SHELL_DEPTH_MAX) {
		shell_unknown(cmd->ctx, cmd->argv, cmd->words, cmd->argc,
			      "commands nested more than %d deep", POLICY_SHELL_DEPTH_MAX);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		argv[i] = cmd->argv[k + 1 + i];
		if (cmd->words)
			words[i] = cmd->words[k + 1 + i];
		if (strcmp(argv[i], "{}") == 0)
			words[i] = below;
		else if (strstr(argv[i], "{}"))
			words[i] = (struct policy_word){.flags = POLICY_WORD_UNKNOWN};
	}
	if (in_dir) {
		exec.cwd_set = true;
		exec.cwd_override = NULL;
	}
	shell_run(&exec);
}

static void find_actions(struct shell_cmd *cmd, size_t k, struct policy_word below)
{
	static const char *const execs[] = {"-exec", "-execdir", "-ok", "-okdir"};
	static const char *const files[] = {"-fprint", "-fprint0", "-fls", "-fprintf"};

	for (; k < cmd->argc && !stopped(cmd); k++) {
		const char *w = shell_arg(cmd, k);

		for (size_t i = 0; w && i < 4; i++) {
			size_t end;

			if (strcmp(w, files[i]) == 0 && k + 1 < cmd->argc) {
				struct shell_value f = value_of(cmd, k + 1);

				writes(cmd, f.text, f.flags, f.pattern);
			}
			if (strcmp(w, execs[i]) != 0)
				continue;
			end = exec_end(cmd, k);
			if (!end)
				return;
			find_exec(cmd, k, end, below, i % 2 == 1);
			k = end;
			break;
		}
	}
}

/* find's own options before the starting points: -H -L -P, -D LIST, -OLEVEL. */
static size_t find_options(const struct shell_cmd *cmd)
{
	size_t i = 1;

	while (i < cmd->argc) {
		const char *w = shell_arg(cmd, i);

		if (!w || w[0] != '-' || !w[1] || !strchr("HLPDO", w[1]))
			break;
		if (strcmp(w, "-D") == 0)
			i++;
		else if (w[1] != 'O' && w[2])
			break;
		i++;
	}
	return i;
}

static bool w_find(struct shell_cmd *cmd, struct shell_cmd *next)
{
	size_t first = find_options(cmd), k = first;

	while (k < cmd->argc && !find_expression(cmd, k))
		k++;
	find_actions(cmd, k, find_below(cmd, first, k - first));
	return false;
}

/* Interpreters that read their program from standard input when given none. */

static const struct interpreter {
	const char *name;
	const char *with_value;
	const char *program; /* options that give the program */
} interpreters[] = {
	{"python", "WXcmQ", "cm"}, {"perl", "eEIMm", "eE"},  {"ruby", "eIrCEx", "e"},
	{"node", "erp", "ep"},     {"nodejs", "erp", "ep"},  {"php", "cdrfzB", "rfB"},
	{"lua", "el", "e"},        {"luajit", "elbj", "eb"}, {"Rscript", "e", "e"},
	{"tclsh", "", ""},         {"osascript", "el", "e"},
};

static const struct interpreter *interpreter(const char *name)
{
	for (size_t i = 0; i < sizeof(interpreters) / sizeof(interpreters[0]); i++) {
		size_t n = strlen(interpreters[i].name);

		/* python3, python3.12, perl5.36 */
		if (strncmp(name, interpreters[i].name, n) == 0 &&
		    name[strspn(name + n, "0123456789.") + n] == '\0')
			return &interpreters[i];
	}
	return NULL;
}

struct program {
	const struct interpreter *it;
	bool given;
};

static bool program_opt(struct shell_cmd *cmd, const struct shell_opt *opt, void *u)
{
	struct program *p = u;

	p->given |= (opt->letter && strchr(p->it->program, opt->letter)) ||
		    shell_opt_is(opt, "eval") || shell_opt_is(opt, "print");
	return true;
}

static void run_interpreter(struct shell_cmd *cmd, const struct interpreter *it)
{
	static const char *const longs[] = {"eval", "print", "require", NULL};
	struct shell_optspec spec = {.with_value = it->with_value, .long_with_value = longs};
	struct program p = {.it = it};
	size_t k = options(cmd, &spec, program_opt, &p);

	if (!k || p.given)
		return;
	if (k >= cmd->argc || (shell_arg(cmd, k) && strcmp(cmd->argv[k], "-") == 0))
		reads_input(cmd, base_name(cmd->argv[0]), false);
}

/* The table, sorted by name for bsearch(). */
typedef bool unwrap_fn(struct shell_cmd *cmd, struct shell_cmd *next);

static const struct wrapper {
	const char *name;
	unwrap_fn *fn;
} wrappers[] = {
	{"ash", w_shell},  {"bash", w_shell},      {"builtin", w_nohup}, {"command", w_command},
	{"dash", w_shell}, {"doas", w_doas},       {"env", w_env},       {"exec", w_exec},
	{"find", w_find},  {"ionice", w_ionice},   {"ksh", w_shell},     {"ksh93", w_shell},
	{"lksh", w_shell}, {"mksh", w_shell},      {"nice", w_nice},     {"nohup", w_nohup},
	{"posh", w_shell}, {"rbash", w_shell},     {"runuser", w_su},    {"sh", w_shell},
	{"ssh", w_ssh},    {"stdbuf", w_stdbuf},   {"su", w_su},         {"sudo", w_sudo},
	{"time", w_time},  {"timeout", w_timeout}, {"watch", w_watch},   {"xargs", w_xargs},
	{"yash", w_shell}, {"zsh", w_shell},
};

static int compare_wrapper(const void *key, const void *w)
{
	return strcmp(key, ((const struct wrapper *)w)->name);
}

static const struct wrapper *wrapper(const char *name)
{
	return bsearch(name, wrappers, sizeof(wrappers) / sizeof(wrappers[0]), sizeof(wrappers[0]),
		       compare_wrapper);
}

#define L(c) (1u << ((c) - 'a'))

bool policy_shell_unwraps(const char *name)
{
	/* The hot path meets this for every request, and most names are no wrapper's: the
	 * first two letters of the wrappers' names say so without a search. Keep it in
	 * step with the table. */
	static const uint32_t second[26] = {
		['a' - 'a'] = L('s'),          ['b' - 'a'] = L('a') | L('u'),
		['c' - 'a'] = L('o'),          ['d' - 'a'] = L('a') | L('o'),
		['e' - 'a'] = L('n') | L('x'), ['f' - 'a'] = L('i'),
		['i' - 'a'] = L('o'),          ['k' - 'a'] = L('s'),
		['l' - 'a'] = L('k'),          ['m' - 'a'] = L('k'),
		['n' - 'a'] = L('i') | L('o'), ['p' - 'a'] = L('o'),
		['r' - 'a'] = L('b') | L('u'), ['s' - 'a'] = L('h') | L('s') | L('t') | L('u'),
		['t' - 'a'] = L('i'),          ['w' - 'a'] = L('a'),
		['x' - 'a'] = L('a'),          ['y' - 'a'] = L('a'),
		['z' - 'a'] = L('s'),
	};

	if (name[0] < 'a' || name[0] > 'z' || name[1] < 'a' || name[1] > 'z' ||
	    !(second[name[0] - 'a'] & L(name[1])))
		return false;
	return wrapper(name) != NULL;
}

#undef L

/* A program word whose value is not known, or a pattern. */
static void program_unknown(struct shell_cmd *cmd)
{
	bool pattern = cmd->words && !(cmd->words[0].flags & POLICY_WORD_UNKNOWN);

	shell_unknown(cmd->ctx, cmd->argv, cmd->words, cmd->argc,
		      pattern ? "the program is a pattern (%s)" : "the program is not known (%s)",
		      cmd->argv[0]);
}

void shell_run(struct shell_cmd *cmd)
{
	struct shell_cmd cur = *cmd;

	while (!stopped(&cur)) {
		const struct interpreter *it;
		const struct wrapper *w;
		struct shell_cmd next;
		const char *name;

		if (!shell_arg(&cur, 0)) {
			program_unknown(&cur);
			break;
		}
		shell_emit(&cur);
		name = base_name(cur.argv[0]);
		w = wrapper(name);
		it = w ? NULL : interpreter(name);
		if (it)
			run_interpreter(&cur, it);
		next = cur;
		next.program = NULL;
		if (!w || !w->fn(&cur, &next))
			break;
		cur = next;
	}
	if (cur.reader)
		cmd->reader = cur.reader;
}
