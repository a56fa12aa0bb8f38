/*
 * notices.c: the monthly notice over HTTP: publishing (POST
 * /villages/{id}/notices), the village's notices, one notice with every
 * household's entries and their objections, the public view of the current
 * notice (no login; names masked, no phone numbers), and objections: raising
 * one, listing them, settling one (Idempotency-Key on raising and settling).
 * The rules live in core/notices.c.
 */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/notices.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define F(type, name, kind) {#name, kind, offsetof(type, name)}
#define NF(t) (sizeof(t) / sizeof(t[0]))

/* What everyone may read of a notice (the public view too). */
static const api_rfield notice_fields[] = {
	F(st_notice, id, R_INT), F(st_notice, village_id, R_INT), F(st_notice, month, R_STR),
	F(st_notice, status, R_STR), F(st_notice, published_by_name, R_STR),
	F(st_notice, published_at, R_TIME), F(st_notice, closes_at, R_TIME),
	F(st_notice, chain_seq, R_INT), F(st_notice, chain_hash, R_STR),
	F(st_notice, entry_count, R_INT), F(st_notice, total_points, R_INT),
	F(st_notice, objection_count, R_INT), F(st_notice, open_objections, R_INT),
};

static const api_rfield objection_fields[] = {
	F(st_objection, id, R_INT), F(st_objection, village_id, R_INT),
	F(st_objection, notice_id, R_INT), F(st_objection, month, R_STR),
	F(st_objection, entry_id, R_INT), F(st_objection, household_id, R_INT),
	F(st_objection, passbook_no, R_STR), F(st_objection, head_name, R_STR),
	F(st_objection, rule_name, R_STR), F(st_objection, entry_kind, R_STR),
	F(st_objection, deed_date, R_STR), F(st_objection, entry_points, R_INT),
	F(st_objection, reason, R_STR), F(st_objection, status, R_STR),
	F(st_objection, resolution, R_STR), F(st_objection, reversal_entry_id, R_ID),
	F(st_objection, created_at, R_TIME), F(st_objection, settled_by_name, R_STR),
};

/* An optional time: null when 0. */
static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char iso[32];
	time_iso(t, iso, sizeof(iso));
	return json_string(iso);
}

/* A notice as JSON: the table, confirmed_at, and whether objections are taken now. */
static json_t *notice_json(const st_notice *n)
{
	json_t *j = api_render(n, notice_fields, NF(notice_fields));
	json_object_set_new(j, "confirmed_at", time_or_null(n->confirmed_at));
	json_object_set_new(j, "window_open", json_boolean(strcmp(n->status, "open") == 0 &&
	                                                   time_now() < n->closes_at));
	return j;
}

/* An objection as JSON for who: its author only for staff and the author. */
static json_t *objection_json(const actor *who, const st_objection *o)
{
	json_t *j = api_render(o, objection_fields, NF(objection_fields));
	json_object_set_new(j, "settled_at", time_or_null(o->settled_at));
	bool visible = objection_author_visible(who, o);
	json_object_set_new(j, "created_by", visible ? json_integer(o->created_by) : json_null());
	json_object_set_new(j, "created_by_name",
	                    visible && o->created_by_name ? json_string(o->created_by_name)
	                                                  : json_null());
	json_object_set_new(j, "mine", json_boolean(who->user && who->user->id == o->created_by));
	return j;
}

static void reply_notice(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	st_notice n;
	core_err err;
	if (notice_get(app->st, api_actor(req), id, &req->ar, &n, &err) != CORE_OK)
		api_fail(req, &err);
	else
		http_json(req, status, notice_json(&n));
}

