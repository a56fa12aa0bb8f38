/*
 * sqlite_tx.c: write transactions with group commit.
 *
 * SQLite has one writer at a time and, with synchronous=FULL, each COMMIT waits
 * for the disk (fdatasync of the WAL). One transaction per request would cap
 * writes at the disk's sync rate. Instead every write transaction of the
 * process is a *unit*: a SAVEPOINT inside one open transaction (a *batch*) of a
 * shared writer connection. Units run one at a time (wlock). When a unit ends
 * and no other thread is queued for wlock, or the batch is full or old, that
 * thread COMMITs the batch; otherwise it leaves the batch open for the next unit
 * and sleeps until the batch's COMMIT. So concurrent requests share one sync,
 * and none is answered before its writes are durable:
 *
 *   - store_commit returns STORE_OK only after the COMMIT of its batch succeeded;
 *     if that COMMIT fails, every unit of the batch gets the error.
 *   - a unit that fails rolls back to its savepoint; the other units of the
 *     batch are unaffected. If SQLite had to roll back the whole transaction
 *     (an I/O error, a full disk), every unit of the batch fails.
 *   - units of one batch see each other's writes in order (they are one
 *     transaction), exactly as if each had committed before the next began.
 *
 * store_commit_lazy ends a unit without waiting for durability, for writes whose
 * loss in a crash is harmless (an idempotency key's claim): the next unit, or a
 * thread closing the batch, makes it durable.
 */
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SQ_BATCH_MAX 128               /* units per batch at most */
#define SQ_BATCH_NS (20 * 1000 * 1000) /* a batch older than 20 ms commits */

struct sq_waiter {
	sq_waiter *next;
	bool done;
	store_rc rc;
	char err[256];
};

/* The unit this thread is running, if any. */
static _Thread_local struct {
	store *st;
	sq_conn *conn;
} tl_unit;

