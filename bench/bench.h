/* bench.h: the parts of guard-bench: the load (client threads), the echo
 * server that gives the floor, and the report. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The decisions a Check reply may carry, counted per kind; anything else is "other". */
enum load_verdict {
	LOAD_ALLOW,
	LOAD_DENY,
	LOAD_CONFIRM,
	LOAD_REASON,
	LOAD_APPROVE,
	LOAD_OTHER,
	LOAD_N_VERDICTS,
};

struct load_config {
	struct sockaddr_un addr; /* where to connect, built once */
	const char *message;     /* the call, with its NUL; borrowed, shared by all threads */
	size_t message_len;      /* including the NUL */
	bool echo;               /* expect the message back instead of a decision */
	bool keep_alive;         /* one connection per client for all its calls */
	unsigned clients;
	unsigned calls;    /* measured calls per client */
	unsigned warmup;   /* unmeasured calls per client before the clock starts */
	int timeout_ms;    /* send/receive/connect timeout, so a hung server cannot hang us */
	atomic_bool *stop; /* set from a signal handler: clients stop after the current call */
};

/* Failures grouped by their description, so that a run with several kinds of
 * error shows each with its count, not only the first. */
#define LOAD_MAX_FAILURE_KINDS 8
struct load_failures {
	struct {
		char text[200];
		uint64_t count;
	} kind[LOAD_MAX_FAILURE_KINDS];
	unsigned n;
	uint64_t unlisted; /* failures of further kinds once the table is full */
};

struct load_result {
	uint64_t calls; /* measured calls attempted */
	uint64_t ok;
	uint64_t connect_failed; /* socket() or connect() failed */
	uint64_t errors;         /* connected, but no valid reply: I/O error, timeout, bad reply */
	uint64_t warmup_failed;  /* any failure during warm-up, reported, not counted above */
	uint64_t verdicts[LOAD_N_VERDICTS];
	double wall_s; /* first measured call started to last one finished */
	/* Latency of the successful calls, in nanoseconds; all zero when none succeeded. */
	uint64_t min_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
	double mean_ns;
	struct load_failures failures;        /* of the measured calls */
	struct load_failures warmup_failures; /* of the warm-up calls */
};

/* Fills addr for path. Returns 0 or -ENAMETOOLONG. */
int load_address(const char *path, struct sockaddr_un *addr);

/* One call outside any measurement, to tell "cannot run at all" from a slow
 * server. Returns 0, or a negative errno with why written to err. */
int load_probe(const struct load_config *cfg, char *err, size_t err_len);

/* Runs cfg->clients threads of cfg->warmup + cfg->calls calls each and fills
 * *ret. Returns 0, -EINTR when *cfg->stop was set, or a negative errno when
 * the run could not be set up (memory, threads); failures of single calls are
 * counted, not returned. */
int load_run(const struct load_config *cfg, struct load_result *ret);

const char *load_verdict_name(enum load_verdict v);

struct echo;

/* Starts an echo server on a socket in a new private temporary directory,
 * served by one thread. Returns 0 and the server (free with echo_stop), or a
 * negative errno with why written to err. */
int echo_start(struct echo **ret, char *err, size_t err_len);
/* The socket's path, valid until echo_stop. */
const char *echo_path(const struct echo *e);
/* Stops the thread, closes every connection, removes the socket and its
 * directory and frees e. Accepts NULL. */
void echo_stop(struct echo *e);

struct report_run {
	const char *target; /* "guardd" or "echo" */
	const char *socket;
	const char *argv; /* the command asked about, as given */
	const struct load_config *cfg;
	const struct load_result *res;
};

/* One readable line on stdout, and the first error on stderr if there was one. */
void report_text(const struct report_run *run);
/* One JSON object on stdout. Returns 0 or -ENOMEM. */
int report_json(const struct report_run *run);
