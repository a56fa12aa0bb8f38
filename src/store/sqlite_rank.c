/*
 * sqlite_rank.c: SQL for the ranking and the year end (see store_rank.h):
 * totals kept per household and period, rankings read from them with RANK()
 * window functions (never from the entries), honour rules, closed years and
 * their frozen ranking and honours (the schema refuses UPDATE on both).
 */
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <string.h>


/* ---- totals ----------------------------------------------------------- */

store_rc store_totals_add(store *st, int64_t village_id, int64_t household_id, const char *period,
                          int64_t points)
{
	static const char upd[] =
		"UPDATE totals SET earned = earned + ?3 WHERE household_id = ?1 AND period = ?2";
	static const char ins[] =
		"INSERT INTO totals(village_id, household_id, period, earned) VALUES (?4, ?1, ?2, ?3)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, upd);
	sq_bind_int(s, 1, household_id);
	sq_bind_text(s, 2, period);
	sq_bind_int(s, 3, points);
	store_rc r = sq_update(c, s);
	if (r != STORE_NOT_FOUND)
		return r;
	PREP_OR_FAIL(i, c, ins);
	sq_bind_int(i, 1, household_id);
	sq_bind_text(i, 2, period);
	sq_bind_int(i, 3, points);
	sq_bind_int(i, 4, village_id);
	return sq_insert(c, i, NULL);
}

static void fill_totals_check(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_totals_check *t = rec;
	t->household_id = sq_col_int(s, 0);
	t->period = sq_col_text(s, 1, ar);
	t->stored = sq_col_int(s, 2);
	t->ledger = sq_col_int(s, 3);
	t->passbook_no = sq_col_text(s, 4, ar);
	t->head_name = sq_col_text(s, 5, ar);
}

store_rc store_totals_mismatches(store *st, int64_t village_id, arena *ar, st_totals_check **out,
                                 size_t *n)
{
	/* the same definition as migration 3's backfill */
	static const char sql[] =
		"WITH earned AS ("
		"  SELECT e.household_id, e.deed_date, e.points FROM entries e"
		"  LEFT JOIN entries o ON o.id = e.reverses_id"
		"  WHERE e.village_id = ?1 AND (e.kind IN ('award', 'deduction', 'adjustment')"
		"     OR (e.kind = 'reversal' AND o.kind IN ('award', 'deduction', 'adjustment')))),"
		" ledger AS ("
		"  SELECT household_id, substr(deed_date, 1, 4) AS period, points FROM earned"
		"  UNION ALL SELECT household_id, substr(deed_date, 1, 7), points FROM earned"
		"  UNION ALL SELECT household_id, substr(deed_date, 1, 4) || '-Q' ||"
		"    ((CAST(substr(deed_date, 6, 2) AS INTEGER) + 2) / 3), points FROM earned),"
		" both_sides AS ("
		"  SELECT household_id, period, earned AS kept, 0 AS summed FROM totals"
		"   WHERE village_id = ?1"
		"  UNION ALL SELECT household_id, period, 0, points FROM ledger)"
		" SELECT b.household_id, b.period, sum(b.kept), sum(b.summed), h.passbook_no, h.head_name"
		" FROM both_sides b LEFT JOIN households h ON h.id = b.household_id"
		" GROUP BY b.household_id, b.period HAVING sum(b.kept) <> sum(b.summed)"
		" ORDER BY b.household_id, b.period";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	return sq_collect(c, s, ar, sizeof(st_totals_check), fill_totals_check, (void **)out, n);
}

/* ---- rankings --------------------------------------------------------- */

