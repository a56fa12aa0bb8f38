/*
 * response.c: setting JSON responses and the one error shape on a request.
 * Bodies are serialised into the request's arena; the server sends them.
 */
#include "http/http.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

void http_json(http_req *req, int status, void *body)
{
	json_t *j = body;
	/* 15 significant digits: a rate of 0.8514 prints as 0.8514 */
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(j);
	req->status = status;
	req->resp_type = "application/json; charset=utf-8";
	if (!s) {
		req->status = 500;
		req->resp_body = arena_strdup(&req->ar,
			"{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误\","
			"\"message_en\":\"internal error\"}}");
	} else {
		req->resp_body = arena_strdup(&req->ar, s);
		free(s);
	}
	req->resp_len = req->resp_body ? strlen(req->resp_body) : 0;
}

void http_json_text(http_req *req, int status, char *body, size_t len)
{
	if (!body) {
		http_json(req, 500, NULL);
		return;
	}
	req->status = status;
	req->resp_type = "application/json; charset=utf-8";
	req->resp_body = body;
	req->resp_len = len;
}


void http_error(http_req *req, int status, const char *code, const char *msg_zh,
                const char *msg_en)
{
	char zh[1024], en[1024];
	json_t *e = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "message",
	                      utf8_scrub(msg_zh, zh, sizeof(zh)), "message_en",
	                      utf8_scrub(msg_en, en, sizeof(en)));
	http_json(req, status, e);
}

/* Both formats take the same arguments in the same order. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void http_errorf(http_req *req, int status, const char *code, const char *fmt_zh,
                 const char *fmt_en, ...)
{
	char zh[512], en[512];
	va_list ap;
	va_start(ap, fmt_en);
	va_list ap2;
	va_copy(ap2, ap);
	vsnprintf(zh, sizeof(zh), fmt_zh, ap);
	vsnprintf(en, sizeof(en), fmt_en, ap2);
	va_end(ap2);
	va_end(ap);
	http_error(req, status, code, zh, en);
}
#pragma GCC diagnostic pop
