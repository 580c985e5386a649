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
	for (size_t i = 0; i < n->n; i++)
		free(n->e[i].name);
	free(n);
}

static char *lookup(bool group, unsigned id)
{
	char buf[16384];
	if (group) {
		struct group gr, *res = NULL;
		if (getgrgid_r(id, &gr, buf, sizeof buf, &res) != 0 || !res)
			return NULL;
		return strdup(res->gr_name);
	}
	struct passwd pw, *res = NULL;
	if (getpwuid_r(id, &pw, buf, sizeof buf, &res) != 0 || !res)
		return NULL;
	return strdup(res->pw_name);
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

static char *get(struct names *n, bool group, unsigned id)
{
	/* Monotonic: a clock step must not keep a stale name forever. */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	time_t now = ts.tv_sec + 1; /* never 0, which marks a fresh slot */
	struct entry *e = slot(n, group, id);
	if (e->group != group || e->id != id || e->expires <= now) {
		free(e->name);
		*e = (struct entry){.group = group,
				    .id = id,
				    .name = lookup(group, id),
				    .expires = now + n->ttl};
	}
	return e->name ? strdup(e->name) : NULL;
}

char *names_user(struct names *n, uid_t uid)
{
	return get(n, false, uid);
}

char *names_group(struct names *n, gid_t gid)
{
	return get(n, true, gid);
}
