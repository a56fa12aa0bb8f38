/*
 * rank.h: households ranked by the points they *earned* in a month, a quarter
 * or a year (一年一排名): awards minus deductions, with adjustments and the
 * reversals of all three; redemptions, their cancellations and the year end's
 * clearing and carry-over entries never count. The ledger keeps the totals as
 * it posts each entry (rank_totals_post), so a ranking never reads the ledger.
 * Ties share a rank (1, 2, 2, 4). Honours and the year end are in honours.h
 * and yearend.h.
 */
#ifndef JF_RANK_H
#define JF_RANK_H
#include "core/core.h"

/* The longest period text ("2026-Q4", "2026-11") with its NUL. */
#define RANK_PERIOD_MAX 8

/* CORE_OK if period is 'YYYY', 'YYYY-Qn' (n 1..4) or 'YYYY-MM' with a year from
 * 2000 to 9999; CORE_INVALID (invalid_period) otherwise. */
core_status rank_period_check(const char *period, core_err *err);
/* The three periods a deed date (YYYY-MM-DD) counts in. */
void rank_periods_of(const char *deed_date, char year[RANK_PERIOD_MAX],
                     char quarter[RANK_PERIOD_MAX], char month[RANK_PERIOD_MAX]);
/* Called by ledger_post inside its transaction, after it wrote e: adds e's
 * points to its household's totals of the three periods of its deed date when
 * e counts as earned (for a reversal: when the entry it reverses does). */
core_status rank_totals_post(store *st, const st_entry *e, arena *ar, core_err *err);

/* A page of the village's ranking (f->group_id: within that group). The staff
 * view (public false) is for the village's staff and the area admins above it;
 * the public view (public true) needs no login — the caller masks names.
 * Errors: CORE_NOT_FOUND (village), CORE_FORBIDDEN, CORE_INVALID (period, or a
 * group of another village). Rows live in ar. */
core_status rank_village(store *st, const actor *who, bool public_view, const st_rank_filter *f,
                         arena *ar, st_rank_row **out, size_t *n, int64_t *total, core_err *err);
/* A household's rank in its village and group for period, with how many are
 * ranked in each. Its villager and the village's staff may ask. */
core_status rank_household(store *st, const actor *who, int64_t household_id, const char *period,
                           arena *ar, st_rank_row *out, int64_t *village_count,
                           int64_t *group_count, core_err *err);
/* The household's rank among the ranked households of its county for period,
 * for r as rank_household returned it (the caller has passed its access check):
 * *rank and *count are 0 when r is not ranked or its village is in no county. */
core_status rank_household_county(store *st, const st_rank_row *r, const char *period,
                                  int64_t *county_id, int64_t *rank, int64_t *count,
                                  core_err *err);

#endif
