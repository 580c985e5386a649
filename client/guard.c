/* guard.c: ask guardd whether a command may run here and now, then run it or not.
 * Fails closed: with no clear "allow", nothing is run. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "config.h"
#include "exit.h"
#include "guard/protocol.h"
#include "resolve.h"

/* Long enough for a slow disk under the decision log, short enough that a
 * hung daemon is reported instead of hanging a run book. */
#define GUARD_TIMEOUT_MS 30000

struct options {
	bool check;
	bool json;
	const char *socket;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: guard [OPTIONS] [--] COMMAND [ARG...]\n"
		"Ask guardd whether COMMAND may run here and now; run it only if allowed.\n\n"
		"  -n, --check        ask and print the decision, run nothing\n"
		"      --json         print guardd's reply as JSON (with --check, or when\n"
		"                     the command is not run)\n"
		"  -s, --socket PATH  guardd's socket (default $%s, else %s)\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n\n"
		"Exit status: the command's own when it runs; 1 denied; 2 needs a human\n"
		"step; 3 no decision (guardd unreachable or in error); 4 bad usage;\n"
		"126/127 the allowed command could not be executed. With --check: 0 it\n"
		"would run, 1, 2 or 3 as above. See guard(1).\n",
		GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET);
}

/* Returns the index of COMMAND in argv, or -1 after printing why (or help). */
static int parse_args(int argc, char **argv, struct options *o, int *ret_exit)
{
	enum { OPT_JSON = 256 };
	static const struct option opts[] = {
		{"check", no_argument, NULL, 'n'},        {"json", no_argument, NULL, OPT_JSON},
		{"socket", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},      {0},
	};
	int c;
	*ret_exit = EXIT_USAGE;
	/* '+': options end at COMMAND, whose own options are not ours. */
	while ((c = getopt_long(argc, argv, "+ns:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->check = true;
			break;
		case OPT_JSON:
			o->json = true;
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
	if (optind >= argc) {
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

static json_t *check_params(char **cmd, int n, const char *program, const char *cwd, bool check)
{
	json_t *argv = json_array();
	for (int i = 0; argv && i < n; i++)
		json_array_append_new(argv, json_string(cmd[i]));
	return json_pack("{s:o,s:s?,s:s,s:s?,s:b}", "argv", argv, "program", program, "cwd", cwd,
			 "tty", tty_name(), "check", check);
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
	if (r < 0) {
		fprintf(stderr, "guard: no decision from guardd at %s: %s; nothing was run\n", path,
			call_strerror(r));
		return EXIT_UNDECIDED;
	}
	return 0;
}

static void say_decision(json_t *p, const char *decision, FILE *f, const char *prefix)
{
	const char *rule = json_string_value(json_object_get(p, "rule"));
	const char *msg = json_string_value(json_object_get(p, "message"));
	const char *runbook = json_string_value(json_object_get(p, "runbook"));
	if (rule)
		fprintf(f, "%s%s by rule %s: %s\n", prefix, decision, rule, msg ? msg : "");
	else
		fprintf(f, "%s%s: %s\n", prefix, decision, msg ? msg : "");
	if (runbook)
		fprintf(f, "%srun book: %s\n", prefix, runbook);
}

/* What the reply means for us: an exit code, or -1 for "run it". */
static int judge(const struct options *o, json_t *reply)
{
	const char *err = call_reply_error(reply);
	json_t *p = json_object_get(reply, "parameters");
	const char *d = json_string_value(json_object_get(p, "decision"));
	bool allowed = !err && d && strcmp(d, "allow") == 0;
	/* In a run, stdout belongs to the command: JSON only when it will not run. */
	if (o->json && (o->check || !allowed)) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		putchar('\n');
	}
	if (err) {
		const char *msg = json_string_value(json_object_get(p, "message"));
		fprintf(stderr, "guard: guardd answered with an error: %s%s%s; nothing was run\n",
			err, msg ? ": " : "", msg ? msg : "");
		return EXIT_UNDECIDED;
	}
	FILE *f = o->check ? stdout : stderr;
	const char *prefix = o->check ? "" : "guard: ";
	if (allowed) {
		if (o->check && !o->json)
			say_decision(p, "allowed", f, prefix);
		return o->check ? EXIT_ALLOWED : -1;
	}
	if (d && strcmp(d, "deny") == 0) {
		if (!o->json || !o->check)
			say_decision(p, "denied", f, prefix);
		return EXIT_DENIED;
	}
	bool human = d && (!strcmp(d, "confirm") || !strcmp(d, "reason") || !strcmp(d, "approve"));
	fprintf(stderr, "guard: guardd's decision \"%s\" %s; nothing was run\n", d ? d : "(none)",
		human ? "needs a human step this guard cannot complete" : "is not understood");
	return human ? EXIT_HUMAN : EXIT_UNDECIDED;
}

static int run(const char *program, char **cmd)
{
	if (!program) {
		fprintf(stderr, "guard: %s: command not found\n", cmd[0]);
		return EXIT_NOT_FOUND;
	}
	execv(program, cmd);
	int err = errno;
	fprintf(stderr, "guard: cannot execute %s: %s\n", program, strerror(err));
	return err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	int code, i = parse_args(argc, argv, &o, &code);
	if (i < 0)
		return code;
	char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		fprintf(stderr, "guard: cannot tell the current directory: %s; nothing was run\n",
			strerror(errno));
		return EXIT_UNDECIDED;
	}
	char *program = NULL;
	int r = resolve_program(argv[i], cwd, &program);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "guard: cannot resolve %s: %s\n", argv[i], strerror(-r));
		free(cwd);
		return EXIT_UNDECIDED;
	}
	json_t *params = check_params(argv + i, argc - i, program, cwd, o.check);
	json_t *reply = NULL;
	code = params ? ask(&o, params, &reply) : EXIT_UNDECIDED;
	json_decref(params);
	free(cwd);
	if (reply) {
		code = judge(&o, reply);
		json_decref(reply);
	}
	fflush(stdout);
	if (code == -1)
		code = run(program, argv + i);
	free(program);
	return code;
}
