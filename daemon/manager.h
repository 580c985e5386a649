/* manager.h: guardd's one top-level object: the loop, the policy, the log,
 * the listening socket and the connections. */
#pragma once

#include <ev.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sandbox.h"

struct conn;
struct policy;
struct audit;
struct syslog_sink;
struct redact;
struct names;
struct peer;
struct reload;
struct recent;
struct approvals;

/* When the decision log is flushed to the disk (see audit.h). */
enum audit_sync {
	AUDIT_SYNC_ALWAYS, /* fdatasync before any reply of the batch is sent (default) */
	AUDIT_SYNC_NONE,   /* write only: the page cache holds it; a power cut may lose it */
};

struct manager_config {
	const char *socket_path;
	const char *policy_dir;
	const char *audit_path;
	enum audit_sync sync;
	bool syslog;               /* each record also to syslog (the journal on systemd hosts) */
	const char *syslog_socket; /* NULL: /dev/log */
	const char *const *redact; /* site patterns (POSIX ERE) for secrets, besides ours */
	size_t n_redact;
	unsigned max_conns;         /* connections in all */
	unsigned max_conns_per_uid; /* connections of one uid */
	double idle_timeout;        /* seconds a connection may sit idle */
	const char *admin_group;    /* may Reload besides root; NULL: root only */
	const char *spool_dir;      /* break-glass records guard left while we were down */
	const char *state_dir;      /* approvals.json: the approval requests (approvals.h) */
	bool no_break_glass;        /* "break_glass": false: the site forbids break-glass */
	const char *const *break_glass_deny; /* users (names or uids) who may not break glass */
	size_t n_break_glass_deny;
	enum sandbox_mode seccomp; /* the seccomp filter (sandbox.h); default deny */
};

/* Connections held by one uid; a short array, as few uids connect at once. */
struct uid_count {
	uid_t uid;
	unsigned n;
};

struct manager {
	struct ev_loop *loop;
	struct manager_config cfg;
	char host[HOST_NAME_MAX + 1];
	struct timespec started;

	struct policy *policy;
	struct audit *audit;
	struct syslog_sink *syslog; /* NULL unless cfg.syslog */
	struct redact *redact;      /* secrets kept out of records */
	struct names *names;
	struct reload *reload;
	struct recent *recent;       /* allowed decisions awaiting their completion */
	struct approvals *approvals; /* the two-person rule's requests (approvals.h) */
	gid_t admin_gid;
	bool has_admin_gid;

	int listen_fd;
	ino_t listen_ino;
	bool activated;           /* listen_fd came from systemd: never unlink it */
	char activated_path[108]; /* its path, as socket_path then points here */
	ev_io accept_io;
	ev_timer accept_pause; /* EMFILE: wait before accepting again */

	ev_signal sig_term, sig_int, sig_hup, sig_usr1;
	uint64_t n_reloads; /* policies swapped in since start */

	struct conn *conns;
	unsigned n_conns;
	struct uid_count *uids;
	size_t n_uids;

	uint64_t n_decisions;
	uint64_t n_refused;      /* connections refused over a cap, since start */
	uint64_t refused_at_log; /* n_refused when the last refusal was logged */
	double refusal_logged;   /* ev_now() of that message; 0: none yet */
	int seccomp_allowed;     /* system calls the filter allows; 0: no filter */
};

/* Loads the policy, opens the log and the socket. Returns 0 and a new manager
 * in *ret, or negative errno after logging what went wrong. */
int manager_new(const struct manager_config *cfg, struct manager **ret);

/* Confines guardd (sandbox.h), tells systemd it is ready, and runs until SIGTERM
 * or SIGINT. Returns negative errno when the confinement cannot be had. */
int manager_run(struct manager *m);

/* Closes every connection and the socket. Accepts NULL. */
void manager_free(struct manager *m);

/* Whether the peer may call administrative methods: uid 0, or a member (by the
 * kernel's group list) of the admin group. */
bool manager_is_admin(const struct manager *m, const struct peer *p);

/* Connection accounting for the caps, called by conn.c. */
int manager_uid_add(struct manager *m, uid_t uid);
void manager_uid_remove(struct manager *m, uid_t uid);
