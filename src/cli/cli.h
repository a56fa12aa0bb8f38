/*
 * cli.h: the subcommands of jifen and what they share: exit codes, where the
 * database is (flag, then JIFEN_DB, then the default), reading secrets, and the
 * operator actor (the command line may do everything).
 */
#ifndef JF_CLI_H
#define JF_CLI_H
#include <stdbool.h>

#include "core/core.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define CLI_DEFAULT_DB "jifen.db"
#define CLI_DEFAULT_LISTEN "127.0.0.1:8080"

typedef struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cli_command;

extern const cli_command cli_commands[];
extern const int cli_command_count;

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* flag value if given, else the environment variable, else dflt. */
const char *cli_setting(const char *flag, const char *env, const char *dflt);
/* Opens the store at path (create: also create it). NULL with a message on stderr. */
store *cli_open_store(const char *path, bool create);
/* Reads a secret: prompts twice without echo on a terminal, else reads one line
 * of standard input. Returns false on mismatch, EOF or too long. */
bool cli_read_secret(const char *prompt, char *out, size_t cap);
/* Parses a positive id; false if s is not one. */
bool cli_parse_id(const char *s, int64_t *out);
/* Prints a domain error in both languages to stderr. */
void cli_print_error(const core_err *err);
/* The operator: no user, address "cli". */
extern const actor cli_operator;

#endif
