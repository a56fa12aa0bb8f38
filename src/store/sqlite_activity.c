/*
 * sqlite_activity.c: SQL for activities (活动) with their sign-ups, and for
 * inspection rounds (入户环境检查) with their per-household scores. The points
 * themselves are ledger entries (sqlite_ledger.c); these tables only say who
 * signed up, who came, and which household a round has scored.
 */
#include "store/sqlite_internal.h"



/* ---- activities ------------------------------------------------------- */

#define ACTIVITY_COLS                                                                        \
	"a.id, a.village_id, a.rule_id, a.name, a.activity_date, a.description, a.status,"    \
	" a.batch_id, a.created_by, a.created_at, r.name, r.points,"                          \
	" (SELECT count(*) FROM activity_signups s WHERE s.activity_id = a.id),"              \
	" (SELECT count(*) FROM activity_signups s WHERE s.activity_id = a.id AND s.attended)"
#define ACTIVITY_FROM " FROM activities a LEFT JOIN rules r ON r.id = a.rule_id"

static void fill_activity(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_activity *a = rec;
	a->id = sq_col_int(s, 0);
	a->village_id = sq_col_int(s, 1);
	a->rule_id = sq_col_int(s, 2);
	a->name = sq_col_text(s, 3, ar);
	a->activity_date = sq_col_text(s, 4, ar);
	a->description = sq_col_text(s, 5, ar);
	a->status = sq_col_text(s, 6, ar);
	a->batch_id = sq_col_int(s, 7);
	a->created_by = sq_col_int(s, 8);
	a->created_at = sq_col_int(s, 9);
	a->rule_name = sq_col_text(s, 10, ar);
	a->rule_points = sq_col_int(s, 11);
	a->signup_count = sq_col_int(s, 12);
	a->attended_count = sq_col_int(s, 13);
}

store_rc store_activity_create(store *st, const st_activity *a, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO activities(village_id, name, rule_id, activity_date, description,"
		" created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, a->village_id);
	sq_bind_text(s, 2, a->name);
	sq_bind_int(s, 3, a->rule_id);
	sq_bind_text(s, 4, a->activity_date);
	sq_bind_text(s, 5, a->description ? a->description : "");
	sq_bind_int(s, 6, a->created_by);
	sq_bind_int(s, 7, a->created_at);
	return sq_insert(c, s, id);
}

store_rc store_activity_get(store *st, int64_t id, arena *ar, st_activity *out)
{
	static const char sql[] = "SELECT " ACTIVITY_COLS ACTIVITY_FROM " WHERE a.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_activity, out);
}

store_rc store_activity_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                             arena *ar, st_activity **out, size_t *n, int64_t *total)
{
	static const char csql[] = "SELECT count(*) FROM activities WHERE village_id = ?1";
	static const char sql[] = "SELECT " ACTIVITY_COLS ACTIVITY_FROM " WHERE a.village_id = ?1"
		" ORDER BY a.activity_date DESC, a.id DESC LIMIT ?2 OFFSET ?3";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, csql);
	sq_bind_int(cs, 1, village_id);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, limit);
	sq_bind_int(s, 3, offset);
	return sq_collect(c, s, ar, sizeof(st_activity), fill_activity, (void **)out, n);
}

store_rc store_activity_set_awarded(store *st, int64_t id, int64_t batch_id)
{
	static const char sql[] = "UPDATE activities SET status = 'awarded', batch_id = ?2"
		" WHERE id = ?1 AND status = 'open'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, batch_id);
	return sq_update(c, s);
}

/* ---- sign-ups --------------------------------------------------------- */

static void fill_signup(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_signup *u = rec;
	u->id = sq_col_int(s, 0);
	u->activity_id = sq_col_int(s, 1);
	u->village_id = sq_col_int(s, 2);
	u->household_id = sq_col_int(s, 3);
	u->member_id = sq_col_int(s, 4);
	u->attended = sq_col_int(s, 5) != 0;
	u->created_by = sq_col_int(s, 6);
	u->created_at = sq_col_int(s, 7);
	u->passbook_no = sq_col_text(s, 8, ar);
	u->head_name = sq_col_text(s, 9, ar);
	u->member_name = sq_col_text(s, 10, ar);
}

