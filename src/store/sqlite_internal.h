/*
 * sqlite_internal.h: what the SQLite backend files share: the per-thread
 * connection, its cache of prepared statements, and small helpers to bind and read.
 * Nothing outside src/store/sqlite_*.c includes this.
 */
#ifndef JF_SQLITE_INTERNAL_H
#define JF_SQLITE_INTERNAL_H
#include <pthread.h>
#include <stdatomic.h>
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

typedef struct sq_waiter sq_waiter;

struct store {
	char *path;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards all */
	sq_conn *all;

	/* Group commit (sqlite_tx.c): every write transaction runs as a unit (a
	 * SAVEPOINT) inside one open transaction of the shared writer connection;
	 * units run one at a time under wlock, and one COMMIT makes a whole batch
	 * durable. A unit's store_commit returns only after that COMMIT. */
	pthread_mutex_t wlock;   /* held from store_begin to the unit's end */
	pthread_cond_t wdone;    /* a batch was committed or failed */
	sq_conn *writer;         /* opened on first use */
	atomic_int waiting;      /* threads queued for wlock */
	bool batch_open;         /* the writer has BEGIN IMMEDIATE open */
	int batch_units;         /* committed units in the open batch */
	int64_t batch_t0;        /* monotonic ns when the batch began */
	sq_waiter *waiters;      /* units waiting for the batch's COMMIT */
	uint64_t batches, units; /* counters, for the log and tests */
};

/* The writer connection when this thread is inside a write unit of st, else NULL. */
sq_conn *sq_tx_current(store *st);
/* Opens a connection with jifen's pragmas (for the writer; sqlite_conn.c). */
sqlite3 *sq_open_db(const char *path, int flags);
/* Runs one write statement prepared on a thread's connection outside a
 * transaction as its own unit on the writer (sqlite_tx.c); id/changes may be NULL. */
store_rc sq_autocommit(sq_conn *c, sqlite3_stmt *s, int64_t *id, int *changes);
/* Frees the writer connection and the group-commit state (store_close). */
void sq_tx_close(store *st);

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
/* Runs a write; the new rowid in *id and the rows changed in *changes (either may be NULL). */
store_rc sq_write(sq_conn *c, sqlite3_stmt *s, int64_t *id, int *changes);
/* Runs an UPDATE/DELETE; STORE_NOT_FOUND when no row changed. */
store_rc sq_update(sq_conn *c, sqlite3_stmt *s);

/* Fills one record from the current row; strings go into the arena. */
typedef void (*fill_fn)(sqlite3_stmt *s, arena *ar, void *rec);
/* Steps a query to the end, collecting records of recsize bytes into an arena array. */
store_rc sq_collect(sq_conn *c, sqlite3_stmt *s, arena *ar, size_t recsize, fill_fn fill,
                    void **out, size_t *n);
/* Steps a one-row query; STORE_NOT_FOUND when there is no row. */
store_rc sq_one(sq_conn *c, sqlite3_stmt *s, arena *ar, fill_fn fill, void *rec);
/* Steps a one-row query whose columns are integers into out[0..n) (NULL reads as
 * 0); STORE_NOT_FOUND when there is no row. For counts, sums and other aggregates. */
store_rc sq_one_ints(sq_conn *c, sqlite3_stmt *s, int64_t *out, int n);
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

/* The columns and joins that read an entry as st_entry (sq_fill_entry), in
 * sqlite_ledger.c; the first 26 columns are the entry's own (sq_fill_entry_row). */
#define SQ_ENTRY_COLS                                                                           \
	"e.id, e.village_id, e.seq, e.household_id, e.member_id, e.rule_id, e.rule_version,"  \
	" e.rule_lineage, e.kind, e.points, e.quantity, e.deed_date, e.month, e.bucket,"     \
	" e.note, e.evidence, e.reverses_id, e.batch_id, e.claim_id, e.activity_id,"         \
	" e.inspection_id, e.recorded_by, e.approved_by, e.created_at, e.prev_hash, e.hash,"  \
	" r.name, r.category, m.name, ur.display_name, ua.display_name, h.passbook_no,"      \
	" h.head_name, (SELECT x.id FROM entries x WHERE x.reverses_id = e.id),"           \
	" (e.bucket = 'confirmed' OR EXISTS (SELECT 1 FROM confirmed_months cm"             \
	"   WHERE cm.village_id = e.village_id AND cm.month = e.month))"
#define SQ_ENTRY_FROM                                                                           \
	" FROM entries e LEFT JOIN rules r ON r.id = e.rule_id"                               \
	" LEFT JOIN members m ON m.id = e.member_id"                                          \
	" LEFT JOIN users ur ON ur.id = e.recorded_by LEFT JOIN users ua ON ua.id = e.approved_by" \
	" JOIN households h ON h.id = e.household_id"
/* Reads the entry's own 26 columns (as stored, what the hash covers). */
void sq_fill_entry_row(sqlite3_stmt *s, arena *ar, st_entry *e);
/* Reads SQ_ENTRY_COLS into an st_entry (a fill_fn). */
void sq_fill_entry(sqlite3_stmt *s, arena *ar, void *rec);

/* Migrations, in sqlite_schema.c. */
extern const char *const sq_migrations[];
extern const int sq_migration_count;

#endif
