/*
 * demo_ledger.c: the demo's rules and history (see demo_ledger.h). The history
 * is deterministic for a given "today", and every entry goes through
 * ledger_record, so caps, the hash chain and balances hold as in real use.
 */
#include "core/demo_ledger.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/claims.h"
#include "core/demo_data.h"
#include "core/ledger.h"
#include "core/rules.h"
#include "util/timeutil.h"

enum {
	R_ELDERS, R_CHILDREN, R_WEDDING, R_FUNERAL, R_BRAVE, R_FOUND, R_PLANT, R_WEED, R_PATROL,
	R_VOLUNTEER, R_STUDY, R_SPORTS, R_YARD, R_FRONT, R_CLUTTER, R_BURNING, R_LAVISH, R_DISPUTE,
	R_COUNT
};

static const struct {
	const char *category, *name, *unit, *description;
	int points, min, max, cap_month, cap_year;
	bool evidence, claimable;
} catalogue[R_COUNT] = {
	[R_ELDERS] = {"尊老爱幼", "孝敬老人", "time", "照顾、赡养老人，被评议小组认可", 5, 0, 0, 10, 0, false, true},
	[R_CHILDREN] = {"尊老爱幼", "关爱留守儿童", "time", "帮扶留守儿童学习生活", 3, 0, 0, 9, 0, false, true},
	[R_WEDDING] = {"移风易俗", "婚事新办", "time", "婚事简办、不收彩礼或低彩礼", 10, 0, 0, 0, 20, true, true},
	[R_FUNERAL] = {"移风易俗", "丧事简办", "time", "丧事从简、文明祭扫", 10, 0, 0, 0, 20, true, true},
	[R_BRAVE] = {"好人好事", "见义勇为", "time", "见义勇为、助人为乐，按事迹定分", 10, 5, 30, 0, 0, false, true},
	[R_FOUND] = {"好人好事", "拾金不昧", "time", "拾到财物主动归还", 5, 0, 0, 0, 0, false, true},
	[R_PLANT] = {"村屯绿化", "植树", "hour", "参加村屯植树", 2, 0, 0, 20, 0, false, false},
	[R_WEED] = {"村屯绿化", "清除杂草", "hour", "清理路边、沟渠杂草", 1, 0, 0, 10, 0, false, false},
	[R_PATROL] = {"防火巡逻", "防火巡逻", "day", "春秋防火期参加巡逻", 3, 0, 0, 30, 0, false, false},
	[R_VOLUNTEER] = {"志愿服务", "志愿服务", "hour", "参加村里组织的志愿服务", 2, 0, 0, 20, 0, false, true},
	[R_STUDY] = {"宣讲学习", "参加宣讲学习", "time", "参加政策宣讲、农技培训", 2, 0, 0, 8, 0, false, false},
	[R_SPORTS] = {"文体活动", "参加文体活动", "time", "参加广场舞、运动会等文体活动", 2, 0, 0, 8, 0, false, false},
	[R_YARD] = {"环境卫生", "庭院整洁", "time", "入户检查：院内干净整洁", 3, 0, 0, 3, 0, false, false},
	[R_FRONT] = {"环境卫生", "门前三包", "time", "入户检查：门前卫生、秩序、绿化", 2, 0, 0, 2, 0, false, false},
	[R_CLUTTER] = {"环境卫生", "乱堆乱放", "time", "柴草、垃圾乱堆乱放", -3, 0, 0, 9, 0, false, false},
	[R_BURNING] = {"环境卫生", "违规焚烧秸秆", "time", "违反禁烧规定焚烧秸秆", -10, 0, 0, 0, 0, false, false},
	[R_LAVISH] = {"移风易俗", "大操大办", "time", "红白事大操大办、铺张浪费", -10, 0, 0, 0, 0, false, false},
	[R_DISPUTE] = {"社会治安", "邻里纠纷", "time", "挑起邻里纠纷，视情节扣分", -5, -10, -2, 0, 0, false, false},
};

typedef struct {
	store *st;
	int64_t village_id;
	const actor *who;
	int64_t rule[R_COUNT];
	int64_t *households;
	size_t nhouseholds;
	demo_rng rng;
	core_err *err;
} demo_ctx;

/* Records rule for the households on date; a cap refusal is skipped quietly
 * (a real scorer would see it and move on), any other error stops the demo. */
