/*
 * health.c: GET /api/v1/health (is the server up and its database readable?)
 * and GET /api/v1/openapi.yaml (the API document, served from docs/api/).
 */
#include "api/api.h"

#include "util/timeutil.h"

void api_health(http_req *req)
{
	api_app *app = req->app;
	int version = store_schema_version(app->st);
	if (version < 0) {
		http_error(req, 503, "unavailable", "数据库不可用", "the database is not available");
		return;
	}
	http_json(req, 200, json_pack("{s:s, s:s, s:i, s:I}", "status", "ok", "version",
	                              JIFEN_VERSION, "schema", version, "uptime_s",
	                              (json_int_t)(time_now() - app->started_at)));
}

void api_openapi(http_req *req)
{
	api_app *app = req->app;
	req->status = 200;
	req->file_path = app->openapi_path;
	req->resp_type = "application/yaml; charset=utf-8";
	req->cache_control = "no-cache";
}
