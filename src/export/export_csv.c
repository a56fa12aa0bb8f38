/*
 * export_csv.c: a document as CSV (RFC 4180) for spreadsheets: a UTF-8 byte
 * order mark (so Excel on a Chinese Windows reads UTF-8, not GBK), the header
 * row, then one record per row, CRLF line ends. The title and the lines under it
 * are not written: a CSV file is the table only.
 *
 * Formula injection: a text cell that starts with = + - @, a tab or a carriage
 * return is written with a leading single quote ('=SUM(1)), so a spreadsheet
 * shows it as text instead of running it. Number cells are written as numbers.
 */
#include "export/export.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool export_csv_needs_quote_mark(const char *text)
{
	return text && text[0] && strchr("=+-@\t\r", text[0]) != NULL;
}

/* Appends one field, neutralised and quoted as needed. */
static bool put_field(buf *out, const char *text)
{
	if (!text)
		return true;
	bool mark = export_csv_needs_quote_mark(text);
	size_t n = strlen(text);
	bool quote = strpbrk(text, ",\"\r\n") != NULL || (n && (text[0] == ' ' || text[n - 1] == ' '));
	if (!quote)
		return (!mark || buf_append(out, "'", 1)) && buf_append(out, text, n);
	if (!buf_append(out, "\"", 1) || (mark && !buf_append(out, "'", 1)))
		return false;
	for (const char *p = text; *p; p++) {
		if (*p == '"' && !buf_append(out, "\"\"", 2))
			return false;
		if (*p != '"' && !buf_append(out, p, 1))
			return false;
	}
	return buf_append(out, "\"", 1);
}

static bool put_cell(buf *out, const export_cell *c)
{
	if (!c->is_num)
		return put_field(out, c->text);
	char num[24];
	int k = snprintf(num, sizeof(num), "%" PRId64, c->num);
	return buf_append(out, num, (size_t)k);
}

/*
 * Writes doc as CSV into out. EXPORT_OK with the file in out; EXPORT_TOO_LARGE
 * (out freed) when it would pass out's maximum.
 */
export_rc export_csv(const export_doc *doc, buf *out, char *err, size_t errcap)
{
	bool ok = buf_append(out, "\xEF\xBB\xBF", 3);
	for (size_t c = 0; ok && c < doc->ncols; c++)
		ok = (c == 0 || buf_append(out, ",", 1)) && put_field(out, doc->cols[c].header);
	ok = ok && buf_append(out, "\r\n", 2);
	for (size_t r = 0; ok && r < doc->nrows; r++) {
		const export_cell *row = doc->cells + r * doc->ncols;
		for (size_t c = 0; ok && c < doc->ncols; c++)
			ok = (c == 0 || buf_append(out, ",", 1)) && put_cell(out, &row[c]);
		ok = ok && buf_append(out, "\r\n", 2);
	}
	if (!ok) {
		snprintf(err, errcap, "the CSV file would be larger than %zu bytes", out->max);
		buf_free(out);
		return EXPORT_TOO_LARGE;
	}
	return EXPORT_OK;
}
