/*
 * compare.c: the area views (see compare.h): reading a period, checking who may
 * compare, and assembling the store's two result sets (rows, then points by
 * category) into rows with their categories, and a total row.
 */
#include "core/compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/access.h"

/* ---- periods ---------------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "YYYY" at s (digits checked by the caller), or -1 before 2000. */
static int year_of(const char *s)
{
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	return y >= 2000 ? y : -1;
}

/* A month written YYYY-MM (year 2000 on) as year * 12 + month - 1, or -1. */
static int month_index(const char *s)
{
	if (!s || strlen(s) != 7 || s[4] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2))
		return -1;
	int y = year_of(s);
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 0 || m < 1 || m > 12)
		return -1;
	return y * 12 + m - 1;
}

/* The months [*first, *last] of a period written YYYY, YYYY-Qn or YYYY-MM. */
static bool period_months(const char *p, int *first, int *last)
{
	size_t n = strlen(p);
	if (n == 4 && all_digits(p, 4) && year_of(p) > 0) {
		*first = year_of(p) * 12;
		*last = *first + 11;
		return true;
	}
	if (n == 7 && p[4] == '-' && p[5] == 'Q' && all_digits(p, 4) && year_of(p) > 0 &&
	    p[6] >= '1' && p[6] <= '4') {
		*first = year_of(p) * 12 + (p[6] - '1') * 3;
		*last = *first + 2;
		return true;
	}
	*first = *last = month_index(p);
	return *first >= 0;
}

/* Midnight at the start of month index mi (year * 12 + month - 1) in China
 * (UTC+8, no daylight saving), as Unix seconds. */
static int64_t china_month_start(int mi)
{
	struct tm tm = {.tm_year = mi / 12 - 1900, .tm_mon = mi % 12, .tm_mday = 1};
	return (int64_t)timegm(&tm) - 8 * 3600;
}

static void month_text(int mi, char out[8])
{
	unsigned y = (unsigned)(mi / 12) % 10000u, m = (unsigned)(mi % 12 + 1) % 100u;
	snprintf(out, 8, "%04u-%02u", y, m);
}

/* The totals' key of months [first, last] if they are one year, quarter or
 * month; else "". */
static void period_key(int first, int last, char out[8])
{
	unsigned y = (unsigned)(first / 12) % 10000u;
	out[0] = '\0';
	if (first == last)
		month_text(first, out);
	else if (first % 12 == 0 && last == first + 11)
		snprintf(out, 8, "%04u", y);
	else if (first % 3 == 0 && last == first + 2)
		snprintf(out, 8, "%04u-Q%u", y, (unsigned)(first % 12 / 3 + 1) % 10u);
}

core_status compare_period_parse(const char *period, const char *from, const char *to,
                                 compare_period *out, core_err *err)
{
	bool has_period = period && *period, has_range = (from && *from) || (to && *to);
	int first = -1, last = -1;
	memset(out, 0, sizeof(*out));
	if (has_period == has_range)
		return core_fail(err, CORE_INVALID, "bad_period",
		                 "请给出统计期间：period=2026、2026-Q4 或 2026-11，或者 from=2026-01&to=2026-06",
		                 "give the period: period=2026, 2026-Q4 or 2026-11, or from=2026-01&to=2026-06");
	if (has_period) {
		if (strlen(period) > 7 || !period_months(period, &first, &last))
			return core_fail(err, CORE_INVALID, "bad_period",
			                 "统计期间（period）应写成 2026、2026-Q4 或 2026-11 这样的形式（2000 年以后）",
			                 "period must look like 2026, 2026-Q4 or 2026-11 (year 2000 or later)");
	} else {
		first = month_index(from);
		last = month_index(to);
		if (first < 0 || last < 0)
			return core_fail(err, CORE_INVALID, "bad_period",
			                 "起止月份（from、to）都要写成 2026-01 这样的年月（2000 年以后）",
			                 "from and to must both be months like 2026-01 (year 2000 or later)");
		if (first > last)
			return core_fail(err, CORE_INVALID, "bad_period", "起始月份（from）不能晚于截止月份（to）",
			                 "from must not be after to");
		if (last - first + 1 > COMPARE_MAX_MONTHS)
			return core_fail(err, CORE_INVALID, "bad_period", "一次最多对比 %d 个月",
			                 "at most %d months at a time", COMPARE_MAX_MONTHS);
	}
	period_key(first, last, out->period);
	month_text(first, out->from_month);
	month_text(last, out->to_month);
	snprintf(out->from_date, sizeof(out->from_date), "%s-01", out->from_month);
	char end[8];
	month_text(last + 1, end);
	snprintf(out->end_date, sizeof(out->end_date), "%s-01", end);
	out->from_at = china_month_start(first);
	out->end_at = china_month_start(last + 1);
	return CORE_OK;
}

bool compare_ratio(int64_t num, int64_t den, int64_t scale, int64_t *out)
{
	*out = 0;
	if (den == 0)
		return false;
	bool neg = (num < 0) != (den < 0);
	/* on magnitudes, whole part first so that only the remainder is scaled */
	uint64_t n = num < 0 ? (uint64_t)0 - (uint64_t)num : (uint64_t)num;
	uint64_t d = den < 0 ? (uint64_t)0 - (uint64_t)den : (uint64_t)den;
	uint64_t q = n / d * (uint64_t)scale + ((n % d) * (uint64_t)scale * 2 + d) / (d * 2);
	*out = neg ? -(int64_t)q : (int64_t)q;
	return true;
}

/* ---- assembling rows -------------------------------------------------- */

