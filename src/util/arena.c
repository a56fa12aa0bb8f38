/*
 * arena.c: a bump allocator in linked blocks. Used for request-scoped memory so
 * that handlers never free individual objects. Not thread-safe: one arena, one thread.
 */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN 8192

struct arena_block {
	arena_block *next;
	size_t cap;
	size_t used;
	_Alignas(max_align_t) unsigned char data[];
};

void arena_init(arena *a, size_t limit)
{
	a->head = NULL;
	a->used_total = 0;
	a->limit = limit;
}

void *arena_alloc_uninit(arena *a, size_t n)
{
	size_t align = _Alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);
	if (need < n || need > SIZE_MAX - sizeof(arena_block))
		return NULL; /* the rounding or the block header would wrap around */
	if (a->limit && (a->used_total + need > a->limit || a->used_total + need < need))
		return NULL;
	arena_block *b = a->head;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->used_total += need;
	return p;
}

void *arena_alloc(arena *a, size_t n)
{
	void *p = arena_alloc_uninit(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc_uninit(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(arena *a)
{
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used_total = 0;
}
