/*
 * log.c: line-buffered logging to stderr, safe from several threads (one
 * fprintf per line under the stdio lock).
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static log_level min_level = LOG_INFO;

void log_set_level(log_level min)
{
	min_level = min;
}

void log_msg(log_level lv, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (lv < min_level)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	flockfile(stderr);
	fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s\n", tm.tm_year + 1900,
	        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	        names[lv], line);
	funlockfile(stderr);
}
