/*
 * sqlite_notices.c: SQL for the monthly notice (see store_notices.h): notices,
 * objections, whether a month is frozen, and the confirmation of a month,
 * which inserts its confirmed_months row and moves the households' balances
 * from pending to confirmed in the caller's transaction. The entries
 * themselves are written by sqlite_ledger.c.
 */
#include "store/sqlite_internal.h"

#include <string.h>

#define NOTICE_COLS                                                                          \
	"n.id, n.village_id, n.month, n.status, n.published_by, n.published_at, n.closes_at,"   \
	" n.confirmed_at, n.chain_seq, n.chain_hash, n.entry_count, n.total_points,"          \
	" u.display_name,"                                                                   \
	" (SELECT count(*) FROM objections o WHERE o.notice_id = n.id),"                     \
	" (SELECT count(*) FROM objections o WHERE o.notice_id = n.id AND o.status = 'open')"
#define NOTICE_FROM " FROM notices n LEFT JOIN users u ON u.id = n.published_by"

static void fill_notice(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_notice *n = rec;
	n->id = sq_col_int(s, 0);
	n->village_id = sq_col_int(s, 1);
	n->month = sq_col_text(s, 2, ar);
	n->status = sq_col_text(s, 3, ar);
	n->published_by = sq_col_int(s, 4);
	n->published_at = sq_col_int(s, 5);
	n->closes_at = sq_col_int(s, 6);
	n->confirmed_at = sq_col_int(s, 7);
	n->chain_seq = sq_col_int(s, 8);
	n->chain_hash = sq_col_text(s, 9, ar);
	n->entry_count = sq_col_int(s, 10);
	n->total_points = sq_col_int(s, 11);
	n->published_by_name = sq_col_text(s, 12, ar);
	n->objection_count = sq_col_int(s, 13);
	n->open_objections = sq_col_int(s, 14);
}

store_rc store_notice_create(store *st, const st_notice *n, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO notices(village_id, month, status, published_by, published_at, closes_at,"
		" chain_seq, chain_hash, entry_count, total_points)"
		" VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, n->village_id);
	sq_bind_text(s, 2, n->month);
	sq_bind_id(s, 3, n->published_by);
	sq_bind_int(s, 4, n->published_at);
	sq_bind_int(s, 5, n->closes_at);
	sq_bind_int(s, 6, n->chain_seq);
	sq_bind_text(s, 7, n->chain_hash);
	sq_bind_int(s, 8, n->entry_count);
	sq_bind_int(s, 9, n->total_points);
	return sq_insert(c, s, id);
}

store_rc store_notice_get(store *st, int64_t id, arena *ar, st_notice *out)
{
	static const char sql[] = "SELECT " NOTICE_COLS NOTICE_FROM " WHERE n.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_notice, out);
}

store_rc store_notice_by_month(store *st, int64_t village_id, const char *month, arena *ar,
                               st_notice *out)
{
	static const char sql[] =
		"SELECT " NOTICE_COLS NOTICE_FROM " WHERE n.village_id = ?1 AND n.month = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, month);
	return sq_one(c, s, ar, fill_notice, out);
}

store_rc store_notice_latest(store *st, int64_t village_id, arena *ar, st_notice *out)
{
	static const char sql[] = "SELECT " NOTICE_COLS NOTICE_FROM
		" WHERE n.village_id = ?1 ORDER BY n.month DESC LIMIT 1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	return sq_one(c, s, ar, fill_notice, out);
}

store_rc store_notice_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                           arena *ar, st_notice **out, size_t *n, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM notices WHERE village_id = ?1";
	static const char sql[] = "SELECT " NOTICE_COLS NOTICE_FROM
		" WHERE n.village_id = ?1 ORDER BY n.month DESC LIMIT ?2 OFFSET ?3";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_int(cs, 1, village_id);
	int rc = sqlite3_step(cs);
	if (rc != SQLITE_ROW) {
		store_rc r = sq_rc(c, rc);
		sqlite3_reset(cs);
		return r;
	}
	*total = sq_col_int(cs, 0);
	sqlite3_reset(cs);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, limit);
	sq_bind_int(s, 3, offset);
	return sq_collect(c, s, ar, sizeof(st_notice), fill_notice, (void **)out, n);
}

store_rc store_month_totals(store *st, int64_t village_id, const char *month, int64_t *count,
                            int64_t *points)
{
	static const char sql[] = "SELECT count(*), COALESCE(sum(points), 0) FROM entries"
		" WHERE village_id = ?1 AND month = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, month);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK) {
		*count = sq_col_int(s, 0);
		*points = sq_col_int(s, 1);
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_month_frozen(store *st, int64_t village_id, const char *month, bool *yes)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM notices WHERE village_id = ?1 AND month = ?2)"
		" OR EXISTS (SELECT 1 FROM confirmed_months WHERE village_id = ?1 AND month = ?2)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, month);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK)
		*yes = sq_col_int(s, 0) != 0;
	sqlite3_reset(s);
	return r;
}

