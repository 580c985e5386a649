/* ctl-approval.c: guardctl pending, approve and reject: the approvers' side of the
 * two-person rule (io.guard.Pending, io.guard.Approve, io.guard.Reject). guardd
 * decides who may see and do what, from the kernel's view of the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "ctl.h"
#include "exit.h"
#include "guard/protocol.h"
#include "present.h"

#define CTL_APPROVAL_REASON_MAX 1024

void ctl_approval_usage(FILE *f)
{
	fprintf(f, "  -r, --reason TEXT     why (recorded, and shown to the requester)\n");
}

/* "42s", "5m", "2h05m", "3d". */
static void duration(long long s, char *buf, size_t size)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%lldd", s / 86400);
}

static const char *clean(json_t *o, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(o, key));
	return present_clean(s ? s : "-", buf, size);
}

static void row(json_t *r)
{
	char user[64], rule[64], cmd[512], age[32], left[32], votes[32];
	duration(ctl_num(r, "age_sec"), age, sizeof age);
	duration(ctl_num(r, "expires_in_sec"), left, sizeof left);
	approval_command_text(json_object_get(r, "command"), cmd, sizeof cmd);
	snprintf(votes, sizeof votes, "%zu/%lld%s",
		 json_array_size(json_object_get(r, "approvals")), ctl_num(r, "count"),
		 json_is_true(json_object_get(r, "may_approve")) ? "" : "*");
	printf("%-32s  %-12s  %-20s  %-9s  %-6s  %-7s  %s\n", ctl_str(r, "id"),
	       clean(r, "requester", user, sizeof user), clean(r, "rule", rule, sizeof rule), votes,
	       age, left, cmd);
}

/* One request in full: who asks what, where, and who has said what. */
static void detail(json_t *r)
{
	char a[512], b[512], cmd[8192], left[32];
	json_t *c = json_object_get(r, "command"), *v;
	size_t i;
	approval_command_text(c, cmd, sizeof cmd);
	duration(ctl_num(r, "expires_in_sec"), left, sizeof left);
	printf("request %s: %s\n", ctl_str(r, "id"), ctl_str(r, "state"));
	printf("  requester:  %s (uid %lld) on %s\n", clean(r, "requester", a, sizeof a),
	       ctl_num(r, "requester_uid"), clean(r, "host", b, sizeof b));
	printf("  command:    %s\n", cmd);
	printf("  program:    %s\n", clean(c, "program", a, sizeof a));
	printf("  directory:  %s\n", clean(c, "cwd", a, sizeof a));
	printf("  rule:       %s\n", clean(r, "rule", a, sizeof a));
	printf("  approvers:  %lld of group %s\n", ctl_num(r, "count"),
	       clean(r, "group", a, sizeof a));
	printf("  made:       %s\n  expires:    %s (in %s)\n", ctl_str(r, "created"),
	       ctl_str(r, "expires"), left);
	json_array_foreach(json_object_get(r, "approvals"), i, v)
	{
		const char *why = json_string_value(json_object_get(v, "reason"));
		printf("  approved:   by %s at %s%s%s\n", clean(v, "user", a, sizeof a),
		       ctl_str(v, "ts"), why ? ": " : "",
		       why ? present_clean(why, b, sizeof b) : "");
	}
	json_t *closed = json_object_get(r, "closed");
	if (json_is_object(closed) && json_object_get(closed, "user")) {
		const char *why = json_string_value(json_object_get(closed, "reason"));
		printf("  %-10s  by %s at %s%s%s\n", ctl_str(r, "state"),
		       clean(closed, "user", a, sizeof a), ctl_str(closed, "ts"), why ? ": " : "",
		       why ? present_clean(why, b, sizeof b) : "");
	}
	printf("  digest:     %s\n", ctl_str(r, "digest"));
}

/* A refused step is a problem found (1), like a refused reload; the rest is guardd's. */
static int refused(json_t *err, int code)
{
	const char *name = json_string_value(json_object_get(err, "error"));
	if (name && (!strcmp(name, GUARD_ERROR_NO_SUCH_REQUEST) ||
		     !strcmp(name, GUARD_ERROR_REQUEST_EXPIRED) ||
		     !strcmp(name, GUARD_ERROR_REQUEST_CLOSED)))
		code = EXIT_DENIED;
	json_decref(err);
	return code;
}

/* Parses [--reason TEXT] and the id operand (required unless optional). Returns 0,
 * EXIT_USAGE, or -1 when --help was shown. */