static core_status record(demo_ctx *d, int rule, const ledger_target *t, size_t n, int quantity,
                          int points, const char *date, const char *note)
{
	ledger_record_in in = {.village_id = d->village_id, .rule_id = d->rule[rule], .targets = t,
	                       .ntargets = n, .quantity = quantity, .deed_date = date, .note = note,
	                       .has_points = points != 0, .points = points};
	core_err e;
	int64_t batch = 0;
	core_status cs = ledger_record(d->st, d->who, &in, NULL, &batch, &e);
	if (cs == CORE_INVALID && strcmp(e.code, "cap_exceeded") == 0)
		return CORE_OK;
	if (cs != CORE_OK)
		*d->err = e;
	return cs;
}

static core_status record_one(demo_ctx *d, int rule, int64_t household, int quantity, int points,
                              const char *date, const char *note)
{
	ledger_target t = {.household_id = household};
	return record(d, rule, &t, 1, quantity, points, date, note);
}

/* Picks k distinct households at random into t. */
static size_t pick(demo_ctx *d, ledger_target *t, size_t k)
{
	if (k > d->nhouseholds)
		k = d->nhouseholds;
	for (size_t i = 0; i < k; i++) {
		bool dup;
		do {
			t[i].household_id = d->households[demo_rng_below(&d->rng, (uint32_t)d->nhouseholds)];
			t[i].member_id = 0;
			dup = false;
			for (size_t j = 0; j < i; j++)
				if (t[j].household_id == t[i].household_id)
					dup = true;
		} while (dup);
	}
	return k;
}

static core_status make_rules(demo_ctx *d, const actor *admin)
{
	for (int i = 0; i < R_COUNT; i++) {
		st_rule r = {.village_id = d->village_id, .category = catalogue[i].category,
		             .name = catalogue[i].name, .unit = catalogue[i].unit,
		             .description = catalogue[i].description, .points = catalogue[i].points,
		             .has_range = catalogue[i].min != 0, .min_points = catalogue[i].min,
		             .max_points = catalogue[i].max, .cap_month = catalogue[i].cap_month,
		             .cap_year = catalogue[i].cap_year, .evidence_required = catalogue[i].evidence,
		             .claimable = catalogue[i].claimable, .recorders = "scorer,village_admin"};
		if (rule_create(d->st, admin, &r, &d->rule[i], d->err) != CORE_OK)
			return d->err->status;
	}
	return CORE_OK;
}

