/*
 * Unit tests for src/http/router.c: literal and {id} segments, what an id may
 * look like (a positive decimal, no leading zero, at most 18 digits), the
 * method (HEAD answers as GET; another method gives the Allow list), trailing
 * slashes, and the order of the ids.
 */
#include <stdbool.h>

#include "check.h"
#include "http/http.h"

static void h_health(http_req *r) { (void)r; }
static void h_session_login(http_req *r) { (void)r; }
static void h_session_get(http_req *r) { (void)r; }
static void h_session_logout(http_req *r) { (void)r; }
static void h_village_get(http_req *r) { (void)r; }
static void h_village_update(http_req *r) { (void)r; }
static void h_households_list(http_req *r) { (void)r; }
static void h_households_create(http_req *r) { (void)r; }
static void h_import(http_req *r) { (void)r; }
static void h_member(http_req *r) { (void)r; }
static void h_root(http_req *r) { (void)r; }
static void h_five(http_req *r) { (void)r; }

static const http_route routes[] = {
	{"GET", "/api/v1/health", h_health, 0, true},
	{"POST", "/api/v1/session", h_session_login, 4096, true},
	{"GET", "/api/v1/session", h_session_get, 0, false},
	{"DELETE", "/api/v1/session", h_session_logout, 0, false},
	{"GET", "/api/v1/villages/{id}", h_village_get, 0, false},
	{"PATCH", "/api/v1/villages/{id}", h_village_update, 0, false},
	{"GET", "/api/v1/villages/{id}/households", h_households_list, 0, false},
	{"POST", "/api/v1/villages/{id}/households", h_households_create, 0, false},
	{"POST", "/api/v1/villages/{id}/households/import", h_import, 8 << 20, false},
	{"GET", "/api/v1/villages/{village}/households/{household}/members/{member}", h_member, 0,
	 false},
	{"GET", "/", h_root, 0, true},
	{"GET", "/x/{a}/{b}/{c}/{d}/{e}", h_five, 0, false},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

typedef struct {
	const char *method, *path;
	http_handler want;        /* NULL = no route */
	bool mismatch;            /* expected *method_mismatch */
	const char *allow;        /* expected Allow list when mismatch */
	int nparams;
	int64_t params[HTTP_MAX_PARAMS];
} route_case;

static const route_case cases[] = {
	/* literal paths */
	{"GET", "/api/v1/health", h_health, false, NULL, 0, {0}},
	{"GET", "/", h_root, false, NULL, 0, {0}},
	{"POST", "/api/v1/session", h_session_login, false, NULL, 0, {0}},
	{"GET", "/api/v1/session", h_session_get, false, NULL, 0, {0}},
	{"DELETE", "/api/v1/session", h_session_logout, false, NULL, 0, {0}},
	{"GET", "/api/v1/healthz", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/healt", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/nothing", NULL, false, NULL, 0, {0}},
	{"GET", "api/v1/health", NULL, false, NULL, 0, {0}},
	{"GET", "", NULL, false, NULL, 0, {0}},
	{"get", "/api/v1/health", NULL, true, "GET", 0, {0}}, /* methods are case-sensitive */
	/* ids */
	{"GET", "/api/v1/villages/1", h_village_get, false, NULL, 1, {1}},
	{"GET", "/api/v1/villages/42", h_village_get, false, NULL, 1, {42}},
	{"PATCH", "/api/v1/villages/7", h_village_update, false, NULL, 1, {7}},
	{"GET", "/api/v1/villages/999999999999999999", h_village_get, false, NULL, 1,
	 {INT64_C(999999999999999999)}},
	{"GET", "/api/v1/villages/1000000000000000000", NULL, false, NULL, 0, {0}}, /* 19 digits */
	{"GET", "/api/v1/villages/99999999999999999999999", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/0", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/00", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/01", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/007", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/-1", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/+1", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/1e3", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/0x10", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/1.0", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/%31", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/ 1", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/１", NULL, false, NULL, 0, {0}}, /* full-width digit */
	{"GET", "/api/v1/villages/高箭沟村", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/{id}", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages", NULL, false, NULL, 0, {0}},
	/* trailing slashes and empty segments do not match */
	{"GET", "/api/v1/health/", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/1/", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages/1/households/", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1//health", NULL, false, NULL, 0, {0}},
	{"GET", "//api/v1/health", NULL, false, NULL, 0, {0}},
	{"GET", "/api/v1/villages//households", NULL, false, NULL, 0, {0}},
	/* longer paths */
	{"GET", "/api/v1/villages/3/households", h_households_list, false, NULL, 1, {3}},
	{"POST", "/api/v1/villages/3/households", h_households_create, false, NULL, 1, {3}},
	{"POST", "/api/v1/villages/3/households/import", h_import, false, NULL, 1, {3}},
	{"GET", "/api/v1/villages/3/households/import/x", NULL, false, NULL, 0, {0}},
	/* ids land in order */
	{"GET", "/api/v1/villages/5/households/17/members/230", h_member, false, NULL, 3,
	 {5, 17, 230}},
	{"GET", "/api/v1/villages/5/households/017/members/230", NULL, false, NULL, 0, {0}},
	/* more ids than HTTP_MAX_PARAMS: refused rather than overflowing */
	{"GET", "/x/1/2/3/4/5", NULL, false, NULL, 0, {0}},
	/* HEAD answers as GET */
	{"HEAD", "/api/v1/health", h_health, false, NULL, 0, {0}},
	{"HEAD", "/api/v1/villages/9/households", h_households_list, false, NULL, 1, {9}},
	{"HEAD", "/api/v1/villages/9/households/import", NULL, true, "POST", 0, {0}},
	/* the path exists under other methods: 405 with the Allow list */
	{"PUT", "/api/v1/session", NULL, true, "POST, GET, DELETE", 0, {0}},
	{"POST", "/api/v1/health", NULL, true, "GET", 0, {0}},
	{"DELETE", "/api/v1/villages/2", NULL, true, "GET, PATCH", 0, {0}},
	{"GET", "/api/v1/villages/2/households/import", NULL, true, "POST", 0, {0}},
	{"PATCH", "/api/v1/villages/2/households", NULL, true, "GET, POST", 0, {0}},
	/* a bad id is a missing path, not a wrong method */
	{"DELETE", "/api/v1/villages/0", NULL, false, NULL, 0, {0}},
};

static void table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const route_case *c = &cases[i];
		http_req req;
		memset(&req, 0, sizeof(req));
		arena_init(&req.ar, 0);
		req.method = c->method;
		req.path = c->path;
		req.nparams = -1;
		bool mismatch = !c->mismatch; /* must be overwritten */
		const http_route *r = http_route_match(routes, NROUTES, &req, &mismatch);
		bool ok = (r ? r->handler : NULL) == c->want && mismatch == c->mismatch;
		if (ok && c->want) {
			ok = req.route == NULL && req.nparams == c->nparams && req.allow == NULL;
			for (int k = 0; ok && k < c->nparams; k++)
				ok = req.params[k] == c->params[k];
		}
		if (ok && c->mismatch)
			ok = req.allow && strcmp(req.allow, c->allow) == 0;
		if (ok && !c->mismatch)
			ok = req.allow == NULL;
		if (!ok) {
			fprintf(stderr, "case %zu: %s %s: route %s, mismatch %d, allow \"%s\", nparams %d\n",
			        i, c->method, c->path, r ? r->pattern : "(none)", mismatch,
			        req.allow ? req.allow : "(null)", req.nparams);
			arena_free(&req.ar);
			CHECK(0);
		}
		arena_free(&req.ar);
	}
}

