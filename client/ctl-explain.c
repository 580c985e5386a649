/* ctl-explain.c: guardctl explain: what the policy would decide for a command,
 * and why, rule by rule: offline against a policy directory (--policy), or
 * against the running guardd (its loaded policy, its host). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "ctl.h"
#include "env.h"
#include "exit.h"
#include "guard/protocol.h"
#include "resolve.h"

struct explain_opts {
	const char *policy, *user, *host, *time, *cwd;
	int tty, ssh; /* -1: as this process is; 0 or 1: forced */
	const char *env[64];
	size_t n_env;
};

static void usage(void)
{
	fprintf(stderr,
		"Usage: guardctl explain [OPTIONS] [--] COMMAND [ARG...]\n"
		"  -p, --policy DIR      explain offline against DIR (default: ask guardd)\n"
		"  -u, --user USER       as USER (name or uid) instead of yourself\n"
		"  -H, --host HOST       as on HOST\n"
		"  -t, --time TIME       at TIME (2026-12-24T10:00:00+01:00, @SECONDS, ...)\n"
		"  -C, --cwd DIR         from DIR\n"
		"  -e, --env NAME=VALUE  with this variable set (repeatable; NAME= unsets)\n"
		"      --tty, --no-tty   with or without a terminal\n"
		"      --ssh, --no-ssh   in an ssh session or not\n"
		"      --json            the explanation as JSON\n");
}

static int parse(struct ctl *o, int argc, char **argv, struct explain_opts *e)
{
	enum { TTY = 1, NO_TTY, SSH, NO_SSH };
	static const struct option opts[] = {
		CTL_COMMON_OPTIONS,
		{"policy", required_argument, NULL, 'p'},
		{"user", required_argument, NULL, 'u'},
		{"host", required_argument, NULL, 'H'},
		{"time", required_argument, NULL, 't'},
		{"cwd", required_argument, NULL, 'C'},
		{"env", required_argument, NULL, 'e'},
		{"tty", no_argument, NULL, TTY},
		{"no-tty", no_argument, NULL, NO_TTY},
		{"ssh", no_argument, NULL, SSH},
		{"no-ssh", no_argument, NULL, NO_SSH},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	*e = (struct explain_opts){.tty = -1, .ssh = -1};
	/* '+': the command's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+p:u:H:t:C:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			e->policy = optarg;
			break;
		case 'u':
			e->user = optarg;
			break;
		case 'H':
			e->host = optarg;
			break;
		case 't':
			e->time = optarg;
			break;
		case 'C':
			e->cwd = optarg;
			break;
		case TTY:
		case NO_TTY:
			e->tty = c == TTY;
			break;
		case SSH:
		case NO_SSH:
			e->ssh = c == SSH;
			break;
		case 'e':
			if (!strchr(optarg, '=') || e->n_env == sizeof e->env / sizeof e->env[0])
				return EXIT_USAGE;
			e->env[e->n_env++] = optarg;
			break;
		case 'h':
			usage();
			return EXIT_USAGE;
		default:
			if (!ctl_common_option(o, c))
				return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "guardctl: explain needs a command\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* Applies --env, --tty, --ssh, --cwd, --host, --time, --user to c. */
static int override(struct context *c, const struct explain_opts *e)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < e->n_env; i++) {
		const char *eq = strchr(e->env[i], '=');
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(eq - e->env[i]), e->env[i]);
		r = context_set_env(c, name, eq[1] ? eq + 1 : NULL);
	}
	if (e->tty >= 0)
		c->tty = e->tty;
	if (e->ssh >= 0)
		c->ssh = e->ssh;
	if (r == 0 && e->cwd)
		r = e->cwd[0] == '/' ? context_set_string(&c->cwd, e->cwd) : -EINVAL;
	if (r == 0 && e->host)
		r = context_set_string(&c->host, e->host);
	if (r == 0 && e->time)
		r = context_parse_time(e->time, &c->now);
	if (r == 0 && e->user)
		r = context_set_user(c, e->user);
	return r;
}

static void add_trace(void *userdata, const struct policy_trace *t)
{
	json_array_append_new(userdata,
			      json_pack("{s:s,s:s,s:I,s:b,s:b,s:s,s:s?,s:s?}", "rule", t->rule_id,
					"file", t->file, "index", (json_int_t)t->index, "matched",
					t->matched, "dry_run", t->dry_run, "decision",
					policy_verdict_to_string(t->verdict), "failed", t->failed,
					"why", t->why));
}

/* The same shape as guardd's Explain reply, so both print alike. */
static json_t *offline(const struct context *c, const struct policy *p, char **argv, int argc)
{
	struct policy_request req;
	struct policy_decision d;
	json_t *trace = json_array();
	context_request(c, (const char *const *)argv, (size_t)argc, &req);
	if (!trace || policy_explain(p, &req, add_trace, trace, &d) < 0) {
		json_decref(trace);
		return NULL;
	}
	json_t *dec =
		json_pack("{s:s,s:s?,s:s,s:s?}", "decision", policy_verdict_to_string(d.verdict),
			  "rule", d.rule_id, "message", d.message, "runbook", d.runbook);
	if (dec && d.verdict == POLICY_CONFIRM)
		json_object_set_new(dec, "phrase", json_string(d.phrase));
	if (dec && d.verdict == POLICY_REASON)
		json_object_set_new(dec, "reason_pattern", json_string(d.reason_pattern));
	return json_pack("{s:o,s:o,s:{s:I,s:s?,s:s?,s:s,s:I,s:b,s:b}}", "decision", dec, "trace",
			 trace, "context", "uid", (json_int_t)c->uid, "user", c->user, "host",
			 c->host, "cwd", c->cwd, "time", (json_int_t)c->now, "tty", c->tty, "ssh",
			 c->ssh);
}