sq_conn *sq_tx_current(store *st)
{
	return tl_unit.st == st ? tl_unit.conn : NULL;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Steps a cached statement, waiting out SQLITE_BUSY (another process, e.g.
 * `jifen backup` or `jifen import`, holding the database). */
static store_rc step_busy(sq_conn *w, const char *sql)
{
	sqlite3_stmt *s = sq_prepare(w, sql);
	if (!s)
		return STORE_ERROR;
	for (int tries = 0;; tries++) {
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			return STORE_OK;
		if ((rc & 0xff) == SQLITE_BUSY && tries < 100) {
			usleep(10000);
			continue;
		}
		return sq_rc(w, rc);
	}
}

static sq_conn *writer_get(store *st)
{
	if (st->writer)
		return st->writer;
	sq_conn *w = calloc(1, sizeof(*w));
	if (!w) {
		sq_seterr("out of memory");
		return NULL;
	}
	w->db = sq_open_db(st->path, SQLITE_OPEN_READWRITE);
	if (!w->db) {
		free(w);
		return NULL;
	}
	w->owner = st;
	st->writer = w;
	return w;
}

/* Wakes every unit waiting for this batch with its outcome. Caller holds wlock. */
static void batch_done(store *st, store_rc rc, const char *err)
{
	for (sq_waiter *x = st->waiters; x; x = x->next) {
		x->rc = rc;
		snprintf(x->err, sizeof(x->err), "%s", err ? err : "");
		x->done = true;
	}
	st->waiters = NULL;
	st->batch_open = false;
	st->batch_units = 0;
	st->batches++;
	pthread_cond_broadcast(&st->wdone);
}

/* COMMITs the open batch. Caller holds wlock. */
static store_rc batch_commit(store *st)
{
	sq_conn *w = st->writer;
	store_rc rc = step_busy(w, "COMMIT");
	if (rc != STORE_OK) {
		char keep[256];
		snprintf(keep, sizeof(keep), "%s", store_errmsg());
		if (!sqlite3_get_autocommit(w->db))
			sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
		batch_done(st, rc, keep);
		sq_seterr("%s", keep);
		return rc;
	}
	batch_done(st, STORE_OK, NULL);
	return STORE_OK;
}

store_rc store_begin(store *st)
{
	if (tl_unit.st) {
		sq_seterr("transaction already open on this thread");
		return STORE_ERROR;
	}
	atomic_fetch_add(&st->waiting, 1);
	pthread_mutex_lock(&st->wlock);
	atomic_fetch_sub(&st->waiting, 1);
	sq_conn *w = writer_get(st);
	if (!w) {
		pthread_mutex_unlock(&st->wlock);
		return STORE_ERROR;
	}
	if (!st->batch_open) {
		store_rc rc = step_busy(w, "BEGIN IMMEDIATE");
		if (rc != STORE_OK) {
			pthread_mutex_unlock(&st->wlock);
			return rc;
		}
		st->batch_open = true;
		st->batch_units = 0;
		st->batch_t0 = mono_ns();
	}
	store_rc rc = step_busy(w, "SAVEPOINT unit");
	if (rc != STORE_OK) {
		/* nothing of this unit exists; let the batch go on or close */
		if (atomic_load(&st->waiting) == 0)
			batch_commit(st);
		pthread_mutex_unlock(&st->wlock);
		return rc;
	}
	w->in_tx = 1;
	tl_unit.st = st;
	tl_unit.conn = w;
	return STORE_OK;
}

/* Ends this thread's unit: commit (release the savepoint) or roll it back;
 * then commits the batch, leaves it to the next unit, or waits for its COMMIT. */
static store_rc unit_end(store *st, bool commit, bool wait)
{
	if (tl_unit.st != st) {
		if (commit)
			sq_seterr("no transaction is open on this thread");
		return commit ? STORE_ERROR : STORE_OK;
	}
	sq_conn *w = st->writer;
	tl_unit.st = NULL;
	tl_unit.conn = NULL;
	w->in_tx = 0;
	store_rc r = STORE_OK;
	char keep[512];
	snprintf(keep, sizeof(keep), "%s", store_errmsg());
	if (commit) {
		r = step_busy(w, "RELEASE unit");
		if (r != STORE_OK) {
			snprintf(keep, sizeof(keep), "%s", store_errmsg());
			commit = false;
		}
	}
	if (!commit && !sqlite3_get_autocommit(w->db)) {
		sqlite3_exec(w->db, "ROLLBACK TO unit", NULL, NULL, NULL);
		sqlite3_exec(w->db, "RELEASE unit", NULL, NULL, NULL);
	}
	if (sqlite3_get_autocommit(w->db)) {
		/* SQLite rolled the whole batch back (I/O error, full disk, ...) */
		const char *why = "写入失败，整批事务已回滚，请重试 / the write failed and its batch "
		                  "was rolled back; retry";
		batch_done(st, STORE_ERROR, why);
		pthread_mutex_unlock(&st->wlock);
		sq_seterr("%s", commit ? why : keep);
		return commit ? STORE_ERROR : r;
	}
	if (commit) {
		st->batch_units++;
		st->units++;
	}
	bool close_now = atomic_load(&st->waiting) == 0 || st->batch_units >= SQ_BATCH_MAX ||
	                 mono_ns() - st->batch_t0 > SQ_BATCH_NS;
	if (close_now) {
		store_rc cr = batch_commit(st);
		pthread_mutex_unlock(&st->wlock);
		if (!commit) {
			sq_seterr("%s", keep);
			return r;
		}
		return cr;
	}
	if (!commit || !wait) {
		pthread_mutex_unlock(&st->wlock);
		sq_seterr("%s", keep);
		return r;
	}
	sq_waiter me = {.next = st->waiters};
	st->waiters = &me;
	while (!me.done)
		pthread_cond_wait(&st->wdone, &st->wlock);
	pthread_mutex_unlock(&st->wlock);
	if (me.rc != STORE_OK)
		sq_seterr("%s", me.err);
	return me.rc;
}

store_rc store_commit(store *st)
{
	return unit_end(st, true, true);
}

store_rc store_commit_lazy(store *st)
{
	return unit_end(st, true, false);
}

void store_rollback(store *st)
{
	unit_end(st, false, false);
}

store_rc sq_autocommit(sq_conn *c, sqlite3_stmt *s, int64_t *id, int *changes)
{
	store *st = c->owner;
	store_rc r = store_begin(st);
	if (r != STORE_OK) {
		sqlite3_reset(s);
		return r;
	}
	sq_conn *w = st->writer;
	sqlite3_stmt *ws = NULL;
	int rc = sqlite3_prepare_v2(w->db, sqlite3_sql(s), -1, &ws, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_transfer_bindings(s, ws);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(ws);
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
	}
	r = rc == SQLITE_DONE ? STORE_OK : sq_rc(w, rc);
	if (r == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(w->db);
	if (r == STORE_OK && changes)
		*changes = sqlite3_changes(w->db);
	sqlite3_finalize(ws);
	sqlite3_reset(s);
	if (r != STORE_OK) {
		store_rollback(st);
		return r;
	}
	return store_commit(st);
}

void store_tx_stats(store *st, uint64_t *batches, uint64_t *units)
{
	pthread_mutex_lock(&st->wlock);
	*batches = st->batches;
	*units = st->units;
	pthread_mutex_unlock(&st->wlock);
}

void sq_tx_close(store *st)
{
	pthread_mutex_lock(&st->wlock);
	if (st->batch_open)
		batch_commit(st);
	sq_conn *w = st->writer;
	st->writer = NULL;
	pthread_mutex_unlock(&st->wlock);
	if (w) {
		for (int i = 0; i < SQ_STMT_CACHE; i++)
			if (w->cache[i].stmt)
				sqlite3_finalize(w->cache[i].stmt);
		sqlite3_close(w->db);
		free(w);
	}
	pthread_cond_destroy(&st->wdone);
	pthread_mutex_destroy(&st->wlock);
}
