/*
 * yearend.h: closing a village's year (一年一排名的年终结算). In one
 * transaction the village admin's close archives the year's ranking
 * (year_ranking), awards its honours (honours.h), applies the village's
 * balance policy through ledger entries — never by editing balances — and
 * records the close. A closed year accepts no new entries: ledger_post asks
 * yearend_check_open for every entry it writes.
 *
 * The balance policy works on the balance each household had at the end of the
 * year (its entries dated up to 12-31), not on what it has earned since:
 *   carry_over  a 'clearing' entry of -balance dated YYYY-12-31 and a
 *               'carry_over' entry of +balance dated (YYYY+1)-01-01, so the new
 *               year's passbook opens with the balance it carried;
 *   clear       a 'clearing' entry dated YYYY-12-31 taking the balance to 0: a
 *               negative balance is cleared in full; of a positive one, what is
 *               left after the points redeemed since the year ended (spending
 *               takes the oldest points first), never more than the confirmed
 *               balance now.
 * Both are confirmed entries in the notice month of the day of the close.
 */
#ifndef JF_YEAREND_H
#define JF_YEAREND_H
#include "core/core.h"
#include "core/ledger.h"

/* What a close did. */
typedef struct {
	int64_t households; /* rows archived in the year's ranking */
	int64_t honours;    /* honours awarded */
	int64_t entries;    /* clearing and carry-over entries posted */
	int64_t batch_id;   /* their batch (0 if none was needed) */
} yearend_result;

/* CORE_OK unless e's deed date lies in a closed year of its village: then
 * CORE_INVALID with code year_closed (a reversal says the original's year is
 * closed). Called by ledger_post inside its transaction. */
core_status yearend_check_open(store *st, const st_entry *e, core_err *err);
/* The same check for a deed date before anything is written (claims). */
core_status yearend_check_date(store *st, int64_t village_id, const char *deed_date,
                               core_err *err);

/* Closes the village's year. Only its village admin (or the operator). Errors:
 * CORE_INVALID year_not_ended (the year is this year or later, or before 2000),
 * CORE_CONFLICT year_closed (already closed), later_year_closed (a later year
 * is closed), year_pending (entries dated up to the end of the year are still
 * pending: their month is not confirmed), CORE_FORBIDDEN, CORE_NOT_FOUND.
 * idem (may be NULL) is completed with "year:YYYY". */
core_status yearend_close(store *st, const actor *who, int64_t village_id, int64_t year,
                          const ledger_idem *idem, yearend_result *out, core_err *err);
/* A closed year of the village (staff of the village and the area admins). */
core_status yearend_get(store *st, const actor *who, int64_t village_id, int64_t year, arena *ar,
                        st_year_close *out, core_err *err);
/* The village's closed years, newest first (staff and area admins). */
core_status yearend_list(store *st, const actor *who, int64_t village_id, arena *ar,
                         st_year_close **out, size_t *n, core_err *err);

#endif
