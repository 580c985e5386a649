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
#include "sandbox.h"
#include "settings.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: guardd [OPTIONS]\n"
		"The guard policy daemon: answers whether a command may run, and records\n"
		"every decision before it answers. Runs in the foreground.\n\n"
		"  -c, --config FILE           read settings from this JSON file (default: none);\n"
		"                              the options below override it\n"
		"  -p, --policy DIR            policy directory (default %s)\n"
		"  -s, --socket PATH           listening socket (default $%s, else %s)\n"
		"  -a, --audit-log FILE        decision log (default %s)\n"
		"      --sync always|none      fdatasync before answering (default always)\n"
		"      --syslog                also send each record to syslog (the journal)\n"
		"      --syslog-socket PATH    the syslog socket (default /dev/log)\n"
		"      --redact REGEX          also redact what this matches in arguments\n"
		"                              (repeatable; added to the file's patterns)\n"
		"      --max-connections N     connections in all (default 1024)\n"
		"      --max-connections-per-uid N\n"
		"                              connections of one user (default 64)\n"
		"      --idle-timeout SEC      close connections idle this long (default 30)\n"
		"      --admin-group GROUP     members may reload (root always may)\n"
		"      --spool-dir DIR         take in guard's break-glass records from DIR\n"
		"                              (default %s)\n"
		"      --state-dir DIR         keep pending approval requests in DIR\n"
		"                              (default %s)\n"
		"      --seccomp deny|kill|off what a system call off guardd's allow-list\n"
		"                              gets: EPERM (default), death, or no filter\n"
		"      --list-syscalls         print the allow-list and exit\n"
		"  -v, --verbose               also log connections opened and closed\n"
		"  -h, --help                  show this help\n"
		"  -V, --version               show the version\n\n"
		"See guardd(8) and guard-policy(5).\n",
		GUARD_DEFAULT_POLICY, GUARD_SOCKET_ENV, GUARD_DEFAULT_SOCKET,
		GUARD_DEFAULT_AUDIT_LOG, GUARD_DEFAULT_SPOOL_DIR, GUARD_DEFAULT_STATE_DIR);
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

static int parse_sync(const char *s, enum audit_sync *ret)
{
	if (strcmp(s, "always") == 0)
		*ret = AUDIT_SYNC_ALWAYS;
	else if (strcmp(s, "none") == 0)
		*ret = AUDIT_SYNC_NONE;
	else
		return -EINVAL;
	return 0;
}

/* What the command line gave. It is applied after the configuration file, so that it
 * overrides it; NULL, 0 and false stand for "not given". */
struct options {
	const char *config;
	struct manager_config set;
	bool has_sync;
	bool has_seccomp;
	const char **redact; /* argv strings, added to the file's patterns */
	size_t n_redact;
};

static int parse_redact(struct options *o, const char *pattern)
{
	char why[256];
	const char *problem = settings_regex_problem(pattern, why, sizeof why);
	if (problem) {
		log_error("invalid value for --redact: '%s': %s", pattern, problem);
		return -EINVAL;
	}
	o->redact[o->n_redact++] = pattern;
	return 0;
}

enum {
	OPT_MAX_CONNS = 256,
	OPT_MAX_PER_UID,
	OPT_IDLE,
	OPT_ADMIN_GROUP,
	OPT_SYNC,
	OPT_SYSLOG,
	OPT_SYSLOG_SOCKET,
	OPT_REDACT,
	OPT_SPOOL_DIR,
	OPT_STATE_DIR,
	OPT_SECCOMP,
	OPT_LIST_SYSCALLS,
};

