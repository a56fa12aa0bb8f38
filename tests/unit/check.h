/*
 * check.h: the unit-test harness (after libuv's task.h). Asserts print both
 * sides and stay on in every build; each test file is one executable whose main
 * runs the TESTS list and prints "N passed, N failed".
 */
#ifndef JF_CHECK_H
#define JF_CHECK_H
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int check_failures;

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                                    \
			return;                                                              \
		}                                                                            \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                                   \
	do {                                                                                 \
		long long va_ = (long long)(a), vb_ = (long long)(b);                        \
		if (va_ != vb_) {                                                            \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,  \
			        __LINE__, #a, #b, va_, vb_);                                 \
			check_failures++;                                                    \
			return;                                                              \
		}                                                                            \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                   \
	do {                                                                                 \
		const char *sa_ = (a), *sb_ = (b);                                           \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                 \
			fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, \
			        __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");  \
			check_failures++;                                                    \
			return;                                                              \
		}                                                                            \
	} while (0)

typedef struct {
	const char *name;
	void (*fn)(void);
} check_test;

/* Runs every test; prints one line per failure and the closing count line. */
static inline int check_run(const char *suite, const check_test *tests, size_t n)
{
	int passed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		int before = check_failures;
		tests[i].fn();
		if (check_failures == before) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s/%s\n", suite, tests[i].name);
		}
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

#define CHECK_MAIN(suite, ...)                                                               \
	int check_failures = 0;                                                              \
	int main(void)                                                                       \
	{                                                                                    \
		static const check_test tests_[] = {__VA_ARGS__};                            \
		return check_run(suite, tests_, sizeof(tests_) / sizeof(tests_[0]));         \
	}
#define T(fn) {#fn, fn}

#endif
