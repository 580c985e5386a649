/* names.h: user and group names for the ids the kernel gives us, cached.
 * Every connection needs them for the policy and the record; asking NSS each
 * time reads /etc/passwd and /etc/group (or asks LDAP) on the hot path. */
#pragma once

#include <sys/types.h>
#include <time.h>

struct names;

/* A cache whose entries are trusted for ttl seconds: a renamed account shows
 * up within that time. Returns 0 or -ENOMEM. */
int names_new(time_t ttl, struct names **ret);
void names_free(struct names *n);

/* The name of uid (gid), as a new string the caller frees, or NULL when the
 * id has no name or memory ran out. The ids themselves always come from the
 * kernel; only their names are cached. With ret_home, also uid's home
 * directory (a new string, or NULL). */
char *names_user(struct names *n, uid_t uid, char **ret_home);
char *names_group(struct names *n, gid_t gid);

/* The gid a configuration or a rule names: a decimal gid as it is (groups need not
 * have names), else the group NSS knows by that name, however many members it has.
 * Returns 0, -ENOENT when there is no such group, or another negative errno. */
int names_gid(const char *name, gid_t *ret);
