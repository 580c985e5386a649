/* methods.c: the static method table and the reply helpers every method uses. */
#include <errno.h>
#include <string.h>

#include "audit.h"
#include "guard/protocol.h"
#include "manager.h"
#include "method.h"

static const struct method method_table[] = {
	{GUARD_METHOD_CHECK, method_check, false},
	{GUARD_METHOD_FINISHED, method_finished, false},
	{GUARD_METHOD_EXPLAIN, method_explain, false},
	{GUARD_METHOD_STATUS, method_status, false},
	{GUARD_METHOD_RELOAD, method_reload, true},
	{GUARD_METHOD_ROTATE_LOG, method_rotate_log, true},
	{GUARD_METHOD_BREAK_GLASS, method_break_glass, false},
	{GUARD_METHOD_LIST, method_list, false},
	/* Open to all: approvals.h checks who may do what with each request. */
	{GUARD_METHOD_PENDING, method_pending, false},
	{GUARD_METHOD_APPROVE, method_approve, false},
	{GUARD_METHOD_REJECT, method_reject, false},
	{VARLINK_METHOD_INFO, method_get_info, false},
};

const struct method *method_find(const char *name)
{
	for (size_t i = 0; i < sizeof method_table / sizeof method_table[0]; i++)
		if (strcmp(method_table[i].name, name) == 0)
			return &method_table[i];
	return NULL;
}

json_t *method_interfaces(void)
{
	return json_pack("[s,s]", GUARD_INTERFACE, "org.varlink.service");
}

json_t *method_reply(json_t *params)
{
	return json_pack("{s:o}", "parameters", params ? params : json_object());
}

json_t *method_error(const char *error, json_t *params)
{
	return json_pack("{s:s,s:o}", "error", error, "parameters",
			 params ? params : json_object());
}

json_t *method_no_params(struct call *call)
{
	if (json_object_size(call->params) == 0)
		return NULL;
	return method_invalid(call, json_object_iter_key(json_object_iter(call->params)),
			      "this method takes no parameters");
}

json_t *method_invalid(struct call *call, const char *parameter, const char *why)
{
	call->hangup = true;
	return method_error(VARLINK_ERROR_INVALID_PARAMETER,
			    json_pack("{s:s,s:s}", "parameter", parameter, "message", why));
}

int method_submit(struct call *call, json_t *rec, json_t *reply,
		  json_t *(*fail)(const char *id, int error), int priority)
{
	int r = rec && reply ? audit_submit(call->m->audit, rec, call->conn, reply, fail, priority)
			     : -ENOMEM;
	if (r == 0) {
		call->later = true;
		return 0;
	}
	/* audit_submit took rec even when it failed. */
	if (!(rec && reply))
		json_decref(rec);
	json_decref(reply);
	return r;
}
