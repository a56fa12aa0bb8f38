/*
 * Unit tests for src/core/import.c (import_households) on a temporary store:
 * a good UTF-8 roster, a GB18030 roster as a Chinese-locale Excel saves it,
 * English headers, re-import and updates, the dry run's counts, problems
 * reported with their line numbers, failures of the whole file, all or
 * nothing (a database failure half-way leaves nothing), and who may import.
 */
#include "check.h"
#include "core/import.h"
#include "fixture.h"

static const actor operator_ = {.user = NULL, .ip = "cli"};

/* 铁岭县 → 平顶堡镇 → 高箭沟村 (一组, 二组; household 1001 于洪军) and 平顶堡村. */
typedef struct {
	fx_db db;
	int64_t county, town, village, other_village, g1, g2, h1001;
} world;

static bool build(world *w)
{
	if (!fx_open(&w->db))
		return false;
	store *st = w->db.st;
	w->county = fx_area(st, 0, "county", "铁岭县");
	w->town = fx_area(st, w->county, "township", "平顶堡镇");
	w->village = fx_village(st, w->town, "高箭沟村");
	w->other_village = fx_village(st, w->town, "平顶堡村");
	w->g1 = fx_group(st, w->village, "一组", 1);
	w->g2 = fx_group(st, w->village, "二组", 2);
	st_household h = {.village_id = w->village, .group_id = w->g1, .passbook_no = "1001",
	                  .head_name = "于洪军", .address = "高箭沟村一组1号", .created_at = 1};
	return w->county && w->town && w->village && w->other_village && w->g1 && w->g2 &&
	       store_household_create(st, &h, &w->h1001) == STORE_OK;
}

static long long count(world *w, const char *sql)
{
	return fx_int(w->db.path, sql);
}

#define HEADER "村民小组,存折号,户主,住址,电话,家庭成员\r\n"
static const char good_file[] =
	"\xEF\xBB\xBF" HEADER
	"一组,1002,王桂芝,高箭沟村一组2号,13904105678,\"于浩然(孙子);于小梅（女儿）\"\r\n"
	"二组,2001,李春生,高箭沟村二组1号,,\r\n"
	"六组,6001,张秀英,高箭沟村六组1号,0410-1234567,刘桂兰(母亲)\r\n"
	"六组,6002,赵德明,,,\r\n";

static size_t progress_done, progress_total, progress_calls;

static void on_progress(size_t done, size_t total, void *ctx)
{
	(void)ctx;
	progress_done = done;
	progress_total = total;
	progress_calls++;
}

static core_status run(world *w, const actor *who, const char *data, size_t len, bool dry,
                       arena *ar, import_report *r, core_err *err)
{
	memset(err, 0, sizeof(*err));
	return import_households(w->db.st, who, w->village, data, len, dry, ar, r, on_progress, NULL,
	                         err);
}

