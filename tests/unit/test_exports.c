/*
 * Unit tests for the shared helpers of src/core/exports.c: the words for an
 * entry's kind and a period, the household's QR payload (the shop's format),
 * which public URLs may be printed, and the table allocator's row limit. The
 * exports themselves are tested end to end in tests/api/test_exports.py.
 */
#include "check.h"
#include "core/exports.h"

static void test_labels(void)
{
	arena ar;
	arena_init(&ar, 0);
	CHECK_STR_EQ(exports_kind_label("award"), "加分");
	CHECK_STR_EQ(exports_kind_label("deduction"), "扣分");
	CHECK_STR_EQ(exports_kind_label("redemption"), "兑换");
	CHECK_STR_EQ(exports_kind_label("reversal"), "冲正");
	CHECK_STR_EQ(exports_kind_label("carry_over"), "结转");
	CHECK_STR_EQ(exports_kind_label("clearing"), "清零");
	CHECK_STR_EQ(exports_kind_label("adjustment"), "调整");
	CHECK_STR_EQ(exports_kind_label("something_new"), "something_new");
	CHECK_STR_EQ(exports_period_label(&ar, "2026"), "2026年");
	CHECK_STR_EQ(exports_period_label(&ar, "2026-Q4"), "2026年第4季度");
	CHECK_STR_EQ(exports_period_label(&ar, "2026-03"), "2026年3月");
	CHECK_STR_EQ(exports_period_label(&ar, "2026-11"), "2026年11月");
	CHECK_STR_EQ(exports_household_qr(&ar, 12, "1001"), "JIFEN:12:1001");
	arena_free(&ar);
}

static void test_public_url(void)
{
	static const struct {
		const char *url;
		bool ok;
	} cases[] = {
		{"http://127.0.0.1:8080", true},  {"https://jifen.example.cn/", true},
		{"https://a.cn/jifen", true},     {"ftp://a.cn", false},
		{"http://", false},               {"http:///x", false},
		{"javascript:alert(1)", false},   {"https://a.cn/ x", false},
		{"https://a.cn/\"x", false},      {"https://a.cn/<x>", false},
		{"https://积分.cn", false},       {"", false},
		{NULL, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (exports_public_url_valid(cases[i].url) != cases[i].ok)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].url ? cases[i].url : "(null)");
		CHECK_INT_EQ(exports_public_url_valid(cases[i].url), cases[i].ok);
	}
	char long_url[EXPORTS_PUBLIC_URL_MAX + 2];
	memset(long_url, 'a', sizeof(long_url) - 1);
	memcpy(long_url, "https://", 8);
	long_url[sizeof(long_url) - 1] = '\0';
	CHECK(!exports_public_url_valid(long_url));
	long_url[EXPORTS_PUBLIC_URL_MAX] = '\0';
	CHECK(exports_public_url_valid(long_url));
}

static void test_table_limit(void)
{
	arena ar;
	arena_init(&ar, 0);
	export_cell *cells = NULL;
	unsigned char *style = NULL;
	core_err err;
	CHECK_INT_EQ(exports_table(&ar, 0, 3, &cells, &style, &err), CORE_OK);
	CHECK(cells && style);
	CHECK_INT_EQ(exports_table(&ar, 10, 3, &cells, &style, &err), CORE_OK);
	CHECK(cells[29].text == NULL && !cells[29].is_num && style[9] == EXPORT_ROW_PLAIN);
	CHECK_INT_EQ(exports_table(&ar, EXPORTS_MAX_ROWS + 1, 3, &cells, &style, &err), CORE_INVALID);
	CHECK_STR_EQ(err.code, "export_too_large");
	arena_free(&ar);
}

CHECK_MAIN("exports", T(test_labels), T(test_public_url), T(test_table_limit))
