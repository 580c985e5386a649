/* ctl-report.c: guardctl report: a blameless summary of the decision log for a team's
 * review: per rule, what it stopped, what it would have stopped in dry-run, the
 * human steps it asked for and the reasons given; break-glass uses; what was not
 * understood; the commands most often stopped. It counts what happened, never who:
 * no user name or uid is read into it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "exit.h"
#include "guard/protocol.h"
#include "logfile.h"
#include "logfilter.h"
#include "logshow.h"

/* Bounds on what a log can make the report hold. */
#define MAX_RULES       10000
#define MAX_REASONS     1000 /* distinct, per rule */
#define MAX_COMMANDS    10000
#define TOP_COMMANDS    10
#define REASONS_IN_TEXT 12
#define OTHER_REASONS   "(other reasons)"
#define OTHER_COMMANDS  "(others)"
#define OTHER_RULES     "(other rules)"
#define NO_RULE         "(default)"
#define NOT_UNDERSTOOD  "(not understood)"

struct report {
	struct logfilter filter;
	uint64_t records, decisions, checks, completions, recoveries, break_glass, unknown, other,
		bad;
	uint64_t approvals[5]; /* the events of approval records, as approval_events */
	char first_ts[64], last_ts[64];
	json_t *rules;    /* id -> counters */
	json_t *commands; /* "git push" -> times stopped */
	int failed;
};

void ctl_report_usage(FILE *f)
{
	fprintf(f,
		"  (no FILE: the log guardd names, else %s,\n"
		"   with its rotated files)\n"
		"      --since T         records at or after T (2026-11-25T12:00:00Z,\n"
		"                        2026-11-25, 30m, 1h, 7d)\n"
		"      --until T         records before T\n"
		"      --json            the summary as JSON\n",
		GUARD_DEFAULT_AUDIT_LOG);
}

/* Adds 1 to o[key] (a counter), creating it; false when out of memory. */
static bool bump(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (v)
		return json_integer_set(v, json_integer_value(v) + 1) == 0;
	return json_object_set_new(o, key, json_integer(1)) == 0;
}

static const char *const counters[] = {
	"stopped",       "dry_run",           "confirm_asked",
	"confirmed",     "confirm_wrong",     "reason_asked",
	"reason_given",  "reason_rejected",   "approve_asked",
	"approved",      "approval_rejected", "approval_expired",
	"approval_used", "break_glass",       NULL,
};

/* An approval record's event, and the rule counter it bumps (NULL: the request,
 * already counted as approve_asked by its decision record). */
static const char *const approval_events[][2] = {
	{"request", NULL},
	{"approve", "approved"},
	{"reject", "approval_rejected"},
	{"expire", "approval_expired"},
	{"use", "approval_used"},
};

/* The counters of a rule, made on first use; past MAX_RULES rules, the rest share
 * one. NULL when out of memory. */
static json_t *rule(struct report *rp, const char *id)
{
	json_t *r = json_object_get(rp->rules, id);
	if (r)
		return r;
	if (json_object_size(rp->rules) >= MAX_RULES) {
		id = OTHER_RULES;
		if ((r = json_object_get(rp->rules, id)))
			return r;
	}
	r = json_object();
	for (int i = 0; r && counters[i]; i++)
		json_object_set_new(r, counters[i], json_integer(0));
	json_object_set_new(r, "dry_run_decisions", json_object());
	json_object_set_new(r, "reasons", json_object());
	if (!r || json_object_set_new(rp->rules, id, r) < 0) {
		rp->failed = EXIT_DENIED;
		return NULL;
	}
	return r;
}

/* A string member, decoded into buf (cut if longer); NULL if absent or not a string. */
static const char *str(struct logrec_span v, char *buf, size_t cap)
{
	return logrec_string(v, buf, cap) >= 0 ? buf : NULL;
}

