/* logfilter.h: which records guardctl log shows. A filter is tried in two steps: a
 * cheap look at the raw line (the needles guardd's own encoding must contain, the
 * leading ts compared as a string) that rules most lines out without parsing them,
 * then the exact test on the members of the lines that remain. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logrec.h"
#include "logtime.h"

/* Record types, for --type. */
enum {
	LOGFILTER_DECISION = 1 << 0,
	LOGFILTER_COMPLETION = 1 << 1,
	LOGFILTER_RECOVERY = 1 << 2,
	LOGFILTER_BREAK_GLASS = 1 << 3,
};

#define LOGFILTER_MAX_NEEDLES 16

struct logfilter_needle {
	char *text;
	size_t n;
	bool number; /* must not be followed by another digit ("uid":10 in "uid":1000) */
};

struct logfilter {
	/* What to match; NULL, 0 or -1 for "any". Set these, then logfilter_prepare(). */
	bool has_since, has_until;
	int64_t since, until; /* since <= ts < until, microseconds */
	const char *user;     /* a name, or digits for a uid */
	const char *rule, *program, *host, *id;
	unsigned decisions; /* bits: 1 << index in logfilter_decision_names */
	unsigned types;     /* LOGFILTER_* bits */
	int check;          /* 1: only --check queries; 0: none of them; -1: any */

	/* Made by logfilter_prepare(). */
	char since_ts[LOGTIME_TS_LEN + 1], until_ts[LOGTIME_TS_LEN + 1];
	bool user_is_uid;
	int64_t uid;
	struct logfilter_needle all[LOGFILTER_MAX_NEEDLES]; /* every one must be there */
	size_t n_all;
	struct logfilter_needle any[8]; /* one of them must be there (--decision) */
	size_t n_any;
};

/* allow, deny, confirm, reason, approve (NULL-terminated). */
extern const char *const logfilter_decision_names[];

void logfilter_init(struct logfilter *f);

/* Adds a decision or a comma-separated list of them. Returns 0, or -EINVAL naming
 * no known decision. */
int logfilter_add_decisions(struct logfilter *f, const char *list);

/* Sets --type: decision, completion, recovery or break-glass (comma-separated).
 * Returns 0 or -EINVAL. */
int logfilter_add_types(struct logfilter *f, const char *list);

/* Builds the needles. Returns 0, -EINVAL for a value that is not valid UTF-8, or
 * -ENOMEM. */
int logfilter_prepare(struct logfilter *f);

/* Frees the needles; the filter can be prepared again. */
void logfilter_done(struct logfilter *f);

/* Whether the raw line may match: false only when it certainly cannot. */
bool logfilter_maybe(const struct logfilter *f, const char *line, size_t n);

/* Whether the record matches. */
bool logfilter_match(const struct logfilter *f, const struct logrec *r);

/* Whether a record's ts lies within since..until (true when it has no readable ts and
 * no time bound is set). */
bool logfilter_in_time(const struct logfilter *f, struct logrec_span ts);
