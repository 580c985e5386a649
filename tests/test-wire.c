/* test-wire.c: the NUL-framed buffer, fed from a real socketpair so reads come
 * back in the pieces the kernel chooses. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire.h"

static int sp[2];

static void setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
}

static void teardown(void)
{
	close(sp[0]);
	close(sp[1]);
}

static void send_bytes(const void *p, size_t n)
{
	ck_assert_int_eq(send(sp[0], p, n, 0), (ssize_t)n);
}

/* One read off the socket into b; returns what wire_buf_append said, or 1 at EOF. */
static int read_into(struct wire_buf *b, size_t max_read)
{
	char buf[65536];
	ssize_t n = read(sp[1], buf, max_read < sizeof buf ? max_read : sizeof buf);
	ck_assert_int_ge(n, 0);
	if (n == 0)
		return 1;
	return wire_buf_append(b, buf, (size_t)n);
}

static void expect_msg(struct wire_buf *b, const char *want)
{
	const char *msg;
	size_t len;
	ck_assert_int_eq(wire_buf_next(b, &msg, &len), 1);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq(msg, want);
}

static void expect_none(struct wire_buf *b)
{
	const char *msg;
	size_t len;
	ck_assert_int_eq(wire_buf_next(b, &msg, &len), 0);
}

START_TEST(short_reads_byte_by_byte)
{
	struct wire_buf b;
	wire_buf_init(&b, 1024);
	const char m[] = "{\"method\":\"io.guard.Status\"}";
	send_bytes(m, sizeof m); /* with its NUL */
	for (size_t i = 0; i < sizeof m - 1; i++) {
		ck_assert_int_eq(read_into(&b, 1), 0);
		expect_none(&b);
	}
	ck_assert_int_eq(read_into(&b, 1), 0);
	expect_msg(&b, m);
	expect_none(&b);
	ck_assert_uint_eq(wire_buf_pending(&b), 0);
	wire_buf_free(&b);
}
END_TEST

START_TEST(message_split_across_reads)
{
	struct wire_buf b;
	wire_buf_init(&b, 1024);
	send_bytes("{\"a\":", 5);
	ck_assert_int_eq(read_into(&b, 4096), 0);
	expect_none(&b);
	send_bytes("1}\0", 3);
	ck_assert_int_eq(read_into(&b, 4096), 0);
	expect_msg(&b, "{\"a\":1}");
	wire_buf_free(&b);
}
END_TEST

START_TEST(two_messages_in_one_read)
{
	struct wire_buf b;
	wire_buf_init(&b, 1024);
	send_bytes("{\"a\":1}\0{\"b\":2}\0{\"c\"", 20);
	ck_assert_int_eq(read_into(&b, 4096), 0);
	expect_msg(&b, "{\"a\":1}");
	expect_msg(&b, "{\"b\":2}");
	expect_none(&b);
	send_bytes(":3}\0", 4);
	ck_assert_int_eq(read_into(&b, 4096), 0);
	expect_msg(&b, "{\"c\":3}");
	wire_buf_free(&b);
}
END_TEST

START_TEST(message_of_exactly_max_is_accepted)
{
	enum { MAX = 4096 };
	struct wire_buf b;
	wire_buf_init(&b, MAX);
	char *m = malloc(MAX + 1);
	memset(m, 'x', MAX);
	m[MAX] = '\0';
	send_bytes(m, MAX + 1);
	int r;
	while ((r = read_into(&b, 1000)) == 0 && wire_buf_pending(&b) < MAX + 1)
		;
	ck_assert_int_eq(r, 0);
	expect_msg(&b, m);
	free(m);
	wire_buf_free(&b);
}
END_TEST

START_TEST(oversize_is_refused_before_the_nul)
{
	enum { MAX = 4096 };
	struct wire_buf b;
	wire_buf_init(&b, MAX);
	char *m = malloc(MAX + 100);
	memset(m, 'x', MAX + 100);
	send_bytes(m, MAX + 100); /* no NUL at all: refused on length alone */
	int r;
	while ((r = read_into(&b, 1000)) == 0)
		;
	ck_assert_int_eq(r, -EMSGSIZE);
	ck_assert_uint_le(wire_buf_pending(&b), MAX);
	free(m);
	wire_buf_free(&b);
}
END_TEST

START_TEST(oversize_after_complete_messages)
{
	struct wire_buf b;
	wire_buf_init(&b, 8);
	ck_assert_int_eq(wire_buf_append(&b, "{}\0{}\0", 6), 0);
	ck_assert_int_eq(wire_buf_append(&b, "123456789", 9), -EMSGSIZE);
	expect_msg(&b, "{}");
	expect_msg(&b, "{}");
	/* a tail that only grows past max across appends is caught too */
	ck_assert_int_eq(wire_buf_append(&b, "12345", 5), 0);
	ck_assert_int_eq(wire_buf_append(&b, "6789", 4), -EMSGSIZE);
	wire_buf_free(&b);
}
END_TEST

