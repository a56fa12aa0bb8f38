/*
 * Unit tests for src/core/claims.c: filing (who may file for which household,
 * every bad field with its code, nothing changed by a refusal), approval (the
 * entry posted in the same transaction, points within the rule's range, caps
 * and retired rules from the ledger), the second review above the village's
 * threshold by a different reviewer, rejection with a reason, a decided claim
 * refused (409), and the review rules: no villager, clerk or area admin, not
 * one's own household (a cadre's home household), not one's own claim.
 */
#include "check.h"
#include "core/claims.h"
#include "ledger_fixture.h"

#define PH1 "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define PH2 "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
#define PH_V2 "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"
#define PH_NONE "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4"

typedef struct {
	lworld w;
	int64_t fixed;    /* 孝敬老人 +5, claimable */
	int64_t ranged;   /* 见义勇为 +10 in 5..30, claimable */
	int64_t photo;    /* 婚事新办 +10, claimable, needs a photo */
	int64_t capped;   /* 拾金不昧 +5, claimable, 5 a month */
	int64_t recorded; /* 防火巡逻 +3, not claimable */
	int64_t retired;  /* 旧细则 +2, claimable, retired */
	int64_t foreign;  /* 腰堡村's claimable rule */
	char yesterday[11], today[11];
} cworld;

static bool add_photo(lworld *w, int64_t village, const char *hash, int who)
{
	st_photo p = {.village_id = village, .hash = hash, .mime = "image/jpeg", .width = 3,
	              .height = 2, .bytes = 300, .uploaded_by = w->u[who].id,
	              .created_at = time_now()};
	return store_photo_add(w->st, &p) == STORE_OK;
}

static bool build(cworld *c)
{
	memset(c, 0, sizeof(*c));
	if (!lw_build(&c->w))
		return false;
	lworld *w = &c->w;
	const st_rule claim = {.claimable = true};
	const st_rule range = {.claimable = true, .has_range = true, .min_points = 5, .max_points = 30};
	const st_rule photo = {.claimable = true, .evidence_required = true};
	const st_rule capped = {.claimable = true, .cap_month = 5};
	c->fixed = lw_rule(w, w->v1, "孝敬老人", 5, &claim);
	c->ranged = lw_rule(w, w->v1, "见义勇为", 10, &range);
	c->photo = lw_rule(w, w->v1, "婚事新办", 10, &photo);
	c->capped = lw_rule(w, w->v1, "拾金不昧", 5, &capped);
	c->recorded = lw_rule(w, w->v1, "防火巡逻", 3, NULL);
	c->retired = lw_rule(w, w->v1, "旧细则", 2, &claim);
	c->foreign = lw_rule(w, w->v2, "腰堡村好人好事", 5, &claim);
	if (!(c->fixed && c->ranged && c->photo && c->capped && c->recorded && c->retired &&
	      c->foreign))
		return false;
	if (store_rule_retire(w->st, c->retired, time_now()) != STORE_OK)
		return false;
	lw_today(c->today);
	/* yesterday, or today on the first of a month (both are fine for a claim) */
	snprintf(c->yesterday, sizeof(c->yesterday), "%s", c->today);
	if (atoi(c->today + 8) > 1)
		snprintf(c->yesterday + 8, 3, "%02u", (unsigned)(atoi(c->today + 8) - 1) % 100u);
	return add_photo(w, w->v1, PH1, LW_VILLAGER) && add_photo(w, w->v1, PH2, LW_SCORER) &&
	       add_photo(w, w->v2, PH_V2, LW_ADMIN2);
}

static core_status file(cworld *c, int who, int64_t household, int64_t rule, int64_t quantity,
                        int64_t *id, core_err *err)
{
	claim_new in = {.village_id = c->w.v1, .household_id = household, .rule_id = rule,
	                .quantity = quantity, .deed_date = c->yesterday,
	                .description = "照顾瘫痪在床的婆婆一个月，邻居可以作证"};
	return claim_file(c->w.st, &c->w.as[who], &in, NULL, id, err);
}

static st_claim get(cworld *c, int64_t id)
{
	st_claim out;
	memset(&out, 0, sizeof(out));
	if (store_claim_get(c->w.st, id, &c->w.ar, &out) != STORE_OK)
		out.status = "(missing)";
	return out;
}

static long long claims_count(cworld *c)
{
	return lw_int(&c->w, "SELECT count(*) FROM claims");
}

/* ---- filing ------------------------------------------------------------ */