static void good_file_applied(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	long long audit_before = count(&w, "SELECT count(*) FROM audit_log");
	progress_calls = 0;
	CHECK_INT_EQ(run(&w, &operator_, good_file, sizeof(good_file) - 1, false, &ar, &r, &err),
	             CORE_OK);
	CHECK(r.applied);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK_STR_EQ(r.encoding, "utf-8");
	CHECK_INT_EQ(r.rows, 4);
	CHECK_INT_EQ(r.created, 4);
	CHECK_INT_EQ(r.updated, 0);
	CHECK_INT_EQ(r.unchanged, 0);
	CHECK_INT_EQ(r.groups_created, 1);
	CHECK_INT_EQ(r.members_added, 3);
	CHECK(progress_calls >= 1);
	CHECK_INT_EQ(progress_done, 4);
	CHECK_INT_EQ(progress_total, 4);

	/* what landed */
	st_household h;
	CHECK_INT_EQ(store_household_by_passbook(w.db.st, w.village, "1002", &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.head_name, "王桂芝");
	CHECK_STR_EQ(h.address, "高箭沟村一组2号");
	CHECK_STR_EQ(h.phone, "13904105678");
	CHECK_INT_EQ(h.group_id, w.g1);
	st_member *ms = NULL;
	size_t nm = 0;
	CHECK_INT_EQ(store_member_list(w.db.st, h.id, &ar, &ms, &nm), STORE_OK);
	CHECK_INT_EQ(nm, 2);
	CHECK_STR_EQ(ms[0].name, "于浩然");
	CHECK_STR_EQ(ms[0].relation, "孙子");
	CHECK_STR_EQ(ms[1].name, "于小梅");
	CHECK_STR_EQ(ms[1].relation, "女儿"); /* full-width brackets understood */
	st_group g;
	CHECK_INT_EQ(store_group_find(w.db.st, w.village, "六组", &ar, &g), STORE_OK);
	CHECK_INT_EQ(g.household_count, 2);
	CHECK_INT_EQ(store_household_by_passbook(w.db.st, w.village, "6002", &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.address, "");
	CHECK_INT_EQ(h.group_id, g.id);
	/* the other village is untouched */
	CHECK_INT_EQ(store_household_by_passbook(w.db.st, w.other_village, "1002", &ar, &h),
	             STORE_NOT_FOUND);
	/* audited: four households, one group, and the import itself */
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log") - audit_before, 6);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log WHERE entity = 'household'"
	                       " AND action = 'create' AND summary LIKE '%\"source\":\"import\"%'"),
	             4);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log WHERE entity = 'group'"), 1);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log WHERE entity = 'household_import'"
	                       " AND summary LIKE '%\"created\":4%' AND ip = 'cli'"
	                       " AND user_id IS NULL"),
	             1);
	arena_free(&ar);
	fx_close(&w.db);
}

static void reimport_and_update(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	CHECK_INT_EQ(run(&w, &operator_, good_file, sizeof(good_file) - 1, false, &ar, &r, &err),
	             CORE_OK);
	CHECK(r.applied);
	long long members = count(&w, "SELECT count(*) FROM members");

	/* the same file again changes nothing, and adds no member twice */
	CHECK_INT_EQ(run(&w, &operator_, good_file, sizeof(good_file) - 1, false, &ar, &r, &err),
	             CORE_OK);
	CHECK(r.applied);
	CHECK_INT_EQ(r.created, 0);
	CHECK_INT_EQ(r.updated, 0);
	CHECK_INT_EQ(r.unchanged, 4);
	CHECK_INT_EQ(r.groups_created, 0);
	CHECK_INT_EQ(r.members_added, 0);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM members"), members);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), 5);

	/* a changed head, a moved household, one new member */
	static const char changes[] = HEADER
		"一组,1002,王桂芝,高箭沟村一组2号,13904105678,于浩然(孙子);于小梅(女儿);于大海(丈夫)\n"
		"二组,2001,李春森,高箭沟村二组1号,,\n"
		"二组,1001,于洪军,高箭沟村一组1号,,\n"
		"六组,6002,赵德明,,,\n";
	CHECK_INT_EQ(run(&w, &operator_, changes, sizeof(changes) - 1, true, &ar, &r, &err), CORE_OK);
	CHECK(!r.applied);
	CHECK_INT_EQ(r.updated, 3);
	CHECK_INT_EQ(r.unchanged, 1);
	CHECK_INT_EQ(r.members_added, 1);
	CHECK_INT_EQ(run(&w, &operator_, changes, sizeof(changes) - 1, false, &ar, &r, &err),
	             CORE_OK);
	CHECK(r.applied);
	CHECK_INT_EQ(r.created, 0);
	CHECK_INT_EQ(r.updated, 3);
	CHECK_INT_EQ(r.unchanged, 1);
	CHECK_INT_EQ(r.members_added, 1);
	st_household h;
	CHECK_INT_EQ(store_household_by_passbook(w.db.st, w.village, "2001", &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.head_name, "李春森");
	CHECK_INT_EQ(store_household_get(w.db.st, w.h1001, &ar, &h), STORE_OK);
	CHECK_INT_EQ(h.group_id, w.g2);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM members"), members + 1);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log WHERE entity = 'household'"
	                       " AND action = 'update'"),
	             3);
	arena_free(&ar);
	fx_close(&w.db);
}

