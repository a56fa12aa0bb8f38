/*
 * Unit tests for src/export/export_pdf.c: a document of Chinese text with a QR
 * code renders to a PDF that paginates (a page per about forty rows, none split),
 * names every page, is bounded by the buffer's maximum, and survives rows with
 * long or odd text. The text itself is read back by the API test (pdftotext).
 */
#include "check.h"
#include "export/export.h"

/* Where needle (n bytes) first occurs in hay (len bytes), or NULL. */
static const char *find(const char *hay, size_t len, const char *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

static const export_col cols[] = {{"户号", 8, false}, {"户主", 10, false}, {"积分", 6, true}};

/* Counts "/Type /Page" objects (not "/Type /Pages"). */
static int page_count(const buf *b)
{
	int n = 0;
	for (const char *p = b->data; (p = find(p, b->len - (size_t)(p - b->data), "/Type /Page", 11));
	     p += 11)
		n += p[11] != 's';
	return n;
}

static export_rc render(size_t nrows, size_t max, buf *b)
{
	static export_cell cells[300 * 3];
	for (size_t r = 0; r < nrows; r++) {
		cells[r * 3] = EXPORT_TEXT("1001");
		cells[r * 3 + 1] = EXPORT_TEXT(r % 7 == 3 ? "于洪军的名字很长很长很长很长很长很长很长很长很长很长很长很长很长"
		                                           "很长很长很长很长很长很长很长很长很长很长很长很长很长"
		                                           : "王福顺");
		cells[r * 3 + 2] = EXPORT_NUM((int64_t)r - 5);
	}
	const char *meta[] = {"链头：1483531853e6cb680c93a0eb1a6691f072e0f01afbe6ae5d03ac18fd0abce8a0"};
	export_doc d = {.title = "高箭沟村 2026年10月 积分公示", .meta = meta, .nmeta = 1, .cols = cols,
	                .ncols = 3, .cells = cells, .nrows = nrows, .qr_payload = "JIFEN:1:1001",
	                .qr_caption = "户码", .footer = "测试"};
	char err[256] = "";
	buf_init(b, max);
	export_rc rc = export_pdf(&d, b, err, sizeof(err));
	if (rc != EXPORT_OK)
		fprintf(stderr, "export_pdf: %s\n", err);
	return rc;
}

static void test_pages(void)
{
	buf b;
	CHECK_INT_EQ(render(0, 1 << 24, &b), EXPORT_OK);
	CHECK(b.len > 1000 && memcmp(b.data, "%PDF-", 5) == 0);
	CHECK_INT_EQ(page_count(&b), 1); /* an empty table is still a page */
	buf_free(&b);
	CHECK_INT_EQ(render(10, 1 << 24, &b), EXPORT_OK);
	CHECK_INT_EQ(page_count(&b), 1);
	buf_free(&b);
	CHECK_INT_EQ(render(300, 1 << 24, &b), EXPORT_OK);
	int pages = page_count(&b);
	CHECK(pages >= 5 && pages <= 20);
	buf_free(&b);
}

static void test_bounded(void)
{
	buf b;
	CHECK_INT_EQ(render(300, 4096, &b), EXPORT_TOO_LARGE);
	CHECK(b.data == NULL && b.len == 0);
}

static void test_too_many_rows(void)
{
	size_t n = 20001;
	export_cell *cells = calloc(n * 3, sizeof(*cells));
	CHECK(cells != NULL);
	export_doc d = {.title = "标题", .cols = cols, .ncols = 3, .cells = cells, .nrows = n};
	buf b;
	char err[256];
	buf_init(&b, 1 << 24);
	export_rc rc = export_pdf(&d, &b, err, sizeof(err));
	free(cells);
	CHECK_INT_EQ(rc, EXPORT_TOO_LARGE);
	CHECK(strstr(err, "too many") != NULL);
}

static void test_bad_qr_payload(void)
{
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	export_doc d = {.title = "标题", .cols = cols, .ncols = 3, .qr_payload = big};
	buf b;
	char err[256];
	buf_init(&b, 1 << 20);
	CHECK_INT_EQ(export_pdf(&d, &b, err, sizeof(err)), EXPORT_FAILED);
	CHECK(strstr(err, "QR") != NULL);
	CHECK(b.data == NULL);
}

CHECK_MAIN("export_pdf", T(test_pages), T(test_bounded), T(test_too_many_rows),
           T(test_bad_qr_payload))
