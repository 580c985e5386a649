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

/* The environment sent, as guard sends it: within the message's limit. */
#define ENV_BUDGET (GUARD_MAX_MESSAGE / 2)

struct explain_opts {
	const char *policy, *user, *host, *time, *cwd;
	const char *line;    /* -c: a shell line instead of COMMAND */
	int tty, ssh;        /* -1: as this process is; 0 or 1: forced */
	const char *env[64]; /* "NAME=VALUE" to set, "NAME" to unset, in order */
	size_t n_env;
};

void ctl_explain_usage(FILE *f)
{
	fprintf(f, "  -c LINE               explain a whole shell line (as guard -c)\n"
		   "  -p, --policy DIR      explain offline against DIR (default: ask guardd)\n"
		   "  -u, --user USER       as USER (name or uid) instead of yourself\n"
		   "  -H, --host HOST       as on HOST\n"
		   "  -t, --time TIME       at TIME (2026-12-24T10:00:00+01:00, @SECONDS, ...)\n"
		   "  -C, --cwd DIR         from DIR\n"
		   "  -e, --env NAME=VALUE  with this variable set (repeatable)\n"
		   "  -U, --unset-env NAME  without this variable (repeatable)\n"
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
		{"unset-env", required_argument, NULL, 'U'},
		{"tty", no_argument, NULL, TTY},
		{"no-tty", no_argument, NULL, NO_TTY},
		{"ssh", no_argument, NULL, SSH},
		{"no-ssh", no_argument, NULL, NO_SSH},
		{0},
	};
	int c;
	*e = (struct explain_opts){.tty = -1, .ssh = -1};
	/* '+': the command's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+" CTL_COMMON_SHORT "p:u:H:t:C:e:U:c:", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			e->policy = optarg;
			break;
		case 'c':
			e->line = optarg;
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
		case 'U':
			if ((c == 'e') != (strchr(optarg, '=') != NULL) ||
			    strchr(optarg, '=') == optarg) {
				fprintf(stderr, "guardctl: explain: %s takes %s\n",
					c == 'e' ? "--env" : "--unset-env",
					c == 'e' ? "NAME=VALUE" : "a NAME");
				return EXIT_USAGE;
			}
			if (e->n_env == sizeof e->env / sizeof e->env[0]) {
				fprintf(stderr,
					"guardctl: explain: at most 64 --env and --unset-env\n");
				return EXIT_USAGE;
			}
			e->env[e->n_env++] = optarg;
			break;

		default:
			if (!ctl_common_option(o, c))
				return EXIT_USAGE;
		}
	}
	if (o->help) {
		ctl_command_usage(o);
		return -1;
	}
	if (e->line ? optind < argc : optind >= argc) {
		fprintf(stderr, "guardctl: explain needs a command, or -c and a shell line\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* --ssh and --no-ssh, said the way guardd learns it: the session variables. */
static int force_ssh(struct context *c, bool ssh)
{
	int r = context_set_env(c, "SSH_CLIENT", NULL);
	if (r == 0)
		r = context_set_env(c, "SSH_TTY", NULL);
	if (r == 0)
		r = context_set_env(c, "SSH_CONNECTION", ssh ? "explain 0 explain 22" : NULL);
	return r;
}

/* Applies --env, --tty, --ssh, --cwd, --host, --time, --user to c. */
static int override(struct context *c, const struct explain_opts *e)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < e->n_env; i++) {
		const char *eq = strchr(e->env[i], '=');
		char name[256];
		snprintf(name, sizeof name, "%.*s",
			 eq ? (int)(eq - e->env[i]) : (int)strlen(e->env[i]), e->env[i]);
		r = context_set_env(c, name, eq ? eq + 1 : NULL);
	}
	if (e->tty >= 0)
		c->tty = e->tty;
	if (r == 0 && e->ssh >= 0)
		r = force_ssh(c, e->ssh);
	context_update_ssh(c);
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
			      json_pack("{s:s?,s:s?,s:I,s:b,s:b,s:s,s:s?,s:s?,s:s?}", "rule",
					t->rule_id, "file", t->file, "index", (json_int_t)t->index,
					"matched", t->matched, "dry_run", t->dry_run, "decision",
					policy_verdict_to_string(t->verdict), "failed", t->failed,
					"why", t->why, "part", t->part));
}