static json_t *env_object(const struct context *c)
{
	json_t *env = json_object();
	for (size_t i = 0; env && i < c->n_env; i++) {
		const char *eq = strchr(c->env[i], '=');
		char name[256];
		if (strlen(eq + 1) > 4096) /* as guard leaves them out: the message has a limit */
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(eq - c->env[i]), c->env[i]);
		json_t *v = json_string(eq + 1);
		if (v)
			json_object_set_new(env, name, v);
	}
	return env;
}

/* Asks guardd, with the context it cannot know (who, when, where) as options. */
static int online(struct ctl *o, const struct context *c, const struct explain_opts *e, char **argv,
		  int argc, json_t **ret)
{
	json_t *av = json_array();
	for (int i = 0; av && i < argc; i++)
		json_array_append_new(av, json_string(argv[i]));
	json_t *params =
		json_pack("{s:o,s:s?,s:s,s:s?,s:o}", "argv", av, "program", c->program, "cwd",
			  c->cwd, "tty", c->tty ? "explain" : NULL, "env", env_object(c));
	if (params && e->user)
		json_object_set_new(params, "user", json_string(e->user));
	if (params && e->host)
		json_object_set_new(params, "host", json_string(e->host));
	if (params && e->time)
		json_object_set_new(params, "time", json_integer((json_int_t)c->now));
	if (!params)
		return EXIT_UNDECIDED;
	int r = ctl_call(o, GUARD_METHOD_EXPLAIN, params, ret, NULL);
	json_decref(params);
	return r;
}

static void print_text(json_t *res, char **argv, int argc)
{
	json_t *d = json_object_get(res, "decision"), *ctx = json_object_get(res, "context");
	json_t *trace = json_object_get(res, "trace"), *t;
	size_t i;
	printf("command:  ");
	for (int k = 0; k < argc; k++)
		printf("%s%s", k ? " " : "", argv[k]);
	time_t when = (time_t)ctl_num(ctx, "time");
	char ts[64];
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&when));
	printf("\ncontext:  user %s (uid %lld), host %s, cwd %s, %s, tty %s, ssh %s\n",
	       ctl_str(ctx, "user"), ctl_num(ctx, "uid"), ctl_str(ctx, "host"), ctl_str(ctx, "cwd"),
	       ts, json_is_true(json_object_get(ctx, "tty")) ? "yes" : "no",
	       json_is_true(json_object_get(ctx, "ssh")) ? "yes" : "no");
	printf("decision: %s", ctl_str(d, "decision"));
	if (json_is_string(json_object_get(d, "rule")))
		printf(" by rule %s", ctl_str(d, "rule"));
	else
		printf(" (no rule matched: the default)");
	printf("\nmessage:  %s\n", ctl_str(d, "message"));
	if (json_is_string(json_object_get(d, "runbook")))
		printf("run book: %s\n", ctl_str(d, "runbook"));
	printf("rules, in order:\n");
	json_array_foreach(trace, i, t)
	{
		bool matched = json_is_true(json_object_get(t, "matched"));
		printf("  %-8s %s (%s rules[%lld], %s%s)", matched ? "MATCHED" : "no",
		       ctl_str(t, "rule"), ctl_str(t, "file"), ctl_num(t, "index"),
		       ctl_str(t, "decision"),
		       json_is_true(json_object_get(t, "dry_run")) ? ", dry-run" : "");
		if (!matched)
			printf(": %s: %s", ctl_str(t, "failed"), ctl_str(t, "why"));
		putchar('\n');
	}
	if (json_array_size(trace) == 0)
		printf("  (none)\n");
}

int ctl_explain(struct ctl *o, int argc, char **argv)
{
	struct explain_opts e;
	int r = parse(o, argc, argv, &e);
	if (r != 0)
		return r;
	char **cmd = argv + optind;
	int n = argc - optind;
	struct context c;
	struct policy *p = NULL;
	json_t *res = NULL;
	r = context_local(&c);
	if (r == 0)
		r = override(&c, &e);
	if (r < 0) {
		fprintf(stderr, "guardctl: explain: %s\n",
			r == -ENOENT   ? "no such user"
			: r == -EINVAL ? "bad --cwd or --time"
				       : strerror(-r));
		context_done(&c);
		return EXIT_USAGE;
	}
	char *prog = NULL;
	if (resolve_program(cmd[0], c.cwd, &prog) == 0) {
		free(c.program);
		c.program = prog;
	}
	if (e.policy) {
		r = ctl_load_policy(e.policy, &p, NULL);
		res = r == 0 ? offline(&c, p, cmd, n) : NULL;
		if (r == 0 && !res)
			r = EXIT_UNDECIDED;
	} else {
		r = online(o, &c, &e, cmd, n, &res);
	}
	if (r == 0 && o->json)
		ctl_print_json(json_incref(res));
	else if (r == 0)
		print_text(res, cmd, n);
	json_decref(res);
	policy_free(p);
	context_done(&c);
	return r;
}
