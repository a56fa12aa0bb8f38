/*
 * ledger_fixture.h: a small village world for the unit tests of the ledger's
 * domain (rules, ledger, verify, claims, activities, inspections, photos), on
 * top of fixture.h: 铁岭县 → 平顶堡镇 → 高箭沟村 (two groups, four households,
 * one moved out, two members) and 腰堡镇 → 腰堡村 (one household), the users
 * who act in them, rules made straight in the store, and the checks the test
 * files share (an outcome against an expected status and code, a balance, a
 * count by SQL). Every helper is static inline: a file uses what it needs.
 */
#ifndef JF_LEDGER_FIXTURE_H
#define JF_LEDGER_FIXTURE_H
#include <stdarg.h>

#include "core/core.h"
#include "fixture.h"

enum {
	LW_COUNTY,   /* area admin of 铁岭县 */
	LW_ADMIN,    /* village admin of 高箭沟村 */
	LW_ADMIN_B,  /* a second village admin of 高箭沟村 */
	LW_SCORER,   /* scorer of 高箭沟村 */
	LW_SCORER_B, /* a second scorer of 高箭沟村 */
	LW_CLERK,    /* shop clerk of 高箭沟村 */
	LW_VILLAGER, /* villager of household 1001 */
	LW_VILLAGER2, /* villager of household 1002 */
	LW_ADMIN2,   /* village admin of 腰堡村 */
	LW_NUSERS
};

typedef struct {
	fx_db db;
	store *st;
	int64_t county, town, town2, v1, v2, g1, g2, g3;
	int64_t h1, h2, h3, h_moved, h_other; /* 1001, 1002, 2001 (group 2), 1004 moved out; 腰堡村 9001 */
	int64_t m1, m2;                       /* members of 1001: 王桂芝, 于浩然 */
	st_user u[LW_NUSERS];
	actor as[LW_NUSERS];
	arena ar;
} lworld;

static inline bool lw_build(lworld *w)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->db))
		return false;
	store *st = w->st = w->db.st;
	arena_init(&w->ar, 0);
	w->county = fx_area(st, 0, "county", "铁岭县");
	w->town = fx_area(st, w->county, "township", "平顶堡镇");
	w->town2 = fx_area(st, w->county, "township", "腰堡镇");
	w->v1 = fx_village(st, w->town, "高箭沟村");
	w->v2 = fx_village(st, w->town2, "腰堡村");
	w->g1 = fx_group(st, w->v1, "一组", 1);
	w->g2 = fx_group(st, w->v1, "二组", 2);
	w->g3 = fx_group(st, w->v2, "一组", 1);
	w->h1 = fx_household(st, w->v1, w->g1, "1001", "于洪军");
	w->h2 = fx_household(st, w->v1, w->g1, "1002", "王桂芝");
	w->h3 = fx_household(st, w->v1, w->g2, "2001", "李春生");
	w->h_moved = fx_household(st, w->v1, w->g1, "1004", "张秀英");
	w->h_other = fx_household(st, w->v2, w->g3, "9001", "赵德胜");
	if (!(w->county && w->town && w->town2 && w->v1 && w->v2 && w->g1 && w->g2 && w->g3 &&
	      w->h1 && w->h2 && w->h3 && w->h_moved && w->h_other))
		return false;
	st_household hm;
	if (store_household_get(st, w->h_moved, &w->ar, &hm) != STORE_OK)
		return false;
	hm.status = "moved_out";
	if (store_household_update(st, &hm) != STORE_OK)
		return false;
	st_member m1 = {.village_id = w->v1, .household_id = w->h1, .name = "王桂芝",
	                .relation = "妻子", .status = "active"};
	st_member m2 = {.village_id = w->v1, .household_id = w->h1, .name = "于浩然",
	                .relation = "孙子", .status = "active"};
	if (store_member_create(st, &m1, &w->m1) != STORE_OK ||
	    store_member_create(st, &m2, &w->m2) != STORE_OK)
		return false;
	const struct {
		const char *name, *role;
		int64_t area, village, household;
	} shape[LW_NUSERS] = {
		[LW_COUNTY] = {"county", "area_admin", w->county, 0, 0},
		[LW_ADMIN] = {"admin", "village_admin", 0, w->v1, 0},
		[LW_ADMIN_B] = {"admin-b", "village_admin", 0, w->v1, 0},
		[LW_SCORER] = {"scorer", "scorer", 0, w->v1, 0},
		[LW_SCORER_B] = {"scorer-b", "scorer", 0, w->v1, 0},
		[LW_CLERK] = {"clerk", "clerk", 0, w->v1, 0},
		[LW_VILLAGER] = {"villager", "villager", 0, w->v1, w->h1},
		[LW_VILLAGER2] = {"villager2", "villager", 0, w->v1, w->h2},
		[LW_ADMIN2] = {"admin2", "village_admin", 0, w->v2, 0},
	};
	for (int i = 0; i < LW_NUSERS; i++) {
		int64_t id = fx_user(st, shape[i].name, shape[i].role, shape[i].area, shape[i].village,
		                     shape[i].household);
		if (!id || store_user_get(st, id, &w->ar, &w->u[i]) != STORE_OK)
			return false;
		w->as[i] = (actor){.user = &w->u[i], .ip = "10.0.0.8"};
	}
	return true;
}

