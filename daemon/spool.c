/* spool.c: taking in guard's break-glass spool (spool.h). Everything in the directory
 * comes from any user: files are opened without following links and without blocking,
 * checked on the open descriptor (a regular file, one link, bounded size), parsed
 * strictly, and what is refused is set aside, never deleted and never fatal. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "breakglass.h"
#include "fdio.h"
#include "guard/protocol.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "names.h"
#include "peer.h"
#include "record.h"
#include "request.h"
#include "spool-entry.h"

#define SPOOL_MAX_GROUPS 1024
#define INGESTING        ".ingesting"

/* One pass: the directory and the files of the batch being recorded. */
struct pass {
	struct manager *m;
	int dfd;
	char *tail; /* the log's end, read once when a ".ingesting" file is found */
	size_t tail_len;
	bool tail_read;
	char **done; /* ".ingesting" names whose records are queued */
	size_t n_done;
	int recorded;
};

/* A file name for the log: control characters as \xNN, cut to fit. */
static void quote_name(const char *name, char *buf, size_t size)
{
	size_t o = 0;
	for (const unsigned char *s = (const unsigned char *)name; *s && o + 5 < size; s++) {
		if (*s < 0x20 || *s == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *s);
		else
			buf[o++] = (char)*s;
	}
	buf[o] = '\0';
}

/* Who owns an entry, as the policy sees people: name, home, groups. */
/* The owner's primary group from the account database: the file's own group is the
 * spool's (it is set-group-id), not the user's. */
static gid_t primary_gid(uid_t uid, gid_t fallback)
{
	char buf[4096];
	struct passwd pw, *res = NULL;
	return getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res ? res->pw_gid : fallback;
}

static int owner_peer(struct manager *m, const struct stat *st, struct peer *ret)
{
	gid_t gid = primary_gid(st->st_uid, st->st_gid);
	*ret = (struct peer){.uid = st->st_uid, .gid = gid, .pid = 0};
	ret->user = names_user(m->names, st->st_uid, &ret->home);
	gid_t buf[SPOOL_MAX_GROUPS];
	int n = 1;
	buf[0] = gid;
	if (ret->user) {
		n = SPOOL_MAX_GROUPS;
		if (getgrouplist(ret->user, gid, buf, &n) < 0)
			n = SPOOL_MAX_GROUPS;
	}
	ret->groups = malloc((size_t)n * sizeof *ret->groups);
	ret->group_names = calloc((size_t)n, sizeof *ret->group_names);
	if (!ret->groups || !ret->group_names) {
		peer_clear(ret);
		return -ENOMEM;
	}
	memcpy(ret->groups, buf, (size_t)n * sizeof *buf);
	ret->n_groups = (size_t)n;
	for (size_t i = 0; i < ret->n_groups; i++)
		ret->group_names[i] = names_group(m->names, ret->groups[i]);
	return 0;
}

/* An entry that is refused: renamed to NAME.bad, logged and recorded. */
static void set_aside(struct pass *ps, const char *name, const struct stat *st, const char *why)
{
	char q[256], bad[NAME_MAX + 1], id[RECORD_ID_LEN + 1], ts[RECORD_TS_LEN + 1];
	size_t n = strlen(name);
	if (n > strlen(INGESTING) && strcmp(name + n - strlen(INGESTING), INGESTING) == 0)
		n -= strlen(INGESTING);
	quote_name(name, q, sizeof q);
	if (n + 4 > NAME_MAX || snprintf(bad, sizeof bad, "%.*s.bad", (int)n, name) < 0 ||
	    renameat(ps->dfd, name, ps->dfd, bad) < 0) {
		log_warning("spool %s: cannot set aside %s (%s): %s", ps->m->cfg.spool_dir, q, why,
			    strerror(errno));
		return;
	}
	log_warning("spool %s: entry %s refused (%s); moved to %.*s.bad", ps->m->cfg.spool_dir, q,
		    why, (int)n, q);
	record_timestamp(ts);
	char *user = st ? names_user(ps->m->names, st->st_uid, NULL) : NULL;
	json_t *rec = record_new_id(id) < 0
			      ? NULL
			      : json_pack("{s:s,s:s,s:s,s:s,s:o,s:s?,s:s,s:s}", "ts", ts, "id", id,
					  "type", "spool-refused", "host", ps->m->host, "uid",
					  st ? json_integer(st->st_uid) : json_null(), "user", user,
					  "file", q, "why", why);
	free(user);
	if (!rec || audit_submit(ps->m->audit, rec, NULL, NULL, NULL, LOG_LEVEL_WARNING) < 0)
		log_warning("spool %s: the refusal of %s is not recorded", ps->m->cfg.spool_dir, q);
}

