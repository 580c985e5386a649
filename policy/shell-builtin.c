/* shell-builtin.c: the builtins that change what the analyser knows for the commands
 * after them: the working directory (cd, pushd, popd), variables (export, local, read,
 * unset, let...), positional parameters (set, shift), the strings run in place (eval),
 * what it cannot see (source), functions, aliases and traps, and where the shell ends
 * (exit, return, exec). */
#include <string.h>

#include "shell-internal.h"

struct call {
	struct shell_cmd *cmd;
	struct shell_ctx *c;
	size_t k; /* the builtin's name is argv[k] */
	const struct shell_assign *assigns;
	size_t n_assigns;
	struct shell_flow *flow;
};

static struct shell_value value_of(const struct shell_cmd *cmd, size_t i)
{
	if (!cmd->words || !cmd->words[i].flags)
		return (struct shell_value){.text = cmd->argv[i]};
	return (struct shell_value){
		.text = cmd->argv[i],
		.pattern = cmd->words[i].pattern,
		.flags = cmd->words[i].flags,
	};
}

static bool is_name(const char *s, size_t n)
{
	if (n == 0 || !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789",
			    s[i]))
			return false;
	return true;
}

/* Binds the variable named by argument i (when it is a name) as not known. */
static void forget_arg(struct call *a, size_t i)
{
	const char *name = shell_arg(a->cmd, i);

	if (name && is_name(name, strlen(name)))
		shell_var_bind(a->c, name, strlen(name), NULL, false);
	else if (!name)
		shell_var_barrier(a->c);
}

static void unknown_dir(struct call *a)
{
	shell_cwds_one(&a->flow->ok, NULL);
}

/* The working directory. */

static void b_cd(struct call *a)
{
	static const struct shell_optspec spec = {0};
	struct shell_opts o = {.cmd = a->cmd, .spec = &spec, .i = a->k + 1};
	struct shell_opt opt;
	const char *dir;

	a->c->cwd_moved = true;
	while (shell_opts_next(&o, &opt))
		;
	if (o.unknown) {
		unknown_dir(a);
		return;
	}
	if (o.i >= a->cmd->argc) {
		const struct shell_var *home = shell_var_find(a->c, "HOME", 4, NULL);

		dir = home && !home->v.flags ? home->v.text : NULL;
	} else {
		dir = shell_arg(a->cmd, o.i);
	}
	/* "cd -" is OLDPWD, which is not followed. */
	if (!dir || !dir[0] || strcmp(dir, "-") == 0) {
		unknown_dir(a);
		return;
	}
	shell_cwds_cd(a->c->sh, &a->c->cwd, dir, &a->flow->ok);
}

/* pushd DIR is cd DIR; pushd alone, pushd +N and popd go to a directory of the stack,
 * which is not followed. */
static void b_pushd(struct call *a)
{
	const char *dir = a->k + 1 < a->cmd->argc ? shell_arg(a->cmd, a->k + 1) : NULL;

	a->c->cwd_moved = true;
	if (!dir || dir[0] == '+' || dir[0] == '-')
		unknown_dir(a);
	else
		shell_cwds_cd(a->c->sh, &a->c->cwd, dir, &a->flow->ok);
}

static void b_popd(struct call *a)
{
	a->c->cwd_moved = true;
	unknown_dir(a);
}

/* Variables. */

static void b_declare(struct call *a)
{
	static const struct shell_optspec spec = {.plus = true};
	struct shell_opts o = {.cmd = a->cmd, .spec = &spec, .i = a->k + 1};
	bool exported = strcmp(a->cmd->argv[a->k], "export") == 0;
	struct shell_opt opt;

	while (shell_opts_next(&o, &opt)) {
		if (opt.letter == 'n' && !opt.plus) {
			/* A name reference: assigning it assigns another variable. */
			shell_var_barrier(a->c);
			return;
		}
		if (opt.letter == 'f' || opt.letter == 'F' || opt.letter == 'p')
			return;
		exported |= opt.letter == 'x' && !opt.plus;
	}
	for (size_t i = 0; i < a->n_assigns; i++)
		shell_var_bind(a->c, a->assigns[i].name, a->assigns[i].n, &a->assigns[i].value,
			       exported);
	for (size_t i = o.i; exported && i < a->cmd->argc; i++) {
		const char *name = shell_arg(a->cmd, i);
		const struct shell_var *v;

		if (!name || !is_name(name, strlen(name)))
			continue;
		v = shell_var_find(a->c, name, strlen(name), NULL);
		shell_var_bind(a->c, name, strlen(name), v ? &v->v : NULL, true);
	}
}

