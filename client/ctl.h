/* ctl.h: what guardctl's command files share. */
#pragma once

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guard/policy.h"

struct ctl {
	bool json;
	bool help; /* --help after the command's words */
	const char *socket;
	const char *command; /* the command being run, with its arguments and help */
	const char *command_args;
	const char *command_help;
};

/* Options every command takes, whether given before or after its words; a
 * command's optstring starts with CTL_COMMON_SHORT. */
enum { CTL_OPT_JSON = 1000 };
#define CTL_COMMON_SHORT "s:h"
// clang-format off
#define CTL_COMMON_OPTIONS \
	{"json", no_argument, NULL, CTL_OPT_JSON}, \
	{"socket", required_argument, NULL, 's'}, \
	{"help", no_argument, NULL, 'h'}
// clang-format on

/* Handles a common option from getopt; false when c is not one (getopt has
 * then said what was wrong). */
bool ctl_common_option(struct ctl *o, int c);

/* For commands that take only the common options: parses them. Returns 0 (the
 * command's words start at optind), EXIT_USAGE, or -1 when --help was asked for
 * and shown. */
int ctl_common_args(struct ctl *o, int argc, char **argv);

/* Prints the running command's usage on stdout (for --help). */
void ctl_command_usage(const struct ctl *o);

/* explain's options, for its --help. */
void ctl_explain_usage(FILE *f);

/* Calls method on the daemon with params (borrowed; NULL for none). Returns 0
 * and the reply's parameters in *ret (the caller owns them), or an exit code
 * after saying why; *ret_error, if not NULL, gets the error reply then. */
int ctl_call(const struct ctl *o, const char *method, json_t *params, json_t **ret,
	     json_t **ret_error);

/* Prints v as one line of JSON on stdout and releases it. */
void ctl_print_json(json_t *v);

/* The string or integer at key of o, for printing ("?" / 0 when absent). */
const char *ctl_str(json_t *o, const char *key);
long long ctl_num(json_t *o, const char *key);

/* Loads a policy directory, printing every error on stderr. Returns 0 and the
 * policy, or EXIT_DENIED after saying so; with errs, the errors are kept. */
int ctl_load_policy(const char *dir, struct policy **ret, struct policy_errors *errs);

/* The files a log command reads (ctl-log.c): the FILE operands, else the live log
 * guardd names in its status (else the default) with its rotated siblings, oldest
 * first; live is then true and daemon_seq is guardd's last seq when it answered. */
struct ctl_log_files {
	char **paths; /* NULL-terminated */
	bool live;
	uint64_t daemon_seq;
};
/* Returns 0, or an exit code after saying why. */
int ctl_log_files(const struct ctl *o, int n, char **files, struct ctl_log_files *ret);
void ctl_log_files_free(struct ctl_log_files *f);
size_t ctl_log_n_files(const struct ctl_log_files *f);
/* Whether word names a subcommand of log (verify, rotate), not a file. */
bool ctl_log_reserved(const char *word);
/* Parses a --since/--until value; 0, or EXIT_USAGE after saying why. */
int ctl_log_parse_time(const char *opt, const char *value, int64_t *ret);
/* log's and report's options, for their --help. */
void ctl_log_usage(FILE *f);
void ctl_report_usage(FILE *f);
/* approve's and reject's options, for their --help. */
void ctl_approval_usage(FILE *f);

/* The commands. argv[0] is the command's name; getopt starts at argv[1]. */
int ctl_status(struct ctl *o, int argc, char **argv);
int ctl_reload(struct ctl *o, int argc, char **argv);
int ctl_log_rotate(struct ctl *o, int argc, char **argv);
int ctl_log(struct ctl *o, int argc, char **argv);
int ctl_log_verify(struct ctl *o, int argc, char **argv);
int ctl_report(struct ctl *o, int argc, char **argv);
int ctl_policy_check(struct ctl *o, int argc, char **argv);
int ctl_policy_test(struct ctl *o, int argc, char **argv);
int ctl_explain(struct ctl *o, int argc, char **argv);
int ctl_pending(struct ctl *o, int argc, char **argv);
int ctl_approve(struct ctl *o, int argc, char **argv);
int ctl_reject(struct ctl *o, int argc, char **argv);
