/* settings.c: reading guardd's configuration file into struct manager_config: the
 * file vetted as policy files are (owner, mode, type, size, on the opened descriptor),
 * then every key checked, and every problem reported rather than the first.
 *
 * The format (guardd(8) is written from this); every key is optional:
 *
 *   "policy"                   absolute path of the policy directory
 *   "socket"                   absolute path of the listening socket (< 108 bytes)
 *   "audit_log"                absolute path of the decision log
 *   "sync"                     "always" or "none"
 *   "syslog"                   true or false
 *   "syslog_socket"            absolute path of the syslog socket (< 108 bytes)
 *   "redact"                   array of POSIX extended regexes
 *   "max_connections"          whole number, 1 to 1000000
 *   "max_connections_per_uid"  whole number, 1 to 1000000
 *   "idle_timeout"             seconds, more than 0, at most 86400
 *   "admin_group"              group name or decimal gid
 *   "spool_dir"                absolute path of guard's break-glass spool
 *   "state_dir"                absolute path of the directory of guardd's state
 *                              (the approval requests)
 *   "break_glass"              true or false: whether anyone may break glass
 *   "break_glass_deny_users"   array of user names and uids who may not
 *   "seccomp"                  "deny", "kill" or "off" (sandbox.h)
 */
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdio.h"
#include "guard/policy.h"
#include "policy/regex-cost.h"

/* As the command line's --max-connections and --idle-timeout allow. */
#define COUNT_MAX   1000000
#define SECONDS_MAX 86400
/* Bytes of a string quoted in an error line. */
#define QUOTE_MAX    128
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

struct settings {
	json_t *doc; /* the file's strings point into it */
	const char **redact;
	size_t n_redact;
	char **deny; /* break_glass_deny_users, as strings */
	size_t n_deny;
	struct policy_errors errors;
};

/* One file being read: the values go to cfg, a copy, until all of them are good. */
struct parser {
	struct settings *s;
	const char *file;
	struct manager_config cfg;
	const char **redact; /* the file's "redact", owned here until it is all good */
	size_t n_redact;
	char **deny; /* the file's "break_glass_deny_users", likewise */
	size_t n_deny;
	int r; /* 0, -EINVAL once a problem is reported, or -ENOMEM */
};

int settings_new(struct settings **ret)
{
	struct settings *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void settings_free(struct settings *s)
{
	if (!s)
		return;
	policy_errors_clear(&s->errors);
	strv_free(s->deny, s->n_deny);
	free(s->redact);
	json_decref(s->doc);
	free(s);
}

const char *const *settings_errors(const struct settings *s, size_t *n)
{
	*n = s->errors.n;
	return (const char *const *)s->errors.lines;
}

/* "FILE: key: text" (or "FILE: text" without a key); the parse is then -EINVAL. */
__attribute__((format(printf, 3, 4))) static void report(struct parser *p, const char *key,
							 const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int k;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (key)
		k = policy_errors_addf(&p->s->errors, "%s: %s: %s", p->file, key, text);
	else
		k = policy_errors_addf(&p->s->errors, "%s: %s", p->file, text);
	if (k < 0)
		p->r = k;
	else if (p->r == 0)
		p->r = -EINVAL;
}

/* s as a double-quoted string with '"', '\' and control characters escaped, cut with
 * "..." to fit size (at least 8): the file's text stays on one line and bounded. */
static void quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	buf[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char out[8];
		int n;

		if (c < 0x20 || c == 0x7f)
			n = snprintf(out, sizeof(out), "\\u%04x", c);
		else if (c == '"' || c == '\\')
			n = snprintf(out, sizeof(out), "\\%c", c);
		else
			n = snprintf(out, sizeof(out), "%c", c);
		/* Not inside a UTF-8 sequence: cut before its lead byte. */
		if (o + (size_t)n + 5 > size || (c >= 0xc0 && o + 4 + 5 > size)) {
			memcpy(buf + o, "\"...", 5);
			return;
		}
		memcpy(buf + o, out, (size_t)n);
		o += (size_t)n;
	}
	memcpy(buf + o, "\"", 2);
}

