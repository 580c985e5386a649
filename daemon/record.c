/* record.c: decision records and the replies that report them. Key order is the
 * order written, which keeps the log readable by eye: when, who, what, verdict. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "manager.h"
#include "method.h"
#include "peer.h"
#include "request.h"

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

static const char *verdict(enum policy_verdict v)
{
	return policy_verdict_to_string(v);
}

/* [{"rule": id, "decision": d}, ...] for the dry-run rules that matched. */
static json_t *dry_runs(const struct policy_decision *d)
{
	json_t *a = json_array();
	size_t n = d->n_dry_run < POLICY_MAX_DRY_RUN ? d->n_dry_run : POLICY_MAX_DRY_RUN;
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "rule", d->dry_run[i].rule_id,
						   "decision", verdict(d->dry_run[i].verdict)));
	return a;
}

/* A line in the place of argv, and which part of the request decided. */
static int add_parts(json_t *o, const struct request *req, const struct policy_decision *d)
{
	int r = 0;
	if (req->line) {
		json_object_del(o, "argv");
		r = json_object_set_new(o, "line", json_string(req->line));
	}
	if (r == 0 && d->part[0])
		r = json_object_set_new(o, "part", json_string(d->part));
	if (r == 0 && d->unknown[0])
		r = json_object_set_new(o, "unknown", json_string(d->unknown));
	return r;
}

/* The human step and its answer: only present when the rule asked for one. */
static int add_step(json_t *o, const struct request *req, const struct outcome *out)
{
	if (out->step == POLICY_ALLOW)
		return 0;
	int r = json_object_set_new(o, "step", json_string(verdict(out->step)));
	if (r == 0 && out->answered)
		r = json_object_set_new(o, "answer_ok", json_boolean(out->answer_ok));
	if (r == 0 && out->step == POLICY_CONFIRM && req->confirm)
		r = json_object_set_new(o, "confirm", json_string(req->confirm));
	if (r == 0 && out->step == POLICY_REASON && req->reason)
		r = json_object_set_new(o, "reason", json_string(req->reason));
	return r;
}

json_t *record_decision(const struct manager *m, const struct peer *peer, const struct request *req,
			const struct outcome *o)
{
	char ts[RECORD_TS_LEN + 1];
	record_timestamp(ts);
	const struct policy_decision *d = &o->d;
	json_t *rec = json_pack(
		"{s:s,s:s,s:s,s:s,s:I,s:s?,s:I,s:I,s:s,s:O?,s:s?,s:s?,s:b,s:o,s:s,s:s?,s:s,s:s}",
		"ts", ts, "id", o->id, "type", "decision", "host", m->host, "uid",
		(json_int_t)peer->uid, "user", peer->user, "gid", (json_int_t)peer->gid, "pid",
		(json_int_t)peer->pid, "cwd", req->cwd, "argv", req->argv, "program", req->program,
		"tty", req->tty, "check", req->check, "env", request_env_record(req, m->policy),
		"decision", verdict(d->verdict), "rule", d->rule_id, "mode", "enforce", "policy",
		policy_revision(m->policy));
	if (rec && d->n_dry_run > 0 && json_object_set_new(rec, "dry_run", dry_runs(d)) < 0)
		goto oom;
	if (rec && add_parts(rec, req, d) < 0)
		goto oom;
	if (rec && add_step(rec, req, o) < 0)
		goto oom;
	return rec;
oom:
	json_decref(rec);
	return NULL;
}

/* What the person needs for the step the rule asks for. */
static int add_step_needs(json_t *p, const struct policy_decision *d)
{
	switch (d->verdict) {
	case POLICY_CONFIRM:
		return json_object_set_new(p, "phrase", json_string(d->phrase));
	case POLICY_REASON:
		return json_object_set_new(p, "reason_pattern", json_string(d->reason_pattern));
	case POLICY_APPROVE:
		return json_object_set_new(p, "approvers",
					   json_pack("{s:s,s:I,s:I}", "group", d->approvers_group,
						     "count", (json_int_t)d->approvers_count,
						     "expires_sec",
						     (json_int_t)d->approvers_expires));
	default:
		return 0;
	}
}

json_t *record_unrecorded(const char *id, int error)
{
	char why[256];
	snprintf(why, sizeof why,
		 "the decision log is unavailable (%s); nothing may run unrecorded",
		 strerror(-error));
	return method_reply(json_pack("{s:s?,s:s,s:n,s:s,s:n,s:s}", "id", id && *id ? id : NULL,
				      "decision", "deny", "rule", "message", why, "runbook", "mode",
				      "enforce"));
}

json_t *record_reply(const struct manager *m, const struct outcome *o)
{
	const struct policy_decision *d = &o->d;
	json_t *p = json_pack("{s:s?,s:s,s:s?,s:s,s:s?,s:s,s:s}", "id", o->id, "decision",
			      verdict(d->verdict), "rule", d->rule_id, "message",
			      o->why ? o->why : d->message, "runbook", d->runbook, "mode",
			      "enforce", "policy", policy_revision(m->policy));
	if (p && add_step_needs(p, d) < 0)
		goto oom;
	if (p && o->step != POLICY_ALLOW &&
	    json_object_set_new(p, "step", json_string(verdict(o->step))) < 0)
		goto oom;
	if (p && o->answered && json_object_set_new(p, "answer_ok", json_boolean(o->answer_ok)) < 0)
		goto oom;
	if (p && d->n_dry_run > 0 && json_object_set_new(p, "dry_run", dry_runs(d)) < 0)
		goto oom;
	if (p && d->part[0] && json_object_set_new(p, "part", json_string(d->part)) < 0)
		goto oom;
	if (p && d->unknown[0] && json_object_set_new(p, "unknown", json_string(d->unknown)) < 0)
		goto oom;
	return p;
oom:
	json_decref(p);
	return NULL;
}

json_t *record_completion(const struct manager *m, const struct peer *peer,
			  const struct completion *c)
{
	char ts[RECORD_TS_LEN + 1];
	record_timestamp(ts);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s?,s:I,s:o,s:o,s:I}", "ts", ts, "id", c->id,
			 "type", "completion", "decision_id", c->decision_id, "host", m->host,
			 "uid", (json_int_t)peer->uid, "user", peer->user, "pid",
			 (json_int_t)peer->pid, "exit",
			 c->exit >= 0 ? json_integer(c->exit) : json_null(), "signal",
			 c->signal > 0 ? json_integer(c->signal) : json_null(), "duration_ms",
			 (json_int_t)c->duration_ms);
}
