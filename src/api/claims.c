/*
 * claims.c: villagers' claims over HTTP: filing (POST /villages/{id}/claims),
 * the review queue (GET /villages/{id}/claims), a household's claims, one
 * claim, and the reviewers' approve and reject. Filing and both decisions take
 * an Idempotency-Key. The rules of review live in core/claims.c.
 */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/claims.h"

#define F(type, name, kind) {#name, kind, offsetof(type, name)}

static const api_rfield claim_fields[] = {
	F(st_claim, id, R_INT), F(st_claim, village_id, R_INT), F(st_claim, household_id, R_INT),
	F(st_claim, passbook_no, R_STR), F(st_claim, head_name, R_STR), F(st_claim, member_id, R_ID),
	F(st_claim, member_name, R_STR), F(st_claim, rule_id, R_INT), F(st_claim, rule_name, R_STR),
	F(st_claim, rule_category, R_STR), F(st_claim, rule_points, R_INT),
	F(st_claim, deed_date, R_STR), F(st_claim, quantity, R_INT), F(st_claim, description, R_STR),
	F(st_claim, status, R_STR), F(st_claim, first_reviewer, R_ID),
	F(st_claim, first_reviewer_name, R_STR), F(st_claim, second_reviewer, R_ID),
	F(st_claim, second_reviewer_name, R_STR), F(st_claim, reject_reason, R_STR),
	F(st_claim, entry_id, R_ID), F(st_claim, created_by, R_INT),
	F(st_claim, created_by_name, R_STR), F(st_claim, created_at, R_TIME),
	F(st_claim, updated_at, R_TIME),
};

/* A claim as JSON: the table, the photos as an array, the points it was approved
 * for (per unit and in all), and whether the caller may review it now. */
static json_t *claim_json(http_req *req, const st_claim *c)
{
	json_t *j = api_render(c, claim_fields, sizeof(claim_fields) / sizeof(claim_fields[0]));
	json_t *ph = c->photos ? json_loads(c->photos, 0, NULL) : NULL;
	json_object_set_new(j, "photos", json_is_array(ph) ? ph : json_array());
	if (ph && !json_is_array(ph))
		json_decref(ph);
	json_object_set_new(j, "first_points", c->first_reviewer && c->first_points
	                                               ? json_integer(c->first_points) : json_null());
	json_object_set_new(j, "points", c->entry_id ? json_integer(c->entry_points) : json_null());
	json_object_set_new(j, "can_review", json_boolean(claim_can_review(api_actor(req), c)));
	return j;
}

