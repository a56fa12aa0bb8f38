/*
 * scale_gen.c: builds a province-size jifen database for the scale benchmark
 * (bench/scale_run.py; issue 6, "Scale"): counties → townships → villages →
 * groups → households → members, each village's rule catalogue, staff and goods,
 * and three years of village life day by day across all villages at once —
 * monthly yard inspections group by group, a monthly village activity, good
 * deeds, deductions, corrected mistakes (reversals), quarterly redemptions in
 * the points supermarket, and the monthly notice published on the 1st and
 * confirmed when its 7 days end.
 *
 * It is not a way around the ledger's rules: every entry is hash-chained with
 * the project's own canonical encoding (src/core/chain.c), balances, chain
 * heads and the totals kept for rankings are computed from the same entries,
 * so `jifen verify` checks the result like any other database. It writes rows
 * directly (explicit ids, one long transaction per month, no journal) because
 * 50 million entries through the HTTP API would take days.
 *
 * Not generated (no query of the benchmark reads them): the audit log,
 * idempotency keys, inspection_scores, activity sign-ups, claims, photos,
 * stock moves and sponsors, year-end closes and honours. Staff rows have no
 * password; scale_run.py adds its own logins with `jifen user add`.
 *
 * Build (scale_run.py does this):
 *   cc -O2 -std=c17 -D_DEFAULT_SOURCE -Isrc bench/scale_gen.c src/core/chain.c \
 *      src/util/buf.c -lsqlite3 -lsodium -o scale_gen
 * Run on a database made by `jifen init --db PATH`:
 *   scale_gen --db PATH [--villages 4000] [--households 1000000] [--months 36]
 *             [--today YYYY-MM-DD] [--seed N]
 */
#include <getopt.h>
#include <math.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/chain.h"

#define MAX_MONTHS 60
#define GROUPS 5
#define CN_OFFSET (8 * 3600) /* China time: UTC+8 */

/* ---- the rule catalogue (the demo's, src/core/demo_ledger.c) ----------- */

enum {
	R_ELDERS, R_CHILDREN, R_WEDDING, R_FUNERAL, R_BRAVE, R_FOUND, R_PLANT, R_WEED, R_PATROL,
	R_VOLUNTEER, R_STUDY, R_SPORTS, R_YARD, R_FRONT, R_CLUTTER, R_BURNING, R_LAVISH, R_DISPUTE,
	R_COUNT
};

static const struct {
	const char *category, *name, *unit, *description;
	int points, min, max, cap_month, cap_year;
	int evidence, claimable;
} catalogue[R_COUNT] = {
	[R_ELDERS] = {"尊老爱幼", "孝敬老人", "time", "照顾、赡养老人，被评议小组认可", 5, 0, 0, 10, 0, 0, 1},
	[R_CHILDREN] = {"尊老爱幼", "关爱留守儿童", "time", "帮扶留守儿童学习生活", 3, 0, 0, 9, 0, 0, 1},
	[R_WEDDING] = {"移风易俗", "婚事新办", "time", "婚事简办、不收彩礼或低彩礼", 10, 0, 0, 0, 20, 1, 1},
	[R_FUNERAL] = {"移风易俗", "丧事简办", "time", "丧事从简、文明祭扫", 10, 0, 0, 0, 20, 1, 1},
	[R_BRAVE] = {"好人好事", "见义勇为", "time", "见义勇为、助人为乐，按事迹定分", 10, 5, 30, 0, 0, 0, 1},
	[R_FOUND] = {"好人好事", "拾金不昧", "time", "拾到财物主动归还", 5, 0, 0, 0, 0, 0, 1},
	[R_PLANT] = {"村屯绿化", "植树", "hour", "参加村屯植树", 2, 0, 0, 20, 0, 0, 0},
	[R_WEED] = {"村屯绿化", "清除杂草", "hour", "清理路边、沟渠杂草", 1, 0, 0, 10, 0, 0, 0},
	[R_PATROL] = {"防火巡逻", "防火巡逻", "day", "春秋防火期参加巡逻", 3, 0, 0, 30, 0, 0, 0},
	[R_VOLUNTEER] = {"志愿服务", "志愿服务", "hour", "参加村里组织的志愿服务", 2, 0, 0, 20, 0, 0, 1},
	[R_STUDY] = {"宣讲学习", "参加宣讲学习", "time", "参加政策宣讲、农技培训", 2, 0, 0, 8, 0, 0, 0},
	[R_SPORTS] = {"文体活动", "参加文体活动", "time", "参加广场舞、运动会等文体活动", 2, 0, 0, 8, 0, 0, 0},
	[R_YARD] = {"环境卫生", "庭院整洁", "time", "入户检查：院内干净整洁", 3, 0, 0, 3, 0, 0, 0},
	[R_FRONT] = {"环境卫生", "门前三包", "time", "入户检查：门前卫生、秩序、绿化", 2, 0, 0, 2, 0, 0, 0},
	[R_CLUTTER] = {"环境卫生", "乱堆乱放", "time", "柴草、垃圾乱堆乱放", -3, 0, 0, 9, 0, 0, 0},
	[R_BURNING] = {"环境卫生", "违规焚烧秸秆", "time", "违反禁烧规定焚烧秸秆", -10, 0, 0, 0, 0, 0, 0},
	[R_LAVISH] = {"移风易俗", "大操大办", "time", "红白事大操大办、铺张浪费", -10, 0, 0, 0, 0, 0, 0},
	[R_DISPUTE] = {"社会治安", "邻里纠纷", "time", "挑起邻里纠纷，视情节扣分", -5, -10, -2, 0, 0, 0, 0},
};

