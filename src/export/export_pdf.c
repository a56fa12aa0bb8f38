/*
 * export_pdf.c: a document as a printable PDF (A4) through cairo and pango, for
 * the bulletin board and for elderly villagers. Page 1 carries the title, the
 * lines about the document and, at the top right, the QR code; every page
 * carries the table's header row, its share of the rows (a row never splits
 * across pages) and a footer with "第 n 页 / 共 N 页". Text is set in Noto Sans
 * CJK SC (Debian: fonts-noto-cjk); a cell wraps within its column and is cut
 * with "…" after a few lines, so no row can outgrow a page.
 *
 * The PDF is written through cairo_pdf_surface_create_for_stream into the
 * caller's bounded buffer. Pango's font maps are not safe to share between
 * threads, and a font map per document costs a fontconfig start-up each time;
 * so there is one font map for the process and one PDF is laid out at a time
 * (printouts are rare; a notice of a few thousand rows takes well under a second).
 */
#include "export/export.h"

#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/qr.h"

#define PDF_FONT "Noto Sans CJK SC"
#define A4_SHORT 595.28 /* points */
#define A4_LONG 841.89
#define MARGIN_X 36.0
#define MARGIN_TOP 36.0
#define MARGIN_BOTTOM 40.0
#define TITLE_PT 16.0
#define META_PT 9.0
#define BODY_PT 9.0
#define SMALL_PT 7.5
#define CELL_PAD 3.0
#define CELL_MAX_LINES 6
#define CELL_MAX_BYTES 2000 /* text beyond this is not laid out at all */
#define QR_SIDE 86.0        /* points, quiet zone included */
#define GAP 8.0
#define PDF_MAX_ROWS 20000  /* about 500 pages: past that a printout is not the right tool */

static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *pdf_fontmap; /* created once under pdf_lock, kept for the process */

typedef struct {
	buf *out;
	bool full; /* the buffer passed its maximum: every later write fails too */
} pdf_sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	pdf_sink *s = closure;
	if (s->full)
		return CAIRO_STATUS_WRITE_ERROR;
	if (!buf_append(s->out, data, len)) {
		s->full = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

typedef struct {
	const export_doc *doc;
	cairo_t *cr;
	PangoContext *pc;
	double page_w, page_h, content_w;
	double *col_x, *col_w; /* ncols each */
	double *row_h;         /* nrows */
	double header_h;       /* the table's header row */
	double block_h;        /* page 1's title block */
	double running_h;      /* the running head of later pages */
	qr_code qr;
} pdf_ctx;

/* A layout of text in the document's font. width <= 0: one unbounded line. */
static PangoLayout *make_layout(pdf_ctx *p, const char *text, double width, double size,
                                bool bold, PangoAlignment align, int max_lines)
{
	PangoLayout *l = pango_layout_new(p->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, PDF_FONT);
	pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE));
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	if (max_lines > 0) {
		pango_layout_set_height(l, -max_lines);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	}
	pango_layout_set_alignment(l, align);
	const char *t = text ? text : "";
	size_t n = strlen(t);
	if (n > CELL_MAX_BYTES) {
		n = CELL_MAX_BYTES;
		while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--; /* do not cut a character in half */
	}
	if (g_utf8_validate(t, (gssize)n, NULL)) {
		pango_layout_set_text(l, t, (int)n);
	} else {
		gchar *valid = g_utf8_make_valid(t, (gssize)n);
		pango_layout_set_text(l, valid, -1);
		g_free(valid);
	}
	return l;
}

