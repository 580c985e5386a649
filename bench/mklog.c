/* mklog.c: guard-mklog, writes N chained decision records such as guardd writes them
 * (see ARCHITECTURE.md and daemon/record.c), so that guardctl log, log verify and report
 * can be developed and measured on a log of a million lines. Not a test; nothing here
 * is read by guardd.
 *
 *   guard-mklog [-n N] [-s SEED] [--start RFC3339] FILE
 *
 * The mix: varied users, hosts and programs; mostly allowed commands, some denied by
 * the shipped packs' rules, confirmations and reasons asked and answered, approvals,
 * --check queries, shell lines, dry-run matches, completions after runs, one recovery
 * record. The rule "host-sysrq" is rare (about 1 record in 100,000) for a query that
 * matches few. The same seed writes the same file. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"

struct gen {
	uint64_t rng;
	FILE *out;
	uint64_t seq, n, limit;
	char prev[CHAIN_HEX_LEN + 1];
	int64_t usec; /* the clock of the records, in microseconds since the epoch */
	unsigned id_counter;
};

static const char *const users[] = {"alice",   "bob",   "carol",  "dave",   "erin",
				    "frank",   "grace", "heidi",  "ivan",   "judy",
				    "mallory", "niaj",  "olivia", "peggy",  "rupert",
				    "sybil",   "trent", "victor", "deploy", "root"};
#define N_USERS (sizeof users / sizeof users[0])

static const char *const hosts[] = {"web-1", "web-2", "db-1", "bastion-prod-1", "build-3"};
#define N_HOSTS (sizeof hosts / sizeof hosts[0])

/* Routine commands: argv words, NULL-terminated. */
static const char *const routine[][6] = {
	{"ls", "-la", "/srv/app", NULL},
	{"git", "status", NULL},
	{"git", "pull", "--rebase", NULL},
	{"make", "-j8", NULL},
	{"cat", "/etc/hosts", NULL},
	{"systemctl", "status", "nginx", NULL},
	{"kubectl", "get", "pods", "-n", "web", NULL},
	{"docker", "ps", "-a", NULL},
	{"psql", "-c", "select count(*) from users", NULL},
	{"rm", "-f", "/tmp/build.log", NULL},
	{"tar", "czf", "/backup/app.tgz", "/srv/app", NULL},
	{"terraform", "plan", NULL},
};
#define N_ROUTINE (sizeof routine / sizeof routine[0])

/* Commands a rule of the shipped packs decides, with its rule and decision. */
struct risky {
	const char *argv[6];
	const char *rule;
	const char *decision;
};
static const struct risky risky[] = {
	{{"rm", "-rf", "/", NULL}, "fs-rm-root", "deny"},
	{{"rm", "-rf", "/etc", NULL}, "fs-rm-system-dir", "deny"},
	{{"git", "push", "--force", "origin", "main", NULL}, "git-push-force-protected", "deny"},
	{{"git", "reset", "--hard", "HEAD~3", NULL}, "git-reset-hard", "confirm"},
	{{"git", "clean", "-fdx", NULL}, "git-clean-force", "confirm"},
	{{"kubectl", "delete", "namespace", "staging", NULL}, "k8s-delete-namespace", "reason"},
	{{"terraform", "destroy", NULL}, "tf-destroy", "approve"},
	{{"dropdb", "orders", NULL}, "db-dropdb", "deny"},
	{{"mkfs.ext4", "/dev/sdb1", NULL}, "disk-mkfs", "deny"},
	{{"shutdown", "-h", "now", NULL}, "host-shutdown", "confirm"},
	{{"docker", "system", "prune", "-af", NULL}, "docker-prune", "reason"},
	{{"redis-cli", "flushall", NULL}, "db-redis-flushall", "deny"},
};
#define N_RISKY (sizeof risky / sizeof risky[0])

static const char *const lines[] = {
	"cd /srv/app && git pull && make",
	"find /var/log -name '*.gz' -mtime +30 -delete",
	"ls | xargs rm -rf",
	"echo \"rm -rf /\" > notes.txt",
	"for h in web-1 web-2; do ssh $h uptime; done",
	"eval \"$(cat deploy.sh)\"",
};
#define N_LINES (sizeof lines / sizeof lines[0])

static const char *const reasons[] = {
	"INC-4211", "CHG-1187", "INC-4302", "CHG-1200", "cleanup after INC-4211", "wrong"};
#define N_REASONS (sizeof reasons / sizeof reasons[0])

