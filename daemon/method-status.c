/* method-status.c: io.guard.Status and org.varlink.service.GetInfo. */
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "guard/policy.h"
#include "guard/protocol.h"
#include "manager.h"
#include "method.h"
#include "syslog-sink.h"

/* {"mode": "deny"|"kill"|"off", "allowed": N, "relaxed": B}: what confines guardd
 * now; relaxed: the filter also lets a sanitizer or valgrind work (sandbox.h). */
static json_t *seccomp_status(const struct manager *m)
{
	enum sandbox_mode mode = m->seccomp_allowed ? m->cfg.seccomp : SANDBOX_OFF;
	return json_pack("{s:s,s:i,s:b}", "mode", sandbox_mode_to_string(mode), "allowed",
			 m->seccomp_allowed, "relaxed", m->seccomp_allowed && sandbox_relaxed());
}

json_t *method_status(struct call *call)
{
	struct manager *m = call->m;
	json_t *bad = method_no_params(call);
	if (bad)
		return bad;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	json_t *policy = json_pack("{s:s,s:s,s:I,s:I,s:s,s:I}", "directory", m->cfg.policy_dir,
				   "revision", policy_revision(m->policy), "files",
				   (json_int_t)policy_n_files(m->policy), "rules",
				   (json_int_t)policy_n_rules(m->policy), "default",
				   policy_verdict_to_string(policy_default(m->policy)), "reloads",
				   (json_int_t)m->n_reloads);
	json_t *syslog = m->syslog
				 ? json_pack("{s:s,s:b,s:I}", "socket",
					     m->cfg.syslog_socket ? m->cfg.syslog_socket
								  : SYSLOG_SINK_DEFAULT_PATH,
					     "connected", syslog_sink_connected(m->syslog),
					     "dropped", (json_int_t)syslog_sink_dropped(m->syslog))
				 : json_null();
	return method_reply(json_pack(
		"{s:s,s:i,s:i,s:s,s:I,s:o,s:s,s:b,s:I,s:s,s:o,s:s,s:I,s:I,s:I,s:o}", "version",
		GUARD_VERSION, "protocol", GUARD_PROTOCOL_VERSION, "pid", (int)getpid(), "host",
		m->host, "uptime_sec", (json_int_t)(now.tv_sec - m->started.tv_sec), "policy",
		policy, "audit_log", audit_path(m->audit), "audit_ok", audit_failing(m->audit) == 0,
		"audit_seq", (json_int_t)audit_seq(m->audit), "audit_sync",
		audit_sync_mode(m->audit) == AUDIT_SYNC_ALWAYS ? "always" : "none", "syslog",
		syslog, "socket", m->cfg.socket_path, "connections", (json_int_t)m->n_conns,
		"decisions", (json_int_t)m->n_decisions, "refused_connections",
		(json_int_t)m->n_refused, "seccomp", seccomp_status(m)));
}

json_t *method_get_info(struct call *call)
{
	json_t *bad = method_no_params(call);
	if (bad)
		return bad;
	return method_reply(json_pack("{s:s,s:s,s:s,s:s,s:o}", "vendor", "guard", "product",
				      "guardd", "version", GUARD_VERSION, "url", "man:guardd(8)",
				      "interfaces", method_interfaces()));
}
