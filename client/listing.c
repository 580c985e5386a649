/* listing.c: see listing.h. A rule is shown with what it is about (its description,
 * else its message), when it applies (its conditions in words, from guardd), what it
 * tells the person, and the run book. */
#include "listing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "env.h"
#include "exit.h"
#include "guard/protocol.h"

#define LISTING_TIMEOUT_MS 30000
#define LISTING_TEXT_MAX   4200
/* Room kept in the request for everything but the environment. */
#define LISTING_ENV_RESERVE 8192

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The headings, in the order shown: what stops people first. */
static const struct group {
	const char *decision;
	bool dry_run;
	const char *heading;
} groups[] = {
	{"deny", false, "Denied"},
	{"approve", false, "Needs approval by others"},
	{"reason", false, "Needs a reason"},
	{"confirm", false, "Needs a confirmation"},
	{"allow", false, "Allowed"},
	{NULL, true, "Watched, not enforced (dry-run: recorded, then allowed)"},
};

static void field(const struct present *p, const char *label, const char *value,
		  enum present_style s)
{
	char clean[LISTING_TEXT_MAX];

	if (value)
		fprintf(p->f, "      %s%s%s%s\n", label, present_on(p, s),
			present_clean(value, clean, sizeof(clean)), s ? present_off(p) : "");
}

static void rule(const struct present *p, json_t *r, bool dry_run)
{
	char id[256], title[LISTING_TEXT_MAX];
	const char *desc = str(r, "description"), *msg = str(r, "message");

	fprintf(p->f, "  %s%s%s", present_on(p, PRESENT_BOLD),
		present_clean(str(r, "rule") ? str(r, "rule") : "?", id, sizeof(id)),
		present_off(p));
	if (desc || msg)
		fprintf(p->f, ": %s", present_clean(desc ? desc : msg, title, sizeof(title)));
	fputc('\n', p->f);
	field(p, "command: ", str(r, "command"), PRESENT_PLAIN);
	field(p, "only ", str(r, "context"), PRESENT_PLAIN);
	if (dry_run)
		field(p, "would be: ", str(r, "decision"), PRESENT_PLAIN);
	if (desc)
		field(p, "says: ", msg, PRESENT_PLAIN);
	field(p, "run book: ", str(r, "runbook"), PRESENT_CYAN);
}

static bool in_group(json_t *r, const struct group *g)
{
	bool dry = str(r, "mode") && strcmp(str(r, "mode"), "dry-run") == 0;

	if (g->dry_run)
		return dry;
	return !dry && str(r, "decision") && strcmp(str(r, "decision"), g->decision) == 0;
}

static void context(const struct present *p, json_t *c)
{
	char user[256], host[300], cwd[LISTING_TEXT_MAX];

	fprintf(p->f, "Rules that apply to %s (uid %lld) on %s in %s, now:\n",
		present_clean(str(c, "user") ? str(c, "user") : "?", user, sizeof(user)),
		(long long)json_integer_value(json_object_get(c, "uid")),
		present_clean(str(c, "host") ? str(c, "host") : "?", host, sizeof(host)),
		present_clean(str(c, "cwd") ? str(c, "cwd") : "?", cwd, sizeof(cwd)));
}

void listing_print(const struct present *p, json_t *params)
{
	json_t *rules = json_object_get(params, "rules"), *r;
	size_t i, shown = 0;

	context(p, json_object_get(params, "context"));
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		bool heading = false;

		json_array_foreach(rules, i, r)
		{
			if (!in_group(r, &groups[g]))
				continue;
			if (!heading)
				fprintf(p->f, "\n%s%s:%s\n",
					present_on(p, groups[g].decision
							      ? present_verdict_style(
									groups[g].decision)
							      : PRESENT_DIM),
					groups[g].heading, present_off(p));
			heading = true;
			rule(p, r, groups[g].dry_run);
			shown++;
		}
	}
	if (!shown)
		fprintf(p->f, "\nNo rule applies here and now.\n");
	if (json_integer_value(json_object_get(params, "left_out")) > 0)
		fprintf(p->f,
			"\n(%lld more rules apply; they did not fit in one answer: see "
			"guardctl explain and the policy files)\n",
			(long long)json_integer_value(json_object_get(params, "left_out")));
	fprintf(p->f,
		"\nAnything else: %s (the policy's default). What guard cannot understand: %s.\n",
		str(params, "default") ? str(params, "default") : "?",
		str(params, "unknown") ? str(params, "unknown") : "?");
}

static const char *tty_name(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return ttyname(fd);
	return NULL;
}

static json_t *list_params(void)
{
	char *cwd = getcwd(NULL, 0);
	json_t *env = env_report(GUARD_MAX_MESSAGE - LISTING_ENV_RESERVE);
	json_t *p = cwd && env
			    ? json_pack("{s:s,s:s?,s:O}", "cwd", cwd, "tty", tty_name(), "env", env)
			    : NULL;

	json_decref(env);
	free(cwd);
	return p;
}

int listing_run(const char *socket, bool json)
{
	const char *path = call_socket_path(socket), *err;
	json_t *params = list_params(), *reply = NULL;
	int fd, r = params ? call_connect(path, LISTING_TIMEOUT_MS, &fd) : -ENOMEM;

	if (r == 0) {
		r = call_method(fd, GUARD_METHOD_LIST, params, &reply);
		close(fd);
	}
	json_decref(params);
	if (r < 0) {
		fprintf(stderr, "guard: cannot list the rules: guardd at %s: %s\n", path,
			call_strerror(r));
		return EXIT_UNDECIDED;
	}
	err = call_reply_error(reply);
	if (json) {
		json_dumpf(reply, stdout, JSON_COMPACT);
		putchar('\n');
	} else if (!err) {
		struct present p;

		present_init(&p, stdout, "");
		listing_print(&p, json_object_get(reply, "parameters"));
	}
	if (err)
		fprintf(stderr, "guard: cannot list the rules: guardd answered %s\n", err);
	json_decref(reply);
	return err ? EXIT_UNDECIDED : 0;
}
