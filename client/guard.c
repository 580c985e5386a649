/* guard.c: ask guardd whether a command may run here and now, then run it or not.
 * Fails closed: with no clear "allow", nothing is run. A human step (confirm,
 * reason) is asked on the controlling terminal and the answer is sent back to
 * guardd, which judges and records it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approval.h"
#include "breakglass.h"
#include "call.h"
#include "config.h"
#include "env.h"
#include "exit.h"
#include "guard/policy.h"
#include "guard/protocol.h"
#include "listing.h"
#include "present.h"
#include "prompt.h"
#include "resolve.h"
#include "run.h"

/* Long enough for a slow disk under the decision log, short enough that a
 * hung daemon is reported instead of hanging a run book. */
#define GUARD_TIMEOUT_MS 30000
/* Room kept in a request for everything but the environment. */
#define GUARD_ENV_RESERVE 4096
#define GUARD_MAX_ANSWER  1024
/* The command has run and the person waits for the prompt: a hung guardd
 * costs a warning after this long, not the rest of the day. */
#define GUARD_FINISHED_TIMEOUT_MS 10000

/* judge() results besides exit codes. */
enum { JUDGE_RUN = -1, JUDGE_ASK = -2, JUDGE_APPROVE = -3 };

struct options {
	bool check;
	bool json;
	const char *socket;
	const char *confirm; /* --confirm: the phrase, given ahead */
	const char *reason;  /* --reason: the reason, given ahead */
	const char *line;    /* -c: a shell line, run with /bin/sh -c if allowed */
	const char *break_glass; /* --break-glass: run without a decision, for this reason */
	const char *spool_dir;   /* --spool-dir: where a break-glass goes without guardd */
	bool list;               /* --list: the rules that apply here and now */
	bool no_wait;            /* --no-wait: an approval is not waited for (approval.h) */
	const char *approval;    /* --approval: the approved request to run with */
};

/* A shell line runs with the system shell, as system(3) and sh -c do. */
#define GUARD_SHELL "/bin/sh"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: guard [OPTIONS] [--] COMMAND [ARG...]\n"
		"       guard [OPTIONS] -c 'SHELL LINE'\n"
		"       guard [OPTIONS] --break-glass REASON [--] COMMAND [ARG...]\n"
		"       guard --list [--json]\n"
		"Ask guardd whether COMMAND may run here and now; run it only if allowed.\n"
		"With -c, guardd judges every command of the line, then /bin/sh runs it.\n\n"
		"  -c LINE               a shell line instead of COMMAND\n"
		"  -n, --check           ask and print the decision, run nothing\n"
		"      --json            print guardd's reply as JSON (with --check, or when\n"
		"                        the command is not run)\n"
		"  -r, --reason TEXT     the reason to give if a rule asks for one\n"
		"      --confirm PHRASE  the phrase to type if a rule asks for confirmation\n"
		"      --no-wait         when a rule asks for approval, print the request's id\n"
		"                        and how to go on, and exit 2 instead of waiting\n"
		"      --approval ID     run once request ID is approved (waits for it; the\n"
		"                        same command in the same directory)\n"
		"      --break-glass REASON\n"
		"                        emergency: run COMMAND without asking for a decision;\n"
		"                        it is recorded with REASON (guardd, else the spool and\n"
		"                        syslog) and may be forbidden by the site\n"
		"      --spool-dir DIR   the break-glass spool used when guardd is down\n"
		"                        (default $%s,\n"
		"                        else %s)\n"
		"  -l, --list            show the rules that apply to you here and now\n"
		"  -s, --socket PATH     guardd's socket (default $%s, else %s)\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the version\n\n"
		"A rule may ask for a confirmation phrase or a reason: guard asks on the\n"
		"terminal, or takes --confirm/--reason when there is none. Colour only on a\n"
		"terminal and without $NO_COLOR; --json for scripts.\n\n"
		"guard stays the command's parent, passes signals on, and reports how it\n"
		"ended to guardd. Exit status: the command's own when it runs (128+N when\n"
		"signal N ended it); 1 denied; 2 needs a human step that was not completed;\n"
		"3 no decision (guardd unreachable or in error); 4 bad usage; 126/127 the\n"
		"allowed command could not be executed. With --check: 0 it would run,\n"
		"1, 2 or 3 as above. See guard(1).\n",
		GUARD_SPOOL_DIR_ENV, GUARD_DEFAULT_SPOOL_DIR, GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET);
}

