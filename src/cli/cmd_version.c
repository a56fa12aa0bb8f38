/*
 * cmd_version.c: `jifen version` — the program and schema versions.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: jifen version\n\nPrints the version of jifen and of its database schema.\n");
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "jifen version: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	printf("jifen %s (database schema %d)\n", JIFEN_VERSION, store_schema_latest());
	return EXIT_OK;
}
