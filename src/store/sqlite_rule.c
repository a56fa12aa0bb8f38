/*
 * sqlite_rule.c: SQL for the rule catalogue (积分细则). A used rule is frozen by
 * a trigger in the schema; these functions rely on it rather than re-check.
 */
#include "store/sqlite_internal.h"

#define RULE_COLS                                                                            \
	"id, village_id, lineage_id, version, category, name, unit, recorders, description,"  \
	" status, points, min_points, max_points, cap_month, cap_year, evidence_required,"   \
	" claimable, used, created_by, created_at, retired_at"

static void fill_rule(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_rule *r = rec;
	r->id = sq_col_int(s, 0);
	r->village_id = sq_col_int(s, 1);
	r->lineage_id = sq_col_int(s, 2);
	r->version = sq_col_int(s, 3);
	r->category = sq_col_text(s, 4, ar);
	r->name = sq_col_text(s, 5, ar);
	r->unit = sq_col_text(s, 6, ar);
	r->recorders = sq_col_text(s, 7, ar);
	r->description = sq_col_text(s, 8, ar);
	r->status = sq_col_text(s, 9, ar);
	r->points = sq_col_int(s, 10);
	r->has_range = sqlite3_column_type(s, 11) != SQLITE_NULL;
	r->min_points = sq_col_int(s, 11);
	r->max_points = sq_col_int(s, 12);
	r->cap_month = sq_col_int(s, 13);
	r->cap_year = sq_col_int(s, 14);
	r->evidence_required = sq_col_int(s, 15) != 0;
	r->claimable = sq_col_int(s, 16) != 0;
	r->used = sq_col_int(s, 17) != 0;
	r->created_by = sq_col_int(s, 18);
	r->created_at = sq_col_int(s, 19);
	r->retired_at = sq_col_int(s, 20);
}

/* Binds the editable fields at ?2..?14. */
static void bind_fields(sqlite3_stmt *s, const st_rule *r)
{
	sq_bind_text(s, 2, r->category);
	sq_bind_text(s, 3, r->name);
	sq_bind_text(s, 4, r->unit);
	sq_bind_text(s, 5, r->recorders);
	sq_bind_text(s, 6, r->description ? r->description : "");
	sq_bind_int(s, 7, r->points);
	if (r->has_range) {
		sq_bind_int(s, 8, r->min_points);
		sq_bind_int(s, 9, r->max_points);
	} else {
		sqlite3_bind_null(s, 8);
		sqlite3_bind_null(s, 9);
	}
	sq_bind_id(s, 10, r->cap_month);
	sq_bind_id(s, 11, r->cap_year);
	sq_bind_int(s, 12, r->evidence_required);
	sq_bind_int(s, 13, r->claimable);
}

store_rc store_rule_create(store *st, const st_rule *r, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO rules(village_id, category, name, unit, recorders, description, points,"
		" min_points, max_points, cap_month, cap_year, evidence_required, claimable,"
		" lineage_id, version, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
	static const char lineage_sql[] = "UPDATE rules SET lineage_id = id WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, r->village_id);
	bind_fields(s, r);
	sq_bind_int(s, 14, r->lineage_id);
	sq_bind_int(s, 15, r->version ? r->version : 1);
	sq_bind_id(s, 16, r->created_by);
	sq_bind_int(s, 17, r->created_at);
	store_rc rc = sq_insert(c, s, id);
	if (rc != STORE_OK || r->lineage_id)
		return rc;
	PREP_OR_FAIL(u, c, lineage_sql);
	sq_bind_int(u, 1, *id);
	return sq_update(c, u);
}

store_rc store_rule_get(store *st, int64_t id, arena *ar, st_rule *out)
{
	static const char sql[] = "SELECT " RULE_COLS " FROM rules WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_rule, out);
}

store_rc store_rule_list(store *st, int64_t village_id, const char *status, arena *ar,
                         st_rule **out, size_t *n)
{
	static const char sql[] = "SELECT " RULE_COLS " FROM rules WHERE village_id = ?1"
		" AND (?2 IS NULL OR status = ?2) ORDER BY points < 0, category, name, version";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, status);
	return sq_collect(c, s, ar, sizeof(st_rule), fill_rule, (void **)out, n);
}

store_rc store_rule_update(store *st, const st_rule *r)
{
	static const char sql[] =
		"UPDATE rules SET category = ?2, name = ?3, unit = ?4, recorders = ?5,"
		" description = ?6, points = ?7, min_points = ?8, max_points = ?9, cap_month = ?10,"
		" cap_year = ?11, evidence_required = ?12, claimable = ?13 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, r->id);
	bind_fields(s, r);
	return sq_update(c, s);
}

store_rc store_rule_retire(store *st, int64_t id, int64_t at)
{
	static const char sql[] =
		"UPDATE rules SET status = 'retired', retired_at = ?2 WHERE id = ?1 AND status = 'active'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, at);
	return sq_update(c, s);
}

store_rc store_rule_mark_used(store *st, int64_t id)
{
	static const char sql[] = "UPDATE rules SET used = 1 WHERE id = ?1 AND used = 0";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_exec_stmt(c, s);
}

store_rc store_rule_delete(store *st, int64_t id)
{
	static const char sql[] = "DELETE FROM rules WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_update(c, s);
}