void api_notices_publish(http_req *req)
{
	static const api_field fields[] = {{"month", F_STR, true}};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	int64_t id = 0;
	core_err err;
	if (notice_publish(app->st, api_actor(req), req->params[0], api_str(body, "month"),
	                   app->notice_day_seconds, &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_notice(req, 201, id);
	json_decref(body);
}

void api_notices_list(http_req *req)
{
	api_app *app = req->app;
	int64_t offset = 0, limit = 0, page = 1, total = 0;
	if (!api_paging(req, &offset, &limit, &page))
		return;
	st_notice *list = NULL;
	size_t n = 0;
	core_err err;
	if (notice_list(app->st, api_actor(req), req->params[0], offset, limit, &req->ar, &list, &n,
	                &total, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, notice_json(&list[i]));
	api_page_reply(req, items, total, page, limit);
}

/* The objections of entry_id among the view's, as JSON for who. */
static json_t *entry_objections(const actor *who, const notice_view *v, int64_t entry_id)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->nobjections; i++)
		if (v->objections[i].entry_id == entry_id)
			json_array_append_new(a, objection_json(who, &v->objections[i]));
	return a;
}

void api_notice_get(http_req *req)
{
	api_app *app = req->app;
	const actor *who = api_actor(req);
	int64_t household = 0;
	if (!api_query_id(req, "household_id", &household))
		return;
	notice_view v;
	core_err err;
	if (notice_view_get(app->st, who, req->params[0], household, &req->ar, &v, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *lines = json_array();
	for (size_t i = 0; i < v.nlines; i++) {
		const notice_line *l = &v.lines[i];
		json_t *entries = json_array();
		for (size_t k = 0; k < l->nentries; k++) {
			const st_entry *e = &l->entries[k];
			json_t *je = api_entry_json(e);
			json_object_set_new(je, "after_publication",
			                    json_boolean(e->seq > v.notice.chain_seq));
			json_object_set_new(je, "objections", entry_objections(who, &v, e->id));
			json_array_append_new(entries, je);
		}
		const st_notice_household *h = l->household;
		json_array_append_new(lines, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:o}",
		                                       "household_id", (json_int_t)h->household_id,
		                                       "passbook_no", h->passbook_no, "head_name",
		                                       h->head_name, "group_id",
		                                       (json_int_t)h->group_id, "group_name",
		                                       h->group_name, "status", h->status, "points",
		                                       (json_int_t)l->points, "entry_count",
		                                       (json_int_t)l->nentries, "entries", entries));
	}
	json_t *j = notice_json(&v.notice);
	json_object_set_new(j, "published_by", v.notice.published_by
	                                           ? json_integer(v.notice.published_by)
	                                           : json_null());
	json_object_set_new(j, "village_name", json_string(v.village_name));
	json_object_set_new(j, "households", lines);
	http_json(req, 200, j);
}

/* A name masked for the public (于*军), or null. */
static json_t *masked(const char *name)
{
	char out[256];
	return name ? json_string(utf8_mask_name(name, out, sizeof(out))) : json_null();
}

void api_notice_current(http_req *req)
{
	api_app *app = req->app;
	const char *month = http_query(req, "month");
	notice_view v;
	core_err err;
	if (notice_view_public(app->st, req->params[0], month && *month ? month : NULL, &req->ar, &v,
	                       &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	/* no phone numbers, no notes (free text), no user names: masked names only */
	json_t *lines = json_array();
	for (size_t i = 0; i < v.nlines; i++) {
		const notice_line *l = &v.lines[i];
		json_t *entries = json_array();
		for (size_t k = 0; k < l->nentries; k++) {
			const st_entry *e = &l->entries[k];
			bool late = strncmp(e->deed_date, e->month, 7) != 0;
			json_array_append_new(
				entries,
				json_pack("{s:I, s:s, s:o, s:o, s:I, s:I, s:s, s:o, s:b, s:b}", "id",
				          (json_int_t)e->id, "kind", e->kind, "rule_name",
				          e->rule_name ? json_string(e->rule_name) : json_null(),
				          "rule_category",
				          e->rule_category ? json_string(e->rule_category) : json_null(),
				          "points", (json_int_t)e->points, "quantity",
				          (json_int_t)e->quantity, "deed_date", e->deed_date, "member_name",
				          masked(e->member_name), "late", late, "reversed",
				          e->reversed_by != 0));
		}
		json_array_append_new(lines, json_pack("{s:o, s:s, s:I, s:o}", "head_name",
		                                       masked(l->household->head_name), "group_name",
		                                       l->household->group_name, "points",
		                                       (json_int_t)l->points, "entries", entries));
	}
	json_t *j = notice_json(&v.notice);
	json_object_set_new(j, "village_name", json_string(v.village_name));
	json_object_set_new(j, "households", lines);
	http_json(req, 200, j);
}

/* ---- objections ---------------------------------------------------------- */

/* Renders an objection with its notice's status now (confirmed by a settlement?). */
static void reply_objection(http_req *req, int status, int64_t id)
{
	api_app *app = req->app;
	const actor *who = api_actor(req);
	st_objection o;
	st_notice n;
	core_err err;
	if (objection_get(app->st, who, id, &req->ar, &o, &err) != CORE_OK ||
	    notice_get(app->st, who, o.notice_id, &req->ar, &n, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = objection_json(who, &o);
	json_object_set_new(j, "notice_status", json_string(n.status));
	http_json(req, status, j);
}

/* Replays a finished request from "objection:ID". */
static void rerender(http_req *req, const char *result_ref, int status)
{
	long long id = 0;
	if (sscanf(result_ref, "objection:%lld", &id) == 1)
		reply_objection(req, status, id);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

static void rerender_created(http_req *req, const char *result_ref)
{
	rerender(req, result_ref, 201);
}

static void rerender_settled(http_req *req, const char *result_ref)
{
	rerender(req, result_ref, 200);
}

void api_objections_create(http_req *req)
{
	static const api_field fields[] = {{"entry_id", F_INT, true}, {"reason", F_STR, true}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_created))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	int64_t id = 0;
	core_err err;
	if (objection_file(app->st, api_actor(req), req->params[0], api_int(body, "entry_id"),
	                   api_str(body, "reason"), API_IDEM(&idem), &id, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_objection(req, 201, id);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

void api_objections_list(http_req *req)
{
	api_app *app = req->app;
	const actor *who = api_actor(req);
	const char *status = http_query(req, "status");
	if (status && (!*status || strcmp(status, "all") == 0))
		status = NULL;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "upheld") != 0 &&
	    strcmp(status, "dismissed") != 0) {
		http_error(req, 400, "bad_query", "status 只能是 open、upheld、dismissed 或 all",
		           "status must be open, upheld, dismissed or all");
		return;
	}
	st_objection *list = NULL;
	size_t n = 0;
	core_err err;
	if (objection_list(app->st, who, req->params[0], status, &req->ar, &list, &n, &err) !=
	    CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, objection_json(who, &list[i]));
	http_json(req, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

void api_objection_get(http_req *req)
{
	reply_objection(req, 200, req->params[0]);
}

void api_objection_settle(http_req *req)
{
	static const api_field fields[] = {{"outcome", F_STR, true}, {"resolution", F_STR, true}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, rerender_settled))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	core_err err;
	if (objection_settle(app->st, api_actor(req), req->params[0], api_str(body, "outcome"),
	                     api_str(body, "resolution"), API_IDEM(&idem), NULL, &err) != CORE_OK)
		api_fail(req, &err);
	else
		reply_objection(req, 200, req->params[0]);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}
