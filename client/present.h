/* present.h: what the person at the keyboard sees of guardd's answers: which rule, why
 * (the rule's message), what to do instead (the run book), and how to go on when that is
 * possible. Colour only on a terminal and only without NO_COLOR (https://no-color.org);
 * scripts use --json instead of reading this text. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Where and how to write. */
struct present {
	FILE *f;
	const char *prefix; /* "guard: " before every line, or "" */
	bool color;
};

/* Whether to colour what goes to a terminal (tty), given $NO_COLOR and $TERM (NULL when
 * unset): never without a terminal, never when NO_COLOR is set to anything but "",
 * never for TERM=dumb. */
bool present_color_for(bool tty, const char *no_color, const char *term);

/* Writes to f, coloured when present_color_for() says so for f's descriptor and this
 * process's environment. */
void present_init(struct present *p, FILE *f, const char *prefix);

/* s into buf (size >= 4) with what could drive a terminal made harmless: C0 and C1
 * control characters and DEL become '?'. Text from a policy or a peer is shown
 * through this. Cut with "..." to fit. Returns buf. */
char *present_clean(const char *s, char *buf, size_t size);

/* A decision from guardd's reply parameters: "WHAT by rule ID: MESSAGE" (what is
 * "denied", "allowed", "confirmation asked"...), the part of a line that decided, the
 * run book, and what a human step needs (the phrase, the reason's pattern, the
 * approvers). */
void present_decision(const struct present *p, json_t *params, const char *what);

/* "to go on: TEXT", for a step that can still be completed another way. */
void present_hint(const struct present *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* How to complete the human step of params' decision another way, as a hint:
 * confirm: --confirm with the phrase; reason: --reason. Nothing for other decisions
 * (approve is said by the approval flow). */
void present_next_step(const struct present *p, json_t *params);

/* A line that must not be missed (break-glass), in bold red on a terminal. */
void present_warning(const struct present *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A plain line with the prefix. */
void present_line(const struct present *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Escape sequences for other parts of the client (the rule list): the sequence when
 * p->color, else "". */
enum present_style {
	PRESENT_PLAIN,
	PRESENT_BOLD,
	PRESENT_DIM,
	PRESENT_RED,
	PRESENT_YELLOW,
	PRESENT_GREEN,
	PRESENT_CYAN,
};
const char *present_on(const struct present *p, enum present_style s);
const char *present_off(const struct present *p);
/* The style of a decision ("deny" red, "allow" green, the human steps yellow). */
enum present_style present_verdict_style(const char *decision);