static const struct {
	const char *name, *category, *unit;
	int price;
} goods_list[] = {
	{"洗衣液", "清洁用品", "瓶", 30}, {"食用油", "日用品", "桶", 60},   {"大米", "日用品", "袋", 80},
	{"毛巾", "日用品", "条", 15},     {"香皂", "清洁用品", "块", 10},   {"牙膏", "日用品", "支", 12},
	{"洗洁精", "清洁用品", "瓶", 20}, {"不锈钢盆", "厨具", "个", 50}, {"拖把", "清洁用品", "把", 35},
	{"保温壶", "厨具", "个", 70},
};
#define NGOODS (int)(sizeof(goods_list) / sizeof(goods_list[0]))

/* ---- names ------------------------------------------------------------- */

static const char *const surnames[] = {
	"王", "李", "张", "刘", "赵", "于", "孙", "高", "杨", "陈", "徐", "马", "郭", "韩", "曹",
	"宋", "吴", "姜", "崔", "田", "邢", "鲁", "白", "关", "付", "齐", "周", "董", "冯", "孟",
	"丁", "石", "侯", "吕", "朱", "胡", "许", "苏", "佟", "肖",
};
static const char *const given[] = {
	"国庆", "建华", "秀兰", "玉梅", "志强", "桂芳", "德福", "淑珍", "海涛", "丽娟", "春生",
	"凤英", "宝山", "翠花", "长江", "红梅", "文斌", "金凤", "立新", "雪梅", "振国", "晓燕",
	"永胜", "秀英", "铁军", "丽华", "明亮", "彩霞", "庆丰", "春燕", "军", "勇", "伟", "静",
	"磊", "敏", "浩然", "子涵", "欣怡", "宇航",
};
static const char *const place_a[] = {
	"清", "柳", "杨", "石", "河", "太", "新", "平", "东", "西", "南", "北", "大", "小", "红",
	"青", "白", "黄", "金", "双",
};
static const char *const place_b[] = {
	"河", "山", "泉", "树", "岭", "台", "沟", "屯", "堡", "家", "庄", "营", "峪", "湾", "坡",
	"甸", "川", "桥", "林", "洼",
};
static const char *const group_names[GROUPS] = {"第一村民小组", "第二村民小组", "第三村民小组",
                                                "第四村民小组", "第五村民小组"};

/* ---- random numbers (splitmix64: deterministic for a seed) ------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static double unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int poisson(double lambda)
{
	double l = exp(-lambda), p = 1.0;
	int k = 0;
	do {
		k++;
		p *= unif();
	} while (p > l);
	return k - 1;
}

/* ---- dates ------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Unix time of hh:mm on a China-time date. */
static int64_t cn_time(int y, int m, int d, int hh, int mm)
{
	return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 - CN_OFFSET;
}

/* ---- the model held in memory ------------------------------------------ */

typedef struct {
	int32_t village;     /* index into villages */
	int32_t group;       /* 0..GROUPS-1 */
	int64_t member_first; /* first member id */
	uint8_t nmembers;
	uint8_t moved_out;
	int64_t confirmed;
	int64_t pend[2]; /* pending points of months with parity 0 / 1 */
	int32_t entry_count;
	uint64_t touched; /* bit i: an earned entry in month i (totals row exists) */
} household;

typedef struct {
	int64_t id, area_id;
	int64_t first_hh; /* index of its first household */
	int32_t nhh;
	int32_t group_start[GROUPS + 1]; /* household offsets of each group */
	int64_t admin, scorer, clerk;
	int64_t rule_base;  /* rule id of catalogue entry 0 */
	int64_t goods_base; /* goods id of goods_list[0] */
	int64_t seq;
	char head[STORE_HASH_HEX + 1];
	int64_t mcount[MAX_MONTHS], mpoints[MAX_MONTHS]; /* entries with month = i */
	int receipts_today;
} village;

static household *hh;
static int32_t *earned; /* [household * nmonths + month] */
static village *vil;
static int64_t nvil, nhh_total;
static int nmonths, start_y, start_m;
static int64_t next_entry = 1, next_batch = 1, next_notice = 1, next_redemption = 1,
               next_item = 1, next_activity = 1, next_inspection = 1;
static int64_t stat_entries, stat_reversals, stat_redemptions;

/* ---- SQLite ------------------------------------------------------------ */

static sqlite3 *db;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "scale_gen: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", db ? ": " : "", db ? sqlite3_errmsg(db) : "");
	exit(1);
}

static void exec(const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die("%s (%s)", sql, msg ? msg : "");
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		die("prepare %s", sql);
	return s;
}

static void done(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("step %s", sqlite3_sql(s));
	sqlite3_reset(s);
}

static void bi(sqlite3_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s, i, v);
}

