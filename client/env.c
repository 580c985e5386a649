/* env.c: see env.h. The daemon keeps only the variables its policy refers to;
 * the full environment is never written down. */
#include "env.h"

#include <string.h>
#include <unistd.h>

#define ENV_MAX_VALUE 4096
#define ENV_MAX_NAME  256

extern char **environ;

static size_t name_len(const char *entry)
{
	size_t n = strspn(entry, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (n == 0 || n > ENV_MAX_NAME || entry[n] != '=' || (entry[0] >= '0' && entry[0] <= '9'))
		return 0;
	return n;
}

json_t *env_json(char *const *entries, size_t n_entries, size_t budget)
{
	json_t *o = json_object();
	for (char *const *e = entries;
	     o && e < entries + n_entries && json_object_size(o) < ENV_MAX_COUNT; e++) {
		size_t n = name_len(*e);
		const char *value = *e + n + 1;
		size_t cost = strlen(*e) + 8; /* quotes, colon, comma, some escaping */
		if (n == 0 || strlen(value) > ENV_MAX_VALUE || cost > budget)
			continue;
		char name[ENV_MAX_NAME + 1];
		memcpy(name, *e, n);
		name[n] = '\0';
		if (json_object_get(o, name))
			continue;
		json_t *v = json_string(value);
		if (!v)
			continue;
		if (json_object_set_new(o, name, v) < 0) {
			json_decref(o);
			return NULL;
		}
		budget -= cost;
	}
	return o;
}

json_t *env_report(size_t budget)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	return env_json(environ, n, budget);
}
