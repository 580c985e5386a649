/* main.c: guardd's command line; everything else lives in manager.c. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: guardd [OPTIONS]\n"
		"The guard policy daemon: answers whether a command may run, and records\n"
		"every decision before it answers. Runs in the foreground.\n\n"
		"  -p, --policy DIR            policy directory (default %s)\n"
		"  -s, --socket PATH           listening socket (default $%s, else %s)\n"
		"  -a, --audit-log FILE        decision log (default %s)\n"
		"      --max-connections N     connections in all (default 1024)\n"
		"      --max-connections-per-uid N\n"
		"                              connections of one user (default 64)\n"
		"      --idle-timeout SEC      close connections idle this long (default 30)\n"
		"      --admin-group GROUP     members may reload (root always may)\n"
		"  -v, --verbose               also log connections opened and closed\n"
		"  -h, --help                  show this help\n"
		"  -V, --version               show the version\n\n"
		"See guardd(8) and guard-policy(5).\n",
		GUARD_DEFAULT_POLICY, GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET,
		GUARD_DEFAULT_AUDIT_LOG);
}

static int parse_uint(const char *s, unsigned *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 1000000 || s[0] == '-')
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *s, double *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 86400))
		return -EINVAL;
	*ret = v;
	return 0;
}

enum { OPT_MAX_CONNS = 256, OPT_MAX_PER_UID, OPT_IDLE, OPT_ADMIN_GROUP };

/* Returns 0 to run, 1 to exit successfully (help), or -EINVAL. */
static int parse_args(int argc, char **argv, struct manager_config *cfg, enum log_level *level)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"audit-log", required_argument, NULL, 'a'},
		{"max-connections", required_argument, NULL, OPT_MAX_CONNS},
		{"max-connections-per-uid", required_argument, NULL, OPT_MAX_PER_UID},
		{"idle-timeout", required_argument, NULL, OPT_IDLE},
		{"admin-group", required_argument, NULL, OPT_ADMIN_GROUP},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int c, idx = 0, r = 0;
	while (r == 0 && (c = getopt_long(argc, argv, "p:s:a:vhV", opts, &idx)) != -1) {
		switch (c) {
		case 'p':
			cfg->policy_dir = optarg;
			break;
		case 's':
			cfg->socket_path = optarg;
			break;
		case 'a':
			cfg->audit_path = optarg;
			break;
		case OPT_MAX_CONNS:
			r = parse_uint(optarg, &cfg->max_conns);
			break;
		case OPT_MAX_PER_UID:
			r = parse_uint(optarg, &cfg->max_conns_per_uid);
			break;
		case OPT_IDLE:
			r = parse_seconds(optarg, &cfg->idle_timeout);
			break;
		case OPT_ADMIN_GROUP:
			cfg->admin_group = optarg;
			break;
		case 'v':
			*level = LOG_LEVEL_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("guardd %s\n", GUARD_VERSION);
			return 1;
		default:
			return -EINVAL;
		}
		if (r < 0)
			log_error("invalid value for --%s: %s", opts[idx].name, optarg);
	}
	if (r == 0 && optind < argc) {
		log_error("unexpected argument: %s", argv[optind]);
		r = -EINVAL;
	}
	return r;
}

int main(int argc, char **argv)
{
	const char *env_socket = getenv(GUARD_SOCKET_ENV);
	struct manager_config cfg = {
		.socket_path = env_socket && *env_socket ? env_socket : GUARD_DEFAULT_SOCKET,
		.policy_dir = GUARD_DEFAULT_POLICY,
		.audit_path = GUARD_DEFAULT_AUDIT_LOG,
		.max_conns = 1024,
		.max_conns_per_uid = 64,
		.idle_timeout = 30.0,
	};
	enum log_level level = LOG_LEVEL_INFO;
	log_setup("guardd", level);
	int r = parse_args(argc, argv, &cfg, &level);
	if (r != 0) {
		if (r < 0)
			fprintf(stderr, "Try 'guardd --help'.\n");
		return r < 0 ? 2 : 0;
	}
	log_setup("guardd", level);
	/* A client that hangs up must not kill us (sends also use MSG_NOSIGNAL), and
	 * a log over the file size limit must give EFBIG, a deny, not a dead daemon. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	struct manager *m;
	if (manager_new(&cfg, &m) < 0)
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r < 0 ? 1 : 0;
}
