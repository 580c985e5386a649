/* manager.c: guardd's top-level object: set-up, the accept loop, signals,
 * connection accounting and shutdown. */
#include "manager.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "activation.h"
#include "approvals.h"
#include "audit.h"
#include "conn.h"
#include "guard/policy.h"
#include "listen.h"
#include "log.h"
#include "names.h"
#include "peer.h"
#include "recent.h"
#include "redact.h"
#include "reload.h"
#include "sandbox.h"
#include "spool.h"
#include "syslog-sink.h"

/* How long a user or group name is trusted before NSS is asked again. */
#define NAMES_TTL_SEC 10

/* After EMFILE, how long to stop accepting: long enough not to spin on a full
 * descriptor table, short enough that clients barely notice. */
#define ACCEPT_PAUSE_SEC 1.0

static int load_policy(struct manager *m)
{
	struct policy_errors errs = {0};
	int r = policy_load_dir(m->cfg.policy_dir, &errs, &m->policy);
	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.lines[i]);
	policy_errors_clear(&errs);
	if (r < 0)
		return log_errno(r, "refusing to start: no valid policy in %s", m->cfg.policy_dir);
	log_info("policy %s: %zu files, %zu rules, revision %.12s", m->cfg.policy_dir,
		 policy_n_files(m->policy), policy_n_rules(m->policy), policy_revision(m->policy));
	return 0;
}

#define ACCEPT_BATCH 64

/* Takes every waiting connection (up to a bound, so a flood cannot starve the
 * others): their requests are then answered in this round and share one log flush. */
static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct manager *m = w->data;
	int fd = -1;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		/* NULL, NULL is allowed (accept4(2)); cppcheck's gnu.cfg says otherwise. */
		/* cppcheck-suppress nullPointer */
		fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		conn_accept(m, fd);
	}
	if (fd >= 0)
		return;
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
		log_warning("cannot accept (%s); pausing for %.0fs", strerror(errno),
			    ACCEPT_PAUSE_SEC);
		ev_io_stop(loop, &m->accept_io);
		ev_timer_set(&m->accept_pause, ACCEPT_PAUSE_SEC, 0.);
		ev_timer_start(loop, &m->accept_pause);
	}
	/* EAGAIN, ECONNABORTED, EINTR: nothing to do; libev calls again if needed. */
}

static void accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct manager *m = w->data;
	ev_io_start(loop, &m->accept_io);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_info("received %s, shutting down", strsignal(w->signum));
	ev_break(loop, EVBREAK_ALL);
}

/* SIGHUP reloads, like most daemons; the result goes to the log. */
static void sighup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct manager *m = w->data;
	log_info("received SIGHUP, reloading %s", m->cfg.policy_dir);
	activation_notify("RELOADING=1"); /* READY=1 again when the reload is done */
	int r = reload_request(m->reload, NULL);
	if (r < 0)
		log_errno(r, "cannot reload");
	spool_ingest(m); /* and the break-glass spool is looked at again */
}

/* SIGUSR1 reopens the log, for logrotate's postrotate (with "create"). */
static void sigusr1_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct manager *m = w->data;
	int r = audit_reopen(m->audit, NULL);
	if (r < 0)
		log_errno(r, "cannot reopen decision log %s; still writing the old file",
			  audit_path(m->audit));
	else
		log_info("reopened decision log %s", audit_path(m->audit));
}

static int setup_loop(struct manager *m)
{
	m->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (!m->loop)
		return -ENOMEM;
	ev_io_init(&m->accept_io, accept_cb, m->listen_fd, EV_READ);
	ev_init(&m->accept_pause, accept_resume_cb);
	ev_signal_init(&m->sig_term, signal_cb, SIGTERM);
	ev_signal_init(&m->sig_int, signal_cb, SIGINT);
	ev_signal_init(&m->sig_hup, sighup_cb, SIGHUP);
	ev_signal_init(&m->sig_usr1, sigusr1_cb, SIGUSR1);
	m->accept_io.data = m->accept_pause.data = m->sig_hup.data = m->sig_usr1.data = m;
	ev_io_start(m->loop, &m->accept_io);
	ev_signal_start(m->loop, &m->sig_term);
	ev_signal_start(m->loop, &m->sig_int);
	ev_signal_start(m->loop, &m->sig_hup);
	ev_signal_start(m->loop, &m->sig_usr1);
	return reload_new(m, &m->reload);
}

