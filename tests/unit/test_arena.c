/*
 * Unit tests for src/util/arena.c: alignment, zeroed memory, the limit,
 * allocations larger than a block, sizes that would overflow, and the string
 * helpers (strdup, strndup, printf) with Chinese text.
 */
#include <stdint.h>

#include "check.h"
#include "util/arena.h"

#define ALIGN _Alignof(max_align_t)

static void alignment(void)
{
	static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 255, 4097, 9000};
	arena a;
	arena_init(&a, 0);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			unsigned char *p = arena_alloc(&a, sizes[i]);
			CHECK(p != NULL);
			CHECK_INT_EQ((uintptr_t)p % ALIGN, 0);
			memset(p, 0x5A, sizes[i]); /* ASan: the whole size is usable */
		}
	arena_free(&a);
}

static void zeroed(void)
{
	arena a;
	/* dirty a block, free it, and allocate again: malloc may hand the same
	 * memory back, the arena must still return zeros */
	arena_init(&a, 0);
	unsigned char *p = arena_alloc(&a, 6000);
	CHECK(p != NULL);
	memset(p, 0xFF, 6000);
	arena_free(&a);
	arena_init(&a, 0);
	for (int k = 0; k < 4; k++) {
		unsigned char *q = arena_alloc(&a, 1500);
		CHECK(q != NULL);
		for (size_t i = 0; i < 1500; i++)
			CHECK_INT_EQ(q[i], 0);
		memset(q, 0xEE, 1500);
	}
	/* a zero-byte allocation is allowed and does not disturb the next one */
	CHECK(arena_alloc(&a, 0) != NULL);
	int *v = arena_alloc(&a, 10 * sizeof(int));
	CHECK(v != NULL);
	for (int i = 0; i < 10; i++)
		CHECK_INT_EQ(v[i], 0);
	arena_free(&a);
}

static void distinct_across_blocks(void)
{
	arena a;
	arena_init(&a, 0);
	enum { N = 1000, SZ = 100 };
	static unsigned char *ptrs[N];
	for (int i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(&a, SZ);
		CHECK(ptrs[i] != NULL);
		memset(ptrs[i], i & 0xFF, SZ);
	}
	/* nothing overlapped: every allocation still holds its own byte */
	for (int i = 0; i < N; i++)
		for (int k = 0; k < SZ; k++)
			CHECK_INT_EQ(ptrs[i][k], i & 0xFF);
	CHECK(a.used_total >= (size_t)N * SZ);
	arena_free(&a);
	CHECK(a.head == NULL);
	CHECK_INT_EQ(a.used_total, 0);
}

static void limit_refused(void)
{
	arena a;
	arena_init(&a, 100);
	CHECK(arena_alloc(&a, 64) != NULL);
	CHECK(arena_alloc(&a, 32) != NULL); /* 96 of 100 used (rounded to alignment) */
	CHECK(arena_alloc(&a, 16) == NULL); /* 112 > 100 */
	CHECK(arena_alloc(&a, 1) == NULL);  /* rounds up to one alignment unit too */
	CHECK(arena_strdup(&a, "于洪军") == NULL);
	CHECK(arena_printf(&a, "%s", "高箭沟村") == NULL);
	CHECK_INT_EQ(a.used_total, 96); /* refusals do not count */
	arena_free(&a);

	/* after arena_free the budget starts again */
	arena_init(&a, 100);
	CHECK(arena_alloc(&a, 100 - 100 % ALIGN) != NULL);
	CHECK(arena_alloc(&a, 101) == NULL);
	arena_free(&a);

	/* exactly the limit is allowed */
	arena_init(&a, 4 * ALIGN);
	CHECK(arena_alloc(&a, 4 * ALIGN) != NULL);
	CHECK(arena_alloc(&a, 1) == NULL);
	arena_free(&a);
}

static void large_allocations(void)
{
	arena a;
	arena_init(&a, 0);
	char *small1 = arena_alloc(&a, 10);
	CHECK(small1 != NULL);
	memcpy(small1, "一组", sizeof("一组"));
	/* bigger than a block: gets a block of its own */
	size_t big = 3 * 1024 * 1024;
	unsigned char *p = arena_alloc(&a, big);
	CHECK(p != NULL);
	CHECK_INT_EQ(p[0], 0);
	CHECK_INT_EQ(p[big - 1], 0);
	memset(p, 0x11, big);
	/* small allocations still work afterwards, and the first one is intact */
	char *small2 = arena_strdup(&a, "二组");
	CHECK(small2 != NULL);
	CHECK_STR_EQ(small1, "一组");
	CHECK_STR_EQ(small2, "二组");
	CHECK_INT_EQ(p[big / 2], 0x11);
	arena_free(&a);
}

