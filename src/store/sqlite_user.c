/*
 * sqlite_user.c: SQL for users, sessions and the login-failure record that
 * throttling counts.
 */
#include "store/sqlite_internal.h"

#define USER_COLS                                                                            \
	"u.id, u.username, u.display_name, u.role, u.phone, u.area_id, u.village_id,"        \
	" u.household_id, u.disabled, u.password_hash, u.pin_hash, u.created_at, u.updated_at,"  \
	" u.home_household_id"

static void fill_user(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_user *u = rec;
	u->id = sq_col_int(s, 0);
	u->username = sq_col_text(s, 1, ar);
	u->display_name = sq_col_text(s, 2, ar);
	u->role = sq_col_text(s, 3, ar);
	u->phone = sq_col_text(s, 4, ar);
	u->area_id = sq_col_int(s, 5);
	u->village_id = sq_col_int(s, 6);
	u->household_id = sq_col_int(s, 7);
	u->disabled = sq_col_int(s, 8) != 0;
	u->password_hash = sq_col_text(s, 9, ar);
	u->pin_hash = sq_col_text(s, 10, ar);
	u->created_at = sq_col_int(s, 11);
	u->updated_at = sq_col_int(s, 12);
	u->home_household_id = sq_col_int(s, 13);
}

store_rc store_user_create(store *st, const st_user *u, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO users(username, display_name, role, phone, area_id, village_id,"
		" household_id, password_hash, pin_hash, disabled, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, u->username);
	sq_bind_text(s, 2, u->display_name);
	sq_bind_text(s, 3, u->role);
	sq_bind_text(s, 4, u->phone);
	sq_bind_id(s, 5, u->area_id);
	sq_bind_id(s, 6, u->village_id);
	sq_bind_id(s, 7, u->household_id);
	sq_bind_text(s, 8, u->password_hash);
	sq_bind_text(s, 9, u->pin_hash);
	sq_bind_int(s, 10, u->disabled);
	sq_bind_int(s, 11, u->created_at);
	return sq_insert(c, s, id);
}

store_rc store_user_get(store *st, int64_t id, arena *ar, st_user *out)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_user, out);
}

store_rc store_user_by_username(store *st, const char *username, arena *ar, st_user *out)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users u WHERE u.username = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, username);
	return sq_one(c, s, ar, fill_user, out);
}

store_rc store_user_by_phone(store *st, const char *phone, arena *ar, st_user *out)
{
	static const char sql[] = "SELECT " USER_COLS " FROM users u WHERE u.phone = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, phone);
	return sq_one(c, s, ar, fill_user, out);
}

store_rc store_user_by_household_pin(store *st, int64_t household_id, arena *ar, st_user *out)
{
	static const char sql[] = "SELECT " USER_COLS
		" FROM users u WHERE u.household_id = ?1 AND u.pin_hash IS NOT NULL";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	return sq_one(c, s, ar, fill_user, out);
}

#define USER_WHERE                                                                           \
	" WHERE (?1 IS NULL OR u.village_id = ?1) AND (?3 IS NULL OR u.role = ?3)"           \
	" AND (?2 IS NULL OR u.area_id IN (SELECT id FROM sub)"                              \
	"      OR u.village_id IN (SELECT v.id FROM villages v WHERE v.area_id IN (SELECT id FROM sub)))"
#define USER_CTE                                                                             \
	"WITH RECURSIVE sub(id) AS (SELECT id FROM areas WHERE id = ?2"                      \
	"  UNION ALL SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id) "

store_rc store_user_list(store *st, const st_user_filter *f, arena *ar, st_user **out,
                         size_t *n, int64_t *total)
{
	static const char count_sql[] = USER_CTE "SELECT count(*) FROM users u" USER_WHERE;
	static const char sql[] = USER_CTE "SELECT " USER_COLS " FROM users u" USER_WHERE
		" ORDER BY u.id LIMIT ?4 OFFSET ?5";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_id(cs, 1, f->village_id);
	sq_bind_id(cs, 2, f->area_root);
	sq_bind_text(cs, 3, f->role);
	int rc = sqlite3_step(cs);
	if (rc != SQLITE_ROW) {
		store_rc r = sq_rc(c, rc);
		sqlite3_reset(cs);
		return r;
	}
	*total = sq_col_int(cs, 0);
	sqlite3_reset(cs);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_id(s, 1, f->village_id);
	sq_bind_id(s, 2, f->area_root);
	sq_bind_text(s, 3, f->role);
	sq_bind_int(s, 4, f->limit);
	sq_bind_int(s, 5, f->offset);
	return sq_collect(c, s, ar, sizeof(st_user), fill_user, (void **)out, n);
}

