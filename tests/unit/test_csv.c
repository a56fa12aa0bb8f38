/*
 * Unit tests for src/util/csv.c. Each table case reads a whole text and
 * compares a rendering of every row ("line:[field][field]\n") and the final
 * result (0 at the end, or -1 with a piece of the message).
 */
#include "check.h"
#include "util/buf.h"
#include "util/csv.h"

typedef struct {
	const char *name;
	const char *in;
	const char *rows;    /* the rows read before the end or the error */
	int last;            /* what the last csv_next returns: 0 or -1 */
	const char *err_has; /* a piece of the message when last is -1 */
} csv_case;

static const csv_case cases[] = {
	/* records and line ends */
	{"empty", "", "", 0, NULL},
	{"one field", "于洪军", "1:[于洪军]\n", 0, NULL},
	{"lf", "姓名,组\n于洪军,第一组\n", "1:[姓名][组]\n2:[于洪军][第一组]\n", 0, NULL},
	{"crlf", "姓名,组\r\n于洪军,第一组\r\n", "1:[姓名][组]\n2:[于洪军][第一组]\n", 0, NULL},
	{"lone cr", "a,b\rc,d\r", "1:[a][b]\n2:[c][d]\n", 0, NULL},
	{"no final newline", "a\nb", "1:[a]\n2:[b]\n", 0, NULL},
	{"mixed line ends", "a\r\nb\nc\rd", "1:[a]\n2:[b]\n3:[c]\n4:[d]\n", 0, NULL},
	{"empty fields", ",\na,,\n", "1:[][]\n2:[a][][]\n", 0, NULL},
	/* blank lines are skipped but still counted */
	{"blank lines", "\n\r\n于洪军\n\n  \n\r第一组\n\n", "3:[于洪军]\n7:[第一组]\n", 0, NULL},
	{"only blank lines", "\n\r\n  \r", "", 0, NULL},
	/* trimming */
	{"trim unquoted", "  于洪军 , 第一组  ,x\n", "1:[于洪军][第一组][x]\n", 0, NULL},
	{"tab is not trimmed", "\ta\t,b\n", "1:[\ta\t][b]\n", 0, NULL},
	{"inner spaces kept", "高箭沟村 3组 12号", "1:[高箭沟村 3组 12号]\n", 0, NULL},
	/* quoting */
	{"quoted", "\"于洪军\",\"第一组\"", "1:[于洪军][第一组]\n", 0, NULL},
	{"quoted comma", "\"高箭沟村3组,12号\",x", "1:[高箭沟村3组,12号][x]\n", 0, NULL},
	{"doubled quote", "\"他说\"\"好\"\"\",\"\"\"\"", "1:[他说\"好\"][\"]\n", 0, NULL},
	{"quoted empty", "\"\",a,\"\"", "1:[][a][]\n", 0, NULL},
	{"quoted spaces kept", "\"  于洪军 \"", "1:[  于洪军 ]\n", 0, NULL},
	{"spaces around quotes", "  \"a b\"  ,  \"c\"\n", "1:[a b][c]\n", 0, NULL},
	{"quoted lf", "\"高箭沟村\n3组12号\",x\ny\n", "1:[高箭沟村\n3组12号][x]\n3:[y]\n", 0, NULL},
	{"quoted crlf kept", "\"a\r\nb\"\r\nc", "1:[a\r\nb]\n3:[c]\n", 0, NULL},
	{"quoted lone cr", "\"a\rb\",x\ry", "1:[a\rb][x]\n3:[y]\n", 0, NULL},
	{"quoted blank line", "\"a\n\nb\"\nc", "1:[a\n\nb]\n4:[c]\n", 0, NULL},
	/* errors, with the line they name */
	{"unterminated", "a\n\"于洪军,第一组\n\n", "1:[a]\n", -1,
	 "line 2: quoted field 1 is never closed"},
	{"unterminated after comma", "a,\"b", "", -1, "line 1: quoted field 2"},
	{"quote inside unquoted", "a\nb,于\"洪\"军\n", "1:[a]\n", -1, "line 2: field 2 has a '\"'"},
	{"quote at end of unquoted", "ab\"", "", -1, "line 1: field 1"},
	{"text after closing quote", "x\n\"a\nb\"c,d", "1:[x]\n", -1,
	 "line 3: field 1 has text after its closing quote"},
	{"line counted after blank lines", "\n\n\na\"", "", -1, "line 4:"},
};

