/*
 * Unit tests for the points supermarket (src/core/shop_goods.c, shop_windows.c,
 * shop_redeem.c): yuan amounts, date arithmetic, the default window of a
 * quarter (year ends, leap years, the whole quarter when it is shorter), when
 * redemption is open (explicit windows, runs of adjoining windows, the next
 * window), the QR payload; then the domain: who may stock and redeem, a
 * redemption closed outside a window and open with an explicit window or an
 * admin's override, insufficient confirmed points, out of stock, a refusal
 * changing nothing, a redemption in a past window (the demo's), cancellation
 * exactly once and by whom, stock corrections that would go below zero, and a
 * sponsor's contributions and statement.
 */
#include <time.h>

#include "check.h"
#include "core/demo_shop.h"
#include "core/shop.h"
#include "ledger_fixture.h"

/* ---- pure functions ---------------------------------------------------- */

static void parse_yuan(void)
{
	static const struct {
		const char *in;
		bool ok;
		int64_t cents;
	} cases[] = {
		{"10000.00", true, 1000000}, {"10000", true, 1000000}, {"10000.5", true, 1000050},
		{"0.01", true, 1}, {"12000.50", true, 1200050}, {"1000000000.00", true, 100000000000},
		{"0", false, 0}, {"0.00", false, 0}, {"-5", false, 0}, {"+5", false, 0},
		{"10000.001", false, 0}, {"10000.", false, 0}, {".5", false, 0}, {"1e4", false, 0},
		{" 100", false, 0}, {"100 ", false, 0}, {"1,000", false, 0}, {"", false, 0},
		{"1000000000.01", false, 0}, {"9999999999999", false, 0}, {"一万", false, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t c = -1;
		bool ok = shop_parse_yuan(cases[i].in, &c);
		if (ok != cases[i].ok || (ok && c != cases[i].cents)) {
			fprintf(stderr, "shop_parse_yuan(\"%s\") = %d %lld, want %d %lld\n", cases[i].in, ok,
			        (long long)c, cases[i].ok, (long long)cases[i].cents);
			check_failures++;
			return;
		}
	}
	CHECK(!shop_parse_yuan(NULL, NULL));
	char s[32];
	shop_format_yuan(3000000, s);
	CHECK_STR_EQ(s, "30000.00");
	shop_format_yuan(1200050, s);
	CHECK_STR_EQ(s, "12000.50");
	shop_format_yuan(7, s);
	CHECK_STR_EQ(s, "0.07");
	shop_format_yuan(0, s);
	CHECK_STR_EQ(s, "0.00");
}

static void date_add(void)
{
	static const struct {
		const char *date;
		int64_t days;
		const char *want;
	} cases[] = {
		{"2024-02-28", 1, "2024-02-29"}, {"2023-02-28", 1, "2023-03-01"},
		{"2026-12-31", 1, "2027-01-01"}, {"2026-03-01", -1, "2026-02-28"},
		{"2024-03-01", -1, "2024-02-29"}, {"2026-09-30", -9, "2026-09-21"},
		{"2026-11-29", 0, "2026-11-29"}, {"2000-01-01", 366, "2001-01-01"},
		{"2026-12-31", -9, "2026-12-22"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[11];
		CHECK(shop_date_add(cases[i].date, cases[i].days, out));
		CHECK_STR_EQ(out, cases[i].want);
	}
	char out[11];
	CHECK(!shop_date_add("2026-02-30", 1, out));
	CHECK(!shop_date_add("20261129", 1, out));
	shop_cn_date(1795881600, out); /* 2026-11-29 00:00 China = 16:00 UTC the day before */
	CHECK_STR_EQ(out, "2026-11-29");
	shop_cn_date(1795881600 - 1, out);
	CHECK_STR_EQ(out, "2026-11-28");
}

static void default_window(void)
{
	static const struct {
		const char *date;
		int64_t days;
		const char *start, *end; /* NULL: no window */
	} cases[] = {
		{"2026-11-29", 10, "2026-12-22", "2026-12-31"}, /* the demo's today: before Q4's window */
		{"2026-12-22", 10, "2026-12-22", "2026-12-31"},
		{"2026-09-25", 10, "2026-09-21", "2026-09-30"},
		{"2026-07-01", 10, "2026-09-21", "2026-09-30"},
		{"2026-06-30", 1, "2026-06-30", "2026-06-30"},
		{"2024-03-05", 10, "2024-03-22", "2024-03-31"}, /* leap year: Q1 still ends on 03-31 */
		{"2026-02-10", 92, "2026-01-01", "2026-03-31"}, /* longer than the quarter: all of it */
		{"2026-05-01", 30, "2026-06-01", "2026-06-30"},
		{"2026-11-29", 0, NULL, NULL},                  /* 0: only explicit windows */
		{"2026-13-01", 10, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		shop_window w;
		bool ok = shop_default_window(cases[i].date, cases[i].days, &w);
		if (!cases[i].start) {
			CHECK(!ok);
			continue;
		}
		CHECK(ok);
		CHECK_STR_EQ(w.starts_on, cases[i].start);
		CHECK_STR_EQ(w.ends_on, cases[i].end);
		CHECK_INT_EQ(w.id, 0);
	}
}

static void window_state(void)
{
	shop_window_state s;
	/* the demo's today: closed, the next window is Q4's default one */
	shop_window_compute("2026-11-29", 10, NULL, 0, &s);
	CHECK(!s.open && s.has_next && !s.has_override);
	CHECK_STR_EQ(s.next.starts_on, "2026-12-22");
	CHECK_STR_EQ(s.next.ends_on, "2026-12-31");
	CHECK_INT_EQ(s.next.id, 0);
	/* inside the default window: open until the quarter's end, next is Q1's */
	shop_window_compute("2026-12-25", 10, NULL, 0, &s);
	CHECK(s.open && s.has_next);
	CHECK_STR_EQ(s.window.starts_on, "2026-12-22");
	CHECK_STR_EQ(s.open_until, "2026-12-31");
	CHECK_STR_EQ(s.next.starts_on, "2027-03-22");
	/* an explicit window covering today */
	st_window one[] = {{.id = 7, .starts_on = "2026-11-28", .ends_on = "2026-11-30", .note = "秋收后"}};
	shop_window_compute("2026-11-29", 10, one, 1, &s);
	CHECK(s.open);
	CHECK_INT_EQ(s.window.id, 7);
	CHECK_STR_EQ(s.open_until, "2026-11-30");
	CHECK_STR_EQ(s.next.starts_on, "2026-12-22");
	/* adjoining windows run on: explicit to 11-30, explicit 12-01..12-21, default to 12-31 */
	st_window two[] = {{.id = 8, .starts_on = "2026-12-01", .ends_on = "2026-12-21"},
	                   {.id = 7, .starts_on = "2026-11-28", .ends_on = "2026-11-30"}};
	shop_window_compute("2026-11-29", 10, two, 2, &s);
	CHECK(s.open);
	CHECK_STR_EQ(s.open_until, "2026-12-31");
	CHECK_STR_EQ(s.next.starts_on, "2027-03-22");
	/* a gap of a day stops the run */
	st_window gap[] = {{.id = 7, .starts_on = "2026-11-28", .ends_on = "2026-11-30"},
	                   {.id = 9, .starts_on = "2026-12-02", .ends_on = "2026-12-05"}};
	shop_window_compute("2026-11-30", 10, gap, 2, &s);
	CHECK(s.open);
	CHECK_STR_EQ(s.open_until, "2026-11-30");
	CHECK_INT_EQ(s.next.id, 9);
	CHECK_STR_EQ(s.next.starts_on, "2026-12-02");
	/* only explicit windows: none → closed and nothing coming; one ahead → it is next */
	shop_window_compute("2026-11-29", 0, NULL, 0, &s);
	CHECK(!s.open && !s.has_next);
	st_window later[] = {{.id = 3, .starts_on = "2027-01-05", .ends_on = "2027-01-06"}};
	shop_window_compute("2026-11-29", 0, later, 1, &s);
	CHECK(!s.open && s.has_next);
	CHECK_INT_EQ(s.next.id, 3);
	/* a window that ended yesterday is not open */
	st_window past[] = {{.id = 4, .starts_on = "2026-11-20", .ends_on = "2026-11-28"}};
	shop_window_compute("2026-11-29", 0, past, 1, &s);
	CHECK(!s.open && !s.has_next);
	/* every day of the year is open when the default window is a whole quarter */
	shop_window_compute("2026-05-17", 92, NULL, 0, &s);
	CHECK(s.open);
	CHECK_STR_EQ(s.window.starts_on, "2026-04-01");
	CHECK(strcmp(s.open_until, "2027-03-31") >= 0);
}

static void qr_payload(void)
{
	char buf[64], pb[33];
	int64_t v = 0;
	shop_qr_format(1, "1001", buf, sizeof(buf));
	CHECK_STR_EQ(buf, "JIFEN:1:1001");
	CHECK(shop_qr_parse(buf, &v, pb));
	CHECK_INT_EQ(v, 1);
	CHECK_STR_EQ(pb, "1001");
	CHECK(shop_qr_parse("JIFEN:12:A-01", &v, pb));
	CHECK_INT_EQ(v, 12);
	CHECK_STR_EQ(pb, "A-01");
	static const char *const bad[] = {
		"", "JIFEN", "JIFEN:", "JIFEN:1", "JIFEN:1:", "JIFEN::1001", "JIFEN:0:1001",
		"JIFEN:x:1001", "jifen:1:1001", "JIFEN:1:10 01", "JIFEN:1:1001:extra",
		"JIFEN:1:123456789012345678901234567890123", "JIFEN:1234567890123456789:1",
		"http://example.com/JIFEN:1:1001",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (shop_qr_parse(bad[i], &v, pb)) {
			fprintf(stderr, "shop_qr_parse accepted \"%s\"\n", bad[i]);
			check_failures++;
			return;
		}
	}
}

/* ---- the domain -------------------------------------------------------- */

typedef struct {
	lworld w;
	int64_t soap, oil, retired; /* goods of 高箭沟村: 香皂 10 points, 食用油 50, 旧毛巾 retired */
	int64_t other;              /* goods of 腰堡村 */
	char today[11];
} sworld;

/* Sets the village's window_days. */
static bool set_window_days(sworld *s, int64_t village, int64_t days)
{
	st_village v;
	if (store_village_get(s->w.st, village, &s->w.ar, &v) != STORE_OK)
		return false;
	v.window_days = days;
	return store_village_update(s->w.st, &v) == STORE_OK;
}

/* Gives a household confirmed points: an award posted confirmed, as a month's
 * confirmation would leave it. */
static bool give_confirmed(sworld *s, int64_t household, int64_t village, int64_t points)
{
	lworld *w = &s->w;
	char month[8];
	snprintf(month, sizeof(month), "%.7s", s->today);
	core_err err;
	st_entry e = {.village_id = village, .household_id = household, .kind = "award",
	              .points = points, .deed_date = s->today, .month = month, .bucket = "confirmed",
	              .note = "测试：已确认积分", .recorded_by = w->u[LW_ADMIN].id};
	if (store_begin(w->st) != STORE_OK)
		return false;
	if (ledger_post(w->st, &e, &w->ar, &err) != CORE_OK) {
		fprintf(stderr, "give_confirmed: %s\n", err.en);
		store_rollback(w->st);
		return false;
	}
	return store_commit(w->st) == STORE_OK;
}

static int64_t stock_of(sworld *s, int64_t goods)
{
	st_goods g;
	return store_goods_get(s->w.st, goods, &s->w.ar, &g) == STORE_OK ? g.stock : -1;
}

static int64_t confirmed_of(sworld *s, int64_t household)
{
	st_balance b;
	return store_balance_get(s->w.st, household, &b) == STORE_OK ? b.confirmed : -999999;
}

static int64_t make_goods(sworld *s, int who, int64_t village, const char *name, int64_t price,
                          int64_t stock)
{
	core_err err;
	int64_t id = 0, move = 0, after = 0;
	st_goods g = {.village_id = village, .name = name, .category = "日用品", .price_points = price};
	if (shop_goods_create(s->w.st, &s->w.as[who], &g, &id, &err) != CORE_OK) {
		fprintf(stderr, "make_goods %s: %s\n", name, err.en);
		return 0;
	}
	if (stock && shop_stock_change(s->w.st, &s->w.as[who], id, "intake", stock, "测试入库", NULL,
	                               &move, &after, &err) != CORE_OK) {
		fprintf(stderr, "make_goods intake %s: %s\n", name, err.en);
		return 0;
	}
	return id;
}

static bool build(sworld *s)
{
	memset(s, 0, sizeof(*s));
	if (!lw_build(&s->w))
		return false;
	lworld *w = &s->w;
	lw_today(s->today);
	s->soap = make_goods(s, LW_CLERK, w->v1, "香皂", 10, 5);
	s->oil = make_goods(s, LW_ADMIN, w->v1, "食用油", 50, 1);
	s->retired = make_goods(s, LW_ADMIN, w->v1, "旧毛巾", 5, 3);
	s->other = make_goods(s, LW_ADMIN2, w->v2, "腰堡村大米", 20, 9);
	core_err err;
	shop_goods_patch retire = {.status = "retired"};
	return s->soap && s->oil && s->retired && s->other &&
	       shop_goods_update(w->st, &w->as[LW_ADMIN], s->retired, &retire, &err) == CORE_OK &&
	       set_window_days(s, w->v1, 0) && give_confirmed(s, w->h1, w->v1, 100) &&
	       give_confirmed(s, w->h2, w->v1, 5);
}

/* Opens an explicit window from today to today for the village. */
static bool open_today(sworld *s, int64_t village, int who)
{
	core_err err;
	int64_t id = 0;
	return shop_window_create(s->w.st, &s->w.as[who], village, s->today, s->today, "测试",
	                          &id, &err) == CORE_OK;
}

static core_status redeem(sworld *s, int who, int64_t household, int64_t goods, int64_t qty,
                          int64_t *id, shop_refusal *why, core_err *err)
{
	shop_item_in it = {.goods_id = goods, .quantity = qty};
	shop_redeem_in in = {.village_id = s->w.v1, .household_id = household, .items = &it,
	                     .nitems = 1};
	return shop_redeem(s->w.st, &s->w.as[who], &in, NULL, id, why, err);
}

/* The ledger and the stock agree with themselves: balances are the sums of their
 * entries and every goods' stock is the sum of its moves. */
static bool consistent(sworld *s)
{
	st_balance_check *bad = NULL;
	size_t n = 0;
	if (store_balance_mismatches(s->w.st, s->w.v1, &s->w.ar, &bad, &n) != STORE_OK || n != 0)
		return false;
	return lw_int(&s->w, "SELECT count(*) FROM goods g WHERE stock <> (SELECT COALESCE(sum(delta),"
	                     " 0) FROM stock_moves m WHERE m.goods_id = g.id)") == 0;
}

static void stock_rules(void)
{
	sworld s;
	CHECK(build(&s));
	lworld *w = &s.w;
	core_err err;
	int64_t move = 0, stock = 0;
	/* a correction cannot take the stock below zero, and changes nothing when refused */
	CHECK(lw_expect("below zero", shop_stock_change(w->st, &w->as[LW_CLERK], s.soap, "correction",
	                                                -6, "盘点少了", NULL, &move, &stock, &err),
	                &err, CORE_INVALID, "stock_negative", "香皂"));
	CHECK_INT_EQ(stock_of(&s, s.soap), 5);
	CHECK_INT_EQ(shop_stock_change(w->st, &w->as[LW_CLERK], s.soap, "correction", -2, "受潮损坏两块",
	                               NULL, &move, &stock, &err), CORE_OK);
	CHECK_INT_EQ(stock, 3);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'goods' AND entity_id = %lld"
	                       " AND action = 'stock_correction' AND summary LIKE '%%受潮损坏两块%%'",
	                    (long long)s.soap), 1);
	/* an intake is positive, has a reason, and goes to active goods only */
	CHECK(lw_expect("intake 0", shop_stock_change(w->st, &w->as[LW_CLERK], s.soap, "intake", 0, "x",
	                                              NULL, &move, &stock, &err),
	                &err, CORE_INVALID, "invalid_delta", NULL));
	CHECK(lw_expect("intake -1", shop_stock_change(w->st, &w->as[LW_CLERK], s.soap, "intake", -1,
	                                               "x", NULL, &move, &stock, &err),
	                &err, CORE_INVALID, "invalid_delta", NULL));
	CHECK(lw_expect("no reason", shop_stock_change(w->st, &w->as[LW_CLERK], s.soap, "intake", 1, "",
	                                               NULL, &move, &stock, &err),
	                &err, CORE_INVALID, "too_short", NULL));
	CHECK(lw_expect("kind", shop_stock_change(w->st, &w->as[LW_CLERK], s.soap, "redemption", 1, "x",
	                                          NULL, &move, &stock, &err),
	                &err, CORE_INVALID, "invalid_kind", NULL));
	CHECK(lw_expect("retired", shop_stock_change(w->st, &w->as[LW_CLERK], s.retired, "intake", 1,
	                                             "x", NULL, &move, &stock, &err),
	                &err, CORE_CONFLICT, "goods_retired", NULL));
	/* who: the clerk and the village admin; not the scorer, a villager, the county, another village */
	static const int refused[] = {LW_SCORER, LW_VILLAGER, LW_COUNTY, LW_ADMIN2};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(lw_expect("who stocks", shop_stock_change(w->st, &w->as[refused[i]], s.soap, "intake",
		                                                1, "x", NULL, &move, &stock, &err),
		                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK_INT_EQ(shop_stock_change(w->st, &w->as[LW_ADMIN], s.soap, "intake", 4, "采购", NULL, &move,
	                               &stock, &err), CORE_OK);
	CHECK_INT_EQ(stock, 7);
	CHECK(consistent(&s));
	/* goods: a price above 0, a name the village does not have yet */
	st_goods g = {.village_id = w->v1, .name = "香皂", .category = "日用品", .price_points = 3};
	int64_t id = 0;
	CHECK(lw_expect("same name", shop_goods_create(w->st, &w->as[LW_CLERK], &g, &id, &err), &err,
	                CORE_CONFLICT, "goods_exists", NULL));
	g.name = "肥皂";
	g.price_points = 0;
	CHECK(lw_expect("price 0", shop_goods_create(w->st, &w->as[LW_CLERK], &g, &id, &err), &err,
	                CORE_INVALID, "invalid_price", NULL));
	g.price_points = 3;
	CHECK(lw_expect("scorer", shop_goods_create(w->st, &w->as[LW_SCORER], &g, &id, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	lw_done(w);
}

static void redemption_window_and_refusals(void)
{
	sworld s;
	CHECK(build(&s));
	lworld *w = &s.w;
	core_err err;
	shop_refusal why;
	int64_t id = 0;
	long long entries = lw_entries(w);
	/* window_days 0 and no window: closed */
	CHECK(lw_expect("closed", redeem(&s, LW_CLERK, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, "redemption_closed", NULL));
	CHECK_STR_EQ(why.next_opens_on, "");
	/* a window ahead is named in the refusal */
	char tomorrow[11], later[11];
	CHECK(shop_date_add(s.today, 1, tomorrow) && shop_date_add(s.today, 3, later));
	CHECK_INT_EQ(shop_window_create(w->st, &w->as[LW_ADMIN], w->v1, tomorrow, later, "下周兑换",
	                                &id, &err), CORE_OK);
	CHECK(lw_expect("closed, next", redeem(&s, LW_CLERK, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, "redemption_closed", tomorrow));
	CHECK_STR_EQ(why.next_opens_on, tomorrow);
	/* windows are for the admin; dates must make sense */
	CHECK(lw_expect("clerk window", shop_window_create(w->st, &w->as[LW_CLERK], w->v1, s.today,
	                                                   s.today, NULL, &id, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("reversed", shop_window_create(w->st, &w->as[LW_ADMIN], w->v1, later, tomorrow,
	                                               NULL, &id, &err),
	                &err, CORE_INVALID, "invalid_window", NULL));
	char yesterday[11], far[11];
	CHECK(shop_date_add(s.today, -1, yesterday) && shop_date_add(s.today, 92, far));
	CHECK(lw_expect("past", shop_window_create(w->st, &w->as[LW_ADMIN], w->v1, yesterday, yesterday,
	                                           NULL, &id, &err),
	                &err, CORE_INVALID, "window_in_past", NULL));
	CHECK(lw_expect("long", shop_window_create(w->st, &w->as[LW_ADMIN], w->v1, s.today, far, NULL,
	                                           &id, &err),
	                &err, CORE_INVALID, "window_too_long", NULL));
	CHECK(open_today(&s, w->v1, LW_ADMIN));
	/* open: the refusals of the household, the goods, the points and the stock */
	CHECK(lw_expect("scorer", redeem(&s, LW_SCORER, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("villager", redeem(&s, LW_VILLAGER, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("county", redeem(&s, LW_COUNTY, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("moved out", redeem(&s, LW_CLERK, w->h_moved, s.soap, 1, &id, &why, &err), &err,
	                CORE_INVALID, "household_moved_out", NULL));
	CHECK(lw_expect("other village", redeem(&s, LW_CLERK, w->h_other, s.soap, 1, &id, &why, &err),
	                &err, CORE_INVALID, "invalid_household", NULL));
	CHECK(lw_expect("other goods", redeem(&s, LW_CLERK, w->h1, s.other, 1, &id, &why, &err), &err,
	                CORE_INVALID, "invalid_goods", NULL));
	CHECK(lw_expect("retired", redeem(&s, LW_CLERK, w->h1, s.retired, 1, &id, &why, &err), &err,
	                CORE_CONFLICT, "goods_retired", NULL));
	CHECK(lw_expect("quantity", redeem(&s, LW_CLERK, w->h1, s.soap, 0, &id, &why, &err), &err,
	                CORE_INVALID, "invalid_quantity", NULL));
	CHECK(lw_expect("stock", redeem(&s, LW_CLERK, w->h1, s.oil, 2, &id, &why, &err), &err,
	                CORE_CONFLICT, "out_of_stock", "食用油"));
	CHECK_INT_EQ(why.goods_id, s.oil);
	CHECK_INT_EQ(why.stock, 1);
	/* 王桂芝's household has 5 confirmed points and pending ones do not count */
	CHECK(lw_expect("points", redeem(&s, LW_CLERK, w->h2, s.soap, 1, &id, &why, &err), &err,
	                CORE_INVALID, "insufficient_points", "5 分"));
	CHECK_INT_EQ(why.confirmed, 5);
	CHECK_INT_EQ(why.needed, 10);
	shop_item_in two[] = {{s.soap, 1}, {s.soap, 2}};
	shop_redeem_in dup = {.village_id = w->v1, .household_id = w->h1, .items = two, .nitems = 2};
	CHECK(lw_expect("duplicate", shop_redeem(w->st, &w->as[LW_CLERK], &dup, NULL, &id, NULL, &err),
	                &err, CORE_INVALID, "duplicate_goods", NULL));
	shop_redeem_in none = {.village_id = w->v1, .household_id = w->h1, .items = two, .nitems = 0};
	CHECK(lw_expect("nothing", shop_redeem(w->st, &w->as[LW_CLERK], &none, NULL, &id, NULL, &err),
	                &err, CORE_INVALID, "no_items", NULL));
	shop_redeem_in both = {.village_id = w->v1, .household_id = w->h1, .passbook_no = "1001",
	                       .items = two, .nitems = 1};
	CHECK(lw_expect("two ways", shop_redeem(w->st, &w->as[LW_CLERK], &both, NULL, &id, NULL, &err),
	                &err, CORE_INVALID, "household_required", NULL));
	/* nothing changed by any refusal */
	CHECK_INT_EQ(lw_entries(w), entries);
	CHECK_INT_EQ(stock_of(&s, s.soap), 5);
	CHECK_INT_EQ(confirmed_of(&s, w->h1), 100);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM redemptions"), 0);
	lw_done(w);
}

static void redeem_and_cancel(void)
{
	sworld s;
	CHECK(build(&s));
	lworld *w = &s.w;
	core_err err;
	CHECK(open_today(&s, w->v1, LW_ADMIN));
	/* by QR code: 2 香皂 and the last 食用油 */
	shop_item_in items[] = {{s.soap, 2}, {s.oil, 1}};
	char qr[64];
	shop_qr_format(w->v1, "1001", qr, sizeof(qr));
	shop_redeem_in in = {.village_id = w->v1, .qr = qr, .items = items, .nitems = 2};
	int64_t id = 0;
	CHECK_INT_EQ(shop_redeem(w->st, &w->as[LW_CLERK], &in, NULL, &id, NULL, &err), CORE_OK);
	st_redemption r;
	st_redemption_item *it = NULL;
	size_t n = 0;
	CHECK_INT_EQ(shop_redemption_get(w->st, &w->as[LW_VILLAGER], id, &w->ar, &r, &it, &n, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(r.total_points, 70);
	CHECK_INT_EQ(r.balance_after, 30);
	CHECK_INT_EQ(r.household_id, w->h1);
	CHECK_STR_EQ(r.status, "done");
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "JF%lld-%.4s%.2s%.2s-0001", (long long)w->v1, s.today,
	         s.today + 5, s.today + 8);
	CHECK_STR_EQ(r.receipt_no, prefix);
	CHECK_INT_EQ(confirmed_of(&s, w->h1), 30);
	CHECK_INT_EQ(stock_of(&s, s.soap), 3);
	CHECK_INT_EQ(stock_of(&s, s.oil), 0);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE id = %lld AND kind = 'redemption'"
	                       " AND points = -70 AND bucket = 'confirmed' AND rule_id IS NULL",
	                    (long long)r.entry_id), 1);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'redemption'"
	                       " AND entity_id = %lld AND action = 'create'", (long long)id), 1);
	CHECK(consistent(&s));
	/* the receipt is not for another household's villager */
	CHECK(lw_expect("other villager", shop_redemption_get(w->st, &w->as[LW_VILLAGER2], id, &w->ar,
	                                                      &r, &it, &n, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	/* the last one is gone */
	shop_refusal why;
	int64_t id2 = 0;
	CHECK(lw_expect("last oil", redeem(&s, LW_ADMIN, w->h1, s.oil, 1, &id2, &why, &err), &err,
	                CORE_CONFLICT, "out_of_stock", NULL));
	/* cancel: the scorer may not; the clerk may on the same day; once */
	CHECK(lw_expect("scorer cancels", shop_redemption_cancel(w->st, &w->as[LW_SCORER], id, "拿错了",
	                                                         NULL, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("no reason", shop_redemption_cancel(w->st, &w->as[LW_CLERK], id, "", NULL, &err),
	                &err, CORE_INVALID, NULL, NULL));
	CHECK_INT_EQ(shop_redemption_cancel(w->st, &w->as[LW_CLERK], id, "拿错了商品", NULL, &err),
	             CORE_OK);
	CHECK(lw_expect("twice", shop_redemption_cancel(w->st, &w->as[LW_ADMIN], id, "再取消一次", NULL,
	                                                &err),
	                &err, CORE_CONFLICT, "already_cancelled", NULL));
	CHECK_INT_EQ(confirmed_of(&s, w->h1), 100);
	CHECK_INT_EQ(stock_of(&s, s.soap), 5);
	CHECK_INT_EQ(stock_of(&s, s.oil), 1);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE reverses_id = %lld AND points = 70"
	                       " AND kind = 'reversal' AND bucket = 'confirmed'", (long long)r.entry_id),
	             1);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM stock_moves WHERE redemption_id = %lld"
	                       " AND kind = 'cancel'", (long long)id), 2);
	CHECK_INT_EQ(shop_redemption_get(w->st, &w->as[LW_CLERK], id, &w->ar, &r, &it, &n, &err),
	             CORE_OK);
	CHECK_STR_EQ(r.status, "cancelled");
	CHECK_STR_EQ(r.cancel_reason, "拿错了商品");
	CHECK(consistent(&s));
	/* a redemption entry is cancelled, not reversed */
	int64_t batch = 0;
	CHECK(lw_expect("reverse", ledger_reverse(w->st, &w->as[LW_ADMIN], r.entry_id, "冲销", NULL,
	                                          &batch, &err),
	                &err, CORE_CONFLICT, NULL, NULL));
	/* a clerk may not cancel one of an earlier day; the admin may */
	CHECK_INT_EQ(redeem(&s, LW_CLERK, w->h1, s.soap, 1, &id2, &why, &err), CORE_OK);
	CHECK_STR_EQ(shop_redemption_get(w->st, &w->as[LW_CLERK], id2, &w->ar, &r, &it, &n, &err) ==
	                     CORE_OK ? r.receipt_no + strlen(r.receipt_no) - 4 : "",
	             "0002");
	CHECK_INT_EQ(lw_exec(w, "UPDATE redemptions SET created_at = created_at - 2 * 86400 WHERE id = %lld",
	                     (long long)id2), 0);
	CHECK(lw_expect("clerk late", shop_redemption_cancel(w->st, &w->as[LW_CLERK], id2, "晚了", NULL,
	                                                     &err),
	                &err, CORE_FORBIDDEN, "cancel_too_late", NULL));
	CHECK_INT_EQ(shop_redemption_cancel(w->st, &w->as[LW_ADMIN], id2, "村民退回", NULL, &err), CORE_OK);
	CHECK(consistent(&s));
	lw_done(w);
}

static void overrides_and_past_windows(void)
{
	sworld s;
	CHECK(build(&s));
	lworld *w = &s.w;
	core_err err;
	int64_t oid = 0, id = 0;
	shop_refusal why;
	CHECK(lw_expect("closed", redeem(&s, LW_CLERK, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, "redemption_closed", NULL));
	CHECK(lw_expect("clerk override", shop_override_create(w->st, &w->as[LW_CLERK], w->v1, "急用",
	                                                       2, &oid, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("0 hours", shop_override_create(w->st, &w->as[LW_ADMIN], w->v1, "急用", 0, &oid,
	                                                &err),
	                &err, CORE_INVALID, "invalid_hours", NULL));
	CHECK(lw_expect("73 hours", shop_override_create(w->st, &w->as[LW_ADMIN], w->v1, "急用", 73,
	                                                 &oid, &err),
	                &err, CORE_INVALID, "invalid_hours", NULL));
	CHECK(lw_expect("no reason", shop_override_create(w->st, &w->as[LW_ADMIN], w->v1, "", 2, &oid,
	                                                  &err),
	                &err, CORE_INVALID, NULL, NULL));
	CHECK_INT_EQ(shop_override_create(w->st, &w->as[LW_ADMIN], w->v1, "五保户住院，提前兑换", 2,
	                                  &oid, &err), CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'redemption_override'"
	                       " AND entity_id = %lld", (long long)oid), 1);
	shop_window_state ws;
	CHECK_INT_EQ(shop_window_state_at(w->st, w->v1, time_now(), &w->ar, &ws, &err), CORE_OK);
	CHECK(!ws.open && ws.has_override);
	CHECK_INT_EQ(ws.override.id, oid);
	/* the override is for its village only */
	shop_item_in it = {.goods_id = s.other, .quantity = 1};
	CHECK(give_confirmed(&s, w->h_other, w->v2, 50) && set_window_days(&s, w->v2, 0));
	shop_redeem_in in2 = {.village_id = w->v2, .household_id = w->h_other, .items = &it, .nitems = 1};
	CHECK(lw_expect("other village", shop_redeem(w->st, &w->as[LW_ADMIN2], &in2, NULL, &id, NULL,
	                                             &err),
	                &err, CORE_FORBIDDEN, "redemption_closed", NULL));
	CHECK_INT_EQ(redeem(&s, LW_CLERK, w->h1, s.soap, 1, &id, &why, &err), CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT override_id FROM redemptions WHERE id = %lld", (long long)id),
	             oid);
	/* an expired override no longer opens the shop */
	CHECK_INT_EQ(lw_exec(w, "UPDATE redemption_overrides SET valid_until = %lld",
	                     (long long)time_now()), 0);
	CHECK(lw_expect("expired", redeem(&s, LW_CLERK, w->h1, s.soap, 1, &id, &why, &err), &err,
	                CORE_FORBIDDEN, "redemption_closed", NULL));
	/* the demo's past window: with the default windows back, a redemption made
	 * on last year's 25 September at 10:00 China time is inside Q3's window */
	CHECK(set_window_days(&s, w->v1, 10));
	char day[11];
	lw_last_year(day, 9, 25);
	struct tm tm = {.tm_year = atoi(day) - 1900, .tm_mon = 8, .tm_mday = 25, .tm_hour = 2};
	shop_redeem_in past = {.village_id = w->v1, .household_id = w->h1, .items = &it, .nitems = 1,
	                       .at = (int64_t)timegm(&tm)};
	it.goods_id = s.soap;
	CHECK_INT_EQ(shop_redeem(w->st, &w->as[LW_CLERK], &past, NULL, &id, NULL, &err), CORE_OK);
	char want[32];
	snprintf(want, sizeof(want), "JF%lld-%.4s0925-0001", (long long)w->v1, day);
	CHECK_STR_EQ(lw_int(w, "SELECT count(*) FROM redemptions WHERE id = %lld AND receipt_no = '%s'",
	                    (long long)id, want) == 1 ? want : "", want);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries e JOIN redemptions r ON r.entry_id = e.id"
	                       " WHERE r.id = %lld AND e.month = '%.7s' AND e.deed_date = '%s'",
	                    (long long)id, day, day), 1);
	/* but on 19 September the window had not opened */
	tm.tm_mday = 19;
	past.at = (int64_t)timegm(&tm);
	CHECK(lw_expect("before the window", shop_redeem(w->st, &w->as[LW_CLERK], &past, NULL, &id, NULL,
	                                                 &err),
	                &err, CORE_FORBIDDEN, "redemption_closed", NULL));
	CHECK(consistent(&s));
	lw_done(w);
}

static void sponsors_and_statement(void)
{
	sworld s;
	CHECK(build(&s));
	lworld *w = &s.w;
	core_err err;
	int64_t sp = 0, cid = 0;
	st_sponsor in = {.village_id = w->v1, .name = "铁岭丰泽粮油有限公司", .contact = "赵经理"};
	CHECK(lw_expect("clerk sponsor", shop_sponsor_create(w->st, &w->as[LW_CLERK], &in, &sp, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK_INT_EQ(shop_sponsor_create(w->st, &w->as[LW_ADMIN], &in, &sp, &err), CORE_OK);
	CHECK(lw_expect("same name", shop_sponsor_create(w->st, &w->as[LW_ADMIN], &in, &sp, &err), &err,
	                CORE_CONFLICT, "sponsor_exists", NULL));
	shop_contribution_in money = {.sponsor_id = sp, .kind = "money", .amount_yuan = "12000.50",
	                              .contributed_on = s.today};
	CHECK_INT_EQ(shop_contribution_add(w->st, &w->as[LW_ADMIN], &money, NULL, &cid, &err), CORE_OK);
	money.amount_yuan = "7999.50";
	CHECK_INT_EQ(shop_contribution_add(w->st, &w->as[LW_ADMIN], &money, NULL, &cid, &err), CORE_OK);
	money.amount_yuan = "1e4";
	CHECK(lw_expect("amount", shop_contribution_add(w->st, &w->as[LW_ADMIN], &money, NULL, &cid,
	                                                &err),
	                &err, CORE_INVALID, "invalid_amount", NULL));
	money.amount_yuan = "100.00";
	money.contributed_on = "2999-01-01";
	CHECK(lw_expect("future", shop_contribution_add(w->st, &w->as[LW_ADMIN], &money, NULL, &cid,
	                                                &err),
	                &err, CORE_INVALID, "future_date", NULL));
	/* goods of the sponsor, given and taken into stock */
	int64_t rice = 0;
	st_goods g = {.village_id = w->v1, .name = "大米", .category = "粮油", .unit = "袋",
	              .price_points = 20, .sponsor_id = sp};
	CHECK_INT_EQ(shop_goods_create(w->st, &w->as[LW_ADMIN], &g, &rice, &err), CORE_OK);
	shop_contribution_in given = {.sponsor_id = sp, .kind = "goods", .goods_id = rice,
	                              .quantity = 10, .contributed_on = s.today, .note = "中秋慰问"};
	CHECK_INT_EQ(shop_contribution_add(w->st, &w->as[LW_CLERK], &given, NULL, &cid, &err), CORE_OK);
	CHECK_INT_EQ(stock_of(&s, rice), 10);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM stock_moves WHERE contribution_id = %lld AND"
	                       " kind = 'intake' AND delta = 10", (long long)cid), 1);
	given.goods_id = s.other;
	CHECK(lw_expect("other goods", shop_contribution_add(w->st, &w->as[LW_ADMIN], &given, NULL,
	                                                     &cid, &err),
	                &err, CORE_INVALID, "invalid_goods", NULL));
	/* redeem 3 bags, cancel 1 of them: the statement counts 2 */
	CHECK(open_today(&s, w->v1, LW_ADMIN));
	int64_t r1 = 0, r2 = 0;
	shop_refusal why;
	CHECK_INT_EQ(redeem(&s, LW_CLERK, w->h1, rice, 2, &r1, &why, &err), CORE_OK);
	CHECK_INT_EQ(redeem(&s, LW_CLERK, w->h1, rice, 1, &r2, &why, &err), CORE_OK);
	CHECK_INT_EQ(shop_redemption_cancel(w->st, &w->as[LW_ADMIN], r2, "退回", NULL, &err), CORE_OK);
	shop_statement st;
	CHECK(lw_expect("villager statement", shop_statement_get(w->st, &w->as[LW_VILLAGER], sp, &w->ar,
	                                                         &st, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK_INT_EQ(shop_statement_get(w->st, &w->as[LW_SCORER], sp, &w->ar, &st, &err), CORE_OK);
	CHECK_INT_EQ(st.sponsor.money_cents, 2000000);
	CHECK_INT_EQ(st.ncontributions, 3);
	CHECK_INT_EQ(st.ngiven, 1);
	CHECK_INT_EQ(st.given[0].quantity, 10);
	CHECK_INT_EQ(st.ngoods, 1);
	CHECK_INT_EQ(st.goods[0].quantity, 2);
	CHECK_INT_EQ(st.goods[0].points, 40);
	CHECK_INT_EQ(st.goods[0].stock, 8);
	CHECK(consistent(&s));
	lw_done(w);
}

/* The demo's shop: three sponsors with 30,000 yuan, a dozen goods in stock, and
 * redemptions only inside the last default window, only from confirmed points;
 * with nothing confirmed, the shop and no redemption. */
static void demo_shop(void)
{
	sworld s;
	CHECK(build(&s));
	lworld *w = &s.w;
	core_err err;
	CHECK(set_window_days(&s, w->v2, 10));
	CHECK_INT_EQ(demo_shop_create(w->st, w->v2, &w->u[LW_ADMIN2], &w->u[LW_ADMIN2], &err), CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM sponsors WHERE village_id = %lld", (long long)w->v2),
	             3);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM goods WHERE village_id = %lld AND stock > 0",
	                    (long long)w->v2), 12 + 1);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM redemptions WHERE village_id = %lld",
	                    (long long)w->v2), 0); /* 赵德胜 has 0 confirmed points */
	/* 高箭沟村 with confirmed points: it redeems in the last default window (the
	 * fixture's goods renamed out of the demo's way) */
	shop_goods_patch soap = {.name = "测试香皂"}, oil = {.name = "测试食用油"};
	CHECK_INT_EQ(shop_goods_update(w->st, &w->as[LW_ADMIN], s.soap, &soap, &err), CORE_OK);
	CHECK_INT_EQ(shop_goods_update(w->st, &w->as[LW_ADMIN], s.oil, &oil, &err), CORE_OK);
	CHECK(set_window_days(&s, w->v1, 10));
	for (int i = 0; i < 3; i++)
		CHECK(give_confirmed(&s, i == 0 ? w->h1 : i == 1 ? w->h2 : w->h3, w->v1, 200));
	long long before = lw_int(w, "SELECT count(*) FROM redemptions");
	CHECK_INT_EQ(demo_shop_create(w->st, w->v1, &w->u[LW_ADMIN], &w->u[LW_CLERK], &err), CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT sum(amount_cents) FROM contributions WHERE kind = 'money'"
	                       " AND village_id = %lld", (long long)w->v1), 3000000);
	CHECK(lw_int(w, "SELECT count(*) FROM goods WHERE village_id = %lld", (long long)w->v1) >= 10);
	CHECK(lw_int(w, "SELECT count(*) FROM redemptions") > before);
	/* every demo redemption is inside the last default window that has ended:
	 * walk back a quarter at a time from today's */
	shop_window win;
	char day[11];
	lw_today(day);
	CHECK(shop_default_window(day, 10, &win));
	for (int i = 0; i < 8 && strcmp(win.ends_on, day) >= 0; i++) {
		char q[11], prev[11];
		unsigned m = (unsigned)((atoi(win.ends_on + 5) - 1) / 3 * 3 + 1) % 100u;
		snprintf(q, sizeof(q), "%.4s-%02u-01", win.ends_on, m);
		CHECK(shop_date_add(q, -1, prev));
		CHECK(shop_default_window(prev, 10, &win));
	}
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM redemptions WHERE village_id = %lld AND"
	                       " date(created_at, 'unixepoch', '+8 hours') NOT BETWEEN '%s' AND '%s'",
	                    (long long)w->v1, win.starts_on, win.ends_on), 0);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM balances WHERE confirmed < 0"), 0);
	CHECK(consistent(&s));
	lw_done(w);
}

CHECK_MAIN("shop", T(parse_yuan), T(date_add), T(default_window), T(window_state), T(qr_payload),
           T(stock_rules), T(redemption_window_and_refusals), T(redeem_and_cancel),
           T(overrides_and_past_windows), T(sponsors_and_statement), T(demo_shop))
