/*
 * entries.c: the ledger over HTTP: recording points for one or many households
 * (POST /api/v1/villages/{id}/entries), reading and reversing entries, the
 * household's passbook and the village's chain head.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/ledger.h"
#include "util/timeutil.h"

json_t *api_entry_json(const st_entry *e)
{
	json_t *j = API_RENDER(e, entry);
	json_t *ev = e->evidence ? json_loads(e->evidence, 0, NULL) : NULL;
	json_object_set_new(j, "evidence", json_is_array(ev) ? ev : json_array());
	if (ev && !json_is_array(ev))
		json_decref(ev);
	bool late = e->deed_date && e->month && strncmp(e->deed_date, e->month, 7) != 0;
	json_object_set_new(j, "late", json_boolean(late));
	json_object_set_new(j, "confirmed", json_boolean(e->confirmed));
	return j;
}

void api_entry_write(jw *w, const st_entry *e, bool running_balance)
{
	jw_obj_open(w);
	api_render_members(w, e, api_entry_fields, api_entry_nfields);
	jw_key(w, "evidence");
	/* stored as JSON text; anything but "[]" goes through jansson, as api_entry_json */
	if (!e->evidence || strcmp(e->evidence, "[]") == 0) {
		jw_json(w, "[]", 2);
	} else {
		json_t *ev = json_loads(e->evidence, 0, NULL);
		char *s = json_is_array(ev) ? json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(15))
		                            : NULL;
		if (s)
			jw_json(w, s, strlen(s));
		else if (json_is_array(ev))
			w->failed = true;
		else
			jw_json(w, "[]", 2);
		free(s);
		json_decref(ev);
	}
	bool late = e->deed_date && e->month && strncmp(e->deed_date, e->month, 7) != 0;
	jw_key(w, "late");
	jw_bool(w, late);
	jw_key(w, "confirmed");
	jw_bool(w, e->confirmed);
	if (running_balance) {
		jw_key(w, "running_balance");
		jw_int(w, e->running_balance);
	}
	jw_obj_close(w);
}

/* The array of entries as api_entry_json renders each. */
static void entries_write(jw *w, const st_entry *list, size_t n)
{
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		api_entry_write(w, &list[i], false);
	jw_arr_close(w);
}

void api_reply_batch(http_req *req, int status, int64_t batch_id)
{
	api_app *app = req->app;
	st_entry_filter f = {.batch_id = batch_id, .limit = LEDGER_MAX_TARGETS + 1};
	st_entry *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	store_rc rc = store_entry_list(app->st, &f, &req->ar, &list, &n, &total);
	if (rc != STORE_OK) {
		core_err err;
		core_store_fail(&err, rc, "账本记录", "entries");
		api_fail(req, &err);
		return;
	}
	int64_t points = 0;
	for (size_t i = 0; i < n; i++)
		points += list[i].points;
	jw w;
	jw_init(&w, &req->ar, 256 + n * 1536, API_JW_MAX);
	jw_obj_open(&w);
	jw_key(&w, "batch_id");
	jw_int(&w, batch_id);
	jw_key(&w, "count");
	jw_int(&w, (int64_t)n);
	jw_key(&w, "total_points");
	jw_int(&w, points);
	jw_key(&w, "entries");
	entries_write(&w, list, n);
	jw_obj_close(&w);
	api_reply_jw(req, status, &w);
}

void api_rerender_batch(http_req *req, const char *result_ref)
{
	long long id = 0;
	if (sscanf(result_ref, "batch:%lld", &id) == 1)
		api_reply_batch(req, 201, id);
	else
		http_error(req, 500, "internal", "无法重放之前的响应", "cannot replay the first response");
}

/* Reads "households" ([{household_id, member_id?}]) or "household_ids" ([id]). */
static bool read_targets(http_req *req, json_t *body, ledger_record_in *in)
{
	json_t *hh = json_object_get(body, "households");
	json_t *ids = json_object_get(body, "household_ids");
	if (hh && ids) {
		http_error(req, 422, "targets_conflict", "households 和 household_ids 只能给一个",
		           "give households or household_ids, not both");
		return false;
	}
	json_t *arr = hh ? hh : ids;
	size_t n = json_array_size(arr);
	if (n > LEDGER_MAX_TARGETS) {
		http_errorf(req, 422, "too_many_households", "一次最多记录 %d 户",
		            "at most %d households at once", LEDGER_MAX_TARGETS);
		return false;
	}
	ledger_target *t = arena_alloc(&req->ar, (n ? n : 1) * sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		if (ids) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				goto bad;
			t[i].household_id = json_integer_value(v);
			continue;
		}
		json_t *h = json_object_get(v, "household_id"), *m = json_object_get(v, "member_id");
		if (!json_is_object(v) || !json_is_integer(h) || json_integer_value(h) <= 0 ||
		    (m && !json_is_null(m) && (!json_is_integer(m) || json_integer_value(m) <= 0)) ||
		    json_object_size(v) > 2 || (json_object_size(v) == 2 && !m))
			goto bad;
		t[i].household_id = json_integer_value(h);
		t[i].member_id = json_is_integer(m) ? json_integer_value(m) : 0;
	}
	in->targets = t;
	in->ntargets = n;
	return true;