const char *settings_regex_problem(const char *pattern, char *buf, size_t size)
{
	regex_t re;
	int k;

	if (!*pattern)
		return "an empty pattern matches everything";
	if (strlen(pattern) > SETTINGS_REGEX_MAX)
		return "longer than 1024 bytes";
	if (policy_regex_has_backreference(pattern))
		return "back-references (\"\\1\") are not allowed";
	/* regcomp() copies what is repeated; stacked repeats multiply ("a+++", "(a{9}){9}"). */
	if (policy_regex_cost(pattern) > POLICY_REGEX_COST_MAX)
		return "its repetitions make it too large to compile (at most a{4000} or so)";
	k = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (k == 0) {
		regfree(&re);
		return NULL;
	}
	regerror(k, &re, buf, size);
	/* POSIX leaves re undefined after a failure; glibc has freed what it took. */
	return buf;
}

static const char *string(struct parser *p, const char *key, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s)
		report(p, key, "expected a string");
	else if (!*s)
		report(p, key, "empty string");
	else
		return s;
	return NULL;
}

/* An absolute path of at most max bytes: a relative one would depend on the directory
 * guardd happens to be started in. */
static void path(struct parser *p, const char *key, json_t *v, size_t max, const char **ret)
{
	const char *s = string(p, key, v);

	if (!s)
		return;
	if (s[0] != '/')
		report(p, key, "expected an absolute path");
	else if (strlen(s) > max)
		report(p, key, "longer than %zu bytes, the most %s", max,
		       max == SUN_PATH_MAX ? "a socket address holds" : "a path may have");
	else
		*ret = s;
}

static void parse_policy(struct parser *p, const char *key, json_t *v)
{
	path(p, key, v, PATH_MAX - 1, &p->cfg.policy_dir);
}

static void parse_socket(struct parser *p, const char *key, json_t *v)
{
	path(p, key, v, SUN_PATH_MAX, &p->cfg.socket_path);
}

static void parse_audit_log(struct parser *p, const char *key, json_t *v)
{
	path(p, key, v, PATH_MAX - 1, &p->cfg.audit_path);
}

static void parse_syslog_socket(struct parser *p, const char *key, json_t *v)
{
	path(p, key, v, SUN_PATH_MAX, &p->cfg.syslog_socket);
}

static void parse_admin_group(struct parser *p, const char *key, json_t *v)
{
	const char *s = string(p, key, v);

	if (s)
		p->cfg.admin_group = s;
}

static void parse_sync(struct parser *p, const char *key, json_t *v)
{
	const char *s = json_string_value(v);

	if (s && strcmp(s, "always") == 0)
		p->cfg.sync = AUDIT_SYNC_ALWAYS;
	else if (s && strcmp(s, "none") == 0)
		p->cfg.sync = AUDIT_SYNC_NONE;
	else
		report(p, key, "expected \"always\" or \"none\"");
}

static void parse_seccomp(struct parser *p, const char *key, json_t *v)
{
	const char *s = json_string_value(v);
	if (!s || sandbox_mode_from_string(s, &p->cfg.seccomp) < 0)
		report(p, key, "expected \"deny\", \"kill\" or \"off\"");
}

static void parse_syslog(struct parser *p, const char *key, json_t *v)
{
	if (json_is_boolean(v))
		p->cfg.syslog = json_is_true(v);
	else
		report(p, key, "expected true or false");
}

static void count(struct parser *p, const char *key, json_t *v, unsigned *ret)
{
	json_int_t n = json_integer_value(v);

	if (!json_is_integer(v) || n < 1 || n > COUNT_MAX)
		report(p, key, "expected a whole number from 1 to %d", COUNT_MAX);
	else
		*ret = (unsigned)n;
}

static void parse_max_connections(struct parser *p, const char *key, json_t *v)
{
	count(p, key, v, &p->cfg.max_conns);
}

static void parse_max_connections_per_uid(struct parser *p, const char *key, json_t *v)
{
	count(p, key, v, &p->cfg.max_conns_per_uid);
}

static void parse_idle_timeout(struct parser *p, const char *key, json_t *v)
{
	double t = json_number_value(v);

	if (!json_is_number(v) || !(t > 0 && t <= SECONDS_MAX))
		report(p, key, "expected a number of seconds, more than 0 and at most %d",
		       SECONDS_MAX);
	else
		p->cfg.idle_timeout = t;
}

static void redact_one(struct parser *p, size_t i, json_t *v)
{
	char key[32], q[QUOTE_MAX], why[256];
	const char *s, *problem;

	snprintf(key, sizeof(key), "redact[%zu]", i);
	s = string(p, key, v);
	if (!s)
		return;
	problem = settings_regex_problem(s, why, sizeof(why));
	if (problem) {
		quote(s, q, sizeof(q));
		report(p, key, "invalid regex %s: %s", q, problem);
		return;
	}
	p->redact[p->n_redact++] = s;
}

