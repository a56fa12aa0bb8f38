/*
 * server.c: the HTTP server on libmicrohttpd, in epoll mode with a pool of
 * worker threads. It reads each request (bounded body), routes /api/ paths to
 * handlers and everything else to the web UI's files, adds the security headers
 * to every response and writes one access-log line per request.
 *
 * libmicrohttpd calls the access handler several times per request. We never
 * queue a response on the first call (doing so makes it close keep-alive
 * connections), except to refuse a body that is declared too large, a request
 * whose framing is ambiguous (two Content-Length, Content-Length with
 * Transfer-Encoding, no Host), or a request that arrives while the server stops.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#define REQ_ARENA_LIMIT (64u * 1024 * 1024)
/* a chunked body over the limit is read and dropped up to this much more, so that
 * its sender still gets the 413; past it the connection is closed */
#define BODY_DISCARD_MAX (1024u * 1024)

struct http_server {
	struct MHD_Daemon *d;
	http_config cfg;
	atomic_int inflight;
	atomic_bool stopping; /* new requests get 503 while those in flight finish */
	int port;
};

typedef struct {
	http_req req;
	buf body;
	bool counted; /* counted in srv->inflight */
	bool too_large;
	size_t discarded; /* body bytes dropped after too_large */
	bool is_api;
	bool method_mismatch;
	double t0;
} conn_ctx;

static const char csp[] =
	"default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
	"style-src 'self' 'unsafe-inline'; "
	"script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
	"form-action 'self'; frame-ancestors 'none'";

const char *http_header(http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(http_req *req, const char *name)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
	return v ? arena_strdup(&req->ar, v) : NULL;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, cap, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		          (socklen_t)cap);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		          (socklen_t)cap);
}

