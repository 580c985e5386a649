/* test-syslog-sink.c: the syslog sink against a real AF_UNIX datagram socket bound in
 * a temporary directory, standing in for journald or rsyslog: the format glibc's
 * syslog() uses, priorities, long messages, a full queue, and a receiver that is
 * missing or restarts. */
#include <check.h>
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "policy-util.h"
#include "syslog-sink.h"

#define DATAGRAM_MAX 65536

static char *sock_path(void)
{
	return test_xasprintf("%s/log.sock", test_dir);
}

/* A receiver bound at path; reads time out after two seconds so a lost message fails
 * the test instead of hanging it. */
static int receiver(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 2};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(addr.sun_path));
	strcpy(addr.sun_path, path);
	unlink(path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

/* The next datagram, NUL-terminated; the caller frees it. */
static char *receive(int fd, size_t *len)
{
	char *buf = malloc(DATAGRAM_MAX + 1);
	ssize_t k;

	ck_assert_ptr_nonnull(buf);
	k = recv(fd, buf, DATAGRAM_MAX, 0);
	ck_assert_msg(k >= 0, "no datagram: %s", strerror(errno));
	buf[k] = '\0';
	if (len)
		*len = (size_t)k;
	return buf;
}

static void expect_nothing(int fd)
{
	char buf[16];

	ck_assert_int_lt(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
	ck_assert_int_eq(errno, EAGAIN);
}

/* The message part of a datagram: what follows "guardd[PID]: ". */
static const char *message_of(const char *datagram)
{
	char *tag = test_xasprintf("guardd[%d]: ", (int)getpid());
	const char *at = strstr(datagram, tag);

	ck_assert_msg(at, "no tag in %s", datagram);
	at += strlen(tag);
	free(tag);
	return at;
}

static void send_str(struct syslog_sink *s, int priority, const char *msg)
{
	syslog_sink_send(s, priority, msg, strlen(msg));
}

static void expect_message(int fd, const char *want)
{
	char *got = receive(fd, NULL);

	ck_assert_str_eq(message_of(got), want);
	free(got);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Past the sink's once-a-second limit on connecting. */
static void wait_retry(void)
{
	struct timespec ts = {.tv_sec = SYSLOG_SINK_RETRY_SEC, .tv_nsec = 100 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

/* "Mmm dd hh:mm:ss " for t, as glibc's syslog() writes it in the C locale. */
static void stamp(time_t t, char *buf, size_t size)
{
	struct tm tm;

	ck_assert_ptr_nonnull(localtime_r(&t, &tm));
	ck_assert_uint_gt(strftime(buf, size, "%b %e %H:%M:%S ", &tm), 0);
}

START_TEST(format_is_glibcs)
{
	char *path = sock_path(), *got, *want, when[32];
	int fd = receiver(path);
	struct syslog_sink *s;
	time_t before, after;
	bool found = false;
	regex_t re;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	ck_assert(syslog_sink_connected(s));
	before = time(NULL);
	send_str(s, LOG_INFO, "{\"type\":\"decision\",\"decision\":\"allow\"}");
	after = time(NULL);
	got = receive(fd, NULL);
	ck_assert_int_eq(
		regcomp(&re,
			"^<86>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] "
			"[0-2][0-9]:[0-5][0-9]:[0-6][0-9] guardd\\[[0-9]+\\]: \\{",
			REG_EXTENDED | REG_NOSUB),
		0);
	ck_assert_msg(regexec(&re, got, 0, NULL, 0) == 0, "not syslog's format: %s", got);
	regfree(&re);
	ck_assert_str_eq(message_of(got), "{\"type\":\"decision\",\"decision\":\"allow\"}");
	/* The local time of the send, to the second. */
	for (time_t t = before; t <= after && !found; t++) {
		stamp(t, when, sizeof(when));
		want = test_xasprintf("<86>%s", when);
		found = strncmp(got, want, strlen(want)) == 0;
		free(want);
	}
	ck_assert_msg(found, "not the time of the send: %s", got);
	ck_assert_uint_eq(syslog_sink_dropped(s), 0);
	free(got);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

static const struct {
	int priority;
	const char *prefix;
} priorities[] = {
	{LOG_INFO, "<86>"},                  /* authpriv.info: an allow, a completion */
	{LOG_NOTICE, "<85>"},                /* authpriv.notice: a deny, a human step */
	{LOG_LOCAL3 | LOG_WARNING, "<156>"}, /* a facility given is kept */
	{LOG_USER | LOG_ERR, "<11>"},
	{LOG_DEBUG | 0x10000, "<87>"}, /* bits beyond facility and severity are ignored */
};

START_TEST(priority_and_facility)
{
	char *path = sock_path(), *got;
	int fd = receiver(path);
	struct syslog_sink *s;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	send_str(s, priorities[_i].priority, "x");
	got = receive(fd, NULL);
	ck_assert_msg(strncmp(got, priorities[_i].prefix, strlen(priorities[_i].prefix)) == 0,
		      "want %s, got %s", priorities[_i].prefix, got);
	free(got);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(one_datagram_a_message_without_its_newline)
{
	char *path = sock_path();
	int fd = receiver(path);
	struct syslog_sink *s;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	send_str(s, LOG_INFO, "first\n");
	send_str(s, LOG_NOTICE, "second");
	syslog_sink_send(s, LOG_INFO, "third and more", 5);
	send_str(s, LOG_INFO, "");
	expect_message(fd, "first");
	expect_message(fd, "second");
	expect_message(fd, "third");
	expect_message(fd, "");
	expect_nothing(fd);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

/* Sends count copies of unit as one message; what arrived, and its length in *len. */
static char *round_trip(int fd, struct syslog_sink *s, const char *unit, size_t count, size_t *len)
{
	size_t u = strlen(unit);
	char *msg = malloc(u * count + 1), *got;

	ck_assert_ptr_nonnull(msg);
	for (size_t i = 0; i < count; i++)
		memcpy(msg + i * u, unit, u);
	msg[u * count] = '\0';
	send_str(s, LOG_INFO, msg);
	free(msg);
	got = receive(fd, len);
	return got;
}

START_TEST(long_message_is_cut_with_a_mark)
{
	char *path = sock_path(), *got;
	int fd = receiver(path);
	struct syslog_sink *s;
	const char *m;
	size_t len, mark = strlen(SYSLOG_SINK_CUT_MARK);

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	got = round_trip(fd, s, "a", 100000, &len);
	ck_assert_uint_eq(len, SYSLOG_SINK_MAX);
	ck_assert_str_eq(got + len - mark, SYSLOG_SINK_CUT_MARK);
	m = message_of(got);
	ck_assert_uint_eq(strspn(m, "a"), strlen(m) - mark);
	free(got);
	ck_assert_uint_eq(syslog_sink_dropped(s), 0);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(message_that_just_fits_is_whole)
{
	char *path = sock_path(), *got, *probe;
	int fd = receiver(path);
	struct syslog_sink *s;
	size_t len, header;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	probe = round_trip(fd, s, "a", 1, &len);
	header = len - 1;
	free(probe);
	/* The header's length can change only with the day of the month: not within the
	 * test, as "%e" pads it. */
	got = round_trip(fd, s, "b", SYSLOG_SINK_MAX - header, &len);
	ck_assert_uint_eq(len, SYSLOG_SINK_MAX);
	ck_assert_uint_eq(strspn(message_of(got), "b"), SYSLOG_SINK_MAX - header);
	free(got);
	got = round_trip(fd, s, "b", SYSLOG_SINK_MAX - header + 1, &len);
	ck_assert_uint_eq(len, SYSLOG_SINK_MAX);
	ck_assert_str_eq(got + len - strlen(SYSLOG_SINK_CUT_MARK), SYSLOG_SINK_CUT_MARK);
	free(got);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(cut_does_not_split_a_character)
{
	char *path = sock_path(), *got;
	int fd = receiver(path);
	struct syslog_sink *s;
	size_t len, mark = strlen(SYSLOG_SINK_CUT_MARK);
	regex_t re;

	ck_assert_int_eq(regcomp(&re, "(\xe2\x82\xac|x)$", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	/* Three-byte characters, so that the cut falls inside one for any header length
	 * but a third of them; one of each length in turn covers them all. */
	for (int shift = 0; shift < 3; shift++) {
		char unit[8];

		snprintf(unit, sizeof(unit), "%.*s\xe2\x82\xac", shift, "xx");
		got = round_trip(fd, s, unit, 5000, &len);
		ck_assert_str_eq(got + len - mark, SYSLOG_SINK_CUT_MARK);
		got[len - mark] = '\0';
		/* What is left before the mark ends with a whole character. */
		ck_assert_msg(regexec(&re, got, 0, NULL, 0) == 0, "cut inside a character");
		free(got);
	}
	regfree(&re);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(full_queue_drops_and_counts_without_blocking)
{
	char *path = sock_path(), *got, msg[64];
	int fd = receiver(path);
	struct syslog_sink *s;
	const int total = 5000;
	double start;
	int received = 0;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	start = now_sec();
	for (int i = 0; i < total; i++) {
		snprintf(msg, sizeof(msg), "record %d", i);
		send_str(s, LOG_INFO, msg);
	}
	/* Nobody reads: most are dropped, and at once. */
	ck_assert_msg(now_sec() - start < 5, "sending blocked");
	ck_assert_uint_gt(syslog_sink_dropped(s), 0);
	ck_assert_uint_lt(syslog_sink_dropped(s), (uint64_t)total);
	for (;;) {
		char buf[256];
		ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (k < 0)
			break;
		received++;
	}
	/* Every message either arrived or was counted. */
	ck_assert_uint_eq((uint64_t)received + syslog_sink_dropped(s), (uint64_t)total);
	/* The queue drained, messages go through again. */
	send_str(s, LOG_NOTICE, "after");
	got = receive(fd, NULL);
	ck_assert_str_eq(message_of(got), "after");
	ck_assert_uint_eq((uint64_t)received + syslog_sink_dropped(s), (uint64_t)total);
	free(got);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(no_receiver_drops_and_counts)
{
	char *path = sock_path();
	struct syslog_sink *s;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	ck_assert(!syslog_sink_connected(s));
	send_str(s, LOG_INFO, "one");
	send_str(s, LOG_INFO, "two");
	ck_assert_uint_eq(syslog_sink_dropped(s), 2);
	syslog_sink_free(s);
	free(path);
}
END_TEST

START_TEST(receiver_that_appears_is_connected_at_most_once_a_second)
{
	char *path = sock_path();
	struct syslog_sink *s;
	double start = now_sec();
	int fd;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	fd = receiver(path);
	send_str(s, LOG_INFO, "too soon");
	/* Within the second of the failed connect, the sink does not try again. */
	if (now_sec() - start < 0.9) {
		ck_assert_uint_eq(syslog_sink_dropped(s), 1);
		expect_nothing(fd);
	}
	wait_retry();
	send_str(s, LOG_INFO, "now");
	ck_assert(syslog_sink_connected(s));
	expect_message(fd, "now");
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(restarted_receiver_gets_the_next_message)
{
	char *path = sock_path();
	int fd = receiver(path);
	struct syslog_sink *s;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	send_str(s, LOG_INFO, "before");
	expect_message(fd, "before");
	wait_retry();
	/* The syslog daemon restarts: a new socket under the same name. */
	close(fd);
	fd = receiver(path);
	send_str(s, LOG_INFO, "after");
	expect_message(fd, "after");
	ck_assert_uint_eq(syslog_sink_dropped(s), 0);
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(receiver_restarting_twice_within_a_second)
{
	char *path = sock_path();
	int fd = receiver(path);
	struct syslog_sink *s;
	double start;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	start = now_sec();
	close(fd);
	fd = receiver(path);
	send_str(s, LOG_INFO, "lost");
	/* The connect of syslog_sink_new() was less than a second ago. */
	if (now_sec() - start < 0.9) {
		ck_assert_uint_eq(syslog_sink_dropped(s), 1);
		expect_nothing(fd);
	}
	wait_retry();
	send_str(s, LOG_INFO, "found");
	expect_message(fd, "found");
	syslog_sink_free(s);
	close(fd);
	free(path);
}
END_TEST

START_TEST(receiver_gone_for_good)
{
	char *path = sock_path();
	int fd = receiver(path);
	struct syslog_sink *s;

	ck_assert_int_eq(syslog_sink_new(path, &s), 0);
	close(fd);
	unlink(path);
	wait_retry();
	send_str(s, LOG_INFO, "one");
	send_str(s, LOG_INFO, "two");
	ck_assert_uint_eq(syslog_sink_dropped(s), 2);
	ck_assert(!syslog_sink_connected(s));
	syslog_sink_free(s);
	free(path);
}
END_TEST

START_TEST(path_longer_than_a_socket_address)
{
	char path[200];
	struct syslog_sink *s = NULL;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(syslog_sink_new(path, &s), -ENAMETOOLONG);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(default_path_is_dev_log)
{
	struct syslog_sink *s;

	/* Whether anything listens there is the host's business; the sink is made. */
	ck_assert_int_eq(syslog_sink_new(NULL, &s), 0);
	syslog_sink_free(s);
	syslog_sink_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("syslog-sink");
	TCase *format = tcase_create("format"), *delivery = tcase_create("delivery");

	test_add_dir_fixture(format);
	tcase_add_test(format, format_is_glibcs);
	tcase_add_loop_test(format, priority_and_facility, 0,
			    (int)(sizeof(priorities) / sizeof(priorities[0])));
	tcase_add_test(format, one_datagram_a_message_without_its_newline);
	tcase_add_test(format, long_message_is_cut_with_a_mark);
	tcase_add_test(format, message_that_just_fits_is_whole);
	tcase_add_test(format, cut_does_not_split_a_character);
	suite_add_tcase(s, format);

	test_add_dir_fixture(delivery);
	tcase_add_test(delivery, full_queue_drops_and_counts_without_blocking);
	tcase_add_test(delivery, no_receiver_drops_and_counts);
	tcase_add_test(delivery, receiver_that_appears_is_connected_at_most_once_a_second);
	tcase_add_test(delivery, restarted_receiver_gets_the_next_message);
	tcase_add_test(delivery, receiver_restarting_twice_within_a_second);
	tcase_add_test(delivery, receiver_gone_for_good);
	tcase_add_test(delivery, path_longer_than_a_socket_address);
	tcase_add_test(delivery, default_path_is_dev_log);
	suite_add_tcase(s, delivery);
	return s;
}

int main(void)
{
	return test_run(suite());
}
