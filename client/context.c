/* context.c: see context.h. */
#include "context.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTEXT_MAX_GROUPS 1024

extern char **environ;

int context_set_string(char **field, const char *value)
{
	char *s = value ? strdup(value) : NULL;
	if (value && !s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

int context_add_group(struct context *c, gid_t gid, const char *name)
{
	gid_t *g = realloc(c->groups, (c->n_groups + 1) * sizeof *g);
	if (!g)
		return -ENOMEM;
	c->groups = g;
	char **n = realloc(c->group_names, (c->n_groups + 1) * sizeof *n);
	if (!n)
		return -ENOMEM;
	c->group_names = n;
	c->groups[c->n_groups] = gid;
	c->group_names[c->n_groups] = NULL;
	c->n_groups++;
	return context_set_string(&c->group_names[c->n_groups - 1], name);
}

static void clear_groups(struct context *c)
{
	for (size_t i = 0; i < c->n_groups; i++)
		free(c->group_names[i]);
	free(c->group_names);
	free(c->groups);
	c->group_names = NULL;
	c->groups = NULL;
	c->n_groups = 0;
}

static int add_group_id(struct context *c, gid_t gid)
{
	struct group *gr = getgrgid(gid);
	return context_add_group(c, gid, gr ? gr->gr_name : NULL);
}

int context_set_user(struct context *c, const char *user)
{
	char *end;
	unsigned long id = strtoul(user, &end, 10);
	struct passwd *pw = *user && !*end && user[0] != '-' ? getpwuid((uid_t)id) : getpwnam(user);
	if (!pw)
		return -ENOENT;
	gid_t gids[CONTEXT_MAX_GROUPS];
	int n = CONTEXT_MAX_GROUPS;
	if (getgrouplist(pw->pw_name, pw->pw_gid, gids, &n) < 0)
		n = CONTEXT_MAX_GROUPS;
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	int r = context_set_string(&c->user, pw->pw_name);
	if (r == 0)
		r = context_set_string(&c->home, pw->pw_dir[0] == '/' ? pw->pw_dir : NULL);
	clear_groups(c);
	for (int i = 0; r == 0 && i < n; i++)
		r = add_group_id(c, gids[i]);
	return r;
}

int context_set_env(struct context *c, const char *name, const char *value)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < c->n_env; i++) {
		if (strncmp(c->env[i], name, len) == 0 && c->env[i][len] == '=') {
			free(c->env[i]);
			c->env[i] = c->env[--c->n_env];
			break;
		}
	}
	if (!value)
		return 0;
	char **e = realloc(c->env, (c->n_env + 1) * sizeof *e);
	if (!e)
		return -ENOMEM;
	c->env = e;
	size_t size = len + strlen(value) + 2;
	if (!(c->env[c->n_env] = malloc(size)))
		return -ENOMEM;
	snprintf(c->env[c->n_env++], size, "%s=%s", name, value);
	return 0;
}

static int local_env(struct context *c)
{
	for (char **e = environ; e && *e; e++) {
		char *eq = strchr(*e, '=');
		if (!eq || eq == *e)
			continue;
		char name[256];
		size_t n = (size_t)(eq - *e);
		if (n >= sizeof name)
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		int r = context_set_env(c, name, eq + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

void context_update_ssh(struct context *c)
{
	static const char *const vars[] = {"SSH_CONNECTION=", "SSH_CLIENT=", "SSH_TTY="};
	c->ssh = false;
	for (size_t i = 0; i < c->n_env; i++)
		for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
			if (!strncmp(c->env[i], vars[k], strlen(vars[k])) &&
			    c->env[i][strlen(vars[k])])
				c->ssh = true;
}

int context_local(struct context *c)
{
	char host[HOST_NAME_MAX + 1] = "localhost";
	*c = (struct context){.now = time(NULL)};
	gethostname(host, sizeof host - 1);
	c->cwd = getcwd(NULL, 0);
	c->host = strdup(host);
	for (int fd = 0; fd <= 2; fd++)
		c->tty = c->tty || isatty(fd);
	char uid[32];
	snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
	int r = context_set_user(c, uid);
	if (r == -ENOENT) { /* an account-less uid still asks as itself */
		c->uid = getuid();
		c->gid = getgid();
		r = 0;
	}
	if (r == 0)
		r = local_env(c);
	context_update_ssh(c);
	return r == 0 && (!c->cwd || !c->host) ? -ENOMEM : r;
}

void context_request(const struct context *c, const char *const *argv, size_t argc,
		     struct policy_request *ret)
{
	*ret = (struct policy_request){
		.argv = argv,
		.argc = argc,
		.program = c->program,
		.cwd = c->cwd,
		.uid = c->uid,
		.gid = c->gid,
		.user = c->user,
		.home = c->home,
		.groups = c->groups,
		.group_names = (const char *const *)c->group_names,
		.n_groups = c->n_groups,
		.host = c->host,
		.env = (const char *const *)c->env,
		.n_env = c->n_env,
		.tty = c->tty,
		.ssh = c->ssh,
		.now = c->now,
	};
}

void context_done(struct context *c)
{
	free(c->user);
	free(c->home);
	free(c->host);
	free(c->cwd);
	free(c->program);
	clear_groups(c);
	for (size_t i = 0; i < c->n_env; i++)
		free(c->env[i]);
	free(c->env);
	*c = (struct context){0};
}

/* "Z", "+01:00", "+0100", "-05" after a time; sets *ret to seconds east. */
static int parse_offset(const char *s, long *ret)
{
	if (!strcmp(s, "Z") || !strcmp(s, "z")) {
		*ret = 0;
		return 0;
	}
	char sign = s[0];
	const char *d = s + 1;
	size_t n = strlen(d);
	bool digits = strspn(d, "0123456789") == n || (n == 5 && d[2] == ':');
	/* "+01", "+0130" or "+01:30" */
	if ((sign != '+' && sign != '-') || !digits || (n != 2 && n != 4 && n != 5))
		return -EINVAL;
	int h = (d[0] - '0') * 10 + (d[1] - '0');
	const char *mm = n == 5 ? d + 3 : d + 2;
	int m = n == 2 ? 0 : (mm[0] - '0') * 10 + (mm[1] - '0');
	if (h > 23 || m > 59 || (n == 5 && strspn(mm, "0123456789") != 2))
		return -EINVAL;
	*ret = (sign == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

int context_parse_time(const char *s, time_t *ret)
{
	static const char *const formats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
					      "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
	char *end;
	if (s[0] == '@') {
		long long v = strtoll(s + 1, &end, 10);
		if (!s[1] || *end)
			return -EINVAL;
		*ret = (time_t)v;
		return 0;
	}
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		struct tm tm = {.tm_isdst = -1};
		end = strptime(s, formats[i], &tm);
		if (!end)
			continue;
		long off;
		if (!*end) {
			*ret = mktime(&tm); /* no offset: this process's local time */
			return *ret == (time_t)-1 ? -EINVAL : 0;
		}
		if (parse_offset(end, &off) == 0) {
			*ret = timegm(&tm) - off;
			return 0;
		}
	}
	return -EINVAL;
}
