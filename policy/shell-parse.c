/* shell-parse.c: the grammar of shell text: lists, and-or lists, pipelines, compound
 * commands and simple commands with their assignments and redirections, and how the
 * working directory and variables flow through them: ; and newlines, && and ||,
 * subshells, pipelines and '&', branches, loops and functions. The simple commands
 * found go to shell_run(), the builtins among them to shell_builtin(). */
#include <string.h>

#include "shell-internal.h"

/* A text being parsed, with one token of lookahead. A token is lexed once: lexing a word
 * analyses the commands in it. */
struct reader {
	struct shell_src *s;
	struct shell_token t;
	bool have;
	struct shell_words w; /* the fields of the word in t */
};

static const struct shell_input pipe_input = {.kind = SHELL_IN_PIPE, .what = "a pipe"};

static struct shell_token *peek(struct reader *r, struct shell_ctx *c, unsigned mode)
{
	if (!r->have) {
		r->w.n = 0;
		shell_lex(r->s, c, mode, &r->w, &r->t);
		r->have = true;
	}
	return &r->t;
}

static void take(struct reader *r)
{
	r->have = false;
}

static bool stopped(const struct reader *r)
{
	return r->s->error || r->s->sh->stop;
}

static bool word_is(const struct reader *r, const char *w)
{
	return r->t.kind == SHELL_TOK_WORD && r->t.plain && strcmp(r->w.v[r->t.first].text, w) == 0;
}

/* Whether the peeked token ends a list: a closing word or token of an enclosing
 * construct, or the end. */
static bool ends_list(const struct reader *r)
{
	static const char *const closers[] = {"}",  "then", "else", "elif", "fi",
					      "do", "done", "esac", NULL};

	if (r->t.kind == SHELL_TOK_EOF || r->t.kind == SHELL_TOK_RPAREN ||
	    r->t.kind == SHELL_TOK_DSEMI)
		return true;
	for (const char *const *w = closers; *w; w++)
		if (word_is(r, *w))
			return true;
	return false;
}

static void skip_newlines(struct reader *r, struct shell_ctx *c, unsigned mode)
{
	while (peek(r, c, mode)->kind == SHELL_TOK_NEWLINE)
		take(r);
}

/* Takes the reserved word w, or stops reading with why. */
static bool expect(struct reader *r, struct shell_ctx *c, const char *w, const char *why)
{
	peek(r, c, SHELL_LEX_CMD);
	if (!word_is(r, w)) {
		shell_src_fail(r->s, why);
		return false;
	}
	take(r);
	return true;
}

static struct shell_flow same(const struct shell_ctx *c)
{
	return (struct shell_flow){c->cwd, c->cwd};
}

static struct shell_cwds either(const struct shell_flow *f)
{
	struct shell_cwds any = f->ok;

	shell_cwds_union(&any, &f->fail);
	return any;
}

static void flow_union(struct shell_flow *a, const struct shell_flow *b)
{
	shell_cwds_union(&a->ok, &b->ok);
	shell_cwds_union(&a->fail, &b->fail);
}

static struct shell_flow list(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
			      bool cond);
static struct shell_flow command(struct reader *r, struct shell_ctx *c,
				 const struct shell_input *in);

/* Redirections. */

struct redirs {
	struct shell_token *v;
	size_t n, cap;
};

static bool redirs_add(struct shell *sh, struct redirs *rd, const struct shell_token *t)
{
	if (rd->n == rd->cap) {
		size_t cap = rd->cap ? 2 * rd->cap : 4;
		struct shell_token *grown = realloc(rd->v, cap * sizeof(*grown));

		if (!grown) {
			shell_oom(sh);
			return false;
		}
		rd->v = grown;
		rd->cap = cap;
	}
	rd->v[rd->n++] = *t;
	return true;
}

/* A write is a part of its own: ">" and the file. */
static void redir_part(struct shell_ctx *c, const struct shell_value *target)
{
	struct shell *sh = c->sh;
	const char **argv = shell_alloc(sh, 3 * sizeof(*argv));
	struct policy_word *words = target->flags ? shell_alloc(sh, 2 * sizeof(*words)) : NULL;
	struct shell_cmd cmd = {.argv = argv, .words = words, .argc = 2, .ctx = c};

	if (!argv || (target->flags && !words))
		return;
	argv[0] = ">";
	argv[1] = target->text;
	if (words)
		words[1] = (struct policy_word){.pattern = target->pattern, .flags = target->flags};
	shell_emit(&cmd);
}

