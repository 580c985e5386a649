/* redact.c: the redactor's entry points: site patterns, and writing out a text with its
 * secrets replaced by "***" while the shell quotes around them stay balanced. The rules
 * themselves live in redact-shape.c (any text) and redact-cmd.c (commands). */
#include "redact.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact-int.h"

/* Inputs above this are refused rather than redacted (guardd's messages are 64 KiB). */
#define MAX_INPUT ((size_t)1 << 30)

struct redact {
	size_t n;
	regex_t *re;
};

void redact_free(struct redact *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		regfree(&r->re[i]);
	free(r->re);
	free(r);
}

int redact_new(const char *const *patterns, size_t n, struct redact **ret, char *err,
	       size_t err_len)
{
	if (n > REDACT_MAX_PATTERNS) {
		snprintf(err, err_len, "%zu patterns, at most %d", n, REDACT_MAX_PATTERNS);
		return -EINVAL;
	}
	struct redact *r = calloc(1, sizeof *r);
	if (!r || !(r->re = calloc(n ? n : 1, sizeof *r->re))) {
		free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (!patterns[i] || !patterns[i][0]) {
			snprintf(err, err_len, "pattern %zu: empty", i);
			redact_free(r);
			return -EINVAL;
		}
		int e = regcomp(&r->re[i], patterns[i], REG_EXTENDED);
		if (e) {
			char buf[256];
			regerror(e, &r->re[i], buf, sizeof buf);
			snprintf(err, err_len, "pattern %zu: %s", i, buf);
			redact_free(r);
			return e == REG_ESPACE ? -ENOMEM : -EINVAL;
		}
		r->n++;
		regmatch_t pm[1];
		if (regexec(&r->re[i], "", 1, pm, 0) == 0) { /* it would hide nothing */
			snprintf(err, err_len, "pattern %zu: matches the empty string", i);
			redact_free(r);
			return -EINVAL;
		}
	}
	*ret = r;
	return 0;
}

/* regexec is tried from each position of the text and, for a pattern like a[^x]*x, runs to
 * the end from each: quadratic in a 64 KiB line a client chose. So a pattern is looked for
 * in windows of WINDOW bytes: the time is O(n * WINDOW), a match of up to WINDOW / 2 bytes
 * is always found whole, and a longer one is followed by doubling the window from its
 * start. */
#define WINDOW 256

/* The next match in s[off..n) of re, in pm (offsets from s). */
static bool next_match(const regex_t *re, const char *s, size_t n, size_t off, regmatch_t pm[2])
{
	size_t win = WINDOW;

	while (off <= n) {
		size_t end = n - off > win ? off + win : n;
		int flags = REG_STARTEND | (off ? REG_NOTBOL : 0) | (end < n ? REG_NOTEOL : 0);
		pm[0].rm_so = (regoff_t)off;
		pm[0].rm_eo = (regoff_t)end;
		if (regexec(re, s, 2, pm, flags) != 0) {
			if (end == n)
				return false;
			off += WINDOW / 2; /* no match of WINDOW / 2 bytes starts before */
			win = WINDOW;
			continue;
		}
		size_t so = (size_t)pm[0].rm_so, eo = (size_t)pm[0].rm_eo;
		if (end < n && so > off && end - so < WINDOW / 2) { /* look from its start */
			off = so;
			win = WINDOW;
			continue;
		}
		if (end < n && eo == end) { /* it may go on */
			off = so;
			win = end - so >= win ? win * 2 : win;
			continue;
		}
		return true;
	}
	return false;
}

/* Marks what each site pattern matches in s (n bytes): group 1 when the pattern has one,
 * else the whole match. */
static void site_patterns(const struct redact *r, const char *s, size_t n, uint8_t *m)
{
	for (size_t k = 0; r && k < r->n; k++) {
		const regex_t *re = &r->re[k];
		regmatch_t pm[2];
		size_t off = 0;
		while (off < n && next_match(re, s, n, off, pm)) {
			const regmatch_t *g = re->re_nsub >= 1 ? &pm[1] : &pm[0];
			for (regoff_t i = g->rm_so; g->rm_so >= 0 && i < g->rm_eo; i++)
				m[i] |= RM_HIDE;
			off = (size_t)pm[0].rm_eo + (pm[0].rm_eo == pm[0].rm_so);
		}
	}
}

/* Whether byte k of the hidden run [k, end) is written out: a quote is; a backslash of the
 * shell is when what it escapes is, or lies past the run (else a kept quote would lose its
 * escape, or a byte after the run gain one). Backslashes escaping backslashes chain: *chain
 * and *chain_keep remember the answer for the chain k is in, which keeps this linear. */
static bool kept(const uint8_t *m, size_t k, size_t end, size_t *chain, bool *chain_keep)
{
	if (m[k] & RM_KEEP)
		return true;
	if (!(m[k] & RM_ESC))
		return false;
	if (k >= *chain) {
		size_t j = k + 1;
		while (j < end && (m[j] & RM_ESC))
			j++;
		*chain = j;
		*chain_keep = j == end || (m[j] & RM_KEEP);
	}
	return *chain_keep;
}

