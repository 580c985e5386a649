/* method-check.c: io.guard.Check, the decision. Every path that is not a clean
 * evaluation with a written record ends in a deny, never an allow. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "conn.h"
#include "guard/policy.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "record.h"

static const char *const check_keys[] = {"argv", "program", "cwd", "tty", "check"};

static const char *unknown_key(json_t *params)
{
	const char *key;
	json_t *v;
	json_object_foreach(params, key, v)
	{
		size_t i = 0;
		while (i < sizeof check_keys / sizeof check_keys[0] && strcmp(key, check_keys[i]))
			i++;
		if (i == sizeof check_keys / sizeof check_keys[0])
			return key;
	}
	return NULL;
}

/* A path we will match on: absolute, bounded. NULL when absent or null. */
static int get_path(json_t *params, const char *key, bool required, const char **ret)
{
	json_t *v = json_object_get(params, key);
	*ret = NULL;
	if (!v || json_is_null(v))
		return required ? -EINVAL : 0;
	const char *s = json_string_value(v);
	if (!s || s[0] != '/' || strlen(s) > GUARD_MAX_PATH_LEN)
		return -EINVAL;
	*ret = s;
	return 0;
}

/* Fills req from params, or returns the InvalidParameter reply. argv points into
 * a new array the caller frees. */
static json_t *parse_check(struct call *call, struct record_request *req, const char ***ret_argv)
{
	json_t *p = call->params;
	const char *bad = unknown_key(p);
	if (bad)
		return method_invalid(call, bad, "unknown parameter");
	json_t *argv = json_object_get(p, "argv");
	size_t argc = json_array_size(argv);
	if (!json_is_array(argv) || argc == 0 || argc > GUARD_MAX_ARGS)
		return method_invalid(call, "argv", "must be an array of 1 to 4096 strings");
	if (get_path(p, "program", false, &req->program) < 0)
		return method_invalid(call, "program", "must be an absolute path or null");
	if (get_path(p, "cwd", true, &req->cwd) < 0)
		return method_invalid(call, "cwd", "must be an absolute path");
	json_t *tty = json_object_get(p, "tty");
	if (tty && !json_is_null(tty) && !json_is_string(tty))
		return method_invalid(call, "tty", "must be a string or null");
	json_t *check = json_object_get(p, "check");
	if (check && !json_is_boolean(check))
		return method_invalid(call, "check", "must be a boolean");
	const char **av = calloc(argc + 1, sizeof *av);
	if (!av)
		return NULL;
	for (size_t i = 0; i < argc; i++) {
		av[i] = json_string_value(json_array_get(argv, i));
		if (!av[i]) {
			free(av);
			return method_invalid(call, "argv",
					      "must be an array of 1 to 4096 strings");
		}
	}
	req->argv = argv;
	req->tty = json_string_value(tty);
	req->check = json_is_true(check);
	*ret_argv = av;
	return NULL;
}

static int evaluate(struct call *call, const struct record_request *rr, const char **argv,
		    struct policy_decision *ret)
{
	const struct peer *peer = &call->conn->peer;
	struct policy_request req = {
		.argv = argv,
		.argc = json_array_size(rr->argv),
		.program = rr->program,
		.cwd = rr->cwd,
		.uid = peer->uid,
		.gid = peer->gid,
		.user = peer->user,
		.groups = peer->groups,
		.group_names = (const char *const *)peer->group_names,
		.n_groups = peer->n_groups,
	};
	return policy_evaluate(call->m->policy, &req, ret);
}

/* Writes the record; on failure turns the decision into a deny that says why.
 * Logs only when the log's state changes, so a full disk does not flood stderr. */
static void record(struct call *call, const char *id, const struct record_request *rr,
		   struct policy_decision *d, char *why, size_t why_len)
{
	struct manager *m = call->m;
	json_t *rec = record_decision(m, &call->conn->peer, id, rr, d);
	char *line = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	int r = line ? audit_append(m->audit, line, strlen(line)) : -ENOMEM;
	free(line);
	json_decref(rec);
	if (r == 0 && m->audit_failing)
		log_info("decision log %s is writable again", audit_path(m->audit));
	if (r < 0 && r != m->audit_failing)
		log_errno(r, "cannot write decision log %s; denying every request",
			  audit_path(m->audit));
	m->audit_failing = r;
	if (r == 0)
		return;
	snprintf(why, why_len,
		 "the decision log cannot be written (%s); nothing may run unrecorded",
		 strerror(-r));
	*d = (struct policy_decision){.verdict = POLICY_DENY, .message = why};
}

json_t *method_check(struct call *call)
{
	struct record_request rr = {0};
	const char **argv = NULL;
	json_t *bad = parse_check(call, &rr, &argv);
	if (bad || !argv)
		return bad;
	struct policy_decision d;
	char id[RECORD_ID_LEN + 1], why[256];
	if (record_new_id(id) < 0 || evaluate(call, &rr, argv, &d) < 0) {
		free(argv);
		return method_error(
			GUARD_ERROR_PROTOCOL,
			json_pack("{s:s}", "message", "the request cannot be evaluated"));
	}
	free(argv);
	record(call, id, &rr, &d, why, sizeof why);
	call->m->n_decisions++;
	return method_reply(json_pack("{s:s,s:s,s:s?,s:s,s:s?,s:s,s:s}", "id", id, "decision",
				      policy_verdict_to_string(d.verdict), "rule", d.rule_id,
				      "message", d.message, "runbook", d.runbook, "mode", "enforce",
				      "policy", policy_revision(call->m->policy)));
}
