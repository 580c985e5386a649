/* present.c: see present.h. The wording of the lines is what people and scripts have
 * learnt to grep ("denied by rule X: ...", "run book: ...", "to confirm, type: ...");
 * colour is only ever put around a whole line, never inside the words, so that the same
 * grep finds them on a terminal too. */
#include "present.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A policy message is at most 1024 characters of up to 4 bytes. */
#define PRESENT_TEXT_MAX 4200

bool present_color_for(bool tty, const char *no_color, const char *term)
{
	if (!tty || (no_color && no_color[0]))
		return false;
	return !term || strcmp(term, "dumb") != 0;
}

void present_init(struct present *p, FILE *f, const char *prefix)
{
	int fd = fileno(f);

	*p = (struct present){.f = f, .prefix = prefix ? prefix : ""};
	p->color = present_color_for(fd >= 0 && isatty(fd), getenv("NO_COLOR"), getenv("TERM"));
}

static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

char *present_clean(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	while (*s) {
		const unsigned char *u = (const unsigned char *)s;
		size_t n = strnlen(s, utf8_len(*u));
		/* C1 controls (U+0080..U+009F) act as escape sequences on some terminals. */
		bool control = *u < 0x20 || *u == 0x7f || (*u == 0xc2 && n == 2 && u[1] < 0xa0);

		if (o + (control ? 1 : n) + 4 > size) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (control) {
			buf[o++] = '?';
		} else {
			memcpy(buf + o, s, n);
			o += n;
		}
		s += n;
	}
	buf[o] = '\0';
	return buf;
}

const char *present_on(const struct present *p, enum present_style s)
{
	static const char *const seq[] = {
		[PRESENT_PLAIN] = "",
		[PRESENT_BOLD] = "\033[1m",
		[PRESENT_DIM] = "\033[2m",
		[PRESENT_RED] = "\033[1;31m",
		[PRESENT_YELLOW] = "\033[1;33m",
		[PRESENT_GREEN] = "\033[1;32m",
		[PRESENT_CYAN] = "\033[36m",
	};
	return p->color ? seq[s] : "";
}

const char *present_off(const struct present *p)
{
	return p->color ? "\033[0m" : "";
}

enum present_style present_verdict_style(const char *decision)
{
	if (!decision || strcmp(decision, "deny") == 0)
		return PRESENT_RED;
	return strcmp(decision, "allow") == 0 ? PRESENT_GREEN : PRESENT_YELLOW;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "PREFIX LABEL VALUE" on one line, styled as a whole, the value cleaned. */
static void labelled(const struct present *p, const char *label, enum present_style s,
		     const char *value)
{
	char clean[PRESENT_TEXT_MAX];

	fprintf(p->f, "%s%s%s%s%s\n", p->prefix, present_on(p, s), label,
		present_clean(value, clean, sizeof(clean)), s ? present_off(p) : "");
}

static void approvers(const struct present *p, json_t *ap)
{
	char group[512];

	fprintf(p->f, "%s%sapproval by %lld of group %s, valid %llds%s\n", p->prefix,
		present_on(p, PRESENT_BOLD),
		(long long)json_integer_value(json_object_get(ap, "count")),
		present_clean(str(ap, "group") ? str(ap, "group") : "?", group, sizeof(group)),
		(long long)json_integer_value(json_object_get(ap, "expires_sec")), present_off(p));
}

void present_decision(const struct present *p, json_t *params, const char *what)
{
	char msg[PRESENT_TEXT_MAX], rule[256];
	const char *id = str(params, "rule"), *m = str(params, "message");
	enum present_style s = present_verdict_style(str(params, "decision"));

	fprintf(p->f, "%s%s%s", p->prefix, present_on(p, s), what);
	if (id)
		fprintf(p->f, " by rule %s", present_clean(id, rule, sizeof(rule)));
	fprintf(p->f, ": %s%s\n", present_clean(m ? m : "", msg, sizeof(msg)), present_off(p));
	if (str(params, "part"))
		labelled(p, "the part that decided: ", PRESENT_BOLD, str(params, "part"));
	if (str(params, "runbook"))
		labelled(p, "run book: ", PRESENT_CYAN, str(params, "runbook"));
	if (str(params, "phrase"))
		labelled(p, "to confirm, type: ", PRESENT_BOLD, str(params, "phrase"));
	if (str(params, "reason_pattern"))
		labelled(p, "a reason must match: ", PRESENT_BOLD, str(params, "reason_pattern"));
	if (json_is_object(json_object_get(params, "approvers")))
		approvers(p, json_object_get(params, "approvers"));
}

static void vline(const struct present *p, enum present_style s, const char *label, const char *fmt,
		  va_list ap) __attribute__((format(printf, 4, 0)));

static void vline(const struct present *p, enum present_style s, const char *label, const char *fmt,
		  va_list ap)
{
	fprintf(p->f, "%s%s%s", p->prefix, present_on(p, s), label);
	vfprintf(p->f, fmt, ap);
	fprintf(p->f, "%s\n", s ? present_off(p) : "");
}

void present_hint(const struct present *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, PRESENT_CYAN, "to go on: ", fmt, ap);
	va_end(ap);
}

void present_warning(const struct present *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, PRESENT_RED, "", fmt, ap);
	va_end(ap);
}

void present_line(const struct present *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, PRESENT_PLAIN, "", fmt, ap);
	va_end(ap);
}

void present_next_step(const struct present *p, json_t *params)
{
	const char *d = str(params, "decision");
	char phrase[512];

	if (!d)
		return;
	if (strcmp(d, "confirm") == 0 && str(params, "phrase"))
		present_hint(p, "type the phrase on a terminal, or run again with --confirm '%s'",
			     present_clean(str(params, "phrase"), phrase, sizeof(phrase)));
	else if (strcmp(d, "reason") == 0)
		present_hint(p, "give a reason on a terminal, or run again with --reason TEXT "
				"(a ticket or incident that matches the pattern)");
	/* approve: the approval flow says how to ask for one. */
}
