/*
 * cmd_export.c: `jifen export KIND …` — the same files as the API's export
 * routes (CSV, Excel, PDF), written from the command line as the operator:
 * the monthly notice, the ranking, a household's passbook, the shop's
 * redemptions and a sponsor's statement. Exit 0 with the file written, 1 when
 * the domain refuses (no such notice, …) or the file cannot be written, 2 on
 * a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/exports.h"
#include "util/timeutil.h"

static void help(FILE *to)
{
	fprintf(to,
	        "usage: jifen export KIND [OPTIONS] --out FILE\n\n"
	        "Writes a CSV, Excel (.xlsx) or PDF file of the village's records.\n\n"
	        "  jifen export notice      --village ID --month YYYY-MM   the monthly notice (公示)\n"
	        "  jifen export ranking     --village ID [--period P] [--group ID]\n"
	        "                           the ranking (P: YYYY, YYYY-Qn or YYYY-MM; default this year)\n"
	        "  jifen export passbook    --household ID                 a household's passbook (存折)\n"
	        "  jifen export redemptions --village ID [--from DATE] [--to DATE]\n"
	        "                           the shop's redemptions made from .. to (YYYY-MM-DD, both included)\n"
	        "  jifen export sponsor     --sponsor ID                   a sponsor's statement\n\n"
	        "  --format csv|xlsx|pdf   the file's format (default: from FILE's extension)\n"
	        "  --out FILE              where to write it ('-' for standard output)\n"
	        "  --db PATH               database file (env JIFEN_DB; default %s)\n"
	        "  --public-url URL        base of the link in the notice's QR code\n"
	        "                          (env JIFEN_PUBLIC_URL; default %s)\n",
	        CLI_DEFAULT_DB, EXPORTS_DEFAULT_PUBLIC_URL);
}

typedef struct {
	const char *kind, *db, *out, *format, *month, *period, *from, *to, *public_url;
	int64_t village, household, sponsor, group;
} export_args;

/* The format from --format, else from the file's extension. */
static bool pick_format(const export_args *a, export_format *f)
{
	if (a->format)
		return export_format_parse(a->format, f);
	const char *dot = strrchr(a->out, '.');
	return dot && export_format_parse(dot + 1, f);
}

static bool write_all(const char *path, const char *data, size_t len)
{
	bool to_stdout = strcmp(path, "-") == 0;
	int fd = to_stdout ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "jifen export: cannot write '%s': %s\n", path, strerror(errno));
		return false;
	}
	size_t done = 0;
	bool ok = true;
	while (ok && done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ok = false;
		else
			done += (size_t)n;
	}
	if (!to_stdout && close(fd) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "jifen export: cannot write '%s': %s\n", path, strerror(errno));
	return ok;
}

/* Checks that the kind got the ids it needs. */
static bool args_complete(const export_args *a)
{
	const char *k = a->kind;
	if (strcmp(k, "notice") == 0)
		return a->village && a->month;
	if (strcmp(k, "ranking") == 0 || strcmp(k, "redemptions") == 0)
		return a->village != 0;
	if (strcmp(k, "passbook") == 0)
		return a->household != 0;
	if (strcmp(k, "sponsor") == 0)
		return a->sponsor != 0;
	return false;
}

