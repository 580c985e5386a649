/* ctl-daemon.c: guardctl's calls to the running guardd (status, reload, log rotate) and
 * the helpers every command shares. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "ctl.h"
#include "exit.h"
#include "guard/protocol.h"

/* Reload waits for a whole policy load: allow for a large one. */
#define CTL_TIMEOUT_MS 60000

bool ctl_common_option(struct ctl *o, int c)
{
	if (c == CTL_OPT_JSON)
		o->json = true;
	else if (c == 's')
		o->socket = optarg;
	else if (c == 'h')
		o->help = true;
	else
		return false;
	return true;
}

void ctl_command_usage(const struct ctl *o)
{
	printf("Usage: guardctl %s %s\n%s.\n\n", o->command, o->command_args, o->command_help);
	if (strcmp(o->command, "explain") == 0)
		ctl_explain_usage(stdout);
	else if (strcmp(o->command, "log") == 0)
		ctl_log_usage(stdout);
	else if (strcmp(o->command, "report") == 0)
		ctl_report_usage(stdout);
	else if (strcmp(o->command, "approve") == 0 || strcmp(o->command, "reject") == 0)
		ctl_approval_usage(stdout);
	/* log and report say what --json means for them. */
	bool own_json = strcmp(o->command, "log") == 0 || strcmp(o->command, "report") == 0;
	printf("  -s, --socket PATH     guardd's socket\n%s"
	       "  -h, --help            show this help\n",
	       own_json ? "" : "      --json            print results as JSON\n");
	if (strcmp(o->command, "log") == 0)
		printf("\nSubcommands: guardctl log verify [FILE...]; guardctl log rotate.\n");
}

const char *ctl_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "?";
}

