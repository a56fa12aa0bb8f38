/*
 * export.c: what the renderers share: the formats, their file extensions and
 * content types, the dispatch to one renderer, and the Content-Disposition of a
 * download whose name is Chinese. The renderers themselves are export_csv.c,
 * export_xlsx.c and export_pdf.c.
 */
#include "export/export.h"

#include <stdio.h>
#include <string.h>

bool export_format_parse(const char *s, export_format *out)
{
	if (!s)
		return false;
	if (strcmp(s, "csv") == 0)
		*out = EXPORT_CSV;
	else if (strcmp(s, "xlsx") == 0)
		*out = EXPORT_XLSX;
	else if (strcmp(s, "pdf") == 0)
		*out = EXPORT_PDF;
	else
		return false;
	return true;
}

const char *export_format_ext(export_format f)
{
	switch (f) {
	case EXPORT_CSV: return "csv";
	case EXPORT_XLSX: return "xlsx";
	case EXPORT_PDF: return "pdf";
	}
	return "bin";
}

const char *export_content_type(export_format f)
{
	switch (f) {
	case EXPORT_CSV: return "text/csv; charset=utf-8";
	case EXPORT_XLSX: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	case EXPORT_PDF: return "application/pdf";
	}
	return "application/octet-stream";
}

export_rc export_render(const export_doc *doc, export_format fmt, buf *out, char *err,
                        size_t errcap)
{
	switch (fmt) {
	case EXPORT_CSV: return export_csv(doc, out, err, errcap);
	case EXPORT_XLSX: return export_xlsx(doc, out, err, errcap);
	case EXPORT_PDF: return export_pdf(doc, out, err, errcap);
	}
	snprintf(err, errcap, "unknown format");
	buf_free(out);
	return EXPORT_FAILED;
}

/* RFC 5987 attr-char: the bytes that go into filename* unencoded. */
static bool attr_char(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$&+-.^_`|~", c) != NULL;
}

char *export_disposition(arena *ar, const char *name, const char *ascii_name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t nl = strlen(name), al = strlen(ascii_name);
	if (nl > 1024 || al > 1024)
		return NULL;
	size_t cap = sizeof("attachment; filename=\"\"; filename*=UTF-8''") + al + 3 * nl + 1;
	char *out = arena_alloc(ar, cap);
	if (!out)
		return NULL;
	char *p = out;
	p += sprintf(p, "attachment; filename=\"");
	for (size_t i = 0; i < al; i++) {
		char c = ascii_name[i];
		bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            c == '.' || c == '_' || c == '-';
		*p++ = keep ? c : '_';
	}
	p += sprintf(p, "\"; filename*=UTF-8''");
	for (size_t i = 0; i < nl; i++) {
		unsigned char c = (unsigned char)name[i];
		if (attr_char(c)) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}
