/*
 * sqlite_idem.c: SQL for idempotency keys (one effect per key and user) and for
 * the photo records (the image files live on disk, named by their hash).
 */
#include "store/sqlite_internal.h"

#include <string.h>

store_rc store_idem_claim(store *st, int64_t user_id, const char *key, const char *request_hash,
                          int64_t now, int64_t stale_before, arena *ar, st_idem *out)
{
	static const char get[] = "SELECT request_hash, state, status, response, result_ref,"
		" started_at FROM idempotency_keys WHERE user_id = ?1 AND key = ?2";
	static const char ins[] = "INSERT INTO idempotency_keys(user_id, key, request_hash, state,"
		" started_at, token) VALUES (?1, ?2, ?3, 'running', ?4, ?5)";
	static const char take[] = "UPDATE idempotency_keys SET started_at = ?3, token = ?4"
		" WHERE user_id = ?1 AND key = ?2 AND state = 'running'";
	static const char new_token[] = "SELECT lower(hex(randomblob(16)))";
	memset(out, 0, sizeof(*out));
	store_rc r = store_begin(st);
	if (r != STORE_OK)
		return r;
	sq_conn *c = sq_conn_get(st);
	sqlite3_stmt *tk = sq_prepare(c, new_token);
	if (!tk || sqlite3_step(tk) != SQLITE_ROW) {
		if (tk)
			sqlite3_reset(tk);
		store_rollback(st);
		return STORE_ERROR;
	}
	const char *token = sq_col_text(tk, 0, ar);
	sqlite3_reset(tk);
	sqlite3_stmt *s = sq_prepare(c, get);
	if (!s) {
		store_rollback(st);
		return STORE_ERROR;
	}
	sq_bind_int(s, 1, user_id);
	sq_bind_text(s, 2, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		sqlite3_stmt *i = sq_prepare(c, ins);
		if (!i) {
			store_rollback(st);
			return STORE_ERROR;
		}
		sq_bind_int(i, 1, user_id);
		sq_bind_text(i, 2, key);
		sq_bind_text(i, 3, request_hash);
		sq_bind_int(i, 4, now);
		sq_bind_text(i, 5, token);
		r = sq_insert(c, i, NULL);
		out->state = IDEM_NEW;
		out->token = token;
	} else if (rc == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(s, 0);
		const char *state = (const char *)sqlite3_column_text(s, 1);
		int64_t started = sq_col_int(s, 5);
		bool same = hash && strcmp(hash, request_hash) == 0;
		bool running = state && strcmp(state, "running") == 0;
		if (!same) {
			out->state = IDEM_MISMATCH;
		} else if (!running) {
			out->state = IDEM_DONE;
			out->status = (int)sq_col_int(s, 2);
			out->response = sq_col_text(s, 3, ar);
			out->result_ref = sq_col_text(s, 4, ar);
		} else if (started >= stale_before) {
			out->state = IDEM_RUNNING;
		} else {
			out->state = IDEM_NEW; /* the first request died: take over */
		}
		sqlite3_reset(s);
		if (out->state == IDEM_NEW) {
			sqlite3_stmt *t = sq_prepare(c, take);
			if (!t) {
				store_rollback(st);
				return STORE_ERROR;
			}
			sq_bind_int(t, 1, user_id);
			sq_bind_text(t, 2, key);
			sq_bind_int(t, 3, now);
			sq_bind_text(t, 4, token);
			r = sq_update(c, t);
			out->token = token;
		}
	} else {
		r = sq_rc(c, rc);
		sqlite3_reset(s);
	}
	if (r != STORE_OK) {
		store_rollback(st);
		return r;
	}
	/* A new claim lost in a crash is harmless: its request was never answered, and
	 * it commits durably with the request's own writes. A finished key is answered
	 * from what it read, which may be another request's batch still on its way to
	 * the disk: that answer waits for the batch like the first one did. */
	return out->state == IDEM_DONE ? store_commit(st) : store_commit_lazy(st);
}