static void parse_redact(struct parser *p, const char *key, json_t *v)
{
	size_t n = json_array_size(v);
	json_t *e;
	size_t i;

	if (!json_is_array(v)) {
		report(p, key, "expected an array of regexes");
		return;
	}
	if (n > SETTINGS_REDACT_MAX) {
		report(p, key, "more than %d patterns", SETTINGS_REDACT_MAX);
		return;
	}
	free(p->redact);
	p->n_redact = 0;
	p->redact = malloc((n ? n : 1) * sizeof(*p->redact));
	if (!p->redact) {
		p->r = -ENOMEM;
		return;
	}
	json_array_foreach(v, i, e) redact_one(p, i, e);
}

static void parse_spool_dir(struct parser *p, const char *key, json_t *v)
{
	path(p, key, v, PATH_MAX - 1, &p->cfg.spool_dir);
}

/* Room for "/approvals.json.broken-YYYYmmddTHHMMSSZ" after it. */
static void parse_state_dir(struct parser *p, const char *key, json_t *v)
{
	path(p, key, v, PATH_MAX - 64, &p->cfg.state_dir);
}

static void parse_break_glass(struct parser *p, const char *key, json_t *v)
{
	if (json_is_boolean(v))
		p->cfg.no_break_glass = json_is_false(v);
	else
		report(p, key, "expected true or false");
}

/* One user: a name, or a uid as a number or a decimal string; kept as a string. */
static void deny_one(struct parser *p, size_t i, json_t *v)
{
	char key[48], *copy = NULL;
	json_int_t uid = json_integer_value(v);
	const char *s = json_string_value(v);

	snprintf(key, sizeof(key), "break_glass_deny_users[%zu]", i);
	if (json_is_integer(v) && uid >= 0 && uid < (json_int_t)UINT32_MAX) {
		if (asprintf(&copy, "%lld", (long long)uid) < 0)
			copy = NULL;
	} else if (s && *s && strlen(s) <= SETTINGS_USER_MAX && !strchr(s, ':')) {
		copy = strdup(s);
	} else {
		report(p, key, "expected a user name or a uid");
		return;
	}
	if (!copy)
		p->r = -ENOMEM;
	else
		p->deny[p->n_deny++] = copy;
}

static void parse_break_glass_deny_users(struct parser *p, const char *key, json_t *v)
{
	size_t n = json_array_size(v), i;
	json_t *e;

	if (!json_is_array(v)) {
		report(p, key, "expected an array of user names and uids");
		return;
	}
	if (n > SETTINGS_DENY_MAX) {
		report(p, key, "more than %d users", SETTINGS_DENY_MAX);
		return;
	}
	strv_free(p->deny, p->n_deny);
	p->n_deny = 0;
	p->deny = malloc((n ? n : 1) * sizeof(*p->deny));
	if (!p->deny) {
		p->r = -ENOMEM;
		return;
	}
	json_array_foreach(v, i, e) deny_one(p, i, e);
}

static const struct key {
	const char *name;
	void (*parse)(struct parser *p, const char *key, json_t *v);
} keys[] = {
	{"policy", parse_policy},
	{"socket", parse_socket},
	{"audit_log", parse_audit_log},
	{"sync", parse_sync},
	{"syslog", parse_syslog},
	{"syslog_socket", parse_syslog_socket},
	{"redact", parse_redact},
	{"max_connections", parse_max_connections},
	{"max_connections_per_uid", parse_max_connections_per_uid},
	{"idle_timeout", parse_idle_timeout},
	{"admin_group", parse_admin_group},
	{"spool_dir", parse_spool_dir},
	{"state_dir", parse_state_dir},
	{"break_glass", parse_break_glass},
	{"break_glass_deny_users", parse_break_glass_deny_users},
	{"seccomp", parse_seccomp},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static void unknown_key(struct parser *p, const char *name)
{
	char valid[512] = "", q[QUOTE_MAX];

	for (size_t i = 0; i < N_KEYS; i++)
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
			 i ? ", " : "", keys[i].name);
	quote(name, q, sizeof(q));
	report(p, NULL, "unknown key %s (valid: %s)", q, valid);
}

static void parse_top(struct parser *p, json_t *doc)
{
	const char *name;
	json_t *v;

	if (!json_is_object(doc)) {
		report(p, NULL, "expected an object at the top level");
		return;
	}
	json_object_foreach(doc, name, v)
	{
		size_t i = 0;

		while (i < N_KEYS && strcmp(name, keys[i].name) != 0)
			i++;
		if (i == N_KEYS)
			unknown_key(p, name);
		else
			keys[i].parse(p, name, v);
		if (p->r == -ENOMEM)
			return;
	}
}

