/*
 * rules.c: the rule catalogue, /api/v1/villages/{id}/rules and /api/v1/rules/{id}.
 * Reading it needs no login (the catalogue is public); changing it is for the
 * village admin.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "core/rules.h"

json_t *api_rule_json(const st_rule *r)
{
	json_t *j = API_RENDER(r, rule);
	json_object_set_new(j, "min_points", r->has_range ? json_integer(r->min_points) : json_null());
	json_object_set_new(j, "max_points", r->has_range ? json_integer(r->max_points) : json_null());
	json_t *rec = json_array();
	const char *p = r->recorders;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		json_array_append_new(rec, json_stringn(p, len));
		p = comma ? comma + 1 : NULL;
	}
	json_object_set_new(j, "recorders", rec);
	return j;
}

static const api_field rule_fields[] = {
	{"category", F_STR, true}, {"name", F_STR, true}, {"points", F_INT, true},
	{"unit", F_STR, false}, {"min_points", F_INT, false}, {"max_points", F_INT, false},
	{"cap_month", F_INT, false}, {"cap_year", F_INT, false},
	{"evidence_required", F_BOOL, false}, {"claimable", F_BOOL, false},
	{"recorders", F_ARRAY, false}, {"description", F_STR, false},
};

/* Joins a recorders array (["scorer", "village_admin"]) into "scorer,village_admin"
 * in the arena; the domain checks the roles. False (response set) if malformed. */
static bool read_recorders(http_req *req, json_t *rec, const char **out)
{
	char *joined = arena_alloc(&req->ar, 64);
	size_t n = json_array_size(rec);
	for (size_t i = 0; joined && i < n; i++) {
		const char *s = json_string_value(json_array_get(rec, i));
		if (!s || strlen(joined) + strlen(s) + 2 > 64) {
			http_error(req, 422, "invalid_recorders",
			           "记录人（recorders）须为 [\"scorer\", \"village_admin\"] 中的角色",
			           "recorders must be a list of roles: scorer, village_admin");
			return false;
		}
		if (i)
			strcat(joined, ",");
		strcat(joined, s);
	}
	if (!joined) {
		http_error(req, 500, "internal", "内存不足", "out of memory");
		return false;
	}
	*out = joined;
	return true;
}

/* Reads a rule body into r (strings point into the body or the arena). False
 * (response set) if recorders is malformed or only one end of the range is given. */
static bool read_rule(http_req *req, json_t *body, st_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->category = api_str(body, "category");
	r->name = api_str(body, "name");
	r->points = api_int(body, "points");
	r->unit = api_str(body, "unit") ? api_str(body, "unit") : "time";
	json_t *mn = json_object_get(body, "min_points"), *mx = json_object_get(body, "max_points");
	bool has_min = json_is_integer(mn), has_max = json_is_integer(mx);
	if (has_min != has_max) {
		http_error(req, 422, "invalid_range", "分值范围需要同时给出 min_points 和 max_points",
		           "give both min_points and max_points, or neither");
		return false;
	}
	r->has_range = has_min;
	r->min_points = api_int(body, "min_points");
	r->max_points = api_int(body, "max_points");
	r->cap_month = api_int(body, "cap_month");
	r->cap_year = api_int(body, "cap_year");
	if ((json_object_get(body, "cap_month") && json_is_integer(json_object_get(body, "cap_month")) &&
	     r->cap_month <= 0) ||
	    (json_is_integer(json_object_get(body, "cap_year")) && r->cap_year <= 0)) {
		http_error(req, 422, "invalid_cap", "上限须为正数", "caps must be positive");
		return false;
	}
	r->evidence_required = api_bool(body, "evidence_required", false);
	r->claimable = api_bool(body, "claimable", false);
	r->description = api_str(body, "description");
	json_t *rec = json_object_get(body, "recorders");
	if (!rec || json_is_null(rec)) {
		r->recorders = "scorer,village_admin";
		return true;
	}
	return read_recorders(req, rec, &r->recorders);
}

