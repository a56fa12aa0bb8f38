/*
 * exports_shop.c: the points supermarket's records as files: the village's
 * redemptions over a range of days (one row per receipt, with its goods), and
 * a sponsor's statement (what it gave, what of its goods was redeemed, what is
 * left) for the partner enterprise and the village's accounts.
 */
#include "core/exports.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/access.h"
#include "core/shop.h"
#include "util/timeutil.h"

#define CN_OFFSET (8 * 3600) /* China time: UTC+8, no daylight saving */
#define PAGE 500

/* Seconds at 00:00 China time of date (YYYY-MM-DD, valid). */
static int64_t day_start_cn(const char *date)
{
	struct tm tm = {0};
	tm.tm_year = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0') - 1900;
	tm.tm_mon = (date[5] - '0') * 10 + (date[6] - '0') - 1;
	tm.tm_mday = (date[8] - '0') * 10 + (date[9] - '0');
	return (int64_t)timegm(&tm) - CN_OFFSET;
}

/* "2026-11-29 14:03" in China time; in the arena. */
static const char *time_cn(arena *ar, int64_t t)
{
	char iso[32];
	time_iso(t + CN_OFFSET, iso, sizeof(iso));
	return arena_printf(ar, "%.10s %.5s", iso, iso + 11);
}

/* ---- redemptions ------------------------------------------------------ */

static const export_col redemption_cols[] = {
	{"小票号", 18, false}, {"时间", 15, false},  {"户号", 7, false},  {"户主", 8, false},
	{"村民小组", 10, false}, {"物品", 26, false}, {"件数", 6, true},  {"积分", 7, true},
	{"状态", 7, false},    {"经办人", 8, false}, {"备注", 16, false},
};
#define REDEMPTION_NCOLS (sizeof(redemption_cols) / sizeof(redemption_cols[0]))

/* "洗衣粉×2袋、毛巾×1条" for a redemption; in the arena. NULL on a store failure. */
static const char *items_text(store *st, arena *ar, int64_t redemption_id, store_rc *rc)
{
	st_redemption_item *items = NULL;
	size_t n = 0;
	*rc = store_redemption_items(st, redemption_id, ar, &items, &n);
	if (*rc != STORE_OK)
		return NULL;
	const char *s = "";
	for (size_t i = 0; i < n && s; i++)
		s = arena_printf(ar, "%s%s%s×%lld%s", s, i ? "、" : "", items[i].goods_name,
		                 (long long)items[i].quantity, items[i].goods_unit ? items[i].goods_unit : "");
	return s;
}

/* The village's redemptions made in [from_t, to_t), oldest first, into *out. */
static core_status collect_redemptions(store *st, const actor *who, int64_t village_id,
                                       int64_t from_t, int64_t to_t, arena *ar,
                                       st_redemption **out, size_t *n, core_err *err)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (int64_t offset = 0;; offset += PAGE) {
		st_redemption_filter f = {.village_id = village_id, .offset = offset, .limit = PAGE};
		st_redemption *page = NULL;
		size_t got = 0;
		int64_t total = 0;
		if (shop_redemption_list(st, who, &f, ar, &page, &got, &total, err) != CORE_OK)
			return err->status;
		bool older = false;
		for (size_t i = 0; i < got; i++) {
			if (page[i].created_at < from_t) {
				older = true; /* newest first: the rest are older still */
				break;
			}
			if (page[i].created_at >= to_t)
				continue;
			if (*n == EXPORTS_MAX_ROWS)
				return core_fail(err, CORE_INVALID, "export_too_large",
				                 "要导出的兑换记录太多（超过 %d 条），请缩小日期范围",
				                 "more than %d redemptions to export: narrow the dates",
				                 EXPORTS_MAX_ROWS);
			if (*n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				st_redemption *grown = arena_alloc(ar, ncap * sizeof(**out));
				if (!grown)
					return core_fail(err, CORE_ERROR, "out_of_memory", "内存不足", "out of memory");
				if (*n)
					memcpy(grown, *out, *n * sizeof(**out));
				*out = grown;
				cap = ncap;
			}
			(*out)[(*n)++] = page[i];
		}
		if (older || got < PAGE)
			break;
	}
	for (size_t i = 0; i < *n / 2; i++) { /* oldest first */
		st_redemption t = (*out)[i];
		(*out)[i] = (*out)[*n - 1 - i];
		(*out)[*n - 1 - i] = t;
	}
	return CORE_OK;
}