static uint64_t rnd(struct gen *g)
{
	/* xorshift64*: a fixed seed gives the same log. */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

static unsigned pick(struct gen *g, unsigned n)
{
	return (unsigned)(rnd(g) >> 33) % n;
}

static void timestamp(int64_t usec, char ret[32])
{
	time_t s = (time_t)(usec / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t n = strftime(ret, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ret + n, 32 - n, ".%06dZ", (int)(usec % 1000000));
}

static void new_id(struct gen *g, char ret[33])
{
	snprintf(ret, 33, "%016llx%08x%08x", (unsigned long long)rnd(g), g->id_counter++,
		 (unsigned)rnd(g));
}

/* Adds seq and prev, writes the line and advances the chain. */
static int emit(struct gen *g, json_t *rec)
{
	if (g->n >= g->limit) { /* a question's answer past the end: left out */
		json_decref(rec);
		return 0;
	}
	json_object_set_new(rec, "seq", json_integer((json_int_t)++g->seq));
	json_object_set_new(rec, "prev", json_string(g->prev));
	char *line = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (!line)
		return -ENOMEM;
	size_t n = strlen(line);
	int r = chain_hash(line, n, g->prev);
	if (r == 0 && (fwrite(line, 1, n, g->out) != n || putc('\n', g->out) == EOF))
		r = -EIO;
	free(line);
	g->n++;
	return r;
}

static json_t *argv_json(const char *const *argv)
{
	json_t *a = json_array();
	for (; *argv; argv++)
		json_array_append_new(a, json_string(*argv));
	return a;
}

static const char *program_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", strcmp(name, "shutdown") == 0 ? "/usr/sbin" : "/usr/bin", name);
	return buf;
}

/* The fields every decision shares, up to "env"; the caller adds the verdict. */
static json_t *decision_head(struct gen *g, const char *id, unsigned user, unsigned host,
			     const char *const *argv, const char *line, bool check)
{
	char ts[32], path[128];
	timestamp(g->usec, ts);
	const char *word = argv ? argv[0] : NULL;
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:s}", "ts", ts, "id", id, "type",
				"decision", "host", hosts[host], "uid",
				(json_int_t)(user == N_USERS - 1 ? 0 : 1000 + user), "user",
				users[user], "gid", (json_int_t)(1000 + user % 3), "pid",
				(json_int_t)(1000 + pick(g, 4000000)), "cwd", "/srv/app");
	if (line)
		json_object_set_new(rec, "line", json_string(line));
	else
		json_object_set_new(rec, "argv", argv_json(argv));
	json_object_set_new(rec, "program",
			    word ? json_string(program_path(word, path, sizeof path))
				 : json_null());
	json_object_set_new(rec, "tty", pick(g, 4) ? json_string("/dev/pts/3") : json_null());
	json_object_set_new(rec, "check", json_boolean(check));
	json_object_set_new(rec, "env", json_object());
	return rec;
}

static void verdict(json_t *rec, const char *decision, const char *rule)
{
	json_object_set_new(rec, "decision", json_string(decision));
	json_object_set_new(rec, "rule", rule ? json_string(rule) : json_null());
	json_object_set_new(rec, "mode", json_string("enforce"));
	json_object_set_new(rec, "policy",
			    json_string("8a984bd804b3c1f07d7a29d5e1f8e3b2"
					"c0d16a7e9f4b2a1c3d5e7f9a0b1c2d3e"));
}

static int completion(struct gen *g, const char *decision_id, unsigned user, unsigned host)
{
	char ts[32], id[33];
	g->usec += 1000 * (int64_t)(1 + pick(g, 20000));
	timestamp(g->usec, ts);
	new_id(g, id);
	int sig = pick(g, 50) == 0 ? 15 : 0;
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I}", "ts", ts, "id", id, "type",
				"completion", "decision_id", decision_id, "host", hosts[host],
				"uid", (json_int_t)(user == N_USERS - 1 ? 0 : 1000 + user), "user",
				users[user], "pid", (json_int_t)(1000 + pick(g, 4000000)));
	json_object_set_new(rec, "exit", sig ? json_null() : json_integer(pick(g, 10) == 0));
	json_object_set_new(rec, "signal", sig ? json_integer(sig) : json_null());
	json_object_set_new(rec, "duration_ms", json_integer(pick(g, 20000)));
	return emit(g, rec);
}

/* A risky command: the question, then (for confirm and reason) the answer. */
static int risky_run(struct gen *g, unsigned user, unsigned host, bool check)
{
	const struct risky *k = &risky[pick(g, N_RISKY)];
	char id[33];
	new_id(g, id);
	json_t *rec = decision_head(g, id, user, host, k->argv, NULL, check);
	verdict(rec, k->decision, k->rule);
	bool step = strcmp(k->decision, "deny") != 0;
	if (step)
		json_object_set_new(rec, "step", json_string(k->decision));
	int r = emit(g, rec);
	if (r < 0 || check || (strcmp(k->decision, "confirm") && strcmp(k->decision, "reason")))
		return r;
	/* The person answers: usually right, sometimes not. */
	g->usec += 1000 * (int64_t)(500 + pick(g, 10000));
	bool ok = pick(g, 8) != 0;
	new_id(g, id);
	rec = decision_head(g, id, user, host, k->argv, NULL, false);
	verdict(rec, ok ? "allow" : "deny", k->rule);
	json_object_set_new(rec, "step", json_string(k->decision));
	json_object_set_new(rec, "answer_ok", json_boolean(ok));
	if (strcmp(k->decision, "confirm") == 0)
		json_object_set_new(rec, "confirm", json_string(ok ? hosts[host] : "yes"));
	else
		json_object_set_new(rec, "reason",
				    json_string(ok ? reasons[pick(g, N_REASONS - 1)] : "wrong"));
	r = emit(g, rec);
	if (r == 0 && ok)
		r = completion(g, id, user, host);
	return r;
}

