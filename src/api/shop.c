/*
 * shop.c: the points supermarket's stock over HTTP: sponsors (结对共建企业)
 * and their contributions and statements (/villages/{id}/sponsors,
 * /sponsors/{id}/…), goods (/villages/{id}/goods, /goods/{id}; the list, one
 * goods and its picture need no login) and stock intake and corrections
 * (/goods/{id}/stock, /goods/{id}/stock-moves). Contributions and stock moves
 * take an Idempotency-Key. Redemptions are in redemptions.c; the rules in
 * core/shop*.c.
 */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/shop.h"
#include "util/filestore.h"

#define F(type, name, kind) {#name, kind, offsetof(type, name)}
#define N(t) (sizeof(t) / sizeof(t[0]))

static const api_rfield sponsor_fields[] = {
	F(st_sponsor, id, R_INT), F(st_sponsor, village_id, R_INT), F(st_sponsor, name, R_STR),
	F(st_sponsor, contact, R_STR), F(st_sponsor, note, R_STR),
	F(st_sponsor, goods_count, R_INT), F(st_sponsor, created_at, R_TIME),
};

static const api_rfield contribution_fields[] = {
	F(st_contribution, id, R_INT), F(st_contribution, sponsor_id, R_INT),
	F(st_contribution, kind, R_STR), F(st_contribution, goods_id, R_ID),
	F(st_contribution, goods_name, R_STR), F(st_contribution, goods_unit, R_STR),
	F(st_contribution, contributed_on, R_STR), F(st_contribution, note, R_STR),
	F(st_contribution, created_by, R_ID), F(st_contribution, created_by_name, R_STR),
	F(st_contribution, created_at, R_TIME),
};

static const api_rfield goods_fields[] = {
	F(st_goods, id, R_INT), F(st_goods, village_id, R_INT), F(st_goods, name, R_STR),
	F(st_goods, category, R_STR), F(st_goods, unit, R_STR), F(st_goods, price_points, R_INT),
	F(st_goods, stock, R_INT), F(st_goods, status, R_STR), F(st_goods, sponsor_id, R_ID),
	F(st_goods, sponsor_name, R_STR), F(st_goods, created_at, R_TIME),
	F(st_goods, updated_at, R_TIME),
};

static const api_rfield move_fields[] = {
	F(st_stock_move, id, R_INT), F(st_stock_move, goods_id, R_INT),
	F(st_stock_move, delta, R_INT), F(st_stock_move, kind, R_STR),
	F(st_stock_move, reason, R_STR), F(st_stock_move, stock_after, R_INT),
	F(st_stock_move, contribution_id, R_ID), F(st_stock_move, redemption_id, R_ID),
	F(st_stock_move, receipt_no, R_STR), F(st_stock_move, created_by, R_ID),
	F(st_stock_move, created_by_name, R_STR), F(st_stock_move, created_at, R_TIME),
};

/* Money as the yuan text "10000.00". */
static json_t *yuan_json(int64_t cents)
{
	char s[32];
	shop_format_yuan(cents, s);
	return json_string(s);
}

static json_t *sponsor_json(const st_sponsor *s)
{
	json_t *j = api_render(s, sponsor_fields, N(sponsor_fields));
	json_object_set_new(j, "money_yuan", yuan_json(s->money_cents));
	return j;
}

static json_t *contribution_json(const st_contribution *c)
{
	json_t *j = api_render(c, contribution_fields, N(contribution_fields));
	bool money = c->kind && strcmp(c->kind, "money") == 0;
	json_object_set_new(j, "amount_yuan", money ? yuan_json(c->amount_cents) : json_null());
	json_object_set_new(j, "quantity", money ? json_null() : json_integer(c->quantity));
	return j;
}

/* Goods as JSON: the table and the picture's URL (null without a picture).
 * with_photo adds the photo's hash, for the staff who set it. */
static json_t *goods_json(http_req *req, const st_goods *g, bool with_photo)
{
	json_t *j = api_render(g, goods_fields, N(goods_fields));
	const char *url = g->photo_hash
		? arena_printf(&req->ar, "/api/v1/goods/%lld/photo", (long long)g->id) : NULL;
	json_object_set_new(j, "photo_url", url ? json_string(url) : json_null());
	if (with_photo)
		json_object_set_new(j, "photo", g->photo_hash ? json_string(g->photo_hash) : json_null());
	return j;
}

