/*
 * sqlite_area.c: SQL for the area views (see store_area.h): the measures of a
 * period per village of an area, or per group of a village. Two statements
 * per request: the rows, then the points by category.
 *
 * How they scale (bench/area_compare.py measures them):
 * - households taking part and points earned come from the kept totals through
 *   totals_rank (village_id, period, earned): one index entry per household with
 *   points in the period, no entry read. A range of months that is not one year,
 *   quarter or month adds up the monthly totals (a row per household and month,
 *   and a DISTINCT over households).
 * - points by category are summed rule by rule inside each village through
 *   entries_rule_period (village_id, rule_id, deed_date, kind, points,
 *   household_id, reverses_id): a seek per rule, then only that rule's entries
 *   of the period, from the index alone (never the wide entry rows), added up
 *   without a sort; only the per-rule sums are grouped by category. This is the
 *   part linear in the period's entries.
 * - households through households_active, redemptions through
 *   redemptions_period, objections through notices' (village_id, month) key and
 *   objections_notice: a few index seeks per village.
 * A village's groups read the same way, restricted to one village.
 */
#include "store/sqlite_internal.h"

/* The earning kinds, and a reversal of one of them (evaluated for reversals only). */
#define EARNING                                                                              \
	"(e.kind IN ('award', 'deduction', 'adjustment') OR (e.kind = 'reversal' AND"         \
	" (SELECT o.kind FROM entries o WHERE o.id = e.reverses_id)"                         \
	"  IN ('award', 'deduction', 'adjustment')))"

#define IN_PERIOD "e.deed_date >= ?2 AND e.deed_date < ?3"

/* The totals of the period: its own key, or the months of a range. */
#define TOTALS_OF_PERIOD "t.period = ?8"
#define TOTALS_OF_MONTHS                                                                     \
	"t.period >= ?6 AND t.period <= ?7 AND length(t.period) = 7"                         \
	" AND substr(t.period, 6, 1) <> 'Q'"
/* One total per household and period; a range has one per household and month. */
#define TAKING_PART_PERIOD "count(*) AS n, sum(t.earned) AS earned"
#define TAKING_PART_MONTHS "count(DISTINCT t.household_id) AS n, sum(t.earned) AS earned"

#define SUBTREE_CTE                                                                          \
	"WITH RECURSIVE sub(id) AS ("                                                        \
	"  SELECT id FROM areas WHERE id = ?1"                                               \
	"  UNION ALL SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id),"           \
	" vs AS (SELECT v.id FROM villages v WHERE v.area_id IN (SELECT id FROM sub)),"

#define REDEEMED_IN_PERIOD "r.status = 'done' AND r.created_at >= ?4 AND r.created_at < ?5"
#define NOTICE_IN_PERIOD "n.month >= ?6 AND n.month <= ?7"

/* The rows of the villages of the area; part_cols and totals_of pick the totals. */
#define VILLAGE_ROWS(part_cols, totals_of)                                                  \
	SUBTREE_CTE                                                                          \
	" part AS (SELECT t.village_id, " part_cols " FROM totals t"                         \
	"  WHERE t.village_id IN (SELECT id FROM vs) AND " totals_of " GROUP BY t.village_id)" \
	" SELECT v.id, v.area_id, v.name, a.name,"                                           \
	"  (SELECT count(*) FROM households h WHERE h.village_id = v.id AND h.status = 'active')," \
	"  COALESCE(p.n, 0), COALESCE(p.earned, 0),"                                         \
	"  (SELECT count(*) FROM redemptions r"                                              \
	"    WHERE r.village_id = v.id AND " REDEEMED_IN_PERIOD "),"                          \
	"  (SELECT COALESCE(sum(r.total_points), 0) FROM redemptions r"                       \
	"    WHERE r.village_id = v.id AND " REDEEMED_IN_PERIOD "),"                          \
	"  (SELECT count(*) FROM notices n JOIN objections o ON o.notice_id = n.id"          \
	"    WHERE n.village_id = v.id AND " NOTICE_IN_PERIOD "),"                            \
	"  (SELECT count(*) FROM notices n JOIN objections o ON o.notice_id = n.id"          \
	"    WHERE n.village_id = v.id AND " NOTICE_IN_PERIOD " AND o.status = 'upheld')"     \
	" FROM villages v JOIN areas a ON a.id = v.area_id"                                  \
	" LEFT JOIN part p ON p.village_id = v.id"                                           \
	" WHERE v.id IN (SELECT id FROM vs) ORDER BY v.id"

