/*
 * import.c: the household roster import (see import.h). Three passes: decode
 * and parse every row into memory, check every row against the rules and the
 * village as it is, then — only if nothing is wrong and this is not a dry run —
 * write it all in one transaction with one audit row per change.
 */
#include "core/import.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/household.h"
#include "core/org.h"
#include "util/csv.h"
#include "util/textenc.h"
#include "util/timeutil.h"
#include "util/utf8.h"

enum { COL_GROUP, COL_PASSBOOK, COL_HEAD, COL_ADDRESS, COL_PHONE, COL_MEMBERS, COL_COUNT };

static const struct {
	const char *zh, *en, *alt;
	bool required;
} columns[COL_COUNT] = {
	[COL_GROUP] = {"村民小组", "group", "组别", true},
	[COL_PASSBOOK] = {"存折号", "passbook_no", "积分存折号", true},
	[COL_HEAD] = {"户主", "head_name", "户主姓名", true},
	[COL_ADDRESS] = {"住址", "address", "地址", false},
	[COL_PHONE] = {"电话", "phone", "联系电话", false},
	[COL_MEMBERS] = {"家庭成员", "members", "成员", false},
};

typedef struct {
	size_t line;
	const char *f[COL_COUNT];
	household_member_in members[HOUSEHOLD_MAX_MEMBERS];
	size_t nmembers;
	size_t new_members;  /* members not yet in the household (by name) */
	int64_t existing_id; /* 0 = new household */
	int64_t group_id;    /* 0 = group to create */
	bool changed;
} roster_row;

static void problem(import_report *r, arena *ar, size_t line, const char *zh, const char *en)
{
	if (r->nproblems < IMPORT_MAX_PROBLEMS) {
		if (!r->problems)
			r->problems = arena_alloc(ar, IMPORT_MAX_PROBLEMS * sizeof(import_problem));
		if (r->problems) {
			import_problem *p = &r->problems[r->nproblems];
			p->row = line;
			utf8_scrub(zh, p->zh, sizeof(p->zh));
			utf8_scrub(en, p->en, sizeof(p->en));
		}
	}
	r->nproblems++;
}

/* Maps header names to column indexes; reports unknown and missing columns. */
static bool map_header(const csv_row *h, int *map, import_report *r, arena *ar)
{
	bool ok = true;
	bool seen[COL_COUNT] = {false};
	for (size_t i = 0; i < h->n; i++) {
		map[i] = -1;
		for (int c = 0; c < COL_COUNT; c++)
			if (strcmp(h->fields[i], columns[c].zh) == 0 || strcmp(h->fields[i], columns[c].en) == 0 ||
			    strcmp(h->fields[i], columns[c].alt) == 0)
				map[i] = c;
		char zh[256], en[256];
		if (map[i] < 0 && h->fields[i][0] == '\0')
			continue; /* Excel saves trailing empty columns: a blank header is ignored */
		if (map[i] < 0) {
			snprintf(zh, sizeof(zh), "第 %zu 列的表头“%.64s”无法识别", i + 1, h->fields[i]);
			snprintf(en, sizeof(en), "column %zu: unknown header \"%.64s\"", i + 1, h->fields[i]);
			problem(r, ar, 1, zh, en);
			ok = false;
		} else if (seen[map[i]]) {
			snprintf(zh, sizeof(zh), "表头“%.64s”重复", h->fields[i]);
			snprintf(en, sizeof(en), "header \"%.64s\" appears twice", h->fields[i]);
			problem(r, ar, 1, zh, en);
			ok = false;
		} else {
			seen[map[i]] = true;
		}
	}
	for (int c = 0; c < COL_COUNT; c++) {
		if (columns[c].required && !seen[c]) {
			char zh[256], en[256];
			snprintf(zh, sizeof(zh), "缺少必需的列“%s”", columns[c].zh);
			snprintf(en, sizeof(en), "missing required column \"%s\" (%s)", columns[c].zh,
			         columns[c].en);
			problem(r, ar, 1, zh, en);
			ok = false;
		}
	}
	return ok;
}

