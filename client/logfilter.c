/* logfilter.c: guardctl log's filters, raw-line prefilter and exact test. The
 * prefilter's needles are the filter's values as guardd's JSON encoder writes them,
 * so a line without them cannot hold a matching member; the exact test then checks
 * that the member is the right one (a "rule" inside dry_run is not the record's). */
#include "logfilter.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const logfilter_decision_names[] = {"allow",  "deny",    "confirm",
						"reason", "approve", NULL};
static const char *const type_names[] = {"decision",      "completion", "recovery", "break-glass",
					 "spool-refused", "approval",   NULL};

void logfilter_init(struct logfilter *f)
{
	*f = (struct logfilter){.check = -1};
}

/* Sets the bits of the names in a comma-separated list. */
static int add_names(const char *const *names, const char *list, unsigned *bits)
{
	const char *p = list;
	unsigned add = 0;
	do {
		size_t n = strcspn(p, ",");
		unsigned i = 0;
		while (names[i] && (strlen(names[i]) != n || strncmp(names[i], p, n) != 0))
			i++;
		if (!names[i])
			return -EINVAL;
		add |= 1u << i;
		p += n;
	} while (*p++ == ',');
	*bits |= add;
	return 0;
}

int logfilter_add_decisions(struct logfilter *f, const char *list)
{
	return add_names(logfilter_decision_names, list, &f->decisions);
}

int logfilter_add_types(struct logfilter *f, const char *list)
{
	return add_names(type_names, list, &f->types);
}

/* Adds key + value's encoding as guardd's encoder writes it; when key is "", the
 * encoding alone; when NULL, the encoding without its quotes. */
static int add_needle(struct logfilter_needle *set, size_t *n, size_t max, const char *key,
		      const char *value)
{
	if (*n >= max)
		return -ENOMEM;
	json_t *s = json_string(value);
	if (!s)
		return -EINVAL; /* not valid UTF-8: no record can hold it */
	char *e = json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT), *text = NULL;
	json_decref(s);
	if (!e)
		return -ENOMEM;
	int r = !key   ? asprintf(&text, "%.*s", (int)strlen(e) - 2, e + 1)
		: *key ? asprintf(&text, "\"%s\":%s", key, e)
		       : asprintf(&text, "%s", e);
	free(e);
	if (r < 0)
		return -ENOMEM;
	set[(*n)++] = (struct logfilter_needle){text, strlen(text), false};
	return 0;
}

