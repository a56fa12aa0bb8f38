/*
 * activities.c: activities (活动) over HTTP: /api/v1/villages/{id}/activities
 * to create and list them, /api/v1/activities/{id} to read one with its
 * sign-ups, and its sign-ups, attendance and award. The rules (who may, when,
 * all or nothing) are in core/activities.c; this file parses and renders.
 */
#include "api/api.h"

#include <stddef.h>
#include <string.h>

#include "core/activities.h"

#define FLD(type, name, kind) {#name, kind, offsetof(type, name)}

static const api_rfield activity_fields[] = {
	FLD(st_activity, id, R_INT), FLD(st_activity, village_id, R_INT),
	FLD(st_activity, name, R_STR), FLD(st_activity, rule_id, R_INT),
	FLD(st_activity, rule_name, R_STR), FLD(st_activity, rule_points, R_INT),
	FLD(st_activity, activity_date, R_STR), FLD(st_activity, description, R_STR),
	FLD(st_activity, status, R_STR), FLD(st_activity, batch_id, R_ID),
	FLD(st_activity, signup_count, R_INT), FLD(st_activity, attended_count, R_INT),
	FLD(st_activity, created_by, R_ID), FLD(st_activity, created_at, R_TIME),
};

static const api_rfield signup_fields[] = {
	FLD(st_signup, id, R_INT), FLD(st_signup, activity_id, R_INT),
	FLD(st_signup, household_id, R_INT), FLD(st_signup, passbook_no, R_STR),
	FLD(st_signup, head_name, R_STR), FLD(st_signup, member_id, R_ID),
	FLD(st_signup, member_name, R_STR), FLD(st_signup, attended, R_BOOL),
	FLD(st_signup, created_by, R_ID), FLD(st_signup, created_at, R_TIME),
};

#define NF(t) (sizeof(t) / sizeof(t[0]))

/* Replies with the activity and the sign-ups the actor may see. */
static void reply_activity(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_activity a;
	st_signup *list = NULL;
	size_t n = 0;
	core_err err;
	if (activity_get(app->st, api_actor(req), id, &req->ar, &a, &list, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = api_render(&a, activity_fields, NF(activity_fields));
	json_object_set_new(j, "signups",
	                    api_render_list(list, n, sizeof(*list), signup_fields, NF(signup_fields)));
	http_json(req, status, j);
}

void api_activities_create(http_req *req)
{
	static const api_field fields[] = {
		{"name", F_STR, true}, {"rule_id", F_INT, true}, {"activity_date", F_STR, true},
		{"description", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	st_activity a = {
		.village_id = req->params[0], .name = api_str(body, "name"),
		.rule_id = api_int(body, "rule_id"), .activity_date = api_str(body, "activity_date"),
		.description = api_str(body, "description"),
	};
	int64_t id = 0;
	core_err err;
	if (activity_create(app->st, api_actor(req), &a, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_activity(req, 201, id);
	json_decref(body);
}

void api_activities_list(http_req *req)
{
	api_app *app = req->app;
	int64_t offset = 0, limit = 0, page = 1, total = 0;
	if (!api_paging(req, &offset, &limit, &page))
		return;
	st_activity *list = NULL;
	size_t n = 0;
	core_err err;
	if (activity_list(app->st, api_actor(req), req->params[0], offset, limit, &req->ar, &list, &n,
	                  &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, api_render_list(list, n, sizeof(*list), activity_fields,
	                                    NF(activity_fields)),
	               total, page, limit);
}

void api_activity_get(http_req *req)
{
	reply_activity(req, 200, req->params[0]);
}

void api_activity_signup(http_req *req)
{
	static const api_field fields[] = {{"household_id", F_INT, true}, {"member_id", F_INT, false}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	int64_t hh = api_int(body, "household_id"), member = api_int(body, "member_id");
	json_decref(body);
	if (hh <= 0 || member < 0) {
		http_error(req, 422, "invalid_id", "household_id 和 member_id 须为正整数",
		           "household_id and member_id must be positive integers");
		return;
	}
	int64_t sid = 0;
	core_err err;
	const actor *who = api_actor(req);
	st_activity a;
	st_signup *list = NULL;
	size_t n = 0;
	if (activity_signup(app->st, who, req->params[0], hh, member, &sid, &err) != CORE_OK ||
	    activity_get(app->st, who, req->params[0], &req->ar, &a, &list, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (list[i].id == sid) {
			http_json(req, 201, api_render(&list[i], signup_fields, NF(signup_fields)));
			return;
		}
	http_error(req, 500, "internal", "报名已保存，但读不回来", "the sign-up was saved but cannot be read back");
}

/* Reads a list of positive ids from body[key] into the arena. False (response set) if malformed. */
static bool read_ids(http_req *req, json_t *body, const char *key, int64_t **out, size_t *n)
{
	json_t *arr = json_object_get(body, key);
	size_t cnt = json_array_size(arr);
	int64_t *ids = arena_alloc(&req->ar, (cnt ? cnt : 1) * sizeof(*ids));
	if (!ids) {
		http_error(req, 500, "internal", "内存不足", "out of memory");
		return false;
	}
	for (size_t i = 0; i < cnt; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			http_errorf(req, 422, "invalid_signups", "%s 须为报名编号（正整数）列表",
			            "%s must be a list of sign-up ids (positive integers)", key);
			return false;
		}
		ids[i] = json_integer_value(v);
	}
	*out = ids;
	*n = cnt;
	return true;
}

void api_activity_attendance(http_req *req)
{
	static const api_field fields[] = {{"attended", F_ARRAY, false}, {"absent", F_ARRAY, false}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	int64_t *came = NULL, *away = NULL;
	size_t ncame = 0, naway = 0;
	bool ok = read_ids(req, body, "attended", &came, &ncame) &&
	          read_ids(req, body, "absent", &away, &naway);
	json_decref(body);
	if (!ok)
		return;
	core_err err;
	if (activity_attendance(app->st, api_actor(req), req->params[0], came, ncame, away, naway,
	                        &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_activity(req, 200, req->params[0]);
}

void api_activity_award(http_req *req)
{
	static const api_field fields[] = {{"points", F_INT, false}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, api_rerender_batch))
		return;
	bool has_points = false;
	int64_t points = 0;
	if (req->body_len > 0) { /* the body is optional: {"points": n} for a rule with a range */
		json_t *body = API_BODY(req, fields);
		if (!body)
			goto out;
		has_points = json_is_integer(json_object_get(body, "points"));
		points = api_int(body, "points");
		json_decref(body);
	}
	int64_t batch = 0;
	core_err err;
	if (activity_award(app->st, api_actor(req), req->params[0], has_points, points,
	                   API_IDEM(&idem), &batch, &err) != CORE_OK)
		api_fail(req, &err);
	else
		api_reply_batch(req, 201, batch);
out:
	api_idem_end(req, &idem);
}
