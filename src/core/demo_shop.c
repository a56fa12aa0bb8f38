/*
 * demo_shop.c: the demo village's points supermarket (see demo_shop.h), built
 * through the same domain calls the API uses (shop_*), so its stock moves,
 * ledger entries and audit rows are like any other. Deterministic for a given
 * "today": the households that redeem, what and when come from a seeded rng.
 */
#include "core/demo_shop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/demo_data.h"
#include "core/shop.h"
#include "util/timeutil.h"

#define DEMO_SHOP_SEED 20240915u
#define DEMO_SHOP_MAX_HOUSEHOLDS 500

static const struct {
	const char *name, *contact, *note, *money;
	int days_before; /* contributed this many days before the window opened */
} sponsors[] = {
	{"铁岭丰泽粮油有限公司", "赵经理", "村企结对共建：粮油", "12000.00", 75},
	{"铁岭市清源日化有限公司", "钱女士", "村企结对共建：日化用品", "10000.00", 60},
	{"铁岭县兴旺五金百货商店", "孙老板", "村企结对共建：厨具和日用百货", "8000.00", 45},
};

static const struct {
	const char *name, *category, *unit;
	int price, sponsor; /* sponsor: index above, or -1 (bought with the fund) */
	int quantity;       /* given by the sponsor, or bought */
} goods[] = {
	{"香皂", "日用品", "块", 5, 1, 100},
	{"牙膏", "日用品", "支", 8, 1, 80},
	{"毛巾", "日用品", "条", 10, 2, 100},
	{"洗洁精", "清洁用品", "瓶", 10, 1, 60},
	{"酱油", "粮油调料", "瓶", 12, 0, 60},
	{"洗衣粉", "清洁用品", "袋", 15, 1, 80},
	{"拖把", "清洁用品", "把", 20, 2, 30},
	{"面粉", "粮油调料", "袋", 25, -1, 30},
	{"暖水瓶", "厨具", "个", 30, 2, 20},
	{"大米", "粮油调料", "袋", 40, 0, 40},
	{"食用油", "粮油调料", "桶", 50, 0, 30},
	{"铁锅", "厨具", "口", 60, 2, 15},
};

#define NSPONSORS (sizeof(sponsors) / sizeof(sponsors[0]))
#define NGOODS (sizeof(goods) / sizeof(goods[0]))

/* Unix seconds of hour:minute China time on date. */
static int64_t cn_time(const char *date, int hour, int minute)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(date) - 1900;
	tm.tm_mon = atoi(date + 5) - 1;
	tm.tm_mday = atoi(date + 8);
	tm.tm_hour = hour;
	tm.tm_min = minute;
	return (int64_t)timegm(&tm) - 8 * 3600;
}

/* The most recent default window of the village that ended before today. */
static bool past_window(int64_t window_days, shop_window *w)
{
	char day[11];
	time_today_cn(day);
	for (int i = 0; i < 8; i++) {
		if (!shop_default_window(day, window_days, w))
			return false;
		char today[11];
		time_today_cn(today);
		if (strcmp(w->ends_on, today) < 0)
			return true;
		/* the last day of the quarter before */
		char first[11];
		unsigned month = (unsigned)((atoi(day + 5) - 1) / 3 * 3 + 1) % 100u;
		snprintf(first, sizeof(first), "%.4s-%02u-01", day, month);
		if (!shop_date_add(first, -1, day))
			return false;
	}
	return false;
}

/* The sponsors, the goods and their stock; ids[] gets each goods' id. */
static core_status stock_the_shop(store *st, int64_t village_id, const actor *admin,
                                  const shop_window *w, int64_t *ids, core_err *err)
{
	int64_t sp[NSPONSORS];
	char when[NSPONSORS][11];
	for (size_t i = 0; i < NSPONSORS; i++) {
		st_sponsor s = {.village_id = village_id, .name = sponsors[i].name,
		                .contact = sponsors[i].contact, .note = sponsors[i].note};
		if (shop_sponsor_create(st, admin, &s, &sp[i], err) != CORE_OK)
			return err->status;
		if (!shop_date_add(w->starts_on, -sponsors[i].days_before, when[i]))
			return core_fail(err, CORE_ERROR, "internal", "日期错误", "bad date");
		shop_contribution_in money = {.sponsor_id = sp[i], .kind = "money",
		                              .amount_yuan = sponsors[i].money,
		                              .contributed_on = when[i], .note = "共建资金"};
		int64_t id = 0;
		if (shop_contribution_add(st, admin, &money, NULL, &id, err) != CORE_OK)
			return err->status;
	}
	for (size_t i = 0; i < NGOODS; i++) {
		int s = goods[i].sponsor;
		st_goods g = {.village_id = village_id, .name = goods[i].name,
		              .category = goods[i].category, .unit = goods[i].unit,
		              .price_points = goods[i].price, .sponsor_id = s >= 0 ? sp[s] : 0};
		if (shop_goods_create(st, admin, &g, &ids[i], err) != CORE_OK)
			return err->status;
		int64_t id = 0, move = 0, stock = 0;
		if (s >= 0) {
			shop_contribution_in in = {.sponsor_id = sp[s], .kind = "goods", .goods_id = ids[i],
			                           .quantity = goods[i].quantity, .contributed_on = when[s],
			                           .note = "捐赠物资入库"};
			if (shop_contribution_add(st, admin, &in, NULL, &id, err) != CORE_OK)
				return err->status;
		} else if (shop_stock_change(st, admin, ids[i], "intake", goods[i].quantity,
		                             "用共建资金采购", NULL, &move, &stock, err) != CORE_OK) {
			return err->status;
		}
	}
	return CORE_OK;
}

