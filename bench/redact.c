/* redact.c: guard-redact-bench, how long redaction takes on what guardd logs: a line of
 * about 100 bytes and one of 64 KiB (commands with secrets in them, plain commands, the
 * worst pieces for the scanners), an argv request, and the same with site patterns. Each
 * figure is the median of repeated runs (at least 50, about a quarter of a second each).
 * Prints numbers; it neither passes nor fails. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redact.h"

/* Commands as they come, a few with secrets. */
static const char *const commands[] = {
	"mysql -u root -pS3cr3t -h db.internal -e 'show databases'",
	"git log --oneline -20 | grep -v 'Merge' | head -5 > /tmp/log.txt",
	"PGPASSWORD=hunter2 pg_dump -h db app | gzip > /backup/app.sql.gz",
	("curl -sS -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln' "
	 "https://api.example.com/v1/items?page=2"),
	"find . -name '*.log' -mtime +7 -exec rm -f {} \\;",
	"git clone https://bob:ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/org/repo.git",
	"docker run --rm -e MYSQL_ROOT_PASSWORD=pw -p 3306:3306 mysql:8",
	"ssh deploy@web1 \"sudo systemctl restart nginx\"",
	"kubectl create secret generic db --from-literal=password=kpw -n prod",
	"for f in *.txt; do sed -i \"s/foo/bar/g\" \"$f\"; done",
};

/* About 100 bytes, as an agent sends one. */
static const char short_line[] =
	"sudo -u deploy sh -c 'cd /srv/app && PGPASSWORD=pw psql -c \"select 1\"' | tee -a log";

static char *make_line(size_t size)
{
	char *line = malloc(size + 1024);
	size_t n = 0, i = 0;

	if (!line)
		exit(1);
	while (n < size) {
		const char *c = commands[i++ % (sizeof commands / sizeof commands[0])];
		if (n + strlen(c) + 2 > size && n > 0)
			break;
		n += (size_t)sprintf(line + n, "%s%s", n ? "; " : "", c);
	}
	return line;
}

static char *repeat(const char *unit, size_t size)
{
	size_t u = strlen(unit), k = size / u;
	char *s = malloc(k * u + 1);
	if (!s)
		exit(1);
	for (size_t i = 0; i < k; i++)
		memcpy(s + i * u, unit, u);
	s[k * u] = '\0';
	return s;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One redaction of line (or of its words, when argv is set). */
static void once(const struct redact *r, const char *line, char **words, size_t n)
{
	bool changed;
	if (words) {
		char **out;
		if (redact_argv(r, (const char *const *)words, n, &out, &changed) < 0)
			exit(1);
		redact_free_argv(out);
	} else {
		char *out;
		if (redact_line(r, line, &out, &changed) < 0)
			exit(1);
		free(out);
	}
}

/* The median time of one redaction, in microseconds. */
static double median_us(const struct redact *r, const char *line, char **words, size_t n)
{
	enum { MAX_RUNS = 100000 };
	static double t[MAX_RUNS];
	size_t runs = 0;
	double start = now();

	while (runs < MAX_RUNS && (runs < 50 || now() - start < 0.25)) {
		double a = now();
		once(r, line, words, n);
		t[runs++] = now() - a;
	}
	qsort(t, runs, sizeof t[0], cmp);
	return t[runs / 2] * 1e6;
}

/* The words of a line cut at blanks (for the argv figures). */
static size_t split(char *s, char **v, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(s, " ", &save); w && n < max;
	     w = strtok_r(NULL, " ", &save))
		v[n++] = w;
	return n;
}

static void row(const char *what, const struct redact *r, const char *line, bool argv)
{
	static char *words[1 << 16];
	char *copy = NULL;
	size_t n = 0;

	if (argv) {
		copy = strdup(line);
		n = split(copy, words, sizeof words / sizeof words[0]);
	}
	double us = median_us(r, line, argv ? words : NULL, n);
	printf("%-44s %7zu B %12.1f us %9.1f MB/s\n", what, strlen(line), us,
	       (double)strlen(line) / us);
	free(copy);
}

int main(void)
{
	static const char *const site[] = {"corp_[0-9a-f]{16}", "--vault-key[= ]([^ ]+)"};
	static const char *const slow_site[] = {"a[^x]*x"};
	struct redact *none = NULL, *two = NULL, *slow = NULL;
	char err[256];
	char *big = make_line(64 << 10),
	     *plain = repeat("ls -la /srv/app/releases | wc -l; ", 64 << 10);

	if (redact_new(NULL, 0, &none, err, sizeof err) < 0 ||
	    redact_new(site, 2, &two, err, sizeof err) < 0 ||
	    redact_new(slow_site, 1, &slow, err, sizeof err) < 0) {
		fprintf(stderr, "guard-redact-bench: %s\n", err);
		return 1;
	}
	printf("%-44s %9s %15s %14s\n", "input", "size", "median", "throughput");
	row("line, 100 B", none, short_line, false);
	row("line, 64 KiB of commands with secrets", none, big, false);
	row("line, 64 KiB of plain commands", none, plain, false);
	row("argv, 100 B", none, short_line, true);
	row("argv, 64 KiB", none, big, true);
	row("line, 100 B, 2 site patterns", two, short_line, false);
	row("line, 64 KiB, 2 site patterns", two, big, false);

	static const char *const worst[] = {
		"key=",
		"glpat-",
		"://u:p",
		"eyJaaaaaaaaaaaa.",
		"Token: $x ",
		"'",
		"mysql -pX ",
		"sh -c '",
		"-----BEGIN PRIVATE KEY-----",
	};
	for (size_t i = 0; i < sizeof worst / sizeof worst[0]; i++) {
		char what[64], *s = repeat(worst[i], 64 << 10);
		snprintf(what, sizeof what, "line, 64 KiB of \"%s\"", worst[i]);
		row(what, none, s, false);
		free(s);
	}
	/* A site pattern regexec has to try from every position (glibc is not linear). */
	for (size_t size = 4 << 10; size <= 64 << 10; size *= 4) {
		char what[64], *s = repeat("a", size);
		snprintf(what, sizeof what, "line, %zu KiB of \"a\", site a[^x]*x", size >> 10);
		row(what, slow, s, false);
		free(s);
	}
	free(big);
	free(plain);
	redact_free(none);
	redact_free(two);
	redact_free(slow);
	return 0;
}
