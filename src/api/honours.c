/*
 * honours.c: honour rules (星级文明户, 文明家庭), the honours of a closed year
 * (the staff view, and the public view with names masked), and closing a year
 * (POST …/years/{year}/close) over HTTP. The ranking itself is in ranking.c.
 */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/honours.h"
#include "core/yearend.h"
#include "util/utf8.h"

#define F(type, name, kind) {#name, kind, offsetof(type, name)}
#define N(t) (sizeof(t) / sizeof(t[0]))

static const api_rfield rule_fields[] = {
	F(st_honour_rule, id, R_INT), F(st_honour_rule, village_id, R_INT),
	F(st_honour_rule, kind, R_STR), F(st_honour_rule, title, R_STR),
	F(st_honour_rule, top_n, R_ID), F(st_honour_rule, status, R_STR),
	F(st_honour_rule, created_at, R_TIME),
};
static const api_rfield honour_fields[] = {
	F(st_honour, id, R_INT), F(st_honour, year, R_INT), F(st_honour, rule_id, R_ID),
	F(st_honour, kind, R_STR), F(st_honour, title, R_STR), F(st_honour, stars, R_INT),
	F(st_honour, rank, R_INT), F(st_honour, earned, R_INT), F(st_honour, awarded_at, R_TIME),
};
static const api_rfield honour_household_fields[] = {
	{"id", R_INT, offsetof(st_honour, household_id)}, F(st_honour, passbook_no, R_STR),
	F(st_honour, head_name, R_STR), F(st_honour, group_id, R_INT),
	F(st_honour, group_name, R_STR),
};
static const api_rfield close_fields[] = {
	F(st_year_close, village_id, R_INT), F(st_year_close, year, R_INT),
	F(st_year_close, policy, R_STR), F(st_year_close, closed_by, R_ID),
	F(st_year_close, closed_by_name, R_STR), F(st_year_close, closed_at, R_TIME),
	F(st_year_close, households, R_INT), F(st_year_close, honours, R_INT),
};

static json_t *rule_json(const st_honour_rule *r)
{
	json_t *j = api_render(r, rule_fields, N(rule_fields));
	json_t *t = r->thresholds ? json_loads(r->thresholds, 0, NULL) : NULL;
	json_object_set_new(j, "thresholds", json_is_array(t) && json_array_size(t) ? t : json_null());
	if (t && !(json_is_array(t) && json_array_size(t)))
		json_decref(t);
	return j;
}

/* ---- honour rules ----------------------------------------------------- */