store_rc store_idem_complete(store *st, int64_t user_id, const char *key, const char *token,
                             const char *result_ref)
{
	static const char sql[] = "UPDATE idempotency_keys SET state = 'done', result_ref = ?4"
		" WHERE user_id = ?1 AND key = ?2 AND token = ?3 AND state = 'running'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, user_id);
	sq_bind_text(s, 2, key);
	sq_bind_text(s, 3, token);
	sq_bind_text(s, 4, result_ref);
	store_rc r = sq_update(c, s);
	if (r == STORE_NOT_FOUND) {
		sq_seterr("the idempotency key was taken over by a retry");
		r = STORE_CONFLICT;
	}
	return r;
}

/* Runs one bookkeeping write of a key as a transaction committed lazily: if a
 * crash loses it, the key is replayed from its result_ref (rerender) or, still
 * "running", taken over by a retry once stale; its request made no other change. */
static store_rc lazy_write(store *st, const char *sql, int64_t user_id, const char *key,
                           const char *token, int status, const char *response, int64_t before,
                           bool must_change)
{
	store_rc r = store_begin(st);
	if (r != STORE_OK)
		return r;
	sq_conn *c = sq_conn_get(st);
	sqlite3_stmt *s = c ? sq_prepare(c, sql) : NULL;
	if (!s) {
		store_rollback(st);
		return STORE_ERROR;
	}
	if (key) {
		sq_bind_int(s, 1, user_id);
		sq_bind_text(s, 2, key);
		sq_bind_text(s, 3, token);
		if (response) {
			sq_bind_int(s, 4, status);
			sq_bind_text(s, 5, response);
		}
	} else {
		sq_bind_int(s, 1, before);
	}
	r = must_change ? sq_update(c, s) : sq_exec_stmt(c, s);
	if (r != STORE_OK) {
		store_rollback(st);
		return r;
	}
	return store_commit_lazy(st);
}

store_rc store_idem_set_response(store *st, int64_t user_id, const char *key, const char *token,
                                 int status, const char *response)
{
	static const char sql[] = "UPDATE idempotency_keys SET state = 'done', status = ?4,"
		" response = ?5 WHERE user_id = ?1 AND key = ?2 AND token = ?3";
	return lazy_write(st, sql, user_id, key, token, status, response ? response : "", 0, true);
}

store_rc store_idem_release(store *st, int64_t user_id, const char *key, const char *token)
{
	static const char sql[] = "DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2"
		" AND token = ?3 AND state = 'running'";
	return lazy_write(st, sql, user_id, key, token, 0, NULL, 0, false);
}

store_rc store_idem_purge(store *st, int64_t before)
{
	static const char sql[] = "DELETE FROM idempotency_keys WHERE started_at < ?1";
	return lazy_write(st, sql, 0, NULL, NULL, 0, NULL, before, false);
}

store_rc store_photo_add(store *st, const st_photo *p)
{
	static const char sql[] = "INSERT INTO photos(village_id, hash, mime, width, height, bytes,"
		" uploaded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, p->village_id);
	sq_bind_text(s, 2, p->hash);
	sq_bind_text(s, 3, p->mime);
	sq_bind_int(s, 4, p->width);
	sq_bind_int(s, 5, p->height);
	sq_bind_int(s, 6, p->bytes);
	sq_bind_int(s, 7, p->uploaded_by);
	sq_bind_int(s, 8, p->created_at);
	return sq_insert(c, s, NULL);
}

static void fill_photo(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_photo *p = rec;
	p->village_id = sq_col_int(s, 0);
	p->hash = sq_col_text(s, 1, ar);
	p->mime = sq_col_text(s, 2, ar);
	p->width = sq_col_int(s, 3);
	p->height = sq_col_int(s, 4);
	p->bytes = sq_col_int(s, 5);
	p->uploaded_by = sq_col_int(s, 6);
	p->created_at = sq_col_int(s, 7);
}

store_rc store_photo_get(store *st, int64_t village_id, const char *hash, arena *ar, st_photo *out)
{
	static const char sql[] = "SELECT village_id, hash, mime, width, height, bytes, uploaded_by,"
		" created_at FROM photos WHERE village_id = ?1 AND hash = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, hash);
	return sq_one(c, s, ar, fill_photo, out);
}