static bool word_like(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 40 && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* "git push", "rm": the program's base name and its first word when that reads like
 * a subcommand (not an option, not a path). */
static void command_key(const struct logrec *r, char *buf, size_t cap)
{
	char w0[256] = "", w1[64] = "";
	size_t pos = 0;
	struct logrec_span a;
	if (logrec_array_next(r->f[LOGREC_ARGV], &pos, &a) == 1) {
		str(a, w0, sizeof w0);
		if (logrec_array_next(r->f[LOGREC_ARGV], &pos, &a) == 1)
			str(a, w1, sizeof w1);
	} else {
		char line[512];
		struct logrec_span l = r->f[LOGREC_PART].p ? r->f[LOGREC_PART] : r->f[LOGREC_LINE];
		if (str(l, line, sizeof line)) {
			char *save = NULL, *t0 = strtok_r(line, " \t\n", &save);
			char *t1 = t0 ? strtok_r(NULL, " \t\n", &save) : NULL;
			snprintf(w0, sizeof w0, "%s", t0 ? t0 : "");
			snprintf(w1, sizeof w1, "%s", t1 ? t1 : "");
		}
	}
	if (!w0[0])
		snprintf(buf, cap, "?");
	else if (word_like(w1))
		snprintf(buf, cap, "%.100s %s", base_name(w0), w1);
	else
		snprintf(buf, cap, "%.100s", base_name(w0));
}

static void count_dry_run(struct report *rp, struct logrec_span list)
{
	size_t pos = 0;
	struct logrec_span e;
	while (logrec_array_next(list, &pos, &e) == 1) {
		size_t mpos = 0;
		struct logrec_span k, v;
		char id[256] = "", d[32] = "";
		while (logrec_object_next(e, &mpos, &k, &v) == 1) {
			if (logrec_string_eq(k, "rule"))
				str(v, id, sizeof id);
			else if (logrec_string_eq(k, "decision"))
				str(v, d, sizeof d);
		}
		json_t *r = id[0] && strcmp(d, "allow") != 0 ? rule(rp, id) : NULL;
		if (r && (!bump(r, "dry_run") ||
			  !bump(json_object_get(r, "dry_run_decisions"), d[0] ? d : "?")))
			rp->failed = EXIT_DENIED;
	}
}

static void count_reason(struct report *rp, json_t *r, const struct logrec *rec)
{
	char text[512];
	json_t *reasons = json_object_get(r, "reasons");
	if (!str(rec->f[LOGREC_REASON], text, sizeof text))
		return;
	if (!json_object_get(reasons, text) && json_object_size(reasons) >= MAX_REASONS)
		snprintf(text, sizeof text, "%s", OTHER_REASONS);
	if (!bump(reasons, text))
		rp->failed = EXIT_DENIED;
}

static void count_stopped(struct report *rp, const struct logrec *rec)
{
	char key[256];
	command_key(rec, key, sizeof key);
	if (!json_object_get(rp->commands, key) && json_object_size(rp->commands) >= MAX_COMMANDS)
		snprintf(key, sizeof key, "%s", OTHER_COMMANDS);
	if (!bump(rp->commands, key))
		rp->failed = EXIT_DENIED;
}

/* Adds 1 to a counter of a rule, and to its reasons when one was given. */
static void bump_rule(struct report *rp, const char *bucket, const char *what,
		      const struct logrec *reason_of)
{
	json_t *r = rule(rp, bucket);
	if (!r)
		return;
	if (!bump(r, what))
		rp->failed = EXIT_DENIED;
	if (reason_of)
		count_reason(rp, r, reason_of);
}

/* What the rule did, as the counter it goes to (NULL: nothing to count). */
static const char *verdict(const char *d, bool answered)
{
	if (strcmp(d, "deny") == 0)
		return "stopped";
	if (!answered && strcmp(d, "confirm") == 0)
		return "confirm_asked";
	if (!answered && strcmp(d, "reason") == 0)
		return "reason_asked";
	if (strcmp(d, "approve") == 0)
		return "approve_asked";
	return NULL;
}

/* A decision that is not a --check: what its rule did, and the answer given. */
static void count_decision(struct report *rp, const struct logrec *rec)
{
	const struct logrec_span *f = rec->f;
	char id[256], d[32] = "", step[32] = "";
	bool unknown = f[LOGREC_UNKNOWN].p && !logrec_is_null(f[LOGREC_UNKNOWN]);
	const char *bucket = str(f[LOGREC_RULE], id, sizeof id);
	if (!bucket)
		bucket = unknown ? NOT_UNDERSTOOD : NO_RULE;
	rp->unknown += unknown;
	count_dry_run(rp, f[LOGREC_DRY_RUN]);
	str(f[LOGREC_DECISION], d, sizeof d);
	str(f[LOGREC_STEP], step, sizeof step);
	bool answered = f[LOGREC_ANSWER_OK].p != NULL, ok = logrec_is_true(f[LOGREC_ANSWER_OK]);
	const char *what = verdict(d, answered);
	if (what) {
		bump_rule(rp, bucket, what, NULL);
		if (strcmp(what, "stopped") == 0)
			count_stopped(rp, rec);
	}
	if (answered && strcmp(step, "confirm") == 0)
		bump_rule(rp, bucket, ok ? "confirmed" : "confirm_wrong", NULL);
	else if (answered && strcmp(step, "reason") == 0)
		bump_rule(rp, bucket, ok ? "reason_given" : "reason_rejected", ok ? rec : NULL);
}

static void count_break_glass(struct report *rp, const struct logrec *rec)
{
	char id[256];
	rp->break_glass++;
	bump_rule(rp, str(rec->f[LOGREC_RULE], id, sizeof id) ? id : NO_RULE, "break_glass", rec);
}

/* The steps of the two-person rule: approved, rejected, expired, used, by rule. */
static void count_approval(struct report *rp, const struct logrec *rec)
{
	char id[256], event[32];
	if (!str(rec->f[LOGREC_EVENT], event, sizeof event))
		return;
	for (size_t i = 0; i < sizeof approval_events / sizeof approval_events[0]; i++)
		if (strcmp(event, approval_events[i][0]) == 0) {
			rp->approvals[i]++;
			if (approval_events[i][1])
				bump_rule(rp,
					  str(rec->f[LOGREC_RULE], id, sizeof id) ? id : NO_RULE,
					  approval_events[i][1], NULL);
			return;
		}
}

static void note_time(struct report *rp, struct logrec_span ts)
{
	char t[64];
	if (!str(ts, t, sizeof t))
		return;
	if (!rp->first_ts[0] || strcmp(t, rp->first_ts) < 0)
		snprintf(rp->first_ts, sizeof rp->first_ts, "%s", t);
	if (strcmp(t, rp->last_ts) > 0)
		snprintf(rp->last_ts, sizeof rp->last_ts, "%s", t);
}

static void count(struct report *rp, const char *line, size_t n)
{
	struct logrec rec;
	if (!logfilter_maybe(&rp->filter, line, n))
		return;
	if (logrec_parse(line, n, &rec, NULL) < 0) {
		rp->bad++;
		return;
	}
	if (!logfilter_match(&rp->filter, &rec))
		return;
	rp->records++;
	note_time(rp, rec.f[LOGREC_TS]);
	struct logrec_span type = rec.f[LOGREC_TYPE];
	if (logrec_string_eq(type, "completion"))
		rp->completions++;
	else if (logrec_string_eq(type, "recovery"))
		rp->recoveries++;
	else if (logrec_string_eq(type, "break-glass"))
		count_break_glass(rp, &rec);
	else if (logrec_string_eq(type, "approval"))
		count_approval(rp, &rec);
	else if (!logrec_string_eq(type, "decision"))
		rp->other++;
	else {
		rp->decisions++;
		if (logrec_is_true(rec.f[LOGREC_CHECK]))
			rp->checks++;
		else
			count_decision(rp, &rec);
	}
}

static int read_file(struct report *rp, const char *path)
{
	struct logfile *f;
	int r = logfile_open(path, &f);
	if (r < 0) {
		fprintf(stderr, "guardctl: %s: %s\n", path, strerror(-r));
		return EXIT_DENIED;
	}
	const char *line;
	size_t n;
	while ((r = logfile_next(f, &line, &n)) != 0) {
		if (r == -E2BIG) {
			rp->bad++;
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "guardctl: %s: %s\n", path, strerror(-r));
			break;
		}
		count(rp, line, n);
	}
	logfile_free(f);
	return r < 0 ? EXIT_DENIED : 0;
}

