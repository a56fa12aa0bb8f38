/*
 * Unit tests for src/core/demo_data.c: the rng, determinism of a whole
 * 222-household village, the shape of every field (UTF-8, phone, names,
 * relations, address), family logic, the distributions a demo viewer would
 * notice, and the Chinese numerals.
 */
#include "check.h"
#include "core/demo_data.h"
#include "util/utf8.h"

#define NHOUSEHOLDS 222
#define NGROUPS 5
#define SEED UINT64_C(20240601)

static demo_household village_a[NHOUSEHOLDS];
static demo_household village_b[NHOUSEHOLDS];

/* Generates the village the way `jifen demo` does: groups 1..5 in turn,
 * house numbers from 1, 222 households spread 45/45/44/44/44. */
static void make_village(uint64_t seed, const char *name, demo_household *out)
{
	demo_rng r;
	demo_rng_seed(&r, seed);
	int k = 0;
	for (int g = 1; g <= NGROUPS; g++) {
		int per_group = NHOUSEHOLDS / NGROUPS + (g <= NHOUSEHOLDS % NGROUPS ? 1 : 0);
		for (int house = 1; house <= per_group; house++)
			demo_make_household(&r, name, g, house, &out[k++]);
	}
}

/* The first UTF-8 character of s (the surname) copied into out. */
static const char *surname_of(const char *s, char *out, size_t cap)
{
	size_t n = 1;
	while (s[n] != '\0' && ((unsigned char)s[n] & 0xC0) == 0x80)
		n++;
	snprintf(out, cap, "%.*s", (int)n, s);
	return out;
}

/* True if buf (cap bytes) holds a terminated, valid UTF-8 string. */
static int field_ok(const char *buf, size_t cap)
{
	const char *nul = memchr(buf, '\0', cap);
	return nul && utf8_valid(buf, (size_t)(nul - buf));
}

static void rng_known_values(void)
{
	/* splitmix64 reference output for seed 1234567 */
	static const uint64_t want[] = {
		UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
		UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
		UINT64_C(16408922859458223821),
	};
	demo_rng r;
	demo_rng_seed(&r, 1234567);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(demo_rng_next(&r) == want[i]);
}

static void rng_below_range(void)
{
	demo_rng r;
	demo_rng_seed(&r, 7);
	CHECK_INT_EQ(demo_rng_below(&r, 0), 0);
	CHECK_INT_EQ(demo_rng_below(&r, 1), 0);
	int counts[10] = {0};
	for (int i = 0; i < 100000; i++) {
		uint32_t x = demo_rng_below(&r, 10);
		CHECK(x < 10);
		counts[x]++;
	}
	for (int i = 0; i < 10; i++)
		CHECK(counts[i] > 9500 && counts[i] < 10500);
	for (int i = 0; i < 1000; i++)
		CHECK(demo_rng_below(&r, UINT32_MAX) < UINT32_MAX);
}

static void deterministic(void)
{
	make_village(SEED, "高箭沟村", village_a);
	make_village(SEED, "高箭沟村", village_b);
	CHECK(memcmp(village_a, village_b, sizeof(village_a)) == 0);
	make_village(SEED + 1, "高箭沟村", village_b);
	CHECK(memcmp(village_a, village_b, sizeof(village_a)) != 0);
}

static void fields_valid_utf8(void)
{
	make_village(SEED, "高箭沟村", village_a);
	for (int i = 0; i < NHOUSEHOLDS; i++) {
		const demo_household *h = &village_a[i];
		CHECK(field_ok(h->head_name, sizeof(h->head_name)));
		CHECK(field_ok(h->address, sizeof(h->address)));
		CHECK(field_ok(h->phone, sizeof(h->phone)));
		CHECK(h->nmembers >= 0 && h->nmembers <= DEMO_MAX_MEMBERS);
		for (int m = 0; m < h->nmembers; m++) {
			CHECK(field_ok(h->members[m].name, sizeof(h->members[m].name)));
			CHECK(field_ok(h->members[m].relation, sizeof(h->members[m].relation)));
		}
	}
}

