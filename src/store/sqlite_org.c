/*
 * sqlite_org.c: SQL for the organisation tree: areas (county → township),
 * villages, villager groups, households and their members.
 */
#include "store/sqlite_internal.h"


#define SUBTREE_CTE                                                                          \
	"WITH RECURSIVE sub(id) AS ("                                                        \
	"  SELECT id FROM areas WHERE (?1 IS NULL AND parent_id IS NULL) OR id = ?1"         \
	"  UNION ALL SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id) "

/* ---- areas ------------------------------------------------------------ */

static void fill_area(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_area *a = rec;
	a->id = sq_col_int(s, 0);
	a->parent_id = sq_col_int(s, 1);
	a->level = sq_col_text(s, 2, ar);
	a->name = sq_col_text(s, 3, ar);
	a->created_at = sq_col_int(s, 4);
}

store_rc store_area_create(store *st, const st_area *a, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO areas(parent_id, level, name, created_at) VALUES (?1, ?2, ?3, ?4)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_id(s, 1, a->parent_id);
	sq_bind_text(s, 2, a->level);
	sq_bind_text(s, 3, a->name);
	sq_bind_int(s, 4, a->created_at);
	return sq_insert(c, s, id);
}

store_rc store_area_get(store *st, int64_t id, arena *ar, st_area *out)
{
	static const char sql[] =
		"SELECT id, parent_id, level, name, created_at FROM areas WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_area, out);
}

store_rc store_area_list(store *st, int64_t root, arena *ar, st_area **out, size_t *n)
{
	static const char sql[] = SUBTREE_CTE
		"SELECT a.id, a.parent_id, a.level, a.name, a.created_at FROM areas a"
		" WHERE a.id IN (SELECT id FROM sub) ORDER BY a.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_id(s, 1, root);
	return sq_collect(c, s, ar, sizeof(st_area), fill_area, (void **)out, n);
}

store_rc store_area_within(store *st, int64_t area, int64_t root, bool *yes)
{
	static const char sql[] = SUBTREE_CTE "SELECT 1 FROM sub WHERE id = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_id(s, 1, root);
	sq_bind_int(s, 2, area);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
}

/* ---- villages --------------------------------------------------------- */

#define VILLAGE_COLS                                                                         \
	"v.id, v.area_id, v.name, v.created_at,"                                             \
	" (SELECT count(*) FROM households h WHERE h.village_id = v.id),"                    \
	" (SELECT count(*) FROM villager_groups g WHERE g.village_id = v.id),"                \
	" v.notice_days, v.window_days, v.balance_policy, v.second_review_points"

static void fill_village(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_village *v = rec;
	v->id = sq_col_int(s, 0);
	v->area_id = sq_col_int(s, 1);
	v->name = sq_col_text(s, 2, ar);
	v->created_at = sq_col_int(s, 3);
	v->household_count = sq_col_int(s, 4);
	v->group_count = sq_col_int(s, 5);
	v->notice_days = sq_col_int(s, 6);
	v->window_days = sq_col_int(s, 7);
	v->balance_policy = sq_col_text(s, 8, ar);
	v->second_review_points = sq_col_int(s, 9);
}

store_rc store_village_create(store *st, const st_village *v, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO villages(area_id, name, created_at) VALUES (?1, ?2, ?3)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, v->area_id);
	sq_bind_text(s, 2, v->name);
	sq_bind_int(s, 3, v->created_at);
	return sq_insert(c, s, id);
}

store_rc store_village_get(store *st, int64_t id, arena *ar, st_village *out)
{
	static const char sql[] = "SELECT " VILLAGE_COLS " FROM villages v WHERE v.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_village, out);
}

store_rc store_village_list(store *st, int64_t root, arena *ar, st_village **out, size_t *n)
{
	static const char sql[] = SUBTREE_CTE "SELECT " VILLAGE_COLS " FROM villages v"
		" WHERE v.area_id IN (SELECT id FROM sub) ORDER BY v.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_id(s, 1, root);
	return sq_collect(c, s, ar, sizeof(st_village), fill_village, (void **)out, n);
}

store_rc store_village_update(store *st, const st_village *v)
{
	static const char sql[] = "UPDATE villages SET name = ?2, notice_days = ?3, window_days = ?4,"
		" balance_policy = ?5, second_review_points = ?6 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, v->id);
	sq_bind_text(s, 2, v->name);
	sq_bind_int(s, 3, v->notice_days);
	sq_bind_int(s, 4, v->window_days);
	sq_bind_text(s, 5, v->balance_policy);
	sq_bind_int(s, 6, v->second_review_points);
	return sq_update(c, s);
}

/* ---- groups ----------------------------------------------------------- */

#define GROUP_COLS                                                                           \
	"g.id, g.village_id, g.name, g.sort,"                                                \
	" (SELECT count(*) FROM households h WHERE h.group_id = g.id)"