/* The GB18030 bytes of the Chinese words (see `iconv -f UTF-8 -t GB18030`). */
#define GB_CUNMINXIAOZU "\xb4\xe5\xc3\xf1\xd0\xa1\xd7\xe9" /* 村民小组 */
#define GB_CUNZHEHAO "\xb4\xe6\xd5\xdb\xba\xc5"           /* 存折号 */
#define GB_HUZHU "\xbb\xa7\xd6\xf7"                       /* 户主 */
#define GB_ZHUZHI "\xd7\xa1\xd6\xb7"                      /* 住址 */
#define GB_DIANHUA "\xb5\xe7\xbb\xb0"                     /* 电话 */
#define GB_JIATINGCHENGYUAN "\xbc\xd2\xcd\xa5\xb3\xc9\xd4\xb1" /* 家庭成员 */
#define GB_YIZU "\xd2\xbb\xd7\xe9"                        /* 一组 */
#define GB_LIUZU "\xc1\xf9\xd7\xe9"                       /* 六组 */
#define GB_YUHONGJUN "\xd3\xda\xba\xe9\xbe\xfc"           /* 于洪军 */
#define GB_GAOJIANGOUCUN "\xb8\xdf\xbc\xfd\xb9\xb5\xb4\xe5" /* 高箭沟村 */
#define GB_HAO "\xba\xc5"                                 /* 号 */
#define GB_WANGGUIZHI "\xcd\xf5\xb9\xf0\xd6\xa5"          /* 王桂芝 */
#define GB_QIZI "\xc6\xde\xd7\xd3"                        /* 妻子 */
#define GB_YUHAORAN "\xd3\xda\xba\xc6\xc8\xbb"            /* 于浩然 */
#define GB_SUNZI "\xcb\xef\xd7\xd3"                       /* 孙子 */
#define GB_LICHUNSHENG "\xc0\xee\xb4\xba\xc9\xfa"         /* 李春生 */

static const char gb_file[] =
	GB_CUNMINXIAOZU "," GB_CUNZHEHAO "," GB_HUZHU "," GB_ZHUZHI "," GB_DIANHUA ","
	GB_JIATINGCHENGYUAN "\r\n"
	GB_YIZU ",1001," GB_YUHONGJUN "," GB_GAOJIANGOUCUN GB_YIZU "1" GB_HAO ",13904105678,"
	GB_WANGGUIZHI "(" GB_QIZI ");" GB_YUHAORAN "(" GB_SUNZI ")\r\n"
	GB_LIUZU ",6001," GB_LICHUNSHENG "," GB_GAOJIANGOUCUN GB_LIUZU "1" GB_HAO ",,\r\n";

