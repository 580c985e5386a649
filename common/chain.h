/* chain.h: the hash chain of the decision log. Every record carries "seq" (1, 2, 3...
 * across rotated files) and "prev", the lowercase hex SHA-256 of the previous record's
 * line exactly as written, without its newline; the first record ever has 64 zeros.
 * guardd computes it when it writes, guardctl log verify when it checks. */
#pragma once

#include <stddef.h>

#define CHAIN_HEX_LEN 64

/* The "prev" of the very first record: 64 '0' characters. */
void chain_genesis(char ret[CHAIN_HEX_LEN + 1]);

/* The hash of one line (its bytes without the newline). Returns 0, or -ENOMEM or -EIO
 * when the crypto library fails. */
int chain_hash(const char *line, size_t n, char ret[CHAIN_HEX_LEN + 1]);