bad:
	http_error(req, 422, "invalid_households",
	           "households 须为 [{\"household_id\": 户编号, \"member_id\": 成员编号（可选）}]，"
	           "household_ids 须为户编号列表",
	           "households must be [{\"household_id\": id, \"member_id\": optional id}]; "
	           "household_ids a list of ids");
	return false;
}

/* Reads "evidence" (photo hashes). */
static bool read_evidence(http_req *req, json_t *body, ledger_record_in *in)
{
	json_t *ev = json_object_get(body, "evidence");
	size_t n = json_array_size(ev);
	if (n > LEDGER_MAX_EVIDENCE) {
		http_errorf(req, 422, "too_many_photos", "照片最多 %d 张", "at most %d photos",
		            LEDGER_MAX_EVIDENCE);
		return false;
	}
	const char **list = arena_alloc(&req->ar, (n ? n : 1) * sizeof(*list));
	for (size_t i = 0; i < n; i++) {
		const char *h = json_string_value(json_array_get(ev, i));
		if (!h || strlen(h) != 64) {
			http_error(req, 422, "invalid_photo", "evidence 须为照片编号（64 位十六进制）列表",
			           "evidence must be a list of photo hashes (64 hex digits)");
			return false;
		}
		list[i] = h;
	}
	in->evidence = list;
	in->nevidence = n;
	return true;
}

void api_entries_record(http_req *req)
{
	static const api_field fields[] = {
		{"rule_id", F_INT, true}, {"households", F_ARRAY, false},
		{"household_ids", F_ARRAY, false}, {"group_id", F_INT, false},
		{"points", F_INT, false}, {"quantity", F_INT, false}, {"deed_date", F_STR, true},
		{"note", F_STR, false}, {"evidence", F_ARRAY, false},
	};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, api_rerender_batch))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	ledger_record_in in = {
		.village_id = req->params[0], .rule_id = api_int(body, "rule_id"),
		.group_id = api_int(body, "group_id"),
		.has_points = json_is_integer(json_object_get(body, "points")),
		.points = api_int(body, "points"), .quantity = api_int(body, "quantity"),
		.deed_date = api_str(body, "deed_date"), .note = api_str(body, "note"),
	};
	if (json_is_integer(json_object_get(body, "quantity")) && in.quantity <= 0) {
		http_errorf(req, 422, "invalid_quantity", "数量（quantity）须在 1 到 %d 之间",
		            "quantity must be between 1 and %d", LEDGER_MAX_QUANTITY);
	} else if (read_targets(req, body, &in) && read_evidence(req, body, &in)) {
		int64_t batch = 0;
		core_err err;
		if (ledger_record(app->st, api_actor(req), &in, API_IDEM(&idem), &batch, &err) != CORE_OK)
			api_fail(req, &err);
		else
			api_reply_batch(req, 201, batch);
	}
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

/* True if s is a real month written YYYY-MM (the notice months entries carry). */
static bool month_valid(const char *s)
{
	char date[16];
	if (strlen(s) != 7)
		return false;
	snprintf(date, sizeof(date), "%s-01", s);
	return time_valid_date(date);
}

