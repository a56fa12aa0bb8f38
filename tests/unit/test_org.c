/*
 * Unit tests for the writes of the domain: src/core/org.c (areas, villages,
 * groups), household.c (households, members) and users.c (accounts, secrets).
 * For each: the validation messages, who may do it, duplicates as
 * CORE_CONFLICT with their code (passbook_taken, user_taken, ...), exactly
 * one audit row per successful write, none for a failed one, and the audit
 * row in the same transaction as the write (a failing audit insert undoes it).
 */
#include "check.h"
#include "core/household.h"
#include "core/org.h"
#include "core/password.h"
#include "core/users.h"
#include "fixture.h"

static const actor operator_ = {.user = NULL, .ip = "cli"};

/* 铁岭县 → 平顶堡镇 → 高箭沟村 (V1: 一组, 二组, household 1001 于洪军)
 *         → 腰堡镇   → 腰堡村 (V3: 一组). */
enum { U_COUNTY, U_TOWN1, U_TOWN2, U_ADMIN1, U_SCORER1, U_ADMIN3, U_VILLAGER1, NUSERS };

typedef struct {
	fx_db db;
	store *st;
	int64_t county, town1, town2, v1, v3, g1, g2, g3, h1;
	st_user u[NUSERS];
	actor as[NUSERS];
	arena ar;
} world;

static bool build(world *w)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->db))
		return false;
	store *st = w->st = w->db.st;
	arena_init(&w->ar, 0);
	w->county = fx_area(st, 0, "county", "铁岭县");
	w->town1 = fx_area(st, w->county, "township", "平顶堡镇");
	w->town2 = fx_area(st, w->county, "township", "腰堡镇");
	w->v1 = fx_village(st, w->town1, "高箭沟村");
	w->v3 = fx_village(st, w->town2, "腰堡村");
	w->g1 = fx_group(st, w->v1, "一组", 1);
	w->g2 = fx_group(st, w->v1, "二组", 2);
	w->g3 = fx_group(st, w->v3, "一组", 1);
	w->h1 = fx_household(st, w->v1, w->g1, "1001", "于洪军");
	if (!(w->county && w->town1 && w->town2 && w->v1 && w->v3 && w->g1 && w->g2 && w->g3 &&
	      w->h1))
		return false;
	const struct {
		const char *name, *role;
		int64_t area, village, household;
	} shape[NUSERS] = {
		[U_COUNTY] = {"county", "area_admin", w->county, 0, 0},
		[U_TOWN1] = {"township", "area_admin", w->town1, 0, 0},
		[U_TOWN2] = {"yaobao", "area_admin", w->town2, 0, 0},
		[U_ADMIN1] = {"admin", "village_admin", 0, w->v1, 0},
		[U_SCORER1] = {"scorer", "scorer", 0, w->v1, 0},
		[U_ADMIN3] = {"admin3", "village_admin", 0, w->v3, 0},
		[U_VILLAGER1] = {"villager", "villager", 0, w->v1, w->h1},
	};
	for (int i = 0; i < NUSERS; i++) {
		int64_t id = fx_user(st, shape[i].name, shape[i].role, shape[i].area, shape[i].village,
		                     shape[i].household);
		if (!id || store_user_get(st, id, &w->ar, &w->u[i]) != STORE_OK)
			return false;
		w->as[i] = (actor){.user = &w->u[i], .ip = "10.0.0.8"};
	}
	return true;
}

static void done(world *w)
{
	arena_free(&w->ar);
	fx_close(&w->db);
}

static long long audit_total(world *w)
{
	return fx_int(w->db.path, "SELECT count(*) FROM audit_log");
}

/* Audit rows for entity/id/action by user (0 = the operator) whose summary contains like. */
static long long audit_rows(world *w, const char *entity, int64_t id, const char *action,
                            int64_t user, const char *like)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM audit_log WHERE entity = '%s' AND entity_id = %lld"
	         " AND action = '%s' AND user_id IS %s%lld AND summary LIKE '%%%s%%'",
	         entity, (long long)id, action, user ? "" : "NULL AND 0 = ", (long long)user,
	         like ? like : "");
	return fx_int(w->db.path, sql);
}

/* Compares an outcome with the expected status, code and a piece of the message. */
static bool expect(const char *what, core_status got, const core_err *err, core_status want,
                   const char *code, const char *zh)
{
	bool ok = got == want;
	if (ok && want != CORE_OK)
		ok = err->status == want && (!code || strcmp(err->code, code) == 0) &&
		     (!zh || strstr(err->zh, zh) != NULL) && err->en[0];
	if (!ok)
		fprintf(stderr, "%s: got %d code \"%s\" zh \"%s\"; want %d %s %s\n", what, got,
		        err->code, err->zh, want, code ? code : "", zh ? zh : "");
	return ok;
}

static void init(void)
{
	CHECK(password_init());
}

/* ---- areas ------------------------------------------------------------ */