/* ---- output ------------------------------------------------------------------ */

struct entry {
	const char *key;
	long long n;
	json_t *v;
};

static int by_count(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* The members of o sorted by a count (the value itself, or what weight says). */
static struct entry *sorted(json_t *o, long long (*weight)(json_t *), size_t *ret_n)
{
	size_t n = json_object_size(o), i = 0;
	struct entry *e = calloc(n ? n : 1, sizeof *e);
	const char *key;
	json_t *v;
	if (!e)
		return NULL;
	json_object_foreach(o, key, v) e[i++] =
		(struct entry){key, weight ? weight(v) : (long long)json_integer_value(v), v};
	qsort(e, n, sizeof *e, by_count);
	*ret_n = n;
	return e;
}

static long long activity(json_t *r)
{
	long long n = 0;
	for (int i = 0; counters[i]; i++)
		n += num(r, counters[i]);
	return n;
}

static void put_escaped(const char *s)
{
	struct logshow_buf b = {0};
	logshow_escape(&b, s, strlen(s));
	fputs(b.p ? b.p : "", stdout);
	free(b.p);
}

static void print_rules(struct entry *e, size_t n)
{
	printf("\n%-24s %7s %7s %11s %11s %17s %6s\n", "", "", "", "CONFIRM", "REASON", "APPROVE",
	       "BREAK-");
	printf("%-24s %7s %7s %5s %5s %5s %5s %5s %5s %5s %6s\n", "RULE", "STOPPED", "DRY-RUN",
	       "ASKED", "OK", "ASKED", "GIVEN", "ASKED", "GIVEN", "USED", "GLASS");
	for (size_t i = 0; i < n; i++) {
		json_t *r = e[i].v;
		put_escaped(e[i].key);
		for (size_t w = strlen(e[i].key); w < 24; w++)
			putchar(' ');
		printf(" %7lld %7lld %5lld %5lld %5lld %5lld %5lld %5lld %5lld %6lld\n",
		       num(r, "stopped"), num(r, "dry_run"), num(r, "confirm_asked"),
		       num(r, "confirmed"), num(r, "reason_asked"), num(r, "reason_given"),
		       num(r, "approve_asked"), num(r, "approved"), num(r, "approval_used"),
		       num(r, "break_glass"));
	}
	if (n == 0)
		printf("(no rule stopped or asked for anything)\n");
}

static void print_reasons(struct entry *e, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		size_t m;
		struct entry *rs = sorted(json_object_get(e[i].v, "reasons"), NULL, &m);
		if (rs && m > 0) {
			printf(any ? "" : "\nReasons given:\n");
			any = true;
			printf("  ");
			put_escaped(e[i].key);
			printf(":");
			for (size_t k = 0; k < m && k < REASONS_IN_TEXT; k++) {
				printf(k ? ", " : " ");
				put_escaped(rs[k].key);
				printf(" (%lld)", rs[k].n);
			}
			if (m > REASONS_IN_TEXT)
				printf(", and %zu more", m - REASONS_IN_TEXT);
			printf("\n");
		}
		free(rs);
	}
}

