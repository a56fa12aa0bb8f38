/*
 * rank.c: periods, the totals the ledger keeps, and reading rankings (see
 * rank.h). The SQL (RANK() windows over the kept totals) is in sqlite_rank.c.
 */
#include "core/rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

core_status rank_period_check(const char *p, core_err *err)
{
	size_t n = p ? strlen(p) : 0;
	bool ok = n >= 4 && all_digits(p, 4) && atoi(p) >= 2000;
	if (ok && n == 7 && p[4] == '-' && p[5] == 'Q')
		ok = p[6] >= '1' && p[6] <= '4';
	else if (ok && n == 7 && p[4] == '-')
		ok = all_digits(p + 5, 2) && atoi(p + 5) >= 1 && atoi(p + 5) <= 12;
	else if (n != 4)
		ok = false;
	if (!ok)
		return core_fail(err, CORE_INVALID, "invalid_period",
		                 "period 须为年（2026）、季度（2026-Q4）或月份（2026-11）",
		                 "period must be a year (2026), a quarter (2026-Q4) or a month (2026-11)");
	return CORE_OK;
}

void rank_periods_of(const char *d, char year[RANK_PERIOD_MAX], char quarter[RANK_PERIOD_MAX],
                     char month[RANK_PERIOD_MAX])
{
	int m = (d[5] - '0') * 10 + (d[6] - '0');
	snprintf(year, RANK_PERIOD_MAX, "%.4s", d);
	snprintf(quarter, RANK_PERIOD_MAX, "%.4s-Q%u", d, (unsigned)((m + 2) / 3) % 10u);
	snprintf(month, RANK_PERIOD_MAX, "%.7s", d);
}

static bool earned_kind(const char *kind)
{
	return strcmp(kind, "award") == 0 || strcmp(kind, "deduction") == 0 ||
	       strcmp(kind, "adjustment") == 0;
}

core_status rank_totals_post(store *st, const st_entry *e, arena *ar, core_err *err)
{
	bool counts = earned_kind(e->kind);
	if (!counts && strcmp(e->kind, "reversal") == 0 && e->reverses_id) {
		st_entry orig;
		store_rc rc = store_entry_get(st, e->reverses_id, ar, &orig);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "被冲销的记录", "reversed entry");
		counts = earned_kind(orig.kind);
	}
	if (!counts || e->points == 0)
		return CORE_OK;
	char periods[3][RANK_PERIOD_MAX];
	rank_periods_of(e->deed_date, periods[0], periods[1], periods[2]);
	for (int i = 0; i < 3; i++) {
		store_rc rc = store_totals_add(st, e->village_id, e->household_id, periods[i], e->points);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "积分累计", "totals");
	}
	return CORE_OK;
}

core_status rank_village(store *st, const actor *who, bool public_view, const st_rank_filter *f,
                         arena *ar, st_rank_row **out, size_t *n, int64_t *total, core_err *err)
{
	static const actor nobody = {.user = NULL, .ip = "public"};
	/* the public view only needs the village to exist; the operator passes access */
	if (access_village(st, public_view ? &nobody : who, f->village_id, ACCESS_STAFF, err) !=
	    CORE_OK)
		return err->status;
	if (rank_period_check(f->period, err) != CORE_OK)
		return err->status;
	if (f->group_id) {
		st_group g;
		store_rc rc = store_group_get(st, f->group_id, ar, &g);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && g.village_id != f->village_id))
			return core_fail(err, CORE_INVALID, "invalid_group",
			                 "村民小组（group_id）不属于这个村", "group_id is not a group of this village");
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "村民小组", "group");
	}
	store_rc rc = store_ranking(st, f, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "排名", "ranking");
}

core_status rank_household(store *st, const actor *who, int64_t household_id, const char *period,
                           arena *ar, st_rank_row *out, int64_t *village_count,
                           int64_t *group_count, core_err *err)
{
	st_household h;
	store_rc rc = store_household_get(st, household_id, ar, &h);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (access_household(st, who, &h, false, err) != CORE_OK)
		return err->status;
	if (rank_period_check(period, err) != CORE_OK)
		return err->status;
	rc = store_household_rank(st, household_id, period, ar, out, village_count, group_count);
	if (rc == STORE_NOT_FOUND) {
		/* moved out with nothing earned in the period: shown, but not ranked */
		*out = (st_rank_row){.household_id = h.id, .group_id = h.group_id,
		                     .passbook_no = h.passbook_no, .head_name = h.head_name,
		                     .group_name = h.group_name, .status = h.status};
		*village_count = *group_count = 0;
		return CORE_OK;
	}
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "排名", "ranking");
}

core_status rank_household_county(store *st, const st_rank_row *r, const char *period,
                                  int64_t *county_id, int64_t *rank, int64_t *count,
                                  core_err *err)
{
	*county_id = *rank = *count = 0;
	if (!r->village_rank)
		return CORE_OK;
	store_rc rc = store_household_county_rank(st, r->household_id, period, r->earned, county_id,
	                                          rank, count);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "排名", "ranking");
}
