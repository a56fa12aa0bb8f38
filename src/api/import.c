/*
 * import.c: POST /api/v1/villages/{id}/households/import — the roster CSV as
 * the raw body (UTF-8 or GB18030). ?dry_run=1 reports without changing
 * anything. A file with bad rows gets 422 and the list of rows and reasons.
 */
#include "api/api.h"

#include <string.h>

#include "core/import.h"

static json_t *report_json(const import_report *r, bool dry_run)
{
	json_t *problems = json_array();
	size_t shown = r->nproblems < IMPORT_MAX_PROBLEMS ? r->nproblems : IMPORT_MAX_PROBLEMS;
	for (size_t i = 0; r->problems && i < shown; i++)
		json_array_append_new(problems, json_pack("{s:I, s:s, s:s}", "row",
		                                          (json_int_t)r->problems[i].row, "message",
		                                          r->problems[i].zh, "message_en",
		                                          r->problems[i].en));
	return json_pack("{s:b, s:b, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "dry_run",
	                 dry_run, "applied", r->applied, "encoding", r->encoding, "rows",
	                 (json_int_t)r->rows, "created", (json_int_t)r->created, "updated",
	                 (json_int_t)r->updated, "unchanged", (json_int_t)r->unchanged,
	                 "groups_created", (json_int_t)r->groups_created, "members_added",
	                 (json_int_t)r->members_added, "problem_count", (json_int_t)r->nproblems,
	                 "problems", problems);
}

void api_households_import(http_req *req)
{
	api_app *app = req->app;
	const char *dr = http_query(req, "dry_run");
	bool dry_run = dr && (strcmp(dr, "1") == 0 || strcmp(dr, "true") == 0);
	if (dr && !dry_run && strcmp(dr, "0") != 0 && strcmp(dr, "false") != 0) {
		http_error(req, 400, "bad_query", "dry_run 只能是 1/0 或 true/false",
		           "dry_run must be 1, 0, true or false");
		return;
	}
	if (req->body_len == 0) {
		http_error(req, 400, "empty_body", "请上传 CSV 文件内容", "upload the CSV file as the body");
		return;
	}
	import_report r;
	core_err err;
	if (import_households(app->st, api_actor(req), req->params[0], req->body, req->body_len,
	                      dry_run, &req->ar, &r, NULL, NULL, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = report_json(&r, dry_run);
	if (r.nproblems) {
		json_t *e = json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code", "import_rejected",
		                      "message", "文件中有错误，没有导入任何数据；请按行号修改后重试",
		                      "message_en",
		                      "the file has errors; nothing was imported; fix the rows listed and retry",
		                      "report", j);
		http_json(req, 422, e);
		return;
	}
	http_json(req, 200, j);
}