/* One month of village life: ym is "YYYY-MM", last_day the last day to use. */
static core_status month(demo_ctx *d, const char *ym, int mon, int last_day)
{
	char date[16];
	ledger_target t[LEDGER_MAX_TARGETS];
	core_status cs = CORE_OK;
	/* the monthly yard inspection, group by group, on the 25th (or the last day) */
	snprintf(date, sizeof(date), "%s-%02d", ym, last_day < 25 ? last_day : 25);
	size_t nyard = 0, nfront = 0;
	ledger_target yard[LEDGER_MAX_TARGETS], front[LEDGER_MAX_TARGETS];
	for (size_t i = 0; i < d->nhouseholds; i++) {
		uint32_t roll = demo_rng_below(&d->rng, 100);
		if (roll < 72)
			yard[nyard++].household_id = d->households[i];
		if (roll < 55)
			front[nfront++].household_id = d->households[i];
		if (roll >= 95)
			cs = record_one(d, R_CLUTTER, d->households[i], 1, 0, date, "入户检查发现柴草乱堆");
		if (cs != CORE_OK)
			return cs;
	}
	for (size_t i = 0; i < nyard; i++)
		yard[i].member_id = 0;
	for (size_t i = 0; i < nfront; i++)
		front[i].member_id = 0;
	if ((cs = record(d, R_YARD, yard, nyard, 1, 0, date, "月度入户环境检查")) != CORE_OK ||
	    (cs = record(d, R_FRONT, front, nfront, 1, 0, date, "月度入户环境检查")) != CORE_OK)
		return cs;
	/* spring: tree planting day (150 households, as in the article) and weeding */
	if (mon == 4) {
		snprintf(date, sizeof(date), "%s-10", ym);
		size_t n = pick(d, t, 150);
		if ((cs = record(d, R_PLANT, t, n, 3, 0, date, "春季植树活动")) != CORE_OK)
			return cs;
	}
	if (mon >= 5 && mon <= 8) {
		snprintf(date, sizeof(date), "%s-15", ym);
		size_t n = pick(d, t, 40 + demo_rng_below(&d->rng, 30));
		if ((cs = record(d, R_WEED, t, n, 2, 0, date, "清理村路两侧杂草")) != CORE_OK)
			return cs;
	}
	/* fire season: 28 patrol volunteers, several days a month */
	if (mon == 3 || mon == 4 || mon == 10 || mon == 11) {
		snprintf(date, sizeof(date), "%s-%02d", ym, last_day < 20 ? last_day : 20);
		size_t n = pick(d, t, 28);
		if ((cs = record(d, R_PATROL, t, n, 2 + (int)demo_rng_below(&d->rng, 3), 0, date,
		                 "防火期巡逻")) != CORE_OK)
			return cs;
	}
	/* study sessions and cultural events */
	snprintf(date, sizeof(date), "%s-%02d", ym, last_day < 8 ? last_day : 8);
	size_t n = pick(d, t, 60 + demo_rng_below(&d->rng, 60));
	if ((cs = record(d, R_STUDY, t, n, 1, 0, date, "政策宣讲会")) != CORE_OK)
		return cs;
	if (mon == 1 || mon == 2 || mon == 6 || mon == 9) {
		snprintf(date, sizeof(date), "%s-%02d", ym, last_day < 18 ? last_day : 18);
		n = pick(d, t, 50 + demo_rng_below(&d->rng, 50));
		if ((cs = record(d, R_SPORTS, t, n, 1, 0, date,
		                 mon <= 2 ? "春节文艺汇演" : "广场舞比赛")) != CORE_OK)
			return cs;
	}
	/* good deeds, care for elders, volunteers: a handful of households */
	for (int k = 0; k < 12; k++) {
		int day = 1 + (int)demo_rng_below(&d->rng, (uint32_t)last_day);
		snprintf(date, sizeof(date), "%s-%02d", ym, day);
		int64_t h = d->households[demo_rng_below(&d->rng, (uint32_t)d->nhouseholds)];
		uint32_t what = demo_rng_below(&d->rng, 10);
		if (what < 4)
			cs = record_one(d, R_ELDERS, h, 1, 0, date, "照顾卧床老人");
		else if (what < 6)
			cs = record_one(d, R_VOLUNTEER, h, 2 + (int)demo_rng_below(&d->rng, 3), 0, date,
			                "帮助孤寡老人收秋");
		else if (what < 7)
			cs = record_one(d, R_FOUND, h, 1, 0, date, "拾到手机归还失主");
		else if (what < 8)
			cs = record_one(d, R_CHILDREN, h, 1, 0, date, "辅导留守儿童写作业");
		else if (what < 9)
			cs = record_one(d, R_BRAVE, h, 1, 5 + (int)demo_rng_below(&d->rng, 11), date,
			                "协助扑救邻居家火情");
		else
			cs = record_one(d, R_DISPUTE, h, 1, -2 - (int)demo_rng_below(&d->rng, 4), date,
			                "因宅基地边界与邻居争吵");
		if (cs != CORE_OK)
			return cs;
	}
	if (mon == 11 || mon == 3) {
		snprintf(date, sizeof(date), "%s-%02d", ym, last_day < 12 ? last_day : 12);
		int64_t h = d->households[demo_rng_below(&d->rng, (uint32_t)d->nhouseholds)];
		if ((cs = record_one(d, R_BURNING, h, 1, 0, date, "在田间焚烧秸秆")) != CORE_OK)
			return cs;
	}
	return CORE_OK;
}

/* Reverses one entry of the village: the demo's corrected mistake. */
static core_status correct_mistake(demo_ctx *d)
{
	arena ar;
	arena_init(&ar, 0);
	st_entry_filter f = {.village_id = d->village_id, .offset = 40, .limit = 1};
	st_entry *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_status cs = CORE_OK;
	if (store_entry_list(d->st, &f, &ar, &list, &n, &total) == STORE_OK && n == 1) {
		int64_t batch = 0;
		cs = ledger_reverse(d->st, d->who, list[0].id, "记错户了，已冲销", NULL, &batch, d->err);
	}
	arena_free(&ar);
	return cs;
}

