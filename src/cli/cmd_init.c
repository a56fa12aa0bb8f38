/*
 * cmd_init.c: `jifen init` — create the database (or bring an existing one to
 * the current schema) and, with --county, the county at the top of the tree.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/org.h"

static void help(FILE *to)
{
	fprintf(to, "usage: jifen init [--db PATH] [--county NAME]\n\n"
	            "Creates the database (env JIFEN_DB; default %s) or migrates an existing one.\n"
	            "--county NAME also creates that county (区县), unless it exists, and prints its id;\n"
	            "then add its admin with: jifen user add --role area_admin --area ID ...\n",
	        CLI_DEFAULT_DB);
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"county", required_argument, 0, 'c'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *db = NULL, *county = NULL;
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		if (c == 'd')
			db = optarg;
		else if (c == 'c')
			county = optarg;
		else if (c == 'h') {
			help(stdout);
			return EXIT_OK;
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	db = cli_setting(db, "JIFEN_DB", CLI_DEFAULT_DB);
	store *st = cli_open_store(db, true);
	if (!st)
		return EXIT_FAIL;
	printf("database %s ready (schema %d)\n", db, store_schema_version(st));
	int rc = EXIT_OK;
	if (county) {
		arena ar;
		arena_init(&ar, 0);
		st_area *areas = NULL;
		size_t n = 0;
		int64_t id = 0;
		if (store_area_list(st, 0, &ar, &areas, &n) == STORE_OK)
			for (size_t i = 0; i < n; i++)
				if (!areas[i].parent_id && strcmp(areas[i].name, county) == 0)
					id = areas[i].id;
		arena_free(&ar);
		core_err err;
		st_area a = {.level = "county", .name = county};
		if (id) {
			printf("county %s exists: area id %lld\n", county, (long long)id);
		} else if (org_area_create(st, &cli_operator, &a, &id, &err) != CORE_OK) {
			cli_print_error(&err);
			rc = EXIT_FAIL;
		} else {
			printf("county %s created: area id %lld\n", county, (long long)id);
		}
	}
	store_close(st);
	return rc;
}
