/* sandbox.h: guardd confines itself with a seccomp allow-list once its socket,
 * log and policy are open and its one worker thread runs. What is not on the list
 * (exec, fork and threads, ptrace, network sockets, mounts, ids, ...) fails with
 * EPERM, or kills guardd, and the kernel logs it (SECCOMP_FILTER_FLAG_LOG). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

enum sandbox_mode {
	SANDBOX_DENY, /* a call off the list fails with EPERM (default) */
	SANDBOX_KILL, /* a call off the list kills guardd */
	SANDBOX_OFF,  /* no filter */
};

/* "deny", "kill", "off" to the mode; -EINVAL for anything else. */
int sandbox_mode_from_string(const char *s, enum sandbox_mode *ret);
const char *sandbox_mode_to_string(enum sandbox_mode mode);

/* Installs the filter on every thread of the process (SANDBOX_OFF: nothing).
 * Returns the number of system calls allowed, or negative errno. */
int sandbox_apply(enum sandbox_mode mode);

/* Prints the calls the filter allows in this build and run, a name a line, with
 * the argument each narrowed one is held to (and "# relaxed" after those allowed
 * only for a sanitizer or valgrind); for a service manager's own filter
 * (systemd's SystemCallFilter= must allow at least these, and seccomp itself). */
void sandbox_list(FILE *f);

/* Whether the filter also allows what sanitizers and valgrind need (clone, ptrace,
 * wait4, prctl, kill, ...): in a sanitizer build, or under valgrind. */
bool sandbox_relaxed(void);

/* Makes calls the filter must refuse and that do nothing either way: a socket of
 * the network (AF_INET), and execve of a path that does not exist (ENOENT
 * unconfined, EPERM confined). Returns NULL when both were refused with EPERM,
 * else what was not. Only for SANDBOX_DENY (under SANDBOX_KILL the probe would
 * kill guardd). */
const char *sandbox_probe(void);