/* --list and --break-glass against the rest; false after saying why. */
static bool bg_options_ok(const struct options *o, bool command)
{
	const char *problem =
		o->list && (command || o->line || o->check || o->break_glass)
			? "--list takes no command and goes with no -c, --check or --break-glass"
		: o->break_glass && (o->check || o->reason || o->confirm)
			? "--break-glass takes its reason itself and goes with no --check, "
			  "--reason or --confirm"
		: o->break_glass && breakglass_reason_problem(o->break_glass)
			? breakglass_reason_problem(o->break_glass)
			: NULL;
	if (problem)
		fprintf(stderr, "guard: %s\nTry 'guard --help'.\n", problem);
	return !problem;
}

/* Returns the index of COMMAND in argv, or -1 after printing why (or help). */
static int parse_args(int argc, char **argv, struct options *o, int *ret_exit)
{
	enum { OPT_JSON = 256, OPT_CONFIRM };
	enum { OPT_BREAK_GLASS = 512, OPT_SPOOL_DIR };
	enum { OPT_NO_WAIT = 768, OPT_APPROVAL };
	static const struct option opts[] = {
		{"check", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, OPT_JSON},
		{"reason", required_argument, NULL, 'r'},
		{"confirm", required_argument, NULL, OPT_CONFIRM},
		{"socket", required_argument, NULL, 's'},
		{"break-glass", required_argument, NULL, OPT_BREAK_GLASS},
		{"spool-dir", required_argument, NULL, OPT_SPOOL_DIR},
		{"list", no_argument, NULL, 'l'},
		{"no-wait", no_argument, NULL, OPT_NO_WAIT},
		{"approval", required_argument, NULL, OPT_APPROVAL},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int c;
	*ret_exit = EXIT_USAGE;
	/* '+': options end at COMMAND, whose own options are not ours. */
	while ((c = getopt_long(argc, argv, "+nr:s:c:lhV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BREAK_GLASS:
			o->break_glass = optarg;
			break;
		case OPT_SPOOL_DIR:
			o->spool_dir = optarg;
			break;
		case 'l':
			o->list = true;
			break;
		case OPT_NO_WAIT:
			o->no_wait = true;
			break;
		case OPT_APPROVAL:
			o->approval = optarg;
			break;
		case 'n':
			o->check = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'r':
			o->reason = optarg;
			break;
		case 'c':
			o->line = optarg;
			break;
		case OPT_CONFIRM:
			o->confirm = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'h':
			usage(stdout);
			*ret_exit = 0;
			return -1;
		case 'V':
			printf("guard %s\n", GUARD_VERSION);
			*ret_exit = 0;
			return -1;
		default:
			fprintf(stderr, "Try 'guard --help'.\n");
			return -1;
		}
	}
	if ((o->reason && strlen(o->reason) > GUARD_MAX_ANSWER) ||
	    (o->confirm && strlen(o->confirm) > GUARD_MAX_ANSWER)) {
		fprintf(stderr, "guard: --reason and --confirm take at most %d bytes\n",
			GUARD_MAX_ANSWER);
		return -1;
	}
	if (!bg_options_ok(o, optind < argc))
		return -1;
	if (o->approval && (!approval_id_ok(o->approval) || o->break_glass)) {
		fprintf(stderr, "guard: --approval takes a request id (32 lowercase hex digits) and "
				"goes with no --break-glass\nTry 'guard --help'.\n");
		return -1;
	}
	if (o->list)
		return optind;
	if (o->line && !*o->line) {
		fprintf(stderr, "guard: -c takes a shell line; it is empty\nTry 'guard --help'.\n");
		return -1;
	}
	if (o->line && strlen(o->line) > POLICY_LINE_MAX) {
		fprintf(stderr,
			"guard: the line is longer than %d bytes; guardd would not decide it\n",
			POLICY_LINE_MAX);
		return -1;
	}
	if (o->line && optind < argc) {
		fprintf(stderr, "guard: -c takes the whole line; nothing may follow it\n"
				"Try 'guard --help'.\n");
		return -1;
	}
	if (!o->line && optind >= argc) {
		fprintf(stderr, "guard: no command given\nTry 'guard --help'.\n");
		return -1;
	}
	return optind;
}

/* The terminal the command would run on, for policies about interactive use. */
static const char *tty_name(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return ttyname(fd);
	return NULL;
}

/* The Check parameters. NULL when a string cannot be sent (not UTF-8): asking
 * about a different command than the one that would run is not an option. */
static json_t *check_params(char **cmd, int n, const char *program, const char *cwd,
			    const struct options *o)
{
	json_t *argv = json_array();
	size_t used = GUARD_ENV_RESERVE;
	for (int i = 0; argv && !o->line && i < n; i++) {
		json_t *s = json_string(cmd[i]);
		if (!s || json_array_append_new(argv, s) < 0) {
			fprintf(stderr,
				"guard: argument %d is not valid UTF-8; guardd cannot judge it\n",
				i);
			json_decref(argv);
			return NULL;
		}
		used += strlen(cmd[i]) + 4;
	}
	if (o->line)
		used += strlen(o->line) + 16;
	json_t *env =
		used < GUARD_MAX_MESSAGE ? env_report(GUARD_MAX_MESSAGE - used) : json_object();
	json_t *params =
		json_pack("{s:s,s:s?,s:o,s:b,s:s?,s:s?}", "cwd", cwd, "tty", tty_name(), "env", env,
			  "check", o->check, "confirm", o->confirm, "reason", o->reason);
	/* A line is judged as a line; the shell that will run it is not the question. */
	if (params && o->line) {
		json_decref(argv);
		if (json_object_set_new(params, "line", json_string(o->line)) < 0) {
			json_decref(params);
			params = NULL;
		}
	} else if (params) {
		json_object_set_new(params, "argv", argv);
		if (program)
			json_object_set_new(params, "program", json_string(program));
	} else {
		json_decref(argv);
	}
	/* A break-glass asks nothing: the approval flow is not its business. */
	if (params && !o->break_glass && approval_params(params, o->check, o->approval) < 0) {
		json_decref(params);
		params = NULL;
	}
	if (!params)
		fprintf(stderr, "guard: cannot encode the request (the current directory, program "
				"path or an answer is not valid UTF-8)\n");
	return params;
}

/* Asks; returns 0 and the reply, or an exit code after saying why. */
static int ask(const struct options *o, json_t *params, json_t **ret)
{
	const char *path = call_socket_path(o->socket);
	int fd, r = call_connect(path, GUARD_TIMEOUT_MS, &fd);
	if (r < 0) {
		fprintf(stderr, "guard: cannot reach guardd at %s: %s; nothing was run\n", path,
			call_strerror(r));
		return EXIT_UNDECIDED;
	}
	r = call_method(fd, GUARD_METHOD_CHECK, params, ret);
	close(fd);
	/* Ours to send, so it is the request that is wrong, not the daemon. */
	if (r == -EMSGSIZE) {
		fprintf(stderr,
			"guard: the request is larger than %d bytes (the command, its "
			"arguments and working directory); nothing was run\n",
			GUARD_MAX_MESSAGE);
		return EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "guard: no decision from guardd at %s: %s; nothing was run\n", path,
			call_strerror(r));
		return EXIT_UNDECIDED;
	}
	return 0;
}

static const char *str(json_t *p, const char *key)
{
	return json_string_value(json_object_get(p, key));
}

/* "denied by rule X: MESSAGE", the run book, and what the step needs (present.h). */
static void say_decision(json_t *p, const char *what, FILE *f, const char *prefix)
{
	struct present pr;
	present_init(&pr, f, prefix);
	/* --check's answer on standard output is read by scripts too: plain words. */
	pr.color = pr.color && f != stdout;
	present_decision(&pr, p, what);
}

/* A human step this guard will not or cannot complete: say how to, exit 2. */
static int step_blocked(const struct options *o, json_t *p, const char *d, const char *why)
{
	if (!o->check) {
		struct present pr;
		present_init(&pr, stderr, "guard: ");
		present_decision(&pr, p,
				 !strcmp(d, "confirm")  ? "confirmation asked"
				 : !strcmp(d, "reason") ? "reason asked"
							: "approval needed");
		present_next_step(&pr, p);
	}
	if (why)
		fprintf(stderr, "guard: %s; nothing was run\n", why);
	return EXIT_HUMAN;
}

/* What the reply means: an exit code, JUDGE_RUN, or JUDGE_ASK (prompt for the
 * step's answer and ask again). */
static int judge(const struct options *o, json_t *reply, bool may_ask)
{
	const char *err = call_reply_error(reply);
	json_t *p = json_object_get(reply, "parameters");
	const char *d = err ? NULL : str(p, "decision");
	bool allowed = d && strcmp(d, "allow") == 0;
	bool will_ask =
		!o->check && may_ask && d && (!strcmp(d, "confirm") || !strcmp(d, "reason"));
	bool waits = !o->check && !o->no_wait && d && !strcmp(d, "approve") && approval_made(p);
	/* In a run, stdout belongs to the command: JSON only when it will not run,
	 * and not for a question that an answer may still turn into a run. */
	if (o->json && (o->check || (!allowed && !will_ask && !waits))) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		putchar('\n');
	}
	if (err) {
		const char *msg = str(p, "message");
		fprintf(stderr, "guard: guardd answered with an error: %s%s%s; nothing was run\n",
			err, msg ? ": " : "", msg ? msg : "");
		return EXIT_UNDECIDED;
	}
	FILE *f = o->check ? stdout : stderr;
	const char *prefix = o->check ? "" : "guard: ";
	bool quiet = o->check && o->json;
	if (allowed) {
		if (o->check && !quiet)
			say_decision(p, "allowed", f, prefix);
		return o->check ? EXIT_ALLOWED : JUDGE_RUN;
	}
	if (d && strcmp(d, "deny") == 0) {
		if (!quiet)
			say_decision(p, "denied", f, prefix);
		return EXIT_DENIED;
	}
	if (d && (!strcmp(d, "confirm") || !strcmp(d, "reason"))) {
		if (o->check) {
			if (!quiet)
				say_decision(p, d, f, prefix);
			return EXIT_HUMAN;
		}
		return may_ask ? JUDGE_ASK : step_blocked(o, p, d, "no answer was accepted");
	}
	if (d && strcmp(d, "approve") == 0) {
		if (!o->check && approval_made(p))
			return JUDGE_APPROVE;
		if (o->check && !quiet)
			say_decision(p, "approval needed", f, prefix);
		return step_blocked(o, p, d, o->check ? NULL : "no approval request was made");
	}
	fprintf(stderr, "guard: guardd's decision \"%s\" is not understood; nothing was run\n",
		d ? d : "(none)");
	return EXIT_UNDECIDED;
}

