/*
 * exports_notice.c: the monthly notice (一月一公示) as a file, for the bulletin
 * board: one line per household with its month's total, followed by its
 * entries with their reasons (late entries and reversed ones marked); the
 * chain head at publication; and a QR code linking to the online notice. The
 * data and who may read it come from notices.c (notice_view_get).
 */
#include "core/exports.h"

#include <stdio.h>
#include <string.h>

#include "core/notices.h"
#include "util/timeutil.h"

static const export_col notice_cols[] = {
	{"户号", 7, false},  {"户主", 9, false},  {"村民小组", 11, false}, {"日期", 11, false},
	{"事由", 24, false}, {"积分", 7, true},   {"备注", 20, false},
};
#define NOTICE_NCOLS (sizeof(notice_cols) / sizeof(notice_cols[0]))

/* The reason column of one entry of the notice. */
static const char *notice_reason(arena *ar, const st_entry *e)
{
	const char *what = e->rule_name ? e->rule_name : exports_kind_label(e->kind);
	if (strcmp(e->kind, "reversal") == 0)
		what = arena_printf(ar, "冲正第 %lld 笔%s%s", (long long)e->reverses_id,
		                    e->rule_name ? "：" : "", e->rule_name ? e->rule_name : "");
	bool late = e->deed_date && e->month && strncmp(e->deed_date, e->month, 7) != 0;
	return arena_printf(ar, "%s%s%s", late ? "【补记】" : "", what,
	                    e->reversed_by ? "（已冲正）" : "");
}

/* The base of links in QR codes, without a trailing slash. */
static const char *public_base(arena *ar, const exports_opts *o)
{
	const char *u = o->public_url && *o->public_url ? o->public_url : EXPORTS_DEFAULT_PUBLIC_URL;
	size_t n = strlen(u);
	while (n > 0 && u[n - 1] == '/')
		n--;
	return arena_strndup(ar, u, n);
}

static core_status render_notice(const notice_view *nv, const exports_opts *o, arena *ar,
                                 exports_file *out, core_err *err)
{
	const st_notice *nt = &nv->notice;
	export_cell *cells;
	unsigned char *style;
	size_t rows = nv->nlines + nv->nentries;
	if (exports_table(ar, rows, NOTICE_NCOLS, &cells, &style, err) != CORE_OK)
		return err->status;
	size_t r = 0;
	for (size_t i = 0; i < nv->nlines; i++) {
		const notice_line *ln = &nv->lines[i];
		const st_notice_household *h = ln->household;
		export_cell *row = cells + r * NOTICE_NCOLS;
		style[r++] = EXPORT_ROW_STRONG;
		row[0] = EXPORT_TEXT(h->passbook_no);
		row[1] = EXPORT_TEXT(h->head_name);
		row[2] = EXPORT_TEXT(h->group_name);
		row[4] = EXPORT_TEXT(arena_printf(ar, "本月合计（%zu 笔）", ln->nentries));
		row[5] = EXPORT_NUM(ln->points);
		for (size_t k = 0; k < ln->nentries; k++) {
			const st_entry *e = &ln->entries[k];
			row = cells + r * NOTICE_NCOLS;
			style[r++] = EXPORT_ROW_PLAIN;
			row[0] = EXPORT_TEXT(h->passbook_no);
			row[1] = EXPORT_TEXT(h->head_name);
			row[2] = EXPORT_TEXT(h->group_name);
			row[3] = EXPORT_TEXT(e->deed_date);
			row[4] = EXPORT_TEXT(notice_reason(ar, e));
			row[5] = EXPORT_NUM(e->points);
			row[6] = EXPORT_TEXT(e->member_name ? (e->note && *e->note
			                                          ? arena_printf(ar, "%s：%s", e->member_name, e->note)
			                                          : e->member_name)
			                                    : e->note);
		}
	}
	char opened[11] = "", closes[11] = "";
	char iso[32];
	time_iso(nt->published_at + 8 * 3600, iso, sizeof(iso)); /* China time */
	memcpy(opened, iso, 10);
	time_iso(nt->closes_at + 8 * 3600, iso, sizeof(iso));
	memcpy(closes, iso, 10);
	int64_t up = 0, dismissed = 0, open = 0;
	for (size_t i = 0; i < nv->nobjections; i++) {
		const char *s = nv->objections[i].status;
		up += strcmp(s, "upheld") == 0;
		dismissed += strcmp(s, "dismissed") == 0;
		open += strcmp(s, "open") == 0;
	}
	const char *village = nv->village_name ? nv->village_name : "";
	const char *qr = arena_printf(ar, "%s/api/v1/villages/%lld/notices/current", public_base(ar, o),
	                              (long long)nt->village_id);
	if (!qr || strlen(qr) > 900)
		return core_fail(err, CORE_INVALID, "invalid_public_url", "公开网址太长",
		                 "the public URL is too long");
	const char *month_label = exports_period_label(ar, nt->month);
	const char *meta[] = {
		arena_printf(ar, "公示期：%s 至 %s（%s）", opened, closes,
		             strcmp(nt->status, "confirmed") == 0 ? "已确认" : "公示中"),
		arena_printf(ar, "本月记分 %lld 笔，合计 %lld 分，%zu 户；异议 %zu 件（采纳 %lld，驳回 %lld，待处理 %lld）",
		             (long long)nt->entry_count, (long long)nt->total_points, nv->nlines,
		             nv->nobjections, (long long)up, (long long)dismissed, (long long)open),
		arena_printf(ar, "链头（发布时，第 %lld 笔记录）：", (long long)nt->chain_seq),
		nt->chain_hash,
		arena_printf(ar, "网上公示：%s", qr),
		"对公示内容有异议的，请在公示期内通过积分平台或向村两委提出。",
	};
	export_doc doc = {
		.title = arena_printf(ar, "%s %s 积分公示", village, month_label),
		.sheet = "积分公示",
		.meta = meta,
		.nmeta = sizeof(meta) / sizeof(meta[0]),
		.cols = notice_cols,
		.ncols = NOTICE_NCOLS,
		.cells = cells,
		.nrows = r,
		.row_style = style,
		.qr_payload = qr,
		.qr_caption = "扫码查看网上公示",
		.footer = arena_printf(ar, "%s %s积分公示 · %s", village, month_label, exports_printed_on(ar)),
	};
	const char *base = arena_printf(ar, "%s-%s-积分公示", village, nt->month);
	const char *ascii = arena_printf(ar, "jifen-notice-%lld-%s", (long long)nt->village_id, nt->month);
	return exports_finish(&doc, o, base, ascii, ar, out, err);
}

core_status exports_notice(store *st, const actor *who, int64_t notice_id, const exports_opts *o,
                           arena *ar, exports_file *out, core_err *err)
{
	notice_view nv;
	if (notice_view_get(st, who, notice_id, 0, ar, &nv, err) != CORE_OK)
		return err->status;
	return render_notice(&nv, o, ar, out, err);
}

core_status exports_notice_month(store *st, const actor *who, int64_t village_id,
                                 const char *month, const exports_opts *o, arena *ar,
                                 exports_file *out, core_err *err)
{
	if (!notice_month_valid(month))
		return core_fail(err, CORE_INVALID, "invalid_month", "月份格式应为 YYYY-MM",
		                 "the month must be written YYYY-MM");
	st_notice nt;
	store_rc rc = store_notice_by_month(st, village_id, month, ar, &nt);
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_NOT_FOUND, "not_found", "这个月还没有发布公示",
		                 "no notice has been published for this month");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "公示", "notice");
	return exports_notice(st, who, nt.id, o, ar, out, err);
}
