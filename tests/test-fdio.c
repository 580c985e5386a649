/* test-fdio.c: the shared I/O helpers on real pipes and files: every byte written,
 * reads bounded (a file one byte over its limit is -EFBIG, never cut short
 * silently), the result NUL-terminated. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"

/* A pipe holding n bytes of 'x', its write end closed. */
static int pipe_of(size_t n)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	char *data = malloc(n + 1);
	memset(data, 'x', n);
	ck_assert_int_eq(fdio_write_all(p[1], data, n), 0);
	free(data);
	close(p[1]);
	return p[0];
}

START_TEST(reads_up_to_the_limit)
{
	char *buf;
	size_t n;
	int fd = pipe_of(1000);
	ck_assert_int_eq(fdio_read_max(fd, 1000, &buf, &n), 0);
	ck_assert_uint_eq(n, 1000);
	ck_assert_uint_eq(strlen(buf), 1000); /* NUL-terminated */
	free(buf);
	close(fd);
}
END_TEST

START_TEST(one_byte_over_is_efbig)
{
	char *buf = NULL;
	size_t n = 7;
	int fd = pipe_of(1001);
	ck_assert_int_eq(fdio_read_max(fd, 1000, &buf, &n), -EFBIG);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(n, 7); /* untouched */
	close(fd);
}
END_TEST

START_TEST(empty_is_an_empty_string)
{
	char *buf;
	size_t n;
	int fd = pipe_of(0);
	ck_assert_int_eq(fdio_read_max(fd, 0, &buf, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	close(fd);
}
END_TEST

START_TEST(read_errors_are_negative_errno)
{
	char *buf;
	size_t n;
	ck_assert_int_eq(fdio_read_max(-1, 10, &buf, &n), -EBADF);
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(fdio_read_max(fd, 10, &buf, &n), -EISDIR);
	close(fd);
}
END_TEST

START_TEST(write_all_writes_more_than_a_pipe_holds)
{
	/* 1 MiB through a 64 KiB pipe: short writes are resumed until all is written. */
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		char *data = calloc(1, 1 << 20);
		int r = data ? fdio_write_all(p[1], data, 1 << 20) : -ENOMEM;
		free(data);
		_exit(r == 0 ? 0 : 1);
	}
	close(p[1]);
	char *buf;
	size_t n;
	ck_assert_int_eq(fdio_read_max(p[0], 1 << 20, &buf, &n), 0);
	ck_assert_uint_eq(n, 1 << 20);
	free(buf);
	close(p[0]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

START_TEST(write_all_reports_a_closed_reader)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(fdio_write_all(p[1], "x", 1), -EPIPE);
	close(p[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fdio");
	TCase *tc = tcase_create("fdio");
	tcase_add_test(tc, reads_up_to_the_limit);
	tcase_add_test(tc, one_byte_over_is_efbig);
	tcase_add_test(tc, empty_is_an_empty_string);
	tcase_add_test(tc, read_errors_are_negative_errno);
	tcase_add_test(tc, write_all_writes_more_than_a_pipe_holds);
	tcase_add_test(tc, write_all_reports_a_closed_reader);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
