/*
 * Unit tests for src/util/textenc.c: UTF-8 (with and without BOM) and GB18030
 * rosters in, UTF-8 out; the size limit, NUL bytes and undecodable input out.
 * GB18030 bytes were made with `printf '于洪军' | iconv -f UTF-8 -t GB18030 | xxd`.
 */
#include <stdbool.h>

#include "check.h"
#include "util/textenc.h"

/* A literal and its length, embedded NULs included. */
#define BYTES(s) s, sizeof(s) - 1

/* GB18030 encodings of the test names. */
#define GB_YU_HONGJUN "\xd3\xda\xba\xe9\xbe\xfc"    /* 于洪军 */
#define GB_DI_YI_ZU "\xb5\xda\xd2\xbb\xd7\xe9"      /* 第一组 */
#define GB_ADDRESS "\xb8\xdf\xbc\xfd\xb9\xb5\xb4\xe5" \
	"3" "\xd7\xe9" "12" "\xba\xc5"                 /* 高箭沟村3组12号 */
#define GB_GRIN "\x94\x39\xfc\x36"                   /* 😀 U+1F600, four bytes */
#define GB_EXT_B "\x95\x32\x82\x36"                  /* 𠀀 U+20000, four bytes */
#define GB_EURO "\xa2\xe3"                           /* € */

#define BIG 1024 /* a maximum that the cases stay under */

typedef struct {
	const char *name;
	const char *in;
	size_t n;
	size_t max;
	textenc_status status;
	const char *want;     /* the UTF-8 text on success */
	const char *encoding; /* on success */
	size_t bad_offset;    /* for TEXTENC_NUL and TEXTENC_INVALID */
	const char *err_has;  /* a piece of the message on failure */
} textenc_case;

static const textenc_case cases[] = {
	/* UTF-8 */
	{"empty", BYTES(""), BIG, TEXTENC_OK, "", "utf-8", 0, NULL},
	{"ascii", BYTES("name,group\r\n"), BIG, TEXTENC_OK, "name,group\r\n", "utf-8", 0, NULL},
	{"utf8 roster", BYTES("于洪军,第一组,高箭沟村3组12号\n"), BIG, TEXTENC_OK,
	 "于洪军,第一组,高箭沟村3组12号\n", "utf-8", 0, NULL},
	{"utf8 four-byte", BYTES("𠀀😀"), BIG, TEXTENC_OK, "𠀀😀", "utf-8", 0, NULL},
	{"utf8 bom", BYTES("\xEF\xBB\xBF于洪军,第一组"), BIG, TEXTENC_OK, "于洪军,第一组", "utf-8", 0,
	 NULL},
	{"bom only", BYTES("\xEF\xBB\xBF"), BIG, TEXTENC_OK, "", "utf-8", 0, NULL},
	{"bom inside is kept", BYTES("a\xEF\xBB\xBF"), BIG, TEXTENC_OK, "a\xEF\xBB\xBF", "utf-8", 0,
	 NULL},
	/* GB18030 */
	{"gb name", BYTES(GB_YU_HONGJUN), BIG, TEXTENC_OK, "于洪军", "gb18030", 0, NULL},
	{"gb roster", BYTES(GB_YU_HONGJUN "," GB_DI_YI_ZU "," GB_ADDRESS "\r\n"), BIG, TEXTENC_OK,
	 "于洪军,第一组,高箭沟村3组12号\r\n", "gb18030", 0, NULL},
	{"gb four-byte emoji", BYTES(GB_YU_HONGJUN GB_GRIN), BIG, TEXTENC_OK, "于洪军😀", "gb18030",
	 0, NULL},
	{"gb four-byte ext-b", BYTES(GB_EXT_B GB_DI_YI_ZU), BIG, TEXTENC_OK, "𠀀第一组", "gb18030", 0,
	 NULL},
	{"gb euro", BYTES(GB_EURO "5"), BIG, TEXTENC_OK, "€5", "gb18030", 0, NULL},
	/* the size limit */
	{"at the limit", BYTES("于洪军"), 9, TEXTENC_OK, "于洪军", "utf-8", 0, NULL},
	{"over the limit", BYTES("于洪军!"), 9, TEXTENC_TOO_LARGE, NULL, NULL, 0, "limit of 9"},
	{"gb over the limit", BYTES(GB_YU_HONGJUN), 5, TEXTENC_TOO_LARGE, NULL, NULL, 0, "6 bytes"},
	/* NUL bytes, in either encoding */
	{"nul", BYTES("于洪军\0,第一组"), BIG, TEXTENC_NUL, NULL, NULL, 9, "NUL byte at offset 9"},
	{"nul first", BYTES("\0a"), BIG, TEXTENC_NUL, NULL, NULL, 0, "offset 0"},
	{"utf-16le", BYTES("\xFF\xFE" "a\0"), BIG, TEXTENC_NUL, NULL, NULL, 3, "UTF-16"},
	{"gb nul", BYTES(GB_YU_HONGJUN "\0"), BIG, TEXTENC_NUL, NULL, NULL, 6, "offset 6"},
	/* neither encoding */
	{"invalid both: ff", BYTES("\xFF"), BIG, TEXTENC_INVALID, NULL, NULL, 0,
	 "neither UTF-8 (byte 0xFF at offset 0) nor GB18030 (byte 0xFF at offset 0)"},
	{"invalid both: gb then ff", BYTES(GB_YU_HONGJUN "\xFF"), BIG, TEXTENC_INVALID, NULL, NULL,
	 6, "GB18030 (byte 0xFF at offset 6)"},
	{"invalid both: utf8 then ff", BYTES("于洪军\xFF"), BIG, TEXTENC_INVALID, NULL, NULL, 9,
	 "UTF-8 (byte 0xFF at offset 9)"},
	{"invalid both: lone 0x80", BYTES("ab\x80"), BIG, TEXTENC_INVALID, NULL, NULL, 2,
	 "offset 2"},
	{"truncated gb two-byte", BYTES(GB_DI_YI_ZU "\xd3"), BIG, TEXTENC_INVALID, NULL, NULL, 6,
	 "GB18030 (byte 0xD3 at offset 6)"},
	{"truncated gb four-byte", BYTES(GB_YU_HONGJUN "\x94\x39\xfc"), BIG, TEXTENC_INVALID, NULL,
	 NULL, 6, "GB18030 (byte 0x94 at offset 6)"},
	{"bom then invalid", BYTES("\xEF\xBB\xBF" "ab" GB_YU_HONGJUN), BIG, TEXTENC_INVALID, NULL,
	 NULL, 5, "byte order mark"},
};