static void print_text(const struct report *rp)
{
	size_t n_rules = 0, n_cmds = 0;
	struct entry *rules = sorted(rp->rules, activity, &n_rules);
	struct entry *cmds = sorted(rp->commands, NULL, &n_cmds);
	if (rp->records)
		printf("Decision log, %.10s %.8s to %.10s %.8s (UTC)\n", rp->first_ts,
		       rp->first_ts + 11, rp->last_ts, rp->last_ts + 11);
	else
		printf("Decision log: no records in the range\n");
	printf("%" PRIu64 " records: %" PRIu64 " decisions (%" PRIu64
	       " of them --check queries, not counted below),\n%" PRIu64 " completions, %" PRIu64
	       " recover%s from a torn line, %" PRIu64 " break-glass use%s\n",
	       rp->records, rp->decisions, rp->checks, rp->completions, rp->recoveries,
	       rp->recoveries == 1 ? "y" : "ies", rp->break_glass, rp->break_glass == 1 ? "" : "s");
	if (rules)
		print_rules(rules, n_rules);
	printf("(ASKED: a question put, before its answer; OK, GIVEN: answers accepted; a\n"
	       "wrong answer is a deny and counts as STOPPED. APPROVE GIVEN: approvals by a\n"
	       "second person, USED: approvals spent on their command. DRY-RUN: the rule,\n"
	       "watched in dry-run, would have stopped or asked.)\n");
	const uint64_t *a = rp->approvals;
	printf("\nApproval requests: %" PRIu64 " made, %" PRIu64 " approved, %" PRIu64
	       " rejected or withdrawn, %" PRIu64 " expired, %" PRIu64 " used\n",
	       a[0], a[1], a[2], a[3], a[4]);
	if (rules)
		print_reasons(rules, n_rules);
	printf("\nNot understood: %" PRIu64 " decision%s had a part guard could not understand\n",
	       rp->unknown, rp->unknown == 1 ? "" : "s");
	printf("\nCommands most often stopped:\n");
	for (size_t i = 0; cmds && i < n_cmds && i < TOP_COMMANDS; i++) {
		printf("  %8lld  ", cmds[i].n);
		put_escaped(cmds[i].key);
		printf("\n");
	}
	if (n_cmds == 0)
		printf("  (none)\n");
	free(rules);
	free(cmds);
}

