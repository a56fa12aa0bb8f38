/*
 * Unit tests for src/export/export_xlsx.c: a workbook is a zip holding the
 * sheet and its shared strings (the API test reads the rows back), it is
 * bounded by the buffer's maximum, and it leaves no temporary folder behind.
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const export_col cols[] = {{"户号", 8, false}, {"备注", 20, false}, {"积分", 6, true}};
static const export_cell cells[] = {
	EXPORT_TEXT("1001"), EXPORT_TEXT("=SUM(1)"), EXPORT_NUM(-2),
	EXPORT_TEXT("1002"), EXPORT_TEXT(NULL), EXPORT_NUM(15),
};

static export_rc render(size_t max, buf *b, char *err, size_t cap)
{
	export_doc d = {.title = "高箭沟村 积分排名", .sheet = "积分排名", .cols = cols, .ncols = 3,
	                .cells = cells, .nrows = 2};
	buf_init(b, max);
	return export_xlsx(&d, b, err, cap);
}

/* Entries of dir whose names start with jifen-xlsx-. */
static int temp_dirs(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e = readdir(d); e; e = readdir(d))
		n += strncmp(e->d_name, "jifen-xlsx-", 11) == 0;
	closedir(d);
	return n;
}

static void test_workbook(void)
{
	char dir[] = "/tmp/jifen-test-xlsx-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	setenv("TMPDIR", dir, 1);
	buf b;
	char err[256] = "";
	export_rc rc = render(1 << 20, &b, err, sizeof(err));
	if (rc != EXPORT_OK)
		fprintf(stderr, "export_xlsx: %s\n", err);
	CHECK_INT_EQ(rc, EXPORT_OK);
	CHECK(b.len > 1000 && memcmp(b.data, "PK\3\4", 4) == 0);
	CHECK(find(b.data, b.len, "xl/worksheets/sheet1.xml", 24) != NULL);
	CHECK(find(b.data, b.len, "xl/sharedStrings.xml", 20) != NULL);
	buf_free(&b);
	CHECK_INT_EQ(temp_dirs(dir), 0); /* the private folder is gone */

	CHECK_INT_EQ(render(100, &b, err, sizeof(err)), EXPORT_TOO_LARGE);
	CHECK(b.data == NULL);
	CHECK_INT_EQ(temp_dirs(dir), 0);

	setenv("TMPDIR", "/nonexistent/jifen", 1);
	CHECK_INT_EQ(render(1 << 20, &b, err, sizeof(err)), EXPORT_FAILED);
	CHECK(strstr(err, "temporary folder") != NULL);
	unsetenv("TMPDIR");
	rmdir(dir);
}

CHECK_MAIN("export_xlsx", T(test_workbook))