/* Asks the person for the step's answer on the terminal and puts it in params.
 * Returns 0, or an exit code after saying why nothing runs. */
static int get_answer(const struct options *o, json_t *reply, json_t *params, char **cmd)
{
	json_t *p = json_object_get(reply, "parameters");
	bool confirm = strcmp(str(p, "decision"), "confirm") == 0;
	int tty = prompt_open();
	/* judge() held the JSON back for a question; now it will not be answered. */
	if (tty < 0 && o->json) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		putchar('\n');
	}
	if (tty < 0) {
		char why[1200];
		snprintf(why, sizeof why, "no terminal to ask on: run again with %s",
			 confirm ? "--confirm PHRASE" : "--reason TEXT");
		return step_blocked(o, p, str(p, "decision"), why);
	}
	FILE *f = fdopen(dup(tty), "w");
	if (f) {
		say_decision(p, confirm ? "confirmation asked" : "reason asked", f, "guard: ");
		fclose(f);
	}
	char answer[GUARD_MAX_ANSWER + 1], text[128];
	snprintf(text, sizeof text, "%s to run %s: ", confirm ? "Type the phrase" : "Reason",
		 o->line ? "this line" : cmd[0]);
	int r = prompt_line(tty, text, answer, sizeof answer);
	close(tty);
	if (r < 0) {
		fprintf(stderr, "guard: no answer (%s); nothing was run\n",
			r == -ENODATA    ? "end of input"
			: r == -EMSGSIZE ? "longer than 1024 bytes"
					 : strerror(-r));
		return EXIT_HUMAN;
	}
	json_object_set_new(params, confirm ? "confirm" : "reason", json_string(answer));
	return 0;
}

