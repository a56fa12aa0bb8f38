/*
 * import.h: importing a village's household roster from a CSV file as Excel
 * saves it (UTF-8 with or without BOM, or GB18030). One row per household:
 *
 *   村民小组,存折号,户主,住址,电话,家庭成员
 *   一组,GJG-001,于洪军,高箭沟村一组1号,13904105678,"王桂芝(妻子);于浩然(孙子)"
 *
 * (English headers group,passbook_no,head_name,address,phone,members also work.)
 * A passbook number already in the village updates that household; a new one
 * creates it; a new group name creates the group. The import is all or nothing:
 * one bad row and nothing changes. A dry run reports what would change.
 */
#ifndef JF_IMPORT_H
#define JF_IMPORT_H
#include "core/core.h"

#define IMPORT_MAX_BYTES (8u * 1024 * 1024)
#define IMPORT_MAX_ROWS 20000
#define IMPORT_MAX_PROBLEMS 200

typedef struct {
	size_t row; /* 1-based line of the file (the header is line 1) */
	char zh[256], en[256];
} import_problem;

typedef struct {
	const char *encoding;   /* "utf-8" or "gb18030" */
	size_t rows;            /* data rows read */
	size_t created, updated, unchanged;
	size_t groups_created, members_added;
	size_t nproblems;       /* all problems found */
	import_problem *problems; /* the first IMPORT_MAX_PROBLEMS of them, in the arena */
	bool applied;           /* true once committed */
} import_report;

typedef void (*import_progress)(size_t done, size_t total, void *ctx);

/* Reads, checks and (unless dry_run, and only if every row is good) applies
 * the roster in one transaction. Returns CORE_OK with report->applied set, or
 * CORE_OK with problems listed (nothing changed; the caller reports them), or
 * another status for failures that are not about a row (access, encoding,
 * size, database). progress may be NULL. */
core_status import_households(store *st, const actor *who, int64_t village_id, const char *data,
                              size_t len, bool dry_run, arena *ar, import_report *report,
                              import_progress progress, void *pctx, core_err *err);

#endif