static void file_ok(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	const char *photos[] = {PH1, PH2};
	claim_new in = {.village_id = w->v1, .rule_id = c.photo, .deed_date = c.yesterday,
	                .description = "婚事新办，不收彩礼，只办了两桌家宴", .photos = photos,
	                .nphotos = 2, .member_id = w->m2};
	int64_t id = 0;
	core_err err;
	long long audits = lw_audits(w);
	CHECK_INT_EQ(claim_file(w->st, &w->as[LW_VILLAGER], &in, NULL, &id, &err), CORE_OK);
	st_claim got = get(&c, id);
	CHECK_STR_EQ(got.status, "pending");
	CHECK_INT_EQ(got.household_id, w->h1); /* 0: the villager's own household */
	CHECK_INT_EQ(got.member_id, w->m2);
	CHECK_INT_EQ(got.rule_id, c.photo);
	CHECK_INT_EQ(got.quantity, 1);
	CHECK_STR_EQ(got.deed_date, c.yesterday);
	CHECK_STR_EQ(got.description, "婚事新办，不收彩礼，只办了两桌家宴");
	CHECK_STR_EQ(got.photos, "[\"" PH1 "\",\"" PH2 "\"]");
	CHECK_INT_EQ(got.created_by, w->u[LW_VILLAGER].id);
	CHECK_INT_EQ(got.first_reviewer, 0);
	CHECK_INT_EQ(got.entry_id, 0);
	CHECK_STR_EQ(got.rule_name, "婚事新办");
	CHECK_STR_EQ(got.passbook_no, "1001");
	CHECK_INT_EQ(lw_audits(w), audits + 1);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'claim' AND"
	                       " entity_id = %lld AND action = 'create' AND user_id = %lld",
	                    (long long)id, (long long)w->u[LW_VILLAGER].id),
	             1);
	CHECK_INT_EQ(lw_entries(w), 0); /* filing posts nothing */
	/* a cadre files on a household's behalf, with a quantity */
	CHECK_INT_EQ(file(&c, LW_SCORER, w->h2, c.fixed, 2, &id, &err), CORE_OK);
	got = get(&c, id);
	CHECK_INT_EQ(got.household_id, w->h2);
	CHECK_INT_EQ(got.quantity, 2);
	CHECK_INT_EQ(got.created_by, w->u[LW_SCORER].id);
	/* a villager naming their own household explicitly is fine */
	CHECK_INT_EQ(file(&c, LW_VILLAGER, w->h1, c.fixed, 0, &id, &err), CORE_OK);
	lw_done(w);
}

