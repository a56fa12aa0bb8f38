/*
 * http.h: the request as the rest of jifen sees it, without libmicrohttpd.
 * The server (server.c) fills a request, the router (router.c) picks a handler,
 * the handler reads the request and sets a response on it. Everything a request
 * allocates comes from req->ar and dies with the request.
 */
#ifndef JF_HTTP_H
#define JF_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

#define HTTP_MAX_PARAMS 4

typedef struct http_req http_req;
typedef void (*http_handler)(http_req *req);

/* One row of a route table: "GET", "/api/v1/villages/{id}/households", handler. */
typedef struct {
	const char *method;
	const char *pattern;
	http_handler handler;
	size_t max_body; /* 0 = HTTP_DEFAULT_MAX_BODY */
	bool public_;    /* true: no login needed */
} http_route;

#define HTTP_DEFAULT_MAX_BODY (64 * 1024)

struct http_req {
	/* request */
	const char *method;
	const char *path;
	const char *body; /* NUL-terminated; body_len bytes */
	size_t body_len;
	char ip[64];
	arena ar;
	const http_route *route;
	int64_t params[HTTP_MAX_PARAMS]; /* the {id}s of the pattern, in order */
	int nparams;
	const char *hash_param; /* the {hash} of the pattern (64 lower-case hex digits) */
	void *app;  /* the application context (api.h) */
	void *conn; /* the server's connection, for http_header */

	/* response */
	int status;
	char *resp_body; /* arena-owned */
	size_t resp_len;
	const char *resp_type;
	const char *set_cookie; /* one Set-Cookie value, or NULL */
	int retry_after;        /* seconds; 0 = none */
	const char *file_path;  /* serve this file instead of resp_body */
	const char *cache_control;
	const char *content_encoding; /* "gzip" when file_path is a precompressed twin */
	const char *allow;      /* Allow header, for 405 */
	const char *extra_header_name, *extra_header_value; /* one more header, or NULL */

	/* who (set by authentication), for the access log */
	int64_t user_id;
	void *auth; /* the api layer's view of the session */
};

/* A request header (case-insensitive name) or NULL. */
const char *http_header(http_req *req, const char *name);
/* A query-string argument (decoded) or NULL. */
const char *http_query(http_req *req, const char *name);
/* A cookie's value or NULL; copied into the arena. */
const char *http_cookie(http_req *req, const char *name);

/* Finds the route for method and path. Returns the route and fills params;
 * NULL with *method_mismatch true when the path exists under another method
 * (allow then lists the methods, in the arena). */
const http_route *http_route_match(const http_route *routes, size_t n, http_req *req,
                                   bool *method_mismatch);

typedef struct {
	const char *listen;      /* "127.0.0.1:8080" or "[::1]:8080" */
	unsigned threads;        /* worker threads */
	unsigned max_conn_per_ip;
	unsigned idle_timeout_s; /* close idle connections after this */
	size_t max_header_bytes; /* per-connection memory for headers */
	size_t max_body_bytes;   /* absolute cap over any route's max_body */
	const char *web_root;    /* folder of the web UI's built files */
	const http_route *routes;
	size_t nroutes;
	void *app;
	/* called before the route's handler; returns false if it has set the response */
	bool (*before)(http_req *req);
} http_config;

/* Sets a JSON response; takes the reference to body (a jansson json_t *). */
void http_json(http_req *req, int status, void *body);
/* Sets a JSON response already serialised: body (len bytes, NUL-terminated) must be
 * arena-owned; NULL sets the 500 error shape. */
void http_json_text(http_req *req, int status, char *body, size_t len);
/* Sets the one error shape {"error":{"code","message","message_en"}}. */
void http_error(http_req *req, int status, const char *code, const char *msg_zh,
                const char *msg_en);
/* Like http_error, with a printf-formatted Chinese and English message. */
void http_errorf(http_req *req, int status, const char *code, const char *fmt_zh,
                 const char *fmt_en, ...) __attribute__((format(printf, 4, 6)));

typedef struct http_server http_server;

/* Starts listening and serving on worker threads. NULL on failure (logged). */
http_server *http_start(const http_config *cfg);
/* Stops accepting, waits up to grace_ms for in-flight requests, then stops. */
void http_stop(http_server *srv, int grace_ms);
/* The port actually bound (useful when listening on port 0). */
int http_port(http_server *srv);

#endif
