/* breakglass.c: see breakglass.h. A break-glass record has the fields of a decision
 * record where they mean the same (who, where, what), the reason, and what the policy
 * would have decided, so that a review sees at once which rule was stepped over. */
#include "breakglass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager.h"
#include "record.h"
#include "request.h"

/* entry is a decimal uid or a name, as in policy files. */
static bool names_user(const char *entry, uid_t uid, const char *user)
{
	char *end;
	unsigned long id = strtoul(entry, &end, 10);

	if (*entry && !*end && entry[0] != '-')
		return id == uid;
	return user && strcmp(entry, user) == 0;
}

const char *breakglass_forbidden(const struct manager *m, uid_t uid, const char *user)
{
	if (m->cfg.no_break_glass)
		return "break-glass is disabled on this host (guardd's \"break_glass\": false); "
		       "ask an administrator";
	for (size_t i = 0; i < m->cfg.n_break_glass_deny; i++)
		if (names_user(m->cfg.break_glass_deny[i], uid, user))
			return "break-glass is not allowed for this user (guardd's "
			       "\"break_glass_deny_users\"); ask an administrator";
	return NULL;
}

static json_t *would(const struct policy_decision *d)
{
	if (!d)
		return json_null();
	return json_pack("{s:s,s:s?,s:s?}", "decision", policy_verdict_to_string(d->verdict),
			 "rule", d->rule_id, "part", d->part[0] ? d->part : NULL);
}

/* The command as asked: argv, or a line in its place. */
static int add_command(json_t *rec, const struct request *req)
{
	if (req->line)
		return json_object_set_new(rec, "line", json_string(req->line));
	return json_object_set(rec, "argv", req->argv);
}

static int add_spooled(json_t *rec, const struct breakglass *b)
{
	if (!b->spool_id)
		return 0;
	int r = json_object_set_new(rec, "spooled", json_true());
	if (r == 0)
		r = json_object_set_new(rec, "spool_id", json_string(b->spool_id));
	if (r == 0 && b->spooled_at)
		r = json_object_set_new(rec, "spooled_at", json_string(b->spooled_at));
	if (r == 0 && b->claimed_uid >= 0)
		r = json_object_set_new(rec, "claimed_uid", json_integer(b->claimed_uid));
	return r;
}

json_t *breakglass_record(const struct manager *m, const struct breakglass *b)
{
	char ts[RECORD_TS_LEN + 1];
	const struct request *req = b->req;

	record_timestamp(ts);
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s?,s:I,s:I,s:s}", "ts", ts, "id", b->id,
				"type", "break-glass", "host", m->host, "uid", (json_int_t)b->uid,
				"user", b->user, "gid", (json_int_t)b->gid, "pid",
				(json_int_t)b->pid, "cwd", req->cwd);
	int r = rec ? add_command(rec, req) : -1;
	json_t *rest =
		r == 0 ? json_pack("{s:s?,s:s?,s:o,s:s,s:o,s:b,s:s?,s:s}", "program", req->program,
				   "tty", req->tty, "env", request_env_record(req, m->policy),
				   "reason", b->reason, "would", would(b->would), "permitted",
				   !b->forbidden, "forbidden", b->forbidden, "policy",
				   policy_revision(m->policy))
		       : NULL;
	if (!rest || json_object_update(rec, rest) < 0 || add_spooled(rec, b) < 0 ||
	    record_redact(rec, m->redact) < 0) {
		json_decref(rest);
		json_decref(rec);
		return NULL;
	}
	json_decref(rest);
	return rec;
}
