/* approval.c: see approval.h. The store is a plain array in the order requests were
 * made: at most APPROVAL_MAX of them, looked up by a linear scan, which costs less
 * than the fsync that follows every change. */
#include "approval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"

struct approval_store {
	struct approval **v;
	size_t n;
	size_t bytes; /* sum of the commands' sizes */
	char *dir, *path;
};

static const char *const state_names[] = {
	[APPROVAL_PENDING] = "pending",   [APPROVAL_APPROVED] = "approved",
	[APPROVAL_REJECTED] = "rejected", [APPROVAL_EXPIRED] = "expired",
	[APPROVAL_USED] = "used",
};

const char *approval_state_name(enum approval_state s)
{
	return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

int approval_store_new(const char *dir, struct approval_store **ret)
{
	struct approval_store *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->v = calloc(APPROVAL_MAX, sizeof *s->v);
	s->dir = strdup(dir);
	size_t n = strlen(dir) + sizeof "/" APPROVAL_FILE;
	s->path = malloc(n);
	if (!s->v || !s->dir || !s->path) {
		approval_store_free(s);
		return -ENOMEM;
	}
	snprintf(s->path, n, "%s/%s", dir, APPROVAL_FILE);
	*ret = s;
	return 0;
}

static void actor_clear(struct approval_actor *a)
{
	free(a->user);
	free(a->reason);
	*a = (struct approval_actor){0};
}

void approval_free(struct approval *a)
{
	if (!a)
		return;
	free(a->user);
	free(a->host);
	free(a->rule);
	free(a->group);
	json_decref(a->command);
	for (size_t i = 0; i < a->n_votes; i++)
		actor_clear(&a->votes[i]);
	actor_clear(&a->closer);
	free(a);
}

void approval_store_free(struct approval_store *s)
{
	if (!s)
		return;
	approval_store_clear(s);
	free(s->v);
	free(s->dir);
	free(s->path);
	free(s);
}

void approval_store_clear(struct approval_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		approval_free(s->v[i]);
	s->n = 0;
	s->bytes = 0;
}

const char *approval_store_path(const struct approval_store *s)
{
	return s->path;
}

int approval_digest(json_t *command, uid_t uid, const char *host, char ret[APPROVAL_DIGEST_LEN + 1])
{
	json_t *o = json_pack("{s:O,s:s,s:I}", "command", command, "host", host, "uid",
			      (json_int_t)uid);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text)
		return -ENOMEM;
	int r = chain_hash(text, strlen(text), ret);
	free(text);
	return r;
}

enum approval_state approval_state(const struct approval *a, int64_t now)
{
	if (a->end != APPROVAL_PENDING)
		return a->end;
	if (now >= a->expires)
		return APPROVAL_EXPIRED;
	return a->n_votes >= a->count ? APPROVAL_APPROVED : APPROVAL_PENDING;
}

static bool is_open(const struct approval *a, int64_t now)
{
	enum approval_state st = approval_state(a, now);
	return st == APPROVAL_PENDING || st == APPROVAL_APPROVED;
}

struct approval *approval_find(const struct approval_store *s, const char *id)
{
	for (size_t i = 0; id && i < s->n; i++)
		if (strcmp(s->v[i]->id, id) == 0)
			return s->v[i];
	return NULL;
}

size_t approval_count(const struct approval_store *s)
{
	return s->n;
}

struct approval *approval_at(const struct approval_store *s, size_t i)
{
	return i < s->n ? s->v[i] : NULL;
}

size_t approval_open_by(const struct approval_store *s, uid_t uid, int64_t now)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i]->uid == uid && is_open(s->v[i], now);
	return n;
}

static void remove_at(struct approval_store *s, size_t i)
{
	s->bytes -= s->v[i]->bytes;
	approval_free(s->v[i]);
	memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof *s->v);
	s->n--;
}

/* The ended request that ended first, to forget when room is needed; SIZE_MAX if none.
 * Ended means recorded as ended: an open request past its deadline still awaits its
 * "expire" record. */
static size_t oldest_ended(const struct approval_store *s)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->end != APPROVAL_PENDING &&
		    (best == SIZE_MAX || s->v[i]->closer.ts < s->v[best]->closer.ts))
			best = i;
	return best;
}

static int make_room(struct approval_store *s, size_t bytes)
{
	while (s->n >= APPROVAL_MAX || s->bytes + bytes > APPROVAL_MAX_BYTES) {
		size_t i = oldest_ended(s);
		if (i == SIZE_MAX)
			return -ENOSPC;
		remove_at(s, i);
	}
	return 0;
}

