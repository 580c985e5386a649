/* peer.h: who is on the other end of a connection, as the kernel says. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	char *user;         /* name of uid, or NULL when it has none */
	char *home;         /* uid's home directory, or NULL */
	gid_t *groups;      /* primary first, then supplementary */
	char **group_names; /* parallel to groups; entries NULL when unnamed */
	size_t n_groups;
};

struct names;

/* Reads SO_PEERCRED and SO_PEERGROUPS of a connected socket once, at accept,
 * and resolves the names through the cache. Returns 0 or negative errno;
 * *ret untouched on failure. */
int peer_from_socket(struct names *names, int fd, struct peer *ret);

/* Frees what peer_from_socket() allocated. Accepts a zeroed peer. */
void peer_clear(struct peer *p);
