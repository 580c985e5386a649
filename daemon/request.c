/* request.c: Check and Explain parameters. Strict: unknown keys and wrong types
 * are refused, every string is bounded; what is left is data to match on. */
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard/protocol.h"
#include "manager.h"
#include "method.h"
#include "peer.h"

/* Limits on the reported environment: the client trims to fit, we refuse more. */
#define REQUEST_MAX_ENV      1024
#define REQUEST_MAX_ENV_NAME 256
#define REQUEST_MAX_ANSWER   1024

static bool known_key(const char *key, unsigned keys)
{
	static const char *const common[] = {"argv", "line", "program", "cwd", "tty", "env"};
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		if (strcmp(key, common[i]) == 0)
			return i >= 3 || !(keys & REQUEST_NO_COMMAND);
	if ((keys & REQUEST_REASON) && strcmp(key, "reason") == 0)
		return true;
	if ((keys & REQUEST_CHECK) && strcmp(key, "check") == 0)
		return true;
	if ((keys & REQUEST_APPROVAL) && (!strcmp(key, "request") || !strcmp(key, "approval")))
		return true;
	if ((keys & REQUEST_EXPLAIN) &&
	    (!strcmp(key, "user") || !strcmp(key, "host") || !strcmp(key, "time")))
		return true;
	return (keys & REQUEST_ANSWERS) && (!strcmp(key, "confirm") || !strcmp(key, "reason"));
}

/* A path we will match on: absolute, bounded. NULL when absent or null. */
static int get_path(json_t *params, const char *key, bool required, const char **ret)
{
	json_t *v = json_object_get(params, key);
	*ret = NULL;
	if (!v || json_is_null(v))
		return required ? -EINVAL : 0;
	const char *s = json_string_value(v);
	if (!s || s[0] != '/' || strlen(s) > GUARD_MAX_PATH_LEN)
		return -EINVAL;
	*ret = s;
	return 0;
}

/* An optional bounded string; NULL when absent or null. */
static int get_string(json_t *params, const char *key, size_t max, const char **ret)
{
	json_t *v = json_object_get(params, key);
	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max)
		return -EINVAL;
	*ret = json_string_value(v);
	return 0;
}

static bool env_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > REQUEST_MAX_ENV_NAME || (s[0] >= '0' && s[0] <= '9'))
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static int parse_env(json_t *env, struct request *r)
{
	if (!env || json_is_null(env))
		return 0;
	if (!json_is_object(env) || json_object_size(env) > REQUEST_MAX_ENV)
		return -EINVAL;
	if (json_object_size(env) == 0)
		return 0;
	r->env = calloc(json_object_size(env), sizeof *r->env);
	if (!r->env)
		return -ENOMEM;
	const char *name;
	json_t *value;
	json_object_foreach(env, name, value)
	{
		if (!env_name_ok(name) || !json_is_string(value))
			return -EINVAL;
		if (asprintf(&r->env[r->n_env], "%s=%s", name, json_string_value(value)) < 0)
			return -ENOMEM;
		r->n_env++;
	}
	return 0;
}

static int parse_argv(json_t *argv, struct request *r)
{
	size_t argc = json_array_size(argv);
	if (!json_is_array(argv) || argc == 0 || argc > GUARD_MAX_ARGS)
		return -EINVAL;
	r->argv_v = calloc(argc + 1, sizeof *r->argv_v);
	if (!r->argv_v)
		return -ENOMEM;
	for (size_t i = 0; i < argc; i++)
		if (!(r->argv_v[i] = json_string_value(json_array_get(argv, i))))
			return -EINVAL;
	r->argv = argv;
	r->argc = argc;
	return 0;
}