static void file_refusals(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	char desc201[1024] = "", tomorrow[16];
	for (int i = 0; i < 201; i++)
		strcat(desc201, "帮");
	snprintf(tomorrow, sizeof(tomorrow), "%04u-%.5s", (unsigned)(atoi(c.today) + 1) % 10000u,
	         c.today + 5);
	if (!time_valid_date(tomorrow)) /* 29 February */
		snprintf(tomorrow, sizeof(tomorrow), "%04u-03-01", (unsigned)(atoi(c.today) + 1) % 10000u);
	const char *seven[] = {PH1, PH2, PH1, PH2, PH1, PH2, PH1};
	const char *dup[] = {PH1, PH1};
	const char *short_hash[] = {"a1a1"};
	const char *upper[] = {"A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1"};
	const char *unknown[] = {PH_NONE};
	const char *foreign_photo[] = {PH_V2};
	static const char keep[] = "keep";
	const struct {
		int who;
		int64_t village, household, member, rule, quantity;
		const char *date, *desc;
		const char *const *photos;
		size_t nphotos;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{LW_VILLAGER, 0, w->h2, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_FORBIDDEN, "forbidden", "自己家"},
		{LW_CLERK, 0, w->h1, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_FORBIDDEN, "forbidden", "超市"},
		{LW_ADMIN2, 0, w->h1, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_FORBIDDEN, NULL, NULL},
		{LW_SCORER, 0, 0, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_INVALID, "missing_field", "household_id"},
		{LW_SCORER, 9999, w->h1, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_NOT_FOUND, NULL, NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, "", NULL, 0, CORE_INVALID, "too_short", "申请说明"},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, NULL, NULL, 0, CORE_INVALID, "missing_field", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, desc201, NULL, 0, CORE_INVALID, "too_long", "200"},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, "2025-13-01", keep, NULL, 0, CORE_INVALID, "invalid_date", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, NULL, keep, NULL, 0, CORE_INVALID, "invalid_date", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, tomorrow, keep, NULL, 0, CORE_INVALID, "future_date", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, "1999-06-01", keep, NULL, 0, CORE_INVALID, "invalid_date", "太早"},
		{LW_VILLAGER, 0, 0, 0, c.fixed, -1, keep, keep, NULL, 0, CORE_INVALID, "invalid_quantity", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 101, keep, keep, NULL, 0, CORE_INVALID, "invalid_quantity", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, keep, seven, 7, CORE_INVALID, "too_many_photos", "收到 7 张"},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, keep, dup, 2, CORE_INVALID, "duplicate_photo", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, keep, short_hash, 1, CORE_INVALID, "invalid_photo", "64"},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, keep, upper, 1, CORE_INVALID, "invalid_photo", NULL},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, keep, unknown, 1, CORE_INVALID, "invalid_photo", "请先上传"},
		{LW_VILLAGER, 0, 0, 0, c.fixed, 0, keep, keep, foreign_photo, 1, CORE_INVALID, "invalid_photo", NULL},
		{LW_VILLAGER, 0, 0, 0, c.recorded, 0, keep, keep, NULL, 0, CORE_INVALID, "rule_not_claimable", "防火巡逻"},
		{LW_VILLAGER, 0, 0, 0, c.retired, 0, keep, keep, NULL, 0, CORE_INVALID, "rule_retired", "新版本"},
		{LW_VILLAGER, 0, 0, 0, c.foreign, 0, keep, keep, NULL, 0, CORE_INVALID, "invalid_rule", NULL},
		{LW_VILLAGER, 0, 0, 0, 9999, 0, keep, keep, NULL, 0, CORE_INVALID, "invalid_rule", NULL},
		{LW_VILLAGER, 0, 0, 0, c.photo, 0, keep, keep, NULL, 0, CORE_INVALID, "evidence_required", "至少一张照片"},
		{LW_SCORER, 0, w->h_moved, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_INVALID, "household_moved_out", "张秀英（1004）"},
		{LW_SCORER, 0, w->h_other, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_INVALID, "invalid_household", NULL},
		{LW_SCORER, 0, 9999, 0, c.fixed, 0, keep, keep, NULL, 0, CORE_INVALID, "invalid_household", NULL},
		{LW_SCORER, 0, w->h2, w->m1, c.fixed, 0, keep, keep, NULL, 0, CORE_INVALID, "invalid_member", NULL},
		{LW_VILLAGER, 0, 0, 9999, c.fixed, 0, keep, keep, NULL, 0, CORE_INVALID, "invalid_member", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		claim_new in = {.village_id = cases[i].village ? cases[i].village : w->v1,
		                .household_id = cases[i].household, .member_id = cases[i].member,
		                .rule_id = cases[i].rule, .quantity = cases[i].quantity,
		                .deed_date = cases[i].date == keep ? c.yesterday : cases[i].date,
		                .description = cases[i].desc == keep ? "帮邻居王大娘挑水劈柴" : cases[i].desc,
		                .photos = cases[i].photos, .nphotos = cases[i].nphotos};
		long long before = claims_count(&c), audits = lw_audits(w);
		int64_t id = 0;
		core_err err;
		memset(&err, 0, sizeof(err));
		char what[48];
		snprintf(what, sizeof(what), "file case %zu", i);
		CHECK(lw_expect(what, claim_file(w->st, &w->as[cases[i].who], &in, NULL, &id, &err), &err,
		                cases[i].want, cases[i].code, cases[i].zh));
		CHECK_INT_EQ(claims_count(&c), before);
		CHECK_INT_EQ(lw_audits(w), audits);
	}
	lw_done(w);
}

/* ---- approval ----------------------------------------------------------- */

