/* guardctl.c: guard's admin tool: the command table and the command line. Each
 * command lives in a ctl-*.c file of its family. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "exit.h"
#include "guard/protocol.h"

struct command {
	const char *name; /* "policy check": words, space-separated */
	int (*fn)(struct ctl *o, int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct command commands[] = {
	{"status", ctl_status, "", "show the running daemon's state"},
	{"reload", ctl_reload, "", "make guardd load its policy again (root or admin group)"},
	{"policy check", ctl_policy_check, "[DIR]", "validate a policy directory"},
	{"policy test", ctl_policy_test, "[--policy DIR] FILE...", "run policy unit tests"},
	{"explain", ctl_explain, "[OPTIONS] [--] CMD... | -c LINE",
	 "why a command would be allowed or not; see --help"},
	/* log's subcommands come before log itself, which takes any other word as a FILE. */
	{"log verify", ctl_log_verify, "[FILE...]", "check the decision log's hash chain"},
	{"log rotate", ctl_log_rotate, "", "start a new log file (root or admin group)"},
	{"log", ctl_log, "[OPTIONS] [FILE...]", "query the decision log; see --help"},
	{"report", ctl_report, "[OPTIONS] [FILE...]", "a blameless summary of the log"},
	{"pending", ctl_pending, "[ID]", "approval requests you may act on, and your own"},
	{"approve", ctl_approve, "ID [--reason TEXT]", "approve another user's request"},
	{"reject", ctl_reject, "ID [--reason TEXT]", "reject a request (or withdraw your own)"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "Usage: guardctl [OPTIONS] COMMAND [ARGS]\n"
		   "Administer guard: check, test and explain policies; ask the running guardd.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-13s %-23s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f,
		"\nThe default policy directory is %s.\n\nOptions:\n"
		"  -s, --socket PATH  guardd's socket (default $%s, else %s)\n"
		"      --json         print results as JSON\n"
		"  -h, --help         show this help (COMMAND --help: the command's)\n"
		"  -V, --version      show the version\n\n"
		"Exit status: 0 success; 1 problems found (invalid policy, failed tests,\n"
		"refused reload); 3 guardd unreachable or in error; 4 bad usage.\n"
		"See guardctl(8).\n",
		GUARD_DEFAULT_POLICY, GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET);
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
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, CTL_OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct ctl o = {0};
	int c;
	/* '+': options before the command are guardctl's; the command parses its own. */
	while ((c = getopt_long(argc, argv, "+s:hV", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == 'V') {
			printf("guardctl %s\n", GUARD_VERSION);
			return 0;
		}
		if (!ctl_common_option(&o, c))
			return fprintf(stderr, "Try 'guardctl --help'.\n"), EXIT_USAGE;
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
	/* The command sees its last word as argv[0], as getopt expects; optind 0
	 * makes glibc start afresh, forgetting the '+' above, so a command's own
	 * options may follow its operands. */
	int first = optind + used - 1;
	optind = 0;
	o.command = cmd->name;
	o.command_args = cmd->args;
	o.command_help = cmd->help;
	return cmd->fn(&o, argc - first, argv + first);
}
