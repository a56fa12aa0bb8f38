/*
 * Unit tests for src/core/rank.c, honours.c and yearend.c (and their SQL in
 * sqlite_rank.c): periods; the totals the ledger keeps as it posts (awards,
 * deductions, adjustments and their reversals count, redemptions, their
 * cancellations, clearing and carry-over never do) and jifen verify finding a
 * total changed behind jifen's back; rankings with shared ranks (1, 2, 2, 4),
 * groups, paging, moved-out households and who may read them; honour rules;
 * closing a year with either balance policy (the clear policy after points
 * were spent in the new year), its honours, and a closed year refusing every
 * kind of entry.
 */
#include "check.h"
#include "core/honours.h"
#include "core/ledger.h"
#include "core/rank.h"
#include "core/verify.h"
#include "core/yearend.h"
#include "ledger_fixture.h"

/* ---- helpers ---------------------------------------------------------- */

/* Records rule for one household on date as the scorer; the new entry's id or 0. */
static int64_t rec(lworld *w, int64_t rule, int64_t household, const char *date, int64_t qty)
{
	ledger_target t = {.household_id = household};
	ledger_record_in in = {.village_id = w->v1, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .deed_date = date, .quantity = qty};
	core_err err;
	int64_t b = 0;
	if (ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &b, &err) != CORE_OK) {
		fprintf(stderr, "rec %s: %s\n", date, err.en);
		return 0;
	}
	return lw_int(w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)b);
}

/* Posts an entry of any kind straight through ledger_post in its own transaction. */
static core_status post(lworld *w, const char *kind, int64_t household, int64_t points,
                        const char *date, const char *bucket, int64_t reverses, int64_t *id,
                        core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	char month[8];
	snprintf(month, sizeof(month), "%.7s", date);
	st_entry e = {.village_id = w->v1, .household_id = household, .kind = kind,
	              .points = points, .deed_date = date, .month = month, .bucket = bucket,
	              .reverses_id = reverses, .recorded_by = w->u[LW_ADMIN].id};
	core_status cs = store_begin(w->st) == STORE_OK ? ledger_post(w->st, &e, &ar, err)
	                                                 : CORE_ERROR;
	if (cs == CORE_OK && store_commit(w->st) != STORE_OK)
		cs = CORE_ERROR;
	if (cs != CORE_OK)
		store_rollback(w->st);
	if (id)
		*id = e.id;
	arena_free(&ar);
	return cs;
}

static long long total(lworld *w, int64_t household, const char *period)
{
	return lw_int(w, "SELECT COALESCE((SELECT earned FROM totals WHERE household_id = %lld"
	                 " AND period = '%s'), 0)", (long long)household, period);
}

/* Confirms a notice month the way the notices do (store_month_confirm). */
static bool confirm(lworld *w, const char *month)
{
	bool ok = store_begin(w->st) == STORE_OK &&
	          store_month_confirm(w->st, w->v1, month, time_now(), NULL, NULL) == STORE_OK;
	ok = ok && store_commit(w->st) == STORE_OK;
	if (!ok)
		store_rollback(w->st);
	return ok;
}

static void year_of(char out[5], int delta)
{
	char t[11];
	lw_today(t);
	snprintf(out, 5, "%04u", (unsigned)(atoi(t) + delta) % 10000u);
}

/* ---- periods ---------------------------------------------------------- */

