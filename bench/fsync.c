/* fsync.c: guard-fsync, what appending a decision-sized line costs on this machine's
 * disk, the floor under guardd's log: write(2) alone, write + fdatasync per line, and
 * write + fdatasync per batch of 16 lines (what group commit does under 16 clients).
 * Prints numbers; it neither passes nor fails.
 *
 *   guard-fsync [DIR]     (default: the current directory; use the log's file system)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_BYTES 420 /* a typical decision record */

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Appends n lines, syncing every `every` lines (0: never); prints per-line figures. */
static int run(const char *path, const char *what, int n, int every)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	char line[LINE_BYTES];
	memset(line, 'x', sizeof line);
	line[sizeof line - 1] = '\n';
	double *t = calloc((size_t)n, sizeof *t), start = now_us();
	int batches = 0;
	for (int i = 0; t && i < n; i++) {
		double t0 = now_us();
		if (write(fd, line, sizeof line) != (ssize_t)sizeof line) {
			perror("write");
			return 1;
		}
		if (every && (i + 1) % every == 0) {
			if (fdatasync(fd) < 0) {
				perror("fdatasync");
				return 1;
			}
			batches++;
		}
		t[i] = now_us() - t0;
	}
	double total = now_us() - start;
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%-34s %7d lines  %10.0f lines/s  per call p50 %8.1f us  p99 %8.1f us\n", what, n,
	       n / (total / 1e6), t[n / 2], t[n * 99 / 100]);
	free(t);
	close(fd);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char path[4096];
	snprintf(path, sizeof path, "%s/guard-fsync.%d", dir, (int)getpid());
	int r = run(path, "write only", 100000, 0);
	r = r ? r : run(path, "write + fdatasync every line", 2000, 1);
	r = r ? r : run(path, "write + fdatasync every 16 lines", 16000, 16);
	return r;
}
