/* logrec.h: the top-level members of one decision-log line, found without building a
 * JSON tree. guardctl reads logs of millions of lines, and most lines are only looked
 * at: a validating scan that notes where each known member's value lies is several
 * times faster than parsing every line into objects. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The raw JSON text of a value inside a line (borrowed); p is NULL when absent. */
struct logrec_span {
	const char *p;
	size_t n;
};

/* The members guardctl looks at (see ARCHITECTURE.md for what they mean). */
enum logrec_key {
	LOGREC_TS,
	LOGREC_ID,
	LOGREC_TYPE,
	LOGREC_DECISION_ID,
	LOGREC_HOST,
	LOGREC_UID,
	LOGREC_USER,
	LOGREC_ARGV,
	LOGREC_LINE,
	LOGREC_PROGRAM,
	LOGREC_CHECK,
	LOGREC_DECISION,
	LOGREC_RULE,
	LOGREC_MODE,
	LOGREC_PART,
	LOGREC_UNKNOWN,
	LOGREC_STEP,
	LOGREC_ANSWER_OK,
	LOGREC_REASON,
	LOGREC_DRY_RUN,
	LOGREC_EXIT,
	LOGREC_SIGNAL,
	LOGREC_DURATION_MS,
	LOGREC_TORN_BYTES,
	LOGREC_SAVED_TO,
	LOGREC_EVENT,
	LOGREC_REQUEST,
	LOGREC_REQUESTER,
	LOGREC_SEQ,
	LOGREC_PREV,
	LOGREC_N_KEYS
};

struct logrec {
	struct logrec_span f[LOGREC_N_KEYS];
};

/* What is wrong with a line that is not a record: a static text, and the byte it was
 * found at. */
struct logrec_error {
	const char *text;
	size_t offset;
};

/* Checks that line[0..n) is exactly one JSON object (RFC 8259: valid UTF-8, no
 * control characters in strings, no "\u0000" or lone surrogates, nesting at most 32
 * deep; a known member may appear only once) and notes where the known members'
 * values are. Returns 0, or -EBADMSG and *ret_err (either may be NULL). */
int logrec_parse(const char *line, size_t n, struct logrec *ret, struct logrec_error *ret_err);

/* The kind of a value (false for an absent one). */
bool logrec_is_string(struct logrec_span v);
bool logrec_is_null(struct logrec_span v);
bool logrec_is_true(struct logrec_span v);

/* Decodes a string value into buf (cap > 0): at most cap - 1 bytes and a NUL, never
 * cutting a UTF-8 sequence. Returns the whole decoded length (as snprintf does), or
 * -EINVAL when v is not a string. The value comes from a line logrec_parse() accepted. */
int logrec_string(struct logrec_span v, char *buf, size_t cap);

/* Whether v is a string equal to s. */
bool logrec_string_eq(struct logrec_span v, const char *s);

/* An integer value: 0, or -EINVAL (not an integer) or -ERANGE. */
int logrec_int(struct logrec_span v, int64_t *ret);

/* Iterates over an array value: *pos starts at 0. Returns 1 and the next element, 0
 * at the end, -EINVAL when a is not an array. */
int logrec_array_next(struct logrec_span a, size_t *pos, struct logrec_span *ret);

/* Iterates over an object value's members the same way; the key is a string value. */
int logrec_object_next(struct logrec_span o, size_t *pos, struct logrec_span *ret_key,
		       struct logrec_span *ret_value);