/* ---- static files ----------------------------------------------------- */

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"},
		{".jpeg", "image/jpeg"}, {".webp", "image/webp"}, {".ico", "image/x-icon"},
		{".json", "application/json; charset=utf-8"}, {".woff2", "font/woff2"},
		{".yaml", "application/yaml; charset=utf-8"}, {".txt", "text/plain; charset=utf-8"},
		{".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Maps a URL path to a file under the web root; SPA paths fall back to index.html. */
static void serve_static(http_server *srv, http_req *req)
{
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		req->allow = "GET, HEAD";
		http_error(req, 405, "method_not_allowed", "不支持该请求方法", "method not allowed");
		return;
	}
	const char *p = req->path;
	if (strstr(p, "..") || strchr(p, '\\') || p[0] != '/' || strlen(p) > 512) {
		http_error(req, 404, "not_found", "页面不存在", "not found");
		return;
	}
	const char *root = srv->cfg.web_root ? srv->cfg.web_root : "web";
	const char *rel = strcmp(p, "/") == 0 ? "/index.html" : p;
	char *full = arena_printf(&req->ar, "%s%s", root, rel);
	struct stat sb;
	if (!full || stat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		const char *last = strrchr(p, '/');
		if (strchr(last, '.')) { /* a missing asset, not an app route */
			http_error(req, 404, "not_found", "文件不存在", "file not found");
			return;
		}
		full = arena_printf(&req->ar, "%s/index.html", root);
		rel = "/index.html";
	}
	req->status = 200;
	req->file_path = full;
	req->resp_type = content_type(full);
	/* the web build writes a .gz twin of each text asset: send it to browsers that take gzip */
	const char *ae = http_header(req, "Accept-Encoding");
	if (ae && strstr(ae, "gzip")) {
		char *gz = arena_printf(&req->ar, "%s.gz", full);
		struct stat gb;
		if (gz && stat(gz, &gb) == 0 && S_ISREG(gb.st_mode)) {
			req->file_path = gz;
			req->content_encoding = "gzip";
		}
	}
	req->cache_control = strncmp(rel, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable"
	                                                        : "no-cache";
}

/* ---- dispatch --------------------------------------------------------- */

static void dispatch(http_server *srv, conn_ctx *cx)
{
	http_req *req = &cx->req;
	if (!cx->is_api) {
		serve_static(srv, req);
		return;
	}
	if (cx->too_large) {
		http_errorf(req, 413, "payload_too_large", "请求内容过大（上限 %zu 字节）",
		            "request body too large (limit %zu bytes)",
		            req->route && req->route->max_body ? req->route->max_body
		                                               : (size_t)HTTP_DEFAULT_MAX_BODY);
		return;
	}
	if (!req->route) {
		if (cx->method_mismatch)
			http_error(req, 405, "method_not_allowed", "该地址不支持此请求方法",
			           "method not allowed on this path");
		else
			http_error(req, 404, "not_found", "接口不存在", "no such API path");
		return;
	}
	req->body = cx->body.data ? cx->body.data : "";
	req->body_len = cx->body.len;
	if (srv->cfg.before && !srv->cfg.before(req))
		return;
	req->route->handler(req);
	if (!req->status)
		http_error(req, 500, "internal", "服务器内部错误", "internal error: no response");
}

static void add_common_headers(struct MHD_Response *r, const http_req *req)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Permissions-Policy", "camera=(self), geolocation=()");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cache-Control", req->cache_control ? req->cache_control : "no-store");
	if (req->resp_type)
		MHD_add_response_header(r, "Content-Type", req->resp_type);
	if (req->content_encoding)
		MHD_add_response_header(r, "Content-Encoding", req->content_encoding);
	if (req->file_path)
		MHD_add_response_header(r, "Vary", "Accept-Encoding");
	if (req->set_cookie)
		MHD_add_response_header(r, "Set-Cookie", req->set_cookie);
	if (req->allow)
		MHD_add_response_header(r, "Allow", req->allow);
	if (req->extra_header_name && req->extra_header_value)
		MHD_add_response_header(r, req->extra_header_name, req->extra_header_value);
	if (req->retry_after > 0) {
		char ra[24];
		snprintf(ra, sizeof(ra), "%d", req->retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
}

static enum MHD_Result send_response(struct MHD_Connection *conn, http_req *req)
{
	struct MHD_Response *r = NULL;
	if (req->file_path) {
		int fd = open(req->file_path, O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd >= 0 && fstat(fd, &sb) == 0) {
			r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
		} else {
			if (fd >= 0)
				close(fd);
			req->file_path = NULL;
			req->content_encoding = NULL;
			http_error(req, 404, "not_found", "文件不存在", "file not found");
		}
	}
	if (!r)
		r = MHD_create_response_from_buffer(req->resp_len, req->resp_body ? req->resp_body : (void *)"",
		                                    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	add_common_headers(r, req);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)req->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- libmicrohttpd callbacks ------------------------------------------ */

static size_t parse_content_length(struct MHD_Connection *conn, bool *present)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	*present = cl != NULL;
	if (!cl)
		return 0;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(cl, &end, 10);
	if (errno || end == cl)
		return (size_t)-1;
	return (size_t)v;
}

/* The framing headers of a request, counted (libmicrohttpd keeps duplicates). */
typedef struct {
	unsigned content_length, transfer_encoding, host;
	bool bad_name;
} header_count;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
	(void)kind;
	(void)value;
	header_count *hc = cls;
	if (!key || !key[0] || strpbrk(key, " \t"))
		hc->bad_name = true;
	else if (strcasecmp(key, "Content-Length") == 0)
		hc->content_length++;
	else if (strcasecmp(key, "Transfer-Encoding") == 0)
		hc->transfer_encoding++;
	else if (strcasecmp(key, "Host") == 0)
		hc->host++;
	return MHD_YES;
}

/* Refuses (400) a request whose length or target is ambiguous, the ground of request
 * smuggling: two Content-Length headers, Content-Length with Transfer-Encoding, a
 * header name with white space, an HTTP/1.1 request without exactly one Host.
 * Returns true when the request was refused. */
