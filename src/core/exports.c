/*
 * exports.c: what the exports share (rendering into the arena, file names,
 * labels) and the two ledger exports: a household's passbook and the village's
 * ranking. The notice is in exports_notice.c, the shop's redemptions and a
 * sponsor's statement in exports_shop.c. See exports.h.
 */
#include "core/exports.h"

#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/rank.h"
#include "core/shop.h"
#include "util/timeutil.h"

#define MAX_PASSBOOK_ENTRIES 10000

core_status exports_table(arena *ar, size_t rows, size_t cols, export_cell **cells,
                          unsigned char **style, core_err *err)
{
	if (rows > EXPORTS_MAX_ROWS)
		return core_fail(err, CORE_INVALID, "export_too_large",
		                 "要导出的记录太多（%zu 行，最多 %d 行），请缩小范围",
		                 "too many rows to export (%zu, at most %d): narrow the range", rows,
		                 EXPORTS_MAX_ROWS);
	*cells = arena_alloc(ar, (rows ? rows : 1) * cols * sizeof(export_cell));
	*style = arena_alloc(ar, rows ? rows : 1);
	if (!*cells || !*style)
		return core_fail(err, CORE_ERROR, "out_of_memory", "内存不足", "out of memory");
	return CORE_OK;
}

core_status exports_finish(const export_doc *doc, const exports_opts *o, const char *base,
                           const char *ascii_base, arena *ar, exports_file *out, core_err *err)
{
	buf b;
	char why[256] = "";
	buf_init(&b, EXPORTS_MAX_BYTES);
	export_rc rc = export_render(doc, o->format, &b, why, sizeof(why));
	if (rc == EXPORT_TOO_LARGE)
		return core_fail(err, CORE_INVALID, "export_too_large",
		                 "导出的文件太大（超过 %u MB），请缩小范围",
		                 "the export would be larger than %u MB: narrow the range",
		                 EXPORTS_MAX_BYTES / (1024 * 1024));
	if (rc != EXPORT_OK)
		return core_fail(err, CORE_ERROR, "export_failed", "导出失败：%s", "export failed: %s",
		                 why);
	char *data = arena_alloc(ar, b.len ? b.len : 1);
	if (data && b.len)
		memcpy(data, b.data, b.len);
	size_t len = b.len;
	buf_free(&b);
	const char *ext = export_format_ext(o->format);
	out->data = data;
	out->len = len;
	out->content_type = export_content_type(o->format);
	out->filename = arena_printf(ar, "%s.%s", base, ext);
	out->ascii_filename = arena_printf(ar, "%s.%s", ascii_base, ext);
	if (!data || !out->filename || !out->ascii_filename)
		return core_fail(err, CORE_ERROR, "out_of_memory", "内存不足", "out of memory");
	return CORE_OK;
}

const char *exports_kind_label(const char *kind)
{
	static const struct {
		const char *kind, *label;
	} labels[] = {
		{"award", "加分"},    {"deduction", "扣分"},  {"redemption", "兑换"},
		{"reversal", "冲正"}, {"carry_over", "结转"}, {"clearing", "清零"},
		{"adjustment", "调整"},
	};
	for (size_t i = 0; kind && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].kind, kind) == 0)
			return labels[i].label;
	return kind ? kind : "";
}

const char *exports_period_label(arena *ar, const char *period)
{
	size_t n = strlen(period);
	if (n == 4)
		return arena_printf(ar, "%s年", period);
	if (n == 7 && period[5] == 'Q')
		return arena_printf(ar, "%.4s年第%c季度", period, period[6]);
	if (n == 7)
		return arena_printf(ar, "%.4s年%s月", period, period[5] == '0' ? period + 6 : period + 5);
	return period;
}

const char *exports_printed_on(arena *ar)
{
	char today[11];
	time_today_cn(today);
	return arena_printf(ar, "打印于 %s · jifen 积分制乡村治理平台", today);
}

bool exports_public_url_valid(const char *url)
{
	if (!url || strlen(url) > EXPORTS_PUBLIC_URL_MAX)
		return false;
	const char *rest = strncmp(url, "http://", 7) == 0    ? url + 7
	                   : strncmp(url, "https://", 8) == 0 ? url + 8
	                                                      : NULL;
	if (!rest || !*rest || *rest == '/')
		return false;
	for (const char *p = url; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("\"'<>\\`", *p))
			return false;
	return true;
}