static void b_unset(struct call *a)
{
	static const struct shell_value empty = {.text = ""};

	for (size_t i = a->k + 1; i < a->cmd->argc; i++) {
		const char *name = shell_arg(a->cmd, i);

		if (name && strcmp(name, "-f") == 0)
			return;
		if (name && is_name(name, strlen(name)))
			shell_var_bind(a->c, name, strlen(name), &empty, false);
		else if (!name)
			shell_var_barrier(a->c);
	}
}

/* read and mapfile: what they read is not known. */
static void forget_operands(struct call *a, const struct shell_optspec *spec, const char *def,
			    const char *array_letter)
{
	struct shell_opts o = {.cmd = a->cmd, .spec = spec, .i = a->k + 1};
	struct shell_opt opt;
	bool any = false;

	while (shell_opts_next(&o, &opt)) {
		if (opt.letter && strchr(array_letter, opt.letter) && opt.value) {
			if (is_name(opt.value, strlen(opt.value)))
				shell_var_bind(a->c, opt.value, strlen(opt.value), NULL, false);
			any = true;
		}
	}
	if (o.unknown) {
		shell_var_barrier(a->c);
		return;
	}
	for (size_t i = o.i; i < a->cmd->argc; i++, any = true)
		forget_arg(a, i);
	if (!any)
		shell_var_bind(a->c, def, strlen(def), NULL, false);
}

static void b_read(struct call *a)
{
	static const struct shell_optspec spec = {.with_value = "adinNptu"};

	forget_operands(a, &spec, "REPLY", "a");
}

static void b_mapfile(struct call *a)
{
	static const struct shell_optspec spec = {.with_value = "dnOsuCc"};

	forget_operands(a, &spec, "MAPFILE", "");
}

static void b_getopts(struct call *a)
{
	shell_var_bind(a->c, "OPTARG", 6, NULL, false);
	shell_var_bind(a->c, "OPTIND", 6, NULL, false);
	if (a->k + 2 < a->cmd->argc)
		forget_arg(a, a->k + 2);
}

static void b_printf(struct call *a)
{
	const char *opt = a->k + 1 < a->cmd->argc ? shell_arg(a->cmd, a->k + 1) : NULL;

	if (opt && strcmp(opt, "-v") == 0 && a->k + 2 < a->cmd->argc)
		forget_arg(a, a->k + 2);
	else if (opt && strncmp(opt, "-v", 2) == 0 && is_name(opt + 2, strlen(opt + 2)))
		shell_var_bind(a->c, opt + 2, strlen(opt + 2), NULL, false);
}

/* let EXPR...: the name each expression starts with may be assigned. */
static void b_let(struct call *a)
{
	for (size_t i = a->k + 1; i < a->cmd->argc; i++) {
		const char *e = shell_arg(a->cmd, i);
		size_t n = 0;

		if (!e) {
			shell_var_barrier(a->c);
			return;
		}
		e += strspn(e, "+-");
		while (e[n] && is_name(e, n + 1))
			n++;
		if (n)
			shell_var_bind(a->c, e, n, NULL, false);
	}
}

/* Positional parameters. */

static void set_args(struct call *a, size_t from)
{
	struct shell_value *v = shell_alloc(a->c->sh, (a->cmd->argc - from + 1) * sizeof(*v));

	if (!v) {
		a->c->args = (struct shell_args){.unknown = true};
		return;
	}
	for (size_t i = from; i < a->cmd->argc; i++)
		v[i - from] = value_of(a->cmd, i);
	a->c->args.v = v;
	a->c->args.n = a->cmd->argc - from;
	a->c->args.unknown = false;
}

