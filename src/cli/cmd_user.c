/*
 * cmd_user.c: `jifen user add|passwd|disable|list` — managing accounts from
 * the command line as the operator. Secrets are read from the terminal without
 * echo, or from the first line of standard input when it is not a terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/users.h"

static void help(FILE *to)
{
	fprintf(to,
	        "usage: jifen user add --role ROLE --name NAME [--username U] [--phone P]\n"
	        "                      [--area ID | --village ID [--household ID]] [--pin]\n"
	        "       jifen user passwd USER [--pin]\n"
	        "       jifen user disable USER [--enable]\n"
	        "       jifen user list [--village ID] [--role ROLE]\n\n"
	        "ROLE is area_admin, village_admin, scorer, clerk or villager. USER is a user\n"
	        "name or a numeric id. The password (or, with --pin, the 6-digit PIN of a\n"
	        "villager's passbook login) is read from the terminal, or from standard input.\n"
	        "All take --db PATH (env JIFEN_DB; default %s).\n",
	        CLI_DEFAULT_DB);
}

typedef struct {
	const char *db, *role, *name, *username, *phone;
	int64_t area, village, household;
	bool pin, enable;
	int64_t filter_village;
} user_opts;

static int parse(int argc, char **argv, user_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"role", required_argument, 0, 'r'},
		{"name", required_argument, 0, 'n'}, {"username", required_argument, 0, 'u'},
		{"phone", required_argument, 0, 'p'}, {"area", required_argument, 0, 'a'},
		{"village", required_argument, 0, 'v'}, {"household", required_argument, 0, 'H'},
		{"pin", no_argument, 0, 'P'}, {"enable", no_argument, 0, 'e'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	optind = 2; /* argv[0] "user", argv[1] the action */
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		bool ok = true;
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'r': o->role = optarg; break;
		case 'n': o->name = optarg; break;
		case 'u': o->username = optarg; break;
		case 'p': o->phone = optarg; break;
		case 'a': ok = cli_parse_id(optarg, &o->area); break;
		case 'v': ok = cli_parse_id(optarg, &o->village); break;
		case 'H': ok = cli_parse_id(optarg, &o->household); break;
		case 'P': o->pin = true; break;
		case 'e': o->enable = true; break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
		if (!ok) {
			fprintf(stderr, "jifen user: '%s' is not an id\n", optarg);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* Finds a user by id or user name. */
static bool find_user(store *st, const char *key, arena *ar, st_user *out)
{
	int64_t id = 0;
	store_rc rc = cli_parse_id(key, &id) ? store_user_get(st, id, ar, out)
	                                     : store_user_by_username(st, key, ar, out);
	if (rc != STORE_OK)
		fprintf(stderr, "jifen user: no user '%s'\n", key);
	return rc == STORE_OK;
}

static int do_add(store *st, const user_opts *o)
{
	char secret[256];
	if (!o->role || !o->name) {
		fprintf(stderr, "jifen user add: --role and --name are required\n");
		return EXIT_USAGE;
	}
	if (!cli_read_secret(o->pin ? "PIN (6 digits)" : "password", secret, sizeof(secret))) {
		fprintf(stderr, "jifen user add: no %s given\n", o->pin ? "PIN" : "password");
		return EXIT_FAIL;
	}
	user_new u = {.username = o->username, .display_name = o->name, .role = o->role,
	              .phone = o->phone, .area_id = o->area, .village_id = o->village,
	              .household_id = o->household};
	if (o->pin)
		u.pin = secret;
	else
		u.password = secret;
	int64_t id = 0;
	core_err err;
	if (user_create(st, &cli_operator, &u, &id, &err) != CORE_OK) {
		cli_print_error(&err);
		return EXIT_FAIL;
	}
	printf("user %lld created (%s, %s)\n", (long long)id, o->role, o->name);
	return EXIT_OK;
}

static int do_passwd(store *st, const user_opts *o, const char *who)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	char secret[256];
	int rc = EXIT_FAIL;
	core_err err;
	if (!find_user(st, who, &ar, &u))
		goto out;
	if (!cli_read_secret(o->pin ? "new PIN (6 digits)" : "new password", secret, sizeof(secret))) {
		fprintf(stderr, "jifen user passwd: nothing given\n");
		goto out;
	}
	if (user_set_secret(st, &cli_operator, u.id, o->pin, secret, NULL, &err) != CORE_OK) {
		cli_print_error(&err);
		goto out;
	}
	printf("%s of user %lld changed; their sessions have ended\n", o->pin ? "PIN" : "password",
	       (long long)u.id);
	rc = EXIT_OK;
out:
	arena_free(&ar);
	return rc;
}

static int do_disable(store *st, const user_opts *o, const char *who)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	int rc = EXIT_FAIL;
	core_err err;
	if (!find_user(st, who, &ar, &u))
		goto out;
	if (user_set_disabled(st, &cli_operator, u.id, !o->enable, &err) != CORE_OK) {
		cli_print_error(&err);
		goto out;
	}
	printf("user %lld %s\n", (long long)u.id, o->enable ? "enabled" : "disabled");
	rc = EXIT_OK;
out:
	arena_free(&ar);
	return rc;
}

static int do_list(store *st, const user_opts *o)
{
	arena ar;
	arena_init(&ar, 0);
	st_user_filter f = {.village_id = o->village, .role = o->role, .limit = 100000};
	st_user *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	core_err err;
	int rc = EXIT_OK;
	if (user_list(st, &cli_operator, &f, &ar, &list, &n, &total, &err) != CORE_OK) {
		cli_print_error(&err);
		rc = EXIT_FAIL;
	} else {
		printf("%-6s %-16s %-14s %-8s %-8s %-10s %s\n", "id", "username", "role", "area",
		       "village", "household", "name");
		for (size_t i = 0; i < n; i++)
			printf("%-6lld %-16s %-14s %-8lld %-8lld %-10lld %s%s\n", (long long)list[i].id,
			       list[i].username ? list[i].username : "-", list[i].role,
			       (long long)list[i].area_id, (long long)list[i].village_id,
			       (long long)list[i].household_id, list[i].display_name,
			       list[i].disabled ? " (disabled)" : "");
	}
	arena_free(&ar);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *action = argv[1];
	user_opts o = {0};
	int prc = parse(argc, argv, &o);
	if (prc >= 0)
		return prc;
	bool needs_user = strcmp(action, "passwd") == 0 || strcmp(action, "disable") == 0;
	int rest = argc - optind;
	if ((needs_user && rest != 1) || (!needs_user && rest != 0)) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (!needs_user && strcmp(action, "add") != 0 && strcmp(action, "list") != 0) {
		fprintf(stderr, "jifen user: unknown action '%s'\n", action);
		return EXIT_USAGE;
	}
	store *st = cli_open_store(cli_setting(o.db, "JIFEN_DB", CLI_DEFAULT_DB), false);
	if (!st)
		return EXIT_FAIL;
	int rc;
	if (strcmp(action, "add") == 0)
		rc = do_add(st, &o);
	else if (strcmp(action, "list") == 0)
		rc = do_list(st, &o);
	else if (strcmp(action, "passwd") == 0)
		rc = do_passwd(st, &o, argv[optind]);
	else
		rc = do_disable(st, &o, argv[optind]);
	store_close(st);
	return rc;
}