static void approve_posts_the_entry(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	const char *photos[] = {PH1};
	claim_new in = {.village_id = w->v1, .rule_id = c.photo, .deed_date = c.yesterday,
	                .description = "婚事新办，不收彩礼", .photos = photos, .nphotos = 1,
	                .member_id = w->m1};
	int64_t id = 0;
	core_err err;
	CHECK_INT_EQ(claim_file(w->st, &w->as[LW_VILLAGER], &in, NULL, &id, &err), CORE_OK);
	st_claim k = get(&c, id);
	CHECK(claim_can_review(&w->as[LW_SCORER], &k));
	CHECK(!claim_can_review(&w->as[LW_VILLAGER], &k));
	claim_outcome out = CLAIM_SECOND_REVIEW;
	/* a fixed rule: points may be given only as the rule's own */
	CHECK(lw_expect("fixed, other points", claim_approve(w->st, &w->as[LW_SCORER], id, true, 12,
	                                                     NULL, &out, &err),
	                &err, CORE_INVALID, "points_fixed", "固定为 10"));
	CHECK_STR_EQ(get(&c, id).status, "pending");
	long long audits = lw_audits(w);
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], id, true, 10, NULL, &out, &err), CORE_OK);
	CHECK_INT_EQ(out, CLAIM_POSTED);
	k = get(&c, id);
	CHECK_STR_EQ(k.status, "approved");
	CHECK_INT_EQ(k.first_reviewer, w->u[LW_SCORER].id);
	CHECK_INT_EQ(k.first_points, 10);
	CHECK_INT_EQ(k.second_reviewer, 0);
	CHECK(k.entry_id > 0);
	CHECK_INT_EQ(k.entry_points, 10);
	CHECK(!claim_can_review(&w->as[LW_ADMIN], &k));
	/* the entry: the claim's household, member, date, text and photos */
	st_entry e;
	CHECK_INT_EQ(store_entry_get(w->st, k.entry_id, &w->ar, &e), STORE_OK);
	CHECK_INT_EQ(e.household_id, w->h1);
	CHECK_INT_EQ(e.member_id, w->m1);
	CHECK_INT_EQ(e.points, 10);
	CHECK_STR_EQ(e.kind, "award");
	CHECK_INT_EQ(e.claim_id, id);
	CHECK_INT_EQ(e.approved_by, w->u[LW_SCORER].id);
	CHECK_INT_EQ(e.recorded_by, w->u[LW_SCORER].id);
	CHECK_STR_EQ(e.deed_date, c.yesterday);
	CHECK_STR_EQ(e.note, "婚事新办，不收彩礼");
	CHECK_STR_EQ(e.evidence, "[\"" PH1 "\"]");
	CHECK_INT_EQ(lw_int(w, "SELECT kind = 'claim' FROM batches WHERE id = %lld",
	                    (long long)e.batch_id),
	             1);
	CHECK_INT_EQ(lw_balance(w, w->h1), 10);
	/* audit: the ledger's batch row and the claim's approval */
	CHECK_INT_EQ(lw_audits(w), audits + 2);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'claim' AND"
	                       " entity_id = %lld AND action = 'approve' AND summary LIKE"
	                       " '%%\"points\":10%%'", (long long)id),
	             1);
	/* decided: a second approval or a rejection is a conflict and changes nothing */
	long long entries = lw_entries(w);
	CHECK(lw_expect("approve twice", claim_approve(w->st, &w->as[LW_ADMIN], id, false, 0, NULL,
	                                               &out, &err),
	                &err, CORE_CONFLICT, "claim_decided", "已经审核完毕"));
	CHECK(strstr(err.zh, "approved") != NULL);
	CHECK(lw_expect("reject approved", claim_reject(w->st, &w->as[LW_ADMIN], id, "重复申报", NULL,
	                                                &err),
	                &err, CORE_CONFLICT, "claim_decided", NULL));
	CHECK_INT_EQ(lw_entries(w), entries);
	CHECK_STR_EQ(get(&c, id).status, "approved");
	lw_done(w);
}

static void approve_ranges_caps_and_retirement(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	core_err err;
	claim_outcome out;
	int64_t id = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.ranged, 0, &id, &err), CORE_OK);
	const struct {
		bool has;
		int64_t points;
		const char *code;
	} bad[] = {{false, 0, "points_required"}, {true, 4, "points_out_of_range"},
	           {true, 31, "points_out_of_range"}, {true, -10, "points_out_of_range"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[48];
		snprintf(what, sizeof(what), "range case %zu", i);
		CHECK(lw_expect(what, claim_approve(w->st, &w->as[LW_SCORER], id, bad[i].has,
		                                    bad[i].points, NULL, &out, &err),
		                &err, CORE_INVALID, bad[i].code, "5 到 30"));
		CHECK_STR_EQ(get(&c, id).status, "pending");
	}
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], id, true, 7, NULL, &out, &err), CORE_OK);
	CHECK_INT_EQ(out, CLAIM_POSTED);
	CHECK_INT_EQ(lw_balance(w, w->h1), 7);

	/* the cap is the ledger's, checked when approving: the second claim stays pending */
	int64_t a = 0, b = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.capped, 0, &a, &err), CORE_OK);
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.capped, 0, &b, &err), CORE_OK);
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], a, false, 0, NULL, &out, &err), CORE_OK);
	long long entries = lw_entries(w);
	CHECK(lw_expect("cap at approval", claim_approve(w->st, &w->as[LW_SCORER], b, false, 0, NULL,
	                                                 &out, &err),
	                &err, CORE_INVALID, "cap_exceeded", "还可记 0 分"));
	CHECK_STR_EQ(get(&c, b).status, "pending");
	CHECK_INT_EQ(lw_entries(w), entries);
	/* it can still be rejected */
	CHECK_INT_EQ(claim_reject(w->st, &w->as[LW_SCORER], b, "本月已达上限", NULL, &err), CORE_OK);

	/* a rule retired after filing cannot be approved any more */
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.fixed, 0, &id, &err), CORE_OK);
	CHECK_INT_EQ(store_rule_retire(w->st, c.fixed, time_now()), STORE_OK);
	CHECK(lw_expect("retired at approval", claim_approve(w->st, &w->as[LW_SCORER], id, false, 0,
	                                                     NULL, &out, &err),
	                &err, CORE_INVALID, "rule_retired", NULL));
	CHECK_STR_EQ(get(&c, id).status, "pending");
	/* a household that moved out after filing */
	CHECK_INT_EQ(file(&c, LW_SCORER, w->h2, c.ranged, 0, &id, &err), CORE_OK);
	CHECK_INT_EQ(lw_exec(w, "UPDATE households SET status = 'moved_out' WHERE id = %lld",
	                     (long long)w->h2), 0);
	CHECK(lw_expect("moved out at approval", claim_approve(w->st, &w->as[LW_ADMIN], id, true, 5,
	                                                       NULL, &out, &err),
	                &err, CORE_INVALID, "household_moved_out", NULL));
	CHECK_STR_EQ(get(&c, id).status, "pending");
	lw_done(w);
}

