/*
 * shop_redeem.c: spending points at the points supermarket (see shop.h): a
 * redemption, its receipt, its cancellation, and the household's QR code the
 * clerk scans to find the household.
 *
 * A redemption is one write transaction: the window (or an admin's override),
 * the household, the goods and their stock, the household's confirmed balance,
 * then the ledger entry (kind 'redemption', confirmed, through ledger_post), the
 * stock taken by conditional updates with their moves, the redemption and its
 * items, the audit row and the idempotency key. Everything is checked again
 * inside the transaction, so two clerks racing for the last piece, or for the
 * last points of a household, cannot both succeed.
 */
#include "core/shop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/shop_internal.h"
#include "core/validate.h"
#include "util/timeutil.h"

/* ---- the household's QR code ------------------------------------------ */

void shop_qr_format(int64_t village_id, const char *passbook_no, char *out, size_t cap)
{
	snprintf(out, cap, "%s:%lld:%s", SHOP_QR_TAG, (long long)village_id, passbook_no);
}

bool shop_qr_parse(const char *code, int64_t *village_id, char passbook[33])
{
	size_t tag = strlen(SHOP_QR_TAG);
	if (!code || strncmp(code, SHOP_QR_TAG, tag) != 0 || code[tag] != ':')
		return false;
	const char *p = code + tag + 1;
	int64_t v = 0;
	size_t digits = 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits >= 18)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (digits == 0 || v <= 0 || *p != ':')
		return false;
	p++;
	size_t n = strlen(p);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-'))
			return false;
	}
	*village_id = v;
	memcpy(passbook, p, n + 1);
	return true;
}

core_status shop_household_qr(store *st, const actor *who, int64_t household_id, arena *ar,
                              st_household *h, const char **payload, core_err *err)
{
	store_rc rc = store_household_get(st, household_id, ar, h);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (access_household(st, who, h, false, err) != CORE_OK)
		return err->status;
	char buf[80];
	shop_qr_format(h->village_id, h->passbook_no, buf, sizeof(buf));
	*payload = arena_strdup(ar, buf);
	return *payload ? CORE_OK : core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
}

/* The household a code names in the village; CORE_INVALID if it names none. */
static core_status household_of_code(store *st, int64_t village_id, const char *code, arena *ar,
                                     st_household *out, core_err *err)
{
	int64_t v = 0;
	char passbook[33];
	if (!shop_qr_parse(code, &v, passbook))
		return core_fail(err, CORE_INVALID, "invalid_qr",
		                 "无法识别的二维码：积分存折二维码的内容形如 JIFEN:1:1001",
		                 "not a household code: a passbook QR code reads like JIFEN:1:1001");
	if (v != village_id)
		return core_fail(err, CORE_INVALID, "qr_other_village", "这个二维码是另一个村（%lld）的积分存折",
		                 "this code is a passbook of another village (%lld)", (long long)v);
	store_rc rc = store_household_by_passbook(st, village_id, passbook, ar, out);
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_INVALID, "invalid_household", "本村没有存折号为 %s 的户",
		                 "the village has no household with passbook %s", passbook);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "户", "household");
}

core_status shop_household_by_qr(store *st, const actor *who, int64_t village_id,
                                 const char *code, arena *ar, st_household *out, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	return household_of_code(st, village_id, code, ar, out, err);
}

/* ---- redemption ------------------------------------------------------- */

/* The checks on the request that need no database. */
static core_status check_request(const shop_redeem_in *in, core_err *err)
{
	int ways = (in->household_id ? 1 : 0) + (in->passbook_no ? 1 : 0) + (in->qr ? 1 : 0);
	if (ways != 1)
		return core_fail(err, CORE_INVALID, "household_required",
		                 "请用一种方式指定户：household_id、passbook_no（存折号）或 qr（扫码内容）",
		                 "name the household one way: household_id, passbook_no or qr");
	if (in->nitems == 0)
		return core_fail(err, CORE_INVALID, "no_items", "没有选择任何商品", "no goods chosen");
	if (in->nitems > SHOP_MAX_ITEMS)
		return core_fail(err, CORE_INVALID, "too_many_items", "一次最多兑换 %d 种商品",
		                 "at most %d kinds of goods at once", SHOP_MAX_ITEMS);
	for (size_t i = 0; i < in->nitems; i++) {
		if (in->items[i].goods_id <= 0)
			return core_fail(err, CORE_INVALID, "invalid_goods", "商品编号（goods_id）须为正整数",
			                 "goods_id must be a positive number");
		if (in->items[i].quantity < 1 || in->items[i].quantity > SHOP_MAX_QUANTITY)
			return core_fail(err, CORE_INVALID, "invalid_quantity",
			                 "每种商品的数量（quantity）须在 1 到 %d 之间",
			                 "each quantity must be between 1 and %d", SHOP_MAX_QUANTITY);
		for (size_t k = 0; k < i; k++)
			if (in->items[k].goods_id == in->items[i].goods_id)
				return core_fail(err, CORE_INVALID, "duplicate_goods",
				                 "商品 %lld 重复出现，请合并数量",
				                 "goods %lld appear twice; give one line with the total quantity",
				                 (long long)in->items[i].goods_id);
	}
	return CORE_OK;
}