core_status exports_redemptions(store *st, const actor *who, int64_t village_id, const char *from,
                                const char *to, const exports_opts *o, arena *ar,
                                exports_file *out, core_err *err)
{
	/* who may list the village's redemptions (shop_redemption_list) may export them */
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	if ((from && !time_valid_date(from)) || (to && !time_valid_date(to)))
		return core_fail(err, CORE_INVALID, "invalid_date", "日期格式应为 YYYY-MM-DD（from、to）",
		                 "from and to must be dates written YYYY-MM-DD");
	if (from && to && strcmp(from, to) > 0)
		return core_fail(err, CORE_INVALID, "invalid_date", "开始日期（from）晚于结束日期（to）",
		                 "from is after to");
	st_village v;
	store_rc rc = store_village_get(st, village_id, ar, &v);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	int64_t from_t = from ? day_start_cn(from) : INT64_MIN;
	int64_t to_t = to ? day_start_cn(to) + 86400 : INT64_MAX;
	st_redemption *list = NULL;
	size_t n = 0;
	if (collect_redemptions(st, who, village_id, from_t, to_t, ar, &list, &n, err) != CORE_OK)
		return err->status;
	export_cell *cells;
	unsigned char *style;
	if (exports_table(ar, n, REDEMPTION_NCOLS, &cells, &style, err) != CORE_OK)
		return err->status;
	int64_t points = 0, pieces = 0, done = 0;
	for (size_t i = 0; i < n; i++) {
		const st_redemption *r = &list[i];
		bool cancelled = strcmp(r->status, "cancelled") == 0;
		const char *items = items_text(st, ar, r->id, &rc);
		if (!items)
			return rc == STORE_OK ? core_fail(err, CORE_ERROR, "out_of_memory", "内存不足", "out of memory")
			                      : core_store_fail(err, rc, "兑换物品", "redemption items");
		export_cell *row = cells + i * REDEMPTION_NCOLS;
		row[0] = EXPORT_TEXT(r->receipt_no);
		row[1] = EXPORT_TEXT(time_cn(ar, r->created_at));
		row[2] = EXPORT_TEXT(r->passbook_no);
		row[3] = EXPORT_TEXT(r->head_name);
		row[4] = EXPORT_TEXT(r->group_name);
		row[5] = EXPORT_TEXT(items);
		row[6] = EXPORT_NUM(r->item_count);
		row[7] = EXPORT_NUM(r->total_points);
		row[8] = EXPORT_TEXT(cancelled ? "已撤销" : "已兑换");
		row[9] = EXPORT_TEXT(r->created_by_name);
		row[10] = EXPORT_TEXT(cancelled ? arena_printf(ar, "撤销：%s", r->cancel_reason ? r->cancel_reason : "")
		                                : r->override_id ? "窗口外（管理员特批）" : NULL);
		if (!cancelled) {
			points += r->total_points;
			pieces += r->item_count;
			done++;
		}
	}
	const char *range = arena_printf(ar, "%s 至 %s", from ? from : "最早", to ? to : "今天");
	const char *meta[] = {
		arena_printf(ar, "日期：%s", range),
		arena_printf(ar, "兑换 %lld 笔（另有撤销 %lld 笔），%lld 件物品，共 %lld 分",
		             (long long)done, (long long)(n - (size_t)done), (long long)pieces,
		             (long long)points),
	};
	export_doc doc = {
		.title = arena_printf(ar, "%s 积分超市兑换记录", v.name),
		.sheet = "兑换记录",
		.meta = meta,
		.nmeta = 2,
		.cols = redemption_cols,
		.ncols = REDEMPTION_NCOLS,
		.cells = cells,
		.nrows = n,
		.row_style = style,
		.footer = arena_printf(ar, "%s · %s", v.name, exports_printed_on(ar)),
		.landscape = true,
	};
	const char *span = arena_printf(ar, "%s_%s", from ? from : "start", to ? to : "now");
	const char *base = arena_printf(ar, "%s-兑换记录-%s", v.name, span);
	const char *ascii = arena_printf(ar, "jifen-redemptions-%lld-%s", (long long)v.id, span);
	return exports_finish(&doc, o, base, ascii, ar, out, err);
}

/* ---- a sponsor's statement -------------------------------------------- */

static const export_col sponsor_cols[] = {
	{"项目", 14, false}, {"日期", 11, false},  {"物品或款项", 16, false}, {"捐赠数量", 8, true},
	{"金额（元）", 10, true}, {"已兑换", 7, true}, {"兑换积分", 8, true}, {"库存", 6, true},
	{"备注", 18, false},
};
#define SPONSOR_NCOLS (sizeof(sponsor_cols) / sizeof(sponsor_cols[0]))

static const char *yuan(arena *ar, int64_t cents)
{
	char s[32];
	shop_format_yuan(cents, s);
	return arena_strdup(ar, s);
}