int approval_store_add(struct approval_store *s, struct approval *a)
{
	if (approval_find(s, a->id))
		return -EEXIST;
	if (s->n >= APPROVAL_MAX || s->bytes + a->bytes > APPROVAL_MAX_BYTES)
		return -ENOSPC;
	s->v[s->n++] = a;
	s->bytes += a->bytes;
	return 0;
}

static bool is_hex(const char *s, size_t len)
{
	return s && strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

/* strdup that keeps NULL. */
static int dup_or_null(const char *s, char **ret)
{
	*ret = s ? strdup(s) : NULL;
	return s && !*ret ? -ENOMEM : 0;
}

static int command_size(json_t *command, size_t *ret)
{
	char *text = json_dumps(command, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	*ret = strlen(text);
	free(text);
	return 0;
}

static int fill(struct approval *a, const struct approval_new *n, int64_t now)
{
	memcpy(a->id, n->id, APPROVAL_ID_LEN + 1);
	memcpy(a->digest, n->digest, APPROVAL_DIGEST_LEN + 1);
	snprintf(a->decision, sizeof a->decision, "%s", n->decision ? n->decision : "");
	snprintf(a->create_record, sizeof a->create_record, "%s", n->record ? n->record : "");
	a->uid = n->uid;
	a->gid = n->gid;
	a->count = n->count;
	a->lifetime = n->lifetime;
	a->created = now;
	a->expires = now + n->lifetime;
	a->command = json_deep_copy(n->command);
	if (!a->command || dup_or_null(n->user, &a->user) < 0 ||
	    dup_or_null(n->host, &a->host) < 0 || dup_or_null(n->rule, &a->rule) < 0 ||
	    dup_or_null(n->group, &a->group) < 0)
		return -ENOMEM;
	return command_size(a->command, &a->bytes);
}

int approval_create(struct approval_store *s, const struct approval_new *n, int64_t now,
		    struct approval **ret)
{
	if (!is_hex(n->id, APPROVAL_ID_LEN) || !is_hex(n->digest, APPROVAL_DIGEST_LEN) ||
	    !n->host || !n->rule || !n->group || !json_is_object(n->command) || n->count < 1 ||
	    n->count > APPROVAL_MAX_VOTES || n->lifetime < 1)
		return -EINVAL;
	if (approval_find(s, n->id))
		return -EEXIST;
	if (approval_open_by(s, n->uid, now) >= APPROVAL_MAX_PER_UID)
		return -EUSERS;
	struct approval *a = calloc(1, sizeof *a);
	int r = a ? fill(a, n, now) : -ENOMEM;
	if (r == 0 && a->bytes > APPROVAL_MAX_COMMAND)
		r = -E2BIG;
	if (r == 0)
		r = make_room(s, a->bytes);
	if (r == 0)
		r = approval_store_add(s, a);
	if (r < 0) {
		approval_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

static bool in_group(const struct approval *a, const struct approval_who *who)
{
	for (size_t i = 0; i < who->n_groups; i++)
		if (who->groups[i] == a->gid)
			return true;
	return false;
}

int approval_may_act(const struct approval *a, const struct approval_who *who)
{
	if (who->uid == a->uid)
		return -EPERM;
	return who->uid == 0 || in_group(a, who) ? 0 : -EACCES;
}

bool approval_visible(const struct approval *a, const struct approval_who *who)
{
	return who->uid == a->uid || who->uid == 0 || in_group(a, who);
}

static int actor_set(struct approval_actor *act, const struct approval_who *who, const char *reason,
		     int64_t now, const char *record)
{
	*act = (struct approval_actor){.uid = who->uid, .ts = now};
	snprintf(act->record, sizeof act->record, "%s", record ? record : "");
	if (dup_or_null(who->user, &act->user) < 0 || dup_or_null(reason, &act->reason) < 0) {
		actor_clear(act);
		return -ENOMEM;
	}
	return 0;
}

/* Whether a may still change: 0, -ETIME or -EALREADY. */
static int still_open(const struct approval *a, int64_t now)
{
	enum approval_state st = approval_state(a, now);
	if (st == APPROVAL_EXPIRED)
		return -ETIME;
	return st == APPROVAL_PENDING || st == APPROVAL_APPROVED ? 0 : -EALREADY;
}

int approval_approve(struct approval_store *s, struct approval *a, const struct approval_who *who,
		     const char *reason, int64_t now, const char *record)
{
	int r = approval_may_act(a, who);
	if (r < 0)
		return r;
	r = still_open(a, now);
	if (r < 0)
		return r;
	if (a->n_votes >= a->count)
		return -EALREADY;
	for (size_t i = 0; i < a->n_votes; i++)
		if (a->votes[i].uid == who->uid)
			return -EEXIST;
	struct approval_actor *v = &a->votes[a->n_votes];
	r = actor_set(v, who, reason, now, record);
	if (r < 0)
		return r;
	v->prev_expires = a->expires;
	a->n_votes++;
	/* The approval lives as long from now as the request did from its making. */
	if (a->n_votes == a->count)
		a->expires = now + a->lifetime;
	return 0;
}

static int end(struct approval *a, enum approval_state how, const struct approval_who *who,
	       const char *reason, int64_t now, const char *record)
{
	struct approval_who none = {0};
	int r = actor_set(&a->closer, who ? who : &none, reason, now, record);
	if (r < 0)
		return r;
	a->end = how;
	snprintf(a->end_record, sizeof a->end_record, "%s", record ? record : "");
	return 0;
}

int approval_reject(struct approval_store *s, struct approval *a, const struct approval_who *who,
		    const char *reason, int64_t now, const char *record)
{
	/* The requester may withdraw: a no never needs a second person. */
	if (who->uid != a->uid && approval_may_act(a, who) < 0)
		return -EACCES;
	int r = still_open(a, now);
	return r < 0 ? r : end(a, APPROVAL_REJECTED, who, reason, now, record);
}

int approval_use(struct approval_store *s, struct approval *a, uid_t uid, const char *digest,
		 const char *rule, int64_t now, const char *decision, const char *record)
{
	if (uid != a->uid)
		return -EPERM;
	enum approval_state st = approval_state(a, now);
	if (st == APPROVAL_PENDING)
		return -EAGAIN;
	if (st == APPROVAL_EXPIRED)
		return -ETIME;
	if (st != APPROVAL_APPROVED)
		return -EALREADY;
	if (!digest || !rule || strcmp(digest, a->digest) != 0 || strcmp(rule, a->rule) != 0)
		return -ENOMSG;
	struct approval_who who = {.uid = uid, .user = a->user};
	int r = end(a, APPROVAL_USED, &who, NULL, now, record);
	if (r == 0)
		snprintf(a->used_by, sizeof a->used_by, "%s", decision ? decision : "");
	return r;
}

struct approval *approval_next_due(const struct approval_store *s, int64_t now)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->end == APPROVAL_PENDING && now >= s->v[i]->expires)
			return s->v[i];
	return NULL;
}

int approval_expire(struct approval_store *s, struct approval *a, int64_t now, const char *record)
{
	if (a->end != APPROVAL_PENDING || now < a->expires)
		return -EINVAL;
	/* Ended when noticed (and recorded), so that it is kept APPROVAL_KEEP_SEC from
	 * then, for the guard that waits on it, even after a daemon that was down. */
	return end(a, APPROVAL_EXPIRED, NULL, NULL, now, record);
}

size_t approval_prune(struct approval_store *s, int64_t now)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n;) {
		const struct approval *a = s->v[i];
		if (a->end != APPROVAL_PENDING && now - a->closer.ts >= APPROVAL_KEEP_SEC) {
			remove_at(s, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

int64_t approval_next_deadline(const struct approval_store *s)
{
	int64_t t = INT64_MAX;
	for (size_t i = 0; i < s->n; i++) {
		const struct approval *a = s->v[i];
		int64_t due =
			a->end == APPROVAL_PENDING ? a->expires : a->closer.ts + APPROVAL_KEEP_SEC;
		if (due < t)
			t = due;
	}
	return t;
}

static bool undo_vote(struct approval *a, const char *record)
{
	for (size_t i = 0; i < a->n_votes; i++) {
		if (strcmp(a->votes[i].record, record) != 0)
			continue;
		bool was_complete = a->n_votes >= a->count;
		int64_t before = was_complete ? a->votes[a->count - 1].prev_expires : a->expires;
		actor_clear(&a->votes[i]);
		memmove(a->votes + i, a->votes + i + 1, (a->n_votes - i - 1) * sizeof *a->votes);
		a->n_votes--;
		a->votes[a->n_votes] = (struct approval_actor){0};
		if (was_complete && a->n_votes < a->count)
			a->expires = before;
		return true;
	}
	return false;
}

bool approval_undo(struct approval_store *s, const char *record)
{
	if (!record || !*record)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		struct approval *a = s->v[i];
		if (strcmp(a->create_record, record) == 0) {
			remove_at(s, i);
			return true;
		}
		if (a->end != APPROVAL_PENDING && strcmp(a->end_record, record) == 0) {
			actor_clear(&a->closer);
			a->end = APPROVAL_PENDING;
			a->end_record[0] = a->used_by[0] = '\0';
			return true;
		}
		if (undo_vote(a, record))
			return true;
	}
	return false;
}
