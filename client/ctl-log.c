/* ctl-log.c: guardctl log: the decision records that match the filters, as a table
 * or as the JSON lines themselves, optionally following the live file through
 * rotations; and the choice of files every log command reads. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "ctl.h"
#include "exit.h"
#include "guard/protocol.h"
#include "logfile.h"
#include "logfilter.h"
#include "logshow.h"

/* Asking guardd where its log is must not hold up a query when it hangs. */
#define STATUS_TIMEOUT_MS 2000
/* How often --follow looks for new lines. */
#define FOLLOW_POLL_NS (200 * 1000 * 1000L)
/* After a rotation, the old file is still read this many polls, for records guardd
 * wrote before it reopened. */
#define FOLLOW_DRAIN_POLLS 10

/* ---- the files -------------------------------------------------------------- */

/* guardd's live log and its last seq, when it answers. Quiet when it does not: the
 * log can be read without the daemon. */
static char *daemon_log(const struct ctl *o, uint64_t *ret_seq)
{
	int fd;
	json_t *reply = NULL;
	if (call_connect(call_socket_path(o->socket), STATUS_TIMEOUT_MS, &fd) < 0)
		return NULL;
	int r = call_method(fd, GUARD_METHOD_STATUS, NULL, &reply);
	close(fd);
	if (r < 0)
		return NULL;
	json_t *p = json_object_get(reply, "parameters");
	const char *path = json_string_value(json_object_get(p, "audit_log"));
	json_int_t seq = json_integer_value(json_object_get(p, "audit_seq"));
	char *copy = !call_reply_error(reply) && path && path[0] == '/' ? strdup(path) : NULL;
	if (copy && seq > 0)
		*ret_seq = (uint64_t)seq;
	json_decref(reply);
	return copy;
}

static void note_skipped(char **skipped)
{
	for (char **s = skipped; *s; s++) {
		const char *dot = strrchr(*s, '.');
		bool packed = dot && (strcmp(dot, ".gz") == 0 || strcmp(dot, ".xz") == 0 ||
				      strcmp(dot, ".zst") == 0 || strcmp(dot, ".bz2") == 0 ||
				      strcmp(dot, ".lz4") == 0 || strcmp(dot, ".Z") == 0);
		fprintf(stderr, "guardctl: note: not reading %s (%s)\n", *s,
			packed ? "compressed: decompress it and name it as a FILE"
			       : "its first line is not a decision record");
	}
}

int ctl_log_files(const struct ctl *o, int n, char **files, struct ctl_log_files *ret)
{
	*ret = (struct ctl_log_files){0};
	if (n > 0) {
		ret->paths = calloc((size_t)n + 1, sizeof *ret->paths);
		for (int i = 0; ret->paths && i < n; i++)
			if (!(ret->paths[i] = strdup(files[i]))) {
				ctl_log_files_free(ret);
				break;
			}
		if (!ret->paths) {
			fprintf(stderr, "guardctl: out of memory\n");
			return EXIT_DENIED;
		}
		return 0;
	}
	char *live = daemon_log(o, &ret->daemon_seq);
	if (!live && o->socket)
		fprintf(stderr,
			"guardctl: note: guardd at %s did not say where its log is; reading %s\n",
			o->socket, GUARD_DEFAULT_AUDIT_LOG);
	char **skipped = NULL;
	int r = logfile_siblings(live ? live : GUARD_DEFAULT_AUDIT_LOG, &ret->paths, &skipped);
	if (r < 0) {
		fprintf(stderr, "guardctl: cannot list the files of %s: %s\n",
			live ? live : GUARD_DEFAULT_AUDIT_LOG, strerror(-r));
		free(live);
		return EXIT_DENIED;
	}
	note_skipped(skipped);
	logfile_list_free(skipped);
	free(live);
	ret->live = true;
	return 0;
}

