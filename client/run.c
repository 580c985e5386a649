/* run.c: see run.h. guard blocks the signals it acts on and takes them with
 * sigwaitinfo(): there are no handlers, so nothing runs at an unsafe moment,
 * and a signal that arrives between fork and wait waits for us, pending. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Passed on to the child whoever sent them. */
static const int forward_always[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM};
/* The terminal sends these to its whole foreground process group, the child
 * included: passed on only when a process sent them to guard. SIGTSTP too:
 * guard does not stop on ^Z itself but when the command does, so a command
 * that handles ^Z stops once it is ready, and one that ignores it runs on. */
static const int forward_from_process[] = {SIGINT, SIGQUIT, SIGWINCH, SIGTSTP};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* What guard started with, given back to the child and, at the end, to guard. */
struct saved {
	sigset_t mask;
	struct sigaction chld;
};

struct waiter {
	pid_t child;
	bool continued; /* guard got SIGCONT since it last looked at the child */
};

static const struct timespec no_wait = {0, 0};

static void handled_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < N_ELEMS(forward_always); i++)
		sigaddset(set, forward_always[i]);
	for (size_t i = 0; i < N_ELEMS(forward_from_process); i++)
		sigaddset(set, forward_from_process[i]);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGCONT);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Blocks what the wait takes with sigwaitinfo(). SIGCHLD goes back to its
 * default: started with it ignored, guard's child would be reaped by the
 * kernel before guard could learn how it ended. */
static int take_signals(struct saved *s)
{
	sigset_t set;
	handled_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, &s->mask) < 0)
		return -errno;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigemptyset(&dfl.sa_mask);
	if (sigaction(SIGCHLD, &dfl, &s->chld) < 0) {
		int r = -errno;
		sigprocmask(SIG_SETMASK, &s->mask, NULL);
		return r;
	}
	return 0;
}

/* Signals still pending belong to the command that has ended (a ^C that hit
 * both, say): they are dropped, not acted on by guard as it reports. */
static void give_back_signals(const struct saved *s)
{
	sigset_t set;
	handled_set(&set);
	while (sigtimedwait(&set, NULL, &no_wait) > 0)
		;
	sigaction(SIGCHLD, &s->chld, NULL);
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
}

/* In the child: only async-signal-safe calls. Ignored signals stay ignored, as
 * they would have through guard's own exec (nohup, a shell's background job). */
static void child(const char *path, char *const argv[], const struct saved *s, int err_fd)
{
	sigaction(SIGCHLD, &s->chld, NULL);
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
	execv(path, argv);
	int err = errno;
	ssize_t n = write(err_fd, &err, sizeof err);
	(void)n; /* if even this fails, the parent sees exit 126/127 without a reason */
	_exit(err == ENOENT ? 127 : 126);
}

static bool forwarded(int sig, const siginfo_t *si, pid_t child)
{
	/* SI_USER, SI_QUEUE, SI_TKILL: kill(2) and friends, not the kernel. */
	bool from_process = si->si_code <= 0;
	if (from_process && si->si_pid == child)
		return false; /* the command signalled guard: no echo back to it */
	for (size_t i = 0; i < N_ELEMS(forward_always); i++)
		if (sig == forward_always[i])
			return true;
	return from_process;
}

static void take(struct waiter *w, int sig, const siginfo_t *si)
{
	if (sig == SIGCONT) {
		w->continued = true;
		kill(w->child, SIGCONT);
	} else if (sig != SIGCHLD && forwarded(sig, si, w->child)) {
		kill(w->child, sig);
	}
}

/* The child stopped (^Z, kill -STOP of it): guard stops too, with the same
 * signal, so that the shell sees a stopped job, and continues the child when
 * the shell continues guard. If guard was stopped and continued meanwhile (a
 * SIGSTOP to the whole group, then fg), it only makes sure the child runs. */
static void follow_stop(struct waiter *w, int sig)
{
	if (!w->continued) {
		struct sigaction sa;
		/* A stop signal guard ignores would not stop it: SIGSTOP always does. */
		if (sig != SIGSTOP && (sigaction(sig, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL))
			sig = SIGSTOP;
		sigset_t tstp;
		sigemptyset(&tstp);
		sigaddset(&tstp, SIGTSTP);
		if (sig == SIGTSTP) /* blocked while guard waits: let this one through */
			sigprocmask(SIG_UNBLOCK, &tstp, NULL);
		kill(getpid(), sig);
		sigprocmask(SIG_BLOCK, &tstp, NULL);
		/* Continued: the SIGCONT that did it is pending; taken here, so that
		 * the child is continued once. */
		sigset_t cont;
		sigemptyset(&cont);
		sigaddset(&cont, SIGCONT);
		sigtimedwait(&cont, NULL, &no_wait);
	}
	kill(w->child, SIGCONT);
}

static int wait_child(pid_t pid, int *ret_status)
{
	struct waiter w = {.child = pid};
	sigset_t set;
	handled_set(&set);
	for (;;) {
		int status;
		pid_t p = waitpid(pid, &status, WNOHANG | WUNTRACED);
		if (p < 0 && errno != EINTR)
			return -errno;
		if (p == pid && !WIFSTOPPED(status)) {
			*ret_status = status;
			return 0;
		}
		if (p == pid) {
			follow_stop(&w, WSTOPSIG(status));
			w.continued = false;
			continue;
		}
		w.continued = false;
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig < 0)
			continue; /* EINTR: Linux says so after a stop and a continue */
		take(&w, sig, &si);
		/* Everything already pending, so that a SIGCONT that came with
		 * the child's SIGCHLD is seen before its stop is. */
		while ((sig = sigtimedwait(&set, &si, &no_wait)) > 0)
			take(&w, sig, &si);
	}
}

/* The errno the child sent before it gave up, or 0 when the exec worked (the
 * pipe closed on exec). Read after the child ended, so never blocks long. */
static int exec_error(int fd)
{
	int err = 0;
	ssize_t n;
	do
		n = read(fd, &err, sizeof err);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof err ? err : 0;
}

int run_command(const char *path, char *const argv[], struct run_result *ret)
{
	struct saved s;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	int r = take_signals(&s);
	if (r < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	int64_t start = now_ms();
	pid_t pid = fork();
	if (pid == 0)
		child(path, argv, &s, pfd[1]);
	r = pid < 0 ? -errno : 0;
	close(pfd[1]);
	int status = 0;
	if (r == 0)
		r = wait_child(pid, &status);
	int64_t end = now_ms();
	int err = r == 0 ? exec_error(pfd[0]) : 0;
	close(pfd[0]);
	give_back_signals(&s);
	if (r < 0)
		return r;
	*ret = (struct run_result){
		.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		.exec_error = err,
		.duration_ms = end - start,
	};
	return 0;
}
