/*
 * fuzz_csv.c: the roster's CSV reader (src/util/csv.c) on arbitrary text,
 * after the same decoding an upload gets (src/util/textenc.c, UTF-8 or
 * GB18030). Checks what csv.h promises: every row has 1..CSV_MAX_FIELDS
 * fields of at most CSV_MAX_FIELD bytes, line numbers never go back, an error
 * names its line and the reader stays failed after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/textenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	textenc_result tr;
	char err[256];
	if (textenc_to_utf8(data, size, 1u << 20, &tr, err, sizeof(err)) != TEXTENC_OK)
		return 0;
	csv_reader r;
	csv_row row;
	csv_init(&r, tr.text);
	size_t last_line = 0;
	for (int i = 0; i < 100000; i++) {
		int rc = csv_next(&r, &row, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc < 0) {
			if (row.n != 0 || strncmp(err, "line ", 5) != 0)
				abort();
			if (csv_next(&r, &row, err, sizeof(err)) != -1) /* stays failed */
				abort();
			break;
		}
		if (row.n == 0 || row.n > CSV_MAX_FIELDS || row.line < last_line || row.line == 0)
			abort();
		last_line = row.line;
		for (size_t k = 0; k < row.n; k++)
			if (strlen(row.fields[k]) > CSV_MAX_FIELD)
				abort();
	}
	csv_free(&r);
	free(tr.text);
	return 0;
}