/* Inside the transaction: redemption is open at the request's time, or an
 * override is valid (*override_id then names it). */
static core_status check_window(store *st, int64_t village_id, int64_t at, arena *ar,
                                int64_t *override_id, shop_refusal *why, core_err *err)
{
	shop_window_state ws;
	if (shop_window_state_at(st, village_id, at, ar, &ws, err) != CORE_OK)
		return err->status;
	*override_id = 0;
	if (ws.open)
		return CORE_OK;
	if (ws.has_override) {
		*override_id = ws.override.id;
		return CORE_OK;
	}
	if (!ws.has_next)
		return core_fail(err, CORE_FORBIDDEN, "redemption_closed",
		                 "现在（%s）不是兑换时间，目前也没有安排下一次兑换；如需兑换请村管理员临时开放",
		                 "redemption is closed today (%s) and no window is planned; the village admin may open it for a few hours",
		                 ws.today);
	memcpy(why->next_opens_on, ws.next.starts_on, 11);
	memcpy(why->next_ends_on, ws.next.ends_on, 11);
	return core_fail(err, CORE_FORBIDDEN, "redemption_closed",
	                 "现在（%s）不是兑换时间（一季一兑换）；下一次兑换从 %s 开始，到 %s 结束。如需临时兑换，请村管理员临时开放",
	                 "redemption is closed today (%s); the next window opens on %s and ends on %s. The village admin may open it for a few hours",
	                 ws.today, ws.next.starts_on, ws.next.ends_on);
}

/* Inside the transaction: the household the request names, active, of the village. */
static core_status find_household(store *st, const shop_redeem_in *in, arena *ar,
                                  st_household *h, core_err *err)
{
	store_rc rc = STORE_OK;
	if (in->qr) {
		if (household_of_code(st, in->village_id, in->qr, ar, h, err) != CORE_OK)
			return err->status;
	} else if (in->passbook_no) {
		rc = store_household_by_passbook(st, in->village_id, in->passbook_no, ar, h);
		if (rc == STORE_NOT_FOUND)
			return core_fail(err, CORE_INVALID, "invalid_household", "本村没有存折号为 %.32s 的户",
			                 "the village has no household with passbook %.32s", in->passbook_no);
	} else {
		rc = store_household_get(st, in->household_id, ar, h);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h->village_id != in->village_id))
			return core_fail(err, CORE_INVALID, "invalid_household", "户 %lld 不是本村的户",
			                 "household %lld is not a household of this village",
			                 (long long)in->household_id);
	}
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (strcmp(h->status, "active") != 0)
		return core_fail(err, CORE_INVALID, "household_moved_out", "%s（%s）已迁出，不能兑换",
		                 "%s (%s) has moved out and cannot redeem", h->head_name, h->passbook_no);
	return CORE_OK;
}

/* Inside the transaction: every goods is the village's, active and in stock;
 * g[i] gets the goods of item i and *total the points of them all. */
static core_status check_goods(store *st, const shop_redeem_in *in, arena *ar, st_goods *g,
                               int64_t *total, shop_refusal *why, core_err *err)
{
	*total = 0;
	for (size_t i = 0; i < in->nitems; i++) {
		const shop_item_in *it = &in->items[i];
		store_rc rc = store_goods_get(st, it->goods_id, ar, &g[i]);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && g[i].village_id != in->village_id))
			return core_fail(err, CORE_INVALID, "invalid_goods", "商品 %lld 不是本村积分超市的商品",
			                 "goods %lld are not goods of this village's shop",
			                 (long long)it->goods_id);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "商品", "goods");
		if (strcmp(g[i].status, "active") != 0)
			return core_fail(err, CORE_CONFLICT, "goods_retired", "“%s”已下架，不能兑换",
			                 "\"%s\" is retired and cannot be redeemed", g[i].name);
		if (g[i].stock < it->quantity) {
			why->goods_id = g[i].id;
			why->stock = g[i].stock;
			return core_fail(err, CORE_CONFLICT, "out_of_stock",
			                 "“%s”库存不足：还剩 %lld%s，要兑换 %lld%s",
			                 "\"%s\" is out of stock: %lld %s left, %lld %s asked for", g[i].name,
			                 (long long)g[i].stock, g[i].unit, (long long)it->quantity, g[i].unit);
		}
		*total += g[i].price_points * it->quantity;
	}
	return CORE_OK;
}