/* Appends "line:[f]...[f]\n" for row to out. Returns false on overflow. */
static bool render_row(buf *out, const csv_row *row)
{
	if (!buf_printf(out, "%zu:", row->line))
		return false;
	for (size_t i = 0; i < row->n; i++)
		if (!buf_printf(out, "[%s]", row->fields[i]))
			return false;
	return buf_puts(out, "\n");
}

/* Reads c->in to the end or the first error; the reader is freed before any
 * CHECK so a failing case leaks nothing. */
static void run_case(const csv_case *c)
{
	csv_reader r;
	csv_row row;
	char err[256];
	buf out;
	int rc;
	bool rendered = true;
	buf_init(&out, 1 << 16);
	buf_puts(&out, "");
	csv_init(&r, c->in);
	rc = csv_next(&r, &row, err, sizeof(err));
	while (rc == 1 && rendered) {
		rendered = render_row(&out, &row);
		rc = csv_next(&r, &row, err, sizeof(err));
	}
	/* the end and the error both stick */
	char again_err[256];
	int again = csv_next(&r, &row, again_err, sizeof(again_err));
	csv_free(&r);
	char got[1024] = "";
	if (out.data && out.len < sizeof(got))
		memcpy(got, out.data, out.len + 1);
	buf_free(&out);

	CHECK(rendered);
	CHECK_STR_EQ(got, c->rows);
	CHECK_INT_EQ(rc, c->last);
	CHECK_INT_EQ(again, c->last);
	CHECK_INT_EQ(row.n, 0);
	if (c->last == 0) {
		CHECK_STR_EQ(err, "");
		return;
	}
	if (!strstr(err, c->err_has))
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, c->err_has);
	CHECK(strstr(err, c->err_has) != NULL);
	CHECK(strstr(again_err, "earlier error") != NULL);
}

static void table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = check_failures;
		run_case(&cases[i]);
		if (check_failures != before)
			fprintf(stderr, "  in case \"%s\"\n", cases[i].name);
	}
}

/* Builds text of `fields` fields of `width` copies of 'x' (quoted or not) on
 * line 2, after a header line. Returns a malloc'd string (caller frees). */
static char *make_wide(size_t fields, size_t width, bool quoted)
{
	size_t cap = 16 + fields * (width + 3);
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t o = 0;
	memcpy(s, "h\n", 2);
	o += 2;
	for (size_t f = 0; f < fields; f++) {
		if (f)
			s[o++] = ',';
		if (quoted)
			s[o++] = '"';
		memset(s + o, 'x', width);
		o += width;
		if (quoted)
			s[o++] = '"';
	}
	s[o] = '\0';
	return s;
}

/* Reads the second record of make_wide(fields, width, quoted). Returns what
 * csv_next returned; on 1, *n and *len0 are the field count and first
 * field's length; err gets the message. */
static int read_wide(size_t fields, size_t width, bool quoted, size_t *n, size_t *len0,
                     char *err, size_t errcap)
{
	int rc = -2;
	csv_reader r;
	csv_row row;
	char *text = make_wide(fields, width, quoted);
	if (!text)
		goto out;
	csv_init(&r, text);
	rc = csv_next(&r, &row, err, errcap);
	if (rc == 1)
		rc = csv_next(&r, &row, err, errcap);
	if (rc == 1) {
		*n = row.n;
		*len0 = strlen(row.fields[0]);
	}
	csv_free(&r);
out:
	free(text);
	return rc;
}