static int routine_run(struct gen *g, unsigned user, unsigned host, bool check)
{
	char id[33];
	new_id(g, id);
	bool as_line = pick(g, 10) == 0;
	const char *line = as_line ? lines[pick(g, N_LINES)] : NULL;
	json_t *rec = decision_head(g, id, user, host, as_line ? NULL : routine[pick(g, N_ROUTINE)],
				    line, check);
	bool unknown = as_line && strncmp(line, "eval", 4) == 0;
	verdict(rec, unknown ? "confirm" : "allow", NULL);
	if (pick(g, 50) == 0)
		json_object_set_new(
			rec, "dry_run",
			json_pack("[{s:s,s:s}]", "rule", "site-no-tar-backup", "decision", "deny"));
	if (as_line)
		json_object_set_new(rec, "part", json_string(line));
	if (unknown) {
		json_object_set_new(rec, "unknown", json_string("eval"));
		json_object_set_new(rec, "step", json_string("confirm"));
	}
	int r = emit(g, rec);
	if (r == 0 && !check && !unknown && pick(g, 10) < 7)
		r = completion(g, id, user, host);
	return r;
}

static int rare_run(struct gen *g, unsigned user, unsigned host)
{
	static const char *const argv[] = {"sh", "-c", "echo b > /proc/sysrq-trigger", NULL};
	char id[33];
	new_id(g, id);
	json_t *rec = decision_head(g, id, user, host, argv, NULL, false);
	verdict(rec, "deny", "host-sysrq");
	return emit(g, rec);
}

static int recovery(struct gen *g, const char *file)
{
	char ts[32], id[33], saved[512];
	timestamp(g->usec, ts);
	new_id(g, id);
	snprintf(saved, sizeof saved, "%s.torn-%.4s%.2s%.2sT%.2s%.2s%.2sZ", file, ts, ts + 5,
		 ts + 8, ts + 11, ts + 14, ts + 17);
	return emit(g,
		    json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "ts", ts, "id", id, "type", "recovery",
			      "host", hosts[0], "torn_bytes", (json_int_t)137, "saved_to", saved));
}

static int generate(struct gen *g, uint64_t n, const char *file)
{
	int r = 0;
	bool recovered = false;
	g->limit = n;
	while (r == 0 && g->n < n) {
		g->usec += 1000 * (int64_t)pick(g, 5000);
		unsigned user = pick(g, N_USERS), host = pick(g, N_HOSTS);
		unsigned roll = pick(g, 100000);
		bool check = pick(g, 12) == 0;
		if (!recovered && g->n >= 500) {
			recovered = true;
			r = recovery(g, file);
		} else if (roll == 0)
			r = rare_run(g, user, host);
		else if (roll < 12000)
			r = risky_run(g, user, host, check);
		else
			r = routine_run(g, user, host, check);
	}
	return r;
}

static int parse_start(const char *s, int64_t *ret)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z") != 0))
		return -EINVAL;
	*ret = (int64_t)timegm(&tm) * 1000000;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"start", required_argument, NULL, 'S'},
		{0},
	};
	struct gen g = {.rng = 0x9e3779b97f4a7c15ULL};
	uint64_t n = 1000;
	g.usec = (int64_t)1793491200 * 1000000; /* 2026-11-01T00:00:00Z */
	int c;
	while ((c = getopt_long(argc, argv, "n:s:", opts, NULL)) != -1) {
		if (c == 'n')
			n = strtoull(optarg, NULL, 10);
		else if (c == 's')
			g.rng = strtoull(optarg, NULL, 0) | 1;
		else if (c == 'S' && parse_start(optarg, &g.usec) == 0)
			continue;
		else
			goto usage;
	}
	if (optind + 1 != argc)
		goto usage;
	g.out = fopen(argv[optind], "we");
	if (!g.out) {
		fprintf(stderr, "guard-mklog: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	static char buf[1 << 20];
	setvbuf(g.out, buf, _IOFBF, sizeof buf);
	chain_genesis(g.prev);
	int r = generate(&g, n, argv[optind]);
	if (fclose(g.out) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "guard-mklog: %s: %s\n", argv[optind], strerror(-r));
		return 1;
	}
	return 0;
usage:
	fprintf(stderr,
		"Usage: guard-mklog [-n N] [-s SEED] [--start YYYY-MM-DDTHH:MM:SSZ] FILE\n");
	return 4;
}