static void area_create(void)
{
	world w;
	CHECK(build(&w));
	char long_name[256] = "";
	for (int i = 0; i < 65; i++)
		strcat(long_name, "镇");
	int64_t bogus = 9999;
	const struct {
		int who; /* -1 = operator */
		const char *name, *level;
		int64_t *parent;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{-1, "", "township", &w.county, CORE_INVALID, "too_short", "名称不能为空"},
		{-1, NULL, "township", &w.county, CORE_INVALID, "missing_field", "缺少名称"},
		{-1, long_name, "township", &w.county, CORE_INVALID, "too_long", "最多 64 个字"},
		{-1, "新\n镇", "township", &w.county, CORE_INVALID, "control_characters", NULL},
		{-1, "新台子镇", "city", &w.county, CORE_INVALID, "invalid_level", "county（区县）"},
		{-1, "新台子镇", NULL, &w.county, CORE_INVALID, "invalid_level", NULL},
		{-1, "开原市", "county", &w.county, CORE_INVALID, "invalid_parent", "区县不能有上级"},
		{-1, "新台子镇", "township", NULL, CORE_INVALID, "invalid_parent", "已有的区县"},
		{-1, "新台子镇", "township", &bogus, CORE_INVALID, "invalid_parent", "已有的区县"},
		{-1, "新台子镇", "township", &w.town1, CORE_INVALID, "invalid_parent", "上级必须是区县"},
		{U_COUNTY, "开原市", "county", NULL, CORE_FORBIDDEN, "forbidden", "jifen init"},
		{U_TOWN1, "新台子镇", "township", &w.county, CORE_FORBIDDEN, "forbidden", NULL},
		{U_ADMIN1, "新台子镇", "township", &w.county, CORE_FORBIDDEN, "forbidden", NULL},
		{U_VILLAGER1, "新台子镇", "township", &w.county, CORE_FORBIDDEN, "forbidden", NULL},
		{-1, "平顶堡镇", "township", &w.county, CORE_CONFLICT, "duplicate", "已存在"},
		/* the successes */
		{U_COUNTY, "新台子镇", "township", &w.county, CORE_OK, NULL, NULL},
		{-1, "开原市", "county", NULL, CORE_OK, NULL, NULL},
		{U_COUNTY, "新台子镇", "township", &w.county, CORE_CONFLICT, "duplicate", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_area a = {.name = cases[i].name, .level = cases[i].level,
		             .parent_id = cases[i].parent ? *cases[i].parent : 0};
		const actor *who = cases[i].who < 0 ? &operator_ : &w.as[cases[i].who];
		long long before = audit_total(&w);
		core_err err;
		memset(&err, 0, sizeof(err));
		int64_t id = 0;
		char what[64];
		snprintf(what, sizeof(what), "area case %zu", i);
		core_status got = org_area_create(w.st, who, &a, &id, &err);
		CHECK(expect(what, got, &err, cases[i].want, cases[i].code, cases[i].zh));
		if (got == CORE_OK) {
			CHECK(id > 0);
			CHECK_INT_EQ(audit_total(&w), before + 1);
			CHECK_INT_EQ(audit_rows(&w, "area", id, "create", who->user ? who->user->id : 0,
			                        cases[i].name),
			             1);
			/* outside any village, the row belongs to the acting admin's area */
			char sql[128];
			snprintf(sql, sizeof(sql),
			         "SELECT COALESCE(area_id, 0) FROM audit_log WHERE entity = 'area'"
			         " AND entity_id = %lld",
			         (long long)id);
			CHECK_INT_EQ(fx_int(w.db.path, sql), who->user ? who->user->area_id : 0);
		} else {
			CHECK_INT_EQ(audit_total(&w), before);
		}
	}
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM areas"), 5);

	/* reading: an area admin sees their subtree, others nothing */
	st_area *list = NULL;
	size_t n = 0;
	core_err err;
	CHECK_INT_EQ(org_area_list(w.st, &w.as[U_TOWN1], &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 1);
	CHECK_INT_EQ(org_area_list(w.st, &w.as[U_COUNTY], &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(org_area_list(w.st, &operator_, &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(org_area_list(w.st, &w.as[U_ADMIN1], &w.ar, &list, &n, &err), CORE_FORBIDDEN);
	st_area a;
	CHECK_INT_EQ(org_area_get(w.st, &w.as[U_TOWN1], w.town1, &w.ar, &a, &err), CORE_OK);
	CHECK_INT_EQ(org_area_get(w.st, &w.as[U_TOWN1], w.county, &w.ar, &a, &err), CORE_FORBIDDEN);
	CHECK_INT_EQ(org_area_get(w.st, &w.as[U_TOWN1], 9999, &w.ar, &a, &err), CORE_NOT_FOUND);
	done(&w);
}

/* ---- villages --------------------------------------------------------- */

static void village_create_and_rename(void)
{
	world w;
	CHECK(build(&w));
	int64_t bogus = 9999;
	const struct {
		int who;
		const char *name;
		int64_t *area;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{U_TOWN1, "", &w.town1, CORE_INVALID, "too_short", "村名不能为空"},
		{U_TOWN1, "二台子村", &bogus, CORE_INVALID, "invalid_area", "area_id"},
		{U_TOWN2, "二台子村", &w.town1, CORE_FORBIDDEN, "forbidden", NULL},
		{U_ADMIN1, "二台子村", &w.town1, CORE_FORBIDDEN, "forbidden", NULL},
		{U_SCORER1, "二台子村", &w.town1, CORE_FORBIDDEN, "forbidden", NULL},
		{U_TOWN1, "高箭沟村", &w.town1, CORE_CONFLICT, "duplicate", "已存在"},
		{U_TOWN1, "二台子村", &w.town1, CORE_OK, NULL, NULL},
		{U_COUNTY, "三台子村", &w.town2, CORE_OK, NULL, NULL},
		{U_COUNTY, "高箭沟村", &w.town2, CORE_OK, NULL, NULL}, /* same name, other township */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_village v = {.name = cases[i].name, .area_id = *cases[i].area};
		long long before = audit_total(&w);
		core_err err;
		memset(&err, 0, sizeof(err));
		int64_t id = 0;
		char what[64];
		snprintf(what, sizeof(what), "village case %zu", i);
		core_status got = org_village_create(w.st, &w.as[cases[i].who], &v, &id, &err);
		CHECK(expect(what, got, &err, cases[i].want, cases[i].code, cases[i].zh));
		if (got == CORE_OK) {
			CHECK_INT_EQ(audit_rows(&w, "village", id, "create", w.u[cases[i].who].id,
			                        cases[i].name),
			             1);
			char sql[128];
			snprintf(sql, sizeof(sql),
			         "SELECT count(*) FROM audit_log WHERE entity = 'village' AND village_id = %lld",
			         (long long)id);
			CHECK_INT_EQ(fx_int(w.db.path, sql), 1);
		}
		CHECK_INT_EQ(audit_total(&w), before + (got == CORE_OK));
	}

	/* rename */
	core_err err;
	long long before = audit_total(&w);
	CHECK(expect("rename by scorer", org_village_rename(w.st, &w.as[U_SCORER1], w.v1, "新村", &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(expect("rename by admin3", org_village_rename(w.st, &w.as[U_ADMIN3], w.v1, "新村", &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(expect("rename empty", org_village_rename(w.st, &w.as[U_ADMIN1], w.v1, "", &err), &err,
	             CORE_INVALID, "too_short", NULL));
	CHECK(expect("rename to a taken name",
	             org_village_rename(w.st, &w.as[U_ADMIN1], w.v1, "二台子村", &err), &err,
	             CORE_CONFLICT, "duplicate", NULL));
	CHECK(expect("rename missing", org_village_rename(w.st, &operator_, 9999, "新村", &err), &err,
	             CORE_NOT_FOUND, "not_found", NULL));
	CHECK_INT_EQ(audit_total(&w), before);
	CHECK_INT_EQ(org_village_rename(w.st, &w.as[U_ADMIN1], w.v1, "高箭沟新村", &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "village", w.v1, "update", w.u[U_ADMIN1].id,
	                        "{\"name\":[\"高箭沟村\",\"高箭沟新村\"]}"),
	             1);
	st_village v;
	CHECK_INT_EQ(org_village_get(w.st, &w.as[U_VILLAGER1], w.v1, &w.ar, &v, &err), CORE_OK);
	CHECK_STR_EQ(v.name, "高箭沟新村");
	CHECK_INT_EQ(org_village_get(w.st, &w.as[U_ADMIN3], w.v1, &w.ar, &v, &err), CORE_FORBIDDEN);

	/* lists: an area's villages, or one's own */
	st_village *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(org_village_list(w.st, &w.as[U_TOWN1], &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(org_village_list(w.st, &w.as[U_COUNTY], &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(org_village_list(w.st, &w.as[U_SCORER1], &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 1);
	CHECK_INT_EQ(list[0].id, w.v1);
	done(&w);
}

/* ---- groups ----------------------------------------------------------- */

static void groups(void)
{
	world w;
	CHECK(build(&w));
	core_err err;
	int64_t id = 0;
	long long before = audit_total(&w);
	st_group g = {.village_id = w.v1, .name = "三组", .sort = 3};
	CHECK(expect("group by scorer", org_group_create(w.st, &w.as[U_SCORER1], &g, &id, &err), &err,
	             CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(expect("group by admin3", org_group_create(w.st, &w.as[U_ADMIN3], &g, &id, &err), &err,
	             CORE_FORBIDDEN, "forbidden", NULL));
	g.name = "一组";
	CHECK(expect("group duplicate", org_group_create(w.st, &w.as[U_ADMIN1], &g, &id, &err), &err,
	             CORE_CONFLICT, "duplicate", "村民小组已存在"));
	g.name = "第三村民小组第三村民小组第三村民小组第三村民小组第三村民小组第三村民小组第";
	CHECK(expect("group too long", org_group_create(w.st, &w.as[U_ADMIN1], &g, &id, &err), &err,
	             CORE_INVALID, "too_long", "村民小组名称太长"));
	g.village_id = 9999;
	g.name = "三组";
	CHECK(expect("group in no village", org_group_create(w.st, &operator_, &g, &id, &err), &err,
	             CORE_NOT_FOUND, "not_found", NULL));
	CHECK_INT_EQ(audit_total(&w), before);
	g.village_id = w.v1;
	CHECK_INT_EQ(org_group_create(w.st, &w.as[U_ADMIN1], &g, &id, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "group", id, "create", w.u[U_ADMIN1].id, "三组"), 1);

	/* update: name, sort, or both */
	CHECK_INT_EQ(org_group_update(w.st, &w.as[U_ADMIN1], id, NULL, 0, &err), CORE_OK);
	CHECK_INT_EQ(org_group_update(w.st, &w.as[U_ADMIN1], id, "第三组", -1, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "group", id, "update", w.u[U_ADMIN1].id,
	                        "\"name\":[\"三组\",\"第三组\"]"),
	             1);
	st_group got;
	CHECK_INT_EQ(store_group_get(w.st, id, &w.ar, &got), STORE_OK);
	CHECK_STR_EQ(got.name, "第三组");
	CHECK_INT_EQ(got.sort, 0);
	before = audit_total(&w);
	CHECK(expect("update to a taken name",
	             org_group_update(w.st, &w.as[U_ADMIN1], id, "二组", -1, &err), &err,
	             CORE_CONFLICT, "duplicate", NULL));
	CHECK(expect("update by scorer", org_group_update(w.st, &w.as[U_SCORER1], id, "三组", -1, &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(expect("update missing", org_group_update(w.st, &w.as[U_ADMIN1], 9999, "三组", -1, &err),
	             &err, CORE_NOT_FOUND, "not_found", NULL));
	CHECK(expect("update empty", org_group_update(w.st, &w.as[U_ADMIN1], id, "", -1, &err), &err,
	             CORE_INVALID, "too_short", NULL));
	CHECK_INT_EQ(audit_total(&w), before);
	CHECK_INT_EQ(store_group_get(w.st, id, &w.ar, &got), STORE_OK);
	CHECK_STR_EQ(got.name, "第三组");

	/* anyone of the village may list the groups */
	st_group *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(org_group_list(w.st, &w.as[U_VILLAGER1], w.v1, &w.ar, &list, &n, &err), CORE_OK);
	CHECK_INT_EQ(n, 3);
	CHECK_STR_EQ(list[0].name, "第三组"); /* sort 0 first */
	CHECK_INT_EQ(org_group_list(w.st, &w.as[U_ADMIN3], w.v1, &w.ar, &list, &n, &err),
	             CORE_FORBIDDEN);
	done(&w);
}

/* ---- households ------------------------------------------------------- */

static void household_validation(void)
{
	world w;
	CHECK(build(&w));
	char long_head[128] = "", long_addr[512] = "", long_rel[64] = "";
	for (int i = 0; i < 33; i++)
		strcat(long_head, "于");
	for (int i = 0; i < 129; i++)
		strcat(long_addr, "村");
	for (int i = 0; i < 17; i++)
		strcat(long_rel, "亲");
	int64_t bogus = 9999;
	household_member_in two[] = {{"王桂芝", "妻子"}, {"于浩然", "孙子"}};
	household_member_in many[HOUSEHOLD_MAX_MEMBERS + 1];
	for (int i = 0; i <= HOUSEHOLD_MAX_MEMBERS; i++)
		many[i] = (household_member_in){"于家人", "亲属"};
	household_member_in no_name[] = {{"", "妻子"}};
	household_member_in no_rel[] = {{"王桂芝", NULL}};
	household_member_in long_relation[] = {{"王桂芝", long_rel}};
	const struct {
		const char *passbook, *head, *address, *phone;
		int64_t *group;
		household_member_in *members;
		size_t nmembers;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{"", "李春生", NULL, NULL, &w.g1, NULL, 0, CORE_INVALID, "invalid_passbook_no", "存折号"},
		{NULL, "李春生", NULL, NULL, &w.g1, NULL, 0, CORE_INVALID, "invalid_passbook_no", NULL},
		{"10 02", "李春生", NULL, NULL, &w.g1, NULL, 0, CORE_INVALID, "invalid_passbook_no", NULL},
		{"1002", "", NULL, NULL, &w.g1, NULL, 0, CORE_INVALID, "too_short", "户主姓名不能为空"},
		{"1002", NULL, NULL, NULL, &w.g1, NULL, 0, CORE_INVALID, "missing_field", "户主姓名"},
		{"1002", long_head, NULL, NULL, &w.g1, NULL, 0, CORE_INVALID, "too_long", "户主姓名太长"},
		{"1002", "李春生", long_addr, NULL, &w.g1, NULL, 0, CORE_INVALID, "too_long", "住址太长"},
		{"1002", "李春生", "高箭沟村\x01", NULL, &w.g1, NULL, 0, CORE_INVALID,
		 "control_characters", "住址"},
		{"1002", "李春生", NULL, "139abc", &w.g1, NULL, 0, CORE_INVALID, "invalid_phone", "电话"},
		{"1002", "李春生", NULL, NULL, &w.g1, many, HOUSEHOLD_MAX_MEMBERS + 1, CORE_INVALID,
		 "too_many_members", "最多 20 人"},
		{"1002", "李春生", NULL, NULL, &w.g1, no_name, 1, CORE_INVALID, "too_short",
		 "家庭成员姓名"},
		{"1002", "李春生", NULL, NULL, &w.g1, no_rel, 1, CORE_INVALID, "missing_field",
		 "与户主关系"},
		{"1002", "李春生", NULL, NULL, &w.g1, long_relation, 1, CORE_INVALID, "too_long",
		 "与户主关系"},
		{"1002", "李春生", NULL, NULL, &w.g3, NULL, 0, CORE_INVALID, "invalid_group", "不属于这个村"},
		{"1002", "李春生", NULL, NULL, &bogus, NULL, 0, CORE_INVALID, "invalid_group", NULL},
		{"1001", "于洪君", NULL, NULL, &w.g2, two, 2, CORE_CONFLICT, "passbook_taken",
		 "存折号 1001 在本村已被使用"},
		/* the successes */
		{"1002", "李春生", "高箭沟村一组2号", "13904105678", &w.g1, two, 2, CORE_OK, NULL, NULL},
		{"GJG-003", "张秀英", NULL, "", &w.g2, many, HOUSEHOLD_MAX_MEMBERS, CORE_OK, NULL, NULL},
		{"1002", "李春生", NULL, NULL, &w.g2, NULL, 0, CORE_CONFLICT, "passbook_taken", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_household h = {.village_id = w.v1, .group_id = *cases[i].group,
		                  .passbook_no = cases[i].passbook, .head_name = cases[i].head,
		                  .address = cases[i].address, .phone = cases[i].phone};
		long long audit = audit_total(&w);
		long long hh = fx_int(w.db.path, "SELECT count(*) FROM households");
		long long mm = fx_int(w.db.path, "SELECT count(*) FROM members");
		core_err err;
		memset(&err, 0, sizeof(err));
		int64_t id = 0;
		char what[64];
		snprintf(what, sizeof(what), "household case %zu", i);
		core_status got = household_create(w.st, &w.as[U_ADMIN1], &h, cases[i].members,
		                                   cases[i].nmembers, &id, &err);
		CHECK(expect(what, got, &err, cases[i].want, cases[i].code, cases[i].zh));
		bool ok = got == CORE_OK;
		CHECK_INT_EQ(audit_total(&w), audit + ok);
		CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM households"), hh + ok);
		CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM members"),
		             mm + (ok ? (long long)cases[i].nmembers : 0));
		if (ok)
			CHECK_INT_EQ(audit_rows(&w, "household", id, "create", w.u[U_ADMIN1].id,
			                        cases[i].passbook),
			             1);
	}
	done(&w);
}

static void household_access(void)
{
	world w;
	CHECK(build(&w));
	const struct {
		int who;
		core_status create, read, write, list;
	} cases[] = {
		{U_COUNTY, CORE_OK, CORE_OK, CORE_OK, CORE_OK},
		{U_TOWN1, CORE_OK, CORE_OK, CORE_OK, CORE_OK},
		{U_TOWN2, CORE_FORBIDDEN, CORE_FORBIDDEN, CORE_FORBIDDEN, CORE_FORBIDDEN},
		{U_ADMIN1, CORE_OK, CORE_OK, CORE_OK, CORE_OK},
		{U_SCORER1, CORE_FORBIDDEN, CORE_OK, CORE_FORBIDDEN, CORE_OK},
		{U_ADMIN3, CORE_FORBIDDEN, CORE_FORBIDDEN, CORE_FORBIDDEN, CORE_FORBIDDEN},
		{U_VILLAGER1, CORE_FORBIDDEN, CORE_OK, CORE_FORBIDDEN, CORE_FORBIDDEN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const actor *who = &w.as[cases[i].who];
		char pb[16], what[64];
		snprintf(pb, sizeof(pb), "20%02zu", i);
		st_household h = {.village_id = w.v1, .group_id = w.g2, .passbook_no = pb,
		                  .head_name = "王大山"};
		core_err err;
		int64_t id = 0;
		snprintf(what, sizeof(what), "create as %s", w.u[cases[i].who].username);
		CHECK(expect(what, household_create(w.st, who, &h, NULL, 0, &id, &err), &err,
		             cases[i].create, NULL, NULL));
		st_household got;
		st_member *ms = NULL;
		size_t nm = 0;
		snprintf(what, sizeof(what), "read as %s", w.u[cases[i].who].username);
		CHECK(expect(what, household_get(w.st, who, w.h1, &w.ar, &got, &ms, &nm, &err), &err,
		             cases[i].read, NULL, NULL));
		st_household upd = {.address = "高箭沟村一组1号"};
		snprintf(what, sizeof(what), "write as %s", w.u[cases[i].who].username);
		CHECK(expect(what, household_update(w.st, who, w.h1, &upd, &err), &err, cases[i].write,
		             NULL, NULL));
		st_household_filter f = {.village_id = w.v1, .limit = 10};
		st_household *list = NULL;
		size_t n = 0;
		int64_t total = 0;
		snprintf(what, sizeof(what), "list as %s", w.u[cases[i].who].username);
		CHECK(expect(what, household_list(w.st, who, &f, &w.ar, &list, &n, &total, &err), &err,
		             cases[i].list, NULL, NULL));
	}
	/* a villager reads only their own household */
	st_household other = {.village_id = w.v1, .group_id = w.g1, .passbook_no = "1099",
	                      .head_name = "李春生"};
	core_err err;
	int64_t oid = 0;
	CHECK_INT_EQ(household_create(w.st, &operator_, &other, NULL, 0, &oid, &err), CORE_OK);
	st_household got;
	st_member *ms = NULL;
	size_t nm = 0;
	CHECK_INT_EQ(household_get(w.st, &w.as[U_VILLAGER1], oid, &w.ar, &got, &ms, &nm, &err),
	             CORE_FORBIDDEN);
	CHECK_INT_EQ(household_get(w.st, &w.as[U_VILLAGER1], 9999, &w.ar, &got, &ms, &nm, &err),
	             CORE_NOT_FOUND);
	done(&w);
}

static void household_update_and_members(void)
{
	world w;
	CHECK(build(&w));
	core_err err;
	const actor *admin = &w.as[U_ADMIN1];
	int64_t uid = w.u[U_ADMIN1].id;
	st_household h2 = {.village_id = w.v1, .group_id = w.g1, .passbook_no = "1002",
	                   .head_name = "王桂芝"};
	int64_t id2 = 0;
	CHECK_INT_EQ(household_create(w.st, admin, &h2, NULL, 0, &id2, &err), CORE_OK);

	/* a change is audited with old and new values */
	st_household upd = {.head_name = "于浩然", .phone = "13904105678", .group_id = w.g2};
	CHECK_INT_EQ(household_update(w.st, admin, w.h1, &upd, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "household", w.h1, "update", uid,
	                        "\"head_name\":[\"于洪军\",\"于浩然\"]"),
	             1);
	CHECK_INT_EQ(audit_rows(&w, "household", w.h1, "update", uid,
	                        "\"phone\":[\"\",\"13904105678\"]"),
	             1);
	st_household got;
	CHECK_INT_EQ(store_household_get(w.st, w.h1, &w.ar, &got), STORE_OK);
	CHECK_STR_EQ(got.head_name, "于浩然");
	CHECK_INT_EQ(got.group_id, w.g2);
	CHECK_STR_EQ(got.passbook_no, "1001"); /* fields not given are kept */

	/* refusals leave the household and the audit log as they were */
	const struct {
		st_household upd;
		int64_t id;
		core_status want;
		const char *code, *zh;
	} bad[] = {
		{{.passbook_no = "1002"}, w.h1, CORE_CONFLICT, "passbook_taken", "存折号 1002"},
		{{.status = "dead"}, w.h1, CORE_INVALID, "invalid_status", "moved_out"},
		{{.group_id = w.g3}, w.h1, CORE_INVALID, "invalid_group", NULL},
		{{.head_name = ""}, w.h1, CORE_INVALID, "too_short", NULL},
		{{.phone = "电话"}, w.h1, CORE_INVALID, "invalid_phone", NULL},
		{{.passbook_no = "10/01"}, w.h1, CORE_INVALID, "invalid_passbook_no", NULL},
		{{.head_name = "李四"}, 9999, CORE_NOT_FOUND, "not_found", "户不存在"},
	};
	long long audit = audit_total(&w);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "bad update %zu", i);
		memset(&err, 0, sizeof(err));
		CHECK(expect(what, household_update(w.st, admin, bad[i].id, &bad[i].upd, &err), &err,
		             bad[i].want, bad[i].code, bad[i].zh));
	}
	CHECK_INT_EQ(audit_total(&w), audit);
	CHECK_INT_EQ(store_household_get(w.st, w.h1, &w.ar, &got), STORE_OK);
	CHECK_STR_EQ(got.head_name, "于浩然");
	CHECK_STR_EQ(got.passbook_no, "1001");
	CHECK_STR_EQ(got.status, "active");
	/* moving out is an update like any other */
	st_household out = {.status = "moved_out"};
	CHECK_INT_EQ(household_update(w.st, admin, id2, &out, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "household", id2, "update", uid, "moved_out"), 1);

	/* members */
	household_member_in m = {"王桂芝", "妻子"};
	int64_t mid = 0;
	CHECK_INT_EQ(household_member_add(w.st, admin, w.h1, &m, &mid, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "member", mid, "create", uid, "王桂芝"), 1);
	audit = audit_total(&w);
	CHECK(expect("member by scorer",
	             household_member_add(w.st, &w.as[U_SCORER1], w.h1, &m, &mid, &err), &err,
	             CORE_FORBIDDEN, "forbidden", NULL));
	household_member_in bad_m = {"", "妻子"};
	CHECK(expect("member without name", household_member_add(w.st, admin, w.h1, &bad_m, &mid, &err),
	             &err, CORE_INVALID, "too_short", "家庭成员姓名"));
	CHECK(expect("member of no household", household_member_add(w.st, admin, 9999, &m, &mid, &err),
	             &err, CORE_NOT_FOUND, NULL, NULL));
	CHECK_INT_EQ(audit_total(&w), audit);

	st_member mu = {.relation = "配偶"};
	CHECK_INT_EQ(household_member_update(w.st, admin, mid, &mu, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "member", mid, "update", uid,
	                        "{\"relation\":[\"妻子\",\"配偶\"]}"),
	             1);
	audit = audit_total(&w);
	st_member bad_status = {.status = "away"};
	CHECK(expect("member status", household_member_update(w.st, admin, mid, &bad_status, &err),
	             &err, CORE_INVALID, "invalid_status", "left"));
	st_member empty = {.name = ""};
	CHECK(expect("member name", household_member_update(w.st, admin, mid, &empty, &err), &err,
	             CORE_INVALID, "too_short", NULL));
	CHECK(expect("member missing", household_member_update(w.st, admin, 9999, &mu, &err), &err,
	             CORE_NOT_FOUND, NULL, NULL));
	CHECK(expect("member by villager",
	             household_member_update(w.st, &w.as[U_VILLAGER1], mid, &mu, &err), &err,
	             CORE_FORBIDDEN, NULL, NULL));
	CHECK_INT_EQ(audit_total(&w), audit);
	st_member left = {.status = "left"};
	CHECK_INT_EQ(household_member_update(w.st, admin, mid, &left, &err), CORE_OK);

	/* at most 20 active members */
	for (int i = 0; i < HOUSEHOLD_MAX_MEMBERS; i++) {
		household_member_in k = {"于家人", "亲属"};
		CHECK_INT_EQ(household_member_add(w.st, admin, id2, &k, &mid, &err),
		             CORE_OK);
	}
	audit = audit_total(&w);
	CHECK(expect("21st member", household_member_add(w.st, admin, id2, &m, &mid, &err), &err,
	             CORE_CONFLICT, "too_many_members", "最多 20 人"));
	CHECK_INT_EQ(audit_total(&w), audit);
	done(&w);
}

/* ---- the audit row shares the write's transaction --------------------- */

static void audit_failure_undoes_the_write(void)
{
	world w;
	CHECK(build(&w));
	char msg[256];
	CHECK_INT_EQ(fx_exec(w.db.path,
	                     "CREATE TRIGGER test_no_audit BEFORE INSERT ON audit_log"
	                     " BEGIN SELECT RAISE(ABORT, 'audit disk full'); END;",
	                     msg, sizeof(msg)),
	             SQLITE_OK);
	core_err err;
	int64_t id = 0;
	const actor *admin = &w.as[U_ADMIN1];
	household_member_in two[] = {{"王桂芝", "妻子"}, {"于浩然", "孙子"}};
	st_household h = {.village_id = w.v1, .group_id = w.g1, .passbook_no = "1002",
	                  .head_name = "李春生"};
	CHECK(household_create(w.st, admin, &h, two, 2, &id, &err) != CORE_OK);
	CHECK(strstr(err.zh, "审计记录") != NULL);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM households WHERE passbook_no = '1002'"),
	             0);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM members"), 0);

	st_household upd = {.head_name = "于浩然"};
	CHECK(household_update(w.st, admin, w.h1, &upd, &err) != CORE_OK);
	CHECK(org_village_rename(w.st, admin, w.v1, "高箭沟新村", &err) != CORE_OK);
	st_group g = {.village_id = w.v1, .name = "三组"};
	CHECK(org_group_create(w.st, admin, &g, &id, &err) != CORE_OK);
	user_new u = {.username = "clerk", .display_name = "超市管理员", .role = "clerk",
	              .password = "Gaojiangou-2024", .village_id = w.v1};
	CHECK(user_create(w.st, admin, &u, &id, &err) != CORE_OK);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM households WHERE head_name = '于浩然'"),
	             0);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM villages WHERE name = '高箭沟新村'"), 0);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM villager_groups WHERE name = '三组'"), 0);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM users WHERE username = 'clerk'"), 0);
	/* no transaction was left open on this thread */
	CHECK_INT_EQ(store_begin(w.st), STORE_OK);
	store_rollback(w.st);
	/* with the audit log back, the same write goes through */
	CHECK_INT_EQ(fx_exec(w.db.path, "DROP TRIGGER test_no_audit", msg, sizeof(msg)), SQLITE_OK);
	CHECK_INT_EQ(household_create(w.st, admin, &h, two, 2, &id, &err), CORE_OK);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM members"), 2);
	done(&w);
}

/* ---- users ------------------------------------------------------------ */

static void user_validation(void)
{
	world w;
	CHECK(build(&w));
	int64_t h3 = fx_household(w.st, w.v3, w.g3, "1001", "张秀英");
	CHECK(h3);
	const struct {
		user_new u;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{{.username = "clerk", .display_name = "超市管理员", .role = "mayor", .village_id = w.v1,
		  .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_role", "角色"},
		{{.username = "clerk", .display_name = "", .role = "clerk", .village_id = w.v1,
		  .password = "Gaojiangou-2024"}, CORE_INVALID, "too_short", "姓名"},
		{{.username = "1clerk", .display_name = "超市管理员", .role = "clerk", .village_id = w.v1,
		  .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_username", "用户名"},
		{{.username = "clerk", .display_name = "超市管理员", .role = "clerk", .village_id = w.v1,
		  .phone = "139-abc", .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_phone", NULL},
		{{.username = "boss", .display_name = "县干部", .role = "area_admin",
		  .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_scope", "area_id"},
		{{.username = "boss", .display_name = "县干部", .role = "area_admin", .area_id = w.county,
		  .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_scope", NULL},
		{{.username = "clerk", .display_name = "超市管理员", .role = "clerk", .area_id = w.town1,
		  .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_scope", NULL},
		{{.username = "clerk", .display_name = "超市管理员", .role = "clerk", .village_id = w.v1,
		  .household_id = w.h1, .password = "Gaojiangou-2024"}, CORE_INVALID, "invalid_scope",
		 "household_id"},
		{{.display_name = "于洪军", .role = "villager", .village_id = w.v1, .pin = "270518"},
		 CORE_INVALID, "invalid_scope", NULL},
		{{.username = "clerk", .display_name = "超市管理员", .role = "clerk", .village_id = w.v1},
		 CORE_INVALID, "missing_field", "用户名和密码"},
		{{.display_name = "超市管理员", .role = "clerk", .village_id = w.v1,
		  .password = "Gaojiangou-2024"}, CORE_INVALID, "missing_field", NULL},
		{{.display_name = "于洪军", .role = "villager", .village_id = w.v1, .household_id = w.h1},
		 CORE_INVALID, "missing_field", "PIN"},
		{{.display_name = "于洪军", .role = "villager", .village_id = w.v1, .household_id = w.h1,
		  .password = "Gaojiangou-2024"}, CORE_INVALID, "missing_field", "手机号"},
		{{.username = "clerk", .display_name = "超市管理员", .role = "clerk", .village_id = w.v1,
		  .password = "Password1"}, CORE_INVALID, "password_common", NULL},
		{{.username = "clerk", .display_name = "超市管理员", .role = "clerk", .village_id = w.v1,
		  .password = "short"}, CORE_INVALID, "password_too_short", NULL},
		{{.username = "clerk-gaojiangou", .display_name = "超市管理员", .role = "clerk",
		  .village_id = w.v1, .password = "clerk-gaojiangou"}, CORE_INVALID,
		 "password_is_username", NULL},
		{{.display_name = "于洪军", .role = "villager", .village_id = w.v1, .household_id = w.h1,
		  .pin = "123456"}, CORE_INVALID, "pin_common", NULL},
		{{.display_name = "于洪军", .role = "villager", .village_id = w.v1, .household_id = w.h1,
		  .pin = "2705"}, CORE_INVALID, "pin_format", NULL},
		{{.display_name = "张秀英", .role = "villager", .village_id = w.v1, .household_id = h3,
		  .pin = "270518"}, CORE_INVALID, "invalid_household", NULL},
		{{.display_name = "张秀英", .role = "villager", .village_id = w.v1, .household_id = 9999,
		  .pin = "270518"}, CORE_INVALID, "invalid_household", NULL},
		{{.username = "admin", .display_name = "又一个书记", .role = "clerk", .village_id = w.v1,
		  .password = "Gaojiangou-2024"}, CORE_CONFLICT, "user_taken", "已被使用"},
	};
	long long audit = audit_total(&w);
	long long users = fx_int(w.db.path, "SELECT count(*) FROM users");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		int64_t id = 0;
		char what[64];
		snprintf(what, sizeof(what), "user case %zu", i);
		CHECK(expect(what, user_create(w.st, &operator_, &cases[i].u, &id, &err), &err,
		             cases[i].want, cases[i].code, cases[i].zh));
	}
	CHECK_INT_EQ(audit_total(&w), audit);
	CHECK_INT_EQ(fx_int(w.db.path, "SELECT count(*) FROM users"), users);
	done(&w);
}

static void user_create_and_permissions(void)
{
	world w;
	CHECK(build(&w));
	const struct {
		int who;
		user_new u;
		core_status want;
	} cases[] = {
		{U_ADMIN1, {.username = "clerk", .display_name = "超市管理员", .role = "clerk",
		            .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_OK},
		{U_ADMIN1, {.display_name = "于洪军", .role = "villager", .village_id = w.v1,
		            .household_id = w.h1, .pin = "270518"}, CORE_OK},
		{U_ADMIN1, {.username = "admin-b", .display_name = "副书记", .role = "village_admin",
		            .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_ADMIN1, {.username = "scorer3", .display_name = "评分员", .role = "scorer",
		            .village_id = w.v3, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_ADMIN1, {.username = "boss", .display_name = "镇干部", .role = "area_admin",
		            .area_id = w.town1, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_SCORER1, {.username = "scorer2", .display_name = "评分员二", .role = "scorer",
		             .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_VILLAGER1, {.username = "scorer2", .display_name = "评分员二", .role = "scorer",
		               .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_TOWN1, {.username = "admin-b", .display_name = "副书记", .role = "village_admin",
		           .village_id = w.v1, .password = "Gaojiangou-2024"}, CORE_OK},
		{U_TOWN1, {.username = "admin3b", .display_name = "腰堡村副书记", .role = "village_admin",
		           .village_id = w.v3, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_TOWN1, {.username = "boss", .display_name = "县干部", .role = "area_admin",
		           .area_id = w.county, .password = "Gaojiangou-2024"}, CORE_FORBIDDEN},
		{U_COUNTY, {.username = "town-b", .display_name = "镇干部", .role = "area_admin",
		            .area_id = w.town1, .password = "Gaojiangou-2024"}, CORE_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		int64_t id = 0;
		long long audit = audit_total(&w);
		char what[64];
		snprintf(what, sizeof(what), "create case %zu by %s", i, w.u[cases[i].who].username);
		core_status got = user_create(w.st, &w.as[cases[i].who], &cases[i].u, &id, &err);
		CHECK(expect(what, got, &err, cases[i].want, got == CORE_FORBIDDEN ? "forbidden" : NULL,
		             NULL));
		CHECK_INT_EQ(audit_total(&w), audit + (got == CORE_OK));
		if (got != CORE_OK)
			continue;
		CHECK_INT_EQ(audit_rows(&w, "user", id, "create", w.u[cases[i].who].id, cases[i].u.role),
		             1);
		/* secrets are stored hashed, and verify */
		st_user u;
		CHECK_INT_EQ(store_user_get(w.st, id, &w.ar, &u), STORE_OK);
		const char *secret = cases[i].u.password ? cases[i].u.password : cases[i].u.pin;
		const char *hash = cases[i].u.password ? u.password_hash : u.pin_hash;
		CHECK(hash != NULL);
		CHECK(strncmp(hash, "$argon2id$", 10) == 0);
		CHECK(strstr(hash, secret) == NULL);
		CHECK(password_verify(hash, secret));
		CHECK(!password_verify(hash, "Gaojiangou-2025"));
	}
	/* a second PIN account for the same household */
	user_new again = {.display_name = "王桂芝", .role = "villager", .village_id = w.v1,
	                  .household_id = w.h1, .pin = "190322"};
	core_err err;
	int64_t id = 0;
	CHECK(expect("second pin account", user_create(w.st, &w.as[U_ADMIN1], &again, &id, &err), &err,
	             CORE_CONFLICT, "user_taken", NULL));

	/* lists are narrowed to what the actor manages */
	st_user_filter f = {.limit = 50};
	st_user *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	CHECK_INT_EQ(user_list(w.st, &w.as[U_ADMIN1], &f, &w.ar, &list, &n, &total, &err), CORE_OK);
	for (size_t k = 0; k < n; k++)
		CHECK_INT_EQ(list[k].village_id, w.v1);
	CHECK_INT_EQ(total, 6); /* admin, scorer, villager, clerk, 于洪军, admin-b */
	st_user_filter other = {.village_id = w.v3, .limit = 50};
	CHECK_INT_EQ(user_list(w.st, &w.as[U_ADMIN1], &other, &w.ar, &list, &n, &total, &err),
	             CORE_FORBIDDEN);
	st_user_filter f2 = {.limit = 50};
	CHECK_INT_EQ(user_list(w.st, &w.as[U_SCORER1], &f2, &w.ar, &list, &n, &total, &err),
	             CORE_FORBIDDEN);
	st_user_filter f3 = {.limit = 50};
	CHECK_INT_EQ(user_list(w.st, &w.as[U_TOWN2], &f3, &w.ar, &list, &n, &total, &err), CORE_OK);
	CHECK_INT_EQ(total, 2); /* yaobao itself and admin3 */
	st_user u;
	CHECK_INT_EQ(user_get(w.st, &w.as[U_SCORER1], w.u[U_SCORER1].id, &w.ar, &u, &err), CORE_OK);
	CHECK_INT_EQ(user_get(w.st, &w.as[U_SCORER1], w.u[U_ADMIN1].id, &w.ar, &u, &err),
	             CORE_FORBIDDEN);
	CHECK_INT_EQ(user_get(w.st, &w.as[U_ADMIN3], w.u[U_SCORER1].id, &w.ar, &u, &err),
	             CORE_FORBIDDEN);
	CHECK_INT_EQ(user_get(w.st, &w.as[U_ADMIN1], 9999, &w.ar, &u, &err), CORE_NOT_FOUND);
	done(&w);
}

static int64_t make_session(world *w, int64_t user, const char *hash)
{
	st_session s = {.user_id = user, .csrf_token = "csrf", .created_at = time_now(),
	                .expires_at = time_now() + 3600};
	int64_t id = 0;
	return store_session_create(w->st, hash, &s, &id) == STORE_OK ? id : 0;
}

static long long sessions_of(world *w, int64_t user)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sessions WHERE user_id = %lld",
	         (long long)user);
	return fx_int(w->db.path, sql);
}

static void user_secrets_disable_update(void)
{
	world w;
	CHECK(build(&w));
	core_err err;
	int64_t clerk = 0;
	user_new cu = {.username = "clerk", .display_name = "超市管理员", .role = "clerk",
	               .village_id = w.v1, .password = "Gaojiangou-2024", .phone = "13904100001"};
	CHECK_INT_EQ(user_create(w.st, &w.as[U_ADMIN1], &cu, &clerk, &err), CORE_OK);
	st_user me;
	CHECK_INT_EQ(store_user_get(w.st, clerk, &w.ar, &me), STORE_OK);
	actor self = {.user = &me, .ip = "10.0.0.9"};
	CHECK(make_session(&w, clerk, "h-self-1"));

	/* changing one's own password needs the current one */
	long long audit = audit_total(&w);
	CHECK(expect("wrong current", user_set_secret(w.st, &self, clerk, false, "Xinmima-2025",
	                                              "Gaojiangou-2025", &err),
	             &err, CORE_FORBIDDEN, "wrong_current_password", "当前密码不正确"));
	CHECK(expect("no current",
	             user_set_secret(w.st, &self, clerk, false, "Xinmima-2025", NULL, &err), &err,
	             CORE_FORBIDDEN, "wrong_current_password", NULL));
	CHECK(expect("weak new", user_set_secret(w.st, &self, clerk, false, "12345678",
	                                         "Gaojiangou-2024", &err),
	             &err, CORE_INVALID, "password_common", NULL));
	CHECK(expect("scorer resets clerk", user_set_secret(w.st, &w.as[U_SCORER1], clerk, false,
	                                                    "Xinmima-2025", NULL, &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK_INT_EQ(audit_total(&w), audit);
	CHECK_INT_EQ(user_set_secret(w.st, &self, clerk, false, "Xinmima-2025", "Gaojiangou-2024",
	                             &err),
	             CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "user", clerk, "set_password", clerk, "\"self\":true"), 1);
	CHECK_INT_EQ(sessions_of(&w, clerk), 1); /* one's own change keeps the session */
	st_user u;
	CHECK_INT_EQ(store_user_get(w.st, clerk, &w.ar, &u), STORE_OK);
	CHECK(password_verify(u.password_hash, "Xinmima-2025"));
	CHECK(!password_verify(u.password_hash, "Gaojiangou-2024"));

	/* a reset by the admin ends the user's sessions */
	CHECK(make_session(&w, clerk, "h-self-2"));
	CHECK_INT_EQ(sessions_of(&w, clerk), 2);
	CHECK_INT_EQ(user_set_secret(w.st, &w.as[U_ADMIN1], clerk, false, "Chongzhi-2025", NULL, &err),
	             CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "user", clerk, "set_password", w.u[U_ADMIN1].id,
	                        "\"self\":false"),
	             1);
	CHECK_INT_EQ(sessions_of(&w, clerk), 0);
	/* a villager's PIN, set by the admin */
	int64_t vil = w.u[U_VILLAGER1].id;
	CHECK(expect("trivial pin", user_set_secret(w.st, &w.as[U_ADMIN1], vil, true, "000000", NULL,
	                                            &err),
	             &err, CORE_INVALID, "pin_common", NULL));
	CHECK_INT_EQ(user_set_secret(w.st, &w.as[U_ADMIN1], vil, true, "270518", NULL, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "user", vil, "set_pin", w.u[U_ADMIN1].id, NULL), 1);
	CHECK_INT_EQ(store_user_get(w.st, vil, &w.ar, &u), STORE_OK);
	CHECK(password_verify(u.pin_hash, "270518"));

	/* disabling ends every session; a scorer cannot disable the admin */
	CHECK(make_session(&w, clerk, "h-3"));
	CHECK(make_session(&w, clerk, "h-4"));
	audit = audit_total(&w);
	CHECK(expect("scorer disables admin", user_set_disabled(w.st, &w.as[U_SCORER1],
	                                                        w.u[U_ADMIN1].id, true, &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(expect("admin disables itself", user_set_disabled(w.st, &w.as[U_ADMIN1],
	                                                        w.u[U_ADMIN1].id, true, &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK(expect("disable missing", user_set_disabled(w.st, &w.as[U_ADMIN1], 9999, true, &err),
	             &err, CORE_NOT_FOUND, NULL, NULL));
	CHECK_INT_EQ(audit_total(&w), audit);
	CHECK_INT_EQ(user_set_disabled(w.st, &w.as[U_ADMIN1], clerk, true, &err), CORE_OK);
	CHECK_INT_EQ(sessions_of(&w, clerk), 0);
	CHECK_INT_EQ(audit_rows(&w, "user", clerk, "disable", w.u[U_ADMIN1].id, NULL), 1);
	CHECK_INT_EQ(user_set_disabled(w.st, &w.as[U_ADMIN1], clerk, false, &err), CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "user", clerk, "enable", w.u[U_ADMIN1].id, NULL), 1);

	/* name and phone */
	audit = audit_total(&w);
	CHECK(expect("phone taken", user_update(w.st, &w.as[U_SCORER1], w.u[U_SCORER1].id, NULL,
	                                        "13904100001", &err),
	             &err, CORE_CONFLICT, "phone_taken", "手机号"));
	CHECK(expect("empty name", user_update(w.st, &w.as[U_SCORER1], w.u[U_SCORER1].id, "", NULL,
	                                       &err),
	             &err, CORE_INVALID, "too_short", NULL));
	CHECK(expect("bad phone", user_update(w.st, &w.as[U_SCORER1], w.u[U_SCORER1].id, NULL, "abc",
	                                      &err),
	             &err, CORE_INVALID, "invalid_phone", NULL));
	CHECK(expect("other's name", user_update(w.st, &w.as[U_SCORER1], clerk, "别人", NULL, &err),
	             &err, CORE_FORBIDDEN, "forbidden", NULL));
	CHECK_INT_EQ(audit_total(&w), audit);
	CHECK_INT_EQ(user_update(w.st, &w.as[U_SCORER1], w.u[U_SCORER1].id, "评分员李春生",
	                         "13904100002", &err),
	             CORE_OK);
	CHECK_INT_EQ(audit_rows(&w, "user", w.u[U_SCORER1].id, "update", w.u[U_SCORER1].id,
	                        "评分员李春生"),
	             1);
	CHECK_INT_EQ(store_user_get(w.st, w.u[U_SCORER1].id, &w.ar, &u), STORE_OK);
	CHECK_STR_EQ(u.display_name, "评分员李春生");
	CHECK_STR_EQ(u.phone, "13904100002");
	/* an empty phone clears it */
	CHECK_INT_EQ(user_update(w.st, &w.as[U_SCORER1], w.u[U_SCORER1].id, NULL, "", &err), CORE_OK);
	CHECK_INT_EQ(store_user_get(w.st, w.u[U_SCORER1].id, &w.ar, &u), STORE_OK);
	CHECK(u.phone == NULL);
	done(&w);
}

CHECK_MAIN("org", T(init), T(area_create), T(village_create_and_rename), T(groups),
           T(household_validation), T(household_access), T(household_update_and_members),
           T(audit_failure_undoes_the_write), T(user_validation), T(user_create_and_permissions),
           T(user_secrets_disable_update))