void ctl_log_files_free(struct ctl_log_files *f)
{
	logfile_list_free(f->paths);
	f->paths = NULL;
}

size_t ctl_log_n_files(const struct ctl_log_files *f)
{
	size_t n = 0;
	while (f->paths && f->paths[n])
		n++;
	return n;
}

bool ctl_log_reserved(const char *word)
{
	return strcmp(word, "verify") == 0 || strcmp(word, "rotate") == 0;
}

/* ---- the query --------------------------------------------------------------- */

/* Where one of the last N matches is, to be read again at the end. */
struct match_ref {
	size_t file;
	off_t off;
	size_t n;
};

struct query {
	struct logfilter filter;
	bool follow;
	uint64_t last; /* 0: every match */
	size_t width;  /* the terminal's, or 0: rows are not cut */
	bool json;
	/* The last N matches, a ring. */
	struct match_ref *ring;
	size_t ring_cap, ring_n, ring_head;
	/* The files being read; a file stays open while the ring points into it. */
	struct logfile **files;
	size_t n_files;
	uint64_t bad; /* lines that are not records */
	struct logshow_buf row;
	bool headed; /* the table's heading is out */
	int failed;  /* an exit code once a file could not be read */
};

void ctl_log_usage(FILE *f)
{
	fprintf(f,
		"  (no FILE: the log guardd names, else %s,\n"
		"   with its rotated files FILE.* and FILE-*)\n"
		"      --since T         records at or after T: 2026-11-25T12:00:00Z, a\n"
		"                        date (2026-11-25), or a time ago (30m, 1h, 7d, 1h30m)\n"
		"      --until T         records before T\n"
		"      --user NAME|UID   by this user\n"
		"      --decision D      allow, deny, confirm, reason, approve (repeatable, or\n"
		"                        a comma-separated list)\n"
		"      --rule ID         decided by this rule\n"
		"      --program NAME    for this program (a base name, or a path)\n"
		"      --host HOST       on this host\n"
		"      --id ID           this record, and the completion of a decision\n"
		"      --type T          decision, completion, recovery, break-glass,\n"
		"                        spool-refused or approval\n"
		"      --check, --no-check  only --check queries, or none of them\n"
		"  -n, --last N          only the last N matches\n"
		"  -f, --follow          then print records as they are written (across\n"
		"                        rotations) until interrupted\n"
		"      --json            the records' JSON lines as they are in the log\n",
		GUARD_DEFAULT_AUDIT_LOG);
}

static int bad_value(const char *opt, const char *value, const char *want)
{
	fprintf(stderr, "guardctl: log: %s %s: %s\n", opt, value, want);
	return EXIT_USAGE;
}

int ctl_log_parse_time(const char *opt, const char *value, int64_t *ret)
{
	if (logtime_parse(value, logtime_now(), ret) < 0)
		return bad_value(opt, value,
				 "not a time (2026-11-25T12:00:00Z, 2026-11-25, 30m, 1h, 7d, "
				 "@SECONDS, today, yesterday)");
	return 0;
}

static int parse_last(const char *value, uint64_t *ret)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(value, &end, 10);
	if (errno || end == value || *end || value[0] == '-' || n == 0)
		return bad_value("--last", value, "not a positive number");
	*ret = n;
	return 0;
}

