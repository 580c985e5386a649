/* record.c: building decision records. Key order is the order written, which
 * keeps the log readable by eye: when, who, what, then the verdict. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "guard/policy.h"
#include "manager.h"
#include "peer.h"

int record_new_id(char ret[RECORD_ID_LEN + 1])
{
	unsigned char raw[RECORD_ID_LEN / 2];
	ssize_t n = getrandom(raw, sizeof raw, 0);
	if (n != (ssize_t)sizeof raw)
		return n < 0 ? -errno : -EIO;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof raw; i++) {
		ret[2 * i] = hex[raw[i] >> 4];
		ret[2 * i + 1] = hex[raw[i] & 15];
	}
	ret[RECORD_ID_LEN] = '\0';
	return 0;
}

void record_timestamp(char ret[RECORD_TS_LEN + 1])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(ret, RECORD_TS_LEN + 1, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ret + n, RECORD_TS_LEN + 1 - n, ".%06ldZ", ts.tv_nsec / 1000);
}

json_t *record_decision(const struct manager *m, const struct peer *peer, const char *id,
			const struct record_request *req, const struct policy_decision *d)
{
	char ts[RECORD_TS_LEN + 1];
	record_timestamp(ts);
	return json_pack(
		"{s:s,s:s,s:s,s:s,s:I,s:s?,s:I,s:I,s:s,s:O,s:s?,s:s?,s:b,s:s,s:s?,s:s,s:s}", "ts",
		ts, "id", id, "type", "decision", "host", m->host, "uid", (json_int_t)peer->uid,
		"user", peer->user, "gid", (json_int_t)peer->gid, "pid", (json_int_t)peer->pid,
		"cwd", req->cwd, "argv", req->argv, "program", req->program, "tty", req->tty,
		"check", req->check, "decision", policy_verdict_to_string(d->verdict), "rule",
		d->rule_id, "mode", "enforce", "policy", policy_revision(m->policy));
}
