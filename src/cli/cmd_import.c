/*
 * cmd_import.c: `jifen import households FILE --village ID [--dry-run]` — the
 * roster import from the command line, with progress on long files.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/import.h"

static void help(FILE *to)
{
	fprintf(to,
	        "usage: jifen import households FILE --village ID [--dry-run] [--db PATH]\n\n"
	        "Imports a household roster CSV (UTF-8 with or without BOM, or GB18030/GBK, as\n"
	        "Excel saves it). Columns: 村民小组,存折号,户主,住址,电话,家庭成员 (or group,\n"
	        "passbook_no,head_name,address,phone,members); members as 王桂芝(妻子);于浩然(孙子).\n"
	        "All or nothing: one bad row and nothing is imported. --dry-run only reports.\n");
}

static void show_progress(size_t done, size_t total, void *ctx)
{
	fprintf(stderr, "\rimporting: %zu / %zu households", done, total);
	if (done == total)
		fprintf(stderr, "\n");
}

/* Reads a whole file into memory, at most max bytes; NULL with a message. */
static char *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "jifen import: cannot open %s: ", path);
		perror(NULL);
		return NULL;
	}
	char *data = malloc(max + 1);
	size_t n = data ? fread(data, 1, max + 1, f) : 0;
	fclose(f);
	if (!data)
		return NULL;
	if (n > max) {
		fprintf(stderr, "jifen import: %s is larger than %zu MB\n", path, max / 1024 / 1024);
		free(data);
		return NULL;
	}
	*len = n;
	return data;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"village", required_argument, 0, 'v'},
		{"dry-run", no_argument, 0, 'n'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *db = NULL, *village = NULL;
	bool dry_run = false;
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		if (c == 'd')
			db = optarg;
		else if (c == 'v')
			village = optarg;
		else if (c == 'n')
			dry_run = true;
		else if (c == 'h') {
			help(stdout);
			return EXIT_OK;
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	int64_t village_id = 0;
	if (optind + 2 != argc || strcmp(argv[optind], "households") != 0 ||
	    !cli_parse_id(village, &village_id)) {
		help(stderr);
		return EXIT_USAGE;
	}
	size_t len = 0;
	char *data = read_file(argv[optind + 1], IMPORT_MAX_BYTES, &len);
	if (!data)
		return EXIT_FAIL;
	store *st = cli_open_store(cli_setting(db, "JIFEN_DB", CLI_DEFAULT_DB), false);
	if (!st) {
		free(data);
		return EXIT_FAIL;
	}
	arena ar;
	arena_init(&ar, 0);
	import_report r;
	core_err err;
	int rc = EXIT_OK;
	if (import_households(st, &cli_operator, village_id, data, len, dry_run, &ar, &r,
	                      show_progress, NULL, &err) != CORE_OK) {
		cli_print_error(&err);
		rc = EXIT_FAIL;
		goto out;
	}
	printf("%s: %zu rows (%s): %zu new, %zu updated, %zu unchanged, %zu new groups, %zu members\n",
	       r.applied ? "imported" : dry_run && !r.nproblems ? "dry run, nothing changed"
	                                                        : "NOT imported",
	       r.rows, r.encoding ? r.encoding : "?", r.created, r.updated, r.unchanged,
	       r.groups_created, r.members_added);
	if (r.nproblems) {
		size_t shown = r.nproblems < IMPORT_MAX_PROBLEMS ? r.nproblems : IMPORT_MAX_PROBLEMS;
		for (size_t i = 0; i < shown; i++)
			fprintf(stderr, "line %zu: %s / %s\n", r.problems[i].row, r.problems[i].zh,
			        r.problems[i].en);
		if (shown < r.nproblems)
			fprintf(stderr, "... and %zu more problems\n", r.nproblems - shown);
		fprintf(stderr, "jifen import: %zu problems; nothing was imported\n", r.nproblems);
		rc = EXIT_FAIL;
	}
out:
	arena_free(&ar);
	store_close(st);
	free(data);
	return rc;
}