static void phone_format(void)
{
	static const char *const prefixes[] = {
		"139", "138", "137", "135", "150", "151", "152", "158", "159", "182", "187", "188",
		"130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189",
	};
	make_village(SEED, "高箭沟村", village_a);
	int empty = 0;
	for (int i = 0; i < NHOUSEHOLDS; i++) {
		const char *p = village_a[i].phone;
		if (p[0] == '\0') {
			empty++;
			continue;
		}
		CHECK_INT_EQ(strlen(p), 11);
		CHECK(p[0] == '1');
		for (int k = 0; k < 11; k++)
			CHECK(p[k] >= '0' && p[k] <= '9');
		int known = 0;
		for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
			known |= strncmp(p, prefixes[k], 3) == 0;
		CHECK(known);
	}
	/* about 1 in 8 without a phone: 28 of 222 */
	CHECK(empty >= 11 && empty <= 50);
}

static void names_and_relations(void)
{
	static const char *const relations[] = {
		"妻子", "丈夫", "儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "父亲", "母亲",
	};
	make_village(SEED, "高箭沟村", village_a);
	for (int i = 0; i < NHOUSEHOLDS; i++) {
		const demo_household *h = &village_a[i];
		CHECK(h->head_gender == 'M' || h->head_gender == 'F');
		CHECK(utf8_len(h->head_name) >= 2 && utf8_len(h->head_name) <= 4);
		for (int m = 0; m < h->nmembers; m++) {
			size_t len = utf8_len(h->members[m].name);
			CHECK(len >= 2 && len <= 4);
			int known = 0;
			for (size_t k = 0; k < sizeof(relations) / sizeof(relations[0]); k++)
				known |= strcmp(h->members[m].relation, relations[k]) == 0;
			CHECK(known);
			CHECK(strcmp(h->members[m].name, h->head_name) != 0);
			for (int o = 0; o < m; o++)
				CHECK(strcmp(h->members[m].name, h->members[o].name) != 0);
		}
	}
}

/* Counts members of h with relation rel. */
static int count_relation(const demo_household *h, const char *rel)
{
	int n = 0;
	for (int m = 0; m < h->nmembers; m++)
		n += strcmp(h->members[m].relation, rel) == 0;
	return n;
}

static void family_logic(void)
{
	make_village(SEED, "高箭沟村", village_a);
	for (int i = 0; i < NHOUSEHOLDS; i++) {
		const demo_household *h = &village_a[i];
		int male = h->head_gender == 'M';
		CHECK_INT_EQ(count_relation(h, male ? "丈夫" : "妻子"), 0);
		CHECK(count_relation(h, "妻子") + count_relation(h, "丈夫") <= 1);
		CHECK(count_relation(h, "父亲") <= 1);
		CHECK(count_relation(h, "母亲") <= 1);
		CHECK(count_relation(h, "儿媳") <= count_relation(h, "儿子"));
		CHECK(count_relation(h, "女婿") <= count_relation(h, "女儿"));
		/* a son-in-law moves in (上门女婿) only where there is no son */
		CHECK(count_relation(h, "女婿") == 0 || count_relation(h, "儿子") == 0);

		/* the family surname: the head's for a man, else the husband's if any */
		char head_sn[8], family[8], sn[8];
		surname_of(h->head_name, head_sn, sizeof(head_sn));
		snprintf(family, sizeof(family), "%s", male ? head_sn : "");
		for (int m = 0; m < h->nmembers; m++)
			if (strcmp(h->members[m].relation, "丈夫") == 0)
				surname_of(h->members[m].name, family, sizeof(family));
		for (int m = 0; m < h->nmembers; m++) {
			const char *rel = h->members[m].relation;
			surname_of(h->members[m].name, sn, sizeof(sn));
			if (strcmp(rel, "父亲") == 0)
				CHECK_STR_EQ(sn, head_sn);
			if (family[0] == '\0')
				continue;
			if (!strcmp(rel, "儿子") || !strcmp(rel, "女儿") || !strcmp(rel, "孙子") ||
			    !strcmp(rel, "孙女"))
				CHECK_STR_EQ(sn, family);
			if (!strcmp(rel, "儿媳") || !strcmp(rel, "女婿"))
				CHECK(strcmp(sn, family) != 0);
		}
	}
}