/* The date n days before today (China time), YYYY-MM-DD. */
static void days_ago(int n, char *out)
{
	time_t t = (time_t)(time_now() + 8 * 3600 - (int64_t)n * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Files a claim as who; *id receives it. */
static core_status file_claim(demo_ctx *d, const actor *who, int64_t household, int rule,
                              int quantity, int days, const char *description, int64_t *id)
{
	char date[11];
	days_ago(days, date);
	claim_new c = {.village_id = d->village_id, .household_id = household,
	               .rule_id = d->rule[rule], .quantity = quantity, .deed_date = date,
	               .description = description};
	return claim_file(d->st, who, &c, NULL, id, d->err);
}

/* The claims a visitor sees: the demo villager's approved, rejected and pending
 * ones, claims filed by the scorer for elderly villagers waiting in the review
 * queue, and a large good deed waiting for its second reviewer. */
static core_status make_claims(demo_ctx *d, const actor *scorer, const actor *admin,
                               const actor *villager)
{
	int64_t id = 0;
	claim_outcome out;
	core_status cs = file_claim(d, villager, villager->user->household_id, R_ELDERS, 1, 20,
	                            "照顾瘫痪在床的婆婆一个月，邻居可以作证", &id);
	if (cs == CORE_OK)
		cs = claim_approve(d->st, scorer, id, false, 0, NULL, &out, d->err);
	if (cs == CORE_OK)
		cs = file_claim(d, villager, villager->user->household_id, R_VOLUNTEER, 3, 12,
		                "帮五保户张大爷收玉米", &id);
	if (cs == CORE_OK)
		cs = claim_reject(d->st, admin, id, "当天志愿服务已由评分小组统一记分，请勿重复申报",
		                  NULL, d->err);
	if (cs == CORE_OK)
		cs = file_claim(d, villager, villager->user->household_id, R_FOUND, 1, 2,
		                "在村部门口捡到钱包，已交还失主刘大姐", &id);
	static const char *const asks[] = {"帮邻居照看留守的孙子孙女", "给独居老人送饭一周",
	                                   "主动清理村口垃圾堆"};
	static const int ask_rules[] = {R_CHILDREN, R_ELDERS, R_VOLUNTEER};
	for (int i = 0; i < 3 && cs == CORE_OK; i++)
		cs = file_claim(d, scorer, d->households[20 + 37 * i], ask_rules[i], 1, 3 + i, asks[i], &id);
	if (cs == CORE_OK)
		cs = file_claim(d, scorer, d->households[150], R_BRAVE, 1, 5,
		                "跳进冰冷的河里救起落水儿童", &id);
	if (cs == CORE_OK)
		cs = claim_approve(d->st, admin, id, true, 25, NULL, &out, d->err);
	return cs;
}

core_status demo_ledger_create(store *st, int64_t village_id, const st_user *scorer,
                               const st_user *admin, const st_user *villager, core_err *err)
{
	actor scorer_actor = {.user = scorer, .ip = "demo"};
	actor admin_actor = {.user = admin, .ip = "demo"};
	demo_ctx d = {.st = st, .village_id = village_id, .who = &scorer_actor, .err = err};
	demo_rng_seed(&d.rng, 20240410u);
	arena ar;
	arena_init(&ar, 0);
	st_household_filter f = {.village_id = village_id, .status = "active", .limit = 100000};
	st_household *hh = NULL;
	int64_t total = 0;
	core_status cs = CORE_OK;
	store_rc rc = store_household_list(st, &f, &ar, &hh, &d.nhouseholds, &total);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "户", "households");
		goto out;
	}
	d.households = arena_alloc(&ar, (d.nhouseholds ? d.nhouseholds : 1) * sizeof(int64_t));
	for (size_t i = 0; i < d.nhouseholds; i++)
		d.households[i] = hh[i].id;
	cs = make_rules(&d, &admin_actor);
	if (cs != CORE_OK)
		goto out;
	char today[11];
	time_today_cn(today);
	int year = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 + (today[3] - '0');
	int mon = (today[5] - '0') * 10 + (today[6] - '0');
	int tday = (today[8] - '0') * 10 + (today[9] - '0');
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	/* twelve months, oldest first, ending with the current one */
	for (int k = 11; k >= 0 && cs == CORE_OK; k--) {
		int m = mon - k, y = year;
		while (m < 1) {
			m += 12;
			y--;
		}
		int last = mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
		if (k == 0)
			last = tday;
		char ym[16];
		snprintf(ym, sizeof(ym), "%04d-%02d", y, m);
		cs = month(&d, ym, m, last);
	}
	if (cs == CORE_OK)
		cs = correct_mistake(&d);
	if (cs == CORE_OK && villager) {
		actor villager_actor = {.user = villager, .ip = "demo"};
		cs = make_claims(&d, &scorer_actor, &admin_actor, &villager_actor);
	}
out:
	arena_free(&ar);
	return cs;
}
