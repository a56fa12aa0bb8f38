/*
 * main.c: jifen's entry point. argv[1] names a subcommand from the table in
 * cli/cli.c; each subcommand parses the rest and answers --help itself.
 * Exit codes: 0 ok, 1 failure, 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *to)
{
	fprintf(to, "jifen %s — 积分制乡村治理平台 (village points system)\n\n"
	            "usage: jifen COMMAND [OPTIONS]\n\ncommands:\n", JIFEN_VERSION);
	for (int i = 0; i < cli_command_count; i++)
		fprintf(to, "  %-9s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(to, "\n'jifen COMMAND --help' describes a command's options.\n"
	            "Environment: JIFEN_DB (database file, default %s), JIFEN_LISTEN (default %s);\n"
	            "JIFEN_CLOCK_OFFSET (seconds added to the clock: a testing aid, never in production).\n",
	        CLI_DEFAULT_DB, CLI_DEFAULT_LISTEN);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (int i = 0; i < cli_command_count; i++)
		if (strcmp(argv[1], cli_commands[i].name) == 0)
			return cli_commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "jifen: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