static void periods_are_checked(void)
{
	static const struct {
		const char *p;
		bool ok;
	} cases[] = {
		{"2026", true}, {"2026-Q1", true}, {"2026-Q4", true}, {"2026-01", true},
		{"2026-12", true}, {"2000", true}, {NULL, false}, {"", false}, {"26", false},
		{"1999", false}, {"2026-Q0", false}, {"2026-Q5", false}, {"2026-00", false},
		{"2026-13", false}, {"2026-1", false}, {"2026-q1", false}, {"2026/11", false},
		{"2026-11-01", false}, {"abcd", false}, {"2026-1a", false}, {"20261", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		core_status got = rank_period_check(cases[i].p, &err);
		if ((got == CORE_OK) != cases[i].ok)
			fprintf(stderr, "period \"%s\": got %d\n", cases[i].p ? cases[i].p : "(null)", got);
		CHECK_INT_EQ(got == CORE_OK, cases[i].ok);
		if (!cases[i].ok)
			CHECK_STR_EQ(err.code, "invalid_period");
	}
	static const struct {
		const char *date, *year, *quarter, *month;
	} of[] = {
		{"2026-01-15", "2026", "2026-Q1", "2026-01"}, {"2026-03-31", "2026", "2026-Q1", "2026-03"},
		{"2026-04-01", "2026", "2026-Q2", "2026-04"}, {"2025-09-30", "2025", "2025-Q3", "2025-09"},
		{"2025-10-01", "2025", "2025-Q4", "2025-10"}, {"2026-12-31", "2026", "2026-Q4", "2026-12"},
	};
	for (size_t i = 0; i < sizeof(of) / sizeof(of[0]); i++) {
		char y[RANK_PERIOD_MAX], q[RANK_PERIOD_MAX], m[RANK_PERIOD_MAX];
		rank_periods_of(of[i].date, y, q, m);
		CHECK_STR_EQ(y, of[i].year);
		CHECK_STR_EQ(q, of[i].quarter);
		CHECK_STR_EQ(m, of[i].month);
	}
}

/* ---- totals ----------------------------------------------------------- */

static void totals_follow_what_counts_as_earned(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t good = lw_rule(&w, w.v1, "好人好事", 5, NULL);
	int64_t bad = lw_rule(&w, w.v1, "乱堆乱放", -3, NULL);
	char today[11], june[11], y[RANK_PERIOD_MAX], q[RANK_PERIOD_MAX], m[RANK_PERIOD_MAX];
	char ly[RANK_PERIOD_MAX], lq[RANK_PERIOD_MAX], lm[RANK_PERIOD_MAX];
	lw_today(today);
	lw_last_year(june, 6, 15);
	rank_periods_of(today, y, q, m);
	rank_periods_of(june, ly, lq, lm);
	CHECK(rec(&w, good, w.h1, today, 2));            /* +10 */
	int64_t old = rec(&w, good, w.h1, june, 1);      /* +5 last June */
	CHECK(old);
	CHECK(rec(&w, bad, w.h1, today, 1));             /* -3 */
	CHECK(rec(&w, good, w.h2, today, 1));            /* +5 */
	CHECK_INT_EQ(total(&w, w.h1, y), 7);
	CHECK_INT_EQ(total(&w, w.h1, q), 7);
	CHECK_INT_EQ(total(&w, w.h1, m), 7);
	CHECK_INT_EQ(total(&w, w.h1, ly), 5);
	CHECK_INT_EQ(total(&w, w.h1, lq), 5);
	CHECK_INT_EQ(total(&w, w.h1, lm), 5);
	CHECK_INT_EQ(total(&w, w.h2, y), 5);
	/* a reversal counts in the periods of the original's deed date */
	core_err err;
	int64_t b = 0;
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_ADMIN], old, "记错了", NULL, &b, &err), CORE_OK);
	CHECK_INT_EQ(total(&w, w.h1, ly), 0);
	CHECK_INT_EQ(total(&w, w.h1, lm), 0);
	CHECK_INT_EQ(total(&w, w.h1, y), 7);
	/* redemptions, their cancellations, clearing and carry-over never count */
	int64_t red = 0;
	CHECK_INT_EQ(post(&w, "redemption", w.h1, -4, today, "confirmed", 0, &red, &err), CORE_OK);
	CHECK_INT_EQ(total(&w, w.h1, y), 7);
	CHECK_INT_EQ(post(&w, "reversal", w.h1, 4, today, "confirmed", red, NULL, &err), CORE_OK);
	CHECK_INT_EQ(post(&w, "clearing", w.h2, -5, today, "confirmed", 0, NULL, &err), CORE_OK);
	CHECK_INT_EQ(post(&w, "carry_over", w.h2, 5, today, "confirmed", 0, NULL, &err), CORE_OK);
	CHECK_INT_EQ(total(&w, w.h1, y), 7);
	CHECK_INT_EQ(total(&w, w.h2, y), 5);
	/* an adjustment counts, and so does its reversal */
	int64_t adj = 0;
	CHECK_INT_EQ(post(&w, "adjustment", w.h2, 2, today, "pending", 0, &adj, &err), CORE_OK);
	CHECK_INT_EQ(total(&w, w.h2, y), 7);
	CHECK_INT_EQ(post(&w, "reversal", w.h2, -2, today, "pending", adj, NULL, &err), CORE_OK);
	CHECK_INT_EQ(total(&w, w.h2, m), 5);
	/* the kept totals are what the entries say; a change behind jifen's back is named */
	verify_report r;
	CHECK_INT_EQ(verify_ledger(w.st, 0, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK_INT_EQ(lw_exec(&w, "UPDATE totals SET earned = earned + 50 WHERE household_id = %lld"
	                        " AND period = '%s'", (long long)w.h2, q), 0);
	CHECK_INT_EQ(verify_ledger(w.st, w.v1, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 1);
	CHECK_INT_EQ(r.bad_totals, 1);
	CHECK_INT_EQ(r.first_bad_entry, 0);
	char want[128];
	snprintf(want, sizeof(want), "household %lld (1002 王桂芝) has 55 points earned kept for %s",
	         (long long)w.h2, q);
	if (!strstr(r.problems[0], want))
		fprintf(stderr, "problem: %s\nwant: %s\n", r.problems[0], want);
	CHECK(strstr(r.problems[0], want) != NULL);
	CHECK(strstr(r.problems[0], "entries add up to 5") != NULL);
	/* a total that vanished is found too */
	CHECK_INT_EQ(lw_exec(&w, "DELETE FROM totals WHERE household_id = %lld AND period = '%s'",
	                     (long long)w.h1, m), 0);
	CHECK_INT_EQ(verify_ledger(w.st, w.v1, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.bad_totals, 2);
	lw_done(&w);
}

/* ---- rankings --------------------------------------------------------- */

static void ranks_are_shared_by_ties(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t h4 = fx_household(w.st, w.v1, w.g2, "2002", "李凤兰");
	int64_t h5 = fx_household(w.st, w.v1, w.g1, "1005", "于海洋");
	CHECK(h4 && h5);
	int64_t one = lw_rule(&w, w.v1, "参加文体活动", 1, NULL);
	char today[11], year[5];
	lw_today(today);
	year_of(year, 0);
	CHECK(rec(&w, one, w.h1, today, 10));
	CHECK(rec(&w, one, w.h2, today, 7));
	CHECK(rec(&w, one, w.h3, today, 7));
	CHECK(rec(&w, one, h4, today, 3));
	/* h5 earned nothing: it ranks last with 0; the moved-out 1004 is not ranked */
	arena ar;
	arena_init(&ar, 0);
	st_rank_filter f = {.village_id = w.v1, .period = year, .limit = 50};
	st_rank_row *rows = NULL;
	size_t n = 0;
	int64_t tot = 0;
	core_err err;
	CHECK_INT_EQ(rank_village(w.st, &w.as[LW_CLERK], false, &f, &ar, &rows, &n, &tot, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(tot, 5);
	static const struct {
		const char *passbook;
		int64_t earned, rank, group_rank;
	} want[] = {{"1001", 10, 1, 1}, {"1002", 7, 2, 2}, {"2001", 7, 2, 1}, {"2002", 3, 4, 2},
	            {"1005", 0, 5, 3}};
	for (size_t i = 0; i < n; i++) {
		CHECK_STR_EQ(rows[i].passbook_no, want[i].passbook);
		CHECK_INT_EQ(rows[i].earned, want[i].earned);
		CHECK_INT_EQ(rows[i].rank, want[i].rank);
		CHECK_INT_EQ(rows[i].village_rank, want[i].rank);
		CHECK_INT_EQ(rows[i].group_rank, want[i].group_rank);
	}
	CHECK_STR_EQ(rows[0].head_name, "于洪军");
	CHECK_STR_EQ(rows[0].group_name, "一组");
	/* a page */
	f.offset = 2;
	f.limit = 2;
	CHECK_INT_EQ(rank_village(w.st, &w.as[LW_ADMIN], false, &f, &ar, &rows, &n, &tot, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(tot, 5);
	CHECK_STR_EQ(rows[0].passbook_no, "2001");
	CHECK_INT_EQ(rows[1].rank, 4);
	/* within a group: ranks restart */
	f = (st_rank_filter){.village_id = w.v1, .period = year, .group_id = w.g2, .limit = 50};
	CHECK_INT_EQ(rank_village(w.st, &w.as[LW_ADMIN], false, &f, &ar, &rows, &n, &tot, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(rows[0].rank, 1);
	CHECK_INT_EQ(rows[0].village_rank, 2);
	CHECK_INT_EQ(rows[1].rank, 2);
	CHECK_INT_EQ(rows[1].village_rank, 4);
	/* a group of another village, a bad period */
	f.group_id = w.g3;
	CHECK(lw_expect("other village's group",
	                rank_village(w.st, &w.as[LW_ADMIN], false, &f, &ar, &rows, &n, &tot, &err),
	                &err, CORE_INVALID, "invalid_group", NULL));
	f.group_id = 0;
	f.period = "2026-Q5";
	CHECK(lw_expect("bad period",
	                rank_village(w.st, &w.as[LW_ADMIN], false, &f, &ar, &rows, &n, &tot, &err),
	                &err, CORE_INVALID, "invalid_period", NULL));
	/* who may read: staff and area admins; villagers and other villages use the public view */
	f.period = year;
	CHECK(lw_expect("villager, staff view",
	                rank_village(w.st, &w.as[LW_VILLAGER], false, &f, &ar, &rows, &n, &tot, &err),
	                &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(lw_expect("other village's admin",
	                rank_village(w.st, &w.as[LW_ADMIN2], false, &f, &ar, &rows, &n, &tot, &err),
	                &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK_INT_EQ(rank_village(w.st, &w.as[LW_COUNTY], false, &f, &ar, &rows, &n, &tot, &err),
	             CORE_OK);
	CHECK_INT_EQ(rank_village(w.st, NULL, true, &f, &ar, &rows, &n, &tot, &err), CORE_OK);
	CHECK_INT_EQ(n, 5);
	f.village_id = 999;
	CHECK(lw_expect("no such village",
	                rank_village(w.st, NULL, true, &f, &ar, &rows, &n, &tot, &err), &err,
	                CORE_NOT_FOUND, NULL, NULL));
	/* a moved-out household with points in the period is ranked */
	CHECK_INT_EQ(store_totals_add(w.st, w.v1, w.h_moved, year, 8), STORE_OK);
	f.village_id = w.v1;
	f.limit = 50;
	f.offset = 0;
	CHECK_INT_EQ(rank_village(w.st, &w.as[LW_ADMIN], false, &f, &ar, &rows, &n, &tot, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 6);
	CHECK_STR_EQ(rows[1].passbook_no, "1004");
	CHECK_STR_EQ(rows[1].status, "moved_out");
	CHECK_INT_EQ(rows[2].rank, 3);
	arena_free(&ar);
	lw_done(&w);
}

static void a_household_sees_its_rank(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t one = lw_rule(&w, w.v1, "参加文体活动", 1, NULL);
	char today[11], month[8];
	lw_today(today);
	snprintf(month, sizeof(month), "%.7s", today);
	CHECK(rec(&w, one, w.h1, today, 2));
	CHECK(rec(&w, one, w.h2, today, 4));
	CHECK(rec(&w, one, w.h3, today, 4));
	arena ar;
	arena_init(&ar, 0);
	st_rank_row r;
	int64_t nv = 0, ng = 0;
	core_err err;
	CHECK_INT_EQ(rank_household(w.st, &w.as[LW_VILLAGER], w.h1, month, &ar, &r, &nv, &ng, &err),
	             CORE_OK);
	CHECK_INT_EQ(r.earned, 2);
	CHECK_INT_EQ(r.village_rank, 3);
	CHECK_INT_EQ(r.group_rank, 2);
	CHECK_INT_EQ(nv, 3);
	CHECK_INT_EQ(ng, 2);
	CHECK(lw_expect("another household's rank",
	                rank_household(w.st, &w.as[LW_VILLAGER], w.h2, month, &ar, &r, &nv, &ng, &err),
	                &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK_INT_EQ(rank_household(w.st, &w.as[LW_SCORER], w.h3, month, &ar, &r, &nv, &ng, &err),
	             CORE_OK);
	CHECK_INT_EQ(r.village_rank, 1);
	CHECK_INT_EQ(r.group_rank, 1);
	CHECK_INT_EQ(ng, 1);
	/* moved out, nothing earned: shown unranked */
	CHECK_INT_EQ(rank_household(w.st, &w.as[LW_ADMIN], w.h_moved, month, &ar, &r, &nv, &ng, &err),
	             CORE_OK);
	CHECK_INT_EQ(r.village_rank, 0);
	CHECK_INT_EQ(nv, 0);
	CHECK_STR_EQ(r.passbook_no, "1004");
	arena_free(&ar);
	lw_done(&w);
}

/* ---- honour rules ----------------------------------------------------- */

static void honour_rules_are_checked(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const int64_t ok5[] = {10, 20, 30, 40, 50}, flat[] = {10, 20, 20, 40, 50},
	              neg[] = {0, 20, 30, 40, 50}, four[] = {10, 20, 30, 40};
	static const char *const codes[] = {"invalid_kind", "invalid_thresholds", "invalid_thresholds",
	                                    "invalid_thresholds", "invalid_thresholds",
	                                    "top_n_not_allowed", "invalid_top_n", "invalid_top_n",
	                                    "thresholds_not_allowed", "too_short"};
	honour_rule_in bad[] = {
		{.kind = "best", .title = "好媳妇", .has_top_n = true, .top_n = 3},
		{.kind = "stars", .title = "星级文明户"},
		{.kind = "stars", .title = "星级文明户", .thresholds = flat, .nthresholds = 5},
		{.kind = "stars", .title = "星级文明户", .thresholds = neg, .nthresholds = 5},
		{.kind = "stars", .title = "星级文明户", .thresholds = four, .nthresholds = 4},
		{.kind = "stars", .title = "星级文明户", .thresholds = ok5, .nthresholds = 5,
		 .has_top_n = true, .top_n = 3},
		{.kind = "top", .title = "文明家庭", .has_top_n = true, .top_n = 0},
		{.kind = "top", .title = "文明家庭"},
		{.kind = "top", .title = "文明家庭", .thresholds = ok5, .nthresholds = 5,
		 .has_top_n = true, .top_n = 3},
		{.kind = "top", .title = "", .has_top_n = true, .top_n = 3},
	};
	int64_t id = 0;
	core_err err;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		core_status cs = honour_rule_create(w.st, &w.as[LW_ADMIN], w.v1, &bad[i], &id, &err);
		if (cs != CORE_INVALID || strcmp(err.code, codes[i]) != 0)
			fprintf(stderr, "case %zu: %d %s (want %s)\n", i, cs, err.code, codes[i]);
		CHECK_INT_EQ(cs, CORE_INVALID);
		CHECK_STR_EQ(err.code, codes[i]);
	}
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM honour_rules"), 0);
	honour_rule_in stars = {.kind = "stars", .title = "星级文明户", .thresholds = ok5,
	                        .nthresholds = 5};
	CHECK(lw_expect("scorer adds", honour_rule_create(w.st, &w.as[LW_SCORER], w.v1, &stars, &id,
	                                                  &err), &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("other admin adds", honour_rule_create(w.st, &w.as[LW_ADMIN2], w.v1, &stars,
	                                                       &id, &err), &err, CORE_FORBIDDEN, NULL,
	                NULL));
	long long audits = lw_audits(&w);
	CHECK_INT_EQ(honour_rule_create(w.st, &w.as[LW_ADMIN], w.v1, &stars, &id, &err), CORE_OK);
	CHECK_INT_EQ(lw_audits(&w), audits + 1);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM honour_rules WHERE thresholds ="
	                        " '[10,20,30,40,50]' AND status = 'active'"), 1);
	CHECK(lw_expect("same title", honour_rule_create(w.st, &w.as[LW_ADMIN], w.v1, &stars, &id,
	                                                 &err), &err, CORE_CONFLICT, "title_taken",
	                "星级文明户"));
	/* the county admin above the village may add and retire, a villager may read */
	honour_rule_in top = {.kind = "top", .title = "文明家庭", .has_top_n = true, .top_n = 10};
	int64_t top_id = 0;
	CHECK_INT_EQ(honour_rule_create(w.st, &w.as[LW_COUNTY], w.v1, &top, &top_id, &err), CORE_OK);
	arena ar;
	arena_init(&ar, 0);
	st_honour_rule *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(honour_rule_list(w.st, &w.as[LW_VILLAGER], w.v1, &ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK(lw_expect("other village lists", honour_rule_list(w.st, &w.as[LW_ADMIN2], w.v1, &ar,
	                                                        &list, &n, &err), &err, CORE_FORBIDDEN,
	                NULL, NULL));
	CHECK(lw_expect("scorer retires", honour_rule_retire(w.st, &w.as[LW_SCORER], id, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK_INT_EQ(honour_rule_retire(w.st, &w.as[LW_ADMIN], id, &err), CORE_OK);
	CHECK(lw_expect("retire twice", honour_rule_retire(w.st, &w.as[LW_ADMIN], id, &err), &err,
	                CORE_CONFLICT, "honour_rule_retired", NULL));
	/* retired: the title is free again */
	CHECK_INT_EQ(honour_rule_create(w.st, &w.as[LW_ADMIN], w.v1, &stars, &id, &err), CORE_OK);
	arena_free(&ar);
	lw_done(&w);
}

/* ---- the year end ----------------------------------------------------- */

typedef struct {
	lworld w;
	int64_t good, h4;
	char ly[5], ty[5];         /* last year, this year */
	char ly_mar[11], ly_nov[11], today[11];
} yworld;

/* Last year: 1001 +30 (March), 1002 +10 (November), 2001 +10 (November),
 * 2002 -6 (a deduction); all confirmed. This year: 1001 +5, pending. */
static bool ybuild(yworld *y, const char *policy)
{
	memset(y, 0, sizeof(*y));
	lworld *w = &y->w;
	if (!lw_build(w))
		return false;
	y->h4 = fx_household(w->st, w->v1, w->g2, "2002", "李凤兰");
	y->good = lw_rule(w, w->v1, "志愿服务", 1, NULL);
	int64_t bad = lw_rule(w, w->v1, "邻里纠纷", -6, NULL);
	year_of(y->ly, -1);
	year_of(y->ty, 0);
	lw_last_year(y->ly_mar, 3, 10);
	lw_last_year(y->ly_nov, 11, 20);
	lw_today(y->today);
	char mar[8], nov[8];
	snprintf(mar, sizeof(mar), "%.7s", y->ly_mar);
	snprintf(nov, sizeof(nov), "%.7s", y->ly_nov);
	if (lw_exec(w, "UPDATE villages SET balance_policy = '%s' WHERE id = %lld", policy,
	            (long long)w->v1) != 0)
		return false;
	return y->h4 && y->good && bad && rec(w, y->good, w->h1, y->ly_mar, 30) &&
	       rec(w, y->good, w->h2, y->ly_nov, 10) && rec(w, y->good, w->h3, y->ly_nov, 10) &&
	       rec(w, bad, y->h4, y->ly_nov, 1) && confirm(w, mar) && confirm(w, nov) &&
	       rec(w, y->good, w->h1, y->today, 5);
}

static long long confirmed_of(lworld *w, int64_t household)
{
	return lw_int(w, "SELECT confirmed FROM balances WHERE household_id = %lld",
	              (long long)household);
}

static void a_year_is_closed_only_when_it_can_be(void)
{
	yworld y;
	CHECK(ybuild(&y, "carry_over"));
	lworld *w = &y.w;
	yearend_result res;
	core_err err;
	int64_t ly = atoi(y.ly), ty = atoi(y.ty);
	CHECK(lw_expect("this year", yearend_close(w->st, &w->as[LW_ADMIN], w->v1, ty, NULL, &res,
	                                           &err), &err, CORE_INVALID, "year_not_ended", NULL));
	CHECK(lw_expect("1999", yearend_close(w->st, &w->as[LW_ADMIN], w->v1, 1999, NULL, &res, &err),
	                &err, CORE_INVALID, "year_not_ended", NULL));
	CHECK(lw_expect("scorer", yearend_close(w->st, &w->as[LW_SCORER], w->v1, ly, NULL, &res,
	                                        &err), &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("county admin", yearend_close(w->st, &w->as[LW_COUNTY], w->v1, ly, NULL, &res,
	                                              &err), &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("other village", yearend_close(w->st, &w->as[LW_ADMIN2], w->v1, ly, NULL, &res,
	                                               &err), &err, CORE_FORBIDDEN, NULL, NULL));
	/* a pending entry of last year (its month not confirmed) stops the close */
	char dec[11], decm[8];
	lw_last_year(dec, 12, 1);
	snprintf(decm, sizeof(decm), "%.7s", dec);
	CHECK(rec(w, y.good, w->h3, dec, 2));
	long long entries = lw_entries(w);
	CHECK(lw_expect("pending", yearend_close(w->st, &w->as[LW_ADMIN], w->v1, ly, NULL, &res, &err),
	                &err, CORE_CONFLICT, "year_pending", decm));
	CHECK_INT_EQ(lw_entries(w), entries);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM year_ranking"), 0);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM year_closes"), 0);
	CHECK(confirm(w, decm));
	CHECK_INT_EQ(yearend_close(w->st, &w->as[LW_ADMIN], w->v1, ly, NULL, &res, &err), CORE_OK);
	CHECK(lw_expect("twice", yearend_close(w->st, &w->as[LW_ADMIN], w->v1, ly, NULL, &res, &err),
	                &err, CORE_CONFLICT, "year_already_closed", NULL));
	CHECK(lw_expect("an earlier year", yearend_close(w->st, &w->as[LW_ADMIN], w->v1, ly - 1, NULL,
	                                                 &res, &err), &err, CORE_CONFLICT,
	                "later_year_closed", NULL));
	/* the other village's year is its own */
	CHECK_INT_EQ(yearend_close(w->st, &w->as[LW_ADMIN2], w->v2, ly, NULL, &res, &err), CORE_OK);
	CHECK_INT_EQ(res.entries, 0);
	lw_done(w);
}

static void carry_over_moves_the_balance_into_the_new_year(void)
{
	yworld y;
	CHECK(ybuild(&y, "carry_over"));
	lworld *w = &y.w;
	honour_rule_in stars = {.kind = "stars", .title = "星级文明户",
	                        .thresholds = (const int64_t[]){5, 10, 20, 25, 30}, .nthresholds = 5};
	honour_rule_in top = {.kind = "top", .title = "文明家庭", .has_top_n = true, .top_n = 2};
	honour_rule_in old = {.kind = "top", .title = "旧规则", .has_top_n = true, .top_n = 50};
	int64_t id = 0, old_id = 0;
	core_err err;
	CHECK_INT_EQ(honour_rule_create(w->st, &w->as[LW_ADMIN], w->v1, &stars, &id, &err), CORE_OK);
	CHECK_INT_EQ(honour_rule_create(w->st, &w->as[LW_ADMIN], w->v1, &top, &id, &err), CORE_OK);
	CHECK_INT_EQ(honour_rule_create(w->st, &w->as[LW_ADMIN], w->v1, &old, &old_id, &err), CORE_OK);
	CHECK_INT_EQ(honour_rule_retire(w->st, &w->as[LW_ADMIN], old_id, &err), CORE_OK);
	long long before_h1 = confirmed_of(w, w->h1), before_h4 = confirmed_of(w, y.h4);
	CHECK_INT_EQ(before_h1, 30);
	CHECK_INT_EQ(before_h4, -6);
	yearend_result res;
	long long audits = lw_audits(w);
	CHECK_INT_EQ(yearend_close(w->st, &w->as[LW_ADMIN], w->v1, atoi(y.ly), NULL, &res, &err),
	             CORE_OK);
	CHECK_INT_EQ(lw_audits(w), audits + 1);
	CHECK_INT_EQ(res.households, 4); /* the active households; 1004 moved out */
	CHECK_INT_EQ(res.entries, 8);    /* four households, two entries each */
	/* balances unchanged; the new year opens with the carried balance */
	CHECK_INT_EQ(confirmed_of(w, w->h1), 30);
	CHECK_INT_EQ(lw_balance(w, w->h1), 35);
	CHECK_INT_EQ(confirmed_of(w, y.h4), -6);
	char last_day[11], first_day[11];
	snprintf(last_day, sizeof(last_day), "%s-12-31", y.ly);
	snprintf(first_day, sizeof(first_day), "%s-01-01", y.ty);
	CHECK_INT_EQ(lw_int(w, "SELECT points FROM entries WHERE household_id = %lld AND kind ="
	                       " 'clearing' AND deed_date = '%s' AND bucket = 'confirmed'",
	                    (long long)w->h1, last_day), -30);
	CHECK_INT_EQ(lw_int(w, "SELECT points FROM entries WHERE household_id = %lld AND kind ="
	                       " 'carry_over' AND deed_date = '%s' AND bucket = 'confirmed'",
	                    (long long)w->h1, first_day), 30);
	CHECK_INT_EQ(lw_int(w, "SELECT points FROM entries WHERE household_id = %lld AND kind ="
	                       " 'carry_over'", (long long)y.h4), -6);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE kind IN ('clearing','carry_over')"
	                       " AND month <> '%.7s'", y.today), 0);
	/* year-end entries are not points earned */
	CHECK_INT_EQ(total(w, w->h1, y.ly), 30);
	CHECK_INT_EQ(total(w, w->h1, y.ty), 5);
	/* the frozen ranking and honours */
	CHECK_INT_EQ(lw_int(w, "SELECT rank FROM year_ranking WHERE household_id = %lld",
	                    (long long)w->h2), 2);
	CHECK_INT_EQ(lw_int(w, "SELECT rank FROM year_ranking WHERE household_id = %lld",
	                    (long long)w->h3), 2);
	CHECK_INT_EQ(lw_int(w, "SELECT group_rank FROM year_ranking WHERE household_id = %lld",
	                    (long long)w->h3), 1);
	CHECK_INT_EQ(lw_int(w, "SELECT rank FROM year_ranking WHERE household_id = %lld",
	                    (long long)y.h4), 4);
	/* stars: 30 → 5, 10 → 2 (twice); top 2 with the tie: three households; none of the retired rule */
	CHECK_INT_EQ(lw_int(w, "SELECT stars FROM honours WHERE household_id = %lld AND stars > 0",
	                    (long long)w->h1), 5);
	CHECK_INT_EQ(lw_int(w, "SELECT stars FROM honours WHERE household_id = %lld AND stars > 0",
	                    (long long)w->h2), 2);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM honours WHERE title = '文明家庭'"), 3);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM honours WHERE rule_id = %lld", (long long)old_id),
	             0);
	CHECK_INT_EQ(res.honours, 6);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM honours WHERE household_id = %lld",
	                    (long long)y.h4), 0);
	arena ar;
	arena_init(&ar, 0);
	st_honour *hs = NULL;
	size_t n = 0;
	bool closed = false;
	int64_t year = 0;
	CHECK_INT_EQ(honours_list(w->st, NULL, true, w->v1, &year, &ar, &hs, &n, &closed, &err),
	             CORE_OK);
	CHECK_INT_EQ(year, atoi(y.ly));
	CHECK(closed);
	CHECK_INT_EQ(n, 6);
	CHECK_STR_EQ(hs[0].title, "星级文明户");
	CHECK_INT_EQ(hs[0].stars, 5);
	CHECK_STR_EQ(hs[0].head_name, "于洪军");
	CHECK(lw_expect("villager, staff view", honours_list(w->st, &w->as[LW_VILLAGER], false, w->v1,
	                                                     &year, &ar, &hs, &n, &closed, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	year = atoi(y.ty);
	CHECK_INT_EQ(honours_list(w->st, &w->as[LW_ADMIN], false, w->v1, &year, &ar, &hs, &n, &closed,
	                          &err), CORE_OK);
	CHECK(!closed);
	CHECK_INT_EQ(n, 0);
	/* the snapshot is frozen: the database refuses to change it */
	CHECK(lw_exec(w, "UPDATE honours SET stars = 1") != 0);
	CHECK(lw_exec(w, "UPDATE year_ranking SET earned = 99") != 0);
	verify_report r;
	CHECK_INT_EQ(verify_ledger(w->st, 0, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	arena_free(&ar);
	lw_done(w);
}

static void a_closed_year_takes_no_entries(void)
{
	yworld y;
	CHECK(ybuild(&y, "carry_over"));
	lworld *w = &y.w;
	int64_t old = lw_int(w, "SELECT id FROM entries WHERE household_id = %lld", (long long)w->h1);
	yearend_result res;
	core_err err;
	CHECK_INT_EQ(yearend_close(w->st, &w->as[LW_ADMIN], w->v1, atoi(y.ly), NULL, &res, &err),
	             CORE_OK);
	long long entries = lw_entries(w);
	ledger_target t = {.household_id = w->h2};
	ledger_record_in in = {.village_id = w->v1, .rule_id = y.good, .targets = &t, .ntargets = 1,
	                       .deed_date = y.ly_nov};
	int64_t b = 0;
	CHECK(lw_expect("record", ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &b, &err), &err,
	                CORE_INVALID, "year_closed", y.ly));
	CHECK(lw_expect("reverse", ledger_reverse(w->st, &w->as[LW_ADMIN], old, "记错了", NULL, &b,
	                                          &err), &err, CORE_INVALID, "year_closed", "冲销"));
	CHECK(lw_expect("any kind", post(w, "adjustment", w->h1, 3, y.ly_nov, "confirmed", 0, NULL,
	                                 &err), &err, CORE_INVALID, "year_closed", NULL));
	/* the carry-over (dated in the open year) belongs to the settlement */
	int64_t carry = lw_int(w, "SELECT id FROM entries WHERE kind = 'carry_over' AND household_id ="
	                          " %lld", (long long)w->h1);
	CHECK(lw_expect("reverse the carry-over", ledger_reverse(w->st, &w->as[LW_ADMIN], carry,
	                                                         "结转错了", NULL, &b, &err), &err,
	                CORE_CONFLICT, "year_end_entry", NULL));
	CHECK_INT_EQ(lw_entries(w), entries);
	/* this year is open */
	in.deed_date = y.today;
	CHECK_INT_EQ(ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &b, &err), CORE_OK);
	lw_done(w);
}

static void clear_takes_what_is_left_of_the_old_year(void)
{
	yworld y;
	CHECK(ybuild(&y, "clear"));
	lworld *w = &y.w;
	core_err err;
	/* 1001 spent 20 of its 30 this year (a redemption), then cancelled 5 of another */
	int64_t red = 0;
	CHECK_INT_EQ(post(w, "redemption", w->h1, -20, y.today, "confirmed", 0, NULL, &err), CORE_OK);
	CHECK_INT_EQ(post(w, "redemption", w->h1, -5, y.today, "confirmed", 0, &red, &err), CORE_OK);
	CHECK_INT_EQ(post(w, "reversal", w->h1, 5, y.today, "confirmed", red, NULL, &err), CORE_OK);
	/* 1002 earned 4 more this year, already confirmed */
	CHECK_INT_EQ(post(w, "adjustment", w->h2, 4, y.today, "confirmed", 0, NULL, &err), CORE_OK);
	yearend_result res;
	CHECK_INT_EQ(yearend_close(w->st, &w->as[LW_ADMIN], w->v1, atoi(y.ly), NULL, &res, &err),
	             CORE_OK);
	CHECK_INT_EQ(res.entries, 4);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE kind = 'carry_over'"), 0);
	/* 1001: 10 of last year's points were left; this year's 5 are pending and stay */
	CHECK_INT_EQ(lw_int(w, "SELECT points FROM entries WHERE household_id = %lld AND kind ="
	                       " 'clearing'", (long long)w->h1), -10);
	CHECK_INT_EQ(confirmed_of(w, w->h1), 0);
	CHECK_INT_EQ(lw_balance(w, w->h1), 5);
	/* 1002: last year's 10 cleared, this year's 4 kept */
	CHECK_INT_EQ(confirmed_of(w, w->h2), 4);
	/* 2002: a negative balance is cleared too */
	CHECK_INT_EQ(lw_int(w, "SELECT points FROM entries WHERE household_id = %lld AND kind ="
	                       " 'clearing'", (long long)y.h4), 6);
	CHECK_INT_EQ(confirmed_of(w, y.h4), 0);
	CHECK_INT_EQ(confirmed_of(w, w->h3), 0);
	verify_report r;
	CHECK_INT_EQ(verify_ledger(w->st, 0, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	lw_done(w);
}

CHECK_MAIN("rank", T(periods_are_checked), T(totals_follow_what_counts_as_earned),
           T(ranks_are_shared_by_ties), T(a_household_sees_its_rank),
           T(honour_rules_are_checked), T(a_year_is_closed_only_when_it_can_be),
           T(carry_over_moves_the_balance_into_the_new_year), T(a_closed_year_takes_no_entries),
           T(clear_takes_what_is_left_of_the_old_year))