/* ---- second review ----------------------------------------------------- */

static void second_review(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	core_err err;
	claim_outcome out;
	/* the default threshold: 20 points; more needs two reviewers */
	CHECK_INT_EQ(lw_int(w, "SELECT second_review_points FROM villages WHERE id = %lld",
	                    (long long)w->v1), 20);
	const struct {
		int64_t rule, quantity, points; /* points 0: the rule's own */
		bool second;
	} cases[] = {
		{0, 1, 20, false}, /* exactly the threshold: one reviewer */
		{0, 1, 21, true},
		{0, 1, 30, true},
		{1, 4, 0, false},  /* 4 × 5 = 20 */
		{1, 5, 0, true},   /* 5 × 5 = 25: the quantity counts */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t rule = cases[i].rule ? c.fixed : c.ranged, id = 0;
		CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, rule, cases[i].quantity, &id, &err), CORE_OK);
		int64_t bal = lw_balance(w, w->h1);
		long long entries = lw_entries(w);
		CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], id, cases[i].points != 0,
		                           cases[i].points, NULL, &out, &err),
		             CORE_OK);
		int64_t total = (cases[i].points ? cases[i].points : 5) * cases[i].quantity;
		st_claim k = get(&c, id);
		if (out != (cases[i].second ? CLAIM_SECOND_REVIEW : CLAIM_POSTED))
			fprintf(stderr, "second review case %zu: outcome %d\n", i, out);
		CHECK_INT_EQ(out, cases[i].second ? CLAIM_SECOND_REVIEW : CLAIM_POSTED);
		if (!cases[i].second) {
			CHECK_STR_EQ(k.status, "approved");
			CHECK_INT_EQ(lw_balance(w, w->h1), bal + total);
			continue;
		}
		/* first approval: recorded, nothing posted */
		CHECK_STR_EQ(k.status, "second_review");
		CHECK_INT_EQ(k.first_reviewer, w->u[LW_SCORER].id);
		CHECK_INT_EQ(k.first_points, cases[i].points ? cases[i].points : 5);
		CHECK_INT_EQ(k.entry_id, 0);
		CHECK_INT_EQ(lw_entries(w), entries);
		CHECK_INT_EQ(lw_balance(w, w->h1), bal);
		CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'claim' AND"
		                       " entity_id = %lld AND action = 'approve_first'", (long long)id),
		             1);
		CHECK(!claim_can_review(&w->as[LW_SCORER], &k));
		CHECK(claim_can_review(&w->as[LW_SCORER_B], &k));
		/* the same reviewer cannot give the second approval */
		CHECK(lw_expect("same reviewer", claim_approve(w->st, &w->as[LW_SCORER], id, false, 0,
		                                               NULL, &out, &err),
		                &err, CORE_FORBIDDEN, "same_reviewer", "另一位审核人"));
		CHECK(lw_expect("same reviewer rejects", claim_reject(w->st, &w->as[LW_SCORER], id,
		                                                      "再想想", NULL, &err),
		                &err, CORE_FORBIDDEN, "same_reviewer", NULL));
		/* the second reviewer confirms the first one's points, or rejects */
		if (cases[i].points) {
			CHECK(lw_expect("other points", claim_approve(w->st, &w->as[LW_ADMIN], id, true,
			                                              cases[i].points - 1, NULL, &out, &err),
			                &err, CORE_INVALID, "points_mismatch", "驳回"));
		}
		CHECK_STR_EQ(get(&c, id).status, "second_review");
		CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_ADMIN], id, cases[i].points != 0,
		                           cases[i].points, NULL, &out, &err),
		             CORE_OK);
		CHECK_INT_EQ(out, CLAIM_POSTED);
		k = get(&c, id);
		CHECK_STR_EQ(k.status, "approved");
		CHECK_INT_EQ(k.first_reviewer, w->u[LW_SCORER].id);
		CHECK_INT_EQ(k.second_reviewer, w->u[LW_ADMIN].id);
		CHECK_INT_EQ(k.entry_points, total);
		CHECK_INT_EQ(lw_balance(w, w->h1), bal + total);
		st_entry e;
		CHECK_INT_EQ(store_entry_get(w->st, k.entry_id, &w->ar, &e), STORE_OK);
		CHECK_INT_EQ(e.approved_by, w->u[LW_ADMIN].id);
		CHECK(lw_expect("third approval", claim_approve(w->st, &w->as[LW_SCORER_B], id, false, 0,
		                                                NULL, &out, &err),
		                &err, CORE_CONFLICT, "claim_decided", NULL));
	}
	/* the second reviewer may reject instead */
	int64_t id = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.ranged, 0, &id, &err), CORE_OK);
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_ADMIN], id, true, 25, NULL, &out, &err), CORE_OK);
	CHECK_INT_EQ(out, CLAIM_SECOND_REVIEW);
	CHECK_INT_EQ(claim_reject(w->st, &w->as[LW_SCORER_B], id, "事迹核实不足，建议按 15 分重新申请",
	                          NULL, &err),
	             CORE_OK);
	st_claim k = get(&c, id);
	CHECK_STR_EQ(k.status, "rejected");
	CHECK_INT_EQ(k.first_reviewer, w->u[LW_ADMIN].id);
	CHECK_INT_EQ(k.second_reviewer, w->u[LW_SCORER_B].id);
	CHECK_INT_EQ(k.entry_id, 0);
	/* a village's own threshold */
	CHECK_INT_EQ(lw_exec(w, "UPDATE villages SET second_review_points = 5 WHERE id = %lld",
	                     (long long)w->v1), 0);
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.ranged, 0, &id, &err), CORE_OK);
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], id, true, 5, NULL, &out, &err), CORE_OK);
	CHECK_INT_EQ(out, CLAIM_POSTED);
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.ranged, 0, &id, &err), CORE_OK);
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], id, true, 6, NULL, &out, &err), CORE_OK);
	CHECK_INT_EQ(out, CLAIM_SECOND_REVIEW);
	lw_done(w);
}