void api_entries_list(http_req *req)
{
	api_app *app = req->app;
	core_err err;
	if (access_village(app->st, api_actor(req), req->params[0], ACCESS_STAFF, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	st_entry_filter f = {.village_id = req->params[0], .month = http_query(req, "month")};
	int64_t page = 1;
	if (!api_paging(req, &f.offset, &f.limit, &page))
		return;
	if (f.month && !month_valid(f.month)) {
		http_error(req, 400, "bad_query", "month 须为 YYYY-MM", "month must be YYYY-MM");
		return;
	}
	st_entry *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	store_rc rc = store_entry_list(app->st, &f, &req->ar, &list, &n, &total);
	if (rc != STORE_OK) {
		core_store_fail(&err, rc, "账本记录", "entries");
		api_fail(req, &err);
		return;
	}
	jw w;
	jw_init(&w, &req->ar, 256 + n * 1536, API_JW_MAX);
	jw_obj_open(&w);
	jw_key(&w, "items");
	entries_write(&w, list, n);
	jw_key(&w, "total");
	jw_int(&w, total);
	jw_key(&w, "page");
	jw_int(&w, page);
	jw_key(&w, "per_page");
	jw_int(&w, f.limit);
	jw_obj_close(&w);
	api_reply_jw(req, 200, &w);
}

/* Loads an entry the actor may see: staff of its village, or its household's villager. */
static bool load_entry(http_req *req, int64_t id, st_entry *e)
{
	api_app *app = req->app;
	core_err err;
	store_rc rc = store_entry_get(app->st, id, &req->ar, e);
	if (rc != STORE_OK) {
		core_store_fail(&err, rc, "账本记录", "entry");
		api_fail(req, &err);
		return false;
	}
	st_household h;
	rc = store_household_get(app->st, e->household_id, &req->ar, &h);
	if (rc != STORE_OK) {
		core_store_fail(&err, rc, "户", "household");
		api_fail(req, &err);
		return false;
	}
	if (access_household(app->st, api_actor(req), &h, false, &err) != CORE_OK) {
		api_fail(req, &err);
		return false;
	}
	return true;
}

void api_entry_get(http_req *req)
{
	st_entry e;
	if (load_entry(req, req->params[0], &e))
		http_json(req, 200, api_entry_json(&e));
}

void api_entry_reverse(http_req *req)
{
	static const api_field fields[] = {{"reason", F_STR, true}};
	api_app *app = req->app;
	api_idem idem;
	if (!api_idem_begin(req, &idem, api_rerender_batch))
		return;
	json_t *body = API_BODY(req, fields);
	if (!body)
		goto out;
	int64_t batch = 0;
	core_err err;
	if (ledger_reverse(app->st, api_actor(req), req->params[0], api_str(body, "reason"),
	                   API_IDEM(&idem), &batch, &err) != CORE_OK)
		api_fail(req, &err);
	else
		api_reply_batch(req, 201, batch);
	json_decref(body);
out:
	api_idem_end(req, &idem);
}

/* Reads and writes the passbook's page: the household, its balance and its entries
 * with running balances. False (response set) on a store failure. */
static bool passbook_write(http_req *req, const st_household *h, const st_entry_filter *f,
                           int64_t page)
{
	api_app *app = req->app;
	st_balance b;
	st_entry *list = NULL;
	size_t n = 0;
	int64_t total = 0;
	store_rc rc = store_balance_get(app->st, h->id, &b);
	if (rc == STORE_OK)
		rc = store_entry_list(app->st, f, &req->ar, &list, &n, &total);
	if (rc != STORE_OK) {
		core_err err;
		core_store_fail(&err, rc, "积分存折", "passbook");
		api_fail(req, &err);
		return false;
	}
	/* written straight into the arena: the same bytes as the jansson tree would give */
	jw w;
	jw_init(&w, &req->ar, 2048 + n * 1536, API_JW_MAX);
	jw_obj_open(&w);
	jw_key(&w, "household");
	API_RENDER_JW(&w, h, household);
	jw_key(&w, "balance");
	jw_obj_open(&w);
	jw_key(&w, "confirmed");
	jw_int(&w, b.confirmed);
	jw_key(&w, "pending");
	jw_int(&w, b.pending);
	jw_key(&w, "total");
	jw_int(&w, b.confirmed + b.pending);
	jw_obj_close(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (size_t i = 0; i < n; i++)
		api_entry_write(&w, &list[i], true);
	jw_arr_close(&w);
	jw_key(&w, "total");
	jw_int(&w, total);
	jw_key(&w, "page");
	jw_int(&w, page);
	jw_key(&w, "per_page");
	jw_int(&w, f->limit);
	jw_obj_close(&w);
	api_reply_jw(req, 200, &w);
	return true;
}

/*
 * GET /api/v1/households/{id}/passbook. The whole read runs in one snapshot of the
 * database. The page's bytes depend only on the database and (household, page,
 * per_page), not on who asks, so after the access check a page rendered earlier in
 * the same snapshot version is sent again (readcache.c).
 */
void api_passbook(http_req *req)
{
	static const char kind[] = "passbook";
	api_app *app = req->app;
	core_err err;
	st_household h;
	int64_t id = req->params[0];
	store_snapshot snap;
	if (store_snapshot_begin(app->st, &snap) != STORE_OK)
		snap.conn = 0; /* read without a snapshot, and without the cache */
	store_rc rc = store_household_get(app->st, id, &req->ar, &h);
	if (rc != STORE_OK) {
		core_store_fail(&err, rc, "户", "household");
		api_fail(req, &err);
		goto out;
	}
	if (access_household(app->st, api_actor(req), &h, false, &err) != CORE_OK) {
		api_fail(req, &err);
		goto out;
	}
	st_entry_filter f = {.household_id = id};
	int64_t page = 1;
	if (!api_paging(req, &f.offset, &f.limit, &page))
		goto out;
	int64_t key[3] = {id, page, f.limit};
	if (api_rcache_get(req, kind, key, &snap))
		goto out;
	if (passbook_write(req, &h, &f, page) && req->status == 200)
		api_rcache_put(kind, key, &snap, req->resp_body, req->resp_len);
out:
	store_snapshot_end(app->st, &snap);
}

void api_chain_head(http_req *req)
{
	api_app *app = req->app;
	st_village v;
	int64_t seq = 0;
	char hash[STORE_HASH_HEX + 1];
	store_rc rc = store_village_get(app->st, req->params[0], &req->ar, &v);
	if (rc == STORE_OK)
		rc = store_chain_head(app->st, v.id, &seq, hash);
	if (rc != STORE_OK) {
		core_err err;
		core_store_fail(&err, rc, "村", "village");
		api_fail(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:I, s:I, s:s}", "village_id", (json_int_t)v.id, "seq",
	                              (json_int_t)seq, "hash", hash));
}