/* The rows of the groups of village ?1. */
#define GROUP_ROWS(part_cols, totals_of)                                                    \
	"WITH part AS (SELECT h.group_id, " part_cols " FROM totals t"                       \
	"  JOIN households h ON h.id = t.household_id"                                       \
	"  WHERE t.village_id = ?1 AND " totals_of " GROUP BY h.group_id)"                    \
	" SELECT g.id, g.village_id, g.name, v.name,"                                        \
	"  (SELECT count(*) FROM households h"                                               \
	"    WHERE h.village_id = ?1 AND h.status = 'active' AND h.group_id = g.id),"         \
	"  COALESCE(p.n, 0), COALESCE(p.earned, 0),"                                         \
	"  (SELECT count(*) FROM redemptions r JOIN households h ON h.id = r.household_id"    \
	"    WHERE r.village_id = ?1 AND " REDEEMED_IN_PERIOD " AND h.group_id = g.id),"      \
	"  (SELECT COALESCE(sum(r.total_points), 0) FROM redemptions r"                       \
	"    JOIN households h ON h.id = r.household_id"                                     \
	"    WHERE r.village_id = ?1 AND " REDEEMED_IN_PERIOD " AND h.group_id = g.id),"      \
	"  (SELECT count(*) FROM notices n JOIN objections o ON o.notice_id = n.id"          \
	"    JOIN households h ON h.id = o.household_id"                                     \
	"    WHERE n.village_id = ?1 AND " NOTICE_IN_PERIOD " AND h.group_id = g.id),"        \
	"  (SELECT count(*) FROM notices n JOIN objections o ON o.notice_id = n.id"          \
	"    JOIN households h ON h.id = o.household_id"                                     \
	"    WHERE n.village_id = ?1 AND " NOTICE_IN_PERIOD " AND o.status = 'upheld'"        \
	"     AND h.group_id = g.id)"                                                        \
	" FROM villager_groups g JOIN villages v ON v.id = g.village_id"                     \
	" LEFT JOIN part p ON p.group_id = g.id"                                             \
	" WHERE g.village_id = ?1 ORDER BY g.sort, g.id"

static void fill_row(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_compare_row *r = rec;
	r->id = sq_col_int(s, 0);
	r->parent_id = sq_col_int(s, 1);
	r->name = sq_col_text(s, 2, ar);
	r->parent_name = sq_col_text(s, 3, ar);
	r->households = sq_col_int(s, 4);
	r->participating = sq_col_int(s, 5);
	r->earned = sq_col_int(s, 6);
	r->redemptions = sq_col_int(s, 7);
	r->redeemed_points = sq_col_int(s, 8);
	r->objections = sq_col_int(s, 9);
	r->upheld = sq_col_int(s, 10);
}

static void fill_cat(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_compare_cat *c = rec;
	c->id = sq_col_int(s, 0);
	c->category = sq_col_text(s, 1, ar);
	c->points = sq_col_int(s, 2);
}

/* Binds ?1 key, ?2 ?3 the deed dates, ?4 ?5 the times, ?6 ?7 the months and ?8
 * the period, as far as the statement numbers its parameters. */
static void bind_span(sqlite3_stmt *s, int64_t key, const st_span *sp)
{
	int n = sqlite3_bind_parameter_count(s);
	sq_bind_int(s, 1, key);
	sq_bind_text(s, 2, sp->from_date);
	sq_bind_text(s, 3, sp->end_date);
	if (n < 7)
		return;
	sq_bind_int(s, 4, sp->from_at);
	sq_bind_int(s, 5, sp->end_at);
	sq_bind_text(s, 6, sp->from_month);
	sq_bind_text(s, 7, sp->to_month);
	if (n >= 8)
		sq_bind_text(s, 8, sp->period);
}