/* What reading t gives a command's standard input, or false when t does not touch it. */
static bool redir_input(const struct shell_token *t, struct shell_input *in)
{
	if (t->fd > 0)
		return false;
	if (t->op == SHELL_R_IN || t->op == SHELL_R_RW) {
		bool null = !t->target.flags && strcmp(t->target.text, "/dev/null") == 0;

		*in = (struct shell_input){.kind = null ? SHELL_IN_EMPTY : SHELL_IN_FILE,
					   .what = "a file"};
	} else if (t->op == SHELL_R_HERESTRING) {
		*in = (struct shell_input){
			.kind = SHELL_IN_TEXT, .text = t->target, .what = "a here-string"};
	} else if (t->op == SHELL_R_HEREDOC && t->heredoc->done) {
		*in = (struct shell_input){
			.kind = SHELL_IN_TEXT, .text = t->heredoc->body, .what = "a here-document"};
	} else if (t->op == SHELL_R_HEREDOC) {
		*in = (struct shell_input){
			.kind = SHELL_IN_LATER, .later = t->heredoc, .what = "a here-document"};
	} else {
		return false;
	}
	return true;
}

/* The standard input the redirections of rd give, from in: the last one wins. */
static void redirs_input(const struct redirs *rd, struct shell_input *in)
{
	for (size_t i = 0; i < rd->n; i++)
		redir_input(&rd->v[i], in);
}

/* The files the redirections of rd write: each a part. */
static void redirs_write(struct shell_ctx *c, const struct redirs *rd)
{
	for (size_t i = 0; i < rd->n; i++) {
		const struct shell_token *t = &rd->v[i];

		if (t->op == SHELL_R_OUT || t->op == SHELL_R_APPEND || t->op == SHELL_R_RW)
			redir_part(c, &t->target);
	}
}

/* The redirections after a compound command. A program inside it that reads commands
 * from the standard input it inherits (s->reader) reads what they give it. */
static void redirs_after(struct reader *r, struct shell_ctx *c, const char *outer_reader)
{
	struct shell_input in = {.kind = SHELL_IN_INHERIT};
	struct redirs rd = {0};

	while (!stopped(r) && peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_REDIR) {
		redirs_add(r->s->sh, &rd, &r->t);
		take(r);
	}
	redirs_input(&rd, &in);
	redirs_write(c, &rd);
	free(rd.v);
	if (r->s->reader && in.kind != SHELL_IN_INHERIT && in.kind != SHELL_IN_EMPTY)
		shell_unknown(c, &r->s->reader, NULL, 1, "%s reads its commands from %s",
			      r->s->reader, in.what);
	if (in.kind != SHELL_IN_INHERIT || outer_reader)
		r->s->reader = outer_reader;
}

/* Compound commands. */

/* The state of a text, to read a loop's body again after reading it ahead. */
struct mark {
	size_t i;
	struct shell_heredoc *pending, **tail;
	unsigned nest;
	const char *reader;
};

static struct mark mark_get(const struct reader *r)
{
	const struct shell_src *s = r->s;

	return (struct mark){s->i, s->pending, s->tail, s->nest, s->reader};
}

static void mark_restore(struct reader *r, const struct mark *m)
{
	struct shell_src *s = r->s;

	s->i = m->i;
	s->pending = m->pending;
	s->tail = m->tail;
	*s->tail = NULL;
	for (struct shell_heredoc *h = s->pending; h; h = h->next)
		h->done = false;
	s->nest = m->nest;
	s->reader = m->reader;
	s->error = NULL;
	r->have = false;
}

/* Reads "( list )" after its "(", as a subshell of c. */
static void subshell(struct reader *r, struct shell_ctx *c, const struct shell_input *in)
{
	struct shell_ctx sub = *c;

	list(r, &sub, in, false);
	if (peek(r, &sub, SHELL_LEX_ARG)->kind != SHELL_TOK_RPAREN)
		shell_src_fail(r->s, "an unterminated ( subshell");
	take(r);
	c->cwd_moved |= sub.cwd_moved;
}

/* Where bash's arithmetic "((" at s->i (after the first '(') ends, learning what it
 * assigns and emitting nothing; 0 when it is not one. */
static size_t arith_end(struct shell_src *s, struct shell_ctx *c)
{
	size_t start = s->i, end = 0;
	bool dry = c->dry;

	c->dry = true;
	s->trial++;
	s->i = start + 1;
	if (shell_lex_arith(s, c))
		end = s->i;
	s->trial--;
	c->dry = dry;
	s->i = start;
	return end;
}

/* Whether the text up to end reads as dash reads it: "( ( ... ) )", subshells that end
 * right there. Parts it emits stay when it does, and are taken back when not. */