/* Reads the entry at name (already ".ingesting"), checked on the open descriptor.
 * Returns 0, -EINVAL with why, or another negative errno. */
static int read_entry(struct pass *ps, const char *name, struct stat *st, char **ret, size_t *size,
		      const char **why)
{
	/* Nothing but a regular file is even opened: opening a device may do something. */
	if (fstatat(ps->dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		*why = "cannot be read";
		return -errno;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = S_ISLNK(st->st_mode) ? "a symbolic link" : "not a regular file";
		return -EINVAL;
	}
	int fd = openat(ps->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		*why = errno == ELOOP ? "a symbolic link" : "cannot be opened";
		return errno == ELOOP ? -EINVAL : -errno;
	}
	int r = fstat(fd, st) < 0 ? -errno : 0;
	*why = r < 0                           ? "cannot be read"
	       : !S_ISREG(st->st_mode)         ? "not a regular file"
	       : st->st_nlink != 1             ? "a hard link"
	       : st->st_size > SPOOL_ENTRY_MAX ? "larger than 256 KiB"
					       : NULL;
	char *buf = NULL;
	size_t n = 0;
	if (!r && !*why) {
		r = fdio_read_max(fd, (size_t)st->st_size, &buf, &n);
		if (r < 0 && r != -ENOMEM) {
			*why = r == -EFBIG ? "it grew while being read" : "cannot be read";
			r = -EINVAL;
		}
	}
	close(fd);
	if (r < 0 || *why)
		return r < 0 ? r : -EINVAL;
	*ret = buf;
	*size = n;
	return 0;
}

/* The record of a valid entry, or NULL with why. */
static json_t *entry_record(struct pass *ps, const struct spool_entry *e, const struct stat *st,
			    const char **why)
{
	struct manager *m = ps->m;
	struct call call = {.m = m, .params = e->request};
	struct request rq;
	struct peer owner;
	json_t *bad = NULL, *rec = NULL;
	if (request_parse(&call, 0, &rq, &bad) < 0) {
		*why = "its request is not valid";
		json_decref(bad);
		return NULL;
	}
	if (owner_peer(m, st, &owner) < 0) {
		request_done(&rq);
		return NULL;
	}
	owner.pid = e->pid > 0 ? (pid_t)e->pid : 0;
	struct policy_request pr;
	struct policy_decision d;
	char id[RECORD_ID_LEN + 1];
	request_context(&rq, &owner, m, &pr);
	/* Time conditions (a change freeze) are judged for when it ran. */
	if (e->when)
		pr.now = e->when;
	int r = record_new_id(id);
	if (r == 0)
		r = rq.line ? policy_evaluate_line(m->policy, &pr, rq.line, &d)
			    : policy_evaluate(m->policy, &pr, &d);
	struct breakglass b = {
		.id = id,
		.uid = st->st_uid,
		.gid = st->st_gid,
		.pid = owner.pid,
		.user = owner.user,
		.req = &rq,
		.reason = e->reason,
		.would = r == 0 ? &d : NULL,
		.forbidden = breakglass_forbidden(m, st->st_uid, owner.user),
		.spool_id = e->spool_id,
		.spooled_at = e->ts,
		.claimed_uid = e->uid >= 0 && e->uid != (long long)st->st_uid ? e->uid : -1,
	};
	if (r != -ENOMEM)
		rec = breakglass_record(m, &b);
	if (rec && b.forbidden)
		log_warning(
			"spool: uid %u broke glass while guardd was down, which is not allowed: "
			"%s",
			(unsigned)st->st_uid, b.forbidden);
	request_done(&rq);
	peer_clear(&owner);
	return rec;
}

/* Takes in one ".ingesting" file: its record is queued and the name kept for removal
 * once the batch is on disk. */
static void take_in(struct pass *ps, const char *name, const char *id)
{
	struct stat st;
	char *data = NULL, why_buf[160];
	size_t size = 0;
	const char *why = NULL;
	struct spool_entry e;
	st.st_nlink = 0;
	int r = read_entry(ps, name, &st, &data, &size, &why);
	if (r == -EINVAL) {
		set_aside(ps, name, st.st_nlink ? &st : NULL, why);
		return;
	}
	if (r < 0) {
		log_errno(r, "spool %s: cannot read %s; left for the next pass",
			  ps->m->cfg.spool_dir, name);
		return;
	}
	r = spool_entry_parse(data, size, &e, why_buf, sizeof why_buf);
	free(data);
	if (r == 0 && strcmp(e.spool_id, id) != 0) {
		spool_entry_done(&e);
		snprintf(why_buf, sizeof why_buf, "its spool_id is not its file name's");
		r = -EINVAL;
	}
	if (r < 0) {
		set_aside(ps, name, &st, r == -EINVAL ? why_buf : strerror(-r));
		return;
	}
	why = NULL;
	json_t *rec = entry_record(ps, &e, &st, &why);
	spool_entry_done(&e);
	if (!rec && why) {
		set_aside(ps, name, &st, why);
		return;
	}
	char *copy = strdup(name);
	char **done = realloc(ps->done, (ps->n_done + 1) * sizeof *done);
	if (done)
		ps->done = done;
	if (!rec || !copy || !done ||
	    audit_submit(ps->m->audit, rec, NULL, NULL, NULL, LOG_LEVEL_WARNING) < 0) {
		if (!copy || !done)
			json_decref(rec);
		free(copy);
		log_error("spool %s: out of memory; %s left for the next pass",
			  ps->m->cfg.spool_dir, name);
		return;
	}
	ps->done[ps->n_done++] = copy;
}

/* The records of the batch are on disk: their files go. */
static int finish_batch(struct pass *ps)
{
	audit_flush(ps->m->audit);
	int r = audit_failing(ps->m->audit);
	for (size_t i = 0; i < ps->n_done; i++) {
		if (r == 0 && unlinkat(ps->dfd, ps->done[i], 0) < 0)
			log_errno(-errno, "spool %s: recorded, but cannot remove %s",
				  ps->m->cfg.spool_dir, ps->done[i]);
		free(ps->done[i]);
	}
	if (r == 0)
		ps->recorded += (int)ps->n_done;
	ps->n_done = 0;
	if (r < 0)
		log_errno(r, "spool %s: the decision log cannot be written; entries wait",
			  ps->m->cfg.spool_dir);
	return r;
}

static void read_tail(struct pass *ps)
{
	ps->tail_read = true;
	int fd = open(audit_path(ps->m->audit), O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	off_t from = st.st_size > SPOOL_TAIL_MAX ? st.st_size - SPOOL_TAIL_MAX : 0;
	ps->tail = malloc((size_t)(st.st_size - from) + 1);
	ssize_t n = ps->tail ? pread(fd, ps->tail, (size_t)(st.st_size - from), from) : -1;
	close(fd);
	ps->tail_len = n > 0 ? (size_t)n : 0;
	if (ps->tail)
		ps->tail[ps->tail_len] = '\0';
}

/* Whether the log's end has the break-glass record of spool id, written for owner. */
static bool recorded(struct pass *ps, const char *id, uid_t owner)
{
	char needle[64];
	if (!ps->tail_read)
		read_tail(ps);
	snprintf(needle, sizeof needle, "\"spool_id\":\"%s\"", id);
	for (const char *s = ps->tail; s && (s = strstr(s, needle)); s += strlen(needle)) {
		const char *start = s, *end = strchr(s, '\n');
		while (start > ps->tail && start[-1] != '\n')
			start--;
		json_t *rec =
			json_loadb(start, end ? (size_t)(end - start) : strlen(start), 0, NULL);
		const char *type = json_string_value(json_object_get(rec, "type"));
		const char *sid = json_string_value(json_object_get(rec, "spool_id"));
		bool yes = type && sid && !strcmp(type, "break-glass") && !strcmp(sid, id) &&
			   json_integer_value(json_object_get(rec, "uid")) == (json_int_t)owner;
		json_decref(rec);
		if (yes)
			return true;
	}
	return false;
}

/* A ".ingesting" file left by a pass that stopped (a crash): recorded or not? */
static void recover(struct pass *ps, const char *name, const char *id)
{
	struct stat st;
	if (fstatat(ps->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    recorded(ps, id, st.st_uid)) {
		if (unlinkat(ps->dfd, name, 0) < 0)
			log_errno(-errno, "spool %s: cannot remove %s", ps->m->cfg.spool_dir, name);
		else
			log_info("spool %s: %s was recorded before a stop; removed",
				 ps->m->cfg.spool_dir, name);
		return;
	}
	take_in(ps, name, id);
}

static void one(struct pass *ps, const char *name)
{
	char id[SPOOL_ID_LEN + 1], ing[NAME_MAX + 1];
	bool ingesting;
	size_t n = strlen(name);
	if (name[0] == '.' || (n > 4 && strcmp(name + n - 4, ".bad") == 0))
		return; /* guard's temporary files, and what was set aside */
	if (!spool_entry_name(name, id, &ingesting)) {
		set_aside(ps, name, NULL, "not the name of a spool entry");
		return;
	}
	if (ingesting) {
		recover(ps, name, id);
		return;
	}
	snprintf(ing, sizeof ing, "%s" INGESTING, name);
	if (renameat(ps->dfd, name, ps->dfd, ing) < 0) {
		log_errno(-errno, "spool %s: cannot take %s", ps->m->cfg.spool_dir, name);
		return;
	}
	take_in(ps, ing, id);
}

/* The names to look at, read before anything is renamed (renaming while reading a
 * directory may show a name twice or not at all). */
static int list(int dfd, char ***ret, size_t *n)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	struct dirent *de;
	char **v = NULL;
	*n = 0;
	while (*n < SPOOL_PASS_MAX && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **w = realloc(v, (*n + 1) * sizeof *v);
		char *s = w ? strdup(de->d_name) : NULL;
		if (w)
			v = w;
		if (!s) {
			closedir(d);
			while (*n)
				free(v[--*n]);
			free(v);
			return -ENOMEM;
		}
		v[(*n)++] = s;
	}
	closedir(d);
	*ret = v;
	return 0;
}

/* Anyone may leave a file; the sticky bit keeps them from removing others', no read
 * bit from listing them, the set-group-id bit gives entries our group (spool-write.c). */
static void check_dir(const char *dir, int dfd)
{
	struct stat st;
	if (fstat(dfd, &st) == 0 && (!(st.st_mode & S_ISVTX) || (st.st_mode & S_IROTH)))
		log_warning("spool %s has mode %04o; 3733 (or 1733) keeps users from reading and "
			    "removing each other's entries",
			    dir, (unsigned)(st.st_mode & 07777));
}

int spool_ingest(struct manager *m)
{
	const char *dir = m->cfg.spool_dir;
	if (!dir)
		return 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		log_debug("no break-glass spool at %s", dir);
		return 0;
	}
	if (dfd < 0)
		return log_errno(-errno, "cannot open the break-glass spool %s", dir);
	check_dir(dir, dfd);
	struct pass ps = {.m = m, .dfd = dfd};
	char **names = NULL;
	size_t n = 0;
	int r = list(dfd, &names, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		one(&ps, names[i]);
		/* Records of a batch share one write and one sync. */
		if (ps.n_done >= 64 || i + 1 == n)
			r = finish_batch(&ps);
	}
	if (r == 0 && ps.n_done)
		r = finish_batch(&ps);
	for (size_t i = 0; i < ps.n_done; i++)
		free(ps.done[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(ps.done);
	free(ps.tail);
	close(dfd);
	if (r < 0)
		return r;
	if (ps.recorded)
		log_info("spool %s: %d break-glass entries recorded", dir, ps.recorded);
	if (n == SPOOL_PASS_MAX)
		log_warning("spool %s: more than %d entries; the rest wait for the next pass", dir,
			    SPOOL_PASS_MAX);
	return ps.recorded;
}