static int parse(struct ctl *o, int argc, char **argv, bool optional, const char **ret_id,
		 const char **ret_reason)
{
	static const struct option opts[] = {
		CTL_COMMON_OPTIONS, {"reason", required_argument, NULL, 'r'}, {0}};
	bool reason = ret_reason != NULL;
	int c;
	while ((c = getopt_long(argc, argv, reason ? CTL_COMMON_SHORT "r:" : CTL_COMMON_SHORT, opts,
				NULL)) != -1) {
		if (c == 'r' && reason)
			*ret_reason = optarg;
		else if (!ctl_common_option(o, c))
			return EXIT_USAGE;
	}
	if (o->help) {
		ctl_command_usage(o);
		return -1;
	}
	*ret_id = optind < argc ? argv[optind] : NULL;
	if (argc - optind > 1 || (!optional && !*ret_id)) {
		fprintf(stderr, "guardctl: %s takes %s request id\n", o->command,
			optional ? "at most one" : "one");
		return EXIT_USAGE;
	}
	if (*ret_id && !approval_id_ok(*ret_id)) {
		fprintf(stderr, "guardctl: %s: not a request id (32 lowercase hex digits)\n",
			*ret_id);
		return EXIT_USAGE;
	}
	if (reason && *ret_reason && strlen(*ret_reason) > CTL_APPROVAL_REASON_MAX) {
		fprintf(stderr, "guardctl: --reason takes at most %d bytes\n",
			CTL_APPROVAL_REASON_MAX);
		return EXIT_USAGE;
	}
	return 0;
}

int ctl_pending(struct ctl *o, int argc, char **argv)
{
	const char *id;
	json_t *res = NULL, *err = NULL, *params;
	int r = parse(o, argc, argv, true, &id, NULL);
	if (r != 0)
		return r < 0 ? 0 : r;
	params = id ? json_pack("{s:s}", "id", id) : NULL;
	r = ctl_call(o, GUARD_METHOD_PENDING, params, &res, &err);
	json_decref(params);
	if (r != 0)
		return refused(err, r);
	json_t *list = json_object_get(res, "requests"), *v;
	size_t i;
	if (o->json) {
		ctl_print_json(res);
		return 0;
	}
	if (id) {
		detail(json_array_get(list, 0));
	} else if (json_array_size(list) == 0) {
		printf("no open approval requests that you may see\n");
	} else {
		printf("%-32s  %-12s  %-20s  %-9s  %-6s  %-7s  %s\n", "ID", "REQUESTER", "RULE",
		       "APPROVALS", "AGE", "EXPIRES", "COMMAND");
		json_array_foreach(list, i, v) row(v);
		printf("(*: not yours to approve: your own, or approved by you or enough "
		       "others)\n");
		if (ctl_num(res, "more") > 0)
			printf("(%lld more not shown: the reply holds at most 60 KiB)\n",
			       ctl_num(res, "more"));
	}
	json_decref(res);
	return 0;
}

static int act(struct ctl *o, int argc, char **argv, const char *method, bool approve)
{
	const char *id, *reason = NULL;
	json_t *res = NULL, *err = NULL;
	int r = parse(o, argc, argv, false, &id, &reason);
	if (r != 0)
		return r < 0 ? 0 : r;
	json_t *params = json_pack("{s:s,s:s?}", "id", id, "reason", reason);
	r = params ? ctl_call(o, method, params, &res, &err) : EXIT_UNDECIDED;
	json_decref(params);
	if (r != 0)
		return refused(err, r);
	if (o->json) {
		ctl_print_json(res);
		return 0;
	}
	json_t *q = json_object_get(res, "request");
	char user[256], cmd[8192];
	approval_command_text(json_object_get(q, "command"), cmd, sizeof cmd);
	printf("%s request %s of %s (rule %s): %s\n", approve ? "approved" : "rejected", id,
	       clean(q, "requester", user, sizeof user), ctl_str(q, "rule"), cmd);
	size_t got = json_array_size(json_object_get(q, "approvals"));
	if (approve && strcmp(ctl_str(q, "state"), "approved") == 0)
		printf("%zu of %lld approvals: %s may now run it, once, until %s\n", got,
		       ctl_num(q, "count"), user, ctl_str(q, "expires"));
	else if (approve)
		printf("%zu of %lld approvals: another member of group %s must approve too\n", got,
		       ctl_num(q, "count"), ctl_str(q, "group"));
	json_decref(res);
	return 0;
}

int ctl_approve(struct ctl *o, int argc, char **argv)
{
	return act(o, argc, argv, GUARD_METHOD_APPROVE, true);
}

int ctl_reject(struct ctl *o, int argc, char **argv)
{
	return act(o, argc, argv, GUARD_METHOD_REJECT, false);
}
