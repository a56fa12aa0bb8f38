/*
 * sqlite_read.c: read snapshots, for caches of what a read computed. A snapshot is
 * an explicit read transaction on the thread's own connection plus that
 * connection's PRAGMA data_version, read inside it. SQLite guarantees that two
 * readings of data_version on one connection differ when any other connection
 * (the writer, another process) committed in between; the thread's connection
 * itself never writes (PRAGMA query_only, sqlite_conn.c). So equal versions on
 * the same connection mean the same database. Not for writes: inside a write
 * unit no snapshot is taken.
 */
#include "store/sqlite_internal.h"

#include <string.h>

static const char begin_sql[] = "BEGIN";
static const char version_sql[] = "PRAGMA data_version";
static const char commit_sql[] = "COMMIT";
static const char rollback_sql[] = "ROLLBACK";

/* A serial per connection: versions of different connections never compare equal. */
static atomic_uint_fast64_t next_serial;
static _Thread_local sq_conn *tl_conn;
static _Thread_local uint64_t tl_serial;

/* True if sql's statement is already prepared on c (sq_prepare's cache). A new
 * connection (even at a reused address) starts with an empty cache. */
static bool prepared_on(const sq_conn *c, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 4) % SQ_STMT_CACHE;
	for (size_t i = 0; i < SQ_STMT_CACHE; i++) {
		size_t k = (h + i) % SQ_STMT_CACHE;
		if (c->cache[k].sql == sql)
			return true;
		if (!c->cache[k].sql)
			return false;
	}
	return false;
}

static store_rc step_once(sq_conn *c, const char *sql)
{
	PREP_OR_FAIL(s, c, sql);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	sqlite3_reset(s);
	return r;
}

store_rc store_snapshot_begin(store *st, store_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	if (sq_tx_current(st))
		return STORE_OK;
	CONN_OR_FAIL(c, st);
	if (c->in_tx) /* the writer's (sq_tx_current said no, but be sure) */
		return STORE_OK;
	/* only snapshots open transactions on a thread's connection; one left open
	 * (a COMMIT that failed) would pin an old state: end it first */
	if (!sqlite3_get_autocommit(c->db) && step_once(c, rollback_sql) != STORE_OK)
		return STORE_ERROR;
	bool fresh = !prepared_on(c, version_sql);
	store_rc r = step_once(c, begin_sql);
	if (r != STORE_OK)
		return r;
	sqlite3_stmt *v = sq_prepare(c, version_sql);
	int rc = v ? sqlite3_step(v) : SQLITE_ERROR;
	if (rc != SQLITE_ROW) {
		r = v ? sq_rc(c, rc) : STORE_ERROR;
		if (v)
			sqlite3_reset(v);
		step_once(c, rollback_sql);
		return r;
	}
	int64_t version = sqlite3_column_int64(v, 0);
	sqlite3_reset(v);
	if (fresh || c != tl_conn) {
		tl_conn = c;
		tl_serial = atomic_fetch_add(&next_serial, 1) + 1;
	}
	snap->conn = tl_serial;
	snap->version = version;
	return STORE_OK;
}

void store_snapshot_end(store *st, const store_snapshot *snap)
{
	(void)st;
	/* the thread's own connection, even if a write unit began since (never the writer) */
	sq_conn *c = tl_conn;
	if (!snap->conn || snap->conn != tl_serial || !c || sqlite3_get_autocommit(c->db))
		return;
	if (step_once(c, commit_sql) != STORE_OK)
		step_once(c, rollback_sql);
}
