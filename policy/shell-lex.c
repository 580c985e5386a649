/* shell-lex.c: reading shell text into tokens, and words into the values they take as
 * far as the context knows them: quotes removed, variables, tilde and positional
 * parameters expanded, fields split, globs kept as patterns of the values they may
 * take, and the commands inside $( ) and `...` analysed on the way. One pass, left to
 * right: a byte is looked at a bounded number of times. */
#include <string.h>

#include "shell-internal.h"

#define NAME_START  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
#define NAME_CHARS  NAME_START "0123456789"
#define ARITH_NAMES 16 /* variables an arithmetic expression may assign, remembered */

static int ch(const struct shell_src *s, size_t k)
{
	return s->i + k < s->n ? (unsigned char)s->s[s->i + k] : -1;
}

/* Whether c (a byte, or -1 at the end) is one of set. */
static bool in(const char *set, int c)
{
	return c > 0 && strchr(set, c);
}

static bool is_name_start(int c)
{
	return in(NAME_START, c);
}

static bool is_name_char(int c)
{
	return in(NAME_CHARS, c);
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

void shell_src_fail(struct shell_src *s, const char *why)
{
	if (!s->error)
		s->error = why;
}

static bool stopped(const struct shell_src *s)
{
	return s->error || s->sh->stop;
}

bool shell_words_add(struct shell *sh, struct shell_words *w, const struct shell_value *v)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct shell_value *grown = realloc(w->v, cap * sizeof(*grown));

		if (!grown) {
			shell_oom(sh);
			return false;
		}
		w->v = grown;
		w->cap = cap;
	}
	w->v[w->n++] = *v;
	return true;
}

void shell_words_free(struct shell_words *w)
{
	free(w->v);
	*w = (struct shell_words){0};
}

bool shell_words_arrays(struct shell *sh, const struct shell_words *w, size_t first, size_t n,
			const char *const **ret_argv, struct policy_word **ret_words)
{
	const char **argv = shell_alloc(sh, (n + 1) * sizeof(*argv));
	struct policy_word *words = NULL;

	if (!argv)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct shell_value *v = &w->v[first + i];

		argv[i] = v->text;
		if (!v->flags)
			continue;
		if (!words)
			words = shell_alloc(sh, n * sizeof(*words));
		if (!words)
			return false;
		words[i] = (struct policy_word){.pattern = v->pattern, .flags = v->flags};
	}
	*ret_argv = argv;
	*ret_words = words;
	return true;
}

/* A growing byte buffer, counted against the budget. */
struct buf {
	char *p;
	size_t n, cap;
	char small[112];
};

static void buf_init(struct buf *b)
{
	b->p = b->small;
	b->n = 0;
	b->cap = sizeof(b->small);
	b->p[0] = '\0';
}

static void buf_free(struct buf *b)
{
	if (b->p != b->small)
		free(b->p);
	buf_init(b);
}

