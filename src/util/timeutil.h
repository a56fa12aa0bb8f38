/*
 * timeutil.h: wall-clock and monotonic time, and ISO dates (YYYY-MM-DD).
 */
#ifndef JF_TIMEUTIL_H
#define JF_TIMEUTIL_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

int64_t time_now(void);        /* Unix seconds, UTC (+ JIFEN_CLOCK_OFFSET, a testing aid) */
int64_t time_clock_offset(void); /* JIFEN_CLOCK_OFFSET in seconds, 0 when unset */
double time_mono_ms(void);     /* monotonic milliseconds */
/* Formats Unix seconds as 2026-11-29T13:22:47Z into out (at least 21 bytes). */
void time_iso(int64_t t, char *out, size_t cap);
/* Today's date in China (UTC+8, no daylight saving) as YYYY-MM-DD (11 bytes). */
void time_today_cn(char *out);
/* The first day of the month after the month of date (YYYY-MM-DD → YYYY-MM-01). */
void time_next_month(const char *date, char *out);
/* True if s is a real calendar date written YYYY-MM-DD. */
bool time_valid_date(const char *s);

#endif
