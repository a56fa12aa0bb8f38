/*
 * Unit tests for src/core/inspections.c: opening a round for a group (who may,
 * a real past date, a group of the village), its household rows, scoring a
 * household on a checklist — one entry per item in one batch with the score,
 * all or nothing, once per round, only households of the round's group — and
 * closing the round, after which nothing more is scored.
 */
#include "check.h"
#include "core/inspections.h"
#include "ledger_fixture.h"

typedef struct {
	lworld w;
	int64_t yard, front, clutter, ranged, retired, foreign; /* checklist rules */
	char today[11], past[11];
} iworld;

static bool build(iworld *x)
{
	memset(x, 0, sizeof(*x));
	if (!lw_build(&x->w))
		return false;
	lworld *w = &x->w;
	const st_rule range = {.has_range = true, .min_points = -5, .max_points = -1};
	x->yard = lw_rule(w, w->v1, "庭院整洁", 3, NULL);
	x->front = lw_rule(w, w->v1, "门前三包", 2, NULL);
	x->clutter = lw_rule(w, w->v1, "乱堆乱放", -3, NULL);
	x->ranged = lw_rule(w, w->v1, "厕所卫生差", -2, &range);
	x->retired = lw_rule(w, w->v1, "旧检查项", 1, NULL);
	x->foreign = lw_rule(w, w->v2, "腰堡村庭院整洁", 3, NULL);
	lw_today(x->today);
	lw_last_year(x->past, 6, 25);
	return x->yard && x->front && x->clutter && x->ranged && x->retired && x->foreign &&
	       store_rule_retire(w->st, x->retired, time_now()) == STORE_OK;
}

static int64_t open_round(iworld *x, int64_t group)
{
	st_inspection in = {.village_id = x->w.v1, .group_id = group, .inspection_date = x->past};
	int64_t id = 0;
	core_err err;
	if (inspection_create(x->w.st, &x->w.as[LW_SCORER], &in, &id, &err) != CORE_OK)
		fprintf(stderr, "open round: %s\n", err.zh);
	return id;
}

