/* method.h: the static method table and what a method handler sees. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

struct manager;
struct conn;

struct call {
	struct manager *m;
	struct conn *conn;
	json_t *params; /* borrowed; an empty object when the call had none */
	bool hangup;    /* set by a handler to close the connection after the reply */
	bool later;     /* set by a handler that answers later, with conn_reply_later() */
};

/* A handler returns the reply object (owned by the caller), built with
 * method_reply() or method_error(); NULL means out of memory. */
typedef json_t *(*method_fn)(struct call *call);

struct method {
	const char *name;
	method_fn fn;
	bool admin; /* only uid 0 or members of the admin group may call it */
};

/* Looks name up in the table; NULL when there is no such method. */
const struct method *method_find(const char *name);

/* The table's names, for GetInfo. */
json_t *method_interfaces(void);

/* {"parameters": params}; steals params. */
json_t *method_reply(json_t *params);
/* {"error": error, "parameters": params}; steals params (NULL: {}). */
json_t *method_error(const char *error, json_t *params);
/* InvalidParameter naming the parameter, and marks the call for hang-up: a
 * request with bad or unknown keys is a broken client, not a question. */
json_t *method_invalid(struct call *call, const char *parameter, const char *why);

/* For methods that take no parameters: NULL when there are none, else the
 * InvalidParameter reply naming the first. */
json_t *method_no_params(struct call *call);

/* Queues rec (stolen) in the decision log with reply (stolen; NULL means out of memory)
 * for the caller's connection, and marks the call as answered later: the reply leaves
 * once the record is on disk, or fail's does (audit.h). Returns 0, or negative errno
 * after releasing both: then the caller answers now. */
int method_submit(struct call *call, json_t *rec, json_t *reply,
		  json_t *(*fail)(const char *id, int error), int priority);

/* The handlers, one file per family. */
json_t *method_check(struct call *call);
json_t *method_finished(struct call *call);
json_t *method_status(struct call *call);
json_t *method_get_info(struct call *call);
json_t *method_explain(struct call *call);
json_t *method_reload(struct call *call);
json_t *method_rotate_log(struct call *call);
json_t *method_break_glass(struct call *call);
json_t *method_list(struct call *call);
json_t *method_pending(struct call *call);
json_t *method_approve(struct call *call);
json_t *method_reject(struct call *call);
