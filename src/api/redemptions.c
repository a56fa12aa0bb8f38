/*
 * redemptions.c: spending points at the points supermarket over HTTP: when the
 * shop redeems (/villages/{id}/redemption-windows, …/current without login,
 * …/redemption-overrides), the redemption itself and its receipt
 * (/villages/{id}/redemptions, /redemptions/{id}, /households/{id}/redemptions),
 * its cancellation (/redemptions/{id}/cancel), and the household's QR code
 * (/households/{id}/qr, /villages/{id}/households/by-qr). Redeeming and
 * cancelling take an Idempotency-Key. A refused redemption's error carries the
 * numbers behind it (confirmed and needed points, the next window, the stock).
 */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/shop.h"
#include "util/timeutil.h"

#define F(type, name, kind) {#name, kind, offsetof(type, name)}
#define N(t) (sizeof(t) / sizeof(t[0]))

static const api_rfield window_fields[] = {
	F(st_window, id, R_INT), F(st_window, village_id, R_INT), F(st_window, starts_on, R_STR),
	F(st_window, ends_on, R_STR), F(st_window, note, R_STR), F(st_window, created_by, R_ID),
	F(st_window, created_by_name, R_STR), F(st_window, created_at, R_TIME),
};

static const api_rfield override_fields[] = {
	F(st_override, id, R_INT), F(st_override, village_id, R_INT), F(st_override, reason, R_STR),
	F(st_override, valid_until, R_TIME), F(st_override, created_by, R_INT),
	F(st_override, created_by_name, R_STR), F(st_override, created_at, R_TIME),
};

static const api_rfield redemption_fields[] = {
	F(st_redemption, id, R_INT), F(st_redemption, village_id, R_INT),
	F(st_redemption, receipt_no, R_STR), F(st_redemption, household_id, R_INT),
	F(st_redemption, passbook_no, R_STR), F(st_redemption, head_name, R_STR),
	F(st_redemption, group_name, R_STR), F(st_redemption, total_points, R_INT),
	F(st_redemption, balance_after, R_INT), F(st_redemption, item_count, R_INT),
	F(st_redemption, status, R_STR), F(st_redemption, override_id, R_ID),
	F(st_redemption, entry_id, R_INT), F(st_redemption, created_by, R_INT),
	F(st_redemption, created_by_name, R_STR), F(st_redemption, created_at, R_TIME),
	F(st_redemption, cancelled_by, R_ID), F(st_redemption, cancelled_by_name, R_STR),
	F(st_redemption, cancel_reason, R_STR), F(st_redemption, cancel_entry_id, R_ID),
};

static const api_rfield item_fields[] = {
	F(st_redemption_item, goods_id, R_INT), F(st_redemption_item, goods_name, R_STR),
	F(st_redemption_item, goods_category, R_STR), F(st_redemption_item, goods_unit, R_STR),
	F(st_redemption_item, quantity, R_INT), F(st_redemption_item, price_points, R_INT),
};

/* ---- windows and overrides -------------------------------------------- */

static json_t *shop_window_json(const shop_window *w)
{
	return json_pack("{s:o, s:s, s:s, s:s, s:s}", "id", w->id ? json_integer(w->id) : json_null(),
	                 "source", w->id ? "explicit" : "default", "starts_on", w->starts_on,
	                 "ends_on", w->ends_on, "note", w->note ? w->note : "");
}