const char *exports_household_qr(arena *ar, int64_t village_id, const char *passbook_no)
{
	char code[128];
	shop_qr_format(village_id, passbook_no, code, sizeof(code)); /* the shop scans it */
	return arena_strdup(ar, code);
}

/* ---- the passbook ----------------------------------------------------- */

static const export_col passbook_cols[] = {
	{"编号", 7, false},  {"日期", 11, false}, {"类别", 6, false},  {"事由", 22, false},
	{"成员", 8, false},  {"积分", 7, true},   {"余额", 8, true},   {"状态", 7, false},
	{"备注", 24, false},
};
#define PASSBOOK_NCOLS (sizeof(passbook_cols) / sizeof(passbook_cols[0]))

/* What an entry was for: its rule, or what a reversal undid. */
static const char *entry_reason(arena *ar, const st_entry *e)
{
	if (strcmp(e->kind, "reversal") == 0)
		return arena_printf(ar, "冲正第 %lld 笔%s%s", (long long)e->reverses_id,
		                    e->rule_name ? "：" : "", e->rule_name ? e->rule_name : "");
	if (e->rule_name)
		return e->reversed_by ? arena_printf(ar, "%s（已冲正）", e->rule_name) : e->rule_name;
	return exports_kind_label(e->kind);
}

core_status exports_passbook(store *st, const actor *who, int64_t household_id,
                             const exports_opts *o, arena *ar, exports_file *out, core_err *err)
{
	st_household h;
	st_village v;
	st_balance b;
	store_rc rc = store_household_get(st, household_id, ar, &h);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (access_household(st, who, &h, false, err) != CORE_OK)
		return err->status;
	st_entry_filter f = {.household_id = h.id, .limit = MAX_PASSBOOK_ENTRIES + 1};
	st_entry *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	rc = store_village_get(st, h.village_id, ar, &v);
	if (rc == STORE_OK)
		rc = store_balance_get(st, h.id, &b);
	if (rc == STORE_OK)
		rc = store_entry_list(st, &f, ar, &list, &n, &total);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "积分存折", "passbook");
	if (n > MAX_PASSBOOK_ENTRIES)
		return core_fail(err, CORE_INVALID, "export_too_large",
		                 "这户的记录太多（超过 %d 笔），无法一次导出",
		                 "the household has more than %d entries to export at once",
		                 MAX_PASSBOOK_ENTRIES);
	export_cell *cells;
	unsigned char *style;
	if (exports_table(ar, n, PASSBOOK_NCOLS, &cells, &style, err) != CORE_OK)
		return err->status;
	for (size_t i = 0; i < n; i++) {
		const st_entry *e = &list[n - 1 - i]; /* the store lists newest first */
		export_cell *row = cells + i * PASSBOOK_NCOLS;
		row[0] = EXPORT_NUM(e->id);
		row[1] = EXPORT_TEXT(e->deed_date);
		row[2] = EXPORT_TEXT(exports_kind_label(e->kind));
		row[3] = EXPORT_TEXT(entry_reason(ar, e));
		row[4] = EXPORT_TEXT(e->member_name);
		row[5] = EXPORT_NUM(e->points);
		row[6] = EXPORT_NUM(e->running_balance);
		row[7] = EXPORT_TEXT(e->confirmed ? "已确认" : "公示中");
		row[8] = EXPORT_TEXT(e->note);
	}
	const char *meta[] = {
		arena_printf(ar, "户号：%s　户主：%s　村民小组：%s", h.passbook_no, h.head_name,
		             h.group_name ? h.group_name : ""),
		arena_printf(ar, "住址：%s", h.address && *h.address ? h.address : "—"),
		arena_printf(ar, "积分余额：%lld 分（已确认 %lld 分，公示中 %lld 分），共 %lld 笔记录",
		             (long long)(b.confirmed + b.pending), (long long)b.confirmed,
		             (long long)b.pending, (long long)n),
	};
	export_doc doc = {
		.title = arena_printf(ar, "%s 积分存折", v.name),
		.sheet = "积分存折",
		.meta = meta,
		.nmeta = sizeof(meta) / sizeof(meta[0]),
		.cols = passbook_cols,
		.ncols = PASSBOOK_NCOLS,
		.cells = cells,
		.nrows = n,
		.row_style = style,
		.qr_payload = exports_household_qr(ar, v.id, h.passbook_no),
		.qr_caption = arena_printf(ar, "户码 %s（兑换时出示）", h.passbook_no),
		.footer = arena_printf(ar, "%s · %s户 · %s", v.name, h.head_name, exports_printed_on(ar)),
	};
	const char *base = arena_printf(ar, "%s-%s-%s-积分存折", v.name, h.passbook_no, h.head_name);
	const char *ascii = arena_printf(ar, "jifen-passbook-%lld-%s", (long long)v.id, h.passbook_no);
	return exports_finish(&doc, o, base, ascii, ar, out, err);
}

