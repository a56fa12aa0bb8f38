/*
 * households.c: a village's households (/api/v1/villages/{id}/households),
 * one household (/api/v1/households/{id}) and its members.
 */
#include "api/api.h"

#include <string.h>

#include "core/household.h"
#include "util/utf8.h"

void api_households_list(http_req *req)
{
	api_app *app = req->app;
	st_household_filter f = {.village_id = req->params[0]};
	int64_t page = 1;
	if (!api_paging(req, &f.offset, &f.limit, &page) || !api_query_id(req, "group_id", &f.group_id))
		return;
	f.q = http_query(req, "q");
	f.status = http_query(req, "status");
	if (f.q && (strlen(f.q) > 128 || !utf8_valid(f.q, strlen(f.q)))) {
		http_error(req, 400, "bad_query", "搜索词太长或编码无效（q）", "q is too long or not UTF-8");
		return;
	}
	if (f.status && strcmp(f.status, "active") != 0 && strcmp(f.status, "moved_out") != 0) {
		http_error(req, 400, "bad_query", "status 只能是 active 或 moved_out",
		           "status must be active or moved_out");
		return;
	}
	st_household *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	if (household_list(app->st, api_actor(req), &f, &req->ar, &list, &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, API_RENDER_LIST(list, n, household), total, page, f.limit);
}

static void reply_household(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_household h;
	st_member *members = NULL;
	size_t n = 0;
	core_err err;
	if (household_get(app->st, api_actor(req), id, &req->ar, &h, &members, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = API_RENDER(&h, household_full);
	json_object_set_new(j, "members", API_RENDER_LIST(members, n, member));
	http_json(req, status, j);
}

/* Reads the "members" array into an arena array; false (response set) if malformed. */
static bool read_members(http_req *req, json_t *arr, household_member_in **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr)
		return true;
	size_t cnt = json_array_size(arr);
	if (cnt > HOUSEHOLD_MAX_MEMBERS) {
		http_errorf(req, 422, "too_many_members", "家庭成员最多 %d 人", "at most %d members",
		            HOUSEHOLD_MAX_MEMBERS);
		return false;
	}
	household_member_in *m = arena_alloc(&req->ar, (cnt ? cnt : 1) * sizeof(*m));
	for (size_t i = 0; i < cnt; i++) {
		json_t *e = json_array_get(arr, i);
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *rel = json_string_value(json_object_get(e, "relation"));
		if (!json_is_object(e) || !name || !rel || json_object_size(e) != 2) {
			http_errorf(req, 422, "invalid_member",
			            "第 %zu 个家庭成员应为 {\"name\": 姓名, \"relation\": 与户主关系}",
			            "member %zu must be {\"name\": …, \"relation\": …}", i + 1);
			return false;
		}
		m[i].name = name;
		m[i].relation = rel;
	}
	*out = m;
	*n = cnt;
	return true;
}

void api_households_create(http_req *req)
{
	static const api_field fields[] = {
		{"group_id", F_INT, true}, {"passbook_no", F_STR, true}, {"head_name", F_STR, true},
		{"address", F_STR, false}, {"phone", F_STR, false}, {"members", F_ARRAY, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	household_member_in *members = NULL;
	size_t n = 0;
	if (!read_members(req, json_object_get(body, "members"), &members, &n)) {
		json_decref(body);
		return;
	}
	st_household h = {
		.village_id = req->params[0], .group_id = api_int(body, "group_id"),
		.passbook_no = api_str(body, "passbook_no"), .head_name = api_str(body, "head_name"),
		.address = api_str(body, "address"), .phone = api_str(body, "phone"),
	};
	int64_t id = 0;
	core_err err;
	if (household_create(app->st, api_actor(req), &h, members, n, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_household(req, 201, id);
	json_decref(body);
}

void api_household_get(http_req *req)
{
	reply_household(req, 200, req->params[0]);
}

void api_household_update(http_req *req)
{
	static const api_field fields[] = {
		{"group_id", F_INT, false}, {"passbook_no", F_STR, false}, {"head_name", F_STR, false},
		{"address", F_STR, false}, {"phone", F_STR, false}, {"status", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_household upd = {
		.group_id = api_int(body, "group_id"), .passbook_no = api_str(body, "passbook_no"),
		.head_name = api_str(body, "head_name"), .address = api_str(body, "address"),
		.phone = api_str(body, "phone"), .status = api_str(body, "status"),
	};
	core_err err;
	if (json_object_get(body, "group_id") && upd.group_id <= 0)
		http_error(req, 422, "invalid_group", "group_id 必须是正整数", "group_id must be positive");
	else if (household_update(app->st, api_actor(req), req->params[0], &upd, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_household(req, 200, req->params[0]);
	json_decref(body);
}

void api_members_create(http_req *req)
{
	static const api_field fields[] = {{"name", F_STR, true}, {"relation", F_STR, true}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	household_member_in m = {api_str(body, "name"), api_str(body, "relation")};
	int64_t id = 0;
	core_err err;
	if (household_member_add(app->st, api_actor(req), req->params[0], &m, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_household(req, 201, req->params[0]);
	json_decref(body);
}

void api_member_update(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, false}, {"relation", F_STR, false}, {"status", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_member upd = {.name = api_str(body, "name"), .relation = api_str(body, "relation"),
	                 .status = api_str(body, "status")};
	core_err err;
	if (household_member_update(app->st, api_actor(req), req->params[0], &upd, &err) != CORE_OK) {
		api_fail(req, &err);
	} else {
		st_member m;
		store_rc rc = store_member_get(app->st, req->params[0], &req->ar, &m);
		if (rc != STORE_OK) {
			core_store_fail(&err, rc, "家庭成员", "member");
			api_fail(req, &err);
		} else {
			http_json(req, 200, API_RENDER(&m, member));
		}
	}
	json_decref(body);
}