/* The admin group is resolved once, at start: a name that does not exist is a
 * configuration error, not a group nobody is in. */
static int resolve_admin_group(struct manager *m)
{
	if (!m->cfg.admin_group)
		return 0;
	const char *name = m->cfg.admin_group;
	int r = names_gid(name, &m->admin_gid);
	if (r == -ENOENT) {
		log_error("refusing to start: admin group %s does not exist", name);
		return r;
	}
	if (r < 0)
		return log_errno(r, "refusing to start: cannot look up admin group %s", name);
	m->has_admin_gid = true;
	return 0;
}

/* The socket systemd passed (socket activation), else our own. */
static int open_listener(struct manager *m)
{
	int r = activation_listen_fd(&m->listen_fd);
	if (r < 0)
		return log_errno(r, "refusing to start: the socket systemd passed (LISTEN_FDS) "
				    "is not one listening Unix stream socket");
	if (r > 0) {
		struct sockaddr_un addr = {0};
		socklen_t len = sizeof addr;
		m->activated = true;
		if (getsockname(m->listen_fd, (struct sockaddr *)&addr, &len) == 0 &&
		    addr.sun_path[0])
			snprintf(m->activated_path, sizeof m->activated_path, "%s", addr.sun_path);
		else
			snprintf(m->activated_path, sizeof m->activated_path,
				 "(socket activation)");
		m->cfg.socket_path = m->activated_path;
		return 0;
	}
	r = listen_open(m->cfg.socket_path, &m->listen_fd, &m->listen_ino);
	if (r == -EADDRINUSE)
		log_error("refusing to start: another guardd answers on %s", m->cfg.socket_path);
	else if (r < 0)
		log_errno(r, "refusing to start: cannot listen on %s", m->cfg.socket_path);
	return r;
}

/* A decision whose record was lost with its batch was answered with a deny: no
 * completion may be reported for it. */
static void forget_unwritten(void *data, const char *id)
{
	struct manager *m = data;
	if (m->recent)
		recent_forget(m->recent, id);
	approvals_unwritten(m->approvals, id);
}

/* A copy of every record for syslog or the journal, when configured. A syslog
 * daemon that is not there yet is no reason not to start: the sink connects later. */
static int open_syslog(struct manager *m)
{
	if (!m->cfg.syslog)
		return 0;
	const char *path = m->cfg.syslog_socket ? m->cfg.syslog_socket : SYSLOG_SINK_DEFAULT_PATH;
	int r = syslog_sink_new(path, &m->syslog);
	if (r < 0)
		return log_errno(r, "refusing to start: cannot send records to syslog at %s", path);
	if (!syslog_sink_connected(m->syslog))
		log_warning("nothing listens on %s yet; records go to syslog once it does", path);
	return 0;
}

int manager_new(const struct manager_config *cfg, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof *m);
	if (!m)
		return log_errno(-ENOMEM, "cannot start");
	m->cfg = *cfg;
	m->listen_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &m->started);
	if (gethostname(m->host, sizeof m->host - 1) < 0)
		strcpy(m->host, "localhost");
	int r = names_new(NAMES_TTL_SEC, &m->names);
	if (r == 0)
		r = recent_new(RECENT_MAX, RECENT_MAX_AGE_SEC, &m->recent);
	if (r < 0) {
		log_errno(r, "cannot start");
		goto fail;
	}
	r = resolve_admin_group(m);
	if (r < 0)
		goto fail;
	r = load_policy(m);
	if (r < 0)
		goto fail;
	r = open_listener(m);
	if (r < 0)
		goto fail;
	r = setup_loop(m);
	if (r < 0)
		goto fail;
	/* After the socket, so a second daemon refused above leaves no file behind. */
	r = open_syslog(m);
	if (r < 0)
		goto fail;
	r = audit_open(m->loop, cfg->audit_path, cfg->sync, m->host, m->syslog, &m->audit);
	if (r < 0) {
		log_error("refusing to start: the decision log cannot be used");
		goto fail;
	}
	audit_set_unwritten_hook(m->audit, forget_unwritten, m);
	char err[256];
	r = redact_new(cfg->redact, cfg->n_redact, &m->redact, err, sizeof err);
	if (r < 0) {
		log_error("refusing to start: redaction patterns: %s",
			  r == -EINVAL ? err : strerror(-r));
		goto fail;
	}
	/* After the log: requests that expired while we were down are recorded so. */
	r = approvals_open(m, &m->approvals);
	if (r < 0)
		goto fail;
	/* Break-glass records guard left while we were down; a spool that cannot be read
	 * is logged, and no reason not to decide. */
	spool_ingest(m);
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

