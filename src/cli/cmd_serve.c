/*
 * cmd_serve.c: `jifen serve` — open the database, start the HTTP server, wait
 * for SIGTERM or SIGINT, then answer new requests 503, let in-flight requests finish
 * and close the database cleanly.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/exports.h"
#include "core/scheduler.h"
#include "util/filestore.h"
#include "util/log.h"
#include "util/timeutil.h"

static void help(FILE *to)
{
	fprintf(to,
	        "usage: jifen serve [OPTIONS]\n\n"
	        "Serves the JSON API under /api/v1 and the web UI.\n\n"
	        "  --db PATH                 database file (env JIFEN_DB; default %s)\n"
	        "  --listen HOST:PORT        address (env JIFEN_LISTEN; default %s)\n"
	        "  --threads N               worker threads (default 4)\n"
	        "  --web DIR                 web UI files (env JIFEN_WEB; default web/dist, else web/placeholder)\n"
	        "  --openapi FILE            the API document (env JIFEN_OPENAPI; default docs/api/openapi.yaml)\n"
	        "  --files DIR               uploaded photos (env JIFEN_FILES; default: files next to the database)\n"
	        "  --session-idle SECONDS    idle timeout of a session (default 7200)\n"
	        "  --session-lifetime SECONDS  absolute lifetime of a session (default 604800)\n"
	        "  --login-failures N        failed logins per account before a wait (default 5)\n"
	        "  --login-failures-ip N     failed logins per address before a wait (default 30)\n"
	        "  --login-window SECONDS    window over which failures count (default 900)\n"
	        "  --max-conn-per-ip N       connections per client address (default 256)\n"
	        "  --idle-timeout SECONDS    close idle connections after (default 30)\n"
	        "  --secure-cookies          mark the session cookie Secure (behind HTTPS)\n"
	        "  --confirm-interval SECONDS  how often closed monthly notices are confirmed\n"
	        "                            (default 60; also once at start, catching up after downtime)\n"
	        "  --notice-day-seconds N    length of one \"day\" of a notice window (default 86400);\n"
	        "                            a testing and demo aid only: 2 makes a 1-day window 2 s long\n"
	        "  --public-url URL          this server's address as villagers reach it, printed in the\n"
	        "                            notice's QR code (env JIFEN_PUBLIC_URL; default %s)\n",
	        CLI_DEFAULT_DB, CLI_DEFAULT_LISTEN, EXPORTS_DEFAULT_PUBLIC_URL);
}

static bool parse_num(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static const char *default_web(void)
{
	struct stat sb;
	return stat("web/dist/index.html", &sb) == 0 ? "web/dist" : "web/placeholder";
}

/* The default photo folder: "files" in the database file's folder. */
static void default_files(const char *db, char *out, size_t cap)
{
	const char *slash = strrchr(db, '/');
	if (!slash)
		snprintf(out, cap, "files");
	else if (slash == db)
		snprintf(out, cap, "/files");
	else
		snprintf(out, cap, "%.*s/files", (int)(slash - db), db);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"listen", required_argument, 0, 'l'},
		{"threads", required_argument, 0, 't'}, {"web", required_argument, 0, 'w'},
		{"openapi", required_argument, 0, 'o'}, {"session-idle", required_argument, 0, 'i'},
		{"session-lifetime", required_argument, 0, 'L'},
		{"login-failures", required_argument, 0, 'f'},
		{"login-failures-ip", required_argument, 0, 'F'},
		{"login-window", required_argument, 0, 'W'},
		{"max-conn-per-ip", required_argument, 0, 'c'},
		{"idle-timeout", required_argument, 0, 'T'}, {"secure-cookies", no_argument, 0, 's'},
		{"files", required_argument, 0, 'P'},
		{"confirm-interval", required_argument, 0, 'C'},
		{"notice-day-seconds", required_argument, 0, 'N'},
		{"public-url", required_argument, 0, 'U'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *db = NULL, *listen = NULL, *web = NULL, *openapi = NULL, *files = NULL;
	const char *public_url = NULL;
	char files_default[4096];
	long threads = 4, conn_per_ip = 256, idle_timeout = 30, v = 0;
	long confirm_interval = 60;
	api_app app = {0};
	auth_config_defaults(&app.auth);
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, "h", opts, NULL);
		if (c == -1)
			break;
		bool ok = true;
		switch (c) {
		case 'd': db = optarg; break;
		case 'l': listen = optarg; break;
		case 'w': web = optarg; break;
		case 'o': openapi = optarg; break;
		case 'P': files = optarg; break;
		case 's': app.secure_cookies = true; break;
		case 't': ok = parse_num(optarg, 1, 256, &threads); break;
		case 'c': ok = parse_num(optarg, 1, 100000, &conn_per_ip); break;
		case 'T': ok = parse_num(optarg, 1, 3600, &idle_timeout); break;
		case 'i': ok = parse_num(optarg, 1, 365L * 86400, &v); app.auth.idle_s = v; break;
		case 'L': ok = parse_num(optarg, 1, 365L * 86400, &v); app.auth.lifetime_s = v; break;
		case 'f': ok = parse_num(optarg, 1, 1000000, &v); app.auth.max_fail_account = v; break;
		case 'F': ok = parse_num(optarg, 1, 1000000, &v); app.auth.max_fail_ip = v; break;
		case 'W': ok = parse_num(optarg, 1, 86400, &v); app.auth.fail_window_s = v; break;
		case 'C': ok = parse_num(optarg, 1, 86400, &confirm_interval); break;
		case 'N': ok = parse_num(optarg, 1, 86400, &v); app.notice_day_seconds = v; break;
		case 'U': public_url = optarg; break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
		if (!ok) {
			fprintf(stderr, "jifen serve: bad value '%s' for %s\n", optarg, argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jifen serve: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	db = cli_setting(db, "JIFEN_DB", CLI_DEFAULT_DB);
	listen = cli_setting(listen, "JIFEN_LISTEN", CLI_DEFAULT_LISTEN);
	web = cli_setting(web, "JIFEN_WEB", default_web());
	openapi = cli_setting(openapi, "JIFEN_OPENAPI", "docs/api/openapi.yaml");
	default_files(db, files_default, sizeof(files_default));
	files = cli_setting(files, "JIFEN_FILES", files_default);
	public_url = cli_setting(public_url, "JIFEN_PUBLIC_URL", EXPORTS_DEFAULT_PUBLIC_URL);
	if (!exports_public_url_valid(public_url)) {
		fprintf(stderr, "jifen serve: --public-url must be an http:// or https:// address "
		                "without spaces, at most %d bytes: '%s'\n", EXPORTS_PUBLIC_URL_MAX, public_url);
		return EXIT_USAGE;
	}
	/* a photo folder that is a file is refused before the database opens; the folder
	 * itself is made only once the database has opened (a refused serve leaves nothing) */
	struct stat fsb;
	if (stat(files, &fsb) == 0 && !S_ISDIR(fsb.st_mode)) {
		fprintf(stderr, "jifen serve: cannot use photo folder '%s': %s\n", files,
		        strerror(ENOTDIR));
		return EXIT_FAIL;
	}

	/* the worker threads inherit this mask: only this thread takes the signals */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	app.st = cli_open_store(db, false);
	if (!app.st)
		return EXIT_FAIL;
	if (!filestore_ensure_dir(files)) {
		fprintf(stderr, "jifen serve: cannot use photo folder '%s': %s\n", files, strerror(errno));
		store_close(app.st);
		return EXIT_FAIL;
	}
	app.openapi_path = openapi;
	app.files_dir = files;
	app.public_url = public_url;
	app.started_at = time_now();
	http_config cfg = {
		.listen = listen, .threads = (unsigned)threads, .max_conn_per_ip = (unsigned)conn_per_ip,
		.idle_timeout_s = (unsigned)idle_timeout, .max_header_bytes = 32 * 1024,
		.max_body_bytes = 16 * 1024 * 1024, .web_root = web, .routes = api_routes,
		.nroutes = api_route_count, .app = &app, .before = api_before,
	};
	/* confirms the notices whose window closed while the server was down, before
	 * the first request, then keeps confirming them in the background */
	scheduler *sched = scheduler_start(app.st, (int)confirm_interval);
	http_server *srv = http_start(&cfg);
	if (!srv) {
		scheduler_stop(sched);
		store_close(app.st);
		return EXIT_FAIL;
	}
	log_info("jifen %s serving http://%s (database %s, web %s, photos %s)", JIFEN_VERSION, listen,
	         db, web, files);
	if (time_clock_offset())
		log_warn("JIFEN_CLOCK_OFFSET=%lld: the clock is moved (a testing aid; never in production)",
		         (long long)time_clock_offset());
	int sig = 0;
	sigwait(&sigs, &sig);
	log_info("received signal %d: stopping (finishing requests in flight)", sig);
	http_stop(srv, 10000);
	scheduler_stop(sched);
	store_close(app.st);
	log_info("stopped cleanly");
	return EXIT_OK;
}
