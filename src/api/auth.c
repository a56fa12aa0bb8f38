/*
 * auth.c: who is asking. Runs before every /api handler: finds the session from
 * "Authorization: Bearer TOKEN" or the HttpOnly cookie, refuses state-changing
 * cookie requests without the session's CSRF token (X-CSRF-Token header), and
 * leaves the user on the request. Also the three /api/v1/session handlers.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/timeutil.h"

#define COOKIE_NAME "jifen_session"

static bool is_safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* The token the request carries, and whether it came from the cookie. */
static const char *request_token(http_req *req, bool *via_cookie)
{
	*via_cookie = false;
	const char *h = http_header(req, "Authorization");
	if (h && strncasecmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == TOKEN_CHARS)
		return h + 7;
	const char *c = http_cookie(req, COOKIE_NAME);
	if (c && strlen(c) == TOKEN_CHARS) {
		*via_cookie = true;
		return c;
	}
	return NULL;
}

static void clear_cookie(http_req *req)
{
	req->set_cookie = COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

/* Resolves the session into a new api_auth on the request. */
static core_status authenticate(http_req *req, core_err *err)
{
	api_app *app = req->app;
	bool via_cookie = false;
	const char *token = request_token(req, &via_cookie);
	if (!token)
		return core_fail(err, CORE_UNAUTHORIZED, "not_logged_in", "请先登录", "please log in");
	api_auth *a = arena_alloc(&req->ar, sizeof(*a));
	if (!a)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	if (auth_resolve(app->st, &app->auth, token, &req->ar, &a->user, &a->sess, err) != CORE_OK) {
		if (via_cookie)
			clear_cookie(req);
		return err->status;
	}
	a->via_cookie = via_cookie;
	a->who.user = &a->user;
	a->who.ip = req->ip;
	req->auth = a;
	req->user_id = a->user.id;
	return CORE_OK;
}

bool api_before(http_req *req)
{
	if (req->route->public_)
		return true;
	core_err err;
	if (authenticate(req, &err) != CORE_OK) {
		api_fail(req, &err);
		return false;
	}
	api_auth *a = req->auth;
	if (a->via_cookie && !is_safe_method(req->method)) {
		const char *csrf = http_header(req, "X-CSRF-Token");
		if (!csrf || !token_equal(csrf, a->sess.csrf_token)) {
			log_warn("denied %s %s user=%lld ip=%s: missing or wrong CSRF token", req->method,
			         req->path, (long long)req->user_id, req->ip);
			http_error(req, 403, "csrf", "请求缺少有效的 X-CSRF-Token（请刷新页面后重试）",
			           "missing or wrong X-CSRF-Token header (reload the page and retry)");
			return false;
		}
	}
	return true;
}

/* ---- /api/v1/session -------------------------------------------------- */

static json_t *session_json(const st_user *u, const char *csrf, int64_t expires_at)
{
	json_t *user = API_RENDER(u, user);
	json_object_set_new(user, "phone", u->phone ? json_string(u->phone) : json_null());
	char iso[32];
	time_iso(expires_at, iso, sizeof(iso));
	return json_pack("{s:o, s:s, s:s}", "user", user, "csrf_token", csrf, "expires_at", iso);
}

void api_session_login(http_req *req)
{
	static const api_field fields[] = {
		{"username", F_STR, false}, {"password", F_STR, false}, {"phone", F_STR, false},
		{"village_id", F_INT, false}, {"passbook_no", F_STR, false}, {"pin", F_STR, false},
	};
	api_app *app = req->app;
	json_t *body = API_BODY(req, fields);
	if (!body)
		return;
	auth_login_in in = {
		.username = api_str(body, "username"), .phone = api_str(body, "phone"),
		.password = api_str(body, "password"), .village_id = api_int(body, "village_id"),
		.passbook_no = api_str(body, "passbook_no"), .pin = api_str(body, "pin"),
	};
	bool by_user = in.username && in.password && !in.phone && !in.passbook_no && !in.pin;
	bool by_phone = in.phone && in.password && !in.username && !in.passbook_no && !in.pin;
	bool by_pb = in.passbook_no && in.pin && in.village_id > 0 && !in.username && !in.phone &&
	             !in.password;
	if (!by_user && !by_phone && !by_pb) {
		json_decref(body);
		http_error(req, 422, "bad_login",
		           "请用以下一种方式登录：用户名+密码，手机号+密码，或村+存折号+PIN",
		           "log in with one of: username + password, phone + password, or "
		           "village_id + passbook_no + pin");
		return;
	}
	if ((in.password && strlen(in.password) > 512) || (in.pin && strlen(in.pin) > 64) ||
	    (in.username && strlen(in.username) > 128) || (in.phone && strlen(in.phone) > 64) ||
	    (in.passbook_no && strlen(in.passbook_no) > 64)) {
		json_decref(body);
		http_error(req, 422, "too_long", "登录信息太长", "login fields too long");
		return;
	}
	auth_login_out out;
	core_err err;
	int retry = 0;
	core_status cs = auth_login(app->st, &app->auth, &in, req->ip, &req->ar, &out, &retry, &err);
	json_decref(body);
	if (cs != CORE_OK) {
		req->retry_after = retry;
		api_fail(req, &err);
		return;
	}
	/* rotate: a session this browser already had ends now that a new one exists */
	bool via_cookie = false;
	const char *old = request_token(req, &via_cookie);
	if (old) {
		st_user ou;
		st_session os;
		core_err ignore;
		if (auth_resolve(app->st, &app->auth, old, &req->ar, &ou, &os, &ignore) == CORE_OK) {
			actor w = {.user = &ou, .ip = req->ip};
			auth_logout(app->st, &w, os.id, &ignore);
		}
	}
	req->user_id = out.user.id;
	req->set_cookie = arena_printf(&req->ar, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; "
	                               "Max-Age=%lld%s", out.token, (long long)app->auth.lifetime_s,
	                               app->secure_cookies ? "; Secure" : "");
	json_t *j = session_json(&out.user, out.csrf, out.expires_at);
	json_object_set_new(j, "token", json_string(out.token));
	http_json(req, 201, j);
}

void api_session_get(http_req *req)
{
	api_auth *a = req->auth;
	http_json(req, 200, session_json(&a->user, a->sess.csrf_token, a->sess.expires_at));
}

void api_session_logout(http_req *req)
{
	api_app *app = req->app;
	api_auth *a = req->auth;
	core_err err;
	if (auth_logout(app->st, &a->who, a->sess.id, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	clear_cookie(req);
	http_json(req, 200, json_pack("{s:b}", "ok", 1));
}