/* Fails closed: a daemon asked to confine itself that cannot, or whose filter
 * does not refuse the probe, does not start. */
static int confine(struct manager *m)
{
	enum sandbox_mode mode = m->cfg.seccomp;
	if (mode == SANDBOX_OFF) {
		log_warning("seccomp filter off (--seccomp off): guardd is not confined");
		return 0;
	}
	int r = sandbox_apply(mode);
	if (r < 0) {
		log_error("refusing to start: cannot confine guardd with seccomp; "
			  "--seccomp off runs it unconfined");
		return r;
	}
	m->seccomp_allowed = r;
	if (mode == SANDBOX_DENY) {
		const char *leak = sandbox_probe();
		if (leak) {
			log_error("refusing to start: the seccomp filter is loaded, but %s", leak);
			return -EPERM;
		}
	}
	log_info("seccomp filter on: %d system calls allowed, any other %s%s", r,
		 mode == SANDBOX_KILL ? "kills guardd" : "fails with EPERM",
		 mode == SANDBOX_DENY ? " (probed)" : "");
	return 0;
}

int manager_run(struct manager *m)
{
	int r = confine(m);
	if (r < 0)
		return r;
	log_info("listening on %s%s, decisions to %s", m->cfg.socket_path,
		 m->activated ? " (passed by systemd)" : "", audit_path(m->audit));
	r = activation_notify("READY=1\nSTATUS=deciding");
	if (r < 0)
		log_errno(r, "cannot tell the service manager guardd is ready");
	ev_run(m->loop, 0);
	activation_notify("STOPPING=1");
	return 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	/* Decisions in flight are written (and answered, if the peer still reads). */
	if (m->audit)
		audit_flush(m->audit);
	while (m->conns)
		conn_free(m->conns);
	reload_free(m->reload);
	audit_free(m->audit); /* uses the loop */
	/* After the log's last batch, whose failure would undo approval steps. */
	approvals_free(m->approvals);
	m->approvals = NULL;
	syslog_sink_free(m->syslog);
	redact_free(m->redact);
	if (m->loop)
		ev_loop_destroy(m->loop);
	if (m->listen_fd >= 0) {
		close(m->listen_fd);
		if (!m->activated) /* systemd's socket outlives us */
			listen_unlink(m->cfg.socket_path, m->listen_ino);
	}
	policy_free(m->policy);
	names_free(m->names);
	recent_free(m->recent);
	free(m->uids);
	free(m);
}

bool manager_is_admin(const struct manager *m, const struct peer *p)
{
	if (p->uid == 0)
		return true;
	for (size_t i = 0; m->has_admin_gid && i < p->n_groups; i++)
		if (p->groups[i] == m->admin_gid)
			return true;
	return false;
}

int manager_uid_add(struct manager *m, uid_t uid)
{
	for (size_t i = 0; i < m->n_uids; i++) {
		if (m->uids[i].uid != uid)
			continue;
		if (m->uids[i].n >= m->cfg.max_conns_per_uid)
			return -EUSERS;
		m->uids[i].n++;
		return 0;
	}
	struct uid_count *u = realloc(m->uids, (m->n_uids + 1) * sizeof *u);
	if (!u)
		return -ENOMEM;
	m->uids = u;
	m->uids[m->n_uids++] = (struct uid_count){.uid = uid, .n = 1};
	return 0;
}

void manager_uid_remove(struct manager *m, uid_t uid)
{
	for (size_t i = 0; i < m->n_uids; i++) {
		if (m->uids[i].uid != uid)
			continue;
		if (--m->uids[i].n == 0)
			m->uids[i] = m->uids[--m->n_uids];
		return;
	}
}
