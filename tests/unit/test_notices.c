/*
 * test_notices.c: the monthly notice's domain (src/core/notices.c) and its SQL:
 * who may publish which month and what a notice records, the freeze of a
 * published month, objections and their settlement, the confirmation of a
 * closed window (with and without open objections), the views, and the demo's
 * notices (src/core/demo_notices.c).
 */
#include "check.h"
#include "ledger_fixture.h"

#include "core/demo_notices.h"
#include "core/ledger.h"
#include "core/notices.h"

/* Records rule for household on date as the scorer; the new entry's id or 0. */
static int64_t rec(lworld *w, int64_t rule, int64_t household, const char *date)
{
	ledger_target t = {.household_id = household};
	ledger_record_in in = {.village_id = w->v1, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .deed_date = date};
	int64_t batch = 0;
	core_err err;
	if (ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &batch, &err) != CORE_OK) {
		fprintf(stderr, "rec %s: %s\n", date, err.en);
		return 0;
	}
	return lw_int(w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)batch);
}

static st_balance bal(lworld *w, int64_t household)
{
	st_balance b;
	memset(&b, 0, sizeof(b));
	store_balance_get(w->st, household, &b);
	return b;
}

/* "YYYY-MM" of date. */
static void month_of(const char *date, char out[8])
{
	snprintf(out, 8, "%.7s", date);
}

/* The first day of the month n months before the current one (China time). */
static void months_back(int n, char out[11])
{
	char t[11];
	time_today_cn(t);
	int y = atoi(t), m = atoi(t + 5);
	int k = y * 12 + (m - 1) - n;
	snprintf(out, 11, "%04u-%02u-01", (unsigned)(k / 12) % 10000u, (unsigned)(k % 12 + 1) % 100u);
}

static size_t mismatches(lworld *w)
{
	st_balance_check *bad = NULL;
	size_t n = 99;
	if (store_balance_mismatches(w->st, w->v1, &w->ar, &bad, &n) != STORE_OK)
		return 99;
	return n;
}

