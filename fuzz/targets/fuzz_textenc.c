/*
 * fuzz_textenc.c: decoding an uploaded text file (src/util/textenc.c): UTF-8
 * with or without a BOM, else GB18030 through iconv. Checks textenc.h's
 * promises: success gives valid UTF-8 without NULs whose length is len; a
 * failure gives no text and an offset inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/textenc.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that ASan sees any read past the end */
	unsigned char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	textenc_result tr;
	char err[256];
	size_t max = size > 0 && data[0] == 'X' ? size / 2 : 1u << 20;
	textenc_status st = textenc_to_utf8(copy, size, max, &tr, err, sizeof(err));
	if (st == TEXTENC_OK) {
		if (!tr.text || !tr.encoding || strlen(tr.text) != tr.len ||
		    !utf8_valid(tr.text, tr.len) || err[0] != '\0')
			abort();
		free(tr.text);
	} else {
		if (tr.text || tr.encoding || err[0] == '\0')
			abort();
		if ((st == TEXTENC_NUL || st == TEXTENC_INVALID) && tr.bad_offset >= size)
			abort();
	}
	/* a small error buffer must be cut, never overrun */
	char small[8];
	st = textenc_to_utf8(copy, size, max, &tr, small, sizeof(small));
	if (st == TEXTENC_OK)
		free(tr.text);
	if (strlen(small) >= sizeof(small))
		abort();
	free(copy);
	return 0;
}