/* 0 binds NULL (ids of 0 mean none, as in the store) */
static void bid(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static void bt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static sqlite3_stmt *ins_entry, *ins_batch, *ins_notice, *ins_cmonth, *ins_redemption,
	*ins_item, *ins_activity, *ins_inspection;

/* ---- entries ------------------------------------------------------------- */

static int month_index(int y, int m)
{
	return (y * 12 + m - 1) - (start_y * 12 + start_m - 1);
}

static int64_t new_batch(const village *v, const char *kind, int64_t by, int64_t at)
{
	int64_t id = next_batch++;
	bi(ins_batch, 1, id);
	bi(ins_batch, 2, v->id);
	bt(ins_batch, 3, kind);
	bi(ins_batch, 4, by);
	bi(ins_batch, 5, at);
	done(ins_batch);
	return id;
}

static bool earned_kind(const char *kind)
{
	return !strcmp(kind, "award") || !strcmp(kind, "deduction") || !strcmp(kind, "adjustment");
}

/* Posts e as ledger_post would: the next seq of its village, the chain hash, the
 * household's balance and entry count, the month's notice figures and the
 * points earned per month (for totals). counts_as_earned is for reversals,
 * which count when what they reverse did. Returns the entry id. */
static int64_t post(village *v, int64_t hidx, st_entry *e, int mi, bool counts_as_earned)
{
	char hash[STORE_HASH_HEX + 1];
	household *h = &hh[hidx];
	e->id = next_entry++;
	e->village_id = v->id;
	e->seq = ++v->seq;
	e->household_id = hidx + 1;
	e->prev_hash = v->head;
	if (!e->quantity)
		e->quantity = 1;
	if (!e->note)
		e->note = "";
	if (!e->evidence)
		e->evidence = "[]";
	if (!chain_hash(e, hash))
		die("out of memory");
	sqlite3_stmt *s = ins_entry;
	bi(s, 1, e->id);
	bi(s, 2, e->village_id);
	bi(s, 3, e->seq);
	bi(s, 4, e->household_id);
	bid(s, 5, e->member_id);
	bid(s, 6, e->rule_id);
	bid(s, 7, e->rule_version);
	bid(s, 8, e->rule_lineage);
	sqlite3_bind_text(s, 9, e->kind, -1, SQLITE_STATIC);
	bi(s, 10, e->points);
	bi(s, 11, e->quantity);
	sqlite3_bind_text(s, 12, e->deed_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, e->month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, e->bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, e->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, e->evidence, -1, SQLITE_STATIC);
	bid(s, 17, e->reverses_id);
	bid(s, 18, e->batch_id);
	bid(s, 19, e->claim_id);
	bid(s, 20, e->activity_id);
	bid(s, 21, e->inspection_id);
	bi(s, 22, e->recorded_by);
	bid(s, 23, e->approved_by);
	bi(s, 24, e->created_at);
	sqlite3_bind_text(s, 25, v->head, STORE_HASH_HEX, SQLITE_STATIC);
	sqlite3_bind_text(s, 26, hash, STORE_HASH_HEX, SQLITE_STATIC);
	done(s);
	memcpy(v->head, hash, sizeof(hash));
	/* the month of the entry (its notice) and of the deed (its totals) are the same
	 * here: entries are only written into months that are not yet frozen */
	if (!strcmp(e->bucket, "confirmed"))
		h->confirmed += e->points;
	else
		h->pend[mi & 1] += e->points;
	h->entry_count++;
	v->mcount[mi]++;
	v->mpoints[mi] += e->points;
	if ((earned_kind(e->kind) || counts_as_earned) && e->points) {
		earned[hidx * nmonths + mi] += (int32_t)e->points;
		h->touched |= 1ULL << mi;
	}
	stat_entries++;
	return e->id;
}

/* ---- one day of one village ------------------------------------------- */

typedef struct {
	int y, m, d, mi;
	char date[24], month[16];
	int64_t clock; /* created_at of the next entry */
} day_ctx;

static int64_t tick(day_ctx *dc)
{
	dc->clock += 20 + below(40);
	return dc->clock;
}

static int64_t random_member(const household *h)
{
	return h->member_first + below(h->nmembers);
}

/* An award or deduction recorded by the scorer; now and then corrected at once
 * by the village admin (a reversal). */
static void record(village *v, day_ctx *dc, int64_t hidx, int rule, int quantity, int points,
                   int64_t batch, int64_t activity, int64_t inspection, int64_t member,
                   const char *note)
{
	st_entry e = {
		.member_id = member, .rule_id = v->rule_base + rule, .rule_version = 1,
		.rule_lineage = v->rule_base + rule, .kind = points > 0 ? "award" : "deduction",
		.points = points, .quantity = quantity, .deed_date = dc->date, .month = dc->month,
		.bucket = "pending", .note = note, .batch_id = batch, .activity_id = activity,
		.inspection_id = inspection, .recorded_by = v->scorer, .created_at = tick(dc),
	};
	int64_t id = post(v, hidx, &e, dc->mi, false);
	if (unif() < 0.003) {
		int64_t at = tick(dc);
		st_entry r = e;
		r.kind = "reversal";
		r.points = -points;
		r.note = "录入有误，冲销";
		r.reverses_id = id;
		r.batch_id = new_batch(v, "reversal", v->admin, at);
		r.activity_id = r.inspection_id = 0;
		r.recorded_by = v->admin;
		r.created_at = at;
		post(v, hidx, &r, dc->mi, true);
		stat_reversals++;
	}
}

static void single(village *v, day_ctx *dc, int64_t hidx, int rule, int quantity, int points,
                   bool with_member, const char *note)
{
	int64_t batch = new_batch(v, "record", v->scorer, dc->clock);
	record(v, dc, hidx, rule, quantity, points, batch, 0, 0,
	       with_member ? random_member(&hh[hidx]) : 0, note);
}

static int64_t random_household(const village *v)
{
	return v->first_hh + below((uint32_t)v->nhh);
}

static void deeds(village *v, day_ctx *dc)
{
	static const char *const notes[] = {"", "", "村民小组评议通过", "邻里反映属实", ""};
	int n = poisson(v->nhh * 0.15 / 30.4);
	for (int i = 0; i < n; i++) {
		int64_t h = random_household(v);
		if (hh[h].moved_out)
			continue;
		double p = unif();
		const char *note = notes[below(5)];
		if (p < 0.30)
			single(v, dc, h, R_ELDERS, 1, 5, true, note);
		else if (p < 0.52)
			single(v, dc, h, R_CHILDREN, 1, 3, true, note);
		else if (p < 0.86) {
			int q = 1 + (int)below(4);
			single(v, dc, h, R_VOLUNTEER, q, 2 * q, true, note);
		} else if (p < 0.97)
			single(v, dc, h, R_FOUND, 1, 5, true, "拾到财物主动归还失主");
		else
			single(v, dc, h, R_BRAVE, 1, 5 + (int)below(26), true, "见义勇为，事迹经村委会核实");
	}
	n = poisson(v->nhh * 0.02 / 30.4);
	for (int i = 0; i < n; i++) {
		int64_t h = random_household(v);
		if (hh[h].moved_out)
			continue;
		double p = unif();
		if (p < 0.4)
			single(v, dc, h, R_BURNING, 1, -10, false, "田间焚烧秸秆，村干部现场制止");
		else if (p < 0.5)
			single(v, dc, h, R_LAVISH, 1, -10, false, "婚宴超过规定桌数");
		else
			single(v, dc, h, R_DISPUTE, 1, -2 - (int)below(9), false, "与邻居因宅基地发生争吵");
	}
}

/* The monthly yard inspection of group g: a batch, one entry per household. */
static void inspection(village *v, day_ctx *dc, int g)
{
	int64_t at = dc->clock;
	int64_t id = next_inspection++;
	bi(ins_inspection, 1, id);
	bi(ins_inspection, 2, v->id);
	bi(ins_inspection, 3, (v->id - 1) * GROUPS + g + 1);
	bt(ins_inspection, 4, dc->date);
	bi(ins_inspection, 5, v->scorer);
	bi(ins_inspection, 6, at);
	done(ins_inspection);
	int64_t batch = new_batch(v, "inspection", v->scorer, at);
	for (int32_t i = v->group_start[g]; i < v->group_start[g + 1]; i++) {
		int64_t h = v->first_hh + i;
		if (hh[h].moved_out || unif() >= 0.92)
			continue;
		double p = unif();
		if (p < 0.78)
			record(v, dc, h, R_YARD, 1, 3, batch, 0, id, 0, "");
		else if (p < 0.92)
			record(v, dc, h, R_FRONT, 1, 2, batch, 0, id, 0, "");
		else
			record(v, dc, h, R_CLUTTER, 1, -3, batch, 0, id, 0, "院外柴草堆放杂乱");
	}
}

/* The village's activity of the month: a quarter of the households come. */
static void activity(village *v, day_ctx *dc)
{
	int rule, qmax;
	const char *name;
	switch (dc->m) {
	case 4: rule = R_PLANT, qmax = 4, name = "春季植树"; break;
	case 3: case 10: case 11: rule = R_PATROL, qmax = 3, name = "防火巡逻"; break;
	case 6: case 7: case 8: rule = R_WEED, qmax = 5, name = "清除路边杂草"; break;
	case 5: case 9: rule = R_SPORTS, qmax = 1, name = "村民广场舞比赛"; break;
	default: rule = R_STUDY, qmax = 1, name = "政策宣讲会"; break;
	}
	int64_t at = dc->clock;
	int64_t id = next_activity++;
	int64_t batch = new_batch(v, "activity", v->scorer, at);
	bi(ins_activity, 1, id);
	bi(ins_activity, 2, v->id);
	bt(ins_activity, 3, name);
	bi(ins_activity, 4, v->rule_base + rule);
	bt(ins_activity, 5, dc->date);
	bi(ins_activity, 6, batch);
	bi(ins_activity, 7, v->scorer);
	bi(ins_activity, 8, at - 5 * 86400);
	done(ins_activity);
	for (int32_t i = 0; i < v->nhh; i++) {
		int64_t h = v->first_hh + i;
		if (hh[h].moved_out || unif() >= 0.25)
			continue;
		int q = 1 + (int)below((uint32_t)qmax);
		record(v, dc, h, rule, q, catalogue[rule].points * q, batch, id, 0, random_member(&hh[h]),
		       name);
	}
}

/* Redemption day: households spend confirmed points on one or two goods. */
static void redemptions(village *v, day_ctx *dc, double share)
{
	for (int32_t i = 0; i < v->nhh; i++) {
		int64_t hidx = v->first_hh + i;
		household *h = &hh[hidx];
		if (h->moved_out || h->confirmed < 10 || unif() >= share)
			continue;
		int items[2], nitems = 0, total = 0;
		for (int k = 0; k < 2; k++) {
			int g = (int)below(NGOODS);
			if (nitems && g == items[0])
				break;
			if (total + goods_list[g].price > h->confirmed)
				break;
			items[nitems++] = g;
			total += goods_list[g].price;
		}
		if (!nitems)
			continue;
		int64_t at = tick(dc);
		char receipt[48], note[96];
		snprintf(receipt, sizeof(receipt), "JF%lld-%.4s%.2s%.2s-%04d", (long long)v->id, dc->date,
		         dc->date + 5, dc->date + 8, ++v->receipts_today);
		snprintf(note, sizeof(note), "积分超市兑换（%s）", receipt);
		st_entry e = {
			.kind = "redemption", .points = -total, .quantity = 1, .deed_date = dc->date,
			.month = dc->month, .bucket = "confirmed", .note = note,
			.batch_id = new_batch(v, "redemption", v->clerk, at), .recorded_by = v->clerk,
			.created_at = at,
		};
		int64_t entry = post(v, hidx, &e, dc->mi, false);
		int64_t rid = next_redemption++;
		bi(ins_redemption, 1, rid);
		bi(ins_redemption, 2, v->id);
		bi(ins_redemption, 3, hidx + 1);
		bt(ins_redemption, 4, receipt);
		bi(ins_redemption, 5, total);
		bi(ins_redemption, 6, entry);
		bi(ins_redemption, 7, h->confirmed);
		bi(ins_redemption, 8, v->clerk);
		bi(ins_redemption, 9, at);
		done(ins_redemption);
		for (int k = 0; k < nitems; k++) {
			bi(ins_item, 1, next_item++);
			bi(ins_item, 2, rid);
			bi(ins_item, 3, v->id);
			bi(ins_item, 4, v->goods_base + items[k]);
			bi(ins_item, 5, 1);
			bi(ins_item, 6, goods_list[items[k]].price);
			done(ins_item);
		}
		stat_redemptions++;
	}
}

/* The notice of month mi, published on the 1st of the next month at 08:00 with the
 * chain head of that moment; confirmed by the scheduler when its 7 days end. */
static void publish(village *v, const day_ctx *dc, int mi)
{
	int y = start_y + (start_m - 1 + mi) / 12, m = (start_m - 1 + mi) % 12 + 1;
	char month[16];
	snprintf(month, sizeof(month), "%04d-%02d", y, m);
	int64_t at = cn_time(dc->y, dc->m, 1, 8, 0), closes = at + 7 * 86400;
	sqlite3_stmt *s = ins_notice;
	bi(s, 1, next_notice++);
	bi(s, 2, v->id);
	bt(s, 3, month);
	bi(s, 4, v->admin);
	bi(s, 5, at);
	bi(s, 6, closes);
	bi(s, 7, closes + 60);
	bi(s, 8, v->seq);
	bt(s, 9, v->head);
	bi(s, 10, v->mcount[mi]);
	bi(s, 11, v->mpoints[mi]);
	done(s);
}

static void confirm(village *v, int mi)
{
	int y = start_y + (start_m - 1 + mi) / 12, m = (start_m - 1 + mi) % 12 + 1;
	char month[16];
	snprintf(month, sizeof(month), "%04d-%02d", y, m);
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
	bi(ins_cmonth, 1, v->id);
	bt(ins_cmonth, 2, month);
	bi(ins_cmonth, 3, cn_time(ny, nm, 8, 8, 1));
	done(ins_cmonth);
	for (int32_t i = 0; i < v->nhh; i++) {
		household *h = &hh[v->first_hh + i];
		h->confirmed += h->pend[mi & 1];
		h->pend[mi & 1] = 0;
	}
}

static void village_day(village *v, day_ctx *dc)
{
	dc->clock = cn_time(dc->y, dc->m, dc->d, 8, 30);
	v->receipts_today = 0;
	if (dc->d == 1 && dc->mi > 0)
		publish(v, dc, dc->mi - 1);
	if (dc->d == 8 && dc->mi > 0)
		confirm(v, dc->mi - 1);
	deeds(v, dc);
	for (int g = 0; g < GROUPS; g++)
		if (dc->d == 5 + 4 * g)
			inspection(v, dc, g);
	if (dc->d == 12 + (int)(v->id % 10))
		activity(v, dc);
	bool window = dc->m == 1 || dc->m == 4 || dc->m == 7 || dc->m == 10;
	if (window && dc->d == 9)
		redemptions(v, dc, 0.30);
	if (window && dc->d == 10)
		redemptions(v, dc, 0.25);
}

/* ---- the organisation ------------------------------------------------- */

static void name_of(char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", surnames[below(sizeof(surnames) / sizeof(surnames[0]))],
	         given[below(sizeof(given) / sizeof(given[0]))]);
}

