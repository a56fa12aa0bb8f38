/*
 * compare.c: the area views over HTTP: GET /api/v1/areas/{id}/compare (one row
 * per village of a township or county) and GET /api/v1/villages/{id}/groups/compare
 * (one row per villager group), each for a period given as ?period=2026 |
 * 2026-Q4 | 2026-11 or ?from=2026-01&to=2026-06, with a total row.
 * The shapes are tables below; the measures come from core/compare.c.
 */
#include "api/api.h"

#include <stddef.h>

#include "core/compare.h"

#define N(t) (sizeof(t) / sizeof(t[0]))
#define F(field, name, type) {name, type, offsetof(compare_row, field)}

static const api_rfield village_key[] = {
	F(id, "village_id", R_ID), F(name, "village_name", R_STR),
	F(parent_id, "area_id", R_ID), F(parent_name, "area_name", R_STR),
};
static const api_rfield group_key[] = {
	F(id, "group_id", R_ID), F(name, "group_name", R_STR),
};
static const api_rfield measures[] = {
	F(households, "households", R_INT),
	F(participating, "participating_households", R_INT),
	F(earned, "points_earned", R_INT),
	F(redemptions, "redemptions", R_INT),
	F(redeemed_points, "redeemed_points", R_INT),
	F(objections, "objections_raised", R_INT),
	F(upheld, "objections_upheld", R_INT),
};

/* num / den rounded to 1/scale as a JSON number, or null when den is 0. */
static json_t *ratio_json(int64_t num, int64_t den, int64_t scale)
{
	int64_t q = 0;
	if (!compare_ratio(num, den, scale, &q))
		return json_null();
	return json_real((double)q / (double)scale);
}

/* A row: its key fields (none for a total), the measures, the two ratios and
 * the points by category. */
static json_t *row_json(const compare_row *r, const api_rfield *key, size_t nkey)
{
	json_t *o = key ? api_render(r, key, nkey) : json_object();
	json_t *m = api_render(r, measures, N(measures));
	json_object_update(o, m);
	json_decref(m);
	json_object_set_new(o, "participation_rate",
	                    ratio_json(r->participating, r->households, 10000));
	json_object_set_new(o, "points_per_household", ratio_json(r->earned, r->households, 100));
	json_t *cats = json_object();
	for (size_t i = 0; i < r->ncats; i++)
		json_object_set_new(cats, r->cats[i].category, json_integer(r->cats[i].points));
	json_object_set_new(o, "points_by_category", cats);
	return o;
}

static json_t *period_json(const compare_period *p)
{
	return json_pack("{s:s, s:s}", "from", p->from_month, "to", p->to_month);
}

/* Reads the period from the query; false (400 set) when it is missing or malformed. */
static bool read_period(http_req *req, compare_period *p)
{
	core_err err;
	if (compare_period_parse(http_query(req, "period"), http_query(req, "from"),
	                         http_query(req, "to"), p, &err) == CORE_OK)
		return true;
	http_error(req, 400, err.code, err.zh, err.en);
	return false;
}

static json_t *rows_json(const compare_result *res, const api_rfield *key, size_t nkey)
{
	json_t *a = json_array();
	for (size_t i = 0; i < res->n; i++)
		json_array_append_new(a, row_json(&res->rows[i], key, nkey));
	return a;
}

void api_area_compare(http_req *req)
{
	api_app *app = req->app;
	compare_period p;
	compare_result res;
	core_err err;
	if (!read_period(req, &p))
		return;
	if (compare_villages(app->st, api_actor(req), req->params[0], &p, &req->ar, &res, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o, s:o, s:o, s:o}", "area", API_RENDER(&res.area, area),
	                              "period", period_json(&p), "items",
	                              rows_json(&res, village_key, N(village_key)), "total",
	                              row_json(&res.total, NULL, 0)));
}

void api_village_groups_compare(http_req *req)
{
	api_app *app = req->app;
	compare_period p;
	compare_result res;
	core_err err;
	if (!read_period(req, &p))
		return;
	if (compare_groups(app->st, api_actor(req), req->params[0], &p, &req->ar, &res, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *village = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)res.village.id, "name",
	                            res.village.name, "area_id", (json_int_t)res.village.area_id);
	http_json(req, 200, json_pack("{s:o, s:o, s:o, s:o}", "village", village, "period",
	                              period_json(&p), "items",
	                              rows_json(&res, group_key, N(group_key)), "total",
	                              row_json(&res.total, NULL, 0)));
}