static void gb18030_file(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	CHECK_INT_EQ(run(&w, &operator_, gb_file, sizeof(gb_file) - 1, false, &ar, &r, &err),
	             CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK(r.applied);
	CHECK_STR_EQ(r.encoding, "gb18030");
	CHECK_INT_EQ(r.rows, 2);
	CHECK_INT_EQ(r.created, 1);
	CHECK_INT_EQ(r.updated, 1); /* 1001 gains a phone and two members */
	CHECK_INT_EQ(r.groups_created, 1);
	CHECK_INT_EQ(r.members_added, 2);
	/* stored as UTF-8 */
	st_household h;
	CHECK_INT_EQ(store_household_by_passbook(w.db.st, w.village, "6001", &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.head_name, "李春生");
	CHECK_STR_EQ(h.group_name, "六组");
	CHECK_STR_EQ(h.address, "高箭沟村六组1号");
	CHECK_INT_EQ(store_household_get(w.db.st, w.h1001, &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.phone, "13904105678");
	st_member *ms = NULL;
	size_t nm = 0;
	CHECK_INT_EQ(store_member_list(w.db.st, w.h1001, &ar, &ms, &nm), STORE_OK);
	CHECK_INT_EQ(nm, 2);
	CHECK_STR_EQ(ms[0].name, "王桂芝");
	CHECK_STR_EQ(ms[0].relation, "妻子");
	CHECK_STR_EQ(ms[1].name, "于浩然");
	CHECK(count(&w, "SELECT count(*) FROM audit_log WHERE summary LIKE '%gb18030%'") == 1);
	arena_free(&ar);
	fx_close(&w.db);
}

static void english_headers_any_order(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	static const char file[] = "head_name,passbook_no,group\n"
	                           "王大山,3001,三组\n"
	                           "\n" /* blank lines are skipped */
	                           "  孙秀兰  , 3002 ,三组\n";
	CHECK_INT_EQ(run(&w, &operator_, file, sizeof(file) - 1, false, &ar, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK(r.applied);
	CHECK_INT_EQ(r.created, 2);
	CHECK_INT_EQ(r.groups_created, 1);
	st_household h;
	CHECK_INT_EQ(store_household_by_passbook(w.db.st, w.village, "3002", &ar, &h), STORE_OK);
	CHECK_STR_EQ(h.head_name, "孙秀兰");
	CHECK_STR_EQ(h.group_name, "三组");
	/* the alternative Chinese headers */
	static const char alt[] = "组别,积分存折号,户主姓名,地址,联系电话,成员\n"
	                          "三组,3003,钱德胜,高箭沟村三组3号,13904100003,钱小军（儿子）、钱小红（女儿）\n";
	CHECK_INT_EQ(run(&w, &operator_, alt, sizeof(alt) - 1, false, &ar, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK_INT_EQ(r.created, 1);
	CHECK_INT_EQ(r.members_added, 2);
	arena_free(&ar);
	fx_close(&w.db);
}

static void dry_run_counts(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	import_report dry, real;
	core_err err;
	static const char file[] = HEADER
		"一组,1001,于洪军,高箭沟村一组1号,,\n"              /* unchanged */
		"一组,1002,王桂芝,,,于浩然(孙子)\n"                   /* created */
		"七组,7001,周国强,,,周明(儿子);周丽(女儿)\n"          /* created, new group */
		"七组,7002,吴玉珍,,,\n"                               /* created, same new group */
		"八组,8001,郑福贵,,,\n";                              /* created, another group */
	long long hh = count(&w, "SELECT count(*) FROM households");
	long long groups = count(&w, "SELECT count(*) FROM villager_groups");
	long long audit = count(&w, "SELECT count(*) FROM audit_log");
	CHECK_INT_EQ(run(&w, &operator_, file, sizeof(file) - 1, true, &ar, &dry, &err), CORE_OK);
	CHECK(!dry.applied);
	CHECK_INT_EQ(dry.nproblems, 0);
	CHECK_INT_EQ(dry.rows, 5);
	CHECK_INT_EQ(dry.created, 4);
	CHECK_INT_EQ(dry.unchanged, 1);
	CHECK_INT_EQ(dry.updated, 0);
	CHECK_INT_EQ(dry.groups_created, 2);
	CHECK_INT_EQ(dry.members_added, 3);
	/* nothing written */
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), hh);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM villager_groups"), groups);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log"), audit);
	/* the real run reports the same */
	CHECK_INT_EQ(run(&w, &operator_, file, sizeof(file) - 1, false, &ar, &real, &err), CORE_OK);
	CHECK(real.applied);
	CHECK_INT_EQ(real.created, dry.created);
	CHECK_INT_EQ(real.updated, dry.updated);
	CHECK_INT_EQ(real.unchanged, dry.unchanged);
	CHECK_INT_EQ(real.groups_created, dry.groups_created);
	CHECK_INT_EQ(real.members_added, dry.members_added);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), hh + 4);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM villager_groups"), groups + 2);
	arena_free(&ar);
	fx_close(&w.db);
}

static void problems_with_line_numbers(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	static const char file[] = HEADER                     /* line 1 */
		"一组,1101,于春江,,,\n"                             /* 2: good */
		"一组,11 01,王大山,,,\n"                            /* 3: passbook */
		"二组,1102,,,,\n"                                   /* 4: no head */
		"二组,1101,李四海,,,\n"                             /* 5: repeats line 2 */
		"二组,1103,赵六顺,\"高箭沟村\n二组7号\",,\n"         /* 6-7: a line break in the address */
		"三组,1104,钱七宝,,139-abc,\n"                      /* 8: phone */
		"三组,1105,孙八斤,,,王九妹\n"                       /* 9: member without relation */
		",1106,周十全,,,\n"                                 /* 10: no group */
		"三组,1107,吴一鸣\n"                                /* 11: too few columns */
		"三组,1108,郑二丫,,,\n";                            /* 12: good */
	static const struct {
		size_t row;
		const char *zh;
	} want[] = {
		{3, "存折号"}, {4, "户主姓名"}, {5, "与第 2 行重复"}, {6, "控制字符"},
		{8, "电话号码"}, {9, "姓名(关系)"}, {10, "村民小组不能为空"}, {11, "表头有 6 列"},
	};
	long long hh = count(&w, "SELECT count(*) FROM households");
	long long audit = count(&w, "SELECT count(*) FROM audit_log");
	for (int dry = 0; dry < 2; dry++) {
		CHECK_INT_EQ(run(&w, &operator_, file, sizeof(file) - 1, dry, &ar, &r, &err), CORE_OK);
		CHECK(!r.applied);
		CHECK_INT_EQ(r.rows, 10); /* lines 6 and 7 are one record */
		if (r.nproblems != sizeof(want) / sizeof(want[0])) {
			for (size_t k = 0; k < r.nproblems; k++)
				fprintf(stderr, "  line %zu: %s\n", r.problems[k].row, r.problems[k].zh);
			CHECK_INT_EQ(r.nproblems, sizeof(want) / sizeof(want[0]));
		}
		/* each expected problem is there, on its line (the column-count check runs
		 * while reading, so the list is not in line order) */
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			bool found = false;
			for (size_t j = 0; j < r.nproblems; j++)
				if (r.problems[j].row == want[k].row && strstr(r.problems[j].zh, want[k].zh) &&
				    r.problems[j].en[0])
					found = true;
			if (!found) {
				fprintf(stderr, "no problem on line %zu saying \"%s\"\n", want[k].row,
				        want[k].zh);
				CHECK(0);
			}
		}
	}
	/* all or nothing: the good rows 2 and 12 were not written either */
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), hh);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM villager_groups WHERE name = '三组'"), 0);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log"), audit);
	arena_free(&ar);
	fx_close(&w.db);
}