static inline void lw_done(lworld *w)
{
	arena_free(&w->ar);
	fx_close(&w->db);
}

/* Re-reads user i (after a change behind the actor's back, e.g. a home household). */
static inline bool lw_reload_user(lworld *w, int i)
{
	return store_user_get(w->st, w->u[i].id, &w->ar, &w->u[i]) == STORE_OK;
}

/* A rule straight in the store (no audit row), active and unused; lineage = id.
 * Returns the id or 0. */
static inline int64_t lw_rule(lworld *w, int64_t village, const char *name, int64_t points,
                              const st_rule *extra)
{
	st_rule r;
	if (extra)
		r = *extra;
	else
		memset(&r, 0, sizeof(r));
	r.village_id = village;
	r.name = name;
	r.points = points;
	if (!r.category)
		r.category = "测试";
	if (!r.unit)
		r.unit = "time";
	if (!r.recorders)
		r.recorders = "scorer,village_admin";
	if (!r.description)
		r.description = "";
	r.version = 1;
	r.created_at = time_now();
	int64_t id = 0;
	store_rc rc = store_rule_create(w->st, &r, &id);
	if (rc != STORE_OK)
		fprintf(stderr, "lw_rule %s: %d %s\n", name, rc, store_errmsg());
	return rc == STORE_OK ? id : 0;
}

/* The first column of the first row of the printf-formatted query; -1 on error. */
static inline long long lw_int(lworld *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline long long lw_int(lworld *w, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return fx_int(w->db.path, sql);
}

/* Runs the printf-formatted statement on a raw connection; the SQLite code. */
static inline int lw_exec(lworld *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int lw_exec(lworld *w, const char *fmt, ...)
{
	char sql[2048], msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	int rc = fx_exec(w->db.path, sql, msg, sizeof(msg));
	if (rc != 0)
		fprintf(stderr, "lw_exec(%s): %d %s\n", sql, rc, msg);
	return rc;
}

/* confirmed + pending of the household (0 without a balance row). */
static inline int64_t lw_balance(lworld *w, int64_t household)
{
	st_balance b;
	if (store_balance_get(w->st, household, &b) != STORE_OK)
		return -999999;
	return b.confirmed + b.pending;
}

static inline long long lw_entries(lworld *w)
{
	return fx_int(w->db.path, "SELECT count(*) FROM entries");
}

static inline long long lw_audits(lworld *w)
{
	return fx_int(w->db.path, "SELECT count(*) FROM audit_log");
}

/* Compares an outcome with the expected status, code and a piece of the Chinese
 * message; prints both sides when they differ. */
static inline bool lw_expect(const char *what, core_status got, const core_err *err,
                             core_status want, const char *code, const char *zh)
{
	bool ok = got == want;
	if (ok && want != CORE_OK)
		ok = err->status == want && (!code || strcmp(err->code, code) == 0) &&
		     (!zh || strstr(err->zh, zh) != NULL) && err->zh[0] && err->en[0];
	if (!ok)
		fprintf(stderr, "%s: got %d code \"%s\" zh \"%s\"; want %d %s %s\n", what, got,
		        got == CORE_OK ? "" : err->code, got == CORE_OK ? "" : err->zh, want,
		        code ? code : "", zh ? zh : "");
	return ok;
}

/* Dates: today (China), and fixed dates in the past year (always in the past). */
static inline void lw_today(char out[11])
{
	time_today_cn(out);
}

/* "YYYY-MM-DD" of last year with the given month and day. */
static inline void lw_last_year(char out[11], int month, int day)
{
	char t[11];
	time_today_cn(t);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(atoi(t) - 1) % 10000u, (unsigned)month % 100u,
	         (unsigned)day % 100u);
}

#endif
