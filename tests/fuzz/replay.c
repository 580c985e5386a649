/* replay.c: runs a libFuzzer harness without libFuzzer, so that the normal build (gcc,
 * the sanitizers, valgrind) checks every seed and every crash input found so far.
 * Usage: replay-NAME FILE|DIR...; each file, and each file of each directory in name
 * order, is passed once to LLVMFuzzerTestOneInput. A failure aborts, as under libFuzzer;
 * exit 0 means every input went through. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a harness, as for libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Larger inputs are not seeds; libFuzzer's own default -max_len is far below this. */
#define REPLAY_MAX_INPUT (4 * 1024 * 1024)

/* The file's bytes in a buffer of exactly their size, as libFuzzer passes them, so that
 * the sanitizers catch a read past the end. */
static int run_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: cannot read it (%s)\n", path,
			fd < 0 ? strerror(errno) : "not a regular file of at most 4 MiB");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t size = (size_t)st.st_size, n = 0;
	uint8_t *data = malloc(size ? size : 1);
	if (!data)
		abort();
	while (n < size) {
		ssize_t k = read(fd, data + n, size - n);
		if (k <= 0) {
			fprintf(stderr, "replay: %s: short read\n", path);
			free(data);
			close(fd);
			return -1;
		}
		n += (size_t)k;
	}
	close(fd);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int filter(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* Returns how many files were run, or -1. */
static long run_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, filter, alphasort);
	long count = 0;
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path;
		if (count >= 0 && asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0) {
			count = run_file(path) < 0 ? -1 : count + 1;
			free(path);
		} else if (count >= 0) {
			count = -1;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		long n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? run_dir(argv[i])
			 : run_file(argv[i]) < 0                        ? -1
									: 1;
		if (n < 0)
			return 1;
		total += n;
	}
	printf("replay: %ld inputs, no failure\n", total);
	return 0;
}