/* Inside the transaction: the next receipt number of the village for the day of
 * at, like "JF1-20261129-0001", in ar. */
static const char *next_receipt(store *st, int64_t village_id, int64_t at, arena *ar)
{
	char day[11];
	shop_cn_date(at, day);
	const char *prefix = arena_printf(ar, "JF%lld-%.4s%.2s%.2s-", (long long)village_id, day,
	                                  day + 5, day + 8);
	int64_t last = 0;
	if (!prefix || store_receipt_last(st, prefix, &last) != STORE_OK)
		return NULL;
	return arena_printf(ar, "%s%04lld", prefix, (long long)(last + 1));
}

/* The audit summary of a redemption. */
static char *redeem_summary(const st_redemption *r, const shop_redeem_in *in)
{
	json_t *items = json_array();
	for (size_t i = 0; i < in->nitems; i++)
		json_array_append_new(items, json_pack("{s:I, s:I}", "goods_id",
		                                       (json_int_t)in->items[i].goods_id, "quantity",
		                                       (json_int_t)in->items[i].quantity));
	json_t *j = json_pack("{s:s, s:I, s:I, s:o}", "receipt_no", r->receipt_no, "household_id",
	                      (json_int_t)r->household_id, "total_points",
	                      (json_int_t)r->total_points, "items", items);
	if (j && r->override_id)
		json_object_set_new(j, "override_id", json_integer(r->override_id));
	return shop_summary(j);
}

/* Posts the entry, the redemption, its items and stock moves (inside the
 * transaction, after every check). */
static core_status write_redemption(store *st, const actor *who, const shop_redeem_in *in,
                                    const st_household *h, const st_goods *g, st_redemption *r,
                                    arena *ar, shop_refusal *why, core_err *err)
{
	int64_t uid = who->user->id, batch = 0;
	char day[11], month[8];
	shop_cn_date(r->created_at, day);
	snprintf(month, sizeof(month), "%.7s", day);
	store_rc rc = store_batch_create(st, in->village_id, "redemption", uid, r->created_at, &batch);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本", "ledger");
	const char *note = arena_printf(ar, "积分超市兑换（%s）", r->receipt_no);
	if (!note)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	st_entry e = {
		.village_id = in->village_id, .household_id = h->id, .kind = "redemption",
		.points = -r->total_points, .quantity = 1, .deed_date = day, .month = month,
		.bucket = "confirmed", .note = note, .batch_id = batch, .recorded_by = uid,
		.created_at = r->created_at,
	};
	if (ledger_post(st, &e, ar, err) != CORE_OK)
		return err->status;
	r->entry_id = e.id;
	rc = store_redemption_create(st, r, &r->id);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "兑换单", "redemption");
	for (size_t i = 0; i < in->nitems; i++) {
		const shop_item_in *it = &in->items[i];
		rc = store_goods_take(st, g[i].id, it->quantity, r->created_at);
		if (rc == STORE_NOT_FOUND) {
			why->goods_id = g[i].id;
			why->stock = 0;
			return core_fail(err, CORE_CONFLICT, "out_of_stock", "“%s”库存不足",
			                 "\"%s\" is out of stock", g[i].name);
		}
		st_redemption_item item = {.redemption_id = r->id, .village_id = in->village_id,
		                           .goods_id = g[i].id, .quantity = it->quantity,
		                           .price_points = g[i].price_points};
		st_stock_move m = {.village_id = in->village_id, .goods_id = g[i].id,
		                   .delta = -it->quantity, .kind = "redemption", .reason = note,
		                   .redemption_id = r->id, .created_by = uid, .created_at = r->created_at};
		if (rc == STORE_OK)
			rc = store_redemption_item_add(st, &item, NULL);
		if (rc == STORE_OK)
			rc = store_stock_move_add(st, &m, NULL);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "兑换商品", "redeemed goods");
	}
	return CORE_OK;
}

