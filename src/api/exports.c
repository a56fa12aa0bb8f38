/*
 * exports.c: downloads of the village's records as CSV, Excel or PDF
 * (?format=csv|xlsx|pdf): the monthly notice, the ranking, a household's
 * passbook, the shop's redemptions and a sponsor's statement. Each handler
 * reads its arguments and calls core/exports.c, which checks access and lays
 * the file out; the reply is the file's bytes with its Content-Type and a
 * Content-Disposition naming it in Chinese (RFC 5987) with an ASCII fallback.
 */
#include "api/api.h"

#include <string.h>

#include "core/exports.h"
#include "util/timeutil.h"

/* Reads ?format= into o (and the public URL of the server). False: response set. */
static bool format_arg(http_req *req, exports_opts *o)
{
	api_app *app = req->app;
	o->public_url = app->public_url;
	if (!export_format_parse(http_query(req, "format"), &o->format)) {
		http_error(req, 400, "bad_query", "查询参数 format 必须是 csv、xlsx 或 pdf",
		           "query parameter format must be csv, xlsx or pdf");
		return false;
	}
	return true;
}

/* Sends the file, or the domain's error. */
static void reply(http_req *req, core_status st, const exports_file *f, const core_err *err)
{
	if (st != CORE_OK) {
		api_fail(req, err);
		return;
	}
	const char *disp = export_disposition(&req->ar, f->filename, f->ascii_filename);
	if (!disp) {
		http_error(req, 500, "internal", "服务器内部错误", "internal error");
		return;
	}
	req->status = 200;
	req->resp_body = (char *)f->data; /* arena-owned, binary */
	req->resp_len = f->len;
	req->resp_type = f->content_type;
	req->cache_control = "private, no-store";
	req->extra_header_name = "Content-Disposition";
	req->extra_header_value = disp;
}

void api_notice_export(http_req *req)
{
	api_app *app = req->app;
	exports_opts o;
	exports_file f;
	core_err err;
	if (!format_arg(req, &o))
		return;
	core_status st = exports_notice(app->st, api_actor(req), req->params[0], &o, &req->ar, &f, &err);
	reply(req, st, &f, &err);
}

void api_ranking_export(http_req *req)
{
	api_app *app = req->app;
	exports_opts o;
	exports_file f;
	core_err err;
	int64_t group_id = 0;
	if (!format_arg(req, &o) || !api_query_id(req, "group_id", &group_id))
		return;
	const char *period = http_query(req, "period");
	if (!period || !*period) {
		char today[11];
		time_today_cn(today);
		period = arena_strndup(&req->ar, today, 4); /* this year, as the ranking view */
	}
	core_status st = exports_ranking(app->st, api_actor(req), req->params[0], period, group_id,
	                                 &o, &req->ar, &f, &err);
	reply(req, st, &f, &err);
}

void api_passbook_export(http_req *req)
{
	api_app *app = req->app;
	exports_opts o;
	exports_file f;
	core_err err;
	if (!format_arg(req, &o))
		return;
	core_status st = exports_passbook(app->st, api_actor(req), req->params[0], &o, &req->ar, &f,
	                                  &err);
	reply(req, st, &f, &err);
}

void api_redemptions_export(http_req *req)
{
	api_app *app = req->app;
	exports_opts o;
	exports_file f;
	core_err err;
	if (!format_arg(req, &o))
		return;
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	core_status st = exports_redemptions(app->st, api_actor(req), req->params[0],
	                                     from && *from ? from : NULL, to && *to ? to : NULL, &o,
	                                     &req->ar, &f, &err);
	reply(req, st, &f, &err);
}

void api_sponsor_export(http_req *req)
{
	api_app *app = req->app;
	exports_opts o;
	exports_file f;
	core_err err;
	if (!format_arg(req, &o))
		return;
	core_status st = exports_sponsor(app->st, api_actor(req), req->params[0], &o, &req->ar, &f,
	                                 &err);
	reply(req, st, &f, &err);
}