static int add_text_needle(struct logfilter *f, const char *text, bool number)
{
	char *t = strdup(text);
	if (!t || f->n_all >= LOGFILTER_MAX_NEEDLES) {
		free(t);
		return -ENOMEM;
	}
	f->all[f->n_all++] = (struct logfilter_needle){t, strlen(t), number};
	/* t is kept in f->all; cppcheck does not follow it into the compound literal. */
	/* cppcheck-suppress memleak */
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int prepare_user(struct logfilter *f)
{
	f->user_is_uid = all_digits(f->user);
	if (!f->user_is_uid)
		return add_needle(f->all, &f->n_all, LOGFILTER_MAX_NEEDLES, "user", f->user);
	f->uid = strtoll(f->user, NULL, 10);
	char text[32];
	snprintf(text, sizeof text, "\"uid\":%lld", (long long)f->uid);
	return add_text_needle(f, text, true);
}

int logfilter_prepare(struct logfilter *f)
{
	int r = 0;
	const size_t max = LOGFILTER_MAX_NEEDLES;
	logfilter_done(f);
	if (f->has_since)
		logtime_format(f->since, f->since_ts);
	if (f->has_until)
		logtime_format(f->until, f->until_ts);
	if (f->rule)
		r = add_needle(f->all, &f->n_all, max, "rule", f->rule);
	if (r == 0 && f->id)
		r = add_needle(f->all, &f->n_all, max, "", f->id);
	if (r == 0 && f->host)
		r = add_needle(f->all, &f->n_all, max, "host", f->host);
	if (r == 0 && f->program)
		r = add_needle(f->all, &f->n_all, max, NULL, f->program);
	if (r == 0 && f->user)
		r = prepare_user(f);
	for (unsigned i = 0; r == 0 && type_names[i]; i++)
		if (f->types == 1u << i) /* one type: its needle; several: none */
			r = add_needle(f->all, &f->n_all, max, "type", type_names[i]);
	if (r == 0 && f->check == 1)
		r = add_text_needle(f, "\"check\":true", false);
	for (unsigned i = 0; r == 0 && logfilter_decision_names[i]; i++)
		if (f->decisions & 1u << i)
			r = add_needle(f->any, &f->n_any, sizeof f->any / sizeof f->any[0],
				       "decision", logfilter_decision_names[i]);
	if (r < 0)
		logfilter_done(f);
	return r;
}

void logfilter_done(struct logfilter *f)
{
	for (size_t i = 0; i < f->n_all; i++)
		free(f->all[i].text);
	for (size_t i = 0; i < f->n_any; i++)
		free(f->any[i].text);
	f->n_all = f->n_any = 0;
}

static bool has_needle(const struct logfilter_needle *nd, const char *line, size_t n)
{
	const char *p = line, *end = line + n;
	while ((p = memmem(p, (size_t)(end - p), nd->text, nd->n))) {
		p += nd->n;
		if (!nd->number || p == end || *p < '0' || *p > '9')
			return true;
	}
	return false;
}

/* The leading {"ts":"...", when the line starts with it in guardd's exact form. */
static const char *leading_ts(const char *line, size_t n)
{
	static const char head[] = "{\"ts\":\"";
	const size_t h = sizeof head - 1;
	if (n < h + LOGTIME_TS_LEN + 1 || memcmp(line, head, h) != 0 ||
	    line[h + LOGTIME_TS_LEN] != '"' || !logtime_is_canonical(line + h, LOGTIME_TS_LEN))
		return NULL;
	return line + h;
}

static bool ts_in_range(const struct logfilter *f, const char *ts)
{
	if (f->has_since && memcmp(ts, f->since_ts, LOGTIME_TS_LEN) < 0)
		return false;
	if (f->has_until && memcmp(ts, f->until_ts, LOGTIME_TS_LEN) >= 0)
		return false;
	return true;
}

bool logfilter_maybe(const struct logfilter *f, const char *line, size_t n)
{
	if (f->has_since || f->has_until) {
		const char *ts = leading_ts(line, n);
		if (ts && !ts_in_range(f, ts))
			return false;
	}
	for (size_t i = 0; i < f->n_all; i++)
		if (!has_needle(&f->all[i], line, n))
			return false;
	if (f->n_any == 0)
		return true;
	for (size_t i = 0; i < f->n_any; i++)
		if (has_needle(&f->any[i], line, n))
			return true;
	return false;
}

bool logfilter_in_time(const struct logfilter *f, struct logrec_span ts)
{
	if (!f->has_since && !f->has_until)
		return true;
	if (logrec_is_string(ts) && ts.n == LOGTIME_TS_LEN + 2 &&
	    logtime_is_canonical(ts.p + 1, LOGTIME_TS_LEN))
		return ts_in_range(f, ts.p + 1);
	char buf[64];
	int64_t t;
	int n = logrec_string(ts, buf, sizeof buf);
	if (n < 0 || (size_t)n >= sizeof buf || logtime_parse_ts(buf, (size_t)n, &t) < 0)
		return false;
	return (!f->has_since || t >= f->since) && (!f->has_until || t < f->until);
}

static bool one_of(struct logrec_span v, const char *const *names, unsigned bits)
{
	for (unsigned i = 0; names[i]; i++)
		if ((bits & 1u << i) && logrec_string_eq(v, names[i]))
			return true;
	return false;
}

/* The first word of a shell line, as a program name: up to a blank or an operator. */
static bool first_word_is(struct logrec_span line, const char *want, bool whole_path)
{
	char buf[4096];
	int n = logrec_string(line, buf, sizeof buf);
	if (n < 0)
		return false;
	char *w = buf + strspn(buf, " \t\n");
	w[strcspn(w, " \t\n;&|()<>")] = '\0';
	const char *base = strrchr(w, '/');
	return strcmp(whole_path || !base ? w : base + 1, want) == 0;
}

static bool name_is(struct logrec_span v, const char *want, bool whole_path)
{
	char buf[4096];
	int n = logrec_string(v, buf, sizeof buf);
	if (n < 0 || (size_t)n >= sizeof buf)
		return false;
	const char *base = strrchr(buf, '/');
	return strcmp(whole_path || !base ? buf : base + 1, want) == 0;
}

/* --program: the resolved program, else argv[0], else the first word of the part
 * of a shell line that decided (or of the line). */
static bool program_matches(const char *want, const struct logrec *r)
{
	bool path = strchr(want, '/') != NULL;
	if (name_is(r->f[LOGREC_PROGRAM], want, path))
		return true;
	size_t pos = 0;
	struct logrec_span argv0;
	if (logrec_array_next(r->f[LOGREC_ARGV], &pos, &argv0) == 1 && name_is(argv0, want, path))
		return true;
	struct logrec_span part = r->f[LOGREC_PART].p ? r->f[LOGREC_PART] : r->f[LOGREC_LINE];
	return first_word_is(part, want, path);
}

static bool user_matches(const struct logfilter *f, const struct logrec *r)
{
	if (!f->user_is_uid)
		return logrec_string_eq(r->f[LOGREC_USER], f->user);
	int64_t uid;
	return logrec_int(r->f[LOGREC_UID], &uid) == 0 && uid == f->uid;
}

bool logfilter_match(const struct logfilter *f, const struct logrec *r)
{
	if (!logfilter_in_time(f, r->f[LOGREC_TS]))
		return false;
	if (f->types && !one_of(r->f[LOGREC_TYPE], type_names, f->types))
		return false;
	if (f->decisions && !one_of(r->f[LOGREC_DECISION], logfilter_decision_names, f->decisions))
		return false;
	if (f->rule && !logrec_string_eq(r->f[LOGREC_RULE], f->rule))
		return false;
	if (f->host && !logrec_string_eq(r->f[LOGREC_HOST], f->host))
		return false;
	if (f->id && !logrec_string_eq(r->f[LOGREC_ID], f->id) &&
	    !logrec_string_eq(r->f[LOGREC_DECISION_ID], f->id))
		return false;
	if (f->check >= 0 && logrec_is_true(r->f[LOGREC_CHECK]) != (f->check == 1))
		return false;
	if (f->user && !user_matches(f, r))
		return false;
	if (f->program && !program_matches(f->program, r))
		return false;
	return true;
}