core_status shop_redeem(store *st, const actor *who, const shop_redeem_in *in,
                        const ledger_idem *idem, int64_t *id, shop_refusal *why, core_err *err)
{
	shop_refusal spare;
	if (!why)
		why = &spare;
	memset(why, 0, sizeof(*why));
	if (shop_access_counter(st, who, in->village_id, err) != CORE_OK)
		return err->status;
	if (!who->user)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "兑换须由登录的积分超市管理员办理",
		                 "a redemption is made by a signed-in clerk");
	if (check_request(in, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_goods *g = arena_alloc(&ar, in->nitems * sizeof(*g));
	core_status cs = g ? org_begin(st, err)
	                   : core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	if (cs != CORE_OK)
		goto out;
	st_redemption r = {.village_id = in->village_id, .created_by = who->user->id,
	                   .created_at = in->at ? in->at : time_now()};
	st_household h;
	st_balance b;
	cs = check_window(st, in->village_id, r.created_at, &ar, &r.override_id, why, err);
	if (cs == CORE_OK)
		cs = find_household(st, in, &ar, &h, err);
	if (cs == CORE_OK)
		cs = check_goods(st, in, &ar, g, &r.total_points, why, err);
	if (cs != CORE_OK)
		goto fail;
	store_rc rc = store_balance_get(st, h.id, &b);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "积分余额", "balance");
		goto fail;
	}
	if (b.confirmed < r.total_points) {
		why->confirmed = b.confirmed;
		why->needed = r.total_points;
		cs = core_fail(err, CORE_INVALID, "insufficient_points",
		               "积分不足：本次兑换需要 %lld 分，%s（%s）可用的已确认积分只有 %lld 分",
		               "not enough points: this redemption needs %lld points and %s (%s) has only %lld confirmed points",
		               (long long)r.total_points, h.head_name, h.passbook_no,
		               (long long)b.confirmed);
		goto fail;
	}
	r.household_id = h.id;
	r.balance_after = b.confirmed - r.total_points;
	r.receipt_no = next_receipt(st, in->village_id, r.created_at, &ar);
	if (!r.receipt_no) {
		cs = core_store_fail(err, STORE_ERROR, "兑换单号", "receipt number");
		goto fail;
	}
	cs = write_redemption(st, who, in, &h, g, &r, &ar, why, err);
	if (cs == CORE_OK)
		cs = ledger_idem_complete(st, idem, "redemption", r.id, err);
	if (cs != CORE_OK)
		goto fail;
	*id = r.id;
	char *sum = redeem_summary(&r, in);
	cs = org_finish(st, who, in->village_id, "redemption", r.id, "create", sum, err);
	free(sum);
	goto out;
fail:
	store_rollback(st);
out:
	arena_free(&ar);
	return cs;
}

/* ---- receipts --------------------------------------------------------- */

core_status shop_redemption_get(store *st, const actor *who, int64_t id, arena *ar,
                                st_redemption *out, st_redemption_item **items, size_t *nitems,
                                core_err *err)
{
	store_rc rc = store_redemption_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "兑换单", "redemption");
	st_household h = {.id = out->household_id, .village_id = out->village_id};
	if (access_household(st, who, &h, false, err) != CORE_OK)
		return err->status;
	rc = store_redemption_items(st, id, ar, items, nitems);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "兑换商品", "redeemed goods");
}

core_status shop_redemption_list(store *st, const actor *who, st_redemption_filter *f, arena *ar,
                                 st_redemption **out, size_t *n, int64_t *total, core_err *err)
{
	if (f->household_id) {
		st_household h;
		store_rc rc = store_household_get(st, f->household_id, ar, &h);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "户", "household");
		if (access_household(st, who, &h, false, err) != CORE_OK)
			return err->status;
		f->village_id = 0;
	} else if (access_village(st, who, f->village_id, ACCESS_STAFF, err) != CORE_OK) {
		return err->status;
	}
	store_rc rc = store_redemption_list(st, f, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "兑换单", "redemptions");
}

/* ---- cancellation ----------------------------------------------------- */

/* Who may cancel r: its village's admin any time; its village's clerk on the
 * day it was made (China time). */