/* ---- rejection ---------------------------------------------------------- */

static void reject(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	core_err err;
	int64_t id = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.fixed, 0, &id, &err), CORE_OK);
	char long_reason[1024] = "";
	for (int i = 0; i < 201; i++)
		strcat(long_reason, "驳");
	const struct {
		const char *reason, *code;
	} bad[] = {{"", "too_short"}, {NULL, "missing_field"}, {long_reason, "too_long"},
	           {"原因\x07", "control_characters"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long audits = lw_audits(w);
		char what[48];
		snprintf(what, sizeof(what), "reject case %zu", i);
		CHECK(lw_expect(what, claim_reject(w->st, &w->as[LW_SCORER], id, bad[i].reason, NULL,
		                                   &err),
		                &err, CORE_INVALID, bad[i].code, "驳回原因"));
		CHECK_INT_EQ(lw_audits(w), audits);
	}
	CHECK_STR_EQ(get(&c, id).status, "pending");
	CHECK_INT_EQ(claim_reject(w->st, &w->as[LW_SCORER], id, "当天志愿服务已由评分小组统一记分",
	                          NULL, &err),
	             CORE_OK);
	st_claim k = get(&c, id);
	CHECK_STR_EQ(k.status, "rejected");
	CHECK_STR_EQ(k.reject_reason, "当天志愿服务已由评分小组统一记分");
	CHECK_INT_EQ(k.first_reviewer, w->u[LW_SCORER].id);
	CHECK_INT_EQ(k.entry_id, 0);
	CHECK_INT_EQ(lw_entries(w), 0);
	CHECK_INT_EQ(lw_balance(w, w->h1), 0);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM audit_log WHERE entity = 'claim' AND"
	                       " entity_id = %lld AND action = 'reject' AND summary LIKE"
	                       " '%%统一记分%%'", (long long)id),
	             1);
	claim_outcome out;
	CHECK(lw_expect("approve rejected", claim_approve(w->st, &w->as[LW_ADMIN], id, false, 0, NULL,
	                                                  &out, &err),
	                &err, CORE_CONFLICT, "claim_decided", NULL));
	CHECK(strstr(err.zh, "rejected") != NULL);
	CHECK(lw_expect("reject twice", claim_reject(w->st, &w->as[LW_ADMIN], id, "再次驳回", NULL,
	                                             &err),
	                &err, CORE_CONFLICT, "claim_decided", NULL));
	CHECK_STR_EQ(get(&c, id).reject_reason, "当天志愿服务已由评分小组统一记分");
	lw_done(w);
}

/* ---- who may review ---------------------------------------------------- */

