/* fuzz-policy.c: libFuzzer harness for the policy loader. An input is one to four policy
 * files, separated by NUL bytes (a NUL cannot occur in valid JSON text), parsed and
 * checked as policy_load_dir() does it (load.c's load(): parse each file, check across
 * files, assemble), in memory, so that no file is written per input. Then:
 * - a policy refused has errors, each one line naming its file; one accepted has none;
 * - an accepted policy decides and explains a few requests of every kind, each decision
 *   with a message, each explanation ending with the rule that decided.
 * Build with -Dfuzz=true and clang (see tests/fuzz/meson.build). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/policy.h"
#include "policy/policy-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILES_MAX 4

/* Every error is one line naming its file: a newline in one would forge a second. */
static void check_errors(const struct policy_errors *errs, struct policy_file *files, size_t n)
{
	for (size_t i = 0; i < errs->n; i++) {
		const char *line = errs->lines[i];
		bool named = false;
		if (strchr(line, '\n') || strchr(line, '\r'))
			abort();
		for (size_t k = 0; k < n; k++) {
			size_t len = strlen(files[k].path);
			if (strncmp(line, files[k].path, len) == 0 && line[len] == ':')
				named = true;
		}
		if (!named)
			abort();
	}
}

static void trace_fn(void *userdata, const struct policy_trace *t)
{
	size_t *n = userdata;
	if (!t->part || (t->rule_id && !t->file) || (!t->matched && (!t->failed || !t->why)))
		abort();
	(*n)++;
}

static void judge(const struct policy *p, struct policy_request *req, const char *line)
{
	struct policy_decision d, e;
	size_t traces = 0;
	int r = line ? policy_evaluate_line(p, req, line, &d) : policy_evaluate(p, req, &d);
	if (r < 0)
		return;
	if (!d.message || (d.verdict == POLICY_CONFIRM && !d.phrase) ||
	    (d.verdict == POLICY_REASON && (!d.reason_pattern || !d.rule)) ||
	    (d.verdict == POLICY_APPROVE && (!d.approvers_group || !d.approvers_count)))
		abort();
	if (d.verdict == POLICY_REASON)
		(void)policy_reason_ok(d.rule, "INC-1234");
	r = line ? policy_explain_line(p, req, line, trace_fn, &traces, &e)
		 : policy_explain(p, req, trace_fn, &traces, &e);
	/* Explaining is deciding, slower: the same verdict by the same rule. */
	if (r == 0 && (e.verdict != d.verdict || e.rule != d.rule))
		abort();
}

static void exercise(const struct policy *p)
{
	static const char *const env[] = {"HOME=/root", "KUBE_CONTEXT=prod-eu", "CI=1",
					  "SSH_CONNECTION=1 2 3 4", "BREAK_GLASS="};
	static const gid_t groups[] = {0, 27, 1000};
	static const char *const group_names[] = {"root", "sudo", NULL};
	static const char *const argvs[][6] = {
		{"rm", "-rf", "/", NULL},
		{"/usr/bin/git", "push", "--force", "origin", "main", NULL},
		{"kubectl", "--context=prod-1", "delete", "ns/prod-x", "-f", NULL},
		{"sudo", "-u", "postgres", "dropdb", "app", NULL},
		{"terraform", "apply", "-auto-approve", NULL},
	};
	static const char *const lines[] = {
		"cd /var/lib && rm -rf postgresql; echo done",
		"find / -delete | xargs shred ~/.ssh/id_rsa",
		"eval \"$X\"",
	};
	const char *const *names;
	const char *const revision = policy_revision(p);
	if (!revision || strlen(revision) != 64)
		abort();
	size_t n = policy_env_names(p, &names);
	for (size_t i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) >= 0)
			abort();
	for (size_t i = 0; i < sizeof argvs / sizeof argvs[0]; i++) {
		size_t argc = 0;
		while (argvs[i][argc])
			argc++;
		struct policy_request req = {
			.argv = argvs[i],
			.argc = argc,
			.program = argvs[i][0][0] == '/' ? argvs[i][0] : NULL,
			.cwd = i % 2 ? "/srv/app" : "/",
			.uid = i % 2 ? 0 : 1000,
			.user = i % 2 ? "root" : "alice",
			.home = "/root",
			.groups = groups,
			.group_names = group_names,
			.n_groups = 3,
			.host = i % 3 ? "bastion-prod-1" : NULL,
			.env = env,
			.n_env = i % 2 ? 5 : 1,
			.tty = i % 2,
			.ssh = i % 3 == 0,
			/* A Tuesday before Christmas and a Sunday night in summer. */
			.now = i % 2 ? 1797901200 : 1688941800,
		};
		judge(p, &req, NULL);
		if (i < sizeof lines / sizeof lines[0])
			judge(p, &req, lines[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_errors errs = {0};
	struct policy_file *files;
	struct policy *p = NULL;
	size_t n = 0;
	int r = 0;

	if (size > POLICY_FILE_MAX)
		return 0;
	files = calloc(FILES_MAX, sizeof *files);
	if (!files)
		abort();
	for (size_t off = 0; n < FILES_MAX && off <= size; n++) {
		const uint8_t *nul = memchr(data + off, '\0', size - off);
		size_t len = (nul && n + 1 < FILES_MAX ? (size_t)(nul - data) : size) - off;
		if (asprintf(&files[n].path, "/etc/guard/rules.d/%zu0-fuzz.json", n + 1) < 0)
			abort();
		r = policy_worse(
			r, policy_parse_file((const char *)data + off, len, &errs, &files[n]));
		off += len + 1;
	}
	r = policy_worse(r, policy_files_check(files, n, &errs));
	check_errors(&errs, files, n);
	if (r == 0 && errs.n > 0)
		abort();
	if (r < 0) {
		if (r != -ENOMEM && errs.n == 0)
			abort();
		policy_files_free(files, n);
	} else if (policy_new(files, n,
			      "0000000000000000000000000000000000000000000000000000000000000000",
			      &p) == 0) {
		if (policy_n_files(p) != n)
			abort();
		exercise(p);
		policy_free(p);
	}
	policy_errors_clear(&errs);
	return 0;
}