store_rc store_notice_set_times(store *st, int64_t id, int64_t published_at, int64_t closes_at)
{
	static const char sql[] =
		"UPDATE notices SET published_at = ?2, closes_at = ?3 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, published_at);
	sq_bind_int(s, 3, closes_at);
	return sq_update(c, s);
}

static void fill_id(sqlite3_stmt *s, arena *ar, void *rec)
{
	*(int64_t *)rec = sq_col_int(s, 0);
}

store_rc store_notices_due(store *st, int64_t now, arena *ar, int64_t **ids, size_t *n)
{
	/* notices_due is the index (status, closes_at) */
	static const char sql[] =
		"SELECT n.id FROM notices n WHERE n.status = 'open' AND n.closes_at <= ?1"
		" AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.notice_id = n.id"
		"                 AND o.status = 'open')"
		" ORDER BY n.closes_at, n.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, now);
	return sq_collect(c, s, ar, sizeof(int64_t), fill_id, (void **)ids, n);
}

store_rc store_notice_set_confirmed(store *st, int64_t id, int64_t at)
{
	static const char sql[] = "UPDATE notices SET status = 'confirmed', confirmed_at = ?2"
		" WHERE id = ?1 AND status = 'open'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, at);
	return sq_update(c, s);
}

store_rc store_month_confirm(store *st, int64_t village_id, const char *month, int64_t at,
                             int64_t *households, int64_t *points)
{
	static const char sum_sql[] =
		"SELECT count(DISTINCT household_id), COALESCE(sum(points), 0) FROM entries"
		" WHERE village_id = ?1 AND month = ?2 AND bucket = 'pending'";
	static const char mark_sql[] =
		"INSERT INTO confirmed_months(village_id, month, confirmed_at) VALUES (?1, ?2, ?3)";
	/* a household whose pending entries of the month sum to zero keeps its row as is */
	static const char move_sql[] =
		"UPDATE balances SET confirmed = confirmed + m.s, pending = pending - m.s,"
		" updated_at = ?3"
		" FROM (SELECT household_id, sum(points) AS s FROM entries"
		"       WHERE village_id = ?1 AND month = ?2 AND bucket = 'pending'"
		"       GROUP BY household_id) AS m"
		" WHERE balances.household_id = m.household_id AND m.s <> 0";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(q, c, sum_sql);
	sq_bind_int(q, 1, village_id);
	sq_bind_text(q, 2, month);
	int rc = sqlite3_step(q);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK) {
		if (households)
			*households = sq_col_int(q, 0);
		if (points)
			*points = sq_col_int(q, 1);
	}
	sqlite3_reset(q);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(m, c, mark_sql);
	sq_bind_int(m, 1, village_id);
	sq_bind_text(m, 2, month);
	sq_bind_int(m, 3, at);
	r = sq_insert(c, m, NULL);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(u, c, move_sql);
	sq_bind_int(u, 1, village_id);
	sq_bind_text(u, 2, month);
	sq_bind_int(u, 3, at);
	return sq_exec_stmt(c, u);
}

static void fill_notice_household(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_notice_household *h = rec;
	h->household_id = sq_col_int(s, 0);
	h->group_id = sq_col_int(s, 1);
	h->passbook_no = sq_col_text(s, 2, ar);
	h->head_name = sq_col_text(s, 3, ar);
	h->group_name = sq_col_text(s, 4, ar);
	h->status = sq_col_text(s, 5, ar);
}

/* The order of a notice: group, then passbook number (the bulletin board's). */
#define NOTICE_ORDER " ORDER BY g.sort, g.id, h.passbook_no, h.id"

store_rc store_notice_households(store *st, int64_t village_id, const char *month,
                                 int64_t household_id, arena *ar, st_notice_household **out,
                                 size_t *n)
{
	static const char sql[] =
		"SELECT h.id, h.group_id, h.passbook_no, h.head_name, g.name, h.status"
		" FROM households h JOIN villager_groups g ON g.id = h.group_id"
		" WHERE h.village_id = ?1 AND (?3 IS NULL OR h.id = ?3)"
		"   AND (h.status = 'active' OR EXISTS (SELECT 1 FROM entries e"
		"        WHERE e.household_id = h.id AND e.month = ?2))" NOTICE_ORDER;
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, month);
	sq_bind_id(s, 3, household_id);
	return sq_collect(c, s, ar, sizeof(st_notice_household), fill_notice_household,
	                  (void **)out, n);
}

