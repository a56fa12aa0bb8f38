/*
 * demo_notices.c: the demo's notices (see demo_notices.h). Everything goes
 * through the real calls (notice_publish, objection_file, objection_settle,
 * notices_confirm_due, ledger_record); only the publication times are written
 * afterwards (store_notice_set_times), since the demo's year of history is
 * created in one go today.
 */
#include "core/demo_notices.h"

#include <stdio.h>
#include <string.h>

#include "core/ledger.h"
#include "core/notices.h"
#include "util/timeutil.h"

#define DEMO_MONTHS 12
#define CN_OFFSET (8 * 3600)

/* month minus n months, YYYY-MM. */
static void month_back(const char *month, int n, char out[8])
{
	int y = 0, m = 0;
	sscanf(month, "%4d-%2d", &y, &m);
	int k = y * 12 + (m - 1) - n;
	snprintf(out, 8, "%04u-%02u", (unsigned)(k / 12) % 10000u, (unsigned)(k % 12 + 1) % 100u);
}

/* Unix time of the day-th of month at 09:00 China time. */
static int64_t month_day_at_nine(const char *month, int day)
{
	int y = 0, m = 0;
	sscanf(month, "%4d-%2d", &y, &m);
	/* days from 1970-01-01 to y-m-day (civil calendar) */
	int yy = m <= 2 ? y - 1 : y;
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;
	int mp = (m + 9) % 12;
	int doy = (153 * mp + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	return days * 86400 + 9 * 3600 - CN_OFFSET;
}

/* The first entry of the list of this kind, not yet reversed, not of household
 * skip and not one of the two already picked; NULL if there is none. */
static const st_entry *pick(const st_entry *list, size_t n, const char *kind, int64_t skip,
                            const st_entry *not_this, const st_entry *nor_this)
{
	for (size_t i = 0; i < n; i++) {
		const st_entry *e = &list[i];
		if (strcmp(e->kind, kind) != 0 || e->reversed_by || e->household_id == skip ||
		    e == not_this || e == nor_this)
			continue;
		return e;
	}
	return NULL;
}

/* The objections of last month's notice: upheld, dismissed, open. */
static core_status objections(store *st, const st_notice *n, const actor *admin,
                              const actor *villager, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_entry *list = NULL;
	size_t cnt = 0;
	core_status cs = CORE_OK;
	store_rc rc = store_notice_entries(st, n->village_id, n->month, 0, &ar, &list, &cnt);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "公示", "notice");
		goto out;
	}
	int64_t own = villager->user->household_id;
	const st_entry *up = pick(list, cnt, "award", own, NULL, NULL);
	const st_entry *dis = pick(list, cnt, "deduction", 0, up, NULL);
	bool dis_award = !dis;
	if (!dis)
		dis = pick(list, cnt, "award", own, up, NULL);
	const st_entry *open = pick(list, cnt, "award", own, up, dis);
	if (!up || !dis || !open)
		goto out; /* a month too quiet for objections */
	char reason[256];
	int64_t id = 0;
	snprintf(reason, sizeof(reason), "%s 那天%s家没人在村里，这条“%s”记录可能记错了，请核实",
	         up->deed_date, up->head_name, up->rule_name ? up->rule_name : "");
	cs = objection_file(st, villager, n->id, up->id, reason, NULL, &id, err);
	if (cs == CORE_OK)
		cs = objection_settle(st, admin, id, "upheld",
		                      "经评分小组入户核实，当天该户确实不在村里，记录有误，予以冲销",
		                      NULL, NULL, err);
	if (cs != CORE_OK)
		goto out;
	if (dis_award)
		snprintf(reason, sizeof(reason), "%s家这条“%s”的分值是不是记多了？请核实", dis->head_name,
		         dis->rule_name ? dis->rule_name : "");
	else
		snprintf(reason, sizeof(reason), "%s家这次“%s”扣分，我觉得不合理，请村里再核实一下",
		         dis->head_name, dis->rule_name ? dis->rule_name : "");
	cs = objection_file(st, villager, n->id, dis->id, reason, NULL, &id, err);
	if (cs == CORE_OK)
		cs = objection_settle(st, admin, id, "dismissed",
		                      "经核实，评分小组检查时拍有照片，记录与细则相符，维持原分",
		                      NULL, NULL, err);
	if (cs != CORE_OK)
		goto out;
	snprintf(reason, sizeof(reason), "“%s”这条记录的日期好像不对，%s家那几天在外地，请核实",
	         open->rule_name ? open->rule_name : "", open->head_name);
	cs = objection_file(st, villager, n->id, open->id, reason, NULL, &id, err);