core_status exports_sponsor(store *st, const actor *who, int64_t sponsor_id, const exports_opts *o,
                            arena *ar, exports_file *out, core_err *err)
{
	shop_statement ss;
	if (shop_statement_get(st, who, sponsor_id, ar, &ss, err) != CORE_OK)
		return err->status;
	const st_sponsor sp = ss.sponsor;
	const st_contribution *cs = ss.contributions;
	const st_sponsor_line *given = ss.given, *goods = ss.goods;
	size_t nc = ss.ncontributions, ng = ss.ngiven, ngoods = ss.ngoods;
	st_village v;
	store_rc rc = store_village_get(st, sp.village_id, ar, &v);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	export_cell *cells;
	unsigned char *style;
	size_t rows = 2 + nc + ngoods + 1;
	if (exports_table(ar, rows, SPONSOR_NCOLS, &cells, &style, err) != CORE_OK)
		return err->status;
	size_t r = 0;
	int64_t cents = 0, pieces = 0, redeemed = 0, points = 0, left = 0;
	export_cell *row = cells + r * SPONSOR_NCOLS;
	style[r++] = EXPORT_ROW_STRONG;
	row[0] = EXPORT_TEXT("一、捐赠明细");
	for (size_t i = 0; i < nc; i++) {
		const st_contribution *c = &cs[i];
		bool money = strcmp(c->kind, "money") == 0;
		row = cells + r++ * SPONSOR_NCOLS;
		row[0] = EXPORT_TEXT(money ? "捐款" : "捐物");
		row[1] = EXPORT_TEXT(c->contributed_on);
		row[2] = EXPORT_TEXT(money ? "资金" : c->goods_name);
		if (!money)
			row[3] = EXPORT_NUM(c->quantity);
		if (money || c->amount_cents)
			row[4] = EXPORT_TEXT(yuan(ar, c->amount_cents));
		row[8] = EXPORT_TEXT(c->note);
		cents += c->amount_cents;
		pieces += money ? 0 : c->quantity;
	}
	row = cells + r * SPONSOR_NCOLS;
	style[r++] = EXPORT_ROW_STRONG;
	row[0] = EXPORT_TEXT("二、物品兑换情况");
	for (size_t i = 0; i < ngoods; i++) {
		const st_sponsor_line *g = &goods[i];
		int64_t gave = 0;
		for (size_t k = 0; k < ng; k++)
			if (given[k].goods_id == g->goods_id)
				gave = given[k].quantity;
		row = cells + r++ * SPONSOR_NCOLS;
		row[0] = EXPORT_TEXT("物品");
		row[2] = EXPORT_TEXT(g->unit ? arena_printf(ar, "%s（%s）", g->name, g->unit) : g->name);
		row[3] = EXPORT_NUM(gave);
		row[5] = EXPORT_NUM(g->quantity);
		row[6] = EXPORT_NUM(g->points);
		row[7] = EXPORT_NUM(g->stock);
		row[8] = EXPORT_TEXT(g->status && strcmp(g->status, "retired") == 0 ? "已下架" : NULL);
		redeemed += g->quantity;
		points += g->points;
		left += g->stock;
	}
	row = cells + r * SPONSOR_NCOLS;
	style[r++] = EXPORT_ROW_STRONG;
	row[0] = EXPORT_TEXT("合计");
	row[3] = EXPORT_NUM(pieces);
	row[4] = EXPORT_TEXT(yuan(ar, cents));
	row[5] = EXPORT_NUM(redeemed);
	row[6] = EXPORT_NUM(points);
	row[7] = EXPORT_NUM(left);
	const char *meta[] = {
		arena_printf(ar, "结对企业：%s%s%s", sp.name, sp.contact && *sp.contact ? "　联系人：" : "",
		             sp.contact && *sp.contact ? sp.contact : ""),
		arena_printf(ar, "捐款 %s 元；捐物 %lld 件；其物品已兑换 %lld 件（%lld 分），库存 %lld 件",
		             yuan(ar, cents), (long long)pieces, (long long)redeemed, (long long)points,
		             (long long)left),
	};
	export_doc doc = {
		.title = arena_printf(ar, "%s 结对共建企业对账单", v.name),
		.sheet = "对账单",
		.meta = meta,
		.nmeta = 2,
		.cols = sponsor_cols,
		.ncols = SPONSOR_NCOLS,
		.cells = cells,
		.nrows = r,
		.row_style = style,
		.footer = arena_printf(ar, "%s · %s · %s", v.name, sp.name, exports_printed_on(ar)),
	};
	const char *base = arena_printf(ar, "%s-%s-对账单", v.name, sp.name);
	const char *ascii = arena_printf(ar, "jifen-sponsor-%lld", (long long)sp.id);
	return exports_finish(&doc, o, base, ascii, ar, out, err);
}
