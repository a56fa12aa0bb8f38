/*
 * ranking.c: the ranking over HTTP (一年一排名): a village's households ranked
 * by the points earned in a year, quarter or month — the staff view with names
 * and passbook numbers, the public view (no login) with names masked and
 * nothing else that identifies a household — and one household's own rank.
 * Honour rules, honours and the year end are in honours.c.
 */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>

#include "core/rank.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define F(type, name, kind) {#name, kind, offsetof(type, name)}
#define N(t) (sizeof(t) / sizeof(t[0]))

static const api_rfield row_fields[] = {
	F(st_rank_row, rank, R_INT), F(st_rank_row, village_rank, R_INT),
	F(st_rank_row, group_rank, R_INT), F(st_rank_row, earned, R_INT),
};
static const api_rfield household_fields[] = {
	{"id", R_INT, offsetof(st_rank_row, household_id)}, F(st_rank_row, passbook_no, R_STR),
	F(st_rank_row, head_name, R_STR), F(st_rank_row, group_id, R_INT),
	F(st_rank_row, group_name, R_STR), F(st_rank_row, status, R_STR),
};
static const api_rfield public_household_fields[] = {
	F(st_rank_row, group_id, R_INT), F(st_rank_row, group_name, R_STR),
};

/* A ranking row; public: the head's name masked, no id, passbook or phone. */
static json_t *row_json(const st_rank_row *r, bool public_view)
{
	json_t *j = api_render(r, row_fields, N(row_fields));
	json_t *h;
	if (public_view) {
		char masked[128];
		h = api_render(r, public_household_fields, N(public_household_fields));
		json_object_set_new(h, "head_name",
		                    json_string(utf8_mask_name(r->head_name ? r->head_name : "",
		                                               masked, sizeof(masked))));
	} else {
		h = api_render(r, household_fields, N(household_fields));
	}
	json_object_set_new(j, "household", h);
	return j;
}

/* ?period= or this year (China time). */
static const char *period_arg(http_req *req)
{
	const char *p = http_query(req, "period");
	if (p && *p)
		return p;
	char today[11];
	time_today_cn(today);
	return arena_strndup(&req->ar, today, 4);
}

static void reply_ranking(http_req *req, bool public_view)
{
	api_app *app = req->app;
	st_rank_filter f = {.village_id = req->params[0], .period = period_arg(req)};
	int64_t page = 1;
	if (!api_query_id(req, "group_id", &f.group_id) ||
	    !api_paging(req, &f.offset, &f.limit, &page))
		return;
	st_rank_row *rows = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	if (rank_village(app->st, public_view ? NULL : api_actor(req), public_view, &f, &req->ar,
	                 &rows, &n, &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, row_json(&rows[i], public_view));
	http_json(req, 200, json_pack("{s:I, s:s, s:o, s:o, s:I, s:I, s:I}", "village_id",
	                              (json_int_t)f.village_id, "period", f.period, "group_id",
	                              f.group_id ? json_integer(f.group_id) : json_null(), "items",
	                              items, "total", (json_int_t)total, "page", (json_int_t)page,
	                              "per_page", (json_int_t)f.limit));
}

void api_ranking(http_req *req)
{
	reply_ranking(req, false);
}

void api_ranking_public(http_req *req)
{
	reply_ranking(req, true);
}

void api_household_rank(http_req *req)
{
	api_app *app = req->app;
	const char *period = period_arg(req);
	st_rank_row r;
	int64_t in_village = 0, in_group = 0;
	core_err err;
	if (rank_household(app->st, api_actor(req), req->params[0], period, &req->ar, &r, &in_village,
	                   &in_group, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	int64_t county = 0, in_county_rank = 0, in_county = 0;
	if (rank_household_county(app->st, &r, period, &county, &in_county_rank, &in_county, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	/* not ranked (moved out, nothing earned): rank null */
	json_t *j = json_pack("{s:s, s:I, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:I}", "period", period,
	                      "earned", (json_int_t)r.earned, "rank",
	                      r.village_rank ? json_integer(r.village_rank) : json_null(),
	                      "group_rank", r.group_rank ? json_integer(r.group_rank) : json_null(),
	                      "household", api_render(&r, household_fields, N(household_fields)),
	                      "households", (json_int_t)in_village, "group_households",
	                      (json_int_t)in_group, "county_id",
	                      county ? json_integer(county) : json_null(), "county_rank",
	                      in_county_rank ? json_integer(in_county_rank) : json_null(),
	                      "county_households", (json_int_t)in_county);
	http_json(req, 200, j);
}
