/*
 * timeutil.c: time helpers. All stored times are Unix seconds in UTC.
 */
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* JIFEN_CLOCK_OFFSET=N (seconds, may be negative) moves jifen's clock: a testing
 * aid, so a test on a real server can reach next year (to close this one) or a
 * redemption window. `jifen serve` logs a warning when it is set. */
static int64_t clock_offset;
static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

static void clock_init(void)
{
	const char *e = getenv("JIFEN_CLOCK_OFFSET");
	if (e && *e) {
		char *end = NULL;
		long long v = strtoll(e, &end, 10);
		if (end && *end == '\0' && v > -3153600000LL && v < 3153600000LL)
			clock_offset = v;
	}
}

int64_t time_clock_offset(void)
{
	pthread_once(&clock_once, clock_init);
	return clock_offset;
}

int64_t time_now(void)
{
	return (int64_t)time(NULL) + time_clock_offset();
}

double time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void time_iso(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool time_valid_date(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	int max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

void time_today_cn(char *out)
{
	time_t t = (time_t)(time_now() + 8 * 3600);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void time_next_month(const char *date, char *out)
{
	int y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
	int m = (date[5] - '0') * 10 + (date[6] - '0');
	m++;
	if (m > 12) {
		m = 1;
		y++;
	}
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-01", y % 10000, m % 100);
	memcpy(out, tmp, 11);
}
