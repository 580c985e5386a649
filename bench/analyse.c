/* analyse.c: guard-analyse, how long the shell analyser takes on a line of 100 bytes, 1
 * KiB and 64 KiB, and policy_evaluate_line() on the same lines against a policy (the
 * shipped packs by default). The lines are made of what agents and scripts send:
 * pipelines, quotes, sudo and env, sh -c, find -exec, loops, here-documents. Prints
 * numbers; it neither passes nor fails.
 *
 *   guard-analyse [POLICY_DIR]      (default: $GUARD_SOURCE_ROOT/policy/rules.d, else
 *                                    policy/rules.d)
 *
 * Each figure is the median of repeated runs (at least 200, at most 100000, about half a
 * second each), with the number of parts the line became. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard/policy.h"
#include "policy/shell.h"

/* Commands as they come, joined by "; " until a line is long enough. */
static const char *const commands[] = {
	"git log --oneline -20 | grep -v 'Merge' | head -5 > /tmp/log.txt",
	"sudo -u deploy env RAILS_ENV=production nice -n 10 bundle exec rake db:migrate",
	"find . -name '*.log' -mtime +7 -exec rm -f {} \\;",
	"bash -c 'cd /srv/app && tar czf /backup/app-$(date +%F).tgz .'",
	"for f in *.txt; do sed -i \"s/foo/bar/g\" \"$f\"; done",
	"if [ -d build ]; then rm -rf build/*; fi",
	"ssh deploy@web1 \"sudo systemctl restart nginx\"",
	"grep -rn \"TODO\" src/ | awk -F: '{print $1}' | sort -u | xargs -r wc -l",
	"export PATH=\"$HOME/.local/bin:$PATH\"; python3 -m pip install --user -r requirements.txt",
	"docker run --rm -v \"$PWD\":/src -w /src golang:1.22 go test ./...",
};

/* Text a line carries as data: a commit message, a here-document. */
static const char data_line[] =
	"Refactor the request parser so that a message over the limit is refused before it is "
	"parsed; add tests for the short-read and overflow cases (issue 17). ";

/* About 100 bytes, as an agent sends one. */
static const char short_line[] =
	"sudo -u deploy sh -c 'cd /srv/app && git pull --ff-only' | tee -a \"$HOME/deploy.log\"";

/* A line of about size bytes: commands, or for "data" a few commands carrying a long
 * commit message and a here-document. */
static char *make_line(size_t size, bool data)
{
	char *line = malloc(size + 1024);
	size_t n = 0, i = 0;

	if (!line)
		exit(1);
	line[0] = '\0';
	if (size < sizeof(short_line) + 16)
		return strcpy(line, short_line);
	if (data) {
		n += (size_t)sprintf(line, "git commit -m \"");
		while (n < size / 2 - sizeof(data_line))
			n += (size_t)sprintf(line + n, "%s", data_line);
		n += (size_t)sprintf(line + n, "\" && cat > notes.md <<'EOF'\n");
		while (n < size - sizeof(data_line) - 16)
			n += (size_t)sprintf(line + n, "%s\n", data_line);
		n += (size_t)sprintf(line + n, "EOF\n");
		return line;
	}
	while (n < size) {
		const char *c = commands[i++ % (sizeof(commands) / sizeof(commands[0]))];

		if (n + strlen(c) + 2 > size && n > 0)
			break;
		n += (size_t)sprintf(line + n, "%s%s", n ? "; " : "", c);
	}
	return line;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct policy_request request(void)
{
	return (struct policy_request){
		.cwd = "/home/alice/project",
		.home = "/home/alice",
		.uid = 1000,
		.gid = 1000,
		.user = "alice",
		.host = "build1",
		.now = time(NULL),
	};
}

/* Median seconds of one analysis (p NULL) or evaluation of line. */
static double measure(const struct policy *p, const char *line, size_t *ret_parts)
{
	enum { MAX = 100000 };
	static double t[MAX];
	struct policy_request req = request();
	size_t runs = 0;
	double start = now();

	while (runs < MAX && (runs < 200 || now() - start < 0.5)) {
		struct policy_decision d;
		struct policy_parts parts;
		double s = now();

		if (p) {
			if (policy_evaluate_line(p, &req, line, &d) < 0)
				exit(1);
		} else {
			if (policy_shell_line(&req, line, &parts) < 0)
				exit(1);
			if (ret_parts)
				*ret_parts = parts.n;
			policy_parts_done(&parts);
		}
		t[runs++] = now() - s;
	}
	qsort(t, runs, sizeof(t[0]), compare);
	return t[runs / 2];
}

static void row(const struct policy *p, size_t size, bool data)
{
	char *line = make_line(size, data);
	size_t parts = 0;
	double analyse = measure(NULL, line, &parts), evaluate = measure(p, line, NULL);
	size_t len = strlen(line);

	printf("%-6s %-8s %6zu bytes %4zu parts   analyse %9.1f us (%5.1f ns/byte)   "
	       "evaluate_line %9.1f us\n",
	       size > 60000   ? "64 KiB"
	       : size >= 1024 ? "1 KiB"
			      : "100 B",
	       data ? "data" : "commands", len, parts, analyse * 1e6, analyse * 1e9 / (double)len,
	       evaluate * 1e6);
	free(line);
}

int main(int argc, char **argv)
{
	const char *root = getenv("GUARD_SOURCE_ROOT");
	struct policy_errors errs = {0};
	char dir[4096];
	struct policy *p;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/policy/rules.d", root ? root : ".");
	if (policy_load_dir(dir, &errs, &p) < 0) {
		fprintf(stderr, "guard-analyse: %s: %s\n", dir,
			errs.n ? errs.lines[0] : "cannot load");
		return 1;
	}
	printf("policy %s: %zu rules\n", dir, policy_n_rules(p));
	row(p, 100, false);
	row(p, 1024, false);
	row(p, 1024, true);
	row(p, POLICY_LINE_MAX - 64, false);
	row(p, POLICY_LINE_MAX - 64, true);
	policy_free(p);
	policy_errors_clear(&errs);
	return 0;
}
