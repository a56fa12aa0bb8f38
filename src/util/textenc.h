/*
 * textenc.h: turns the bytes of an uploaded text file (a CSV roster as Excel
 * saves it) into UTF-8. Two encodings are recognised: UTF-8, with or without a
 * byte order mark, and GB18030 (a superset of GBK and GB2312, which is what
 * "CSV" from a Chinese-locale Excel is). Nothing else is guessed at; this is
 * not a general charset detector and does not parse the text.
 */
#ifndef JF_TEXTENC_H
#define JF_TEXTENC_H
#include <stddef.h>

typedef enum textenc_status {
	TEXTENC_OK = 0,
	TEXTENC_TOO_LARGE, /* the input is longer than the caller's maximum */
	TEXTENC_NUL,       /* the input holds a NUL byte (a binary file, or UTF-16) */
	TEXTENC_INVALID,   /* the input is neither valid UTF-8 nor valid GB18030 */
	TEXTENC_SYSTEM,    /* out of memory, or glibc has no GB18030 converter */
} textenc_status;

typedef struct textenc_result {
	char *text;           /* malloc'd UTF-8, NUL-terminated, no BOM; NULL on failure */
	size_t len;           /* bytes in text, not counting the NUL */
	const char *encoding; /* "utf-8" or "gb18030" (static strings); NULL on failure */
	size_t bad_offset;    /* TEXTENC_NUL, TEXTENC_INVALID: input offset of the bad byte */
} textenc_result;

/*
 * Converts in[0..n) to UTF-8 and fills *res.
 *
 * The rule: a leading UTF-8 BOM (EF BB BF) is dropped. If the remaining bytes
 * are valid UTF-8 they are taken as UTF-8. Otherwise, if there was no BOM, the
 * whole input is converted from GB18030 with iconv. A BOM declares UTF-8, so a
 * BOM followed by invalid UTF-8 is an error, not retried as GB18030.
 *
 * Returns:
 *   TEXTENC_OK        res->text is the caller's to free(); res->len and
 *                     res->encoding are set. An empty input gives "".
 *   TEXTENC_TOO_LARGE n > max; nothing is read.
 *   TEXTENC_NUL       res->bad_offset is the offset of the first NUL byte.
 *   TEXTENC_INVALID   res->bad_offset is the offset of the first byte that
 *                     could not be decoded: of the two decoders tried, the one
 *                     that got further (the likelier intended encoding); the
 *                     message names both offsets.
 *   TEXTENC_SYSTEM    allocation or iconv_open failed.
 * On every failure res->text is NULL and nothing needs freeing, and a one-line
 * English message is written into err (errcap bytes, always NUL-terminated;
 * err may be NULL when errcap is 0). On success err holds "".
 */
textenc_status textenc_to_utf8(const void *in, size_t n, size_t max, textenc_result *res,
                               char *err, size_t errcap);

#endif
