/* logchain.c: the verify state machine: the last line that fits the chain, and at
 * most one line in doubt. */
#include "logchain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "logrec.h"

void logchain_init(struct logchain *c)
{
	*c = (struct logchain){0};
}

static bool same_file(struct logchain_pos a, struct logchain_pos b)
{
	return a.file == b.file || (a.file && b.file && strcmp(a.file, b.file) == 0);
}

/* "line 7", or "FILE:7" when it is in another file than the problem's. */
static const char *where(char *buf, size_t len, struct logchain_pos at, struct logchain_pos of)
{
	if (same_file(at, of))
		snprintf(buf, len, "line %" PRIu64, of.line);
	else
		snprintf(buf, len, "%s:%" PRIu64, of.file ? of.file : "-", of.line);
	return buf;
}

__attribute__((format(printf, 3, 4))) static int
problem(struct logchain_problem *ret, struct logchain_pos pos, const char *fmt, ...)
{
	va_list ap;
	ret->pos = pos;
	va_start(ap, fmt);
	vsnprintf(ret->text, sizeof ret->text, fmt, ap);
	va_end(ap);
	return 1;
}

static bool follows(const struct logchain_line *x, const struct logchain_line *before)
{
	return x->seq == before->seq + 1 && strcmp(x->prev, before->hash) == 0;
}

/* Names the problem with the suspect line P, after the last good line L, given the
 * line X that came next (NULL at the end of the input or when X is unreadable). */
static int judge(struct logchain *c, const struct logchain_line *x, struct logchain_problem *ret)
{
	const struct logchain_line *l = &c->last, *p = &c->suspect;
	struct logchain_pos at = p->pos;
	char a[512], b[512], d[512];
	c->pending = false;
	bool x_fits_l = x && follows(x, l);
	if (x_fits_l && p->seq > l->seq + 1 && p->seq == x->seq + 1 &&
	    strcmp(p->prev, x->hash) == 0)
		return problem(ret, at,
			       "lines %" PRIu64 " and %" PRIu64 " are swapped (seq %" PRIu64
			       " comes before seq %" PRIu64 ")",
			       p->pos.line, x->pos.line, p->seq, x->seq);
	if (x_fits_l)
		return problem(ret, at,
			       "line %" PRIu64 " was inserted (%s continues the chain from %s)",
			       p->pos.line, where(a, sizeof a, at, x->pos),
			       where(b, sizeof b, at, l->pos));
	if (p->seq == l->seq + 1 && x && x->seq == p->seq + 1 && strcmp(x->prev, p->hash) != 0)
		/* Neither neighbour agrees with P: one change to P explains both. */
		return problem(ret, at,
			       "line %" PRIu64
			       " was altered (its prev does not match the hash of %s, "
			       "and its hash does not match %s's prev)",
			       p->pos.line, where(a, sizeof a, at, l->pos),
			       where(b, sizeof b, at, x->pos));
	if (p->seq == l->seq + 1) {
		at = l->pos;
		return problem(ret, at,
			       "line %" PRIu64 " was altered (its hash does not match %s's prev)",
			       l->pos.line, where(a, sizeof a, at, p->pos));
	}
	if (p->seq > l->seq + 1) {
		/* What follows P goes back below it: P is out of place, not a cut. */
		if (x && x->seq < p->seq)
			return problem(ret, at,
				       "line %" PRIu64 " is out of order (seq %" PRIu64
				       " where seq %" PRIu64 " was expected)",
				       p->pos.line, p->seq, l->seq + 1);
		uint64_t gap = p->seq - l->seq - 1;
		return problem(ret, at,
			       "%" PRIu64 " record%s missing before line %" PRIu64
			       " (seq jumps from %" PRIu64 " at %s to %" PRIu64 ")",
			       gap, gap == 1 ? "" : "s", p->pos.line, l->seq,
			       where(a, sizeof a, at, l->pos), p->seq);
	}
	if (p->seq == l->seq && strcmp(p->prev, l->prev) == 0 && x && follows(x, p)) {
		at = l->pos;
		return problem(ret, at,
			       "line %" PRIu64
			       " was inserted (%s has the same seq and %s continues "
			       "the chain from it)",
			       l->pos.line, where(a, sizeof a, at, p->pos),
			       where(d, sizeof d, at, x->pos));
	}
	return problem(ret, at,
		       "line %" PRIu64 " was inserted or moved (seq %" PRIu64
		       " does not follow seq %" PRIu64 " of %s)",
		       p->pos.line, p->seq, l->seq, where(a, sizeof a, at, l->pos));
}

static bool is_hex_hash(const char *s, size_t n)
{
	if (n != CHAIN_HEX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The seq and prev of a line, or a problem saying why it is not a record. */
static int read_line(struct logchain_pos pos, const char *line, size_t n, struct logchain_line *ret,
		     struct logchain_problem *pr)
{
	struct logrec r;
	struct logrec_error err;
	if (logrec_parse(line, n, &r, &err) < 0)
		return problem(pr, pos, "line %" PRIu64 " is not a JSON record (%s at byte %zu)",
			       pos.line, err.text, err.offset + 1);
	int64_t seq;
	if (!r.f[LOGREC_SEQ].p)
		return problem(pr, pos, "line %" PRIu64 " has no seq", pos.line);
	if (logrec_int(r.f[LOGREC_SEQ], &seq) < 0 || seq < 1)
		return problem(pr, pos, "line %" PRIu64 "'s seq is not a positive integer",
			       pos.line);
	if (!r.f[LOGREC_PREV].p)
		return problem(pr, pos, "line %" PRIu64 " has no prev", pos.line);
	int len = logrec_string(r.f[LOGREC_PREV], ret->prev, sizeof ret->prev);
	if (len < 0 || !is_hex_hash(ret->prev, (size_t)len))
		return problem(pr, pos, "line %" PRIu64 "'s prev is not 64 lowercase hex digits",
			       pos.line);
	ret->pos = pos;
	ret->seq = (uint64_t)seq;
	return 0;
}

int logchain_feed(struct logchain *c, struct logchain_pos pos, const char *line, size_t n,
		  struct logchain_problem *ret)
{
	struct logchain_line x;
	struct logchain_problem bad;
	if (read_line(pos, line, n, &x, &bad) != 0) {
		/* A line in doubt before this one is the first problem. */
		if (c->pending)
			return judge(c, NULL, ret);
		*ret = bad;
		return 1;
	}
	int r = chain_hash(line, n, x.hash);
	if (r < 0)
		return r;
	if (c->pending)
		return judge(c, &x, ret);
	if (!c->started) {
		char genesis[CHAIN_HEX_LEN + 1];
		chain_genesis(genesis);
		c->started = true;
		c->first_seq = x.seq;
		c->after_earlier = strcmp(x.prev, genesis) != 0;
		if (!c->after_earlier && x.seq != 1)
			return problem(ret, pos,
				       "line %" PRIu64
				       " starts the chain (its prev is all zeros) but "
				       "has seq %" PRIu64 ", not 1",
				       pos.line, x.seq);
	} else if (!follows(&x, &c->last)) {
		c->pending = true;
		c->suspect = x;
		return 0;
	}
	c->last = x;
	c->n++;
	return 0;
}

int logchain_bad_line(struct logchain *c, struct logchain_pos pos, const char *why,
		      struct logchain_problem *ret)
{
	if (c->pending)
		return judge(c, NULL, ret);
	return problem(ret, pos, "line %" PRIu64 " %s", pos.line, why);
}

int logchain_end(struct logchain *c, struct logchain_problem *ret)
{
	return c->pending ? judge(c, NULL, ret) : 0;
}
