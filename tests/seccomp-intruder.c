/* seccomp-intruder.c: preloaded into guardd by test-seccomp. On SIGUSR2 it does,
 * from inside the running daemon, what someone who had taken over guardd's code
 * would try: run a program, fork, open a network socket, raise a limit, trace. It
 * writes what each call returned to $GUARD_INTRUDER_OUT, a line each, so the test
 * sees the filter refuse them (or, with --seccomp kill, sees guardd die of the
 * first one). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static char out_path[4096];
static char marker[4096];
/* Files whose presence skips calls: valgrind dies when an execve fails; where the
 * filter is relaxed for a sanitizer or valgrind, fork (from a signal handler) can
 * deadlock their allocator and PTRACE_TRACEME would succeed and stop guardd. */
static char no_exec[4096], relaxed[4096];

static void report(int fd, const char *what, long r)
{
	char line[128];
	int n = snprintf(line, sizeof line, "%s %s\n", what, r < 0 ? strerrorname_np(errno) : "OK");
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		_exit(70);
}

static void on_usr2(int sig)
{
	int saved = errno;
	int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "echo intruder >%s", marker);
	char *const argv[] = {"/bin/sh", "-c", cmd, NULL};
	if (access(no_exec, F_OK) == 0)
		report(fd, "execve-skipped", 0);
	else
		report(fd, "execve", execve("/bin/sh", argv, argv + 3));
	if (access(relaxed, F_OK) == 0) {
		report(fd, "fork-skipped", 0);
	} else {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		report(fd, "fork", pid);
	}
	int s = socket(AF_INET, SOCK_STREAM, 0);
	report(fd, "socket", s);
	if (s >= 0)
		close(s);
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	report(fd, "setrlimit", setrlimit(RLIMIT_CORE, &rl));
	if (access(relaxed, F_OK) == 0)
		report(fd, "ptrace-skipped", 0);
	else
		report(fd, "ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	/* The raw call: glibc's setuid() would signal every thread to follow. */
	report(fd, "setuid", syscall(SYS_setuid, 0));
	close(fd);
	errno = saved;
}

__attribute__((constructor)) static void install(void)
{
	const char *out = getenv("GUARD_INTRUDER_OUT");
	if (!out)
		return;
	snprintf(out_path, sizeof out_path, "%s", out);
	snprintf(marker, sizeof marker, "%s.ran", out);
	snprintf(no_exec, sizeof no_exec, "%s.no-exec", out);
	snprintf(relaxed, sizeof relaxed, "%s.relaxed", out);
	struct sigaction sa = {.sa_handler = on_usr2, .sa_flags = SA_RESTART};
	sigaction(SIGUSR2, &sa, NULL);
}
