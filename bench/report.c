/* report.c: guard-bench's figures, as one readable line or one JSON object
 * per run. Errors are always part of the figures, never left out. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

static const char *mode_name(const struct load_config *cfg)
{
	return cfg->keep_alive ? "keep-alive" : "per-call";
}

static double throughput(const struct load_result *res)
{
	return res->wall_s > 0 ? (double)res->ok / res->wall_s : 0;
}

/* A duration with a unit that keeps three significant digits readable. */
static const char *fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	return buf;
}

/* The decisions seen, e.g. " deny=32000": it shows which policy path was
 * measured (a deny by the first rule costs less than an allow by none). */
static void print_verdicts(const struct report_run *run)
{
	if (run->cfg->echo)
		return;
	for (int v = 0; v < LOAD_N_VERDICTS; v++)
		if (run->res->verdicts[v])
			printf(" %s=%" PRIu64, load_verdict_name((enum load_verdict)v),
			       run->res->verdicts[v]);
}

static void print_failure_list(const struct load_failures *f)
{
	for (unsigned i = 0; i < f->n; i++)
		fprintf(stderr, "  %8" PRIu64 "  %s\n", f->kind[i].count, f->kind[i].text);
	if (f->unlisted)
		fprintf(stderr, "  %8" PRIu64 "  of other kinds\n", f->unlisted);
}

/* Every kind of failure with its count, on stderr so that --json output
 * stays one clean object per run. */
static void print_failures(const struct report_run *run)
{
	const struct load_result *res = run->res;
	if (res->errors || res->connect_failed) {
		fprintf(stderr, "guard-bench: %s: %" PRIu64 " of %" PRIu64 " calls failed:\n",
			run->target, res->errors + res->connect_failed, res->calls);
		print_failure_list(&res->failures);
	}
	if (res->warmup_failed) {
		fprintf(stderr, "guard-bench: %s: %" PRIu64 " warm-up calls failed:\n", run->target,
			res->warmup_failed);
		print_failure_list(&res->warmup_failures);
	}
}

void report_text(const struct report_run *run)
{
	const struct load_result *res = run->res;
	char p50[16], p90[16], p99[16], max[16];
	printf("%-6s  %-10s  clients=%u calls=%" PRIu64 " errors=%" PRIu64
	       " connect_failed=%" PRIu64 "  p50=%s p90=%s p99=%s max=%s  throughput=%.0f %s",
	       run->target, mode_name(run->cfg), run->cfg->clients, res->calls, res->errors,
	       res->connect_failed, fmt_ns(p50, sizeof p50, res->p50_ns),
	       fmt_ns(p90, sizeof p90, res->p90_ns), fmt_ns(p99, sizeof p99, res->p99_ns),
	       fmt_ns(max, sizeof max, res->max_ns), throughput(res),
	       run->cfg->echo ? "echoes/s" : "decisions/s");
	print_verdicts(run);
	printf("\n");
	fflush(stdout);
	print_failures(run);
}

static json_t *latency_json(const struct load_result *r)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "min", (double)r->min_ns / 1e3, "mean",
			 r->mean_ns / 1e3, "p50", (double)r->p50_ns / 1e3, "p90",
			 (double)r->p90_ns / 1e3, "p99", (double)r->p99_ns / 1e3, "p99.9",
			 (double)r->p999_ns / 1e3, "max", (double)r->max_ns / 1e3);
}

static json_t *verdicts_json(const struct report_run *run)
{
	if (run->cfg->echo)
		return json_null();
	json_t *o = json_object();
	for (int v = 0; o && v < LOAD_N_VERDICTS; v++)
		if (run->res->verdicts[v] &&
		    json_object_set_new(o, load_verdict_name((enum load_verdict)v),
					json_integer((json_int_t)run->res->verdicts[v])) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* [{"error": text, "count": n}, ...]; kinds past the table's end as "other". */
static json_t *failures_json(const struct load_failures *f)
{
	json_t *a = json_array();
	for (unsigned i = 0; a && i <= f->n; i++) {
		bool extra = i == f->n;
		if (extra && !f->unlisted)
			break;
		json_t *k =
			json_pack("{s:s,s:I}", "error", extra ? "other" : f->kind[i].text, "count",
				  (json_int_t)(extra ? f->unlisted : f->kind[i].count));
		if (json_array_append_new(a, k) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int report_json(const struct report_run *run)
{
	const struct load_config *cfg = run->cfg;
	const struct load_result *res = run->res;
	json_t *o = json_pack(
		"{s:s,s:s?,s:s,s:s?,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:o,s:o,s:o,s:o}",
		"target", run->target, "socket", cfg->echo ? NULL : run->socket, "mode",
		mode_name(cfg), "argv", run->argv, "clients", (json_int_t)cfg->clients,
		"calls_per_client", (json_int_t)cfg->calls, "warmup_per_client",
		(json_int_t)cfg->warmup, "calls", (json_int_t)res->calls, "ok", (json_int_t)res->ok,
		"errors", (json_int_t)res->errors, "connect_failed",
		(json_int_t)res->connect_failed, "warmup_failed", (json_int_t)res->warmup_failed,
		"wall_s", res->wall_s, "throughput_per_s", throughput(res), "latency_us",
		latency_json(res), "decisions", verdicts_json(run), "failures",
		failures_json(&res->failures), "warmup_failures",
		failures_json(&res->warmup_failures));
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	if (!s)
		return -ENOMEM;
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	print_failures(run);
	return 0;
}