static void syntax_error(struct parser *p, json_error_t *je)
{
	if (json_error_code(je) == json_error_out_of_memory) {
		p->r = -ENOMEM;
		return;
	}
	int k = policy_errors_add_syntax(&p->s->errors, p->file, je->line, je->column, je->text);
	p->r = k < 0 ? k : -EINVAL;
}

/* The same owner and mode as policy files (policy_check_owner_mode()). */
static int check_file(struct parser *p, const struct stat *st)
{
	if (!S_ISREG(st->st_mode)) {
		report(p, NULL, "not a regular file; refusing it");
		return p->r = p->r == -ENOMEM ? -ENOMEM : -EPERM;
	}
	int r = policy_check_owner_mode(&p->s->errors, p->file, st);
	if (r < 0)
		return p->r = r;
	if (st->st_size > SETTINGS_FILE_MAX) {
		report(p, NULL, "larger than 64 KiB (%jd bytes); refusing it",
		       (intmax_t)st->st_size);
		return p->r;
	}
	return 0;
}

static void report_errno(struct parser *p, int r)
{
	if (r == -ENOMEM) {
		p->r = r;
		return;
	}
	report(p, NULL, "%s", strerror(-r));
	p->r = r;
}

/* The file's contents, vetted; NULL with p->r set if it is refused or unreadable. */
static char *read_file(struct parser *p, size_t *size)
{
	/* O_NONBLOCK: a FIFO in its place must not hang the start; it is refused right
	 * after as not a regular file. */
	int fd = open(p->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	char *data = NULL;
	struct stat st;
	int r;

	if (fd < 0) {
		report_errno(p, -errno);
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		r = -errno;
	else
		r = check_file(p, &st);
	/* -EFBIG: the file grew after fstat(). */
	if (r == 0)
		r = fdio_read_max(fd, SETTINGS_FILE_MAX, &data, size);
	close(fd);
	if (r == -EFBIG) {
		report(p, NULL, "larger than 64 KiB; refusing it");
		return NULL;
	}
	if (r < 0 && p->r == 0)
		report_errno(p, r);
	return r < 0 ? NULL : data;
}

int settings_load(struct settings *s, const char *path, struct manager_config *cfg)
{
	struct parser p = {.s = s, .file = path, .cfg = *cfg};
	json_t *doc = NULL;
	json_error_t je;
	size_t size;
	char *data;

	policy_errors_clear(&s->errors);
	data = read_file(&p, &size);
	if (data) {
		doc = json_loadb(data, size, JSON_REJECT_DUPLICATES, &je);
		free(data);
		if (!doc)
			syntax_error(&p, &je);
		else
			parse_top(&p, doc);
	}
	if (p.r < 0) {
		json_decref(doc);
		free(p.redact);
		strv_free(p.deny, p.n_deny);
		return p.r;
	}
	if (p.deny) {
		strv_free(s->deny, s->n_deny);
		s->deny = p.deny;
		s->n_deny = p.n_deny;
		p.cfg.break_glass_deny = (const char *const *)s->deny;
		p.cfg.n_break_glass_deny = s->n_deny;
	}
	if (p.redact) {
		free(s->redact);
		s->redact = p.redact;
		s->n_redact = p.n_redact;
		p.cfg.redact = s->redact;
		p.cfg.n_redact = s->n_redact;
	}
	json_decref(s->doc);
	s->doc = doc;
	*cfg = p.cfg;
	return 0;
}

int settings_add_redact(struct settings *s, struct manager_config *cfg, const char *pattern)
{
	char why[256];
	const char **list;

	policy_errors_clear(&s->errors);
	if (settings_regex_problem(pattern, why, sizeof(why)) ||
	    cfg->n_redact >= SETTINGS_REDACT_MAX)
		return -EINVAL;
	list = malloc((cfg->n_redact + 1) * sizeof(*list));
	if (!list)
		return -ENOMEM;
	if (cfg->n_redact)
		memcpy(list, cfg->redact, cfg->n_redact * sizeof(*list));
	list[cfg->n_redact] = pattern;
	/* cfg's list may be s's own: replaced only now that the copy is made. */
	free(s->redact);
	s->redact = list;
	s->n_redact = cfg->n_redact + 1;
	cfg->redact = s->redact;
	cfg->n_redact = s->n_redact;
	return 0;
}