static int cat_by_name(const void *a, const void *b)
{
	return strcmp(((const compare_cat *)a)->category, ((const compare_cat *)b)->category);
}

/* Sorts cats by name and adds up equal names in place; returns the new count. */
static size_t fold_cats(compare_cat *cats, size_t n)
{
	if (n == 0)
		return 0;
	qsort(cats, n, sizeof(*cats), cat_by_name);
	size_t o = 0;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(cats[i].category, cats[o].category) == 0)
			cats[o].points += cats[i].points;
		else
			cats[++o] = cats[i];
	}
	return o + 1;
}

typedef struct {
	int64_t id;
	size_t idx;
} row_key;

static int key_cmp(const void *a, const void *b)
{
	int64_t x = ((const row_key *)a)->id, y = ((const row_key *)b)->id;
	return (x > y) - (x < y);
}

/* Turns the store's rows and (id, category) points into out->rows with their
 * categories, and out->total. CORE_ERROR when ar runs out. */
static core_status assemble(const st_compare_row *rows, size_t nrows, const st_compare_cat *cats,
                            size_t ncats, arena *ar, compare_result *out, core_err *err)
{
	out->rows = arena_alloc(ar, (nrows ? nrows : 1) * sizeof(compare_row));
	row_key *keys = arena_alloc(ar, (nrows ? nrows : 1) * sizeof(row_key));
	compare_cat *all = arena_alloc(ar, (ncats ? ncats : 1) * sizeof(compare_cat));
	compare_cat *sum = arena_alloc(ar, (ncats ? ncats : 1) * sizeof(compare_cat));
	if (!out->rows || !keys || !all || !sum)
		return core_fail(err, CORE_ERROR, "out_of_memory", "内存不足", "out of memory");
	out->n = nrows;
	compare_row *t = &out->total;
	for (size_t i = 0; i < nrows; i++) {
		const st_compare_row *s = &rows[i];
		out->rows[i] = (compare_row){
			.id = s->id, .parent_id = s->parent_id, .name = s->name,
			.parent_name = s->parent_name, .households = s->households,
			.participating = s->participating, .earned = s->earned,
			.redemptions = s->redemptions, .redeemed_points = s->redeemed_points,
			.objections = s->objections, .upheld = s->upheld, .cats = all, .ncats = 0,
		};
		keys[i] = (row_key){s->id, i};
		t->households += s->households;
		t->participating += s->participating;
		t->earned += s->earned;
		t->redemptions += s->redemptions;
		t->redeemed_points += s->redeemed_points;
		t->objections += s->objections;
		t->upheld += s->upheld;
	}
	qsort(keys, nrows, sizeof(*keys), key_cmp);
	/* the store returns the categories grouped by id: one run per row */
	for (size_t i = 0; i < ncats;) {
		size_t j = i;
		while (j < ncats && cats[j].id == cats[i].id)
			j++;
		row_key want = {cats[i].id, 0};
		row_key *k = nrows ? bsearch(&want, keys, nrows, sizeof(*keys), key_cmp) : NULL;
		if (k) {
			compare_row *r = &out->rows[k->idx];
			r->cats = all + i;
			for (size_t c = i; c < j; c++) {
				const char *name = cats[c].category;
				all[c].category = name ? name : COMPARE_NO_RULE;
				all[c].points = cats[c].points;
			}
			r->ncats = fold_cats(r->cats, j - i);
			memcpy(sum + t->ncats, r->cats, r->ncats * sizeof(compare_cat));
			t->ncats += r->ncats;
		}
		i = j;
	}
	t->cats = sum;
	t->ncats = fold_cats(sum, t->ncats);
	return CORE_OK;
}

static void span_of(const compare_period *p, st_span *sp)
{
	*sp = (st_span){.period = p->period[0] ? p->period : NULL, .from_date = p->from_date,
	                .end_date = p->end_date, .from_month = p->from_month,
	                .to_month = p->to_month, .from_at = p->from_at, .end_at = p->end_at};
}

core_status compare_villages(store *st, const actor *who, int64_t area_id, const compare_period *p,
                             arena *ar, compare_result *out, core_err *err)
{
	memset(out, 0, sizeof(*out));
	store_rc rc = store_area_get(st, area_id, ar, &out->area);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "地区", "area");
	if (access_area(st, who, area_id, err) != CORE_OK)
		return err->status;
	st_span sp;
	span_of(p, &sp);
	st_compare_row *rows = NULL;
	st_compare_cat *cats = NULL;
	size_t nrows = 0, ncats = 0;
	rc = store_compare_villages(st, area_id, &sp, ar, &rows, &nrows, &cats, &ncats);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "对比数据", "comparison");
	if (assemble(rows, nrows, cats, ncats, ar, out, err) != CORE_OK)
		return err->status;
	out->total.id = out->area.id;
	out->total.name = out->area.name;
	return CORE_OK;
}

core_status compare_groups(store *st, const actor *who, int64_t village_id, const compare_period *p,
                           arena *ar, compare_result *out, core_err *err)
{
	memset(out, 0, sizeof(*out));
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = store_village_get(st, village_id, ar, &out->village);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	st_span sp;
	span_of(p, &sp);
	st_compare_row *rows = NULL;
	st_compare_cat *cats = NULL;
	size_t nrows = 0, ncats = 0;
	rc = store_compare_groups(st, village_id, &sp, ar, &rows, &nrows, &cats, &ncats);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "对比数据", "comparison");
	if (assemble(rows, nrows, cats, ncats, ar, out, err) != CORE_OK)
		return err->status;
	out->total.id = out->village.id;
	out->total.name = out->village.name;
	out->total.parent_id = out->village.area_id;
	return CORE_OK;
}
