/*
 * sqlite_rows.c: reading rows into records: one row, many rows into an arena
 * array, and LIKE patterns with their wildcards escaped.
 */
#include "store/sqlite_internal.h"

#include <string.h>

/* Collects rows of a prepared statement into an arena array via fill(). */
store_rc sq_collect(sq_conn *c, sqlite3_stmt *s, arena *ar, size_t recsize, fill_fn fill,
                        void **out, size_t *n)
{
	size_t cap = 16, cnt = 0;
	unsigned char *arr = arena_alloc(ar, cap * recsize);
	int rc;
	if (!arr)
		goto oom;
	for (;;) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		if (cnt == cap) {
			unsigned char *bigger = arena_alloc(ar, cap * 2 * recsize);
			if (!bigger)
				goto oom;
			memcpy(bigger, arr, cap * recsize);
			arr = bigger;
			cap *= 2;
		}
		fill(s, ar, arr + cnt * recsize);
		cnt++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_rc(c, rc);
	*out = arr;
	*n = cnt;
	return STORE_OK;
oom:
	sqlite3_reset(s);
	sq_seterr("out of memory reading rows");
	return STORE_ERROR;
}

/* Steps a one-row query and fills rec; STORE_NOT_FOUND if there is no row. */
store_rc sq_one(sq_conn *c, sqlite3_stmt *s, arena *ar, fill_fn fill, void *rec)
{
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW)
		fill(s, ar, rec);
	else if (rc == SQLITE_DONE) {
		sq_seterr("no such row");
		r = STORE_NOT_FOUND;
	} else
		r = sq_rc(c, rc);
	sqlite3_reset(s);
	return r;
}

/* Escapes LIKE wildcards of q into the arena, wrapped in % … %. */
const char *sq_like_pattern(arena *ar, const char *q)
{
	size_t n = strlen(q);
	char *p = arena_alloc(ar, n * 2 + 3);
	if (!p)
		return NULL;
	size_t o = 0;
	p[o++] = '%';
	for (size_t i = 0; i < n; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			p[o++] = '\\';
		p[o++] = q[i];
	}
	p[o++] = '%';
	p[o] = '\0';
	return p;
}


store_rc sq_one_ints(sq_conn *c, sqlite3_stmt *s, int64_t *out, int n)
{
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			out[i] = sq_col_int(s, i);
	} else {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_rc(c, rc);
	}
	sqlite3_reset(s);
	return r;
}