long long ctl_num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void ctl_print_json(json_t *v)
{
	if (v)
		json_dumpf(v, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(v);
}

int ctl_call(const struct ctl *o, const char *method, json_t *params, json_t **ret,
	     json_t **ret_error)
{
	const char *path = call_socket_path(o->socket);
	json_t *reply = NULL;
	int fd, r = call_connect(path, CTL_TIMEOUT_MS, &fd);
	if (r == 0) {
		r = call_method(fd, method, params, &reply);
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
		/* err points into reply: decide before it is released. */
		int code = strcmp(err, VARLINK_ERROR_PERMISSION_DENIED) == 0 ? EXIT_DENIED
									     : EXIT_UNDECIDED;
		if (ret_error)
			*ret_error = json_incref(reply);
		json_decref(reply);
		return code;
	}
	*ret = json_incref(p ? p : json_object());
	json_decref(reply);
	return 0;
}

int ctl_common_args(struct ctl *o, int argc, char **argv)
{
	static const struct option opts[] = {CTL_COMMON_OPTIONS, {0}};
	int c;
	while ((c = getopt_long(argc, argv, CTL_COMMON_SHORT, opts, NULL)) != -1)
		if (!ctl_common_option(o, c))
			return EXIT_USAGE;
	if (o->help) {
		ctl_command_usage(o);
		return -1;
	}
	return 0;
}

/* For commands without arguments of their own. Returns 0, EXIT_USAGE, or -1
 * when --help was asked for and shown. */
static int no_args(struct ctl *o, int argc, char **argv)
{
	int r = ctl_common_args(o, argc, argv);
	if (r != 0)
		return r;
	if (optind < argc) {
		fprintf(stderr, "guardctl: %s takes no arguments\n", o->command);
		return EXIT_USAGE;
	}
	return 0;
}

/* An older guardd does not say: nothing is printed then. */
static void print_seccomp(json_t *sc)
{
	if (!json_is_object(sc))
		return;
	const char *mode = ctl_str(sc, "mode");
	if (strcmp(mode, "off") == 0)
		printf("  seccomp:      off (guardd is not confined)\n");
	else
		printf("  seccomp:      %s: %lld system calls allowed, any other %s%s\n", mode,
		       ctl_num(sc, "allowed"), strcmp(mode, "kill") == 0 ? "kills guardd" : "fails",
		       json_is_true(json_object_get(sc, "relaxed"))
			       ? " (relaxed for a sanitizer or valgrind)"
			       : "");
}

int ctl_status(struct ctl *o, int argc, char **argv)
{
	json_t *s;
	int r = no_args(o, argc, argv);
	if (r == 0)
		r = ctl_call(o, GUARD_METHOD_STATUS, NULL, &s, NULL);
	if (r != 0)
		return r < 0 ? 0 : r; /* -1: --help was shown */
	json_t *p = json_object_get(s, "policy");
	if (o->json) {
		ctl_print_json(s);
		return 0;
	}
	printf("guardd %s (protocol %lld), pid %lld on %s, up %llds\n", ctl_str(s, "version"),
	       ctl_num(s, "protocol"), ctl_num(s, "pid"), ctl_str(s, "host"),
	       ctl_num(s, "uptime_sec"));
	printf("  socket:       %s\n", ctl_str(s, "socket"));
	printf("  policy:       %s: %lld files, %lld rules, default %s\n", ctl_str(p, "directory"),
	       ctl_num(p, "files"), ctl_num(p, "rules"), ctl_str(p, "default"));
	printf("  revision:     %s (%lld reloads)\n", ctl_str(p, "revision"),
	       ctl_num(p, "reloads"));
	printf("  decision log: %s (%s, %lld records, sync %s)\n", ctl_str(s, "audit_log"),
	       json_is_true(json_object_get(s, "audit_ok")) ? "writable" : "FAILING",
	       ctl_num(s, "audit_seq"), ctl_str(s, "audit_sync"));
	printf("  connections:  %lld\n  decisions:    %lld\n", ctl_num(s, "connections"),
	       ctl_num(s, "decisions"));
	print_seccomp(json_object_get(s, "seccomp"));
	json_decref(s);
	return 0;
}

int ctl_reload(struct ctl *o, int argc, char **argv)
{
	json_t *res = NULL, *err = NULL;
	int r = no_args(o, argc, argv);
	if (r < 0)
		return 0; /* --help was shown */
	if (r == 0)
		r = ctl_call(o, GUARD_METHOD_RELOAD, NULL, &res, &err);
	json_t *errors = json_object_get(json_object_get(err, "parameters"), "errors");
	for (size_t i = 0; i < json_array_size(errors); i++)
		fprintf(stderr, "%s\n", json_string_value(json_array_get(errors, i)));
	if (err && o->json)
		ctl_print_json(json_incref(err));
	json_decref(err);
	if (errors) /* a refused policy is a problem found, not a daemon failure */
		r = EXIT_DENIED;
	if (r != 0 || !res)
		return r ? r : EXIT_UNDECIDED;
	if (o->json)
		ctl_print_json(json_incref(res));
	else
		printf("reloaded: revision %.12s (%s %.12s), %lld files, %lld rules\n",
		       ctl_str(res, "revision"),
		       json_is_true(json_object_get(res, "changed")) ? "was" : "unchanged from",
		       ctl_str(res, "previous"), ctl_num(res, "files"), ctl_num(res, "rules"));
	json_decref(res);
	return 0;
}

int ctl_log_rotate(struct ctl *o, int argc, char **argv)
{
	json_t *res = NULL;
	int r = no_args(o, argc, argv);
	if (r < 0)
		return 0; /* --help was shown */
	if (r == 0)
		r = ctl_call(o, GUARD_METHOD_ROTATE_LOG, NULL, &res, NULL);
	if (r != 0 || !res)
		return r ? r : EXIT_UNDECIDED;
	if (o->json)
		ctl_print_json(json_incref(res));
	else
		printf("rotated: %s is now %s (last record seq %lld); a new %s continues the "
		       "chain\n",
		       ctl_str(res, "file"), ctl_str(res, "rotated_to"), ctl_num(res, "seq"),
		       ctl_str(res, "file"));
	json_decref(res);
	return 0;
}