static void publish_who_which_month_and_what_it_records(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	int64_t ded = lw_rule(&w, w.v1, "乱堆乱放", -3, NULL);
	char may3[11], may20[11], jun1[11], today[11], may[8], jun[8], this_month[8];
	lw_last_year(may3, 5, 3);
	lw_last_year(may20, 5, 20);
	lw_last_year(jun1, 6, 1);
	lw_today(today);
	month_of(may3, may);
	month_of(jun1, jun);
	month_of(today, this_month);
	CHECK(rec(&w, rule, w.h1, may3) && rec(&w, ded, w.h2, may20) && rec(&w, rule, w.h3, jun1));
	core_err err;
	int64_t id = 0;
	const int refused[] = {LW_SCORER, LW_CLERK, LW_VILLAGER, LW_COUNTY, LW_ADMIN2};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(lw_expect("not the admin", notice_publish(w.st, &w.as[refused[i]], w.v1, may, 0, &id, &err),
		                &err, CORE_FORBIDDEN, "forbidden", NULL));
	const struct {
		const char *month, *code;
	} bad[] = {{this_month, "month_not_ended"}, {"2026-13", "invalid_month"},
	           {"1999-12", "invalid_month"}, {"2026-1", "invalid_month"}, {NULL, "invalid_month"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(lw_expect(bad[i].month ? bad[i].month : "NULL",
		                notice_publish(w.st, &w.as[LW_ADMIN], w.v1, bad[i].month, 0, &id, &err),
		                &err, CORE_INVALID, bad[i].code, NULL));
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM notices"), 0);

	int64_t seq = 0;
	char head[STORE_HASH_HEX + 1];
	CHECK_INT_EQ(store_chain_head(w.st, w.v1, &seq, head), STORE_OK);
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &id, &err), CORE_OK);
	st_notice n;
	CHECK_INT_EQ(notice_get(w.st, &w.as[LW_VILLAGER], id, &w.ar, &n, &err), CORE_OK);
	CHECK_STR_EQ(n.month, may);
	CHECK_STR_EQ(n.status, "open");
	CHECK_INT_EQ(n.chain_seq, seq);
	CHECK_STR_EQ(n.chain_hash, head);
	CHECK_INT_EQ(n.entry_count, 2);
	CHECK_INT_EQ(n.total_points, 2);
	CHECK_INT_EQ(n.closes_at - n.published_at, 7 * 86400);
	CHECK_INT_EQ(n.published_by, w.u[LW_ADMIN].id);
	CHECK_INT_EQ(n.confirmed_at, 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'notice' AND action = 'publish'"
	                        " AND entity_id = %lld AND user_id = %lld", (long long)id,
	                    (long long)w.u[LW_ADMIN].id),
	             1);
	CHECK(lw_expect("twice", notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &id, &err), &err,
	                CORE_CONFLICT, "notice_exists", "已经发布"));
	/* a month confirmed some other way cannot be published */
	CHECK_INT_EQ(lw_exec(&w, "INSERT INTO confirmed_months VALUES (%lld, '%s', 1)", (long long)w.v1, jun), 0);
	CHECK(lw_expect("confirmed", notice_publish(w.st, &w.as[LW_ADMIN], w.v1, jun, 0, &id, &err), &err,
	                CORE_CONFLICT, "month_confirmed", NULL));
	/* the operator may publish; a short "day" makes a short window */
	char jul[8];
	snprintf(jul, sizeof(jul), "%.4s-07", may);
	actor op = {.user = NULL, .ip = "cli"};
	CHECK_INT_EQ(notice_publish(w.st, &op, w.v1, jul, 2, &id, &err), CORE_OK);
	CHECK_INT_EQ(notice_get(w.st, &op, id, &w.ar, &n, &err), CORE_OK);
	CHECK_INT_EQ(n.closes_at - n.published_at, 14);
	CHECK_INT_EQ(n.published_by, 0);
	CHECK_INT_EQ(n.entry_count, 0);
	/* the other village's people do not read it */
	CHECK(lw_expect("other village", notice_get(w.st, &w.as[LW_ADMIN2], id, &w.ar, &n, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	st_notice *list = NULL;
	size_t cnt = 0;
	int64_t total = 0;
	CHECK_INT_EQ(notice_list(w.st, &w.as[LW_SCORER], w.v1, 0, 50, &w.ar, &list, &cnt, &total, &err), CORE_OK);
	CHECK_INT_EQ(cnt, 2);
	CHECK_STR_EQ(list[0].month, jul); /* latest month first */
	CHECK_STR_EQ(list[1].month, may);
	lw_done(&w);
}

static void a_published_month_is_frozen(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	char may3[11], jun1[11], today[11], may[8], this_month[8], m[8];
	lw_last_year(may3, 5, 3);
	lw_last_year(jun1, 6, 1);
	lw_today(today);
	month_of(may3, may);
	month_of(today, this_month);
	core_err err;
	CHECK_INT_EQ(ledger_target_month(w.st, w.v1, may3, m, &err), CORE_OK);
	CHECK_STR_EQ(m, may);
	int64_t id = 0;
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &id, &err), CORE_OK);
	bool frozen = false;
	CHECK_INT_EQ(store_month_frozen(w.st, w.v1, may, &frozen), STORE_OK);
	CHECK(frozen);
	CHECK_INT_EQ(store_month_frozen(w.st, w.v2, may, &frozen), STORE_OK);
	CHECK(!frozen);
	CHECK_INT_EQ(ledger_target_month(w.st, w.v1, may3, m, &err), CORE_OK);
	CHECK_STR_EQ(m, this_month);
	CHECK_INT_EQ(ledger_target_month(w.st, w.v1, jun1, m, &err), CORE_OK);
	CHECK(strncmp(m, jun1, 7) == 0);
	CHECK_INT_EQ(ledger_target_month(w.st, w.v2, may3, m, &err), CORE_OK);
	CHECK_STR_EQ(m, may);
	int64_t late = rec(&w, rule, w.h1, may3);
	CHECK(late);
	st_entry e;
	CHECK_INT_EQ(store_entry_get(w.st, late, &w.ar, &e), STORE_OK);
	CHECK_STR_EQ(e.month, this_month);
	CHECK_STR_EQ(e.deed_date, may3);
	CHECK_STR_EQ(e.bucket, "pending");
	/* the notice keeps what it published */
	st_notice n;
	CHECK_INT_EQ(notice_get(w.st, &w.as[LW_ADMIN], id, &w.ar, &n, &err), CORE_OK);
	CHECK_INT_EQ(n.entry_count, 0);
	lw_done(&w);
}

