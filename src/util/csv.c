/*
 * csv.c: the RFC 4180 record reader declared in csv.h. One pass over the
 * caller's string; each field of a record is copied, trimmed or unquoted, into
 * the reader's bounded buffer (reused from row to row) so that it can carry
 * its own NUL. Line counting treats CRLF, LF and a lone CR as one line end each,
 * inside quoted fields too, so error messages match what an editor shows.
 */
#include "util/csv.h"

#include <stdarg.h>
#include <stdio.h>

/* The most the row buffer can need: every field full, plus its NUL. */
#define CSV_STORE_MAX ((size_t)CSV_MAX_FIELDS * (CSV_MAX_FIELD + 1))

/* Marks the reader failed and writes "line N: <message>" into err.
 * Returns -1, for the caller to pass on. */
static int fail(csv_reader *r, size_t line, char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(csv_reader *r, size_t line, char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;
	r->failed = true;
	if (!err || errcap == 0)
		return -1;
	int k = snprintf(err, errcap, "line %zu: ", line);
	if (k < 0 || (size_t)k >= errcap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + k, errcap - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

void csv_init(csv_reader *r, const char *text)
{
	r->p = text;
	r->line = 1;
	r->failed = false;
	buf_init(&r->store, CSV_STORE_MAX);
}

void csv_free(csv_reader *r)
{
	buf_free(&r->store);
}

/* Consumes one line end (CRLF, LF or CR) at r->p, if there is one. */
static void end_line(csv_reader *r)
{
	if (*r->p == '\r') {
		r->p++;
		if (*r->p == '\n')
			r->p++;
		r->line++;
	} else if (*r->p == '\n') {
		r->p++;
		r->line++;
	}
}

/* Moves r->p past lines that are empty or hold only spaces.
 * Returns true when that reaches the end of the text. */
static bool skip_blank_lines(csv_reader *r)
{
	for (;;) {
		const char *q = r->p;
		while (*q == ' ')
			q++;
		if (*q == '\0') {
			r->p = q;
			return true;
		}
		if (*q != '\r' && *q != '\n')
			return false;
		r->p = q;
		end_line(r);
	}
}

/* Appends s[0..n) to field number field_no (1-based, from line) that starts
 * at offset start of the row buffer. Returns 0, or -1 (reader failed, err
 * written) when the field would pass CSV_MAX_FIELD bytes or memory runs out. */
static int field_append(csv_reader *r, size_t start, size_t field_no, size_t line,
                        const char *s, size_t n, char *err, size_t errcap)
{
	if (n == 0)
		return 0;
	if (r->store.len - start + n > CSV_MAX_FIELD)
		return fail(r, line, err, errcap, "field %zu is longer than %d bytes", field_no,
		            CSV_MAX_FIELD);
	if (!buf_append(&r->store, s, n))
		return fail(r, line, err, errcap, "out of memory");
	return 0;
}

/* Reads the quoted field whose opening '"' is at r->p, and the spaces after
 * its closing quote. Returns 0 with r->p on the ',' / line end / NUL that
 * ends it, or -1 (reader failed, err written). */
static int read_quoted(csv_reader *r, size_t start, size_t field_no, char *err, size_t errcap)
{
	size_t open_line = r->line;
	const char *p = r->p + 1;
	for (;;) {
		const char *q = p;
		while (*q != '\0' && *q != '"') {
			if (*q == '\n' || (*q == '\r' && q[1] != '\n'))
				r->line++;
			q++;
		}
		size_t run = (size_t)(q - p);
		if (field_append(r, start, field_no, open_line, p, run, err, errcap) < 0)
			return -1;
		if (*q == '\0')
			return fail(r, open_line, err, errcap,
			            "quoted field %zu is never closed (missing '\"')", field_no);
		if (q[1] != '"') {
			p = q + 1;
			break;
		}
		if (field_append(r, start, field_no, open_line, "\"", 1, err, errcap) < 0)
			return -1;
		p = q + 2;
	}
	while (*p == ' ')
		p++;
	if (*p != ',' && *p != '\r' && *p != '\n' && *p != '\0')
		return fail(r, r->line, err, errcap,
		            "field %zu has text after its closing quote", field_no);
	r->p = p;
	return 0;
}

/* Reads the unquoted field at r->p (leading spaces already skipped), without
 * its trailing spaces. Returns 0 with r->p on the ',' / line end / NUL that
 * ends it, or -1 (reader failed, err written). */
static int read_unquoted(csv_reader *r, size_t start, size_t field_no, char *err, size_t errcap)
{
	const char *p = r->p;
	const char *q = p;
	while (*q != '\0' && *q != ',' && *q != '\r' && *q != '\n') {
		if (*q == '"')
			return fail(r, r->line, err, errcap,
			            "field %zu has a '\"' inside it; quote the whole field "
			            "and write the quote as \"\"",
			            field_no);
		q++;
	}
	const char *end = q;
	while (end > p && end[-1] == ' ')
		end--;
	if (field_append(r, start, field_no, r->line, p, (size_t)(end - p), err, errcap) < 0)
		return -1;
	r->p = q;
	return 0;
}

int csv_next(csv_reader *r, csv_row *row, char *err, size_t errcap)
{
	int rc = -1;
	size_t n = 0;
	row->n = 0;
	if (err && errcap)
		err[0] = '\0';
	if (r->failed) {
		fail(r, r->line, err, errcap, "reading stopped at an earlier error");
		goto out;
	}
	if (skip_blank_lines(r)) {
		rc = 0;
		goto out;
	}
	row->line = r->line;
	buf_reset(&r->store);
	for (;;) {
		if (n == CSV_MAX_FIELDS) {
			fail(r, r->line, err, errcap, "more than %d fields", CSV_MAX_FIELDS);
			goto out;
		}
		size_t start = r->store.len;
		r->off[n] = start;
		while (*r->p == ' ')
			r->p++;
		int frc = *r->p == '"' ? read_quoted(r, start, n + 1, err, errcap)
		                       : read_unquoted(r, start, n + 1, err, errcap);
		if (frc < 0)
			goto out;
		if (!buf_append(&r->store, "", 1)) {
			fail(r, r->line, err, errcap, "out of memory");
			goto out;
		}
		n++;
		if (*r->p != ',')
			break;
		r->p++;
	}
	end_line(r);
	for (size_t i = 0; i < n; i++)
		row->fields[i] = r->store.data + r->off[i];
	row->n = n;
	rc = 1;
out:
	return rc;
}
