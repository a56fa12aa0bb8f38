/*
 * Unit tests for src/export/qr.c: the size of a code grows with its payload
 * (version v is 17 + 4v modules wide), the three finder patterns sit in their
 * corners (and not in the fourth), the same payload gives the same code and a
 * different one a different code, and what cannot be encoded is refused.
 */
#include "check.h"
#include "export/qr.h"

/* True if a 7×7 finder pattern (dark ring, light ring, dark 3×3 core) starts at x, y. */
static bool finder_at(const qr_code *q, int x0, int y0)
{
	for (int y = 0; y < 7; y++) {
		for (int x = 0; x < 7; x++) {
			bool ring = x == 0 || y == 0 || x == 6 || y == 6;
			bool core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
			if (qr_is_dark(q, x0 + x, y0 + y) != (ring || core))
				return false;
		}
	}
	return true;
}

static void test_household_code(void)
{
	qr_code q;
	CHECK(qr_encode("JIFEN:1:1001", &q));
	CHECK_INT_EQ(q.width, 21); /* version 1 holds 14 bytes at level M */
	CHECK(finder_at(&q, 0, 0));
	CHECK(finder_at(&q, q.width - 7, 0));
	CHECK(finder_at(&q, 0, q.width - 7));
	CHECK(!finder_at(&q, q.width - 7, q.width - 7));
	/* the timing pattern alternates along row 6 between the finders */
	for (int x = 8; x < q.width - 8; x++)
		CHECK_INT_EQ(qr_is_dark(&q, x, 6), x % 2 == 0);
	CHECK(!qr_is_dark(&q, -1, 0));
	CHECK(!qr_is_dark(&q, 0, q.width));
	qr_free(&q);
	CHECK(q.dark == NULL);
}

static void test_sizes_and_sameness(void)
{
	static const struct {
		const char *text;
		int width;
	} cases[] = {
		{"JIFEN:1:1001", 21},
		{"JIFEN:12345:ABCDEFGHIJ", 25}, /* 22 bytes: version 2 (26 at M) */
		{"https://jifen.example.cn/api/v1/villages/1/notices/current", 33}, /* 59 bytes: v4 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		qr_code q;
		CHECK(qr_encode(cases[i].text, &q));
		CHECK_INT_EQ(q.width, cases[i].width);
		qr_free(&q);
	}
	qr_code a, b, c;
	CHECK(qr_encode("JIFEN:1:1001", &a));
	CHECK(qr_encode("JIFEN:1:1001", &b));
	CHECK(qr_encode("JIFEN:1:1002", &c));
	CHECK(memcmp(a.dark, b.dark, (size_t)(a.width * a.width)) == 0);
	CHECK(memcmp(a.dark, c.dark, (size_t)(a.width * a.width)) != 0);
	qr_free(&a);
	qr_free(&b);
	qr_free(&c);
}

static void test_refused(void)
{
	qr_code q;
	CHECK(!qr_encode("", &q));
	CHECK(q.dark == NULL && q.width == 0);
	CHECK(!qr_encode(NULL, &q));
	char big[QR_MAX_PAYLOAD + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(!qr_encode(big, &q));
	big[QR_MAX_PAYLOAD] = '\0'; /* exactly the maximum still fits a QR code */
	CHECK(qr_encode(big, &q));
	CHECK(q.width > 21);
	qr_free(&q);
}

CHECK_MAIN("qr", T(test_household_code), T(test_sizes_and_sameness), T(test_refused))
