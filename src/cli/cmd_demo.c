/*
 * cmd_demo.c: `jifen demo` — create (or find) the demo village and print the
 * demo logins. Creates the database first if there is none.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "core/demo.h"

static void help(FILE *to)
{
	fprintf(to, "usage: jifen demo [--db PATH]\n\n"
	            "Creates the demo: 铁岭县 → 平顶堡镇 → 高箭沟村, 5 villager groups, 222 households,\n"
	            "one login per role, the rule catalogue and a year of points (inspections, tree\n"
	            "planting, fire patrols, claims), published monthly notices, last year closed\n"
	            "with its honours, and the points supermarket with sponsors, goods and past\n"
	            "redemptions — in the database (env JIFEN_DB; default %s), which is created if\n"
	            "missing. Running it again changes nothing and prints the logins.\n",
	        CLI_DEFAULT_DB);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *db = NULL;
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		if (c == 'd')
			db = optarg;
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
	demo_result r;
	core_err err;
	int rc = EXIT_OK;
	if (demo_create(st, &r, &err) != CORE_OK) {
		cli_print_error(&err);
		rc = EXIT_FAIL;
	} else {
		printf("%s 高箭沟村 (village id %lld) in %s\n\n",
		       r.existed ? "demo village already present:" : "demo village created:",
		       (long long)r.village_id, db);
		printf("demo logins (演示账号), password %s:\n", DEMO_PASSWORD);
		printf("  county     区县管理员 (铁岭县)\n");
		printf("  township   乡镇管理员 (平顶堡镇)\n");
		printf("  admin      村管理员 (高箭沟村)\n");
		printf("  scorer     评分员\n");
		printf("  clerk      积分超市管理员\n");
		printf("villager 村民: village %lld, passbook 存折号 %s, PIN %s\n", (long long)r.village_id,
		       r.villager_passbook, DEMO_PIN);
	}
	store_close(st);
	return rc;
}