static bool dash_reads(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
		       size_t end)
{
	struct shell_src *s = r->s;
	struct policy_parts *parts = s->sh->parts;
	struct mark m = mark_get(r);
	struct shell_ctx before = *c;
	size_t n = parts->n, text_n = s->n;
	bool ok;

	s->n = end;
	s->trial++;
	subshell(r, c, in);
	ok = !stopped(r) && s->i == end;
	s->trial--;
	s->n = text_n;
	/* Past a nesting limit we cannot tell what dash would run: that is not a reading
	 * to drop for bash's arithmetic one, it is a text not understood. */
	if (!ok && s->error && strstr(s->error, "too deeply"))
		return true;
	if (ok || s->sh->stop)
		return ok;
	parts->n = n;
	mark_restore(r, &m);
	*c = before;
	return false;
}

/* (( ... )): bash reads an arithmetic command, dash (/bin/sh) nested subshells, which
 * run what they hold ("((rm x))" runs rm). Both readings are judged: bash's to find the
 * end and what it assigns, dash's within that end when it reads so (dash runs nothing
 * otherwise). Inside a dash reading there is no second reading, so nested "((" cost a
 * bounded number of passes each. */
static void double_paren(struct reader *r, struct shell_ctx *c, const struct shell_input *in)
{
	struct shell_src *s = r->s;
	size_t start = s->i, end;

	if (s->trial) {
		subshell(r, c, in);
		return;
	}
	end = arith_end(s, c);
	if (s->error)
		return;
	/* No "))" closes it: bash too reads subshells then. */
	if (!end) {
		subshell(r, c, in);
		return;
	}
	if (dash_reads(r, c, in, end))
		return;
	/* Only bash runs it: the commands substituted in it are judged. */
	s->i = start + 1;
	if (!c->dry)
		shell_lex_arith(s, c);
	s->i = end;
}

/* ( list ), or (( expression )). */
static struct shell_flow paren(struct reader *r, struct shell_ctx *c, const struct shell_input *in)
{
	struct shell_src *s = r->s;
	const char *outer = s->reader;

	take(r);
	s->reader = NULL;
	if (s->i < s->n && s->s[s->i] == '(')
		double_paren(r, c, in);
	else
		subshell(r, c, in);
	redirs_after(r, c, outer);
	return same(c);
}

static struct shell_flow group(struct reader *r, struct shell_ctx *c, const struct shell_input *in)
{
	const char *outer = r->s->reader;
	struct shell_flow f;

	take(r);
	r->s->reader = NULL;
	f = list(r, c, in, false);
	expect(r, c, "}", "an unterminated { group");
	redirs_after(r, c, outer);
	return f;
}

/* A list that runs or not: what it binds is not known after it. */
static struct shell_flow branch(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
				bool cond)
{
	const struct shell_var *mark = c->vars;
	struct shell_flow f = list(r, c, in, cond);

	shell_var_forget_since(c, mark);
	return f;
}

static struct shell_flow if_clause(struct reader *r, struct shell_ctx *c,
				   const struct shell_input *in)
{
	const char *outer = r->s->reader;
	struct shell_flow cond, result = {.ok = {.dead = true}, .fail = {.dead = true}};
	struct shell_cwds otherwise;
	bool first = true;

	take(r);
	r->s->reader = NULL;
	for (;;) {
		struct shell_flow body;

		cond = first ? list(r, c, in, true) : branch(r, c, in, true);
		first = false;
		if (!expect(r, c, "then", "an if without its then"))
			return same(c);
		c->cwd = cond.ok;
		body = branch(r, c, in, false);
		flow_union(&result, &body);
		otherwise = cond.fail;
		c->cwd = otherwise;
		peek(r, c, SHELL_LEX_CMD);
		if (!word_is(r, "elif"))
			break;
		take(r);
	}
	if (word_is(r, "else")) {
		struct shell_flow body;

		take(r);
		body = branch(r, c, in, false);
		flow_union(&result, &body);
	} else {
		struct shell_flow none = {otherwise, otherwise};

		flow_union(&result, &none);
	}
	expect(r, c, "fi", "an if without its fi");
	c->cwd = either(&result);
	redirs_after(r, c, outer);
	return result;
}

typedef struct shell_flow loop_fn(struct reader *r, struct shell_ctx *c,
				  const struct shell_input *in);

/* Runs body twice: ahead, without emitting anything, to learn what one round changes
 * (variables, the directory), which is then not known from the first round on; then for
 * real. What it binds is not known after it: it may run no round at all. */