static void b_set(struct call *a)
{
	static const struct shell_optspec spec = {.with_value = "o", .plus = true};
	struct shell_opts o = {.cmd = a->cmd, .spec = &spec, .i = a->k + 1};
	struct shell_opt opt;
	bool dashdash;

	while (shell_opts_next(&o, &opt)) {
		if (opt.letter == 'e' ||
		    (opt.letter == 'o' && opt.value && strcmp(opt.value, "errexit") == 0))
			a->c->errexit = !opt.plus;
	}
	if (o.unknown) {
		a->c->args = (struct shell_args){.unknown = true, .zero = a->c->args.zero};
		return;
	}
	dashdash = o.i > a->k + 1 && strcmp(a->cmd->argv[o.i - 1], "--") == 0;
	if (o.i < a->cmd->argc || dashdash)
		set_args(a, o.i);
}

static void b_shift(struct call *a)
{
	const char *n = a->k + 1 < a->cmd->argc ? shell_arg(a->cmd, a->k + 1) : "1";
	struct shell_args *args = &a->c->args;
	size_t k = 0;

	if (!n || !n[0] || n[strspn(n, "0123456789")] || strlen(n) > 6) {
		*args = (struct shell_args){.unknown = true, .zero = args->zero};
		return;
	}
	for (const char *d = n; *d; d++)
		k = k * 10 + (size_t)(*d - '0');
	if (!args->unknown && k > 0 && k <= args->n) {
		args->v += k;
		args->n -= k;
	}
}

/* Strings run in place. */

/* Reading ahead nothing nested is read: take it that the string changes everything. */
static void changes_everything(struct call *a)
{
	a->c->cwd_moved = true;
	shell_var_barrier(a->c);
	unknown_dir(a);
	a->flow->fail = a->flow->ok;
}

static void b_eval(struct call *a)
{
	struct shell_ctx *c = a->c;
	size_t n;
	const char *text = shell_join(a->cmd, a->k + 1, &n);

	if (!text) {
		shell_unknown(c, a->cmd->argv, a->cmd->words, a->cmd->argc,
			      "eval runs a string guard cannot know");
		changes_everything(a);
		return;
	}
	if (c->dry) {
		changes_everything(a);
		return;
	}
	c->depth++;
	shell_text(c, text, n, &a->cmd->in, "the string of eval");
	c->depth--;
	a->flow->ok = a->flow->fail = c->cwd;
}

static void b_source(struct call *a)
{
	shell_unknown(a->c, a->cmd->argv, a->cmd->words, a->cmd->argc,
		      "%s runs the commands of a file, which guard cannot see", a->cmd->argv[a->k]);
	changes_everything(a);
}

static void b_exit(struct call *a)
{
	a->flow->ok.dead = a->flow->fail.dead = true;
}

/* exec CMD replaces the shell; exec alone only redirects. */
static void b_exec(struct call *a)
{
	if (a->k + 1 < a->cmd->argc)
		b_exit(a);
}

/* Functions, aliases, traps. */

/* Analyses text as a body that may run later: where, and with what arguments, is not
 * known. What it changes is returned in *ret. */
static void body(struct call *a, const char *text, struct shell_ctx *ret)
{
	struct shell_input in = {.kind = SHELL_IN_INHERIT};
	struct shell_ctx b = *a->c;

	b.args = (struct shell_args){.unknown = true};
	shell_cwds_one(&b.cwd, NULL);
	b.cwd_moved = a->c->dry;
	b.depth++;
	shell_text(&b, text, strlen(text), &in, "a body");
	*ret = b;
}

static void b_alias(struct call *a)
{
	for (size_t i = a->k + 1; i < a->cmd->argc; i++) {
		const char *w = shell_arg(a->cmd, i), *eq = w ? strchr(w, '=') : NULL;
		struct shell_ctx b;

		if (!w) {
			shell_unknown(a->c, a->cmd->argv, a->cmd->words, a->cmd->argc,
				      "alias defines what guard cannot know");
			continue;
		}
		if (!eq || !is_name(w, (size_t)(eq - w)))
			continue;
		body(a, eq + 1, &b);
		shell_func_define(a->c, w, (size_t)(eq - w), b.cwd_moved, b.vars, a->c->vars);
	}
}

