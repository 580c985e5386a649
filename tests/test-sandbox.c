/* test-sandbox.c: the seccomp filter guardd confines itself with. Each case forks:
 * the child installs the filter, makes real system calls and reports what they
 * returned through a pipe, so a filter never outlives its case. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* valgrind (3.19) has no seccomp(2): only the calling thread can be filtered, and
 * only to refuse. */
#define SKIP_UNDER_VALGRIND(what)                                                                  \
	do {                                                                                       \
		if (RUNNING_ON_VALGRIND) {                                                         \
			fprintf(stderr, "skipped under valgrind: %s\n", what);                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* The errno a call left: 0 when it succeeded. */
static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

/* Runs fn in a child with the filter of mode installed; fn writes ints to fd.
 * Returns the wait status; the ints are in out. */
static int in_child(enum sandbox_mode mode, void (*fn)(int fd), int *out, size_t n)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		int r = sandbox_apply(mode);
		if (write(p[1], &r, sizeof r) != sizeof r)
			_exit(3);
		fn(p[1]);
		_exit(0);
	}
	close(p[1]);
	int got[16] = {0};
	ssize_t len = 0, k;
	while ((k = read(p[0], (char *)got + len, sizeof got - (size_t)len)) > 0)
		len += k;
	close(p[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_ge(len, (ssize_t)sizeof(int));
	for (size_t i = 0; i < n; i++)
		out[i] = got[i];
	return status;
}

static void put(int fd, int v)
{
	if (write(fd, &v, sizeof v) != sizeof v)
		_exit(4);
}

static void calls(int fd)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	put(fd, s >= 0 ? 0 : errno);
	put(fd, err_of(socket(AF_INET, SOCK_STREAM, 0)));
	put(fd, err_of(socket(AF_NETLINK, SOCK_RAW, 0)));
	put(fd, sandbox_probe() != NULL);
	put(fd, err_of(setuid(0)));
	int f = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char buf[4096];
	ssize_t n = f >= 0 ? read(f, buf, sizeof buf - 1) : -1;
	put(fd, n > 0 ? 0 : errno);
	buf[n > 0 ? n : 0] = '\0';
	put(fd, strstr(buf, "Seccomp:\t2") != NULL);
	put(fd, err_of(fork()));
	put(fd, err_of(ptrace(PTRACE_TRACEME, 0, NULL, NULL)));
	struct rlimit rl = {1 << 20, 1 << 20};
	put(fd, err_of(setrlimit(RLIMIT_NOFILE, &rl)));
	put(fd, err_of(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)));
}

START_TEST(deny_refuses_what_is_off_the_list)
{
	int v[12];
	int st = in_child(SANDBOX_DENY, calls, v, 12);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
	ck_assert_int_gt(v[0], 60);    /* the filter allows some 90 calls */
	ck_assert_int_eq(v[1], 0);     /* a Unix socket: clients, syslog, NSS */
	ck_assert_int_eq(v[2], EPERM); /* no network */
	ck_assert_int_eq(v[3], EPERM);
	ck_assert_int_eq(v[4], 0);     /* the probe: network and execve refused */
	ck_assert_int_eq(v[5], EPERM); /* setuid */
	ck_assert_int_eq(v[6], 0);     /* files still open and read */
	ck_assert_int_eq(v[7], 1);     /* and the kernel says: filtered */
	if (!sandbox_relaxed()) {
		ck_assert_int_eq(v[8], EPERM);  /* no fork */
		ck_assert_int_eq(v[9], EPERM);  /* no ptrace */
		ck_assert_int_eq(v[10], EPERM); /* no limit raised */
		ck_assert_int_eq(v[11], EPERM); /* prctl only to read capabilities */
	}
}
END_TEST

static void network(int fd)
{
	socket(AF_INET6, SOCK_DGRAM, 0);
	put(fd, 1); /* never reached */
}

START_TEST(kill_ends_the_process)
{
	SKIP_UNDER_VALGRIND("kill");
	int v[2] = {0};
	int st = in_child(SANDBOX_KILL, network, v, 2);
	ck_assert_int_gt(v[0], 60);
	ck_assert_int_eq(v[1], 0);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "child status %d", st);
}
END_TEST

START_TEST(off_installs_nothing)
{
	int v[12];
	int st = in_child(SANDBOX_OFF, calls, v, 12);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(v[0], 0);
	ck_assert_int_eq(v[2], 0); /* AF_INET works */
	ck_assert_int_eq(v[4], 1); /* the probe says it is not confined */
	ck_assert_int_eq(v[7], 0);
}
END_TEST

static int gate[2];
static int seen;

static void *thread_main(void *arg)
{
	char c;
	if (read(gate[0], &c, 1) != 1)
		return NULL;
	seen = err_of(socket(AF_INET, SOCK_STREAM, 0));
	return NULL;
}

/* guardd's reload worker runs before the filter is installed: it is confined too. */
START_TEST(threads_started_before_are_confined)
{
	SKIP_UNDER_VALGRIND("every thread");
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		ck_assert_int_eq(pipe2(gate, O_CLOEXEC), 0);
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, NULL) != 0)
			_exit(5);
		if (sandbox_apply(SANDBOX_DENY) <= 0)
			_exit(6);
		if (write(gate[1], "x", 1) != 1 || pthread_join(t, NULL) != 0)
			_exit(7);
		put(p[1], seen);
		_exit(0);
	}
	close(p[1]);
	int got = -1;
	ck_assert_int_eq(read(p[0], &got, sizeof got), sizeof got);
	close(p[0]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(got, EPERM);
}
END_TEST

START_TEST(modes_by_name)
{
	enum sandbox_mode m;
	ck_assert_int_eq(sandbox_mode_from_string("deny", &m), 0);
	ck_assert_int_eq(m, SANDBOX_DENY);
	ck_assert_int_eq(sandbox_mode_from_string("kill", &m), 0);
	ck_assert_int_eq(m, SANDBOX_KILL);
	ck_assert_int_eq(sandbox_mode_from_string("off", &m), 0);
	ck_assert_int_eq(m, SANDBOX_OFF);
	ck_assert_int_eq(sandbox_mode_from_string("on", &m), -EINVAL);
	ck_assert_int_eq(sandbox_mode_from_string("", &m), -EINVAL);
	ck_assert_int_eq(sandbox_mode_from_string("Deny", &m), -EINVAL);
	ck_assert_str_eq(sandbox_mode_to_string(SANDBOX_KILL), "kill");
	ck_assert_str_eq(sandbox_mode_to_string(SANDBOX_OFF), "off");
	ck_assert_str_eq(sandbox_mode_to_string(SANDBOX_DENY), "deny");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("seccomp");
	tcase_add_test(tc, modes_by_name);
	tcase_add_test(tc, deny_refuses_what_is_off_the_list);
	tcase_add_test(tc, kill_ends_the_process);
	tcase_add_test(tc, off_installs_nothing);
	tcase_add_test(tc, threads_started_before_are_confined);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
