/* policy.c: the policy object: the checks that span files (unique ids, one default and
 * one unknown verdict),
 * assembly of the parsed files into one policy (rules in order, their index, the
 * environment variables they name), and its accessors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy-internal.h"

void policy_files_free(struct policy_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		policy_file_done(&files[i]);
	free(files);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	policy_index_done(&p->index);
	free(p->rules);
	free(p->env_names);
	policy_files_free(p->files, p->n_files);
	free(p);
}

/* A file-wide setting: "default" or "unknown". */
struct setting {
	const char *key;
	bool (*has)(const struct policy_file *f);
	enum policy_verdict (*verdict)(const struct policy_file *f);
	enum policy_verdict otherwise; /* when no file sets it */
};

static bool has_default(const struct policy_file *f)
{
	return f->has_default;
}

static enum policy_verdict default_verdict(const struct policy_file *f)
{
	return f->default_verdict;
}

static bool has_unknown(const struct policy_file *f)
{
	return f->has_unknown;
}

static enum policy_verdict unknown_verdict(const struct policy_file *f)
{
	return f->unknown_verdict;
}

static const struct setting default_setting = {"default", has_default, default_verdict,
					       POLICY_ALLOW};
static const struct setting unknown_setting = {"unknown", has_unknown, unknown_verdict,
					       POLICY_CONFIRM};

static enum policy_verdict files_setting(const struct policy_file *files, size_t n,
					 const struct setting *s)
{
	for (size_t i = 0; i < n; i++)
		if (s->has(&files[i]))
			return s->verdict(&files[i]);
	return s->otherwise;
}

/* The files that set it must agree. */
static int check_setting(const struct policy_file *files, size_t n, struct policy_errors *errs,
			 const struct setting *s)
{
	const struct policy_file *first = NULL;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		const struct policy_file *f = &files[i];
		int k;

		if (!s->has(f))
			continue;
		if (!first) {
			first = f;
			continue;
		}
		if (s->verdict(f) == s->verdict(first))
			continue;
		k = policy_errors_addf(errs, "%s: %s: \"%s\" conflicts with \"%s\" in %s", f->path,
				       s->key, policy_verdict_to_string(s->verdict(f)),
				       policy_verdict_to_string(s->verdict(first)), first->path);
		r = policy_worse(r, k < 0 ? k : -EINVAL);
	}
	return r;
}

/* Remembers in seen where the id of rule j of file i was first seen, or reports that
 * it was seen before. */
static int check_id(json_t *seen, const struct policy_file *files, size_t i, size_t j,
		    struct policy_errors *errs)
{
	const struct policy_rule *r = &files[i].rules[j];
	json_t *first = json_object_get(seen, r->id);
	size_t fi, fj;
	int k;

	if (!first)
		return json_object_set_new(seen, r->id,
					   json_pack("[II]", (json_int_t)i, (json_int_t)j))
			       ? -ENOMEM
			       : 0;
	fi = (size_t)json_integer_value(json_array_get(first, 0));
	fj = (size_t)json_integer_value(json_array_get(first, 1));
	/* Ids are plain [A-Za-z0-9._-], so they need no quoting. */
	k = policy_errors_addf(
		errs, "%s: rules[%zu].id: duplicate rule id \"%s\" (first in %s rules[%zu])",
		files[i].path, r->index, r->id, files[fi].path, files[fi].rules[fj].index);
	return k < 0 ? k : -EINVAL;
}

static int check_ids(const struct policy_file *files, size_t n, struct policy_errors *errs)
{
	json_t *seen = json_object();
	int r = 0;

	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < n && r != -ENOMEM; i++)
		for (size_t j = 0; j < files[i].n_rules; j++)
			if (files[i].rules[j].id)
				r = policy_worse(r, check_id(seen, files, i, j, errs));
	json_decref(seen);
	return r;
}

int policy_files_check(const struct policy_file *files, size_t n, struct policy_errors *errs)
{
	int r = check_setting(files, n, errs, &default_setting);

	r = policy_worse(r, check_setting(files, n, errs, &unknown_setting));
	return policy_worse(r, check_ids(files, n, errs));
}

/* Every rule in policy order, each numbered by its position. */
static int list_rules(struct policy *p)
{
	size_t k = 0;

	p->rules = calloc(p->n_rules + 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_files; i++) {
		for (size_t j = 0; j < p->files[i].n_rules; j++) {
			p->files[i].rules[j].seq = (uint32_t)k;
			policy_rule_needs(&p->files[i].rules[j]);
			p->rules[k++] = &p->files[i].rules[j];
		}
	}
	return 0;
}

struct names {
	const char **v;
	size_t n, cap;
};

static int names_add(struct names *names, const char *name)
{
	if (names->n == names->cap) {
		size_t cap = names->cap ? 2 * names->cap : 16;
		const char **grown = realloc(names->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		names->v = grown;
		names->cap = cap;
	}
	names->v[names->n++] = name;
	return 0;
}

/* Depth is bounded by the parser (POLICY_DEPTH_MAX). */
static int collect_env(const struct policy_match *m, struct names *names)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < m->n_env; i++)
		r = names_add(names, m->env[i].name);
	if (r == 0 && m->not )
		r = collect_env(m->not, names);
	for (size_t i = 0; r == 0 && i < m->n_any; i++)
		r = collect_env(&m->any[i], names);
	return r;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The variables worth recording: those some condition looks at. */
static int env_names(struct policy *p)
{
	struct names names = {0};
	size_t out = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < p->n_rules; i++)
		r = collect_env(&p->rules[i]->match, &names);
	if (r < 0) {
		free(names.v);
		return r;
	}
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), compare_strings);
	for (size_t i = 0; i < names.n; i++)
		if (out == 0 || strcmp(names.v[i], names.v[out - 1]) != 0)
			names.v[out++] = names.v[i];
	p->env_names = names.v;
	p->n_env_names = out;
	return 0;
}

int policy_new(struct policy_file *files, size_t n, const char *revision, struct policy **ret)
{
	struct policy *p = calloc(1, sizeof(*p));
	int r;

	if (!p) {
		policy_files_free(files, n);
		return -ENOMEM;
	}
	p->files = files;
	p->n_files = n;
	p->default_verdict = files_setting(files, n, &default_setting);
	p->unknown_verdict = files_setting(files, n, &unknown_setting);
	for (size_t i = 0; i < n; i++)
		p->n_rules += files[i].n_rules;
	snprintf(p->revision, sizeof(p->revision), "%s", revision);
	r = list_rules(p);
	if (r == 0)
		r = policy_index_build(&p->index, p->rules, p->n_rules);
	if (r == 0)
		r = env_names(p);
	if (r < 0) {
		policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

const char *policy_revision(const struct policy *p)
{
	return p->revision;
}

size_t policy_n_rules(const struct policy *p)
{
	return p->n_rules;
}

size_t policy_n_files(const struct policy *p)
{
	return p->n_files;
}

enum policy_verdict policy_default(const struct policy *p)
{
	return p->default_verdict;
}

enum policy_verdict policy_unknown(const struct policy *p)
{
	return p->unknown_verdict;
}