void api_window_current(http_req *req)
{
	api_app *app = req->app;
	shop_window_state ws;
	core_err err;
	if (shop_window_state_at(app->st, req->params[0], time_now(), &req->ar, &ws, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	char until[32] = "";
	if (ws.has_override)
		time_iso(ws.override.valid_until, until, sizeof(until));
	/* public: the override says until when, not who or why */
	http_json(req, 200,
	          json_pack("{s:I, s:s, s:b, s:o, s:o, s:o, s:o, s:b}", "village_id",
	                    (json_int_t)req->params[0], "today", ws.today, "open", ws.open, "window",
	                    ws.open ? shop_window_json(&ws.window) : json_null(), "open_until",
	                    ws.open ? json_string(ws.open_until) : json_null(), "next_window",
	                    ws.has_next ? shop_window_json(&ws.next) : json_null(), "override",
	                    ws.has_override ? json_pack("{s:I, s:s}", "id",
	                                                (json_int_t)ws.override.id, "valid_until",
	                                                until)
	                                    : json_null(),
	                    "can_redeem", ws.open || ws.has_override));
}

void api_windows_create(http_req *req)
{
	static const api_field fields[] = {
		{"starts_on", F_STR, true}, {"ends_on", F_STR, true}, {"note", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	int64_t id = 0;
	core_err err;
	st_window *list = NULL;
	size_t n = 0;
	if (shop_window_create(app->st, api_actor(req), req->params[0], api_str(body, "starts_on"),
	                       api_str(body, "ends_on"), api_str(body, "note"), &id, &err) != CORE_OK ||
	    shop_window_list(app->st, api_actor(req), req->params[0], &req->ar, &list, &n, &err) !=
	        CORE_OK) {
		api_fail(req, &err);
	} else {
		json_t *j = NULL;
		for (size_t i = 0; i < n && !j; i++)
			if (list[i].id == id)
				j = api_render(&list[i], window_fields, N(window_fields));
		if (j)
			http_json(req, 201, j);
		else
			http_error(req, 500, "internal", "找不到刚添加的兑换时间",
			           "the window just added is missing");
	}
	json_decref(body);
}

void api_windows_list(http_req *req)
{
	api_app *app = req->app;
	st_window *list = NULL;
	size_t n = 0;
	core_err err;
	if (shop_window_list(app->st, api_actor(req), req->params[0], &req->ar, &list, &n, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o, s:I}", "items",
	                              api_render_list(list, n, sizeof(*list), window_fields,
	                                              N(window_fields)),
	                              "total", (json_int_t)n));
}

void api_overrides_create(http_req *req)
{
	static const api_field fields[] = {{"reason", F_STR, true}, {"hours", F_INT, true}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	int64_t id = 0;
	core_err err;
	st_override o;
	if (shop_override_create(app->st, api_actor(req), req->params[0], api_str(body, "reason"),
	                         api_int(body, "hours"), &id, &err) != CORE_OK ||
	    shop_override_get(app->st, api_actor(req), id, &req->ar, &o, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, 201, api_render(&o, override_fields, N(override_fields)));
	json_decref(body);
}

void api_overrides_list(http_req *req)
{
	api_app *app = req->app;
	int64_t offset = 0, limit = 0, page = 1, total = 0;
	if (!api_paging(req, &offset, &limit, &page))
		return;
	st_override *list = NULL;
	size_t n = 0;
	core_err err;
	if (shop_override_list(app->st, api_actor(req), req->params[0], offset, limit, &req->ar, &list,
	                       &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, api_render_list(list, n, sizeof(*list), override_fields,
	                                    N(override_fields)),
	               total, page, limit);
}

/* ---- receipts ---------------------------------------------------------- */

/* A redemption row as JSON (lists): the table, with a null cancelled_at while
 * it stands. */
static json_t *redemption_json(const st_redemption *r)
{
	json_t *j = api_render(r, redemption_fields, N(redemption_fields));
	char at[32];
	time_iso(r->cancelled_at, at, sizeof(at));
	json_object_set_new(j, "cancelled_at", r->cancelled_at ? json_string(at) : json_null());
	return j;
}

/* The receipt: the row, the household and the goods with their points. */
static json_t *receipt_json(const st_redemption *r, const st_redemption_item *items, size_t n)
{
	json_t *j = redemption_json(r);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *it = api_render(&items[i], item_fields, N(item_fields));
		json_object_set_new(it, "points", json_integer(items[i].quantity * items[i].price_points));
		json_array_append_new(a, it);
	}
	json_object_set_new(j, "items", a);
	json_object_set_new(j, "household",
	                    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->household_id,
	                              "passbook_no", r->passbook_no ? r->passbook_no : "", "head_name",
	                              r->head_name ? r->head_name : "", "group_name",
	                              r->group_name ? r->group_name : ""));
	json_object_set_new(j, "clerk", json_pack("{s:I, s:s}", "id", (json_int_t)r->created_by,
	                                          "name", r->created_by_name ? r->created_by_name : ""));
	return j;
}

static void reply_receipt(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_redemption r;
	st_redemption_item *items = NULL;
	size_t n = 0;
	core_err err;
	if (shop_redemption_get(app->st, api_actor(req), id, &req->ar, &r, &items, &n, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, receipt_json(&r, items, n));
}

/* Replays a finished redemption (201) or cancellation (200) from "redemption:ID". */
static void rerender(http_req *req, const char *result_ref, int status)
{
	long long id = 0;
	if (sscanf(result_ref, "redemption:%lld", &id) == 1)
		reply_receipt(req, status, id);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

static void rerender_created(http_req *req, const char *result_ref)
{
	rerender(req, result_ref, 201);
}

static void rerender_cancelled(http_req *req, const char *result_ref)
{
	rerender(req, result_ref, 200);
}

/* Reads "items" ([{goods_id, quantity}, …]) into the arena; false (response
 * set) if malformed. */
static bool read_items(http_req *req, json_t *body, shop_item_in **out, size_t *n)
{
	json_t *a = json_object_get(body, "items");
	size_t cnt = json_array_size(a);
	if (cnt > SHOP_MAX_ITEMS) {
		http_errorf(req, 422, "too_many_items", "一次最多兑换 %d 种商品（收到 %zu 种）",
		            "at most %d kinds of goods at once (got %zu)", SHOP_MAX_ITEMS, cnt);
		return false;
	}
	shop_item_in *items = arena_alloc(&req->ar, (cnt ? cnt : 1) * sizeof(*items));
	if (!items) {
		http_error(req, 500, "internal", "内存不足", "out of memory");
		return false;
	}
	for (size_t i = 0; i < cnt; i++) {
		json_t *o = json_array_get(a, i);
		json_t *g = json_object_get(o, "goods_id"), *q = json_object_get(o, "quantity");
		if (!json_is_object(o) || !json_is_integer(g) || !json_is_integer(q) ||
		    json_object_size(o) != 2) {
			http_error(req, 422, "invalid_items",
			           "items 须为 [{\"goods_id\": 商品编号, \"quantity\": 数量}, …]",
			           "items must be a list of {\"goods_id\": id, \"quantity\": n}");
			return false;
		}
		items[i].goods_id = json_integer_value(g);
		items[i].quantity = json_integer_value(q);
	}
	*out = items;
	*n = cnt;
	return true;
}

/* Sets the error response for a refused redemption, with the numbers behind it. */
static void redeem_failed(http_req *req, const core_err *err, const shop_refusal *why)
{
	api_fail(req, err);
	json_t *extra = NULL;
	if (strcmp(err->code, "insufficient_points") == 0)
		extra = json_pack("{s:I, s:I}", "confirmed", (json_int_t)why->confirmed, "needed",
		                  (json_int_t)why->needed);
	else if (strcmp(err->code, "redemption_closed") == 0)
		extra = json_pack("{s:o, s:o}", "next_opens_on",
		                  why->next_opens_on[0] ? json_string(why->next_opens_on) : json_null(),
		                  "next_ends_on",
		                  why->next_ends_on[0] ? json_string(why->next_ends_on) : json_null());
	else if (strcmp(err->code, "out_of_stock") == 0)
		extra = json_pack("{s:I, s:I}", "goods_id", (json_int_t)why->goods_id, "stock",
		                  (json_int_t)why->stock);
	if (!extra)
		return;
	json_t *j = req->resp_body ? json_loads(req->resp_body, 0, NULL) : NULL;
	json_t *e = json_object_get(j, "error");
	if (json_is_object(e)) {
		json_object_update(e, extra);
		http_json(req, req->status, j);
	} else {
		json_decref(j);
	}
	json_decref(extra);
}

void api_redemptions_create(http_req *req)
{
	static const api_field fields[] = {
		{"household_id", F_INT, false}, {"passbook_no", F_STR, false}, {"qr", F_STR, false},
		{"items", F_ARRAY, true},
	};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_created))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	shop_redeem_in in = {
		.village_id = req->params[0], .household_id = api_int(body, "household_id"),
		.passbook_no = api_str(body, "passbook_no"), .qr = api_str(body, "qr"),
	};
	shop_item_in *items = NULL;
	if (in.household_id < 0) {
		http_error(req, 422, "invalid_household", "household_id 须为正整数",
		           "household_id must be a positive number");
	} else if (read_items(req, body, &items, &in.nitems)) {
		in.items = items;
		int64_t id = 0;
		shop_refusal why;
		core_err err;
		if (shop_redeem(app->st, api_actor(req), &in, API_IDEM(&idem), &id, &why, &err) != CORE_OK)
			redeem_failed(req, &err, &why);
		else
			reply_receipt(req, 201, id);
	}
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

/* ?status=done|cancelled|all (default all) into f; false (response set) if unknown. */
static bool read_status(http_req *req, st_redemption_filter *f)
{
	const char *s = http_query(req, "status");
	if (!s || !*s || strcmp(s, "all") == 0) {
		f->status = NULL;
	} else if (strcmp(s, "done") == 0 || strcmp(s, "cancelled") == 0) {
		f->status = strcmp(s, "done") == 0 ? "done" : "cancelled";
	} else {
		http_error(req, 400, "bad_query", "status 只能是 done、cancelled 或 all",
		           "status must be done, cancelled or all");
		return false;
	}
	return true;
}

static void reply_list(http_req *req, st_redemption_filter *f)
{
	api_app *app = req->app;
	int64_t page = 1, total = 0;
	if (!api_paging(req, &f->offset, &f->limit, &page) || !read_status(req, f))
		return;
	st_redemption *list = NULL;
	size_t n = 0;
	core_err err;
	if (shop_redemption_list(app->st, api_actor(req), f, &req->ar, &list, &n, &total, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, redemption_json(&list[i]));
	api_page_reply(req, items, total, page, f->limit);
}

void api_redemptions_list(http_req *req)
{
	st_redemption_filter f = {.village_id = req->params[0]};
	reply_list(req, &f);
}

void api_household_redemptions(http_req *req)
{
	st_redemption_filter f = {.household_id = req->params[0]};
	reply_list(req, &f);
}

void api_redemption_get(http_req *req)
{
	reply_receipt(req, 200, req->params[0]);
}

void api_redemption_cancel(http_req *req)
{
	static const api_field fields[] = {{"reason", F_STR, true}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_cancelled))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	core_err err;
	if (shop_redemption_cancel(app->st, api_actor(req), req->params[0], api_str(body, "reason"),
	                           API_IDEM(&idem), &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_receipt(req, 200, req->params[0]);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

/* ---- the household's QR code ------------------------------------------- */

void api_household_qr(http_req *req)
{
	api_app *app = req->app;
	st_household h;
	const char *payload = NULL;
	core_err err;
	if (shop_household_qr(app->st, api_actor(req), req->params[0], &req->ar, &h, &payload, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:I, s:I, s:s, s:s, s:s}", "household_id", (json_int_t)h.id,
	                              "village_id", (json_int_t)h.village_id, "passbook_no",
	                              h.passbook_no, "head_name", h.head_name, "payload", payload));
}

void api_household_by_qr(http_req *req)
{
	api_app *app = req->app;
	const char *code = http_query(req, "code");
	if (!code || !*code) {
		http_error(req, 400, "bad_query", "缺少查询参数 code（扫码得到的内容）",
		           "the query parameter code (what the scan read) is missing");
		return;
	}
	st_household h;
	st_balance b;
	core_err err;
	if (shop_household_by_qr(app->st, api_actor(req), req->params[0], code, &req->ar, &h, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	store_rc rc = store_balance_get(app->st, h.id, &b);
	if (rc != STORE_OK) {
		core_store_fail(&err, rc, "积分余额", "balance");
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o, s:{s:I, s:I, s:I}}", "household",
	                              API_RENDER(&h, household), "balance", "confirmed",
	                              (json_int_t)b.confirmed, "pending", (json_int_t)b.pending,
	                              "total", (json_int_t)(b.confirmed + b.pending)));
}
