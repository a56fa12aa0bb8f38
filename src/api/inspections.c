/*
 * inspections.c: inspection rounds (入户环境检查) over HTTP:
 * /api/v1/villages/{id}/inspections to open and list rounds, /api/v1/inspections/{id}
 * to read one with its group's households and their scores, to score a
 * household on the checklist and to close the round. The rules are in
 * core/inspections.c; this file parses and renders.
 */
#include "api/api.h"

#include <stddef.h>
#include <string.h>

#include "core/inspections.h"
#include "util/timeutil.h"

#define FLD(type, name, kind) {#name, kind, offsetof(type, name)}
#define NF(t) (sizeof(t) / sizeof(t[0]))

static const api_rfield inspection_fields[] = {
	FLD(st_inspection, id, R_INT), FLD(st_inspection, village_id, R_INT),
	FLD(st_inspection, group_id, R_INT), FLD(st_inspection, group_name, R_STR),
	FLD(st_inspection, inspection_date, R_STR), FLD(st_inspection, status, R_STR),
	FLD(st_inspection, scored_count, R_INT), FLD(st_inspection, created_by, R_ID),
	FLD(st_inspection, created_at, R_TIME),
};

static const api_rfield row_fields[] = {
	FLD(st_inspection_row, household_id, R_INT), FLD(st_inspection_row, passbook_no, R_STR),
	FLD(st_inspection_row, head_name, R_STR),
};

/* A household of the round: score, batch_id, scored_by and scored_at, null until scored. */
static json_t *row_json(const st_inspection_row *r)
{
	json_t *j = api_render(r, row_fields, NF(row_fields));
	json_t *at = json_null();
	if (r->scored) {
		char iso[32];
		time_iso(r->scored_at, iso, sizeof(iso));
		at = json_string(iso);
	}
	json_object_set_new(j, "score", r->scored ? json_integer(r->points) : json_null());
	json_object_set_new(j, "batch_id", r->scored && r->batch_id ? json_integer(r->batch_id)
	                                                          : json_null());
	json_object_set_new(j, "scored_by", r->scored && r->scored_by ? json_integer(r->scored_by)
	                                                            : json_null());
	json_object_set_new(j, "scored_at", at);
	return j;
}

static void reply_inspection(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_inspection i;
	st_inspection_row *rows = NULL;
	size_t n = 0;
	core_err err;
	if (inspection_get(app->st, api_actor(req), id, &req->ar, &i, &rows, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = api_render(&i, inspection_fields, NF(inspection_fields));
	json_t *hh = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(hh, row_json(&rows[k]));
	json_object_set_new(j, "household_count", json_integer((json_int_t)n));
	json_object_set_new(j, "households", hh);
	http_json(req, status, j);
}

void api_inspections_create(http_req *req)
{
	static const api_field fields[] = {{"group_id", F_INT, true},
	                                   {"inspection_date", F_STR, true}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_inspection in = {
		.village_id = req->params[0], .group_id = api_int(body, "group_id"),
		.inspection_date = api_str(body, "inspection_date"),
	};
	int64_t id = 0;
	core_err err;
	if (inspection_create(app->st, api_actor(req), &in, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_inspection(req, 201, id);
	json_decref(body);
}

void api_inspections_list(http_req *req)
{
	api_app *app = req->app;
	int64_t offset = 0, limit = 0, page = 1, total = 0;
	if (!api_paging(req, &offset, &limit, &page))
		return;
	st_inspection *list = NULL;
	size_t n = 0;
	core_err err;
	if (inspection_list(app->st, api_actor(req), req->params[0], offset, limit, &req->ar, &list,
	                    &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, api_render_list(list, n, sizeof(*list), inspection_fields,
	                                    NF(inspection_fields)),
	               total, page, limit);
}

void api_inspection_get(http_req *req)
{
	reply_inspection(req, 200, req->params[0]);
}

/* Reads "items": [{"rule_id": id, "points": n?}] into the arena. False (response set) if malformed. */
static bool read_items(http_req *req, json_t *body, inspection_item **out, size_t *n)
{
	json_t *arr = json_object_get(body, "items");
	size_t cnt = json_array_size(arr);
	inspection_item *items = arena_alloc(&req->ar, (cnt ? cnt : 1) * sizeof(*items));
	if (!items) {
		http_error(req, 500, "internal", "内存不足", "out of memory");
		return false;
	}
	for (size_t i = 0; i < cnt; i++) {
		json_t *v = json_array_get(arr, i);
		json_t *r = json_object_get(v, "rule_id"), *p = json_object_get(v, "points");
		bool has_p = p && !json_is_null(p);
		size_t keys = json_object_size(v);
		if (!json_is_object(v) || !json_is_integer(r) || json_integer_value(r) <= 0 ||
		    (has_p && !json_is_integer(p)) || keys > 2 || (keys == 2 && !p)) {
			http_error(req, 422, "invalid_items",
			           "items 须为 [{\"rule_id\": 细则编号, \"points\": 分值（可选）}]",
			           "items must be [{\"rule_id\": id, \"points\": optional points}]");
			return false;
		}
		items[i].rule_id = json_integer_value(r);
		items[i].has_points = has_p;
		items[i].points = has_p ? json_integer_value(p) : 0;
	}
	*out = items;
	*n = cnt;
	return true;
}

void api_inspection_score(http_req *req)
{
	static const api_field fields[] = {{"household_id", F_INT, true}, {"items", F_ARRAY, true}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, api_rerender_batch))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	inspection_item *items = NULL;
	size_t n = 0;
	int64_t hh = api_int(body, "household_id");
	bool ok = read_items(req, body, &items, &n);
	json_decref(body);
	if (!ok)
		goto out;
	int64_t batch = 0;
	core_err err;
	if (inspection_score(app->st, api_actor(req), req->params[0], hh, items, n, API_IDEM(&idem),
	                     &batch, &err) != CORE_OK)
		api_fail(req, &err);
	else
		api_reply_batch(req, 201, batch);
out:
	api_idem_end(req, &idem);
}

void api_inspection_close(http_req *req)
{
	api_app *app = req->app;
	core_err err;
	if (inspection_close(app->st, api_actor(req), req->params[0], &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_inspection(req, 200, req->params[0]);
}