store_rc store_signup_add(store *st, const st_signup *u, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO activity_signups(activity_id, village_id, household_id, member_id,"
		" created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, u->activity_id);
	sq_bind_int(s, 2, u->village_id);
	sq_bind_int(s, 3, u->household_id);
	sq_bind_id(s, 4, u->member_id);
	sq_bind_int(s, 5, u->created_by);
	sq_bind_int(s, 6, u->created_at);
	return sq_insert(c, s, id);
}

store_rc store_signup_list(store *st, int64_t activity_id, int64_t household_id, arena *ar,
                           st_signup **out, size_t *n)
{
	static const char sql[] =
		"SELECT s.id, s.activity_id, s.village_id, s.household_id, s.member_id, s.attended,"
		" s.created_by, s.created_at, h.passbook_no, h.head_name, m.name"
		" FROM activity_signups s JOIN households h ON h.id = s.household_id"
		" LEFT JOIN members m ON m.id = s.member_id"
		" WHERE s.activity_id = ?1 AND (?2 IS NULL OR s.household_id = ?2) ORDER BY s.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, activity_id);
	sq_bind_id(s, 2, household_id);
	return sq_collect(c, s, ar, sizeof(st_signup), fill_signup, (void **)out, n);
}

store_rc store_signup_set_attended(store *st, int64_t activity_id, int64_t signup_id,
                                   bool attended)
{
	static const char sql[] =
		"UPDATE activity_signups SET attended = ?3 WHERE id = ?2 AND activity_id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, activity_id);
	sq_bind_int(s, 2, signup_id);
	sq_bind_int(s, 3, attended ? 1 : 0);
	return sq_update(c, s);
}

/* ---- inspection rounds ------------------------------------------------ */

#define INSPECTION_COLS                                                                      \
	"i.id, i.village_id, i.group_id, i.inspection_date, i.status, i.created_by,"         \
	" i.created_at, g.name,"                                                              \
	" (SELECT count(*) FROM inspection_scores s WHERE s.inspection_id = i.id)"
#define INSPECTION_FROM " FROM inspections i LEFT JOIN villager_groups g ON g.id = i.group_id"

static void fill_inspection(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_inspection *i = rec;
	i->id = sq_col_int(s, 0);
	i->village_id = sq_col_int(s, 1);
	i->group_id = sq_col_int(s, 2);
	i->inspection_date = sq_col_text(s, 3, ar);
	i->status = sq_col_text(s, 4, ar);
	i->created_by = sq_col_int(s, 5);
	i->created_at = sq_col_int(s, 6);
	i->group_name = sq_col_text(s, 7, ar);
	i->scored_count = sq_col_int(s, 8);
}

store_rc store_inspection_create(store *st, const st_inspection *i, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO inspections(village_id, group_id, inspection_date, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, i->village_id);
	sq_bind_int(s, 2, i->group_id);
	sq_bind_text(s, 3, i->inspection_date);
	sq_bind_int(s, 4, i->created_by);
	sq_bind_int(s, 5, i->created_at);
	return sq_insert(c, s, id);
}

store_rc store_inspection_get(store *st, int64_t id, arena *ar, st_inspection *out)
{
	static const char sql[] = "SELECT " INSPECTION_COLS INSPECTION_FROM " WHERE i.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_inspection, out);
}

store_rc store_inspection_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                               arena *ar, st_inspection **out, size_t *n, int64_t *total)
{
	static const char csql[] = "SELECT count(*) FROM inspections WHERE village_id = ?1";
	static const char sql[] = "SELECT " INSPECTION_COLS INSPECTION_FROM
		" WHERE i.village_id = ?1 ORDER BY i.inspection_date DESC, i.id DESC LIMIT ?2 OFFSET ?3";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, csql);
	sq_bind_int(cs, 1, village_id);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, limit);
	sq_bind_int(s, 3, offset);
	return sq_collect(c, s, ar, sizeof(st_inspection), fill_inspection, (void **)out, n);
}

store_rc store_inspection_close(store *st, int64_t id)
{
	static const char sql[] =
		"UPDATE inspections SET status = 'closed' WHERE id = ?1 AND status = 'open'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_update(c, s);
}

static void fill_row(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_inspection_row *r = rec;
	r->household_id = sq_col_int(s, 0);
	r->passbook_no = sq_col_text(s, 1, ar);
	r->head_name = sq_col_text(s, 2, ar);
	r->scored = sqlite3_column_type(s, 3) != SQLITE_NULL;
	r->points = sq_col_int(s, 3);
	r->batch_id = sq_col_int(s, 4);
	r->scored_by = sq_col_int(s, 5);
	r->scored_at = sq_col_int(s, 6);
}

store_rc store_inspection_rows(store *st, const st_inspection *i, arena *ar,
                               st_inspection_row **out, size_t *n)
{
	static const char sql[] =
		"SELECT h.id, h.passbook_no, h.head_name, s.points, s.batch_id, s.created_by,"
		" s.created_at FROM households h LEFT JOIN inspection_scores s"
		"  ON s.household_id = h.id AND s.inspection_id = ?1"
		" WHERE h.village_id = ?2 AND ((h.group_id = ?3 AND h.status = 'active')"
		"  OR s.id IS NOT NULL)"
		" ORDER BY length(h.passbook_no), h.passbook_no, h.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, i->id);
	sq_bind_int(s, 2, i->village_id);
	sq_bind_int(s, 3, i->group_id);
	return sq_collect(c, s, ar, sizeof(st_inspection_row), fill_row, (void **)out, n);
}

store_rc store_inspection_scored(store *st, int64_t inspection_id, int64_t household_id,
                                 bool *yes)
{
	static const char sql[] =
		"SELECT 1 FROM inspection_scores WHERE inspection_id = ?1 AND household_id = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, inspection_id);
	sq_bind_int(s, 2, household_id);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
}

store_rc store_inspection_score_add(store *st, int64_t inspection_id, int64_t village_id,
                                    int64_t household_id, int64_t batch_id, int64_t points,
                                    int64_t user_id, int64_t at)
{
	static const char sql[] =
		"INSERT INTO inspection_scores(inspection_id, village_id, household_id, batch_id,"
		" points, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, inspection_id);
	sq_bind_int(s, 2, village_id);
	sq_bind_int(s, 3, household_id);
	sq_bind_id(s, 4, batch_id);
	sq_bind_int(s, 5, points);
	sq_bind_int(s, 6, user_id);
	sq_bind_int(s, 7, at);
	return sq_insert(c, s, NULL);
}
