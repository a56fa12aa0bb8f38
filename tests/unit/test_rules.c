/*
 * Unit tests for src/core/rules.c: the validation table of a rule (each bad
 * field with its code, and the edges that pass), who may add, edit, retire and
 * revise rules, a revision as version + 1 of the same lineage in one
 * transaction with the old version retired, an edit of a used rule refused
 * (and the schema refusing it too), and the recorders list.
 */
#include "check.h"
#include "core/ledger.h"
#include "core/rules.h"
#include "ledger_fixture.h"

/* A valid rule of the village to vary. */
static st_rule good(int64_t village)
{
	return (st_rule){.village_id = village, .category = "尊老爱幼", .name = "孝敬老人",
	                 .points = 5, .unit = "time", .recorders = "scorer,village_admin",
	                 .description = "照顾、赡养老人"};
}

static void validation_table(void)
{
	char name33[128] = "", name32[128] = "", desc201[1024] = "", cat17[64] = "";
	for (int i = 0; i < 33; i++)
		strcat(name33, "孝");
	for (int i = 0; i < 32; i++)
		strcat(name32, "孝");
	for (int i = 0; i < 201; i++)
		strcat(desc201, "老");
	for (int i = 0; i < 17; i++)
		strcat(cat17, "类");
	enum { F_CAT, F_NAME, F_DESC, F_POINTS, F_UNIT, F_RANGE, F_CAPS, F_REC, F_CLAIM };
	const struct {
		int field;
		const char *s;           /* for text fields, unit, recorders */
		int64_t a, b, c;         /* points; min/max; cap_month/cap_year */
		bool flag;               /* has_range / claimable */
		const char *code;        /* NULL: valid */
	} cases[] = {
		{F_CAT, "", 0, 0, 0, false, "too_short"},
		{F_CAT, NULL, 0, 0, 0, false, "missing_field"},
		{F_CAT, cat17, 0, 0, 0, false, "too_long"},
		{F_NAME, "", 0, 0, 0, false, "too_short"},
		{F_NAME, NULL, 0, 0, 0, false, "missing_field"},
		{F_NAME, name33, 0, 0, 0, false, "too_long"},
		{F_NAME, name32, 0, 0, 0, false, NULL},
		{F_NAME, "孝敬\n老人", 0, 0, 0, false, "control_characters"},
		{F_NAME, "\xe5\xad", 0, 0, 0, false, "invalid_utf8"},
		{F_DESC, desc201, 0, 0, 0, false, "too_long"},
		{F_DESC, NULL, 0, 0, 0, false, NULL}, /* no description is fine */
		{F_POINTS, NULL, 0, 0, 0, false, "invalid_points"},
		{F_POINTS, NULL, 1001, 0, 0, false, "invalid_points"},
		{F_POINTS, NULL, -1001, 0, 0, false, "invalid_points"},
		{F_POINTS, NULL, 1000, 0, 0, false, NULL},
		{F_POINTS, NULL, -1000, 0, 0, false, NULL},
		{F_UNIT, NULL, 0, 0, 0, false, "invalid_unit"},
		{F_UNIT, "week", 0, 0, 0, false, "invalid_unit"},
		{F_UNIT, "", 0, 0, 0, false, "invalid_unit"},
		{F_UNIT, "day", 0, 0, 0, false, NULL},
		{F_UNIT, "hour", 0, 0, 0, false, NULL},
		/* ranges: points 5 */
		{F_RANGE, NULL, 3, 8, 0, true, NULL},
		{F_RANGE, NULL, 5, 5, 0, true, NULL},
		{F_RANGE, NULL, 8, 3, 0, true, "invalid_range"},
		{F_RANGE, NULL, 6, 8, 0, true, "invalid_range"},  /* points below min */
		{F_RANGE, NULL, 1, 4, 0, true, "invalid_range"},  /* points above max */
		{F_RANGE, NULL, 0, 8, 0, true, "invalid_range"},  /* zero min */
		{F_RANGE, NULL, -3, 8, 0, true, "invalid_range"}, /* mixed signs */
		{F_RANGE, NULL, 3, 1001, 0, true, "invalid_range"},
		{F_RANGE, NULL, 8, 3, 0, false, NULL}, /* without has_range the bounds are ignored */
		/* caps */
		{F_CAPS, NULL, 10, 30, 0, false, NULL},
		{F_CAPS, NULL, 30, 30, 0, false, NULL},
		{F_CAPS, NULL, 10, 0, 0, false, NULL},
		{F_CAPS, NULL, 0, 9, 0, false, NULL},
		{F_CAPS, NULL, 31, 30, 0, false, "invalid_cap"},
		{F_CAPS, NULL, -1, 0, 0, false, "invalid_cap"},
		{F_CAPS, NULL, 0, -5, 0, false, "invalid_cap"},
		/* recorders */
		{F_REC, NULL, 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "clerk", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "scorer,villager", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "scorer,", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, ",scorer", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "scorers", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "评分员", 0, 0, 0, false, "invalid_recorders"},
		{F_REC, "scorer", 0, 0, 0, false, NULL},
		{F_REC, "village_admin,scorer", 0, 0, 0, false, NULL},
		/* claimable: awards only */
		{F_CLAIM, NULL, 5, 0, 0, true, NULL},
		{F_CLAIM, NULL, -5, 0, 0, true, "invalid_claimable"},
		{F_CLAIM, NULL, -5, 0, 0, false, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_rule r = good(1);
		switch (cases[i].field) {
		case F_CAT: r.category = cases[i].s; break;
		case F_NAME: r.name = cases[i].s; break;
		case F_DESC: r.description = cases[i].s; break;
		case F_POINTS: r.points = cases[i].a; break;
		case F_UNIT: r.unit = cases[i].s; break;
		case F_RANGE:
			r.has_range = cases[i].flag;
			r.min_points = cases[i].a;
			r.max_points = cases[i].b;
			break;
		case F_CAPS:
			r.cap_month = cases[i].a;
			r.cap_year = cases[i].b;
			break;
		case F_REC: r.recorders = cases[i].s; break;
		case F_CLAIM:
			r.points = cases[i].a;
			r.claimable = cases[i].flag;
			break;
		}
		core_err err;
		memset(&err, 0, sizeof(err));
		char what[64];
		snprintf(what, sizeof(what), "validation case %zu", i);
		CHECK(lw_expect(what, rule_validate(&r, &err), &err,
		                cases[i].code ? CORE_INVALID : CORE_OK, cases[i].code, NULL));
	}
	/* negative ranges for deductions */
	st_rule d = good(1);
	d.points = -5;
	d.has_range = true;
	d.min_points = -10;
	d.max_points = -2;
	core_err err;
	CHECK_INT_EQ(rule_validate(&d, &err), CORE_OK);
	d.max_points = 2;
	CHECK(lw_expect("deduction range crossing zero", rule_validate(&d, &err), &err, CORE_INVALID,
	                "invalid_range", "同号"));
	/* the messages say what to do */
	st_rule p = good(1);
	p.points = 0;
	CHECK(lw_expect("zero points", rule_validate(&p, &err), &err, CORE_INVALID, "invalid_points",
	                "扣分用负数"));
}

static void recorder_allowed(void)
{
	const struct {
		const char *recorders, *role;
		bool want;
	} cases[] = {
		{"scorer,village_admin", "scorer", true},
		{"scorer,village_admin", "village_admin", true},
		{"scorer", "village_admin", false},
		{"village_admin", "scorer", false},
		{"village_admin", "village", false}, /* a prefix is not a match */
		{"scorer", "scorer2", false},
		{"scorer,village_admin", "clerk", false},
		{"scorer,village_admin", "villager", false},
		{"scorer,village_admin", "", false},
		{NULL, "scorer", false},
		{"", "scorer", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_rule r = {.recorders = cases[i].recorders};
		if (rule_recorder_allowed(&r, cases[i].role) != cases[i].want)
			fprintf(stderr, "recorders \"%s\" role \"%s\"\n", cases[i].recorders,
			        cases[i].role);
		CHECK(rule_recorder_allowed(&r, cases[i].role) == cases[i].want);
	}
}

static void create_and_permissions(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const actor op = {.user = NULL, .ip = "cli"};
	const struct {
		const actor *who;
		int64_t village;
		core_status want;
	} cases[] = {
		{&w.as[LW_SCORER], w.v1, CORE_FORBIDDEN},
		{&w.as[LW_CLERK], w.v1, CORE_FORBIDDEN},
		{&w.as[LW_VILLAGER], w.v1, CORE_FORBIDDEN},
		{&w.as[LW_ADMIN2], w.v1, CORE_FORBIDDEN},
		{&w.as[LW_ADMIN], 9999, CORE_NOT_FOUND},
		{&w.as[LW_ADMIN], w.v1, CORE_OK},
		{&w.as[LW_COUNTY], w.v1, CORE_OK},
		{&op, w.v2, CORE_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_rule r = good(cases[i].village);
		long long audits = lw_audits(&w), rules = lw_int(&w, "SELECT count(*) FROM rules");
		int64_t id = 0;
		core_err err;
		char what[48];
		snprintf(what, sizeof(what), "create case %zu", i);
		CHECK(lw_expect(what, rule_create(w.st, cases[i].who, &r, &id, &err), &err,
		                cases[i].want, NULL, NULL));
		CHECK_INT_EQ(lw_audits(&w), audits + (cases[i].want == CORE_OK));
		CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM rules"), rules + (cases[i].want == CORE_OK));
		if (cases[i].want != CORE_OK)
			continue;
		st_rule got;
		CHECK_INT_EQ(rule_get(w.st, cases[i].who, id, &w.ar, &got, &err), CORE_OK);
		CHECK_INT_EQ(got.version, 1);
		CHECK_INT_EQ(got.lineage_id, id);
		CHECK_STR_EQ(got.status, "active");
		CHECK(!got.used);
		CHECK_STR_EQ(got.name, "孝敬老人");
		CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'rule' AND"
		                        " entity_id = %lld AND action = 'create' AND summary LIKE"
		                        " '%%孝敬老人%%'", (long long)id),
		             1);
	}
	/* an invalid rule changes nothing */
	st_rule bad = good(w.v1);
	bad.unit = "month";
	long long audits = lw_audits(&w);
	int64_t id = 0;
	core_err err;
	CHECK(lw_expect("invalid create", rule_create(w.st, &w.as[LW_ADMIN], &bad, &id, &err), &err,
	                CORE_INVALID, "invalid_unit", "计分单位"));
	CHECK_INT_EQ(lw_audits(&w), audits);
	/* reads: the catalogue is public, filtered by status; an unknown rule or village */
	st_rule *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(rule_list(w.st, w.v1, NULL, &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(rule_list(w.st, w.v1, "retired", &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 0);
	CHECK(lw_expect("list of no village", rule_list(w.st, 9999, NULL, &w.ar, &list, &n, &err),
	                &err, CORE_NOT_FOUND, "not_found", NULL));
	st_rule got;
	CHECK(lw_expect("get missing", rule_get(w.st, &w.as[LW_VILLAGER], 9999, &w.ar, &got, &err),
	                &err, CORE_NOT_FOUND, "not_found", "细则"));
	lw_done(&w);
}

static void update_unused_and_used(void)
{
	lworld w;
	CHECK(lw_build(&w));
	core_err err;
	int64_t id = 0;
	st_rule r = good(w.v1);
	CHECK_INT_EQ(rule_create(w.st, &w.as[LW_ADMIN], &r, &id, &err), CORE_OK);

	/* an unused rule is edited in place */
	st_rule e = good(w.v1);
	e.id = id;
	e.points = 6;
	e.name = "孝敬父母";
	e.cap_month = 12;
	CHECK(lw_expect("update by scorer", rule_update(w.st, &w.as[LW_SCORER], &e, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("update by other village",
	                rule_update(w.st, &w.as[LW_ADMIN2], &e, &err), &err, CORE_FORBIDDEN, NULL,
	                NULL));
	e.points = 0;
	CHECK(lw_expect("update invalid", rule_update(w.st, &w.as[LW_ADMIN], &e, &err), &err,
	                CORE_INVALID, "invalid_points", NULL));
	e.points = 6;
	st_rule missing = e;
	missing.id = 9999;
	CHECK(lw_expect("update missing", rule_update(w.st, &w.as[LW_ADMIN], &missing, &err), &err,
	                CORE_NOT_FOUND, NULL, NULL));
	CHECK_INT_EQ(rule_update(w.st, &w.as[LW_ADMIN], &e, &err), CORE_OK);
	st_rule got;
	CHECK_INT_EQ(rule_get(w.st, NULL, id, &w.ar, &got, &err), CORE_OK);
	CHECK_INT_EQ(got.points, 6);
	CHECK_STR_EQ(got.name, "孝敬父母");
	CHECK_INT_EQ(got.cap_month, 12);
	CHECK_INT_EQ(got.version, 1); /* an edit is not a new version */
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'rule' AND"
	                        " entity_id = %lld AND action = 'update'", (long long)id),
	             1);

	/* once used (an entry names it), the rule is frozen */
	ledger_target t = {.household_id = w.h1};
	char today[11];
	lw_today(today);
	ledger_record_in in = {.village_id = w.v1, .rule_id = id, .targets = &t, .ntargets = 1,
	                       .deed_date = today};
	int64_t batch = 0;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), CORE_OK);
	CHECK_INT_EQ(rule_get(w.st, NULL, id, &w.ar, &got, &err), CORE_OK);
	CHECK(got.used);
	long long audits = lw_audits(&w);
	e.points = 7;
	CHECK(lw_expect("update used", rule_update(w.st, &w.as[LW_ADMIN], &e, &err), &err,
	                CORE_CONFLICT, "rule_used", "revise"));
	/* even an edit that changes nothing visible is refused: use revise */
	e.points = 6;
	CHECK(lw_expect("update used, same fields", rule_update(w.st, &w.as[LW_ADMIN], &e, &err),
	                &err, CORE_CONFLICT, "rule_used", NULL));
	CHECK_INT_EQ(lw_audits(&w), audits);
	CHECK_INT_EQ(rule_get(w.st, NULL, id, &w.ar, &got, &err), CORE_OK);
	CHECK_INT_EQ(got.points, 6);
	/* the schema refuses it too, behind the domain's back */
	st_rule sneaky = got;
	sneaky.points = 60;
	CHECK_INT_EQ(store_rule_update(w.st, &sneaky), STORE_CONSTRAINT);
	CHECK_INT_EQ(store_rule_delete(w.st, id), STORE_CONSTRAINT);
	CHECK_INT_EQ(lw_int(&w, "SELECT points FROM rules WHERE id = %lld", (long long)id), 6);

	/* a retired (unused) rule cannot be edited either */
	int64_t id2 = 0;
	st_rule r2 = good(w.v1);
	r2.name = "关爱留守儿童";
	CHECK_INT_EQ(rule_create(w.st, &w.as[LW_ADMIN], &r2, &id2, &err), CORE_OK);
	CHECK_INT_EQ(rule_retire(w.st, &w.as[LW_ADMIN], id2, &err), CORE_OK);
	r2.id = id2;
	CHECK(lw_expect("update retired", rule_update(w.st, &w.as[LW_ADMIN], &r2, &err), &err,
	                CORE_CONFLICT, "rule_retired", "停用"));
	lw_done(&w);
}

static void retire(void)
{
	lworld w;
	CHECK(lw_build(&w));
	core_err err;
	int64_t id = 0;
	st_rule r = good(w.v1);
	CHECK_INT_EQ(rule_create(w.st, &w.as[LW_ADMIN], &r, &id, &err), CORE_OK);
	CHECK(lw_expect("retire by scorer", rule_retire(w.st, &w.as[LW_SCORER], id, &err), &err,
	                CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("retire missing", rule_retire(w.st, &w.as[LW_ADMIN], 9999, &err), &err,
	                CORE_NOT_FOUND, NULL, NULL));
	CHECK_INT_EQ(rule_retire(w.st, &w.as[LW_COUNTY], id, &err), CORE_OK);
	st_rule got;
	CHECK_INT_EQ(rule_get(w.st, NULL, id, &w.ar, &got, &err), CORE_OK);
	CHECK_STR_EQ(got.status, "retired");
	CHECK(got.retired_at > 0);
	long long audits = lw_audits(&w);
	CHECK(lw_expect("retire twice", rule_retire(w.st, &w.as[LW_ADMIN], id, &err), &err,
	                CORE_CONFLICT, "rule_retired", "已经停用"));
	CHECK_INT_EQ(lw_audits(&w), audits);
	st_rule *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(rule_list(w.st, w.v1, "active", &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(rule_list(w.st, w.v1, "retired", &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 1);
	lw_done(&w);
}

static void revise(void)
{
	lworld w;
	CHECK(lw_build(&w));
	core_err err;
	int64_t v1id = 0;
	st_rule r = good(w.v1);
	r.cap_month = 10;
	CHECK_INT_EQ(rule_create(w.st, &w.as[LW_ADMIN], &r, &v1id, &err), CORE_OK);
	/* use it, so only a revision can change it */
	ledger_target t = {.household_id = w.h1};
	char today[11];
	lw_today(today);
	ledger_record_in in = {.village_id = w.v1, .rule_id = v1id, .targets = &t, .ntargets = 1,
	                       .deed_date = today};
	int64_t batch = 0;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), CORE_OK);

	/* refusals change nothing */
	st_rule next = good(w.v1);
	next.points = 8;
	next.cap_month = 16;
	long long audits = lw_audits(&w), rules = lw_int(&w, "SELECT count(*) FROM rules");
	int64_t new_id = 0;
	CHECK(lw_expect("revise by scorer", rule_revise(w.st, &w.as[LW_SCORER], v1id, &next,
	                                                &new_id, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("revise by other village", rule_revise(w.st, &w.as[LW_ADMIN2], v1id, &next,
	                                                       &new_id, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	CHECK(lw_expect("revise missing", rule_revise(w.st, &w.as[LW_ADMIN], 9999, &next, &new_id,
	                                              &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	st_rule bad = next;
	bad.cap_month = 50;
	bad.cap_year = 20;
	CHECK(lw_expect("revise invalid", rule_revise(w.st, &w.as[LW_ADMIN], v1id, &bad, &new_id,
	                                              &err),
	                &err, CORE_INVALID, "invalid_cap", NULL));
	CHECK_INT_EQ(lw_audits(&w), audits);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM rules"), rules);
	st_rule got;
	CHECK_INT_EQ(rule_get(w.st, NULL, v1id, &w.ar, &got, &err), CORE_OK);
	CHECK_STR_EQ(got.status, "active");

	/* v1 → v2: same lineage, version + 1, the new fields, v1 retired */
	next.village_id = w.v2; /* ignored: a revision stays in the rule's village */
	CHECK_INT_EQ(rule_revise(w.st, &w.as[LW_ADMIN], v1id, &next, &new_id, &err), CORE_OK);
	CHECK(new_id != v1id);
	st_rule v2;
	CHECK_INT_EQ(rule_get(w.st, NULL, new_id, &w.ar, &v2, &err), CORE_OK);
	CHECK_INT_EQ(v2.lineage_id, v1id);
	CHECK_INT_EQ(v2.version, 2);
	CHECK_INT_EQ(v2.village_id, w.v1);
	CHECK_INT_EQ(v2.points, 8);
	CHECK_INT_EQ(v2.cap_month, 16);
	CHECK_STR_EQ(v2.status, "active");
	CHECK(!v2.used);
	CHECK_INT_EQ(v2.created_by, w.u[LW_ADMIN].id);
	CHECK_INT_EQ(rule_get(w.st, NULL, v1id, &w.ar, &got, &err), CORE_OK);
	CHECK_STR_EQ(got.status, "retired");
	CHECK_INT_EQ(got.points, 5); /* the old version keeps its fields */
	CHECK_INT_EQ(lw_audits(&w), audits + 2);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'rule' AND"
	                        " entity_id = %lld AND action = 'retire'", (long long)v1id),
	             1);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'rule' AND"
	                        " entity_id = %lld AND action = 'revise' AND summary LIKE"
	                        " '%%\"version\":2%%'", (long long)new_id),
	             1);
	/* the retired version cannot be revised again, nor recorded */
	int64_t other = 0;
	CHECK(lw_expect("revise retired", rule_revise(w.st, &w.as[LW_ADMIN], v1id, &next, &other,
	                                              &err),
	                &err, CORE_CONFLICT, "rule_retired", NULL));
	CHECK(lw_expect("record retired version",
	                ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), &err,
	                CORE_INVALID, "rule_retired", "新版本"));
	/* v2 → v3, even unused */
	next.points = 9;
	int64_t v3id = 0;
	CHECK_INT_EQ(rule_revise(w.st, &w.as[LW_COUNTY], new_id, &next, &v3id, &err), CORE_OK);
	st_rule v3;
	CHECK_INT_EQ(rule_get(w.st, NULL, v3id, &w.ar, &v3, &err), CORE_OK);
	CHECK_INT_EQ(v3.lineage_id, v1id);
	CHECK_INT_EQ(v3.version, 3);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM rules WHERE lineage_id = %lld AND"
	                        " status = 'active'", (long long)v1id),
	             1);
	/* the cap counts across versions of the lineage: 5 (v1) + 9 (v3) ≤ 16, + 9 > 16 */
	in.rule_id = v3id;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), CORE_OK);
	CHECK(lw_expect("cap across versions",
	                ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), &err,
	                CORE_INVALID, "cap_exceeded", "还可记 2 分"));
	lw_done(&w);
}

CHECK_MAIN("rules", T(validation_table), T(recorder_allowed), T(create_and_permissions),
           T(update_unused_and_used), T(retire), T(revise))
