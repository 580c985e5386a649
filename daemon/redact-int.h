/* redact-int.h: what the parts of the redactor share (redact.c, redact-shape.c,
 * redact-cmd.c); the rest of guardd uses redact.h only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One mark byte for each byte of a text. */
enum {
	RM_HIDE = 1, /* part of a secret */
	RM_KEEP = 2, /* shell syntax (a quote) that stays even inside a hidden run */
	RM_ESC = 4,  /* a backslash of the shell that escapes the next byte */
	RM_EXP = 8,  /* a '$' or '`' the shell expands: a value starting here is a reference */
};

/* A text being redacted and its marks. */
struct rtext {
	const char *s;
	size_t n;
	uint8_t *m;
	bool shell; /* raw shell text: quotes, blanks and operators end a value */
};

/* What a name (an option, a variable, a query or JSON key, a header) says of its value. */
enum rname {
	RNAME_NONE,
	RNAME_WEAK,   /* key=, sig=: hidden when the value is long and looks random */
	RNAME_KEY,    /* private-key, credentials: hidden unless the value is a path */
	RNAME_SECRET, /* password, token, secret, api-key: hidden */
};

enum rname redact_name_kind(const char *s, size_t n);

void redact_hide(const struct rtext *t, size_t a, size_t b);

/* Whether the value t->s[v..e) of a name of this kind is to be hidden: not empty, not a
 * $reference, not a yes/no word, not a path for RNAME_KEY, long and random for RNAME_WEAK.
 * whole: e is where the value ends (else e is only as far as the caller looked). */
bool redact_value_ok(const struct rtext *t, size_t v, size_t e, enum rname kind, bool whole);

/* Marks the secrets any text may hold whatever the command: NAME=value, --opt=value,
 * query strings, JSON keys, headers, user:pass@ in URLs, token shapes, private keys. */
void redact_shapes(const struct rtext *t);
/* Only the shapes that may span words of a shell line (a header, a private key, SQL): the
 * others are found in the words themselves. */
void redact_shapes_spanning(const struct rtext *t);

/* Marks the secrets of a command given as words (argv). -ENOMEM or 0. */
int redact_cmd_argv(const struct rtext *words, size_t n);
/* Marks the secrets of a shell line (t->shell set), reading nested lines up to a depth.
 * -ENOMEM or 0. */
int redact_cmd_line(const struct rtext *t, int depth);
/* Marks the secrets of a text that may be a command line (an environment value). */
int redact_cmd_text(const struct rtext *t);