static struct shell_flow loop(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
			      loop_fn *body)
{
	const struct shell_var *mark = c->vars;
	struct shell_ctx ahead = *c;
	struct shell_cwds start = c->cwd;
	struct shell_flow f;
	struct mark m;

	/* Reading ahead already: once is enough. */
	if (c->dry)
		return body(r, c, in);
	/* A separator peeked is taken; a word ("do") is read again. */
	if (r->have && (r->t.kind == SHELL_TOK_NEWLINE || r->t.kind == SHELL_TOK_SEMI))
		take(r);
	m = mark_get(r);
	if (r->have)
		m.i = r->t.start;
	ahead.dry = true;
	ahead.cwd_moved = false;
	body(r, &ahead, in);
	mark_restore(r, &m);
	shell_var_forget(c, ahead.vars, c->vars);
	if (ahead.cwd_moved) {
		shell_cwds_one(&c->cwd, NULL);
		c->cwd_moved = true;
	}
	f = body(r, c, in);
	shell_var_forget_since(c, mark);
	shell_cwds_union(&f.ok, &start);
	shell_cwds_union(&f.ok, &f.fail);
	f.fail = f.ok;
	c->cwd = f.ok;
	return f;
}

/* do list done */
static struct shell_flow do_done(struct reader *r, struct shell_ctx *c,
				 const struct shell_input *in)
{
	struct shell_flow f;

	skip_newlines(r, c, SHELL_LEX_CMD);
	if (!expect(r, c, "do", "a loop without its do"))
		return same(c);
	f = list(r, c, in, false);
	expect(r, c, "done", "a loop without its done");
	return f;
}

/* The condition and the body of while and until: both run every round. */
static struct shell_flow while_body(struct reader *r, struct shell_ctx *c,
				    const struct shell_input *in)
{
	struct shell_flow cond = list(r, c, in, true), body;

	c->cwd = either(&cond);
	body = do_done(r, c, in);
	flow_union(&body, &cond);
	return body;
}

static struct shell_flow while_clause(struct reader *r, struct shell_ctx *c,
				      const struct shell_input *in)
{
	const char *outer = r->s->reader;
	struct shell_flow f;

	take(r);
	r->s->reader = NULL;
	f = loop(r, c, in, while_body);
	redirs_after(r, c, outer);
	return f;
}

/* for ((...)); do ... done */
static bool arith_for(struct reader *r, struct shell_ctx *c)
{
	struct shell_src *s = r->s;

	take(r);
	if (s->i >= s->n || s->s[s->i] != '(') {
		shell_src_fail(s, "a for without its variable");
		return false;
	}
	s->i++;
	if (!shell_lex_arith(s, c)) {
		shell_src_fail(s, "an unterminated for ((...))");
		return false;
	}
	if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_SEMI)
		take(r);
	return true;
}

/* for NAME [in WORDS]: the values NAME takes, one at a time: the one word (which may be
 * a pattern), or not known. */
static bool for_header(struct reader *r, struct shell_ctx *c, const char **ret_name,
		       struct shell_value *ret)
{
	struct shell_words values = {0};
	bool ok = true;

	if (peek(r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_WORD || !r->t.plain ||
	    strspn(r->w.v[r->t.first].text, "0123456789")) {
		shell_src_fail(r->s, "a for without its variable");
		return false;
	}
	*ret_name = r->w.v[r->t.first].text;
	*ret = (struct shell_value){.flags = POLICY_WORD_UNKNOWN};
	take(r);
	skip_newlines(r, c, SHELL_LEX_ARG);
	if (word_is(r, "in")) {
		take(r);
		while (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_WORD) {
			for (size_t i = 0; i < r->t.n; i++)
				ok &= shell_words_add(c->sh, &values, &r->w.v[r->t.first + i]);
			take(r);
		}
		if (values.n == 1)
			*ret = values.v[0];
	}
	if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_SEMI)
		take(r);
	shell_words_free(&values);
	return ok;
}

static struct shell_flow for_clause(struct reader *r, struct shell_ctx *c,
				    const struct shell_input *in)
{
	const char *outer = r->s->reader, *name = NULL;
	struct shell_value value = {.flags = POLICY_WORD_UNKNOWN};
	const struct shell_var *mark = c->vars;
	struct shell_flow f;

	take(r);
	r->s->reader = NULL;
	if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_LPAREN) {
		if (!arith_for(r, c))
			return same(c);
	} else if (!for_header(r, c, &name, &value)) {
		return same(c);
	}
	if (name)
		shell_var_bind(c, name, strlen(name), &value, false);
	f = loop(r, c, in, do_done);
	shell_var_forget_since(c, mark);
	redirs_after(r, c, outer);
	return f;
}