/* Runs the allowed command as guard's child. Returns guard's exit code: the
 * command's status, 128+N for signal N, 126/127 (said why) when it could not
 * be executed; *res is what the completion reports. */
static int run(const char *program, char **cmd, struct run_result *res)
{
	if (!program) {
		fprintf(stderr, "guard: %s: command not found\n", cmd[0]);
		*res = (struct run_result){.exit = EXIT_NOT_FOUND, .exec_error = ENOENT};
		return EXIT_NOT_FOUND;
	}
	int r = run_command(program, cmd, res);
	int err = r < 0 ? -r : res->exec_error;
	if (err) {
		int code = err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
		fprintf(stderr, "guard: cannot execute %s: %s\n", program, strerror(err));
		if (r < 0) /* no child at all (fork failed): report it as not executed */
			*res = (struct run_result){.exit = code, .exec_error = err};
		return code;
	}
	return res->signal ? 128 + res->signal : res->exit;
}

/* The Finished parameters: exactly one of exit and signal is a number. */
static json_t *completion_params(const char *id, const struct run_result *res)
{
	return json_pack("{s:s,s:o,s:o,s:I}", "id", id, "exit",
			 res->signal ? json_null() : json_integer(res->exit), "signal",
			 res->signal ? json_integer(res->signal) : json_null(), "duration_ms",
			 (json_int_t)res->duration_ms);
}

