/*
 * Unit tests for src/util/timeutil.c: calendar dates (leap years by the
 * Gregorian rules, month lengths, the exact YYYY-MM-DD shape) and ISO times.
 */
#include <stdbool.h>

#include "check.h"
#include "util/timeutil.h"

static void valid_dates(void)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		/* ordinary dates: the tree planting, the quarter's redemption */
		{"2024-04-10", true}, {"2024-01-01", true}, {"2024-12-31", true},
		{"1900-01-01", true}, {"9999-12-31", true},
		/* month lengths */
		{"2024-01-31", true}, {"2024-04-30", true}, {"2024-04-31", false},
		{"2024-06-31", false}, {"2024-09-31", false}, {"2024-11-31", false},
		{"2024-07-31", true}, {"2024-08-31", true}, {"2024-01-32", false},
		/* leap years: divisible by 4, except centuries, except every 400 years */
		{"2024-02-29", true}, {"2023-02-29", false}, {"2023-02-28", true},
		{"2000-02-29", true}, {"1900-02-29", false}, {"2100-02-29", false},
		{"2400-02-29", true}, {"2024-02-30", false}, {"1996-02-29", true},
		/* out of range */
		{"2024-00-10", false}, {"2024-13-01", false}, {"2024-01-00", false},
		{"1899-12-31", false}, {"0000-01-01", false},
		/* shape */
		{"", false}, {"2024-1-01", false}, {"2024-01-1", false}, {"24-01-01", false},
		{"2024/01/01", false}, {"2024.01.01", false}, {"20240101", false},
		{"2024-01-01 ", false}, {" 2024-01-01", false}, {"2024-01-01T00:00:00Z", false},
		{"2024-01-0a", false}, {"2O24-01-01", false}, {"2024--1-01", false},
		{"2024-+1-01", false}, {"2024年4月10日", false}, {"２０２４-01-01", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (time_valid_date(cases[i].s) != cases[i].ok) {
			fprintf(stderr, "time_valid_date(\"%s\") should be %d\n", cases[i].s, cases[i].ok);
			CHECK(0);
		}
	}
}

static void iso_times(void)
{
	static const struct {
		int64_t t;
		const char *want;
	} cases[] = {
		{0, "1970-01-01T00:00:00Z"},
		{951782400, "2000-02-29T00:00:00Z"},
		{1700000000, "2023-11-14T22:13:20Z"},
		{4102444799, "2099-12-31T23:59:59Z"},
		{-1, "1969-12-31T23:59:59Z"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[32];
		memset(out, 'x', sizeof(out));
		time_iso(cases[i].t, out, sizeof(out));
		CHECK_STR_EQ(out, cases[i].want);
	}
	/* the documented minimum buffer of 21 bytes is enough */
	char exact[21];
	time_iso(1700000000, exact, sizeof(exact));
	CHECK_STR_EQ(exact, "2023-11-14T22:13:20Z");
}

static void clocks(void)
{
	int64_t now = time_now();
	CHECK(now > 1700000000); /* after 2023-11 */
	char iso[32];
	time_iso(now, iso, sizeof(iso));
	CHECK_INT_EQ(strlen(iso), 20);
	/* the date part of now is a valid date */
	iso[10] = '\0';
	CHECK(time_valid_date(iso));
	double a = time_mono_ms();
	double b = time_mono_ms();
	CHECK(a > 0);
	CHECK(b >= a);
}

CHECK_MAIN("timeutil", T(valid_dates), T(iso_times), T(clocks))