static void fill_group(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_group *g = rec;
	g->id = sq_col_int(s, 0);
	g->village_id = sq_col_int(s, 1);
	g->name = sq_col_text(s, 2, ar);
	g->sort = sq_col_int(s, 3);
	g->household_count = sq_col_int(s, 4);
}

store_rc store_group_create(store *st, const st_group *g, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO villager_groups(village_id, name, sort) VALUES (?1, ?2, ?3)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, g->village_id);
	sq_bind_text(s, 2, g->name);
	sq_bind_int(s, 3, g->sort);
	return sq_insert(c, s, id);
}

store_rc store_group_get(store *st, int64_t id, arena *ar, st_group *out)
{
	static const char sql[] = "SELECT " GROUP_COLS " FROM villager_groups g WHERE g.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_group, out);
}

store_rc store_group_find(store *st, int64_t village_id, const char *name, arena *ar,
                          st_group *out)
{
	static const char sql[] = "SELECT " GROUP_COLS
		" FROM villager_groups g WHERE g.village_id = ?1 AND g.name = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, name);
	return sq_one(c, s, ar, fill_group, out);
}

store_rc store_group_list(store *st, int64_t village_id, arena *ar, st_group **out, size_t *n)
{
	static const char sql[] = "SELECT " GROUP_COLS
		" FROM villager_groups g WHERE g.village_id = ?1 ORDER BY g.sort, g.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	return sq_collect(c, s, ar, sizeof(st_group), fill_group, (void **)out, n);
}

store_rc store_group_update(store *st, const st_group *g)
{
	static const char sql[] = "UPDATE villager_groups SET name = ?2, sort = ?3 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, g->id);
	sq_bind_text(s, 2, g->name);
	sq_bind_int(s, 3, g->sort);
	return sq_update(c, s);
}

/* ---- households ------------------------------------------------------- */

#define HOUSEHOLD_COLS                                                                       \
	"h.id, h.village_id, h.group_id, g.name, h.passbook_no, h.head_name, h.address,"     \
	" h.phone, h.status, h.created_at, h.updated_at,"                                    \
	" (SELECT count(*) FROM members m WHERE m.household_id = h.id AND m.status = 'active')"
#define HOUSEHOLD_FROM " FROM households h JOIN villager_groups g ON g.id = h.group_id"

static void fill_household(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_household *h = rec;
	h->id = sq_col_int(s, 0);
	h->village_id = sq_col_int(s, 1);
	h->group_id = sq_col_int(s, 2);
	h->group_name = sq_col_text(s, 3, ar);
	h->passbook_no = sq_col_text(s, 4, ar);
	h->head_name = sq_col_text(s, 5, ar);
	h->address = sq_col_text(s, 6, ar);
	h->phone = sq_col_text(s, 7, ar);
	h->status = sq_col_text(s, 8, ar);
	h->created_at = sq_col_int(s, 9);
	h->updated_at = sq_col_int(s, 10);
	h->member_count = sq_col_int(s, 11);
}

store_rc store_household_create(store *st, const st_household *h, int64_t *id)
{
	/* the group must belong to the same village: the SELECT yields no row otherwise */
	static const char sql[] =
		"INSERT INTO households(village_id, group_id, passbook_no, head_name, address, phone,"
		" status, created_at, updated_at)"
		" SELECT ?1, g.id, ?3, ?4, ?5, ?6, ?7, ?8, ?8 FROM villager_groups g"
		" WHERE g.id = ?2 AND g.village_id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, h->village_id);
	sq_bind_int(s, 2, h->group_id);
	sq_bind_text(s, 3, h->passbook_no);
	sq_bind_text(s, 4, h->head_name);
	sq_bind_text(s, 5, h->address ? h->address : "");
	sq_bind_text(s, 6, h->phone ? h->phone : "");
	sq_bind_text(s, 7, h->status ? h->status : "active");
	sq_bind_int(s, 8, h->created_at);
	int changes = 0;
	int64_t newid = 0;
	store_rc r = sq_write(c, s, &newid, &changes);
	if (r == STORE_OK && changes == 0) {
		sq_seterr("group %lld is not in village %lld", (long long)h->group_id,
		          (long long)h->village_id);
		r = STORE_CONSTRAINT;
	}
	if (r == STORE_OK && id)
		*id = newid;
	return r;
}

store_rc store_household_get(store *st, int64_t id, arena *ar, st_household *out)
{
	static const char sql[] = "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM " WHERE h.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_household, out);
}

store_rc store_household_by_passbook(store *st, int64_t village_id, const char *passbook,
                                     arena *ar, st_household *out)
{
	static const char sql[] = "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM
		" WHERE h.village_id = ?1 AND h.passbook_no = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, passbook);
	return sq_one(c, s, ar, fill_household, out);
}

