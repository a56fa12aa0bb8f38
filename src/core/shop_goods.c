/*
 * shop_goods.c: what the points supermarket has and where it came from (see
 * shop.h): sponsors (结对共建企业) and their contributions of money and goods,
 * a sponsor's statement, the goods with their points price and picture, and
 * the stock — changed only by intake, correction, redemption and cancellation,
 * each a stock move with its reason in the same transaction as the change.
 * Redemptions themselves are in shop_redeem.c.
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

/* ---- shared by the shop's files --------------------------------------- */

core_status shop_access_manage(store *st, const actor *who, int64_t village_id, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	const char *role = who->user ? who->user->role : NULL;
	if (!role || strcmp(role, "village_admin") == 0 || strcmp(role, "clerk") == 0 ||
	    strcmp(role, "area_admin") == 0)
		return CORE_OK;
	return core_fail(err, CORE_FORBIDDEN, "forbidden", "只有村管理员和积分超市管理员可以管理积分超市",
	                 "only the village admin and the shop clerk manage the shop");
}

core_status shop_access_counter(store *st, const actor *who, int64_t village_id, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	const char *role = who->user ? who->user->role : NULL;
	if (!role || strcmp(role, "village_admin") == 0 || strcmp(role, "clerk") == 0)
		return CORE_OK;
	return core_fail(err, CORE_FORBIDDEN, "forbidden",
	                 "只有本村的积分超市管理员和村管理员可以办理入库和兑换",
	                 "only the village's shop clerk and village admin take stock in and redeem");
}

char *shop_summary(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

/* ---- money ------------------------------------------------------------ */

bool shop_parse_yuan(const char *s, int64_t *cents)
{
	if (!s || !*s)
		return false;
	int64_t whole = 0, frac = 0;
	size_t i = 0, digits = 0, decimals = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (digits >= 12)
			return false;
		whole = whole * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return false;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9'; i++, decimals++) {
			if (decimals >= 2)
				return false;
			frac = frac * 10 + (s[i] - '0');
		}
		if (decimals == 0)
			return false;
		if (decimals == 1)
			frac *= 10;
	}
	if (s[i] != '\0')
		return false;
	int64_t v = whole * 100 + frac;
	if (v <= 0 || v > SHOP_MAX_CENTS)
		return false;
	*cents = v;
	return true;
}

void shop_format_yuan(int64_t cents, char out[32])
{
	snprintf(out, 32, "%s%lld.%02lld", cents < 0 ? "-" : "",
	         (long long)((cents < 0 ? -cents : cents) / 100),
	         (long long)((cents < 0 ? -cents : cents) % 100));
}

/* ---- sponsors and contributions --------------------------------------- */

core_status shop_sponsor_create(store *st, const actor *who, const st_sponsor *in, int64_t *id,
                                core_err *err)
{
	if (access_village(st, who, in->village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (validate_text(err, "name", "企业名称", in->name, 1, 60) != CORE_OK ||
	    (in->contact && validate_text(err, "contact", "联系人", in->contact, 0, 60) != CORE_OK) ||
	    (in->note && validate_text(err, "note", "备注", in->note, 0, 200) != CORE_OK))
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	st_sponsor s = *in;
	s.created_at = time_now();
	store_rc rc = store_sponsor_create(st, &s, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		if (rc == STORE_CONFLICT)
			return core_fail(err, CORE_CONFLICT, "sponsor_exists", "本村已有共建企业“%s”",
			                 "the village already has a sponsor named \"%s\"", in->name);
		return core_store_fail(err, rc, "共建企业", "sponsor");
	}
	char *sum = shop_summary(json_pack("{s:s}", "name", in->name));
	core_status cs = org_finish(st, who, in->village_id, "sponsor", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status shop_sponsor_get(store *st, const actor *who, int64_t id, arena *ar, st_sponsor *out,
                             core_err *err)
{
	store_rc rc = store_sponsor_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "共建企业", "sponsor");
	return access_village(st, who, out->village_id, ACCESS_STAFF, err);
}

core_status shop_sponsor_list(store *st, const actor *who, int64_t village_id, arena *ar,
                              st_sponsor **out, size_t *n, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = store_sponsor_list(st, village_id, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "共建企业", "sponsors");
}

/* Loads goods id and checks they are goods of the village. */
static core_status village_goods(store *st, int64_t village_id, int64_t id, arena *ar,
                                 st_goods *g, core_err *err)
{
	store_rc rc = store_goods_get(st, id, ar, g);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && g->village_id != village_id))
		return core_fail(err, CORE_INVALID, "invalid_goods", "商品 %lld 不是本村积分超市的商品",
		                 "goods %lld are not goods of this village's shop", (long long)id);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "商品", "goods");
}

