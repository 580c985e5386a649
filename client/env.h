/* env.h: the environment a guard client reports for "env" and "ssh" conditions. */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* The process environment as {"NAME": "value"}, in environ's order, within
 * budget bytes of names and values: the request must fit the protocol's message
 * limit whatever the environment holds. Variables with a value over 4 KiB, or
 * past the budget, are left out (a policy sees them as absent), and so are
 * names that are not shell identifiers. NULL when out of memory. */
json_t *env_report(size_t budget);