static bool refuse_ambiguous(http_req *req, struct MHD_Connection *conn, const char *version)
{
	header_count hc = {0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
	if (hc.bad_name)
		http_error(req, 400, "bad_request", "请求头的名称不合法", "malformed header name");
	else if (hc.content_length > 1)
		http_error(req, 400, "bad_request", "请求头 Content-Length 重复",
		           "more than one Content-Length header");
	else if (hc.content_length && hc.transfer_encoding)
		http_error(req, 400, "bad_request", "请求不能同时带 Content-Length 和 Transfer-Encoding",
		           "Content-Length and Transfer-Encoding together");
	else if (hc.host > 1 || (!hc.host && version && strcmp(version, "HTTP/1.1") == 0))
		http_error(req, 400, "bad_request", "HTTP/1.1 请求须带一个且只带一个 Host 头",
		           "an HTTP/1.1 request needs exactly one Host header");
	return req->status != 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	http_server *srv = cls;
	conn_ctx *cx = *con_cls;
	if (!cx) {
		cx = calloc(1, sizeof(*cx));
		if (!cx)
			return MHD_NO;
		arena_init(&cx->req.ar, REQ_ARENA_LIMIT);
		cx->t0 = time_mono_ms();
		cx->req.method = arena_strdup(&cx->req.ar, method);
		cx->req.path = arena_strdup(&cx->req.ar, url);
		cx->req.conn = conn;
		cx->req.app = srv->cfg.app;
		client_ip(conn, cx->req.ip, sizeof(cx->req.ip));
		*con_cls = cx;
		if (atomic_load(&srv->stopping)) {
			/* answered at once; the connection closes after */
			cx->counted = false;
			http_error(&cx->req, 503, "unavailable", "服务器正在停止，请稍后重试",
			           "the server is stopping; retry shortly");
			return send_response(conn, &cx->req);
		}
		if (refuse_ambiguous(&cx->req, conn, version)) /* the connection closes after */
			return send_response(conn, &cx->req);
		cx->counted = true;
		atomic_fetch_add(&srv->inflight, 1);
		size_t max = srv->cfg.max_body_bytes;
		cx->is_api = strncmp(url, "/api/", 5) == 0;
		if (cx->is_api) {
			cx->req.route = http_route_match(srv->cfg.routes, srv->cfg.nroutes, &cx->req,
			                                 &cx->method_mismatch);
			size_t rmax = cx->req.route && cx->req.route->max_body ? cx->req.route->max_body
			                                                        : HTTP_DEFAULT_MAX_BODY;
			if (rmax < max)
				max = rmax;
		}
		buf_init(&cx->body, max);
		bool present = false;
		size_t cl = parse_content_length(conn, &present);
		if (present && cl > max) {
			/* refuse now, before reading the body; the connection closes after */
			cx->too_large = true;
			dispatch(srv, cx);
			return send_response(conn, &cx->req);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (cx->too_large)
			cx->discarded += *upload_data_size;
		else if (!buf_append(&cx->body, upload_data, *upload_data_size))
			cx->too_large = true;
		*upload_data_size = 0;
		if (cx->discarded > BODY_DISCARD_MAX) {
			/* an endless chunked body: stop reading (no answer can be queued mid-body) */
			cx->req.status = 413;
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (cx->req.status) /* already answered (body refused on the first call) */
		return MHD_YES;
	dispatch(srv, cx);
	return send_response(conn, &cx->req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	http_server *srv = cls;
	conn_ctx *cx = *con_cls;
	if (!cx)
		return;
	double ms = time_mono_ms() - cx->t0;
	log_info("access %s %s %d %.1fms user=%lld ip=%s%s", cx->req.method, cx->req.path,
	         cx->req.status, ms, (long long)cx->req.user_id, cx->req.ip,
	         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	bool counted = cx->counted;
	buf_free(&cx->body);
	arena_free(&cx->req.ar);
	free(cx);
	*con_cls = NULL;
	if (counted)
		atomic_fetch_sub(&srv->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warn("http: %s", line);
}

/* ---- start and stop --------------------------------------------------- */

static bool parse_listen(const char *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	char host[64];
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return false;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return false;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	char *end = NULL;
	long port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return false;
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return true;
	}
	return false;
}

http_server *http_start(const http_config *cfg)
{
	struct sockaddr_storage ss;
	if (!parse_listen(cfg->listen, &ss)) {
		log_error("cannot parse listen address '%s' (want HOST:PORT, e.g. 127.0.0.1:8080)",
		          cfg->listen);
		return NULL;
	}
	http_server *srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->cfg = *cfg;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first, so every message goes through it */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(cfg->threads ? cfg->threads : 4),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->max_conn_per_ip,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_bytes,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_END);
	if (!srv->d) {
		log_error("cannot listen on %s: %s", cfg->listen, strerror(errno));
		free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	return srv;
}

int http_port(http_server *srv)
{
	return srv->port;
}

void http_stop(http_server *srv, int grace_ms)
{
	if (!srv)
		return;
	/* Not MHD_quiesce_daemon: with a pool of epoll workers it races the workers
	 * over the listen socket and can abort the process. New requests are
	 * answered 503 instead, while the ones in flight finish. */
	atomic_store(&srv->stopping, true);
	double until = time_mono_ms() + grace_ms;
	while (atomic_load(&srv->inflight) > 0 && time_mono_ms() < until)
		usleep(10000);
	MHD_stop_daemon(srv->d);
	free(srv);
}
