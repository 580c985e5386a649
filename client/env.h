/* env.h: the environment a guard client reports for "env" and "ssh" conditions. */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* What guardd accepts: at most this many variables. */
#define ENV_MAX_COUNT 1024

/* The "NAME=value" entries as {"NAME": "value"}, in order, within budget bytes
 * of names and values and ENV_MAX_COUNT variables: the request must fit the
 * protocol's limits whatever the environment holds. Variables with a value over
 * 4 KiB, past the budget, or not valid UTF-8 are left out (a policy sees them as
 * absent), and so are names that are not shell identifiers (exported bash
 * functions). The first of two entries with one name wins, as with getenv().
 * NULL when out of memory. */
json_t *env_json(char *const *entries, size_t n, size_t budget);

/* env_json() of this process's environment. */
json_t *env_report(size_t budget);
