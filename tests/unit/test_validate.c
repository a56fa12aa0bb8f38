/*
 * Unit tests for src/core/validate.c: text limits counted in characters (a
 * 32-character limit holds 32 Chinese characters, 96 bytes), control
 * characters, invalid UTF-8, phone numbers, passbook numbers and user names;
 * every refusal carries CORE_INVALID, its code and a message naming the field.
 */
#include <stdbool.h>

#include "check.h"
#include "core/validate.h"

/* n copies of s, in a static buffer */
static const char *rep(const char *s, int n)
{
	static char out[8][1024];
	static int k;
	char *o = out[k++ % 8];
	o[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(o, s);
	return o;
}

typedef struct {
	const char *value;
	size_t min, max;
	const char *code; /* NULL = accepted */
} text_case;

static void text(void)
{
	const text_case cases[] = {
		{"于洪军", 1, 32, NULL},
		{rep("军", 32), 1, 32, NULL},          /* 32 characters, 96 bytes */
		{rep("军", 33), 1, 32, "too_long"},
		{rep("a", 32), 1, 32, NULL},
		{rep("a", 33), 1, 32, "too_long"},
		{rep("😀", 32), 1, 32, NULL},          /* four bytes each */
		{rep("😀", 33), 1, 32, "too_long"},
		{"高箭沟村三组17号", 0, 128, NULL},
		{"", 0, 128, NULL},
		{"", 1, 32, "too_short"},
		{NULL, 1, 32, "missing_field"},
		{NULL, 0, 32, "missing_field"},
		{"王\t芝", 1, 32, NULL},                /* tab is allowed */
		{"王\n芝", 1, 32, "control_characters"},
		{"王\r芝", 1, 32, "control_characters"},
		{"\x01于", 1, 32, "control_characters"},
		{"于\x1b[31m", 1, 32, "control_characters"},
		{"于\x7f", 1, 32, "control_characters"},
		{"于\xc2\x85军", 1, 32, "control_characters"}, /* NEL, a C1 control */
		{"于\xc2\xa0军", 1, 32, NULL},                 /* no-break space is text */
		{"于\xff", 1, 32, "invalid_utf8"},
		{"\xe4\xba", 1, 32, "invalid_utf8"},    /* a cut-off character */
		{"\xc0\xaf", 1, 32, "invalid_utf8"},    /* overlong '/' */
		{"\xed\xa0\x80", 1, 32, "invalid_utf8"}, /* a surrogate */
		/* invalid UTF-8 is reported before the length */
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		 "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 1, 32, "invalid_utf8"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status st = validate_text(&err, "head_name", "户主姓名", cases[i].value,
		                               cases[i].min, cases[i].max);
		bool ok = cases[i].code
		                  ? st == CORE_INVALID && err.status == CORE_INVALID &&
		                            strcmp(err.code, cases[i].code) == 0 &&
		                            strstr(err.zh, "户主姓名") && strstr(err.zh, "head_name") &&
		                            strstr(err.en, "head_name")
		                  : st == CORE_OK;
		if (!ok) {
			fprintf(stderr, "text case %zu: status %d code \"%s\" zh \"%s\", want %s\n", i, st,
			        err.code, err.zh, cases[i].code ? cases[i].code : "OK");
			CHECK(0);
		}
	}
}

static void text_messages(void)
{
	core_err err;
	CHECK_INT_EQ(validate_text(&err, "name", "村名", rep("村", 65), 1, 64), CORE_INVALID);
	CHECK_STR_EQ(err.code, "too_long");
	CHECK(strstr(err.zh, "最多 64 个字") != NULL);
	CHECK(strstr(err.en, "at most 64 characters") != NULL);
	CHECK_INT_EQ(validate_text(&err, "name", "村名", "", 1, 64), CORE_INVALID);
	CHECK(strstr(err.zh, "村名不能为空") != NULL);
	CHECK_INT_EQ(validate_text(&err, "name", "村名", NULL, 1, 64), CORE_INVALID);
	CHECK(strstr(err.zh, "缺少村名") != NULL);
}

typedef struct {
	const char *s;
	bool ok;
} str_case;

static void phone(void)
{
	static const str_case cases[] = {
		{"", true}, {"13904105678", true}, {"+86 139-0410-5678", true},
		{"0410-1234567", true}, {"12345", true}, {"1 2 3 4 5", true},
		{"12345678901234567890", true},    /* 20 */
		{"123456789012345678901", false},  /* 21 */
		{"1234", false}, {"+1234", false}, {"-----12345", true}, {"--1234", false},
		{"139O4105678", false}, {"86+13904105678", false}, {"++8613904105678", false},
		{"+", false}, {"一三九零四一零五六七八", false}, {"13904105678\n", false},
		{"(0410)1234567", false}, {"13904105678 ", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status st = validate_phone(&err, "phone", cases[i].s);
		bool ok = cases[i].ok ? st == CORE_OK
		                      : st == CORE_INVALID && strcmp(err.code, "invalid_phone") == 0 &&
		                                strstr(err.zh, "电话号码") && strstr(err.zh, "phone");
		if (!ok) {
			fprintf(stderr, "phone \"%s\": status %d code \"%s\"\n", cases[i].s, st, err.code);
			CHECK(0);
		}
	}
}

static void passbook(void)
{
	const str_case cases[] = {
		{"1001", true}, {"GJG-001", true}, {"a", true}, {"2045", true},
		{rep("9", 32), true}, {rep("9", 33), false},
		{"", false}, {"10 01", false}, {"1001号", false}, {"GJG_001", false},
		{"存折1001", false}, {"1001\n", false}, {"10/01", false}, {"%", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status st = validate_passbook(&err, cases[i].s);
		bool ok = cases[i].ok ? st == CORE_OK
		                      : st == CORE_INVALID && strcmp(err.code, "invalid_passbook_no") == 0 &&
		                                strstr(err.zh, "存折号");
		if (!ok) {
			fprintf(stderr, "passbook \"%s\": status %d code \"%s\"\n", cases[i].s, st, err.code);
			CHECK(0);
		}
	}
}

static void username(void)
{
	char max32[40] = "a", max33[40] = "a";
	strcat(max32, rep("b", 31));
	strcat(max33, rep("b", 32));
	const str_case cases[] = {
		{"admin", true}, {"abc", true}, {"a.b-c_d", true}, {"Zhang3", true},
		{"scorer-li", true}, {max32, true}, {max33, false},
		{"ab", false}, {"", false}, {"1admin", false}, {"_admin", false}, {".admin", false},
		{"-admin", false}, {"admin!", false}, {"ad min", false}, {"于洪军", false},
		{"yu洪军", false}, {"admin\n", false}, {"admin@village", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status st = validate_username(&err, cases[i].s);
		bool ok = cases[i].ok ? st == CORE_OK
		                      : st == CORE_INVALID && strcmp(err.code, "invalid_username") == 0 &&
		                                strstr(err.zh, "用户名");
		if (!ok) {
			fprintf(stderr, "username \"%s\": status %d code \"%s\"\n", cases[i].s, st, err.code);
			CHECK(0);
		}
	}
}

CHECK_MAIN("validate", T(text), T(text_messages), T(phone), T(passbook), T(username))
