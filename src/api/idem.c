/*
 * idem.c: the Idempotency-Key header for requests that create entries.
 * The same key (per user) with the same request returns the first response and
 * creates nothing new; with a different request it gets 422; while the first is
 * still running, 409. The key is completed inside the transaction that posts
 * the entries, so a crash can never leave entries without their key.
 */
#include "api/api.h"

#include <sodium.h>
#include <string.h>

#include "util/log.h"
#include "util/timeutil.h"

#define IDEM_STALE_S 60            /* a claim older than this is presumed dead */
#define IDEM_KEEP_S (8 * 24 * 3600) /* keys are kept at least 7 days */

static bool key_valid(const char *k)
{
	size_t n = strlen(k);
	if (n < 1 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

/* SHA-256 of method, path and body, in hex. */
static void request_hash(http_req *req, char *out)
{
	crypto_hash_sha256_state s;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)req->method, strlen(req->method) + 1);
	crypto_hash_sha256_update(&s, (const unsigned char *)req->path, strlen(req->path) + 1);
	crypto_hash_sha256_update(&s, (const unsigned char *)req->body, req->body_len);
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

bool api_idem_begin(http_req *req, api_idem *idem, api_rerender rerender)
{
	memset(idem, 0, sizeof(*idem));
	const char *key = http_header(req, "Idempotency-Key");
	if (!key)
		return true;
	if (!key_valid(key)) {
		http_error(req, 400, "bad_idempotency_key",
		           "Idempotency-Key 须为 1 到 128 个字母、数字或 - _ . :",
		           "Idempotency-Key must be 1 to 128 letters, digits or - _ . :");
		return false;
	}
	api_app *app = req->app;
	api_auth *a = req->auth;
	char hash[65];
	request_hash(req, hash);
	int64_t now = time_now();
	st_idem got;
	store_rc rc = store_idem_claim(app->st, a->user.id, key, hash, now, now - IDEM_STALE_S,
	                               &req->ar, &got);
	if (rc != STORE_OK) {
		core_err err;
		core_store_fail(&err, rc, "幂等键", "idempotency key");
		api_fail(req, &err);
		return false;
	}
	switch (got.state) {
	case IDEM_NEW:
		idem->active = true;
		idem->li.user_id = a->user.id;
		idem->li.key = arena_strdup(&req->ar, key);
		idem->li.token = got.token;
		return true;
	case IDEM_MISMATCH:
		http_error(req, 422, "idempotency_key_reused",
		           "这个 Idempotency-Key 已用于另一个不同的请求",
		           "this Idempotency-Key was already used for a different request");
		return false;
	case IDEM_RUNNING:
		http_error(req, 409, "request_in_progress",
		           "相同的请求正在处理中，请稍后再试", "the same request is still being processed; retry shortly");
		return false;
	case IDEM_DONE:
		break;
	}
	req->extra_header_name = "Idempotent-Replayed";
	req->extra_header_value = "true";
	if (got.response) {
		req->status = got.status;
		req->resp_type = "application/json; charset=utf-8";
		req->resp_body = (char *)got.response;
		req->resp_len = strlen(got.response);
	} else if (got.result_ref && rerender) {
		/* the first request committed but died before storing its response */
		rerender(req, got.result_ref);
	} else {
		http_error(req, 409, "request_in_progress", "相同的请求正在处理中，请稍后再试",
		           "the same request is still being processed; retry shortly");
	}
	return false;
}

void api_idem_end(http_req *req, api_idem *idem)
{
	if (!idem->active)
		return;
	api_app *app = req->app;
	if (req->status >= 500) {
		store_idem_release(app->st, idem->li.user_id, idem->li.key, idem->li.token);
		return;
	}
	if (store_idem_set_response(app->st, idem->li.user_id, idem->li.key, idem->li.token,
	                            req->status, req->resp_body ? req->resp_body : "") != STORE_OK)
		log_warn("could not store the response of idempotency key %s: %s", idem->li.key,
		         store_errmsg());
	/* now and then, forget keys older than the retention */
	if (randombytes_uniform(200) == 0)
		store_idem_purge(app->st, time_now() - IDEM_KEEP_S);
}
