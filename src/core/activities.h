/*
 * activities.h: village activities (活动) — an event on a date, tied to one rule
 * of the catalogue (植树 on 2026-04-10 → 村屯绿化). Households (or one of their
 * members) sign up while the activity is open; afterwards the scoring group marks
 * who came and awards every attended sign-up in one action and one transaction,
 * all or nothing. The points are ordinary ledger entries (ledger.h) that name
 * the activity. Not for recording a single deed: that is ledger_record.
 *
 *   create, attendance, award   scorer or village admin of the village (area admins too)
 *   sign up                     those, or a villager for their own household
 *   list, read                  the village's users; a villager sees only their
 *                               own household's sign-ups
 */
#ifndef JF_ACTIVITIES_H
#define JF_ACTIVITIES_H
#include "core/ledger.h"

#define ACTIVITY_MAX_SIGNUPS LEDGER_MAX_TARGETS

/* Creates an open activity for a village. The rule must be an active award rule
 * of the village; the date a real date (it may lie ahead). CORE_INVALID,
 * CORE_FORBIDDEN, CORE_NOT_FOUND (village). */
core_status activity_create(store *st, const actor *who, const st_activity *a, int64_t *id,
                            core_err *err);
/* Reads an activity and its sign-ups (a villager gets only their household's).
 * Records live in ar. CORE_NOT_FOUND, CORE_FORBIDDEN. */
core_status activity_get(store *st, const actor *who, int64_t id, arena *ar, st_activity *out,
                         st_signup **signups, size_t *n, core_err *err);
/* A village's activities, newest first, paged. Records live in ar. */
core_status activity_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                          int64_t limit, arena *ar, st_activity **out, size_t *n, int64_t *total,
                          core_err *err);
/* Signs a household (member_id 0) or one of its members up. CORE_CONFLICT when
 * already signed up or the activity is no longer open; CORE_INVALID for a
 * household of another village, moved out, or a member not of the household. */
core_status activity_signup(store *st, const actor *who, int64_t activity_id,
                            int64_t household_id, int64_t member_id, int64_t *signup_id,
                            core_err *err);
/* Marks sign-ups as attended or absent, in one transaction. CORE_INVALID for an
 * id that is not a sign-up of the activity or appears twice; CORE_CONFLICT when
 * the activity is no longer open. */
core_status activity_attendance(store *st, const actor *who, int64_t activity_id,
                                const int64_t *attended, size_t nattended, const int64_t *absent,
                                size_t nabsent, core_err *err);
/* Awards one entry to every attended sign-up (points chosen within the rule's
 * range when it has one) and marks the activity awarded, in one transaction that
 * also completes idem. Any failure (a cap, a retired rule) changes nothing.
 * CORE_CONFLICT when already awarded; CORE_INVALID when nobody attended, the
 * date has not come yet, or the ledger refuses an entry. */
core_status activity_award(store *st, const actor *who, int64_t activity_id, bool has_points,
                           int64_t points, const ledger_idem *idem, int64_t *batch_id,
                           core_err *err);

#endif
