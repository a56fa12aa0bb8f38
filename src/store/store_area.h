/*
 * store_area.h: the store's interface for the area views (issue 4 item 5): the
 * measures of a period for every village of an area, or for every villager
 * group of one village, each read with two grouped queries (one row per
 * village or group, then one row per village or group and rule category),
 * never household by household. Included by store.h; same conventions
 * (strings in the caller's arena, nothing written).
 *
 * What counts: points earned — awards, deductions, adjustments and the
 * reversals of those, by deed date — come from the kept totals (store_rank.h)
 * and, by category, from the entries; a household takes part when it has a
 * total for the period (the ledger keeps one for every household with an
 * earning entry: their points are never 0). Redemptions count when made in the
 * period and not cancelled; objections when raised against the notices of the
 * period's months.
 */
#ifndef JF_STORE_AREA_H
#define JF_STORE_AREA_H
#include <stdint.h>

#include "util/arena.h"

/* A period as the queries need it: whole months from from_month to to_month. */
typedef struct {
	const char *period;     /* the totals' key when the months are one year, quarter
	                         * or month ("2026", "2026-Q4", "2026-11"); else NULL */
	const char *from_date;  /* the first deed date counted: YYYY-MM-01 */
	const char *end_date;   /* the first deed date after the period: YYYY-MM-01 */
	const char *from_month; /* YYYY-MM, both inclusive */
	const char *to_month;
	int64_t from_at, end_at; /* redemption times, Unix seconds, [from_at, end_at) */
} st_span;

/* One village of an area, or one group of a village. */
typedef struct {
	int64_t id;          /* the village, or the group */
	int64_t parent_id;   /* the village's area, or the group's village */
	const char *name, *parent_name;
	int64_t households;    /* active households now */
	int64_t participating; /* households with an earning entry in the period */
	int64_t earned;        /* their points earned in the period */
	int64_t redemptions, redeemed_points;
	int64_t objections, upheld;
} st_compare_row;

/* The points of one rule category in one village or group. */
typedef struct {
	int64_t id;           /* the row's village or group */
	const char *category; /* NULL for entries without a rule (adjustments) */
	int64_t points;
} st_compare_cat;

/* Every village at or below area_root, by id, and the points by category of
 * those with earning entries in the span, by id and category. */
store_rc store_compare_villages(store *st, int64_t area_root, const st_span *sp, arena *ar,
                                st_compare_row **rows, size_t *nrows, st_compare_cat **cats,
                                size_t *ncats);
/* The same for every group of the village, by sort order then id; a household
 * counts in the group it belongs to now. */
store_rc store_compare_groups(store *st, int64_t village_id, const st_span *sp, arena *ar,
                              st_compare_row **rows, size_t *nrows, st_compare_cat **cats,
                              size_t *ncats);

#endif
