/* sandbox.c: see sandbox.h. The list is what guardd calls once it is running,
 * read off strace of the whole end-to-end suite, plus what the dynamic loader and
 * glibc's NSS modules call when a name lookup loads one (getpwuid may dlopen
 * libnss_*.so and ask a daemon such as systemd-userdbd or sssd over AF_UNIX). */
#include "sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

static const char *const allowed[] = {
	/* memory: malloc, and the loader mapping an NSS module */
	"brk",
	"mmap",
	"munmap",
	"mremap",
	"mprotect",
	"madvise",
	/* files: the log (write, fdatasync, recovery, rotation), the policy files the
	 * worker reloads, the break-glass spool, approvals.json */
	"read",
	"pread64",
	"readv",
	"write",
	"pwrite64",
	"writev",
	"open",
	"openat",
	"close",
	"lseek",
	"fstat",
	"stat",
	"lstat",
	"newfstatat",
	"statx",
	"fstatfs",
	"statfs",
	"getdents64",
	"readlink",
	"readlinkat",
	"access",
	"faccessat",
	"faccessat2",
	"fcntl",
	"fsync",
	"fdatasync",
	"ftruncate",
	"rename",
	"renameat",
	"renameat2",
	"unlink",
	"unlinkat",
	"mkdir",
	"mkdirat",
	"fchmod",
	"dup",
	"dup3",
	"getcwd",
	/* sockets: clients, syslog, sd_notify, NSS daemons (socket() itself: below) */
	"accept4",
	"accept",
	"connect",
	"recvfrom",
	"recvmsg",
	"sendto",
	"sendmsg",
	"getsockopt",
	"setsockopt",
	"getsockname",
	"getpeername",
	"shutdown",
	/* the loop, and its wake-ups from the worker and from signals */
	"epoll_wait",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_ctl",
	"poll",
	"ppoll",
	"eventfd2",
	"pipe2",
	/* time */
	"clock_gettime",
	"clock_getres",
	"gettimeofday",
	"time",
	"nanosleep",
	"clock_nanosleep",
	/* the worker's mutex, signal handling, random ids, exit */
	"futex",
	"rt_sigaction",
	"rt_sigprocmask",
	"rt_sigreturn",
	"sigaltstack",
	"restart_syscall",
	"sched_yield",
	"set_robust_list",
	"rseq",
	"getrandom",
	"exit",
	"exit_group",
	/* who and where we are */
	"getpid",
	"gettid",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"getgroups",
	"getresuid",
	"getresgid",
	"uname",
	"sysinfo",
};

/* What LeakSanitizer needs at exit to stop the world and scan it (a sanitizer
 * build only: a tracer task, ptrace, waiting for it) and valgrind for itself. */
static const char *const allowed_for_tools[] = {
	"clone",       "clone3",
	"ptrace",      "wait4",
	"waitid",      "prctl",
	"kill",        "tkill",
	"tgkill",      "sched_getaffinity",
	"getppid",     "process_vm_readv",
	"ioctl",       "prlimit64",
	"pipe",        "getdents",
	"getrlimit",   "setrlimit",
	"personality", "pause",
};

/* The calls allowed only when one argument has one value. */
struct narrowing {
	const char *name;
	unsigned arg;
	scmp_datum_t value;
	const char *why;
};

#define N_NARROWED 5

static void narrowings(struct narrowing out[N_NARROWED])
{
	const struct narrowing n[N_NARROWED] = {
		/* clients, syslog, sd_notify, NSS daemons; no network */
		{"socket", 0, AF_UNIX, "AF_UNIX only"},
		/* abort() and raise() */
		{"tgkill", 0, (scmp_datum_t)getpid(), "this process only"},
		/* libcap, which nss-systemd loads, reads the bounding set */
		{"prctl", 0, PR_CAPBSET_READ, "PR_CAPBSET_READ only"},
		/* the new limit is NULL: reading, never setting */
		{"prlimit64", 2, 0, "reading a limit only"},
		/* isatty(3) */
		{"ioctl", 1, TCGETS, "TCGETS only"},
	};
	memcpy(out, n, sizeof n);
}

static void list_names(FILE *f, const char *const *names, size_t n, const char *note)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_syscall_resolve_name(names[i]) != __NR_SCMP_ERROR)
			fprintf(f, "%s%s\n", names[i], note);
}

void sandbox_list(FILE *f)
{
	list_names(f, allowed, sizeof allowed / sizeof allowed[0], "");
	if (sandbox_relaxed())
		list_names(f, allowed_for_tools,
			   sizeof allowed_for_tools / sizeof allowed_for_tools[0],
			   "\t# relaxed: for a sanitizer or valgrind only");
	struct narrowing n[N_NARROWED];
	narrowings(n);
	for (size_t i = 0; i < N_NARROWED; i++)
		fprintf(f, "%s\t# %s\n", n[i].name, n[i].why);
}