static void who_reviews(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	core_err err;
	int64_t by_villager = 0, by_scorer = 0, for_h2 = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.fixed, 0, &by_villager, &err), CORE_OK);
	CHECK_INT_EQ(file(&c, LW_SCORER, w->h3, c.fixed, 0, &by_scorer, &err), CORE_OK);
	CHECK_INT_EQ(file(&c, LW_VILLAGER2, 0, c.fixed, 0, &for_h2, &err), CORE_OK);
	/* 评分员 lives in household 1001 */
	CHECK_INT_EQ(store_user_set_home_household(w->st, w->u[LW_SCORER].id, w->h1), STORE_OK);
	CHECK(lw_reload_user(w, LW_SCORER));
	const actor op = {.user = NULL, .ip = "cli"};
	const struct {
		const actor *who;
		int64_t *claim;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{&w->as[LW_VILLAGER], &by_villager, CORE_FORBIDDEN, "not_reviewer", NULL},
		{&w->as[LW_VILLAGER2], &by_villager, CORE_FORBIDDEN, "not_reviewer", NULL},
		{&w->as[LW_CLERK], &by_villager, CORE_FORBIDDEN, "not_reviewer", "评分员和村管理员"},
		{&w->as[LW_COUNTY], &by_villager, CORE_FORBIDDEN, "not_reviewer", NULL},
		{&op, &by_villager, CORE_FORBIDDEN, "not_reviewer", NULL},
		{&w->as[LW_ADMIN2], &by_villager, CORE_FORBIDDEN, NULL, NULL},
		{&w->as[LW_SCORER], &by_villager, CORE_FORBIDDEN, "own_household", "于洪军，存折号 1001"},
		{&w->as[LW_SCORER], &by_scorer, CORE_FORBIDDEN, "own_claim", "自己提交"},
		{&w->as[LW_SCORER], &for_h2, CORE_OK, NULL, NULL},
		{&w->as[LW_ADMIN], &by_villager, CORE_OK, NULL, NULL},
		{&w->as[LW_SCORER_B], &by_scorer, CORE_OK, NULL, NULL},
	};
	int64_t missing = 9999;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		claim_outcome out;
		long long entries = lw_entries(w);
		char what[48];
		snprintf(what, sizeof(what), "review case %zu", i);
		st_claim k = get(&c, *cases[i].claim);
		/* can_review serves the village's own queue: the village itself is checked by access */
		if (cases[i].who != &w->as[LW_ADMIN2])
			CHECK_INT_EQ(claim_can_review(cases[i].who, &k), cases[i].want == CORE_OK);
		CHECK(lw_expect(what, claim_approve(w->st, cases[i].who, *cases[i].claim, false, 0, NULL,
		                                    &out, &err),
		                &err, cases[i].want, cases[i].code, cases[i].zh));
		if (cases[i].want != CORE_OK) {
			CHECK_INT_EQ(lw_entries(w), entries);
			CHECK(lw_expect(what, claim_reject(w->st, cases[i].who, *cases[i].claim, "不符合",
			                                   NULL, &err),
			                &err, cases[i].want, cases[i].code, NULL));
			CHECK_STR_EQ(get(&c, *cases[i].claim).status, "pending");
		} else {
			CHECK_INT_EQ(lw_entries(w), entries + 1);
		}
	}
	claim_outcome out;
	CHECK(lw_expect("no such claim", claim_approve(w->st, &w->as[LW_ADMIN], missing, false, 0,
	                                               NULL, &out, &err),
	                &err, CORE_NOT_FOUND, "not_found", NULL));
	/* a village admin's home household too */
	CHECK_INT_EQ(store_user_set_home_household(w->st, w->u[LW_ADMIN_B].id, w->h3), STORE_OK);
	CHECK(lw_reload_user(w, LW_ADMIN_B));
	int64_t for_h3 = 0;
	CHECK_INT_EQ(file(&c, LW_SCORER_B, w->h3, c.fixed, 0, &for_h3, &err), CORE_OK);
	CHECK(lw_expect("admin's home", claim_approve(w->st, &w->as[LW_ADMIN_B], for_h3, false, 0,
	                                              NULL, &out, &err),
	                &err, CORE_FORBIDDEN, "own_household", "李春生，存折号 2001"));
	/* cleared home household: may review again */
	CHECK_INT_EQ(store_user_set_home_household(w->st, w->u[LW_SCORER].id, 0), STORE_OK);
	CHECK(lw_reload_user(w, LW_SCORER));
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], for_h3, false, 0, NULL, &out, &err),
	             CORE_OK);
	lw_done(w);
}

/* ---- reading ----------------------------------------------------------- */

