/*
 * org.c: areas, villages and villager groups (see org.h).
 */
#include "core/org.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/validate.h"
#include "util/timeutil.h"

#define NAME_MAX_CHARS 64

core_status org_begin(store *st, core_err *err)
{
	store_rc rc = store_begin(st);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "事务", "transaction");
}

core_status org_finish(store *st, const actor *who, int64_t village_id, const char *entity,
                       int64_t entity_id, const char *action, const char *summary,
                       core_err *err)
{
	store_rc rc = core_audit(st, who, village_id, entity, entity_id, action, summary);
	if (rc == STORE_OK)
		rc = store_commit(st);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "审计记录", "audit record");
	}
	return CORE_OK;
}

/* A compact JSON summary for the audit log; the caller frees it. */
static char *summary_of(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static core_status write_failed(store *st, core_err *err, store_rc rc, const char *zh,
                                const char *en)
{
	store_rollback(st);
	return core_store_fail(err, rc, zh, en);
}

/* ---- areas ------------------------------------------------------------ */

core_status org_area_create(store *st, const actor *who, const st_area *a, int64_t *id,
                            core_err *err)
{
	if (validate_text(err, "name", "名称", a->name, 1, NAME_MAX_CHARS) != CORE_OK)
		return err->status;
	if (!a->level || (strcmp(a->level, "county") != 0 && strcmp(a->level, "township") != 0))
		return core_fail(err, CORE_INVALID, "invalid_level",
		                 "地区级别只能是 county（区县）或 township（乡镇）",
		                 "level must be county or township");
	bool county = strcmp(a->level, "county") == 0;
	if (county && a->parent_id)
		return core_fail(err, CORE_INVALID, "invalid_parent", "区县不能有上级地区",
		                 "a county has no parent area");
	if (county && who->user)
		return core_fail(err, CORE_FORBIDDEN, "forbidden",
		                 "区县只能由系统管理员在命令行创建（jifen init --county）",
		                 "counties are created by the operator (jifen init --county)");
	if (!county) {
		arena ar;
		arena_init(&ar, 0);
		st_area parent;
		store_rc rc = a->parent_id ? store_area_get(st, a->parent_id, &ar, &parent)
		                           : STORE_NOT_FOUND;
		bool parent_is_county = rc == STORE_OK && strcmp(parent.level, "county") == 0;
		arena_free(&ar);
		if (rc == STORE_NOT_FOUND)
			return core_fail(err, CORE_INVALID, "invalid_parent",
			                 "乡镇必须属于一个已有的区县（parent_id）",
			                 "a township needs an existing county as parent_id");
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "上级地区", "parent area");
		if (!parent_is_county)
			return core_fail(err, CORE_INVALID, "invalid_parent", "乡镇的上级必须是区县",
			                 "a township's parent must be a county");
		if (access_area(st, who, a->parent_id, err) != CORE_OK)
			return err->status;
	}
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	st_area rec = *a;
	rec.created_at = time_now();
	store_rc rc = store_area_create(st, &rec, id);
	if (rc != STORE_OK)
		return write_failed(st, err, rc, "同名地区", "an area with this name");
	char *sum = summary_of(json_pack("{s:s, s:s, s:I}", "name", a->name, "level", a->level,
	                                 "parent_id", (json_int_t)a->parent_id));
	core_status cs = org_finish(st, who, 0, "area", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status org_area_get(store *st, const actor *who, int64_t id, arena *ar, st_area *out,
                         core_err *err)
{
	store_rc rc = store_area_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "地区", "area");
	return access_area(st, who, id, err);
}

core_status org_area_list(store *st, const actor *who, arena *ar, st_area **out, size_t *n,
                          core_err *err)
{
	int64_t root = 0;
	if (who->user) {
		if (strcmp(who->user->role, "area_admin") != 0)
			return core_fail(err, CORE_FORBIDDEN, "forbidden", "只有区县、乡镇管理员可以查看地区",
			                 "only area admins can list areas");
		root = who->user->area_id;
	}
	store_rc rc = store_area_list(st, root, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "地区", "areas");
}

/* ---- villages --------------------------------------------------------- */

core_status org_village_create(store *st, const actor *who, const st_village *v, int64_t *id,
                               core_err *err)
{
	if (validate_text(err, "name", "村名", v->name, 1, NAME_MAX_CHARS) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_area area;
	store_rc rc = store_area_get(st, v->area_id, &ar, &area);
	arena_free(&ar);
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_INVALID, "invalid_area", "所属地区（area_id）不存在",
		                 "area_id names no area");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "地区", "area");
	if (access_area(st, who, v->area_id, err) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	st_village rec = *v;
	rec.created_at = time_now();
	rc = store_village_create(st, &rec, id);
	if (rc != STORE_OK)
		return write_failed(st, err, rc, "同名的村", "a village with this name");
	char *sum = summary_of(json_pack("{s:s, s:I}", "name", v->name, "area_id",
	                                 (json_int_t)v->area_id));
	core_status cs = org_finish(st, who, *id, "village", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status org_village_get(store *st, const actor *who, int64_t id, arena *ar, st_village *out,
                            core_err *err)
{
	if (access_village(st, who, id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_village_get(st, id, ar, out);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村", "village");
}

core_status org_village_list(store *st, const actor *who, arena *ar, st_village **out,
                             size_t *n, core_err *err)
{
	store_rc rc;
	if (!who->user || strcmp(who->user->role, "area_admin") == 0) {
		rc = store_village_list(st, who->user ? who->user->area_id : 0, ar, out, n);
	} else {
		*out = arena_alloc(ar, sizeof(st_village));
		*n = 1;
		rc = *out ? store_village_get(st, who->user->village_id, ar, *out) : STORE_ERROR;
	}
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村", "villages");
}

core_status org_village_update(store *st, const actor *who, int64_t id, const st_village *upd,
                               core_err *err)
{
	if (upd->name && validate_text(err, "name", "村名", upd->name, 1, NAME_MAX_CHARS) != CORE_OK)
		return err->status;
	if (upd->notice_days >= 0 && (upd->notice_days < 1 || upd->notice_days > 60))
		return core_fail(err, CORE_INVALID, "invalid_notice_days", "公示天数须在 1 到 60 之间",
		                 "notice_days must be between 1 and 60");
	if (upd->window_days >= 0 && upd->window_days > 92)
		return core_fail(err, CORE_INVALID, "invalid_window_days",
		                 "兑换期天数须在 0 到 92 之间（0 表示只在另设的兑换期兑换）",
		                 "window_days must be between 0 and 92 (0: only the windows set explicitly)");
	if (upd->balance_policy && strcmp(upd->balance_policy, "carry_over") != 0 &&
	    strcmp(upd->balance_policy, "clear") != 0)
		return core_fail(err, CORE_INVALID, "invalid_balance_policy",
		                 "年终余额政策只能是 carry_over（结转）或 clear（清零）",
		                 "balance_policy must be carry_over or clear");
	if (upd->second_review_points >= 0 &&
	    (upd->second_review_points < 1 || upd->second_review_points > 100000))
		return core_fail(err, CORE_INVALID, "invalid_second_review_points",
		                 "复核分值门槛须在 1 到 100000 之间",
		                 "second_review_points must be between 1 and 100000");
	if (access_village(st, who, id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_village old;
	char *sum = NULL;
	store_rc rc = store_village_get(st, id, &ar, &old);
	st_village v = old;
	if (upd->name)
		v.name = upd->name;
	if (upd->notice_days >= 0)
		v.notice_days = upd->notice_days;
	if (upd->window_days >= 0)
		v.window_days = upd->window_days;
	if (upd->balance_policy)
		v.balance_policy = upd->balance_policy;
	if (upd->second_review_points >= 0)
		v.second_review_points = upd->second_review_points;
	if (rc == STORE_OK)
		rc = store_village_update(st, &v);
	if (rc == STORE_OK) {
		json_t *j = json_object();
		if (strcmp(old.name, v.name) != 0)
			json_object_set_new(j, "name", json_pack("[s,s]", old.name, v.name));
		if (old.notice_days != v.notice_days)
			json_object_set_new(j, "notice_days", json_pack("[I,I]", (json_int_t)old.notice_days,
			                                                (json_int_t)v.notice_days));
		if (old.window_days != v.window_days)
			json_object_set_new(j, "window_days", json_pack("[I,I]", (json_int_t)old.window_days,
			                                                (json_int_t)v.window_days));
		if (strcmp(old.balance_policy, v.balance_policy) != 0)
			json_object_set_new(j, "balance_policy",
			                    json_pack("[s,s]", old.balance_policy, v.balance_policy));
		if (old.second_review_points != v.second_review_points)
			json_object_set_new(j, "second_review_points",
			                    json_pack("[I,I]", (json_int_t)old.second_review_points,
			                              (json_int_t)v.second_review_points));
		sum = summary_of(j);
	}
	arena_free(&ar);
	if (rc != STORE_OK)
		return write_failed(st, err, rc, "同名的村", "a village with this name");
	core_status cs = org_finish(st, who, id, "village", id, "update", sum, err);
	free(sum);
	return cs;
}

core_status org_village_rename(store *st, const actor *who, int64_t id, const char *name,
                               core_err *err)
{
	if (!name)
		return core_fail(err, CORE_INVALID, "missing_field", "缺少村名（name）", "missing field name");
	st_village upd = {.name = name, .notice_days = -1, .window_days = -1,
	                  .second_review_points = -1};
	return org_village_update(st, who, id, &upd, err);
}

/* ---- groups ----------------------------------------------------------- */

core_status org_group_create(store *st, const actor *who, const st_group *g, int64_t *id,
                             core_err *err)
{
	if (validate_text(err, "name", "村民小组名称", g->name, 1, 32) != CORE_OK)
		return err->status;
	if (g->sort < 0 || g->sort > 1000000)
		return core_fail(err, CORE_INVALID, "invalid_sort", "排序号（sort）须在 0 到 1000000 之间",
		                 "sort must be between 0 and 1000000");
	if (access_village(st, who, g->village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	store_rc rc = store_group_create(st, g, id);
	if (rc != STORE_OK)
		return write_failed(st, err, rc, "同名的村民小组", "a group with this name");
	char *sum = summary_of(json_pack("{s:s, s:I}", "name", g->name, "sort", (json_int_t)g->sort));
	core_status cs = org_finish(st, who, g->village_id, "group", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status org_group_list(store *st, const actor *who, int64_t village_id, arena *ar,
                           st_group **out, size_t *n, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_group_list(st, village_id, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村民小组", "groups");
}

core_status org_group_update(store *st, const actor *who, int64_t id, const char *name,
                             int64_t sort, core_err *err)
{
	if (name && validate_text(err, "name", "村民小组名称", name, 1, 32) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_group g;
	core_status cs = CORE_OK;
	char *sum = NULL;
	store_rc rc = store_group_get(st, id, &ar, &g);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "村民小组", "group");
		goto out;
	}
	if (access_village(st, who, g.village_id, ACCESS_ADMIN, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_group upd = g;
	if (name)
		upd.name = name;
	if (sort >= 0)
		upd.sort = sort;
	if (org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	rc = store_group_update(st, &upd);
	if (rc != STORE_OK) {
		cs = write_failed(st, err, rc, "同名的村民小组", "a group with this name");
		goto out;
	}
	sum = summary_of(json_pack("{s:[s,s], s:[I,I]}", "name", g.name, upd.name, "sort",
	                           (json_int_t)g.sort, (json_int_t)upd.sort));
	cs = org_finish(st, who, g.village_id, "group", id, "update", sum, err);
out:
	free(sum);
	arena_free(&ar);
	return cs;
}
