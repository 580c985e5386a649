/* peer.c: peer credentials from the kernel, never from the request. */
#include "peer.h"

#include "names.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* More supplementary groups than this is not a real account; NGROUPS_MAX is 65536. */
#define PEER_MAX_GROUPS 1024

/* SO_PEERGROUPS (Linux 4.13) gives the peer's supplementary groups as the kernel
 * saw them at connect(); older kernels get the account's list instead. */
static int peer_groups(struct names *names, int fd, const struct ucred *cred, gid_t **ret,
		       size_t *ret_n)
{
	gid_t buf[PEER_MAX_GROUPS + 1];
	socklen_t len = sizeof buf - sizeof buf[0];
	size_t n;
	buf[0] = cred->gid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf + 1, &len) == 0) {
		n = len / sizeof(gid_t);
	} else if (errno == ENOPROTOOPT) {
		int ng = PEER_MAX_GROUPS;
		char *name = names_user(names, cred->uid, NULL);
		int r = name ? getgrouplist(name, cred->gid, buf + 1, &ng) : 0;
		free(name);
		n = r < 0 ? 0 : (size_t)r;
	} else {
		return -errno;
	}
	gid_t *g = malloc((n + 1) * sizeof *g);
	if (!g)
		return -ENOMEM;
	memcpy(g, buf, (n + 1) * sizeof *g);
	*ret = g;
	*ret_n = n + 1;
	return 0;
}

int peer_from_socket(struct names *names, int fd, struct peer *ret)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	struct peer p = {.pid = cred.pid, .uid = cred.uid, .gid = cred.gid};
	int r = peer_groups(names, fd, &cred, &p.groups, &p.n_groups);
	if (r < 0)
		return r;
	p.group_names = calloc(p.n_groups, sizeof *p.group_names);
	if (!p.group_names) {
		peer_clear(&p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p.n_groups; i++)
		p.group_names[i] = names_group(names, p.groups[i]);
	p.user = names_user(names, p.uid, &p.home);
	*ret = p;
	return 0;
}

void peer_clear(struct peer *p)
{
	for (size_t i = 0; p->group_names && i < p->n_groups; i++)
		free(p->group_names[i]);
	free(p->group_names);
	free(p->groups);
	free(p->user);
	free(p->home);
	*p = (struct peer){0};
}
