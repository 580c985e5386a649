/* syslog-sink.h: a copy of each decision record for the local syslog socket, which
 * journald and rsyslog both listen on, sent without ever blocking or slowing guardd:
 * what cannot be sent at once is dropped and counted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where glibc's syslog() sends. */
#define SYSLOG_SINK_DEFAULT_PATH "/dev/log"
/* The largest datagram sent, header included: rsyslog's default maximum message size.
 * A longer message is cut and ends in SYSLOG_SINK_CUT_MARK. */
#define SYSLOG_SINK_MAX      8192
#define SYSLOG_SINK_CUT_MARK "...[truncated]"
/* After a failed connect, how long before the next try. */
#define SYSLOG_SINK_RETRY_SEC 1

struct syslog_sink;

/* A sink for the AF_UNIX datagram socket at path (NULL: SYSLOG_SINK_DEFAULT_PATH).
 * It connects at once; a socket that is missing or refuses (no syslog daemon, or one
 * restarting) is no error: the sink connects later, at most once a second, and until
 * then drops and counts what it is given. Returns 0 and the sink in *ret, or
 * -ENAMETOOLONG (path does not fit a socket address), -ENOMEM, or socket()'s errno. */
int syslog_sink_new(const char *path, struct syslog_sink **ret);

/* Sends msg[0..n) (a trailing newline is left out) as one datagram the way glibc's
 * syslog() does: "<PRI>Mmm dd hh:mm:ss guardd[PID]: MSG", with the local time. priority
 * is a syslog(3) priority (LOG_NOTICE, ...); without a facility it is LOG_AUTHPRIV.
 * Never blocks: when the receiver's queue is full, or there is no receiver, the
 * message is dropped and counted. When the receiver has gone away (it restarted) the
 * sink connects again, at most once a second, and sends the message then. */
void syslog_sink_send(struct syslog_sink *s, int priority, const char *msg, size_t n);

/* Messages dropped since the sink was made. */
uint64_t syslog_sink_dropped(const struct syslog_sink *s);

/* Whether the sink holds a connected socket now (for a warning at start). */
bool syslog_sink_connected(const struct syslog_sink *s);

/* Accepts NULL. */
void syslog_sink_free(struct syslog_sink *s);