/* One option of guardctl log; EXIT_USAGE when its value is wrong. */
static int option(struct ctl *o, struct query *q, int c)
{
	enum { SINCE = 1, UNTIL, USER, DECISION, RULE, PROGRAM, HOST, ID, TYPE, CHECK, NO_CHECK };
	struct logfilter *f = &q->filter;
	switch (c) {
	case SINCE:
		f->has_since = true;
		return ctl_log_parse_time("--since", optarg, &f->since);
	case UNTIL:
		f->has_until = true;
		return ctl_log_parse_time("--until", optarg, &f->until);
	case USER:
		f->user = optarg;
		return 0;
	case DECISION:
		return logfilter_add_decisions(f, optarg) < 0
			       ? bad_value("--decision", optarg,
					   "not allow, deny, confirm, reason or approve")
			       : 0;
	case TYPE:
		return logfilter_add_types(f, optarg) < 0
			       ? bad_value("--type", optarg,
					   "not decision, completion, recovery, break-glass, "
					   "spool-refused or approval")
			       : 0;
	case RULE:
		f->rule = optarg;
		return 0;
	case PROGRAM:
		f->program = optarg;
		return 0;
	case HOST:
		f->host = optarg;
		return 0;
	case ID:
		f->id = optarg;
		return 0;
	case CHECK:
	case NO_CHECK:
		f->check = c == CHECK;
		return 0;
	case 'f':
		q->follow = true;
		return 0;
	case 'n':
		return parse_last(optarg, &q->last);
	default:
		return ctl_common_option(o, c) ? 0 : EXIT_USAGE;
	}
}