static void make_org(int64_t now)
{
	int64_t ncounty = (nvil + 99) / 100, ntown = (nvil + 9) / 10;
	sqlite3_stmt *area = prep("INSERT INTO areas(id, parent_id, level, name, created_at)"
	                          " VALUES (?1, ?2, ?3, ?4, ?5)");
	char name[64];
	for (int64_t c = 0; c < ncounty; c++) {
		snprintf(name, sizeof(name), "%s%s县", place_a[c % 20], place_b[(c / 20 + c) % 20]);
		bi(area, 1, c + 1);
		sqlite3_bind_null(area, 2);
		bt(area, 3, "county");
		bt(area, 4, name);
		bi(area, 5, now);
		done(area);
	}
	for (int64_t t = 0; t < ntown; t++) {
		snprintf(name, sizeof(name), "%s%s镇", place_a[(t * 7) % 20], place_b[(t * 3 + t / 20) % 20]);
		bi(area, 1, ncounty + t + 1);
		bi(area, 2, t / 10 + 1);
		bt(area, 3, "township");
		bt(area, 4, name);
		bi(area, 5, now);
		done(area);
	}
	sqlite3_finalize(area);

	sqlite3_stmt *vs = prep("INSERT INTO villages(id, area_id, name, created_at) VALUES (?1, ?2, ?3, ?4)");
	sqlite3_stmt *gs = prep("INSERT INTO villager_groups(id, village_id, name, sort) VALUES (?1, ?2, ?3, ?4)");
	sqlite3_stmt *us = prep("INSERT INTO users(id, username, display_name, role, village_id,"
	                        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
	sqlite3_stmt *rs = prep(
		"INSERT INTO rules(id, village_id, lineage_id, version, category, name, points,"
		" min_points, max_points, unit, cap_month, cap_year, evidence_required, claimable,"
		" description, used, created_by, created_at) VALUES (?1, ?2, ?1, 1, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?15)");
	sqlite3_stmt *gds = prep(
		"INSERT INTO goods(id, village_id, name, category, unit, price_points, stock,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1000, ?7, ?7)");
	sqlite3_stmt *ws = prep(
		"INSERT INTO redemption_windows(village_id, starts_on, ends_on, note, created_by,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_stmt *hs = prep(
		"INSERT INTO households(id, village_id, group_id, passbook_no, head_name, address,"
		" phone, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
	sqlite3_stmt *ms = prep(
		"INSERT INTO members(id, village_id, household_id, name, relation, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int64_t begin = cn_time(start_y, start_m, 1, 8, 0) - 30 * 86400;

	/* village sizes: uneven (40%..160% of the mean), summing to the total */
	double *w = calloc((size_t)nvil, sizeof(double)), sum = 0;
	for (int64_t i = 0; i < nvil; i++)
		sum += (w[i] = 0.4 + 1.2 * unif());
	int64_t given_out = 0;
	for (int64_t i = 0; i < nvil; i++) {
		vil[i].nhh = (int32_t)((double)nhh_total * w[i] / sum);
		if (vil[i].nhh < GROUPS)
			vil[i].nhh = GROUPS;
		given_out += vil[i].nhh;
	}
	for (int64_t i = 0; given_out < nhh_total; i = (i + 1) % nvil, given_out++)
		vil[i].nhh++;
	free(w);

	int64_t hidx = 0, member = 1;
	for (int64_t i = 0; i < nvil; i++) {
		village *v = &vil[i];
		v->id = i + 1;
		v->area_id = ncounty + i / 10 + 1;
		v->first_hh = hidx;
		memset(v->head, '0', STORE_HASH_HEX);
		snprintf(name, sizeof(name), "%s%s村", place_a[(i * 3 + i / 10) % 20], place_b[i % 10 + (i / 100) % 10]);
		/* unique within its township: ten villages with distinct second characters */
		bi(vs, 1, v->id);
		bi(vs, 2, v->area_id);
		bt(vs, 3, name);
		bi(vs, 4, begin);
		done(vs);
		for (int g = 0; g < GROUPS; g++) {
			bi(gs, 1, (v->id - 1) * GROUPS + g + 1);
			bi(gs, 2, v->id);
			bt(gs, 3, group_names[g]);
			bi(gs, 4, g + 1);
			done(gs);
			v->group_start[g] = (int32_t)((int64_t)v->nhh * g / GROUPS);
		}
		v->group_start[GROUPS] = v->nhh;
		static const char *const roles[3] = {"village_admin", "scorer", "clerk"};
		static const char *const tags[3] = {"admin", "scorer", "clerk"};
		for (int k = 0; k < 3; k++) {
			char uname[48], dname[32];
			int64_t uid = (v->id - 1) * 3 + k + 1;
			snprintf(uname, sizeof(uname), "v%lld-%s", (long long)v->id, tags[k]);
			name_of(dname, sizeof(dname));
			bi(us, 1, uid);
			bt(us, 2, uname);
			bt(us, 3, dname);
			bt(us, 4, roles[k]);
			bi(us, 5, v->id);
			bi(us, 6, begin);
			done(us);
		}
		v->admin = (v->id - 1) * 3 + 1;
		v->scorer = v->admin + 1;
		v->clerk = v->admin + 2;
		v->rule_base = (v->id - 1) * R_COUNT + 1;
		for (int r = 0; r < R_COUNT; r++) {
			bi(rs, 1, v->rule_base + r);
			bi(rs, 2, v->id);
			bt(rs, 3, catalogue[r].category);
			bt(rs, 4, catalogue[r].name);
			bi(rs, 5, catalogue[r].points);
			bid(rs, 6, catalogue[r].min); /* 0: no range (NULL) */
			bid(rs, 7, catalogue[r].max);
			bt(rs, 8, catalogue[r].unit);
			bid(rs, 9, catalogue[r].cap_month);
			bid(rs, 10, catalogue[r].cap_year);
			bi(rs, 11, catalogue[r].evidence);
			bi(rs, 12, catalogue[r].claimable);
			bt(rs, 13, catalogue[r].description);
			bi(rs, 14, v->admin);
			bi(rs, 15, begin);
			done(rs);
		}
		v->goods_base = (v->id - 1) * NGOODS + 1;
		for (int g = 0; g < NGOODS; g++) {
			bi(gds, 1, v->goods_base + g);
			bi(gds, 2, v->id);
			bt(gds, 3, goods_list[g].name);
			bt(gds, 4, goods_list[g].category);
			bt(gds, 5, goods_list[g].unit);
			bi(gds, 6, goods_list[g].price);
			bi(gds, 7, begin);
			done(gds);
		}
		for (int mi = 0; mi < nmonths; mi++) {
			int y = start_y + (start_m - 1 + mi) / 12, m = (start_m - 1 + mi) % 12 + 1;
			if (m != 1 && m != 4 && m != 7 && m != 10)
				continue;
			char from[24], to[24];
			snprintf(from, sizeof(from), "%04d-%02d-01", y, m);
			snprintf(to, sizeof(to), "%04d-%02d-10", y, m);
			bi(ws, 1, v->id);
			bt(ws, 2, from);
			bt(ws, 3, to);
			bt(ws, 4, "季度兑换");
			bi(ws, 5, v->admin);
			bi(ws, 6, cn_time(y, m, 1, 7, 0) - 10 * 86400);
			done(ws);
		}
		for (int32_t j = 0; j < v->nhh; j++, hidx++) {
			household *h = &hh[hidx];
			h->village = (int32_t)i;
			h->group = 0;
			for (int g = 0; g < GROUPS; g++)
				if (j >= v->group_start[g])
					h->group = g;
			h->moved_out = unif() < 0.01;
			h->nmembers = (uint8_t)(2 + below(4));
			h->member_first = member;
			char head[32], pb[16], addr[64], phone[16];
			const char *sur = surnames[below(sizeof(surnames) / sizeof(surnames[0]))];
			snprintf(head, sizeof(head), "%s%s", sur, given[below(sizeof(given) / sizeof(given[0]))]);
			snprintf(pb, sizeof(pb), "%d", 1001 + j);
			snprintf(addr, sizeof(addr), "%s%d号", group_names[h->group], j + 1);
			snprintf(phone, sizeof(phone), "13%09u", (unsigned)below(1000000000));
			bi(hs, 1, hidx + 1);
			bi(hs, 2, v->id);
			bi(hs, 3, (v->id - 1) * GROUPS + h->group + 1);
			bt(hs, 4, pb);
			bt(hs, 5, head);
			bt(hs, 6, addr);
			bt(hs, 7, phone);
			bt(hs, 8, h->moved_out ? "moved_out" : "active");
			bi(hs, 9, begin);
			done(hs);
			static const char *const rel[] = {"户主", "配偶", "子女", "子女", "父母"};
			for (int k = 0; k < h->nmembers; k++) {
				char mname[32];
				if (k == 0)
					snprintf(mname, sizeof(mname), "%s", head);
				else if (k == 2 || k == 3)
					snprintf(mname, sizeof(mname), "%s%s", sur, given[below(sizeof(given) / sizeof(given[0]))]);
				else
					name_of(mname, sizeof(mname));
				bi(ms, 1, member++);
				bi(ms, 2, v->id);
				bi(ms, 3, hidx + 1);
				bt(ms, 4, mname);
				bt(ms, 5, rel[k]);
				bi(ms, 6, begin);
				done(ms);
			}
		}
	}
	sqlite3_finalize(vs);
	sqlite3_finalize(gs);
	sqlite3_finalize(us);
	sqlite3_finalize(rs);
	sqlite3_finalize(gds);
	sqlite3_finalize(ws);
	sqlite3_finalize(hs);
	sqlite3_finalize(ms);
}

/* ---- what the ledger keeps beside the entries -------------------------- */

static void write_kept(int64_t now)
{
	sqlite3_stmt *bs = prep("INSERT INTO balances(household_id, village_id, confirmed, pending,"
	                        " entry_count, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	sqlite3_stmt *ts = prep("INSERT INTO totals(village_id, household_id, period, earned)"
	                        " VALUES (?1, ?2, ?3, ?4)");
	sqlite3_stmt *cs = prep("INSERT INTO chain_heads(village_id, seq, hash) VALUES (?1, ?2, ?3)");
	for (int64_t i = 0; i < nvil; i++) {
		if (!vil[i].seq)
			continue;
		bi(cs, 1, vil[i].id);
		bi(cs, 2, vil[i].seq);
		bt(cs, 3, vil[i].head);
		done(cs);
	}
	int nyears = (start_m - 1 + nmonths - 1) / 12 + 1;
	for (int64_t i = 0; i < nhh_total; i++) {
		household *h = &hh[i];
		int64_t vid = vil[h->village].id;
		if (h->entry_count) {
			bi(bs, 1, i + 1);
			bi(bs, 2, vid);
			bi(bs, 3, h->confirmed);
			bi(bs, 4, h->pend[0] + h->pend[1]);
			bi(bs, 5, h->entry_count);
			bi(bs, 6, now);
			done(bs);
		}
		/* per year: "YYYY", its months "YYYY-MM", its quarters "YYYY-Qn" */
		for (int yi = 0; yi < nyears; yi++) {
			int y = start_y + yi;
			int64_t year_sum = 0, q_sum[4] = {0};
			bool year_touched = false, q_touched[4] = {false};
			char period[16];
			for (int m = 1; m <= 12; m++) {
				int mi = month_index(y, m);
				if (mi < 0 || mi >= nmonths || !(h->touched & (1ULL << mi)))
					continue;
				int32_t e = earned[i * nmonths + mi];
				year_sum += e, q_sum[(m - 1) / 3] += e;
				year_touched = q_touched[(m - 1) / 3] = true;
			}
			if (!year_touched)
				continue;
			snprintf(period, sizeof(period), "%04d", y);
			bi(ts, 1, vid), bi(ts, 2, i + 1), bt(ts, 3, period), bi(ts, 4, year_sum);
			done(ts);
			for (int m = 1; m <= 12; m++) {
				int mi = month_index(y, m);
				if (mi < 0 || mi >= nmonths || !(h->touched & (1ULL << mi)))
					continue;
				snprintf(period, sizeof(period), "%04d-%02d", y, m);
				bi(ts, 1, vid), bi(ts, 2, i + 1), bt(ts, 3, period);
				bi(ts, 4, earned[i * nmonths + mi]);
				done(ts);
			}
			for (int q = 0; q < 4; q++) {
				if (!q_touched[q])
					continue;
				snprintf(period, sizeof(period), "%04d-Q%d", y, q + 1);
				bi(ts, 1, vid), bi(ts, 2, i + 1), bt(ts, 3, period), bi(ts, 4, q_sum[q]);
				done(ts);
			}
		}
	}
	sqlite3_finalize(bs);
	sqlite3_finalize(ts);
	sqlite3_finalize(cs);
}

/* ---- main -------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: scale_gen --db PATH [--villages N] [--households N] [--months N]\n"
	                "                 [--today YYYY-MM-DD] [--seed N] [--cache-mb N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},        {"villages", required_argument, 0, 'v'},
		{"households", required_argument, 0, 'H'}, {"months", required_argument, 0, 'm'},
		{"today", required_argument, 0, 't'},     {"seed", required_argument, 0, 's'},
		{"cache-mb", required_argument, 0, 'c'},  {0, 0, 0, 0},
	};
	const char *path = NULL, *today = NULL;
	nvil = 4000;
	nhh_total = 1000000;
	nmonths = 36;
	uint64_t seed = 20241;
	int64_t cache_mb = 3072;
	for (;;) {
		int c = getopt_long(argc, argv, "", opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'd': path = optarg; break;
		case 'v': nvil = atoll(optarg); break;
		case 'H': nhh_total = atoll(optarg); break;
		case 'm': nmonths = atoi(optarg); break;
		case 't': today = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'c': cache_mb = atoll(optarg); break;
		default: usage();
		}
	}
	if (!path || nvil < 1 || nhh_total < nvil * GROUPS || nmonths < 2 || nmonths > MAX_MONTHS)
		usage();
	if (sodium_init() < 0)
		die("libsodium");
	rng_state = seed;
	int ty, tm, td;
	if (today) {
		if (sscanf(today, "%d-%d-%d", &ty, &tm, &td) != 3)
			usage();
	} else {
		time_t t = time(NULL) + CN_OFFSET;
		struct tm g;
		gmtime_r(&t, &g);
		ty = g.tm_year + 1900, tm = g.tm_mon + 1, td = g.tm_mday;
	}
	/* months: the current one and the nmonths - 1 before it; days up to yesterday */
	int first = ty * 12 + tm - 1 - (nmonths - 1);
	start_y = first / 12, start_m = first % 12 + 1;
	int64_t last_day = days_from_civil(ty, tm, td) - 1;
	int64_t now = (int64_t)time(NULL);

	hh = calloc((size_t)nhh_total, sizeof(household));
	earned = calloc((size_t)nhh_total * (size_t)nmonths, sizeof(int32_t));
	vil = calloc((size_t)nvil, sizeof(village));
	if (!hh || !earned || !vil)
		die("out of memory");

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("open %s", path);
	exec("PRAGMA journal_mode=DELETE");
	exec("PRAGMA journal_mode=OFF");
	exec("PRAGMA synchronous=OFF");
	exec("PRAGMA foreign_keys=OFF");
	exec("PRAGMA temp_store=MEMORY");
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%lld", (long long)cache_mb * 1024);
	exec(pragma);
	sqlite3_stmt *chk = prep("SELECT (SELECT count(*) FROM villages) + (SELECT count(*) FROM entries)");
	if (sqlite3_step(chk) != SQLITE_ROW || sqlite3_column_int64(chk, 0) != 0)
		die("%s is not an empty database made by `jifen init`", path);
	sqlite3_finalize(chk);

	double t0 = now_s();
	exec("BEGIN");
	make_org(now);
	exec("COMMIT");
	double t_org = now_s() - t0;
	fprintf(stderr, "organisation: %lld villages, %lld households (%.1f s)\n", (long long)nvil,
	        (long long)nhh_total, t_org);

	ins_entry = prep(
		"INSERT INTO entries(id, village_id, seq, household_id, member_id, rule_id, rule_version,"
		" rule_lineage, kind, points, quantity, deed_date, month, bucket, note, evidence,"
		" reverses_id, batch_id, claim_id, activity_id, inspection_id, recorded_by,"
		" approved_by, created_at, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)");
	ins_batch = prep("INSERT INTO batches(id, village_id, kind, created_by, created_at)"
	                 " VALUES (?1, ?2, ?3, ?4, ?5)");
	ins_notice = prep(
		"INSERT INTO notices(id, village_id, month, status, published_by, published_at,"
		" closes_at, confirmed_at, chain_seq, chain_hash, entry_count, total_points)"
		" VALUES (?1, ?2, ?3, 'confirmed', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	ins_cmonth = prep("INSERT INTO confirmed_months(village_id, month, confirmed_at) VALUES (?1, ?2, ?3)");
	ins_redemption = prep(
		"INSERT INTO redemptions(id, village_id, household_id, receipt_no, total_points,"
		" entry_id, balance_after, status, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'done', ?8, ?9)");
	ins_item = prep("INSERT INTO redemption_items(id, redemption_id, village_id, goods_id,"
	                " quantity, price_points) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	ins_activity = prep(
		"INSERT INTO activities(id, village_id, name, rule_id, activity_date, status, batch_id,"
		" created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'awarded', ?6, ?7, ?8)");
	ins_inspection = prep(
		"INSERT INTO inspections(id, village_id, group_id, inspection_date, status, created_by,"
		" created_at) VALUES (?1, ?2, ?3, ?4, 'closed', ?5, ?6)");

	double t1 = now_s();
	exec("BEGIN");
	int y = start_y, m = start_m, d = 1;
	for (int64_t day = days_from_civil(y, m, 1); day <= last_day; day++) {
		day_ctx dc = {.y = y, .m = m, .d = d, .mi = month_index(y, m)};
		snprintf(dc.date, sizeof(dc.date), "%04d-%02d-%02d", y, m, d);
		snprintf(dc.month, sizeof(dc.month), "%04d-%02d", y, m);
		for (int64_t i = 0; i < nvil; i++)
			village_day(&vil[i], &dc);
		if (++d > days_in_month(y, m)) {
			exec("COMMIT");
			double el = now_s() - t1;
			fprintf(stderr, "%s: %lld entries (%.0f s, %.0f entries/s)\n", dc.month,
			        (long long)stat_entries, el, (double)stat_entries / el);
			exec("BEGIN");
			d = 1;
			if (++m > 12)
				m = 1, y++;
		}
	}
	exec("COMMIT");
	double t_entries = now_s() - t1;
	double t2 = now_s();
	exec("BEGIN");
	write_kept(now);
	exec("COMMIT");
	double t_kept = now_s() - t2;
	/* back to the mode jifen runs in */
	exec("PRAGMA journal_mode=WAL");
	sqlite3_finalize(ins_entry);
	sqlite3_finalize(ins_batch);
	sqlite3_finalize(ins_notice);
	sqlite3_finalize(ins_cmonth);
	sqlite3_finalize(ins_redemption);
	sqlite3_finalize(ins_item);
	sqlite3_finalize(ins_activity);
	sqlite3_finalize(ins_inspection);
	sqlite3_close(db);
	db = NULL;
	double total = now_s() - t0;
	printf("{\"villages\": %lld, \"households\": %lld, \"months\": %d, \"first_month\": \"%04d-%02d\","
	       " \"entries\": %lld, \"reversals\": %lld, \"redemptions\": %lld,"
	       " \"seconds_org\": %.1f, \"seconds_entries\": %.1f, \"seconds_kept\": %.1f,"
	       " \"seconds_total\": %.1f}\n",
	       (long long)nvil, (long long)nhh_total, nmonths, start_y, start_m,
	       (long long)stat_entries, (long long)stat_reversals, (long long)stat_redemptions, t_org,
	       t_entries, t_kept, total);
	free(hh);
	free(earned);
	free(vil);
	return 0;
}
