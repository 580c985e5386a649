/* regex-cost.h: how large glibc's regcomp() makes an extended regex, estimated from its
 * text before it is compiled. regcomp() copies a repeated part once per repetition,
 * and stacked or nested repetitions multiply: "a++++++++++++++++++++++++" or
 * "((((a+)+)+)+)..." take gigabytes to compile, "a{1,1000}{1,1000}" a billion nodes.
 * So a regex from a policy or a configuration file is refused past a cost, whatever
 * its length. Shared by the policy loader and guardd's settings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The most nodes one regex may cost: a{4000} or 4 KB of text; about 350 KB compiled. */
#define POLICY_REGEX_COST_MAX 4096

/* The number of parse-tree nodes regcomp() would build for the extended regex s, after
 * repetitions are expanded; an upper bound, saturating past POLICY_REGEX_COST_MAX (so
 * compare with that, not for equality). Invalid syntax is counted as literal text:
 * regcomp() refuses it anyway. */
size_t policy_regex_cost(const char *s);

/* Whether the extended regex s has a back-reference ("\\1".."\\9") outside bracket
 * expressions: glibc's regexec() takes exponential time on some of those, and the text
 * it runs on comes from whoever asks. */
bool policy_regex_has_backreference(const char *s);
