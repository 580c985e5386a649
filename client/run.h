/* run.h: run the allowed command as guard's child and wait for it, so that guard
 * can report how it ended. To the person and the shell it looks as if guard had
 * exec'd the command: same pid group, terminal, argv, environment and signals. */
#pragma once

#include <stdint.h>

struct run_result {
	int exit;            /* its exit status 0..255, or -1 when a signal ended it */
	int signal;          /* the signal that ended it, or 0 */
	int exec_error;      /* errno of a failed execv (exit is then 126 or 127), or 0 */
	int64_t duration_ms; /* from fork to its end, CLOCK_MONOTONIC */
};

/* Forks; the child gets back the signal mask and SIGCHLD disposition guard
 * started with and execv's path with argv (NULL-terminated) and the current
 * environment. The child stays in guard's process group, so the terminal's
 * ^C, ^\ and ^Z reach it directly. Until it ends, guard forwards SIGTERM,
 * SIGHUP, SIGUSR1, SIGUSR2 and SIGALRM, and SIGINT, SIGQUIT, SIGWINCH and
 * SIGTSTP when a process sent them (the terminal already sent its own to the
 * child); when the child stops, guard stops with the same signal, and whenever
 * guard is continued it continues the child. Returns 0 and *ret, or negative
 * errno when no child could be started (*ret untouched). */
int run_command(const char *path, char *const argv[], struct run_result *ret);
