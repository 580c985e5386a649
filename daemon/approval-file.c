/* approval-file.c: the approval requests' state file: saved whole and atomically on
 * every change, read strictly at start. A file that cannot be trusted is moved aside,
 * never deleted and never half used: a request in it may not be lost silently, nor
 * may a forged one be approved or used. */
#include "approval.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

#define APPROVAL_FILE_VERSION 1
#define APPROVAL_TMP          APPROVAL_FILE ".tmp"

static json_t *actor_json(const struct approval_actor *a, bool who)
{
	json_t *o = json_pack("{s:I}", "ts", (json_int_t)a->ts);
	if (o && who &&
	    json_object_update_new(o, json_pack("{s:I,s:s?,s:s?}", "uid", (json_int_t)a->uid,
						"user", a->user, "reason", a->reason)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *closed_json(const struct approval *a)
{
	if (a->end == APPROVAL_PENDING)
		return json_null();
	json_t *o = actor_json(&a->closer, a->end != APPROVAL_EXPIRED);
	if (o && a->end == APPROVAL_USED &&
	    json_object_set_new(o, "decision", json_string(a->used_by)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *approval_to_json(const struct approval *a)
{
	json_t *votes = json_array();
	for (size_t i = 0; votes && i < a->n_votes; i++)
		if (json_array_append_new(votes, actor_json(&a->votes[i], true)) < 0) {
			json_decref(votes);
			votes = NULL;
		}
	return json_pack(
		"{s:s,s:s,s:s,s:I,s:s?,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:O,s:o,s:o,s:o}", "id",
		a->id, "digest", a->digest, "decision", a->decision, "uid", (json_int_t)a->uid,
		"user", a->user, "host", a->host, "rule", a->rule, "group", a->group, "gid",
		(json_int_t)a->gid, "count", (json_int_t)a->count, "lifetime",
		(json_int_t)a->lifetime, "created", (json_int_t)a->created, "expires",
		(json_int_t)a->expires, "command", a->command, "approvals", votes, "end",
		a->end == APPROVAL_PENDING ? json_null() : json_string(approval_state_name(a->end)),
		"closed", closed_json(a));
}

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_hex(const char *s, size_t len)
{
	return s && strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

/* A name from the file: a string of 1..APPROVAL_MAX_NAME bytes without control
 * characters, or (when nullable) null. */
static int name(json_t *v, bool nullable, char **ret)
{
	*ret = NULL;
	if (nullable && json_is_null(v))
		return 0;
	const char *s = json_string_value(v);
	if (!s || !*s || strlen(s) > APPROVAL_MAX_NAME)
		return -EINVAL;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return -EINVAL;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int reason(json_t *v, char **ret)
{
	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > APPROVAL_MAX_REASON)
		return -EINVAL;
	*ret = strdup(json_string_value(v));
	return *ret ? 0 : -ENOMEM;
}

static bool id_ok(json_int_t v)
{
	return v >= 0 && v < (json_int_t)(uint32_t)-1;
}

/* {"uid","user","reason","ts"} (who: all of them) or {"ts"}; "decision" when used. */
static int actor_from(json_t *o, bool who, bool used, struct approval_actor *ret,
		      char used_by[APPROVAL_ID_LEN + 1], char *why, size_t size)
{
	json_t *user = NULL, *rsn = NULL;
	json_int_t uid = 0, ts = 0;
	const char *dec = NULL;
	json_error_t e;
	int r;
	if (!who)
		r = json_unpack_ex(o, &e, JSON_STRICT, "{s:I}", "ts", &ts);
	else if (!used)
		r = json_unpack_ex(o, &e, JSON_STRICT, "{s:I,s:o,s?o,s:I}", "uid", &uid, "user",
				   &user, "reason", &rsn, "ts", &ts);
	else
		r = json_unpack_ex(o, &e, JSON_STRICT, "{s:I,s:o,s?o,s:I,s:s}", "uid", &uid, "user",
				   &user, "reason", &rsn, "ts", &ts, "decision", &dec);
	if (r < 0)
		return bad(why, size, "%s", e.text);
	if (!id_ok(uid) || (used && !is_hex(dec, APPROVAL_ID_LEN)))
		return bad(why, size, "uid or decision out of range");
	*ret = (struct approval_actor){.uid = (uid_t)uid, .ts = ts};
	if (used)
		memcpy(used_by, dec, APPROVAL_ID_LEN + 1);
	if (who && ((r = name(user, true, &ret->user)) < 0 || (r = reason(rsn, &ret->reason)) < 0))
		return r == -ENOMEM ? r : bad(why, size, "a bad user name or reason");
	return 0;
}

static int end_from(json_t *v, enum approval_state *ret)
{
	const char *s = json_string_value(v);
	*ret = APPROVAL_PENDING;
	if (json_is_null(v))
		return 0;
	for (enum approval_state st = APPROVAL_REJECTED; s && st <= APPROVAL_USED; st++)
		if (strcmp(s, approval_state_name(st)) == 0) {
			*ret = st;
			return 0;
		}
	return -EINVAL;
}

struct fields {
	const char *id, *digest, *decision;
	json_int_t uid, gid, count, lifetime, created, expires;
	json_t *user, *host, *rule, *group, *command, *votes, *end, *closed;
};

static int unpack(json_t *o, struct fields *f, char *why, size_t size)
{
	json_error_t e;
	if (json_unpack_ex(o, &e, JSON_STRICT,
			   "{s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}",
			   "id", &f->id, "digest", &f->digest, "decision", &f->decision, "uid",
			   &f->uid, "user", &f->user, "host", &f->host, "rule", &f->rule, "group",
			   &f->group, "gid", &f->gid, "count", &f->count, "lifetime", &f->lifetime,
			   "created", &f->created, "expires", &f->expires, "command", &f->command,
			   "approvals", &f->votes, "end", &f->end, "closed", &f->closed) < 0)
		return bad(why, size, "%s", e.text);
	if (!is_hex(f->id, APPROVAL_ID_LEN) || !is_hex(f->digest, APPROVAL_DIGEST_LEN) ||
	    (*f->decision && !is_hex(f->decision, APPROVAL_ID_LEN)))
		return bad(why, size, "a bad id, digest or decision");
	if (!id_ok(f->uid) || !id_ok(f->gid) || f->count < 1 || f->count > APPROVAL_MAX_VOTES ||
	    f->lifetime < 1 || f->lifetime > INT32_MAX || f->created < 0 || f->expires < 0)
		return bad(why, size, "a number out of range");
	if (!json_is_object(f->command) || !json_is_array(f->votes) ||
	    json_array_size(f->votes) > (size_t)f->count)
		return bad(why, size, "a bad command or list of approvals");
	return 0;
}

static int votes_from(struct approval *a, json_t *votes, char *why, size_t size)
{
	size_t i;
	json_t *v;
	json_array_foreach(votes, i, v)
	{
		int r = actor_from(v, true, false, &a->votes[i], NULL, why, size);
		a->n_votes = i + (r == 0);
		if (r < 0)
			return r;
		if (a->votes[i].uid == a->uid)
			return bad(why, size, "an approval by the requester");
		for (size_t k = 0; k < i; k++)
			if (a->votes[k].uid == a->votes[i].uid)
				return bad(why, size, "two approvals by uid %u",
					   (unsigned)a->votes[i].uid);
	}
	return 0;
}

static int fill(struct approval *a, const struct fields *f, char *why, size_t size)
{
	memcpy(a->id, f->id, sizeof a->id);
	memcpy(a->digest, f->digest, sizeof a->digest);
	snprintf(a->decision, sizeof a->decision, "%s", f->decision);
	a->uid = (uid_t)f->uid;
	a->gid = (gid_t)f->gid;
	a->count = (unsigned)f->count;
	a->lifetime = (unsigned)f->lifetime;
	a->created = f->created;
	a->expires = f->expires;
	int r;
	if ((r = name(f->user, true, &a->user)) < 0 || (r = name(f->host, false, &a->host)) < 0 ||
	    (r = name(f->rule, false, &a->rule)) < 0 || (r = name(f->group, false, &a->group)) < 0)
		return r == -ENOMEM ? r : bad(why, size, "a bad user, host, rule or group name");
	a->command = json_incref(f->command);
	char *text = json_dumps(a->command, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	a->bytes = strlen(text);
	free(text);
	if (a->bytes > APPROVAL_MAX_COMMAND)
		return bad(why, size, "the command is larger than %d bytes", APPROVAL_MAX_COMMAND);
	r = votes_from(a, f->votes, why, size);
	if (r < 0)
		return r;
	if (end_from(f->end, &a->end) < 0)
		return bad(why, size,
			   "\"end\": expected null, \"rejected\", \"expired\" or \"used\"");
	if ((a->end == APPROVAL_PENDING) != json_is_null(f->closed))
		return bad(why, size, "\"closed\" must be given exactly when \"end\" is");
	if (a->end == APPROVAL_USED && a->n_votes < a->count)
		return bad(why, size, "used without enough approvals");
	if (a->end == APPROVAL_PENDING)
		return 0;
	return actor_from(f->closed, a->end != APPROVAL_EXPIRED, a->end == APPROVAL_USED,
			  &a->closer, a->used_by, why, size);
}

int approval_from_json(json_t *o, struct approval **ret, char *why, size_t size)
{
	struct fields f = {0};
	int r = unpack(o, &f, why, size);
	if (r < 0)
		return r;
	struct approval *a = calloc(1, sizeof *a);
	if (!a)
		return -ENOMEM;
	r = fill(a, &f, why, size);
	if (r < 0) {
		approval_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

static char *dump(const struct approval_store *s)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < approval_count(s); i++)
		if (json_array_append_new(list, approval_to_json(approval_at(s, i))) < 0) {
			json_decref(list);
			list = NULL;
		}
	json_t *doc =
		list ? json_pack("{s:i,s:o}", "version", APPROVAL_FILE_VERSION, "requests", list)
		     : NULL;
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return text;
}

/* The temporary file written, synced and renamed over the state file, and the rename
 * itself synced: after a crash there is the old file or the new one, whole. */
static int replace(int dir, const char *text)
{
	int fd = openat(dir, APPROVAL_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			0600);
	if (fd < 0)
		return -errno;
	/* A temporary file left by a crash keeps its mode through O_TRUNC. */
	int r = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (r == 0)
		r = fdio_write_all(fd, text, strlen(text));
	if (r == 0)
		r = fdio_write_all(fd, "\n", 1);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dir, APPROVAL_TMP, dir, APPROVAL_FILE) < 0)
		r = -errno;
	if (r == 0 && fsync(dir) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dir, APPROVAL_TMP, 0);
	return r;
}

/* The directory (made if missing and create): ours or root's, and nobody else's to
 * write. */
static int open_dir(const char *path, bool create, char *why, size_t size)
{
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST) {
		int r = -errno;
		snprintf(why, size, "cannot make the state directory %s: %s", path, strerror(-r));
		return r;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 && errno == ENOENT && !create)
		return -ENOENT;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int r = -errno;
		snprintf(why, size, "cannot open the state directory %s: %s", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, size,
			 "the state directory %s is owned by uid %u with mode %04o: it must "
			 "belong to root or uid %u and not be writable by group or others",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			 (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	return fd;
}

static const char *store_dir(const struct approval_store *s, char *buf, size_t size)
{
	const char *path = approval_store_path(s);
	size_t n = strlen(path) - strlen("/" APPROVAL_FILE);
	snprintf(buf, size, "%.*s", (int)n, path);
	return buf;
}

int approval_save(struct approval_store *s)
{
	char dir_path[4096], why[512];
	char *text = dump(s);
	if (!text)
		return -ENOMEM;
	int dir = open_dir(store_dir(s, dir_path, sizeof dir_path), true, why, sizeof why);
	int r = dir < 0 ? dir : replace(dir, text);
	if (dir >= 0)
		close(dir);
	free(text);
	return r;
}

/* Reads the opened file; returns 0 and the text, -EINVAL (why says what is wrong), or
 * another negative errno. */
static int read_text(int fd, char **ret, size_t *ret_n, char *why, size_t size)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return bad(why, size, "not a regular file");
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return bad(why, size, "owned by uid %u, not by root or uid %u", (unsigned)st.st_uid,
			   (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return bad(why, size, "writable by group or others (mode %04o)",
			   (unsigned)(st.st_mode & 07777));
	if (st.st_size > APPROVAL_FILE_MAX)
		return bad(why, size, "larger than %d bytes", APPROVAL_FILE_MAX);
	int r = fdio_read_max(fd, (size_t)st.st_size, ret, ret_n);
	return r == -EFBIG ? bad(why, size, "it grew while being read") : r;
}

static int parse(struct approval_store *s, const char *text, size_t n, char *why, size_t size)
{
	json_error_t e;
	json_t *doc = json_loadb(text, n, JSON_REJECT_DUPLICATES, &e), *list = NULL;
	json_int_t version = 0;
	if (!doc)
		return bad(why, size, "%d:%d: %s", e.line, e.column, e.text);
	int r = json_unpack_ex(doc, &e, JSON_STRICT, "{s:I,s:o}", "version", &version, "requests",
			       &list);
	if (r < 0 || version != APPROVAL_FILE_VERSION || !json_is_array(list))
		r = r < 0 ? bad(why, size, "%s", e.text)
			  : bad(why, size, "expected version %d and a list of requests",
				APPROVAL_FILE_VERSION);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		struct approval *a = NULL;
		char what[512];
		if (r < 0)
			break;
		r = approval_from_json(v, &a, what, sizeof what);
		if (r == 0 && (r = approval_store_add(s, a)) < 0) {
			approval_free(a);
			snprintf(what, sizeof what, "%s",
				 r == -EEXIST ? "the id appears twice" : "too many requests");
			r = -EINVAL;
		}
		if (r == -EINVAL)
			snprintf(why, size, "requests[%zu]: %s", i, what);
	}
	json_decref(doc);
	return r;
}

/* Moves the broken file aside under a name that says when. */
static int move_aside(int dir, const struct approval_store *s, char **ret)
{
	char stamp[32], *to;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	if (asprintf(&to, "%s.broken-%s", approval_store_path(s), stamp) < 0)
		return -ENOMEM;
	const char *base = strrchr(to, '/') + 1;
	if (renameat(dir, APPROVAL_FILE, dir, base) < 0 || fsync(dir) < 0) {
		int r = -errno;
		free(to);
		return r;
	}
	*ret = to;
	return 0;
}

int approval_load(struct approval_store *s, char **ret_moved, char *why, size_t size)
{
	char dir_path[4096], what[768] = "";
	*ret_moved = NULL;
	/* A directory that is not there yet holds no requests: it is made by the first
	 * save, so that a daemon that never sees an approve rule never needs it. */
	int dir = open_dir(store_dir(s, dir_path, sizeof dir_path), false, why, size);
	if (dir == -ENOENT)
		return 0;
	if (dir < 0)
		return dir;
	int fd = openat(dir, APPROVAL_FILE,
			O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	char *text = NULL;
	size_t n = 0;
	int r = fd < 0 ? -errno : read_text(fd, &text, &n, what, sizeof what);
	if (fd >= 0)
		close(fd);
	if (r == -ENOENT) {
		close(dir);
		return 0;
	}
	if (r == -ELOOP)
		r = bad(what, sizeof what, "a symbolic link");
	if (r == 0)
		r = parse(s, text, n, what, sizeof what);
	free(text);
	if (r == -ENOMEM)
		approval_store_clear(s);
	if (r == -EINVAL) {
		approval_store_clear(s);
		r = move_aside(dir, s, ret_moved);
		if (r == 0)
			snprintf(why, size, "%s", what);
		else
			snprintf(why, size, "%s: %s, and it cannot be moved aside: %s",
				 approval_store_path(s), what, strerror(-r));
	} else if (r < 0) {
		snprintf(why, size, "cannot read %s: %s", approval_store_path(s), strerror(-r));
	}
	close(dir);
	return r;
}
