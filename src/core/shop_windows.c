/*
 * shop_windows.c: when the points supermarket redeems (一季一兑换, see shop.h).
 * By default the last window_days days of each quarter (a village setting,
 * 10 unless changed; 0 = only explicit windows), plus the explicit windows a
 * village admin adds, plus an admin's override that lets the clerk redeem for a
 * few hours outside any window. Days are China-time dates.
 *
 * The computation on dates is pure (shop_window_compute) so the unit tests can
 * walk it over any calendar; this file also holds the windows' and overrides'
 * domain calls. It does not redeem: shop_redeem.c asks shop_window_state_at.
 */
#include "core/shop.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "util/timeutil.h"

/* ---- dates ------------------------------------------------------------ */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static void format_date(int64_t y, int64_t m, int64_t d, char out[11])
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%04u-%02u-%02u", (unsigned)(y % 10000), (unsigned)(m % 100),
	         (unsigned)(d % 100));
	memcpy(out, tmp, 11);
}

bool shop_date_add(const char *date, int64_t days, char out[11])
{
	if (!date || !time_valid_date(date))
		return false;
	int64_t z = days_from_civil(atoi(date), atoi(date + 5), atoi(date + 8)) + days;
	int64_t y, m, d;
	civil_from_days(z, &y, &m, &d);
	if (y < 1000 || y > 9999)
		return false;
	format_date(y, m, d, out);
	return true;
}

void shop_cn_date(int64_t t, char out[11])
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	format_date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, out);
}

/* Days from a to b (b - a); both real dates. */
static int64_t days_between(const char *a, const char *b)
{
	return days_from_civil(atoi(b), atoi(b + 5), atoi(b + 8)) -
	       days_from_civil(atoi(a), atoi(a + 5), atoi(a + 8));
}

/* ---- the windows of a day --------------------------------------------- */

bool shop_default_window(const char *date, int64_t window_days, shop_window *out)
{
	if (window_days <= 0 || !date || !time_valid_date(date))
		return false;
	int64_t y = atoi(date), m = atoi(date + 5);
	int64_t first_month = (m - 1) / 3 * 3 + 1;
	char qstart[11], qnext[11], end[11], start[11];
	format_date(y, first_month, 1, qstart);
	if (first_month == 10)
		format_date(y + 1, 1, 1, qnext);
	else
		format_date(y, first_month + 3, 1, qnext);
	if (!shop_date_add(qnext, -1, end) || !shop_date_add(end, -(window_days - 1), start))
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out->starts_on, strcmp(start, qstart) < 0 ? qstart : start, 11);
	memcpy(out->ends_on, end, 11);
	return true;
}

#define QUARTERS_AHEAD 5 /* default windows considered: this quarter and the next four */

/* The candidate windows: the explicit ones and the default ones from date's
 * quarter on. Returns how many were written into out (cap entries). */
static size_t candidates(const char *date, int64_t window_days, const st_window *list, size_t n,
                         shop_window *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < cap; i++) {
		if (!list[i].starts_on || !list[i].ends_on || !time_valid_date(list[i].starts_on) ||
		    !time_valid_date(list[i].ends_on))
			continue;
		memset(&out[k], 0, sizeof(out[k]));
		out[k].id = list[i].id;
		memcpy(out[k].starts_on, list[i].starts_on, 11);
		memcpy(out[k].ends_on, list[i].ends_on, 11);
		out[k].note = list[i].note;
		k++;
	}
	char day[11];
	memcpy(day, date, 11);
	for (int q = 0; q < QUARTERS_AHEAD && k < cap; q++) {
		shop_window w;
		if (!shop_default_window(day, window_days, &w))
			break;
		out[k++] = w;
		/* the first day of the next quarter: the day after this quarter's end */
		if (!shop_date_add(w.ends_on, 1, day))
			break;
	}
	return k;
}

static bool covers(const shop_window *w, const char *date)
{
	return strcmp(w->starts_on, date) <= 0 && strcmp(date, w->ends_on) <= 0;
}

void shop_window_compute(const char *date, int64_t window_days, const st_window *list, size_t n,
                         shop_window_state *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->today, date, 10);
	size_t cap = n + QUARTERS_AHEAD;
	shop_window stack[64];
	shop_window *c = cap <= 64 ? stack : calloc(cap, sizeof(*c));
	if (!c)
		return; /* out of memory: closed, nothing coming — refuses rather than allows */
	size_t k = candidates(date, window_days, list, n, c, cap);
	/* open: the covering window that lasts longest (an explicit one on a tie) */
	for (size_t i = 0; i < k; i++) {
		if (!covers(&c[i], date))
			continue;
		if (!out->open || strcmp(c[i].ends_on, out->window.ends_on) > 0) {
			out->window = c[i];
			out->open = true;
		}
	}
	if (out->open) {
		/* the run goes on through windows that overlap or adjoin it */
		memcpy(out->open_until, out->window.ends_on, 11);
		for (bool grew = true; grew;) {
			grew = false;
			char next_day[11];
			if (!shop_date_add(out->open_until, 1, next_day))
				break;
			for (size_t i = 0; i < k; i++) {
				if (strcmp(c[i].starts_on, next_day) <= 0 &&
				    strcmp(c[i].ends_on, out->open_until) > 0) {
					memcpy(out->open_until, c[i].ends_on, 11);
					grew = true;
				}
			}
		}
	}
	const char *after = out->open ? out->open_until : date;
	for (size_t i = 0; i < k; i++) {
		if (strcmp(c[i].starts_on, after) <= 0)
			continue;
		if (!out->has_next || strcmp(c[i].starts_on, out->next.starts_on) < 0 ||
		    (strcmp(c[i].starts_on, out->next.starts_on) == 0 && c[i].id && !out->next.id)) {
			out->next = c[i];
			out->has_next = true;
		}
	}
	if (c != stack)
		free(c);
}

