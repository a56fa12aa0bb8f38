/*
 * utf8.c: validation and masking of UTF-8 text. Validation follows the
 * well-formed byte sequences of Unicode 15, table 3-7.
 */
#include "util/utf8.h"

#include <string.h>

size_t utf8_seq_len(const unsigned char *u, size_t n)
{
	unsigned char c = u[0], lo = 0x80, hi = 0xBF;
	size_t len;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len || u[1] < lo || u[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (u[k] < 0x80 || u[k] > 0xBF)
			return 0;
	return len;
}

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_seq_len(s + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

size_t utf8_len(const char *str)
{
	size_t n = 0;
	for (const unsigned char *s = (const unsigned char *)str; *s; s++)
		if ((*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Byte length of the code point starting at s. */
static size_t cp_len(const unsigned char *s)
{
	if (*s < 0x80)
		return 1;
	if ((*s & 0xE0) == 0xC0)
		return 2;
	if ((*s & 0xF0) == 0xE0)
		return 3;
	return 4;
}

char *utf8_mask_name(const char *name, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t total = strlen(name), chars = utf8_len(name);
	if (cap == 0)
		return out;
	out[0] = '\0';
	if (chars == 0)
		return out;
	size_t first = cp_len(s);
	if (chars == 1) {
		if (first < cap) {
			memcpy(out, s, first);
			out[first] = '\0';
		}
		return out;
	}
	/* find the start of the last code point */
	size_t last = total;
	do
		last--;
	while (last > 0 && (s[last] & 0xC0) == 0x80);
	size_t tail = chars == 2 ? 0 : total - last;
	size_t stars = chars == 2 ? 1 : chars - 2;
	if (first + stars + tail + 1 > cap)
		return out;
	size_t o = 0;
	memcpy(out, s, first);
	o += first;
	memset(out + o, '*', stars);
	o += stars;
	memcpy(out + o, s + last, tail);
	o += tail;
	out[o] = '\0';
	return out;
}

char *utf8_mask_phone(const char *phone, char *out, size_t cap)
{
	size_t n = strlen(phone);
	if (cap == 0)
		return out;
	if (n + 1 > cap) {
		out[0] = '\0';
		return out;
	}
	memcpy(out, phone, n + 1);
	if (n >= 8) {
		for (size_t i = 3; i < n - 4; i++)
			out[i] = '*';
	} else {
		for (size_t i = 0; i < n; i++)
			out[i] = '*';
	}
	return out;
}

bool utf8_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
			return true;
		/* the C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8 */
		if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			return true;
	}
	return false;
}

char *utf8_scrub(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; s[i] && o + 5 < cap;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (strnlen(s + i, len) == len && utf8_valid(s + i, len)) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			i++;
		}
	}
	out[o] = '\0';
	return out;
}