static void limits(void)
{
	static const struct {
		size_t fields, width;
		bool quoted;
		int rc;
		const char *err_has;
	} cases_[] = {
		{CSV_MAX_FIELDS, CSV_MAX_FIELD, false, 1, NULL},
		{CSV_MAX_FIELDS, CSV_MAX_FIELD, true, 1, NULL},
		{CSV_MAX_FIELDS + 1, 1, false, -1, "line 2: more than 64 fields"},
		{CSV_MAX_FIELDS + 1, 0, true, -1, "line 2: more than 64 fields"},
		{1, CSV_MAX_FIELD + 1, false, -1, "line 2: field 1 is longer than 4096 bytes"},
		{1, CSV_MAX_FIELD + 1, true, -1, "line 2: field 1 is longer than 4096 bytes"},
		{3, CSV_MAX_FIELD + 1, false, -1, "line 2: field 1 is longer"},
	};
	for (size_t i = 0; i < sizeof(cases_) / sizeof(cases_[0]); i++) {
		size_t n = 0, len0 = 0;
		char err[256] = "";
		int rc = read_wide(cases_[i].fields, cases_[i].width, cases_[i].quoted, &n, &len0,
		                   err, sizeof(err));
		CHECK_INT_EQ(rc, cases_[i].rc);
		if (rc == 1) {
			CHECK_INT_EQ(n, cases_[i].fields);
			CHECK_INT_EQ(len0, cases_[i].width);
		} else {
			if (!strstr(err, cases_[i].err_has))
				fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err,
				        cases_[i].err_has);
			CHECK(strstr(err, cases_[i].err_has) != NULL);
		}
	}
}

/* A long field made of doubled quotes counts the unescaped bytes. */
static void limit_counts_unescaped_bytes(void)
{
	size_t pairs = CSV_MAX_FIELD;
	char *text = malloc(2 * pairs + 3);
	CHECK(text != NULL);
	text[0] = '"';
	for (size_t i = 0; i < pairs; i++)
		memcpy(text + 1 + 2 * i, "\"\"", 2);
	memcpy(text + 1 + 2 * pairs, "\"", 2);
	csv_reader r;
	csv_row row;
	char err[128];
	csv_init(&r, text);
	int rc = csv_next(&r, &row, err, sizeof(err));
	size_t len = rc == 1 ? strlen(row.fields[0]) : 0;
	csv_free(&r);
	free(text);
	CHECK_INT_EQ(rc, 1);
	CHECK_INT_EQ(len, CSV_MAX_FIELD);
}

/* Row storage is reused: a long row then a short one, and the short one's
 * fields are right; the reader can be re-initialised after csv_free. */
static void reuse_and_reinit(void)
{
	csv_reader r;
	csv_row row;
	char err[128];
	char f[3][32];
	int rc[3];
	csv_init(&r, "于洪军,第一组,高箭沟村3组12号\n王芳\n");
	rc[0] = csv_next(&r, &row, err, sizeof(err));
	rc[1] = csv_next(&r, &row, err, sizeof(err));
	snprintf(f[0], sizeof(f[0]), "%zu:%s", row.n, rc[1] == 1 ? row.fields[0] : "");
	rc[2] = csv_next(&r, &row, err, sizeof(err));
	csv_free(&r);
	csv_init(&r, "\"第一组\"");
	int rc2 = csv_next(&r, &row, err, sizeof(err));
	snprintf(f[1], sizeof(f[1]), "%s", rc2 == 1 ? row.fields[0] : "");
	csv_free(&r);
	csv_free(&r); /* twice is harmless */
	csv_init(&r, "never read");
	csv_free(&r);
	CHECK_INT_EQ(rc[0], 1);
	CHECK_INT_EQ(rc[1], 1);
	CHECK_INT_EQ(rc[2], 0);
	CHECK_STR_EQ(f[0], "1:王芳");
	CHECK_INT_EQ(rc2, 1);
	CHECK_STR_EQ(f[1], "第一组");
}

/* Messages are cut to the caller's buffer, and no buffer at all is fine. */
static void small_error_buffers(void)
{
	csv_reader r;
	csv_row row;
	char err[6];
	csv_init(&r, "\"abc");
	CHECK_INT_EQ(csv_next(&r, &row, err, sizeof(err)), -1);
	CHECK_STR_EQ(err, "line ");
	CHECK_INT_EQ(csv_next(&r, &row, NULL, 0), -1);
	csv_free(&r);
}

CHECK_MAIN("csv", T(table), T(limits), T(limit_counts_unescaped_bytes), T(reuse_and_reinit),
           T(small_error_buffers))