static void header_problems(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	static const struct {
		const char *file;
		size_t nproblems;
		const char *zh; /* in the first problem */
	} cases[] = {
		{"村民小组,存折号,姓名\n一组,1001,于洪军\n", 2, "“姓名”无法识别"},
		{"村民小组,存折号\n一组,1001\n", 1, "缺少必需的列“户主”"},
		{"村民小组,存折号,户主,存折号\n一组,1001,于洪军,1001\n", 1, "表头“存折号”重复"},
		{"户主\n于洪军\n", 2, "缺少必需的列“村民小组”"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		import_report r;
		core_err err;
		CHECK_INT_EQ(run(&w, &operator_, cases[i].file, strlen(cases[i].file), false, &ar, &r,
		                 &err),
		             CORE_OK);
		CHECK(!r.applied);
		if (r.nproblems != cases[i].nproblems || !strstr(r.problems[0].zh, cases[i].zh)) {
			fprintf(stderr, "header case %zu: %zu problems, first \"%s\"\n", i, r.nproblems,
			        r.nproblems ? r.problems[0].zh : "");
			CHECK(0);
		}
		for (size_t k = 0; k < r.nproblems; k++)
			CHECK_INT_EQ(r.problems[k].row, 1);
	}
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), 1);
	arena_free(&ar);
	fx_close(&w.db);
}