store_rc store_notice_entries(store *st, int64_t village_id, const char *month,
                              int64_t household_id, arena *ar, st_entry **out, size_t *n)
{
	static const char sql[] =
		"SELECT " SQ_ENTRY_COLS SQ_ENTRY_FROM " JOIN villager_groups g ON g.id = h.group_id"
		" WHERE e.village_id = ?1 AND e.month = ?2 AND (?3 IS NULL OR e.household_id = ?3)"
		NOTICE_ORDER ", e.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, month);
	sq_bind_id(s, 3, household_id);
	return sq_collect(c, s, ar, sizeof(st_entry), sq_fill_entry, (void **)out, n);
}

/* ---- objections ------------------------------------------------------- */

#define OBJECTION_COLS                                                                       \
	"o.id, o.village_id, o.notice_id, o.entry_id, o.household_id, o.reason, o.status,"     \
	" o.resolution, o.reversal_entry_id, o.created_by, o.created_at, o.settled_by,"        \
	" o.settled_at, n.month, uc.display_name, uc.role, us.display_name, h.passbook_no,"    \
	" h.head_name, r.name, e.kind, e.deed_date, e.points"
#define OBJECTION_FROM                                                                       \
	" FROM objections o JOIN notices n ON n.id = o.notice_id"                              \
	" JOIN entries e ON e.id = o.entry_id JOIN households h ON h.id = o.household_id"      \
	" LEFT JOIN rules r ON r.id = e.rule_id"                                               \
	" LEFT JOIN users uc ON uc.id = o.created_by LEFT JOIN users us ON us.id = o.settled_by"

static void fill_objection(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_objection *o = rec;
	o->id = sq_col_int(s, 0);
	o->village_id = sq_col_int(s, 1);
	o->notice_id = sq_col_int(s, 2);
	o->entry_id = sq_col_int(s, 3);
	o->household_id = sq_col_int(s, 4);
	o->reason = sq_col_text(s, 5, ar);
	o->status = sq_col_text(s, 6, ar);
	o->resolution = sq_col_text(s, 7, ar);
	o->reversal_entry_id = sq_col_int(s, 8);
	o->created_by = sq_col_int(s, 9);
	o->created_at = sq_col_int(s, 10);
	o->settled_by = sq_col_int(s, 11);
	o->settled_at = sq_col_int(s, 12);
	o->month = sq_col_text(s, 13, ar);
	o->created_by_name = sq_col_text(s, 14, ar);
	o->created_by_role = sq_col_text(s, 15, ar);
	o->settled_by_name = sq_col_text(s, 16, ar);
	o->passbook_no = sq_col_text(s, 17, ar);
	o->head_name = sq_col_text(s, 18, ar);
	o->rule_name = sq_col_text(s, 19, ar);
	o->entry_kind = sq_col_text(s, 20, ar);
	o->deed_date = sq_col_text(s, 21, ar);
	o->entry_points = sq_col_int(s, 22);
}

store_rc store_objection_create(store *st, const st_objection *o, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO objections(village_id, notice_id, entry_id, household_id, reason, status,"
		" created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, o->village_id);
	sq_bind_int(s, 2, o->notice_id);
	sq_bind_int(s, 3, o->entry_id);
	sq_bind_int(s, 4, o->household_id);
	sq_bind_text(s, 5, o->reason);
	sq_bind_int(s, 6, o->created_by);
	sq_bind_int(s, 7, o->created_at);
	return sq_insert(c, s, id);
}

store_rc store_objection_get(store *st, int64_t id, arena *ar, st_objection *out)
{
	static const char sql[] = "SELECT " OBJECTION_COLS OBJECTION_FROM " WHERE o.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_objection, out);
}

store_rc store_objection_list(store *st, int64_t notice_id, const char *status, arena *ar,
                              st_objection **out, size_t *n)
{
	static const char sql[] = "SELECT " OBJECTION_COLS OBJECTION_FROM
		" WHERE o.notice_id = ?1 AND (?2 IS NULL OR o.status = ?2) ORDER BY o.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, notice_id);
	sq_bind_text(s, 2, status);
	return sq_collect(c, s, ar, sizeof(st_objection), fill_objection, (void **)out, n);
}

store_rc store_objection_open_count(store *st, int64_t notice_id, int64_t *count)
{
	static const char sql[] =
		"SELECT count(*) FROM objections WHERE notice_id = ?1 AND status = 'open'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, notice_id);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK)
		*count = sq_col_int(s, 0);
	sqlite3_reset(s);
	return r;
}

store_rc store_objection_settle(store *st, const st_objection *o)
{
	static const char sql[] =
		"UPDATE objections SET status = ?2, resolution = ?3, reversal_entry_id = ?4,"
		" settled_by = ?5, settled_at = ?6 WHERE id = ?1 AND status = 'open'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, o->id);
	sq_bind_text(s, 2, o->status);
	sq_bind_text(s, 3, o->resolution);
	sq_bind_id(s, 4, o->reversal_entry_id);
	sq_bind_id(s, 5, o->settled_by);
	sq_bind_int(s, 6, o->settled_at);
	return sq_update(c, s);
}
