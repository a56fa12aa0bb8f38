/*
 * Unit tests for src/core/activities.c: creating an activity (its fields, an
 * award rule of the village, who may), signing up households and members (a
 * villager only their own, each once, only while open), attendance in one
 * transaction, and the award: one entry per attended sign-up in one batch, all
 * or nothing (a cap or a missing range refuses the whole award and leaves the
 * activity open), once only, never before the activity's date.
 */
#include "check.h"
#include "core/activities.h"
#include "ledger_fixture.h"

typedef struct {
	lworld w;
	int64_t plant;   /* 植树 +2 */
	int64_t brave;   /* 见义勇为 +10 in 5..20 */
	int64_t capped;  /* 志愿服务 +4, 4 a month */
	int64_t penalty; /* 乱堆乱放 −3 */
	int64_t foreign; /* 腰堡村's */
	char today[11], past[11], future[11];
} aworld;

static bool build(aworld *a)
{
	memset(a, 0, sizeof(*a));
	if (!lw_build(&a->w))
		return false;
	lworld *w = &a->w;
	const st_rule range = {.has_range = true, .min_points = 5, .max_points = 20};
	const st_rule cap = {.cap_month = 4};
	a->plant = lw_rule(w, w->v1, "植树", 2, NULL);
	a->brave = lw_rule(w, w->v1, "见义勇为", 10, &range);
	a->capped = lw_rule(w, w->v1, "志愿服务", 4, &cap);
	a->penalty = lw_rule(w, w->v1, "乱堆乱放", -3, NULL);
	a->foreign = lw_rule(w, w->v2, "腰堡村植树", 2, NULL);
	lw_today(a->today);
	lw_last_year(a->past, 4, 10);
	snprintf(a->future, sizeof(a->future), "%04u-04-10", (unsigned)(atoi(a->today) + 1) % 10000u);
	return a->plant && a->brave && a->capped && a->penalty && a->foreign;
}

static int64_t make(aworld *a, int64_t rule, const char *date)
{
	st_activity act = {.village_id = a->w.v1, .rule_id = rule, .name = "春季植树",
	                   .activity_date = date, .description = "村东头荒坡植树造林"};
	int64_t id = 0;
	core_err err;
	if (activity_create(a->w.st, &a->w.as[LW_SCORER], &act, &id, &err) != CORE_OK)
		fprintf(stderr, "make activity: %s\n", err.zh);
	return id;
}

static const char *status_of(aworld *a, int64_t id)
{
	st_activity act;
	if (store_activity_get(a->w.st, id, &a->w.ar, &act) != STORE_OK)
		return "(missing)";
	return act.status;
}

