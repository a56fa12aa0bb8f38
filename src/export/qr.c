/*
 * qr.c: QR codes through libqrencode (see qr.h). libqrencode is thread-safe
 * when built with pthreads, as Debian builds it.
 */
#include "export/qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

bool qr_encode(const char *text, qr_code *out)
{
	out->width = 0;
	out->dark = NULL;
	size_t n = text ? strlen(text) : 0;
	if (n == 0 || n > QR_MAX_PAYLOAD)
		return false;
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q)
		return false;
	size_t cells = (size_t)q->width * (size_t)q->width;
	unsigned char *dark = malloc(cells);
	if (!dark) {
		QRcode_free(q);
		return false;
	}
	for (size_t i = 0; i < cells; i++)
		dark[i] = q->data[i] & 1; /* bit 0: dark; the other bits say what the module is for */
	out->width = q->width;
	out->dark = dark;
	QRcode_free(q);
	return true;
}

bool qr_is_dark(const qr_code *q, int x, int y)
{
	if (!q->dark || x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->dark[(size_t)y * (size_t)q->width + (size_t)x] != 0;
}

void qr_free(qr_code *q)
{
	free(q->dark);
	q->dark = NULL;
	q->width = 0;
}