static void reply_claim(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_claim c;
	core_err err;
	if (claim_get(app->st, api_actor(req), id, &req->ar, &c, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, claim_json(req, &c));
}

/* Replays a finished request from "claim:ID" (created: 201, decided: 200). */
static void rerender(http_req *req, const char *result_ref, int status)
{
	long long id = 0;
	if (sscanf(result_ref, "claim:%lld", &id) == 1)
		reply_claim(req, status, id);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

static void rerender_created(http_req *req, const char *result_ref)
{
	rerender(req, result_ref, 201);
}

static void rerender_decided(http_req *req, const char *result_ref)
{
	rerender(req, result_ref, 200);
}

/* Reads "photos" (a list of hashes) into in; false (response set) if malformed. */
static bool read_photos(http_req *req, json_t *body, claim_new *in)
{
	json_t *ph = json_object_get(body, "photos");
	size_t n = json_array_size(ph);
	if (n > CLAIM_MAX_PHOTOS) {
		http_errorf(req, 422, "too_many_photos", "照片最多 %d 张（收到 %zu 张）",
		            "at most %d photos (got %zu)", CLAIM_MAX_PHOTOS, n);
		return false;
	}
	const char **list = arena_alloc(&req->ar, (n ? n : 1) * sizeof(*list));
	for (size_t i = 0; list && i < n; i++) {
		list[i] = json_string_value(json_array_get(ph, i));
		if (!list[i]) {
			http_error(req, 422, "invalid_photo", "photos 须为照片编号（字符串）列表",
			           "photos must be a list of photo hashes (strings)");
			return false;
		}
	}
	in->photos = list;
	in->nphotos = n;
	return true;
}

void api_claims_create(http_req *req)
{
	static const api_field fields[] = {
		{"rule_id", F_INT, true}, {"deed_date", F_STR, true}, {"description", F_STR, true},
		{"quantity", F_INT, false}, {"member_id", F_INT, false},
		{"household_id", F_INT, false}, {"photos", F_ARRAY, false},
	};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_created))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	claim_new in = {
		.village_id = req->params[0], .household_id = api_int(body, "household_id"),
		.member_id = api_int(body, "member_id"), .rule_id = api_int(body, "rule_id"),
		.quantity = api_int(body, "quantity"), .deed_date = api_str(body, "deed_date"),
		.description = api_str(body, "description"),
	};
	if (json_is_integer(json_object_get(body, "quantity")) && in.quantity <= 0) {
		http_errorf(req, 422, "invalid_quantity", "数量（quantity）须在 1 到 %d 之间",
		            "quantity must be between 1 and %d", LEDGER_MAX_QUANTITY);
	} else if (in.household_id < 0 || in.member_id < 0 || in.rule_id <= 0) {
		http_error(req, 422, "invalid_id", "rule_id、household_id、member_id 须为正整数",
		           "rule_id, household_id and member_id must be positive");
	} else if (read_photos(req, body, &in)) {
		int64_t id = 0;
		core_err err;
		if (claim_file(app->st, api_actor(req), &in, API_IDEM(&idem), &id, &err) != CORE_OK)
			api_fail(req, &err);
		else
			reply_claim(req, 201, id);
	}
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

static void reply_list(http_req *req, st_claim_filter *f, int64_t page)
{
	api_app *app = req->app;
	st_claim *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	if (claim_list(app->st, api_actor(req), f, &req->ar, &list, &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, claim_json(req, &list[i]));
	api_page_reply(req, items, total, page, f->limit);
}

/* Reads ?status= into f (dflt when absent; "all" = every status). False (response
 * set) for an unknown status. Open statuses list oldest first (the queue). */
static bool read_status(http_req *req, st_claim_filter *f, const char *dflt)
{
	static const char *const known[] = {"pending", "second_review", "approved", "rejected",
	                                    "open", "all"};
	const char *s = http_query(req, "status");
	if (!s || !*s)
		s = dflt;
	bool ok = false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			ok = true;
	if (!ok) {
		http_error(req, 400, "bad_query",
		           "status 只能是 open、pending、second_review、approved、rejected 或 all",
		           "status must be open, pending, second_review, approved, rejected or all");
		return false;
	}
	f->status = strcmp(s, "all") == 0 ? NULL : s;
	f->oldest_first = strcmp(s, "open") == 0 || strcmp(s, "pending") == 0 ||
	                  strcmp(s, "second_review") == 0;
	return true;
}

void api_claims_list(http_req *req)
{
	st_claim_filter f = {.village_id = req->params[0]};
	int64_t page = 1;
	if (api_paging(req, &f.offset, &f.limit, &page) && read_status(req, &f, "open"))
		reply_list(req, &f, page);
}

void api_household_claims(http_req *req)
{
	st_claim_filter f = {.household_id = req->params[0]};
	int64_t page = 1;
	if (api_paging(req, &f.offset, &f.limit, &page) && read_status(req, &f, "all")) {
		f.oldest_first = false; /* a household reads its own claims newest first */
		reply_list(req, &f, page);
	}
}

void api_claim_get(http_req *req)
{
	reply_claim(req, 200, req->params[0]);
}

void api_claim_approve(http_req *req)
{
	static const api_field fields[] = {{"points", F_INT, false}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_decided))
		return;
	json_t *body = NULL;
	if (req->body_len) { /* the body is optional: {"points": n} */
		body = API_BODY(req, fields);
		if (!body)
			goto out;
	}
	json_t *pts = body ? json_object_get(body, "points") : NULL;
	claim_outcome outcome;
	core_err err;
	if (claim_approve(app->st, api_actor(req), req->params[0], json_is_integer(pts),
	                  json_is_integer(pts) ? json_integer_value(pts) : 0, API_IDEM(&idem),
	                  &outcome, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_claim(req, 200, req->params[0]);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

void api_claim_reject(http_req *req)
{
	static const api_field fields[] = {{"reason", F_STR, true}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_decided))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	core_err err;
	if (claim_reject(app->st, api_actor(req), req->params[0], api_str(body, "reason"),
	                 API_IDEM(&idem), &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_claim(req, 200, req->params[0]);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}
