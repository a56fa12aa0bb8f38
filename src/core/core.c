/*
 * core.c: the shared pieces of the domain layer: error recording and the one
 * way every write puts its line into the audit log.
 */
#include "core/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
core_status core_fail(core_err *err, core_status st, const char *code, const char *zh,
                      const char *en, ...)
{
	va_list ap, ap2;
	va_start(ap, en);
	va_copy(ap2, ap);
	err->status = st;
	snprintf(err->code, sizeof(err->code), "%s", code);
	vsnprintf(err->zh, sizeof(err->zh), zh, ap);
	vsnprintf(err->en, sizeof(err->en), en, ap2);
	va_end(ap2);
	va_end(ap);
	return st;
}
#pragma GCC diagnostic pop

core_status core_set(core_err *err, core_status st, const char *code, const char *zh,
                     const char *en)
{
	err->status = st;
	snprintf(err->code, sizeof(err->code), "%s", code);
	snprintf(err->zh, sizeof(err->zh), "%s", zh);
	snprintf(err->en, sizeof(err->en), "%s", en);
	return st;
}

core_status core_store_fail(core_err *err, store_rc rc, const char *what_zh, const char *what_en)
{
	const char *msg = store_errmsg();
	switch (rc) {
	case STORE_NOT_FOUND:
		err->status = CORE_NOT_FOUND;
		snprintf(err->code, sizeof(err->code), "not_found");
		snprintf(err->zh, sizeof(err->zh), "%s不存在", what_zh);
		snprintf(err->en, sizeof(err->en), "%s not found", what_en);
		break;
	case STORE_CONFLICT:
		err->status = CORE_CONFLICT;
		snprintf(err->code, sizeof(err->code), "duplicate");
		snprintf(err->zh, sizeof(err->zh), "%s已存在（名称或编号重复）", what_zh);
		snprintf(err->en, sizeof(err->en), "%s already exists (duplicate name or number)",
		         what_en);
		break;
	case STORE_CONSTRAINT:
		err->status = CORE_INVALID;
		snprintf(err->code, sizeof(err->code), "constraint");
		snprintf(err->zh, sizeof(err->zh), "%s不符合数据规则：%s", what_zh, msg);
		snprintf(err->en, sizeof(err->en), "%s breaks a data rule: %s", what_en, msg);
		break;
	default:
		err->status = CORE_ERROR;
		snprintf(err->code, sizeof(err->code), "database");
		snprintf(err->zh, sizeof(err->zh), "数据库错误，请稍后重试（%s）", msg);
		snprintf(err->en, sizeof(err->en), "database error, please retry (%s)", msg);
		break;
	}
	return err->status;
}

store_rc core_audit(store *st, const actor *who, int64_t village_id, const char *entity,
                    int64_t entity_id, const char *action, const char *summary)
{
	st_audit a;
	memset(&a, 0, sizeof(a));
	a.at = time_now();
	a.user_id = who && who->user ? who->user->id : 0;
	a.ip = who && who->ip ? who->ip : "";
	a.village_id = village_id;
	/* a write outside any village (an area, an area admin's account or login)
	 * belongs to the area of the area admin who made it, so area admins see it */
	if (!village_id && who && who->user && who->user->area_id)
		a.area_id = who->user->area_id;
	a.entity = entity;
	a.entity_id = entity_id;
	a.action = action;
	a.summary = summary;
	return store_audit_add(st, &a);
}