static int parse(struct ctl *o, int argc, char **argv, struct query *q)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTIONS,
		{"since", required_argument, NULL, 1},
		{"until", required_argument, NULL, 2},
		{"user", required_argument, NULL, 3},
		{"decision", required_argument, NULL, 4},
		{"rule", required_argument, NULL, 5},
		{"program", required_argument, NULL, 6},
		{"host", required_argument, NULL, 7},
		{"id", required_argument, NULL, 8},
		{"type", required_argument, NULL, 9},
		{"check", no_argument, NULL, 10},
		{"no-check", no_argument, NULL, 11},
		{"follow", no_argument, NULL, 'f'},
		{"last", required_argument, NULL, 'n'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, CTL_COMMON_SHORT "fn:", opts, NULL)) != -1) {
		int r = option(o, q, c);
		if (r)
			return r;
	}
	if (o->help) {
		ctl_command_usage(o);
		return -1;
	}
	if (optind < argc && ctl_log_reserved(argv[optind])) {
		fprintf(stderr,
			"guardctl: 'log %s' is a command of its own: give its options "
			"after its name\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (q->filter.has_since && q->filter.has_until && q->filter.until <= q->filter.since)
		fprintf(stderr,
			"guardctl: note: --until is not after --since; nothing can match\n");
	int r = logfilter_prepare(&q->filter);
	if (r == -EINVAL)
		fprintf(stderr, "guardctl: log: a filter value is not valid UTF-8\n");
	else if (r < 0)
		fprintf(stderr, "guardctl: out of memory\n");
	return r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_DENIED : 0;
}

static size_t terminal_width(void)
{
	struct winsize ws;
	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long n = c ? strtol(c, NULL, 10) : 0;
	return n > 0 && n < 10000 ? (size_t)n : 80;
}

/* The table's heading, once, before the first row (or at the end, over none). */
static void heading(struct query *q)
{
	if (q->json || q->headed)
		return;
	q->headed = true;
	logshow_header(&q->row);
	logshow_fit(&q->row, q->width);
	printf("%s\n", q->row.p);
}

static void print(struct query *q, const char *line, size_t n, const struct logrec *r)
{
	heading(q);
	if (q->json) {
		fwrite(line, 1, n, stdout);
		putchar('\n');
		return;
	}
	logshow_row(r, &q->row);
	logshow_fit(&q->row, q->width);
	if (q->row.failed) {
		fprintf(stderr, "guardctl: out of memory\n");
		q->failed = EXIT_DENIED;
		return;
	}
	fwrite(q->row.p, 1, q->row.n, stdout);
	putchar('\n');
}

/* Closes the files read to the end that no remembered match is in: all before the
 * ring's oldest entry. */
static void close_unneeded(struct query *q, size_t reading)
{
	size_t keep = q->ring_n ? q->ring[q->ring_head].file : reading;
	for (size_t i = 0; i < keep && i < reading; i++) {
		logfile_free(q->files[i]);
		q->files[i] = NULL;
	}
}

static int remember(struct query *q, size_t file, const struct logfile *f, size_t n)
{
	struct match_ref m = {file, f->line_off, n};
	if (q->ring_n < q->last) {
		if (q->ring_n == q->ring_cap) {
			size_t cap = q->ring_cap ? q->ring_cap * 2 : 1024;
			if (cap > q->last)
				cap = (size_t)q->last;
			struct match_ref *r = realloc(q->ring, cap * sizeof *r);
			if (!r)
				return -ENOMEM;
			q->ring = r;
			q->ring_cap = cap;
		}
		/* Until it is full, the ring starts at 0 and is in order. */
		q->ring[q->ring_n++] = m;
		return 0;
	}
	q->ring[q->ring_head] = m;
	q->ring_head = (q->ring_head + 1) % q->ring_n;
	return 0;
}

/* Prints the last N matches, reading each line again. */
static int print_ring(struct query *q)
{
	char *buf = NULL;
	size_t cap = 0;
	int r = 0;
	for (size_t k = 0; r == 0 && k < q->ring_n; k++) {
		const struct match_ref *m = &q->ring[(q->ring_head + k) % q->ring_n];
		if (m->n + 1 > cap) {
			char *b = realloc(buf, m->n + 1);
			if (!b) {
				r = -ENOMEM;
				break;
			}
			buf = b;
			cap = m->n + 1;
		}
		const struct logfile *f = q->files[m->file];
		ssize_t got = pread(f->fd, buf, m->n, m->off);
		struct logrec rec;
		if (got != (ssize_t)m->n || logrec_parse(buf, m->n, &rec, NULL) < 0) {
			fprintf(stderr, "guardctl: %s changed while it was read\n", f->path);
			r = -EIO;
			break;
		}
		print(q, buf, m->n, &rec);
	}
	free(buf);
	q->ring_n = q->ring_head = 0;
	return r;
}

/* Handles one line: the filter, then print or remember. */
static int consider(struct query *q, size_t file, const struct logfile *f, const char *line,
		    size_t n, bool ring)
{
	if (!logfilter_maybe(&q->filter, line, n))
		return 0;
	struct logrec rec;
	if (logrec_parse(line, n, &rec, NULL) < 0) {
		q->bad++;
		return 0;
	}
	if (!logfilter_match(&q->filter, &rec))
		return 0;
	if (ring)
		return remember(q, file, f, n);
	print(q, line, n, &rec);
	return 0;
}

/* Reads what f has now. Returns 0 or negative errno (said). */
static int read_lines(struct query *q, size_t file, struct logfile *f, bool ring)
{
	const char *line;
	size_t n;
	int r;
	while ((r = logfile_next(f, &line, &n)) != 0) {
		if (r == -E2BIG) {
			q->bad++;
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "guardctl: %s: %s\n", f->path, strerror(-r));
			return r;
		}
		if ((r = consider(q, file, f, line, n, ring)) < 0) {
			fprintf(stderr, "guardctl: out of memory\n");
			return r;
		}
	}
	return 0;
}

static void read_all(struct query *q, char **paths)
{
	for (size_t i = 0; i < q->n_files; i++) {
		int r = logfile_open(paths[i], &q->files[i]);
		if (r < 0) {
			/* --follow waits for a live file that is not there yet. */
			if (!(q->follow && i == q->n_files - 1 && r == -ENOENT)) {
				fprintf(stderr, "guardctl: %s: %s\n", paths[i], strerror(-r));
				q->failed = EXIT_DENIED;
			}
			continue;
		}
		if (read_lines(q, i, q->files[i], q->last > 0) < 0)
			q->failed = EXIT_DENIED;
		/* Only as many files stay open as the last N matches are in. */
		if (!(q->follow && i == q->n_files - 1))
			close_unneeded(q, i + 1);
	}
	if (q->last > 0 && print_ring(q) < 0)
		q->failed = EXIT_DENIED;
}

