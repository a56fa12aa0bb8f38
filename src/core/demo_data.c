/*
 * demo_data.c: the demo village generator (see demo_data.h). The realism lives
 * in the tables: surnames weighted roughly as they occur in Liaoning villages,
 * and given names by generation (elders born before the mid-1950s, the middle
 * generation that heads most households, their grown children born in the
 * 1980s–90s, and grandchildren born after 2000), each list in its own era's
 * taste. The household shapes follow a rural northeast village today: many
 * elderly couples and widows living alone, sons who bring a wife home,
 * grandchildren left with their grandparents while the parents work in the
 * city, now and then an old parent living with the head. Nothing here talks to
 * a database or keeps state between calls.
 */
#include "core/demo_data.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_VILLAGE "高箭沟村"

/* ---- random numbers ---------------------------------------------------- */

/* splitmix64 needs no warming up: the seed is the state. */
void demo_rng_seed(demo_rng *r, uint64_t seed)
{
	r->s = seed;
}

/* splitmix64 (Steele, Lea and Flood; the constants are Vigna's). */
uint64_t demo_rng_next(demo_rng *r)
{
	r->s += UINT64_C(0x9E3779B97F4A7C15);
	uint64_t z = r->s;
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Rejects the top sliver of the 64-bit range that would favour small values. */
uint32_t demo_rng_below(demo_rng *r, uint32_t n)
{
	if (n == 0)
		return 0;
	uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* a multiple of n */
	uint64_t x = demo_rng_next(r);
	while (x >= limit)
		x = demo_rng_next(r);
	return (uint32_t)(x % n);
}

/* True with probability percent/100. */
static bool chance(demo_rng *r, uint32_t percent)
{
	return demo_rng_below(r, 100) < percent;
}

/* Index into weights[0..n) chosen with probability proportional to its weight. */
static size_t pick_weighted(demo_rng *r, const unsigned *weights, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	unsigned x = demo_rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the tables -------------------------------------------------------- */

/* Common surnames of rural Liaoning (Han, and the Manchu 关 佟 那 富 郎 金),
 * weighted by how often a family in a village carries them. */
static const struct {
	const char *name;
	unsigned weight;
} surnames[] = {
	{"王", 70}, {"李", 64}, {"张", 60}, {"刘", 55}, {"赵", 34}, {"于", 30}, {"孙", 28},
	{"高", 25}, {"杨", 22}, {"陈", 15}, {"徐", 15}, {"马", 14}, {"郭", 12}, {"韩", 14},
	{"曹", 10}, {"宋", 12}, {"吴", 10}, {"姜", 12}, {"崔", 10}, {"田", 10}, {"邢", 6},
	{"鲁", 5},  {"白", 7},  {"关", 8},  {"付", 9},  {"齐", 6},  {"周", 10}, {"董", 9},
	{"冯", 8},  {"孟", 7},  {"丁", 5},  {"石", 6},  {"侯", 5},  {"吕", 5},  {"朱", 7},
	{"胡", 6},  {"许", 5},  {"苏", 5},  {"佟", 6},  {"肖", 6},  {"何", 5},  {"金", 5},
	{"常", 5},  {"谷", 4},  {"隋", 4},  {"闫", 5},  {"尹", 4},  {"薛", 4},  {"秦", 4},
	{"那", 3},  {"富", 3},  {"郎", 3},  {"梁", 5},  {"程", 4},  {"林", 4},  {"黄", 4},
};

enum gen { GEN_ELDER, GEN_MIDDLE, GEN_YOUNG, GEN_CHILD, GEN_COUNT };
enum sex { SEX_MALE, SEX_FEMALE };

/* Born before about 1955. */
static const char *const elder_male[] = {
	"宝山", "长林", "德福", "福才", "振海", "玉林", "景春", "万有", "永贵", "殿臣",
	"树林", "德胜", "连生", "福顺", "广德", "占山", "凤岐", "玉堂", "守仁", "成林",
	"庆余", "德山", "国栋", "德宝", "贵祥", "长发", "永福", "庆林", "万春", "殿奎",
	"锡山", "兆林", "文阁", "海山",
};
static const char *const elder_female[] = {
	"桂芝", "淑芬", "玉兰", "秀英", "凤兰", "桂兰", "淑珍", "玉珍", "素珍", "秀兰",
	"凤芝", "桂荣", "淑兰", "桂香", "玉芝", "素芬", "玉凤", "淑贤", "桂珍", "秀珍",
	"凤英", "翠兰", "玉琴", "桂云", "淑琴", "秀芝", "金花", "桂英", "秀荣", "玉清",
};
/* Born about 1955–1975: most heads of household. */
static const char *const middle_male[] = {
	"洪军", "国庆", "建国", "志刚", "长林", "宝山", "建军", "卫东", "国强", "振华",
	"立新", "春生", "洪涛", "铁军", "永胜", "玉林", "长海", "金山", "福林", "庆祥",
	"振国", "学军", "海军", "宝林", "树军", "春林", "东升", "跃进", "卫国", "向东",
	"永刚", "景林", "广才", "占武", "喜春", "文学", "德军", "守田", "连军", "春阳",
	"志国", "庆丰", "凤林", "宏伟", "国良", "树林", "铁成", "长顺", "明山", "振江",
	"军",   "刚",   "勇",   "强",   "斌",
};
static const char *const middle_female[] = {
	"凤霞", "秀英", "淑芬", "玉兰", "桂芝", "丽华", "春梅", "红梅", "凤琴", "秀芳",
	"艳华", "玉梅", "淑华", "秀云", "春燕", "凤云", "玉霞", "秀华", "丽君", "艳玲",
	"淑梅", "金凤", "秀琴", "玉芬", "红霞", "亚琴", "春华", "彩霞", "晓红", "桂霞",
	"秀梅", "桂琴", "凤珍", "艳秋", "淑艳", "玉香", "丽萍", "晓梅", "素梅", "凤芹",
	"丽",   "艳",   "红",   "萍",   "敏",
};
/* Born about 1976–1998: the grown children. */
static const char *const young_male[] = {
	"海龙", "海波", "东旭", "宏宇", "志强", "海洋", "鹏飞", "振宇", "天宇", "晓东",
	"立伟", "春雷", "海峰", "大伟", "志远", "俊杰", "晓峰", "成龙", "建伟", "明辉",
	"宏亮", "志国", "玉龙", "金龙", "德龙", "晓光", "海涛", "立东", "广宇", "振东",
	"磊",   "鹏",   "帅",   "超",   "伟",   "亮",   "鑫",   "博",   "旭",   "健",
	"峰",   "岩",
};
static const char *const young_female[] = {
	"海燕", "丽娜", "晓丽", "婷婷", "晶晶", "丽丽", "美玲", "丹丹", "冬梅", "晓燕",
	"春艳", "艳秋", "秀丽", "红艳", "佳琪", "莹莹", "美琪", "思琪", "雪梅", "微微",
	"晓敏", "丽媛", "红霞", "春丽", "海霞", "丽艳", "美娜", "晓雪", "慧敏", "双双",
	"丹",   "娜",   "雪",   "欢",   "莹",   "爽",   "琳",   "婷",   "楠",   "颖",
	"倩",   "静",
};
/* Born after about 2000: the grandchildren. */
static const char *const child_male[] = {
	"浩然", "子轩", "宇轩", "浩宇", "梓豪", "俊熙", "一鸣", "博文", "子豪", "皓轩",
	"宇航", "子墨", "梓睿", "沐阳", "天佑", "俊宇", "明轩", "铭泽", "奕辰", "宇泽",
	"晨阳", "鑫宇", "锦程", "思远", "家乐", "博涵", "睿",   "航",
};
static const char *const child_female[] = {
	"子涵", "欣怡", "梓涵", "诗涵", "雨桐", "可欣", "一诺", "佳怡", "思彤", "梦瑶",
	"紫萱", "雨涵", "欣妍", "语桐", "梓萱", "若汐", "诗琪", "思雨", "馨月", "艺涵",
	"雅涵", "心怡", "梦琪", "晨曦", "雨欣", "依诺", "悦",   "萱",
};

static const struct {
	const char *const *names;
	size_t n;
} given_names[GEN_COUNT][2] = {
	[GEN_ELDER] = {{elder_male, COUNT(elder_male)}, {elder_female, COUNT(elder_female)}},
	[GEN_MIDDLE] = {{middle_male, COUNT(middle_male)}, {middle_female, COUNT(middle_female)}},
	[GEN_YOUNG] = {{young_male, COUNT(young_male)}, {young_female, COUNT(young_female)}},
	[GEN_CHILD] = {{child_male, COUNT(child_male)}, {child_female, COUNT(child_female)}},
};

/* China Mobile, China Unicom (strong in Liaoning) and China Telecom prefixes. */
static const char *const phone_prefixes[] = {
	"139", "138", "137", "135", "150", "151", "152", "158", "159", "182", "187", "188",
	"130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189",
};

static const char *const cn_numbers[100] = {
	"零", "一", "二", "三", "四", "五", "六", "七", "八", "九",
	"十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九",
	"二十", "二十一", "二十二", "二十三", "二十四", "二十五", "二十六", "二十七", "二十八", "二十九",
	"三十", "三十一", "三十二", "三十三", "三十四", "三十五", "三十六", "三十七", "三十八", "三十九",
	"四十", "四十一", "四十二", "四十三", "四十四", "四十五", "四十六", "四十七", "四十八", "四十九",
	"五十", "五十一", "五十二", "五十三", "五十四", "五十五", "五十六", "五十七", "五十八", "五十九",
	"六十", "六十一", "六十二", "六十三", "六十四", "六十五", "六十六", "六十七", "六十八", "六十九",
	"七十", "七十一", "七十二", "七十三", "七十四", "七十五", "七十六", "七十七", "七十八", "七十九",
	"八十", "八十一", "八十二", "八十三", "八十四", "八十五", "八十六", "八十七", "八十八", "八十九",
	"九十", "九十一", "九十二", "九十三", "九十四", "九十五", "九十六", "九十七", "九十八", "九十九",
};

/* Looks n up in the table above; NULL outside it. */
const char *demo_cn_number(int n)
{
	if (n < 0 || n >= (int)COUNT(cn_numbers))
		return NULL;
	return cn_numbers[n];
}

/* ---- names ------------------------------------------------------------- */

/* A surname drawn by weight. */
static const char *pick_surname(demo_rng *r)
{
	unsigned weights[COUNT(surnames)];
	for (size_t i = 0; i < COUNT(surnames); i++)
		weights[i] = surnames[i].weight;
	return surnames[pick_weighted(r, weights, COUNT(surnames))].name;
}

/* A surname drawn by weight other than avoid (people marrying in). */
static const char *pick_surname_other(demo_rng *r, const char *avoid)
{
	for (int tries = 0; tries < 16; tries++) {
		const char *s = pick_surname(r);
		if (strcmp(s, avoid) != 0)
			return s;
	}
	return strcmp(surnames[0].name, avoid) != 0 ? surnames[0].name : surnames[1].name;
}

/* The clan surname of a village named after a family (高箭沟村 → 高), or NULL. */
static const char *village_clan(const char *village)
{
	for (size_t i = 0; i < COUNT(surnames); i++) {
		size_t len = strlen(surnames[i].name);
		if (strncmp(village, surnames[i].name, len) == 0)
			return surnames[i].name;
	}
	return NULL;
}

/* The text after the first UTF-8 character of s: the given name, since every
 * surname in the table is one character. */
static const char *given_part(const char *s)
{
	if (*s == '\0')
		return s;
	s++;
	while ((*(const unsigned char *)s & 0xC0) == 0x80)
		s++;
	return s;
}

/* True if the household already has someone called full, or someone with the
 * same given name (a mother and daughter-in-law both 桂芝 reads as a mistake). */
static bool name_taken(const demo_household *h, const char *full)
{
	const char *given = given_part(full);
	if (strcmp(h->head_name, full) == 0 || strcmp(given_part(h->head_name), given) == 0)
		return true;
	for (int i = 0; i < h->nmembers; i++) {
		const char *other = h->members[i].name;
		if (strcmp(other, full) == 0 || strcmp(given_part(other), given) == 0)
			return true;
	}
	return false;
}

/* Writes into out (cap bytes) a name of surname + a given name of generation
 * gen and sex that nobody in h has yet. Random tries first, then a walk
 * through the list, which always succeeds: each list is longer than a household. */
static void make_name(demo_rng *r, const demo_household *h, const char *surname, enum gen gen,
                      enum sex sex, char *out, size_t cap)
{
	const char *const *names = given_names[gen][sex].names;
	size_t n = given_names[gen][sex].n;
	size_t start = demo_rng_below(r, (uint32_t)n);
	for (int tries = 0; tries < 8; tries++) {
		snprintf(out, cap, "%s%s", surname, names[demo_rng_below(r, (uint32_t)n)]);
		if (!name_taken(h, out))
			return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(out, cap, "%s%s", surname, names[(start + i) % n]);
		if (!name_taken(h, out))
			return;
	}
}

/* Adds a member with a fresh name; returns false (and adds nothing) when the
 * household is full. */
static bool add_member(demo_rng *r, demo_household *h, const char *surname, enum gen gen,
                       enum sex sex, const char *relation)
{
	if (h->nmembers >= DEMO_MAX_MEMBERS)
		return false;
	char name[sizeof(h->members[0].name)];
	make_name(r, h, surname, gen, sex, name, sizeof(name));
	snprintf(h->members[h->nmembers].name, sizeof(h->members[0].name), "%s", name);
	snprintf(h->members[h->nmembers].relation, sizeof(h->members[0].relation), "%s", relation);
	h->nmembers++;
	return true;
}

/* ---- households -------------------------------------------------------- */

/* Cuts a trailing, incomplete UTF-8 sequence left by a truncating snprintf. */
static void trim_partial_utf8(char *s)
{
	size_t len = strlen(s);
	size_t lead = len;
	while (lead > 0 && (((unsigned char)s[lead - 1]) & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	unsigned char c = (unsigned char)s[lead - 1];
	size_t want = 1;
	if (c >= 0xF0)
		want = 4;
	else if (c >= 0xE0)
		want = 3;
	else if (c >= 0xC0)
		want = 2;
	if (len - (lead - 1) < want)
		s[lead - 1] = '\0';
}

/* 村三组17号; the village cut at a character boundary if it is too long. */
static void make_address(demo_household *h, const char *village, int group_no, int house_no)
{
	const char *cn = demo_cn_number(group_no);
	int n;
	if (cn)
		n = snprintf(h->address, sizeof(h->address), "%s%s组%d号", village, cn, house_no);
	else
		n = snprintf(h->address, sizeof(h->address), "%s%d组%d号", village, group_no, house_no);
	if (n < 0 || (size_t)n >= sizeof(h->address))
		trim_partial_utf8(h->address);
}

/* An 11-digit mobile number, or "" for a household without one (more often
 * an old couple on their own). */
static void make_phone(demo_rng *r, enum gen head_gen, char *out, size_t cap)
{
	uint32_t none = head_gen == GEN_ELDER ? 25 : 8;
	if (chance(r, none)) {
		out[0] = '\0';
		return;
	}
	const char *prefix = phone_prefixes[demo_rng_below(r, COUNT(phone_prefixes))];
	snprintf(out, cap, "%s%08u", prefix, (unsigned)demo_rng_below(r, 100000000u));
}

/* What the head's children look like before they are written down. */
typedef struct {
	int n;
	enum sex sex[4];
	bool married[4]; /* a 儿媳 or 女婿 lives here too */
	int grandchildren[4];
} family_plan;

/* Decides how many children of the head live at home, their sex, who has
 * brought a spouse home and how many grandchildren came with them. */
static void plan_children(demo_rng *r, enum gen head_gen, family_plan *p)
{
	static const unsigned elder_counts[] = {62, 35, 3};
	static const unsigned middle_counts[] = {33, 45, 20, 2};
	static const unsigned young_counts[] = {18, 55, 27};
	memset(p, 0, sizeof(*p));
	if (head_gen == GEN_ELDER)
		p->n = (int)pick_weighted(r, elder_counts, COUNT(elder_counts));
	else if (head_gen == GEN_MIDDLE)
		p->n = (int)pick_weighted(r, middle_counts, COUNT(middle_counts));
	else
		p->n = (int)pick_weighted(r, young_counts, COUNT(young_counts));
	bool has_son = false;
	for (int i = 0; i < p->n; i++) {
		/* grown daughters mostly marry out, so the sons are the ones at home */
		uint32_t son = head_gen == GEN_YOUNG ? 50 : 65;
		p->sex[i] = chance(r, son) ? SEX_MALE : SEX_FEMALE;
		if (p->sex[i] == SEX_MALE)
			has_son = true;
	}
	if (head_gen == GEN_YOUNG)
		return; /* their children are still at school */
	for (int i = 0; i < p->n; i++) {
		if (p->sex[i] == SEX_MALE) {
			static const unsigned kids[] = {30, 55, 15};
			p->married[i] = chance(r, head_gen == GEN_ELDER ? 70 : 45);
			if (p->married[i])
				p->grandchildren[i] = (int)pick_weighted(r, kids, COUNT(kids));
		} else if (!has_son) {
			p->married[i] = chance(r, 10); /* 上门女婿, in a family without a son */
		}
	}
}

/* Draws the head (generation, sex, name, phone), then the spouse, the children
 * with their spouses and children, and last an old parent, stopping quietly
 * when the household is full. See demo_data.h. */
void demo_make_household(demo_rng *r, const char *village, int group_no, int house_no,
                         demo_household *h)
{
	static const unsigned gen_weights[] = {28, 55, 17}; /* elder, middle, young heads */
	static const uint32_t female_head[] = {25, 8, 5};   /* mostly widows */
	static const uint32_t spouse_if_male[] = {70, 90, 88};
	static const uint32_t spouse_if_female[] = {10, 20, 30};

	memset(h, 0, sizeof(*h));
	if (!village)
		village = DEFAULT_VILLAGE;
	make_address(h, village, group_no, house_no);

	enum gen gen = (enum gen)pick_weighted(r, gen_weights, COUNT(gen_weights));
	enum sex sex = chance(r, female_head[gen]) ? SEX_FEMALE : SEX_MALE;
	h->head_gender = sex == SEX_MALE ? 'M' : 'F';

	/* the family surname is the male line's; a woman at the head keeps her own */
	const char *clan = village_clan(village);
	const char *family = clan && chance(r, 15) ? clan : pick_surname(r);
	const char *own = family;
	if (sex == SEX_FEMALE)
		own = pick_surname_other(r, family);
	char head[sizeof(h->head_name)];
	make_name(r, h, own, gen, sex, head, sizeof(head));
	memcpy(h->head_name, head, sizeof(head));

	make_phone(r, gen, h->phone, sizeof(h->phone));

	if (sex == SEX_MALE && chance(r, spouse_if_male[gen])) {
		const char *wife = pick_surname(r);
		if (strcmp(wife, family) == 0)
			wife = pick_surname(r); /* same-surname couples exist, but rarely */
		add_member(r, h, wife, gen, SEX_FEMALE, "妻子");
	} else if (sex == SEX_FEMALE && chance(r, spouse_if_female[gen])) {
		add_member(r, h, family, gen, SEX_MALE, "丈夫");
	}

	family_plan plan;
	plan_children(r, gen, &plan);
	enum gen kid_gen = (enum gen)(gen + 1);
	for (int i = 0; i < plan.n; i++)
		add_member(r, h, family, kid_gen, plan.sex[i],
		           plan.sex[i] == SEX_MALE ? "儿子" : "女儿");
	bool grandchild = false;
	for (int i = 0; i < plan.n; i++) {
		if (!plan.married[i])
			continue;
		bool son = plan.sex[i] == SEX_MALE;
		add_member(r, h, pick_surname_other(r, family), kid_gen, son ? SEX_FEMALE : SEX_MALE,
		           son ? "儿媳" : "女婿");
		for (int k = 0; k < plan.grandchildren[i] && kid_gen + 1 < GEN_COUNT; k++) {
			enum sex s = chance(r, 50) ? SEX_MALE : SEX_FEMALE;
			add_member(r, h, family, (enum gen)(kid_gen + 1), s, s == SEX_MALE ? "孙子" : "孙女");
			grandchild = true;
		}
	}
	/* left-behind grandchildren: the parents work in 沈阳 or 大连 */
	if (gen != GEN_YOUNG && !grandchild && chance(r, gen == GEN_ELDER ? 12 : 10)) {
		enum sex s = chance(r, 50) ? SEX_MALE : SEX_FEMALE;
		add_member(r, h, family, GEN_CHILD, s, s == SEX_MALE ? "孙子" : "孙女");
	}

	/* an old parent of the head (her own parents, for a woman at the head) */
	if (gen != GEN_ELDER) {
		static const unsigned middle_parents[] = {76, 14, 5, 5}; /* none, mother, father, both */
		static const unsigned young_parents[] = {63, 15, 7, 15};
		size_t which = pick_weighted(r, gen == GEN_MIDDLE ? middle_parents : young_parents, 4);
		enum gen parent_gen = (enum gen)(gen - 1);
		if (which == 2 || which == 3)
			add_member(r, h, own, parent_gen, SEX_MALE, "父亲");
		if (which == 1 || which == 3)
			add_member(r, h, pick_surname_other(r, own), parent_gen, SEX_FEMALE, "母亲");
	}
}

/* True if a head in out[0..n) is called name. */
static bool head_taken(const demo_household *out, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i].head_name, name) == 0)
			return true;
	return false;
}

/* Group by group, redrawing a household whose head repeats an earlier name. */
void demo_make_village(demo_rng *r, const char *village, int ngroups, demo_household *out,
                       size_t n)
{
	if (ngroups < 1)
		ngroups = 1;
	size_t groups = (size_t)ngroups;
	size_t k = 0;
	for (size_t g = 0; g < groups; g++) {
		size_t size = n / groups + (g < n % groups ? 1 : 0);
		for (size_t house = 1; house <= size; house++, k++) {
			demo_make_household(r, village, (int)g + 1, (int)house, &out[k]);
			for (int tries = 0; tries < 32 && head_taken(out, k, out[k].head_name); tries++)
				demo_make_household(r, village, (int)g + 1, (int)house, &out[k]);
		}
	}
}