/* Runs the row query, then the category query, with the same bindings. */
static store_rc run_pair(store *st, const char *rows_sql, const char *cats_sql, int64_t key,
                         const st_span *sp, arena *ar, st_compare_row **rows, size_t *nrows,
                         st_compare_cat **cats, size_t *ncats)
{
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, rows_sql);
	bind_span(s, key, sp);
	store_rc r = sq_collect(c, s, ar, sizeof(st_compare_row), fill_row, (void **)rows, nrows);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(k, c, cats_sql);
	bind_span(k, key, sp);
	return sq_collect(c, k, ar, sizeof(st_compare_cat), fill_cat, (void **)cats, ncats);
}

store_rc store_compare_villages(store *st, int64_t area_root, const st_span *sp, arena *ar,
                                st_compare_row **rows, size_t *nrows, st_compare_cat **cats,
                                size_t *ncats)
{
	static const char rows_period[] = VILLAGE_ROWS(TAKING_PART_PERIOD, TOTALS_OF_PERIOD);
	static const char rows_months[] = VILLAGE_ROWS(TAKING_PART_MONTHS, TOTALS_OF_MONTHS);
	/* each rule's sum is a seek into entries_rule_period; entries without a rule
	 * are summed per village the same way (rule_id IS NULL) */
	static const char cats_sql[] = SUBTREE_CTE
		" sums AS ("
		"  SELECT r.village_id AS village_id, r.category AS category,"
		"   (SELECT sum(e.points) FROM entries e WHERE e.village_id = r.village_id"
		"     AND e.rule_id = r.id AND " IN_PERIOD " AND " EARNING ") AS points"
		"  FROM rules r WHERE r.village_id IN (SELECT id FROM vs)"
		"  UNION ALL SELECT v.id, NULL,"
		"   (SELECT sum(e.points) FROM entries e WHERE e.village_id = v.id"
		"     AND e.rule_id IS NULL AND " IN_PERIOD " AND " EARNING ")"
		"  FROM vs v)"
		" SELECT village_id, category, sum(points) FROM sums"
		" GROUP BY village_id, category HAVING sum(points) IS NOT NULL"
		" ORDER BY village_id, category";
	return run_pair(st, sp->period ? rows_period : rows_months, cats_sql, area_root, sp, ar,
	                rows, nrows, cats, ncats);
}

store_rc store_compare_groups(store *st, int64_t village_id, const st_span *sp, arena *ar,
                              st_compare_row **rows, size_t *nrows, st_compare_cat **cats,
                              size_t *ncats)
{
	static const char rows_period[] = GROUP_ROWS(TAKING_PART_PERIOD, TOTALS_OF_PERIOD);
	static const char rows_months[] = GROUP_ROWS(TAKING_PART_MONTHS, TOTALS_OF_MONTHS);
	/* one village: its rules' entries of the period (a seek per rule), grouped */
	static const char cats_sql[] =
		"SELECT h.group_id, r.category, sum(e.points) FROM rules r"
		" JOIN entries e ON e.village_id = ?1 AND e.rule_id = r.id"
		"  AND " IN_PERIOD " AND " EARNING
		" JOIN households h ON h.id = e.household_id"
		" WHERE r.village_id = ?1 GROUP BY h.group_id, r.category"
		" UNION ALL SELECT h.group_id, NULL, sum(e.points) FROM entries e"
		" JOIN households h ON h.id = e.household_id"
		" WHERE e.village_id = ?1 AND e.rule_id IS NULL AND " IN_PERIOD " AND " EARNING
		" GROUP BY h.group_id ORDER BY 1, 2";
	return run_pair(st, sp->period ? rows_period : rows_months, cats_sql, village_id, sp, ar,
	                rows, nrows, cats, ncats);
}
