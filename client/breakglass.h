/* breakglass.h: guard --break-glass REASON: in an emergency the command runs without a
 * decision, and is recorded: by guardd when it answers (io.guard.BreakGlass), else in
 * the local spool that guardd takes in when it next starts, and at once in syslog. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

struct breakglass_options {
	const char *socket;    /* --socket, or NULL */
	const char *spool_dir; /* --spool-dir, or NULL */
	const char *reason;
	const char *what; /* the command or line as text, for the warning and syslog */
	bool json;
};

/* Warns, then records the break-glass of the request params (Check's parameters,
 * borrowed; "check", "confirm" and "reason" in it are replaced). Returns 0 when the
 * command may run, with guardd's record id in *ret_id (a new string; NULL when the
 * record went to the spool, for which no completion can be reported); or guard's exit
 * code after saying why nothing runs: 1 when the site forbids it, 3 when it could not
 * be recorded anywhere. */
int breakglass_begin(const struct breakglass_options *o, json_t *params, char **ret_id);

/* NULL when reason is acceptable for a break-glass (1 to 1024 bytes, no control
 * characters), else why not: guardd refuses the others. */
const char *breakglass_reason_problem(const char *reason);
