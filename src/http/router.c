/*
 * router.c: matches a method and path against a route table. Patterns are
 * literal segments and {name} segments; a {name} segment must be a positive
 * decimal id and lands in req->params in order, except {hash}, which must be 64
 * lower-case hex digits and lands in req->hash_param. No regular expressions.
 */
#include "http/http.h"

#include <string.h>

/* Matches one pattern; fills params on success. */
static bool match_pattern(const char *pat, const char *path, int64_t *params, int *nparams,
                          const char **hash)
{
	int np = 0;
	*hash = NULL;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pe = strchr(pat, '/');
		const char *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl == 6 && strncmp(pat, "{hash}", 6) == 0) {
			if (sl != 64)
				return false;
			for (size_t i = 0; i < sl; i++)
				if (!((path[i] >= '0' && path[i] <= '9') || (path[i] >= 'a' && path[i] <= 'f')))
					return false;
			*hash = path;
		} else if (pl > 1 && pat[0] == '{' && pat[pl - 1] == '}') {
			if (sl == 0 || sl > 18 || np == HTTP_MAX_PARAMS || path[0] == '0')
				return false;
			int64_t v = 0;
			for (size_t i = 0; i < sl; i++) {
				if (path[i] < '0' || path[i] > '9')
					return false;
				v = v * 10 + (path[i] - '0');
			}
			params[np++] = v;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return false;
		}
		pat += pl;
		path += sl;
	}
	if (*pat || *path)
		return false;
	*nparams = np;
	return true;
}

const http_route *http_route_match(const http_route *routes, size_t n, http_req *req,
                                   bool *method_mismatch)
{
	*method_mismatch = false;
	char allow[128] = "";
	for (size_t i = 0; i < n; i++) {
		int64_t params[HTTP_MAX_PARAMS];
		int np = 0;
		const char *hash = NULL;
		if (!match_pattern(routes[i].pattern, req->path, params, &np, &hash))
			continue;
		if (strcmp(routes[i].method, req->method) == 0 ||
		    (strcmp(req->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			memcpy(req->params, params, sizeof(params));
			req->nparams = np;
			req->hash_param = hash ? arena_strndup(&req->ar, hash, 64) : NULL;
			*method_mismatch = false; /* an earlier row may have matched the path only */
			return &routes[i];
		}
		*method_mismatch = true;
		if (strlen(allow) + strlen(routes[i].method) + 3 < sizeof(allow)) {
			if (allow[0])
				strcat(allow, ", ");
			strcat(allow, routes[i].method);
		}
	}
	if (*method_mismatch)
		req->allow = arena_strdup(&req->ar, allow);
	return NULL;
}
