/*
 * inspections.h: inspection rounds (入户环境检查). A scorer opens a round for one
 * villager group on a date, walks it door to door and scores each household on
 * a short checklist: every checklist item is a rule of the catalogue (庭院卫生
 * +3, 乱堆乱放 −2 …) and becomes a ledger entry naming the round; one household's
 * items share one batch. A household is scored at most once per round. Closing
 * the round ends scoring. Not for recording outside a round: that is ledger_record.
 *
 * Every call is for the village's scorers and admins (and area admins above it);
 * clerks and villagers are refused.
 */
#ifndef JF_INSPECTIONS_H
#define JF_INSPECTIONS_H
#include "core/ledger.h"

#define INSPECTION_MAX_ITEMS 20

/* One checklist item: a rule, and its points when the rule has a range. */
typedef struct {
	int64_t rule_id;
	bool has_points;
	int64_t points;
} inspection_item;

/* Opens a round for group_id on inspection_date (a real date, not in the future).
 * CORE_INVALID, CORE_FORBIDDEN, CORE_NOT_FOUND (village). */
core_status inspection_create(store *st, const actor *who, const st_inspection *in, int64_t *id,
                              core_err *err);
/* Reads a round and its households with their scores. Records live in ar. */
core_status inspection_get(store *st, const actor *who, int64_t id, arena *ar, st_inspection *out,
                           st_inspection_row **rows, size_t *n, core_err *err);
/* A village's rounds, newest first, paged. Records live in ar. */
core_status inspection_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                            int64_t limit, arena *ar, st_inspection **out, size_t *n,
                            int64_t *total, core_err *err);
/* Scores one household: one entry per item in one batch (*batch_id), and the
 * household's score, in one transaction that also completes idem. CORE_CONFLICT
 * when the household is already scored or the round is closed; CORE_INVALID for
 * a household outside the round's group, a bad item, or an entry the ledger refuses. */
core_status inspection_score(store *st, const actor *who, int64_t id, int64_t household_id,
                             const inspection_item *items, size_t nitems, const ledger_idem *idem,
                             int64_t *batch_id, core_err *err);
/* Closes an open round. CORE_CONFLICT if it is already closed. */
core_status inspection_close(store *st, const actor *who, int64_t id, core_err *err);

#endif
