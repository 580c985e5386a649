/* spool-entry.c: parsing a break-glass spool entry (spool-entry.h). Strict, like every
 * input of guardd: unknown keys, wrong types and out-of-range values refuse the entry,
 * which the spool then sets aside. */
#include "spool-entry.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "breakglass.h"

static bool is_hex_id(const char *s, size_t n)
{
	return n == SPOOL_ID_LEN && strspn(s, "0123456789abcdef") >= SPOOL_ID_LEN;
}

bool spool_entry_name(const char *name, char ret_id[SPOOL_ID_LEN + 1], bool *ret_ingesting)
{
	static const char entry[] = ".json", ingesting[] = ".json.ingesting";
	const char *rest = name + SPOOL_ID_LEN;

	if (strlen(name) < SPOOL_ID_LEN || !is_hex_id(name, SPOOL_ID_LEN))
		return false;
	if (strcmp(rest, entry) == 0)
		*ret_ingesting = false;
	else if (strcmp(rest, ingesting) == 0)
		*ret_ingesting = true;
	else
		return false;
	memcpy(ret_id, name, SPOOL_ID_LEN);
	ret_id[SPOOL_ID_LEN] = '\0';
	return true;
}

int spool_entry_time(const char *s, time_t *ret)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);

	if (!end || strlen(s) != 20 + (end[0] == '.' ? 7 : 0))
		return -EINVAL;
	if (end[0] == '.') {
		if (strspn(end + 1, "0123456789") != 6)
			return -EINVAL;
		end += 7;
	}
	if (strcmp(end, "Z") != 0)
		return -EINVAL;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

/* An optional whole number in [0, max]; -1 when absent or null. */
static int get_number(json_t *v, long long max, long long *ret)
{
	*ret = -1;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return -EINVAL;
	*ret = json_integer_value(v);
	return 0;
}

static const char *check_keys(json_t *doc)
{
	static const char *const keys[] = {"version", "spool_id", "ts",     "pid",
					   "uid",     "user",     "reason", "request"};
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v)
	{
		size_t i = 0;

		while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[i]) != 0)
			i++;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return key;
	}
	return NULL;
}

/* Fills e from doc; NULL, or why not. */
static const char *fill(json_t *doc, struct spool_entry *e, char *buf, size_t size)
{
	json_t *id = json_object_get(doc, "spool_id"), *ts = json_object_get(doc, "ts");
	json_t *user = json_object_get(doc, "user");
	const char *bad = check_keys(doc), *problem;

	if (bad) {
		snprintf(buf, size, "unknown key \"%.64s\"", bad);
		return buf;
	}
	if (json_integer_value(json_object_get(doc, "version")) != SPOOL_ENTRY_VERSION ||
	    !json_is_integer(json_object_get(doc, "version")))
		return "\"version\" must be 1";
	if (!json_is_string(id) || !is_hex_id(json_string_value(id), json_string_length(id)))
		return "\"spool_id\" must be 32 lowercase hex digits";
	snprintf(e->spool_id, sizeof(e->spool_id), "%s", json_string_value(id));
	if (ts && !json_is_null(ts) &&
	    (!json_is_string(ts) || spool_entry_time(json_string_value(ts), &e->when) < 0))
		return "\"ts\" must be a time like 2026-11-25T08:46:03.123456Z";
	e->ts = json_string_value(ts);
	if (get_number(json_object_get(doc, "pid"), INT32_MAX, &e->pid) < 0)
		return "\"pid\" must be a process id";
	if (get_number(json_object_get(doc, "uid"), UINT32_MAX - 1, &e->uid) < 0)
		return "\"uid\" must be a uid";
	if (user && !json_is_null(user) &&
	    (!json_is_string(user) || json_string_length(user) > 256))
		return "\"user\" must be a user name";
	e->reason = json_string_value(json_object_get(doc, "reason"));
	problem = breakglass_reason_problem(e->reason);
	if (problem)
		return problem;
	e->request = json_object_get(doc, "request");
	if (!json_is_object(e->request))
		return "\"request\" must be an object (Check's parameters)";
	return NULL;
}

int spool_entry_parse(const char *data, size_t size, struct spool_entry *ret, char *why,
		      size_t why_size)
{
	struct spool_entry e = {.pid = -1, .uid = -1};
	json_error_t je;
	const char *problem;

	if (size > SPOOL_ENTRY_MAX) {
		snprintf(why, why_size, "larger than %d bytes", SPOOL_ENTRY_MAX);
		return -EINVAL;
	}
	e.doc = json_loadb(data, size, JSON_REJECT_DUPLICATES, &je);
	if (!e.doc) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return -ENOMEM;
		snprintf(why, why_size, "not JSON (line %d, column %d)", je.line, je.column);
		return -EINVAL;
	}
	problem = json_is_object(e.doc) ? fill(e.doc, &e, why, why_size) : "not a JSON object";
	if (problem) {
		if (problem != why)
			snprintf(why, why_size, "%s", problem);
		json_decref(e.doc);
		return -EINVAL;
	}
	*ret = e;
	return 0;
}

void spool_entry_done(struct spool_entry *e)
{
	json_decref(e->doc);
	*e = (struct spool_entry){0};
}