static void first_matching_route_wins(void)
{
	/* two rows with the same method and path: the first one is taken */
	static const http_route dup[] = {
		{"GET", "/a/{id}", h_village_get, 0, false},
		{"GET", "/a/{id}", h_village_update, 0, false},
	};
	http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.ar, 0);
	req.method = "GET";
	req.path = "/a/12";
	bool mismatch = true;
	const http_route *r = http_route_match(dup, 2, &req, &mismatch);
	CHECK(r == &dup[0]);
	CHECK(!mismatch);
	CHECK_INT_EQ(req.params[0], 12);
	arena_free(&req.ar);
}

static void allow_list_is_bounded(void)
{
	/* many methods for one path: the Allow list stays within its buffer */
	static const http_route many[] = {
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/p", h_root, 0, false},
		{"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "/p", h_root, 0, false},
		{"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", "/p", h_root, 0, false},
		{"DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", "/p", h_root, 0, false},
		{"GET", "/p", h_root, 0, false},
	};
	http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.ar, 0);
	req.method = "PUT";
	req.path = "/p";
	bool mismatch = false;
	CHECK(http_route_match(many, 5, &req, &mismatch) == NULL);
	CHECK(mismatch);
	CHECK(req.allow != NULL);
	CHECK(strlen(req.allow) < 128);
	CHECK(strncmp(req.allow, "AAAA", 4) == 0);
	arena_free(&req.ar);
}

static void empty_table(void)
{
	http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.ar, 0);
	req.method = "GET";
	req.path = "/api/v1/health";
	bool mismatch = true;
	CHECK(http_route_match(routes, 0, &req, &mismatch) == NULL);
	CHECK(!mismatch);
	CHECK(req.allow == NULL);
	arena_free(&req.ar);
}

CHECK_MAIN("router", T(table), T(first_matching_route_wins), T(allow_list_is_bounded),
           T(empty_table))
