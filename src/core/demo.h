/*
 * demo.h: the demo village. `jifen demo` builds 铁岭县 → 平顶堡镇 → 高箭沟村 with
 * its 5 villager groups and 222 households (PRODUCT.md), and one login per role.
 * Later issues extend it (rules, a year of points, goods) so the demo always
 * shows a living village.
 */
#ifndef JF_DEMO_H
#define JF_DEMO_H
#include "core/core.h"

#define DEMO_VILLAGE "高箭沟村"
#define DEMO_PASSWORD "Gaojiangou-2024"
#define DEMO_PIN "270518"
#define DEMO_HOUSEHOLDS 222
#define DEMO_GROUPS 5

typedef struct {
	int64_t county_id, township_id, village_id;
	bool existed; /* the demo village was already there; nothing was written */
	char villager_passbook[16];
} demo_result;

/* Creates the demo data in one transaction per step, as the operator. */
core_status demo_create(store *st, demo_result *out, core_err *err);

#endif