out:
	arena_free(&ar);
	return cs;
}

/* A good deed of last month recorded after its notice: it goes into the current
 * month and shows as late. Skipped quietly if the catalogue has no such rule. */
static core_status late_entry(store *st, int64_t village_id, const st_notice *n,
                              const actor *admin, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_rule *rules = NULL;
	size_t nr = 0;
	st_household *hh = NULL;
	size_t nh = 0;
	int64_t total = 0, rule = 0;
	core_status cs = CORE_OK;
	st_household_filter f = {.village_id = village_id, .status = "active", .limit = 10};
	store_rc rc = store_rule_list(st, village_id, "active", &ar, &rules, &nr);
	if (rc == STORE_OK)
		rc = store_household_list(st, &f, &ar, &hh, &nh, &total);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "细则", "rules");
		goto out;
	}
	for (size_t i = 0; i < nr; i++)
		if (strcmp(rules[i].name, "拾金不昧") == 0 && !rules[i].has_range)
			rule = rules[i].id;
	if (!rule || !nh)
		goto out;
	char date[11];
	snprintf(date, sizeof(date), "%s-20", n->month);
	ledger_target t = {.household_id = hh[nh - 1].id}; /* the tenth, in a village that big */
	ledger_record_in in = {.village_id = village_id, .rule_id = rule, .targets = &t,
	                       .ntargets = 1, .deed_date = date,
	                       .note = "上月拾到钱包交还失主，公示发布后补记"};
	int64_t batch = 0;
	core_err e;
	cs = ledger_record(st, admin, &in, NULL, &batch, &e);
	if (cs == CORE_INVALID)
		cs = CORE_OK; /* a cap: the demo goes on without it */
	else if (cs != CORE_OK)
		*err = e;
out:
	arena_free(&ar);
	return cs;
}

core_status demo_notices_create(store *st, int64_t village_id, const st_user *admin,
                                const st_user *villager, core_err *err)
{
	actor admin_actor = {.user = admin, .ip = "demo"};
	actor villager_actor = {.user = villager, .ip = "demo"};
	arena ar;
	arena_init(&ar, 0);
	st_village v;
	core_status cs = CORE_OK;
	store_rc rc = store_village_get(st, village_id, &ar, &v);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "村", "village");
		goto out;
	}
	char today[11], current[8];
	time_today_cn(today);
	snprintf(current, sizeof(current), "%.7s", today);
	int64_t now = time_now(), window = v.notice_days * NOTICE_DAY_SECONDS;
	st_notice last = {0};
	for (int back = DEMO_MONTHS; back >= 1 && cs == CORE_OK; back--) {
		char month[8], next[8];
		month_back(current, back, month);
		month_back(current, back - 1, next);
		int64_t count = 0, points = 0, id = 0;
		rc = store_month_totals(st, village_id, month, &count, &points);
		if (rc != STORE_OK) {
			cs = core_store_fail(err, rc, "月份", "month");
			break;
		}
		if (!count)
			continue;
		cs = notice_publish(st, &admin_actor, village_id, month, 0, &id, err);
		if (cs != CORE_OK)
			break;
		/* published on the 3rd of the month after; last month's a little while ago */
		int64_t published = month_day_at_nine(next, 3);
		if (back == 1) {
			published = now - window / 3;
			if (published < month_day_at_nine(current, 1))
				published = month_day_at_nine(current, 1);
		}
		rc = store_notice_set_times(st, id, published, published + window);
		if (rc == STORE_OK)
			rc = store_notice_get(st, id, &ar, &last);
		if (rc != STORE_OK) {
			cs = core_store_fail(err, rc, "公示", "notice");
			break;
		}
		/* confirmed when its window closed */
		if (back > 1)
			cs = notices_confirm_due(st, published + window, NULL, err);
	}
	if (cs == CORE_OK && last.id && strcmp(last.status, "open") == 0 && last.closes_at > now) {
		cs = objections(st, &last, &admin_actor, &villager_actor, err);
		if (cs == CORE_OK)
			cs = late_entry(st, village_id, &last, &admin_actor, err);
	}
out:
	arena_free(&ar);
	return cs;
}
