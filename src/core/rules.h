/*
 * rules.h: the village's rule catalogue (积分细则): what earns or costs points,
 * how many, per what unit, with optional range and caps, and who may record
 * or claim it. A rule that has been used is never edited or deleted: it is
 * retired, and a new version is added that later entries use.
 */
#ifndef JF_RULES_H
#define JF_RULES_H
#include "core/core.h"

#define RULE_MAX_POINTS 1000

/* Checks a rule's fields (everything but its village and version). */
core_status rule_validate(const st_rule *r, core_err *err);
/* Adds a rule to a village (village admins). */
core_status rule_create(store *st, const actor *who, const st_rule *r, int64_t *id, core_err *err);
core_status rule_get(store *st, const actor *who, int64_t id, arena *ar, st_rule *out,
                     core_err *err);
/* The catalogue of a village; public (anyone may read it). status NULL = all. */
core_status rule_list(store *st, int64_t village_id, const char *status, arena *ar,
                      st_rule **out, size_t *n, core_err *err);
/* Edits an unused rule in place; a used rule answers CORE_CONFLICT (use revise). */
core_status rule_update(store *st, const actor *who, const st_rule *r, core_err *err);
/* Retires a rule: it can no longer be recorded or claimed. */
core_status rule_retire(store *st, const actor *who, int64_t id, core_err *err);
/* Retires rule id and adds its next version with the fields of r, in one
 * transaction; *new_id is the new version's id. */
core_status rule_revise(store *st, const actor *who, int64_t id, const st_rule *r,
                        int64_t *new_id, core_err *err);
/* True if role appears in the rule's recorders list ("scorer,village_admin"). */
bool rule_recorder_allowed(const st_rule *r, const char *role);

#endif
