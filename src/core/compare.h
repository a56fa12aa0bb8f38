/*
 * compare.h: the area views (区域对比, issue 4 item 5). A township or county
 * admin compares the villages of their area over a period — participation
 * (households with an earning entry), points earned per household and by rule
 * category, redemptions, objections raised and upheld — and looks group by
 * group inside one village. Read-only: nothing here writes or audits.
 *
 * A period is whole months (a year, a quarter, a month, or a from..to range of
 * months). Points earned are the earning entries dated in it (awards,
 * deductions, adjustments and their reversals: what a ranking counts);
 * redemptions are those made in it and not cancelled; objections are those
 * raised against the notices of its months.
 */
#ifndef JF_COMPARE_H
#define JF_COMPARE_H
#include "core/core.h"

#define COMPARE_MAX_MONTHS 60
/* The category of entries without a rule (adjustments). */
#define COMPARE_NO_RULE "调整"

typedef struct {
	char period[8];                   /* "2026", "2026-Q4" or "2026-11" when the months
	                                   * are exactly one of those (however written); else "" */
	char from_month[8], to_month[8];  /* YYYY-MM, both inclusive */
	char from_date[11], end_date[11]; /* deed dates counted: [from_date, end_date) */
	int64_t from_at, end_at;          /* the same as China-time instants, Unix seconds */
} compare_period;

/* Reads a period written either as period (YYYY, YYYY-Qn or YYYY-MM) or as
 * from and to (YYYY-MM each, from not after to, at most COMPARE_MAX_MONTHS
 * months); NULL or "" means absent. CORE_OK with *out filled; CORE_INVALID
 * (code "bad_period") when both forms, neither, or a malformed one is given. */
core_status compare_period_parse(const char *period, const char *from, const char *to,
                                 compare_period *out, core_err *err);

typedef struct {
	const char *category;
	int64_t points;
} compare_cat;

/* One village (parent: its area) or group (parent: its village), or the total. */
typedef struct {
	int64_t id, parent_id;
	const char *name, *parent_name;
	int64_t households;    /* active households now */
	int64_t participating; /* households with an earning entry in the period */
	int64_t earned;        /* points earned (the kept totals; cats add up to it) */
	int64_t redemptions, redeemed_points;
	int64_t objections, upheld;
	compare_cat *cats; /* by category name; only categories with entries */
	size_t ncats;
} compare_row;

typedef struct {
	st_area area;       /* compare_villages: the area compared */
	st_village village; /* compare_groups: the village */
	compare_row *rows;
	size_t n;
	compare_row total; /* every measure summed over the rows; cats summed by name */
} compare_result;

/* Every village at or below area_id. Area admins at or above the area (and the
 * operator); CORE_FORBIDDEN for anyone else, CORE_NOT_FOUND for no such area.
 * Everything in *out lives in ar. */
core_status compare_villages(store *st, const actor *who, int64_t area_id, const compare_period *p,
                             arena *ar, compare_result *out, core_err *err);
/* Every group of the village. Its staff (not villagers) and area admins above
 * it; CORE_FORBIDDEN, CORE_NOT_FOUND. Everything in *out lives in ar. */
core_status compare_groups(store *st, const actor *who, int64_t village_id, const compare_period *p,
                           arena *ar, compare_result *out, core_err *err);

/* num / den in units of 1/scale, rounded half away from zero, in *out. False
 * (and *out 0) when den is 0. */
bool compare_ratio(int64_t num, int64_t den, int64_t scale, int64_t *out);

#endif