static void create_and_read(void)
{
	iworld x;
	CHECK(build(&x));
	lworld *w = &x.w;
	char tomorrow[16];
	snprintf(tomorrow, sizeof(tomorrow), "%04u-01-01", (unsigned)(atoi(x.today) + 1) % 10000u);
	const struct {
		int who;
		int64_t village, group;
		const char *date;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{LW_CLERK, 0, 0, NULL, CORE_FORBIDDEN, "forbidden", "入户检查"},
		{LW_VILLAGER, 0, 0, NULL, CORE_FORBIDDEN, NULL, NULL},
		{LW_ADMIN2, 0, 0, NULL, CORE_FORBIDDEN, NULL, NULL},
		{LW_SCORER, 9999, 0, NULL, CORE_NOT_FOUND, NULL, NULL},
		{LW_SCORER, 0, 0, "2025-02-29", CORE_INVALID, "invalid_date", "inspection_date"},
		{LW_SCORER, 0, 0, "1999-12-31", CORE_INVALID, "invalid_date", NULL},
		{LW_SCORER, 0, 0, tomorrow, CORE_INVALID, "future_date", "不能晚于今天"},
		{LW_SCORER, 0, 9999, NULL, CORE_INVALID, "invalid_group", NULL},
		{LW_SCORER, 0, -3, NULL, CORE_INVALID, "invalid_group", NULL}, /* 腰堡村's group */
		{LW_SCORER, 0, 0, NULL, CORE_OK, NULL, NULL},
		{LW_ADMIN, 0, -2, x.today, CORE_OK, NULL, NULL},
		{LW_COUNTY, 0, 0, x.today, CORE_OK, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t g = cases[i].group == -3 ? w->g3 : cases[i].group == -2 ? w->g2
		            : cases[i].group     ? cases[i].group
		                                 : w->g1;
		st_inspection in = {.village_id = cases[i].village ? cases[i].village : w->v1,
		                    .group_id = g,
		                    .inspection_date = cases[i].date ? cases[i].date : x.past};
		long long audits = lw_audits(w);
		int64_t id = 0;
		core_err err;
		char what[48];
		snprintf(what, sizeof(what), "create case %zu", i);
		CHECK(lw_expect(what, inspection_create(w->st, &w->as[cases[i].who], &in, &id, &err), &err,
		                cases[i].want, cases[i].code, cases[i].zh));
		CHECK_INT_EQ(lw_audits(w), audits + (cases[i].want == CORE_OK));
		if (cases[i].want == CORE_OK)
			CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'inspection'"
			                       " AND entity_id = %lld AND action = 'create'", (long long)id),
			             1);
	}
	int64_t round = lw_int(w, "SELECT min(id) FROM inspections");
	st_inspection got;
	st_inspection_row *rows = NULL;
	size_t n = 0;
	core_err err;
	CHECK_INT_EQ(inspection_get(w->st, &w->as[LW_ADMIN], round, &w->ar, &got, &rows, &n, &err),
	             CORE_OK);
	CHECK_STR_EQ(got.status, "open");
	CHECK_STR_EQ(got.group_name, "一组");
	CHECK_STR_EQ(got.inspection_date, x.past);
	CHECK_INT_EQ(n, 2); /* 1001 and 1002; 1004 has moved out */
	CHECK_STR_EQ(rows[0].passbook_no, "1001");
	CHECK_STR_EQ(rows[1].head_name, "王桂芝");
	CHECK(!rows[0].scored && !rows[1].scored);
	CHECK(lw_expect("get by clerk", inspection_get(w->st, &w->as[LW_CLERK], round, &w->ar, &got,
	                                               &rows, &n, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("get by villager", inspection_get(w->st, &w->as[LW_VILLAGER], round, &w->ar,
	                                                  &got, &rows, &n, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("get missing", inspection_get(w->st, &w->as[LW_ADMIN], 9999, &w->ar, &got,
	                                              &rows, &n, &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	st_inspection *list = NULL;
	int64_t total = 0;
	CHECK_INT_EQ(inspection_list(w->st, &w->as[LW_SCORER], w->v1, 0, 10, &w->ar, &list, &n, &total,
	                             &err),
	             CORE_OK);
	CHECK_INT_EQ(total, 3);
	CHECK_STR_EQ(list[2].inspection_date, x.past); /* newest first */
	CHECK(lw_expect("list by villager", inspection_list(w->st, &w->as[LW_VILLAGER], w->v1, 0, 10,
	                                                    &w->ar, &list, &n, &total, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	lw_done(w);
}

static void score(void)
{
	iworld x;
	CHECK(build(&x));
	lworld *w = &x.w;
	int64_t round = open_round(&x, w->g1);
	CHECK(round);
	inspection_item many[INSPECTION_MAX_ITEMS + 1];
	for (int i = 0; i <= INSPECTION_MAX_ITEMS; i++)
		many[i] = (inspection_item){.rule_id = 1000 + i};
	const inspection_item good[] = {{.rule_id = x.yard}, {.rule_id = x.front},
	                                {.rule_id = x.ranged, .has_points = true, .points = -4}};
	const inspection_item twice[] = {{.rule_id = x.yard}, {.rule_id = x.yard}};
	const inspection_item late_bad[] = {{.rule_id = x.yard}, {.rule_id = x.retired}};
	const inspection_item no_points[] = {{.rule_id = x.front}, {.rule_id = x.ranged}};
	const inspection_item foreign[] = {{.rule_id = x.foreign}};
	const inspection_item yard[] = {{.rule_id = x.yard}};
	const struct {
		int who;
		int64_t household;
		const inspection_item *items;
		size_t n;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{LW_SCORER, w->h1, good, 0, CORE_INVALID, "invalid_items", "1 到 20"},
		{LW_SCORER, w->h1, many, INSPECTION_MAX_ITEMS + 1, CORE_INVALID, "invalid_items", NULL},
		{LW_SCORER, w->h1, twice, 2, CORE_INVALID, "duplicate_item", "两次"},
		{LW_SCORER, w->h3, yard, 1, CORE_INVALID, "household_not_in_group", "一组"},
		{LW_SCORER, w->h_other, yard, 1, CORE_INVALID, "household_not_in_group", NULL},
		{LW_SCORER, 9999, yard, 1, CORE_INVALID, "household_not_in_group", NULL},
		{LW_SCORER, w->h_moved, yard, 1, CORE_INVALID, "household_moved_out", "张秀英（1004）"},
		{LW_SCORER, w->h1, late_bad, 2, CORE_INVALID, "rule_retired", "旧检查项"},
		{LW_SCORER, w->h1, no_points, 2, CORE_INVALID, "points_required", NULL},
		{LW_SCORER, w->h1, foreign, 1, CORE_INVALID, "invalid_rule", NULL},
		{LW_CLERK, w->h1, yard, 1, CORE_FORBIDDEN, "forbidden", NULL},
		{LW_VILLAGER, w->h1, yard, 1, CORE_FORBIDDEN, NULL, NULL},
		{LW_SCORER, w->h1, good, 3, CORE_OK, NULL, NULL},
		{LW_ADMIN, w->h1, yard, 1, CORE_CONFLICT, "already_scored", "于洪军（1001）"},
		{LW_ADMIN, w->h2, yard, 1, CORE_OK, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long entries = lw_entries(w), batches = lw_int(w, "SELECT count(*) FROM batches"),
		          scores = lw_int(w, "SELECT count(*) FROM inspection_scores"),
		          audits = lw_audits(w);
		int64_t batch = 0;
		core_err err;
		char what[48];
		snprintf(what, sizeof(what), "score case %zu", i);
		CHECK(lw_expect(what, inspection_score(w->st, &w->as[cases[i].who], round,
		                                       cases[i].household, cases[i].items, cases[i].n,
		                                       NULL, &batch, &err),
		                &err, cases[i].want, cases[i].code, cases[i].zh));
		if (cases[i].want != CORE_OK) {
			CHECK_INT_EQ(lw_entries(w), entries);
			CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM batches"), batches);
			CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM inspection_scores"), scores);
			CHECK_INT_EQ(lw_audits(w), audits);
			continue;
		}
		/* one entry per item, all in one batch, naming the round */
		CHECK_INT_EQ(lw_entries(w), entries + (long long)cases[i].n);
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM entries WHERE batch_id = %lld AND"
		                       " inspection_id = %lld AND household_id = %lld AND deed_date = '%s'"
		                       " AND note = '入户环境检查（一组）'",
		                    (long long)batch, (long long)round, (long long)cases[i].household,
		                    x.past),
		             (long long)cases[i].n);
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM batches"), batches + 1);
		CHECK_INT_EQ(lw_int(w, "SELECT kind = 'inspection' FROM batches WHERE id = %lld",
		                    (long long)batch),
		             1);
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'inspection' AND"
		                       " entity_id = %lld AND action = 'score'", (long long)round),
		             i == 12 ? 1 : 2);
	}
	/* 3 + 2 − 4 for 1001, 3 for 1002 */
	CHECK_INT_EQ(lw_balance(w, w->h1), 1);
	CHECK_INT_EQ(lw_balance(w, w->h2), 3);
	CHECK_INT_EQ(lw_int(w, "SELECT points FROM inspection_scores WHERE household_id = %lld",
	                    (long long)w->h1), 1);
	st_inspection got;
	st_inspection_row *rows = NULL;
	size_t n = 0;
	core_err err;
	CHECK_INT_EQ(inspection_get(w->st, &w->as[LW_SCORER], round, &w->ar, &got, &rows, &n, &err),
	             CORE_OK);
	CHECK_INT_EQ(got.scored_count, 2);
	CHECK_INT_EQ(n, 2);
	CHECK(rows[0].scored && rows[1].scored);
	CHECK_INT_EQ(rows[0].points, 1);
	CHECK_INT_EQ(rows[1].scored_by, w->u[LW_ADMIN].id);
	/* a household scored and then moved out stays in the round's rows */
	CHECK_INT_EQ(lw_exec(w, "UPDATE households SET status = 'moved_out' WHERE id = %lld",
	                     (long long)w->h2), 0);
	CHECK_INT_EQ(inspection_get(w->st, &w->as[LW_SCORER], round, &w->ar, &got, &rows, &n, &err),
	             CORE_OK);
	CHECK_INT_EQ(n, 2);
	lw_done(w);
}

static void close_round(void)
{
	iworld x;
	CHECK(build(&x));
	lworld *w = &x.w;
	int64_t round = open_round(&x, w->g1);
	core_err err;
	const inspection_item yard[] = {{.rule_id = x.yard}};
	int64_t batch = 0;
	CHECK_INT_EQ(inspection_score(w->st, &w->as[LW_SCORER], round, w->h1, yard, 1, NULL, &batch,
	                              &err),
	             CORE_OK);
	CHECK(lw_expect("close by clerk", inspection_close(w->st, &w->as[LW_CLERK], round, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("close by other village", inspection_close(w->st, &w->as[LW_ADMIN2], round,
	                                                           &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("close missing", inspection_close(w->st, &w->as[LW_SCORER], 9999, &err), &err,
	                CORE_NOT_FOUND, NULL, NULL));
	CHECK_INT_EQ(inspection_close(w->st, &w->as[LW_SCORER], round, &err), CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'inspection' AND"
	                       " entity_id = %lld AND action = 'close' AND summary LIKE"
	                       " '%%\"scored\":1%%'", (long long)round),
	             1);
	long long entries = lw_entries(w), audits = lw_audits(w);
	CHECK(lw_expect("close twice", inspection_close(w->st, &w->as[LW_ADMIN], round, &err), &err,
	                CORE_CONFLICT, "inspection_closed", "已结束"));
	CHECK(lw_expect("score closed", inspection_score(w->st, &w->as[LW_SCORER], round, w->h2, yard,
	                                                 1, NULL, &batch, &err),
	                &err, CORE_CONFLICT, "inspection_closed", "一组"));
	CHECK_INT_EQ(lw_entries(w), entries);
	CHECK_INT_EQ(lw_audits(w), audits);
	/* a new round for the same group scores the same household again */
	int64_t next = open_round(&x, w->g1);
	CHECK(next && next != round);
	CHECK_INT_EQ(inspection_score(w->st, &w->as[LW_SCORER], next, w->h1, yard, 1, NULL, &batch,
	                              &err),
	             CORE_OK);
	CHECK_INT_EQ(lw_balance(w, w->h1), 6);
	lw_done(w);
}

CHECK_MAIN("inspections", T(create_and_read), T(score), T(close_round))
