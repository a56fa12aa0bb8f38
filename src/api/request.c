/*
 * request.c: the helpers every handler uses: strict JSON bodies described by a
 * field table, query paging, and mapping domain errors to HTTP statuses.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/utf8.h"

static const char *type_name(api_ftype t)
{
	static const char *names[] = {"string", "integer", "boolean", "array", "object"};
	return names[t];
}

static bool type_ok(json_t *v, api_ftype t)
{
	switch (t) {
	case F_STR:
		return json_is_string(v);
	case F_INT:
		return json_is_integer(v);
	case F_BOOL:
		return json_is_boolean(v);
	case F_ARRAY:
		return json_is_array(v);
	case F_OBJECT:
		return json_is_object(v);
	}
	return false;
}

json_t *api_body(http_req *req, const api_field *fields, size_t n)
{
	if (req->body_len == 0) {
		http_error(req, 400, "empty_body", "请求内容为空，需要一个 JSON 对象",
		           "the request body is empty; a JSON object is expected");
		return NULL;
	}
	if (!utf8_valid(req->body, req->body_len)) {
		http_error(req, 400, "invalid_utf8", "请求内容不是有效的 UTF-8 文本",
		           "the request body is not valid UTF-8");
		return NULL;
	}
	json_error_t jerr;
	json_t *o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		http_errorf(req, 400, "malformed_json", "JSON 格式错误（第 %d 行第 %d 列）：%s",
		            "malformed JSON (line %d, column %d): %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		http_error(req, 400, "not_an_object", "请求内容必须是一个 JSON 对象",
		           "the request body must be a JSON object");
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		const api_field *f = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(fields[i].name, key) == 0)
				f = &fields[i];
		if (!f) {
			http_errorf(req, 422, "unknown_field", "不认识的字段：%.64s", "unknown field: %.64s",
			            key);
			json_decref(o);
			return NULL;
		}
		if (json_is_null(v) && !f->required)
			continue;
		if (!type_ok(v, f->type)) {
			http_errorf(req, 422, "wrong_type", "字段 %s 的类型应为 %s", "field %s must be a %s",
			            f->name, type_name(f->type));
			json_decref(o);
			return NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_object_get(o, fields[i].name);
		if (fields[i].required && (!x || json_is_null(x))) {
			http_errorf(req, 422, "missing_field", "缺少必填字段：%s", "missing field: %s",
			            fields[i].name);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

const char *api_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int64_t api_int(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

bool api_bool(json_t *o, const char *key, bool dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const actor *api_actor(http_req *req)
{
	api_auth *a = req->auth;
	return &a->who;
}

/* Parses a positive decimal of at most 18 digits. */
static bool parse_pos(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 18)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v > 0;
}

bool api_query_id(http_req *req, const char *name, int64_t *out)
{
	const char *s = http_query(req, name);
	*out = 0;
	if (!s || !*s)
		return true;
	if (!parse_pos(s, out)) {
		http_errorf(req, 400, "bad_query", "查询参数 %s 必须是正整数",
		            "query parameter %s must be a positive integer", name);
		return false;
	}
	return true;
}

bool api_paging(http_req *req, int64_t *offset, int64_t *limit, int64_t *page)
{
	int64_t p = 0, pp = 0;
	if (!api_query_id(req, "page", &p) || !api_query_id(req, "per_page", &pp))
		return false;
	if (p == 0)
		p = 1;
	if (pp == 0)
		pp = 50;
	if (pp > 200) {
		http_error(req, 400, "bad_query", "每页最多 200 条（per_page）",
		           "per_page is at most 200");
		return false;
	}
	if (p > 1000000000) {
		http_error(req, 400, "bad_query", "页码太大（page）", "page is too large");
		return false;
	}
	*page = p;
	*limit = pp;
	*offset = (p - 1) * pp;
	return true;
}

void api_fail(http_req *req, const core_err *err)
{
	static const struct {
		core_status st;
		int http;
	} map[] = {
		{CORE_INVALID, 422}, {CORE_NOT_FOUND, 404}, {CORE_FORBIDDEN, 403},
		{CORE_CONFLICT, 409}, {CORE_UNAUTHORIZED, 401}, {CORE_THROTTLED, 429},
		{CORE_ERROR, 500},
	};
	int status = 500;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].st == err->status)
			status = map[i].http;
	if (status == 403)
		log_warn("denied %s %s user=%lld ip=%s: %s", req->method, req->path,
		         (long long)req->user_id, req->ip, err->en);
	if (status == 500)
		log_error("failed %s %s user=%lld: %s", req->method, req->path,
		          (long long)req->user_id, err->en);
	http_error(req, status, err->code[0] ? err->code : "error", err->zh, err->en);
}

void api_page_reply(http_req *req, json_t *items, int64_t total, int64_t page, int64_t per_page)
{
	http_json(req, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
	                              (json_int_t)total, "page", (json_int_t)page, "per_page",
	                              (json_int_t)per_page));
}
