/*
 * Unit tests for src/core/compare.c (and sqlite_area.c under it): periods read
 * from ?period= and ?from=&to=, table-driven, with their China-time bounds;
 * the rounding of rates; the measures of every village of an area and every
 * group of a village on a small world whose numbers are worked out by hand
 * below (a reversal, a deduction, a moved-out household, entries outside the
 * period, redemptions and objections on both sides of the period's edges);
 * and who may compare what.
 */
#include "check.h"
#include "core/compare.h"
#include "core/ledger.h"
#include "ledger_fixture.h"

/* ---- periods ---------------------------------------------------------- */

static void test_periods_that_parse(void)
{
	static const struct {
		const char *period, *from, *to;
		const char *from_month, *to_month, *from_date, *end_date;
		int days;
		const char *key; /* the totals' period, or "" for a range of months */
	} cases[] = {
		{"2026", NULL, NULL, "2026-01", "2026-12", "2026-01-01", "2027-01-01", 365, "2026"},
		{"2024", NULL, NULL, "2024-01", "2024-12", "2024-01-01", "2025-01-01", 366, "2024"},
		{"2026-Q1", NULL, NULL, "2026-01", "2026-03", "2026-01-01", "2026-04-01", 90, "2026-Q1"},
		{"2026-Q4", NULL, NULL, "2026-10", "2026-12", "2026-10-01", "2027-01-01", 92, "2026-Q4"},
		{"2026-11", NULL, NULL, "2026-11", "2026-11", "2026-11-01", "2026-12-01", 30, "2026-11"},
		{"2024-02", NULL, NULL, "2024-02", "2024-02", "2024-02-01", "2024-03-01", 29, "2024-02"},
		{"2026-12", "", "", "2026-12", "2026-12", "2026-12-01", "2027-01-01", 31, "2026-12"},
		{NULL, "2025-11", "2026-02", "2025-11", "2026-02", "2025-11-01", "2026-03-01", 120, ""},
		{"", "2026-05", "2026-05", "2026-05", "2026-05", "2026-05-01", "2026-06-01", 31, "2026-05"},
		{NULL, "2021-01", "2025-12", "2021-01", "2025-12", "2021-01-01", "2026-01-01", 1826, ""},
		{NULL, "2026-04", "2026-06", "2026-04", "2026-06", "2026-04-01", "2026-07-01", 91, "2026-Q2"},
		{NULL, "2026-01", "2026-12", "2026-01", "2026-12", "2026-01-01", "2027-01-01", 365, "2026"},
		{NULL, "2026-02", "2026-04", "2026-02", "2026-04", "2026-02-01", "2026-05-01", 89, ""},
		{NULL, "2025-12", "2026-11", "2025-12", "2026-11", "2025-12-01", "2026-12-01", 365, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		compare_period p;
		core_err err;
		core_status cs = compare_period_parse(cases[i].period, cases[i].from, cases[i].to, &p, &err);
		if (cs != CORE_OK)
			fprintf(stderr, "case %zu: %s\n", i, err.en);
		CHECK_INT_EQ(cs, CORE_OK);
		CHECK_STR_EQ(p.from_month, cases[i].from_month);
		CHECK_STR_EQ(p.to_month, cases[i].to_month);
		CHECK_STR_EQ(p.from_date, cases[i].from_date);
		CHECK_STR_EQ(p.end_date, cases[i].end_date);
		CHECK_STR_EQ(p.period, cases[i].key);
		CHECK_INT_EQ(p.end_at - p.from_at, (int64_t)cases[i].days * 86400);
		/* midnight in China is 16:00 UTC the day before */
		CHECK_INT_EQ(p.from_at % 86400, 16 * 3600);
	}
	compare_period p;
	core_err err;
	CHECK_INT_EQ(compare_period_parse("2026-11", NULL, NULL, &p, &err), CORE_OK);
	CHECK_INT_EQ(p.from_at, 1793462400); /* 2026-10-31T16:00:00Z */
}

static void test_periods_that_do_not(void)
{
	static const struct {
		const char *period, *from, *to, *zh;
	} cases[] = {
		{NULL, NULL, NULL, "请给出统计期间"},
		{"", "", "", "请给出统计期间"},
		{"2026", "2026-01", "2026-02", "请给出统计期间"},
		{"2026", NULL, "2026-02", "请给出统计期间"},
		{"2026-13", NULL, NULL, "period"},
		{"2026-00", NULL, NULL, "period"},
		{"2026-Q0", NULL, NULL, "period"},
		{"2026-Q5", NULL, NULL, "period"},
		{"2026-q4", NULL, NULL, "period"},
		{"1999", NULL, NULL, "period"},
		{"1999-12", NULL, NULL, "period"},
		{"26", NULL, NULL, "period"},
		{"2026-1", NULL, NULL, "period"},
		{"2026-011", NULL, NULL, "period"},
		{"2026-11-01", NULL, NULL, "period"},
		{"２０２６", NULL, NULL, "period"},
		{"20x6", NULL, NULL, "period"},
		{" 2026", NULL, NULL, "period"},
		{NULL, "2026-01", NULL, "from、to"},
		{NULL, NULL, "2026-01", "from、to"},
		{NULL, "2026-1", "2026-02", "from、to"},
		{NULL, "2026-01", "2026", "from、to"},
		{NULL, "2026-03", "2026-02", "不能晚于"},
		{NULL, "2020-01", "2025-01", "最多对比 60 个月"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		compare_period p;
		core_err err;
		core_status cs = compare_period_parse(cases[i].period, cases[i].from, cases[i].to, &p, &err);
		char what[64];
		snprintf(what, sizeof(what), "case %zu", i);
		CHECK(lw_expect(what, cs, &err, CORE_INVALID, "bad_period", cases[i].zh));
	}
}

static void test_ratios_round_half_away_from_zero(void)
{
	static const struct {
		int64_t num, den, scale, want;
		bool ok;
	} cases[] = {
		{1, 3, 10000, 3333, true},     {2, 3, 10000, 6667, true},   {1, 8, 10000, 1250, true},
		{5, 2, 1, 3, true},            {-5, 2, 1, -3, true},        {-7, 3, 100, -233, true},
		{0, 7, 100, 0, true},          {222, 222, 10000, 10000, true},
		{1000000007, 3, 100, 33333333567, true},                    {5, 0, 100, 0, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t q = -1;
		CHECK_INT_EQ(compare_ratio(cases[i].num, cases[i].den, cases[i].scale, &q), cases[i].ok);
		CHECK_INT_EQ(q, cases[i].want);
	}
}

/* ---- the measures ------------------------------------------------------ */

typedef struct {
	lworld w;
	int64_t township; /* a user: area admin of 平顶堡镇 */
	int64_t h9002;    /* 腰堡村: a household with only a cancelled redemption */
	st_user town_user;
	actor town;
	unsigned year;
	compare_period p; /* last year */
} cworld;

static bool post(cworld *c, int who, int64_t village, int64_t rule, int64_t household,
                 const char *date, int64_t *entry)
{
	ledger_target t = {.household_id = household};
	ledger_record_in in = {.village_id = village, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .deed_date = date};
	int64_t batch = 0;
	core_err err;
	if (ledger_record(c->w.st, &c->w.as[who], &in, NULL, &batch, &err) != CORE_OK) {
		fprintf(stderr, "record %s: %s\n", date, err.en);
		return false;
	}
	if (entry)
		*entry = lw_int(&c->w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)batch);
	return true;
}

/* Posts an entry as the shop does (a redemption, or the reversal that cancels
 * one: reverses names it). */
static bool post_raw(cworld *c, int64_t village, int64_t household, const char *kind,
                     int64_t points, const char *date, int64_t reverses, int64_t *entry)
{
	st_entry e = {.village_id = village, .household_id = household, .kind = kind,
	              .points = points, .deed_date = date, .month = "", .bucket = "confirmed",
	              .reverses_id = reverses, .recorded_by = c->w.u[LW_CLERK].id};
	char month[8];
	snprintf(month, sizeof(month), "%.7s", date);
	e.month = month;
	core_err err;
	bool ok = store_begin(c->w.st) == STORE_OK &&
	          ledger_post(c->w.st, &e, &c->w.ar, &err) == CORE_OK;
	if (ok)
		ok = store_commit(c->w.st) == STORE_OK;
	else
		store_rollback(c->w.st);
	if (entry)
		*entry = e.id;
	return ok;
}

/*
 * Last year (Y), in 高箭沟村 (一组: 1001, 1002, 1004 moved out; 二组: 2001) and 腰堡村 (9001):
 *   1001  环境卫生 +5 (Y-03-10), 移风易俗 +10 (Y-05-01), 环境卫生 +5 this year (outside)
 *   1002  环境卫生 +5 (Y-03-12) reversed, 违规 −3 (Y-03-20)
 *   1004  环境卫生 +5 (Y-02-02) before it moved out (counts: it took part)
 *   2001  环境卫生 +5 (Y-07-01)
 *   9001  美德 +7 (Y-06-01)
 *   and what does not count: 1001 redeems −4; 9002 (腰堡村) redeems −50, cancelled (+50)
 * 高箭沟村: 3 active households, 4 taking part, earned 5+10+0−3+5+5 = 22,
 *   环境卫生 15, 移风易俗 10, 违规 −3; 一组 17 (3 taking part), 二组 5 (1).
 */
static bool cw_build(cworld *c)
{
	memset(c, 0, sizeof(*c));
	lworld *w = &c->w;
	if (!lw_build(w))
		return false;
	c->township = fx_user(w->st, "township", "area_admin", w->town, 0, 0);
	if (!c->township || store_user_get(w->st, c->township, &w->ar, &c->town_user) != STORE_OK)
		return false;
	c->town = (actor){.user = &c->town_user, .ip = "10.0.0.9"};
	char d[11], this_year[11];
	lw_last_year(d, 1, 1);
	c->year = (unsigned)atoi(d) % 10000u;
	lw_today(this_year);
	memcpy(this_year + 4, "-01-01", 7);
	char period[8];
	snprintf(period, sizeof(period), "%04u", c->year % 10000u);
	core_err err;
	if (compare_period_parse(period, NULL, NULL, &c->p, &err) != CORE_OK)
		return false;
	st_rule env = {.category = "环境卫生"}, customs = {.category = "移风易俗"},
	        bad = {.category = "违规"}, virtue = {.category = "美德"};
	int64_t r_env = lw_rule(w, w->v1, "庭院整洁", 5, &env);
	int64_t r_customs = lw_rule(w, w->v1, "婚事新办", 10, &customs);
	int64_t r_bad = lw_rule(w, w->v1, "乱堆乱放", -3, &bad);
	int64_t r_virtue = lw_rule(w, w->v2, "孝老爱亲", 7, &virtue);
	if (!r_env || !r_customs || !r_bad || !r_virtue)
		return false;
	/* 1004 takes part before it moves out: make it active for the record */
	if (lw_exec(w, "UPDATE households SET status = 'active' WHERE id = %lld",
	            (long long)w->h_moved) != 0)
		return false;
	int64_t e1002 = 0;
	char y[4][11];
	lw_last_year(y[0], 3, 10);
	lw_last_year(y[1], 5, 1);
	lw_last_year(y[2], 3, 12);
	lw_last_year(y[3], 3, 20);
	char y2[3][11];
	lw_last_year(y2[0], 2, 2);
	lw_last_year(y2[1], 7, 1);
	lw_last_year(y2[2], 6, 1);
	if (!post(c, LW_SCORER, w->v1, r_env, w->h1, y[0], NULL) ||
	    !post(c, LW_SCORER, w->v1, r_customs, w->h1, y[1], NULL) ||
	    !post(c, LW_SCORER, w->v1, r_env, w->h1, this_year, NULL) ||
	    !post(c, LW_SCORER, w->v1, r_env, w->h2, y[2], &e1002) ||
	    !post(c, LW_ADMIN, w->v1, r_bad, w->h2, y[3], NULL) ||
	    !post(c, LW_SCORER, w->v1, r_env, w->h_moved, y2[0], NULL) ||
	    !post(c, LW_SCORER, w->v1, r_env, w->h3, y2[1], NULL) ||
	    !post(c, LW_ADMIN2, w->v2, r_virtue, w->h_other, y2[2], NULL))
		return false;
	if (lw_exec(w, "UPDATE households SET status = 'moved_out' WHERE id = %lld",
	            (long long)w->h_moved) != 0)
		return false;
	int64_t batch = 0;
	core_err e;
	if (ledger_reverse(w->st, &w->as[LW_SCORER], e1002, "记错了户", NULL, &batch, &e) != CORE_OK) {
		fprintf(stderr, "reverse: %s\n", e.en);
		return false;
	}
	/* what does not count: 1001 redeems 4 points; 9002 of 腰堡村 has only a
	 * redemption and the reversal that cancelled it */
	c->h9002 = fx_household(w->st, w->v2, w->g3, "9002", "钱秀兰");
	int64_t redeemed = 0;
	if (!c->h9002 || !post_raw(c, w->v1, w->h1, "redemption", -4, y2[2], 0, NULL) ||
	    !post_raw(c, w->v2, c->h9002, "redemption", -50, y2[2], 0, &redeemed) ||
	    !post_raw(c, w->v2, c->h9002, "reversal", 50, y2[2], redeemed, NULL))
		return false;
	/* redemptions of 1001 (一组) and 2001 (二组): in the period at both edges, one
	 * cancelled, one just before and one just after the period */
	long long from = c->p.from_at, end = c->p.end_at;
	if (lw_exec(w,
	            "INSERT INTO redemptions(village_id, household_id, receipt_no, total_points, entry_id,"
	            " status, created_by, created_at) VALUES"
	            " (%1$lld, %2$lld, 'R1', 6, %4$lld, 'done', %5$lld, %6$lld),"
	            " (%1$lld, %3$lld, 'R2', 4, %4$lld, 'done', %5$lld, %7$lld - 1),"
	            " (%1$lld, %2$lld, 'R3', 9, %4$lld, 'cancelled', %5$lld, %6$lld + 100),"
	            " (%1$lld, %2$lld, 'R4', 8, %4$lld, 'done', %5$lld, %6$lld - 1),"
	            " (%1$lld, %3$lld, 'R5', 8, %4$lld, 'done', %5$lld, %7$lld)",
	            (long long)w->v1, (long long)w->h1, (long long)w->h3, (long long)e1002,
	            (long long)w->u[LW_CLERK].id, from, end) != 0)
		return false;
	/* notices of Y-03 (two objections by 1002: one upheld, one dismissed; one
	 * open by 2001) and of this year's January (one, outside the period) */
	if (lw_exec(w,
	            "INSERT INTO notices(id, village_id, month, published_at, closes_at, chain_seq,"
	            " chain_hash, entry_count, total_points) VALUES"
	            " (1, %1$lld, '%2$04u-03', 0, 0, 1, 'x', 1, 1),"
	            " (2, %1$lld, '%3$04u-01', 0, 0, 1, 'x', 1, 1);"
	            "INSERT INTO objections(village_id, notice_id, entry_id, household_id, reason, status,"
	            " created_by, created_at) VALUES"
	            " (%1$lld, 1, %4$lld, %5$lld, '不是我家', 'upheld', 1, 0),"
	            " (%1$lld, 1, %4$lld, %5$lld, '分数不对', 'dismissed', 1, 0),"
	            " (%1$lld, 1, %4$lld, %6$lld, '再核实', 'open', 1, 0),"
	            " (%1$lld, 2, %4$lld, %5$lld, '明年的', 'upheld', 1, 0)",
	            (long long)w->v1, c->year % 10000u, (c->year + 1) % 10000u, (long long)e1002,
	            (long long)w->h2, (long long)w->h3) != 0)
		return false;
	return true;
}

static int64_t cat_points(const compare_row *r, const char *category)
{
	for (size_t i = 0; i < r->ncats; i++)
		if (strcmp(r->cats[i].category, category) == 0)
			return r->cats[i].points;
	return -999;
}

/* The categories (from the entries) add up to the points earned (the totals). */
static bool cats_add_up(const compare_result *res)
{
	for (size_t i = 0; i <= res->n; i++) {
		const compare_row *r = i < res->n ? &res->rows[i] : &res->total;
		int64_t sum = 0;
		for (size_t c = 0; c < r->ncats; c++)
			sum += r->cats[c].points;
		if (sum != r->earned) {
			fprintf(stderr, "row %zu (%s): categories %lld, earned %lld\n", i, r->name,
			        (long long)sum, (long long)r->earned);
			return false;
		}
	}
	return true;
}

static void test_villages_of_the_county(void)
{
	cworld c;
	CHECK(cw_build(&c));
	lworld *w = &c.w;
	compare_result res;
	core_err err;
	core_status cs = compare_villages(w->st, &w->as[LW_COUNTY], w->county, &c.p, &w->ar, &res, &err);
	CHECK(lw_expect("county", cs, &err, CORE_OK, NULL, NULL));
	CHECK_INT_EQ(res.n, 2);
	CHECK_STR_EQ(res.area.name, "铁岭县");
	const compare_row *v1 = &res.rows[0], *v2 = &res.rows[1];
	CHECK_INT_EQ(v1->id, w->v1);
	CHECK_STR_EQ(v1->name, "高箭沟村");
	CHECK_STR_EQ(v1->parent_name, "平顶堡镇");
	CHECK_INT_EQ(v1->households, 3);
	CHECK_INT_EQ(v1->participating, 4);
	CHECK_INT_EQ(v1->earned, 22);
	CHECK_INT_EQ(v1->ncats, 3);
	CHECK_STR_EQ(v1->cats[0].category, "环境卫生"); /* by name (UTF-8 order) */
	CHECK_INT_EQ(cat_points(v1, "环境卫生"), 15);
	CHECK_INT_EQ(cat_points(v1, "移风易俗"), 10);
	CHECK_INT_EQ(cat_points(v1, "违规"), -3);
	CHECK_INT_EQ(v1->redemptions, 2);
	CHECK_INT_EQ(v1->redeemed_points, 10);
	CHECK_INT_EQ(v1->objections, 3);
	CHECK_INT_EQ(v1->upheld, 1);

	CHECK_INT_EQ(v2->id, w->v2);
	CHECK_STR_EQ(v2->parent_name, "腰堡镇");
	CHECK_INT_EQ(v2->households, 2);
	CHECK_INT_EQ(v2->participating, 1);
	CHECK_INT_EQ(v2->earned, 7);
	CHECK_INT_EQ(v2->ncats, 1);
	CHECK_INT_EQ(cat_points(v2, "美德"), 7);
	CHECK_INT_EQ(v2->redemptions + v2->redeemed_points + v2->objections + v2->upheld, 0);

	const compare_row *t = &res.total;
	CHECK_STR_EQ(t->name, "铁岭县");
	CHECK_INT_EQ(t->households, 5);
	CHECK_INT_EQ(t->participating, 5);
	CHECK_INT_EQ(t->earned, 29);
	CHECK_INT_EQ(t->ncats, 4);
	CHECK_INT_EQ(cat_points(t, "美德"), 7);
	CHECK_INT_EQ(cat_points(t, "环境卫生"), 15);
	CHECK_INT_EQ(t->redemptions, 2);
	CHECK_INT_EQ(t->objections, 3);
	CHECK(cats_add_up(&res));
	lw_done(w);
}

static void test_a_month_and_a_range(void)
{
	cworld c;
	CHECK(cw_build(&c));
	lworld *w = &c.w;
	char m[8];
	snprintf(m, sizeof(m), "%04u-03", c.year % 10000u);
	compare_period p;
	core_err err;
	CHECK_INT_EQ(compare_period_parse(m, NULL, NULL, &p, &err), CORE_OK);
	compare_result res;
	CHECK_INT_EQ(compare_villages(w->st, &w->as[LW_COUNTY], w->town, &p, &w->ar, &res, &err),
	             CORE_OK);
	CHECK_INT_EQ(res.n, 1);
	/* March: 1001 +5, 1002 +5 −5 −3 */
	CHECK_INT_EQ(res.rows[0].participating, 2);
	CHECK_INT_EQ(res.rows[0].earned, 2);
	CHECK_INT_EQ(cat_points(&res.rows[0], "环境卫生"), 5);
	CHECK_INT_EQ(res.rows[0].objections, 3);
	CHECK_INT_EQ(res.rows[0].redemptions, 0);

	/* from last December to this January: 1001's entry of this January only */
	char from[8], to[8];
	snprintf(from, sizeof(from), "%04u-12", c.year % 10000u);
	snprintf(to, sizeof(to), "%04u-01", (c.year + 1) % 10000u);
	CHECK_INT_EQ(compare_period_parse(NULL, from, to, &p, &err), CORE_OK);
	CHECK_INT_EQ(compare_villages(w->st, &w->as[LW_COUNTY], w->county, &p, &w->ar, &res, &err),
	             CORE_OK);
	CHECK_INT_EQ(res.rows[0].participating, 1);
	CHECK_INT_EQ(res.rows[0].earned, 5);
	CHECK_INT_EQ(res.rows[0].redemptions, 2); /* the one at the period's end, and the next */
	CHECK_INT_EQ(res.rows[0].objections, 1);
	CHECK_INT_EQ(res.rows[0].upheld, 1);
	CHECK_INT_EQ(res.rows[1].earned, 0);
	CHECK_INT_EQ(res.rows[1].ncats, 0);
	CHECK_INT_EQ(res.total.ncats, 1);
	CHECK(cats_add_up(&res));

	/* a range spelling a quarter reads the quarter's totals: the same rows */
	char q_from[8], q_to[8], q[8];
	snprintf(q_from, sizeof(q_from), "%04u-01", c.year % 10000u);
	snprintf(q_to, sizeof(q_to), "%04u-03", c.year % 10000u);
	snprintf(q, sizeof(q), "%04u-Q1", c.year % 10000u);
	compare_result by_range, by_quarter;
	CHECK_INT_EQ(compare_period_parse(NULL, q_from, q_to, &p, &err), CORE_OK);
	CHECK_INT_EQ(compare_villages(w->st, &w->as[LW_COUNTY], w->county, &p, &w->ar, &by_range, &err),
	             CORE_OK);
	CHECK_INT_EQ(compare_period_parse(q, NULL, NULL, &p, &err), CORE_OK);
	CHECK_INT_EQ(compare_villages(w->st, &w->as[LW_COUNTY], w->county, &p, &w->ar, &by_quarter,
	                              &err), CORE_OK);
	/* Q1: 1001 +5, 1002 +5 −5 −3, 1004 +5 */
	CHECK_INT_EQ(by_quarter.rows[0].participating, 3);
	CHECK_INT_EQ(by_quarter.rows[0].earned, 7);
	CHECK_INT_EQ(by_range.rows[0].participating, 3);
	CHECK_INT_EQ(by_range.rows[0].earned, 7);

	/* February to May is no single period: the monthly totals, each household once */
	snprintf(q_from, sizeof(q_from), "%04u-02", c.year % 10000u);
	snprintf(q_to, sizeof(q_to), "%04u-05", c.year % 10000u);
	CHECK_INT_EQ(compare_period_parse(NULL, q_from, q_to, &p, &err), CORE_OK);
	CHECK_STR_EQ(p.period, "");
	CHECK_INT_EQ(compare_villages(w->st, &w->as[LW_COUNTY], w->town, &p, &w->ar, &res, &err),
	             CORE_OK);
	/* 1001 in March and May counts once; 1002 in March; 1004 in February */
	CHECK_INT_EQ(res.rows[0].participating, 3);
	CHECK_INT_EQ(res.rows[0].earned, 17);
	CHECK(cats_add_up(&res));
	lw_done(w);
}

static void test_groups_add_up_to_the_village(void)
{
	cworld c;
	CHECK(cw_build(&c));
	lworld *w = &c.w;
	compare_result g, v;
	core_err err;
	CHECK_INT_EQ(compare_groups(w->st, &w->as[LW_ADMIN], w->v1, &c.p, &w->ar, &g, &err), CORE_OK);
	CHECK_INT_EQ(compare_villages(w->st, &c.town, w->town, &c.p, &w->ar, &v, &err), CORE_OK);
	CHECK_INT_EQ(g.n, 2);
	CHECK_STR_EQ(g.village.name, "高箭沟村");
	const compare_row *g1 = &g.rows[0], *g2 = &g.rows[1];
	CHECK_STR_EQ(g1->name, "一组");
	CHECK_INT_EQ(g1->households, 2);
	CHECK_INT_EQ(g1->participating, 3);
	CHECK_INT_EQ(g1->earned, 17);
	CHECK_INT_EQ(g1->redemptions, 1);
	CHECK_INT_EQ(g1->redeemed_points, 6);
	CHECK_INT_EQ(g1->objections, 2);
	CHECK_INT_EQ(g1->upheld, 1);
	CHECK_STR_EQ(g2->name, "二组");
	CHECK_INT_EQ(g2->participating, 1);
	CHECK_INT_EQ(g2->earned, 5);
	CHECK_INT_EQ(g2->redeemed_points, 4);
	CHECK_INT_EQ(g2->objections, 1);
	CHECK_INT_EQ(g2->upheld, 0);
	const compare_row *a = &g.total, *b = &v.rows[0];
	CHECK_INT_EQ(a->households, b->households);
	CHECK_INT_EQ(a->participating, b->participating);
	CHECK_INT_EQ(a->earned, b->earned);
	CHECK_INT_EQ(a->redemptions, b->redemptions);
	CHECK_INT_EQ(a->redeemed_points, b->redeemed_points);
	CHECK_INT_EQ(a->objections, b->objections);
	CHECK_INT_EQ(a->upheld, b->upheld);
	CHECK_INT_EQ(a->ncats, b->ncats);
	for (size_t i = 0; i < a->ncats; i++) {
		CHECK_STR_EQ(a->cats[i].category, b->cats[i].category);
		CHECK_INT_EQ(a->cats[i].points, b->cats[i].points);
	}
	CHECK(cats_add_up(&g));
	lw_done(w);
}

static void test_who_may_compare(void)
{
	cworld c;
	CHECK(cw_build(&c));
	lworld *w = &c.w;
	compare_result res;
	core_err err;
	static const struct {
		int who; /* -1: the township admin, -2: the operator */
		bool area_town2; /* else 平顶堡镇 */
		core_status want;
	} villages[] = {
		{LW_COUNTY, false, CORE_OK},     {LW_COUNTY, true, CORE_OK},
		{-1, false, CORE_OK},            {-1, true, CORE_FORBIDDEN},
		{-2, true, CORE_OK},             {LW_ADMIN, false, CORE_FORBIDDEN},
		{LW_SCORER, false, CORE_FORBIDDEN}, {LW_VILLAGER, false, CORE_FORBIDDEN},
		{LW_ADMIN2, true, CORE_FORBIDDEN},
	};
	actor op = {.user = NULL, .ip = "cli"};
	for (size_t i = 0; i < sizeof(villages) / sizeof(villages[0]); i++) {
		const actor *who = villages[i].who == -1 ? &c.town
		                   : villages[i].who == -2 ? &op : &w->as[villages[i].who];
		int64_t area = villages[i].area_town2 ? w->town2 : w->town;
		core_status cs = compare_villages(w->st, who, area, &c.p, &w->ar, &res, &err);
		char what[48];
		snprintf(what, sizeof(what), "villages case %zu", i);
		CHECK(lw_expect(what, cs, &err, villages[i].want, NULL, NULL));
	}
	/* the township admin cannot climb to the county */
	CHECK(lw_expect("town → county", compare_villages(w->st, &c.town, w->county, &c.p, &w->ar, &res,
	                &err), &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(lw_expect("no area", compare_villages(w->st, &w->as[LW_COUNTY], 999, &c.p, &w->ar, &res,
	                &err), &err, CORE_NOT_FOUND, NULL, NULL));

	static const struct {
		int who;
		core_status want;
	} groups[] = {
		{LW_ADMIN, CORE_OK},   {LW_SCORER, CORE_OK},       {LW_CLERK, CORE_OK},
		{LW_COUNTY, CORE_OK},  {-1, CORE_OK},              {LW_VILLAGER, CORE_FORBIDDEN},
		{LW_ADMIN2, CORE_FORBIDDEN},
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const actor *who = groups[i].who == -1 ? &c.town : &w->as[groups[i].who];
		core_status cs = compare_groups(w->st, who, w->v1, &c.p, &w->ar, &res, &err);
		char what[48];
		snprintf(what, sizeof(what), "groups case %zu", i);
		CHECK(lw_expect(what, cs, &err, groups[i].want, NULL, NULL));
	}
	/* the admin of 腰堡镇's village: the other township's admin is refused */
	int64_t t2 = fx_user(w->st, "township2", "area_admin", w->town2, 0, 0);
	st_user u2;
	CHECK(t2 && store_user_get(w->st, t2, &w->ar, &u2) == STORE_OK);
	actor town2 = {.user = &u2, .ip = "10.0.0.10"};
	CHECK(lw_expect("town2 → v1 groups", compare_groups(w->st, &town2, w->v1, &c.p, &w->ar, &res,
	                &err), &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("no village", compare_groups(w->st, &w->as[LW_COUNTY], 999, &c.p, &w->ar, &res,
	                &err), &err, CORE_NOT_FOUND, NULL, NULL));
	lw_done(w);
}

/* The shapes the area views read with stay on their indexes: a rule's entries
 * of a period from entries_rule_period alone, a period's totals from
 * totals_rank alone. */
static void test_the_plans_use_covering_indexes(void)
{
	cworld c;
	CHECK(cw_build(&c));
	lworld *w = &c.w;
	sqlite3 *db = NULL;
	CHECK(sqlite3_open_v2(w->db.path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	static const struct {
		const char *sql, *index;
	} plans[] = {
		{"EXPLAIN QUERY PLAN SELECT sum(e.points) FROM entries e WHERE e.village_id = 1"
		 " AND e.rule_id = 2 AND e.deed_date >= '2025-01-01' AND e.deed_date < '2026-01-01'"
		 " AND e.kind IN ('award', 'deduction', 'adjustment')",
		 "COVERING INDEX entries_rule_period (village_id=? AND rule_id=? AND deed_date>? AND"},
		{"EXPLAIN QUERY PLAN SELECT sum(e.points) FROM entries e WHERE e.village_id = 1"
		 " AND e.rule_id IS NULL AND e.deed_date >= '2025-01-01' AND e.deed_date < '2026-01-01'",
		 "COVERING INDEX entries_rule_period (village_id=? AND rule_id=? AND deed_date>? AND"},
		{"EXPLAIN QUERY PLAN SELECT count(*), sum(t.earned) FROM totals t WHERE t.village_id = 1"
		 " AND t.period = '2025'", "COVERING INDEX totals_rank (village_id=? AND period=?)"},
		{"EXPLAIN QUERY PLAN SELECT count(*) FROM households h WHERE h.village_id = 1"
		 " AND h.status = 'active'", "COVERING INDEX households_active"},
	};
	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		sqlite3_stmt *s = NULL;
		CHECK(sqlite3_prepare_v2(db, plans[i].sql, -1, &s, NULL) == SQLITE_OK);
		bool found = false;
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(s, 3);
			if (d && strstr(d, plans[i].index))
				found = true;
		}
		sqlite3_finalize(s);
		if (!found)
			fprintf(stderr, "plan %zu does not use %s\n", i, plans[i].index);
		CHECK(found);
	}
	sqlite3_close(db);
	lw_done(w);
}

CHECK_MAIN("compare", T(test_periods_that_parse), T(test_periods_that_do_not),
           T(test_ratios_round_half_away_from_zero), T(test_villages_of_the_county),
           T(test_a_month_and_a_range), T(test_groups_add_up_to_the_village),
           T(test_who_may_compare), T(test_the_plans_use_covering_indexes))