/* Checks the fields of a contribution that need no database. */
static core_status check_contribution(const shop_contribution_in *in, int64_t *cents,
                                      core_err *err)
{
	bool money = in->kind && strcmp(in->kind, "money") == 0;
	bool goods = in->kind && strcmp(in->kind, "goods") == 0;
	if (!money && !goods)
		return core_fail(err, CORE_INVALID, "invalid_kind", "捐赠类型（kind）须为 money 或 goods",
		                 "kind must be money or goods");
	if (money) {
		if (in->goods_id || in->quantity)
			return core_fail(err, CORE_INVALID, "invalid_contribution",
			                 "捐款不填商品（goods_id、quantity）", "a money contribution names no goods");
		if (!shop_parse_yuan(in->amount_yuan, cents))
			return core_fail(err, CORE_INVALID, "invalid_amount",
			                 "金额（amount_yuan）须为大于 0 的元数，最多两位小数，如 \"10000.00\"",
			                 "amount_yuan must be a positive amount of yuan with at most two decimals, like \"10000.00\"");
	} else {
		if (in->amount_yuan)
			return core_fail(err, CORE_INVALID, "invalid_contribution",
			                 "捐物不填金额（amount_yuan），只填商品和数量",
			                 "a goods contribution has no amount_yuan, only goods_id and quantity");
		if (in->goods_id <= 0)
			return core_fail(err, CORE_INVALID, "missing_field", "捐物需要指定商品（goods_id）",
			                 "a goods contribution needs goods_id");
		if (in->quantity < 1 || in->quantity > SHOP_MAX_DELTA)
			return core_fail(err, CORE_INVALID, "invalid_quantity", "数量（quantity）须在 1 到 %d 之间",
			                 "quantity must be between 1 and %d", SHOP_MAX_DELTA);
		*cents = 0;
	}
	if (ledger_check_date(in->contributed_on, err) != CORE_OK)
		return err->status;
	if (in->note && validate_text(err, "note", "备注", in->note, 0, 200) != CORE_OK)
		return err->status;
	return CORE_OK;
}

/* Adds delta to the goods' stock with a move and its audit row, inside the
 * caller's transaction. CORE_INVALID "stock_negative" if it would go below zero. */
static core_status move_stock(store *st, const actor *who, const st_goods *g, const char *kind,
                              int64_t delta, const char *reason, int64_t contribution_id,
                              int64_t *move_id, int64_t *stock, core_err *err)
{
	int64_t now = time_now();
	store_rc rc = store_goods_stock_add(st, g->id, delta, now, stock);
	if (rc == STORE_NOT_FOUND) {
		/* re-read: the stock as it is inside this transaction */
		arena ar;
		arena_init(&ar, 0);
		st_goods cur;
		int64_t have = store_goods_get(st, g->id, &ar, &cur) == STORE_OK ? cur.stock : g->stock;
		arena_free(&ar);
		return core_fail(err, CORE_INVALID, "stock_negative",
		                 "“%s”现有库存 %lld%s，减少 %lld%s 会小于零",
		                 "\"%s\" has %lld %s in stock; taking %lld %s away would go below zero",
		                 g->name, (long long)have, g->unit, (long long)-delta, g->unit);
	}
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "库存", "stock");
	st_stock_move m = {.village_id = g->village_id, .goods_id = g->id, .delta = delta,
	                   .kind = kind, .reason = reason, .contribution_id = contribution_id,
	                   .created_by = who->user ? who->user->id : 0, .created_at = now};
	rc = store_stock_move_add(st, &m, move_id);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "库存记录", "stock move");
	char *sum = shop_summary(json_pack("{s:s, s:I, s:I, s:s}", "name", g->name, "delta",
	                                   (json_int_t)delta, "stock", (json_int_t)*stock, "reason",
	                                   reason));
	char action[32];
	snprintf(action, sizeof(action), "stock_%s", kind);
	rc = sum ? core_audit(st, who, g->village_id, "goods", g->id, action, sum) : STORE_ERROR;
	free(sum);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "审计记录", "audit record");
}

