/*
 * access.c: the role and area checks behind every route (see access.h).
 */
#include "core/access.h"

#include <string.h>

bool access_is_staff_role(const char *role)
{
	return strcmp(role, "villager") != 0;
}

static core_status deny(core_err *err)
{
	return core_fail(err, CORE_FORBIDDEN, "forbidden", "您没有权限访问或修改这些数据",
	                 "you are not allowed to see or change this");
}

core_status access_area(store *st, const actor *who, int64_t area_id, core_err *err)
{
	if (!who->user)
		return CORE_OK;
	if (strcmp(who->user->role, "area_admin") != 0)
		return deny(err);
	bool within = false;
	store_rc rc = store_area_within(st, area_id, who->user->area_id, &within);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "地区", "area");
	return within ? CORE_OK : deny(err);
}

core_status access_village(store *st, const actor *who, int64_t village_id, access_level lvl,
                           core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_village v;
	store_rc rc = store_village_get(st, village_id, &ar, &v);
	arena_free(&ar);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	if (!who->user)
		return CORE_OK;
	const st_user *u = who->user;
	if (strcmp(u->role, "area_admin") == 0)
		return access_area(st, who, v.area_id, err);
	if (u->village_id != village_id)
		return deny(err);
	switch (lvl) {
	case ACCESS_MEMBER:
		return CORE_OK;
	case ACCESS_STAFF:
		return access_is_staff_role(u->role) ? CORE_OK : deny(err);
	case ACCESS_ADMIN:
		return strcmp(u->role, "village_admin") == 0 ? CORE_OK : deny(err);
	}
	return deny(err);
}

core_status access_household(store *st, const actor *who, const st_household *h, bool write,
                             core_err *err)
{
	if (who->user && strcmp(who->user->role, "villager") == 0) {
		if (write || who->user->household_id != h->id)
			return deny(err);
		return CORE_OK;
	}
	return access_village(st, who, h->village_id, write ? ACCESS_ADMIN : ACCESS_STAFF, err);
}
