/*
 * qr.h: QR codes (ISO/IEC 18004) for printouts, through libqrencode. A code is
 * a square of modules, each dark or light; the PDF renderer draws it. What a
 * code says (a URL, a household's passbook) is the caller's business.
 */
#ifndef JF_QR_H
#define JF_QR_H
#include <stdbool.h>
#include <stddef.h>

#define QR_MAX_PAYLOAD 1024 /* bytes: a URL or a short code, never a document */
#define QR_QUIET_ZONE 4     /* light modules to leave around a code when drawing it */

typedef struct {
	int width;            /* modules per side (21 for version 1, +4 per version) */
	unsigned char *dark;  /* width × width, row by row: 1 dark, 0 light */
} qr_code;

/* Encodes text (bytes, 8-bit mode) at error correction level M (15%).
 * True with *out filled: the caller frees it with qr_free. False when text is
 * empty or longer than QR_MAX_PAYLOAD, or on out of memory (*out zeroed). */
bool qr_encode(const char *text, qr_code *out);
/* True if the module at column x, row y is dark; false outside the code. */
bool qr_is_dark(const qr_code *q, int x, int y);
void qr_free(qr_code *q);

#endif
