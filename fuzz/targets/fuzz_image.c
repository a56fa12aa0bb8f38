/*
 * fuzz_image.c: image_sniff (src/util/image.c) on arbitrary bytes: the only
 * code that reads an uploaded photo's header. Checks what image.h promises of
 * an accepted picture: a known type and a size within the bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that ASan sees any read past the end */
	unsigned char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	image_info info;
	image_rc rc = image_sniff(copy, size, &info);
	if (rc == IMAGE_OK) {
		if (!info.mime || info.width == 0 || info.height == 0 ||
		    info.width > IMAGE_MAX_SIDE || info.height > IMAGE_MAX_SIDE ||
		    (uint64_t)info.width * info.height > IMAGE_MAX_PIXELS)
			abort();
	}
	free(copy);
	return 0;
}