/* Tells guardd how the command ended, on a new connection: the first one may
 * have been closed as idle while the command ran. A failure is a warning, not
 * a different exit status: the command has run either way. */
static void report(const struct options *o, const char *id, const struct run_result *res)
{
	if (!id) {
		fprintf(stderr, "guard: could not record the completion: guardd's decision had "
				"no id\n");
		return;
	}
	json_t *reply = NULL, *params = completion_params(id, res);
	const char *path = call_socket_path(o->socket);
	int fd, r = params ? call_connect(path, GUARD_FINISHED_TIMEOUT_MS, &fd) : -ENOMEM;
	if (r == 0) {
		r = call_method(fd, GUARD_METHOD_FINISHED, params, &reply);
		close(fd);
	}
	json_decref(params);
	const char *err = r == 0 ? call_reply_error(reply) : NULL;
	const char *msg = err ? str(json_object_get(reply, "parameters"), "message") : NULL;
	if (r < 0)
		fprintf(stderr, "guard: could not record the completion: guardd at %s: %s\n", path,
			call_strerror(r));
	else if (err)
		fprintf(stderr, "guard: could not record the completion: guardd answered %s%s%s\n",
			err, msg ? ": " : "", msg ? msg : "");
	json_decref(reply);
}

/* Killed by SIGINT, guard dies of SIGINT too (after reporting): a shell script
 * stops when a child dies of ^C, but goes on when one exits 130, taking it as
 * handled. Other signals give exit 128+N, which is all a shell's $? shows. */
