/* log.h: messages from the top level of guard's programs to stderr.
 * Library code (policy/, common/wire) never logs; it returns errors. */
#pragma once

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 3, /* syslog priorities, so journald can read the prefix */
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* Sets the program name shown before each message and the most verbose level
 * printed. Under systemd (JOURNAL_STREAM set) messages carry a "<N>" priority
 * prefix instead of the name, which journald turns into the record's priority. */
void log_setup(const char *ident, enum log_level max);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...)   log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Logs at error level with ": strerror(-err)" appended and returns err, so that
 * the top level can log and return in one step: return log_errno(r, "..."). */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
