/*
 * areas.c: /api/v1/areas — the county → township tree an area admin manages.
 */
#include "api/api.h"

#include "core/org.h"

void api_areas_list(http_req *req)
{
	api_app *app = req->app;
	st_area *list = NULL;
	size_t n = 0;
	core_err err;
	if (org_area_list(app->st, api_actor(req), &req->ar, &list, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o}", "items", API_RENDER_LIST(list, n, area)));
}

void api_areas_create(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, true}, {"level", F_STR, true}, {"parent_id", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_area a = {.name = api_str(body, "name"), .level = api_str(body, "level"),
	             .parent_id = api_int(body, "parent_id")};
	int64_t id = 0;
	core_err err;
	st_area out;
	if (org_area_create(app->st, api_actor(req), &a, &id, &err) != CORE_OK ||
	    org_area_get(app->st, api_actor(req), id, &req->ar, &out, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, 201, API_RENDER(&out, area));
	json_decref(body);
}

void api_area_get(http_req *req)
{
	api_app *app = req->app;
	st_area a;
	core_err err;
	if (org_area_get(app->st, api_actor(req), req->params[0], &req->ar, &a, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, API_RENDER(&a, area));
}