core_status shop_contribution_add(store *st, const actor *who, const shop_contribution_in *in,
                                  const ledger_idem *idem, int64_t *id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_sponsor sp;
	int64_t cents = 0;
	core_status cs = CORE_OK;
	store_rc rc = store_sponsor_get(st, in->sponsor_id, &ar, &sp);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "共建企业", "sponsor");
	if (cs == CORE_OK)
		cs = shop_access_manage(st, who, sp.village_id, err);
	if (cs == CORE_OK)
		cs = check_contribution(in, &cents, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	bool goods = strcmp(in->kind, "goods") == 0;
	st_goods g;
	memset(&g, 0, sizeof(g));
	if (goods) {
		cs = village_goods(st, sp.village_id, in->goods_id, &ar, &g, err);
		if (cs == CORE_OK && strcmp(g.status, "active") != 0)
			cs = core_fail(err, CORE_CONFLICT, "goods_retired", "“%s”已下架，不能入库",
			               "\"%s\" is retired and takes no stock", g.name);
		if (cs != CORE_OK)
			goto fail;
	}
	st_contribution c = {.village_id = sp.village_id, .sponsor_id = sp.id, .kind = in->kind,
	                     .amount_cents = cents, .goods_id = goods ? g.id : 0,
	                     .quantity = goods ? in->quantity : 0,
	                     .contributed_on = in->contributed_on, .note = in->note,
	                     .created_by = who->user ? who->user->id : 0, .created_at = time_now()};
	rc = store_contribution_create(st, &c, id);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "捐赠记录", "contribution");
		goto fail;
	}
	if (goods) {
		const char *reason = arena_printf(&ar, "%s捐赠（%s）%s%s", sp.name, in->contributed_on,
		                                  in->note && *in->note ? "：" : "",
		                                  in->note ? in->note : "");
		int64_t move = 0, stock = 0;
		cs = reason ? move_stock(st, who, &g, "intake", in->quantity, reason, *id, &move, &stock,
		                         err)
		            : core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
		if (cs != CORE_OK)
			goto fail;
	}
	cs = ledger_idem_complete(st, idem, "contribution", *id, err);
	if (cs != CORE_OK)
		goto fail;
	char yuan[32];
	shop_format_yuan(cents, yuan);
	char *sum = goods ? shop_summary(json_pack("{s:I, s:s, s:I, s:I, s:s}", "sponsor_id",
	                                           (json_int_t)sp.id, "kind", "goods", "goods_id",
	                                           (json_int_t)g.id, "quantity",
	                                           (json_int_t)in->quantity, "contributed_on",
	                                           in->contributed_on))
	                  : shop_summary(json_pack("{s:I, s:s, s:s, s:s}", "sponsor_id",
	                                           (json_int_t)sp.id, "kind", "money", "amount_yuan",
	                                           yuan, "contributed_on", in->contributed_on));
	cs = org_finish(st, who, sp.village_id, "contribution", *id, "create", sum, err);
	free(sum);
	goto out;
fail:
	store_rollback(st);
out:
	arena_free(&ar);
	return cs;
}

core_status shop_statement_get(store *st, const actor *who, int64_t sponsor_id, arena *ar,
                               shop_statement *out, core_err *err)
{
	memset(out, 0, sizeof(*out));
	if (shop_sponsor_get(st, who, sponsor_id, ar, &out->sponsor, err) != CORE_OK)
		return err->status;
	store_rc rc = store_contribution_list(st, sponsor_id, ar, &out->contributions,
	                                      &out->ncontributions);
	if (rc == STORE_OK)
		rc = store_sponsor_given(st, sponsor_id, ar, &out->given, &out->ngiven);
	if (rc == STORE_OK)
		rc = store_sponsor_goods(st, sponsor_id, ar, &out->goods, &out->ngoods);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "共建企业账目", "sponsor statement");
}

/* ---- goods ------------------------------------------------------------ */

/* Checks the text fields and the price of goods g. */
static core_status check_goods(const st_goods *g, core_err *err)
{
	if (validate_text(err, "name", "商品名称", g->name, 1, 40) != CORE_OK ||
	    validate_text(err, "category", "商品类别", g->category, 1, 20) != CORE_OK ||
	    validate_text(err, "unit", "单位", g->unit, 1, 8) != CORE_OK)
		return err->status;
	if (g->price_points < 1 || g->price_points > SHOP_MAX_PRICE)
		return core_fail(err, CORE_INVALID, "invalid_price", "兑换积分（price_points）须在 1 到 %d 之间",
		                 "price_points must be between 1 and %d", SHOP_MAX_PRICE);
	return CORE_OK;
}