/* The ranked households of village ?1 for period ?2 with both ranks. */
#define RANKED_CTE                                                                           \
	"WITH r AS ("                                                                        \
	"  SELECT h.id, h.group_id, h.passbook_no, h.head_name, g.name AS group_name,"        \
	"   h.status, COALESCE(t.earned, 0) AS earned"                                         \
	"  FROM households h JOIN villager_groups g ON g.id = h.group_id"                     \
	"  LEFT JOIN totals t ON t.household_id = h.id AND t.period = ?2"                    \
	"  WHERE h.village_id = ?1 AND (h.status = 'active' OR t.household_id IS NOT NULL)),"  \
	" ranked AS ("                                                                        \
	"  SELECT r.*, RANK() OVER (ORDER BY earned DESC) AS village_rank,"                  \
	"   RANK() OVER (PARTITION BY group_id ORDER BY earned DESC) AS group_rank FROM r)"

static void fill_rank(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_rank_row *r = rec;
	r->household_id = sq_col_int(s, 0);
	r->group_id = sq_col_int(s, 1);
	r->passbook_no = sq_col_text(s, 2, ar);
	r->head_name = sq_col_text(s, 3, ar);
	r->group_name = sq_col_text(s, 4, ar);
	r->status = sq_col_text(s, 5, ar);
	r->earned = sq_col_int(s, 6);
	r->village_rank = sq_col_int(s, 7);
	r->group_rank = sq_col_int(s, 8);
	r->rank = r->village_rank;
}

static void fill_rank_in_group(sqlite3_stmt *s, arena *ar, void *rec)
{
	fill_rank(s, ar, rec);
	((st_rank_row *)rec)->rank = ((st_rank_row *)rec)->group_rank;
}

store_rc store_ranking(store *st, const st_rank_filter *f, arena *ar, st_rank_row **out, size_t *n,
                       int64_t *total)
{
	static const char count_sql[] =
		"SELECT count(*) FROM households h"
		" LEFT JOIN totals t ON t.household_id = h.id AND t.period = ?2"
		" WHERE h.village_id = ?1 AND (h.status = 'active' OR t.household_id IS NOT NULL)"
		"  AND (?3 IS NULL OR h.group_id = ?3)";
	static const char sql[] = RANKED_CTE
		" SELECT id, group_id, passbook_no, head_name, group_name, status, earned, village_rank,"
		"  group_rank FROM ranked WHERE ?3 IS NULL OR group_id = ?3"
		" ORDER BY earned DESC, passbook_no, id LIMIT ?4 OFFSET ?5";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_int(cs, 1, f->village_id);
	sq_bind_text(cs, 2, f->period);
	sq_bind_id(cs, 3, f->group_id);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, f->village_id);
	sq_bind_text(s, 2, f->period);
	sq_bind_id(s, 3, f->group_id);
	sq_bind_int(s, 4, f->limit);
	sq_bind_int(s, 5, f->offset);
	return sq_collect(c, s, ar, sizeof(st_rank_row), f->group_id ? fill_rank_in_group : fill_rank,
	                  (void **)out, n);
}

