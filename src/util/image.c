/*
 * image.c: sniffing JPEG, PNG and WebP headers for their type and pixel size
 * (see image.h). Every read is checked against the length first; a JPEG's
 * segments are walked by their lengths with a bound on how many.
 */
#include "util/image.h"

#include <stdbool.h>
#include <string.h>

#define JPEG_MAX_SEGMENTS 4096

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* True if data starts with magic, or is a non-empty beginning of it (*partial). */
static bool starts(const unsigned char *data, size_t len, const char *magic, size_t mlen,
                   bool *partial)
{
	size_t n = len < mlen ? len : mlen;
	if (n == 0 || memcmp(data, magic, n) != 0)
		return false;
	*partial = len < mlen;
	return true;
}

/* A JPEG's start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
static bool is_sof(unsigned m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Walks the segments after SOI to the first SOFn and reads its size. */
static image_rc sniff_jpeg(const unsigned char *d, size_t len, image_info *out)
{
	size_t pos = 2;
	for (int seg = 0; seg < JPEG_MAX_SEGMENTS; seg++) {
		if (pos >= len)
			return IMAGE_TRUNCATED;
		if (d[pos] != 0xFF)
			return IMAGE_CORRUPT;
		while (pos < len && d[pos] == 0xFF) /* fill bytes */
			pos++;
		if (pos >= len)
			return IMAGE_TRUNCATED;
		unsigned m = d[pos++];
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) /* standalone markers */
			continue;
		if (m == 0x00 || m == 0xD8 || m == 0xD9 || m == 0xDA)
			return IMAGE_CORRUPT; /* no frame header before the image data or the end */
		if (pos + 2 > len)
			return IMAGE_TRUNCATED;
		size_t seglen = be16(d + pos);
		if (seglen < 2)
			return IMAGE_CORRUPT;
		if (is_sof(m)) {
			if (seglen < 8)
				return IMAGE_CORRUPT;
			if (pos + 7 > len)
				return IMAGE_TRUNCATED;
			out->height = be16(d + pos + 3);
			out->width = be16(d + pos + 5);
			return IMAGE_OK;
		}
		pos += seglen;
		if (pos > len)
			return IMAGE_TRUNCATED;
	}
	return IMAGE_CORRUPT; /* too many segments before a frame header */
}

/* CRC-32 (ISO 3309, as PNG uses it), bit by bit: it only ever covers 17 bytes. */
static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

/* Reads the IHDR chunk that must follow the signature, checking its CRC. */
static image_rc sniff_png(const unsigned char *d, size_t len, image_info *out)
{
	/* signature 8, chunk length 4, "IHDR" 4, data 13, CRC 4 */
	if (len < 8 + 8 + 13 + 4)
		return IMAGE_TRUNCATED;
	if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
		return IMAGE_CORRUPT;
	if (crc32_of(d + 12, 4 + 13) != be32(d + 8 + 8 + 13))
		return IMAGE_CORRUPT;
	uint32_t w = be32(d + 16), h = be32(d + 20);
	if (w > 0x7FFFFFFFu || h > 0x7FFFFFFFu)
		return IMAGE_CORRUPT;
	out->width = w;
	out->height = h;
	return IMAGE_OK;
}

/* Reads the first chunk of a WebP: VP8 (lossy), VP8L (lossless) or VP8X (extended). */
static image_rc sniff_webp(const unsigned char *d, size_t len, image_info *out)
{
	if (len < 20)
		return IMAGE_TRUNCATED;
	uint32_t riff = le32(d + 4);
	if (riff < 4 + 8)
		return IMAGE_CORRUPT;
	const unsigned char *c = d + 20; /* the first chunk's data */
	if (memcmp(d + 12, "VP8 ", 4) == 0) {
		/* frame tag (3 bytes, bit 0 clear on a key frame), start code, 14-bit sizes */
		if (len < 30)
			return IMAGE_TRUNCATED;
		if ((c[0] & 1) != 0 || c[3] != 0x9D || c[4] != 0x01 || c[5] != 0x2A)
			return IMAGE_CORRUPT;
		out->width = le16(c + 6) & 0x3FFF;
		out->height = le16(c + 8) & 0x3FFF;
	} else if (memcmp(d + 12, "VP8L", 4) == 0) {
		/* signature 0x2F, then width-1 and height-1 in 14 bits each, version 0 */
		if (len < 25)
			return IMAGE_TRUNCATED;
		uint32_t bits = le32(c + 1);
		if (c[0] != 0x2F || (bits >> 29) != 0)
			return IMAGE_CORRUPT;
		out->width = (bits & 0x3FFF) + 1;
		out->height = ((bits >> 14) & 0x3FFF) + 1;
	} else if (memcmp(d + 12, "VP8X", 4) == 0) {
		/* flags and reserved (4 bytes), then canvas width-1 and height-1 in 24 bits */
		if (len < 30)
			return IMAGE_TRUNCATED;
		out->width = le24(c + 4) + 1;
		out->height = le24(c + 7) + 1;
	} else {
		return IMAGE_CORRUPT;
	}
	/* the RIFF size says how long the whole file is: a shorter upload lost its end */
	if ((uint64_t)riff + 8 > len)
		return IMAGE_TRUNCATED;
	return IMAGE_OK;
}

image_rc image_sniff(const unsigned char *data, size_t len, image_info *out)
{
	static const char jpeg[] = "\xFF\xD8\xFF";
	static const char png[] = "\x89PNG\r\n\x1A\n";
	memset(out, 0, sizeof(*out));
	bool partial = false;
	image_rc rc;
	if (starts(data, len, jpeg, 3, &partial)) {
		out->mime = "image/jpeg";
		rc = partial ? IMAGE_TRUNCATED : sniff_jpeg(data, len, out);
	} else if (starts(data, len, png, 8, &partial)) {
		out->mime = "image/png";
		rc = partial ? IMAGE_TRUNCATED : sniff_png(data, len, out);
	} else if (starts(data, len, "RIFF", 4, &partial) &&
	           (len < 12 || memcmp(data + 8, "WEBP", 4) == 0)) {
		out->mime = "image/webp";
		rc = len < 12 ? IMAGE_TRUNCATED : sniff_webp(data, len, out);
	} else {
		return IMAGE_UNKNOWN;
	}
	if (rc != IMAGE_OK)
		return rc;
	if (out->width == 0 || out->height == 0)
		return IMAGE_CORRUPT;
	if (out->width > IMAGE_MAX_SIDE || out->height > IMAGE_MAX_SIDE ||
	    (uint64_t)out->width * out->height > IMAGE_MAX_PIXELS)
		return IMAGE_TOO_LARGE;
	return IMAGE_OK;
}
