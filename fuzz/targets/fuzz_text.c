/*
 * fuzz_text.c: the small parsers and checkers of untrusted text fields: ISO
 * dates (src/util/timeutil.c), passbook numbers, phones, user names and text
 * fields (src/core/validate.c), and the UTF-8 helpers behind public masking
 * and error messages (src/util/utf8.c), and the passbook QR payload
 * (shop_qr_parse, src/core/shop_redeem.c). The low 4 bits of the first byte pick
 * the function, the high 4 bits an output buffer size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/shop.h"
#include "core/validate.h"
#include "util/timeutil.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Output of the masks and the scrubber must be a NUL-terminated, valid UTF-8
 * string within cap bytes. */
static void check_out(const char *out, size_t cap)
{
	size_t n = strnlen(out, cap);
	if (n >= cap || !utf8_valid(out, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	size_t cap = 1 + (size_t)(data[0] >> 4) * 4; /* output buffers of 1..61 bytes */
	char out[64];
	core_err err;
	bool valid = utf8_valid(s, strlen(s));
	int64_t village = 0;
	char passbook[33], again[33], payload[80];
	switch (data[0] & 15) {
	case 0:
		/* 9999-12-xx has no next month in four digits (noted in fuzz/README.md) */
		if (time_valid_date(s) && strncmp(s, "9999-12", 7) != 0) {
			char next[16];
			time_next_month(s, next);
			if (!time_valid_date(next) || strcmp(next, s) <= 0)
				abort();
		}
		break;
	case 1:
		if (validate_passbook(&err, s) == CORE_OK &&
		    (strlen(s) == 0 || strlen(s) > 32 || strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
		                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(s)))
			abort();
		break;
	case 2:
		validate_phone(&err, "phone", s);
		validate_username(&err, s);
		break;
	case 3:
		if (validate_text(&err, "head_name", "户主姓名", s, 1, 20) == CORE_OK &&
		    (!valid || utf8_len(s) > 20 || utf8_has_control(s)))
			abort();
		break;
	case 4:
		if (valid) {
			utf8_mask_name(s, out, cap);
			check_out(out, cap);
		}
		break;
	case 5:
		/* masks bytes: only phones that passed validate_phone are ever masked */
		if (validate_phone(&err, "phone", s) == CORE_OK) {
			utf8_mask_phone(s, out, cap);
			check_out(out, cap);
		}
		break;
	case 6:
		utf8_scrub(s, out, cap);
		check_out(out, cap);
		break;
	case 7:
		utf8_has_control(s);
		if (valid)
			utf8_len(s);
		break;
	default:
		/* a payload that parses formats back to itself, and parses the same again */
		if (shop_qr_parse(s, &village, passbook)) {
			if (village <= 0 || validate_passbook(&err, passbook) != CORE_OK)
				abort();
			shop_qr_format(village, passbook, payload, sizeof(payload));
			int64_t v2 = 0;
			if (!shop_qr_parse(payload, &v2, again) || v2 != village ||
			    strcmp(again, passbook) != 0)
				abort();
		}
		break;
	}
	free(s);
	return 0;
}
