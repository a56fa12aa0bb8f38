/*
 * sqlite_conn.c: the SQLite backend's plumbing: opening the file, one connection
 * per thread with its statement cache, migrations, transactions, backup and the
 * integrity check. Record-level SQL lives in the other sqlite_*.c files.
 *
 * Durability: WAL journal with synchronous=FULL, so a committed transaction is on
 * disk before store_commit returns. Write transactions share one writer
 * connection and its commits (group commit, sqlite_tx.c).
 */
#include "store/sqlite_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQ_BUSY_MS 30000

static _Thread_local char sq_err[512];

void sq_seterr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sq_err, sizeof(sq_err), fmt, ap);
	va_end(ap);
}

const char *store_errmsg(void)
{
	return sq_err;
}

store_rc sq_rc(sq_conn *c, int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STORE_OK;
	default:
		break;
	}
	int ext = c && c->db ? sqlite3_extended_errcode(c->db) : rc;
	sq_seterr("%s", c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return STORE_CONFLICT;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return STORE_CONSTRAINT;
	return STORE_ERROR;
}

static void conn_close(sq_conn *c)
{
	for (int i = 0; i < SQ_STMT_CACHE; i++)
		if (c->cache[i].stmt)
			sqlite3_finalize(c->cache[i].stmt);
	sqlite3_close(c->db);
	free(c);
}

