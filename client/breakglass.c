/* breakglass.c: see breakglass.h. The emergency is not held up by guard: guardd gets a
 * short time to answer, and when it does not, the spool and syslog take the record.
 * What is never done is run unrecorded: with no guardd and no spool, nothing runs (the
 * person can still run the command without guard; guard only refuses to hide it). */
#include "breakglass.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "call.h"
#include "exit.h"
#include "guard/protocol.h"
#include "present.h"
#include "spool-write.h"

/* Long enough for guardd's fsync on a slow disk; an emergency waits no longer. */
#define BREAKGLASS_TIMEOUT_MS 10000
#define BREAKGLASS_TEXT_MAX   1024

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The reply, or NULL with why guardd cannot take the record. */
static json_t *ask(const struct breakglass_options *o, json_t *params, char *why, size_t size)
{
	const char *path = call_socket_path(o->socket);
	json_t *reply = NULL;
	int fd, r = call_connect(path, BREAKGLASS_TIMEOUT_MS, &fd);

	if (r == 0) {
		r = call_method(fd, GUARD_METHOD_BREAK_GLASS, params, &reply);
		close(fd);
	}
	if (r < 0)
		snprintf(why, size, "guardd at %s cannot be reached: %s", path, call_strerror(r));
	return reply;
}

static void say_would(const struct present *pr, json_t *would)
{
	const char *d = str(would, "decision"), *rule = str(would, "rule");
	char msg[1200];

	if (!d)
		return;
	present_line(pr, "without break-glass: %s%s%s%s%s", d, rule ? " by rule " : "",
		     rule ? rule : "", str(would, "message") ? ": " : "",
		     str(would, "message") ? present_clean(str(would, "message"), msg, sizeof(msg))
					   : "");
}

/* 0 (run), or an exit code; NULL *why means guardd recorded it or refused it. */
static int online(const struct breakglass_options *o, const struct present *pr, json_t *params,
		  char **ret_id, char *why, size_t size)
{
	json_t *reply = ask(o, params, why, size);
	const char *err = reply ? call_reply_error(reply) : NULL;
	json_t *p = json_object_get(reply, "parameters");
	char msg[1200];
	int code = 0;

	if (!reply)
		return -1;
	if (err && strcmp(err, GUARD_ERROR_BREAK_GLASS_FORBIDDEN) == 0) {
		if (o->json) {
			json_dumpf(reply, stdout, JSON_COMPACT);
			putchar('\n');
		}
		present_warning(pr, "break-glass refused: %s; nothing was run",
				present_clean(str(p, "message") ? str(p, "message") : "forbidden",
					      msg, sizeof(msg)));
		code = EXIT_DENIED;
	} else if (err || !str(p, "id")) {
		/* It did not record it: the spool will. */
		snprintf(why, size, "guardd answered %s: %s", err ? err : "without an id",
			 present_clean(str(p, "message") ? str(p, "message") : "", msg,
				       sizeof(msg)));
		code = -1;
	} else {
		*ret_id = strdup(str(p, "id"));
		present_line(pr, "recorded by guardd as %s", str(p, "id"));
		say_would(pr, json_object_get(p, "would"));
	}
	json_decref(reply);
	return code;
}

static void to_syslog(const struct breakglass_options *o, json_t *params, const char *id)
{
	char what[BREAKGLASS_TEXT_MAX], reason[BREAKGLASS_TEXT_MAX], cwd[BREAKGLASS_TEXT_MAX];
	struct passwd *pw = getpwuid(getuid());

	openlog("guard", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_WARNING,
	       "break-glass by %s (uid %u) in %s: %s; reason: %s; guardd unreachable, spooled as "
	       "%s",
	       pw ? pw->pw_name : "?", (unsigned)getuid(),
	       present_clean(str(params, "cwd") ? str(params, "cwd") : "?", cwd, sizeof(cwd)),
	       present_clean(o->what, what, sizeof(what)),
	       present_clean(o->reason, reason, sizeof(reason)), id);
	closelog();
}

static int offline(const struct breakglass_options *o, const struct present *pr, json_t *params,
		   const char *why)
{
	const char *dir = spool_write_dir(o->spool_dir);
	char id[SPOOL_WRITE_ID_LEN + 1];
	json_t *request = json_deep_copy(params);
	json_t *entry = NULL;
	int r = -ENOMEM;

	if (request && json_object_del(request, "reason") == 0)
		entry = spool_write_entry(request, o->reason, id);
	json_decref(request);
	if (entry)
		r = spool_write(dir, entry);
	json_decref(entry);
	if (r == -ENOENT) {
		present_warning(pr,
				"%s, and break-glass without guardd is not enabled here (no spool "
				"directory %s); nothing was run",
				why, dir);
		return EXIT_UNDECIDED;
	}
	if (r < 0) {
		present_warning(pr,
				"%s, and the break-glass cannot be recorded in %s: %s; nothing "
				"was run",
				why, dir, strerror(-r));
		return EXIT_UNDECIDED;
	}
	to_syslog(o, params, id);
	present_line(pr,
		     "%s: recorded in %s as %s and sent to syslog; guardd takes it in when "
		     "it starts",
		     why, dir, id);
	return 0;
}

int breakglass_begin(const struct breakglass_options *o, json_t *params, char **ret_id)
{
	struct present pr;
	char why[512] = "", reason[BREAKGLASS_TEXT_MAX], what[BREAKGLASS_TEXT_MAX];

	*ret_id = NULL;
	present_init(&pr, stderr, "guard: ");
	json_object_del(params, "check");
	json_object_del(params, "confirm");
	if (json_object_set_new(params, "reason", json_string(o->reason)) < 0) {
		fprintf(stderr, "guard: cannot encode the reason (not valid UTF-8); nothing was "
				"run\n");
		return EXIT_USAGE;
	}
	present_warning(&pr,
			"BREAK-GLASS: emergency override; the policy is not asked and this "
			"runs as it is: %s",
			present_clean(o->what, what, sizeof(what)));
	present_warning(&pr, "this is recorded, with your user name and reason, for review: %s",
			present_clean(o->reason, reason, sizeof(reason)));
	int code = online(o, &pr, params, ret_id, why, sizeof(why));
	return code >= 0 ? code : offline(o, &pr, params, why);
}

const char *breakglass_reason_problem(const char *reason)
{
	size_t n = strlen(reason);

	if (n == 0)
		return "--break-glass needs a reason (an incident or ticket, and why)";
	if (n > BREAKGLASS_TEXT_MAX)
		return "the break-glass reason is longer than 1024 bytes";
	for (const char *s = reason; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "the break-glass reason has control characters";
	return NULL;
}
