/*
 * arena.h: per-request memory. Everything a request allocates comes from its
 * arena and is freed in one call when the request ends. Not for long-lived data.
 */
#ifndef JF_ARENA_H
#define JF_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
	arena_block *head;
	size_t used_total; /* bytes handed out, for the limit */
	size_t limit;      /* 0 = no limit */
} arena;

/* Starts an empty arena; limit 0 means unbounded. */
void arena_init(arena *a, size_t limit);
/* Returns zeroed memory aligned for any type, or NULL past the limit or on OOM.
 * The arena owns it. */
void *arena_alloc(arena *a, size_t n);
/* Like arena_alloc without the zeroing, for memory the caller fills at once. */
void *arena_alloc_uninit(arena *a, size_t n);
/* Copies s (n bytes) and NUL-terminates it; NULL on failure. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena; NULL on failure. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees every block; the arena may be reused after arena_init. */
void arena_free(arena *a);

#endif
