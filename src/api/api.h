/*
 * api.h: the JSON API. Handlers parse the request, call the domain (src/core/)
 * and render its records; they never hold SQL or business rules. This header
 * is what the server and the handler files share.
 */
#ifndef JF_API_H
#define JF_API_H
#include <jansson.h>

#include "core/auth.h"
#include "core/core.h"
#include "http/http.h"

typedef struct {
	store *st;
	auth_config auth;
	bool secure_cookies; /* add Secure to the session cookie (behind HTTPS) */
	const char *openapi_path;
	int64_t started_at;
	const char *files_dir; /* where uploaded photos are stored (serve --files) */
	const char *public_url; /* base of links printed on exports (serve --public-url) */
	int64_t notice_day_seconds; /* one day of a notice window (serve --notice-day-seconds); 0 = 86400 */
} api_app;

/* What authentication found, hung on req->auth. */
typedef struct {
	st_user user;
	st_session sess;
	bool via_cookie;
	actor who;
} api_auth;

extern const http_route api_routes[];
extern const size_t api_route_count;

/* The server's before-handler hook: authentication and CSRF (see auth.c). */
bool api_before(http_req *req);

/* ---- request helpers (request.c) -------------------------------------- */

typedef enum { F_STR, F_INT, F_BOOL, F_ARRAY, F_OBJECT } api_ftype;
typedef struct {
	const char *name;
	api_ftype type;
	bool required;
} api_field;

/* Parses the body as a JSON object whose keys all appear in fields, with the
 * right types and every required one present. NULL (response set: 400 or 422)
 * on failure; else a new reference the caller releases. */
json_t *api_body(http_req *req, const api_field *fields, size_t n);
#define API_BODY(req, fields) api_body(req, fields, sizeof(fields) / sizeof(fields[0]))
/* A string member or NULL; an integer member or 0; a boolean or dflt. */
const char *api_str(json_t *o, const char *key);
int64_t api_int(json_t *o, const char *key);
bool api_bool(json_t *o, const char *key, bool dflt);
/* The actor of the request (the signed-in user and the address). */
const actor *api_actor(http_req *req);
/* Reads ?page=&per_page= (defaults 1 and 50, per_page at most 200). False (response
 * set) if they are not numbers. */
bool api_paging(http_req *req, int64_t *offset, int64_t *limit, int64_t *page);
/* Reads an optional positive integer query argument; false (response set) if malformed. */
bool api_query_id(http_req *req, const char *name, int64_t *out);
/* Sets the error response for a domain failure (403s are logged as denials). */
void api_fail(http_req *req, const core_err *err);
/* Sets {"items":[…],"total":…,"page":…,"per_page":…}. Takes items. */
void api_page_reply(http_req *req, json_t *items, int64_t total, int64_t page, int64_t per_page);

/* ---- idempotency keys (idem.c) ---------------------------------------- */

#include "core/ledger.h"

typedef struct {
	bool active;     /* a key was given and claimed */
	ledger_idem li;  /* pass &li to the domain when active */
} api_idem;

/* Renders the response of a finished request from what it created ("batch:12"). */
typedef void (*api_rerender)(http_req *req, const char *result_ref);
/* Handles the Idempotency-Key header. True: go on (pass idem->active ? &idem->li :
 * NULL to the domain, then call api_idem_end). False: the response is set (the
 * first response replayed, 409 while it runs, 422 for a different request). */
bool api_idem_begin(http_req *req, api_idem *idem, api_rerender rerender);
/* Stores the response for replays (or forgets the key after a server error). */
void api_idem_end(http_req *req, api_idem *idem);
#define API_IDEM(idem) ((idem)->active ? &(idem)->li : NULL)

/* ---- rendering records (render.c) ------------------------------------- */

typedef enum { R_INT, R_ID, R_STR, R_BOOL, R_TIME, R_PHONE_MASKED } api_rtype;
typedef struct {
	const char *name;
	api_rtype type;
	size_t off;
} api_rfield;