/* Whether path is now another file than f (rotated), or shorter (truncated). */
static bool replaced(const struct logfile *f, const char *path, bool *ret_truncated)
{
	struct stat st;
	*ret_truncated = false;
	if (stat(path, &st) < 0)
		return false;
	if (st.st_dev != f->dev || st.st_ino != f->ino)
		return true;
	*ret_truncated = st.st_size < f->buf_off + (off_t)f->end;
	return *ret_truncated;
}

static void pause_poll(void)
{
	struct timespec ts = {0, FOLLOW_POLL_NS};
	nanosleep(&ts, NULL);
}

/* tail -F: reads the live file as it grows; when it is renamed away and a new one
 * appears at the path, finishes the old one and goes on with the new. */
static int follow(struct query *q, const char *path)
{
	struct logfile *cur = q->files[q->n_files - 1], *old = NULL;
	q->files[q->n_files - 1] = NULL;
	int drain = 0;
	for (;;) {
		if (old && read_lines(q, 0, old, false) < 0)
			drain = 0;
		if (old && --drain <= 0) {
			logfile_free(old);
			old = NULL;
		}
		if (cur && read_lines(q, 0, cur, false) < 0)
			break;
		if (fflush(stdout) != 0 || ferror(stdout))
			break;
		bool truncated = false;
		if (!cur || replaced(cur, path, &truncated)) {
			struct logfile *next;
			if (logfile_open(path, &next) == 0) {
				if (truncated)
					fprintf(stderr,
						"guardctl: %s was truncated; following it "
						"from its start\n",
						path);
				if (cur && !truncated) {
					logfile_free(old);
					old = cur;
					drain = FOLLOW_DRAIN_POLLS;
				} else
					logfile_free(cur);
				cur = next;
				continue;
			}
		}
		pause_poll();
	}
	logfile_free(cur);
	logfile_free(old);
	return EXIT_DENIED;
}

static void query_free(struct query *q)
{
	for (size_t i = 0; i < q->n_files; i++)
		logfile_free(q->files[i]);
	free(q->files);
	free(q->ring);
	free(q->row.p);
	logfilter_done(&q->filter);
}

int ctl_log(struct ctl *o, int argc, char **argv)
{
	struct query q = {.width = terminal_width()};
	logfilter_init(&q.filter);
	int r = parse(o, argc, argv, &q);
	if (r != 0) {
		logfilter_done(&q.filter);
		return r < 0 ? 0 : r;
	}
	q.json = o->json;
	struct ctl_log_files files;
	r = ctl_log_files(o, argc - optind, argv + optind, &files);
	if (r != 0) {
		query_free(&q);
		return r;
	}
	q.n_files = ctl_log_n_files(&files);
	q.files = calloc(q.n_files, sizeof *q.files);
	if (!q.files) {
		fprintf(stderr, "guardctl: out of memory\n");
		ctl_log_files_free(&files);
		query_free(&q);
		return EXIT_DENIED;
	}
	static char out[1 << 16];
	if (!q.follow && !q.width)
		setvbuf(stdout, out, _IOFBF, sizeof out);
	read_all(&q, files.paths);
	if (!q.failed || q.follow)
		heading(&q);
	if (q.follow && q.n_files > 0)
		q.failed = follow(&q, files.paths[q.n_files - 1]);
	if (q.bad)
		fprintf(stderr,
			"guardctl: note: %" PRIu64 " line%s not decision records "
			"('guardctl log verify' says more)\n",
			q.bad, q.bad == 1 ? " is" : "s are");
	if (fflush(stdout) != 0 && !q.failed) {
		fprintf(stderr, "guardctl: cannot write the output: %s\n", strerror(errno));
		q.failed = EXIT_DENIED;
	}
	ctl_log_files_free(&files);
	r = q.failed;
	query_free(&q);
	return r;
}
