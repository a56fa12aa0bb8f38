/*
 * demo.c: builds the demo village (see demo.h) through the same domain calls
 * the API uses, so the demo's data is audited and checked like any other.
 */
#include "core/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/demo_data.h"
#include "core/demo_honours.h"
#include "core/demo_ledger.h"
#include "core/demo_notices.h"
#include "core/demo_shop.h"
#include "core/household.h"
#include "core/org.h"
#include "core/users.h"

#define DEMO_SEED 20240601u

static const actor demo_actor = {.user = NULL, .ip = "demo"};

/* Finds an existing area by parent and name; 0 if none. */
static int64_t find_area(store *st, int64_t parent, const char *name)
{
	arena ar;
	arena_init(&ar, 0);
	st_area *list = NULL;
	size_t n = 0;
	int64_t id = 0;
	if (store_area_list(st, 0, &ar, &list, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			if (list[i].parent_id == parent && strcmp(list[i].name, name) == 0)
				id = list[i].id;
	arena_free(&ar);
	return id;
}

static int64_t find_village(store *st, int64_t area, const char *name)
{
	arena ar;
	arena_init(&ar, 0);
	st_village *list = NULL;
	size_t n = 0;
	int64_t id = 0;
	if (store_village_list(st, area, &ar, &list, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			if (list[i].area_id == area && strcmp(list[i].name, name) == 0)
				id = list[i].id;
	arena_free(&ar);
	return id;
}

static core_status make_area(store *st, int64_t parent, const char *level, const char *name,
                             int64_t *id, core_err *err)
{
	*id = find_area(st, parent, name);
	if (*id)
		return CORE_OK;
	st_area a = {.parent_id = parent, .level = level, .name = name};
	return org_area_create(st, &demo_actor, &a, id, err);
}

static core_status make_users(store *st, demo_result *r, int64_t first_household, core_err *err)
{
	const user_new users[] = {
		{.username = "county", .display_name = "刘振华", .role = "area_admin",
		 .password = DEMO_PASSWORD, .area_id = r->county_id},
		{.username = "township", .display_name = "孙丽娟", .role = "area_admin",
		 .password = DEMO_PASSWORD, .area_id = r->township_id},
		{.username = "admin", .display_name = "高建民", .role = "village_admin",
		 .password = DEMO_PASSWORD, .village_id = r->village_id, .phone = "13904100001"},
		{.username = "scorer", .display_name = "于秀梅", .role = "scorer",
		 .password = DEMO_PASSWORD, .village_id = r->village_id},
		{.username = "clerk", .display_name = "王德胜", .role = "clerk",
		 .password = DEMO_PASSWORD, .village_id = r->village_id},
	};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		int64_t id = 0;
		if (user_create(st, &demo_actor, &users[i], &id, err) != CORE_OK)
			return err->status;
	}
	arena ar;
	arena_init(&ar, 0);
	st_household h;
	store_rc rc = store_household_get(st, first_household, &ar, &h);
	core_status cs = CORE_OK;
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "户", "household");
	} else {
		user_new v = {.display_name = h.head_name, .role = "villager", .pin = DEMO_PIN,
		              .village_id = r->village_id, .household_id = h.id};
		int64_t id = 0;
		snprintf(r->villager_passbook, sizeof(r->villager_passbook), "%s", h.passbook_no);
		cs = user_create(st, &demo_actor, &v, &id, err);
	}
	arena_free(&ar);
	return cs;
}

core_status demo_create(store *st, demo_result *r, core_err *err)
{
	memset(r, 0, sizeof(*r));
	if (make_area(st, 0, "county", "铁岭县", &r->county_id, err) != CORE_OK ||
	    make_area(st, r->county_id, "township", "平顶堡镇", &r->township_id, err) != CORE_OK)
		return err->status;
	r->village_id = find_village(st, r->township_id, DEMO_VILLAGE);
	if (r->village_id) {
		r->existed = true;
		arena ar;
		arena_init(&ar, 0);
		st_household h;
		if (store_household_by_passbook(st, r->village_id, "1001", &ar, &h) == STORE_OK)
			snprintf(r->villager_passbook, sizeof(r->villager_passbook), "%s", h.passbook_no);
		arena_free(&ar);
		return CORE_OK;
	}
	st_village v = {.area_id = r->township_id, .name = DEMO_VILLAGE};
	if (org_village_create(st, &demo_actor, &v, &r->village_id, err) != CORE_OK)
		return err->status;
	int64_t groups[DEMO_GROUPS];
	for (int g = 0; g < DEMO_GROUPS; g++) {
		char name[32];
		snprintf(name, sizeof(name), "%s组", demo_cn_number(g + 1));
		st_group grp = {.village_id = r->village_id, .name = name, .sort = g + 1};
		if (org_group_create(st, &demo_actor, &grp, &groups[g], err) != CORE_OK)
			return err->status;
	}
	demo_household *hh = calloc(DEMO_HOUSEHOLDS, sizeof(*hh));
	if (!hh)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	demo_rng rng;
	demo_rng_seed(&rng, DEMO_SEED);
	demo_make_village(&rng, DEMO_VILLAGE, DEMO_GROUPS, hh, DEMO_HOUSEHOLDS);
	/* demo_make_village fills groups in order, sizes differing by at most one */
	int64_t first = 0;
	core_status cs = CORE_OK;
	int per[DEMO_GROUPS], base = DEMO_HOUSEHOLDS / DEMO_GROUPS, extra = DEMO_HOUSEHOLDS % DEMO_GROUPS;
	for (int g = 0; g < DEMO_GROUPS; g++)
		per[g] = base + (g < extra ? 1 : 0);
	int idx = 0;
	for (int g = 0; g < DEMO_GROUPS && cs == CORE_OK; g++) {
		for (int k = 0; k < per[g] && cs == CORE_OK; k++, idx++) {
			demo_household *d = &hh[idx];
			char passbook[32];
			snprintf(passbook, sizeof(passbook), "%d%03d", g + 1, k + 1);
			household_member_in members[DEMO_MAX_MEMBERS];
			for (int m = 0; m < d->nmembers; m++) {
				members[m].name = d->members[m].name;
				members[m].relation = d->members[m].relation;
			}
			st_household h = {.village_id = r->village_id, .group_id = groups[g],
			                  .passbook_no = passbook, .head_name = d->head_name,
			                  .address = d->address, .phone = d->phone};
			int64_t id = 0;
			cs = household_create(st, &demo_actor, &h, members, (size_t)d->nmembers, &id, err);
			if (!first)
				first = id;
		}
	}
	free(hh);
	if (cs != CORE_OK)
		return cs;
	if (make_users(st, r, first, err) != CORE_OK)
		return err->status;
	/* the rule catalogue and a year of history, recorded by the demo scorer */
	arena ar;
	arena_init(&ar, 0);
	st_user scorer, admin, clerk, villager;
	store_rc rc = store_user_by_username(st, "scorer", &ar, &scorer);
	if (rc == STORE_OK)
		rc = store_user_by_username(st, "admin", &ar, &admin);
	if (rc == STORE_OK)
		rc = store_user_by_username(st, "clerk", &ar, &clerk);
	if (rc == STORE_OK)
		rc = store_user_by_household_pin(st, first, &ar, &villager);
	cs = rc == STORE_OK ? demo_ledger_create(st, r->village_id, &scorer, &admin, &villager, err)
	                    : core_store_fail(err, rc, "用户", "user");
	/* the village's year: published notices (the past ones confirmed), last
	 * year closed with its honours, the shop with a past redemption window */
	if (cs == CORE_OK)
		cs = demo_notices_create(st, r->village_id, &admin, &villager, err);
	if (cs == CORE_OK)
		cs = demo_honours_create(st, r->village_id, &admin, err);
	if (cs == CORE_OK)
		cs = demo_shop_create(st, r->village_id, &admin, &clerk, err);
	arena_free(&ar);
	return cs;
}
