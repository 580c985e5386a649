/* context.h: a request's context built in the client, for what the policy
 * would decide offline: guardctl explain --policy, and policy tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "guard/policy.h"

struct context {
	char *user, *home, *host, *cwd, *program;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	char **group_names; /* parallel to groups; entries may be NULL */
	size_t n_groups;
	char **env; /* "NAME=value" */
	size_t n_env;
	bool tty, ssh;
	time_t now;
};

/* The calling process's own context: who it is (with groups from the account
 * database), this host, the cwd, the environment, the terminal, the clock.
 * Returns 0 or negative errno; c is valid for context_done() either way. */
int context_local(struct context *c);

/* Replaces who asks with user (a name or decimal uid) from the account
 * database. Returns 0, -ENOENT for an unknown user, -ENOMEM. */
int context_set_user(struct context *c, const char *user);

/* Sets (value) or removes (NULL) one environment variable. 0 or -ENOMEM. */
int context_set_env(struct context *c, const char *name, const char *value);

/* Sets c->ssh as guardd decides it: a non-empty SSH_CONNECTION, SSH_CLIENT or
 * SSH_TTY among the variables. */
void context_update_ssh(struct context *c);

/* Adds a group by name and/or id. 0 or -ENOMEM. */
int context_add_group(struct context *c, gid_t gid, const char *name);

/* Replaces *field with a copy of value (NULL allowed). 0 or -ENOMEM. */
int context_set_string(char **field, const char *value);

/* The policy's view; borrows from c and argv. */
void context_request(const struct context *c, const char *const *argv, size_t argc,
		     struct policy_request *ret);

void context_done(struct context *c);

/* Parses a time for --time and policy tests: "2026-12-24T10:00:00Z", with an
 * offset ("+01:00"), without seconds, "2026-12-24 10:00" (local time of this
 * process), "2026-12-24" (local midnight) or "@SECONDS". 0 or -EINVAL. */
int context_parse_time(const char *s, time_t *ret);
