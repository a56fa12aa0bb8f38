/*
 * store_notices.h: the store's interface for the monthly notice (一月一公示):
 * notices, the objections (异议) raised against their entries, the question
 * "is this month frozen", and the confirmation of a month (confirmed_months
 * plus the move of each household's balance from pending to confirmed).
 * Included by store.h; same conventions (strings in the caller's arena, 0 ids
 * mean none, writes inside the caller's transaction). SQL in sqlite_notices.c.
 */
#ifndef JF_STORE_NOTICES_H
#define JF_STORE_NOTICES_H
#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct {
	int64_t id, village_id;
	const char *month;  /* YYYY-MM */
	const char *status; /* open confirmed */
	int64_t published_by, published_at, closes_at, confirmed_at; /* confirmed_at 0: not yet */
	int64_t chain_seq;      /* the village's chain head when it was published */
	const char *chain_hash;
	int64_t entry_count, total_points; /* the month's entries when it was published */
	/* filled by reads */
	const char *published_by_name;
	int64_t objection_count, open_objections;
} st_notice;

typedef struct {
	int64_t id, village_id, notice_id, entry_id, household_id;
	const char *reason;
	const char *status;     /* open upheld dismissed */
	const char *resolution; /* the admin's reason, or NULL while open */
	int64_t reversal_entry_id, created_by, created_at, settled_by, settled_at;
	/* filled by reads */
	const char *month; /* the notice's */
	const char *created_by_name, *created_by_role, *settled_by_name;
	const char *passbook_no, *head_name;
	const char *rule_name, *entry_kind, *deed_date;
	int64_t entry_points;
} st_objection;

/* A household as a notice lists it (its entries come from store_notice_entries). */
typedef struct {
	int64_t household_id, group_id;
	const char *passbook_no, *head_name, *group_name, *status;
} st_notice_household;

/* ---- notices ---------------------------------------------------------- */

/* Records a notice (status open); STORE_CONFLICT if the month already has one. */
store_rc store_notice_create(store *st, const st_notice *n, int64_t *id);
store_rc store_notice_get(store *st, int64_t id, arena *ar, st_notice *out);
/* The village's notice of month; STORE_NOT_FOUND if it has none. */
store_rc store_notice_by_month(store *st, int64_t village_id, const char *month, arena *ar,
                               st_notice *out);
/* The village's notice of the latest month; STORE_NOT_FOUND if none was published. */
store_rc store_notice_latest(store *st, int64_t village_id, arena *ar, st_notice *out);
/* The village's notices, latest month first. */
store_rc store_notice_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                           arena *ar, st_notice **out, size_t *n, int64_t *total);
/* How many entries the village's month holds and the sum of their points. */
store_rc store_month_totals(store *st, int64_t village_id, const char *month, int64_t *count,
                            int64_t *points);
/* True if the village's month is frozen: it has a notice (open or confirmed) or
 * it is in confirmed_months. Entries recorded later for it go elsewhere. */
store_rc store_month_frozen(store *st, int64_t village_id, const char *month, bool *yes);
/* Rewrites when a notice was published and when it closes (the demo's backdated
 * history). STORE_NOT_FOUND if there is no such notice. */
store_rc store_notice_set_times(store *st, int64_t id, int64_t published_at, int64_t closes_at);
/* Ids of the open notices whose window closed at or before now and that have no
 * open objection: the ones to confirm, oldest closing first. */
store_rc store_notices_due(store *st, int64_t now, arena *ar, int64_t **ids, size_t *n);
/* Marks an open notice confirmed at `at`; STORE_NOT_FOUND if it is not open. */
store_rc store_notice_set_confirmed(store *st, int64_t id, int64_t at);
/* Confirms the village's month: inserts confirmed_months(village, month, at) and
 * moves every household's balance from pending to confirmed by the sum of its
 * pending-bucket entries of the month. *households and *points say how many
 * households and points moved (either may be NULL). STORE_CONFLICT if the month
 * was already confirmed. */
store_rc store_month_confirm(store *st, int64_t village_id, const char *month, int64_t at,
                             int64_t *households, int64_t *points);

/* The households of a notice: active ones and any with an entry in the month
 * (household_id 0 = all, else only that one), by group and passbook number. */
store_rc store_notice_households(store *st, int64_t village_id, const char *month,
                                 int64_t household_id, arena *ar, st_notice_household **out,
                                 size_t *n);
/* The month's entries in the same household order, oldest first within one
 * (household_id 0 = all): with rule, member and household names, reversed_by. */
store_rc store_notice_entries(store *st, int64_t village_id, const char *month,
                              int64_t household_id, arena *ar, st_entry **out, size_t *n);

/* ---- objections ------------------------------------------------------- */

/* Records an open objection; STORE_CONFLICT if the entry already has an open one. */
store_rc store_objection_create(store *st, const st_objection *o, int64_t *id);
store_rc store_objection_get(store *st, int64_t id, arena *ar, st_objection *out);
/* A notice's objections (status NULL = all), oldest first. */
store_rc store_objection_list(store *st, int64_t notice_id, const char *status, arena *ar,
                              st_objection **out, size_t *n);
/* How many of the notice's objections are open. */
store_rc store_objection_open_count(store *st, int64_t notice_id, int64_t *count);
/* Settles an open objection: status, resolution, reversal (0 = none), who and
 * when. STORE_NOT_FOUND if it is not open any more. */
store_rc store_objection_settle(store *st, const st_objection *o);

#endif