static void create(void)
{
	aworld a;
	CHECK(build(&a));
	lworld *w = &a.w;
	char name33[128] = "", desc201[1024] = "";
	for (int i = 0; i < 33; i++)
		strcat(name33, "植");
	for (int i = 0; i < 201; i++)
		strcat(desc201, "树");
	int64_t retired = lw_rule(w, w->v1, "旧植树", 2, NULL);
	CHECK_INT_EQ(store_rule_retire(w->st, retired, time_now()), STORE_OK);
	const struct {
		int who;
		int64_t village, rule;
		const char *name, *date, *desc;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{LW_CLERK, 0, 0, NULL, NULL, NULL, CORE_FORBIDDEN, "forbidden", "只有评分员和村管理员"},
		{LW_VILLAGER, 0, 0, NULL, NULL, NULL, CORE_FORBIDDEN, NULL, NULL},
		{LW_ADMIN2, 0, 0, NULL, NULL, NULL, CORE_FORBIDDEN, NULL, NULL},
		{LW_SCORER, 9999, 0, NULL, NULL, NULL, CORE_NOT_FOUND, NULL, NULL},
		{LW_SCORER, 0, 0, "", NULL, NULL, CORE_INVALID, "too_short", "活动名称"},
		{LW_SCORER, 0, 0, name33, NULL, NULL, CORE_INVALID, "too_long", "32"},
		{LW_SCORER, 0, 0, NULL, NULL, desc201, CORE_INVALID, "too_long", "活动说明"},
		{LW_SCORER, 0, 0, NULL, "2025-04-31", NULL, CORE_INVALID, "invalid_date", "activity_date"},
		{LW_SCORER, 0, 0, NULL, "1999-04-10", NULL, CORE_INVALID, "invalid_date", NULL},
		{LW_SCORER, 0, 0, NULL, "", NULL, CORE_INVALID, "invalid_date", NULL},
		{LW_SCORER, 0, 9999, NULL, NULL, NULL, CORE_INVALID, "invalid_rule", NULL},
		{LW_SCORER, 0, a.foreign, NULL, NULL, NULL, CORE_INVALID, "invalid_rule", NULL},
		{LW_SCORER, 0, retired, NULL, NULL, NULL, CORE_INVALID, "rule_retired", "旧植树"},
		{LW_SCORER, 0, a.penalty, NULL, NULL, NULL, CORE_INVALID, "rule_is_deduction", "乱堆乱放"},
		/* an activity may be planned ahead, and run by the admins too */
		{LW_SCORER, 0, 0, NULL, a.future, NULL, CORE_OK, NULL, NULL},
		{LW_ADMIN, 0, 0, NULL, NULL, "", CORE_OK, NULL, NULL},
		{LW_COUNTY, 0, a.brave, "抗洪抢险", NULL, NULL, CORE_OK, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_activity act = {.village_id = cases[i].village ? cases[i].village : w->v1,
		                   .rule_id = cases[i].rule ? cases[i].rule : a.plant,
		                   .name = cases[i].name ? cases[i].name : "春季植树",
		                   .activity_date = cases[i].date ? cases[i].date : a.past,
		                   .description = cases[i].desc ? cases[i].desc : "村东头荒坡植树造林"};
		long long audits = lw_audits(w), count = lw_int(w, "SELECT count(*) FROM activities");
		int64_t id = 0;
		core_err err;
		char what[48];
		snprintf(what, sizeof(what), "create case %zu", i);
		CHECK(lw_expect(what, activity_create(w->st, &w->as[cases[i].who], &act, &id, &err), &err,
		                cases[i].want, cases[i].code, cases[i].zh));
		bool ok = cases[i].want == CORE_OK;
		CHECK_INT_EQ(lw_audits(w), audits + ok);
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM activities"), count + ok);
		if (!ok)
			continue;
		st_activity got;
		CHECK_INT_EQ(store_activity_get(w->st, id, &w->ar, &got), STORE_OK);
		CHECK_STR_EQ(got.status, "open");
		CHECK_STR_EQ(got.name, act.name);
		CHECK_INT_EQ(got.rule_id, act.rule_id);
		CHECK_INT_EQ(got.created_by, w->u[cases[i].who].id);
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'activity' AND"
		                       " entity_id = %lld AND action = 'create'", (long long)id),
		             1);
	}
	/* reading: the village's users, not another village's */
	st_activity *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	CHECK_INT_EQ(activity_list(w->st, &w->as[LW_VILLAGER], w->v1, 0, 10, &w->ar, &list, &n, &total,
	                           &err),
	             CORE_OK);
	CHECK_INT_EQ(total, 3);
	CHECK_STR_EQ(list[0].activity_date, a.future); /* newest date first */
	CHECK(lw_expect("list of other village", activity_list(w->st, &w->as[LW_ADMIN2], w->v1, 0, 10,
	                                                       &w->ar, &list, &n, &total, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	lw_done(w);
}

static void signups(void)
{
	aworld a;
	CHECK(build(&a));
	lworld *w = &a.w;
	int64_t act = make(&a, a.plant, a.past);
	CHECK(act);
	int64_t left = 0;
	st_member gone = {.village_id = w->v1, .household_id = w->h2, .name = "王小军",
	                  .relation = "儿子", .status = "left"};
	CHECK_INT_EQ(store_member_create(w->st, &gone, &left), STORE_OK);
	const struct {
		int who;
		int64_t activity, household, member;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{LW_VILLAGER, 0, w->h1, 0, CORE_OK, NULL, NULL},
		{LW_VILLAGER, 0, w->h1, 0, CORE_CONFLICT, "already_signed_up", "这户已经报名了“春季植树”"},
		{LW_VILLAGER, 0, w->h1, w->m1, CORE_OK, NULL, NULL}, /* a member is a separate sign-up */
		{LW_SCORER, 0, w->h1, w->m1, CORE_CONFLICT, "already_signed_up", "这位成员已经报名"},
		{LW_VILLAGER, 0, w->h2, 0, CORE_FORBIDDEN, "forbidden", "自己家"},
		{LW_CLERK, 0, w->h2, 0, CORE_FORBIDDEN, "forbidden", NULL},
		{LW_ADMIN2, 0, w->h2, 0, CORE_FORBIDDEN, NULL, NULL},
		{LW_SCORER, 9999, w->h2, 0, CORE_NOT_FOUND, NULL, NULL},
		{LW_SCORER, 0, w->h_moved, 0, CORE_INVALID, "household_moved_out", "张秀英（1004）"},
		{LW_SCORER, 0, w->h_other, 0, CORE_INVALID, "invalid_household", NULL},
		{LW_SCORER, 0, 9999, 0, CORE_INVALID, "invalid_household", NULL},
		{LW_SCORER, 0, w->h2, w->m2, CORE_INVALID, "invalid_member", "王桂芝"},
		{LW_SCORER, 0, w->h2, left, CORE_INVALID, "member_left", "王小军"},
		{LW_SCORER, 0, w->h2, 0, CORE_OK, NULL, NULL},
		{LW_ADMIN, 0, w->h3, 0, CORE_OK, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long before = lw_int(w, "SELECT count(*) FROM activity_signups"),
		          audits = lw_audits(w);
		int64_t sid = 0;
		core_err err;
		char what[48];
		snprintf(what, sizeof(what), "signup case %zu", i);
		CHECK(lw_expect(what, activity_signup(w->st, &w->as[cases[i].who],
		                                      cases[i].activity ? cases[i].activity : act,
		                                      cases[i].household, cases[i].member, &sid, &err),
		                &err, cases[i].want, cases[i].code, cases[i].zh));
		bool ok = cases[i].want == CORE_OK;
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM activity_signups"), before + ok);
		CHECK_INT_EQ(lw_audits(w), audits + ok);
	}
	/* what each one sees */
	st_activity got;
	st_signup *list = NULL;
	size_t n = 0;
	core_err err;
	CHECK_INT_EQ(activity_get(w->st, &w->as[LW_SCORER], act, &w->ar, &got, &list, &n, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(got.signup_count, 4);
	CHECK_INT_EQ(activity_get(w->st, &w->as[LW_VILLAGER], act, &w->ar, &got, &list, &n, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 2); /* 1001 and its member, not the neighbours */
	for (size_t i = 0; i < n; i++)
		CHECK_INT_EQ(list[i].household_id, w->h1);
	CHECK_INT_EQ(activity_get(w->st, &w->as[LW_VILLAGER2], act, &w->ar, &got, &list, &n, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 1);
	CHECK(lw_expect("get from other village", activity_get(w->st, &w->as[LW_ADMIN2], act, &w->ar,
	                                                       &got, &list, &n, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("get missing", activity_get(w->st, &w->as[LW_ADMIN], 9999, &w->ar, &got, &list,
	                                            &n, &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	/* a cancelled activity takes no sign-ups */
	CHECK_INT_EQ(lw_exec(w, "UPDATE activities SET status = 'cancelled' WHERE id = %lld",
	                     (long long)act), 0);
	int64_t sid = 0;
	CHECK(lw_expect("cancelled", activity_signup(w->st, &w->as[LW_SCORER], act, w->h3, 0,
	                                             &sid, &err),
	                &err, CORE_CONFLICT, "activity_cancelled", "已取消"));
	lw_done(w);
}

static void attendance(void)
{
	aworld a;
	CHECK(build(&a));
	lworld *w = &a.w;
	int64_t act = make(&a, a.plant, a.past), other = make(&a, a.plant, a.past);
	CHECK(act && other);
	int64_t s1 = 0, s2 = 0, s3 = 0, so = 0;
	core_err err;
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h1, 0, &s1, &err), CORE_OK);
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h2, 0, &s2, &err), CORE_OK);
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h3, 0, &s3, &err), CORE_OK);
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], other, w->h1, 0, &so, &err), CORE_OK);
	int64_t yes[] = {s1, s2}, no[] = {s3}, dup[] = {s1, s1}, cross_yes[] = {s1}, cross_no[] = {s1},
	        foreign[] = {s2, so}, missing[] = {9999};
	const struct {
		int who;
		int64_t *att;
		size_t natt;
		int64_t *abs;
		size_t nabs;
		core_status want;
		const char *code;
	} cases[] = {
		{LW_SCORER, NULL, 0, NULL, 0, CORE_INVALID, "no_signups"},
		{LW_SCORER, dup, 2, NULL, 0, CORE_INVALID, "duplicate_signup"},
		{LW_SCORER, cross_yes, 1, cross_no, 1, CORE_INVALID, "duplicate_signup"},
		{LW_SCORER, foreign, 2, NULL, 0, CORE_INVALID, "invalid_signup"}, /* s2 is undone */
		{LW_SCORER, missing, 1, NULL, 0, CORE_INVALID, "invalid_signup"},
		{LW_CLERK, yes, 2, NULL, 0, CORE_FORBIDDEN, "forbidden"},
		{LW_VILLAGER, yes, 2, NULL, 0, CORE_FORBIDDEN, NULL},
		{LW_SCORER, yes, 2, no, 1, CORE_OK, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[48];
		snprintf(what, sizeof(what), "attendance case %zu", i);
		CHECK(lw_expect(what, activity_attendance(w->st, &w->as[cases[i].who], act, cases[i].att,
		                                          cases[i].natt, cases[i].abs, cases[i].nabs,
		                                          &err),
		                &err, cases[i].want, cases[i].code, NULL));
		long long attended = lw_int(w, "SELECT count(*) FROM activity_signups WHERE attended = 1");
		CHECK_INT_EQ(attended, cases[i].want == CORE_OK ? 2 : 0);
	}
	/* changing one's mind before the award */
	CHECK_INT_EQ(activity_attendance(w->st, &w->as[LW_ADMIN], act, no, 1, cross_no, 1, &err),
	             CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT attended FROM activity_signups WHERE id = %lld", (long long)s1), 0);
	CHECK_INT_EQ(lw_int(w, "SELECT attended FROM activity_signups WHERE id = %lld", (long long)s2), 1);
	CHECK_INT_EQ(lw_int(w, "SELECT attended FROM activity_signups WHERE id = %lld", (long long)s3), 1);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'activity' AND"
	                       " entity_id = %lld AND action = 'attendance'", (long long)act),
	             2);
	lw_done(w);
}

static void award(void)
{
	aworld a;
	CHECK(build(&a));
	lworld *w = &a.w;
	int64_t act = make(&a, a.plant, a.past);
	int64_t s[4] = {0};
	core_err err;
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h1, 0, &s[0], &err), CORE_OK);
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h1, w->m2, &s[1], &err), CORE_OK);
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h2, 0, &s[2], &err), CORE_OK);
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, w->h3, 0, &s[3], &err), CORE_OK);
	int64_t batch = 0;
	long long entries = lw_entries(w);
	CHECK(lw_expect("nobody attended", activity_award(w->st, &w->as[LW_SCORER], act, false, 0,
	                                                  NULL, &batch, &err),
	                &err, CORE_INVALID, "nobody_attended", "登记到场"));
	int64_t came[] = {s[0], s[1], s[2]}, absent[] = {s[3]};
	CHECK_INT_EQ(activity_attendance(w->st, &w->as[LW_SCORER], act, came, 3, absent, 1, &err),
	             CORE_OK);
	CHECK(lw_expect("award by clerk", activity_award(w->st, &w->as[LW_CLERK], act, false, 0, NULL,
	                                                 &batch, &err),
	                &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(lw_expect("award with points for a fixed rule",
	                activity_award(w->st, &w->as[LW_SCORER], act, true, 3, NULL, &batch, &err),
	                &err, CORE_INVALID, "points_fixed", NULL));
	CHECK_INT_EQ(lw_entries(w), entries);
	CHECK_STR_EQ(status_of(&a, act), "open");
	long long audits = lw_audits(w);
	CHECK_INT_EQ(activity_award(w->st, &w->as[LW_SCORER], act, false, 0, NULL, &batch, &err),
	             CORE_OK);
	CHECK_INT_EQ(lw_entries(w), entries + 3);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE batch_id = %lld AND"
	                       " activity_id = %lld AND points = 2 AND note = '春季植树' AND"
	                       " deed_date = '%s'", (long long)batch, (long long)act, a.past),
	             3);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE batch_id = %lld AND member_id = %lld",
	                    (long long)batch, (long long)w->m2),
	             1);
	CHECK_INT_EQ(lw_int(w, "SELECT kind = 'activity' FROM batches WHERE id = %lld",
	                    (long long)batch),
	             1);
	CHECK_INT_EQ(lw_balance(w, w->h1), 4); /* the household and its member */
	CHECK_INT_EQ(lw_balance(w, w->h2), 2);
	CHECK_INT_EQ(lw_balance(w, w->h3), 0); /* absent */
	st_activity got;
	CHECK_INT_EQ(store_activity_get(w->st, act, &w->ar, &got), STORE_OK);
	CHECK_STR_EQ(got.status, "awarded");
	CHECK_INT_EQ(got.batch_id, batch);
	CHECK_INT_EQ(lw_audits(w), audits + 2); /* the batch and the award */
	/* once only; no more sign-ups or attendance */
	int64_t b2 = 0, sid = 0;
	entries = lw_entries(w);
	CHECK(lw_expect("award twice", activity_award(w->st, &w->as[LW_ADMIN], act, false, 0, NULL,
	                                              &b2, &err),
	                &err, CORE_CONFLICT, "activity_awarded", "已经发放过积分"));
	CHECK(lw_expect("signup after", activity_signup(w->st, &w->as[LW_SCORER], act, w->h3, 0,
	                                                &sid, &err),
	                &err, CORE_CONFLICT, "activity_awarded", NULL));
	CHECK(lw_expect("attendance after", activity_attendance(w->st, &w->as[LW_SCORER], act, absent,
	                                                        1, NULL, 0, &err),
	                &err, CORE_CONFLICT, "activity_awarded", NULL));
	CHECK_INT_EQ(lw_entries(w), entries);
	lw_done(w);
}

