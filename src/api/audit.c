/*
 * audit.c: GET /api/v1/audit — the audit log, for village admins (their
 * village) and area admins (their area), filtered by entity, user and time.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/access.h"

/* Reads an ISO date (UTC) or Unix seconds query argument; false (response set)
 * if bad. A date as "until" means the end of that day, so the day is included. */
static bool query_time(http_req *req, const char *name, int64_t *out)
{
	*out = 0;
	const char *s = http_query(req, name);
	if (!s || !*s)
		return true;
	int y, mo, d;
	char tail;
	if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
		time_t t = timegm(&tm);
		struct tm back;
		/* timegm normalises 2024-02-30 to March 1st: refuse dates that moved */
		if (y < 1970 || !gmtime_r(&t, &back) || back.tm_year != y - 1900 ||
		    back.tm_mon != mo - 1 || back.tm_mday != d) {
			http_errorf(req, 400, "bad_query", "查询参数 %s 不是有效的日期（YYYY-MM-DD）",
			            "query parameter %s is not a valid date (YYYY-MM-DD)", name);
			return false;
		}
		*out = (int64_t)t + (strcmp(name, "until") == 0 ? 86400 : 0);
		return true;
	}
	return api_query_id(req, name, out);
}

void api_audit_list(http_req *req)
{
	api_app *app = req->app;
	const actor *who = api_actor(req);
	st_audit_filter f = {0};
	int64_t page = 1;
	if (!api_paging(req, &f.offset, &f.limit, &page) ||
	    !api_query_id(req, "village_id", &f.village_id) ||
	    !api_query_id(req, "entity_id", &f.entity_id) ||
	    !api_query_id(req, "user_id", &f.user_id) || !query_time(req, "since", &f.since) ||
	    !query_time(req, "until", &f.until))
		return;
	f.entity = http_query(req, "entity");
	if (f.entity && strlen(f.entity) > 32) {
		http_error(req, 400, "bad_query", "entity 太长", "entity is too long");
		return;
	}
	core_err err;
	const st_user *me = who->user;
	if (strcmp(me->role, "area_admin") == 0) {
		if (f.village_id && access_village(app->st, who, f.village_id, ACCESS_ADMIN, &err) != CORE_OK) {
			api_fail(req, &err);
			return;
		}
		f.area_root = me->area_id;
	} else if (strcmp(me->role, "village_admin") == 0) {
		if (f.village_id && f.village_id != me->village_id) {
			core_fail(&err, CORE_FORBIDDEN, "forbidden", "只能查看本村的操作记录",
			          "you can read only your own village's audit log");
			api_fail(req, &err);
			return;
		}
		f.village_id = me->village_id;
	} else {
		core_fail(&err, CORE_FORBIDDEN, "forbidden", "只有管理员可以查看操作记录",
		          "only admins can read the audit log");
		api_fail(req, &err);
		return;
	}
	st_audit *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	store_rc rc = store_audit_list(app->st, &f, &req->ar, &list, &n, &total);
	if (rc != STORE_OK) {
		core_store_fail(&err, rc, "操作记录", "audit log");
		api_fail(req, &err);
		return;
	}
	api_page_reply(req, API_RENDER_LIST(list, n, audit), total, page, f.limit);
}
