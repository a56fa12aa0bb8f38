/*
 * Unit tests for src/util/buf.c: the maximum is enforced to the byte, a failed
 * append frees the buffer (and it may be used again), printf in both its
 * short and long paths, reset keeps memory, steal hands the data over.
 */
#include "check.h"
#include "util/buf.h"

static void append_and_terminate(void)
{
	buf b;
	buf_init(&b, 1024);
	CHECK(b.data == NULL);
	CHECK(buf_puts(&b, "高箭沟村"));
	CHECK(buf_append(&b, "三组17号xyz", strlen("三组17号")));
	CHECK_STR_EQ(b.data, "高箭沟村三组17号");
	CHECK_INT_EQ(b.len, strlen("高箭沟村三组17号"));
	CHECK(buf_append(&b, "", 0));
	CHECK_INT_EQ(b.len, strlen("高箭沟村三组17号"));
	/* bytes with embedded NULs are kept, and the data stays terminated */
	CHECK(buf_append(&b, "a\0b", 3));
	CHECK_INT_EQ(b.len, strlen("高箭沟村三组17号") + 3);
	CHECK_INT_EQ(b.data[b.len - 2], '\0');
	CHECK_INT_EQ(b.data[b.len], '\0');
	CHECK(b.cap > b.len);
	buf_free(&b);
	CHECK(b.data == NULL);
	CHECK_INT_EQ(b.len, 0);
	buf_free(&b); /* twice is harmless */
}

static void max_enforced(void)
{
	static const struct {
		size_t max;
		size_t first, second;
		int second_ok;
	} cases[] = {
		{10, 10, 0, 1},   /* exactly max */
		{10, 10, 1, 0},   /* one past */
		{10, 5, 5, 1},    {10, 5, 6, 0},
		{0, 0, 0, 1},     {0, 0, 1, 0},
		{300, 256, 44, 1}, {300, 256, 45, 0}, /* across the first growth */
		{5000, 4999, 1, 1}, {5000, 4999, 2, 0},
	};
	static char bytes[5001];
	memset(bytes, 'x', sizeof(bytes));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf b;
		buf_init(&b, cases[i].max);
		CHECK(buf_append(&b, bytes, cases[i].first));
		bool ok = buf_append(&b, bytes, cases[i].second);
		CHECK_INT_EQ(ok, cases[i].second_ok);
		if (ok) {
			CHECK_INT_EQ(b.len, cases[i].first + cases[i].second);
			CHECK(b.len <= b.max);
			CHECK(b.cap <= b.max + 1); /* never allocates past max + NUL */
			CHECK_INT_EQ(b.data[b.len], '\0');
		} else {
			/* a failure frees what was there: nothing half-built escapes */
			CHECK(b.data == NULL);
			CHECK_INT_EQ(b.len, 0);
			CHECK_INT_EQ(b.cap, 0);
		}
		buf_free(&b);
	}
}

static void huge_append_refused(void)
{
	buf b;
	buf_init(&b, 100);
	CHECK(buf_puts(&b, "于洪军"));
	/* n so large that len + n would wrap: refused, not overflowed */
	CHECK(!buf_append(&b, "x", SIZE_MAX));
	CHECK(!buf_append(&b, "x", SIZE_MAX - 2));
	CHECK(b.data == NULL);
	buf_free(&b);
}

static void usable_after_failure(void)
{
	buf b;
	buf_init(&b, 8);
	CHECK(buf_puts(&b, "12345"));
	CHECK(!buf_puts(&b, "6789"));
	CHECK(b.data == NULL);
	/* the maximum is kept, the buffer starts again empty */
	CHECK_INT_EQ(b.max, 8);
	CHECK(buf_puts(&b, "于洪"));
	CHECK_STR_EQ(b.data, "于洪");
	CHECK(!buf_puts(&b, "军家"));
	buf_free(&b);
}

static void printf_growth(void)
{
	buf b;
	buf_init(&b, 1 << 20);
	CHECK(buf_printf(&b, "%s第%d组", "高箭沟村", 3));
	CHECK_STR_EQ(b.data, "高箭沟村第3组");
	/* longer than the 512-byte stack path */
	char big[3001];
	for (int i = 0; i < 3000; i++)
		big[i] = (char)('0' + i % 10);
	big[3000] = '\0';
	CHECK(buf_printf(&b, "[%s]", big));
	CHECK_INT_EQ(b.len, strlen("高箭沟村第3组") + 3002);
	CHECK_INT_EQ(b.data[strlen("高箭沟村第3组")], '[');
	CHECK_INT_EQ(b.data[b.len - 1], ']');
	CHECK(memcmp(b.data + strlen("高箭沟村第3组") + 1, big, 3000) == 0);
	/* exactly 511 and 512 bytes: the boundary of the two paths */
	buf_reset(&b);
	CHECK(buf_printf(&b, "%.*s", 511, big));
	CHECK_INT_EQ(b.len, 511);
	CHECK(buf_printf(&b, "%.*s", 512, big));
	CHECK_INT_EQ(b.len, 1023);
	CHECK(memcmp(b.data + 511, big, 512) == 0);
	/* many small appends grow the buffer */
	buf_reset(&b);
	for (int i = 0; i < 1000; i++)
		CHECK(buf_printf(&b, "%d,", i % 10));
	CHECK_INT_EQ(b.len, 2000);
	CHECK(b.cap >= 2001);
	buf_free(&b);
}

static void printf_over_max(void)
{
	buf b;
	buf_init(&b, 20);
	CHECK(buf_printf(&b, "%s", "于洪军"));
	CHECK(!buf_printf(&b, "%s%s", "高箭沟村", "三组")); /* 9 + 18 > 20 */
	CHECK(b.data == NULL);
	CHECK_INT_EQ(b.len, 0);
	/* the long path refuses too */
	char big[1000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(!buf_printf(&b, "%s", big));
	CHECK(b.data == NULL);
	buf_free(&b);
}

static void reset_keeps_memory(void)
{
	buf b;
	buf_init(&b, 4096);
	buf_reset(&b); /* on an empty buffer: no crash */
	CHECK(buf_puts(&b, "王桂芝(妻子);于浩然(孙子)"));
	size_t cap = b.cap;
	char *data = b.data;
	buf_reset(&b);
	CHECK_INT_EQ(b.len, 0);
	CHECK_STR_EQ(b.data, "");
	CHECK(b.data == data);
	CHECK_INT_EQ(b.cap, cap);
	CHECK(buf_puts(&b, "一组"));
	CHECK_STR_EQ(b.data, "一组");
	buf_free(&b);
}

static void steal(void)
{
	buf b;
	buf_init(&b, 100);
	CHECK(buf_puts(&b, "高箭沟村"));
	char *s = buf_steal(&b);
	CHECK_STR_EQ(s, "高箭沟村");
	CHECK(b.data == NULL);
	CHECK_INT_EQ(b.len, 0);
	CHECK_INT_EQ(b.cap, 0);
	/* the buffer works again and does not share memory with the stolen data */
	CHECK(buf_puts(&b, "平顶堡镇"));
	CHECK_STR_EQ(s, "高箭沟村");
	free(s);
	buf_free(&b);

	/* stealing an empty buffer gives an empty string the caller frees */
	buf_init(&b, 100);
	s = buf_steal(&b);
	CHECK(s != NULL);
	CHECK_STR_EQ(s, "");
	free(s);
}

CHECK_MAIN("buf", T(append_and_terminate), T(max_enforced), T(huge_append_refused),
           T(usable_after_failure), T(printf_growth), T(printf_over_max), T(reset_keeps_memory),
           T(steal))