static void whole_file_failures(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	static const struct {
		const char *data;
		size_t len;
		const char *code, *zh;
	} cases[] = {
		{"", 0, "empty_file", "文件是空的"}, /* len 0: strlen */
		{"\xEF\xBB\xBF", 3, "empty_file", "文件是空的"},
		{"\n\n  \n", 5, "empty_file", "文件是空的"},
		{HEADER "一组,1001,\"于洪军,,,\n", 0, "bad_csv", "CSV 格式错误"}, /* quote never closed */
		{"村民小组,存\0折号", 17, "bad_encoding", "编码"},
		{"\x80\x80\xff,1001", 8, "bad_encoding", "编码"},
		{"\xEF\xBB\xBF\xd3\xda", 5, "bad_encoding", "编码"}, /* a BOM, then GB bytes */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		import_report r;
		core_err err;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].data);
		core_status st = run(&w, &operator_, cases[i].data, len, false, &ar, &r, &err);
		if (st != CORE_INVALID || strcmp(err.code, cases[i].code) != 0 ||
		    !strstr(err.zh, cases[i].zh) || r.applied) {
			fprintf(stderr, "file case %zu: status %d code %s zh %s\n", i, st, err.code, err.zh);
			CHECK(0);
		}
	}
	/* too large: refused before reading */
	size_t big = IMPORT_MAX_BYTES + 1;
	char *data = malloc(big);
	CHECK(data != NULL);
	memset(data, 'a', big);
	import_report r;
	core_err err;
	CHECK_INT_EQ(run(&w, &operator_, data, big, false, &ar, &r, &err), CORE_INVALID);
	free(data);
	CHECK_STR_EQ(err.code, "file_too_large");
	CHECK(strstr(err.zh, "8 MB") != NULL);
	/* a header and no rows: nothing to do, nothing refused */
	CHECK_INT_EQ(run(&w, &operator_, HEADER, sizeof(HEADER) - 1, false, &ar, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.rows, 0);
	CHECK_INT_EQ(r.created, 0);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), 1);
	arena_free(&ar);
	fx_close(&w.db);
}

static void problems_are_capped(void)
{
	world w;
	CHECK(build(&w));
	arena ar;
	arena_init(&ar, 0);
	/* 250 rows with a bad passbook number each */
	size_t cap = 64 * 1024;
	char *file = arena_alloc(&ar, cap);
	CHECK(file != NULL);
	size_t len = (size_t)snprintf(file, cap, "%s", HEADER);
	for (int i = 0; i < 250; i++)
		len += (size_t)snprintf(file + len, cap - len, "一组,存折%d,于洪军,,,\n", i);
	import_report r;
	core_err err;
	CHECK_INT_EQ(run(&w, &operator_, file, len, false, &ar, &r, &err), CORE_OK);
	CHECK(!r.applied);
	CHECK_INT_EQ(r.rows, 250);
	CHECK_INT_EQ(r.nproblems, 250);
	CHECK(r.problems != NULL);
	CHECK_INT_EQ(r.problems[0].row, 2);
	CHECK_INT_EQ(r.problems[IMPORT_MAX_PROBLEMS - 1].row, IMPORT_MAX_PROBLEMS + 1);
	arena_free(&ar);
	fx_close(&w.db);
}

