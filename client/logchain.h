/* logchain.h: checking the decision log's hash chain (common/chain.h) one line at a
 * time, for guardctl log verify. The check is fed lines in order, across files, and
 * stops at the first problem, naming the line that is altered, missing, inserted or
 * out of order. When a line does not fit the chain, the check waits for the next line
 * before naming the problem: whether the chain picks up again after it tells an
 * inserted line from a cut, and a swap from both. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain.h"

struct logchain_pos {
	const char *file; /* borrowed; compared by content for messages */
	uint64_t line;
};

/* What the check keeps of a line. */
struct logchain_line {
	struct logchain_pos pos;
	uint64_t seq;
	char prev[CHAIN_HEX_LEN + 1];
	char hash[CHAIN_HEX_LEN + 1];
};

struct logchain {
	uint64_t n;                /* records that fit the chain */
	uint64_t first_seq;        /* the first record's seq */
	bool started;              /* a first record was seen */
	bool after_earlier;        /* ... and its prev is not genesis */
	struct logchain_line last; /* the last record that fits */
	bool pending;              /* suspect does not fit; the next line says why */
	struct logchain_line suspect;
};

struct logchain_problem {
	struct logchain_pos pos; /* the line the problem is about */
	char text[640];          /* "line 12 was altered (...)" */
};

void logchain_init(struct logchain *c);

/* Feeds the line at pos (without its newline). Returns 0 while the chain holds (or
 * may still), 1 with *ret when a problem is found (stop feeding then), or negative
 * errno when hashing fails. */
int logchain_feed(struct logchain *c, struct logchain_pos pos, const char *line, size_t n,
		  struct logchain_problem *ret);

/* A line that could not be read as a line (over-long, or a last line without its
 * newline): why says so ("is incomplete (...)"). Returns 1 with *ret. */
int logchain_bad_line(struct logchain *c, struct logchain_pos pos, const char *why,
		      struct logchain_problem *ret);

/* The end of the input: 1 with *ret when a line was still in doubt, else 0. */
int logchain_end(struct logchain *c, struct logchain_problem *ret);
