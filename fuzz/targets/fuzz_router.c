/*
 * fuzz_router.c: the route matcher (src/http/router.c) over jifen's real route
 * table (src/api/routes.c). Input: "METHOD\nPATH". Checks: a match is for the
 * request's method (or GET for HEAD), each {id} is a positive number, a {hash}
 * is 64 lower-case hex digits, and a 405 lists the methods in Allow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char *nl = strchr(s, '\n');
	http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.ar, 1u << 20);
	req.method = nl ? s : "GET";
	req.path = nl ? nl + 1 : s;
	if (nl)
		*nl = '\0';
	bool mismatch = false;
	const http_route *r = http_route_match(api_routes, api_route_count, &req, &mismatch);
	if (r) {
		if (mismatch)
			abort();
		if (strcmp(r->method, req.method) != 0 &&
		    !(strcmp(req.method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
			abort();
		if (req.nparams < 0 || req.nparams > HTTP_MAX_PARAMS)
			abort();
		for (int i = 0; i < req.nparams; i++)
			if (req.params[i] <= 0)
				abort();
		if (req.hash_param && (strlen(req.hash_param) != 64 ||
		                       strspn(req.hash_param, "0123456789abcdef") != 64))
			abort();
	} else if (mismatch && (!req.allow || !req.allow[0])) {
		abort();
	}
	arena_free(&req.ar);
	free(s);
	return 0;
}