store_rc store_user_set_secret(store *st, int64_t id, bool pin, const char *hash)
{
	static const char pw_sql[] =
		"UPDATE users SET password_hash = ?2, updated_at = strftime('%s','now') WHERE id = ?1";
	static const char pin_sql[] =
		"UPDATE users SET pin_hash = ?2, updated_at = strftime('%s','now') WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, pin ? pin_sql : pw_sql);
	sq_bind_int(s, 1, id);
	sq_bind_text(s, 2, hash);
	return sq_update(c, s);
}

store_rc store_user_set_disabled(store *st, int64_t id, bool disabled)
{
	static const char sql[] =
		"UPDATE users SET disabled = ?2, updated_at = strftime('%s','now') WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, disabled);
	return sq_update(c, s);
}

store_rc store_user_update(store *st, const st_user *u)
{
	static const char sql[] = "UPDATE users SET display_name = ?2, phone = ?3,"
		" updated_at = strftime('%s','now') WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, u->id);
	sq_bind_text(s, 2, u->display_name);
	sq_bind_text(s, 3, u->phone);
	return sq_update(c, s);
}

store_rc store_user_set_home_household(store *st, int64_t id, int64_t household_id)
{
	static const char sql[] = "UPDATE users SET home_household_id = ?2,"
		" updated_at = strftime('%s','now') WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_id(s, 2, household_id);
	return sq_update(c, s);
}

/* ---- sessions --------------------------------------------------------- */

static void fill_session(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_session *x = rec;
	x->id = sq_col_int(s, 0);
	x->user_id = sq_col_int(s, 1);
	x->csrf_token = sq_col_text(s, 2, ar);
	x->created_at = sq_col_int(s, 3);
	x->last_seen = sq_col_int(s, 4);
	x->expires_at = sq_col_int(s, 5);
}

store_rc store_session_create(store *st, const char *token_hash, const st_session *x, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen, expires_at)"
		" VALUES (?1, ?2, ?3, ?4, ?4, ?5)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, token_hash);
	sq_bind_int(s, 2, x->user_id);
	sq_bind_text(s, 3, x->csrf_token);
	sq_bind_int(s, 4, x->created_at);
	sq_bind_int(s, 5, x->expires_at);
	return sq_insert(c, s, id);
}

store_rc store_session_by_hash(store *st, const char *token_hash, arena *ar, st_session *out)
{
	static const char sql[] = "SELECT id, user_id, csrf_token, created_at, last_seen, expires_at"
		" FROM sessions WHERE token_hash = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, token_hash);
	return sq_one(c, s, ar, fill_session, out);
}

store_rc store_session_touch(store *st, int64_t id, int64_t now)
{
	static const char sql[] = "UPDATE sessions SET last_seen = ?2 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, now);
	return sq_update(c, s);
}

store_rc store_session_delete(store *st, int64_t id)
{
	static const char sql[] = "DELETE FROM sessions WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_exec_stmt(c, s);
}

store_rc store_session_delete_user(store *st, int64_t user_id)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, user_id);
	return sq_exec_stmt(c, s);
}

store_rc store_session_purge(store *st, int64_t now, int64_t idle_before)
{
	static const char sql[] = "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen < ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, now);
	sq_bind_int(s, 2, idle_before);
	return sq_exec_stmt(c, s);
}

/* ---- login failures --------------------------------------------------- */

store_rc store_login_failure_add(store *st, const char *key, int64_t at)
{
	static const char sql[] = "INSERT INTO login_failures(key, at) VALUES (?1, ?2)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, key);
	sq_bind_int(s, 2, at);
	return sq_insert(c, s, NULL);
}

store_rc store_login_failure_count(store *st, const char *key, int64_t since, int64_t *count,
                                   int64_t *oldest)
{
	static const char sql[] =
		"SELECT count(*), COALESCE(min(at), 0) FROM login_failures WHERE key = ?1 AND at >= ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, key);
	sq_bind_int(s, 2, since);
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		*count = sq_col_int(s, 0);
		*oldest = sq_col_int(s, 1);
	} else
		r = sq_rc(c, rc);
	sqlite3_reset(s);
	return r;
}

store_rc store_login_failure_clear(store *st, const char *key)
{
	static const char sql[] = "DELETE FROM login_failures WHERE key = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, key);
	return sq_exec_stmt(c, s);
}
