/*
 * villages.c: /api/v1/villages and a village's villager groups.
 */
#include "api/api.h"

#include <stddef.h>

#include "core/org.h"

void api_villages_list(http_req *req)
{
	api_app *app = req->app;
	st_village *list = NULL;
	size_t n = 0;
	core_err err;
	if (org_village_list(app->st, api_actor(req), &req->ar, &list, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o}", "items", API_RENDER_LIST(list, n, village)));
}

static void reply_village(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_village v;
	core_err err;
	if (org_village_get(app->st, api_actor(req), id, &req->ar, &v, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, API_RENDER(&v, village));
}

void api_villages_create(http_req *req)
{
	static const api_field fields[] = {{"name", F_STR, true}, {"area_id", F_INT, true}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_village v = {.name = api_str(body, "name"), .area_id = api_int(body, "area_id")};
	int64_t id = 0;
	core_err err;
	if (org_village_create(app->st, api_actor(req), &v, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_village(req, 201, id);
	json_decref(body);
}

void api_village_get(http_req *req)
{
	reply_village(req, 200, req->params[0]);
}

void api_village_update(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, false}, {"notice_days", F_INT, false}, {"window_days", F_INT, false},
		{"balance_policy", F_STR, false}, {"second_review_points", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	/* an integer present means "set it"; -1 keeps it */
	st_village upd = {.name = api_str(body, "name"), .balance_policy = api_str(body, "balance_policy"),
	                  .notice_days = -1, .window_days = -1, .second_review_points = -1};
	static const struct {
		const char *key;
		size_t off;
	} ints[] = {
		{"notice_days", offsetof(st_village, notice_days)},
		{"window_days", offsetof(st_village, window_days)},
		{"second_review_points", offsetof(st_village, second_review_points)},
	};
	bool ok = true;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		json_t *v = json_object_get(body, ints[i].key);
		if (!json_is_integer(v))
			continue;
		if (json_integer_value(v) < 0) {
			http_errorf(req, 422, "invalid_setting", "%s 不能为负数", "%s must not be negative",
			            ints[i].key);
			ok = false;
			break;
		}
		*(int64_t *)((char *)&upd + ints[i].off) = json_integer_value(v);
	}
	core_err err;
	if (ok && json_object_size(body) == 0) {
		http_error(req, 422, "nothing_to_change",
		           "没有要修改的内容：可修改 name、notice_days、window_days、balance_policy、"
		           "second_review_points",
		           "nothing to change: give name, notice_days, window_days, balance_policy or "
		           "second_review_points");
		ok = false;
	}
	if (ok) {
		if (org_village_update(app->st, api_actor(req), req->params[0], &upd, &err) != CORE_OK)
			api_fail(req, &err);
		else
			reply_village(req, 200, req->params[0]);
	}
	json_decref(body);
}

void api_groups_list(http_req *req)
{
	api_app *app = req->app;
	st_group *list = NULL;
	size_t n = 0;
	core_err err;
	if (org_group_list(app->st, api_actor(req), req->params[0], &req->ar, &list, &n, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o}", "items", API_RENDER_LIST(list, n, group)));
}

static void reply_group(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_group g;
	store_rc rc = store_group_get(app->st, id, &req->ar, &g);
	if (rc != STORE_OK) {
		core_err err;
		core_store_fail(&err, rc, "村民小组", "group");
		api_fail(req, &err);
		return;
	}
	http_json(req, status, API_RENDER(&g, group));
}

void api_groups_create(http_req *req)
{
	static const api_field fields[] = {{"name", F_STR, true}, {"sort", F_INT, false}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_group g = {.village_id = req->params[0], .name = api_str(body, "name"),
	              .sort = api_int(body, "sort")};
	int64_t id = 0;
	core_err err;
	if (org_group_create(app->st, api_actor(req), &g, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_group(req, 201, id);
	json_decref(body);
}

void api_group_update(http_req *req)
{
	static const api_field fields[] = {{"name", F_STR, false}, {"sort", F_INT, false}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	json_t *sort = json_object_get(body, "sort");
	int64_t s = json_is_integer(sort) ? (int64_t)json_integer_value(sort) : -1;
	core_err err;
	if (json_is_integer(sort) && s < 0) {
		http_error(req, 422, "invalid_sort", "排序号（sort）不能为负数", "sort must not be negative");
	} else if (org_group_update(app->st, api_actor(req), req->params[0], api_str(body, "name"), s,
	                            &err) != CORE_OK) {
		api_fail(req, &err);
	} else {
		reply_group(req, 200, req->params[0]);
	}
	json_decref(body);
}
