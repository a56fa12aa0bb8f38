/*
 * readcache.c: a small per-thread cache of rendered read responses (the passbook),
 * keyed on what was asked and on the store snapshot it was computed in. An entry
 * is used only under a snapshot with the same connection and data version, that
 * is, when nothing at all was committed since it was made; so it is correct by
 * construction, never invalidated by hand. Authentication and access checks are
 * not cached: callers look up only after them. Bounded: RCACHE_SLOTS entries of
 * at most RCACHE_MAX_BODY bytes per thread, freed when the thread ends.
 */
#include "api/api.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RCACHE_SLOTS 32
#define RCACHE_MAX_BODY (64u * 1024)

typedef struct {
	const char *kind; /* identity: the address of the caller's static string */
	int64_t k[3];
	store_snapshot snap;
	char *body; /* malloc'd, len bytes */
	size_t len;
} rcache_slot;

typedef struct {
	rcache_slot slot[RCACHE_SLOTS];
} rcache;

static pthread_key_t rc_key;
static pthread_once_t rc_once = PTHREAD_ONCE_INIT;
static bool rc_key_ok;
static _Thread_local rcache *tl_cache; /* the same pointer as the key's value */

static void rc_free(void *p)
{
	rcache *c = p;
	if (c == tl_cache)
		tl_cache = NULL;
	for (size_t i = 0; i < RCACHE_SLOTS; i++)
		free(c->slot[i].body);
	free(c);
}

static void rc_init(void)
{
	rc_key_ok = pthread_key_create(&rc_key, rc_free) == 0;
}

/* This thread's cache, created on first use; NULL if there is none (no memory).
 * The key's destructor frees it when the thread ends. */
static rcache *rc_get(bool create)
{
	if (tl_cache || !create)
		return tl_cache;
	pthread_once(&rc_once, rc_init);
	if (!rc_key_ok)
		return NULL;
	tl_cache = calloc(1, sizeof(*tl_cache));
	if (tl_cache && pthread_setspecific(rc_key, tl_cache) != 0) {
		free(tl_cache);
		tl_cache = NULL;
	}
	return tl_cache;
}

static size_t slot_of(const char *kind, const int64_t k[3])
{
	uint64_t h = (uint64_t)(uintptr_t)kind;
	for (int i = 0; i < 3; i++)
		h = (h ^ (uint64_t)k[i]) * UINT64_C(0x100000001b3);
	return (size_t)(h >> 32) % RCACHE_SLOTS;
}

bool api_rcache_get(http_req *req, const char *kind, const int64_t k[3],
                    const store_snapshot *snap)
{
	if (!snap->conn)
		return false;
	rcache *c = rc_get(false);
	if (!c)
		return false;
	rcache_slot *s = &c->slot[slot_of(kind, k)];
	if (!s->body || s->kind != kind || memcmp(s->k, k, sizeof(s->k)) != 0 ||
	    s->snap.conn != snap->conn || s->snap.version != snap->version)
		return false;
	char *body = arena_strndup(&req->ar, s->body, s->len);
	if (!body)
		return false;
	http_json_text(req, 200, body, s->len);
	return true;
}

void api_rcache_put(const char *kind, const int64_t k[3], const store_snapshot *snap,
                    const char *body, size_t len)
{
	if (!snap->conn || !body || len > RCACHE_MAX_BODY)
		return;
	rcache *c = rc_get(true);
	if (!c)
		return;
	rcache_slot *s = &c->slot[slot_of(kind, k)];
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, body, len);
	free(s->body);
	s->kind = kind;
	memcpy(s->k, k, sizeof(s->k));
	s->snap = *snap;
	s->body = copy;
	s->len = len;
}
