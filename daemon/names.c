/* names.c: see names.h. A small array scanned linearly: a host has few
 * accounts that run guarded commands at once, and the array is bounded. */
#include "names.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define NAMES_MAX 256

struct entry {
	bool group;
	unsigned id;
	char *name; /* NULL: the id has no name */
	char *home; /* users only */
	time_t expires;
};

struct names {
	time_t ttl;
	struct entry e[NAMES_MAX];
	size_t n;
};

int names_new(time_t ttl, struct names **ret)
{
	struct names *n = calloc(1, sizeof *n);
	if (!n)
		return -ENOMEM;
	n->ttl = ttl;
	*ret = n;
	return 0;
}

void names_free(struct names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		free(n->e[i].name);
		free(n->e[i].home);
	}
	free(n);
}

/* An entry bigger than this is not looked up: a name is never worth more. */
#define NAMES_BUF_MAX (4 << 20)

/* Calls get(arg, buf, size) with a buffer grown while it returns ERANGE: a group
 * with thousands of members does not fit 16 KiB, and a group left without its name
 * would make the policy's group conditions silently not match. get copies out what
 * it keeps before returning. Returns get's result (0 or a positive errno), or
 * ENOMEM. */
static int nss_call(int (*get)(void *arg, char *buf, size_t size), void *arg)
{
	char *buf = NULL;
	int r = ERANGE;
	for (size_t size = 16384; r == ERANGE && size <= NAMES_BUF_MAX; size *= 4) {
		char *bigger = realloc(buf, size);
		if (!bigger) {
			r = ENOMEM;
			break;
		}
		buf = bigger;
		r = get(arg, buf, size);
	}
	free(buf);
	return r;
}

static int get_group(void *arg, char *buf, size_t size)
{
	struct entry *e = arg;
	struct group gr, *res = NULL;
	int r = getgrgid_r(e->id, &gr, buf, size, &res);
	if (r == 0 && res)
		e->name = strdup(res->gr_name);
	return r;
}

static int get_user(void *arg, char *buf, size_t size)
{
	struct entry *e = arg;
	struct passwd pw, *res = NULL;
	int r = getpwuid_r(e->id, &pw, buf, size, &res);
	if (r == 0 && res) {
		e->name = strdup(res->pw_name);
		/* A relative or empty home is no home: "~" must not mean the cwd. */
		if (res->pw_dir && res->pw_dir[0] == '/')
			e->home = strdup(res->pw_dir);
	}
	return r;
}

/* An id without a name, or whose lookup failed, keeps name NULL. */
static void lookup(struct entry *e)
{
	(void)nss_call(e->group ? get_group : get_user, e);
}

/* The slot for (group, id): its own, else an expired one, else the one
 * closest to expiring. */
static struct entry *slot(struct names *n, bool group, unsigned id)
{
	struct entry *victim = NULL;
	for (size_t i = 0; i < n->n; i++) {
		struct entry *e = &n->e[i];
		if (e->group == group && e->id == id)
			return e;
		if (!victim || e->expires < victim->expires)
			victim = e;
	}
	if (n->n < NAMES_MAX)
		return &n->e[n->n++];
	return victim;
}

static struct entry *get(struct names *n, bool group, unsigned id)
{
	/* Monotonic: a clock step must not keep a stale name forever. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	time_t now = ts.tv_sec + 1; /* never 0, which marks a fresh slot */
	struct entry *e = slot(n, group, id);
	if (e->group != group || e->id != id || e->expires <= now) {
		free(e->name);
		free(e->home);
		*e = (struct entry){.group = group, .id = id, .expires = now + n->ttl};
		lookup(e);
	}
	return e;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *names_user(struct names *n, uid_t uid, char **ret_home)
{
	struct entry *e = get(n, false, uid);
	if (ret_home)
		*ret_home = dup_or_null(e->home);
	return dup_or_null(e->name);
}

char *names_group(struct names *n, gid_t gid)
{
	return dup_or_null(get(n, true, gid)->name);
}

struct gid_query {
	const char *name;
	gid_t gid;
};

static int get_gid(void *arg, char *buf, size_t size)
{
	struct gid_query *q = arg;
	struct group gr, *res = NULL;
	int r = getgrnam_r(q->name, &gr, buf, size, &res);
	if (r == 0 && !res)
		return ENOENT;
	if (r == 0)
		q->gid = res->gr_gid;
	return r;
}

int names_gid(const char *name, gid_t *ret)
{
	char *end;
	unsigned long gid = strtoul(name, &end, 10);
	if (*name && !*end && name[0] != '-' && gid < (gid_t)-1) {
		*ret = (gid_t)gid;
		return 0;
	}
	struct gid_query q = {.name = name};
	int r = nss_call(get_gid, &q);
	if (r == 0)
		*ret = q.gid;
	return -r;
}
