/*
 * fuzz_api.c: whole API requests, without a socket: the route table and
 * matcher, authentication (Bearer header, session cookie, CSRF header), query
 * arguments, Idempotency-Key, JSON bodies and raw upload bodies (photos,
 * roster imports) through every handler, on the demo village in a temporary
 * database (fuzz_world.h).
 *
 * Input, like an HTTP request after libmicrohttpd has parsed it:
 *
 *   METHOD /api/v1/path?query\n
 *   Header-Name: value\n        (any number of lines)
 *   \n
 *   body (the rest, raw bytes)
 *
 * In header values $T0..$T5 become the session token and $C0..$C5 the CSRF
 * token of admin, scorer, clerk, county, township and the villager of
 * passbook 1001 (logged in once at start), so inputs can be signed in.
 *
 * This file stands in for src/http/server.c: it defines http_header,
 * http_query and http_cookie over the parsed input (so server.c is not linked)
 * and dispatches as server.c does. A handler that answers 500, or none at all,
 * is a crash: untrusted input must never cause a server error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/demo.h"
#include "fuzz_world.h"
#include "util/timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KV 32
typedef struct {
	const char *name, *value;
} kv;
typedef struct {
	kv hdr[MAX_KV], query[MAX_KV], cookie[MAX_KV];
	size_t nhdr, nquery, ncookie;
} fake_conn;

#define NIDS 6
static const char *const usernames[NIDS] = {"admin", "scorer", "clerk", "county", "township", NULL};
static char tokens[NIDS][TOKEN_CHARS + 1], csrfs[NIDS][TOKEN_CHARS + 1];
static api_app app;

const char *http_header(http_req *req, const char *name)
{
	fake_conn *c = req->conn;
	for (size_t i = 0; i < c->nhdr; i++)
		if (strcasecmp(c->hdr[i].name, name) == 0)
			return c->hdr[i].value;
	return NULL;
}

const char *http_query(http_req *req, const char *name)
{
	fake_conn *c = req->conn;
	for (size_t i = 0; i < c->nquery; i++)
		if (strcmp(c->query[i].name, name) == 0)
			return c->query[i].value;
	return NULL;
}

const char *http_cookie(http_req *req, const char *name)
{
	fake_conn *c = req->conn;
	for (size_t i = 0; i < c->ncookie; i++)
		if (strcmp(c->cookie[i].name, name) == 0)
			return arena_strdup(&req->ar, c->cookie[i].value);
	return NULL;
}

/* Logs identity i in (again); false if that is refused now (the fuzzer may
 * have changed a password or disabled the user). */
static bool login(int i)
{
	auth_login_in in = {0};
	char pb[16];
	if (usernames[i]) {
		in.username = usernames[i];
		in.password = DEMO_PASSWORD;
	} else {
		snprintf(pb, sizeof(pb), "%s", fw.demo.villager_passbook);
		in.village_id = fw.demo.village_id;
		in.passbook_no = pb;
		in.pin = DEMO_PIN;
	}
	arena ar;
	arena_init(&ar, 1u << 20);
	auth_login_out out;
	core_err err;
	int retry = 0;
	bool ok = auth_login(app.st, &app.auth, &in, "127.0.0.1", &ar, &out, &retry, &err) == CORE_OK;
	if (ok) {
		memcpy(tokens[i], out.token, sizeof(tokens[i]));
		memcpy(csrfs[i], out.csrf, sizeof(csrfs[i]));
	}
	arena_free(&ar);
	return ok;
}

/* Logs identity i in again if its session ended (a fuzzed logout). At most a
 * few times per identity: logins are slow (argon2id) on purpose. */
static void keep_session(int i)
{
	static int relogins[NIDS];
	arena ar;
	arena_init(&ar, 1u << 20);
	st_user u;
	st_session s;
	core_err err;
	if (auth_resolve(app.st, &app.auth, tokens[i], &ar, &u, &s, &err) != CORE_OK &&
	    relogins[i] < 20) {
		relogins[i]++;
		login(i);
	}
	arena_free(&ar);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fw_open();
	app.st = fw.st;
	auth_config_defaults(&app.auth);
	app.auth.max_fail_account = 1000000; /* fuzzed logins must not lock the demo users out */
	app.auth.max_fail_ip = 1000000;
	app.openapi_path = FUZZ_SRC_DIR "/docs/api/openapi.yaml";
	app.files_dir = fw.files;
	app.public_url = "http://127.0.0.1:8080";
	app.started_at = time_now();
	for (int i = 0; i < NIDS; i++)
		if (!login(i)) {
			fprintf(stderr, "fuzz_api: cannot log in identity %d\n", i);
			exit(1);
		}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (and '+' as a space when plus) in place, as libmicrohttpd does;
 * a %00 ends the string. */
static void unescape(char *s, bool plus)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			*o++ = plus && *p == '+' ? ' ' : *p;
		}
	}
	*o = '\0';
}