static bool buf_add(struct shell *sh, struct buf *b, const char *s, size_t n)
{
	if (!shell_spend(sh, n))
		return false;
	if (n >= b->cap - b->n) {
		size_t cap = b->cap;
		char *p;

		while (n >= cap - b->n)
			cap *= 2;
		p = b->p == b->small ? malloc(cap) : realloc(b->p, cap);
		if (!p) {
			shell_oom(sh);
			return false;
		}
		if (b->p == b->small)
			memcpy(p, b->small, b->n);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return true;
}

/* A word being built: the fields it splits into, each with its text and the pattern of
 * the values it may take (literal characters escaped, active glob characters not). */
struct wb {
	struct shell_src *s;
	struct shell_ctx *c;
	struct shell_words *out;
	size_t first; /* out->n when the word began */
	size_t raw;   /* where the word began in the text */
	struct buf text, pat;
	bool glob, unknown, any, brk;
	bool below; /* the field is one value that stands for a path and what is below it
		     * (find's "{}" as $1); anything added to it makes it unknown */
	const char *below_pattern;
	unsigned below_flags;
	bool plain;   /* nothing but unquoted literal characters so far */
	bool noglob;  /* no pathname expansion (assignments, env -S) */
	bool nosplit; /* no field splitting */
	bool assign;  /* an assignment's value: "~" after ':' too */
};

static void wb_init(struct wb *b, struct shell_src *s, struct shell_ctx *c, struct shell_words *out,
		    bool quiet)
{
	*b = (struct wb){
		.s = s,
		.c = c,
		.out = out,
		.first = out->n,
		.raw = s->i,
		.plain = true,
		.noglob = quiet || s->words_only,
		.nosplit = quiet || s->words_only,
	};
	buf_init(&b->text);
	buf_init(&b->pat);
}

static void wb_free(struct wb *b)
{
	buf_free(&b->text);
	buf_free(&b->pat);
}

/* "**" as a whole component (globstar): the directory before it and everything below. */
static void globstar(struct shell *sh, struct shell_value *v)
{
	const char *p = v->pattern;

	for (size_t j = 0; p[j]; j++) {
		if ((j > 0 && p[j - 1] != '/') || p[j] != '*' || p[j + 1] != '*' ||
		    (p[j + 2] != '/' && p[j + 2] != '\0'))
			continue;
		if (j == 0)
			v->pattern = ".";
		else if (j == 1)
			v->pattern = "/";
		else
			v->pattern = shell_strndup(sh, p, j - 1);
		v->flags |= POLICY_WORD_BELOW;
		return;
	}
}

static void field_end(struct wb *b)
{
	struct shell *sh = b->s->sh;
	struct shell_value v = {0};

	if (!b->any)
		return;
	if (b->unknown) {
		/* Its text, how it was written, is set when the word ends. */
		v.flags = POLICY_WORD_UNKNOWN;
	} else if (b->below) {
		v = (struct shell_value){shell_strndup(sh, b->text.p, b->text.n), b->below_pattern,
					 b->below_flags};
	} else {
		v.text = shell_strndup(sh, b->text.p, b->text.n);
		if (b->glob) {
			v.pattern = shell_strndup(sh, b->pat.p, b->pat.n);
			v.flags = POLICY_WORD_GLOB;
			if (v.pattern)
				globstar(sh, &v);
		}
	}
	if ((v.text || v.flags) && (!b->glob || v.pattern))
		shell_words_add(sh, b->out, &v);
	b->text.n = b->pat.n = 0;
	b->text.p[0] = b->pat.p[0] = '\0';
	b->glob = b->unknown = b->any = b->below = false;
}

static void wb_content(struct wb *b)
{
	if (b->brk) {
		b->brk = false;
		field_end(b);
	}
	b->any = true;
}

/* Something more than the one value of a BELOW field: what it is then is not known. */
static void wb_more(struct wb *b, size_t n)
{
	if (b->below && n)
		b->unknown = true;
}

static void wb_lit(struct wb *b, const char *s, size_t n)
{
	struct shell *sh = b->s->sh;

	wb_content(b);
	wb_more(b, n);
	buf_add(sh, &b->text, s, n);
	while (n > 0) {
		size_t run = 0;

		while (run < n && !strchr("*?[\\", s[run]))
			run++;
		buf_add(sh, &b->pat, s, run);
		if (run == n)
			return;
		buf_add(sh, &b->pat, "\\", 1);
		buf_add(sh, &b->pat, s + run, 1);
		s += run + 1;
		n -= run + 1;
	}
}

static void wb_unknown(struct wb *b)
{
	wb_content(b);
	b->unknown = true;
	b->plain = false;
}

/* An active glob character. */
static void wb_glob(struct wb *b, char c)
{
	if (b->noglob) {
		wb_lit(b, &c, 1);
		return;
	}
	wb_content(b);
	wb_more(b, 1);
	b->glob = true;
	b->plain = false;
	buf_add(b->s->sh, &b->text, &c, 1);
	buf_add(b->s->sh, &b->pat, &c, 1);
}

/* Something that stands for strings of one component, written raw: a brace
 * expansion, an extended glob, a number. */
static void wb_wild(struct wb *b, const char *raw, size_t n, bool number)
{
	b->plain = false;
	if (b->noglob && !number) {
		wb_lit(b, raw, n);
		return;
	}
	if (!number && memchr(raw, '/', n)) {
		wb_unknown(b);
		return;
	}
	wb_content(b);
	wb_more(b, n);
	b->glob = true;
	buf_add(b->s->sh, &b->text, raw, n);
	buf_add(b->s->sh, &b->pat, "*", 1);
}

static void split_value(struct wb *b, const char *text)
{
	const char *sep = shell_ifs(b->c);

	if (!sep) {
		wb_unknown(b);
		return;
	}
	for (const char *t = text; *t; t++) {
		if (strchr(sep, *t))
			b->brk = b->any;
		else if (*t == '*' || *t == '?' || *t == '[')
			wb_glob(b, *t);
		else
			wb_lit(b, t, 1);
	}
}

/* An expansion's value. Unquoted, a known value is split into fields and its glob
 * characters are active. */
static void wb_value(struct wb *b, const struct shell_value *v, bool quoted)
{
	b->plain = false;
	if (!v || !v->text || (v->flags & POLICY_WORD_UNKNOWN)) {
		wb_unknown(b);
	} else if (v->flags & POLICY_WORD_BELOW) {
		/* Alone in its field ("$1" of find -exec sh -c '...' _ {}), it stays what it
		 * is; with anything else it is not known. */
		wb_content(b);
		if (b->text.n || b->glob || b->unknown || b->below) {
			b->unknown = true;
			return;
		}
		b->below = true;
		b->below_pattern = v->pattern;
		b->below_flags = v->flags;
		buf_add(b->s->sh, &b->text, v->text, strlen(v->text));
	} else if (v->flags & POLICY_WORD_GLOB) {
		/* One of the paths of a pattern (for f in a glob), quoted or not. */
		wb_content(b);
		wb_more(b, 1);
		b->glob = true;
		buf_add(b->s->sh, &b->text, v->text, strlen(v->text));
		buf_add(b->s->sh, &b->pat, v->pattern, strlen(v->pattern));
	} else if (quoted || b->nosplit) {
		wb_lit(b, v->text, strlen(v->text));
	} else {
		split_value(b, v->text);
	}
}

/* Ends the word: its last field, and the text of its unknown fields. */
static void wb_finish(struct wb *b)
{
	struct shell *sh = b->s->sh;
	const char *raw = NULL;

	field_end(b);
	for (size_t i = b->first; i < b->out->n; i++) {
		if (b->out->v[i].text)
			continue;
		if (!raw)
			raw = shell_strndup(sh, b->s->s + b->raw, b->s->i - b->raw);
		b->out->v[i].text = raw ? raw : "?";
	}
}

/* The one value of a word that is not split (an assignment, a ${ } word, a here-
 * document): "" when it made no field. */
static struct shell_value wb_single(struct wb *b)
{
	struct shell_value v = {.text = ""};

	wb_finish(b);
	if (b->out->n > b->first)
		v = b->out->v[b->first];
	b->out->n = b->first;
	return v;
}

static bool ends_word(const struct shell_src *s, int c, unsigned mode)
{
	if (c == -1 || c == ' ' || c == '\t' || c == '\n')
		return true;
	if (s->words_only)
		return false;
	if (c == ';' || c == '&' || c == '|')
		return true;
	if (c == '<' || c == '>')
		return mode != SHELL_LEX_TEST && ch(s, 1) != '(';
	if (c == '(' || c == ')')
		return mode != SHELL_LEX_TEST;
	return false;
}

static void lex_dollar(struct wb *b, bool quoted);
static void lex_squote(struct wb *b);
static void lex_dquote(struct wb *b);
static void lex_backtick(struct wb *b, bool dq);

/* Values of special and positional parameters. */

static struct shell_value known(const char *text)
{
	return (struct shell_value){.text = text};
}

static const struct shell_value unknown_value = {.flags = POLICY_WORD_UNKNOWN};

static struct shell_value positional(const struct shell_ctx *c, size_t k)
{
	if (k == 0)
		return c->args.zero ? known(c->args.zero) : unknown_value;
	if (c->args.unknown)
		return unknown_value;
	return k <= c->args.n ? c->args.v[k - 1] : known("");
}

static struct shell_value pwd(const struct shell_ctx *c)
{
	if (c->cwd.unknown || c->cwd.n != 1)
		return unknown_value;
	return known(c->cwd.v[0]);
}

/* A variable by name: what the line set, what the client reported, HOME, PWD. */
static struct shell_value variable(struct shell_ctx *c, const char *name, size_t n)
{
	bool unset;
	const struct shell_var *v = shell_var_find(c, name, n, &unset);

	if (v)
		return v->v;
	if (unset)
		return known("");
	if (n == 3 && memcmp(name, "PWD", 3) == 0)
		return pwd(c);
	return unknown_value;
}

/* "$@" and "$*": the positional parameters as words. */
static void all_args(struct wb *b, bool quoted, bool star)
{
	const struct shell_args *a = &b->c->args;

	b->plain = false;
	if (a->unknown) {
		wb_unknown(b);
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (i > 0 && quoted && !star)
			field_end(b);
		else if (i > 0 && quoted)
			wb_lit(b, " ", 1);
		else if (i > 0)
			b->brk = b->any;
		wb_value(b, &a->v[i], quoted);
	}
}

/* $1, $#, $?, $NAME, ${...} and friends, at s->i on the '$'. */

static void lex_number(struct wb *b, size_t start)
{
	wb_wild(b, b->s->s + start, b->s->i - start, true);
}

static void lex_special(struct wb *b, int c)
{
	struct shell_src *s = b->s;
	size_t start = s->i;

	s->i += 2;
	if (is_digit(c)) {
		struct shell_value v = positional(b->c, (size_t)(c - '0'));

		wb_value(b, &v, false);
	} else if (c == '#' && !b->c->args.unknown) {
		char count[24];
		struct shell_value v = known(count);

		snprintf(count, sizeof(count), "%zu", b->c->args.n);
		wb_value(b, &v, true);
	} else {
		/* $?, $$, $!, $-, $#: numbers and option letters, never a '/'. */
		lex_number(b, start);
	}
}

static void lex_name(struct wb *b, bool quoted)
{
	struct shell_src *s = b->s;
	size_t start = ++s->i;
	struct shell_value v;

	while (is_name_char(ch(s, 0)))
		s->i++;
	v = variable(b->c, s->s + start, s->i - start);
	wb_value(b, &v, quoted);
}

/* One character or construct of a ${ } word into b; false at its closing '}'. */
static bool param_step(struct wb *b, bool dq, unsigned *depth)
{
	struct shell_src *s = b->s;
	int c = ch(s, 0);

	if (c == -1) {
		shell_src_fail(s, "an unterminated ${");
		return false;
	}
	if (c == '}' && *depth == 0) {
		s->i++;
		return false;
	}
	if (c == '\\' && ch(s, 1) != -1 && (!dq || in("$`\"\\\n", ch(s, 1)))) {
		wb_lit(b, s->s + s->i + 1, 1);
		s->i += 2;
	} else if (c == '\'' && !dq) {
		lex_squote(b);
	} else if (c == '"') {
		s->i++;
		lex_dquote(b);
	} else if (c == '$') {
		lex_dollar(b, true);
	} else if (c == '`') {
		lex_backtick(b, true);
	} else {
		*depth += c == '{';
		*depth -= c == '}';
		wb_lit(b, s->s + s->i, 1);
		s->i++;
	}
	return true;
}

/* The word of ${NAME-word} up to its '}', as one value; in double quotes when dq. */
static struct shell_value param_word(struct wb *outer, bool dq)
{
	struct shell_src *s = outer->s;
	struct shell_words out = {0};
	struct shell_value v;
	unsigned depth = 0;
	struct wb b;

	wb_init(&b, s, outer->c, &out, true);
	while (!stopped(s) && param_step(&b, dq, &depth))
		;
	v = wb_single(&b);
	wb_free(&b);
	shell_words_free(&out);
	return v;
}

enum param_op { OP_NONE, OP_DEFAULT, OP_ASSIGN, OP_ERROR, OP_ALTERNATE, OP_OTHER };

static enum param_op param_op(struct shell_src *s, bool *ret_colon)
{
	static const char ops[] = "-=?+";
	int c = ch(s, 0);

	*ret_colon = c == ':' && in(ops, ch(s, 1));
	if (*ret_colon)
		c = ch(s, 1);
	if (c == '}')
		return OP_NONE;
	s->i += *ret_colon;
	if (!in(ops, c))
		return OP_OTHER;
	s->i++;
	return c == '-' ? OP_DEFAULT : c == '=' ? OP_ASSIGN : c == '?' ? OP_ERROR : OP_ALTERNATE;
}

/* What ${NAME OP WORD} is, from NAME's value. With ':', an empty value counts as
 * unset; without, guard cannot tell an empty value from an unset one, so it is not
 * known then. */
static struct shell_value param_value(enum param_op op, bool colon, struct shell_value base,
				      struct shell_value word)
{
	bool unknown = !base.text || (base.flags & POLICY_WORD_UNKNOWN);
	bool empty = !unknown && !(base.flags & POLICY_WORD_GLOB) && base.text[0] == '\0';

	switch (op) {
	case OP_NONE:
	case OP_ERROR:
		return base;
	case OP_DEFAULT:
	case OP_ASSIGN:
		if (unknown || (empty && !colon))
			return unknown_value;
		return empty ? word : base;
	case OP_ALTERNATE:
		if (unknown || (empty && !colon))
			return unknown_value;
		return empty ? known("") : word;
	default:
		return unknown_value;
	}
}

/* The name of ${...}: a variable, a positional or special parameter. */
static struct shell_value param_base(struct wb *b, size_t *ret_start, size_t *ret_n)
{
	struct shell_src *s = b->s;
	size_t start = s->i;
	int c = ch(s, 0);

	*ret_start = start;
	*ret_n = 0;
	if (is_name_start(c)) {
		while (is_name_char(ch(s, 0)))
			s->i++;
		*ret_n = s->i - start;
		return variable(b->c, s->s + start, s->i - start);
	}
	if (is_digit(c)) {
		size_t k = 0;

		while (is_digit(ch(s, 0)) && k < 100000)
			k = k * 10 + (size_t)(s->s[s->i++] - '0');
		return positional(b->c, k);
	}
	if (in("@*#?-$!", c)) {
		s->i++;
		return unknown_value;
	}
	shell_src_fail(s, "a bad ${ } substitution");
	return unknown_value;
}

/* ${#NAME}, ${!NAME}, ${NAME[...]}: not followed; their words are still read for the
 * commands they may hold. */
static void param_skip(struct wb *b, bool dq, bool number, size_t start)
{
	param_word(b, dq);
	if (number)
		lex_number(b, start);
	else
		wb_unknown(b);
}

static void lex_param(struct wb *b, bool quoted)
{
	struct shell_src *s = b->s;
	struct shell_value base, word, v;
	size_t name, name_n, start = s->i;
	enum param_op op;
	bool colon;

	s->i += 2;
	b->plain = false;
	if (++s->nest > POLICY_SHELL_NEST_MAX) {
		shell_src_fail(s, "nested too deeply");
		return;
	}
	if ((ch(s, 0) == '#' && ch(s, 1) != '}') || ch(s, 0) == '!') {
		param_skip(b, quoted, ch(s, 0) == '#', start);
		s->nest--;
		return;
	}
	base = param_base(b, &name, &name_n);
	if (ch(s, 0) == '[') {
		param_skip(b, quoted, false, start);
		s->nest--;
		return;
	}
	op = param_op(s, &colon);
	word = op == OP_NONE ? known("") : param_word(b, quoted);
	if (op == OP_NONE)
		s->i++;
	v = param_value(op, colon, base, word);
	if (op == OP_ASSIGN && name_n)
		shell_var_bind(b->c, s->s + name, name_n, &v, false);
	wb_value(b, &v, quoted);
	s->nest--;
}

/* $'...': ANSI-C escapes. */

static unsigned hex_digit(int c)
{
	return is_digit(c) ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

static bool is_hex(int c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Reads up to max digits of base at s->i. */
static unsigned long digits(struct shell_src *s, unsigned base, unsigned max)
{
	unsigned long v = 0;

	for (unsigned k = 0; k < max; k++) {
		int c = ch(s, 0);

		if (base == 8 ? !(c >= '0' && c <= '7') : !is_hex(c))
			break;
		v = v * base + hex_digit(c);
		s->i++;
	}
	return v;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	cp = cp > 0x10ffff ? 0xfffd : cp;
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One escape after the '\' at s->i; its bytes in out. */
static size_t ansi_escape(struct shell_src *s, char *out)
{
	static const char from[] = "abeEfnrtv\\'\"?";
	static const char to[] = "\a\b\033\033\f\n\r\t\v\\'\"?";
	int c = ch(s, 1);
	const char *k = c > 0 ? strchr(from, c) : NULL;

	s->i += 2;
	if (k) {
		out[0] = to[k - from];
		return 1;
	}
	if (c >= '0' && c <= '7') {
		s->i--;
		out[0] = (char)digits(s, 8, 3);
		return 1;
	}
	if (c == 'x' && is_hex(ch(s, 0))) {
		out[0] = (char)digits(s, 16, 2);
		return 1;
	}
	if ((c == 'u' || c == 'U') && is_hex(ch(s, 0)))
		return utf8_encode(digits(s, 16, c == 'u' ? 4 : 8), out);
	if (c == 'c' && ch(s, 0) != -1) {
		out[0] = (char)(s->s[s->i++] & 0x1f);
		return 1;
	}
	out[0] = '\\';
	if (c == -1) {
		s->i--;
		return 1;
	}
	out[1] = (char)c;
	return 2;
}

static void lex_ansi(struct wb *b)
{
	struct shell_src *s = b->s;
	bool ended = false; /* a NUL ends the string for the program */

	s->i += 2;
	b->plain = false;
	wb_lit(b, "", 0);
	for (;;) {
		char out[4];
		size_t n = 1;
		int c = ch(s, 0);

		if (c == -1) {
			shell_src_fail(s, "an unterminated $'...' quote");
			return;
		}
		if (c == '\'') {
			s->i++;
			return;
		}
		if (c == '\\') {
			n = ansi_escape(s, out);
		} else {
			out[0] = (char)c;
			s->i++;
		}
		ended |= n == 1 && out[0] == '\0';
		if (!ended)
			wb_lit(b, out, n);
	}
}

/* Quotes. */

static void lex_squote(struct wb *b)
{
	struct shell_src *s = b->s;
	const char *start = s->s + s->i + 1;
	const char *end = memchr(start, '\'', s->n - s->i - 1);

	b->plain = false;
	if (!end) {
		shell_src_fail(s, "an unterminated single quote");
		s->i = s->n;
		return;
	}
	wb_lit(b, start, (size_t)(end - start));
	s->i = (size_t)(end - s->s) + 1;
}

/* A run of characters that mean nothing special where stop lists what does. */
static void lex_run(struct wb *b, const char *stop)
{
	struct shell_src *s = b->s;
	size_t start = s->i;

	while (s->i < s->n && !strchr(stop, s->s[s->i]))
		s->i++;
	if (s->i == start)
		s->i++;
	wb_lit(b, s->s + start, s->i - start);
}

/* After the opening '"'. */
static void lex_dquote(struct wb *b)
{
	struct shell_src *s = b->s;

	b->plain = false;
	/* "$@" with no arguments is no word at all. */
	if (ch(s, 0) == '$' && ch(s, 1) == '@' && ch(s, 2) == '"') {
		s->i += 3;
		all_args(b, true, false);
		return;
	}
	wb_lit(b, "", 0);
	for (;;) {
		int c = ch(s, 0);

		if (stopped(s))
			return;
		if (c == -1) {
			shell_src_fail(s, "an unterminated double quote");
			return;
		}
		if (c == '"') {
			s->i++;
			return;
		}
		if (c == '\\' && ch(s, 1) == '\n') {
			s->i += 2;
		} else if (c == '\\' && in("$`\"\\", ch(s, 1))) {
			wb_lit(b, s->s + s->i + 1, 1);
			s->i += 2;
		} else if (c == '$') {
			lex_dollar(b, true);
		} else if (c == '`') {
			lex_backtick(b, true);
		} else {
			lex_run(b, "\"\\$`");
		}
	}
}

/* `...`: the text between, its backslashes undone, is analysed as commands. */
static void lex_backtick(struct wb *b, bool dq)
{
	struct shell_src *s = b->s;
	struct shell *sh = s->sh;
	struct buf body;

	buf_init(&body);
	s->i++;
	b->plain = false;
	for (;;) {
		int c = ch(s, 0), next = ch(s, 1);

		if (stopped(s))
			break;
		if (c == -1) {
			shell_src_fail(s, "an unterminated backquote");
			break;
		}
		if (c == '`') {
			struct shell_input in = {.kind = SHELL_IN_INHERIT};
			struct shell_ctx sub = *b->c;
			char *text;

			s->i++;
			sub.depth++;
			text = shell_strndup(sh, body.p, body.n);
			if (text)
				shell_text(&sub, text, body.n, &in, "the commands in `...`");
			break;
		}
		if (c == '\\' &&
		    (next == '$' || next == '`' || next == '\\' || (dq && next == '"'))) {
			buf_add(sh, &body, s->s + s->i + 1, 1);
			s->i += 2;
		} else {
			buf_add(sh, &body, s->s + s->i, 1);
			s->i++;
		}
	}
	buf_free(&body);
	wb_unknown(b);
}

/* At the '$' of $( or $((. */
static void lex_subst(struct wb *b)
{
	struct shell_src *s = b->s;
	size_t start = s->i;

	b->plain = false;
	if (ch(s, 2) == '(') {
		s->i += 3;
		if (shell_lex_arith(s, b->c)) {
			lex_number(b, start);
			return;
		}
		/* $( (subshell) ... ): a command substitution after all. */
		s->i = start;
	}
	s->i += 2;
	shell_subst(s, b->c);
	wb_unknown(b);
}

static void lex_dollar(struct wb *b, bool quoted)
{
	struct shell_src *s = b->s;
	int c = ch(s, 1);

	if (!quoted && c == '\'') {
		lex_ansi(b);
	} else if (!quoted && c == '"') {
		s->i += 2;
		lex_dquote(b);
	} else if (c == '(') {
		lex_subst(b);
	} else if (c == '{') {
		lex_param(b, quoted);
	} else if (is_name_start(c)) {
		lex_name(b, quoted);
	} else if (c == '@' || c == '*') {
		s->i += 2;
		all_args(b, quoted, c == '*');
	} else if (is_digit(c) || in("#?$!-", c)) {
		b->plain = false;
		lex_special(b, c);
	} else {
		s->i++;
		wb_lit(b, "$", 1);
	}
}

/* Unquoted words. */

/* "~", "~/x", "~+": at the start of a word, or after '=' or ':' in an assignment. */
static bool lex_tilde(struct wb *b, unsigned mode)
{
	struct shell_src *s = b->s;
	size_t k = 1;
	struct shell_value v;
	int end;

	while (in(NAME_CHARS ".+-", ch(s, k)))
		k++;
	end = ch(s, k);
	if (end != '/' && !ends_word(s, end, mode) && !(b->assign && end == ':'))
		return false;
	if (k == 1)
		v = variable(b->c, "HOME", 4);
	else if (k == 2 && s->s[s->i + 1] == '+')
		v = pwd(b->c);
	else
		v = unknown_value; /* ~user, ~- */
	/* HOME="": what "~" is then depends on the shell. */
	if (v.text && !v.flags && !v.text[0])
		v = unknown_value;
	s->i += k;
	wb_value(b, &v, true);
	return true;
}

/* {a,b} and {1..9}: any of some strings. */
static void lex_brace(struct wb *b)
{
	struct shell_src *s = b->s;
	bool alternatives = false;

	for (size_t k = 1; !b->noglob; k++) {
		int c = ch(s, k);

		if (c == -1 || in(" \t\n;&|<>()'\"\\$`{", c))
			break;
		if (c == ',' || (c == '.' && ch(s, k + 1) == '.'))
			alternatives = true;
		if (c != '}')
			continue;
		if (!alternatives)
			break;
		wb_wild(b, s->s + s->i, k + 1, false);
		s->i += k + 1;
		return;
	}
	s->i++;
	wb_lit(b, "{", 1);
}

/* @(a|b), !(x), *(x), +(x), ?(x): bash's and ksh's extended globs. */
static void lex_extglob(struct wb *b)
{
	struct shell_src *s = b->s;
	unsigned depth = 0;

	for (size_t k = 1; ch(s, k) != -1; k++) {
		int c = ch(s, k);

		if (c == '\\') {
			k++;
			continue;
		}
		depth += c == '(';
		if (c == ')' && --depth == 0) {
			wb_wild(b, s->s + s->i, k + 1, false);
			s->i += k + 1;
			return;
		}
	}
	shell_src_fail(s, "an unterminated extended glob");
}

/* <(...) and >(...): the commands are analysed; the word is a pipe's name. */
static void lex_process(struct wb *b)
{
	b->s->i += 2;
	b->plain = false;
	shell_subst(b->s, b->c);
	wb_lit(b, "/dev/fd/63", 10);
}

static void lex_backslash(struct wb *b)
{
	struct shell_src *s = b->s;

	b->plain = false;
	if (ch(s, 1) == '\n') {
		s->i += 2;
	} else if (ch(s, 1) == -1) {
		s->i++;
		wb_lit(b, "\\", 1);
	} else {
		wb_lit(b, s->s + s->i + 1, 1);
		s->i += 2;
	}
}

static void lex_open_dquote(struct wb *b)
{
	b->s->i++;
	lex_dquote(b);
}

static void lex_glob(struct wb *b, char c)
{
	b->s->i++;
	wb_glob(b, c);
}

static bool at_tilde(const struct wb *b)
{
	const struct shell_src *s = b->s;

	if (s->words_only)
		return false;
	return s->i == b->raw || (b->assign && s->s[s->i - 1] == ':');
}

static void lex_unquoted(struct wb *b, unsigned mode)
{
	struct shell_src *s = b->s;

	for (;;) {
		int c = ch(s, 0);

		if (stopped(s) || ends_word(s, c, mode))
			return;
		if (in("*?@!+", c) && ch(s, 1) == '(' && !b->noglob && mode != SHELL_LEX_TEST)
			lex_extglob(b);
		else if (c == '\\')
			lex_backslash(b);
		else if (c == '\'')
			lex_squote(b);
		else if (c == '"')
			lex_open_dquote(b);
		else if (c == '$')
			lex_dollar(b, false);
		else if (c == '`')
			lex_backtick(b, false);
		else if ((c == '<' || c == '>') && ch(s, 1) == '(' && !s->words_only)
			lex_process(b);
		else if (c == '[' && s->i == b->raw && ch(s, 1) == '[' &&
			 ends_word(s, ch(s, 2), mode))
			lex_run(b, " \t\n;&|<>()");
		else if (c == '*' || c == '?' || c == '[')
			lex_glob(b, (char)c);
		else if (c == '{')
			lex_brace(b);
		else if (!(c == '~' && at_tilde(b) && lex_tilde(b, mode)))
			lex_run(b, " \t\n;&|<>()\\'\"$`*?[{~@!+");
	}
}

/* Arithmetic. */

struct arith {
	const char *names[ARITH_NAMES];
	size_t name_n[ARITH_NAMES];
	size_t n;
	bool overflow;
	bool assigns;
};

static void arith_name(struct shell_src *s, struct arith *a)
{
	size_t start = s->i;

	while (is_name_char(ch(s, 0)))
		s->i++;
	if (a->n == ARITH_NAMES) {
		a->overflow = true;
		return;
	}
	a->names[a->n] = s->s + start;
	a->name_n[a->n++] = s->i - start;
}

/* Operators: which assign ("=", "+=", "<<=", "++"), which only compare ("==", "<="). */
static void arith_operator(struct shell_src *s, struct arith *a)
{
	int c = ch(s, 0), next = ch(s, 1);

	if ((c == '+' || c == '-') && next == c) {
		a->assigns = true;
		s->i += 2;
	} else if (c == '=' && next == '=') {
		s->i += 2;
	} else if ((c == '<' || c == '>' || c == '!') && next == '=') {
		s->i += 2;
	} else if ((c == '<' || c == '>') && next == c && ch(s, 2) == '=') {
		a->assigns = true;
		s->i += 3;
	} else {
		a->assigns |= c == '=';
		s->i++;
	}
}

/* Variables an expression assigns are no longer known; which ones is not worked out,
 * every name in it is forgotten. */
static void arith_forget(struct shell_ctx *c, const struct arith *a)
{
	if (!a->assigns)
		return;
	if (a->overflow) {
		shell_var_barrier(c);
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		shell_var_bind(c, a->names[i], a->name_n[i], NULL, false);
}

/* One step through an expression; false at its end (*ret_ok: it was one). */
static bool arith_step(struct wb *b, struct arith *a, unsigned *depth, bool *ret_ok)
{
	struct shell_src *s = b->s;
	int c = ch(s, 0);

	if (c == -1 || (c == ')' && *depth == 0 && ch(s, 1) != ')')) {
		*ret_ok = false;
		return false;
	}
	if (c == ')' && *depth == 0) {
		s->i += 2;
		*ret_ok = true;
		return false;
	}
	if (c == '(') {
		++*depth;
		s->i++;
	} else if (c == ')') {
		--*depth;
		s->i++;
	} else if (c == '$') {
		lex_dollar(b, true);
	} else if (c == '`') {
		lex_backtick(b, true);
	} else if (c == '"') {
		s->i++;
		lex_dquote(b);
	} else if (c == '\'') {
		lex_squote(b);
	} else if (c == '\\') {
		s->i += ch(s, 1) == -1 ? 1 : 2;
	} else if (is_name_start(c)) {
		arith_name(s, a);
	} else {
		arith_operator(s, a);
	}
	return true;
}

bool shell_lex_arith(struct shell_src *s, struct shell_ctx *c)
{
	struct shell_words sink = {0};
	struct arith a = {0};
	size_t at = s->i;
	unsigned depth = 0;
	bool ok = false;
	struct wb b;

	if (++s->nest > POLICY_SHELL_NEST_MAX) {
		shell_src_fail(s, "nested too deeply");
		return true;
	}
	wb_init(&b, s, c, &sink, true);
	while (!stopped(s) && arith_step(&b, &a, &depth, &ok))
		;
	wb_free(&b);
	shell_words_free(&sink);
	s->nest--;
	if (stopped(s))
		return true;
	if (!ok) {
		s->i = at;
		return false;
	}
	arith_forget(c, &a);
	return true;
}

/* Here-documents. */

static void lex_delimiter(struct shell_src *s, struct shell_heredoc *h)
{
	struct buf d;

	buf_init(&d);
	while (!stopped(s) && !ends_word(s, ch(s, 0), SHELL_LEX_ARG)) {
		int c = ch(s, 0);

		if (c == '\'' || c == '"') {
			const char *end = memchr(s->s + s->i + 1, c, s->n - s->i - 1);

			h->quoted = true;
			if (!end) {
				shell_src_fail(s, c == '"' ? "an unterminated double quote"
							   : "an unterminated single quote");
				break;
			}
			buf_add(s->sh, &d, s->s + s->i + 1, (size_t)(end - (s->s + s->i + 1)));
			s->i = (size_t)(end - s->s) + 1;
		} else if (c == '\\') {
			h->quoted = true;
			buf_add(s->sh, &d, s->s + s->i + 1, ch(s, 1) == -1 ? 0 : 1);
			s->i += ch(s, 1) == -1 ? 1 : 2;
		} else {
			buf_add(s->sh, &d, s->s + s->i, 1);
			s->i++;
		}
	}
	if (d.n == 0 && !h->quoted)
		shell_src_fail(s, "a here-document without a delimiter");
	h->delim = shell_strndup(s->sh, d.p, d.n);
	h->delim_n = d.n;
	buf_free(&d);
}

/* The body with each line's leading tabs removed (<<-). */
static char *strip_tabs(struct shell *sh, const char *text, size_t *n)
{
	char *out = shell_alloc(sh, *n + 1);
	size_t o = 0;
	bool line_start = true;

	if (!out)
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		if (line_start && text[i] == '\t')
			continue;
		line_start = text[i] == '\n';
		out[o++] = text[i];
	}
	*n = o;
	return out;
}

/* An unquoted body: $, ` and \ mean what they mean in double quotes, '"' does not. */
static struct shell_value expand_body(struct shell_src *outer, struct shell_ctx *c,
				      const char *text, size_t n)
{
	struct shell_src s = {.sh = outer->sh, .s = text, .n = n};
	struct shell_words out = {0};
	struct shell_value v;
	struct wb b;

	s.tail = &s.pending;
	wb_init(&b, &s, c, &out, true);
	while (!stopped(&s) && s.i < s.n) {
		int k = ch(&s, 0), next = ch(&s, 1);

		if (k == '\\' && in("$`\\\n", next)) {
			if (next != '\n')
				wb_lit(&b, s.s + s.i + 1, 1);
			s.i += 2;
		} else if (k == '$') {
			lex_dollar(&b, true);
		} else if (k == '`') {
			lex_backtick(&b, true);
		} else {
			lex_run(&b, "\\$`");
		}
	}
	v = wb_single(&b);
	if (s.error) {
		shell_unknown(c, NULL, NULL, 0, "a here-document: %s", s.error);
		v = unknown_value;
	}
	wb_free(&b);
	shell_words_free(&out);
	return v;
}

static void body_to_shell(struct shell_heredoc *h)
{
	static const struct shell_input in = {.kind = SHELL_IN_INHERIT};

	if (h->body.flags & POLICY_WORD_UNKNOWN)
		shell_unknown(h->shell, NULL, NULL, 0,
			      "%s reads commands from a here-document that holds what guard "
			      "cannot know",
			      h->reader);
	else
		shell_text(h->shell, h->body.text, strlen(h->body.text), &in, "the here-document");
}

/* The lines after the newline at s->i up to the delimiter line (or the end). */
static void read_body(struct shell_src *s, struct shell_ctx *c, struct shell_heredoc *h)
{
	size_t start = s->i, end, n;
	const char *text;

	for (;;) {
		size_t line = s->i, k = line;
		const char *nl = memchr(s->s + line, '\n', s->n - line);
		size_t len = nl ? (size_t)(nl - (s->s + line)) : s->n - line;

		while (h->strip && k < line + len && s->s[k] == '\t')
			k++;
		if (line + len - k == h->delim_n && memcmp(s->s + k, h->delim, h->delim_n) == 0) {
			end = line;
			s->i = nl ? line + len + 1 : s->n;
			break;
		}
		s->i = nl ? line + len + 1 : s->n;
		if (!nl) {
			end = s->n;
			break;
		}
	}
	n = end - start;
	text = h->strip ? strip_tabs(s->sh, s->s + start, &n) : s->s + start;
	if (!text)
		return;
	h->body = h->quoted ? known(shell_strndup(s->sh, text, n)) : expand_body(s, c, text, n);
	h->done = true;
	if (h->shell && !c->dry)
		body_to_shell(h);
}

static void read_heredocs(struct shell_src *s, struct shell_ctx *c)
{
	struct shell_heredoc *h = s->pending;

	s->pending = NULL;
	s->tail = &s->pending;
	for (; h && !stopped(s); h = h->next)
		read_body(s, c, h);
}

/* Tokens. */

static void skip_blanks(struct shell_src *s)
{
	for (;;) {
		int c = ch(s, 0);

		if (c == ' ' || c == '\t') {
			s->i++;
		} else if (c == '\\' && ch(s, 1) == '\n') {
			s->i += 2;
		} else if (c == '#' && !s->words_only) {
			const char *nl = memchr(s->s + s->i, '\n', s->n - s->i);

			s->i = nl ? (size_t)(nl - s->s) : s->n;
		} else {
			return;
		}
	}
}

/* The length of NAME in NAME=, NAME+= or NAME[...]= at s->i, or 0. */
static size_t assignment(const struct shell_src *s, bool *ret_append, bool *ret_element)
{
	size_t k = 0;

	*ret_append = *ret_element = false;
	if (!is_name_start(ch(s, 0)))
		return 0;
	while (is_name_char(ch(s, k)))
		k++;
	if (ch(s, k) == '=')
		return k;
	if (ch(s, k) == '+' && ch(s, k + 1) == '=') {
		*ret_append = true;
		return k;
	}
	if (ch(s, k) != '[')
		return 0;
	for (size_t j = k + 1; ch(s, j) != -1 && !ends_word(s, ch(s, j), SHELL_LEX_ARG); j++) {
		if (ch(s, j) == ']' && ch(s, j + 1) == '=') {
			*ret_element = true;
			return k;
		}
	}
	return 0;
}

/* NAME=(a b c): the words are read for the commands they may hold. */
static void array_literal(struct shell_src *s, struct shell_ctx *c)
{
	struct shell_words sink = {0};
	struct shell_token t;

	s->i++;
	do {
		sink.n = 0;
		shell_lex(s, c, SHELL_LEX_ARG, &sink, &t);
	} while (!stopped(s) && t.kind != SHELL_TOK_RPAREN && t.kind != SHELL_TOK_EOF &&
		 (t.kind == SHELL_TOK_WORD || t.kind == SHELL_TOK_NEWLINE));
	if (t.kind != SHELL_TOK_RPAREN)
		shell_src_fail(s, "an unterminated array");
	shell_words_free(&sink);
}

static void lex_assignment(struct shell_src *s, struct shell_ctx *c, size_t name_n, bool append,
			   bool element, struct shell_token *t)
{
	struct shell_words out = {0};
	struct wb b;

	t->kind = SHELL_TOK_ASSIGN;
	t->name = s->s + s->i;
	t->name_n = name_n;
	s->i = (size_t)((const char *)memchr(s->s + s->i, '=', s->n - s->i) - s->s) + 1;
	if (ch(s, 0) == '(' && !element) {
		array_literal(s, c);
		t->value = unknown_value;
		return;
	}
	wb_init(&b, s, c, &out, true);
	b.assign = true;
	lex_unquoted(&b, SHELL_LEX_ARG);
	t->value = wb_single(&b);
	wb_free(&b);
	shell_words_free(&out);
	if (element)
		t->value = unknown_value;
	if (append) {
		const struct shell_var *old = shell_var_find(c, t->name, name_n, NULL);
		char *joined;

		if (!old || !old->v.text || old->v.flags || t->value.flags || !t->value.text) {
			t->value = unknown_value;
			return;
		}
		joined = shell_alloc(s->sh, strlen(old->v.text) + strlen(t->value.text) + 1);
		if (joined)
			strcat(strcpy(joined, old->v.text), t->value.text);
		t->value = known(joined);
	}
}

static void lex_word(struct shell_src *s, struct shell_ctx *c, unsigned mode,
		     struct shell_words *out, struct shell_token *t)
{
	size_t start = s->i;
	bool append, element;
	size_t name_n = mode == SHELL_LEX_CMD || mode == SHELL_LEX_ASSIGN
				? assignment(s, &append, &element)
				: 0;
	struct wb b;

	if (name_n) {
		lex_assignment(s, c, name_n, append, element, t);
		return;
	}
	wb_init(&b, s, c, out, false);
	lex_unquoted(&b, mode);
	if (s->i == start && !stopped(s))
		shell_src_fail(s, "an unexpected character");
	wb_finish(&b);
	t->kind = SHELL_TOK_WORD;
	t->first = b.first;
	t->n = out->n - b.first;
	t->plain = b.plain && t->n == 1;
	wb_free(&b);
}

static bool heredoc_register(struct shell_src *s, bool strip, struct shell_token *t)
{
	struct shell_heredoc *h = shell_alloc(s->sh, sizeof(*h));

	if (!h)
		return false;
	h->strip = strip;
	lex_delimiter(s, h);
	*s->tail = h;
	s->tail = &h->next;
	t->heredoc = h;
	return true;
}

/* The operator at s->i: its kind and length. */
static size_t redir_op(const struct shell_src *s, enum shell_redir *op, bool *strip)
{
	static const struct {
		const char *text;
		enum shell_redir op;
	} ops[] = {
		{"<<<", SHELL_R_HERESTRING}, {"<<-", SHELL_R_HEREDOC}, {"<<", SHELL_R_HEREDOC},
		{"<>", SHELL_R_RW},          {"<&", SHELL_R_DUP},      {"<", SHELL_R_IN},
		{">>", SHELL_R_APPEND},      {">|", SHELL_R_OUT},      {">&", SHELL_R_DUP},
		{">", SHELL_R_OUT},          {"&>>", SHELL_R_APPEND},  {"&>", SHELL_R_OUT},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (s->n - s->i >= n && memcmp(s->s + s->i, ops[i].text, n) == 0) {
			*op = ops[i].op;
			*strip = n == 3 && ops[i].text[2] == '-';
			return n;
		}
	}
	return 0;
}

/* ">&2", "<&-" duplicate; ">& FILE" (bash) writes FILE, "<& FILE" reads it. */
static void redir_dup(const struct shell_src *s, size_t at, struct shell_token *t)
{
	const char *w = t->target.text;

	if (t->op != SHELL_R_DUP)
		return;
	if (!t->target.flags && w && w[0] &&
	    (strspn(w, "0123456789") == strlen(w) || strcmp(w, "-") == 0))
		return;
	t->op = s->s[at] == '>' ? SHELL_R_OUT : SHELL_R_IN;
}

static void lex_redir(struct shell_src *s, struct shell_ctx *c, struct shell_token *t)
{
	struct shell_words out = {0};
	struct shell_token w;
	size_t at = s->i, start;
	bool strip = false;

	t->kind = SHELL_TOK_REDIR;
	s->i += redir_op(s, &t->op, &strip);
	skip_blanks(s);
	if (t->op == SHELL_R_HEREDOC) {
		heredoc_register(s, strip, t);
		return;
	}
	if (ends_word(s, ch(s, 0), SHELL_LEX_ARG) &&
	    !((ch(s, 0) == '<' || ch(s, 0) == '>') && ch(s, 1) == '(')) {
		shell_src_fail(s, "a redirection without a file");
		return;
	}
	start = s->i;
	lex_word(s, c, SHELL_LEX_ARG, &out, &w);
	/* No word, or several ("ambiguous redirect"): which file is not known. */
	t->target = out.n == 1 ? out.v[0] : unknown_value;
	if (!t->target.text)
		t->target.text = shell_strndup(s->sh, s->s + start, s->i - start);
	shell_words_free(&out);
	redir_dup(s, at, t);
}

static bool is_redir(const struct shell_src *s, unsigned mode)
{
	size_t k = 0;

	if (mode == SHELL_LEX_TEST)
		return false;
	while (is_digit(ch(s, k)))
		k++;
	if (ch(s, k) == '&' && k == 0)
		return ch(s, 1) == '>';
	return (ch(s, k) == '<' || ch(s, k) == '>') && ch(s, k + 1) != '(';
}

static bool lex_operator(struct shell_src *s, unsigned mode, struct shell_token *t)
{
	static const struct {
		const char *text;
		enum shell_tok kind;
	} ops[] = {
		{";;&", SHELL_TOK_DSEMI}, {";;", SHELL_TOK_DSEMI}, {";&", SHELL_TOK_DSEMI},
		{";", SHELL_TOK_SEMI},    {"&&", SHELL_TOK_AND},   {"&", SHELL_TOK_AMP},
		{"||", SHELL_TOK_OR},     {"|&", SHELL_TOK_PIPE},  {"|", SHELL_TOK_PIPE},
		{"(", SHELL_TOK_LPAREN},  {")", SHELL_TOK_RPAREN},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if ((ops[i].kind == SHELL_TOK_LPAREN || ops[i].kind == SHELL_TOK_RPAREN) &&
		    mode == SHELL_LEX_TEST)
			continue;
		if (s->n - s->i >= n && memcmp(s->s + s->i, ops[i].text, n) == 0) {
			s->i += n;
			t->kind = ops[i].kind;
			return true;
		}
	}
	return false;
}

void shell_lex(struct shell_src *s, struct shell_ctx *c, unsigned mode, struct shell_words *out,
	       struct shell_token *t)
{
	*t = (struct shell_token){.kind = SHELL_TOK_EOF};
	skip_blanks(s);
	t->start = s->i;
	if (stopped(s) || ch(s, 0) == -1) {
		t->end = s->i;
		return;
	}
	if (s->words_only) {
		lex_word(s, c, mode, out, t);
	} else if (ch(s, 0) == '\n') {
		s->i++;
		t->kind = SHELL_TOK_NEWLINE;
		read_heredocs(s, c);
	} else if (is_redir(s, mode)) {
		t->fd = -1;
		if (is_digit(ch(s, 0)))
			t->fd = 0;
		while (is_digit(ch(s, 0))) {
			t->fd = t->fd < 1000 ? t->fd * 10 + (s->s[s->i] - '0') : t->fd;
			s->i++;
		}
		lex_redir(s, c, t);
	} else if (!lex_operator(s, mode, t)) {
		lex_word(s, c, mode, out, t);
	}
	t->end = s->i;
	if (stopped(s) && t->kind != SHELL_TOK_NEWLINE)
		t->kind = SHELL_TOK_EOF;
}
