/* index.c: rules by program name. A rule whose "program" condition lists only literal
 * names is filed under each of them; every other rule is generic. A request meets the
 * rules filed under its two names (argv[0]'s basename and the resolved program's)
 * and the generic ones, merged back into policy order, so that the first match is the
 * same as a scan of every rule would find. Each rule also has the features it
 * certainly needs (flags, the first word, the first component of a path, tty, ssh,
 * variables) as 64-bit masks, so that most candidates are passed over with a few ANDs
 * instead of a look at their conditions. */
#include <string.h>

#include "policy-internal.h"

struct policy_index_slot {
	const char *name; /* NULL: empty */
	uint32_t hash;
	uint32_t first; /* its rules: seqs[first..first+n) */
	uint32_t n;
};

/* One (name, rule) filing while building. */
struct filing {
	const char *name;
	uint32_t hash;
	uint32_t seq;
};

/* FNV-1a: short keys, no adversary who can choose the policy's names. */
static uint32_t hash_bytes(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static uint32_t hash_name(const char *s)
{
	return hash_bytes(2166136261u, s, strlen(s));
}

uint64_t policy_feature(char kind, const char *s, size_t n)
{
	uint32_t h = hash_bytes(2166136261u, &kind, 1);

	return UINT64_C(1) << (hash_bytes(h, s, n) >> 26);
}

/* A feature that a request certainly has when flag (one alternative) is given. */
static uint64_t flag_feature(const char *flag)
{
	if (flag[1] == '-')
		return policy_feature(POLICY_FEATURE_LONG, flag, strcspn(flag, "="));
	return policy_feature(POLICY_FEATURE_SHORT, flag + 1, 1);
}

/* Every feature a request has when flag is given: all letters of a cluster. */
static uint64_t flag_features(const char *flag)
{
	uint64_t all = 0;

	if (flag[1] == '-')
		return flag_feature(flag);
	for (const char *l = flag + 1; *l; l++)
		all |= policy_feature(POLICY_FEATURE_SHORT, l, 1);
	return all;
}

/* A free slot of r->need_any for a set of alternatives, or NULL. */
static uint64_t *any_slot(struct policy_rule *r)
{
	for (size_t i = 0; i < 2; i++)
		if (!r->need_any[i])
			return &r->need_any[i];
	return NULL;
}

static void flags_need(const struct policy_match *m, struct policy_rule *r)
{
	for (size_t i = 0; i < m->n_flags; i++) {
		const struct policy_strv *f = &m->flags[i].any;
		uint64_t *slot = f->n > 1 ? any_slot(r) : NULL;

		if (f->n == 1)
			r->need_all |= flag_features(f->v[0]);
		for (size_t j = 0; slot && j < f->n; j++)
			*slot |= flag_feature(f->v[j]);
	}
}

/* The feature of the first component of the paths glob matches, or 0 when that is
 * not one literal name ("*", "**", "~"). */
static uint64_t glob_feature(const char *glob)
{
	const char *first = glob + strspn(glob, "/");
	size_t n = strcspn(first, "/");
	const char *c;

	if (glob[0] != '/')
		return 0;
	for (c = first; c < first + n; c++)
		if (strchr("*?[\\", *c))
			return 0;
	return policy_feature(POLICY_FEATURE_PATH, first, n);
}

/* Some path must match some glob: its first component is one of theirs. */
static void paths_need(const struct policy_match *m, struct policy_rule *r)
{
	uint64_t any = 0, *slot;

	for (size_t i = 0; i < m->paths.n; i++) {
		uint64_t f = glob_feature(m->paths.v[i]);

		if (!f)
			return;
		any |= f;
	}
	slot = any ? any_slot(r) : NULL;
	if (slot)
		*slot = any;
}

void policy_rule_needs(struct policy_rule *r)
{
	const struct policy_match *m = &r->match;

	r->need_all = r->need_any[0] = r->need_any[1] = 0;
	flags_need(m, r);
	paths_need(m, r);
	if (m->subcommand.n == 1) {
		const char *w = m->subcommand.v[0] + strspn(m->subcommand.v[0], " ");

		r->need_all |= policy_feature(POLICY_FEATURE_WORD, w, strcspn(w, " "));
	}
	if (m->tty == POLICY_TRUE)
		r->need_all |= policy_feature(POLICY_FEATURE_TTY, "", 0);
	if (m->ssh == POLICY_TRUE)
		r->need_all |= policy_feature(POLICY_FEATURE_SSH, "", 0);
	for (size_t i = 0; i < m->n_env; i++)
		if (m->env[i].set != POLICY_FALSE)
			r->need_all |= policy_feature(POLICY_FEATURE_ENV, m->env[i].name,
						      strlen(m->env[i].name));
}

bool policy_index_literal(const char *name)
{
	return !strpbrk(name, "*?[\\/");
}

static bool indexable(const struct policy_rule *r)
{
	const struct policy_strv *s = &r->match.program;

	for (size_t i = 0; i < s->n; i++)
		if (!policy_index_literal(s->v[i]))
			return false;
	return s->n > 0;
}

static int compare_filings(const void *a, const void *b)
{
	const struct filing *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every (name, rule) pair of the indexable rules, sorted by name then policy order,
 * and the generic rules in policy order. */
static int file_rules(struct policy_index *ix, const struct policy_rule **rules, size_t n,
		      struct filing **ret, size_t *ret_n)
{
	struct filing *f = NULL;
	size_t nf = 0, cap = 0;

	ix->generic = calloc(n + 1, sizeof(*ix->generic));
	if (!ix->generic)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct policy_strv *s = &rules[i]->match.program;

		if (!indexable(rules[i])) {
			ix->generic[ix->n_generic++] = (uint32_t)i;
			continue;
		}
		if (nf + s->n > cap) {
			struct filing *grown;

			cap = 2 * (nf + s->n);
			grown = realloc(f, cap * sizeof(*f));
			if (!grown) {
				free(f);
				return -ENOMEM;
			}
			f = grown;
		}
		for (size_t k = 0; k < s->n; k++)
			f[nf++] = (struct filing){s->v[k], hash_name(s->v[k]), (uint32_t)i};
	}
	if (nf > 1)
		qsort(f, nf, sizeof(*f), compare_filings);
	*ret = f;
	*ret_n = nf;
	return 0;
}

static void slot_put(struct policy_index *ix, const struct filing *f, uint32_t first, uint32_t n)
{
	size_t i = f->hash & ix->mask;

	while (ix->slots[i].name)
		i = (i + 1) & ix->mask;
	ix->slots[i] = (struct policy_index_slot){f->name, f->hash, first, n};
}

/* One slot per distinct name, at most half of the slots used. */
static int fill_slots(struct policy_index *ix, const struct filing *f, size_t nf)
{
	size_t names = 0, size = 8;

	for (size_t i = 0; i < nf; i++)
		names += i == 0 || strcmp(f[i].name, f[i - 1].name) != 0;
	while (size < 2 * names)
		size *= 2;
	ix->slots = calloc(size, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	ix->mask = size - 1;
	for (size_t i = 0, out = 0; i < nf;) {
		size_t start = out;
		size_t j = i;

		/* A rule that lists a name twice is filed once. */
		for (; j < nf && strcmp(f[j].name, f[i].name) == 0; j++)
			if (j == i || f[j].seq != f[j - 1].seq)
				ix->seqs[out++] = f[j].seq;
		slot_put(ix, &f[i], (uint32_t)start, (uint32_t)(out - start));
		i = j;
	}
	return 0;
}

int policy_index_build(struct policy_index *ix, const struct policy_rule **rules, size_t n)
{
	struct filing *f = NULL;
	size_t nf = 0;
	int r;

	*ix = (struct policy_index){0};
	r = file_rules(ix, rules, n, &f, &nf);
	if (r == 0) {
		ix->seqs = calloc(nf + 1, sizeof(*ix->seqs));
		r = ix->seqs ? fill_slots(ix, f, nf) : -ENOMEM;
	}
	free(f);
	if (r < 0)
		policy_index_done(ix);
	return r;
}

void policy_index_done(struct policy_index *ix)
{
	free(ix->slots);
	free(ix->seqs);
	free(ix->generic);
	*ix = (struct policy_index){0};
}

static const struct policy_index_slot *lookup(const struct policy_index *ix, const char *name)
{
	uint32_t h = hash_name(name);

	for (size_t i = h & ix->mask; ix->slots[i].name; i = (i + 1) & ix->mask)
		if (ix->slots[i].hash == h && strcmp(ix->slots[i].name, name) == 0)
			return &ix->slots[i];
	return NULL;
}

void policy_index_candidates(const struct policy_index *ix, const char *name,
			     const char *program_name, struct policy_candidates *ret)
{
	const struct policy_index_slot *a = lookup(ix, name);
	const struct policy_index_slot *b =
		program_name && strcmp(program_name, name) != 0 ? lookup(ix, program_name) : NULL;

	*ret = (struct policy_candidates){
		.list = {ix->generic, a ? ix->seqs + a->first : NULL,
			 b ? ix->seqs + b->first : NULL},
		.n = {ix->n_generic, a ? a->n : 0, b ? b->n : 0},
	};
}

bool policy_candidates_next(struct policy_candidates *c, uint32_t *ret, bool *ret_named)
{
	uint32_t best = UINT32_MAX;
	bool named = false;

	for (size_t i = 0; i < 3; i++)
		if (c->n[i] && c->list[i][0] < best)
			best = c->list[i][0];
	if (best == UINT32_MAX)
		return false;
	/* A rule filed under both names comes once. */
	for (size_t i = 0; i < 3; i++) {
		if (c->n[i] && c->list[i][0] == best) {
			named |= i > 0;
			c->list[i]++;
			c->n[i]--;
		}
	}
	*ret = best;
	*ret_named = named;
	return true;
}