/* ---- the ranking ------------------------------------------------------ */

static const export_col ranking_cols[] = {
	{"名次", 6, true},   {"户号", 8, false},  {"户主", 10, false},
	{"村民小组", 14, false}, {"所得积分", 10, true}, {"组内名次", 8, true},
};
#define RANKING_NCOLS (sizeof(ranking_cols) / sizeof(ranking_cols[0]))

core_status exports_ranking(store *st, const actor *who, int64_t village_id, const char *period,
                            int64_t group_id, const exports_opts *o, arena *ar, exports_file *out,
                            core_err *err)
{
	st_rank_filter f = {.village_id = village_id, .period = period, .group_id = group_id,
	                    .limit = EXPORTS_MAX_ROWS + 1};
	st_rank_row *rows = NULL;
	size_t n = 0;
	int64_t total = 0;
	if (rank_village(st, who, false, &f, ar, &rows, &n, &total, err) != CORE_OK)
		return err->status;
	st_village v;
	store_rc rc = store_village_get(st, village_id, ar, &v);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	const char *scope = "全村";
	if (group_id) {
		st_group g;
		rc = store_group_get(st, group_id, ar, &g);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "村民小组", "group");
		scope = g.name;
	}
	export_cell *cells;
	unsigned char *style;
	if (exports_table(ar, n, RANKING_NCOLS, &cells, &style, err) != CORE_OK)
		return err->status;
	for (size_t i = 0; i < n; i++) {
		const st_rank_row *r = &rows[i];
		export_cell *row = cells + i * RANKING_NCOLS;
		row[0] = EXPORT_NUM(r->rank);
		row[1] = EXPORT_TEXT(r->passbook_no);
		row[2] = EXPORT_TEXT(r->head_name);
		row[3] = EXPORT_TEXT(r->group_name);
		row[4] = EXPORT_NUM(r->earned);
		row[5] = EXPORT_NUM(r->group_rank);
	}
	const char *label = exports_period_label(ar, period);
	const char *meta[] = {
		arena_printf(ar, "期间：%s　范围：%s　共 %lld 户", label, scope, (long long)total),
		"所得积分 = 该期间的加分减扣分（含调整与冲正）；兑换不影响排名；同分同名次。",
	};
	export_doc doc = {
		.title = arena_printf(ar, "%s %s 积分排名", v.name, label),
		.sheet = "积分排名",
		.meta = meta,
		.nmeta = 2,
		.cols = ranking_cols,
		.ncols = RANKING_NCOLS,
		.cells = cells,
		.nrows = n,
		.row_style = style,
		.footer = arena_printf(ar, "%s · %s", v.name, exports_printed_on(ar)),
	};
	const char *base = group_id ? arena_printf(ar, "%s-%s-%s-积分排名", v.name, scope, period)
	                            : arena_printf(ar, "%s-%s-积分排名", v.name, period);
	const char *ascii = group_id ? arena_printf(ar, "jifen-ranking-%lld-%s-group%lld",
	                                            (long long)v.id, period, (long long)group_id)
	                             : arena_printf(ar, "jifen-ranking-%lld-%s", (long long)v.id, period);
	return exports_finish(&doc, o, base, ascii, ar, out, err);
}