core_status shop_window_state_at(store *st, int64_t village_id, int64_t now, arena *ar,
                                 shop_window_state *out, core_err *err)
{
	st_village v;
	store_rc rc = store_village_get(st, village_id, ar, &v);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	char today[11];
	shop_cn_date(now, today);
	st_window *list = NULL;
	size_t n = 0;
	rc = store_window_list(st, village_id, today, ar, &list, &n);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "兑换时间", "redemption windows");
	shop_window_compute(today, v.window_days, list, n, out);
	rc = store_override_active(st, village_id, now, ar, &out->override);
	if (rc == STORE_OK)
		out->has_override = true;
	else if (rc != STORE_NOT_FOUND)
		return core_store_fail(err, rc, "临时开放", "override");
	return CORE_OK;
}

/* ---- explicit windows and overrides ----------------------------------- */

core_status shop_window_create(store *st, const actor *who, int64_t village_id,
                               const char *starts_on, const char *ends_on, const char *note,
                               int64_t *id, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (!starts_on || !time_valid_date(starts_on) || !ends_on || !time_valid_date(ends_on))
		return core_fail(err, CORE_INVALID, "invalid_date",
		                 "开始和结束日期（starts_on、ends_on）须为 YYYY-MM-DD 格式的日期",
		                 "starts_on and ends_on must be real dates written YYYY-MM-DD");
	if (strcmp(starts_on, ends_on) > 0)
		return core_fail(err, CORE_INVALID, "invalid_window", "开始日期不能晚于结束日期",
		                 "starts_on cannot be after ends_on");
	char today[11];
	time_today_cn(today);
	if (strcmp(ends_on, today) < 0)
		return core_fail(err, CORE_INVALID, "window_in_past",
		                 "兑换时间已经过去（结束于 %s，今天是 %s）",
		                 "the window is already over (it ends on %s; today is %s)", ends_on, today);
	if (days_between(starts_on, ends_on) + 1 > SHOP_MAX_WINDOW_DAYS)
		return core_fail(err, CORE_INVALID, "window_too_long", "一次兑换时间最长 %d 天",
		                 "a window lasts at most %d days", SHOP_MAX_WINDOW_DAYS);
	if (note && validate_text(err, "note", "备注", note, 0, 200) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	st_window w = {.village_id = village_id, .starts_on = starts_on, .ends_on = ends_on,
	               .note = note ? note : "", .created_by = who->user ? who->user->id : 0,
	               .created_at = time_now()};
	store_rc rc = store_window_create(st, &w, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "兑换时间", "redemption window");
	}
	char sum[128];
	snprintf(sum, sizeof(sum), "{\"starts_on\":\"%s\",\"ends_on\":\"%s\"}", starts_on, ends_on);
	return org_finish(st, who, village_id, "redemption_window", *id, "create", sum, err);
}

core_status shop_window_list(store *st, const actor *who, int64_t village_id, arena *ar,
                             st_window **out, size_t *n, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_window_list(st, village_id, NULL, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "兑换时间", "redemption windows");
}

core_status shop_override_create(store *st, const actor *who, int64_t village_id,
                                 const char *reason, int64_t hours, int64_t *id, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (!who->user)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "临时开放须由登录的村管理员设置",
		                 "an override is set by a signed-in village admin");
	if (validate_text(err, "reason", "临时开放原因", reason, 1, 200) != CORE_OK)
		return err->status;
	if (hours < 1 || hours > SHOP_MAX_OVERRIDE_HOURS)
		return core_fail(err, CORE_INVALID, "invalid_hours", "临时开放时长（hours）须在 1 到 %d 小时之间",
		                 "hours must be between 1 and %d", SHOP_MAX_OVERRIDE_HOURS);
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	int64_t now = time_now();
	st_override o = {.village_id = village_id, .reason = reason, .valid_until = now + hours * 3600,
	                 .created_by = who->user->id, .created_at = now};
	store_rc rc = store_override_create(st, &o, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "临时开放", "override");
	}
	char until[32];
	time_iso(o.valid_until, until, sizeof(until));
	/* the reason is free text: the JSON library quotes it */
	json_t *j = json_pack("{s:I, s:s, s:s}", "hours", (json_int_t)hours, "valid_until", until,
	                      "reason", reason);
	char *sum = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	core_status cs = org_finish(st, who, village_id, "redemption_override", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status shop_override_get(store *st, const actor *who, int64_t id, arena *ar,
                              st_override *out, core_err *err)
{
	store_rc rc = store_override_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "临时开放", "override");
	return access_village(st, who, out->village_id, ACCESS_STAFF, err);
}

core_status shop_override_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                               int64_t limit, arena *ar, st_override **out, size_t *n,
                               int64_t *total, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = store_override_list(st, village_id, offset, limit, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "临时开放", "overrides");
}
