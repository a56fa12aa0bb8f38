/*
 * users.c: /api/v1/users — accounts and roles, managed within the admin's area.
 */
#include "api/api.h"

#include <string.h>

#include "core/users.h"

void api_users_list(http_req *req)
{
	api_app *app = req->app;
	st_user_filter f = {0};
	int64_t page = 1;
	if (!api_paging(req, &f.offset, &f.limit, &page) ||
	    !api_query_id(req, "village_id", &f.village_id))
		return;
	f.role = http_query(req, "role");
	if (f.role && !user_role_valid(f.role)) {
		http_error(req, 400, "bad_query", "role 不是有效的角色", "role is not a valid role");
		return;
	}
	st_user *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	if (user_list(app->st, api_actor(req), &f, &req->ar, &list, &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, API_RENDER_LIST(list, n, user), total, page, f.limit);
}

static void reply_user(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_user u;
	core_err err;
	if (user_get(app->st, api_actor(req), id, &req->ar, &u, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = API_RENDER(&u, user);
	json_object_set_new(j, "phone", u.phone ? json_string(u.phone) : json_null());
	json_object_set_new(j, "has_pin", json_boolean(u.pin_hash != NULL));
	http_json(req, status, j);
}

void api_users_create(http_req *req)
{
	static const api_field fields[] = {
		{"username", F_STR, false}, {"display_name", F_STR, true}, {"role", F_STR, true},
		{"phone", F_STR, false}, {"password", F_STR, false}, {"pin", F_STR, false},
		{"area_id", F_INT, false}, {"village_id", F_INT, false}, {"household_id", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	user_new u = {
		.username = api_str(body, "username"), .display_name = api_str(body, "display_name"),
		.role = api_str(body, "role"), .phone = api_str(body, "phone"),
		.password = api_str(body, "password"), .pin = api_str(body, "pin"),
		.area_id = api_int(body, "area_id"), .village_id = api_int(body, "village_id"),
		.household_id = api_int(body, "household_id"),
	};
	int64_t id = 0;
	core_err err;
	if (user_create(app->st, api_actor(req), &u, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_user(req, 201, id);
	json_decref(body);
}

void api_user_get(http_req *req)
{
	reply_user(req, 200, req->params[0]);
}

void api_user_update(http_req *req)
{
	static const api_field fields[] = {
		{"display_name", F_STR, false}, {"phone", F_STR, false}, {"disabled", F_BOOL, false},
		{"password", F_STR, false}, {"pin", F_STR, false}, {"current_password", F_STR, false},
		{"home_household_id", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	json_t *dis = json_object_get(body, "disabled");
	user_patch_in p = {
		.display_name = api_str(body, "display_name"), .phone = api_str(body, "phone"),
		.password = api_str(body, "password"), .pin = api_str(body, "pin"),
		.current = api_str(body, "current_password"),
		.disabled = json_is_boolean(dis) ? (json_is_true(dis) ? 1 : 0) : -1,
	};
	json_t *home = json_object_get(body, "home_household_id"); /* null clears it */
	if (home) {
		p.set_home = true;
		p.home_household_id = json_is_integer(home) ? json_integer_value(home) : 0;
	}
	core_err err;
	core_status cs = user_patch(app->st, api_actor(req), req->params[0], &p, &err);
	json_decref(body);
	if (cs != CORE_OK)
		api_fail(req, &err);
	else
		reply_user(req, 200, req->params[0]);
}