/* Replaces $Tn / $Cn in v by identity n's tokens; the result is in ar. */
static const char *substitute(arena *ar, const char *v)
{
	if (!strchr(v, '$'))
		return v;
	size_t cap = strlen(v) * (TOKEN_CHARS + 1) + 1;
	char *out = arena_alloc(ar, cap);
	if (!out)
		return v;
	size_t o = 0;
	for (const char *p = v; *p; p++) {
		if (p[0] == '$' && (p[1] == 'T' || p[1] == 'C') && p[2] >= '0' && p[2] < '0' + NIDS) {
			int i = p[2] - '0';
			keep_session(i);
			const char *t = p[1] == 'T' ? tokens[i] : csrfs[i];
			memcpy(out + o, t, strlen(t));
			o += strlen(t);
			p += 2;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return out;
}

/* "a=1; b=2" into the cookie list (values may be quoted). */
static void parse_cookies(fake_conn *c, arena *ar, const char *v)
{
	char *s = arena_strdup(ar, v);
	for (char *save = NULL, *part = s ? strtok_r(s, ";", &save) : NULL;
	     part && c->ncookie < MAX_KV; part = strtok_r(NULL, ";", &save)) {
		while (*part == ' ')
			part++;
		char *eq = strchr(part, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *val = eq + 1;
		size_t n = strlen(val);
		if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
			val[n - 1] = '\0';
			val++;
		}
		c->cookie[c->ncookie++] = (kv){part, val};
	}
}

/* "a=1&b=%E4%B8%80" into the query list. */
static void parse_query(fake_conn *c, char *q)
{
	for (char *save = NULL, *part = strtok_r(q, "&", &save); part && c->nquery < MAX_KV;
	     part = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(part, '=');
		char *val = eq ? eq + 1 : part + strlen(part);
		if (eq)
			*eq = '\0';
		unescape(part, true);
		unescape(val, true);
		c->query[c->nquery++] = (kv){part, val};
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the head: everything before the first blank line, as a string */
	const uint8_t *end = data + size;
	const uint8_t *body = NULL;
	for (const uint8_t *p = data; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n') {
			body = p + 2;
			break;
		}
	size_t head_len = body ? (size_t)(body - 2 - data) : size;
	if (memchr(data, '\0', head_len))
		return 0; /* libmicrohttpd refuses NULs in the request line and headers */
	static fake_conn conn;
	memset(&conn, 0, sizeof(conn));
	http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.ar, 64u * 1024 * 1024);
	char *head = arena_strndup(&req.ar, (const char *)data, head_len);
	/* the body: a NUL-terminated copy of exactly its bytes, as server.c hands it */
	size_t body_len = body ? (size_t)(end - body) : 0;
	char *bcopy = malloc(body_len + 1);
	if (!head || !bcopy)
		goto out;
	if (body_len)
		memcpy(bcopy, body, body_len);
	bcopy[body_len] = '\0';

	char *save = NULL;
	char *line = strtok_r(head, "\n", &save);
	char *sp = line ? strchr(line, ' ') : NULL;
	if (!sp || sp == line || sp - line > 16)
		goto out;
	*sp = '\0';
	req.method = line;
	char *target = sp + 1;
	char *q = strchr(target, '?');
	if (q) {
		*q = '\0';
		parse_query(&conn, q + 1);
	}
	unescape(target, false);
	req.path = target;
	if (strncmp(req.path, "/api/", 5) != 0)
		goto out; /* the web UI's files: server.c, not fuzzed here */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && conn.nhdr < MAX_KV) {
		size_t ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[ll - 1] = '\0';
		char *colon = strchr(line, ':');
		if (!colon || colon == line)
			continue;
		*colon = '\0';
		const char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		v = substitute(&req.ar, v);
		conn.hdr[conn.nhdr++] = (kv){line, v};
		if (strcasecmp(line, "Cookie") == 0)
			parse_cookies(&conn, &req.ar, v);
	}
	snprintf(req.ip, sizeof(req.ip), "127.0.0.1");
	req.conn = &conn;
	req.app = &app;

	/* server.c's dispatch, for /api/ paths */
	bool mismatch = false;
	req.route = http_route_match(api_routes, api_route_count, &req, &mismatch);
	if (!req.route)
		goto out; /* 404 or 405 */
	size_t max = req.route->max_body ? req.route->max_body : HTTP_DEFAULT_MAX_BODY;
	if (body_len > max)
		goto out; /* 413 */
	req.body = bcopy;
	req.body_len = body_len;
	if (api_before(&req)) {
		req.route->handler(&req);
		if (req.status == 0 || req.status >= 500) {
			fprintf(stderr, "fuzz_api: %s %s answered %d: %.300s\n", req.method, req.path,
			        req.status, req.resp_body ? req.resp_body : "(no body)");
			abort();
		}
	}
	if (req.status < 200 || req.status >= 600 || (!req.resp_body && !req.file_path))
		abort();
	if (getenv("FUZZ_API_VERBOSE")) /* to see what a corpus reaches: FUZZ_API_VERBOSE=1 */
		fprintf(stderr, "%s %s -> %d %.160s\n", req.method, req.path, req.status,
		        req.resp_body ? req.resp_body : req.file_path);
out:
	free(bcopy);
	arena_free(&req.ar);
	return 0;
}