/* trap ACTION SIGNAL...: the action may run at any time (DEBUG), so what it changes is
 * not known from here on. */
static void b_trap(struct call *a)
{
	size_t i = a->k + 1;
	const char *action;
	struct shell_ctx b;

	if (i < a->cmd->argc && shell_arg(a->cmd, i) && strcmp(a->cmd->argv[i], "--") == 0)
		i++;
	if (i + 1 >= a->cmd->argc)
		return;
	action = shell_arg(a->cmd, i);
	if (!action) {
		shell_unknown(a->c, a->cmd->argv, a->cmd->words, a->cmd->argc,
			      "trap sets an action guard cannot know");
		return;
	}
	if (action[0] == '-' || action[0] == '\0')
		return;
	body(a, action, &b);
	shell_var_forget(a->c, b.vars, a->c->vars);
	if (b.cwd_moved)
		unknown_dir(a);
}

void shell_func_define(struct shell_ctx *c, const char *name, size_t n, bool cwd,
		       const struct shell_var *set, const struct shell_var *set_end)
{
	struct shell_func *f;

	if (c->sh->n_funcs >= POLICY_SHELL_FUNCS_MAX) {
		shell_unknown(c, NULL, NULL, 0, "more than %d functions", POLICY_SHELL_FUNCS_MAX);
		return;
	}
	f = shell_alloc(c->sh, sizeof(*f));
	if (!f || !(f->name = shell_strndup(c->sh, name, n)))
		return;
	c->sh->n_funcs++;
	*f = (struct shell_func){f->name, cwd, set, set_end, false, c->funcs};
	c->funcs = f;
}

/* A call of a function defined earlier: what its body changes is not known after. */
static bool function_call(struct call *a)
{
	const char *name = shell_arg(a->cmd, a->k);

	for (const struct shell_func *f = a->c->funcs; name && f; f = f->next) {
		if (strcmp(f->name, name) != 0)
			continue;
		if (f->all)
			changes_everything(a);
		shell_var_forget(a->c, f->set, f->set_end);
		if (f->cwd) {
			a->c->cwd_moved = true;
			unknown_dir(a);
		}
		return true;
	}
	return false;
}

static const struct builtin {
	const char *name;
	void (*fn)(struct call *a);
} builtins[] = {
	{"cd", b_cd},
	{"chdir", b_cd},
	{"pushd", b_pushd},
	{"popd", b_popd},
	{"export", b_declare},
	{"readonly", b_declare},
	{"local", b_declare},
	{"declare", b_declare},
	{"typeset", b_declare},
	{"unset", b_unset},
	{"read", b_read},
	{"mapfile", b_mapfile},
	{"readarray", b_mapfile},
	{"getopts", b_getopts},
	{"printf", b_printf},
	{"let", b_let},
	{"set", b_set},
	{"shift", b_shift},
	{"eval", b_eval},
	{"source", b_source},
	{".", b_source},
	{"exit", b_exit},
	{"return", b_exit},
	{"exec", b_exec},
	{"alias", b_alias},
	{"trap", b_trap},
};

void shell_builtin(struct shell_cmd *cmd, const struct shell_assign *assigns, size_t n_assigns,
		   struct shell_flow *flow)
{
	struct call a = {cmd, cmd->ctx, 0, assigns, n_assigns, flow};
	const char *name;

	/* "command cd" and "builtin cd" are cd. */
	while (a.k + 1 < cmd->argc && (name = shell_arg(cmd, a.k)) &&
	       (strcmp(name, "command") == 0 || strcmp(name, "builtin") == 0) &&
	       shell_arg(cmd, a.k + 1) && cmd->argv[a.k + 1][0] != '-')
		a.k++;
	name = shell_arg(cmd, a.k);
	if (!name || function_call(&a))
		return;
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strcmp(builtins[i].name, name) == 0) {
			builtins[i].fn(&a);
			return;
		}
	}
}