/* Splits "王桂芝(妻子);于浩然(孙子)" into members; false with a message if malformed. */
static bool parse_members(const char *s, roster_row *row, arena *ar, char *zh, char *en,
                          size_t cap)
{
	row->nmembers = 0;
	char *copy = arena_strdup(ar, s);
	if (!copy)
		return false;
	/* normalise the separators ；、 ; and line breaks into '\n', and （） into () */
	static const struct {
		const char *from, *to;
	} repl[] = {{"；", "\n"}, {"、", "\n"}, {";", "\n"}, {"\r", "\n"}, {"（", "("}, {"）", ")"}};
	for (size_t k = 0; k < sizeof(repl) / sizeof(repl[0]); k++) {
		size_t fl = strlen(repl[k].from), tl = strlen(repl[k].to);
		char *p = strstr(copy, repl[k].from);
		while (p) {
			memcpy(p, repl[k].to, tl);
			memmove(p + tl, p + fl, strlen(p + fl) + 1);
			p = strstr(p + tl, repl[k].from);
		}
	}
	char *save = NULL;
	for (char *item = strtok_r(copy, "\n", &save); item; item = strtok_r(NULL, "\n", &save)) {
		while (*item == ' ')
			item++;
		char *end = item + strlen(item);
		while (end > item && end[-1] == ' ')
			*--end = '\0';
		if (!*item)
			continue;
		char *open = strchr(item, '(');
		char *close = open ? strchr(open, ')') : NULL;
		if (!open || !close || close[1] != '\0' || open == item) {
			snprintf(zh, cap, "家庭成员“%.48s”应写成 姓名(关系)，如 王桂芝(妻子)", item);
			snprintf(en, cap, "member \"%.48s\" must be written name(relation), e.g. 王桂芝(妻子)",
			         item);
			return false;
		}
		if (row->nmembers == HOUSEHOLD_MAX_MEMBERS) {
			snprintf(zh, cap, "家庭成员最多 %d 人", HOUSEHOLD_MAX_MEMBERS);
			snprintf(en, cap, "at most %d members", HOUSEHOLD_MAX_MEMBERS);
			return false;
		}
		char *name_end = open;
		while (name_end > item && name_end[-1] == ' ')
			name_end--;
		*name_end = '\0';
		*close = '\0';
		row->members[row->nmembers].name = item;
		row->members[row->nmembers].relation = open + 1;
		row->nmembers++;
	}
	return true;
}

/* Pass 1: decode and read every row. */
static core_status read_rows(const char *data, size_t len, arena *ar, import_report *r,
                             roster_row **rows_out, size_t *nrows, core_err *err)
{
	textenc_result tr;
	char msg[256];
	textenc_status ts = textenc_to_utf8(data, len, IMPORT_MAX_BYTES, &tr, msg, sizeof(msg));
	if (ts == TEXTENC_TOO_LARGE)
		return core_fail(err, CORE_INVALID, "file_too_large", "文件太大：最大 %u MB",
		                 "file too large: at most %u MB", IMPORT_MAX_BYTES / 1024 / 1024);
	if (ts != TEXTENC_OK)
		return core_fail(err, CORE_INVALID, "bad_encoding",
		                 "文件编码无法识别（应为 UTF-8 或 GB18030/GBK 的 CSV 文件）：%s",
		                 "cannot read the file as UTF-8 or GB18030 CSV: %s", msg);
	r->encoding = tr.encoding;
	char *text = arena_strndup(ar, tr.text, tr.len);
	free(tr.text);
	if (!text)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	csv_reader cr;
	csv_row row;
	csv_init(&cr, text);
	int map[CSV_MAX_FIELDS];
	size_t hdr_n = 0;
	int got = csv_next(&cr, &row, msg, sizeof(msg));
	core_status cs = CORE_OK;
	if (got <= 0) {
		cs = got == 0 ? core_fail(err, CORE_INVALID, "empty_file", "文件是空的",
		                          "the file is empty")
		              : core_fail(err, CORE_INVALID, "bad_csv", "CSV 格式错误：%s",
		                          "malformed CSV: %s", msg);
		goto out;
	}
	hdr_n = row.n;
	if (!map_header(&row, map, r, ar))
		goto out;
	size_t cap = 256, n = 0;
	roster_row *rows = arena_alloc(ar, cap * sizeof(*rows));
	for (;;) {
		got = csv_next(&cr, &row, msg, sizeof(msg));
		if (got == 0)
			break;
		if (got < 0) {
			cs = core_fail(err, CORE_INVALID, "bad_csv", "CSV 格式错误：%s", "malformed CSV: %s",
			               msg);
			goto out;
		}
		if (n == IMPORT_MAX_ROWS) {
			cs = core_fail(err, CORE_INVALID, "too_many_rows", "行数太多：最多 %d 户",
			               "too many rows: at most %d households", IMPORT_MAX_ROWS);
			goto out;
		}
		if (n == cap) {
			roster_row *bigger = arena_alloc(ar, cap * 2 * sizeof(*rows));
			if (!bigger) {
				cs = core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
				goto out;
			}
			memcpy(bigger, rows, cap * sizeof(*rows));
			rows = bigger;
			cap *= 2;
		}
		if (!rows) {
			cs = core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
			goto out;
		}
		roster_row *rr = &rows[n];
		memset(rr, 0, sizeof(*rr));
		rr->line = row.line;
		if (row.n != hdr_n) {
			char zh[256], en[256];
			snprintf(zh, sizeof(zh), "这一行有 %zu 列，表头有 %zu 列", row.n, hdr_n);
			snprintf(en, sizeof(en), "this row has %zu columns, the header %zu", row.n, hdr_n);
			problem(r, ar, row.line, zh, en);
		}
		for (size_t i = 0; i < row.n && i < hdr_n; i++)
			if (map[i] >= 0)
				rr->f[map[i]] = arena_strdup(ar, row.fields[i]);
		n++;
	}
	*rows_out = rows;
	*nrows = n;
	r->rows = n;
out:
	csv_free(&cr);
	return cs;
}

