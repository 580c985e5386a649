/* record-redact.c: secrets out of a record before it is written. The reply to the
 * client is not redacted (it goes back to whoever typed the secret); the record goes
 * to a file others read and to the fleet's log pipeline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "redact.h"

static int redact_argv_field(json_t *rec, const struct redact *r, bool *changed)
{
	json_t *a = json_object_get(rec, "argv");
	size_t n = json_array_size(a);
	if (n == 0)
		return 0;
	const char **v = calloc(n + 1, sizeof *v);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	char **out = NULL;
	bool hid = false;
	int ret = redact_argv(r, v, n, &out, &hid);
	free(v);
	if (ret < 0 || !hid) {
		redact_free_argv(out);
		return ret;
	}
	json_t *na = json_array();
	for (size_t i = 0; na && ret == 0 && i < n; i++)
		ret = json_array_append_new(na, json_string(out[i]));
	redact_free_argv(out);
	if (!na || ret < 0 || json_object_set_new(rec, "argv", na) < 0)
		return -ENOMEM;
	*changed = true;
	return 0;
}

/* A string field holding shell text: the line, and the part of it that decided. */
static int redact_text_field(json_t *rec, const char *key, const struct redact *r, bool *changed)
{
	const char *text = json_string_value(json_object_get(rec, key));
	if (!text)
		return 0;
	char *out = NULL;
	bool hid = false;
	int ret = redact_line(r, text, &out, &hid);
	if (ret == 0 && hid)
		ret = json_object_set_new(rec, key, json_string(out)) < 0 ? -ENOMEM : 0;
	*changed |= hid;
	free(out);
	return ret;
}

static int redact_env_field(json_t *rec, const struct redact *r, bool *changed)
{
	json_t *env = json_object_get(rec, "env");
	const char *name;
	json_t *value;
	json_object_foreach(env, name, value)
	{
		if (!json_is_string(value))
			continue;
		char *out = NULL;
		bool hid = false;
		int ret = redact_env(r, name, json_string_value(value), &out, &hid);
		if (ret == 0 && hid)
			ret = json_string_set(value, out) < 0 ? -ENOMEM : 0;
		free(out);
		if (ret < 0)
			return ret;
		*changed |= hid;
	}
	return 0;
}

int record_redact(json_t *rec, const struct redact *r)
{
	bool changed = false;
	int ret = redact_argv_field(rec, r, &changed);
	if (ret == 0)
		ret = redact_text_field(rec, "line", r, &changed);
	if (ret == 0)
		ret = redact_text_field(rec, "part", r, &changed);
	if (ret == 0)
		ret = redact_env_field(rec, r, &changed);
	if (ret == 0 && changed)
		ret = json_object_set_new(rec, "redacted", json_true()) < 0 ? -ENOMEM : 0;
	return ret;
}
