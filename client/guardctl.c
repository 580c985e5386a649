/* guardctl.c: guard's admin tool. Each command is one static function in the
 * table below; this set is status and policy check. */
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
#include "guard/policy.h"
#include "guard/protocol.h"

#define GUARDCTL_TIMEOUT_MS 10000

struct options {
	bool json;
	const char *socket;
};

struct command {
	const char *name; /* "policy check": words, space-separated */
	int (*fn)(const struct options *o, int argc, char **argv);
	const char *args;
	const char *help;
};

static int cmd_status(const struct options *o, int argc, char **argv);
static int cmd_policy_check(const struct options *o, int argc, char **argv);

static const struct command commands[] = {
	{"status", cmd_status, "", "show the running daemon's state"},
	{"policy check", cmd_policy_check, "[DIR]",
	 "validate a policy directory (default " GUARD_DEFAULT_POLICY ")"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "Usage: guardctl [OPTIONS] COMMAND [ARGS]\n"
		   "Administer guard: check policies, ask the running guardd.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-14s %-6s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f,
		"\nOptions:\n"
		"  -s, --socket PATH  guardd's socket (default $%s, else %s)\n"
		"      --json         print results as JSON\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n\n"
		"Exit status: 0 success; 1 problems found; 3 guardd unreachable or in error;\n"
		"4 bad usage. See guardctl(8).\n",
		GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET);
}

/* Calls method on the daemon; returns 0 and its reply parameters (owned by
 * the caller), or an exit code after saying why. */
static int daemon_call(const struct options *o, const char *method, json_t **ret)
{
	const char *path = call_socket_path(o->socket);
	json_t *reply = NULL;
	int fd, r = call_connect(path, GUARDCTL_TIMEOUT_MS, &fd);
	if (r == 0) {
		r = call_method(fd, method, NULL, &reply);
		close(fd);
	}
	if (r < 0) {
		fprintf(stderr, "guardctl: cannot ask guardd at %s: %s\n", path, call_strerror(r));
		return EXIT_UNDECIDED;
	}
	const char *err = call_reply_error(reply);
	json_t *p = json_object_get(reply, "parameters");
	if (err) {
		const char *msg = json_string_value(json_object_get(p, "message"));
		fprintf(stderr, "guardctl: guardd answered %s%s%s\n", err, msg ? ": " : "",
			msg ? msg : "");
		json_decref(reply);
		return EXIT_UNDECIDED;
	}
	*ret = json_incref(p ? p : json_object());
	json_decref(reply);
	return 0;
}

/* Prints v as one line of JSON on stdout and releases it. */
static void print_json(json_t *v)
{
	if (v)
		json_dumpf(v, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(v);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "?";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static int cmd_status(const struct options *o, int argc, char **argv)
{
	if (argc > 0) {
		fprintf(stderr, "guardctl: status takes no arguments\n");
		return EXIT_USAGE;
	}
	json_t *s;
	int r = daemon_call(o, GUARD_METHOD_STATUS, &s);
	if (r != 0)
		return r;
	json_t *p = json_object_get(s, "policy");
	if (o->json) {
		json_dumpf(s, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("guardd %s (protocol %lld), pid %lld on %s, up %llds\n", str(s, "version"),
		       num(s, "protocol"), num(s, "pid"), str(s, "host"), num(s, "uptime_sec"));
		printf("  socket:       %s\n", str(s, "socket"));
		printf("  policy:       %s: %lld files, %lld rules, default %s\n",
		       str(p, "directory"), num(p, "files"), num(p, "rules"), str(p, "default"));
		printf("  revision:     %s\n", str(p, "revision"));
		printf("  decision log: %s (%s)\n", str(s, "audit_log"),
		       json_is_true(json_object_get(s, "audit_ok")) ? "writable" : "FAILING");
		printf("  connections:  %lld\n  decisions:    %lld\n", num(s, "connections"),
		       num(s, "decisions"));
	}
	json_decref(s);
	return 0;
}

static int cmd_policy_check(const struct options *o, int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "guardctl: policy check takes at most one directory\n");
		return EXIT_USAGE;
	}
	const char *dir = argc == 1 ? argv[0] : GUARD_DEFAULT_POLICY;
	struct policy_errors errs = {0};
	struct policy *p = NULL;
	int r = policy_load_dir(dir, &errs, &p);
	if (r < 0) {
		json_t *lines = json_array();
		for (size_t i = 0; i < errs.n; i++) {
			fprintf(stderr, "%s\n", errs.lines[i]);
			json_array_append_new(lines, json_string(errs.lines[i]));
		}
		fprintf(stderr, "guardctl: %s: policy refused (%zu error%s)\n", dir, errs.n,
			errs.n == 1 ? "" : "s");
		if (o->json)
			print_json(json_pack("{s:s,s:b,s:o}", "directory", dir, "ok", 0, "errors",
					     lines));
		else
			json_decref(lines);
		policy_errors_clear(&errs);
		return EXIT_DENIED;
	}
	policy_errors_clear(&errs);
	json_t *res = json_pack(
		"{s:s,s:b,s:I,s:I,s:s,s:s}", "directory", dir, "ok", 1, "files",
		(json_int_t)policy_n_files(p), "rules", (json_int_t)policy_n_rules(p), "default",
		policy_verdict_to_string(policy_default(p)), "revision", policy_revision(p));
	if (o->json) {
		print_json(json_incref(res));
	} else {
		printf("%s: OK: %lld files, %lld rules, default %s, revision %s\n", dir,
		       num(res, "files"), num(res, "rules"), str(res, "default"),
		       str(res, "revision"));
	}
	json_decref(res);
	policy_free(p);
	return 0;
}

/* Finds the command whose words start argv; sets *ret_used to how many. */
static const struct command *find_command(int argc, char **argv, int *ret_used)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *name = commands[i].name;
		int used = 0;
		while (used < argc) {
			size_t len = strlen(argv[used]);
			if (strncmp(name, argv[used], len) != 0 || (name[len] && name[len] != ' '))
				break;
			used++;
			name += len;
			if (!*name) {
				*ret_used = used;
				return &commands[i];
			}
			name++;
		}
	}
	return NULL;
}

/* "policy" is the first word of "policy check": a group, not a command. */
static bool is_command_group(const char *word)
{
	size_t len = strlen(word);
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strncmp(commands[i].name, word, len) == 0 && commands[i].name[len] == ' ')
			return true;
	return false;
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct options o = {0};
	int c;
	/* Options may come anywhere (guardctl policy check --json DIR); "--" ends them. */
	while ((c = getopt_long(argc, argv, "s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("guardctl %s\n", GUARD_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'guardctl --help'.\n");
			return EXIT_USAGE;
		}
	}
	int used = 0;
	const struct command *cmd = find_command(argc - optind, argv + optind, &used);
	if (!cmd) {
		if (optind >= argc)
			fprintf(stderr, "guardctl: no command given\n");
		else if (is_command_group(argv[optind]))
			fprintf(stderr, "guardctl: %s needs a subcommand\n", argv[optind]);
		else
			fprintf(stderr, "guardctl: unknown command: %s\n", argv[optind]);
		fprintf(stderr, "Try 'guardctl --help'.\n");
		return EXIT_USAGE;
	}
	return cmd->fn(&o, argc - optind - used, argv + optind + used);
}