static void all_or_nothing_on_database_failure(void)
{
	world w;
	CHECK(build(&w));
	/* the third new household fails inside the transaction */
	char msg[256];
	CHECK_INT_EQ(fx_exec(w.db.path,
	                     "CREATE TRIGGER test_fail BEFORE INSERT ON households"
	                     " WHEN NEW.passbook_no = '6001'"
	                     " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
	                     msg, sizeof(msg)),
	             SQLITE_OK);
	long long hh = count(&w, "SELECT count(*) FROM households");
	long long members = count(&w, "SELECT count(*) FROM members");
	long long groups = count(&w, "SELECT count(*) FROM villager_groups");
	long long audit = count(&w, "SELECT count(*) FROM audit_log");
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	core_status st = run(&w, &operator_, good_file, sizeof(good_file) - 1, false, &ar, &r, &err);
	CHECK(st != CORE_OK);
	CHECK(!r.applied);
	CHECK(strstr(err.zh, "disk on fire") != NULL || strstr(err.en, "disk on fire") != NULL);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM households"), hh);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM members"), members);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM villager_groups"), groups);
	CHECK_INT_EQ(count(&w, "SELECT count(*) FROM audit_log"), audit);
	/* and the store is usable afterwards: no transaction was left open */
	CHECK_INT_EQ(store_begin(w.db.st), STORE_OK);
	store_rollback(w.db.st);
	arena_free(&ar);
	fx_close(&w.db);
}

static void who_may_import(void)
{
	world w;
	CHECK(build(&w));
	store *st = w.db.st;
	int64_t hh = w.h1001;
	const struct {
		const char *username, *role;
		int64_t area, village, household;
		core_status want;
	} cases[] = {
		{"admin", "village_admin", 0, w.village, 0, CORE_OK},
		{"township", "area_admin", w.town, 0, 0, CORE_OK},
		{"county", "area_admin", w.county, 0, 0, CORE_OK},
		{"scorer", "scorer", 0, w.village, 0, CORE_FORBIDDEN},
		{"clerk", "clerk", 0, w.village, 0, CORE_FORBIDDEN},
		{"villager", "villager", 0, w.village, hh, CORE_FORBIDDEN},
		{"admin2", "village_admin", 0, w.other_village, 0, CORE_FORBIDDEN},
	};
	arena ar;
	arena_init(&ar, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t uid = fx_user(st, cases[i].username, cases[i].role, cases[i].area,
		                      cases[i].village, cases[i].household);
		CHECK(uid);
		st_user u;
		CHECK_INT_EQ(store_user_get(st, uid, &ar, &u), STORE_OK);
		actor who = {.user = &u, .ip = "10.0.0.8"};
		char file[256];
		snprintf(file, sizeof(file), HEADER "一组,%zu,于洪军%zu,,,\n", 5000 + i, i);
		import_report r;
		core_err err;
		core_status got = run(&w, &who, file, strlen(file), false, &ar, &r, &err);
		if (got != cases[i].want) {
			fprintf(stderr, "%s: %d (%s), want %d\n", cases[i].username, got, err.code,
			        cases[i].want);
			CHECK(0);
		}
		char sql[160];
		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FROM audit_log WHERE entity = 'household_import' AND user_id = %lld",
		         (long long)uid);
		CHECK_INT_EQ(count(&w, sql), cases[i].want == CORE_OK ? 1 : 0);
		if (cases[i].want == CORE_FORBIDDEN)
			CHECK(!r.applied && r.rows == 0);
	}
	/* no such village */
	import_report r;
	core_err err;
	CHECK_INT_EQ(import_households(st, &operator_, 9999, good_file, sizeof(good_file) - 1, false,
	                               &ar, &r, NULL, NULL, &err),
	             CORE_NOT_FOUND);
	arena_free(&ar);
	fx_close(&w.db);
}

CHECK_MAIN("import", T(good_file_applied), T(reimport_and_update), T(gb18030_file),
           T(english_headers_any_order), T(dry_run_counts), T(problems_with_line_numbers),
           T(header_problems), T(whole_file_failures), T(problems_are_capped),
           T(all_or_nothing_on_database_failure), T(who_may_import))
