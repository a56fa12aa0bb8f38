/*
 * export_xlsx.c: a document as an Excel workbook (.xlsx) through libxlsxwriter.
 * One worksheet: the title (row 1, bold), the lines about it, an empty row, the
 * header row (bold, frozen, with a filter) and the table; numbers are numbers,
 * text is text (never a formula, so nothing needs neutralising here). Printing
 * is set up for A4, one page wide, the header row repeated on every page.
 *
 * libxlsxwriter 1.1 writes only to a file: the workbook goes into a private
 * folder (mkdtemp, mode 0700) under TMPDIR or /tmp, is read back into the
 * caller's buffer, and the folder is removed before returning.
 */
#include "export/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define XLSX_MAX_TEXT 32767 /* Excel's limit on the bytes of one cell */

typedef struct {
	lxw_format *title, *meta, *header, *text, *number, *strong_text, *strong_number;
} xlsx_formats;

static void make_formats(lxw_workbook *wb, xlsx_formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->meta = workbook_add_format(wb);
	format_set_font_size(f->meta, 10);
	f->header = workbook_add_format(wb);
	format_set_bold(f->header);
	format_set_bg_color(f->header, 0xE8E8E8);
	format_set_border(f->header, LXW_BORDER_THIN);
	format_set_text_wrap(f->header);
	f->text = workbook_add_format(wb);
	format_set_border(f->text, LXW_BORDER_THIN);
	format_set_text_wrap(f->text);
	f->number = workbook_add_format(wb);
	format_set_border(f->number, LXW_BORDER_THIN);
	f->strong_text = workbook_add_format(wb);
	format_set_border(f->strong_text, LXW_BORDER_THIN);
	format_set_bold(f->strong_text);
	format_set_text_wrap(f->strong_text);
	f->strong_number = workbook_add_format(wb);
	format_set_border(f->strong_number, LXW_BORDER_THIN);
	format_set_bold(f->strong_number);
}

/* Writes the sheet. LXW_NO_ERROR or the first error. */
static lxw_error write_sheet(lxw_workbook *wb, const export_doc *doc)
{
	const char *name = doc->sheet && workbook_validate_sheet_name(wb, doc->sheet) == LXW_NO_ERROR
	                   ? doc->sheet : "Sheet1";
	lxw_worksheet *ws = workbook_add_worksheet(wb, name);
	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	xlsx_formats f;
	make_formats(wb, &f);
	lxw_error e = LXW_NO_ERROR;
	lxw_row_t row = 0;
	if (doc->title)
		e = worksheet_write_string(ws, row++, 0, doc->title, f.title);
	for (size_t i = 0; e == LXW_NO_ERROR && i < doc->nmeta; i++)
		e = worksheet_write_string(ws, row++, 0, doc->meta[i], f.meta);
	if (doc->title || doc->nmeta)
		row++; /* an empty row before the table */
	lxw_row_t head = row;
	for (size_t c = 0; e == LXW_NO_ERROR && c < doc->ncols; c++) {
		e = worksheet_write_string(ws, head, (lxw_col_t)c, doc->cols[c].header, f.header);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
			                         doc->cols[c].width > 0 ? doc->cols[c].width : 10, NULL);
	}
	for (size_t r = 0; e == LXW_NO_ERROR && r < doc->nrows; r++) {
		bool strong = doc->row_style && doc->row_style[r] == EXPORT_ROW_STRONG;
		const export_cell *cells = doc->cells + r * doc->ncols;
		lxw_row_t at = head + 1 + (lxw_row_t)r;
		for (size_t c = 0; e == LXW_NO_ERROR && c < doc->ncols; c++) {
			const export_cell *cell = &cells[c];
			if (cell->is_num)
				e = worksheet_write_number(ws, at, (lxw_col_t)c, (double)cell->num,
				                           strong ? f.strong_number : f.number);
			else if (cell->text && cell->text[0] && strlen(cell->text) <= XLSX_MAX_TEXT)
				e = worksheet_write_string(ws, at, (lxw_col_t)c, cell->text,
				                           strong ? f.strong_text : f.text);
			else
				e = worksheet_write_blank(ws, at, (lxw_col_t)c, strong ? f.strong_text : f.text);
		}
	}
	if (e != LXW_NO_ERROR || doc->ncols == 0)
		return e;
	worksheet_freeze_panes(ws, head + 1, 0);
	e = worksheet_autofilter(ws, head, 0, head + (lxw_row_t)doc->nrows, (lxw_col_t)(doc->ncols - 1));
	if (e == LXW_NO_ERROR)
		e = worksheet_repeat_rows(ws, head, head);
	worksheet_set_paper(ws, 9); /* A4 */
	if (doc->landscape)
		worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	return e;
}

/* Reads the file at path into out. EXPORT_OK, EXPORT_TOO_LARGE or EXPORT_FAILED. */
static export_rc read_back(const char *path, buf *out, char *err, size_t errcap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errcap, "cannot read the workbook back: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXPORT_FAILED;
	}
	if ((uint64_t)sb.st_size > out->max) {
		snprintf(err, errcap, "the workbook would be larger than %zu bytes", out->max);
		close(fd);
		return EXPORT_TOO_LARGE;
	}
	char chunk[65536];
	export_rc rc = EXPORT_OK;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errcap, "cannot read the workbook back: %s", strerror(errno));
			rc = EXPORT_FAILED;
			break;
		}
		if (n == 0)
			break;
		if (!buf_append(out, chunk, (size_t)n)) {
			snprintf(err, errcap, "the workbook would be larger than %zu bytes", out->max);
			rc = EXPORT_TOO_LARGE;
			break;
		}
	}
	close(fd);
	return rc;
}

/*
 * Writes doc as an .xlsx workbook into out. EXPORT_OK with the file in out;
 * EXPORT_TOO_LARGE past out's maximum; EXPORT_FAILED when the temporary folder
 * cannot be made or libxlsxwriter fails (err says which). On failure out is freed.
 */
export_rc export_xlsx(const export_doc *doc, buf *out, char *err, size_t errcap)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], path[600];
	export_rc rc = EXPORT_FAILED;
	lxw_workbook *wb = NULL;
	bool made = false;
	snprintf(dir, sizeof(dir), "%s/jifen-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errcap, "cannot make a temporary folder in %s: %s",
		         tmp && *tmp ? tmp : "/tmp", strerror(errno));
		goto out;
	}
	made = true;
	snprintf(path, sizeof(path), "%s/export.xlsx", dir);
	lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = dir};
	wb = workbook_new_opt(path, &opts);
	if (!wb) {
		snprintf(err, errcap, "libxlsxwriter could not start a workbook");
		goto out;
	}
	lxw_doc_properties props = {.title = (char *)(doc->title ? doc->title : ""),
	                            .author = "jifen"};
	workbook_set_properties(wb, &props);
	lxw_error e = write_sheet(wb, doc);
	lxw_error ce = workbook_close(wb); /* frees the workbook, whatever happened */
	wb = NULL;
	if (e == LXW_NO_ERROR)
		e = ce;
	if (e != LXW_NO_ERROR) {
		snprintf(err, errcap, "libxlsxwriter: %s", lxw_strerror(e));
		goto out;
	}
	rc = read_back(path, out, err, errcap);
out:
	if (made) {
		unlink(path);
		rmdir(dir);
	}
	if (rc != EXPORT_OK)
		buf_free(out);
	return rc;
}
