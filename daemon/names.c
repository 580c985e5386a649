/* names.c: see names.h. A small array scanned linearly: a host has few
 * accounts that run guarded commands at once, and the array is bounded. */
#include "names.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static void lookup(struct entry *e)
{
	char buf[16384];
	if (e->group) {
		struct group gr, *res = NULL;
		if (getgrgid_r(e->id, &gr, buf, sizeof buf, &res) == 0 && res)
			e->name = strdup(res->gr_name);
		return;
	}
	struct passwd pw, *res = NULL;
	if (getpwuid_r(e->id, &pw, buf, sizeof buf, &res) != 0 || !res)
		return;
	e->name = strdup(res->pw_name);
	/* A relative or empty home is no home: "~" must not mean the cwd. */
	if (res->pw_dir && res->pw_dir[0] == '/')
		e->home = strdup(res->pw_dir);
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
