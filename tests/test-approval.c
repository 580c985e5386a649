/* test-approval.c: the store of approval requests: the digest binds the exact request,
 * limits per uid and in all, who may approve, reject and use, expiry, undo of a step
 * whose record was lost, and the state file: a round trip, its mode, and files that
 * cannot be trusted, which are moved aside whole. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approval.h"

#define T0      1000000 /* a time, in seconds */
#define GROUP   4242    /* the approvers' gid */
#define LIFE    1800
#define REQUEST 65534 /* the requester's uid */

static char dir[64];
static struct approval_store *s;
static const char *const D1 = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *const D2 = "2222222222222222222222222222222222222222222222222222222222222222";

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/test-approval.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	chmod(dir, 0700);
	ck_assert_int_eq(approval_store_new(dir, &s), 0);
}

static void teardown(void)
{
	char cmd[128];
	approval_store_free(s);
	s = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A distinct valid id from a number. */
static const char *id_of(unsigned n)
{
	static char buf[8][33];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, 33, "%032x", n);
	return p;
}

static json_t *command(const char *arg)
{
	return json_pack("{s:[s,s],s:s,s:s,s:{}}", "argv", "rm", arg, "program", "/bin/rm", "cwd",
			 "/srv", "env");
}

/* A request n of uid for count approvals. */
static int make(unsigned n, uid_t uid, unsigned count, struct approval **ret)
{
	json_t *cmd = command("x");
	struct approval_new a = {.id = id_of(n),
				 .digest = D1,
				 .decision = id_of(100000 + n),
				 .record = id_of(200000 + n),
				 .uid = uid,
				 .user = "nobody",
				 .host = "box",
				 .rule = "r1",
				 .group = "approvers",
				 .gid = GROUP,
				 .count = count,
				 .lifetime = LIFE,
				 .command = cmd};
	struct approval *tmp;
	int r = approval_create(s, &a, T0, ret ? ret : &tmp);
	json_decref(cmd);
	return r;
}

static const gid_t member_groups[] = {100, GROUP};
static const gid_t outsider_groups[] = {100};
static const struct approval_who member = {1000, "alice", member_groups, 2};
static const struct approval_who member2 = {1001, "bob", member_groups, 2};
static const struct approval_who outsider = {1002, "eve", outsider_groups, 1};
static const struct approval_who root = {0, "root", outsider_groups, 1};
static const struct approval_who requester = {REQUEST, "nobody", member_groups, 2};