/* ---- sponsors ---------------------------------------------------------- */

void api_sponsors_create(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, true}, {"contact", F_STR, false}, {"note", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_sponsor s = {.village_id = req->params[0], .name = api_str(body, "name"),
	                .contact = api_str(body, "contact"), .note = api_str(body, "note")};
	int64_t id = 0;
	core_err err;
	st_sponsor out;
	if (shop_sponsor_create(app->st, api_actor(req), &s, &id, &err) != CORE_OK ||
	    shop_sponsor_get(app->st, api_actor(req), id, &req->ar, &out, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, 201, sponsor_json(&out));
	json_decref(body);
}

void api_sponsors_list(http_req *req)
{
	api_app *app = req->app;
	st_sponsor *list = NULL;
	size_t n = 0;
	core_err err;
	if (shop_sponsor_list(app->st, api_actor(req), req->params[0], &req->ar, &list, &n, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, sponsor_json(&list[i]));
	http_json(req, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

/* Replies with contribution id of sponsor_id (and its goods' stock now). */
static void reply_contribution(http_req *req, int status, int64_t sponsor_id, int64_t id)
{
	api_app *app = req->app;
	shop_statement s;
	core_err err;
	if (shop_statement_get(app->st, api_actor(req), sponsor_id, &req->ar, &s, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	for (size_t i = 0; i < s.ncontributions; i++) {
		const st_contribution *c = &s.contributions[i];
		if (c->id != id)
			continue;
		json_t *j = contribution_json(c);
		st_goods g;
		if (c->goods_id && shop_goods_get(app->st, c->goods_id, &req->ar, &g, &err) == CORE_OK)
			json_object_set_new(j, "goods", goods_json(req, &g, false));
		http_json(req, status, j);
		return;
	}
	http_error(req, 500, "internal", "找不到刚记录的捐赠", "the contribution just recorded is missing");
}

static void rerender_contribution(http_req *req, const char *result_ref)
{
	long long id = 0;
	if (sscanf(result_ref, "contribution:%lld", &id) == 1)
		reply_contribution(req, 201, req->params[0], id);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

void api_contributions_create(http_req *req)
{
	static const api_field fields[] = {
		{"kind", F_STR, true}, {"amount_yuan", F_STR, false}, {"goods_id", F_INT, false},
		{"quantity", F_INT, false}, {"contributed_on", F_STR, true}, {"note", F_STR, false},
	};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_contribution))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	shop_contribution_in in = {
		.sponsor_id = req->params[0], .kind = api_str(body, "kind"),
		.amount_yuan = api_str(body, "amount_yuan"), .goods_id = api_int(body, "goods_id"),
		.quantity = api_int(body, "quantity"), .contributed_on = api_str(body, "contributed_on"),
		.note = api_str(body, "note"),
	};
	/* a quantity of 0 given explicitly is as wrong as a negative one */
	if (json_is_integer(json_object_get(body, "quantity")) && in.quantity <= 0)
		in.quantity = -1;
	int64_t id = 0;
	core_err err;
	if (shop_contribution_add(app->st, api_actor(req), &in, API_IDEM(&idem), &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_contribution(req, 201, in.sponsor_id, id);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

/* Sums the quantities (and points) of statement lines. */
static json_t *lines_json(const st_sponsor_line *l, size_t n, bool redeemed, bool left,
                          int64_t *qty, int64_t *points)
{
	json_t *a = json_array();
	*qty = *points = 0;
	for (size_t i = 0; i < n; i++) {
		if (redeemed && l[i].quantity == 0)
			continue;
		json_t *j = json_pack("{s:I, s:s, s:s}", "goods_id", (json_int_t)l[i].goods_id, "name",
		                      l[i].name ? l[i].name : "", "unit", l[i].unit ? l[i].unit : "");
		if (left) {
			json_object_set_new(j, "stock", json_integer(l[i].stock));
			json_object_set_new(j, "status", json_string(l[i].status ? l[i].status : ""));
			*qty += l[i].stock;
		} else {
			json_object_set_new(j, "quantity", json_integer(l[i].quantity));
			*qty += l[i].quantity;
		}
		if (redeemed) {
			json_object_set_new(j, "points", json_integer(l[i].points));
			*points += l[i].points;
		}
		json_array_append_new(a, j);
	}
	return a;
}

void api_sponsor_statement(http_req *req)
{
	api_app *app = req->app;
	shop_statement s;
	core_err err;
	if (shop_statement_get(app->st, api_actor(req), req->params[0], &req->ar, &s, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *contribs = json_array();
	int64_t money = 0;
	for (size_t i = 0; i < s.ncontributions; i++) {
		json_array_append_new(contribs, contribution_json(&s.contributions[i]));
		if (strcmp(s.contributions[i].kind, "money") == 0)
			money += s.contributions[i].amount_cents;
	}
	int64_t given_qty, given_pts, red_qty, red_pts, left_qty, left_pts;
	json_t *given = lines_json(s.given, s.ngiven, false, false, &given_qty, &given_pts);
	json_t *redeemed = lines_json(s.goods, s.ngoods, true, false, &red_qty, &red_pts);
	json_t *left = lines_json(s.goods, s.ngoods, false, true, &left_qty, &left_pts);
	http_json(req, 200,
	          json_pack("{s:o, s:{s:o, s:o, s:I, s:o}, s:{s:o, s:I, s:I}, s:{s:o, s:I}}",
	                    "sponsor", sponsor_json(&s.sponsor),
	                    "given", "money_yuan", yuan_json(money), "goods", given, "quantity",
	                    (json_int_t)given_qty, "contributions", contribs,
	                    "redeemed", "goods", redeemed, "quantity", (json_int_t)red_qty, "points",
	                    (json_int_t)red_pts,
	                    "left", "goods", left, "quantity", (json_int_t)left_qty));
}

/* ---- goods ------------------------------------------------------------- */

static void reply_goods(http_req *req, int status, int64_t id, bool with_photo)
{
	api_app *app = req->app;
	st_goods g;
	core_err err;
	if (shop_goods_get(app->st, id, &req->ar, &g, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, goods_json(req, &g, with_photo));
}

void api_goods_create(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, true}, {"category", F_STR, true}, {"unit", F_STR, false},
		{"price_points", F_INT, true}, {"photo", F_STR, false}, {"sponsor_id", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_goods g = {.village_id = req->params[0], .name = api_str(body, "name"),
	              .category = api_str(body, "category"), .unit = api_str(body, "unit"),
	              .price_points = api_int(body, "price_points"),
	              .photo_hash = api_str(body, "photo"), .sponsor_id = api_int(body, "sponsor_id")};
	int64_t id = 0;
	core_err err;
	if (g.sponsor_id < 0)
		http_error(req, 422, "invalid_sponsor", "sponsor_id 须为正整数",
		           "sponsor_id must be a positive number");
	else if (shop_goods_create(app->st, api_actor(req), &g, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_goods(req, 201, id, true);
	json_decref(body);
}

/* ?status=active (default), retired or all; false (response set) if unknown. */
static bool read_goods_status(http_req *req, const char **out)
{
	const char *s = http_query(req, "status");
	if (!s || !*s || strcmp(s, "active") == 0) {
		*out = "active";
	} else if (strcmp(s, "retired") == 0) {
		*out = "retired";
	} else if (strcmp(s, "all") == 0) {
		*out = NULL;
	} else {
		http_error(req, 400, "bad_query", "status 只能是 active、retired 或 all",
		           "status must be active, retired or all");
		return false;
	}
	return true;
}

void api_goods_list(http_req *req)
{
	api_app *app = req->app;
	st_goods_filter f = {.village_id = req->params[0]};
	int64_t page = 1;
	if (!api_paging(req, &f.offset, &f.limit, &page) || !read_goods_status(req, &f.status) ||
	    !api_query_id(req, "sponsor_id", &f.sponsor_id))
		return;
	st_goods *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	if (shop_goods_list(app->st, &f, &req->ar, &list, &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, goods_json(req, &list[i], false));
	api_page_reply(req, items, total, page, f.limit);
}

void api_goods_get(http_req *req)
{
	reply_goods(req, 200, req->params[0], false);
}

void api_goods_update(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, false}, {"category", F_STR, false}, {"unit", F_STR, false},
		{"price_points", F_INT, false}, {"photo", F_STR, false}, {"sponsor_id", F_INT, false},
		{"status", F_STR, false}, {"stock", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	json_t *photo = json_object_get(body, "photo"), *sponsor = json_object_get(body, "sponsor_id");
	json_t *price = json_object_get(body, "price_points");
	shop_goods_patch p = {
		.name = api_str(body, "name"), .category = api_str(body, "category"),
		.unit = api_str(body, "unit"), .status = api_str(body, "status"),
		.photo_hash = api_str(body, "photo"), .price_points = api_int(body, "price_points"),
		.sponsor_id = api_int(body, "sponsor_id"),
		.clear_photo = photo && json_is_null(photo),
		.clear_sponsor = sponsor && json_is_null(sponsor),
	};
	core_err err;
	if (json_object_get(body, "stock")) {
		http_error(req, 422, "stock_not_editable",
		           "库存不能直接修改：请用入库（intake）或盘点更正（correction），并写明原因",
		           "stock cannot be edited: use an intake or a correction, with a reason");
	} else if (json_is_integer(price) && p.price_points <= 0) {
		http_error(req, 422, "invalid_price", "兑换积分（price_points）须大于 0",
		           "price_points must be above 0");
	} else if (json_is_integer(sponsor) && p.sponsor_id <= 0) {
		http_error(req, 422, "invalid_sponsor", "sponsor_id 须为正整数",
		           "sponsor_id must be a positive number");
	} else if (shop_goods_update(app->st, api_actor(req), req->params[0], &p, &err) != CORE_OK) {
		api_fail(req, &err);
	} else {
		reply_goods(req, 200, req->params[0], true);
	}
	json_decref(body);
}

void api_goods_photo(http_req *req)
{
	api_app *app = req->app;
	st_photo p;
	core_err err;
	if (shop_goods_photo(app->st, req->params[0], &req->ar, &p, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	char *path = arena_alloc(&req->ar, 4096);
	if (!path || !filestore_path(app->files_dir, p.hash, path, 4096)) {
		http_error(req, 500, "internal", "内存不足", "out of memory");
		return;
	}
	req->status = 200;
	req->file_path = path;
	req->resp_type = p.mime;
	/* a goods' picture is public; it may be replaced, so keep caches short */
	req->cache_control = "public, max-age=300";
}

/* ---- stock ------------------------------------------------------------- */

/* Replies with the goods as they are now and the move just made (a replay may
 * come after many later moves: the pages are read until it is found). */
static void reply_move(http_req *req, int status, int64_t move_id)
{
	api_app *app = req->app;
	st_goods g;
	st_stock_move *moves = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	if (shop_goods_get(app->st, req->params[0], &req->ar, &g, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	for (int64_t offset = 0;; offset += 200) {
		if (shop_stock_moves(app->st, api_actor(req), g.id, offset, 200, &req->ar, &moves, &n,
		                     &total, &err) != CORE_OK) {
			api_fail(req, &err);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (moves[i].id == move_id) {
				http_json(req, status,
				          json_pack("{s:o, s:o}", "goods", goods_json(req, &g, false),
				                    "move",
				                    api_render(&moves[i], move_fields, N(move_fields))));
				return;
			}
		}
		if (n == 0 || offset + 200 >= total)
			break;
	}
	http_error(req, 500, "internal", "找不到刚记录的库存变动", "the stock move just made is missing");
}

static void rerender_move(http_req *req, const char *result_ref)
{
	long long id = 0;
	if (sscanf(result_ref, "stock_move:%lld", &id) == 1)
		reply_move(req, 201, id);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

void api_goods_stock(http_req *req)
{
	static const api_field fields[] = {
		{"kind", F_STR, true}, {"delta", F_INT, true}, {"reason", F_STR, true},
	};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_move))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	int64_t move = 0, stock = 0;
	core_err err;
	if (shop_stock_change(app->st, api_actor(req), req->params[0], api_str(body, "kind"),
	                      api_int(body, "delta"), api_str(body, "reason"), API_IDEM(&idem), &move,
	                      &stock, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_move(req, 201, move);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

void api_goods_stock_moves(http_req *req)
{
	api_app *app = req->app;
	int64_t offset = 0, limit = 0, page = 1, total = 0;
	if (!api_paging(req, &offset, &limit, &page))
		return;
	st_stock_move *list = NULL;
	size_t n = 0;
	core_err err;
	if (shop_stock_moves(app->st, api_actor(req), req->params[0], offset, limit, &req->ar, &list,
	                     &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, api_render_list(list, n, sizeof(*list), move_fields, N(move_fields)), total,
	               page, limit);
}
