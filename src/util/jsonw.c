/*
 * jsonw.c: the streaming JSON writer (see jsonw.h). The document grows inside the
 * arena: when it is full, a block twice the size is taken and the text copied
 * (the old block stays in the arena until the request ends). Byte-for-byte the
 * output of jansson's json_dumps(JSON_COMPACT): strings keep their UTF-8, escape
 * '"', '\\' and control characters (\b \f \n \r \t, else \u00XX in upper case),
 * and integers print as %lld.
 */
#include "util/jsonw.h"

#include "util/utf8.h"

#include <string.h>

#include "util/timeutil.h"

void jw_init(jw *w, arena *ar, size_t cap, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->ar = ar;
	w->max = max;
	w->first[0] = true;
	if (cap > max)
		cap = max;
	w->data = arena_alloc_uninit(ar, cap + 1);
	w->cap = w->data ? cap : 0;
	w->failed = !w->data;
}

/* Makes room for n more bytes (plus the final NUL). False (and failed) past max
 * or when the arena refuses. */
static bool grow(jw *w, size_t n)
{
	if (w->failed)
		return false;
	if (n > w->max || w->len > w->max - n) {
		w->failed = true;
		return false;
	}
	size_t cap = w->cap ? w->cap : 256;
	while (cap < w->len + n)
		cap *= 2;
	if (cap > w->max)
		cap = w->max;
	char *d = arena_alloc_uninit(w->ar, cap + 1);
	if (!d) {
		w->failed = true;
		return false;
	}
	if (w->len)
		memcpy(d, w->data, w->len);
	w->data = d;
	w->cap = cap;
	return true;
}

static inline void put(jw *w, const char *s, size_t n)
{
	if (w->cap - w->len < n && !grow(w, n))
		return;
	memcpy(w->data + w->len, s, n);
	w->len += n;
}

static inline void putc_(jw *w, char c)
{
	if (w->cap == w->len && !grow(w, 1))
		return;
	w->data[w->len++] = c;
}

/* The comma before a value or a member, unless it is the first of its container. */
static inline void sep(jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		putc_(w, ',');
	w->first[w->depth] = false;
}

static void open_(jw *w, char c)
{
	sep(w);
	putc_(w, c);
	if (w->depth >= JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(jw *w, char c)
{
	if (w->depth == 0 || w->after_key) {
		w->failed = true;
		return;
	}
	w->depth--;
	putc_(w, c);
}

void jw_obj_open(jw *w)
{
	open_(w, '{');
}

void jw_obj_close(jw *w)
{
	close_(w, '}');
}

void jw_arr_open(jw *w)
{
	open_(w, '[');
}

void jw_arr_close(jw *w)
{
	close_(w, ']');
}

void jw_key(jw *w, const char *name)
{
	sep(w);
	size_t n = strlen(name);
	if (w->cap - w->len < n + 3 && !grow(w, n + 3))
		return;
	char *p = w->data + w->len;
	p[0] = '"';
	memcpy(p + 1, name, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	w->len += n + 3;
	w->after_key = true;
}

void jw_int(jw *w, int64_t v)
{
	char tmp[24];
	char *e = tmp + sizeof(tmp), *p = e;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sep(w);
	put(w, p, (size_t)(e - p));
}

void jw_bool(jw *w, bool v)
{
	sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_json(jw *w, const char *s, size_t n)
{
	sep(w);
	put(w, s, n);
}

/* 1: the byte must be escaped ('"', '\\', below 0x20); 0: copied as is. */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 0, 0, 1, ['\\'] = 1,
};

/* The bytes jw_str writes for s at most: quotes, escapes, and at least "null". */
static size_t escaped_len(const char *s, size_t n)
{
	size_t len = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!needs_escape[c])
			len++;
		else if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
		         c == '\t')
			len += 2;
		else
			len += 6;
	}
	return len < 4 ? 4 : len;
}

void jw_str(jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	size_t n = strlen(s);
	sep(w);
	/* room for the worst case (every byte becomes \u00XX), or near the maximum
	 * for exactly what this string needs */
	size_t need = n * 6 + 2;
	if (w->cap - w->len < need) {
		if (need > w->max || w->len > w->max - need)
			need = escaped_len(s, n);
		if (!grow(w, need))
			return;
	}
	char *p = w->data + w->len;
	*p++ = '"';
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (c >= 0x80) {
			size_t len = utf8_seq_len(u + i, n - i);
			if (!len) {
				/* json_string refuses text that is not UTF-8: null instead */
				memcpy(w->data + w->len, "null", 4);
				w->len += 4;
				return;
			}
			memcpy(p, u + i, len);
			p += len;
			i += len;
			continue;
		}
		i++;
		if (!needs_escape[c]) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"':
			*p++ = '"';
			break;
		case '\\':
			*p++ = '\\';
			break;
		case '\b':
			*p++ = 'b';
			break;
		case '\f':
			*p++ = 'f';
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = "0123456789ABCDEF"[c >> 4];
			*p++ = "0123456789ABCDEF"[c & 15];
			break;
		}
	}
	*p++ = '"';
	w->len = (size_t)(p - w->data);
}

static char *two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void jw_time(jw *w, int64_t t)
{
	/* 1970-01-01 to 9999-12-31 by arithmetic (civil_from_days, H. Hinnant);
	 * anything else through time_iso, which the fast path must equal */
	if (t < 0 || t >= INT64_C(253402300800)) {
		char iso[64];
		time_iso(t, iso, sizeof(iso));
		jw_str(w, iso);
		return;
	}
	int64_t days = t / 86400, secs = t % 86400;
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	if (m <= 2)
		y++;
	char buf[24], *p = buf;
	*p++ = '"';
	p = two(p, (int)(y / 100));
	p = two(p, (int)(y % 100));
	*p++ = '-';
	p = two(p, m);
	*p++ = '-';
	p = two(p, d);
	*p++ = 'T';
	p = two(p, (int)(secs / 3600));
	*p++ = ':';
	p = two(p, (int)(secs / 60 % 60));
	*p++ = ':';
	p = two(p, (int)(secs % 60));
	*p++ = 'Z';
	*p++ = '"';
	sep(w);
	put(w, buf, (size_t)(p - buf));
}

char *jw_finish(jw *w, size_t *len)
{
	*len = 0;
	if (w->failed || w->depth != 0 || w->after_key || !w->data)
		return NULL;
	w->data[w->len] = '\0';
	*len = w->len;
	return w->data;
}
