/* policy.c: the policy object: the checks that span files (unique ids, one default),
 * assembly of the parsed files into one policy, and its accessors. */
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
	policy_files_free(p->files, p->n_files);
	free(p);
}

static enum policy_verdict files_default(const struct policy_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (files[i].has_default)
			return files[i].default_verdict;
	return POLICY_ALLOW;
}

/* The files that set "default" must agree; without any, the default is allow. */
static int check_defaults(const struct policy_file *files, size_t n, struct policy_errors *errs)
{
	const struct policy_file *first = NULL;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		const struct policy_file *f = &files[i];
		int k;

		if (!f->has_default)
			continue;
		if (!first) {
			first = f;
			continue;
		}
		if (f->default_verdict == first->default_verdict)
			continue;
		k = policy_errors_addf(errs, "%s: default: \"%s\" conflicts with \"%s\" in %s",
				       f->path, policy_verdict_to_string(f->default_verdict),
				       policy_verdict_to_string(first->default_verdict),
				       first->path);
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
	int r = check_defaults(files, n, errs);

	return policy_worse(r, check_ids(files, n, errs));
}

int policy_new(struct policy_file *files, size_t n, const char *revision, struct policy **ret)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (!p) {
		policy_files_free(files, n);
		return -ENOMEM;
	}
	p->files = files;
	p->n_files = n;
	p->default_verdict = files_default(files, n);
	for (size_t i = 0; i < n; i++)
		p->n_rules += files[i].n_rules;
	snprintf(p->revision, sizeof(p->revision), "%s", revision);
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