/* Returns 0 to run, 1 to exit successfully (help), or -EINVAL. */
static int parse_args(int argc, char **argv, struct options *o, enum log_level *level)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"policy", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"audit-log", required_argument, NULL, 'a'},
		{"sync", required_argument, NULL, OPT_SYNC},
		{"syslog", no_argument, NULL, OPT_SYSLOG},
		{"syslog-socket", required_argument, NULL, OPT_SYSLOG_SOCKET},
		{"redact", required_argument, NULL, OPT_REDACT},
		{"max-connections", required_argument, NULL, OPT_MAX_CONNS},
		{"max-connections-per-uid", required_argument, NULL, OPT_MAX_PER_UID},
		{"idle-timeout", required_argument, NULL, OPT_IDLE},
		{"admin-group", required_argument, NULL, OPT_ADMIN_GROUP},
		{"spool-dir", required_argument, NULL, OPT_SPOOL_DIR},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"seccomp", required_argument, NULL, OPT_SECCOMP},
		{"list-syscalls", no_argument, NULL, OPT_LIST_SYSCALLS},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct manager_config *set = &o->set;
	int c, idx = 0, r = 0;
	/* At most one pattern an argument. */
	o->redact = calloc((size_t)argc, sizeof *o->redact);
	if (!o->redact)
		return log_errno(-ENOMEM, "cannot start");
	while (r == 0 && (c = getopt_long(argc, argv, "c:p:s:a:vhV", opts, &idx)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'p':
			set->policy_dir = optarg;
			break;
		case 's':
			set->socket_path = optarg;
			break;
		case 'a':
			set->audit_path = optarg;
			break;
		case OPT_SYNC:
			r = parse_sync(optarg, &set->sync);
			o->has_sync = true;
			break;
		case OPT_SYSLOG:
			set->syslog = true;
			break;
		case OPT_SYSLOG_SOCKET:
			set->syslog_socket = optarg;
			break;
		case OPT_REDACT:
			/* It says what is wrong with the pattern itself. */
			if (parse_redact(o, optarg) < 0)
				return -EINVAL;
			break;
		case OPT_MAX_CONNS:
			r = parse_uint(optarg, &set->max_conns);
			break;
		case OPT_MAX_PER_UID:
			r = parse_uint(optarg, &set->max_conns_per_uid);
			break;
		case OPT_IDLE:
			r = parse_seconds(optarg, &set->idle_timeout);
			break;
		case OPT_ADMIN_GROUP:
			set->admin_group = optarg;
			break;
		case OPT_SPOOL_DIR:
			r = optarg[0] == '/' ? 0 : -EINVAL;
			set->spool_dir = optarg;
			break;
		case OPT_STATE_DIR:
			r = optarg[0] == '/' ? 0 : -EINVAL;
			set->state_dir = optarg;
			break;
		case OPT_SECCOMP:
			r = sandbox_mode_from_string(optarg, &set->seccomp);
			o->has_seccomp = true;
			break;
		case OPT_LIST_SYSCALLS:
			sandbox_list(stdout);
			return 1;
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

static void apply_options(const struct options *o, struct manager_config *cfg)
{
	const struct manager_config *set = &o->set;
	if (set->policy_dir)
		cfg->policy_dir = set->policy_dir;
	if (set->socket_path)
		cfg->socket_path = set->socket_path;
	if (set->audit_path)
		cfg->audit_path = set->audit_path;
	if (o->has_sync)
		cfg->sync = set->sync;
	if (set->syslog)
		cfg->syslog = true;
	if (set->syslog_socket)
		cfg->syslog_socket = set->syslog_socket;
	if (set->max_conns)
		cfg->max_conns = set->max_conns;
	if (set->max_conns_per_uid)
		cfg->max_conns_per_uid = set->max_conns_per_uid;
	if (set->idle_timeout > 0)
		cfg->idle_timeout = set->idle_timeout;
	if (set->admin_group)
		cfg->admin_group = set->admin_group;
	if (set->spool_dir)
		cfg->spool_dir = set->spool_dir;
	if (set->state_dir)
		cfg->state_dir = set->state_dir;
	if (o->has_seccomp)
		cfg->seccomp = set->seccomp;
}

static int load_settings(struct settings *s, const char *path, struct manager_config *cfg)
{
	int r = settings_load(s, path, cfg);
	if (r == 0) {
		log_info("settings from %s", path);
		return 0;
	}
	size_t n;
	const char *const *errs = settings_errors(s, &n);
	for (size_t i = 0; i < n; i++)
		log_error("%s", errs[i]);
	if (r == -ENOMEM)
		return log_errno(r, "refusing to start: cannot read the configuration file %s",
				 path);
	log_error("refusing to start: cannot use the configuration file %s", path);
	return r;
}

/* The defaults, then the configuration file, then the command line; the strings cfg
 * then points to live in *ret and argv. Logs what went wrong. */
static int configure(const struct options *o, struct manager_config *cfg, struct settings **ret)
{
	struct settings *s;
	int r = settings_new(&s);
	if (r < 0)
		return log_errno(r, "cannot start");
	if (o->config)
		r = load_settings(s, o->config, cfg);
	if (r == 0)
		apply_options(o, cfg);
	for (size_t i = 0; r == 0 && i < o->n_redact; i++) {
		r = settings_add_redact(s, cfg, o->redact[i]);
		if (r == -EINVAL)
			log_error("refusing to start: more than %d redaction patterns",
				  SETTINGS_REDACT_MAX);
		else if (r < 0)
			log_errno(r, "cannot start");
	}
	if (r < 0) {
		settings_free(s);
		return r;
	}
	/* $GUARD_SOCKET is for pointing clients at a daemon: it counts only when neither
	 * the command line nor the configuration file names the socket. */
	if (!cfg->socket_path) {
		const char *env_socket = getenv(GUARD_SOCKET_ENV);
		cfg->socket_path = env_socket && *env_socket ? env_socket : GUARD_DEFAULT_SOCKET;
	}
	*ret = s;
	return 0;
}

int main(int argc, char **argv)
{
	struct manager_config cfg = {
		.policy_dir = GUARD_DEFAULT_POLICY,
		.audit_path = GUARD_DEFAULT_AUDIT_LOG,
		.sync = AUDIT_SYNC_ALWAYS,
		.max_conns = 1024,
		.max_conns_per_uid = 64,
		.idle_timeout = 30.0,
		.spool_dir = GUARD_DEFAULT_SPOOL_DIR,
		.state_dir = GUARD_DEFAULT_STATE_DIR,
	};
	struct options o = {0};
	struct settings *s = NULL;
	struct manager *m = NULL;
	enum log_level level = LOG_LEVEL_INFO;
	log_setup("guardd", level);
	int r = parse_args(argc, argv, &o, &level);
	if (r != 0) {
		if (r < 0)
			fprintf(stderr, "Try 'guardd --help'.\n");
		free(o.redact);
		return r < 0 ? 2 : 0;
	}
	log_setup("guardd", level);
	/* A client that hangs up must not kill us (sends also use MSG_NOSIGNAL), and
	 * a log over the file size limit must give EFBIG, a deny, not a dead daemon. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	r = configure(&o, &cfg, &s);
	if (r == 0)
		r = manager_new(&cfg, &m);
	if (r == 0)
		r = manager_run(m);
	manager_free(m);
	settings_free(s);
	free(o.redact);
	return r < 0 ? 1 : 0;
}
