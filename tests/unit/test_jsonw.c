/*
 * Unit tests for src/util/jsonw.c: the writer gives exactly jansson's compact
 * output (every byte value as a string, random UTF-8 and random garbage, integers
 * at the edges, times against time_iso), commas and nesting are right, and a
 * document past its maximum, past the arena's limit or unbalanced is refused.
 */
#include <jansson.h>

#include "check.h"
#include "util/jsonw.h"
#include "util/timeutil.h"

#define FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* What jansson writes for ["s"] (or [null] when it refuses s), and what jw writes. */
static void both_str(const char *s, char **want, char **got, arena *ar)
{
	json_t *a = json_array();
	json_t *v = json_string(s);
	json_array_append_new(a, v ? v : json_null());
	*want = json_dumps(a, FLAGS);
	json_decref(a);
	jw w;
	jw_init(&w, ar, 16, 1 << 20);
	jw_arr_open(&w);
	jw_str(&w, s);
	jw_arr_close(&w);
	size_t len = 0;
	*got = jw_finish(&w, &len);
}

static void every_byte_matches_jansson(void)
{
	arena ar;
	arena_init(&ar, 0);
	for (int c = 1; c < 256; c++) {
		char s[4] = {'a', (char)c, 'z', 0};
		char *want = NULL, *got = NULL;
		both_str(s, &want, &got, &ar);
		int same = want && got && strcmp(want, got) == 0;
		if (!same)
			fprintf(stderr, "byte 0x%02X: jansson %s, jw %s\n", c, want, got ? got : "(null)");
		free(want);
		CHECK(same);
	}
	arena_free(&ar);
}

static void random_text_matches_jansson(void)
{
	static const char *const pieces[] = {
		"高", "箭", "沟", "😀", "é", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
		"a", " ", "\xc3", "\xe4\xb8", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
		"\xef\xbf\xbf", "\xf0\x9f\x98", "\x80", "\xff", "\xe0\xa0\x80", "\xf4\x8f\xbf\xbf",
	};
	arena ar;
	arena_init(&ar, 0);
	int valid = 0, invalid = 0;
	for (int round = 0; round < 20000; round++) {
		char s[256];
		size_t n = 0;
		int parts = (int)(next_rand() % 12);
		for (int k = 0; k < parts; k++) {
			const char *p = pieces[next_rand() % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(p);
			memcpy(s + n, p, l);
			n += l;
		}
		s[n] = '\0';
		char *want = NULL, *got = NULL;
		both_str(s, &want, &got, &ar);
		int same = want && got && strcmp(want, got) == 0;
		if (!same)
			fprintf(stderr, "round %d: jansson %s, jw %s\n", round, want, got ? got : "(null)");
		if (want && strcmp(want, "[null]") == 0)
			invalid++;
		else
			valid++;
		free(want);
		CHECK(same);
		if (round % 1000 == 0) {
			arena_free(&ar);
			arena_init(&ar, 0);
		}
	}
	arena_free(&ar);
	CHECK(valid > 1000);
	CHECK(invalid > 1000);
}

static void integers_and_literals_match_jansson(void)
{
	int64_t vals[64] = {0, 1, -1, 9, 10, -10, INT64_MAX, INT64_MIN, INT64_MIN + 1,
	                    1000000007, -999999999999};
	for (int i = 11; i < 64; i++)
		vals[i] = (int64_t)next_rand() >> (next_rand() % 64);
	json_t *a = json_array();
	arena ar;
	arena_init(&ar, 0);
	jw w;
	jw_init(&w, &ar, 8, 1 << 20);
	jw_arr_open(&w);
	for (int i = 0; i < 64; i++) {
		json_array_append_new(a, json_integer(vals[i]));
		jw_int(&w, vals[i]);
	}
	json_array_append_new(a, json_true());
	json_array_append_new(a, json_false());
	json_array_append_new(a, json_null());
	jw_bool(&w, true);
	jw_bool(&w, false);
	jw_null(&w);
	jw_arr_close(&w);
	char *want = json_dumps(a, FLAGS);
	size_t len = 0;
	const char *got = jw_finish(&w, &len);
	json_decref(a);
	int same = got && strcmp(want, got) == 0;
	if (!same)
		fprintf(stderr, "jansson %s\njw      %s\n", want, got ? got : "(null)");
	CHECK_INT_EQ(len, strlen(want));
	free(want);
	arena_free(&ar);
	CHECK(same);
}

static void times_match_time_iso(void)
{
	int64_t ts[] = {0, 1, 59, 60, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800,
	                4107542400 /* 2100-03-01 */, 253402300799, 253402300800, -1, -86401,
	                1700000000, 1735689599, 1735689600};
	arena ar;
	arena_init(&ar, 0);
	for (int i = 0; i < 20000; i++) {
		int64_t t = i < (int)(sizeof(ts) / sizeof(ts[0])) ? ts[i]
		                                                   : (int64_t)(next_rand() % 253402300800u);
		char iso[64], want[80];
		time_iso(t, iso, sizeof(iso));
		snprintf(want, sizeof(want), "\"%s\"", iso);
		jw w;
		jw_init(&w, &ar, 4, 1024);
		jw_time(&w, t);
		size_t len = 0;
		const char *got = jw_finish(&w, &len);
		if (!got || strcmp(got, want) != 0)
			fprintf(stderr, "t=%lld: time_iso %s, jw %s\n", (long long)t, want,
			        got ? got : "(null)");
		CHECK(got && strcmp(got, want) == 0);
	}
	arena_free(&ar);
}

static void nesting_and_commas(void)
{
	arena ar;
	arena_init(&ar, 0);
	jw w;
	jw_init(&w, &ar, 1, 4096); /* grows from one byte */
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_key(&w, "b");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < 3; i++) {
		jw_obj_open(&w);
		jw_key(&w, "id");
		jw_int(&w, i);
		jw_key(&w, "name");
		jw_str(&w, "户");
		jw_key(&w, "ev");
		jw_json(&w, "[\"x\"]", 5);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "total");
	jw_int(&w, 3);
	jw_obj_close(&w);
	size_t len = 0;
	const char *got = jw_finish(&w, &len);
	CHECK_STR_EQ(got, "{\"a\":[],\"b\":{},\"items\":[{\"id\":0,\"name\":\"户\",\"ev\":[\"x\"]},"
	                  "{\"id\":1,\"name\":\"户\",\"ev\":[\"x\"]},"
	                  "{\"id\":2,\"name\":\"户\",\"ev\":[\"x\"]}],\"total\":3}");
	CHECK_INT_EQ(len, strlen(got));
	arena_free(&ar);
}