static void award_is_all_or_nothing(void)
{
	aworld a;
	CHECK(build(&a));
	lworld *w = &a.w;
	core_err err;
	int64_t b = 0;
	/* 李春生 already has this month's 4 points of 志愿服务 */
	ledger_target t = {.household_id = w->h3};
	ledger_record_in in = {.village_id = w->v1, .rule_id = a.capped, .targets = &t, .ntargets = 1,
	                       .deed_date = a.today};
	CHECK_INT_EQ(ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &b, &err), CORE_OK);
	int64_t act = make(&a, a.capped, a.today);
	int64_t s[3] = {0};
	const int64_t hh[3] = {w->h1, w->h2, w->h3};
	for (int i = 0; i < 3; i++)
		CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], act, hh[i], 0, &s[i], &err),
		             CORE_OK);
	CHECK_INT_EQ(activity_attendance(w->st, &w->as[LW_SCORER], act, s, 3, NULL, 0, &err), CORE_OK);
	long long entries = lw_entries(w), batches = lw_int(w, "SELECT count(*) FROM batches");
	CHECK(lw_expect("cap", activity_award(w->st, &w->as[LW_SCORER], act, false, 0, NULL, &b, &err),
	                &err, CORE_INVALID, "cap_exceeded", "李春生（2001）"));
	CHECK_INT_EQ(lw_entries(w), entries);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM batches"), batches);
	CHECK_INT_EQ(lw_balance(w, w->h1), 0);
	CHECK_STR_EQ(status_of(&a, act), "open");
	/* mark 李春生 absent and the award goes through */
	int64_t absent[] = {s[2]};
	CHECK_INT_EQ(activity_attendance(w->st, &w->as[LW_SCORER], act, NULL, 0, absent, 1, &err),
	             CORE_OK);
	CHECK_INT_EQ(activity_award(w->st, &w->as[LW_SCORER], act, false, 0, NULL, &b, &err), CORE_OK);
	CHECK_INT_EQ(lw_entries(w), entries + 2);

	/* a ranged rule: points are required and within the range */
	int64_t brave = make(&a, a.brave, a.past);
	int64_t sb = 0;
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_SCORER], brave, w->h2, 0, &sb, &err), CORE_OK);
	CHECK_INT_EQ(activity_attendance(w->st, &w->as[LW_SCORER], brave, &sb, 1, NULL, 0, &err),
	             CORE_OK);
	CHECK(lw_expect("range without points", activity_award(w->st, &w->as[LW_SCORER], brave, false,
	                                                       0, NULL, &b, &err),
	                &err, CORE_INVALID, "points_required", "5 到 20"));
	CHECK(lw_expect("range outside", activity_award(w->st, &w->as[LW_SCORER], brave, true, 21,
	                                                NULL, &b, &err),
	                &err, CORE_INVALID, "points_out_of_range", NULL));
	CHECK_STR_EQ(status_of(&a, brave), "open");
	CHECK_INT_EQ(activity_award(w->st, &w->as[LW_SCORER], brave, true, 15, NULL, &b, &err), CORE_OK);
	CHECK_INT_EQ(lw_balance(w, w->h2), 4 + 15);

	/* not before the day: an activity planned ahead cannot be awarded yet */
	int64_t ahead = make(&a, a.plant, a.future);
	int64_t sa = 0;
	CHECK_INT_EQ(activity_signup(w->st, &w->as[LW_VILLAGER], ahead, w->h1, 0, &sa, &err), CORE_OK);
	CHECK_INT_EQ(activity_attendance(w->st, &w->as[LW_SCORER], ahead, &sa, 1, NULL, 0, &err),
	             CORE_OK);
	CHECK(lw_expect("not held yet", activity_award(w->st, &w->as[LW_SCORER], ahead, false, 0, NULL,
	                                               &b, &err),
	                &err, CORE_INVALID, "activity_not_held", a.future));
	CHECK(lw_expect("award missing", activity_award(w->st, &w->as[LW_SCORER], 9999, false, 0, NULL,
	                                                &b, &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	lw_done(w);
}

CHECK_MAIN("activities", T(create), T(signups), T(attendance), T(award),
           T(award_is_all_or_nothing))
