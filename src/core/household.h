/*
 * household.h: households (户) and their members as the domain sees them.
 * A household with history is never deleted: it is marked moved_out.
 * Every call checks role and area; every write is audited in its transaction.
 */
#ifndef JF_HOUSEHOLD_H
#define JF_HOUSEHOLD_H
#include "core/core.h"

#define HOUSEHOLD_MAX_MEMBERS 20

typedef struct {
	const char *name, *relation;
} household_member_in;

/* Checks one household's fields (not its group or uniqueness). */
core_status household_validate(const st_household *h, const household_member_in *members,
                               size_t nmembers, core_err *err);
/* Creates a household with its members in one transaction. */
core_status household_create(store *st, const actor *who, const st_household *h,
                             const household_member_in *members, size_t nmembers, int64_t *id,
                             core_err *err);
/* Reads one household and its members, if the actor may. */
core_status household_get(store *st, const actor *who, int64_t id, arena *ar, st_household *out,
                          st_member **members, size_t *nmembers, core_err *err);
/* Lists a village's households (staff only), paged. */
core_status household_list(store *st, const actor *who, const st_household_filter *f, arena *ar,
                           st_household **out, size_t *n, int64_t *total, core_err *err);
/* Applies the non-NULL fields of upd (group_id 0 keeps the group) to household id. */
core_status household_update(store *st, const actor *who, int64_t id, const st_household *upd,
                             core_err *err);
core_status household_member_add(store *st, const actor *who, int64_t household_id,
                                 const household_member_in *m, int64_t *id, core_err *err);
/* Applies the non-NULL fields of upd (name, relation, status) to member id. */
core_status household_member_update(store *st, const actor *who, int64_t id,
                                    const st_member *upd, core_err *err);

#endif