/* Inside the transaction: the photo and the sponsor named by g are the village's. */
static core_status check_goods_refs(store *st, const st_goods *g, arena *ar, core_err *err)
{
	if (g->photo_hash) {
		st_photo p;
		store_rc rc = store_photo_get(st, g->village_id, g->photo_hash, ar, &p);
		if (rc == STORE_NOT_FOUND)
			return core_fail(err, CORE_INVALID, "invalid_photo", "照片 %.16s… 不存在，请先上传",
			                 "photo %.16s… not found; upload it first", g->photo_hash);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "照片", "photo");
	}
	if (g->sponsor_id) {
		st_sponsor s;
		store_rc rc = store_sponsor_get(st, g->sponsor_id, ar, &s);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && s.village_id != g->village_id))
			return core_fail(err, CORE_INVALID, "invalid_sponsor", "共建企业 %lld 不是本村的共建企业",
			                 "sponsor %lld is not a sponsor of this village",
			                 (long long)g->sponsor_id);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "共建企业", "sponsor");
	}
	return CORE_OK;
}

/* The answer to a taken goods name. */
static core_status name_taken(const char *name, core_err *err)
{
	return core_fail(err, CORE_CONFLICT, "goods_exists", "积分超市已有商品“%s”",
	                 "the shop already has goods named \"%s\"", name);
}

core_status shop_goods_create(store *st, const actor *who, const st_goods *in, int64_t *id,
                              core_err *err)
{
	if (shop_access_manage(st, who, in->village_id, err) != CORE_OK)
		return err->status;
	st_goods g = *in;
	if (!g.unit)
		g.unit = "件";
	if (check_goods(&g, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	core_status cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	cs = check_goods_refs(st, &g, &ar, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	g.created_at = g.updated_at = time_now();
	store_rc rc = store_goods_create(st, &g, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = rc == STORE_CONFLICT ? name_taken(g.name, err) : core_store_fail(err, rc, "商品", "goods");
		goto out;
	}
	char *sum = shop_summary(json_pack("{s:s, s:s, s:I}", "name", g.name, "category", g.category,
	                                   "price_points", (json_int_t)g.price_points));
	cs = org_finish(st, who, g.village_id, "goods", *id, "create", sum, err);
	free(sum);
out:
	arena_free(&ar);
	return cs;
}

core_status shop_goods_get(store *st, int64_t id, arena *ar, st_goods *out, core_err *err)
{
	store_rc rc = store_goods_get(st, id, ar, out);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "商品", "goods");
}

core_status shop_goods_list(store *st, const st_goods_filter *f, arena *ar, st_goods **out,
                            size_t *n, int64_t *total, core_err *err)
{
	st_village v;
	store_rc rc = store_village_get(st, f->village_id, ar, &v);
	if (rc == STORE_OK)
		rc = store_goods_list(st, f, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村", "village");
}

/* Applies patch p to g; CORE_INVALID for a bad status. */
static core_status apply_patch(st_goods *g, const shop_goods_patch *p, core_err *err)
{
	if (p->name)
		g->name = p->name;
	if (p->category)
		g->category = p->category;
	if (p->unit)
		g->unit = p->unit;
	if (p->price_points)
		g->price_points = p->price_points;
	if (p->photo_hash)
		g->photo_hash = p->photo_hash;
	if (p->clear_photo)
		g->photo_hash = NULL;
	if (p->sponsor_id)
		g->sponsor_id = p->sponsor_id;
	if (p->clear_sponsor)
		g->sponsor_id = 0;
	if (p->status) {
		if (strcmp(p->status, "active") != 0 && strcmp(p->status, "retired") != 0)
			return core_fail(err, CORE_INVALID, "invalid_status", "状态（status）须为 active 或 retired",
			                 "status must be active or retired");
		g->status = p->status;
	}
	return check_goods(g, err);
}

core_status shop_goods_update(store *st, const actor *who, int64_t id, const shop_goods_patch *p,
                              core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_goods old, g;
	core_status cs = CORE_OK;
	store_rc rc = store_goods_get(st, id, &ar, &old);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "商品", "goods");
	if (cs == CORE_OK)
		cs = shop_access_manage(st, who, old.village_id, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	/* re-read inside the transaction, then change only what the patch names */
	rc = store_goods_get(st, id, &ar, &old);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "商品", "goods");
		goto fail;
	}
	g = old;
	cs = apply_patch(&g, p, err);
	if (cs == CORE_OK)
		cs = check_goods_refs(st, &g, &ar, err);
	if (cs != CORE_OK)
		goto fail;
	g.updated_at = time_now();
	rc = store_goods_update(st, &g);
	if (rc != STORE_OK) {
		cs = rc == STORE_CONFLICT ? name_taken(g.name, err) : core_store_fail(err, rc, "商品", "goods");
		goto fail;
	}
	json_t *j = json_object();
	if (strcmp(old.name, g.name) != 0)
		json_object_set_new(j, "name", json_pack("[s,s]", old.name, g.name));
	if (strcmp(old.category, g.category) != 0)
		json_object_set_new(j, "category", json_pack("[s,s]", old.category, g.category));
	if (strcmp(old.unit, g.unit) != 0)
		json_object_set_new(j, "unit", json_pack("[s,s]", old.unit, g.unit));
	if (old.price_points != g.price_points)
		json_object_set_new(j, "price_points", json_pack("[I,I]", (json_int_t)old.price_points,
		                                                 (json_int_t)g.price_points));
	if (strcmp(old.status, g.status) != 0)
		json_object_set_new(j, "status", json_pack("[s,s]", old.status, g.status));
	if ((old.photo_hash == NULL) != (g.photo_hash == NULL) ||
	    (old.photo_hash && g.photo_hash && strcmp(old.photo_hash, g.photo_hash) != 0))
		json_object_set_new(j, "photo", json_true());
	if (old.sponsor_id != g.sponsor_id)
		json_object_set_new(j, "sponsor_id", json_pack("[I,I]", (json_int_t)old.sponsor_id,
		                                               (json_int_t)g.sponsor_id));
	char *sum = shop_summary(j);
	cs = org_finish(st, who, g.village_id, "goods", id, "update", sum, err);
	free(sum);
	goto out;
fail:
	store_rollback(st);
out:
	arena_free(&ar);
	return cs;
}

core_status shop_goods_photo(store *st, int64_t goods_id, arena *ar, st_photo *out,
                             core_err *err)
{
	st_goods g;
	store_rc rc = store_goods_get(st, goods_id, ar, &g);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "商品", "goods");
	if (!g.photo_hash)
		return core_fail(err, CORE_NOT_FOUND, "not_found", "“%s”没有图片",
		                 "\"%s\" has no picture", g.name);
	rc = store_photo_get(st, g.village_id, g.photo_hash, ar, out);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "图片", "picture");
}

