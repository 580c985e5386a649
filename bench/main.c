/* main.c: guard-bench's command line: builds the Check call once, points the
 * load at guardd or at the built-in echo server, and prints the figures. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "guard/protocol.h"

#define DEFAULT_ARGV "rm -rf /tmp/x"

/* Bounds that keep a typo from allocating gigabytes of samples. */
#define MAX_CLIENTS 1024
#define MAX_CALLS   10000000UL
#define MAX_SAMPLES 100000000UL

struct options {
	const char *socket;
	const char *argv;
	unsigned clients, calls, warmup;
	unsigned timeout_ms;
	bool echo, keep_alive, json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: guard-bench [OPTIONS]\n"
		"Measures how fast guardd answers io.guard.Check: CLIENTS concurrent clients\n"
		"each make CALLS calls the way `guard` does (connect, send one call, read the\n"
		"reply, close). Every reply is checked; failures are counted and shown.\n"
		"Prints numbers; it never passes or fails on them.\n\n"
		"  -s, --socket PATH     guardd's socket (default $%s,\n"
		"                        else %s)\n"
		"  -e, --echo            measure the floor instead: a built-in echo server on a\n"
		"                        private socket (one epoll thread, sends each message\n"
		"                        back), driven by exactly the same client work\n"
		"  -c, --clients N       concurrent clients, one thread each (default 16)\n"
		"  -n, --calls N         measured calls per client (default 2000)\n"
		"  -w, --warmup N        unmeasured calls per client before the clock starts\n"
		"                        (default 50)\n"
		"  -a, --argv 'CMD ARG'  the command asked about, split on blanks, no quoting\n"
		"                        (default '%s'); program is /usr/bin/CMD unless CMD\n"
		"                        is absolute\n"
		"  -k, --keep-alive      one connection per client for all its calls; the\n"
		"                        connect is then outside the measured time\n"
		"  -t, --timeout MS      connect/send/receive timeout per call (default 5000)\n"
		"  -j, --json            print one JSON object per run instead of a line\n"
		"  -h, --help            show this help\n\n"
		"Latency is per call (CLOCK_MONOTONIC around connect+send+receive+close),\n"
		"percentiles over all successful calls; throughput is successful calls per\n"
		"second of wall time. Exit status: 0 when it ran (failed calls are in the\n"
		"figures), 1 when it could not run at all, 2 on bad usage.\n",
		GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET, DEFAULT_ARGV);
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* Applies one option. Returns 0, 1 for --help, or -EINVAL. */
static int parse_one(int c, const char *arg, struct options *o)
{
	switch (c) {
	case 's':
		o->socket = arg;
		return 0;
	case 'e':
		o->echo = true;
		return 0;
	case 'c':
		return parse_uint(arg, 1, MAX_CLIENTS, &o->clients);
	case 'n':
		return parse_uint(arg, 1, MAX_CALLS, &o->calls);
	case 'w':
		return parse_uint(arg, 0, MAX_CALLS, &o->warmup);
	case 'a':
		o->argv = arg;
		return 0;
	case 'k':
		o->keep_alive = true;
		return 0;
	case 't':
		return parse_uint(arg, 1, 600000, &o->timeout_ms);
	case 'j':
		o->json = true;
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	default:
		return -EINVAL;
	}
}