static void die_of_sigint(void)
{
	sigset_t set;
	fflush(stdout);
	fflush(stderr);
	signal(SIGINT, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGINT);
}

/* Asks, and asks again with the person's answer when a rule wants one. */
static int decide(const struct options *o, json_t *params, char **cmd, char **ret_id)
{
	json_t *reply = NULL;
	struct approval_opts ao = {o->socket, o->no_wait, o->line, cmd};
	int code = o->approval && !o->check ? approval_wait_id(&ao, o->approval) : 0;
	if (code == 0)
		code = ask(o, params, &reply);
	if (code == 0)
		code = judge(o, reply, !o->confirm && !o->reason);
	if (code == JUDGE_APPROVE) {
		code = approval_wait_new(&ao, json_object_get(reply, "parameters"), params);
		json_decref(reply);
		reply = NULL;
		if (code == 0)
			code = ask(o, params, &reply);
		if (code == 0)
			code = judge(o, reply, false);
	}
	if (code == JUDGE_ASK) {
		code = get_answer(o, reply, params, cmd);
		json_decref(reply);
		reply = NULL;
		if (code == 0)
			code = ask(o, params, &reply);
		if (code == 0)
			code = judge(o, reply, false);
	}
	/* The completion names the decision that let the command run. */
	const char *id = str(json_object_get(reply, "parameters"), "id");
	if (code == JUDGE_RUN && id)
		*ret_id = strdup(id);
	json_decref(reply);
	return code;
}

/* --break-glass: recorded first (breakglass.h), then run as an allowed command is. */
static int break_glass(const struct options *o, json_t *params, char **cmd, int n, char **ret_id)
{
	char what[1024] = "";
	size_t used = 0;
	for (int i = 0; !o->line && i < n && used + 1 < sizeof what; i++)
		used += (size_t)snprintf(what + used, sizeof what - used, "%s%s", i ? " " : "",
					 cmd[i]);
	struct breakglass_options bo = {
		.socket = o->socket,
		.spool_dir = o->spool_dir,
		.reason = o->break_glass,
		.what = o->line ? o->line : what,
		.json = o->json,
	};
	int code = breakglass_begin(&bo, params, ret_id);
	return code == 0 ? JUDGE_RUN : code;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	int code, i = parse_args(argc, argv, &o, &code);
	if (i < 0)
		return code;
	if (o.list)
		return listing_run(o.socket, o.json);
	char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		fprintf(stderr, "guard: cannot tell the current directory: %s; nothing was run\n",
			strerror(errno));
		return EXIT_UNDECIDED;
	}
	char *sh_argv[] = {"sh", "-c", (char *)o.line, NULL};
	char **cmd = o.line ? sh_argv : argv + i;
	int n = o.line ? 3 : argc - i;
	char *program = NULL;
	int r = o.line ? ((program = strdup(GUARD_SHELL)) ? 0 : -ENOMEM)
		       : resolve_program(cmd[0], cwd, &program);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "guard: cannot resolve %s: %s\n", cmd[0], strerror(-r));
		free(cwd);
		return EXIT_UNDECIDED;
	}
	json_t *params = check_params(cmd, n, program, cwd, &o);
	free(cwd);
	/* Without a request that says exactly what would run, nothing runs. */
	char *id = NULL;
	code = !params		? EXIT_UNDECIDED
	       : o.break_glass ? break_glass(&o, params, cmd, n, &id)
			       : decide(&o, params, cmd, &id);
	json_decref(params);
	fflush(stdout);
	int sig = 0;
	if (code == JUDGE_RUN) {
		struct run_result res;
		code = run(program, cmd, &res);
		/* A break-glass that went to the spool has no record to complete. */
		if (id || !o.break_glass)
			report(&o, id, &res);
		sig = res.signal;
	}
	free(id);
	free(program);
	if (sig == SIGINT)
		die_of_sigint();
	return code;
}
