/*
 * demo_honours.c: the demo village's honour rules and last year's close (see
 * demo_honours.h). Everything goes through the real calls (honour_rule_create,
 * yearend_close), so the audit log tells the story as in real use.
 */
#include "core/demo_honours.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/honours.h"
#include "core/yearend.h"
#include "util/timeutil.h"

/* Points earned in a full year for 1..5 stars, fitted to the demo's history:
 * half the households earn about 65 points a year, one in ten over 80, the
 * best about 115 — so most reach one star, one in four three, a few five. */
static const int64_t year_thresholds[HONOUR_STARS] = {50, 60, 70, 80, 95};

#define TOP_TITLE "文明家庭"
#define TOP_N 10
#define STARS_TITLE "星级文明户"

core_status demo_honours_create(store *st, int64_t village_id, const st_user *admin,
                                core_err *err)
{
	actor who = {.user = admin, .ip = "demo"};
	char today[11];
	time_today_cn(today);
	int64_t last_year = atoi(today) - 1;
	int months = 12 - atoi(today + 5); /* months of last year the history covers */
	int64_t pending = 0, id = 0;
	char month[8];
	store_rc rc = store_year_pending(st, village_id, last_year, &pending, month);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "年终结算", "year end");
	bool close = months > 0 && pending == 0;
	honour_rule_in top = {.kind = "top", .title = TOP_TITLE, .has_top_n = true, .top_n = TOP_N};
	if (honour_rule_create(st, &who, village_id, &top, &id, err) != CORE_OK)
		return err->status;
	if (close) {
		/* the first year's stars, prorated to the months it ran */
		int64_t first[HONOUR_STARS];
		for (int i = 0; i < HONOUR_STARS; i++) {
			first[i] = year_thresholds[i] * months / 12;
			if (first[i] <= (i ? first[i - 1] : 0))
				first[i] = (i ? first[i - 1] : 0) + 1;
		}
		honour_rule_in stars = {.kind = "stars", .title = STARS_TITLE, .thresholds = first,
		                        .nthresholds = HONOUR_STARS};
		yearend_result res;
		if (honour_rule_create(st, &who, village_id, &stars, &id, err) != CORE_OK ||
		    yearend_close(st, &who, village_id, last_year, NULL, &res, err) != CORE_OK ||
		    honour_rule_retire(st, &who, id, err) != CORE_OK)
			return err->status;
	}
	honour_rule_in stars = {.kind = "stars", .title = STARS_TITLE, .thresholds = year_thresholds,
	                        .nthresholds = HONOUR_STARS};
	return honour_rule_create(st, &who, village_id, &stars, &id, err);
}