/* The first bad parameter's name and what is wrong with it, or NULL. */
static const char *check_fields(json_t *p, unsigned keys, struct request *r, const char **ret_why,
				int *ret_err)
{
	int e;
#define TRY(expr, key, why)                                                                        \
	if ((e = (expr)) < 0) {                                                                    \
		*ret_why = why;                                                                    \
		*ret_err = e;                                                                      \
		return key;                                                                        \
	}
	/* Exactly one of argv and line: a command, or a shell line to analyse. */
	json_t *line = json_object_get(p, "line");
	TRY(line && json_object_get(p, "argv") ? -EINVAL : 0, "line",
	    "give either argv or line, not both");
	TRY(line ? get_string(p, "line", POLICY_LINE_MAX, &r->line) : 0, "line",
	    "must be a shell line of at most 65536 bytes");
	TRY(line && (!r->line || !*r->line) ? -EINVAL : 0, "line", "must not be empty");
	TRY(line || (keys & REQUEST_NO_COMMAND) ? 0 : parse_argv(json_object_get(p, "argv"), r),
	    "argv",
	    "must be an array of 1 to 4096 strings");
	TRY(get_path(p, "program", false, &r->program), "program",
	    "must be an absolute path or null");
	TRY(get_path(p, "cwd", true, &r->cwd), "cwd", "must be an absolute path");
	TRY(get_string(p, "tty", GUARD_MAX_PATH_LEN, &r->tty), "tty", "must be a string or null");
	TRY(parse_env(json_object_get(p, "env"), r), "env",
	    "must be an object of at most 1024 variables with string values");
	TRY(get_string(p, "confirm", REQUEST_MAX_ANSWER, &r->confirm), "confirm",
	    "must be a string of at most 1024 bytes");
	TRY(get_string(p, "reason", REQUEST_MAX_ANSWER, &r->reason), "reason",
	    "must be a string of at most 1024 bytes");
	json_t *check = json_object_get(p, "check");
	TRY(check && !json_is_boolean(check) ? -EINVAL : 0, "check", "must be a boolean");
	r->check = json_is_true(check);
	json_t *want = json_object_get(p, "request");
	TRY(want && !json_is_boolean(want) ? -EINVAL : 0, "request", "must be a boolean");
	r->want_request = json_is_true(want);
	TRY(get_string(p, "approval", 32, &r->approval), "approval",
	    "must be a request id: 32 lowercase hex digits");
	TRY(r->approval && strspn(r->approval, "0123456789abcdef") != 32 ? -EINVAL : 0, "approval",
	    "must be a request id: 32 lowercase hex digits");
	TRY(r->approval && r->want_request ? -EINVAL : 0, "approval",
	    "give either request or approval, not both");
#undef TRY
	return NULL;
}

int request_parse(struct call *call, unsigned keys, struct request *ret, json_t **ret_reply)
{
	const char *key;
	json_t *v;
	*ret = (struct request){0};
	*ret_reply = NULL;
	json_object_foreach(call->params, key, v)
	{
		if (!known_key(key, keys)) {
			*ret_reply = method_invalid(call, key, "unknown parameter");
			return -EINVAL;
		}
	}
	const char *why = NULL;
	int err = 0;
	const char *bad = check_fields(call->params, keys, ret, &why, &err);
	if (!bad)
		return 0;
	request_done(ret);
	if (err == -ENOMEM)
		return err;
	*ret_reply = method_invalid(call, bad, why);
	return -EINVAL;
}

void request_done(struct request *r)
{
	for (size_t i = 0; i < r->n_env; i++)
		free(r->env[i]);
	free(r->env);
	free(r->argv_v);
	*r = (struct request){0};
}

static const char *env_get(const struct request *r, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < r->n_env; i++)
		if (strncmp(r->env[i], name, n) == 0 && r->env[i][n] == '=')
			return r->env[i] + n + 1;
	return NULL;
}

/* sshd sets these for every session it starts; their presence is the signal. */
static bool over_ssh(const struct request *r)
{
	static const char *const vars[] = {"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = env_get(r, vars[i]);
		if (v && *v)
			return true;
	}
	return false;
}

void request_context(const struct request *r, const struct peer *peer, const struct manager *m,
		     struct policy_request *ret)
{
	*ret = (struct policy_request){
		.argv = r->argv_v,
		.argc = r->argc,
		.program = r->program,
		.cwd = r->cwd,
		.uid = peer->uid,
		.gid = peer->gid,
		.user = peer->user,
		.home = peer->home,
		.groups = peer->groups,
		.group_names = (const char *const *)peer->group_names,
		.n_groups = peer->n_groups,
		.host = m->host,
		.env = (const char *const *)r->env,
		.n_env = r->n_env,
		.tty = r->tty != NULL,
		.ssh = over_ssh(r),
		.now = time(NULL),
	};
}

json_t *request_env_record(const struct request *r, const struct policy *p)
{
	const char *const *names;
	size_t n = policy_env_names(p, &names);
	json_t *o = json_object();
	for (size_t i = 0; o && i < n; i++) {
		const char *v = env_get(r, names[i]);
		if (v)
			json_object_set_new(o, names[i], json_string(v));
	}
	return o;
}