/* Returns 0 to run, 1 to exit successfully (help), or -EINVAL (reported). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"echo", no_argument, NULL, 'e'},
		{"clients", required_argument, NULL, 'c'},
		{"calls", required_argument, NULL, 'n'},
		{"warmup", required_argument, NULL, 'w'},
		{"argv", required_argument, NULL, 'a'},
		{"keep-alive", no_argument, NULL, 'k'},
		{"timeout", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "s:ec:n:w:a:kt:jh", opts, NULL)) != -1) {
		int r = parse_one(c, optarg, o);
		if (r == -EINVAL && c != '?')
			fprintf(stderr, "guard-bench: invalid value for -%c: %s\n", c, optarg);
		if (r != 0)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "guard-bench: unexpected argument: %s\n", argv[optind]);
		return -EINVAL;
	}
	if (o->argv[strspn(o->argv, " \t")] == '\0') {
		fprintf(stderr, "guard-bench: --argv must name a command\n");
		return -EINVAL;
	}
	if ((unsigned long)o->clients * o->calls > MAX_SAMPLES) {
		fprintf(stderr, "guard-bench: %u clients x %u calls is more than %lu samples\n",
			o->clients, o->calls, MAX_SAMPLES);
		return -EINVAL;
	}
	return 0;
}

/* The argv array of --argv, split on blanks. NULL when empty or out of memory. */
static json_t *split_argv(const char *s)
{
	json_t *a = json_array();
	while (a && *s) {
		size_t skip = strspn(s, " \t"), len = strcspn(s + skip, " \t");
		if (len > 0 && json_array_append_new(a, json_stringn(s + skip, len)) < 0) {
			json_decref(a);
			return NULL;
		}
		s += skip + len;
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* The io.guard.Check call guard would send for the command, built once and
 * shared by every client. Returns the text (caller frees) or NULL. */
static char *build_message(const char *cmd)
{
	json_t *argv = split_argv(cmd);
	if (!argv)
		return NULL;
	const char *argv0 = json_string_value(json_array_get(argv, 0));
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	char program[GUARD_MAX_PATH_LEN];
	snprintf(program, sizeof program, "%s%s", argv0[0] == '/' ? "" : "/usr/bin/",
		 argv0[0] == '/' ? argv0 : base);
	json_t *call = json_pack("{s:s,s:{s:o,s:s,s:s,s:n,s:b}}", "method", GUARD_METHOD_CHECK,
				 "parameters", "argv", argv, "program", program, "cwd", "/tmp",
				 "tty", "check", 1);
	char *s = call ? json_dumps(call, JSON_COMPACT) : NULL;
	json_decref(call);
	if (s && strlen(s) > GUARD_MAX_MESSAGE) {
		free(s);
		s = NULL;
	}
	return s;
}

/* Set by SIGINT/SIGTERM: the clients stop, and the echo server's socket and
 * directory are removed on the way out instead of being left in /tmp. */
static atomic_bool stop_requested;

static void on_stop_signal(int sig)
{
	atomic_store(&stop_requested, true);
}

/* Without SA_RESTART, so a client blocked in recv() sees EINTR and checks. */
static void catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A server that hangs up mid-send must count as an error, not kill us;
	 * sends also use MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
}

static void report(const struct options *o, const char *path, const struct load_config *cfg,
		   const struct load_result *res)
{
	struct report_run run = {
		.target = o->echo ? "echo" : "guardd",
		.socket = path,
		.argv = o->argv,
		.cfg = cfg,
		.res = res,
	};
	if (!o->json)
		report_text(&run);
	else if (report_json(&run) < 0)
		fprintf(stderr, "guard-bench: out of memory formatting the figures\n");
}

/* Probes once, so an unreachable or misconfigured server is one clear error
 * instead of a run of failures, then measures. */
static int measure(const struct options *o, const char *path, struct load_config *cfg)
{
	char err[256];
	struct load_result res;
	if (load_address(path, &cfg->addr) < 0) {
		fprintf(stderr, "guard-bench: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	int r = load_probe(cfg, err, sizeof err);
	if (r < 0) {
		fprintf(stderr, "guard-bench: cannot run against %s: %s\n", path, err);
		return r;
	}
	r = load_run(cfg, &res);
	if (r == -EINTR) {
		fprintf(stderr, "guard-bench: interrupted\n");
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "guard-bench: cannot run the clients: %s\n", strerror(-r));
		return r;
	}
	report(o, path, cfg, &res);
	return 0;
}

static int run(const struct options *o)
{
	char *msg = build_message(o->argv);
	if (!msg) {
		fprintf(stderr, "guard-bench: cannot build the call for '%s'\n", o->argv);
		return -EINVAL;
	}
	struct load_config cfg = {
		.message = msg,
		.message_len = strlen(msg) + 1,
		.echo = o->echo,
		.keep_alive = o->keep_alive,
		.clients = o->clients,
		.calls = o->calls,
		.warmup = o->warmup,
		.timeout_ms = (int)o->timeout_ms,
		.stop = &stop_requested,
	};
	struct echo *e = NULL;
	char err[256];
	int r = 0;
	if (o->echo && (r = echo_start(&e, err, sizeof err)) < 0)
		fprintf(stderr, "guard-bench: %s\n", err);
	if (r == 0)
		r = measure(o, e ? echo_path(e) : o->socket, &cfg);
	echo_stop(e);
	free(msg);
	return r;
}

int main(int argc, char **argv)
{
	const char *env = getenv(GUARD_SOCKET_ENV);
	struct options o = {
		.socket = env && *env ? env : GUARD_DEFAULT_SOCKET,
		.argv = DEFAULT_ARGV,
		.clients = 16,
		.calls = 2000,
		.warmup = 50,
		.timeout_ms = 5000,
	};
	int r = parse_args(argc, argv, &o);
	if (r != 0) {
		if (r < 0)
			fprintf(stderr, "Try 'guard-bench --help'.\n");
		return r < 0 ? 2 : 0;
	}
	catch_stop_signals();
	return run(&o) < 0 ? 1 : 0;
}