/* Writes s with each hidden run replaced by "***" followed by the bytes of it that are
 * kept (shell quotes, and the backslashes escaping those); returns the length. out NULL:
 * only counts. *changed is set when a run drops anything. At most 3 bytes out for each
 * byte in. */
static size_t emit(char *out, const char *s, const uint8_t *m, size_t n, bool *changed)
{
	size_t o = 0, i = 0;

	while (i < n) {
		if (!(m[i] & RM_HIDE)) {
			if (out)
				out[o] = s[i];
			o++, i++;
			continue;
		}
		size_t a = i, end = i, chain = 0, dropped = 0;
		bool chain_keep = false;
		while (end < n && (m[end] & RM_HIDE))
			end++;
		for (size_t k = a; k < end; k++)
			dropped += !kept(m, k, end, &chain, &chain_keep);
		if (dropped) {
			if (out)
				memcpy(out + o, REDACT_MASK, 3);
			o += 3;
			*changed = true;
		}
		chain = 0;
		for (size_t k = a; k < end; k++) {
			if (!dropped || kept(m, k, end, &chain, &chain_keep)) {
				if (out)
					out[o] = s[k];
				o++;
			}
		}
		i = end;
	}
	if (out)
		out[o] = '\0';
	return o;
}

static char *emit_new(const char *s, const uint8_t *m, size_t n, bool *changed)
{
	bool dummy = false;
	char *out = malloc(emit(NULL, s, m, n, &dummy) + 1);
	if (out)
		emit(out, s, m, n, changed);
	return out;
}

void redact_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* The words are laid out as one line, "w0 w1 w2", so the site patterns see the command
 * as a person reads it and the marks of word i start at pos[i]. */
int redact_argv(const struct redact *r, const char *const *argv, size_t n, char ***ret,
		bool *changed)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		total += strlen(argv[i]) + 1;
		if (total > MAX_INPUT)
			return -E2BIG;
	}
	char *joined = malloc(total + 1), **out = calloc(n + 1, sizeof *out);
	uint8_t *m = calloc(total + 1, 1);
	struct rtext *words = calloc(n ? n : 1, sizeof *words);
	bool ch = false;
	int e = -ENOMEM;

	if (!joined || !out || !m || !words)
		goto done;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(argv[i]);
		memcpy(joined + pos, argv[i], len);
		joined[pos + len] = i + 1 < n ? ' ' : '\0';
		words[i] = (struct rtext){.s = joined + pos, .n = len, .m = m + pos};
		pos += len + 1;
	}
	joined[total] = '\0';
	e = redact_cmd_argv(words, n);
	if (e < 0)
		goto done;
	site_patterns(r, joined, total ? total - 1 : 0, m);
	for (size_t i = 0; i < n; i++) {
		if (!(out[i] = emit_new(words[i].s, words[i].m, words[i].n, &ch))) {
			e = -ENOMEM;
			goto done;
		}
	}
	*ret = out;
	out = NULL;
	if (changed)
		*changed = ch;
	e = 0;
done:
	redact_free_argv(out);
	free(joined);
	free(m);
	free(words);
	return e;
}

/* A text through one of the rule sets, then the site patterns, then written out. */
static int redact_text(const struct redact *r, const char *s, bool shell,
		       int (*rules)(const struct rtext *), char **ret, bool *changed)
{
	size_t n = strlen(s);
	if (n > MAX_INPUT)
		return -E2BIG;
	uint8_t *m = calloc(n + 1, 1);
	if (!m)
		return -ENOMEM;
	struct rtext t = {.s = s, .n = n, .m = m, .shell = shell};
	int e = rules(&t);
	bool ch = false;
	char *out = NULL;
	if (e >= 0) {
		site_patterns(r, s, n, m);
		out = emit_new(s, m, n, &ch);
		e = out ? 0 : -ENOMEM;
	}
	free(m);
	if (e < 0)
		return e;
	*ret = out;
	if (changed)
		*changed = ch;
	return 0;
}

static int line_rules(const struct rtext *t)
{
	return redact_cmd_line(t, 0);
}

int redact_line(const struct redact *r, const char *line, char **ret, bool *changed)
{
	return redact_text(r, line, true, line_rules, ret, changed);
}

int redact_env(const struct redact *r, const char *name, const char *value, char **ret,
	       bool *changed)
{
	if (redact_env_name(name) && value[0]) {
		char *out = strdup(REDACT_MASK);
		if (!out)
			return -ENOMEM;
		*ret = out;
		if (changed)
			*changed = true;
		return 0;
	}
	return redact_text(r, value, false, redact_cmd_text, ret, changed);
}

bool redact_env_name(const char *name)
{
	return redact_name_kind(name, strlen(name)) >= RNAME_KEY;
}
