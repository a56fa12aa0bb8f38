/* Unit tests for src/util/utf8.c: validation and the public masks. */
#include "check.h"
#include "util/utf8.h"

static void valid_and_invalid(void)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{"高箭沟村", 1}, {"abc", 1}, {"", 1}, {"\xC0\xAF", 0}, {"\xED\xA0\x80", 0},
		{"\xE9\xAB", 0}, {"\xF4\x90\x80\x80", 0}, {"\xFF", 0}, {"于\xE5", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT_EQ(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);
}

static void masks(void)
{
	char out[64];
	CHECK_STR_EQ(utf8_mask_name("于洪军", out, sizeof(out)), "于*军");
	CHECK_STR_EQ(utf8_mask_name("王芳", out, sizeof(out)), "王*");
	CHECK_STR_EQ(utf8_mask_name("欧阳娜娜", out, sizeof(out)), "欧**娜");
	CHECK_STR_EQ(utf8_mask_name("李", out, sizeof(out)), "李");
	CHECK_STR_EQ(utf8_mask_phone("13812345678", out, sizeof(out)), "138****5678");
	CHECK_STR_EQ(utf8_mask_phone("12345", out, sizeof(out)), "*****");
	CHECK_INT_EQ(utf8_len("高箭沟村a"), 5);
}

CHECK_MAIN("utf8", T(valid_and_invalid), T(masks))
