/*
 * csv.h: a reader for RFC 4180 CSV held in memory as one UTF-8, NUL-terminated
 * string (textenc_to_utf8's output). It splits records and fields and undoes
 * quoting; it knows nothing of headers, column meanings or encodings.
 *
 * The dialect: fields are separated by ',', records by CRLF, LF or a lone CR.
 * A field may be quoted with '"'; inside quotes '""' is one '"', and commas,
 * CR and LF are kept verbatim. Unquoted fields lose their leading and trailing
 * ASCII spaces; quoted fields keep every byte between the quotes (spaces
 * outside the quotes are allowed and dropped). Lines that are empty or hold
 * only spaces are skipped. Errors: a quoted field never closed, a '"' inside
 * an unquoted field, anything but spaces between a closing quote and the next
 * ',' or line end, a field longer than CSV_MAX_FIELD bytes, a record with more
 * than CSV_MAX_FIELDS fields.
 */
#ifndef JF_CSV_H
#define JF_CSV_H
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define CSV_MAX_FIELD 4096 /* bytes in one field, after unquoting and trimming */
#define CSV_MAX_FIELDS 64  /* fields in one record */

typedef struct csv_row {
	const char *fields[CSV_MAX_FIELDS]; /* n NUL-terminated strings, owned by the reader */
	size_t n;                           /* at least 1 for every row returned */
	size_t line;                        /* 1-based physical line the record starts on */
} csv_row;

typedef struct csv_reader {
	const char *p;                /* next unread byte of the caller's text */
	size_t line;                  /* 1-based physical line that p is on */
	bool failed;                  /* an error was returned; every later call fails */
	buf store;                    /* the current row's fields, each NUL-terminated */
	size_t off[CSV_MAX_FIELDS];   /* where each field starts in store */
} csv_reader;

/* Starts reading text, which must stay alive and unchanged until csv_free.
 * Allocates nothing; a reader that is never used need not be freed, but
 * csv_free is always safe. */
void csv_init(csv_reader *r, const char *text);

/*
 * Reads the next record into *row.
 * Returns 1 with *row filled: its field strings belong to the reader and stay
 * valid until the next csv_next or csv_free on it.
 * Returns 0 at the end of the text (and again on every later call).
 * Returns -1 on malformed input or out of memory, with row->n set to 0 and a
 * message "line N: ..." in err (errcap bytes, NUL-terminated; err may be NULL
 * when errcap is 0), N being the 1-based physical line of the fault (for an
 * unclosed quote, the line it opened on). The reader stays failed: later
 * calls return -1 again.
 */
int csv_next(csv_reader *r, csv_row *row, char *err, size_t errcap);

/* Releases the reader's row storage; rows it returned are invalid afterwards.
 * The reader may be csv_init'ed again. */
void csv_free(csv_reader *r);

#endif