/* Pass 2: check one row against the rules, the file and the village. */
static void check_row(store *st, int64_t village_id, roster_row *rows, size_t i, arena *ar,
                      import_report *r)
{
	roster_row *row = &rows[i];
	char zh[256], en[256];
	if (row->f[COL_MEMBERS] && *row->f[COL_MEMBERS] &&
	    !parse_members(row->f[COL_MEMBERS], row, ar, zh, en, sizeof(zh))) {
		problem(r, ar, row->line, zh, en);
		return;
	}
	st_household h = {.village_id = village_id, .passbook_no = row->f[COL_PASSBOOK],
	                  .head_name = row->f[COL_HEAD], .address = row->f[COL_ADDRESS],
	                  .phone = row->f[COL_PHONE]};
	core_err e;
	if (!row->f[COL_GROUP] || !*row->f[COL_GROUP]) {
		problem(r, ar, row->line, "村民小组不能为空", "group must not be empty");
		return;
	}
	if (household_validate(&h, row->members, row->nmembers, &e) != CORE_OK) {
		problem(r, ar, row->line, e.zh, e.en);
		return;
	}
	for (size_t k = 0; k < i; k++) {
		if (rows[k].f[COL_PASSBOOK] && strcmp(rows[k].f[COL_PASSBOOK], h.passbook_no) == 0) {
			snprintf(zh, sizeof(zh), "存折号 %s 与第 %zu 行重复", h.passbook_no, rows[k].line);
			snprintf(en, sizeof(en), "passbook number %s repeats line %zu", h.passbook_no,
			         rows[k].line);
			problem(r, ar, row->line, zh, en);
			return;
		}
	}
	st_group g;
	if (store_group_find(st, village_id, row->f[COL_GROUP], ar, &g) == STORE_OK)
		row->group_id = g.id;
	row->new_members = row->nmembers;
	st_household old;
	if (store_household_by_passbook(st, village_id, h.passbook_no, ar, &old) == STORE_OK) {
		row->existing_id = old.id;
		/* members already in the household (by name) are not added again */
		st_member *have = NULL;
		size_t nh = 0;
		if (row->nmembers && store_member_list(st, old.id, ar, &have, &nh) == STORE_OK)
			for (size_t m = 0; m < row->nmembers; m++)
				for (size_t k = 0; k < nh; k++)
					if (strcmp(have[k].name, row->members[m].name) == 0) {
						row->new_members--;
						break;
					}
		row->changed = row->group_id != old.group_id || strcmp(old.head_name, h.head_name) != 0 ||
		               strcmp(old.address, h.address ? h.address : "") != 0 ||
		               strcmp(old.phone, h.phone ? h.phone : "") != 0 || row->new_members > 0;
	}
}

