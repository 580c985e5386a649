/* method-rotate.c: io.guard.RotateLog (administrators only): the log file is renamed
 * to FILE.YYYYmmddTHHMMSSZ and a new FILE is started; the chain goes on in it. The
 * same as logrotate plus SIGUSR1, for hosts without logrotate. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "audit.h"
#include "conn.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"

/* A name beside the log that does not exist yet. */
static char *rotated_name(const char *path)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 100; i++) {
		char *name = NULL;
		if ((i ? asprintf(&name, "%s.%s.%d", path, stamp, i)
		       : asprintf(&name, "%s.%s", path, stamp)) < 0)
			return NULL;
		struct stat st;
		if (lstat(name, &st) < 0 && errno == ENOENT)
			return name;
		free(name);
	}
	return NULL;
}

json_t *method_rotate_log(struct call *call)
{
	json_t *bad = method_no_params(call);
	if (bad)
		return bad;
	struct manager *m = call->m;
	const char *path = audit_path(m->audit);
	char *to = rotated_name(path);
	int r = to ? audit_reopen(m->audit, to) : -ENOMEM;
	if (r < 0) {
		log_errno(r, "cannot rotate decision log %s", path);
		free(to);
		char text[256];
		snprintf(text, sizeof text, "cannot rotate %s: %s", path, strerror(-r));
		return method_error(GUARD_ERROR_LOG_FAILED, json_pack("{s:s}", "message", text));
	}
	log_info("rotated decision log %s to %s (pid %d uid %u asked)", path, to,
		 (int)call->conn->peer.pid, (unsigned)call->conn->peer.uid);
	json_t *reply = method_reply(json_pack("{s:s,s:s,s:I}", "file", path, "rotated_to", to,
					       "seq", (json_int_t)audit_seq(m->audit)));
	free(to);
	return reply;
}