/* Thread exit: the connection goes with its thread. */
static void conn_destructor(void *p)
{
	sq_conn *c = p;
	store *st = c->owner;
	pthread_mutex_lock(&st->lock);
	for (sq_conn **pp = &st->all; *pp; pp = &(*pp)->next_all)
		if (*pp == c) {
			*pp = c->next_all;
			break;
		}
	pthread_mutex_unlock(&st->lock);
	conn_close(c);
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		sq_seterr("%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

sqlite3 *sq_open_db(const char *path, int flags)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sq_seterr("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, SQ_BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	if (exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	                 " PRAGMA trusted_schema=OFF;") != SQLITE_OK) {
		/* e.g. "file is not a database": say which file */
		char keep[400];
		snprintf(keep, sizeof(keep), "%.300s", sq_err);
		sq_seterr("cannot use %s: %s", path, keep);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sq_conn *sq_conn_get(store *st)
{
	sq_conn *c = sq_tx_current(st); /* inside a write unit: the writer */
	if (c)
		return c;
	c = pthread_getspecific(st->key);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c) {
		sq_seterr("out of memory");
		return NULL;
	}
	c->db = sq_open_db(st->path, SQLITE_OPEN_READWRITE);
	if (!c->db) {
		free(c);
		return NULL;
	}
	/* every write goes through the writer (sqlite_tx.c): a thread's own
	 * connection only reads, and says so loudly if anything tries otherwise */
	if (exec_sql(c->db, "PRAGMA query_only=ON") != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	c->owner = st;
	pthread_mutex_lock(&st->lock);
	c->next_all = st->all;
	st->all = c;
	pthread_mutex_unlock(&st->lock);
	pthread_setspecific(st->key, c);
	return c;
}

void store_thread_done(store *st)
{
	sq_conn *c = pthread_getspecific(st->key);
	if (!c)
		return;
	pthread_setspecific(st->key, NULL);
	conn_destructor(c);
}

sqlite3_stmt *sq_prepare(sq_conn *c, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 4) % SQ_STMT_CACHE;
	for (size_t i = 0; i < SQ_STMT_CACHE; i++) {
		size_t k = (h + i) % SQ_STMT_CACHE;
		if (c->cache[k].sql == sql) {
			sqlite3_stmt *s = c->cache[k].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
		if (!c->cache[k].sql) {
			sqlite3_stmt *s = NULL;
			int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
			if (rc != SQLITE_OK) {
				sq_rc(c, rc);
				return NULL;
			}
			c->cache[k].sql = sql;
			c->cache[k].stmt = s;
			return s;
		}
	}
	/* cache full: should not happen with a fixed set of statements */
	sq_seterr("statement cache full");
	return NULL;
}

void sq_bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

void sq_bind_int(sqlite3_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s, i, v);
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

const char *sq_col_text(sqlite3_stmt *s, int i, arena *ar)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t)
		return NULL;
	return arena_strndup(ar, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

int64_t sq_col_int(sqlite3_stmt *s, int i)
{
	return sqlite3_column_int64(s, i);
}

/* A write outside store_begin/commit on a thread's own connection would wait
 * behind the writer's open batch (and could starve): it runs as a unit of its own. */
static bool outside_unit(const sq_conn *c)
{
	return !c->in_tx && c != c->owner->writer;
}

store_rc sq_exec_stmt(sq_conn *c, sqlite3_stmt *s)
{
	if (outside_unit(c) && !sqlite3_stmt_readonly(s))
		return sq_autocommit(c, s, NULL, NULL);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	sqlite3_reset(s);
	return r;
}

store_rc sq_write(sq_conn *c, sqlite3_stmt *s, int64_t *id, int *changes)
{
	if (outside_unit(c))
		return sq_autocommit(c, s, id, changes);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(c->db);
	if (r == STORE_OK && changes)
		*changes = sqlite3_changes(c->db);
	sqlite3_reset(s);
	return r;
}

store_rc sq_insert(sq_conn *c, sqlite3_stmt *s, int64_t *id)
{
	if (outside_unit(c))
		return sq_autocommit(c, s, id, NULL);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(c->db);
	sqlite3_reset(s);
	return r;
}

store_rc sq_update(sq_conn *c, sqlite3_stmt *s)
{
	if (outside_unit(c)) {
		int changes = 0;
		store_rc r = sq_autocommit(c, s, NULL, &changes);
		if (r == STORE_OK && changes == 0) {
			sq_seterr("no such row");
			r = STORE_NOT_FOUND;
		}
		return r;
	}
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK && sqlite3_changes(c->db) == 0) {
		sq_seterr("no such row");
		r = STORE_NOT_FOUND;
	}
	sqlite3_reset(s);
	return r;
}

/* ---- migrations ------------------------------------------------------- */

int store_schema_latest(void)
{
	return sq_migration_count;
}

static int read_version(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int v = 0;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations", -1, &s, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

int store_schema_version(store *st)
{
	sq_conn *c = sq_conn_get(st);
	return c ? read_version(c->db) : -1;
}

static store_rc migrate(sqlite3 *db)
{
	int have = read_version(db);
	if (have > sq_migration_count) {
		sq_seterr("the database has schema version %d, but this jifen knows only up to %d: "
		          "it was written by a newer jifen; upgrade jifen before using it",
		          have, sq_migration_count);
		return STORE_TOO_NEW;
	}
	for (int v = have + 1; v <= sq_migration_count; v++) {
		if (exec_sql(db, "BEGIN IMMEDIATE") != SQLITE_OK)
			return STORE_ERROR;
		if (exec_sql(db, sq_migrations[v - 1]) != SQLITE_OK) {
			char keep[600];
			snprintf(keep, sizeof(keep), "migration %d failed: %.500s", v, sq_err);
			exec_sql(db, "ROLLBACK");
			sq_seterr("%s", keep);
			return STORE_ERROR;
		}
		char rec[160];
		snprintf(rec, sizeof(rec),
		         "INSERT INTO schema_migrations(version, applied_at) VALUES (%d, strftime('%%s','now'))",
		         v);
		if (exec_sql(db, rec) != SQLITE_OK || exec_sql(db, "COMMIT") != SQLITE_OK) {
			exec_sql(db, "ROLLBACK");
			return STORE_ERROR;
		}
	}
	return STORE_OK;
}

store_rc store_open(const char *path, bool create, store **out, char *err, size_t errcap)
{
	*out = NULL;
	struct stat sb;
	if (!create && stat(path, &sb) != 0) {
		snprintf(err, errcap, "database %s does not exist (run `jifen init` or `jifen demo` first)",
		         path);
		return STORE_NOT_FOUND;
	}
	sqlite3 *db = sq_open_db(path, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
	if (!db) {
		snprintf(err, errcap, "%s", sq_err);
		return STORE_ERROR;
	}
	/* the migrations table exists in every jifen database, from version 1 on */
	if (exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY,"
	                 " applied_at INTEGER NOT NULL)") != SQLITE_OK) {
		snprintf(err, errcap, "%s is not a usable database: %s", path, sq_err);
		sqlite3_close(db);
		return STORE_ERROR;
	}
	store_rc rc = migrate(db);
	sqlite3_close(db);
	if (rc != STORE_OK) {
		snprintf(err, errcap, "%s", sq_err);
		return rc;
	}
	store *st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		snprintf(err, errcap, "out of memory");
		return STORE_ERROR;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->wlock, NULL);
	pthread_cond_init(&st->wdone, NULL);
	pthread_key_create(&st->key, conn_destructor);
	*out = st;
	return STORE_OK;
}

void store_close(store *st)
{
	if (!st)
		return;
	pthread_setspecific(st->key, NULL);
	pthread_mutex_lock(&st->lock);
	sq_conn *c = st->all;
	st->all = NULL;
	pthread_mutex_unlock(&st->lock);
	while (c) {
		sq_conn *next = c->next_all;
		conn_close(c);
		c = next;
	}
	sq_tx_close(st);
	pthread_key_delete(st->key);
	pthread_mutex_destroy(&st->lock);
	free(st->path);
	free(st);
}

/* ---- transactions: see sqlite_tx.c (group commit) ---------------------- */

/* ---- backup and integrity --------------------------------------------- */

store_rc store_backup(store *st, const char *dest, void (*progress)(int remaining, int total))
{
	sq_conn *c = sq_conn_get(st);
	if (!c)
		return STORE_ERROR;
	sqlite3 *to = NULL;
	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sq_seterr("cannot create %s: %s", dest, to ? sqlite3_errmsg(to) : "out of memory");
		sqlite3_close(to);
		return STORE_ERROR;
	}
	sqlite3_busy_timeout(to, SQ_BUSY_MS);
	sqlite3_backup *b = sqlite3_backup_init(to, "main", c->db, "main");
	if (!b) {
		sq_seterr("backup failed: %s", sqlite3_errmsg(to));
		sqlite3_close(to);
		return STORE_ERROR;
	}
	/* all pages in one step: one read transaction for the whole copy. In WAL
	 * mode it does not block writers, while copying in slices restarts the copy
	 * each time another process writes, so it may never end on a busy server. */
	int rc;
	do {
		rc = sqlite3_backup_step(b, -1);
		if (progress)
			progress(sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b));
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			usleep(5000);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	store_rc r = STORE_OK;
	if (rc != SQLITE_DONE) {
		sq_seterr("backup failed: %s", sqlite3_errstr(rc));
		r = STORE_ERROR;
	} else if (exec_sql(to, "PRAGMA journal_mode=DELETE") != SQLITE_OK) {
		r = STORE_ERROR;
	}
	sqlite3_close(to);
	return r;
}

store_rc store_integrity_check(store *st, char *out, size_t cap)
{
	sq_conn *c = sq_conn_get(st);
	if (!c)
		return STORE_ERROR;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return sq_rc(c, SQLITE_ERROR);
	store_rc r = STORE_OK;
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	else
		r = sq_rc(c, SQLITE_ERROR);
	sqlite3_finalize(s);
	return r;
}

store_rc store_check_file(const char *path, char *out, size_t cap)
{
	sqlite3 *db = NULL;
	snprintf(out, cap, "cannot open");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sq_seterr("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return STORE_ERROR;
	}
	sqlite3_stmt *s = NULL;
	store_rc r = STORE_OK;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	} else {
		sq_seterr("%s: %s", path, sqlite3_errmsg(db));
		r = STORE_ERROR;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return r;
}