static void reply_rule(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_rule r;
	core_err err;
	if (rule_get(app->st, NULL, id, &req->ar, &r, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, api_rule_json(&r));
}

void api_rules_list(http_req *req)
{
	api_app *app = req->app;
	const char *status = http_query(req, "status");
	if (status && strcmp(status, "active") != 0 && strcmp(status, "retired") != 0 &&
	    strcmp(status, "all") != 0) {
		http_error(req, 400, "bad_query", "status 只能是 active、retired 或 all",
		           "status must be active, retired or all");
		return;
	}
	if (!status)
		status = "active";
	st_rule *list = NULL;
	size_t n = 0;
	core_err err;
	if (rule_list(app->st, req->params[0], strcmp(status, "all") == 0 ? NULL : status, &req->ar,
	              &list, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, api_rule_json(&list[i]));
	http_json(req, 200, json_pack("{s:o}", "items", items));
}

void api_rules_create(http_req *req)
{
	api_app *app = req->app;
	json_t *body = API_BODY(req, rule_fields);
	if (!body)
		return;
	st_rule r;
	int64_t id = 0;
	core_err err;
	if (read_rule(req, body, &r)) {
		r.village_id = req->params[0];
		if (rule_create(app->st, api_actor(req), &r, &id, &err) != CORE_OK)
			api_fail(req, &err);
		else
			reply_rule(req, 201, id);
	}
	json_decref(body);
}

void api_rule_get(http_req *req)
{
	reply_rule(req, 200, req->params[0]);
}

/* Applies the fields of a PATCH body onto r (the rule as it is). False (response
 * set) if recorders is malformed or only one end of the range is given. A cap of 0
 * removes the cap; min_points and max_points of 0 remove the range. */
static bool patch_rule(http_req *req, json_t *body, st_rule *r)
{
	if (api_str(body, "category"))
		r->category = api_str(body, "category");
	if (api_str(body, "name"))
		r->name = api_str(body, "name");
	if (json_is_integer(json_object_get(body, "points")))
		r->points = api_int(body, "points");
	if (api_str(body, "unit"))
		r->unit = api_str(body, "unit");
	if (api_str(body, "description"))
		r->description = api_str(body, "description");
	if (json_is_integer(json_object_get(body, "cap_month")))
		r->cap_month = api_int(body, "cap_month");
	if (json_is_integer(json_object_get(body, "cap_year")))
		r->cap_year = api_int(body, "cap_year");
	if (r->cap_month < 0 || r->cap_year < 0) {
		http_error(req, 422, "invalid_cap", "上限须为正数（0 表示取消上限）",
		           "caps must be positive (0 removes the cap)");
		return false;
	}
	r->evidence_required = api_bool(body, "evidence_required", r->evidence_required);
	r->claimable = api_bool(body, "claimable", r->claimable);
	bool has_min = json_is_integer(json_object_get(body, "min_points"));
	bool has_max = json_is_integer(json_object_get(body, "max_points"));
	if (has_min != has_max) {
		http_error(req, 422, "invalid_range", "分值范围需要同时给出 min_points 和 max_points",
		           "give both min_points and max_points, or neither");
		return false;
	}
	if (has_min) {
		r->min_points = api_int(body, "min_points");
		r->max_points = api_int(body, "max_points");
		r->has_range = r->min_points != 0 || r->max_points != 0;
	}
	json_t *rec = json_object_get(body, "recorders");
	return !json_is_array(rec) || read_recorders(req, rec, &r->recorders);
}

void api_rule_update(http_req *req)
{
	static const api_field patch_fields[] = {
		{"category", F_STR, false}, {"name", F_STR, false}, {"points", F_INT, false},
		{"unit", F_STR, false}, {"min_points", F_INT, false}, {"max_points", F_INT, false},
		{"cap_month", F_INT, false}, {"cap_year", F_INT, false},
		{"evidence_required", F_BOOL, false}, {"claimable", F_BOOL, false},
		{"recorders", F_ARRAY, false}, {"description", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, patch_fields);
	if (!body)
		return;
	st_rule r;
	core_err err;
	if (rule_get(app->st, NULL, req->params[0], &req->ar, &r, &err) != CORE_OK) {
		api_fail(req, &err);
	} else if (patch_rule(req, body, &r)) {
		if (rule_update(app->st, api_actor(req), &r, &err) != CORE_OK)
			api_fail(req, &err);
		else
			reply_rule(req, 200, r.id);
	}
	json_decref(body);
}

void api_rule_retire(http_req *req)
{
	api_app *app = req->app;
	core_err err;
	if (rule_retire(app->st, api_actor(req), req->params[0], &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_rule(req, 200, req->params[0]);
}

void api_rule_revise(http_req *req)
{
	api_app *app = req->app;
	json_t *body = API_BODY(req, rule_fields);
	if (!body)
		return;
	st_rule r;
	int64_t id = 0;
	core_err err;
	if (read_rule(req, body, &r)) {
		if (rule_revise(app->st, api_actor(req), req->params[0], &r, &id, &err) != CORE_OK)
			api_fail(req, &err);
		else
			reply_rule(req, 201, id);
	}
	json_decref(body);
}
