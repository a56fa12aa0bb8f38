/*
 * org.h: the organisation tree as the domain sees it: areas (county →
 * township), villages and villager groups. Every call checks the actor's role
 * and area, and every write is audited in the same transaction.
 * Households and members are in household.h.
 */
#ifndef JF_ORG_H
#define JF_ORG_H
#include "core/core.h"

core_status org_area_create(store *st, const actor *who, const st_area *a, int64_t *id,
                            core_err *err);
core_status org_area_get(store *st, const actor *who, int64_t id, arena *ar, st_area *out,
                         core_err *err);
/* The areas the actor administers (their subtree); everything for the operator. */
core_status org_area_list(store *st, const actor *who, arena *ar, st_area **out, size_t *n,
                          core_err *err);

core_status org_village_create(store *st, const actor *who, const st_village *v, int64_t *id,
                               core_err *err);
core_status org_village_get(store *st, const actor *who, int64_t id, arena *ar, st_village *out,
                            core_err *err);
/* The villages the actor may see: an area's villages, or the user's own village. */
core_status org_village_list(store *st, const actor *who, arena *ar, st_village **out,
                             size_t *n, core_err *err);
/* Changes a village's name and settings: the non-NULL / non-negative fields
 * of upd (name NULL keeps it; a setting < 0 or NULL keeps it). Village admins
 * and area admins above the village. */
/* Renames a village (org_village_update with only the name). */
core_status org_village_rename(store *st, const actor *who, int64_t id, const char *name,
                               core_err *err);
core_status org_village_update(store *st, const actor *who, int64_t id, const st_village *upd,
                               core_err *err);

core_status org_group_create(store *st, const actor *who, const st_group *g, int64_t *id,
                             core_err *err);
core_status org_group_list(store *st, const actor *who, int64_t village_id, arena *ar,
                           st_group **out, size_t *n, core_err *err);
/* Changes name and/or sort (name NULL keeps it; sort < 0 keeps it). */
core_status org_group_update(store *st, const actor *who, int64_t id, const char *name,
                             int64_t sort, core_err *err);

/* Runs the audit insert and the commit; rolls back and fills err on failure. */
core_status org_finish(store *st, const actor *who, int64_t village_id, const char *entity,
                       int64_t entity_id, const char *action, const char *summary,
                       core_err *err);
/* Begins a write transaction, filling err on failure. */
core_status org_begin(store *st, core_err *err);

#endif
