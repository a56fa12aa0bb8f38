/*
 * export.h: the renderers of exports and printouts — CSV, Excel (.xlsx) and PDF.
 * They turn one prepared document (a title, a few lines about it, one table of
 * rows, optionally a QR code) into bytes in a bounded buffer. They know nothing
 * of villages, the ledger or who may see what, and hold no SQL: the domain
 * (src/core/exports.c) gathers and checks the data and builds the document.
 *
 * Every renderer produces the whole file in memory, in a buf whose maximum the
 * caller chooses; a document that would grow past it fails with EXPORT_TOO_LARGE.
 */
#ifndef JF_EXPORT_H
#define JF_EXPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"

typedef enum { EXPORT_CSV, EXPORT_XLSX, EXPORT_PDF } export_format;

typedef enum {
	EXPORT_OK = 0,
	EXPORT_TOO_LARGE, /* the file would be larger than the buffer's maximum */
	EXPORT_NO_FONT,   /* PDF: no font with Chinese glyphs (install fonts-noto-cjk) */
	EXPORT_FAILED,    /* the library or the machine failed (a temp file, memory) */
} export_rc;

/* One cell: text (UTF-8; NULL is empty) or, when is_num, an integer. */
typedef struct {
	const char *text;
	int64_t num;
	bool is_num;
} export_cell;

#define EXPORT_TEXT(s) ((export_cell){.text = (s)})
#define EXPORT_NUM(n) ((export_cell){.num = (n), .is_num = true})

typedef struct {
	const char *header;
	double width;  /* Excel column width in characters; PDF: relative share of the line */
	bool number;   /* right-aligned in the PDF */
} export_col;

/* How a row stands out: a subtotal or a household's first line is printed bold. */
enum { EXPORT_ROW_PLAIN = 0, EXPORT_ROW_STRONG = 1 };

typedef struct {
	const char *title;          /* "高箭沟村 2026年10月 积分公示" */
	const char *sheet;          /* the Excel worksheet's name (at most 31 characters) */
	const char *const *meta;    /* lines under the title ("链头：…"), nmeta of them */
	size_t nmeta;
	const export_col *cols;
	size_t ncols;
	const export_cell *cells;   /* row-major: nrows × ncols */
	size_t nrows;
	const unsigned char *row_style; /* NULL, or nrows of EXPORT_ROW_* */
	const char *qr_payload;     /* PDF: a QR code beside the title, or NULL */
	const char *qr_caption;     /* PDF: a line under the QR code, or NULL */
	const char *footer;         /* PDF: at the foot of every page, before the page number */
	bool landscape;             /* PDF: A4 landscape instead of portrait */
} export_doc;

/* "csv", "xlsx" or "pdf" into *out; false for anything else (NULL included). */
bool export_format_parse(const char *s, export_format *out);
/* The file extension ("csv") and the Content-Type of a format. */
const char *export_format_ext(export_format f);
const char *export_content_type(export_format f);

/* Renders doc as fmt into out, which the caller has buf_init'ed with its maximum.
 * EXPORT_OK: out holds the file (the caller frees it). Otherwise out is freed and
 * err (errcap bytes) says why in English. */
export_rc export_render(const export_doc *doc, export_format fmt, buf *out, char *err,
                        size_t errcap);

/* One renderer each (export_csv.c, export_xlsx.c, export_pdf.c); same contract. */
export_rc export_csv(const export_doc *doc, buf *out, char *err, size_t errcap);
export_rc export_xlsx(const export_doc *doc, buf *out, char *err, size_t errcap);
export_rc export_pdf(const export_doc *doc, buf *out, char *err, size_t errcap);

/* True if a CSV text cell must be neutralised: it starts with = + - @, a tab or a
 * carriage return, which a spreadsheet would read as the start of a formula. */
bool export_csv_needs_quote_mark(const char *text);

/* A Content-Disposition value for a download named name (UTF-8) with ascii_name
 * as the fallback for old clients (only [A-Za-z0-9._-] are kept from it):
 * attachment; filename="ascii"; filename*=UTF-8''%E9%AB%98… (RFC 6266, RFC 5987).
 * In the arena; NULL when it is full. */
char *export_disposition(arena *ar, const char *name, const char *ascii_name);

#endif
