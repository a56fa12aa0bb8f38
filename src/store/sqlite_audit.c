/*
 * sqlite_audit.c: SQL for the append-only audit log. Triggers in the schema
 * refuse UPDATE and DELETE on it; this file only inserts and reads.
 */
#include "store/sqlite_internal.h"

store_rc store_audit_add(store *st, const st_audit *a)
{
	static const char sql[] =
		"INSERT INTO audit_log(at, user_id, ip, area_id, village_id, entity, entity_id, action,"
		" summary) VALUES (?1, ?2, ?3,"
		" COALESCE(?4, (SELECT area_id FROM villages WHERE id = ?5)), ?5, ?6, ?7, ?8, ?9)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, a->at);
	sq_bind_id(s, 2, a->user_id);
	sq_bind_text(s, 3, a->ip ? a->ip : "");
	sq_bind_id(s, 4, a->area_id);
	sq_bind_id(s, 5, a->village_id);
	sq_bind_text(s, 6, a->entity);
	sq_bind_id(s, 7, a->entity_id);
	sq_bind_text(s, 8, a->action);
	sq_bind_text(s, 9, a->summary ? a->summary : "");
	return sq_insert(c, s, NULL);
}

static void fill_audit(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_audit *a = rec;
	a->id = sq_col_int(s, 0);
	a->at = sq_col_int(s, 1);
	a->user_id = sq_col_int(s, 2);
	a->ip = sq_col_text(s, 3, ar);
	a->area_id = sq_col_int(s, 4);
	a->village_id = sq_col_int(s, 5);
	a->entity = sq_col_text(s, 6, ar);
	a->entity_id = sq_col_int(s, 7);
	a->action = sq_col_text(s, 8, ar);
	a->summary = sq_col_text(s, 9, ar);
	a->username = sq_col_text(s, 10, ar);
}

#define AUDIT_CTE                                                                            \
	"WITH RECURSIVE sub(id) AS (SELECT id FROM areas WHERE id = ?2"                      \
	"  UNION ALL SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id) "
#define AUDIT_WHERE                                                                          \
	" WHERE (?1 IS NULL OR l.village_id = ?1)"                                           \
	" AND (?2 IS NULL OR l.area_id IN (SELECT id FROM sub))"                             \
	" AND (?3 IS NULL OR l.entity = ?3) AND (?4 IS NULL OR l.entity_id = ?4)"            \
	" AND (?5 IS NULL OR l.user_id = ?5) AND (?6 IS NULL OR l.at >= ?6)"                 \
	" AND (?7 IS NULL OR l.at < ?7)"

store_rc store_audit_list(store *st, const st_audit_filter *f, arena *ar, st_audit **out,
                          size_t *n, int64_t *total)
{
	static const char count_sql[] = AUDIT_CTE "SELECT count(*) FROM audit_log l" AUDIT_WHERE;
	static const char sql[] = AUDIT_CTE
		"SELECT l.id, l.at, l.user_id, l.ip, l.area_id, l.village_id, l.entity, l.entity_id,"
		" l.action, l.summary, u.username FROM audit_log l LEFT JOIN users u ON u.id = l.user_id"
		AUDIT_WHERE " ORDER BY l.id DESC LIMIT ?8 OFFSET ?9";
	CONN_OR_FAIL(c, st);
	const char *sqls[2] = {count_sql, sql};
	for (int k = 0; k < 2; k++) {
		PREP_OR_FAIL(s, c, sqls[k]);
		sq_bind_id(s, 1, f->village_id);
		sq_bind_id(s, 2, f->area_root);
		sq_bind_text(s, 3, f->entity);
		sq_bind_id(s, 4, f->entity_id);
		sq_bind_id(s, 5, f->user_id);
		sq_bind_id(s, 6, f->since);
		sq_bind_id(s, 7, f->until);
		if (k == 0) {
			int rc = sqlite3_step(s);
			if (rc != SQLITE_ROW) {
				store_rc r = sq_rc(c, rc);
				sqlite3_reset(s);
				return r;
			}
			*total = sq_col_int(s, 0);
			sqlite3_reset(s);
			continue;
		}
		sq_bind_int(s, 8, f->limit);
		sq_bind_int(s, 9, f->offset);
		return sq_collect(c, s, ar, sizeof(st_audit), fill_audit, (void **)out, n);
	}
	return STORE_ERROR;
}
