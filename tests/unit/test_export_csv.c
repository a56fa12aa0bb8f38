/*
 * Unit tests for src/export/export_csv.c and the helpers of export.c: which
 * cells are neutralised (a table of first characters), the exact bytes of a
 * small document, a round trip through jifen's own CSV reader, the bounded
 * buffer, the formats, and the Content-Disposition of a Chinese file name.
 */
#include "check.h"
#include "export/export.h"
#include "util/csv.h"

static void test_needs_quote_mark(void)
{
	static const struct {
		const char *text;
		bool mark;
	} cases[] = {
		{"=SUM(1)", true},  {"+86 138", true}, {"-2", true},      {"@cmd", true},
		{"\tx", true},      {"\rx", true},     {"于洪军", false},  {"a=b", false},
		{" =x", false},     {"", false},       {NULL, false},     {"＝全角", false},
		{"'=already", false}, {"\n换行", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (export_csv_needs_quote_mark(cases[i].text) != cases[i].mark)
			fprintf(stderr, "case %zu: \"%s\"\n", i, cases[i].text ? cases[i].text : "(null)");
		CHECK_INT_EQ(export_csv_needs_quote_mark(cases[i].text), cases[i].mark);
	}
}

static const export_col cols[] = {{"户号", 8, false}, {"备注", 20, false}, {"积分", 6, true}};

static void render(const export_cell *cells, size_t nrows, buf *out, export_rc *rc)
{
	export_doc d = {.title = "不写进 CSV 的标题", .cols = cols, .ncols = 3, .cells = cells,
	                .nrows = nrows};
	char err[128];
	*rc = export_csv(&d, out, err, sizeof(err));
}

static void test_bytes(void)
{
	const export_cell cells[] = {
		EXPORT_TEXT("1001"), EXPORT_TEXT("=SUM(1)"), EXPORT_NUM(-2),
		EXPORT_TEXT("1002"), EXPORT_TEXT("他说\"好\",行"), EXPORT_NUM(15),
		EXPORT_TEXT(NULL), EXPORT_TEXT(" 两端空格 "), EXPORT_NUM(0),
		EXPORT_TEXT("-1"), EXPORT_TEXT("@a,b"), EXPORT_NUM(9000000000LL),
		EXPORT_TEXT("x"), EXPORT_TEXT("第一行\r\n第二行"), EXPORT_NUM(1),
	};
	buf b;
	buf_init(&b, 4096);
	export_rc rc;
	render(cells, 5, &b, &rc);
	CHECK_INT_EQ(rc, EXPORT_OK);
	CHECK_STR_EQ(b.data, "\xEF\xBB\xBF户号,备注,积分\r\n"
	                     "1001,'=SUM(1),-2\r\n"
	                     "1002,\"他说\"\"好\"\",行\",15\r\n"
	                     ",\" 两端空格 \",0\r\n"
	                     "'-1,\"'@a,b\",9000000000\r\n"
	                     "x,\"第一行\r\n第二行\",1\r\n");
	buf_free(&b);
}

static void test_round_trip_through_the_reader(void)
{
	const char *texts[] = {"=1+1", "带,逗号", "\"引号\"", "@SUM(A1)", "普通", "+", "-"};
	enum { N = sizeof(texts) / sizeof(texts[0]) };
	export_cell cells[N * 3];
	for (size_t i = 0; i < N; i++) {
		cells[i * 3] = EXPORT_TEXT("100");
		cells[i * 3 + 1] = EXPORT_TEXT(texts[i]);
		cells[i * 3 + 2] = EXPORT_NUM((int64_t)i - 3);
	}
	buf b;
	buf_init(&b, 4096);
	export_rc rc;
	render(cells, N, &b, &rc);
	CHECK_INT_EQ(rc, EXPORT_OK);
	csv_reader r;
	csv_row row;
	char err[128];
	csv_init(&r, b.data + 3); /* after the byte order mark */
	CHECK_INT_EQ(csv_next(&r, &row, err, sizeof(err)), 1);
	CHECK_STR_EQ(row.fields[0], "户号");
	for (size_t i = 0; i < N; i++) {
		CHECK_INT_EQ(csv_next(&r, &row, err, sizeof(err)), 1);
		CHECK_INT_EQ(row.n, 3);
		char want[64];
		snprintf(want, sizeof(want), "%s%s", export_csv_needs_quote_mark(texts[i]) ? "'" : "",
		         texts[i]);
		CHECK_STR_EQ(row.fields[1], want);
		char num[16];
		snprintf(num, sizeof(num), "%d", (int)i - 3);
		CHECK_STR_EQ(row.fields[2], num); /* negative numbers stay numbers */
	}
	CHECK_INT_EQ(csv_next(&r, &row, err, sizeof(err)), 0);
	csv_free(&r);
	buf_free(&b);
}

static void test_too_large(void)
{
	const export_cell cells[] = {EXPORT_TEXT("1001"), EXPORT_TEXT("一段很长的备注"), EXPORT_NUM(5)};
	buf b;
	buf_init(&b, 20);
	export_rc rc;
	render(cells, 1, &b, &rc);
	CHECK_INT_EQ(rc, EXPORT_TOO_LARGE);
	CHECK(b.data == NULL);
	CHECK_INT_EQ(b.len, 0);
}

static void test_formats(void)
{
	export_format f = EXPORT_PDF;
	CHECK(export_format_parse("csv", &f) && f == EXPORT_CSV);
	CHECK(export_format_parse("xlsx", &f) && f == EXPORT_XLSX);
	CHECK(export_format_parse("pdf", &f) && f == EXPORT_PDF);
	CHECK(!export_format_parse("PDF", &f));
	CHECK(!export_format_parse("xls", &f));
	CHECK(!export_format_parse("", &f));
	CHECK(!export_format_parse(NULL, &f));
	CHECK_STR_EQ(export_content_type(EXPORT_CSV), "text/csv; charset=utf-8");
	CHECK_STR_EQ(export_content_type(EXPORT_PDF), "application/pdf");
	CHECK_STR_EQ(export_format_ext(EXPORT_XLSX), "xlsx");
}

static void test_disposition(void)
{
	arena ar;
	arena_init(&ar, 0);
	CHECK_STR_EQ(export_disposition(&ar, "村-2026-10.pdf", "jifen-notice-1-2026-10.pdf"),
	             "attachment; filename=\"jifen-notice-1-2026-10.pdf\"; "
	             "filename*=UTF-8''%E6%9D%91-2026-10.pdf");
	/* quotes, spaces, slashes and other bytes never reach the header raw */
	CHECK_STR_EQ(export_disposition(&ar, "a b\"/;\r\n.csv", "x\"y;z\r\n/..csv"),
	             "attachment; filename=\"x_y_z___..csv\"; "
	             "filename*=UTF-8''a%20b%22%2F%3B%0D%0A.csv");
	arena_free(&ar);
}

CHECK_MAIN("export_csv", T(test_needs_quote_mark), T(test_bytes),
           T(test_round_trip_through_the_reader), T(test_too_large), T(test_formats),
           T(test_disposition))