/* Runs one case; the result text is copied out and freed before any CHECK,
 * so a failing case leaks nothing. */
static void run_case(const textenc_case *c)
{
	textenc_result res;
	char err[256];
	char got[256] = "";
	textenc_status st = textenc_to_utf8(c->in, c->n, c->max, &res, err, sizeof(err));
	bool has_text = res.text != NULL;
	size_t len = res.len;
	if (res.text && res.len < sizeof(got))
		memcpy(got, res.text, res.len + 1);
	free(res.text);

	CHECK_INT_EQ(st, c->status);
	if (c->status == TEXTENC_OK) {
		CHECK(has_text);
		CHECK_STR_EQ(got, c->want);
		CHECK_INT_EQ(len, strlen(c->want));
		CHECK_STR_EQ(res.encoding, c->encoding);
		CHECK_STR_EQ(err, "");
		return;
	}
	CHECK(!has_text);
	CHECK(res.encoding == NULL);
	CHECK_INT_EQ(len, 0);
	if (c->status == TEXTENC_NUL || c->status == TEXTENC_INVALID)
		CHECK_INT_EQ(res.bad_offset, c->bad_offset);
	if (!strstr(err, c->err_has))
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, c->err_has);
	CHECK(strstr(err, c->err_has) != NULL);
}

static void table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = check_failures;
		run_case(&cases[i]);
		if (check_failures != before)
			fprintf(stderr, "  in case \"%s\"\n", cases[i].name);
	}
}

/* A message that does not fit is cut, still NUL-terminated; no buffer at all
 * is allowed too. */
static void small_error_buffers(void)
{
	textenc_result res;
	char err[8];
	memset(err, 'x', sizeof(err));
	CHECK_INT_EQ(textenc_to_utf8(BYTES("\xFF"), BIG, &res, err, sizeof(err)), TEXTENC_INVALID);
	CHECK_INT_EQ(strlen(err), sizeof(err) - 1);
	CHECK_INT_EQ(textenc_to_utf8(BYTES("\xFF"), BIG, &res, NULL, 0), TEXTENC_INVALID);
	CHECK(res.text == NULL);
	CHECK_INT_EQ(textenc_to_utf8(BYTES("于"), BIG, &res, NULL, 0), TEXTENC_OK);
	CHECK_STR_EQ(res.text, "于");
	free(res.text);
}

/* A long GB18030 input (3000 names, 18 000 bytes in, 27 000 out: the most
 * growth GB18030 allows) converts whole and its length adds up. */
static void long_gb_input(void)
{
	enum { NAMES = 3000 };
	static const char name[] = GB_YU_HONGJUN;
	size_t n = NAMES * (sizeof(name) - 1);
	char *in = malloc(n);
	CHECK(in != NULL);
	for (size_t i = 0; i < NAMES; i++)
		memcpy(in + i * (sizeof(name) - 1), name, sizeof(name) - 1);
	textenc_result res;
	char err[128];
	textenc_status st = textenc_to_utf8(in, n, n, &res, err, sizeof(err));
	free(in);
	size_t len = res.len;
	bool ok = res.text && strncmp(res.text, "于洪军", 9) == 0 &&
	          strcmp(res.text + len - 9, "于洪军") == 0 && strlen(res.text) == len;
	free(res.text);
	CHECK_INT_EQ(st, TEXTENC_OK);
	CHECK_INT_EQ(len, NAMES * 9);
	CHECK(ok);
}

CHECK_MAIN("textenc", T(table), T(small_error_buffers), T(long_gb_input))