/* case WORD in [(] PATTERN [| PATTERN]... ) list ;; ... esac */
static bool case_patterns(struct reader *r, struct shell_ctx *c)
{
	if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_LPAREN)
		take(r);
	for (;;) {
		if (peek(r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_WORD) {
			shell_src_fail(r->s, "a case pattern was expected");
			return false;
		}
		take(r);
		if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_RPAREN) {
			take(r);
			return true;
		}
		if (r->t.kind != SHELL_TOK_PIPE) {
			shell_src_fail(r->s, "a case pattern without its )");
			return false;
		}
		take(r);
	}
}

static struct shell_flow case_clause(struct reader *r, struct shell_ctx *c,
				     const struct shell_input *in)
{
	const char *outer = r->s->reader;
	struct shell_cwds start = c->cwd;
	struct shell_flow result = {.ok = {.dead = true}, .fail = {.dead = true}};
	struct shell_flow none = {start, start};

	take(r);
	r->s->reader = NULL;
	if (peek(r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_WORD) {
		shell_src_fail(r->s, "a case without its word");
		return same(c);
	}
	take(r);
	skip_newlines(r, c, SHELL_LEX_ARG);
	if (!expect(r, c, "in", "a case without its in"))
		return same(c);
	for (;;) {
		struct shell_flow body;

		skip_newlines(r, c, SHELL_LEX_ARG);
		if (stopped(r) || word_is(r, "esac"))
			break;
		if (!case_patterns(r, c))
			return same(c);
		c->cwd = start;
		body = branch(r, c, in, false);
		flow_union(&result, &body);
		if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_DSEMI)
			take(r);
		else if (!word_is(r, "esac"))
			shell_src_fail(r->s, "a case branch without its ;;");
	}
	expect(r, c, "esac", "a case without its esac");
	flow_union(&result, &none);
	c->cwd = either(&result);
	redirs_after(r, c, outer);
	return result;
}

/* [[ ... ]]: words, with && || < > ( ) among them. */
static struct shell_flow test_clause(struct reader *r, struct shell_ctx *c,
				     const struct shell_input *in)
{
	take(r);
	for (;;) {
		peek(r, c, SHELL_LEX_TEST);
		if (stopped(r) || r->t.kind == SHELL_TOK_EOF) {
			shell_src_fail(r->s, "an unterminated [[");
			break;
		}
		if (word_is(r, "]]")) {
			take(r);
			break;
		}
		take(r);
	}
	redirs_after(r, c, r->s->reader);
	return same(c);
}

/* The body of a function, judged where it is defined: with its arguments and working
 * directory not known, and what it changes remembered for its calls. */
static struct shell_flow function_body(struct reader *r, struct shell_ctx *c,
				       const struct shell_input *in, const char *name, size_t n)
{
	struct shell_ctx body = *c;

	body.args = (struct shell_args){.unknown = true};
	shell_cwds_one(&body.cwd, NULL);
	body.cwd_moved = false;
	skip_newlines(r, c, SHELL_LEX_CMD);
	command(r, &body, in);
	shell_func_define(c, name, n, body.cwd_moved, body.vars, c->vars);
	return same(c);
}