#define HOUSEHOLD_WHERE                                                                      \
	" WHERE h.village_id = ?1 AND (?2 IS NULL OR h.group_id = ?2)"                       \
	" AND (?3 IS NULL OR h.status = ?3)"                                                 \
	" AND (?4 IS NULL OR h.head_name LIKE ?4 ESCAPE '\\' OR h.passbook_no LIKE ?4 ESCAPE '\\'" \
	"      OR EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id"              \
	"                 AND m.name LIKE ?4 ESCAPE '\\'))"

store_rc store_household_list(store *st, const st_household_filter *f, arena *ar,
                              st_household **out, size_t *n, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*)" HOUSEHOLD_FROM HOUSEHOLD_WHERE;
	static const char sql[] = "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM HOUSEHOLD_WHERE
		" ORDER BY g.sort, g.id, h.passbook_no LIMIT ?5 OFFSET ?6";
	CONN_OR_FAIL(c, st);
	const char *pat = f->q && *f->q ? sq_like_pattern(ar, f->q) : NULL;
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_int(cs, 1, f->village_id);
	sq_bind_id(cs, 2, f->group_id);
	sq_bind_text(cs, 3, f->status);
	sq_bind_text(cs, 4, pat);
	int rc = sqlite3_step(cs);
	if (rc != SQLITE_ROW) {
		store_rc r = sq_rc(c, rc);
		sqlite3_reset(cs);
		return r;
	}
	*total = sq_col_int(cs, 0);
	sqlite3_reset(cs);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, f->village_id);
	sq_bind_id(s, 2, f->group_id);
	sq_bind_text(s, 3, f->status);
	sq_bind_text(s, 4, pat);
	sq_bind_int(s, 5, f->limit);
	sq_bind_int(s, 6, f->offset);
	return sq_collect(c, s, ar, sizeof(st_household), fill_household, (void **)out, n);
}

store_rc store_household_update(store *st, const st_household *h)
{
	static const char sql[] =
		"UPDATE households SET group_id = ?2, passbook_no = ?3, head_name = ?4, address = ?5,"
		" phone = ?6, status = ?7, updated_at = ?8 WHERE id = ?1"
		" AND EXISTS (SELECT 1 FROM villager_groups g WHERE g.id = ?2"
		"             AND g.village_id = households.village_id)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, h->id);
	sq_bind_int(s, 2, h->group_id);
	sq_bind_text(s, 3, h->passbook_no);
	sq_bind_text(s, 4, h->head_name);
	sq_bind_text(s, 5, h->address);
	sq_bind_text(s, 6, h->phone);
	sq_bind_text(s, 7, h->status);
	sq_bind_int(s, 8, h->updated_at);
	return sq_update(c, s);
}

/* ---- members ---------------------------------------------------------- */

static void fill_member(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_member *m = rec;
	m->id = sq_col_int(s, 0);
	m->village_id = sq_col_int(s, 1);
	m->household_id = sq_col_int(s, 2);
	m->name = sq_col_text(s, 3, ar);
	m->relation = sq_col_text(s, 4, ar);
	m->status = sq_col_text(s, 5, ar);
}

store_rc store_member_create(store *st, const st_member *m, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO members(village_id, household_id, name, relation, status, created_at)"
		" SELECT h.village_id, h.id, ?2, ?3, ?4, strftime('%s','now') FROM households h"
		" WHERE h.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, m->household_id);
	sq_bind_text(s, 2, m->name);
	sq_bind_text(s, 3, m->relation);
	sq_bind_text(s, 4, m->status ? m->status : "active");
	int changes = 0;
	int64_t newid = 0;
	store_rc r = sq_write(c, s, &newid, &changes);
	if (r == STORE_OK && changes == 0) {
		sq_seterr("no such household");
		r = STORE_NOT_FOUND;
	}
	if (r == STORE_OK && id)
		*id = newid;
	return r;
}

store_rc store_member_get(store *st, int64_t id, arena *ar, st_member *out)
{
	static const char sql[] = "SELECT id, village_id, household_id, name, relation, status"
		" FROM members WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_member, out);
}

store_rc store_member_list(store *st, int64_t household_id, arena *ar, st_member **out, size_t *n)
{
	static const char sql[] = "SELECT id, village_id, household_id, name, relation, status"
		" FROM members WHERE household_id = ?1 ORDER BY id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	return sq_collect(c, s, ar, sizeof(st_member), fill_member, (void **)out, n);
}

store_rc store_member_update(store *st, const st_member *m)
{
	static const char sql[] =
		"UPDATE members SET name = ?2, relation = ?3, status = ?4 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, m->id);
	sq_bind_text(s, 2, m->name);
	sq_bind_text(s, 3, m->relation);
	sq_bind_text(s, 4, m->status);
	return sq_update(c, s);
}