static void objections_upheld_and_dismissed(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	char may3[11], may9[11], jun1[11], may[8];
	lw_last_year(may3, 5, 3);
	lw_last_year(may9, 5, 9);
	lw_last_year(jun1, 6, 1);
	month_of(may3, may);
	int64_t e1 = rec(&w, rule, w.h1, may3), e2 = rec(&w, rule, w.h2, may9), e3 = rec(&w, rule, w.h3, jun1);
	CHECK(e1 && e2 && e3);
	core_err err;
	int64_t nid = 0, o1 = 0, o2 = 0, o = 0;
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &nid, &err), CORE_OK);
	actor op = {.user = NULL, .ip = "cli"};
	CHECK(lw_expect("empty reason", objection_file(w.st, &w.as[LW_VILLAGER2], nid, e1, "", NULL, &o, &err),
	                &err, CORE_INVALID, NULL, "异议理由"));
	CHECK(lw_expect("area admin", objection_file(w.st, &w.as[LW_COUNTY], nid, e1, "不对", NULL, &o, &err),
	                &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(lw_expect("operator", objection_file(w.st, &op, nid, e1, "不对", NULL, &o, &err), &err,
	                CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(lw_expect("other village", objection_file(w.st, &w.as[LW_ADMIN2], nid, e1, "不对", NULL, &o, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("June's entry", objection_file(w.st, &w.as[LW_VILLAGER], nid, e3, "不对", NULL, &o, &err),
	                &err, CORE_INVALID, "invalid_entry", NULL));
	CHECK(lw_expect("no notice", objection_file(w.st, &w.as[LW_VILLAGER], 999, e1, "不对", NULL, &o, &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	/* a neighbour objects to household 1001's entry; 1001 itself to 1002's */
	CHECK_INT_EQ(objection_file(w.st, &w.as[LW_VILLAGER2], nid, e1, "那天他家没人在村里", NULL, &o1, &err),
	             CORE_OK);
	CHECK(lw_expect("second open", objection_file(w.st, &w.as[LW_SCORER], nid, e1, "确实", NULL, &o, &err),
	                &err, CORE_CONFLICT, "objection_open", NULL));
	CHECK_INT_EQ(objection_file(w.st, &w.as[LW_VILLAGER], nid, e2, "分值记多了", NULL, &o2, &err), CORE_OK);
	st_objection ob;
	CHECK_INT_EQ(objection_get(w.st, &w.as[LW_VILLAGER], o1, &w.ar, &ob, &err), CORE_OK);
	CHECK_INT_EQ(ob.household_id, w.h1);
	CHECK_STR_EQ(ob.status, "open");
	CHECK(!objection_author_visible(&w.as[LW_VILLAGER], &ob));
	CHECK(objection_author_visible(&w.as[LW_VILLAGER2], &ob));
	CHECK(objection_author_visible(&w.as[LW_SCORER], &ob));

	/* settled by the village's admin only */
	const int refused[] = {LW_SCORER, LW_VILLAGER, LW_COUNTY, LW_ADMIN2};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(lw_expect("not the admin",
		                objection_settle(w.st, &w.as[refused[i]], o1, "upheld", "有误", NULL, NULL, &err),
		                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("outcome", objection_settle(w.st, &w.as[LW_ADMIN], o1, "ok", "有误", NULL, NULL, &err),
	                &err, CORE_INVALID, "invalid_outcome", NULL));
	CHECK(lw_expect("resolution", objection_settle(w.st, &w.as[LW_ADMIN], o1, "upheld", "", NULL, NULL, &err),
	                &err, CORE_INVALID, NULL, "处理说明"));
	st_balance b0 = bal(&w, w.h1);
	bool confirmed = true;
	CHECK_INT_EQ(objection_settle(w.st, &w.as[LW_ADMIN], o1, "upheld", "核实有误，予以冲销", NULL, &confirmed,
	                              &err),
	             CORE_OK);
	CHECK(!confirmed);
	CHECK_INT_EQ(objection_get(w.st, &w.as[LW_ADMIN], o1, &w.ar, &ob, &err), CORE_OK);
	CHECK_STR_EQ(ob.status, "upheld");
	CHECK_STR_EQ(ob.resolution, "核实有误，予以冲销");
	CHECK_INT_EQ(ob.settled_by, w.u[LW_ADMIN].id);
	CHECK(ob.reversal_entry_id);
	st_entry rev;
	CHECK_INT_EQ(store_entry_get(w.st, ob.reversal_entry_id, &w.ar, &rev), STORE_OK);
	CHECK_STR_EQ(rev.kind, "reversal");
	CHECK_INT_EQ(rev.reverses_id, e1);
	CHECK_INT_EQ(rev.points, -5);
	CHECK_STR_EQ(rev.month, may);
	CHECK_STR_EQ(rev.bucket, "pending");
	CHECK_STR_EQ(rev.note, "核实有误，予以冲销");
	st_balance b1 = bal(&w, w.h1);
	CHECK_INT_EQ(b1.pending, b0.pending - 5);
	CHECK_INT_EQ(b1.confirmed, b0.confirmed);
	CHECK(lw_expect("again", objection_settle(w.st, &w.as[LW_ADMIN], o1, "dismissed", "再议", NULL, NULL, &err),
	                &err, CORE_CONFLICT, "objection_settled", NULL));
	CHECK(lw_expect("reversed", objection_file(w.st, &w.as[LW_VILLAGER2], nid, e1, "再看", NULL, &o, &err), &err,
	                CORE_CONFLICT, "already_reversed", NULL));
	CHECK(lw_expect("the reversal",
	                objection_file(w.st, &w.as[LW_VILLAGER2], nid, rev.id, "再看", NULL, &o, &err), &err,
	                CORE_INVALID, "entry_not_objectable", NULL));
	/* dismissed: no entry, the reason kept */
	long long entries = lw_entries(&w);
	CHECK_INT_EQ(objection_settle(w.st, &w.as[LW_ADMIN], o2, "dismissed", "照片为证，维持原分", NULL, NULL, &err),
	             CORE_OK);
	CHECK_INT_EQ(lw_entries(&w), entries);
	CHECK_INT_EQ(objection_get(w.st, &w.as[LW_VILLAGER], o2, &w.ar, &ob, &err), CORE_OK);
	CHECK_STR_EQ(ob.status, "dismissed");
	CHECK_STR_EQ(ob.resolution, "照片为证，维持原分");
	CHECK_INT_EQ(ob.reversal_entry_id, 0);
	st_objection *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(objection_list(w.st, &w.as[LW_VILLAGER], nid, NULL, &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(objection_list(w.st, &w.as[LW_VILLAGER], nid, "open", &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'objection'"), 4);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'entry' AND action = 'reverse'"), 1);
	/* an entry reversed meanwhile is linked, not reversed twice */
	int64_t nid2 = 0;
	char aug[8], aug5[11];
	lw_last_year(aug5, 8, 5);
	month_of(aug5, aug);
	int64_t e5 = rec(&w, rule, w.h3, aug5);
	CHECK(e5);
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, aug, 0, &nid2, &err), CORE_OK);
	CHECK_INT_EQ(objection_file(w.st, &w.as[LW_VILLAGER], nid2, e5, "记错户了", NULL, &o, &err), CORE_OK);
	int64_t batch = 0;
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_SCORER], e5, "记错户了", NULL, &batch, &err), CORE_OK);
	CHECK_INT_EQ(objection_settle(w.st, &w.as[LW_ADMIN], o, "upheld", "已由评分员冲销", NULL, NULL, &err), CORE_OK);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM entries WHERE reverses_id = %lld", (long long)e5), 1);
	CHECK_INT_EQ(objection_get(w.st, &w.as[LW_ADMIN], o, &w.ar, &ob, &err), CORE_OK);
	CHECK_INT_EQ(ob.reversal_entry_id,
	             lw_int(&w, "SELECT id FROM entries WHERE reverses_id = %lld", (long long)e5));
	CHECK_INT_EQ(mismatches(&w), 0);
	lw_done(&w);
}

static void a_closed_window_confirms_the_month(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	int64_t ded = lw_rule(&w, w.v1, "乱堆乱放", -3, NULL);
	char may3[11], may9[11], jun1[11], today[11], may[8];
	lw_last_year(may3, 5, 3);
	lw_last_year(may9, 5, 9);
	lw_last_year(jun1, 6, 1);
	lw_today(today);
	month_of(may3, may);
	CHECK(rec(&w, rule, w.h1, may3) && rec(&w, ded, w.h1, may9) && rec(&w, rule, w.h2, may9));
	CHECK(rec(&w, rule, w.h1, jun1) && rec(&w, rule, w.h1, today));
	core_err err;
	int64_t nid = 0;
	int count = -1;
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &nid, &err), CORE_OK);
	st_notice n;
	CHECK_INT_EQ(notice_get(w.st, &w.as[LW_ADMIN], nid, &w.ar, &n, &err), CORE_OK);
	/* not before the window closes */
	CHECK_INT_EQ(notices_confirm_due(w.st, n.closes_at - 1, &count, &err), CORE_OK);
	CHECK_INT_EQ(count, 0);
	CHECK_INT_EQ(bal(&w, w.h1).confirmed, 0);
	CHECK_INT_EQ(notices_confirm_due(w.st, n.closes_at, &count, &err), CORE_OK);
	CHECK_INT_EQ(count, 1);
	CHECK_INT_EQ(notice_get(w.st, &w.as[LW_ADMIN], nid, &w.ar, &n, &err), CORE_OK);
	CHECK_STR_EQ(n.status, "confirmed");
	CHECK_INT_EQ(n.confirmed_at, n.closes_at);
	bool yes = false;
	CHECK_INT_EQ(store_month_confirmed(w.st, w.v1, may, &yes), STORE_OK);
	CHECK(yes);
	st_balance b1 = bal(&w, w.h1), b2 = bal(&w, w.h2);
	CHECK_INT_EQ(b1.confirmed, 2);  /* May: +5 -3 */
	CHECK_INT_EQ(b1.pending, 10);   /* June and this month */
	CHECK_INT_EQ(b2.confirmed, 5);
	CHECK_INT_EQ(b2.pending, 0);
	CHECK_INT_EQ(mismatches(&w), 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'notice' AND action = 'confirm'"
	                        " AND ip = 'scheduler' AND user_id IS NULL"),
	             1);
	/* once only */
	CHECK_INT_EQ(notices_confirm_due(w.st, n.closes_at + 86400, &count, &err), CORE_OK);
	CHECK_INT_EQ(count, 0);
	CHECK_INT_EQ(bal(&w, w.h1).confirmed, 2);
	/* closed to objections */
	int64_t o = 0;
	int64_t may_entry = lw_int(&w, "SELECT min(id) FROM entries WHERE month = '%s'", may);
	CHECK(lw_expect("closed", objection_file(w.st, &w.as[LW_VILLAGER], nid, may_entry, "不对", NULL, &o, &err),
	                &err, CORE_CONFLICT, "notice_closed", NULL));
	lw_done(&w);
}

static void an_open_objection_holds_the_confirmation(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	char may3[11], may[8];
	lw_last_year(may3, 5, 3);
	month_of(may3, may);
	int64_t e1 = rec(&w, rule, w.h1, may3), e2 = rec(&w, rule, w.h2, may3);
	CHECK(e1 && e2);
	core_err err;
	int64_t nid = 0, o1 = 0, o2 = 0;
	int count = -1;
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &nid, &err), CORE_OK);
	CHECK_INT_EQ(objection_file(w.st, &w.as[LW_VILLAGER2], nid, e1, "有误", NULL, &o1, &err), CORE_OK);
	CHECK_INT_EQ(objection_file(w.st, &w.as[LW_VILLAGER], nid, e2, "有误", NULL, &o2, &err), CORE_OK);
	/* the window closes (moved into the past) with two objections open */
	int64_t now = time_now();
	CHECK_INT_EQ(store_notice_set_times(w.st, nid, now - 8 * 86400, now - 86400), STORE_OK);
	CHECK_INT_EQ(notices_confirm_due(w.st, now, &count, &err), CORE_OK);
	CHECK_INT_EQ(count, 0);
	bool confirmed = true;
	CHECK_INT_EQ(objection_settle(w.st, &w.as[LW_ADMIN], o1, "upheld", "有误", NULL, &confirmed, &err), CORE_OK);
	CHECK(!confirmed);
	st_notice n;
	CHECK_INT_EQ(notice_get(w.st, &w.as[LW_ADMIN], nid, &w.ar, &n, &err), CORE_OK);
	CHECK_STR_EQ(n.status, "open");
	CHECK_INT_EQ(n.open_objections, 1);
	CHECK_INT_EQ(objection_settle(w.st, &w.as[LW_ADMIN], o2, "dismissed", "无误", NULL, &confirmed, &err),
	             CORE_OK);
	CHECK(confirmed);
	CHECK_INT_EQ(notice_get(w.st, &w.as[LW_ADMIN], nid, &w.ar, &n, &err), CORE_OK);
	CHECK_STR_EQ(n.status, "confirmed");
	CHECK_INT_EQ(bal(&w, w.h1).confirmed, 0); /* the entry and its reversal together */
	CHECK_INT_EQ(bal(&w, w.h1).pending, 0);
	CHECK_INT_EQ(bal(&w, w.h2).confirmed, 5);
	CHECK_INT_EQ(mismatches(&w), 0);
	CHECK_INT_EQ(notices_confirm_due(w.st, now, &count, &err), CORE_OK);
	CHECK_INT_EQ(count, 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM confirmed_months"), 1);
	lw_done(&w);
}

static void views_list_every_household(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	char may3[11], may9[11], jun1[11], may[8], jun[8];
	lw_last_year(may3, 5, 3);
	lw_last_year(may9, 5, 9);
	lw_last_year(jun1, 6, 1);
	month_of(may3, may);
	month_of(jun1, jun);
	int64_t e1 = rec(&w, rule, w.h2, may3), e2 = rec(&w, rule, w.h2, may9), e3 = rec(&w, rule, w.h1, jun1);
	CHECK(e1 && e2 && e3);
	core_err err;
	notice_view v;
	CHECK(lw_expect("none yet", notice_view_public(w.st, w.v1, NULL, &w.ar, &v, &err), &err, CORE_NOT_FOUND,
	                "not_found", "还没有发布"));
	CHECK(lw_expect("no village", notice_view_public(w.st, 999, NULL, &w.ar, &v, &err), &err, CORE_NOT_FOUND,
	                NULL, NULL));
	int64_t nmay = 0, njun = 0;
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, jun, 0, &njun, &err), CORE_OK);
	CHECK_INT_EQ(notice_publish(w.st, &w.as[LW_ADMIN], w.v1, may, 0, &nmay, &err), CORE_OK);
	CHECK_INT_EQ(notice_view_get(w.st, &w.as[LW_VILLAGER], nmay, 0, &w.ar, &v, &err), CORE_OK);
	CHECK_STR_EQ(v.village_name, "高箭沟村");
	/* the active households by group and passbook (1004 moved out, no entries) */
	CHECK_INT_EQ(v.nlines, 3);
	CHECK_STR_EQ(v.lines[0].household->passbook_no, "1001");
	CHECK_STR_EQ(v.lines[1].household->passbook_no, "1002");
	CHECK_STR_EQ(v.lines[2].household->passbook_no, "2001");
	CHECK_INT_EQ(v.lines[0].nentries, 0);
	CHECK_INT_EQ(v.lines[1].nentries, 2);
	CHECK_INT_EQ(v.lines[1].points, 10);
	CHECK_INT_EQ(v.lines[1].entries[0].id, e1);
	CHECK_INT_EQ(v.lines[1].entries[1].id, e2);
	CHECK_STR_EQ(v.lines[1].entries[0].rule_name, "拾金不昧");
	CHECK_INT_EQ(notice_view_get(w.st, &w.as[LW_SCORER], nmay, w.h2, &w.ar, &v, &err), CORE_OK);
	CHECK_INT_EQ(v.nlines, 1);
	CHECK_INT_EQ(v.lines[0].household->household_id, w.h2);
	CHECK(lw_expect("other village", notice_view_get(w.st, &w.as[LW_ADMIN2], nmay, 0, &w.ar, &v, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	/* public: the latest month, or the one asked for */
	CHECK_INT_EQ(notice_view_public(w.st, w.v1, NULL, &w.ar, &v, &err), CORE_OK);
	CHECK_STR_EQ(v.notice.month, jun);
	CHECK_INT_EQ(v.lines[0].points, 5);
	CHECK_INT_EQ(notice_view_public(w.st, w.v1, may, &w.ar, &v, &err), CORE_OK);
	CHECK_STR_EQ(v.notice.month, may);
	CHECK(lw_expect("bad month", notice_view_public(w.st, w.v1, "2026-13", &w.ar, &v, &err), &err,
	                CORE_INVALID, "invalid_month", NULL));
	CHECK(lw_expect("other village", notice_view_public(w.st, w.v2, NULL, &w.ar, &v, &err), &err,
	                CORE_NOT_FOUND, NULL, NULL));
	lw_done(&w);
}

static void the_demo_publishes_its_past_months(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "志愿服务", 4, NULL);
	int64_t ded = lw_rule(&w, w.v1, "乱堆乱放", -3, NULL);
	CHECK(lw_rule(&w, w.v1, "拾金不昧", 5, NULL));
	char m3[11], m2[11], m1[11], d[11], today[11], last[8];
	months_back(3, m3);
	months_back(2, m2);
	months_back(1, m1);
	month_of(m1, last);
	lw_today(today);
	const char *firsts[] = {m3, m2, m1};
	for (int i = 0; i < 3; i++) {
		snprintf(d, sizeof(d), "%.8s10", firsts[i]);
		CHECK(rec(&w, rule, w.h2, d) && rec(&w, rule, w.h3, d) && rec(&w, ded, w.h3, d) &&
		      rec(&w, rule, w.h1, d));
	}
	CHECK(rec(&w, rule, w.h2, today));
	core_err err;
	CHECK_INT_EQ(demo_notices_create(w.st, w.v1, &w.u[LW_ADMIN], &w.u[LW_VILLAGER], &err), CORE_OK);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM notices WHERE village_id = %lld", (long long)w.v1), 3);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM notices WHERE status = 'confirmed'"), 2);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM confirmed_months"), 2);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM notices WHERE status = 'open' AND month = '%s'"
	                        " AND closes_at > %lld AND published_at < %lld",
	                    last, (long long)time_now(), (long long)time_now()),
	             1);
	/* confirmed when their window closed, in the past */
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM notices WHERE status = 'confirmed'"
	                        " AND confirmed_at = closes_at AND closes_at < %lld",
	                    (long long)time_now()),
	             2);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM objections o JOIN notices n ON n.id = o.notice_id"
	                        " WHERE n.month = '%s'", last),
	             3);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM objections WHERE status = 'upheld'"
	                        " AND reversal_entry_id IS NOT NULL"),
	             1);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM objections WHERE status = 'dismissed' AND resolution <> ''"), 1);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM objections WHERE status = 'open'"), 1);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM objections WHERE household_id = %lld", (long long)w.h1), 0);
	/* the late entry: last month's deed, this month's notice */
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM entries WHERE deed_date LIKE '%s-%%' AND month = '%.7s'",
	                    last, today),
	             1);
	CHECK_INT_EQ(mismatches(&w), 0);
	lw_done(&w);
}

CHECK_MAIN("test_notices", T(publish_who_which_month_and_what_it_records), T(a_published_month_is_frozen),
           T(objections_upheld_and_dismissed), T(a_closed_window_confirms_the_month),
           T(an_open_objection_holds_the_confirmation), T(views_list_every_household),
           T(the_demo_publishes_its_past_months))