static core_status check_canceller(store *st, const actor *who, const st_redemption *r,
                                   core_err *err)
{
	if (!who->user)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "取消兑换须由登录的村管理员办理",
		                 "a redemption is cancelled by a signed-in village admin");
	if (access_village(st, who, r->village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	const char *role = who->user->role;
	if (strcmp(role, "village_admin") == 0)
		return CORE_OK;
	if (strcmp(role, "clerk") == 0) {
		char made[11], today[11];
		shop_cn_date(r->created_at, made);
		time_today_cn(today);
		if (strcmp(made, today) == 0)
			return CORE_OK;
		return core_fail(err, CORE_FORBIDDEN, "cancel_too_late",
		                 "积分超市管理员只能当天取消兑换（这张单是 %s 办理的）；请村管理员取消",
		                 "a clerk may cancel a redemption only on the day it was made (this one on %s); ask the village admin",
		                 made);
	}
	return core_fail(err, CORE_FORBIDDEN, "forbidden", "只有村管理员（或当天的积分超市管理员）可以取消兑换",
	                 "only the village admin (or the clerk on the same day) may cancel a redemption");
}

/* Inside the transaction: the reversal entry, the redemption marked cancelled,
 * the stock put back. */
static core_status write_cancel(store *st, const actor *who, const st_redemption *r,
                                const char *reason, arena *ar, core_err *err)
{
	st_entry orig;
	store_rc rc = store_entry_get(st, r->entry_id, ar, &orig);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本记录", "entry");
	int64_t uid = who->user->id, now = time_now(), batch = 0;
	char today[11], month[8];
	time_today_cn(today);
	snprintf(month, sizeof(month), "%.7s", today);
	rc = store_batch_create(st, r->village_id, "cancel", uid, now, &batch);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本", "ledger");
	const char *note = arena_printf(ar, "取消兑换（%s）：%s", r->receipt_no, reason);
	st_entry e = {
		.village_id = r->village_id, .household_id = r->household_id, .kind = "reversal",
		.points = -orig.points, .quantity = 1, .deed_date = orig.deed_date, .month = month,
		.bucket = "confirmed", .note = note, .reverses_id = orig.id, .batch_id = batch,
		.recorded_by = uid, .created_at = now,
	};
	if (!note)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	if (ledger_post(st, &e, ar, err) != CORE_OK)
		return err->status;
	rc = store_redemption_cancel(st, r->id, uid, now, e.id, reason);
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_CONFLICT, "already_cancelled", "这张兑换单已经取消过了",
		                 "this redemption has already been cancelled");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "兑换单", "redemption");
	st_redemption_item *items = NULL;
	size_t n = 0;
	rc = store_redemption_items(st, r->id, ar, &items, &n);
	for (size_t i = 0; rc == STORE_OK && i < n; i++) {
		int64_t stock = 0;
		rc = store_goods_stock_add(st, items[i].goods_id, items[i].quantity, now, &stock);
		st_stock_move m = {.village_id = r->village_id, .goods_id = items[i].goods_id,
		                   .delta = items[i].quantity, .kind = "cancel", .reason = note,
		                   .redemption_id = r->id, .created_by = uid, .created_at = now};
		if (rc == STORE_OK)
			rc = store_stock_move_add(st, &m, NULL);
	}
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "库存", "stock");
}

core_status shop_redemption_cancel(store *st, const actor *who, int64_t id, const char *reason,
                                   const ledger_idem *idem, core_err *err)
{
	if (validate_text(err, "reason", "取消原因", reason, 1, 200) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_redemption r;
	core_status cs = CORE_OK;
	store_rc rc = store_redemption_get(st, id, &ar, &r);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "兑换单", "redemption");
	if (cs == CORE_OK)
		cs = check_canceller(st, who, &r, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	/* re-read inside the transaction: a racing cancel is seen here */
	rc = store_redemption_get(st, id, &ar, &r);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "兑换单", "redemption");
	else if (strcmp(r.status, "done") != 0)
		cs = core_fail(err, CORE_CONFLICT, "already_cancelled",
		               "这张兑换单（%s）已经取消过了", "this redemption (%s) has already been cancelled",
		               r.receipt_no);
	if (cs == CORE_OK)
		cs = write_cancel(st, who, &r, reason, &ar, err);
	if (cs == CORE_OK)
		cs = ledger_idem_complete(st, idem, "redemption", r.id, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	char *sum = shop_summary(json_pack("{s:s, s:I, s:s}", "receipt_no", r.receipt_no,
	                                   "total_points", (json_int_t)r.total_points, "reason",
	                                   reason));
	cs = org_finish(st, who, r.village_id, "redemption", r.id, "cancel", sum, err);
	free(sum);
out:
	arena_free(&ar);
	return cs;
}