static struct shell_flow function_clause(struct reader *r, struct shell_ctx *c,
					 const struct shell_input *in)
{
	const char *name;

	take(r);
	if (peek(r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_WORD || r->t.n != 1) {
		shell_src_fail(r->s, "a function without its name");
		return same(c);
	}
	name = r->w.v[r->t.first].text;
	take(r);
	if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_LPAREN) {
		take(r);
		if (peek(r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_RPAREN) {
			shell_src_fail(r->s, "a function without its ()");
			return same(c);
		}
		take(r);
	}
	return function_body(r, c, in, name, strlen(name));
}

typedef struct shell_flow compound_fn(struct reader *r, struct shell_ctx *c,
				      const struct shell_input *in);

static const struct keyword {
	const char *word;
	compound_fn *fn;
} keywords[] = {
	{"{", group},
	{"if", if_clause},
	{"while", while_clause},
	{"until", while_clause},
	{"for", for_clause},
	{"select", for_clause},
	{"case", case_clause},
	{"function", function_clause},
	{"[[", test_clause},
};

/* Simple commands. */

struct simple {
	struct shell_words words;
	struct redirs rd;
	struct shell_assign *assigns; /* among the arguments: export X=1 */
	size_t n_assigns, cap_assigns;
	const struct shell_var *prefix; /* the NAME=value before the command, bound... */
	const struct shell_var *mark;   /* ...down to here */
	unsigned mode;
};

static void simple_free(struct simple *sc)
{
	shell_words_free(&sc->words);
	free(sc->rd.v);
	free(sc->assigns);
}

/* export, local...: their NAME=value arguments are assignments. */
static bool declares(const char *name)
{
	static const char *const names[] = {"export",  "readonly", "local",
					    "declare", "typeset",  NULL};

	for (const char *const *n = names; *n; n++)
		if (strcmp(name, *n) == 0)
			return true;
	return false;
}

/* An argument assignment: a word "NAME=value" to show, and the binding for later. */
static void arg_assign(struct shell *sh, struct simple *sc, const struct shell_token *t,
		       const char *raw)
{
	struct shell_value word = {.text = raw};

	if (sc->n_assigns == sc->cap_assigns) {
		size_t cap = sc->cap_assigns ? 2 * sc->cap_assigns : 4;
		struct shell_assign *grown = realloc(sc->assigns, cap * sizeof(*grown));

		if (!grown) {
			shell_oom(sh);
			return;
		}
		sc->assigns = grown;
		sc->cap_assigns = cap;
	}
	sc->assigns[sc->n_assigns++] =
		(struct shell_assign){.name = t->name, .n = t->name_n, .value = t->value};
	if (t->value.flags)
		word.flags = POLICY_WORD_UNKNOWN;
	shell_words_add(sh, &sc->words, &word);
}

/* The first word: the NAME=value before it apply to the command, not to the words after
 * it, which are expanded with the values from before. */
static void first_word(struct shell_ctx *c, struct simple *sc)
{
	const struct shell_value *w = &sc->words.v[0];

	if (c->vars != sc->mark) {
		sc->prefix = c->vars;
		c->vars = sc->mark;
	}
	sc->mode = !w->flags && declares(w->text) ? SHELL_LEX_ASSIGN : SHELL_LEX_ARG;
}

/* Reads the tokens of a simple command. Returns false when it turned out to be the
 * definition of a function, already read. */
static bool simple_read(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
			struct simple *sc)
{
	struct shell *sh = c->sh;

	for (;;) {
		struct shell_token *t = peek(r, c, sc->mode);

		if (stopped(r))
			return true;
		if (t->kind == SHELL_TOK_ASSIGN && sc->mode == SHELL_LEX_CMD) {
			shell_var_bind(c, t->name, t->name_n, &t->value, false);
		} else if (t->kind == SHELL_TOK_ASSIGN) {
			char *raw = shell_strndup(sh, r->s->s + t->start, t->end - t->start);

			if (raw)
				arg_assign(sh, sc, t, raw);
		} else if (t->kind == SHELL_TOK_WORD) {
			bool was_first = sc->words.n == 0, plain = t->plain;

			for (size_t i = 0; i < t->n; i++)
				shell_words_add(sh, &sc->words, &r->w.v[t->first + i]);
			take(r);
			if (was_first && sc->words.n)
				first_word(c, sc);
			if (was_first && plain && peek(r, c, sc->mode)->kind == SHELL_TOK_LPAREN) {
				c->vars = sc->mark;
				return false;
			}
			continue;
		} else if (t->kind == SHELL_TOK_REDIR) {
			redirs_add(sh, &sc->rd, t);
		} else {
			return true;
		}
		take(r);
	}
}

/* name ( ) BODY, with "name" read and "(" peeked. */
static void function_def(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
			 const char *name)
{
	take(r);
	if (peek(r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_RPAREN) {
		shell_src_fail(r->s, "a function without its )");
		return;
	}
	take(r);
	function_body(r, c, in, name, strlen(name));
}

/* Whether a program reads commands from its inherited standard input: the compound it
 * is in may give it some. */
static void note_reader(struct reader *r, const struct shell_cmd *cmd)
{
	if (cmd->reader && !r->s->reader)
		r->s->reader = cmd->reader;
}

static struct shell_flow simple_run(struct reader *r, struct shell_ctx *c,
				    const struct shell_input *in, struct simple *sc)
{
	struct shell_flow flow = same(c);
	struct shell_cmd cmd = {.ctx = c, .in = *in, .env = sc->prefix, .env_end = sc->mark};

	if (!sc->words.n) {
		/* Only assignments (they stay) and redirections. */
		redirs_write(c, &sc->rd);
		return flow;
	}
	if (sc->words.n > POLICY_SHELL_WORDS_MAX) {
		shell_unknown(c, (const char *const[]){sc->words.v[0].text}, NULL, 1,
			      "a command of more than %d words", POLICY_SHELL_WORDS_MAX);
		return flow;
	}
	if (!shell_words_arrays(c->sh, &sc->words, 0, sc->words.n, &cmd.argv, &cmd.words))
		return flow;
	cmd.argc = sc->words.n;
	redirs_input(&sc->rd, &cmd.in);
	shell_run(&cmd);
	redirs_write(c, &sc->rd);
	note_reader(r, &cmd);
	shell_builtin(&cmd, sc->assigns, sc->n_assigns, &flow);
	return flow;
}

static struct shell_flow simple(struct reader *r, struct shell_ctx *c, const struct shell_input *in)
{
	struct simple sc = {.mark = c->vars, .mode = SHELL_LEX_CMD};
	struct shell_flow flow = same(c);

	/* A command that could not be read to its end does not run. */
	if (simple_read(r, c, in, &sc)) {
		if (!stopped(r))
			flow = simple_run(r, c, in, &sc);
	} else
		function_def(r, c, in, sc.words.v[0].text);
	simple_free(&sc);
	return flow;
}

static struct shell_flow command(struct reader *r, struct shell_ctx *c,
				 const struct shell_input *in)
{
	struct shell_src *s = r->s;
	struct shell_flow f = same(c);

	peek(r, c, SHELL_LEX_CMD);
	if (stopped(r))
		return f;
	if (ends_list(r) || (r->t.kind != SHELL_TOK_WORD && r->t.kind != SHELL_TOK_ASSIGN &&
			     r->t.kind != SHELL_TOK_REDIR && r->t.kind != SHELL_TOK_LPAREN)) {
		shell_src_fail(s, "a command was expected");
		return f;
	}
	if (++s->nest > POLICY_SHELL_NEST_MAX) {
		shell_src_fail(s, "nested too deeply");
		return f;
	}
	if (r->t.kind == SHELL_TOK_LPAREN) {
		f = paren(r, c, in);
	} else {
		compound_fn *fn = simple;

		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (word_is(r, keywords[i].word))
				fn = keywords[i].fn;
		f = fn(r, c, in);
	}
	s->nest--;
	return f;
}

/* Pipelines, and-or lists, lists. */

/* A subshell's changes are its own: back to where c was. */
static void subshell_undo(struct shell_ctx *c, const struct shell_ctx *before)
{
	bool moved = c->cwd_moved;

	*c = *before;
	c->cwd_moved = moved;
}

/* The last command of a pipeline runs in the shell itself in zsh and in bash with
 * lastpipe: what it changed may or may not stay. */
static void last_element(struct shell_ctx *c, const struct shell_ctx *before)
{
	const struct shell_var *end = c->vars;
	bool moved = !shell_cwds_equal(&c->cwd, &before->cwd);

	c->vars = before->vars;
	c->funcs = before->funcs;
	shell_var_forget(c, end, before->vars);
	c->cwd = before->cwd;
	if (moved)
		shell_cwds_one(&c->cwd, NULL);
}

static struct shell_flow pipeline(struct reader *r, struct shell_ctx *c,
				  const struct shell_input *in)
{
	struct shell_ctx start, before;
	struct shell_flow f;
	bool negate = false;

	while (peek(r, c, SHELL_LEX_CMD)->kind == SHELL_TOK_WORD && word_is(r, "!")) {
		take(r);
		negate = !negate;
	}
	start = before = *c;
	f = command(r, c, in);
	if (peek(r, c, SHELL_LEX_ARG)->kind == SHELL_TOK_PIPE) {
		while (!stopped(r) && r->t.kind == SHELL_TOK_PIPE) {
			subshell_undo(c, &start);
			take(r);
			skip_newlines(r, c, SHELL_LEX_CMD);
			before = *c;
			f = command(r, c, &pipe_input);
			c->cwd = either(&f);
			peek(r, c, SHELL_LEX_ARG);
		}
		last_element(c, &before);
		f = same(c);
	}
	if (negate) {
		struct shell_cwds ok = f.ok;

		f.ok = f.fail;
		f.fail = ok;
	}
	return f;
}

static struct shell_flow and_or(struct reader *r, struct shell_ctx *c, const struct shell_input *in)
{
	struct shell_flow f = pipeline(r, c, in);

	while (!stopped(r)) {
		const struct shell_var *mark;
		struct shell_flow g;
		bool and;

		peek(r, c, SHELL_LEX_ARG);
		if (r->t.kind != SHELL_TOK_AND && r->t.kind != SHELL_TOK_OR)
			break;
		and = r->t.kind == SHELL_TOK_AND;
		take(r);
		c->cwd = and? f.ok : f.fail;
		skip_newlines(r, c, SHELL_LEX_CMD);
		mark = c->vars;
		g = pipeline(r, c, in);
		shell_var_forget_since(c, mark);
		if (and) {
			f.ok = g.ok;
			shell_cwds_union(&f.fail, &g.fail);
		} else {
			shell_cwds_union(&f.ok, &g.ok);
			f.fail = g.fail;
		}
	}
	c->cwd = either(&f);
	return f;
}

/* cond: the list is a condition (if, while), where set -e does not end the shell. */
static struct shell_flow list(struct reader *r, struct shell_ctx *c, const struct shell_input *in,
			      bool cond)
{
	struct shell_flow f = same(c);

	for (;;) {
		struct shell_ctx saved;

		skip_newlines(r, c, SHELL_LEX_CMD);
		if (stopped(r) || ends_list(r))
			return f;
		saved = *c;
		f = and_or(r, c, in);
		peek(r, c, SHELL_LEX_ARG);
		if (r->t.kind == SHELL_TOK_AMP) {
			/* In the background: a subshell. */
			take(r);
			subshell_undo(c, &saved);
			f = same(c);
			continue;
		}
		c->cwd = c->errexit && !cond ? f.ok : either(&f);
		if (r->t.kind != SHELL_TOK_SEMI && r->t.kind != SHELL_TOK_NEWLINE)
			return f;
		take(r);
	}
}

/* Texts. */

/* A short excerpt of the text around where reading stopped, to show. */
static const char *excerpt(struct shell *sh, const struct shell_src *s)
{
	size_t from = s->i > 40 ? s->i - 40 : 0, to = s->i + 20 < s->n ? s->i + 20 : s->n;

	if (s->n <= 60) {
		from = 0;
		to = s->n;
	}
	return shell_strndup(sh, s->s + from, to - from);
}

void shell_text(struct shell_ctx *c, const char *text, size_t n, const struct shell_input *in,
		const char *what)
{
	struct shell_src s = {.sh = c->sh, .s = text, .n = n};
	struct reader r = {.s = &s};

	if (c->dry || c->sh->stop)
		return;
	if (c->depth > POLICY_SHELL_DEPTH_MAX) {
		shell_unknown(c, NULL, NULL, 0, "commands nested more than %d deep",
			      POLICY_SHELL_DEPTH_MAX);
		return;
	}
	s.tail = &s.pending;
	list(&r, c, in, false);
	if (!stopped(&r) && peek(&r, c, SHELL_LEX_ARG)->kind != SHELL_TOK_EOF)
		shell_src_fail(&s, "a token where none may be");
	if (s.error) {
		const char *show = excerpt(c->sh, &s);
		const char *const shown[] = {show};

		static const struct policy_word as_written = {.flags = POLICY_WORD_UNKNOWN};

		shell_unknown(c, show ? shown : NULL, &as_written, 1, "%s: %s", what, s.error);
	}
	shell_words_free(&r.w);
}

void shell_subst(struct shell_src *s, struct shell_ctx *c)
{
	struct shell_ctx sub = *c;
	struct reader r = {.s = s};

	sub.depth++;
	if (sub.depth > POLICY_SHELL_DEPTH_MAX) {
		shell_src_fail(s, "commands nested too deeply");
		return;
	}
	list(&r, &sub, &(struct shell_input){.kind = SHELL_IN_INHERIT}, false);
	if (!stopped(&r) && peek(&r, &sub, SHELL_LEX_ARG)->kind != SHELL_TOK_RPAREN)
		shell_src_fail(s, "an unterminated $( )");
	c->cwd_moved |= sub.cwd_moved;
	shell_words_free(&r.w);
}

bool shell_split(struct shell_ctx *c, const char *text, size_t n, const char *const **ret_argv,
		 struct policy_word **ret_words, size_t *ret_argc)
{
	struct shell_src s = {.sh = c->sh, .s = text, .n = n, .words_only = true};
	struct shell_words w = {0};
	struct shell_token t;
	bool ok;

	s.tail = &s.pending;
	do
		shell_lex(&s, c, SHELL_LEX_ARG, &w, &t);
	while (!s.error && !c->sh->stop && t.kind != SHELL_TOK_EOF);
	ok = !s.error && !c->sh->stop && shell_words_arrays(c->sh, &w, 0, w.n, ret_argv, ret_words);
	*ret_argc = w.n;
	shell_words_free(&w);
	return ok;
}