static void reading(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	core_err err;
	int64_t mine = 0, theirs = 0, done_id = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.fixed, 0, &mine, &err), CORE_OK);
	CHECK_INT_EQ(file(&c, LW_VILLAGER2, 0, c.fixed, 0, &theirs, &err), CORE_OK);
	CHECK_INT_EQ(file(&c, LW_VILLAGER2, 0, c.ranged, 0, &done_id, &err), CORE_OK);
	claim_outcome out;
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], done_id, true, 25, NULL, &out, &err),
	             CORE_OK);
	st_claim k;
	CHECK_INT_EQ(claim_get(w->st, &w->as[LW_VILLAGER], mine, &w->ar, &k, &err), CORE_OK);
	CHECK(lw_expect("another household's claim",
	                claim_get(w->st, &w->as[LW_VILLAGER], theirs, &w->ar, &k, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK_INT_EQ(claim_get(w->st, &w->as[LW_CLERK], theirs, &w->ar, &k, &err), CORE_OK);
	CHECK(lw_expect("other village", claim_get(w->st, &w->as[LW_ADMIN2], mine, &w->ar, &k, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("missing", claim_get(w->st, &w->as[LW_ADMIN], 9999, &w->ar, &k, &err), &err,
	                CORE_NOT_FOUND, NULL, NULL));
	const struct {
		int who;
		int64_t village, household;
		const char *status;
		core_status want;
		int64_t total;
	} cases[] = {
		{LW_SCORER, 1, 0, "open", CORE_OK, 3},
		{LW_SCORER, 1, 0, "pending", CORE_OK, 2},
		{LW_SCORER, 1, 0, "second_review", CORE_OK, 1},
		{LW_SCORER, 1, 0, "approved", CORE_OK, 0},
		{LW_SCORER, 1, 0, NULL, CORE_OK, 3},
		{LW_VILLAGER, 1, 0, "open", CORE_FORBIDDEN, 0},
		{LW_ADMIN2, 1, 0, "open", CORE_FORBIDDEN, 0},
		{LW_VILLAGER, 0, 1, NULL, CORE_OK, 1},
		{LW_VILLAGER2, 0, 2, NULL, CORE_OK, 2},
		{LW_VILLAGER, 0, 2, NULL, CORE_FORBIDDEN, 0},
		{LW_ADMIN, 0, 2, "pending", CORE_OK, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_claim_filter f = {.village_id = cases[i].village ? w->v1 : 0,
		                     .household_id = cases[i].household == 1   ? w->h1
		                                     : cases[i].household == 2 ? w->h2
		                                                               : 0,
		                     .status = cases[i].status, .limit = 50};
		st_claim *list = NULL;
		size_t n = 0;
		int64_t total = -1;
		char what[48];
		snprintf(what, sizeof(what), "list case %zu", i);
		CHECK(lw_expect(what, claim_list(w->st, &w->as[cases[i].who], &f, &w->ar, &list, &n,
		                                 &total, &err),
		                &err, cases[i].want, NULL, NULL));
		if (cases[i].want == CORE_OK) {
			CHECK_INT_EQ(total, cases[i].total);
			CHECK_INT_EQ(n, cases[i].total);
		}
	}
	lw_done(w);
}

/* ---- idempotency ------------------------------------------------------- */

static void idempotent_decisions(void)
{
	cworld c;
	CHECK(build(&c));
	lworld *w = &c.w;
	core_err err;
	int64_t id = 0;
	CHECK_INT_EQ(file(&c, LW_VILLAGER, 0, c.fixed, 0, &id, &err), CORE_OK);
	int64_t uid = w->u[LW_SCORER].id, now = time_now();
	st_idem old, fresh;
	CHECK_INT_EQ(store_idem_claim(w->st, uid, "审核-1", "h", now - 120, now - 180, &w->ar, &old),
	             STORE_OK);
	CHECK_INT_EQ(store_idem_claim(w->st, uid, "审核-1", "h", now, now - 60, &w->ar, &fresh),
	             STORE_OK);
	ledger_idem stale = {.user_id = uid, .key = "审核-1", .token = old.token};
	claim_outcome out;
	CHECK(lw_expect("stale approval", claim_approve(w->st, &w->as[LW_SCORER], id, false, 0, &stale,
	                                                &out, &err),
	                &err, CORE_CONFLICT, "request_in_progress", NULL));
	CHECK_STR_EQ(get(&c, id).status, "pending");
	CHECK_INT_EQ(lw_entries(w), 0);
	ledger_idem ok = {.user_id = uid, .key = "审核-1", .token = fresh.token};
	CHECK_INT_EQ(claim_approve(w->st, &w->as[LW_SCORER], id, false, 0, &ok, &out, &err), CORE_OK);
	CHECK_INT_EQ(lw_int(w, "SELECT count(*) FROM idempotency_keys WHERE key = '审核-1' AND"
	                       " state = 'done' AND result_ref = 'claim:%lld'", (long long)id),
	             1);
	CHECK_INT_EQ(lw_entries(w), 1);
	lw_done(w);
}

CHECK_MAIN("claims", T(file_ok), T(file_refusals), T(approve_posts_the_entry),
           T(approve_ranges_caps_and_retirement), T(second_review), T(reject), T(who_reviews),
           T(reading), T(idempotent_decisions))
