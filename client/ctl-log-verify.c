/* ctl-log-verify.c: guardctl log verify: the hash chain and seq of the decision log,
 * through all its files in order, up to the first problem. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "exit.h"
#include "logchain.h"
#include "logfile.h"

/* The result of a check, for the text and --json outputs. */
struct verdict {
	bool problem;
	struct logchain_problem pr;
	const char *first_file;
};

static int report(const struct ctl *o, const struct logchain *c, const struct verdict *v)
{
	if (o->json) {
		json_t *j;
		if (v->problem)
			j = json_pack("{s:b,s:s,s:I,s:s}", "ok", 0, "file", v->pr.pos.file, "line",
				      (json_int_t)v->pr.pos.line, "problem", v->pr.text);
		else
			j = json_pack("{s:b,s:I,s:o,s:o,s:o,s:o}", "ok", 1, "records",
				      (json_int_t)c->n, "first_seq",
				      c->n ? json_integer((json_int_t)c->first_seq) : json_null(),
				      "last_seq",
				      c->n ? json_integer((json_int_t)c->last.seq) : json_null(),
				      "last_hash", c->n ? json_string(c->last.hash) : json_null(),
				      "starts_after",
				      c->after_earlier ? json_integer((json_int_t)c->first_seq - 1)
						       : json_null());
		ctl_print_json(j);
		return v->problem ? EXIT_DENIED : 0;
	}
	if (v->problem) {
		printf("%s:%" PRIu64 ": %s\n", v->pr.pos.file, v->pr.pos.line, v->pr.text);
		return EXIT_DENIED;
	}
	if (c->after_earlier)
		printf("%s: starts after seq %" PRIu64 " of an earlier file (not checked)\n",
		       v->first_file, c->first_seq - 1);
	if (c->n == 0)
		printf("OK: 0 records\n");
	else
		printf("OK: %" PRIu64 " record%s, seq %" PRIu64 "..%" PRIu64 ", last hash %s\n",
		       c->n, c->n == 1 ? "" : "s", c->first_seq, c->last.seq, c->last.hash);
	return 0;
}

/* Feeds one file's lines to the check. Returns 0 to go on, 1 when a problem was
 * found (in v), or -1 after saying why the file could not be checked. */
static int check_file(const char *path, struct logchain *c, struct verdict *v)
{
	struct logfile *f;
	int r = logfile_open(path, &f);
	if (r < 0) {
		fprintf(stderr, "guardctl: %s: %s\n", path, strerror(-r));
		return -1;
	}
	const char *line;
	size_t n;
	bool first = !c->started;
	while ((r = logfile_next(f, &line, &n)) != 0) {
		struct logchain_pos pos = {path, f->line_no};
		if (r == -E2BIG)
			r = logchain_bad_line(
				c, pos, "is longer than 4 MiB: not a record guardd wrote", &v->pr);
		else if (r < 0) {
			fprintf(stderr, "guardctl: %s: %s\n", path, strerror(-r));
			logfile_free(f);
			return -1;
		} else
			r = logchain_feed(c, pos, line, n, &v->pr);
		if (first && c->started)
			v->first_file = path, first = false;
		if (r != 0)
			break;
	}
	if (r == 0 && logfile_pending(f) > 0) {
		char why[128];
		snprintf(why, sizeof why,
			 "is incomplete: %zu bytes without a newline at the end (a torn write)",
			 logfile_pending(f));
		r = logchain_bad_line(c, (struct logchain_pos){path, f->line_no + 1}, why, &v->pr);
	}
	logfile_free(f);
	if (r < 0) {
		fprintf(stderr, "guardctl: cannot hash a line: %s\n", strerror(-r));
		return -1;
	}
	v->problem = r == 1;
	return r;
}

/* Records cut off the end are invisible to the chain; guardd's own count shows them. */
static void check_daemon_seq(const struct ctl_log_files *files, const struct logchain *c,
			     struct verdict *v, const char *last_file)
{
	if (!files->live || !files->daemon_seq || (c->n && c->last.seq >= files->daemon_seq))
		return;
	uint64_t have = c->n ? c->last.seq : 0;
	v->problem = true;
	v->pr.pos = (struct logchain_pos){last_file, c->n ? c->last.pos.line + 1 : 1};
	snprintf(v->pr.text, sizeof v->pr.text,
		 "%" PRIu64 " record%s missing at the end (guardd has written up to seq %" PRIu64
		 ", the log ends at seq %" PRIu64 ")",
		 files->daemon_seq - have, files->daemon_seq - have == 1 ? "" : "s",
		 files->daemon_seq, have);
}

int ctl_log_verify(struct ctl *o, int argc, char **argv)
{
	int r = ctl_common_args(o, argc, argv);
	if (r != 0)
		return r < 0 ? 0 : r; /* -1: --help was shown */
	struct ctl_log_files files;
	r = ctl_log_files(o, argc - optind, argv + optind, &files);
	if (r != 0)
		return r;
	struct logchain chain;
	struct verdict v = {0};
	logchain_init(&chain);
	size_t n = ctl_log_n_files(&files);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = check_file(files.paths[i], &chain, &v);
	if (r == 0 && logchain_end(&chain, &v.pr) == 1) {
		v.problem = true;
		r = 1;
	}
	if (r == 0 && n > 0)
		check_daemon_seq(&files, &chain, &v, files.paths[n - 1]);
	r = r < 0 ? EXIT_DENIED : report(o, &chain, &v);
	ctl_log_files_free(&files);
	return r;
}