int sandbox_mode_from_string(const char *s, enum sandbox_mode *ret)
{
	static const char *const names[] = {
		[SANDBOX_DENY] = "deny", [SANDBOX_KILL] = "kill", [SANDBOX_OFF] = "off"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*ret = (enum sandbox_mode)i;
			return 0;
		}
	return -EINVAL;
}

const char *sandbox_mode_to_string(enum sandbox_mode mode)
{
	return mode == SANDBOX_KILL ? "kill" : mode == SANDBOX_OFF ? "off" : "deny";
}

/* Adds each name this architecture has; counts what it added. */
static int allow_names(scmp_filter_ctx ctx, const char *const *names, size_t n, int *count)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture (open, stat on aarch64, ...) */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r == -EEXIST)
			continue;
		if (r < 0)
			return log_errno(r, "seccomp: cannot allow %s", names[i]);
		(*count)++;
	}
	return 0;
}

/* The narrowed calls, each allowed with its one argument compared. -EEXIST: a
 * sanitizer build allows the call outright already. */
static int allow_narrowed(scmp_filter_ctx ctx, int *count)
{
	struct narrowing n[N_NARROWED];
	narrowings(n);
	for (size_t i = 0; i < N_NARROWED; i++) {
		/* Built by hand: libseccomp's SCMP_A0() leaves datum_b to the compiler,
		 * which clang's -Wmissing-field-initializers rejects. */
		struct scmp_arg_cmp cmp = {
			.arg = n[i].arg, .op = SCMP_CMP_EQ, .datum_a = n[i].value, .datum_b = 0};
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
					 seccomp_syscall_resolve_name(n[i].name), 1, cmp);
		if (r == 0)
			(*count)++;
		else if (r != -EEXIST)
			return log_errno(r, "seccomp: cannot allow %s (%s)", n[i].name, n[i].why);
	}
	return 0;
}

bool sandbox_relaxed(void)
{
#ifdef SANDBOX_SANITIZER
	return true;
#else
	return RUNNING_ON_VALGRIND;
#endif
}

static int build(scmp_filter_ctx ctx, int *count)
{
	int r = allow_names(ctx, allowed, sizeof allowed / sizeof allowed[0], count);
	if (r == 0 && sandbox_relaxed())
		r = allow_names(ctx, allowed_for_tools,
				sizeof allowed_for_tools / sizeof allowed_for_tools[0], count);
	if (r == 0)
		r = allow_narrowed(ctx, count);
	return r;
}

int sandbox_apply(enum sandbox_mode mode)
{
	if (mode == SANDBOX_OFF)
		return 0;
	scmp_filter_ctx ctx =
		seccomp_init(mode == SANDBOX_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return log_errno(-EOPNOTSUPP, "seccomp: cannot start a filter that %s",
				 mode == SANDBOX_KILL ? "kills" : "refuses");
	/* Every thread (the reload worker runs already), and every refusal logged by the
	 * kernel (the audit log or the kernel ring buffer: type=1326). */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* valgrind (3.19) has no seccomp(2), only prctl(2): there the filter covers the
	 * main thread, which does everything but load policy files. */
	if (r < 0 && RUNNING_ON_VALGRIND) {
		log_warning("seccomp: under valgrind, only the main thread is confined");
		r = 0;
	} else if (r < 0)
		log_errno(r, "seccomp: cannot apply the filter to every thread");
	if (r == 0 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1) < 0)
		log_warning("seccomp: refused calls cannot be logged by the kernel here; "
			    "refusing them anyway");
	/* A binary tree of the calls rather than a list: fewer BPF steps per call
	 * (libseccomp 2.5); the kernel's cache skips the filter for most calls anyway. */
	if (r == 0)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	int count = 0;
	if (r == 0)
		r = build(ctx, &count);
	if (r == 0) {
		r = seccomp_load(ctx);
		if (r < 0)
			log_errno(r, "seccomp: cannot load the filter");
	}
	seccomp_release(ctx);
	return r < 0 ? r : count;
}

const char *sandbox_probe(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		close(fd);
		return "socket(AF_INET) was allowed";
	}
	if (errno != EPERM)
		return "socket(AF_INET) failed, but not with EPERM";
	/* valgrind looks for the file itself before it would ask the kernel. */
	if (RUNNING_ON_VALGRIND)
		return NULL;
	static char *const argv[] = {"guardd-seccomp-probe", NULL};
	execve("/nonexistent/guardd-seccomp-probe", argv, argv + 1);
	return errno == EPERM ? NULL : "execve was not refused with EPERM";
}
