/*
 * cmd_backup.c: `jifen backup --to FILE` — a consistent copy of the live
 * database, taken with SQLite's online backup while the server keeps running.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static void help(FILE *to)
{
	fprintf(to, "usage: jifen backup --to FILE [--db PATH]\n\n"
	            "Copies the database (env JIFEN_DB; default %s) to FILE while jifen may be\n"
	            "running. FILE must not exist. The copy is checked with PRAGMA integrity_check.\n",
	        CLI_DEFAULT_DB);
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"to", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *db = NULL, *to = NULL;
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		if (c == 'd')
			db = optarg;
		else if (c == 'o')
			to = optarg;
		else if (c == 'h') {
			help(stdout);
			return EXIT_OK;
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (!to || optind < argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	struct stat sb;
	if (stat(to, &sb) == 0) {
		fprintf(stderr, "jifen backup: %s already exists; choose a new file name\n", to);
		return EXIT_FAIL;
	}
	store *st = cli_open_store(cli_setting(db, "JIFEN_DB", CLI_DEFAULT_DB), false);
	if (!st)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	if (store_backup(st, to, NULL) != STORE_OK) {
		fprintf(stderr, "jifen backup: %s\n", store_errmsg());
		rc = EXIT_FAIL;
	}
	store_close(st);
	if (rc != EXIT_OK)
		return rc;
	char check[256] = "";
	if (store_check_file(to, check, sizeof(check)) != STORE_OK || strcmp(check, "ok") != 0) {
		fprintf(stderr, "jifen backup: the copy %s failed its integrity check: %s\n", to, check);
		rc = EXIT_FAIL;
	} else {
		printf("backup written to %s (integrity_check: ok)\n", to);
	}
	return rc;
}
