/*
 * demo_data.h: a deterministic generator of believable demo households for a
 * village in northeast China (Tieling, Liaoning): head of household, address,
 * mobile number and the members living with the head, with family logic
 * (spouses of the other sex and usually another surname, children and
 * grandchildren under the family surname, older-style names for elders and
 * modern ones for grandchildren). The same seed always gives the same village.
 * It is pure: no database, no I/O, no global state; writing the households to
 * a store is the caller's job (jifen demo).
 */
#ifndef JF_DEMO_DATA_H
#define JF_DEMO_DATA_H
#include <stddef.h>
#include <stdint.h>

/* A splitmix64 generator; the whole state is s, so copying the struct forks it. */
typedef struct demo_rng {
	uint64_t s;
} demo_rng;

/* Sets r to the state for seed; every seed (0 included) is a good one. */
void demo_rng_seed(demo_rng *r, uint64_t seed);
/* Advances r and returns the next 64 random bits. */
uint64_t demo_rng_next(demo_rng *r);
/* Returns a uniform value in [0, n), without modulo bias; 0 when n is 0. */
uint32_t demo_rng_below(demo_rng *r, uint32_t n);

/* The largest number of members (besides the head) in a demo household. */
#define DEMO_MAX_MEMBERS 5

typedef struct {
	char head_name[32];   /* e.g. 于洪军 (UTF-8, 2 or 3 characters) */
	char head_gender;     /* 'M' or 'F' */
	char address[96];     /* e.g. 高箭沟村三组17号 */
	char phone[16];       /* 11-digit mobile such as 13904105678, or "" (about 1 in 8) */
	int nmembers;         /* members other than the head, 0..DEMO_MAX_MEMBERS */
	struct {
		char name[32];     /* 2 or 3 characters, never equal to another name in the household */
		char relation[16]; /* to the head: 妻子 丈夫 儿子 女儿 儿媳 女婿 孙子 孙女 父亲 母亲 */
	} members[DEMO_MAX_MEMBERS];
} demo_household;

/*
 * Fills h (all of it, padding zeroed, so households compare with memcmp) with
 * one household of villager group group_no (1-based; shown as 一组, 二组 …)
 * whose door number is house_no (shown as 17号), in village `village`
 * ("高箭沟村"; NULL means "高箭沟村"). The result depends only on the state of
 * r and the arguments, and r is advanced: generating households 1..n of each
 * group in turn from one seeded rng gives the same village every time.
 * A village name too long for the address is cut at a character boundary.
 */
void demo_make_household(demo_rng *r, const char *village, int group_no, int house_no,
                         demo_household *h);

/*
 * Fills out[0..n) with a whole village: n households spread over ngroups
 * villager groups (1..ngroups, sizes differing by at most one, the first groups
 * the larger: 222 over 5 is 45 45 44 44 44), house numbers counting from 1 in
 * each group. Unlike calling demo_make_household in a loop, no two heads share
 * a name (a ranking with two 高勇 confuses a demo): a household whose head
 * repeats an earlier one is drawn again, up to 32 times, after which the
 * repeat is kept. Deterministic for the state of r. ngroups below 1 means 1.
 * Compares names pairwise, so it is meant for villages of hundreds of
 * households, not for bulk benchmark data.
 */
void demo_make_village(demo_rng *r, const char *village, int ngroups, demo_household *out,
                       size_t n);

/* The Chinese numeral for n in 0..99 (0 -> "零", 1 -> "一", 10 -> "十",
 * 11 -> "十一", 20 -> "二十", 99 -> "九十九"), a static string; NULL outside 0..99. */
const char *demo_cn_number(int n);

#endif