/* Picks what a household with budget points takes home: up to three goods in
 * stock (stock[] is kept up to date by the caller). Returns the number of lines. */
static size_t pick(demo_rng *rng, int64_t budget, const int64_t *ids, const int64_t *stock,
                   shop_item_in *items)
{
	size_t n = 0;
	int lines = 1 + (int)demo_rng_below(rng, 3);
	for (int tries = 0; tries < 12 && n < (size_t)lines; tries++) {
		size_t g = demo_rng_below(rng, NGOODS);
		int64_t qty = goods[g].price <= 10 ? 1 + demo_rng_below(rng, 2) : 1;
		bool taken = false;
		for (size_t k = 0; k < n; k++)
			taken = taken || items[k].goods_id == ids[g];
		if (taken || stock[g] < qty || goods[g].price * qty > budget)
			continue;
		items[n].goods_id = ids[g];
		items[n].quantity = qty;
		budget -= goods[g].price * qty;
		n++;
	}
	return n;
}

/* The redemptions of window w: about a third of the households, spread evenly
 * over the window's days between 09:00 and 16:00, each spending at most three
 * quarters of its confirmed points (households without enough redeem nothing). */
static core_status redeem_in_window(store *st, int64_t village_id, const actor *clerk,
                                    const shop_window *w, const int64_t *ids, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_household_filter f = {.village_id = village_id, .status = "active",
	                         .limit = DEMO_SHOP_MAX_HOUSEHOLDS};
	st_household *hh = NULL;
	size_t n = 0, m = 0;
	int64_t total = 0;
	core_status cs = CORE_OK;
	store_rc rc = store_household_list(st, &f, &ar, &hh, &n, &total);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "户", "households");
		goto out;
	}
	demo_rng rng;
	demo_rng_seed(&rng, DEMO_SHOP_SEED);
	/* who comes to the shop: about one household in three, in passbook order */
	int64_t *who = arena_alloc(&ar, (n ? n : 1) * sizeof(*who));
	if (!who) {
		cs = core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (demo_rng_below(&rng, 3) == 0)
			who[m++] = hh[i].id;
	int64_t ndays = (cn_time(w->ends_on, 9, 0) - cn_time(w->starts_on, 9, 0)) / 86400 + 1;
	int64_t per_day = m ? ((int64_t)m + ndays - 1) / ndays : 1;
	int64_t spacing = 7 * 60 / per_day;
	int64_t stock[NGOODS];
	for (size_t i = 0; i < NGOODS; i++)
		stock[i] = goods[i].quantity;
	for (size_t k = 0; k < m && cs == CORE_OK; k++) {
		st_balance b;
		rc = store_balance_get(st, who[k], &b);
		if (rc != STORE_OK) {
			cs = core_store_fail(err, rc, "积分余额", "balance");
			break;
		}
		shop_item_in items[3];
		size_t lines = pick(&rng, b.confirmed * 3 / 4, ids, stock, items);
		if (lines == 0)
			continue;
		char day[11];
		int64_t minute = (int64_t)(k % (size_t)per_day) * spacing +
		                 demo_rng_below(&rng, spacing > 5 ? 5 : (uint32_t)spacing);
		if (!shop_date_add(w->starts_on, (int64_t)k / per_day, day))
			break;
		shop_redeem_in in = {.village_id = village_id, .household_id = who[k], .items = items,
		                     .nitems = lines, .at = cn_time(day, 9, (int)minute)};
		int64_t id = 0;
		cs = shop_redeem(st, clerk, &in, NULL, &id, NULL, err);
		for (size_t i = 0; cs == CORE_OK && i < lines; i++)
			for (size_t g = 0; g < NGOODS; g++)
				if (ids[g] == items[i].goods_id)
					stock[g] -= items[i].quantity;
	}
out:
	arena_free(&ar);
	return cs;
}

core_status demo_shop_create(store *st, int64_t village_id, const st_user *admin,
                             const st_user *clerk, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_village v;
	store_rc rc = store_village_get(st, village_id, &ar, &v);
	arena_free(&ar);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	/* a village that redeems only in explicit windows has no past default one:
	 * it gets its shop stocked a quarter ago and no redemptions */
	shop_window w;
	bool has_window = past_window(v.window_days, &w);
	if (!has_window) {
		char today[11];
		time_today_cn(today);
		memset(&w, 0, sizeof(w));
		if (!shop_date_add(today, -90, w.starts_on))
			return core_fail(err, CORE_ERROR, "internal", "日期错误", "bad date");
	}
	const actor as_admin = {.user = admin, .ip = "demo"};
	const actor as_clerk = {.user = clerk, .ip = "demo"};
	int64_t ids[NGOODS];
	if (stock_the_shop(st, village_id, &as_admin, &w, ids, err) != CORE_OK)
		return err->status;
	return has_window ? redeem_in_window(st, village_id, &as_clerk, &w, ids, err) : CORE_OK;
}
