/*
 * access.h: who may see and change what (invariant 6). Every domain call that
 * reads or writes village data asks here first. The command-line operator
 * (actor without a user) may do everything.
 *
 *   area_admin     everything in the villages of their area (county or township)
 *   village_admin  everything in their village
 *   scorer, clerk  read their village's households; their own work (later issues)
 *   villager       their own household only
 */
#ifndef JF_ACCESS_H
#define JF_ACCESS_H
#include "core/core.h"

typedef enum {
	ACCESS_MEMBER, /* any user of the village (villagers included): name, groups */
	ACCESS_STAFF,  /* the village's cadres: households, rosters */
	ACCESS_ADMIN,  /* the village admin or an area admin above the village */
} access_level;

/* CORE_OK if who may act at level on the village; CORE_FORBIDDEN (with a message)
 * if not; CORE_NOT_FOUND if there is no such village. */
core_status access_village(store *st, const actor *who, int64_t village_id, access_level lvl,
                           core_err *err);
/* CORE_OK if who may read (write = false) or change (write = true) the household:
 * its village's staff may read, its admins may write, its villager may read. */
core_status access_household(store *st, const actor *who, const st_household *h, bool write,
                             core_err *err);
/* CORE_OK if who is an area admin at or above area (or the operator). */
core_status access_area(store *st, const actor *who, int64_t area_id, core_err *err);
/* True for roles that work for the village (not villagers). */
bool access_is_staff_role(const char *role);

#endif