static void distribution(void)
{
	make_village(SEED, "高箭沟村", village_a);
	char seen[NHOUSEHOLDS][8];
	int distinct = 0, women = 0, members = 0, alone = 0, with_kids = 0;
	for (int i = 0; i < NHOUSEHOLDS; i++) {
		const demo_household *h = &village_a[i];
		char sn[8];
		surname_of(h->head_name, sn, sizeof(sn));
		int found = 0;
		for (int k = 0; k < distinct; k++)
			found |= strcmp(seen[k], sn) == 0;
		if (!found)
			snprintf(seen[distinct++], sizeof(seen[0]), "%s", sn);
		women += h->head_gender == 'F';
		members += h->nmembers;
		alone += h->nmembers == 0;
		with_kids += count_relation(h, "孙子") + count_relation(h, "孙女") > 0;
	}
	CHECK(distinct >= 15);
	CHECK(members >= NHOUSEHOLDS && members <= NHOUSEHOLDS * DEMO_MAX_MEMBERS);
	CHECK(women >= 5 && women <= NHOUSEHOLDS / 5);
	CHECK(alone >= 3 && alone <= NHOUSEHOLDS / 3);
	CHECK(with_kids >= 5);
}

static void address_format(void)
{
	make_village(SEED, "高箭沟村", village_a);
	CHECK_STR_EQ(village_a[0].address, "高箭沟村一组1号");
	CHECK_STR_EQ(village_a[45].address, "高箭沟村二组1号");
	CHECK_STR_EQ(village_a[NHOUSEHOLDS - 1].address, "高箭沟村五组44号");

	demo_rng r;
	demo_household h;
	demo_rng_seed(&r, 1);
	demo_make_household(&r, NULL, 3, 17, &h);
	CHECK_STR_EQ(h.address, "高箭沟村三组17号");
	demo_make_household(&r, "高箭沟村", 120, 2, &h);
	CHECK_STR_EQ(h.address, "高箭沟村120组2号");
}

static void long_village_name_is_cut_cleanly(void)
{
	/* 0..3 ASCII bytes before 40 three-byte characters move the 96-byte cut
	 * across every position inside a character */
	for (int shift = 0; shift < 4; shift++) {
		char name[200];
		snprintf(name, sizeof(name), "%.*s", shift, "xxx");
		for (int i = 0; i < 40; i++)
			strcat(name, "箭");
		demo_rng r;
		demo_household h;
		demo_rng_seed(&r, 5);
		demo_make_household(&r, name, 1, 1, &h);
		CHECK(field_ok(h.address, sizeof(h.address)));
		CHECK(strlen(h.address) >= sizeof(h.address) - 4);
		CHECK(strncmp(h.address, name, strlen(h.address)) == 0);
	}
}

static void village_heads_unique(void)
{
	demo_rng r;
	demo_rng_seed(&r, SEED);
	demo_make_village(&r, "高箭沟村", NGROUPS, village_a, NHOUSEHOLDS);
	demo_rng_seed(&r, SEED);
	demo_make_village(&r, "高箭沟村", NGROUPS, village_b, NHOUSEHOLDS);
	CHECK(memcmp(village_a, village_b, sizeof(village_a)) == 0);
	for (int i = 0; i < NHOUSEHOLDS; i++)
		for (int k = 0; k < i; k++)
			CHECK(strcmp(village_a[i].head_name, village_a[k].head_name) != 0);
	/* 45 45 44 44 44 */
	CHECK_STR_EQ(village_a[0].address, "高箭沟村一组1号");
	CHECK_STR_EQ(village_a[44].address, "高箭沟村一组45号");
	CHECK_STR_EQ(village_a[45].address, "高箭沟村二组1号");
	CHECK_STR_EQ(village_a[90].address, "高箭沟村三组1号");
	CHECK_STR_EQ(village_a[NHOUSEHOLDS - 1].address, "高箭沟村五组44号");

	demo_household one[3];
	demo_make_village(&r, NULL, 0, one, 3);
	CHECK_STR_EQ(one[2].address, "高箭沟村一组3号");
}

static void cn_numbers(void)
{
	static const struct {
		int n;
		const char *want;
	} cases[] = {
		{0, "零"},  {1, "一"},      {2, "二"},    {5, "五"},   {10, "十"},
		{11, "十一"}, {15, "十五"}, {19, "十九"}, {20, "二十"}, {21, "二十一"},
		{35, "三十五"}, {99, "九十九"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR_EQ(demo_cn_number(cases[i].n), cases[i].want);
	CHECK(demo_cn_number(-1) == NULL);
	CHECK(demo_cn_number(100) == NULL);
}

CHECK_MAIN("demo_data", T(rng_known_values), T(rng_below_range), T(deterministic),
           T(fields_valid_utf8), T(phone_format), T(names_and_relations), T(family_logic),
           T(distribution), T(address_format), T(long_village_name_is_cut_cleanly),
           T(village_heads_unique), T(cn_numbers))
