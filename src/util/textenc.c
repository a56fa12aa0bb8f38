/*
 * textenc.c: UTF-8 / GB18030 detection and conversion of uploaded text.
 * UTF-8 validity is decided by utf8_valid(); GB18030 decoding is glibc iconv's.
 * The output is one malloc'd string handed to the caller; everything else
 * acquired here (the iconv descriptor, a half-filled buffer) is released on the
 * way out, whatever happened.
 */
#include "util/textenc.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

static const unsigned char utf8_bom[3] = {0xEF, 0xBB, 0xBF};

/* Writes a message into err when there is room for one. */
static void set_err(char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;
	if (!err || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

/* Length of the UTF-8 sequence that lead byte c announces (1 for a byte that
 * cannot start one, so the caller's validity check fails on it). */
static size_t lead_len(unsigned char c)
{
	if (c >= 0xC0 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF7)
		return 4;
	return 1;
}

/* Offset of the first byte of s[0..n) that does not start a well-formed UTF-8
 * sequence; n when the whole of s is valid. */
static size_t utf8_first_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t len = lead_len(s[i]);
		if (len > n - i || !utf8_valid((const char *)s + i, len))
			return i;
		i += len;
	}
	return n;
}

/* Returns a malloc'd NUL-terminated copy of s[0..n) (caller frees), or NULL on
 * OOM. */
static char *copy_text(const unsigned char *s, size_t n)
{
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/*
 * Decodes s[0..n) as GB18030. Returns TEXTENC_OK with *text (malloc'd, caller
 * frees) and *len set; TEXTENC_INVALID with *bad the offset of the first
 * undecodable byte (an illegal sequence, or one cut off by the end of input)
 * and *text NULL; TEXTENC_SYSTEM with a message in err and *text NULL.
 * Does not write err for TEXTENC_INVALID: the caller knows more to say.
 */
static textenc_status from_gb18030(const unsigned char *s, size_t n, char **text, size_t *len,
                                   size_t *bad, char *err, size_t errcap)
{
	textenc_status st = TEXTENC_OK;
	iconv_t cd = (iconv_t)-1;
	char *out = NULL;
	*text = NULL;
	if (n > (SIZE_MAX - 8) / 2) {
		st = TEXTENC_SYSTEM;
		set_err(err, errcap, "input too large to convert");
		goto out;
	}
	/* GB18030 never grows by more than half when decoded to UTF-8 (two bytes
	 * become at most three); E2BIG is still handled, in case. */
	size_t cap = n + n / 2 + 8;
	cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		st = TEXTENC_SYSTEM;
		set_err(err, errcap, "cannot open the GB18030 converter: %s", strerror(errno));
		goto out;
	}
	out = malloc(cap);
	if (!out) {
		st = TEXTENC_SYSTEM;
		set_err(err, errcap, "out of memory converting from GB18030");
		goto out;
	}
	char *ip = (char *)s;
	size_t il = n;
	char *op = out;
	size_t ol = cap - 1; /* keep a byte for the NUL */
	while (il > 0) {
		size_t rc = iconv(cd, &ip, &il, &op, &ol);
		if (rc != (size_t)-1)
			break;
		if (errno != E2BIG) {
			/* EILSEQ: an illegal sequence; EINVAL: the input ends inside one */
			st = TEXTENC_INVALID;
			*bad = (size_t)(ip - (char *)s);
			goto out;
		}
		size_t used = (size_t)(op - out);
		if (cap > SIZE_MAX / 2) {
			st = TEXTENC_SYSTEM;
			set_err(err, errcap, "input too large to convert");
			goto out;
		}
		char *grown = realloc(out, cap * 2);
		if (!grown) {
			st = TEXTENC_SYSTEM;
			set_err(err, errcap, "out of memory converting from GB18030");
			goto out;
		}
		out = grown;
		cap *= 2;
		op = out + used;
		ol = cap - 1 - used;
	}
	/* GB18030 is stateless, so there is no shift state to flush. */
	*op = '\0';
	*len = (size_t)(op - out);
	*text = out;
	out = NULL;
out:
	free(out);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return st;
}

textenc_status textenc_to_utf8(const void *in, size_t n, size_t max, textenc_result *res,
                               char *err, size_t errcap)
{
	const unsigned char *s = in;
	textenc_status st = TEXTENC_OK;
	size_t skip = 0;
	res->text = NULL;
	res->len = 0;
	res->encoding = NULL;
	res->bad_offset = 0;
	set_err(err, errcap, "%s", "");
	if (n > max) {
		st = TEXTENC_TOO_LARGE;
		set_err(err, errcap, "file is %zu bytes, over the limit of %zu bytes", n, max);
		goto out;
	}
	const unsigned char *nul = n ? memchr(s, '\0', n) : NULL;
	if (nul) {
		st = TEXTENC_NUL;
		res->bad_offset = (size_t)(nul - s);
		set_err(err, errcap,
		        "file holds a NUL byte at offset %zu: not a text file (or saved as UTF-16)",
		        res->bad_offset);
		goto out;
	}
	if (n >= sizeof(utf8_bom) && memcmp(s, utf8_bom, sizeof(utf8_bom)) == 0)
		skip = sizeof(utf8_bom);
	if (utf8_valid((const char *)s + skip, n - skip)) {
		res->text = copy_text(s + skip, n - skip);
		if (!res->text) {
			st = TEXTENC_SYSTEM;
			set_err(err, errcap, "out of memory copying the text");
			goto out;
		}
		res->len = n - skip;
		res->encoding = "utf-8";
		goto out;
	}
	size_t utf8_bad = skip + utf8_first_bad(s + skip, n - skip);
	if (skip) {
		st = TEXTENC_INVALID;
		res->bad_offset = utf8_bad;
		set_err(err, errcap,
		        "file starts with a UTF-8 byte order mark but is not valid UTF-8: "
		        "byte 0x%02X at offset %zu",
		        s[utf8_bad], utf8_bad);
		goto out;
	}
	size_t gb_bad = 0;
	st = from_gb18030(s, n, &res->text, &res->len, &gb_bad, err, errcap);
	if (st == TEXTENC_OK) {
		res->encoding = "gb18030";
	} else if (st == TEXTENC_INVALID) {
		res->bad_offset = utf8_bad > gb_bad ? utf8_bad : gb_bad;
		set_err(err, errcap,
		        "file is neither UTF-8 (byte 0x%02X at offset %zu) "
		        "nor GB18030 (byte 0x%02X at offset %zu)",
		        s[utf8_bad], utf8_bad, s[gb_bad], gb_bad);
	}
out:
	if (st != TEXTENC_OK) {
		free(res->text);
		res->text = NULL;
		res->len = 0;
		res->encoding = NULL;
	}
	return st;
}
