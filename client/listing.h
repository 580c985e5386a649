/* listing.h: guard --list, as sudo -l: the rules that apply to the caller here and now
 * (io.guard.List), grouped by decision, the refusals first, in plain words. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "present.h"

/* Prints the parameters of an io.guard.List reply for people. */
void listing_print(const struct present *p, json_t *params);

/* Asks guardd at socket (NULL: the usual one) for the rules that apply here and now,
 * and prints them (as the reply's JSON with json). Returns guard's exit code: 0, or 3
 * after saying why there is no list. */
int listing_run(const char *socket, bool json);