/* A JSON object of rec's fields as described by the table. */
json_t *api_render(const void *rec, const api_rfield *f, size_t nf);
/* A JSON array of n records of recsize bytes. */
json_t *api_render_list(const void *arr, size_t n, size_t recsize, const api_rfield *f,
                        size_t nf);
/* API_RENDER(&village, village) renders with api_village_fields. */
#define API_RENDER(rec, kind) api_render(rec, api_##kind##_fields, api_##kind##_nfields)
#define API_RENDER_LIST(arr, n, kind)                                                        \
	api_render_list(arr, n, sizeof(*(arr)), api_##kind##_fields, api_##kind##_nfields)

/* ---- writing JSON without a tree (render.c, util/jsonw.h) --------------- */

#include "util/jsonw.h"

/* The most a response written with jw may grow to. */
#define API_JW_MAX (16u * 1024 * 1024)
/* Writes rec's members as api_render would (no braces); the same bytes. */
void api_render_members(jw *w, const void *rec, const api_rfield *f, size_t nf);
/* Writes rec as the object api_render would make. */
void api_render_obj(jw *w, const void *rec, const api_rfield *f, size_t nf);
#define API_RENDER_JW(w, rec, kind) api_render_obj(w, rec, api_##kind##_fields, api_##kind##_nfields)
/* Sets the finished document as the JSON response (500 if writing it failed). */
void api_reply_jw(http_req *req, int status, jw *w);
/* Writes an entry as api_entry_json renders it, plus "running_balance" when asked. */
void api_entry_write(jw *w, const st_entry *e, bool running_balance);

/* ---- a per-thread cache of rendered reads (readcache.c) ----------------- */

/* If this thread cached a 200 response for (kind, k) under a snapshot equal to
 * snap, sets it on req (copied into the arena) and returns true. kind is the
 * address of the caller's static string. Never call before the access check. */
bool api_rcache_get(http_req *req, const char *kind, const int64_t k[3],
                    const store_snapshot *snap);
/* Keeps a copy of body (len bytes) for (kind, k) under snap (nothing if snap->conn is 0). */
void api_rcache_put(const char *kind, const int64_t k[3], const store_snapshot *snap,
                    const char *body, size_t len);

extern const api_rfield api_area_fields[];
extern const size_t api_area_nfields;
extern const api_rfield api_village_fields[];
extern const size_t api_village_nfields;
extern const api_rfield api_group_fields[];
extern const size_t api_group_nfields;
extern const api_rfield api_household_fields[];        /* phone masked */
extern const size_t api_household_nfields;
extern const api_rfield api_household_full_fields[];   /* phone in full */
extern const size_t api_household_full_nfields;
extern const api_rfield api_member_fields[];
extern const size_t api_member_nfields;
extern const api_rfield api_user_fields[];
extern const size_t api_user_nfields;
extern const api_rfield api_audit_fields[];
extern const size_t api_audit_nfields;
extern const api_rfield api_rule_fields[];
extern const size_t api_rule_nfields;
extern const api_rfield api_entry_fields[];
extern const size_t api_entry_nfields;

/* A rule as JSON: the table plus recorders as an array and the range or nulls. */
json_t *api_rule_json(const st_rule *r);
/* An entry as JSON: the table plus evidence as an array and "late". */
json_t *api_entry_json(const st_entry *e);

/* ---- handlers (one file per resource) --------------------------------- */

void api_health(http_req *req);
void api_openapi(http_req *req);

void api_session_login(http_req *req);
void api_session_get(http_req *req);
void api_session_logout(http_req *req);

void api_areas_list(http_req *req);
void api_areas_create(http_req *req);
void api_area_get(http_req *req);

void api_villages_list(http_req *req);
void api_villages_create(http_req *req);
void api_village_get(http_req *req);
void api_village_update(http_req *req);
void api_groups_list(http_req *req);
void api_groups_create(http_req *req);
void api_group_update(http_req *req);

void api_households_list(http_req *req);
void api_households_create(http_req *req);
void api_household_get(http_req *req);
void api_household_update(http_req *req);
void api_members_create(http_req *req);
void api_member_update(http_req *req);
void api_households_import(http_req *req);

void api_users_list(http_req *req);
void api_users_create(http_req *req);
void api_user_get(http_req *req);
void api_user_update(http_req *req);

void api_audit_list(http_req *req);

void api_rules_list(http_req *req);
void api_rules_create(http_req *req);
void api_rule_get(http_req *req);
void api_rule_update(http_req *req);
void api_rule_retire(http_req *req);
void api_rule_revise(http_req *req);

void api_entries_record(http_req *req);
void api_entries_list(http_req *req);
void api_entry_get(http_req *req);
void api_entry_reverse(http_req *req);
void api_passbook(http_req *req);
void api_chain_head(http_req *req);
/* Renders {"batch_id", "entries", "count", "total_points"} for a batch. */
void api_reply_batch(http_req *req, int status, int64_t batch_id);
void api_rerender_batch(http_req *req, const char *result_ref);

void api_activities_create(http_req *req);
void api_activities_list(http_req *req);
void api_activity_get(http_req *req);
void api_activity_signup(http_req *req);
void api_activity_attendance(http_req *req);
void api_activity_award(http_req *req);

void api_inspections_create(http_req *req);
void api_inspections_list(http_req *req);
void api_inspection_get(http_req *req);
void api_inspection_score(http_req *req);
void api_inspection_close(http_req *req);

void api_photos_upload(http_req *req);
void api_photo_get(http_req *req);

void api_claims_create(http_req *req);
void api_claims_list(http_req *req);
void api_household_claims(http_req *req);
void api_claim_get(http_req *req);
void api_claim_approve(http_req *req);
void api_claim_reject(http_req *req);

void api_sponsors_create(http_req *req);
void api_sponsors_list(http_req *req);
void api_contributions_create(http_req *req);
void api_sponsor_statement(http_req *req);
void api_goods_create(http_req *req);
void api_goods_list(http_req *req);
void api_goods_get(http_req *req);
void api_goods_update(http_req *req);
void api_goods_photo(http_req *req);
void api_goods_stock(http_req *req);
void api_goods_stock_moves(http_req *req);
void api_windows_create(http_req *req);
void api_windows_list(http_req *req);
void api_window_current(http_req *req);
void api_overrides_create(http_req *req);
void api_overrides_list(http_req *req);
void api_redemptions_create(http_req *req);
void api_redemptions_list(http_req *req);
void api_household_redemptions(http_req *req);
void api_redemption_get(http_req *req);
void api_redemption_cancel(http_req *req);
void api_household_qr(http_req *req);
void api_household_by_qr(http_req *req);

void api_notice_export(http_req *req);
void api_ranking_export(http_req *req);
void api_passbook_export(http_req *req);
void api_redemptions_export(http_req *req);
void api_sponsor_export(http_req *req);

void api_notices_publish(http_req *req);
void api_notices_list(http_req *req);
void api_notice_current(http_req *req);
void api_notice_get(http_req *req);
void api_objections_create(http_req *req);
void api_objections_list(http_req *req);
void api_objection_get(http_req *req);
void api_objection_settle(http_req *req);

void api_ranking(http_req *req);
void api_ranking_public(http_req *req);
void api_household_rank(http_req *req);
void api_honour_rules_create(http_req *req);
void api_honour_rules_list(http_req *req);
void api_honour_rule_update(http_req *req);
void api_honours(http_req *req);
void api_honours_public(http_req *req);
void api_year_close(http_req *req);
void api_year_get(http_req *req);
void api_years_list(http_req *req);

void api_area_compare(http_req *req);
void api_village_groups_compare(http_req *req);

#endif
