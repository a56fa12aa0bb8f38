/*
 * Unit tests for src/store/ (the SQLite backend behind store.h): opening,
 * migrations and their refusal of a newer schema; create/read/update of the
 * organisation tree, households, members, users and sessions; unique keys as
 * STORE_CONFLICT and rules as STORE_CONSTRAINT; the append-only audit log and
 * the never-deleted households (checked with raw SQLite on the same file);
 * list filters, paging and search; backup; transactions; concurrent writers.
 */
#include <pthread.h>
#include <sys/stat.h>

#include "check.h"
#include "fixture.h"

/* ---- opening and migrations ------------------------------------------- */

static void open_create_and_migrations(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	int latest = store_schema_latest();
	CHECK(latest >= 1);
	CHECK_INT_EQ(store_schema_version(db.st), latest);
	/* one row per migration, and the WAL journal */
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM schema_migrations"), latest);
	CHECK_INT_EQ(fx_int(db.path, "SELECT min(version) FROM schema_migrations"), 1);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM sqlite_master WHERE name = 'households'"), 1);
	CHECK_INT_EQ(fx_int(db.path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	int64_t county = fx_area(db.st, 0, "county", "铁岭县");
	CHECK(county > 0);
	store_close(db.st);

	/* reopening applies nothing twice and keeps the data */
	char err[512] = "";
	for (int k = 0; k < 2; k++) {
		store *st = NULL;
		CHECK_INT_EQ(store_open(db.path, k == 1, &st, err, sizeof(err)), STORE_OK);
		CHECK(st != NULL);
		CHECK_INT_EQ(store_schema_version(st), latest);
		arena ar;
		arena_init(&ar, 0);
		st_area a;
		CHECK_INT_EQ(store_area_get(st, county, &ar, &a), STORE_OK);
		CHECK_STR_EQ(a.name, "铁岭县");
		arena_free(&ar);
		store_close(st);
	}
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM schema_migrations"), latest);
	db.st = NULL;
	fx_close(&db);
}

static void refuses_newer_schema(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store_close(db.st);
	db.st = NULL;
	char msg[256];
	CHECK_INT_EQ(fx_exec(db.path,
	                     "INSERT INTO schema_migrations(version, applied_at) VALUES (999, 0)",
	                     msg, sizeof(msg)),
	             SQLITE_OK);
	for (int create = 0; create < 2; create++) {
		store *st = (store *)&db; /* must be reset to NULL */
		char err[512] = "";
		CHECK_INT_EQ(store_open(db.path, create, &st, err, sizeof(err)), STORE_TOO_NEW);
		CHECK(st == NULL);
		CHECK(strstr(err, "newer") != NULL);
		CHECK(strstr(err, "999") != NULL);
	}
	/* nothing was changed by the refused opens */
	CHECK_INT_EQ(fx_int(db.path, "SELECT max(version) FROM schema_migrations"), 999);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM schema_migrations"),
	             store_schema_latest() + 1);
	fx_close(&db);
}

static void missing_file(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	char path[256], err[512] = "";
	snprintf(path, sizeof(path), "%s/nothing-here.db", db.dir);
	store *st = (store *)&db;
	CHECK_INT_EQ(store_open(path, false, &st, err, sizeof(err)), STORE_NOT_FOUND);
	CHECK(st == NULL);
	CHECK(strstr(err, path) != NULL);
	CHECK(strstr(err, "does not exist") != NULL);
	struct stat sb;
	CHECK(stat(path, &sb) != 0); /* not created by the attempt */
	/* a folder that does not exist, even with create */
	snprintf(path, sizeof(path), "%s/no/such/dir/jifen.db", db.dir);
	CHECK(store_open(path, true, &st, err, sizeof(err)) != STORE_OK);
	CHECK(st == NULL);
	CHECK(err[0] != '\0');
	fx_close(&db);
}

static void not_a_database(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	char path[256], err[512] = "";
	snprintf(path, sizeof(path), "%s/roster.csv", db.dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	for (int i = 0; i < 200; i++)
		fputs("村民小组,存折号,户主,住址,电话,家庭成员\n一组,1001,于洪军,高箭沟村一组1号,,\n", f);
	fclose(f);
	store *st = (store *)&db;
	CHECK_INT_EQ(store_open(path, false, &st, err, sizeof(err)), STORE_ERROR);
	CHECK(st == NULL);
	CHECK(err[0] != '\0');
	fx_close(&db);
}

/* ---- areas, villages, groups ------------------------------------------ */

static void areas_villages_groups(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	arena ar;
	arena_init(&ar, 0);
	int64_t county = fx_area(st, 0, "county", "铁岭县");
	int64_t t1 = fx_area(st, county, "township", "平顶堡镇");
	int64_t t2 = fx_area(st, county, "township", "腰堡镇");
	int64_t other = fx_area(st, 0, "county", "开原市");
	CHECK(county && t1 && t2 && other);

	st_area a;
	CHECK_INT_EQ(store_area_get(st, t1, &ar, &a), STORE_OK);
	CHECK_STR_EQ(a.name, "平顶堡镇");
	CHECK_STR_EQ(a.level, "township");
	CHECK_INT_EQ(a.parent_id, county);
	CHECK(a.created_at > 0);
	CHECK_INT_EQ(store_area_get(st, 9999, &ar, &a), STORE_NOT_FOUND);

	/* unique names per parent; the same name under another parent is fine */
	st_area dup = {.parent_id = county, .level = "township", .name = "平顶堡镇", .created_at = 1};
	int64_t id = 0;
	CHECK_INT_EQ(store_area_create(st, &dup, &id), STORE_CONFLICT);
	dup.parent_id = other;
	CHECK_INT_EQ(store_area_create(st, &dup, &id), STORE_OK);
	st_area dup_county = {.level = "county", .name = "铁岭县", .created_at = 1};
	CHECK_INT_EQ(store_area_create(st, &dup_county, &id), STORE_CONFLICT);
	st_area bad_level = {.level = "province", .name = "辽宁省", .created_at = 1};
	CHECK_INT_EQ(store_area_create(st, &bad_level, &id), STORE_CONSTRAINT);
	st_area orphan = {.parent_id = 9999, .level = "township", .name = "无名镇", .created_at = 1};
	CHECK_INT_EQ(store_area_create(st, &orphan, &id), STORE_CONSTRAINT);
	CHECK(store_errmsg()[0] != '\0');

	st_area *list = NULL;
	size_t n = 0;
	CHECK_INT_EQ(store_area_list(st, 0, &ar, &list, &n), STORE_OK);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(store_area_list(st, county, &ar, &list, &n), STORE_OK);
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(list[0].id, county);
	CHECK_INT_EQ(list[1].id, t1);
	CHECK_INT_EQ(list[2].id, t2);
	CHECK_INT_EQ(store_area_list(st, t2, &ar, &list, &n), STORE_OK);
	CHECK_INT_EQ(n, 1);

	/* villages */
	int64_t v1 = fx_village(st, t1, "高箭沟村");
	int64_t v2 = fx_village(st, t1, "平顶堡村");
	int64_t v3 = fx_village(st, t2, "腰堡村");
	CHECK(v1 && v2 && v3);
	st_village v = {.area_id = t1, .name = "高箭沟村", .created_at = 1};
	CHECK_INT_EQ(store_village_create(st, &v, &id), STORE_CONFLICT);
	v.area_id = t2; /* the same name in another township */
	CHECK_INT_EQ(store_village_create(st, &v, &id), STORE_OK);
	v.area_id = 9999;
	v.name = "无主村";
	CHECK_INT_EQ(store_village_create(st, &v, &id), STORE_CONSTRAINT);

	st_village got;
	CHECK_INT_EQ(store_village_get(st, v1, &ar, &got), STORE_OK);
	CHECK_STR_EQ(got.name, "高箭沟村");
	CHECK_INT_EQ(got.area_id, t1);
	CHECK_INT_EQ(got.group_count, 0);
	CHECK_INT_EQ(store_village_get(st, 9999, &ar, &got), STORE_NOT_FOUND);
	st_village *vl = NULL;
	CHECK_INT_EQ(store_village_list(st, county, &ar, &vl, &n), STORE_OK);
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(store_village_list(st, t1, &ar, &vl, &n), STORE_OK);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(vl[0].id, v1);
	CHECK_INT_EQ(vl[1].id, v2);
	CHECK_INT_EQ(store_village_list(st, other, &ar, &vl, &n), STORE_OK);
	CHECK_INT_EQ(n, 0);

	/* new villages get the default settings; an update writes name and settings */
	CHECK_INT_EQ(store_village_get(st, v2, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.notice_days, 7);
	CHECK_INT_EQ(got.window_days, 10);
	CHECK_STR_EQ(got.balance_policy, "carry_over");
	CHECK_INT_EQ(got.second_review_points, 20);
	st_village vupd = got;
	vupd.name = "平顶村";
	vupd.notice_days = 5;
	vupd.balance_policy = "clear";
	CHECK_INT_EQ(store_village_update(st, &vupd), STORE_OK);
	CHECK_INT_EQ(store_village_get(st, v2, &ar, &got), STORE_OK);
	CHECK_STR_EQ(got.name, "平顶村");
	CHECK_INT_EQ(got.notice_days, 5);
	CHECK_STR_EQ(got.balance_policy, "clear");
	vupd.name = "高箭沟村";
	CHECK_INT_EQ(store_village_update(st, &vupd), STORE_CONFLICT);
	vupd.id = 9999;
	vupd.name = "新村";
	CHECK_INT_EQ(store_village_update(st, &vupd), STORE_NOT_FOUND);

	/* groups: listed by sort then id */
	int64_t g3 = fx_group(st, v1, "三组", 3);
	int64_t g1 = fx_group(st, v1, "一组", 1);
	int64_t g2 = fx_group(st, v1, "二组", 2);
	int64_t gx = fx_group(st, v3, "一组", 1); /* the same name in another village */
	CHECK(g1 && g2 && g3 && gx);
	st_group g = {.village_id = v1, .name = "一组", .sort = 9};
	CHECK_INT_EQ(store_group_create(st, &g, &id), STORE_CONFLICT);
	g.village_id = 9999;
	CHECK_INT_EQ(store_group_create(st, &g, &id), STORE_CONSTRAINT);
	st_group *gl = NULL;
	CHECK_INT_EQ(store_group_list(st, v1, &ar, &gl, &n), STORE_OK);
	CHECK_INT_EQ(n, 3);
	CHECK_STR_EQ(gl[0].name, "一组");
	CHECK_STR_EQ(gl[1].name, "二组");
	CHECK_STR_EQ(gl[2].name, "三组");
	st_group gg;
	CHECK_INT_EQ(store_group_find(st, v1, "二组", &ar, &gg), STORE_OK);
	CHECK_INT_EQ(gg.id, g2);
	CHECK_INT_EQ(store_group_find(st, v2, "二组", &ar, &gg), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_group_find(st, v3, "一组", &ar, &gg), STORE_OK);
	CHECK_INT_EQ(gg.id, gx);
	st_group upd = {.id = g3, .name = "第三组", .sort = 0};
	CHECK_INT_EQ(store_group_update(st, &upd), STORE_OK);
	CHECK_INT_EQ(store_group_get(st, g3, &ar, &gg), STORE_OK);
	CHECK_STR_EQ(gg.name, "第三组");
	CHECK_INT_EQ(gg.sort, 0);
	CHECK_INT_EQ(store_group_list(st, v1, &ar, &gl, &n), STORE_OK);
	CHECK_STR_EQ(gl[0].name, "第三组");
	upd.name = "一组";
	CHECK_INT_EQ(store_group_update(st, &upd), STORE_CONFLICT);
	upd.id = 9999;
	upd.name = "九组";
	CHECK_INT_EQ(store_group_update(st, &upd), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_village_get(st, v1, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.group_count, 3);

	arena_free(&ar);
	fx_close(&db);
}

static void area_within(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	int64_t c = fx_area(st, 0, "county", "铁岭县");
	int64_t t1 = fx_area(st, c, "township", "平顶堡镇");
	int64_t t2 = fx_area(st, c, "township", "腰堡镇");
	int64_t c2 = fx_area(st, 0, "county", "开原市");
	int64_t t3 = fx_area(st, c2, "township", "八宝镇");
	CHECK(c && t1 && t2 && c2 && t3);
	const struct {
		int64_t area, root;
		bool yes;
	} cases[] = {
		{c, c, true},    {t1, c, true},   {t2, c, true},   {t1, t1, true},
		{c, t1, false},  {t2, t1, false}, {t1, t2, false}, {t3, c, false},
		{t3, c2, true},  {c2, c, false},  {t1, c2, false}, {9999, c, false},
		{c, 9999, false}, {t3, 0, true},  {c, 0, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool yes = !cases[i].yes;
		CHECK_INT_EQ(store_area_within(st, cases[i].area, cases[i].root, &yes), STORE_OK);
		if (yes != cases[i].yes) {
			fprintf(stderr, "area_within(%lld, %lld) should be %d\n",
			        (long long)cases[i].area, (long long)cases[i].root, cases[i].yes);
			CHECK(0);
		}
	}
	fx_close(&db);
}

/* ---- households and members ------------------------------------------- */

typedef struct {
	int64_t county, township, v1, v2, g1, g2, g3, gx;
} tree;

static bool make_tree(store *st, tree *t)
{
	t->county = fx_area(st, 0, "county", "铁岭县");
	t->township = fx_area(st, t->county, "township", "平顶堡镇");
	t->v1 = fx_village(st, t->township, "高箭沟村");
	t->v2 = fx_village(st, t->township, "平顶堡村");
	t->g1 = fx_group(st, t->v1, "一组", 1);
	t->g2 = fx_group(st, t->v1, "二组", 2);
	t->g3 = fx_group(st, t->v1, "三组", 3);
	t->gx = fx_group(st, t->v2, "一组", 1);
	return t->county && t->township && t->v1 && t->v2 && t->g1 && t->g2 && t->g3 && t->gx;
}

static void households_and_members(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	tree t;
	CHECK(make_tree(st, &t));
	arena ar;
	arena_init(&ar, 0);

	st_household h = {.village_id = t.v1, .group_id = t.g3, .passbook_no = "3017",
	                  .head_name = "于洪军", .address = "高箭沟村三组17号",
	                  .phone = "13904105678", .created_at = 1700000000};
	int64_t hid = 0;
	CHECK_INT_EQ(store_household_create(st, &h, &hid), STORE_OK);
	CHECK(hid > 0);
	st_household got;
	CHECK_INT_EQ(store_household_get(st, hid, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.village_id, t.v1);
	CHECK_INT_EQ(got.group_id, t.g3);
	CHECK_STR_EQ(got.group_name, "三组");
	CHECK_STR_EQ(got.passbook_no, "3017");
	CHECK_STR_EQ(got.head_name, "于洪军");
	CHECK_STR_EQ(got.address, "高箭沟村三组17号");
	CHECK_STR_EQ(got.phone, "13904105678");
	CHECK_STR_EQ(got.status, "active");
	CHECK_INT_EQ(got.created_at, 1700000000);
	CHECK_INT_EQ(got.updated_at, 1700000000);
	CHECK_INT_EQ(got.member_count, 0);
	CHECK_INT_EQ(store_household_get(st, 9999, &ar, &got), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_household_by_passbook(st, t.v1, "3017", &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.id, hid);
	CHECK_INT_EQ(store_household_by_passbook(st, t.v2, "3017", &ar, &got), STORE_NOT_FOUND);

	/* defaults for address and phone */
	st_household bare = {.village_id = t.v1, .group_id = t.g1, .passbook_no = "1001",
	                     .head_name = "王桂芝", .created_at = 1};
	int64_t bare_id = 0;
	CHECK_INT_EQ(store_household_create(st, &bare, &bare_id), STORE_OK);
	CHECK_INT_EQ(store_household_get(st, bare_id, &ar, &got), STORE_OK);
	CHECK_STR_EQ(got.address, "");
	CHECK_STR_EQ(got.phone, "");

	/* a passbook number once per village */
	int64_t id = 0;
	st_household again = h;
	again.head_name = "于洪君";
	CHECK_INT_EQ(store_household_create(st, &again, &id), STORE_CONFLICT);
	again.village_id = t.v2;
	again.group_id = t.gx;
	CHECK_INT_EQ(store_household_create(st, &again, &id), STORE_OK);

	/* a group of another village: refused, nothing written */
	long long before = fx_int(db.path, "SELECT count(*) FROM households");
	st_household cross = {.village_id = t.v1, .group_id = t.gx, .passbook_no = "9001",
	                      .head_name = "李春生", .created_at = 1};
	id = 0;
	CHECK_INT_EQ(store_household_create(st, &cross, &id), STORE_CONSTRAINT);
	CHECK_INT_EQ(id, 0);
	CHECK(strstr(store_errmsg(), "not in village") != NULL);
	cross.group_id = 9999;
	CHECK_INT_EQ(store_household_create(st, &cross, &id), STORE_CONSTRAINT);
	cross.village_id = 9999;
	CHECK_INT_EQ(store_household_create(st, &cross, &id), STORE_CONSTRAINT);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM households"), before);
	st_household bad_status = bare;
	bad_status.passbook_no = "1002";
	bad_status.status = "dead";
	CHECK_INT_EQ(store_household_create(st, &bad_status, &id), STORE_CONSTRAINT);

	/* update */
	st_household upd;
	CHECK_INT_EQ(store_household_get(st, hid, &ar, &upd), STORE_OK);
	upd.group_id = t.g2;
	upd.head_name = "于浩然";
	upd.status = "moved_out";
	upd.phone = "";
	upd.updated_at = 1700000500;
	CHECK_INT_EQ(store_household_update(st, &upd), STORE_OK);
	CHECK_INT_EQ(store_household_get(st, hid, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.group_id, t.g2);
	CHECK_STR_EQ(got.group_name, "二组");
	CHECK_STR_EQ(got.head_name, "于浩然");
	CHECK_STR_EQ(got.status, "moved_out");
	CHECK_STR_EQ(got.phone, "");
	CHECK_INT_EQ(got.created_at, 1700000000);
	CHECK_INT_EQ(got.updated_at, 1700000500);
	upd.passbook_no = "1001"; /* taken by 王桂芝 */
	CHECK_INT_EQ(store_household_update(st, &upd), STORE_CONFLICT);
	upd.passbook_no = "3017";
	upd.group_id = t.gx; /* another village's group: no row changes */
	CHECK(store_household_update(st, &upd) != STORE_OK);
	upd.group_id = t.g2;
	upd.status = "gone";
	CHECK_INT_EQ(store_household_update(st, &upd), STORE_CONSTRAINT);
	upd.status = "active";
	upd.id = 9999;
	CHECK_INT_EQ(store_household_update(st, &upd), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_household_get(st, hid, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.group_id, t.g2);
	CHECK_STR_EQ(got.passbook_no, "3017");
	CHECK_STR_EQ(got.status, "moved_out");

	/* members */
	int64_t m1 = 0, m2 = 0, m3 = 0;
	st_member m = {.household_id = hid, .name = "王桂芝", .relation = "妻子"};
	CHECK_INT_EQ(store_member_create(st, &m, &m1), STORE_OK);
	m.name = "于浩然";
	m.relation = "孙子";
	CHECK_INT_EQ(store_member_create(st, &m, &m2), STORE_OK);
	m.name = "于小梅";
	m.relation = "女儿";
	m.status = "left";
	CHECK_INT_EQ(store_member_create(st, &m, &m3), STORE_OK);
	m.household_id = 9999;
	CHECK_INT_EQ(store_member_create(st, &m, &id), STORE_NOT_FOUND);
	m.household_id = hid;
	m.status = "married";
	CHECK_INT_EQ(store_member_create(st, &m, &id), STORE_CONSTRAINT);
	st_member gm;
	CHECK_INT_EQ(store_member_get(st, m1, &ar, &gm), STORE_OK);
	CHECK_STR_EQ(gm.name, "王桂芝");
	CHECK_STR_EQ(gm.relation, "妻子");
	CHECK_STR_EQ(gm.status, "active");
	CHECK_INT_EQ(gm.village_id, t.v1); /* taken from the household */
	CHECK_INT_EQ(store_member_get(st, 9999, &ar, &gm), STORE_NOT_FOUND);
	st_member *ml = NULL;
	size_t n = 0;
	CHECK_INT_EQ(store_member_list(st, hid, &ar, &ml, &n), STORE_OK);
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(ml[0].id, m1);
	CHECK_INT_EQ(ml[2].id, m3);
	CHECK_STR_EQ(ml[2].status, "left");
	CHECK_INT_EQ(store_member_list(st, bare_id, &ar, &ml, &n), STORE_OK);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(store_household_get(st, hid, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.member_count, 2); /* active members only */
	st_member mu = {.id = m2, .name = "于浩然", .relation = "孙子", .status = "left"};
	CHECK_INT_EQ(store_member_update(st, &mu), STORE_OK);
	CHECK_INT_EQ(store_household_get(st, hid, &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.member_count, 1);
	mu.status = "away";
	CHECK_INT_EQ(store_member_update(st, &mu), STORE_CONSTRAINT);
	mu.status = "active";
	mu.id = 9999;
	CHECK_INT_EQ(store_member_update(st, &mu), STORE_NOT_FOUND);

	st_village vg;
	CHECK_INT_EQ(store_village_get(st, t.v1, &ar, &vg), STORE_OK);
	CHECK_INT_EQ(vg.household_count, 2);
	st_group grp;
	CHECK_INT_EQ(store_group_get(st, t.g2, &ar, &grp), STORE_OK);
	CHECK_INT_EQ(grp.household_count, 1);
	arena_free(&ar);
	fx_close(&db);
}

static void households_never_deleted(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	tree t;
	CHECK(make_tree(db.st, &t));
	CHECK(fx_household(db.st, t.v1, t.g1, "1001", "于洪军"));
	CHECK(fx_household(db.st, t.v1, t.g1, "1002", "王桂芝"));
	char msg[256] = "";
	int rc = fx_exec(db.path, "DELETE FROM households WHERE passbook_no = '1001'", msg,
	                 sizeof(msg));
	CHECK_INT_EQ(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK(strstr(msg, "never deleted") != NULL);
	rc = fx_exec(db.path, "DELETE FROM households", msg, sizeof(msg));
	CHECK_INT_EQ(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM households"), 2);
	fx_close(&db);
}

/* ---- list filters, paging and search ---------------------------------- */

static void household_list_filters(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	tree t;
	CHECK(make_tree(st, &t));
	static const char *const surnames[] = {"于", "王", "李", "张", "刘"};
	int64_t groups[3] = {t.g1, t.g2, t.g3};
	int64_t wang_hid = 0;
	/* 30 households, 10 per group; passbooks 1001.., 2001.., 3001.. */
	for (int g = 0; g < 3; g++)
		for (int i = 1; i <= 10; i++) {
			char pb[16], head[32];
			snprintf(pb, sizeof(pb), "%d%03d", g + 1, i);
			snprintf(head, sizeof(head), "%s%s%d", surnames[i % 5], "家", g * 10 + i);
			int64_t hid = fx_household(st, t.v1, groups[g], pb, head);
			CHECK(hid);
			if (g == 1 && i == 5)
				wang_hid = hid;
		}
	/* a member whose name appears nowhere else, and odd characters */
	st_member m = {.household_id = wang_hid, .name = "欧阳娜娜", .relation = "女儿"};
	CHECK_INT_EQ(store_member_create(st, &m, NULL), STORE_OK);
	int64_t odd = fx_household(st, t.v1, t.g3, "3099", "王_芳");
	CHECK(odd);
	int64_t pct = fx_household(st, t.v1, t.g3, "3100", "赵100%");
	CHECK(pct);
	/* the other village's household must never show */
	CHECK(fx_household(st, t.v2, t.gx, "1001", "于洪军"));
	st_household mo;
	arena ar;
	arena_init(&ar, 0);
	CHECK_INT_EQ(store_household_get(st, odd, &ar, &mo), STORE_OK);
	mo.status = "moved_out";
	mo.updated_at = 2;
	CHECK_INT_EQ(store_household_update(st, &mo), STORE_OK);

	const struct {
		int64_t group;
		const char *status, *q;
		int64_t total;
		const char *first; /* passbook of the first row, or NULL */
	} cases[] = {
		{0, NULL, NULL, 32, "1001"},
		{0, NULL, "", 32, "1001"},
		{t.g2, NULL, NULL, 10, "2001"},
		{t.g3, NULL, NULL, 12, "3001"},
		{t.g3, "active", NULL, 11, "3001"},
		{0, "moved_out", NULL, 1, "3099"},
		{t.gx, NULL, NULL, 0, NULL}, /* another village's group */
		{0, NULL, "欧阳", 1, "2005"},  /* a member's name */
		{0, NULL, "娜娜", 1, "2005"},
		{0, NULL, "家15", 1, "2005"},  /* part of the head's name */
		{0, NULL, "王", 0, "1001"},    /* counted below: the 王家 households and 王_芳 */
		{0, NULL, "2005", 1, "2005"},  /* passbook */
		{0, NULL, "300", 9, "3001"},   /* 3001..3009 */
		{0, NULL, "%", 1, "3100"},     /* only the name with a real % */
		{0, NULL, "_", 1, "3099"},     /* only the name with a real _ */
		{0, NULL, "\\", 0, NULL},
		{0, NULL, "%%", 0, NULL},
		{0, NULL, "王%芳", 0, NULL},
		{0, NULL, "王_", 1, "3099"},
		{0, NULL, "于洪军", 0, NULL},  /* only in the other village */
		{0, NULL, "无此人", 0, NULL},
		{t.g1, NULL, "家25", 0, NULL}, /* group and search together: 家25 is in 三组 */
		{t.g1, "moved_out", NULL, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_household_filter f = {.village_id = t.v1, .group_id = cases[i].group,
		                         .status = cases[i].status, .q = cases[i].q, .limit = 100};
		st_household *out = NULL;
		size_t n = 0;
		int64_t total = -1;
		CHECK_INT_EQ(store_household_list(st, &f, &ar, &out, &n, &total), STORE_OK);
		long long want = cases[i].total;
		if (cases[i].q && strcmp(cases[i].q, "王") == 0) {
			char sql[128];
			snprintf(sql, sizeof(sql),
			         "SELECT count(*) FROM households WHERE village_id = %lld"
			         " AND head_name LIKE '%%王%%'",
			         (long long)t.v1);
			want = fx_int(db.path, sql);
			CHECK(want >= 7); /* 王家1, 王家6, ... and 王_芳 */
		}
		bool ok = total == want && (int64_t)n == total &&
		          (cases[i].first ? n > 0 && strcmp(out[0].passbook_no, cases[i].first) == 0
		                          : n == 0);
		for (size_t k = 0; ok && k < n; k++)
			ok = out[k].village_id == t.v1;
		if (!ok) {
			fprintf(stderr, "list case %zu (q \"%s\"): total %lld n %zu first %s, want %lld %s\n", i,
			        cases[i].q ? cases[i].q : "", (long long)total, n,
			        n ? out[0].passbook_no : "-", want, cases[i].first ? cases[i].first : "-");
			CHECK(0);
		}
	}

	/* paging: three pages of 12 cover everything once, in order */
	char seen[64][8];
	size_t nseen = 0;
	for (int64_t off = 0; off < 36; off += 12) {
		st_household_filter f = {.village_id = t.v1, .offset = off, .limit = 12};
		st_household *out = NULL;
		size_t n = 0;
		int64_t total = 0;
		CHECK_INT_EQ(store_household_list(st, &f, &ar, &out, &n, &total), STORE_OK);
		CHECK_INT_EQ(total, 32);
		CHECK_INT_EQ(n, off < 24 ? 12 : 8);
		for (size_t k = 0; k < n; k++)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", out[k].passbook_no);
	}
	CHECK_INT_EQ(nseen, 32);
	for (size_t k = 1; k < nseen; k++)
		CHECK(strcmp(seen[k - 1], seen[k]) < 0); /* groups sorted 1,2,3, then passbook */
	st_household_filter past = {.village_id = t.v1, .offset = 100, .limit = 10};
	st_household *out = NULL;
	size_t n = 99;
	int64_t total = 0;
	CHECK_INT_EQ(store_household_list(st, &past, &ar, &out, &n, &total), STORE_OK);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(total, 32);
	arena_free(&ar);
	fx_close(&db);
}

/* ---- users, sessions, login failures ---------------------------------- */

static void users(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	tree t;
	CHECK(make_tree(st, &t));
	int64_t h1 = fx_household(st, t.v1, t.g1, "1001", "于洪军");
	int64_t h2 = fx_household(st, t.v1, t.g1, "1002", "王桂芝");
	CHECK(h1 && h2);
	arena ar;
	arena_init(&ar, 0);

	st_user county = {.username = "county", .display_name = "县农业农村局", .role = "area_admin",
	                  .area_id = t.county, .password_hash = "$argon2id$x", .created_at = 5};
	st_user town = {.username = "township", .display_name = "镇干部", .role = "area_admin",
	                .area_id = t.township, .created_at = 5};
	st_user admin = {.username = "admin", .display_name = "村书记", .role = "village_admin",
	                 .village_id = t.v1, .phone = "13904100001", .created_at = 5};
	st_user scorer = {.username = "scorer", .display_name = "评分员李", .role = "scorer",
	                  .village_id = t.v1, .created_at = 5};
	st_user other = {.username = "admin2", .display_name = "平顶堡村书记", .role = "village_admin",
	                 .village_id = t.v2, .created_at = 5};
	st_user villager = {.display_name = "于洪军", .role = "villager", .village_id = t.v1,
	                    .household_id = h1, .pin_hash = "$argon2id$pin", .created_at = 5};
	int64_t ids[6] = {0};
	st_user *all[6] = {&county, &town, &admin, &scorer, &other, &villager};
	for (int i = 0; i < 6; i++)
		CHECK_INT_EQ(store_user_create(st, all[i], &ids[i]), STORE_OK);

	st_user u;
	CHECK_INT_EQ(store_user_get(st, ids[0], &ar, &u), STORE_OK);
	CHECK_STR_EQ(u.username, "county");
	CHECK_STR_EQ(u.display_name, "县农业农村局");
	CHECK_STR_EQ(u.role, "area_admin");
	CHECK_INT_EQ(u.area_id, t.county);
	CHECK_INT_EQ(u.village_id, 0);
	CHECK_STR_EQ(u.password_hash, "$argon2id$x");
	CHECK(u.pin_hash == NULL);
	CHECK(u.phone == NULL);
	CHECK(!u.disabled);
	CHECK_INT_EQ(store_user_get(st, 9999, &ar, &u), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_user_by_username(st, "admin", &ar, &u), STORE_OK);
	CHECK_INT_EQ(u.id, ids[2]);
	CHECK_INT_EQ(store_user_by_username(st, "Admin", &ar, &u), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_user_by_phone(st, "13904100001", &ar, &u), STORE_OK);
	CHECK_INT_EQ(u.id, ids[2]);
	CHECK_INT_EQ(store_user_by_phone(st, "13904100002", &ar, &u), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_user_by_household_pin(st, h1, &ar, &u), STORE_OK);
	CHECK_INT_EQ(u.id, ids[5]);
	CHECK(u.username == NULL);
	CHECK_INT_EQ(store_user_by_household_pin(st, h2, &ar, &u), STORE_NOT_FOUND);

	/* unique keys */
	int64_t id = 0;
	st_user dup = scorer;
	CHECK_INT_EQ(store_user_create(st, &dup, &id), STORE_CONFLICT); /* username */
	dup.username = "scorer2";
	dup.phone = "13904100001";
	CHECK_INT_EQ(store_user_create(st, &dup, &id), STORE_CONFLICT); /* phone */
	st_user pin2 = villager;
	pin2.display_name = "王桂芝";
	CHECK_INT_EQ(store_user_create(st, &pin2, &id), STORE_CONFLICT); /* a 2nd PIN login */
	pin2.pin_hash = NULL; /* a phone+password villager of the same household is fine */
	pin2.phone = "13904100009";
	pin2.password_hash = "$argon2id$pw";
	CHECK_INT_EQ(store_user_create(st, &pin2, &id), STORE_OK);
	/* the shape of each role */
	const st_user bad[] = {
		{.username = "a1", .display_name = "x", .role = "area_admin", .created_at = 1},
		{.username = "a2", .display_name = "x", .role = "area_admin", .area_id = t.county,
		 .village_id = t.v1, .created_at = 1},
		{.username = "a3", .display_name = "x", .role = "scorer", .created_at = 1},
		{.username = "a4", .display_name = "x", .role = "scorer", .village_id = t.v1,
		 .household_id = h2, .created_at = 1},
		{.username = "a5", .display_name = "x", .role = "villager", .village_id = t.v1,
		 .created_at = 1},
		{.username = "a6", .display_name = "x", .role = "mayor", .village_id = t.v1,
		 .created_at = 1},
		{.username = "a7", .display_name = "x", .role = "clerk", .village_id = 9999,
		 .created_at = 1},
		{.username = "a8", .role = "clerk", .village_id = t.v1, .created_at = 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		store_rc rc = store_user_create(st, &bad[i], &id);
		if (rc != STORE_CONSTRAINT) {
			fprintf(stderr, "bad user %s: rc %d\n", bad[i].username, rc);
			CHECK(0);
		}
	}

	/* lists */
	const struct {
		int64_t village, area;
		const char *role;
		int64_t total;
	} lists[] = {
		{0, 0, NULL, 7},
		{t.v1, 0, NULL, 4},
		{t.v2, 0, NULL, 1},
		{0, 0, "area_admin", 2},
		{t.v1, 0, "villager", 2},
		{0, t.county, NULL, 7},
		{0, t.township, NULL, 6},  /* the township admin and the villages' users */
		{0, t.county, "area_admin", 2},
		{t.v2, t.township, NULL, 1},
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		st_user_filter f = {.village_id = lists[i].village, .area_root = lists[i].area,
		                    .role = lists[i].role, .limit = 50};
		st_user *out = NULL;
		size_t n = 0;
		int64_t total = -1;
		CHECK_INT_EQ(store_user_list(st, &f, &ar, &out, &n, &total), STORE_OK);
		if (total != lists[i].total || (int64_t)n != total) {
			fprintf(stderr, "user list %zu: total %lld n %zu, want %lld\n", i, (long long)total, n,
			        (long long)lists[i].total);
			CHECK(0);
		}
	}
	st_user_filter page = {.limit = 3, .offset = 6};
	st_user *out = NULL;
	size_t n = 0;
	int64_t total = 0;
	CHECK_INT_EQ(store_user_list(st, &page, &ar, &out, &n, &total), STORE_OK);
	CHECK_INT_EQ(total, 7);
	CHECK_INT_EQ(n, 1);

	/* changes */
	CHECK_INT_EQ(store_user_set_secret(st, ids[3], false, "$argon2id$new"), STORE_OK);
	CHECK_INT_EQ(store_user_set_secret(st, ids[5], true, "$argon2id$newpin"), STORE_OK);
	CHECK_INT_EQ(store_user_set_secret(st, 9999, false, "$argon2id$x"), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_user_set_disabled(st, ids[3], true), STORE_OK);
	CHECK_INT_EQ(store_user_get(st, ids[3], &ar, &u), STORE_OK);
	CHECK_STR_EQ(u.password_hash, "$argon2id$new");
	CHECK(u.disabled);
	CHECK(u.updated_at >= u.created_at);
	CHECK_INT_EQ(store_user_get(st, ids[5], &ar, &u), STORE_OK);
	CHECK_STR_EQ(u.pin_hash, "$argon2id$newpin");
	CHECK_INT_EQ(store_user_set_disabled(st, ids[3], false), STORE_OK);
	CHECK_INT_EQ(store_user_set_disabled(st, 9999, true), STORE_NOT_FOUND);
	st_user upd = {.id = ids[3], .display_name = "评分员李春生", .phone = "13904100003"};
	CHECK_INT_EQ(store_user_update(st, &upd), STORE_OK);
	CHECK_INT_EQ(store_user_get(st, ids[3], &ar, &u), STORE_OK);
	CHECK_STR_EQ(u.display_name, "评分员李春生");
	CHECK_STR_EQ(u.phone, "13904100003");
	CHECK(!u.disabled);
	upd.phone = "13904100001"; /* the admin's */
	CHECK_INT_EQ(store_user_update(st, &upd), STORE_CONFLICT);
	upd.id = 9999;
	upd.phone = NULL;
	CHECK_INT_EQ(store_user_update(st, &upd), STORE_NOT_FOUND);
	arena_free(&ar);
	fx_close(&db);
}

static void sessions_and_login_failures(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	tree t;
	CHECK(make_tree(st, &t));
	int64_t uid = fx_user(st, "admin", "village_admin", 0, t.v1, 0);
	int64_t uid2 = fx_user(st, "scorer", "scorer", 0, t.v1, 0);
	CHECK(uid && uid2);
	arena ar;
	arena_init(&ar, 0);
	int64_t now = 1700000000;
	st_session s = {.user_id = uid, .csrf_token = "csrf-1", .created_at = now,
	                .expires_at = now + 3600};
	int64_t s1 = 0, s2 = 0, s3 = 0, id = 0;
	CHECK_INT_EQ(store_session_create(st, "hash-1", &s, &s1), STORE_OK);
	CHECK_INT_EQ(store_session_create(st, "hash-1", &s, &id), STORE_CONFLICT);
	s.csrf_token = "csrf-2";
	s.expires_at = now + 10; /* expires soon */
	CHECK_INT_EQ(store_session_create(st, "hash-2", &s, &s2), STORE_OK);
	s.user_id = uid2;
	s.expires_at = now + 3600;
	CHECK_INT_EQ(store_session_create(st, "hash-3", &s, &s3), STORE_OK);
	s.user_id = 9999;
	CHECK_INT_EQ(store_session_create(st, "hash-4", &s, &id), STORE_CONSTRAINT);

	st_session got;
	CHECK_INT_EQ(store_session_by_hash(st, "hash-1", &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.id, s1);
	CHECK_INT_EQ(got.user_id, uid);
	CHECK_STR_EQ(got.csrf_token, "csrf-1");
	CHECK_INT_EQ(got.created_at, now);
	CHECK_INT_EQ(got.last_seen, now);
	CHECK_INT_EQ(got.expires_at, now + 3600);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-9", &ar, &got), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_session_touch(st, s1, now + 100), STORE_OK);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-1", &ar, &got), STORE_OK);
	CHECK_INT_EQ(got.last_seen, now + 100);
	CHECK_INT_EQ(store_session_touch(st, 9999, now), STORE_NOT_FOUND);

	/* purge at now+50 with idle limit now+50: s2 expired, s3 idle since now */
	CHECK_INT_EQ(store_session_purge(st, now + 50, now + 50), STORE_OK);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-1", &ar, &got), STORE_OK);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-2", &ar, &got), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-3", &ar, &got), STORE_NOT_FOUND);
	s.user_id = uid;
	CHECK_INT_EQ(store_session_create(st, "hash-5", &s, &id), STORE_OK);
	CHECK_INT_EQ(store_session_delete(st, s1), STORE_OK);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-1", &ar, &got), STORE_NOT_FOUND);
	CHECK_INT_EQ(store_session_delete(st, s1), STORE_OK); /* already gone: fine */
	CHECK_INT_EQ(store_session_delete_user(st, uid), STORE_OK);
	CHECK_INT_EQ(store_session_by_hash(st, "hash-5", &ar, &got), STORE_NOT_FOUND);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM sessions"), 0);

	/* login failures */
	const char *key = "user:admin";
	for (int i = 0; i < 5; i++)
		CHECK_INT_EQ(store_login_failure_add(st, key, now + i * 10), STORE_OK);
	CHECK_INT_EQ(store_login_failure_add(st, "ip:10.0.0.8", now), STORE_OK);
	int64_t count = -1, oldest = -1;
	CHECK_INT_EQ(store_login_failure_count(st, key, now, &count, &oldest), STORE_OK);
	CHECK_INT_EQ(count, 5);
	CHECK_INT_EQ(oldest, now);
	CHECK_INT_EQ(store_login_failure_count(st, key, now + 15, &count, &oldest), STORE_OK);
	CHECK_INT_EQ(count, 3);
	CHECK_INT_EQ(oldest, now + 20);
	CHECK_INT_EQ(store_login_failure_count(st, "user:nobody", 0, &count, &oldest), STORE_OK);
	CHECK_INT_EQ(count, 0);
	CHECK_INT_EQ(oldest, 0);
	CHECK_INT_EQ(store_login_failure_clear(st, key), STORE_OK);
	CHECK_INT_EQ(store_login_failure_count(st, key, 0, &count, &oldest), STORE_OK);
	CHECK_INT_EQ(count, 0);
	CHECK_INT_EQ(store_login_failure_count(st, "ip:10.0.0.8", 0, &count, &oldest), STORE_OK);
	CHECK_INT_EQ(count, 1);
	arena_free(&ar);
	fx_close(&db);
}

/* ---- the audit log ---------------------------------------------------- */

static void audit_log(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	tree t;
	CHECK(make_tree(st, &t));
	int64_t uid = fx_user(st, "admin", "village_admin", 0, t.v1, 0);
	int64_t uid2 = fx_user(st, "admin2", "village_admin", 0, t.v2, 0);
	CHECK(uid && uid2);
	/* 10 rows: v1 households (6, admin), v2 households (3, admin2), one area row */
	for (int i = 0; i < 10; i++) {
		st_audit a = {.at = 1700000000 + i, .user_id = i < 6 ? uid : i < 9 ? uid2 : 0,
		              .ip = "10.0.0.8", .village_id = i < 6 ? t.v1 : i < 9 ? t.v2 : 0,
		              .entity = i < 9 ? "household" : "area", .entity_id = i < 9 ? 100 + i % 3 : t.township,
		              .action = i % 2 ? "update" : "create", .summary = "{\"head_name\":\"于洪军\"}"};
		if (i == 9)
			a.area_id = t.county;
		CHECK_INT_EQ(store_audit_add(st, &a), STORE_OK);
	}
	arena ar;
	arena_init(&ar, 0);
	const struct {
		st_audit_filter f;
		int64_t total;
	} cases[] = {
		{{.limit = 50}, 10},
		{{.village_id = t.v1, .limit = 50}, 6},
		{{.village_id = t.v2, .limit = 50}, 3},
		{{.entity = "area", .limit = 50}, 1},
		{{.entity = "household", .entity_id = 101, .limit = 50}, 3},
		{{.user_id = uid2, .limit = 50}, 3},
		{{.since = 1700000003, .until = 1700000005, .limit = 50}, 2},
		{{.area_root = t.county, .limit = 50}, 10},
		{{.area_root = t.township, .limit = 50}, 9}, /* the villages' rows: area from the village */
		{{.village_id = t.v1, .user_id = uid2, .limit = 50}, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_audit *out = NULL;
		size_t n = 0;
		int64_t total = -1;
		CHECK_INT_EQ(store_audit_list(st, &cases[i].f, &ar, &out, &n, &total), STORE_OK);
		if (total != cases[i].total || (int64_t)n != total) {
			fprintf(stderr, "audit case %zu: total %lld n %zu, want %lld\n", i, (long long)total,
			        n, (long long)cases[i].total);
			CHECK(0);
		}
	}
	/* newest first, paged, with the user's name and the area filled from the village */
	st_audit_filter f = {.limit = 4, .offset = 4};
	st_audit *out = NULL;
	size_t n = 0;
	int64_t total = 0;
	CHECK_INT_EQ(store_audit_list(st, &f, &ar, &out, &n, &total), STORE_OK);
	CHECK_INT_EQ(total, 10);
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(out[0].at, 1700000005);
	CHECK_INT_EQ(out[3].at, 1700000002);
	CHECK_STR_EQ(out[0].username, "admin");
	CHECK_INT_EQ(out[0].village_id, t.v1);
	CHECK_INT_EQ(out[0].area_id, t.township);
	CHECK_STR_EQ(out[0].summary, "{\"head_name\":\"于洪军\"}");
	CHECK_STR_EQ(out[0].ip, "10.0.0.8");
	f.offset = 0;
	f.limit = 1;
	CHECK_INT_EQ(store_audit_list(st, &f, &ar, &out, &n, &total), STORE_OK);
	CHECK(out[0].username == NULL); /* the operator */
	CHECK_INT_EQ(out[0].user_id, 0);

	/* append-only, even for someone with the file */
	char msg[256] = "";
	int rc = fx_exec(db.path, "UPDATE audit_log SET summary = 'forged' WHERE id = 1", msg,
	                 sizeof(msg));
	CHECK_INT_EQ(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK(strstr(msg, "append-only") != NULL);
	rc = fx_exec(db.path, "DELETE FROM audit_log WHERE id = 2", msg, sizeof(msg));
	CHECK_INT_EQ(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK(strstr(msg, "append-only") != NULL);
	rc = fx_exec(db.path, "DELETE FROM audit_log", msg, sizeof(msg));
	CHECK_INT_EQ(rc & 0xff, SQLITE_CONSTRAINT);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM audit_log"), 10);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM audit_log WHERE summary = 'forged'"), 0);
	arena_free(&ar);
	fx_close(&db);
}

/* ---- backup and integrity --------------------------------------------- */

static int progress_calls, progress_last_remaining = -1;

static void on_progress(int remaining, int total)
{
	progress_calls++;
	progress_last_remaining = remaining;
	(void)total;
}

static void backup_and_integrity(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	tree t;
	CHECK(make_tree(st, &t));
	CHECK_INT_EQ(store_begin(st), STORE_OK); /* one commit, not 300 */
	for (int i = 1; i <= 300; i++) {
		char pb[16];
		snprintf(pb, sizeof(pb), "%d", 1000 + i);
		CHECK(fx_household(st, t.v1, t.g1, pb, "高箭沟村村民于洪军"));
	}
	CHECK_INT_EQ(store_commit(st), STORE_OK);
	char out[128] = "";
	CHECK_INT_EQ(store_integrity_check(st, out, sizeof(out)), STORE_OK);
	CHECK_STR_EQ(out, "ok");

	char dest[256];
	snprintf(dest, sizeof(dest), "%s/backup.db", db.dir);
	progress_calls = 0;
	CHECK_INT_EQ(store_backup(st, dest, on_progress), STORE_OK);
	CHECK(progress_calls >= 1);
	CHECK_INT_EQ(progress_last_remaining, 0);
	/* the copy opens without create, is whole, and holds the data */
	store *copy = NULL;
	char err[512] = "";
	CHECK_INT_EQ(store_open(dest, false, &copy, err, sizeof(err)), STORE_OK);
	CHECK_INT_EQ(store_integrity_check(copy, out, sizeof(out)), STORE_OK);
	CHECK_STR_EQ(out, "ok");
	CHECK_INT_EQ(store_schema_version(copy), store_schema_latest());
	arena ar;
	arena_init(&ar, 0);
	st_household h;
	CHECK_INT_EQ(store_household_by_passbook(copy, t.v1, "1300", &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.head_name, "高箭沟村村民于洪军");
	arena_free(&ar);
	store_close(copy);
	CHECK_INT_EQ(fx_int(dest, "SELECT count(*) FROM households"), 300);
	/* a second backup over the first, without a progress callback */
	CHECK(fx_household(st, t.v1, t.g2, "2001", "王桂芝"));
	CHECK_INT_EQ(store_backup(st, dest, NULL), STORE_OK);
	CHECK_INT_EQ(fx_int(dest, "SELECT count(*) FROM households"), 301);
	/* a destination that cannot be written */
	snprintf(dest, sizeof(dest), "%s/no/such/dir/backup.db", db.dir);
	CHECK_INT_EQ(store_backup(st, dest, NULL), STORE_ERROR);
	CHECK(store_errmsg()[0] != '\0');
	fx_close(&db);
}

/* ---- transactions ----------------------------------------------------- */

static void transactions(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	store *st = db.st;
	int64_t county = fx_area(st, 0, "county", "铁岭县");
	CHECK(county);
	arena ar;
	arena_init(&ar, 0);

	/* rollback leaves nothing */
	CHECK_INT_EQ(store_begin(st), STORE_OK);
	int64_t t1 = fx_area(st, county, "township", "平顶堡镇");
	int64_t v1 = fx_village(st, t1, "高箭沟村");
	CHECK(t1 && v1);
	/* another connection does not see uncommitted rows */
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM areas"), 1);
	store_rollback(st);
	st_area a;
	CHECK_INT_EQ(store_area_get(st, t1, &ar, &a), STORE_NOT_FOUND);
	st_village v;
	CHECK_INT_EQ(store_village_get(st, v1, &ar, &v), STORE_NOT_FOUND);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM villages"), 0);

	/* one transaction per thread at a time */
	CHECK_INT_EQ(store_begin(st), STORE_OK);
	CHECK_INT_EQ(store_begin(st), STORE_ERROR);
	CHECK(strstr(store_errmsg(), "already open") != NULL);
	t1 = fx_area(st, county, "township", "平顶堡镇");
	CHECK(t1);
	/* a failed statement inside keeps the transaction usable */
	st_area same = {.parent_id = county, .level = "township", .name = "平顶堡镇", .created_at = 1};
	CHECK_INT_EQ(store_area_create(st, &same, NULL), STORE_CONFLICT);
	int64_t t2 = fx_area(st, county, "township", "腰堡镇");
	CHECK(t2);
	CHECK_INT_EQ(store_commit(st), STORE_OK);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM areas"), 3);

	/* empty transactions, and rollback without a transaction */
	CHECK_INT_EQ(store_begin(st), STORE_OK);
	CHECK_INT_EQ(store_commit(st), STORE_OK);
	store_rollback(st);
	CHECK_INT_EQ(store_begin(st), STORE_OK); /* the rollback above did not confuse it */
	store_rollback(st);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM areas"), 3);
	arena_free(&ar);
	fx_close(&db);
}

/* ---- threads ---------------------------------------------------------- */

enum { WRITERS = 4, TX_PER_WRITER = 25, ROWS_PER_TX = 2 };

typedef struct {
	store *st;
	int64_t village, group;
	int index;
	int failures;
	char first_error[256];
} writer_arg;

static void *writer(void *p)
{
	writer_arg *w = p;
	for (int i = 0; i < TX_PER_WRITER; i++) {
		store_rc rc = store_begin(w->st);
		for (int k = 0; rc == STORE_OK && k < ROWS_PER_TX; k++) {
			char pb[32];
			snprintf(pb, sizeof(pb), "T%d-%d-%d", w->index, i, k);
			st_household h = {.village_id = w->village, .group_id = w->group, .passbook_no = pb,
			                  .head_name = "并发写入", .created_at = time_now()};
			rc = store_household_create(w->st, &h, NULL);
			if (rc == STORE_OK) {
				st_audit a = {.at = time_now(), .village_id = w->village, .entity = "household",
				              .action = "create", .summary = pb};
				rc = store_audit_add(w->st, &a);
			}
		}
		if (rc == STORE_OK)
			rc = store_commit(w->st);
		else
			store_rollback(w->st);
		if (rc != STORE_OK) {
			if (!w->failures)
				snprintf(w->first_error, sizeof(w->first_error), "rc %d: %s", rc,
				         store_errmsg());
			w->failures++;
		}
	}
	store_thread_done(w->st);
	return NULL;
}

static void concurrent_writers(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	tree t;
	CHECK(make_tree(db.st, &t));
	pthread_t th[WRITERS];
	writer_arg args[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (writer_arg){.st = db.st, .village = t.v1, .group = t.g1, .index = i};
		CHECK_INT_EQ(pthread_create(&th[i], NULL, writer, &args[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		if (args[i].failures)
			fprintf(stderr, "writer %d: %d failures, first %s\n", i, args[i].failures,
			        args[i].first_error);
		CHECK_INT_EQ(args[i].failures, 0);
	}
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM households"),
	             WRITERS * TX_PER_WRITER * ROWS_PER_TX);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM audit_log"),
	             WRITERS * TX_PER_WRITER * ROWS_PER_TX);
	fx_close(&db);
}

typedef struct {
	store *st;
	int64_t county;
	store_rc rc;
	double waited_ms;
	int64_t areas_seen;
} waiter_arg;

/* Starts a transaction while the main thread holds one: it must wait, then succeed. */
static void *late_writer(void *p)
{
	waiter_arg *w = p;
	double t0 = time_mono_ms();
	w->rc = store_begin(w->st);
	w->waited_ms = time_mono_ms() - t0;
	if (w->rc == STORE_OK) {
		st_area a = {.parent_id = w->county, .level = "township", .name = "腰堡镇",
		             .created_at = time_now()};
		w->rc = store_area_create(w->st, &a, NULL);
		if (w->rc == STORE_OK)
			w->rc = store_commit(w->st);
		else
			store_rollback(w->st);
	}
	store_thread_done(w->st);
	return NULL;
}

/* Reads through its own connection while the main thread holds a transaction. */
static void *reader(void *p)
{
	waiter_arg *w = p;
	arena ar;
	arena_init(&ar, 0);
	st_area *list = NULL;
	size_t n = 0;
	w->rc = store_area_list(w->st, 0, &ar, &list, &n);
	w->areas_seen = (int64_t)n;
	arena_free(&ar);
	store_thread_done(w->st);
	return NULL;
}

static void writer_waits_reader_does_not(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	int64_t county = fx_area(db.st, 0, "county", "铁岭县");
	CHECK(county);
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	CHECK(fx_area(db.st, county, "township", "平顶堡镇"));

	/* a reader is not blocked and sees the last committed state */
	waiter_arg r = {.st = db.st, .rc = STORE_ERROR, .areas_seen = -1};
	pthread_t th;
	double t0 = time_mono_ms();
	CHECK_INT_EQ(pthread_create(&th, NULL, reader, &r), 0);
	pthread_join(th, NULL);
	CHECK_INT_EQ(r.rc, STORE_OK);
	CHECK_INT_EQ(r.areas_seen, 1);
	CHECK(time_mono_ms() - t0 < 2000);

	/* a second writer waits for the commit instead of failing with "busy" */
	waiter_arg w = {.st = db.st, .county = county, .rc = STORE_ERROR};
	CHECK_INT_EQ(pthread_create(&th, NULL, late_writer, &w), 0);
	usleep(300 * 1000);
	CHECK_INT_EQ(store_commit(db.st), STORE_OK);
	pthread_join(th, NULL);
	if (w.rc != STORE_OK)
		fprintf(stderr, "late writer: %d\n", w.rc);
	CHECK_INT_EQ(w.rc, STORE_OK);
	CHECK(w.waited_ms >= 200);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM areas"), 3);
	fx_close(&db);
}

CHECK_MAIN("store", T(open_create_and_migrations), T(refuses_newer_schema), T(missing_file),
           T(not_a_database), T(areas_villages_groups), T(area_within), T(households_and_members),
           T(households_never_deleted), T(household_list_filters), T(users),
           T(sessions_and_login_failures), T(audit_log), T(backup_and_integrity),
           T(transactions), T(concurrent_writers), T(writer_waits_reader_does_not))