static double layout_height(PangoLayout *l)
{
	int w = 0, h = 0;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void show_layout(pdf_ctx *p, PangoLayout *l, double x, double y)
{
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
}

/* The text of a cell ("-12" for a number); num is scratch space for it. */
static const char *cell_text(const export_cell *c, char *num, size_t cap)
{
	if (!c->is_num)
		return c->text ? c->text : "";
	snprintf(num, cap, "%lld", (long long)c->num);
	return num;
}

static bool row_strong(const export_doc *d, size_t r)
{
	return d->row_style && d->row_style[r] == EXPORT_ROW_STRONG;
}

/* Height of one table row (r = SIZE_MAX: the header row). */
static double measure_row(pdf_ctx *p, size_t r)
{
	const export_doc *d = p->doc;
	double h = 0;
	for (size_t c = 0; c < d->ncols; c++) {
		char num[24];
		bool head = r == SIZE_MAX;
		const char *t = head ? d->cols[c].header : cell_text(&d->cells[r * d->ncols + c], num, sizeof(num));
		PangoLayout *l = make_layout(p, t, p->col_w[c] - 2 * CELL_PAD, BODY_PT,
		                             head || row_strong(d, r), PANGO_ALIGN_LEFT, CELL_MAX_LINES);
		double lh = layout_height(l);
		g_object_unref(l);
		if (lh > h)
			h = lh;
	}
	return h + 2 * CELL_PAD;
}

static void draw_row(pdf_ctx *p, size_t r, double y, double h)
{
	const export_doc *d = p->doc;
	bool head = r == SIZE_MAX;
	bool strong = !head && row_strong(d, r);
	cairo_t *cr = p->cr;
	if (head || strong) {
		cairo_set_source_rgb(cr, head ? 0.88 : 0.95, head ? 0.88 : 0.95, head ? 0.88 : 0.95);
		cairo_rectangle(cr, MARGIN_X, y, p->content_w, h);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(cr, 0.5);
	for (size_t c = 0; c < d->ncols; c++) {
		cairo_rectangle(cr, p->col_x[c], y, p->col_w[c], h);
		cairo_stroke(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (size_t c = 0; c < d->ncols; c++) {
		char num[24];
		const char *t = head ? d->cols[c].header : cell_text(&d->cells[r * d->ncols + c], num, sizeof(num));
		PangoAlignment al = d->cols[c].number ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
		PangoLayout *l = make_layout(p, t, p->col_w[c] - 2 * CELL_PAD, BODY_PT, head || strong,
		                             al, CELL_MAX_LINES);
		show_layout(p, l, p->col_x[c] + CELL_PAD, y + CELL_PAD);
		g_object_unref(l);
	}
}

/* Draws the QR code with its quiet zone in a side × side square at (x, y). */
static void draw_qr(pdf_ctx *p, double x, double y, double side)
{
	int n = p->qr.width + 2 * QR_QUIET_ZONE;
	double m = side / n;
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	for (int row = 0; row < p->qr.width; row++) {
		int col = 0;
		while (col < p->qr.width) {
			if (!qr_is_dark(&p->qr, col, row)) {
				col++;
				continue;
			}
			int start = col;
			while (col < p->qr.width && qr_is_dark(&p->qr, col, row))
				col++;
			cairo_rectangle(p->cr, x + (start + QR_QUIET_ZONE) * m, y + (row + QR_QUIET_ZONE) * m,
			                (col - start) * m, m);
		}
	}
	cairo_fill(p->cr);
}

/* Page 1's title block: measures it (draw false) or draws it at the top. */
static double title_block(pdf_ctx *p, bool draw)
{
	const export_doc *d = p->doc;
	bool has_qr = p->qr.width > 0;
	double text_w = p->content_w - (has_qr ? QR_SIDE + GAP : 0);
	double y = MARGIN_TOP;
	PangoLayout *l = make_layout(p, d->title, text_w, TITLE_PT, true, PANGO_ALIGN_LEFT, 3);
	if (draw)
		show_layout(p, l, MARGIN_X, y);
	y += layout_height(l) + 4;
	g_object_unref(l);
	for (size_t i = 0; i < d->nmeta; i++) {
		l = make_layout(p, d->meta[i], text_w, META_PT, false, PANGO_ALIGN_LEFT, 3);
		if (draw)
			show_layout(p, l, MARGIN_X, y);
		y += layout_height(l) + 1.5;
		g_object_unref(l);
	}
	double text_h = y - MARGIN_TOP;
	double qr_h = 0;
	if (has_qr) {
		double qx = MARGIN_X + p->content_w - QR_SIDE;
		if (draw)
			draw_qr(p, qx, MARGIN_TOP, QR_SIDE);
		qr_h = QR_SIDE;
		if (d->qr_caption) {
			l = make_layout(p, d->qr_caption, QR_SIDE + GAP, SMALL_PT, false, PANGO_ALIGN_CENTER, 2);
			if (draw)
				show_layout(p, l, qx - GAP / 2, MARGIN_TOP + QR_SIDE);
			qr_h += layout_height(l);
			g_object_unref(l);
		}
	}
	return (text_h > qr_h ? text_h : qr_h) + GAP;
}

/* Later pages' running head: the title, small, with a rule under it. */
static double running_head(pdf_ctx *p, bool draw)
{
	PangoLayout *l = make_layout(p, p->doc->title, p->content_w, SMALL_PT, false,
	                             PANGO_ALIGN_LEFT, 1);
	double h = layout_height(l);
	if (draw) {
		cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
		show_layout(p, l, MARGIN_X, MARGIN_TOP);
		cairo_set_line_width(p->cr, 0.5);
		cairo_move_to(p->cr, MARGIN_X, MARGIN_TOP + h + 2);
		cairo_line_to(p->cr, MARGIN_X + p->content_w, MARGIN_TOP + h + 2);
		cairo_stroke(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	g_object_unref(l);
	return h + GAP;
}

static void footer(pdf_ctx *p, int page, int pages)
{
	char right[64];
	snprintf(right, sizeof(right), "第 %d 页 / 共 %d 页", page, pages);
	double y = p->page_h - MARGIN_BOTTOM + 10;
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	PangoLayout *l = make_layout(p, right, p->content_w, SMALL_PT, false, PANGO_ALIGN_RIGHT, 1);
	show_layout(p, l, MARGIN_X, y);
	g_object_unref(l);
	if (p->doc->footer) {
		l = make_layout(p, p->doc->footer, p->content_w * 0.7, SMALL_PT, false, PANGO_ALIGN_LEFT, 1);
		show_layout(p, l, MARGIN_X, y);
		g_object_unref(l);
	}
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* Splits the rows into pages: starts[k] is page k's first row; returns the page count. */
static int paginate(pdf_ctx *p, size_t *starts)
{
	const export_doc *d = p->doc;
	double bottom = p->page_h - MARGIN_BOTTOM;
	int pages = 0;
	size_t r = 0;
	do {
		double y = (pages == 0 ? MARGIN_TOP + p->block_h : MARGIN_TOP + p->running_h) + p->header_h;
		starts[pages++] = r;
		size_t first = r;
		/* at least one row per page, so a page always makes progress */
		while (r < d->nrows && (r == first || y + p->row_h[r] <= bottom)) {
			y += p->row_h[r];
			r++;
		}
	} while (r < d->nrows);
	return pages;
}

static void draw_page(pdf_ctx *p, int page, int pages, size_t from, size_t to)
{
	double y = page == 1 ? MARGIN_TOP + title_block(p, true) : MARGIN_TOP + running_head(p, true);
	draw_row(p, SIZE_MAX, y, p->header_h);
	y += p->header_h;
	for (size_t r = from; r < to; r++) {
		draw_row(p, r, y, p->row_h[r]);
		y += p->row_h[r];
	}
	if (p->doc->nrows == 0) {
		PangoLayout *l = make_layout(p, "（无记录）", p->content_w, BODY_PT, false,
		                             PANGO_ALIGN_CENTER, 1);
		show_layout(p, l, MARGIN_X, y + CELL_PAD * 2);
		g_object_unref(l);
	}
	footer(p, page, pages);
	cairo_show_page(p->cr);
}

/* Lays out and draws every page. EXPORT_OK, or EXPORT_NO_FONT / EXPORT_FAILED. */
static export_rc render_pages(pdf_ctx *p, char *err, size_t errcap)
{
	const export_doc *d = p->doc;
	export_rc rc = EXPORT_FAILED;
	size_t *starts = NULL;
	/* the font must have Chinese glyphs, or the printout would be empty boxes */
	PangoLayout *probe = make_layout(p, d->title ? d->title : "积分", 0, BODY_PT, false,
	                                 PANGO_ALIGN_LEFT, 0);
	int unknown = pango_layout_get_unknown_glyphs_count(probe);
	g_object_unref(probe);
	if (unknown > 0) {
		snprintf(err, errcap, "no font with Chinese glyphs: install fonts-noto-cjk");
		return EXPORT_NO_FONT;
	}
	size_t nc = d->ncols ? d->ncols : 1;
	p->col_x = calloc(nc, sizeof(double));
	p->col_w = calloc(nc, sizeof(double));
	p->row_h = calloc(d->nrows ? d->nrows : 1, sizeof(double));
	starts = calloc(d->nrows ? d->nrows : 1, sizeof(size_t));
	if (!p->col_x || !p->col_w || !p->row_h || !starts) {
		snprintf(err, errcap, "out of memory");
		goto out;
	}
	double total = 0;
	for (size_t c = 0; c < d->ncols; c++)
		total += d->cols[c].width > 0 ? d->cols[c].width : 10;
	double x = MARGIN_X;
	for (size_t c = 0; c < d->ncols; c++) {
		p->col_w[c] = p->content_w * (d->cols[c].width > 0 ? d->cols[c].width : 10) / total;
		p->col_x[c] = x;
		x += p->col_w[c];
	}
	p->header_h = measure_row(p, SIZE_MAX);
	for (size_t r = 0; r < d->nrows; r++)
		p->row_h[r] = measure_row(p, r);
	p->block_h = title_block(p, false);
	p->running_h = running_head(p, false);
	int pages = paginate(p, starts);
	for (int k = 0; k < pages; k++) {
		size_t to = k + 1 < pages ? starts[k + 1] : d->nrows;
		draw_page(p, k + 1, pages, starts[k], to);
	}
	rc = EXPORT_OK;
out:
	free(starts);
	return rc;
}

/*
 * Writes doc as an A4 PDF into out. EXPORT_OK with the file in out;
 * EXPORT_TOO_LARGE past out's maximum or PDF_MAX_ROWS rows; EXPORT_NO_FONT when no installed font has
 * Chinese glyphs; EXPORT_FAILED when cairo fails or the QR payload cannot be
 * encoded. On failure out is freed and err says why.
 */
export_rc export_pdf(const export_doc *doc, buf *out, char *err, size_t errcap)
{
	pdf_ctx p = {.doc = doc};
	pdf_sink sink = {.out = out};
	export_rc rc = EXPORT_FAILED;
	cairo_surface_t *surface = NULL;
	if (doc->nrows > PDF_MAX_ROWS) {
		snprintf(err, errcap, "%zu rows are too many for a printout (at most %d)", doc->nrows,
		         PDF_MAX_ROWS);
		buf_free(out);
		return EXPORT_TOO_LARGE;
	}
	if (doc->qr_payload && !qr_encode(doc->qr_payload, &p.qr)) {
		snprintf(err, errcap, "cannot encode the QR code (%zu bytes)", strlen(doc->qr_payload));
		buf_free(out);
		return EXPORT_FAILED;
	}
	p.page_w = doc->landscape ? A4_LONG : A4_SHORT;
	p.page_h = doc->landscape ? A4_SHORT : A4_LONG;
	p.content_w = p.page_w - 2 * MARGIN_X;

	pthread_mutex_lock(&pdf_lock);
	if (!pdf_fontmap) {
		pdf_fontmap = pango_cairo_font_map_new();
		if (pdf_fontmap)
			pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(pdf_fontmap), 72.0);
	}
	if (!pdf_fontmap) {
		snprintf(err, errcap, "pango could not start a font map");
		goto out;
	}
	surface = cairo_pdf_surface_create_for_stream(sink_write, &sink, p.page_w, p.page_h);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errcap, "cairo: %s", cairo_status_to_string(cairo_surface_status(surface)));
		goto out;
	}
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, doc->title ? doc->title : "");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "jifen");
	p.cr = cairo_create(surface);
	p.pc = pango_font_map_create_context(pdf_fontmap);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p.pc, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_update_context(p.cr, p.pc);
	rc = render_pages(&p, err, errcap);
	g_object_unref(p.pc);
	cairo_destroy(p.cr);
	cairo_surface_finish(surface);
	if (rc == EXPORT_OK && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		if (sink.full) {
			snprintf(err, errcap, "the PDF would be larger than %zu bytes", out->max);
			rc = EXPORT_TOO_LARGE;
		} else {
			snprintf(err, errcap, "cairo: %s", cairo_status_to_string(cairo_surface_status(surface)));
			rc = EXPORT_FAILED;
		}
	}
out:
	if (surface)
		cairo_surface_destroy(surface);
	pthread_mutex_unlock(&pdf_lock);
	free(p.col_x);
	free(p.col_w);
	free(p.row_h);
	qr_free(&p.qr);
	if (rc != EXPORT_OK)
		buf_free(out);
	return rc;
}