/* The same shape as guardd's Explain reply, so both print alike. */
static json_t *offline(const struct context *c, const struct policy *p, const char *line,
		       char **argv, int argc)
{
	struct policy_request req;
	struct policy_decision d;
	json_t *trace = json_array();
	context_request(c, (const char *const *)argv, (size_t)argc, &req);
	int r = !trace ? -ENOMEM
		: line ? policy_explain_line(p, &req, line, add_trace, trace, &d)
		       : policy_explain(p, &req, add_trace, trace, &d);
	if (r < 0) {
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
	if (dec && d.verdict == POLICY_APPROVE)
		json_object_set_new(dec, "approvers",
				    json_pack("{s:s,s:I,s:I}", "group", d.approvers_group, "count",
					      (json_int_t)d.approvers_count, "expires_sec",
					      (json_int_t)d.approvers_expires));
	for (size_t i = 0; dec && i < d.n_dry_run && i < POLICY_MAX_DRY_RUN; i++) {
		if (!json_object_get(dec, "dry_run"))
			json_object_set_new(dec, "dry_run", json_array());
		json_array_append_new(json_object_get(dec, "dry_run"),
				      json_pack("{s:s,s:s}", "rule", d.dry_run[i].rule_id,
						"decision",
						policy_verdict_to_string(d.dry_run[i].verdict)));
	}
	if (dec && d.part[0])
		json_object_set_new(dec, "part", json_string(d.part));
	if (dec && d.unknown[0])
		json_object_set_new(dec, "unknown", json_string(d.unknown));
	return json_pack("{s:o,s:o,s:{s:I,s:s?,s:s?,s:s,s:I,s:b,s:b}}", "decision", dec, "trace",
			 trace, "context", "uid", (json_int_t)c->uid, "user", c->user, "host",
			 c->host, "cwd", c->cwd, "time", (json_int_t)c->now, "tty", c->tty, "ssh",
			 c->ssh);
}

/* Asks guardd, with the context it cannot know (who, when, where) as options. */
static int online(struct ctl *o, const struct context *c, const struct explain_opts *e, char **argv,
		  int argc, json_t **ret)
{
	json_t *params =
		json_pack("{s:s,s:s?,s:o}", "cwd", c->cwd, "tty", c->tty ? "explain" : NULL, "env",
			  env_json(c->env, c->n_env, ENV_BUDGET));
	if (params && e->line) {
		json_object_set_new(params, "line", json_string(e->line));
	} else if (params) {
		json_t *av = json_array();
		for (int i = 0; av && i < argc; i++)
			json_array_append_new(av, json_string(argv[i]));
		json_object_set_new(params, "argv", av);
		if (c->program)
			json_object_set_new(params, "program", json_string(c->program));
	}
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

/* What the person would be asked: the phrase, the reason's pattern, approvers;
 * and the dry-run rules that would record this. */
static void print_step(json_t *d)
{
	json_t *ap = json_object_get(d, "approvers"), *dr = json_object_get(d, "dry_run"), *x;
	size_t i;
	if (json_is_string(json_object_get(d, "phrase")))
		printf("to type:  %s\n", ctl_str(d, "phrase"));
	if (json_is_string(json_object_get(d, "reason_pattern")))
		printf("reason:   must match %s\n", ctl_str(d, "reason_pattern"));
	if (ap)
		printf("approval: %lld of group %s, valid %llds\n", ctl_num(ap, "count"),
		       ctl_str(ap, "group"), ctl_num(ap, "expires_sec"));
	json_array_foreach(dr, i, x) printf("dry-run:  rule %s would %s this\n", ctl_str(x, "rule"),
					    ctl_str(x, "decision"));
}

/* Prints the trace entries of one part, from index i; returns the index after
 * them. A part that did not decide and matched nothing is one summary line, so
 * a long line over a large policy stays readable (--json has every entry). */
static size_t print_part(json_t *trace, size_t i, const char *decided, bool collapse)
{
	const char *p = json_string_value(json_object_get(json_array_get(trace, i), "part"));
	size_t end = i, any = 0;
	for (; end < json_array_size(trace); end++) {
		json_t *t = json_array_get(trace, end);
		const char *q = json_string_value(json_object_get(t, "part"));
		if ((p == NULL) != (q == NULL) || (p && strcmp(p, q) != 0))
			break;
		any += json_is_true(json_object_get(t, "matched"));
	}
	if (collapse && p && !any && (!decided || strcmp(p, decided) != 0)) {
		printf(" for %s: no rule matched (%zu rules)\n", p, end - i);
		return end;
	}
	if (p)
		printf(" for %s:\n", p);
	for (; i < end; i++) {
		json_t *t = json_array_get(trace, i);
		bool matched = json_is_true(json_object_get(t, "matched"));
		if (!json_is_string(json_object_get(t, "rule"))) { /* no rule: not understood */
			printf("  UNKNOWN  not understood (%s, the policy's \"unknown\"): %s\n",
			       ctl_str(t, "decision"), ctl_str(t, "why"));
			continue;
		}
		printf("  %-8s %s (%s rules[%lld], %s%s)", matched ? "MATCHED" : "no",
		       ctl_str(t, "rule"), ctl_str(t, "file"), ctl_num(t, "index"),
		       ctl_str(t, "decision"),
		       json_is_true(json_object_get(t, "dry_run")) ? ", dry-run" : "");
		if (!matched)
			printf(": %s: %s", ctl_str(t, "failed"), ctl_str(t, "why"));
		putchar('\n');
	}
	return end;
}

static void print_text(json_t *res, const char *line, char **argv, int argc)
{
	json_t *d = json_object_get(res, "decision"), *ctx = json_object_get(res, "context");
	json_t *trace = json_object_get(res, "trace");
	size_t i;
	printf("%s", line ? "line:     " : "command:  ");
	if (line)
		printf("%s", line);
	for (int k = 0; !line && k < argc; k++)
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
	else if (json_is_string(json_object_get(d, "unknown")))
		printf(" (not understood: %s)", ctl_str(d, "unknown"));
	else
		printf(" (no rule matched: the default)");
	if (json_is_string(json_object_get(d, "part")))
		printf("\npart:     %s", ctl_str(d, "part"));
	printf("\nmessage:  %s\n", ctl_str(d, "message"));
	if (json_is_string(json_object_get(d, "runbook")))
		printf("run book: %s\n", ctl_str(d, "runbook"));
	print_step(d);
	printf("rules, in order:\n");
	const char *decided = json_string_value(json_object_get(d, "part"));
	size_t n = json_array_size(trace);
	const char *first =
		n ? json_string_value(json_object_get(json_array_get(trace, 0), "part")) : NULL;
	const char *last =
		n ? json_string_value(json_object_get(json_array_get(trace, n - 1), "part")) : NULL;
	bool several = first && last && strcmp(first, last) != 0;
	for (i = 0; i < n;)
		i = print_part(trace, i, several ? decided : NULL, several);
	if (json_array_size(trace) == 0)
		printf("  (none)\n");
}

int ctl_explain(struct ctl *o, int argc, char **argv)
{
	struct explain_opts e;
	int r = parse(o, argc, argv, &e);
	if (r != 0)
		return r < 0 ? 0 : r; /* -1: --help was asked for and shown */
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
	if (!e.line && resolve_program(cmd[0], c.cwd, &prog) == 0) {
		free(c.program);
		c.program = prog;
	}
	if (e.policy) {
		r = ctl_load_policy(e.policy, &p, NULL);
		res = r == 0 ? offline(&c, p, e.line, cmd, n) : NULL;
		if (r == 0 && !res)
			r = EXIT_UNDECIDED;
	} else {
		r = online(o, &c, &e, cmd, n, &res);
	}
	if (r == 0 && o->json)
		ctl_print_json(json_incref(res));
	else if (r == 0)
		print_text(res, e.line, cmd, n);
	json_decref(res);
	policy_free(p);
	context_done(&c);
	return r;
}