START_TEST(oversize_is_refused_when_its_nul_comes_in_the_same_read)
{
	struct wire_buf b;
	wire_buf_init(&b, 8);
	ck_assert_int_eq(wire_buf_append(&b, "123456", 6), 0);
	/* completes a 10-byte message: over max although nothing is left pending */
	ck_assert_int_eq(wire_buf_append(&b, "7890\0", 5), -EMSGSIZE);
	expect_none(&b);
	wire_buf_free(&b);
	wire_buf_init(&b, 8);
	ck_assert_int_eq(wire_buf_append(&b, "{}\0123456789\0{}\0", 17), -EMSGSIZE);
	ck_assert_uint_eq(wire_buf_pending(&b), 0);
	ck_assert_int_eq(wire_buf_append(&b, "12345678\0", 9), 0);
	expect_msg(&b, "12345678");
	wire_buf_free(&b);
}
END_TEST

START_TEST(eof_without_nul_yields_nothing)
{
	struct wire_buf b;
	wire_buf_init(&b, 1024);
	send_bytes("{\"method\":\"io.guard.Check\"", 26);
	shutdown(sp[0], SHUT_WR);
	ck_assert_int_eq(read_into(&b, 4096), 0);
	ck_assert_int_eq(read_into(&b, 4096), 1); /* EOF */
	expect_none(&b);
	ck_assert_uint_eq(wire_buf_pending(&b), 26);
	wire_buf_free(&b);
}
END_TEST

START_TEST(output_refuses_embedded_nul_and_overflow)
{
	struct wire_buf b;
	wire_buf_init(&b, 16);
	ck_assert_int_eq(wire_buf_append_message(&b, "a\0b", 3), -EINVAL);
	ck_assert_int_eq(wire_buf_append_message(&b, "0123456789", 10), 0);
	ck_assert_uint_eq(wire_buf_pending(&b), 11);
	ck_assert_int_eq(wire_buf_append_message(&b, "0123456789", 10), -EMSGSIZE);
	ck_assert_uint_eq(wire_buf_pending(&b), 11);
	ck_assert_int_eq(memcmp(wire_buf_peek(&b), "0123456789", 11), 0);
	wire_buf_consume(&b, 4);
	ck_assert_int_eq(memcmp(wire_buf_peek(&b), "456789", 7), 0);
	wire_buf_consume(&b, 100);
	ck_assert_uint_eq(wire_buf_pending(&b), 0);
	wire_buf_free(&b);
}
END_TEST

START_TEST(output_written_in_pieces_arrives_whole)
{
	struct wire_buf out, in;
	wire_buf_init(&out, 1 << 20);
	wire_buf_init(&in, 1 << 20);
	char big[100000];
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(wire_buf_append_message(&out, big, sizeof big - 1), 0);
	ck_assert_int_eq(wire_buf_append_message(&out, "{}", 2), 0);
	while (wire_buf_pending(&out) > 0) {
		size_t chunk = wire_buf_pending(&out) < 7000 ? wire_buf_pending(&out) : 7000;
		send_bytes(wire_buf_peek(&out), chunk);
		wire_buf_consume(&out, chunk);
		ck_assert_int_eq(read_into(&in, sizeof big), 0);
	}
	expect_msg(&in, big);
	expect_msg(&in, "{}");
	wire_buf_free(&out);
	wire_buf_free(&in);
}
END_TEST

START_TEST(free_is_idempotent)
{
	struct wire_buf b;
	wire_buf_init(&b, 16);
	wire_buf_free(&b);
	wire_buf_free(&b);
	expect_none(&b);
	ck_assert_uint_eq(wire_buf_pending(&b), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("buffer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, short_reads_byte_by_byte);
	tcase_add_test(tc, message_split_across_reads);
	tcase_add_test(tc, two_messages_in_one_read);
	tcase_add_test(tc, message_of_exactly_max_is_accepted);
	tcase_add_test(tc, oversize_is_refused_before_the_nul);
	tcase_add_test(tc, oversize_after_complete_messages);
	tcase_add_test(tc, oversize_is_refused_when_its_nul_comes_in_the_same_read);
	tcase_add_test(tc, eof_without_nul_yields_nothing);
	tcase_add_test(tc, output_refuses_embedded_nul_and_overflow);
	tcase_add_test(tc, output_written_in_pieces_arrives_whole);
	tcase_add_test(tc, free_is_idempotent);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
