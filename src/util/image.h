/*
 * image.h: what kind of picture a byte string is, and how big, read from its
 * first bytes only: never from a file name or a Content-Type. Knows JPEG, PNG
 * and WebP (lossy VP8, lossless VP8L, extended VP8X). It reads headers, not
 * pixels: it does not decode or re-encode an image, and a file that passes may
 * still be damaged after its header.
 *
 * A "pixel flood" (a small file whose header claims a huge canvas, which would
 * exhaust memory in whoever decodes it) is refused by the size bounds below.
 */
#ifndef JF_IMAGE_H
#define JF_IMAGE_H
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_SIDE 10000u          /* pixels on either side */
#define IMAGE_MAX_PIXELS 40000000u     /* width × height (40 megapixels) */

typedef enum {
	IMAGE_OK = 0,
	IMAGE_UNKNOWN,   /* not JPEG, PNG or WebP */
	IMAGE_TRUNCATED, /* the header ends before the dimensions */
	IMAGE_CORRUPT,   /* a known type whose header is malformed (bad chunk, zero size) */
	IMAGE_TOO_LARGE, /* a side over IMAGE_MAX_SIDE or more than IMAGE_MAX_PIXELS */
} image_rc;

typedef struct {
	const char *mime; /* "image/jpeg", "image/png" or "image/webp" (static strings) */
	uint32_t width, height;
} image_info;

/* Identifies data (len bytes) and reads its pixel size into *out. Returns
 * IMAGE_OK, or why it refuses; on IMAGE_TOO_LARGE, *out still holds the type
 * and the claimed size. Reads at most len bytes and allocates nothing. */
image_rc image_sniff(const unsigned char *data, size_t len, image_info *out);

#endif