static void reply_rule(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_honour_rule r;
	core_err err;
	if (honour_rule_get(app->st, api_actor(req), id, &req->ar, &r, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, rule_json(&r));
}

void api_honour_rules_create(http_req *req)
{
	static const api_field fields[] = {
		{"kind", F_STR, true}, {"title", F_STR, true}, {"thresholds", F_ARRAY, false},
		{"top_n", F_INT, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	json_t *th = json_object_get(body, "thresholds");
	int64_t t[HONOUR_STARS + 1];
	honour_rule_in in = {.kind = api_str(body, "kind"), .title = api_str(body, "title"),
	                     .has_top_n = json_is_integer(json_object_get(body, "top_n")),
	                     .top_n = api_int(body, "top_n")};
	bool ok = true;
	if (json_is_array(th)) {
		size_t i;
		json_t *v;
		json_array_foreach(th, i, v) {
			if (!json_is_integer(v) || i > HONOUR_STARS)
				ok = false;
			else
				t[i] = json_integer_value(v);
		}
		in.thresholds = t;
		in.nthresholds = json_array_size(th);
	}
	int64_t id = 0;
	core_err err;
	if (!ok)
		http_errorf(req, 422, "invalid_thresholds",
		            "thresholds 须为 %d 个从小到大的整数分数线，依次对应 1 到 %d 星",
		            "thresholds must be %d ascending integers, for 1 to %d stars", HONOUR_STARS,
		            HONOUR_STARS);
	else if (honour_rule_create(app->st, api_actor(req), req->params[0], &in, &id, &err) !=
	         CORE_OK)
		api_fail(req, &err);
	else
		reply_rule(req, 201, id);
	json_decref(body);
}

void api_honour_rules_list(http_req *req)
{
	api_app *app = req->app;
	st_honour_rule *list = NULL;
	size_t n = 0;
	core_err err;
	if (honour_rule_list(app->st, api_actor(req), req->params[0], &req->ar, &list, &n, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, rule_json(&list[i]));
	http_json(req, 200, json_pack("{s:o}", "items", items));
}

void api_honour_rule_update(http_req *req)
{
	static const api_field fields[] = {{"status", F_STR, true}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	const char *status = api_str(body, "status");
	core_err err;
	if (strcmp(status, "retired") != 0)
		http_error(req, 422, "invalid_status",
		           "荣誉规则只能停用（status: \"retired\"），不能修改；请停用后另建一条",
		           "an honour rule can only be retired (status: \"retired\"); add a new one instead");
	else if (honour_rule_retire(app->st, api_actor(req), req->params[0], &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_rule(req, 200, req->params[0]);
	json_decref(body);
}

/* ---- honours ---------------------------------------------------------- */

static json_t *honour_json(const st_honour *h, bool public_view)
{
	json_t *j = api_render(h, honour_fields, N(honour_fields));
	json_t *hh;
	if (public_view) {
		char masked[128];
		hh = json_pack("{s:s, s:I, s:s}", "head_name",
		               utf8_mask_name(h->head_name ? h->head_name : "", masked, sizeof(masked)),
		               "group_id", (json_int_t)h->group_id, "group_name",
		               h->group_name ? h->group_name : "");
	} else {
		hh = api_render(h, honour_household_fields, N(honour_household_fields));
	}
	json_object_set_new(j, "household", hh);
	return j;
}

static void reply_honours(http_req *req, bool public_view)
{
	api_app *app = req->app;
	int64_t year = 0;
	if (!api_query_id(req, "year", &year))
		return;
	st_honour *list = NULL;
	size_t n = 0;
	bool closed = false;
	core_err err;
	if (honours_list(app->st, public_view ? NULL : api_actor(req), public_view, req->params[0],
	                 &year, &req->ar, &list, &n, &closed, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, honour_json(&list[i], public_view));
	http_json(req, 200, json_pack("{s:I, s:o, s:b, s:o}", "village_id",
	                              (json_int_t)req->params[0], "year",
	                              year ? json_integer(year) : json_null(), "closed", closed,
	                              "items", items));
}

void api_honours(http_req *req)
{
	reply_honours(req, false);
}

void api_honours_public(http_req *req)
{
	reply_honours(req, true);
}

/* ---- the year end ----------------------------------------------------- */

static void reply_close(http_req *req, int status, int64_t village_id, int64_t year)
{
	api_app *app = req->app;
	st_year_close y;
	core_err err;
	if (yearend_get(app->st, api_actor(req), village_id, year, &req->ar, &y, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, api_render(&y, close_fields, N(close_fields)));
}

static void rerender_close(http_req *req, const char *result_ref)
{
	long long year = 0;
	if (sscanf(result_ref, "year:%lld", &year) == 1)
		reply_close(req, 201, req->params[0], year);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

void api_year_close(http_req *req)
{
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_close))
		return;
	yearend_result res;
	core_err err;
	if (yearend_close(app->st, api_actor(req), req->params[0], req->params[1], API_IDEM(&idem),
	                  &res, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_close(req, 201, req->params[0], req->params[1]);
	api_idem_end(req, &idem);
}

void api_year_get(http_req *req)
{
	reply_close(req, 200, req->params[0], req->params[1]);
}

void api_years_list(http_req *req)
{
	api_app *app = req->app;
	st_year_close *list = NULL;
	size_t n = 0;
	core_err err;
	if (yearend_list(app->st, api_actor(req), req->params[0], &req->ar, &list, &n, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o}", "items",
	                              api_render_list(list, n, sizeof(*list), close_fields,
	                                              N(close_fields))));
}