static core_status run_export(store *st, const export_args *a, const exports_opts *o, arena *ar,
                              exports_file *f, core_err *err)
{
	const actor *who = &cli_operator;
	const char *k = a->kind;
	if (strcmp(k, "notice") == 0)
		return exports_notice_month(st, who, a->village, a->month, o, ar, f, err);
	if (strcmp(k, "ranking") == 0) {
		char period[8];
		if (!a->period) {
			char today[11];
			time_today_cn(today);
			snprintf(period, sizeof(period), "%.4s", today);
		}
		return exports_ranking(st, who, a->village, a->period ? a->period : period, a->group, o,
		                       ar, f, err);
	}
	if (strcmp(k, "passbook") == 0)
		return exports_passbook(st, who, a->household, o, ar, f, err);
	if (strcmp(k, "redemptions") == 0)
		return exports_redemptions(st, who, a->village, a->from, a->to, o, ar, f, err);
	return exports_sponsor(st, who, a->sponsor, o, ar, f, err);
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},      {"out", required_argument, 0, 'o'},
		{"format", required_argument, 0, 'f'},  {"village", required_argument, 0, 'v'},
		{"household", required_argument, 0, 'H'}, {"sponsor", required_argument, 0, 's'},
		{"group", required_argument, 0, 'g'},   {"month", required_argument, 0, 'm'},
		{"period", required_argument, 0, 'p'},  {"from", required_argument, 0, 'F'},
		{"to", required_argument, 0, 'T'},      {"public-url", required_argument, 0, 'u'},
		{"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
	};
	export_args a = {0};
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help(stdout);
		return EXIT_OK;
	}
	if (argc < 2 || argv[1][0] == '-') {
		help(stderr);
		return EXIT_USAGE;
	}
	a.kind = argv[1];
	optind = 2;
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		bool ok = true;
		switch (c) {
		case 'd': a.db = optarg; break;
		case 'o': a.out = optarg; break;
		case 'f': a.format = optarg; break;
		case 'm': a.month = optarg; break;
		case 'p': a.period = optarg; break;
		case 'F': a.from = optarg; break;
		case 'T': a.to = optarg; break;
		case 'u': a.public_url = optarg; break;
		case 'v': ok = cli_parse_id(optarg, &a.village); break;
		case 'H': ok = cli_parse_id(optarg, &a.household); break;
		case 's': ok = cli_parse_id(optarg, &a.sponsor); break;
		case 'g': ok = cli_parse_id(optarg, &a.group); break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
		if (!ok) {
			fprintf(stderr, "jifen export: '%s' is not an id (%s)\n", optarg, argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jifen export: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	static const char *const kinds[] = {"notice", "ranking", "passbook", "redemptions", "sponsor"};
	bool known = false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		known = known || strcmp(a.kind, kinds[i]) == 0;
	if (!known) {
		fprintf(stderr, "jifen export: unknown kind '%s' (notice, ranking, passbook, redemptions, sponsor)\n",
		        a.kind);
		return EXIT_USAGE;
	}
	if (!a.out || !args_complete(&a)) {
		fprintf(stderr, "jifen export %s: missing --out or the record to export (see --help)\n", a.kind);
		return EXIT_USAGE;
	}
	exports_opts o = {.public_url = cli_setting(a.public_url, "JIFEN_PUBLIC_URL",
	                                            EXPORTS_DEFAULT_PUBLIC_URL)};
	if (!pick_format(&a, &o.format)) {
		fprintf(stderr, "jifen export: give --format csv, xlsx or pdf (or an --out FILE ending so)\n");
		return EXIT_USAGE;
	}
	if (!exports_public_url_valid(o.public_url)) {
		fprintf(stderr, "jifen export: --public-url must be an http:// or https:// address\n");
		return EXIT_USAGE;
	}
	store *st = cli_open_store(cli_setting(a.db, "JIFEN_DB", CLI_DEFAULT_DB), false);
	if (!st)
		return EXIT_FAIL;
	arena ar;
	arena_init(&ar, 256u * 1024 * 1024);
	exports_file f;
	core_err err;
	int rc = EXIT_OK;
	if (run_export(st, &a, &o, &ar, &f, &err) != CORE_OK) {
		cli_print_error(&err);
		rc = EXIT_FAIL;
	} else if (!write_all(a.out, f.data, f.len)) {
		rc = EXIT_FAIL;
	} else if (strcmp(a.out, "-") != 0) {
		fprintf(stderr, "jifen export: wrote %s (%zu bytes)\n", a.out, f.len);
	}
	arena_free(&ar);
	store_close(st);
	return rc;
}