store_rc store_household_rank(store *st, int64_t household_id, const char *period, arena *ar,
                              st_rank_row *out, int64_t *village_count, int64_t *group_count)
{
	/* The same ranks as RANKED_CTE without ranking the village: 1 + how many
	 * ranked households earned more, counted on totals_rank (village, period,
	 * earned), and the ranked households counted on households_active. A
	 * household with no total counts as 0, so with earned < 0 the active
	 * households without a total are ahead too. */
	static const char sql[] =
		"WITH me AS ("
		"  SELECT h.id, h.village_id, h.group_id, h.passbook_no, h.head_name, g.name AS group_name,"
		"   h.status, t.household_id IS NOT NULL AS has_total, COALESCE(t.earned, 0) AS earned"
		"  FROM households h JOIN villager_groups g ON g.id = h.group_id"
		"  LEFT JOIN totals t ON t.household_id = h.id AND t.period = ?2 WHERE h.id = ?1)"
		" SELECT me.id, me.group_id, me.passbook_no, me.head_name, me.group_name, me.status,"
		"  me.earned,"
		"  1 + (SELECT count(*) FROM totals t WHERE t.village_id = me.village_id"
		"    AND t.period = ?2 AND t.earned > me.earned)"
		"   + CASE WHEN me.earned < 0 THEN (SELECT count(*) FROM households x"
		"    WHERE x.village_id = me.village_id AND x.status = 'active' AND NOT EXISTS ("
		"     SELECT 1 FROM totals t WHERE t.household_id = x.id AND t.period = ?2)) ELSE 0 END,"
		"  1 + (SELECT count(*) FROM totals t JOIN households x ON x.id = t.household_id"
		"    WHERE t.village_id = me.village_id AND t.period = ?2 AND t.earned > me.earned"
		"    AND x.group_id = me.group_id)"
		"   + CASE WHEN me.earned < 0 THEN (SELECT count(*) FROM households x"
		"    WHERE x.village_id = me.village_id AND x.status = 'active'"
		"    AND x.group_id = me.group_id AND NOT EXISTS ("
		"     SELECT 1 FROM totals t WHERE t.household_id = x.id AND t.period = ?2)) ELSE 0 END,"
		"  (SELECT count(*) FROM households x WHERE x.village_id = me.village_id"
		"    AND x.status = 'active')"
		"   + (SELECT count(*) FROM households x JOIN totals t ON t.household_id = x.id"
		"    AND t.period = ?2 WHERE x.village_id = me.village_id AND x.status = 'moved_out'),"
		"  (SELECT count(*) FROM households x WHERE x.village_id = me.village_id"
		"    AND x.status = 'active' AND x.group_id = me.group_id)"
		"   + (SELECT count(*) FROM households x JOIN totals t ON t.household_id = x.id"
		"    AND t.period = ?2 WHERE x.village_id = me.village_id AND x.status = 'moved_out'"
		"    AND x.group_id = me.group_id)"
		" FROM me WHERE me.status = 'active' OR me.has_total";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	sq_bind_text(s, 2, period);
	int rc = sqlite3_step(s);
	store_rc r;
	if (rc == SQLITE_ROW) {
		fill_rank(s, ar, out);
		*village_count = sq_col_int(s, 9);
		*group_count = sq_col_int(s, 10);
		r = STORE_OK;
	} else {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_rc(c, rc);
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_household_county_rank(store *st, int64_t household_id, const char *period,
                                     int64_t earned, int64_t *county_id, int64_t *rank,
                                     int64_t *count)
{
	/* The county's villages come through the townships under it (areas_name is
	 * an index on COALESCE(parent_id, 0)) and villages(area_id, name); each
	 * count is then a range of totals_rank or households_active per village:
	 * about 1 ms per 25,000 households on this machine, so a county far larger
	 * than that needs a kept count per earned value (bench/out/scale.md).
	 * The ranked set is the village's: active households and any other with a
	 * total, no total counting as 0 (so with earned < 0 the active households
	 * without a total are ahead too). */
	static const char sql[] =
		"WITH c AS (SELECT CASE a.level WHEN 'county' THEN a.id ELSE a.parent_id END AS id"
		"  FROM households h JOIN villages v ON v.id = h.village_id"
		"  JOIN areas a ON a.id = v.area_id WHERE h.id = ?1),"
		" cv AS (SELECT v.id FROM c JOIN areas t ON COALESCE(t.parent_id, 0) = c.id"
		"   JOIN villages v ON v.area_id = t.id"
		"  UNION ALL SELECT v.id FROM c JOIN villages v ON v.area_id = c.id)"
		" SELECT COALESCE((SELECT id FROM c), 0),"
		"  (SELECT count(*) FROM totals t WHERE t.village_id IN cv AND t.period = ?2"
		"    AND t.earned > ?3),"
		"  (SELECT count(*) FROM households h WHERE h.village_id IN cv AND (h.status = 'active'"
		"    OR EXISTS (SELECT 1 FROM totals t WHERE t.household_id = h.id AND t.period = ?2))),"
		"  CASE WHEN ?3 < 0 THEN (SELECT count(*) FROM households h WHERE h.village_id IN cv"
		"    AND h.status = 'active' AND NOT EXISTS (SELECT 1 FROM totals t"
		"    WHERE t.household_id = h.id AND t.period = ?2)) ELSE 0 END";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	sq_bind_text(s, 2, period);
	sq_bind_int(s, 3, earned);
	int64_t v[4] = {0};
	store_rc r = sq_one_ints(c, s, v, 4);
	if (r != STORE_OK)
		return r;
	*county_id = v[0];
	*rank = v[0] ? 1 + v[1] + v[3] : 0;
	*count = v[0] ? v[2] : 0;
	return STORE_OK;
}

/* ---- honour rules ----------------------------------------------------- */

#define RULE_COLS "id, village_id, kind, title, thresholds, top_n, status, created_at"

static void fill_honour_rule(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_honour_rule *r = rec;
	r->id = sq_col_int(s, 0);
	r->village_id = sq_col_int(s, 1);
	r->kind = sq_col_text(s, 2, ar);
	r->title = sq_col_text(s, 3, ar);
	r->thresholds = sq_col_text(s, 4, ar);
	r->top_n = sq_col_int(s, 5);
	r->status = sq_col_text(s, 6, ar);
	r->created_at = sq_col_int(s, 7);
}

store_rc store_honour_rule_create(store *st, const st_honour_rule *r, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO honour_rules(village_id, kind, title, thresholds, top_n, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, r->village_id);
	sq_bind_text(s, 2, r->kind);
	sq_bind_text(s, 3, r->title);
	sq_bind_text(s, 4, r->thresholds ? r->thresholds : "[]");
	sq_bind_int(s, 5, r->top_n);
	sq_bind_int(s, 6, r->created_at);
	return sq_insert(c, s, id);
}

store_rc store_honour_rule_get(store *st, int64_t id, arena *ar, st_honour_rule *out)
{
	static const char sql[] = "SELECT " RULE_COLS " FROM honour_rules WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, fill_honour_rule, out);
}

store_rc store_honour_rule_list(store *st, int64_t village_id, const char *status, arena *ar,
                                st_honour_rule **out, size_t *n)
{
	static const char sql[] = "SELECT " RULE_COLS " FROM honour_rules"
		" WHERE village_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, status);
	return sq_collect(c, s, ar, sizeof(st_honour_rule), fill_honour_rule, (void **)out, n);
}

store_rc store_honour_rule_retire(store *st, int64_t id)
{
	static const char sql[] =
		"UPDATE honour_rules SET status = 'retired' WHERE id = ?1 AND status = 'active'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_update(c, s);
}

/* ---- the year end ----------------------------------------------------- */

store_rc store_year_closed(store *st, int64_t village_id, int64_t year, bool *yes)
{
	static const char sql[] = "SELECT 1 FROM year_closes WHERE village_id = ?1 AND year = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, year);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
}

store_rc store_year_closed_after(store *st, int64_t village_id, int64_t year, int64_t *later)
{
	static const char sql[] =
		"SELECT COALESCE(max(year), 0) FROM year_closes WHERE village_id = ?1 AND year > ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, year);
	return sq_one_ints(c, s, later, 1);
}

store_rc store_year_close_add(store *st, const st_year_close *y)
{
	static const char sql[] =
		"INSERT INTO year_closes(village_id, year, policy, closed_by, closed_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, y->village_id);
	sq_bind_int(s, 2, y->year);
	sq_bind_text(s, 3, y->policy);
	sq_bind_id(s, 4, y->closed_by);
	sq_bind_int(s, 5, y->closed_at);
	return sq_insert(c, s, NULL);
}

#define CLOSE_COLS                                                                           \
	"y.village_id, y.year, y.policy, y.closed_by, y.closed_at, u.display_name,"           \
	" (SELECT count(*) FROM year_ranking k WHERE k.village_id = y.village_id"              \
	"   AND k.year = y.year),"                                                             \
	" (SELECT count(*) FROM honours o WHERE o.village_id = y.village_id AND o.year = y.year)" \
	" FROM year_closes y LEFT JOIN users u ON u.id = y.closed_by"

static void fill_close(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_year_close *y = rec;
	y->village_id = sq_col_int(s, 0);
	y->year = sq_col_int(s, 1);
	y->policy = sq_col_text(s, 2, ar);
	y->closed_by = sq_col_int(s, 3);
	y->closed_at = sq_col_int(s, 4);
	y->closed_by_name = sq_col_text(s, 5, ar);
	y->households = sq_col_int(s, 6);
	y->honours = sq_col_int(s, 7);
}

store_rc store_year_close_get(store *st, int64_t village_id, int64_t year, arena *ar,
                              st_year_close *out)
{
	static const char sql[] = "SELECT " CLOSE_COLS " WHERE y.village_id = ?1 AND y.year = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, year);
	return sq_one(c, s, ar, fill_close, out);
}

store_rc store_year_close_list(store *st, int64_t village_id, arena *ar, st_year_close **out,
                               size_t *n)
{
	static const char sql[] = "SELECT " CLOSE_COLS " WHERE y.village_id = ?1 ORDER BY y.year DESC";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	return sq_collect(c, s, ar, sizeof(st_year_close), fill_close, (void **)out, n);
}

store_rc store_year_pending(store *st, int64_t village_id, int64_t year, int64_t *count,
                            char month[8])
{
	static const char sql[] =
		"SELECT count(*), COALESCE(min(e.month), '') FROM entries e"
		" WHERE e.village_id = ?1 AND e.deed_date <= ?2 AND e.bucket = 'pending'"
		"  AND NOT EXISTS (SELECT 1 FROM confirmed_months cm"
		"   WHERE cm.village_id = e.village_id AND cm.month = e.month)";
	char last_day[16];
	snprintf(last_day, sizeof(last_day), "%04lld-12-31", (long long)(year % 10000));
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, last_day);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK) {
		*count = sq_col_int(s, 0);
		const unsigned char *m = sqlite3_column_text(s, 1);
		snprintf(month, 8, "%s", m ? (const char *)m : "");
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_year_archive(store *st, int64_t village_id, int64_t year, int64_t *n)
{
	static const char sql[] =
		"INSERT INTO year_ranking(village_id, year, household_id, group_id, earned, rank,"
		" group_rank) " RANKED_CTE
		" SELECT ?1, ?3, id, group_id, earned, village_rank, group_rank FROM ranked";
	char period[8];
	snprintf(period, sizeof(period), "%04lld", (long long)(year % 10000));
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, period);
	sq_bind_int(s, 3, year);
	store_rc r = sq_exec_stmt(c, s);
	if (r == STORE_OK)
		*n = sqlite3_changes(c->db);
	return r;
}

static void fill_year_rank(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_year_rank *y = rec;
	y->household_id = sq_col_int(s, 0);
	y->group_id = sq_col_int(s, 1);
	y->earned = sq_col_int(s, 2);
	y->rank = sq_col_int(s, 3);
	y->group_rank = sq_col_int(s, 4);
}

store_rc store_year_ranking(store *st, int64_t village_id, int64_t year, arena *ar,
                            st_year_rank **out, size_t *n)
{
	static const char sql[] =
		"SELECT household_id, group_id, earned, rank, group_rank FROM year_ranking"
		" WHERE village_id = ?1 AND year = ?2 ORDER BY rank, household_id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, year);
	return sq_collect(c, s, ar, sizeof(st_year_rank), fill_year_rank, (void **)out, n);
}

static void fill_year_balance(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_year_balance *b = rec;
	b->household_id = sq_col_int(s, 0);
	b->year_end = sq_col_int(s, 1);
	b->confirmed = sq_col_int(s, 2);
	b->spent_after = sq_col_int(s, 3);
}

store_rc store_year_balances(store *st, int64_t village_id, int64_t year, arena *ar,
                             st_year_balance **out, size_t *n)
{
	static const char sql[] =
		"SELECT b.household_id,"
		"  COALESCE((SELECT sum(e.points) FROM entries e WHERE e.household_id = b.household_id"
		"    AND e.deed_date <= ?2), 0),"
		"  b.confirmed,"
		"  COALESCE((SELECT -sum(e.points) FROM entries e"
		"    LEFT JOIN entries o ON o.id = e.reverses_id"
		"    WHERE e.household_id = b.household_id AND e.deed_date > ?2"
		"     AND (e.kind = 'redemption' OR (e.kind = 'reversal' AND o.kind = 'redemption'))), 0)"
		" FROM balances b WHERE b.village_id = ?1 ORDER BY b.household_id";
	char last_day[16];
	snprintf(last_day, sizeof(last_day), "%04lld-12-31", (long long)(year % 10000));
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, last_day);
	return sq_collect(c, s, ar, sizeof(st_year_balance), fill_year_balance, (void **)out, n);
}