/* ---- stock ------------------------------------------------------------ */

core_status shop_stock_change(store *st, const actor *who, int64_t goods_id, const char *kind,
                              int64_t delta, const char *reason, const ledger_idem *idem,
                              int64_t *move_id, int64_t *stock, core_err *err)
{
	bool intake = kind && strcmp(kind, "intake") == 0;
	bool correction = kind && strcmp(kind, "correction") == 0;
	if (!intake && !correction)
		return core_fail(err, CORE_INVALID, "invalid_kind", "类型（kind）须为 intake（入库）或 correction（盘点更正）",
		                 "kind must be intake or correction");
	if (intake && (delta < 1 || delta > SHOP_MAX_DELTA))
		return core_fail(err, CORE_INVALID, "invalid_delta", "入库数量（delta）须在 1 到 %d 之间",
		                 "an intake's delta must be between 1 and %d", SHOP_MAX_DELTA);
	if (delta == 0 || delta > SHOP_MAX_DELTA || delta < -SHOP_MAX_DELTA)
		return core_fail(err, CORE_INVALID, "invalid_delta",
		                 "更正数量（delta）须为 -%d 到 %d 之间的非零整数",
		                 "a correction's delta must be a non-zero number between -%d and %d",
		                 SHOP_MAX_DELTA, SHOP_MAX_DELTA);
	if (validate_text(err, "reason", "原因", reason, 1, 200) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_goods g;
	core_status cs = CORE_OK;
	store_rc rc = store_goods_get(st, goods_id, &ar, &g);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "商品", "goods");
	if (cs == CORE_OK)
		cs = shop_access_counter(st, who, g.village_id, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	rc = store_goods_get(st, goods_id, &ar, &g);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "商品", "goods");
	else if (intake && strcmp(g.status, "active") != 0)
		cs = core_fail(err, CORE_CONFLICT, "goods_retired", "“%s”已下架，不能入库",
		               "\"%s\" is retired and takes no stock", g.name);
	if (cs == CORE_OK)
		cs = move_stock(st, who, &g, kind, delta, reason, 0, move_id, stock, err);
	if (cs == CORE_OK)
		cs = ledger_idem_complete(st, idem, "stock_move", *move_id, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	rc = store_commit(st);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "库存", "stock");
	}
out:
	arena_free(&ar);
	return cs;
}

core_status shop_stock_moves(store *st, const actor *who, int64_t goods_id, int64_t offset,
                             int64_t limit, arena *ar, st_stock_move **out, size_t *n,
                             int64_t *total, core_err *err)
{
	st_goods g;
	store_rc rc = store_goods_get(st, goods_id, ar, &g);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "商品", "goods");
	if (access_village(st, who, g.village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	rc = store_stock_move_list(st, goods_id, offset, limit, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "库存记录", "stock moves");
}
