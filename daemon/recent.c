/* recent.c: see recent.h. Entries live in a ring in the order they were added, so
 * the oldest is always the next to go; an index of ring positions, hashed by the
 * id with linear probing at a load of at most one half, finds them. Ids come
 * from getrandom(), so their first bytes are already a uniform hash, and a
 * client cannot pick the ids that are stored, only the ones it asks about. */
#include "recent.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECENT_ID_BYTES 16 /* RECORD_ID_LEN hex digits */

struct item {
	uint8_t id[RECENT_ID_BYTES];
	struct recent_entry e;
};

struct recent {
	struct item *ring;
	size_t max;  /* ring size */
	size_t n;    /* ring positions in use, taken ones included */
	size_t head; /* where the next entry goes */
	size_t live; /* entries in the index */
	int64_t max_age;
	uint32_t *index; /* ring position + 1; 0 is an empty slot */
	size_t mask;     /* index size - 1 (a power of two) */
};

int recent_new(size_t max, int64_t max_age, struct recent **ret)
{
	if (max == 0 || max > UINT32_MAX / 4 || max_age < 0)
		return -EINVAL;
	size_t slots = 1;
	while (slots < 2 * max)
		slots *= 2;
	struct recent *r = calloc(1, sizeof *r);
	if (r) {
		r->ring = calloc(max, sizeof *r->ring);
		r->index = calloc(slots, sizeof *r->index);
	}
	if (!r || !r->ring || !r->index) {
		recent_free(r);
		return -ENOMEM;
	}
	r->max = max;
	r->max_age = max_age;
	r->mask = slots - 1;
	*ret = r;
	return 0;
}

void recent_free(struct recent *r)
{
	if (!r)
		return;
	free(r->ring);
	free(r->index);
	free(r);
}

int64_t recent_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_id(const char *s, uint8_t id[RECENT_ID_BYTES])
{
	if (!s || strlen(s) != 2 * RECENT_ID_BYTES)
		return -EINVAL;
	for (size_t i = 0; i < RECENT_ID_BYTES; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static size_t home(const struct recent *r, const uint8_t id[RECENT_ID_BYTES])
{
	uint64_t h;
	memcpy(&h, id, sizeof h);
	return (size_t)h & r->mask;
}

/* The slot holding id, or (not found) the empty slot where it would go. */
static bool find(const struct recent *r, const uint8_t id[RECENT_ID_BYTES], size_t *ret_slot)
{
	size_t s = home(r, id);
	while (r->index[s] != 0 && memcmp(r->ring[r->index[s] - 1].id, id, RECENT_ID_BYTES) != 0)
		s = (s + 1) & r->mask;
	*ret_slot = s;
	return r->index[s] != 0;
}

/* Backward-shift deletion: the entries after the hole that may move into it do,
 * so lookups never need tombstones and clusters do not grow with churn. */
static void remove_slot(struct recent *r, size_t hole)
{
	size_t j = hole;
	r->live--;
	for (;;) {
		r->index[hole] = 0;
		for (;;) {
			j = (j + 1) & r->mask;
			if (r->index[j] == 0)
				return;
			size_t k = home(r, r->ring[r->index[j] - 1].id);
			/* The entry at j stays unless its home is cyclically outside (hole, j]. */
			bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
			if (!stays)
				break;
		}
		r->index[hole] = r->index[j];
		hole = j;
	}
}

static void pop_oldest(struct recent *r)
{
	size_t pos = (r->head + r->max - r->n) % r->max, s;
	/* Still indexed (not taken, not replaced by a later add of the same id)? */
	if (find(r, r->ring[pos].id, &s) && r->index[s] == pos + 1)
		remove_slot(r, s);
	r->n--;
}

static bool too_old(const struct recent *r, const struct recent_entry *e, int64_t now)
{
	return now - e->added > r->max_age;
}

int recent_add(struct recent *r, const char *id, uid_t uid, pid_t pid, int64_t now)
{
	uint8_t key[RECENT_ID_BYTES];
	if (parse_id(id, key) < 0)
		return -EINVAL;
	while (r->n > 0 &&
	       (r->n == r->max || too_old(r, &r->ring[(r->head + r->max - r->n) % r->max].e, now)))
		pop_oldest(r);
	size_t pos = r->head, s;
	memcpy(r->ring[pos].id, key, sizeof key);
	r->ring[pos].e = (struct recent_entry){.uid = uid, .pid = pid, .added = now};
	r->head = (r->head + 1) % r->max;
	r->n++;
	if (!find(r, key, &s))
		r->live++;
	r->index[s] = (uint32_t)pos + 1;
	return 0;
}

int recent_take(struct recent *r, const char *id, uid_t uid, int64_t now, struct recent_entry *ret)
{
	uint8_t key[RECENT_ID_BYTES];
	size_t s;
	if (parse_id(id, key) < 0 || !find(r, key, &s))
		return -ENOENT;
	const struct recent_entry *e = &r->ring[r->index[s] - 1].e;
	if (too_old(r, e, now)) {
		remove_slot(r, s);
		return -ENOENT;
	}
	if (e->uid != uid)
		return -EPERM;
	if (ret)
		*ret = *e;
	remove_slot(r, s);
	return 0;
}

void recent_forget(struct recent *r, const char *id)
{
	uint8_t key[RECENT_ID_BYTES];
	size_t s;
	if (parse_id(id, key) == 0 && find(r, key, &s))
		remove_slot(r, s);
}

size_t recent_count(const struct recent *r)
{
	return r->live;
}
