/*
 * cli.c: what the subcommands share (see cli.h) and the table of subcommands.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/password.h"

const actor cli_operator = {.user = NULL, .ip = "cli"};

const cli_command cli_commands[] = {
	{"init", cmd_init, "create a database (and optionally its county)"},
	{"serve", cmd_serve, "run the HTTP server: the JSON API and the web UI"},
	{"demo", cmd_demo, "create the demo village 高箭沟村: 222 households and a year of points"},
	{"user", cmd_user, "add, list, disable users; set passwords"},
	{"import", cmd_import, "import a household roster from CSV (UTF-8 or GB18030)"},
	{"backup", cmd_backup, "copy the live database to a file, consistently"},
	{"verify", cmd_verify, "check every village's hash chain and every balance"},
	{"export", cmd_export, "write the notice, ranking, a passbook, redemptions or a sponsor statement as CSV, Excel or PDF"},
	{"version", cmd_version, "print the version"},
};
const int cli_command_count = (int)(sizeof(cli_commands) / sizeof(cli_commands[0]));

const char *cli_setting(const char *flag, const char *env, const char *dflt)
{
	if (flag)
		return flag;
	const char *e = env ? getenv(env) : NULL;
	return e && *e ? e : dflt;
}

store *cli_open_store(const char *path, bool create)
{
	char err[512];
	store *st = NULL;
	store_rc rc = store_open(path, create, &st, err, sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "jifen: %s\n", err);
		return NULL;
	}
	if (!password_init()) {
		fprintf(stderr, "jifen: cannot initialise libsodium\n");
		store_close(st);
		return NULL;
	}
	return st;
}

static bool read_line(char *out, size_t cap)
{
	if (!fgets(out, (int)cap, stdin))
		return false;
	size_t n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (n == cap - 1)
		return false; /* too long */
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	return true;
}

bool cli_read_secret(const char *prompt, char *out, size_t cap)
{
	if (!isatty(STDIN_FILENO))
		return read_line(out, cap);
	struct termios old, quiet;
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	char again[256];
	fprintf(stderr, "%s: ", prompt);
	tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	bool ok = read_line(out, cap);
	fprintf(stderr, "\n%s (again): ", prompt);
	ok = ok && read_line(again, sizeof(again));
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fprintf(stderr, "\n");
	if (ok && strcmp(out, again) != 0) {
		fprintf(stderr, "jifen: the two entries differ\n");
		ok = false;
	}
	return ok;
}

bool cli_parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return v > 0;
}

void cli_print_error(const core_err *err)
{
	fprintf(stderr, "jifen: %s\n       %s\n", err->zh, err->en);
}