static void refusals(void)
{
	arena ar;
	arena_init(&ar, 0);
	size_t len = 99;
	/* past the maximum: nothing, even if later writes are small */
	jw w;
	jw_init(&w, &ar, 4, 16);
	jw_arr_open(&w);
	jw_str(&w, "0123456789abcdef");
	jw_arr_close(&w);
	CHECK(jw_finish(&w, &len) == NULL);
	CHECK_INT_EQ(len, 0);
	/* exactly the maximum is fine */
	jw_init(&w, &ar, 4, 16);
	jw_arr_open(&w);
	jw_str(&w, "0123456789ab");
	jw_arr_close(&w);
	CHECK_STR_EQ(jw_finish(&w, &len), "[\"0123456789ab\"]");
	/* unbalanced, a key without a value, a close too many */
	jw_init(&w, &ar, 4, 64);
	jw_obj_open(&w);
	CHECK(jw_finish(&w, &len) == NULL);
	jw_init(&w, &ar, 4, 64);
	jw_obj_open(&w);
	jw_key(&w, "k");
	jw_obj_close(&w);
	CHECK(jw_finish(&w, &len) == NULL);
	jw_init(&w, &ar, 4, 64);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_arr_close(&w);
	CHECK(jw_finish(&w, &len) == NULL);
	/* too deep */
	jw_init(&w, &ar, 4, 1024);
	for (int i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_arr_open(&w);
	for (int i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_arr_close(&w);
	CHECK(jw_finish(&w, &len) == NULL);
	arena_free(&ar);
	/* the arena's limit */
	arena small;
	arena_init(&small, 256);
	jw_init(&w, &small, 64, 1 << 20);
	jw_arr_open(&w);
	for (int i = 0; i < 100; i++)
		jw_str(&w, "高箭沟村");
	jw_arr_close(&w);
	CHECK(jw_finish(&w, &len) == NULL);
	arena_free(&small);
}

CHECK_MAIN("jsonw", T(every_byte_matches_jansson), T(random_text_matches_jansson),
           T(integers_and_literals_match_jansson), T(times_match_time_iso),
           T(nesting_and_commas), T(refusals))
