/* log.c: see log.h. Kept deliberately small: one line per message, stderr only. */
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_ident = "guard";
static enum log_level log_max = LOG_LEVEL_INFO;
static bool log_journal;

void log_setup(const char *ident, enum log_level max)
{
	log_ident = ident;
	log_max = max;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

__attribute__((format(printf, 3, 0))) static void vlog(enum log_level level, const char *suffix,
						       const char *fmt, va_list ap)
{
	if (level > log_max)
		return;
	/* One buffer and one fputs, so concurrent writers do not interleave lines. */
	char line[2048];
	int n = log_journal ? snprintf(line, sizeof line, "<%d>", (int)level)
			    : snprintf(line, sizeof line, "%s: ", log_ident);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	size_t len = strlen(line);
	snprintf(line + len, sizeof line - len, "%s%s", suffix ? ": " : "", suffix ? suffix : "");
	/* A line cut short still ends the line, so the next message starts fresh. */
	len = strlen(line);
	if (len == sizeof line - 1)
		len--;
	line[len] = '\n';
	line[len + 1] = '\0';
	fputs(line, stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

int log_errno(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, strerror(err < 0 ? -err : err), fmt, ap);
	va_end(ap);
	return err;
}
