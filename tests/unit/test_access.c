/*
 * Unit tests for src/core/access.c: who may see and change what (invariant 6),
 * table-driven over a temporary store holding 铁岭县 with two townships and
 * three villages: county and township admins, the roles of a village, a
 * villager's own and other households, and the command-line operator.
 */
#include "check.h"
#include "core/access.h"
#include "fixture.h"

/* The world: 铁岭县 → 平顶堡镇 → 高箭沟村 (V1), 平顶堡村 (V2);
 *                   → 腰堡镇   → 腰堡村 (V3). */
static int64_t county, town1, town2, v1, v2, v3;
static int64_t h1, h1b, h2, h3; /* households: two in V1, one each in V2, V3 */

enum who_e { OPERATOR, COUNTY, TOWN1, TOWN2, ADMIN1, ADMIN3, SCORER1, CLERK1, VILLAGER1, VILLAGER3,
             NWHO };
static st_user users[NWHO];
static const char *const who_names[NWHO] = {"operator", "county",  "town1",  "town2",
                                            "admin1",   "admin3",  "scorer1", "clerk1",
                                            "villager1", "villager3"};

static bool build(fx_db *db)
{
	if (!fx_open(db))
		return false;
	store *st = db->st;
	county = fx_area(st, 0, "county", "铁岭县");
	town1 = fx_area(st, county, "township", "平顶堡镇");
	town2 = fx_area(st, county, "township", "腰堡镇");
	v1 = fx_village(st, town1, "高箭沟村");
	v2 = fx_village(st, town1, "平顶堡村");
	v3 = fx_village(st, town2, "腰堡村");
	int64_t g1 = fx_group(st, v1, "一组", 1), g2 = fx_group(st, v2, "一组", 1),
	        g3 = fx_group(st, v3, "一组", 1);
	h1 = fx_household(st, v1, g1, "1001", "于洪军");
	h1b = fx_household(st, v1, g1, "1002", "王桂芝");
	h2 = fx_household(st, v2, g2, "1001", "李春生");
	h3 = fx_household(st, v3, g3, "1001", "张秀英");
	if (!(county && town1 && town2 && v1 && v2 && v3 && h1 && h1b && h2 && h3))
		return false;
	/* the actors as a session would carry them (id, role, area, village, household) */
	const struct {
		const char *role;
		int64_t area, village, household;
	} shape[NWHO] = {
		[COUNTY] = {"area_admin", county, 0, 0},   [TOWN1] = {"area_admin", town1, 0, 0},
		[TOWN2] = {"area_admin", town2, 0, 0},     [ADMIN1] = {"village_admin", 0, v1, 0},
		[ADMIN3] = {"village_admin", 0, v3, 0},    [SCORER1] = {"scorer", 0, v1, 0},
		[CLERK1] = {"clerk", 0, v1, 0},            [VILLAGER1] = {"villager", 0, v1, h1},
		[VILLAGER3] = {"villager", 0, v3, h3},
	};
	for (int i = 1; i < NWHO; i++) {
		users[i] = (st_user){.username = who_names[i], .display_name = who_names[i],
		                     .role = shape[i].role, .area_id = shape[i].area,
		                     .village_id = shape[i].village, .household_id = shape[i].household};
		users[i].id = fx_user(st, who_names[i], shape[i].role, shape[i].area, shape[i].village,
		                      shape[i].household);
		if (!users[i].id)
			return false;
	}
	return true;
}

static actor as(enum who_e w)
{
	return (actor){.user = w == OPERATOR ? NULL : &users[w], .ip = "127.0.0.1"};
}

/* Checks one outcome; prints the case when it is wrong. */
static bool outcome(const char *what, enum who_e w, core_status got, core_status want,
                    const core_err *err)
{
	bool ok = got == want;
	if (ok && want == CORE_FORBIDDEN)
		ok = err->status == CORE_FORBIDDEN && strcmp(err->code, "forbidden") == 0 &&
		     strstr(err->zh, "没有权限") != NULL;
	if (ok && want == CORE_NOT_FOUND)
		ok = err->status == CORE_NOT_FOUND && strcmp(err->code, "not_found") == 0;
	if (!ok)
		fprintf(stderr, "%s as %s: got %d (%s), want %d\n", what, who_names[w], got, err->code,
		        want);
	return ok;
}

#define OK CORE_OK
#define NO CORE_FORBIDDEN
#define GONE CORE_NOT_FOUND

static void villages(void)
{
	fx_db db;
	CHECK(build(&db));
	/* for each actor and village: the outcome at MEMBER, STAFF, ADMIN */
	const struct {
		enum who_e who;
		int64_t *village;
		core_status member, staff, admin;
	} cases[] = {
		{OPERATOR, &v1, OK, OK, OK},    {OPERATOR, &v3, OK, OK, OK},
		{COUNTY, &v1, OK, OK, OK},      {COUNTY, &v2, OK, OK, OK},    {COUNTY, &v3, OK, OK, OK},
		{TOWN1, &v1, OK, OK, OK},       {TOWN1, &v2, OK, OK, OK},     {TOWN1, &v3, NO, NO, NO},
		{TOWN2, &v1, NO, NO, NO},       {TOWN2, &v3, OK, OK, OK},
		{ADMIN1, &v1, OK, OK, OK},      {ADMIN1, &v2, NO, NO, NO},    {ADMIN1, &v3, NO, NO, NO},
		{ADMIN3, &v3, OK, OK, OK},      {ADMIN3, &v1, NO, NO, NO},
		{SCORER1, &v1, OK, OK, NO},     {SCORER1, &v2, NO, NO, NO},
		{CLERK1, &v1, OK, OK, NO},      {CLERK1, &v3, NO, NO, NO},
		{VILLAGER1, &v1, OK, NO, NO},   {VILLAGER1, &v2, NO, NO, NO},
		{VILLAGER3, &v3, OK, NO, NO},   {VILLAGER3, &v1, NO, NO, NO},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		actor a = as(cases[i].who);
		const core_status want[3] = {cases[i].member, cases[i].staff, cases[i].admin};
		const access_level lvl[3] = {ACCESS_MEMBER, ACCESS_STAFF, ACCESS_ADMIN};
		for (int k = 0; k < 3; k++) {
			core_err err;
			memset(&err, 0, sizeof(err));
			char what[64];
			snprintf(what, sizeof(what), "village %lld level %d", (long long)*cases[i].village, k);
			core_status got = access_village(db.st, &a, *cases[i].village, lvl[k], &err);
			CHECK(outcome(what, cases[i].who, got, want[k], &err));
		}
	}
	fx_close(&db);
}

