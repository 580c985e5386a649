/* arena.c: one block of memory per policy file for its rules and strings, freed at
 * once. Tens of thousands of small mallocs would cost more in headers than in data,
 * and one free walk is all the cleanup the parsed file needs. */
#include <stdalign.h>
#include <string.h>

#include "policy-internal.h"

#define CHUNK_SIZE (16 * 1024)

struct policy_arena_chunk {
	struct policy_arena_chunk *next;
	alignas(max_align_t) unsigned char data[];
};

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

/* A chunk of its own for a large allocation, put behind head so that what is left of
 * head stays in use. */
static void *alloc_large(struct policy_arena *a, size_t size)
{
	struct policy_arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	c = calloc(1, sizeof(*c) + size);
	if (!c)
		return NULL;
	if (a->head) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		/* Full, so that the next small allocation starts a chunk. */
		a->head = c;
		a->used = a->size = size;
	}
	return c->data;
}

/* Strings need no alignment; packing them saves a quarter of the memory. */
static void *alloc(struct policy_arena *a, size_t size, size_t align)
{
	struct policy_arena_chunk *c;
	size_t start = round_up(a->used, align);
	void *p;

	if (size > CHUNK_SIZE / 4)
		return alloc_large(a, size);
	if (!a->head || start > a->size || a->size - start < size) {
		c = calloc(1, sizeof(*c) + CHUNK_SIZE);
		if (!c)
			return NULL;
		c->next = a->head;
		a->head = c;
		a->size = CHUNK_SIZE;
		start = 0;
	}
	p = a->head->data + start;
	a->used = start + size;
	return p;
}

void *policy_arena_alloc(struct policy_arena *a, size_t size)
{
	return alloc(a, size ? size : 1, alignof(max_align_t));
}

char *policy_arena_strdup(struct policy_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = alloc(a, n, 1);

	if (copy)
		memcpy(copy, s, n);
	return copy;
}

void policy_arena_free(struct policy_arena *a)
{
	struct policy_arena_chunk *c = a->head;

	while (c) {
		struct policy_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	*a = (struct policy_arena){0};
}