START_TEST(digest_binds_every_part_of_the_request)
{
	char a[65], b[65];
	json_t *c1 = command("x"), *c2 = command("y");
	ck_assert_int_eq(approval_digest(c1, 1, "h", a), 0);
	ck_assert_int_eq(strlen(a), 64);
	ck_assert_int_eq(approval_digest(c1, 1, "h", b), 0);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(approval_digest(c2, 1, "h", b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(approval_digest(c1, 2, "h", b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(approval_digest(c1, 1, "other", b), 0);
	ck_assert_str_ne(a, b);
	json_object_set_new(c2, "argv", json_pack("[s,s]", "rm", "x"));
	json_object_set_new(c2, "cwd", json_string("/tmp"));
	ck_assert_int_eq(approval_digest(c2, 1, "h", b), 0);
	ck_assert_str_ne(a, b);
	json_object_set_new(c2, "cwd", json_string("/srv"));
	json_object_set_new(c2, "program", json_string("/usr/bin/rm"));
	ck_assert_int_eq(approval_digest(c2, 1, "h", b), 0);
	ck_assert_str_ne(a, b);
	json_object_set_new(c2, "program", json_string("/bin/rm"));
	json_object_set_new(c2, "env", json_pack("{s:s}", "KUBE_CONTEXT", "prod"));
	ck_assert_int_eq(approval_digest(c2, 1, "h", b), 0);
	ck_assert_str_ne(a, b);
	/* The same request built in another key order is the same request. */
	json_t *c3 = json_pack("{s:{},s:s,s:s,s:[s,s]}", "env", "cwd", "/srv", "program", "/bin/rm",
			       "argv", "rm", "x");
	ck_assert_int_eq(approval_digest(c3, 1, "h", b), 0);
	ck_assert_str_eq(a, b);
	json_decref(c1);
	json_decref(c2);
	json_decref(c3);
}
END_TEST

START_TEST(a_new_request_is_pending_for_its_lifetime)
{
	struct approval *a;
	ck_assert_int_eq(make(1, REQUEST, 1, &a), 0);
	ck_assert_ptr_eq(approval_find(s, id_of(1)), a);
	ck_assert_ptr_null(approval_find(s, id_of(2)));
	ck_assert_int_eq(approval_state(a, T0), APPROVAL_PENDING);
	ck_assert_int_eq(approval_state(a, T0 + LIFE - 1), APPROVAL_PENDING);
	ck_assert_int_eq(approval_state(a, T0 + LIFE), APPROVAL_EXPIRED);
	ck_assert_int_eq(approval_next_deadline(s), T0 + LIFE);
	ck_assert_int_eq(make(1, REQUEST, 1, NULL), -EEXIST);
}
END_TEST

START_TEST(limits_per_uid_and_in_all)
{
	for (unsigned i = 0; i < APPROVAL_MAX_PER_UID; i++)
		ck_assert_int_eq(make(i, REQUEST, 1, NULL), 0);
	ck_assert_int_eq(make(999, REQUEST, 1, NULL), -EUSERS);
	ck_assert_int_eq(approval_open_by(s, REQUEST, T0), APPROVAL_MAX_PER_UID);
	/* An ended request does not count against its uid. */
	ck_assert_int_eq(
		approval_reject(s, approval_find(s, id_of(0)), &requester, NULL, T0, id_of(5000)),
		0);
	ck_assert_int_eq(make(999, REQUEST, 1, NULL), 0);
	/* In all: fill the store with other uids' open requests. */
	unsigned n = 2000;
	for (uid_t u = 1; approval_count(s) < APPROVAL_MAX; u++)
		for (unsigned i = 0; i < APPROVAL_MAX_PER_UID && approval_count(s) < APPROVAL_MAX;
		     i++)
			ck_assert_int_eq(make(n++, u, 1, NULL), 0);
	ck_assert_int_eq(approval_count(s), APPROVAL_MAX);
	/* The ended request is forgotten to make room; then the store is full. */
	ck_assert_int_eq(make(n++, 5000, 1, NULL), 0);
	ck_assert_ptr_null(approval_find(s, id_of(0)));
	ck_assert_int_eq(make(n++, 5000, 1, NULL), -ENOSPC);
}
END_TEST

START_TEST(a_command_too_large_is_refused)
{
	char *big = malloc(APPROVAL_MAX_COMMAND + 1);
	memset(big, 'a', APPROVAL_MAX_COMMAND);
	big[APPROVAL_MAX_COMMAND] = '\0';
	json_t *cmd = command(big);
	struct approval *a;
	struct approval_new n = {.id = id_of(1),
				 .digest = D1,
				 .uid = 1,
				 .host = "h",
				 .rule = "r",
				 .group = "g",
				 .count = 1,
				 .lifetime = 60,
				 .command = cmd};
	ck_assert_int_eq(approval_create(s, &n, T0, &a), -E2BIG);
	ck_assert_int_eq(approval_count(s), 0);
	n.digest = "not hex";
	ck_assert_int_eq(approval_create(s, &n, T0, &a), -EINVAL);
	json_decref(cmd);
	free(big);
}
END_TEST

START_TEST(who_may_approve)
{
	struct approval *a;
	ck_assert_int_eq(make(1, REQUEST, 1, &a), 0);
	/* The requester is in the group, and still may not. */
	ck_assert_int_eq(approval_approve(s, a, &requester, NULL, T0, id_of(9)), -EPERM);
	ck_assert_int_eq(approval_approve(s, a, &outsider, NULL, T0, id_of(9)), -EACCES);
	ck_assert_int_eq(approval_state(a, T0), APPROVAL_PENDING);
	ck_assert_int_eq(approval_approve(s, a, &member, "looks right", T0 + 10, id_of(9)), 0);
	ck_assert_int_eq(approval_state(a, T0 + 10), APPROVAL_APPROVED);
	ck_assert_str_eq(a->votes[0].user, "alice");
	ck_assert_str_eq(a->votes[0].reason, "looks right");
	ck_assert_int_eq(approval_approve(s, a, &member2, NULL, T0, id_of(10)), -EALREADY);
	/* root approves any request but its own. */
	struct approval *b, *c;
	ck_assert_int_eq(make(2, REQUEST, 1, &b), 0);
	ck_assert_int_eq(approval_approve(s, b, &root, NULL, T0, id_of(11)), 0);
	ck_assert_int_eq(make(3, 0, 1, &c), 0);
	ck_assert_int_eq(approval_may_act(c, &root), -EPERM);
	ck_assert_int_eq(approval_approve(s, c, &root, NULL, T0, id_of(12)), -EPERM);
	ck_assert(approval_visible(c, &root));
	ck_assert(approval_visible(c, &member));
	ck_assert(!approval_visible(c, &outsider));
	ck_assert(approval_visible(a, &requester));
}
END_TEST

START_TEST(two_approvals_from_two_people)
{
	struct approval *a;
	ck_assert_int_eq(make(1, REQUEST, 2, &a), 0);
	ck_assert_int_eq(approval_approve(s, a, &member, NULL, T0 + 5, id_of(9)), 0);
	ck_assert_int_eq(approval_state(a, T0 + 5), APPROVAL_PENDING);
	ck_assert_int_eq(approval_approve(s, a, &member, NULL, T0 + 6, id_of(10)), -EEXIST);
	ck_assert_int_eq(a->expires, T0 + LIFE);
	ck_assert_int_eq(approval_approve(s, a, &member2, NULL, T0 + 100, id_of(11)), 0);
	ck_assert_int_eq(approval_state(a, T0 + 100), APPROVAL_APPROVED);
	/* The approval lives its lifetime from the approval that completed it. */
	ck_assert_int_eq(a->expires, T0 + 100 + LIFE);
}
END_TEST

START_TEST(use_needs_the_same_uid_digest_and_rule_once)
{
	struct approval *a;
	ck_assert_int_eq(make(1, REQUEST, 1, &a), 0);
	ck_assert_int_eq(approval_use(s, a, REQUEST, D1, "r1", T0, id_of(50), id_of(51)), -EAGAIN);
	ck_assert_int_eq(approval_approve(s, a, &member, NULL, T0, id_of(9)), 0);
	ck_assert_int_eq(approval_use(s, a, 1000, D1, "r1", T0, id_of(50), id_of(51)), -EPERM);
	ck_assert_int_eq(approval_use(s, a, REQUEST, D2, "r1", T0, id_of(50), id_of(51)), -ENOMSG);
	ck_assert_int_eq(approval_use(s, a, REQUEST, D1, "r2", T0, id_of(50), id_of(51)), -ENOMSG);
	ck_assert_int_eq(approval_state(a, T0), APPROVAL_APPROVED);
	ck_assert_int_eq(approval_use(s, a, REQUEST, D1, "r1", T0 + 1, id_of(50), id_of(51)), 0);
	ck_assert_int_eq(approval_state(a, T0 + 1), APPROVAL_USED);
	ck_assert_str_eq(a->used_by, id_of(50));
	ck_assert_int_eq(approval_use(s, a, REQUEST, D1, "r1", T0 + 2, id_of(52), id_of(53)),
			 -EALREADY);
	ck_assert_int_eq(approval_open_by(s, REQUEST, T0 + 2), 0);
}
END_TEST

START_TEST(reject_and_withdraw)
{
	struct approval *a, *b;
	ck_assert_int_eq(make(1, REQUEST, 1, &a), 0);
	ck_assert_int_eq(approval_reject(s, a, &outsider, "no", T0, id_of(9)), -EACCES);
	ck_assert_int_eq(approval_reject(s, a, &member, "not today", T0 + 3, id_of(9)), 0);
	ck_assert_int_eq(approval_state(a, T0 + 3), APPROVAL_REJECTED);
	ck_assert_str_eq(a->closer.user, "alice");
	ck_assert_str_eq(a->closer.reason, "not today");
	ck_assert_int_eq(approval_approve(s, a, &member2, NULL, T0 + 4, id_of(10)), -EALREADY);
	ck_assert_int_eq(approval_reject(s, a, &member2, NULL, T0 + 4, id_of(10)), -EALREADY);
	ck_assert_int_eq(approval_use(s, a, REQUEST, D1, "r1", T0 + 4, id_of(11), id_of(12)),
			 -EALREADY);
	/* The requester withdraws an approved request. */
	ck_assert_int_eq(make(2, REQUEST, 1, &b), 0);
	ck_assert_int_eq(approval_approve(s, b, &member, NULL, T0, id_of(13)), 0);
	ck_assert_int_eq(approval_reject(s, b, &requester, "changed my mind", T0, id_of(14)), 0);
	ck_assert_int_eq(approval_state(b, T0), APPROVAL_REJECTED);
}
END_TEST

START_TEST(expiry_is_recorded_then_forgotten)
{
	struct approval *a, *b;
	ck_assert_int_eq(make(1, REQUEST, 1, &a), 0);
	ck_assert_int_eq(make(2, REQUEST, 1, &b), 0);
	ck_assert_int_eq(approval_approve(s, b, &member, NULL, T0 + 60, id_of(9)), 0);
	int64_t late = T0 + LIFE;
	ck_assert_int_eq(approval_approve(s, a, &member, NULL, late, id_of(10)), -ETIME);
	ck_assert_int_eq(approval_reject(s, a, &member, NULL, late, id_of(10)), -ETIME);
	ck_assert_int_eq(approval_expire(s, b, late, id_of(11)), -EINVAL);
	ck_assert_ptr_eq(approval_next_due(s, late), a);
	ck_assert_int_eq(approval_expire(s, a, late + 500, id_of(12)), 0);
	ck_assert_int_eq(approval_state(a, late), APPROVAL_EXPIRED);
	/* It is kept from when the expiry was noticed and recorded. */
	ck_assert_int_eq(a->closer.ts, late + 500);
	ck_assert_ptr_null(approval_next_due(s, late));
	/* The approved one is due first: its lifetime counts from its approval. */
	ck_assert_int_eq(approval_next_deadline(s), T0 + 60 + LIFE);
	/* The approved one expires too, if not used in time. */
	ck_assert_int_eq(
		approval_use(s, b, REQUEST, D1, "r1", T0 + 60 + LIFE, id_of(13), id_of(14)),
		-ETIME);
	ck_assert_int_eq(approval_prune(s, late + 500 + APPROVAL_KEEP_SEC - 1), 0);
	ck_assert_int_eq(approval_prune(s, late + 500 + APPROVAL_KEEP_SEC), 1);
	ck_assert_ptr_null(approval_find(s, id_of(1)));
	ck_assert_ptr_eq(approval_find(s, id_of(2)), b);
}
END_TEST

START_TEST(a_step_whose_record_was_lost_is_undone)
{
	struct approval *a, *b;
	ck_assert_int_eq(make(1, REQUEST, 2, &a), 0);
	ck_assert_int_eq(approval_approve(s, a, &member, NULL, T0 + 1, id_of(9)), 0);
	ck_assert_int_eq(approval_approve(s, a, &member2, NULL, T0 + 2, id_of(10)), 0);
	ck_assert_int_eq(a->expires, T0 + 2 + LIFE);
	/* Both approvals were in the batch that failed. */
	ck_assert(approval_undo(s, id_of(9)));
	ck_assert_int_eq(approval_state(a, T0 + 3), APPROVAL_PENDING);
	ck_assert_int_eq(a->expires, T0 + LIFE);
	ck_assert(approval_undo(s, id_of(10)));
	ck_assert_int_eq(a->n_votes, 0);
	ck_assert_int_eq(a->expires, T0 + LIFE);
	ck_assert(!approval_undo(s, id_of(10)));
	/* A use undone leaves the approval to be used. */
	ck_assert_int_eq(approval_approve(s, a, &member, NULL, T0 + 4, id_of(11)), 0);
	ck_assert_int_eq(approval_approve(s, a, &member2, NULL, T0 + 4, id_of(12)), 0);
	ck_assert_int_eq(approval_use(s, a, REQUEST, D1, "r1", T0 + 5, id_of(13), id_of(14)), 0);
	ck_assert(approval_undo(s, id_of(14)));
	ck_assert_int_eq(approval_state(a, T0 + 5), APPROVAL_APPROVED);
	ck_assert_str_eq(a->used_by, "");
	/* A request whose "request" record was lost was never made. */
	ck_assert_int_eq(make(2, REQUEST, 1, &b), 0);
	ck_assert(approval_undo(s, id_of(200002)));
	ck_assert_ptr_null(approval_find(s, id_of(2)));
	ck_assert_int_eq(approval_count(s), 1);
}
END_TEST

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 20];
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

START_TEST(saved_and_loaded_as_they_were)
{
	struct approval *a, *b, *c, *d;
	ck_assert_int_eq(make(1, REQUEST, 2, &a), 0);
	ck_assert_int_eq(approval_approve(s, a, &member, "ok", T0 + 1, id_of(9)), 0);
	ck_assert_int_eq(make(2, REQUEST, 1, &b), 0);
	ck_assert_int_eq(approval_reject(s, b, &member, NULL, T0 + 2, id_of(10)), 0);
	ck_assert_int_eq(make(3, REQUEST, 1, &c), 0);
	ck_assert_int_eq(approval_approve(s, c, &root, NULL, T0 + 3, id_of(11)), 0);
	ck_assert_int_eq(approval_use(s, c, REQUEST, D1, "r1", T0 + 4, id_of(12), id_of(13)), 0);
	ck_assert_int_eq(make(4, 7, 1, &d), 0);
	ck_assert_int_eq(approval_expire(s, d, T0 + LIFE, id_of(14)), 0);
	ck_assert_int_eq(approval_save(s), 0);

	struct stat st;
	ck_assert_int_eq(stat(approval_store_path(s), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	char tmp[128];
	snprintf(tmp, sizeof tmp, "%s.tmp", approval_store_path(s));
	ck_assert_int_eq(access(tmp, F_OK), -1);

	struct approval_store *t;
	char *moved, why[512];
	ck_assert_int_eq(approval_store_new(dir, &t), 0);
	ck_assert_int_eq(approval_load(t, &moved, why, sizeof why), 0);
	ck_assert_ptr_null(moved);
	ck_assert_int_eq(approval_count(t), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *x = approval_to_json(approval_at(s, i));
		json_t *y = approval_to_json(approval_at(t, i));
		ck_assert(json_equal(x, y));
		json_decref(x);
		json_decref(y);
	}
	ck_assert_int_eq(approval_state(approval_at(t, 0), T0 + 5), APPROVAL_PENDING);
	ck_assert_int_eq(approval_state(approval_at(t, 1), T0 + 5), APPROVAL_REJECTED);
	ck_assert_int_eq(approval_state(approval_at(t, 2), T0 + 5), APPROVAL_USED);
	ck_assert_int_eq(approval_state(approval_at(t, 3), T0 + 5), APPROVAL_EXPIRED);
	/* What was loaded goes on: the second approval completes the first request. */
	ck_assert_int_eq(approval_approve(t, approval_at(t, 0), &member2, NULL, T0 + 6, id_of(15)),
			 0);
	ck_assert_int_eq(
		approval_use(t, approval_at(t, 0), REQUEST, D1, "r1", T0 + 7, id_of(16), id_of(17)),
		0);
	approval_store_free(t);
}
END_TEST

START_TEST(an_empty_store_saves_and_loads)
{
	char *moved, why[512];
	ck_assert_int_eq(approval_load(s, &moved, why, sizeof why), 0);
	ck_assert_ptr_null(moved);
	ck_assert_int_eq(approval_save(s), 0);
	ck_assert_ptr_nonnull(strstr(read_file(approval_store_path(s)), "\"requests\":[]"));
	ck_assert_int_eq(approval_load(s, &moved, why, sizeof why), 0);
	ck_assert_int_eq(approval_count(s), 0);
}
END_TEST

/* Each of these is moved aside whole, and nothing of it is used. */
static const struct {
	const char *text;
	mode_t mode;
	const char *why;
} broken[] = {
	{"{\"version\":1,\"requests\":[", 0600, "1:"},
	{"not json", 0600, "1:"},
	{"{\"version\":2,\"requests\":[]}", 0600, "version"},
	{"{\"version\":1,\"requests\":[],\"extra\":1}", 0600, "extra"},
	{"{\"version\":1,\"requests\":[{\"id\":\"x\"}]}", 0600, "requests[0]"},
	{"{\"version\":1,\"requests\":[]}", 0666, "writable"},
	{"", 0600, "1:"},
};

START_TEST(a_broken_state_file_is_moved_aside)
{
	char *moved, why[512];
	write_file(approval_store_path(s), broken[_i].text, broken[_i].mode);
	ck_assert_int_eq(approval_load(s, &moved, why, sizeof why), 0);
	ck_assert_ptr_nonnull(moved);
	ck_assert_msg(strstr(why, broken[_i].why), "why: %s", why);
	ck_assert_int_eq(approval_count(s), 0);
	ck_assert_int_eq(access(approval_store_path(s), F_OK), -1);
	ck_assert_str_eq(read_file(moved), broken[_i].text);
	ck_assert_ptr_nonnull(strstr(moved, APPROVAL_FILE ".broken-"));
	free(moved);
}
END_TEST

/* A good file with one request changed by hand in a way that must not load. */
START_TEST(a_tampered_request_is_not_used)
{
	struct approval *a;
	char *moved, why[512];
	ck_assert_int_eq(make(1, REQUEST, 1, &a), 0);
	ck_assert_int_eq(make(2, REQUEST, 1, &a), 0);
	ck_assert_int_eq(approval_save(s), 0);
	char *text = strdup(read_file(approval_store_path(s)));
	/* The second request given the first one's id. */
	char *second = strstr(text, id_of(2));
	memcpy(second, id_of(1), 32);
	write_file(approval_store_path(s), text, 0600);
	struct approval_store *t;
	ck_assert_int_eq(approval_store_new(dir, &t), 0);
	ck_assert_int_eq(approval_load(t, &moved, why, sizeof why), 0);
	ck_assert_ptr_nonnull(moved);
	ck_assert_msg(strstr(why, "requests[1]: the id appears twice"), "why: %s", why);
	ck_assert_int_eq(approval_count(t), 0);
	free(moved);
	approval_store_free(t);
	/* An approval by the requester, written in by hand. */
	ck_assert_int_eq(approval_save(s), 0);
	free(text);
	text = strdup(read_file(approval_store_path(s)));
	char *votes = strstr(text, "\"approvals\":[]");
	ck_assert_ptr_nonnull(votes);
	char forged[8192];
	snprintf(forged, sizeof forged,
		 "%.*s\"approvals\":[{\"uid\":%d,\"user\":\"nobody\",\"reason\":null,\"ts\":1}]%s",
		 (int)(votes - text), text, REQUEST, votes + strlen("\"approvals\":[]"));
	write_file(approval_store_path(s), forged, 0600);
	ck_assert_int_eq(approval_store_new(dir, &t), 0);
	ck_assert_int_eq(approval_load(t, &moved, why, sizeof why), 0);
	ck_assert_ptr_nonnull(moved);
	ck_assert_msg(strstr(why, "by the requester"), "why: %s", why);
	free(moved);
	approval_store_free(t);
	free(text);
}
END_TEST

START_TEST(a_symbolic_link_is_not_followed)
{
	char *moved, why[512];
	write_file("/tmp/test-approval-target", "{\"version\":1,\"requests\":[]}", 0600);
	ck_assert_int_eq(symlink("/tmp/test-approval-target", approval_store_path(s)), 0);
	ck_assert_int_eq(approval_load(s, &moved, why, sizeof why), 0);
	ck_assert_ptr_nonnull(moved);
	ck_assert_msg(strstr(why, "symbolic link"), "why: %s", why);
	free(moved);
	unlink("/tmp/test-approval-target");
}
END_TEST

START_TEST(the_state_directory_is_made_and_checked)
{
	char sub[128], *moved, why[512];
	struct approval_store *t;
	struct stat st;
	snprintf(sub, sizeof sub, "%s/state", dir);
	ck_assert_int_eq(approval_store_new(sub, &t), 0);
	/* Not made until something is saved. */
	ck_assert_int_eq(approval_load(t, &moved, why, sizeof why), 0);
	ck_assert_int_eq(stat(sub, &st), -1);
	ck_assert_int_eq(approval_save(t), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	chmod(sub, 0777);
	ck_assert_int_eq(approval_load(t, &moved, why, sizeof why), -EPERM);
	ck_assert_msg(strstr(why, "not be writable"), "why: %s", why);
	ck_assert_int_eq(approval_save(t), -EPERM);
	approval_store_free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("approval");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, digest_binds_every_part_of_the_request);
	tcase_add_test(tc, a_new_request_is_pending_for_its_lifetime);
	tcase_add_test(tc, limits_per_uid_and_in_all);
	tcase_add_test(tc, a_command_too_large_is_refused);
	tcase_add_test(tc, who_may_approve);
	tcase_add_test(tc, two_approvals_from_two_people);
	tcase_add_test(tc, use_needs_the_same_uid_digest_and_rule_once);
	tcase_add_test(tc, reject_and_withdraw);
	tcase_add_test(tc, expiry_is_recorded_then_forgotten);
	tcase_add_test(tc, a_step_whose_record_was_lost_is_undone);
	suite_add_tcase(su, tc);
	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, saved_and_loaded_as_they_were);
	tcase_add_test(tc, an_empty_store_saves_and_loads);
	tcase_add_loop_test(tc, a_broken_state_file_is_moved_aside, 0,
			    sizeof broken / sizeof broken[0]);
	tcase_add_test(tc, a_tampered_request_is_not_used);
	tcase_add_test(tc, a_symbolic_link_is_not_followed);
	tcase_add_test(tc, the_state_directory_is_made_and_checked);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