static json_t *top_commands(const struct report *rp)
{
	size_t n = 0;
	struct entry *e = sorted(rp->commands, NULL, &n);
	json_t *a = json_array();
	for (size_t i = 0; e && i < n && i < TOP_COMMANDS; i++)
		json_array_append_new(a, json_pack("{s:s,s:I}", "command", e[i].key, "stopped",
						   (json_int_t)e[i].n));
	free(e);
	return a;
}

static void print_json(const struct report *rp)
{
	const struct logfilter *f = &rp->filter;
	const uint64_t *a = rp->approvals;
	json_t *approvals = json_pack("{s:I,s:I,s:I,s:I,s:I}", "requested", (json_int_t)a[0],
				      "approved", (json_int_t)a[1], "rejected", (json_int_t)a[2],
				      "expired", (json_int_t)a[3], "used", (json_int_t)a[4]);
	json_t *j = json_pack(
		"{s:s?,s:s?,s:s?,s:s?,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:O,s:o}", "since",
		f->has_since ? f->since_ts : NULL, "until", f->has_until ? f->until_ts : NULL,
		"first_ts", rp->first_ts[0] ? rp->first_ts : NULL, "last_ts",
		rp->last_ts[0] ? rp->last_ts : NULL, "records", (json_int_t)rp->records,
		"decisions", (json_int_t)rp->decisions, "checks", (json_int_t)rp->checks,
		"completions", (json_int_t)rp->completions, "recoveries",
		(json_int_t)rp->recoveries, "break_glass", (json_int_t)rp->break_glass,
		"not_understood", (json_int_t)rp->unknown, "approvals", approvals, "rules",
		rp->rules, "top_stopped", top_commands(rp));
	ctl_print_json(j);
}

static int parse(struct ctl *o, int argc, char **argv, struct report *rp)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTIONS,
		{"since", required_argument, NULL, 1},
		{"until", required_argument, NULL, 2},
		{0},
	};
	int c, r;
	while ((c = getopt_long(argc, argv, CTL_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 1) {
			rp->filter.has_since = true;
			r = ctl_log_parse_time("--since", optarg, &rp->filter.since);
		} else if (c == 2) {
			rp->filter.has_until = true;
			r = ctl_log_parse_time("--until", optarg, &rp->filter.until);
		} else
			r = ctl_common_option(o, c) ? 0 : EXIT_USAGE;
		if (r)
			return r;
	}
	if (o->help) {
		ctl_command_usage(o);
		return -1;
	}
	return logfilter_prepare(&rp->filter) < 0 ? EXIT_DENIED : 0;
}

int ctl_report(struct ctl *o, int argc, char **argv)
{
	struct report rp = {.rules = json_object(), .commands = json_object()};
	logfilter_init(&rp.filter);
	struct ctl_log_files files = {0};
	int r = rp.rules && rp.commands ? parse(o, argc, argv, &rp) : EXIT_DENIED;
	if (r == 0)
		r = ctl_log_files(o, argc - optind, argv + optind, &files);
	for (size_t i = 0; r == 0 && files.paths && files.paths[i]; i++)
		r = read_file(&rp, files.paths[i]);
	if (r == 0 && rp.failed)
		fprintf(stderr, "guardctl: out of memory\n");
	if (r == 0 && !rp.failed) {
		if (rp.bad)
			fprintf(stderr,
				"guardctl: note: %" PRIu64 " line%s not decision records "
				"('guardctl log verify' says more)\n",
				rp.bad, rp.bad == 1 ? " is" : "s are");
		if (o->json)
			print_json(&rp);
		else
			print_text(&rp);
	}
	ctl_log_files_free(&files);
	logfilter_done(&rp.filter);
	json_decref(rp.rules);
	json_decref(rp.commands);
	if (r < 0) /* --help */
		return 0;
	return r ? r : rp.failed;
}