/* Pass 3: writes one row inside the open transaction. */
static store_rc apply_row(store *st, const actor *who, int64_t village_id, roster_row *row,
                          arena *ar, import_report *r)
{
	store_rc rc = STORE_OK;
	if (!row->group_id) {
		/* an earlier row may have created it */
		st_group g;
		rc = store_group_find(st, village_id, row->f[COL_GROUP], ar, &g);
		if (rc == STORE_OK) {
			row->group_id = g.id;
		} else if (rc == STORE_NOT_FOUND) {
			st_group ng = {.village_id = village_id, .name = row->f[COL_GROUP], .sort = 100};
			rc = store_group_create(st, &ng, &row->group_id);
			if (rc == STORE_OK)
				rc = core_audit(st, who, village_id, "group", row->group_id, "create",
				                "{\"source\":\"import\"}");
			r->groups_created++;
		}
		if (rc != STORE_OK)
			return rc;
	}
	st_household h = {.village_id = village_id, .group_id = row->group_id,
	                  .passbook_no = row->f[COL_PASSBOOK], .head_name = row->f[COL_HEAD],
	                  .address = row->f[COL_ADDRESS] ? row->f[COL_ADDRESS] : "",
	                  .phone = row->f[COL_PHONE] ? row->f[COL_PHONE] : "", .status = "active",
	                  .created_at = time_now(), .updated_at = time_now()};
	int64_t hid = row->existing_id;
	const char *action = "update";
	size_t skip_members = 0;
	if (hid) {
		if (!row->changed) {
			r->unchanged++;
			return STORE_OK;
		}
		st_household old;
		rc = store_household_get(st, hid, ar, &old);
		if (rc != STORE_OK)
			return rc;
		h.id = hid;
		h.status = old.status;
		rc = store_household_update(st, &h);
		r->updated++;
		/* members already in the household (by name) are not added twice */
		st_member *have = NULL;
		size_t nh = 0;
		if (rc == STORE_OK)
			rc = store_member_list(st, hid, ar, &have, &nh);
		for (size_t m = 0; rc == STORE_OK && m < row->nmembers; m++) {
			bool dup = false;
			for (size_t k = 0; k < nh; k++)
				if (strcmp(have[k].name, row->members[m].name) == 0)
					dup = true;
			if (dup) {
				row->members[m].name = NULL;
				skip_members++;
			}
		}
	} else {
		rc = store_household_create(st, &h, &hid);
		action = "create";
		r->created++;
	}
	for (size_t m = 0; rc == STORE_OK && m < row->nmembers; m++) {
		if (!row->members[m].name)
			continue;
		st_member mem = {.household_id = hid, .name = row->members[m].name,
		                 .relation = row->members[m].relation, .status = "active"};
		rc = store_member_create(st, &mem, NULL);
		r->members_added++;
	}
	if (rc != STORE_OK)
		return rc;
	json_t *j = json_pack("{s:s, s:s, s:s, s:I}", "source", "import", "passbook_no",
	                      h.passbook_no, "head_name", h.head_name, "members_added",
	                      (json_int_t)(row->nmembers - skip_members));
	char *sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	rc = core_audit(st, who, village_id, "household", hid, action, sum);
	free(sum);
	return rc;
}

core_status import_households(store *st, const actor *who, int64_t village_id, const char *data,
                              size_t len, bool dry_run, arena *ar, import_report *report,
                              import_progress progress, void *pctx, core_err *err)
{
	memset(report, 0, sizeof(*report));
	if (access_village(st, who, village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	roster_row *rows = NULL;
	size_t n = 0;
	if (read_rows(data, len, ar, report, &rows, &n, err) != CORE_OK)
		return err->status;
	if (report->nproblems && !rows) /* the header was wrong */
		return CORE_OK;
	for (size_t i = 0; i < n; i++)
		check_row(st, village_id, rows, i, ar, report);
	/* what a dry run reports: the same counts the real run would make */
	if (report->nproblems || dry_run) {
		for (size_t i = 0; i < n; i++) {
			if (!rows[i].existing_id)
				report->created++;
			else if (rows[i].changed)
				report->updated++;
			else
				report->unchanged++;
			report->members_added += rows[i].new_members;
		}
		for (size_t i = 0; i < n; i++) {
			bool first = !rows[i].group_id && rows[i].f[COL_GROUP];
			for (size_t k = 0; first && k < i; k++)
				if (!rows[k].group_id && rows[k].f[COL_GROUP] &&
				    strcmp(rows[k].f[COL_GROUP], rows[i].f[COL_GROUP]) == 0)
					first = false;
			if (first)
				report->groups_created++;
		}
		return CORE_OK;
	}
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	store_rc rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < n; i++) {
		rc = apply_row(st, who, village_id, &rows[i], ar, report);
		if (progress && (i % 50 == 0 || i + 1 == n))
			progress(i + 1, n, pctx);
	}
	if (rc != STORE_OK) {
		store_rollback(st);
		if (rc == STORE_CONFLICT)
			return core_fail(err, CORE_CONFLICT, "conflict",
			                 "导入时存折号冲突（可能有人同时在修改），请重试",
			                 "a passbook number conflict during the import (a concurrent change?); retry");
		return core_store_fail(err, rc, "导入", "import");
	}
	char sum[256];
	snprintf(sum, sizeof(sum),
	         "{\"rows\":%zu,\"created\":%zu,\"updated\":%zu,\"unchanged\":%zu,\"encoding\":\"%s\"}",
	         report->rows, report->created, report->updated, report->unchanged, report->encoding);
	if (org_finish(st, who, village_id, "household_import", 0, "import", sum, err) != CORE_OK)
		return err->status;
	report->applied = true;
	return CORE_OK;
}