static void overflowing_sizes(void)
{
	/* sizes whose rounding or block header would wrap around must be refused,
	 * not turned into a tiny block */
	static const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 15, SIZE_MAX - 20,
	                               SIZE_MAX - 40};
	arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK(arena_alloc(&a, sizes[i]) == NULL);
	CHECK(arena_alloc(&a, 8) != NULL); /* the arena still works */
	arena_free(&a);

	arena_init(&a, 1000);
	CHECK(arena_alloc(&a, 600) != NULL);
	CHECK(arena_alloc(&a, SIZE_MAX - 100) == NULL);
	arena_free(&a);
}

static void strings(void)
{
	arena a;
	arena_init(&a, 0);
	CHECK_STR_EQ(arena_strdup(&a, "高箭沟村三组17号"), "高箭沟村三组17号");
	CHECK_STR_EQ(arena_strdup(&a, ""), "");
	CHECK(arena_strdup(&a, NULL) == NULL);
	/* strndup copies exactly n bytes and terminates, even mid-string */
	const char *name = "于洪军家";
	CHECK_STR_EQ(arena_strndup(&a, name, 6), "于洪");
	CHECK_STR_EQ(arena_strndup(&a, name, 0), "");
	char *copy = arena_strdup(&a, name);
	CHECK(copy != name);
	copy[0] = 'X';
	CHECK_STR_EQ(name, "于洪军家");

	CHECK_STR_EQ(arena_printf(&a, "%s第%d组%03d号", "高箭沟村", 3, 17), "高箭沟村第3组017号");
	CHECK_STR_EQ(arena_printf(&a, "%s", ""), "");
	CHECK_STR_EQ(arena_printf(&a, "%lld分", (long long)-20), "-20分");

	/* printf longer than one block */
	char want[20001];
	for (int i = 0; i < 20000; i++)
		want[i] = (char)('a' + i % 26);
	want[20000] = '\0';
	char *long_s = arena_printf(&a, "%s", want);
	CHECK(long_s != NULL);
	CHECK_INT_EQ(strlen(long_s), 20000);
	CHECK_STR_EQ(long_s, want);
	arena_free(&a);

	/* with a limit: printf is refused whole, never truncated */
	arena_init(&a, 32);
	CHECK_STR_EQ(arena_printf(&a, "%s", "于洪军"), "于洪军");
	CHECK(arena_printf(&a, "%s", "高箭沟村高箭沟村高箭沟村高箭沟村") == NULL);
	arena_free(&a);
}

/* arena_alloc_uninit: the same budget, alignment and blocks, without the zeroing;
 * arena_alloc after it still zeroes. */
static void uninit(void)
{
	arena a;
	arena_init(&a, 4 * ALIGN);
	unsigned char *p = arena_alloc_uninit(&a, 2 * ALIGN);
	CHECK(p != NULL);
	CHECK_INT_EQ((uintptr_t)p % ALIGN, 0);
	memset(p, 0xAB, 2 * ALIGN);
	CHECK(arena_alloc_uninit(&a, 2 * ALIGN + 1) == NULL); /* past the limit */
	unsigned char *q = arena_alloc(&a, 2 * ALIGN);
	CHECK(q != NULL);
	for (size_t i = 0; i < 2 * ALIGN; i++)
		CHECK_INT_EQ(q[i], 0);
	CHECK(arena_alloc_uninit(&a, 1) == NULL);
	CHECK_INT_EQ(a.used_total, 4 * ALIGN);
	arena_free(&a);
	arena_init(&a, 0);
	CHECK(arena_alloc_uninit(&a, 20000) != NULL); /* a block of its own */
	CHECK(arena_alloc_uninit(&a, SIZE_MAX - 8) == NULL);
	arena_free(&a);
}

CHECK_MAIN("arena", T(alignment), T(zeroed), T(distinct_across_blocks), T(limit_refused),
           T(large_allocations), T(overflowing_sizes), T(strings), T(uninit))