static void unknown_village(void)
{
	fx_db db;
	CHECK(build(&db));
	/* a village that does not exist is "not found" for everyone */
	for (int w = 0; w < NWHO; w++) {
		actor a = as((enum who_e)w);
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status got = access_village(db.st, &a, 9999, ACCESS_MEMBER, &err);
		CHECK(outcome("village 9999", (enum who_e)w, got, GONE, &err));
		CHECK(strstr(err.zh, "村不存在") != NULL);
	}
	fx_close(&db);
}

static void households(void)
{
	fx_db db;
	CHECK(build(&db));
	arena ar;
	arena_init(&ar, 0);
	st_household hh[4];
	int64_t *ids[4] = {&h1, &h1b, &h2, &h3};
	for (int i = 0; i < 4; i++)
		CHECK_INT_EQ(store_household_get(db.st, *ids[i], &ar, &hh[i]), STORE_OK);
	enum { H1, H1B, H2, H3 };
	/* read, write */
	const struct {
		enum who_e who;
		int h;
		core_status read, write;
	} cases[] = {
		{OPERATOR, H1, OK, OK},   {OPERATOR, H3, OK, OK},
		{COUNTY, H1, OK, OK},     {COUNTY, H3, OK, OK},
		{TOWN1, H1, OK, OK},      {TOWN1, H2, OK, OK},     {TOWN1, H3, NO, NO},
		{TOWN2, H3, OK, OK},      {TOWN2, H1, NO, NO},
		{ADMIN1, H1, OK, OK},     {ADMIN1, H1B, OK, OK},   {ADMIN1, H2, NO, NO},
		{ADMIN3, H1, NO, NO},     {ADMIN3, H3, OK, OK},
		{SCORER1, H1, OK, NO},    {SCORER1, H1B, OK, NO},  {SCORER1, H3, NO, NO},
		{CLERK1, H1B, OK, NO},    {CLERK1, H2, NO, NO},
		/* a villager reads their own household only, and changes none */
		{VILLAGER1, H1, OK, NO},  {VILLAGER1, H1B, NO, NO}, {VILLAGER1, H2, NO, NO},
		{VILLAGER1, H3, NO, NO},  {VILLAGER3, H3, OK, NO},  {VILLAGER3, H1, NO, NO},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		actor a = as(cases[i].who);
		for (int write = 0; write < 2; write++) {
			core_err err;
			memset(&err, 0, sizeof(err));
			char what[64];
			snprintf(what, sizeof(what), "household %s %s", hh[cases[i].h].head_name,
			         write ? "write" : "read");
			core_status got = access_household(db.st, &a, &hh[cases[i].h], write, &err);
			CHECK(outcome(what, cases[i].who, got, write ? cases[i].write : cases[i].read,
			              &err));
		}
	}
	arena_free(&ar);
	fx_close(&db);
}

static void areas(void)
{
	fx_db db;
	CHECK(build(&db));
	const struct {
		enum who_e who;
		int64_t *area;
		core_status want;
	} cases[] = {
		{OPERATOR, &county, OK}, {OPERATOR, &town2, OK},
		{COUNTY, &county, OK},   {COUNTY, &town1, OK},  {COUNTY, &town2, OK},
		{TOWN1, &town1, OK},     {TOWN1, &county, NO},  {TOWN1, &town2, NO},
		{TOWN2, &town2, OK},     {TOWN2, &town1, NO},
		{ADMIN1, &town1, NO},    {ADMIN1, &county, NO}, {SCORER1, &town1, NO},
		{CLERK1, &town1, NO},    {VILLAGER1, &town1, NO},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		actor a = as(cases[i].who);
		core_err err;
		memset(&err, 0, sizeof(err));
		char what[64];
		snprintf(what, sizeof(what), "area %lld", (long long)*cases[i].area);
		CHECK(outcome(what, cases[i].who, access_area(db.st, &a, *cases[i].area, &err),
		              cases[i].want, &err));
	}
	/* an area that does not exist is outside every admin's area */
	actor a = as(COUNTY);
	core_err err;
	CHECK_INT_EQ(access_area(db.st, &a, 9999, &err), CORE_FORBIDDEN);
	fx_close(&db);
}

static void staff_roles(void)
{
	static const struct {
		const char *role;
		bool staff;
	} cases[] = {
		{"area_admin", true}, {"village_admin", true}, {"scorer", true},
		{"clerk", true},      {"villager", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT_EQ(access_is_staff_role(cases[i].role), cases[i].staff);
}

CHECK_MAIN("access", T(villages), T(unknown_village), T(households), T(areas), T(staff_roles))
