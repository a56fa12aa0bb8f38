/*
 * buf.c: bounded growing buffers. Every growth is checked against the maximum,
 * and a failed append frees what was there (so no half-built output escapes).
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_free(buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

bool buf_append(buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n) {
		buf_free(b);
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		char *d = realloc(b->data, cap);
		if (!d) {
			buf_free(b);
			return false;
		}
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool buf_puts(buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

bool buf_printf(buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf_free(b);
		return false;
	}
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	char *big = malloc((size_t)n + 1);
	if (!big) {
		buf_free(b);
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	bool ok = buf_append(b, big, (size_t)n);
	free(big);
	return ok;
}

char *buf_steal(buf *b)
{
	char *d = b->data;
	if (!d) {
		d = malloc(1);
		if (d)
			d[0] = '\0';
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return d;
}