store_rc store_honour_add(store *st, const st_honour *h)
{
	static const char sql[] =
		"INSERT INTO honours(village_id, year, household_id, rule_id, title, stars, rank, earned,"
		" awarded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, h->village_id);
	sq_bind_int(s, 2, h->year);
	sq_bind_int(s, 3, h->household_id);
	sq_bind_id(s, 4, h->rule_id);
	sq_bind_text(s, 5, h->title);
	sq_bind_int(s, 6, h->stars);
	sq_bind_int(s, 7, h->rank);
	sq_bind_int(s, 8, h->earned);
	sq_bind_int(s, 9, h->awarded_at);
	return sq_insert(c, s, NULL);
}

static void fill_honour(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_honour *h = rec;
	h->id = sq_col_int(s, 0);
	h->village_id = sq_col_int(s, 1);
	h->year = sq_col_int(s, 2);
	h->household_id = sq_col_int(s, 3);
	h->rule_id = sq_col_int(s, 4);
	h->title = sq_col_text(s, 5, ar);
	h->stars = sq_col_int(s, 6);
	h->rank = sq_col_int(s, 7);
	h->earned = sq_col_int(s, 8);
	h->awarded_at = sq_col_int(s, 9);
	h->kind = sq_col_text(s, 10, ar);
	h->passbook_no = sq_col_text(s, 11, ar);
	h->head_name = sq_col_text(s, 12, ar);
	h->group_name = sq_col_text(s, 13, ar);
	h->group_id = sq_col_int(s, 14);
}

store_rc store_honour_list(store *st, int64_t village_id, int64_t year, arena *ar,
                           st_honour **out, size_t *n)
{
	/* the group is the one archived with the year's ranking (a later move keeps it) */
	static const char sql[] =
		"SELECT o.id, o.village_id, o.year, o.household_id, o.rule_id, o.title, o.stars, o.rank,"
		" o.earned, o.awarded_at, r.kind, h.passbook_no, h.head_name, g.name,"
		" COALESCE(k.group_id, h.group_id)"
		" FROM honours o JOIN households h ON h.id = o.household_id"
		" LEFT JOIN honour_rules r ON r.id = o.rule_id"
		" LEFT JOIN year_ranking k ON k.village_id = o.village_id AND k.year = o.year"
		"  AND k.household_id = o.household_id"
		" LEFT JOIN villager_groups g ON g.id = COALESCE(k.group_id, h.group_id)"
		" WHERE o.village_id = ?1 AND o.year = ?2"
		" ORDER BY o.rule_id, o.stars DESC, o.rank, h.passbook_no";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, year);
	return sq_collect(c, s, ar, sizeof(st_honour), fill_honour, (void **)out, n);
}
