/*
 * sqlite_internal.h: what the SQLite backend files share: the per-thread
 * connection, its cache of prepared statements, and small helpers to bind and read.
 * Nothing outside src/store/sqlite_*.c includes this.
 */
#ifndef JF_SQLITE_INTERNAL_H
#define JF_SQLITE_INTERNAL_H
#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

#define SQ_STMT_CACHE 1024 /* more than the store's static statements (about 250 now) */

typedef struct sq_conn sq_conn;
struct sq_conn {
	sqlite3 *db;
	store *owner;
	sq_conn *next_all; /* every connection of the store, for store_close */
	struct {
		const char *sql; /* identity: the address of a static SQL string */
		sqlite3_stmt *stmt;
	} cache[SQ_STMT_CACHE];
	int in_tx;
};

struct store {
	char *path;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards all */
	sq_conn *all;
};

/* This thread's connection, opened on first use; NULL (with store_errmsg set) on failure. */
sq_conn *sq_conn_get(store *st);
/* A reset, cleared, cached statement for a static SQL string; NULL on error. */
sqlite3_stmt *sq_prepare(sq_conn *c, const char *sql);
/* Maps a SQLite result code to a store_rc and records the message. */
store_rc sq_rc(sq_conn *c, int rc);
void sq_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Binding helpers: 0 ids and NULL strings bind as SQL NULL. */
void sq_bind_id(sqlite3_stmt *s, int i, int64_t v);
void sq_bind_int(sqlite3_stmt *s, int i, int64_t v);
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Reading helpers: text copied into the arena (NULL stays NULL). */
const char *sq_col_text(sqlite3_stmt *s, int i, arena *ar);
int64_t sq_col_int(sqlite3_stmt *s, int i);

/* Runs a statement that returns no rows; maps the result. */
store_rc sq_exec_stmt(sq_conn *c, sqlite3_stmt *s);
/* Runs an INSERT and returns the new rowid in *id (id may be NULL). */
store_rc sq_insert(sq_conn *c, sqlite3_stmt *s, int64_t *id);
/* Runs an UPDATE/DELETE; STORE_NOT_FOUND when no row changed. */
store_rc sq_update(sq_conn *c, sqlite3_stmt *s);

/* Fills one record from the current row; strings go into the arena. */
typedef void (*fill_fn)(sqlite3_stmt *s, arena *ar, void *rec);
/* Steps a query to the end, collecting records of recsize bytes into an arena array. */
store_rc sq_collect(sq_conn *c, sqlite3_stmt *s, arena *ar, size_t recsize, fill_fn fill,
                    void **out, size_t *n);
/* Steps a one-row query; STORE_NOT_FOUND when there is no row. */
store_rc sq_one(sq_conn *c, sqlite3_stmt *s, arena *ar, fill_fn fill, void *rec);
/* '%q%' with q's LIKE wildcards escaped by backslash, in the arena. */
const char *sq_like_pattern(arena *ar, const char *q);

#define CONN_OR_FAIL(c, st)                                                                   \
	sq_conn *c = sq_conn_get(st);                                                        \
	if (!c)                                                                              \
		return STORE_ERROR

#define PREP_OR_FAIL(s, c, sql)                                                              \
	sqlite3_stmt *s = sq_prepare(c, sql);                                                \
	if (!s)                                                                              \
		return STORE_ERROR

/* Migrations, in sqlite_schema.c. */
extern const char *const sq_migrations[];
extern const int sq_migration_count;

#endif
