/*
 * store_rank.h: the store's interface for the yearly ranking (一年一排名): the
 * points earned per household and period (totals, kept by the ledger as entries
 * are posted), the rankings read from them, honour rules, and the year end —
 * closed years, their frozen ranking and honours. Included by store.h; same
 * conventions (strings in the caller's arena, 0 ids mean none, writes inside
 * the caller's transaction). Not for the entries themselves: the clearing and
 * carry-over entries of a year end go through the ledger (store_ledger.h).
 */
#ifndef JF_STORE_RANK_H
#define JF_STORE_RANK_H
#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

/* ---- totals ----------------------------------------------------------- */

/* Adds points to the household's total for period ('YYYY', 'YYYY-Qn' or
 * 'YYYY-MM'), creating the row at 0 first if there is none. */
store_rc store_totals_add(store *st, int64_t village_id, int64_t household_id, const char *period,
                          int64_t points);

typedef struct {
	int64_t household_id;
	const char *period, *passbook_no, *head_name;
	int64_t stored; /* the kept total (0 without a row) */
	int64_t ledger; /* what the village's entries add up to */
} st_totals_check;

/* The (household, period) pairs of the village whose kept total differs from
 * the sum of the entries that count as earned (awards, deductions, adjustments
 * and reversals of those, by deed date), ordered by household and period. */
store_rc store_totals_mismatches(store *st, int64_t village_id, arena *ar, st_totals_check **out,
                                 size_t *n);

/* ---- rankings --------------------------------------------------------- */

/* One ranked household. The ranked households of a village are its active
 * ones and any other that has a total for the period; no total counts as 0. */
typedef struct {
	int64_t household_id, group_id;
	const char *passbook_no, *head_name, *group_name, *status;
	int64_t earned;
	int64_t rank;         /* in the scope asked: the village, or the group */
	int64_t village_rank; /* RANK() in the village: ties share, the next skips */
	int64_t group_rank;   /* RANK() in the household's group */
} st_rank_row;

typedef struct {
	int64_t village_id;
	const char *period;
	int64_t group_id; /* 0 = the whole village; else rank within this group */
	int64_t offset, limit;
} st_rank_filter;

/* A page of the ranking, best first (ties by passbook number); *total counts
 * the ranked households in the scope. */
store_rc store_ranking(store *st, const st_rank_filter *f, arena *ar, st_rank_row **out, size_t *n,
                       int64_t *total);
/* The household's row in its village's ranking for period (rank = village
 * rank), and how many households are ranked in its village and in its group.
 * STORE_NOT_FOUND if the household is not ranked (moved out, nothing earned). */
store_rc store_household_rank(store *st, int64_t household_id, const char *period, arena *ar,
                              st_rank_row *out, int64_t *village_count, int64_t *group_count);
/* The household's rank among all ranked households of its county (the county
 * above its village's township, or the village's own county) for period, given
 * its points earned: 1 + how many there earned more (ties share a rank, as in
 * the village), and how many are ranked there. *county_id is 0 and both counts 0
 * if the village is in no county. Counts the kept totals of the county's
 * villages (index totals_rank) without ranking them. */
store_rc store_household_county_rank(store *st, int64_t household_id, const char *period,
                                     int64_t earned, int64_t *county_id, int64_t *rank,
                                     int64_t *count);

/* ---- honour rules ----------------------------------------------------- */

typedef struct {
	int64_t id, village_id;
	const char *kind;       /* "stars" (星级, by thresholds) or "top" (the top N) */
	const char *title;
	const char *thresholds; /* stars: JSON array of 5 ascending points; else "[]" */
	int64_t top_n;          /* top: N; else 0 */
	const char *status;     /* "active" or "retired" */
	int64_t created_at;
} st_honour_rule;

store_rc store_honour_rule_create(store *st, const st_honour_rule *r, int64_t *id);
store_rc store_honour_rule_get(store *st, int64_t id, arena *ar, st_honour_rule *out);
/* The village's rules (status NULL = all), oldest first. */
store_rc store_honour_rule_list(store *st, int64_t village_id, const char *status, arena *ar,
                                st_honour_rule **out, size_t *n);
/* Retires an active rule; STORE_NOT_FOUND if it is not active. */
store_rc store_honour_rule_retire(store *st, int64_t id);

/* ---- the year end ----------------------------------------------------- */

typedef struct {
	int64_t village_id, year;
	const char *policy; /* the balance policy applied: "carry_over" or "clear" */
	int64_t closed_by, closed_at;
	/* filled by reads */
	const char *closed_by_name;
	int64_t households; /* rows in the archived ranking */
	int64_t honours;    /* honours awarded */
} st_year_close;

/* True in *yes if the village's year has been closed. */
store_rc store_year_closed(store *st, int64_t village_id, int64_t year, bool *yes);
/* The latest closed year of the village after year, or 0 in *later. */
store_rc store_year_closed_after(store *st, int64_t village_id, int64_t year, int64_t *later);
/* Records the close; STORE_CONFLICT if the year is already closed. */
store_rc store_year_close_add(store *st, const st_year_close *c);
store_rc store_year_close_get(store *st, int64_t village_id, int64_t year, arena *ar,
                              st_year_close *out);
/* The village's closed years, newest first. */
store_rc store_year_close_list(store *st, int64_t village_id, arena *ar, st_year_close **out,
                               size_t *n);
/* The village's entries dated up to the end of year that are still pending
 * (bucket pending and their notice month not confirmed): how many, and the
 * earliest such notice month (YYYY-MM, "" when none) in month[8]. */
store_rc store_year_pending(store *st, int64_t village_id, int64_t year, int64_t *count,
                            char month[8]);
/* Copies the year's ranking (period 'YYYY', as store_ranking ranks it) into
 * year_ranking, with village and group ranks; *n rows. */
store_rc store_year_archive(store *st, int64_t village_id, int64_t year, int64_t *n);

typedef struct {
	int64_t household_id, group_id, earned, rank, group_rank;
} st_year_rank;

/* The archived ranking of a closed year, best first. */
store_rc store_year_ranking(store *st, int64_t village_id, int64_t year, arena *ar,
                            st_year_rank **out, size_t *n);

typedef struct {
	int64_t household_id;
	int64_t year_end;    /* the sum of the household's entries dated up to 12-31 of the year */
	int64_t confirmed;   /* the confirmed balance now */
	int64_t spent_after; /* redeemed after the year (net of cancelled redemptions) */
} st_year_balance;

/* Every household of the village with entries: the balance it had at the end of
 * year and what it has spent since, for the balance policy. By household id. */
store_rc store_year_balances(store *st, int64_t village_id, int64_t year, arena *ar,
                             st_year_balance **out, size_t *n);

typedef struct {
	int64_t id, village_id, year, household_id, rule_id;
	const char *title;
	int64_t stars; /* 1..5 for a star rule, else 0 */
	int64_t rank, earned, awarded_at;
	/* filled by reads */
	const char *kind, *passbook_no, *head_name, *group_name;
	int64_t group_id;
} st_honour;

store_rc store_honour_add(store *st, const st_honour *h);
/* The honours of the village's year: by rule, most stars first, then rank. */
store_rc store_honour_list(store *st, int64_t village_id, int64_t year, arena *ar,
                           st_honour **out, size_t *n);

#endif
