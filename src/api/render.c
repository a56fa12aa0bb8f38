/*
 * render.c: records to JSON, by table. Each resource's shape is a table of
 * (name, type, offset) rows here, so the API's shapes can be read in one place.
 * Each table renders two ways with the same bytes: as a jansson object
 * (api_render), or written straight into a response (api_render_members, with
 * util/jsonw.h) for the big read responses.
 */
#include "api/api.h"

#include <stddef.h>
#include <string.h>

#include "util/jsonw.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define N(t) (sizeof(t) / sizeof(t[0]))

json_t *api_render(const void *rec, const api_rfield *f, size_t nf)
{
	const unsigned char *base = rec;
	json_t *o = json_object();
	for (size_t i = 0; i < nf; i++) {
		const void *p = base + f[i].off;
		json_t *v = NULL;
		switch (f[i].type) {
		case R_INT:
			v = json_integer(*(const int64_t *)p);
			break;
		case R_ID: {
			int64_t id = *(const int64_t *)p;
			v = id ? json_integer(id) : json_null();
			break;
		}
		case R_STR: {
			const char *s = *(const char *const *)p;
			v = s ? json_string(s) : json_null();
			break;
		}
		case R_BOOL:
			v = json_boolean(*(const bool *)p);
			break;
		case R_TIME: {
			char iso[32];
			time_iso(*(const int64_t *)p, iso, sizeof(iso));
			v = json_string(iso);
			break;
		}
		case R_PHONE_MASKED: {
			const char *s = *(const char *const *)p;
			char masked[64];
			v = s ? json_string(utf8_mask_phone(s, masked, sizeof(masked))) : json_null();
			break;
		}
		}
		json_object_set_new(o, f[i].name, v ? v : json_null());
	}
	return o;
}

/* The same members as api_render, written straight into a document: the fast path
 * of the big read responses. Must stay the byte-for-byte twin of api_render. */
void api_render_members(jw *w, const void *rec, const api_rfield *f, size_t nf)
{
	const unsigned char *base = rec;
	for (size_t i = 0; i < nf; i++) {
		const void *p = base + f[i].off;
		jw_key(w, f[i].name);
		switch (f[i].type) {
		case R_INT:
			jw_int(w, *(const int64_t *)p);
			break;
		case R_ID: {
			int64_t id = *(const int64_t *)p;
			if (id)
				jw_int(w, id);
			else
				jw_null(w);
			break;
		}
		case R_STR:
			jw_str(w, *(const char *const *)p);
			break;
		case R_BOOL:
			jw_bool(w, *(const bool *)p);
			break;
		case R_TIME:
			jw_time(w, *(const int64_t *)p);
			break;
		case R_PHONE_MASKED: {
			const char *s = *(const char *const *)p;
			char masked[64];
			jw_str(w, s ? utf8_mask_phone(s, masked, sizeof(masked)) : NULL);
			break;
		}
		}
	}
}

void api_render_obj(jw *w, const void *rec, const api_rfield *f, size_t nf)
{
	jw_obj_open(w);
	api_render_members(w, rec, f, nf);
	jw_obj_close(w);
}

void api_reply_jw(http_req *req, int status, jw *w)
{
	size_t len = 0;
	char *body = jw_finish(w, &len);
	if (!body)
		log_error("failed %s %s user=%lld: the response could not be written (%zu bytes so far)",
		          req->method, req->path, (long long)req->user_id, w->len);
	http_json_text(req, status, body, len);
}

json_t *api_render_list(const void *arr, size_t n, size_t recsize, const api_rfield *f,
                        size_t nf)
{
	json_t *a = json_array();
	const unsigned char *base = arr;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, api_render(base + i * recsize, f, nf));
	return a;
}

#define F(type, name, kind) {#name, kind, offsetof(type, name)}

const api_rfield api_area_fields[] = {
	F(st_area, id, R_INT), F(st_area, parent_id, R_ID), F(st_area, level, R_STR),
	F(st_area, name, R_STR), F(st_area, created_at, R_TIME),
};
const size_t api_area_nfields = N(api_area_fields);

const api_rfield api_village_fields[] = {
	F(st_village, id, R_INT), F(st_village, area_id, R_INT), F(st_village, name, R_STR),
	F(st_village, household_count, R_INT), F(st_village, group_count, R_INT),
	F(st_village, created_at, R_TIME), F(st_village, notice_days, R_INT),
	F(st_village, window_days, R_INT), F(st_village, balance_policy, R_STR),
	F(st_village, second_review_points, R_INT),
};
const size_t api_village_nfields = N(api_village_fields);

const api_rfield api_group_fields[] = {
	F(st_group, id, R_INT), F(st_group, village_id, R_INT), F(st_group, name, R_STR),
	F(st_group, sort, R_INT), F(st_group, household_count, R_INT),
};
const size_t api_group_nfields = N(api_group_fields);

#define HOUSEHOLD_COMMON                                                                     \
	F(st_household, id, R_INT), F(st_household, village_id, R_INT),                      \
	F(st_household, group_id, R_INT), F(st_household, group_name, R_STR),                \
	F(st_household, passbook_no, R_STR), F(st_household, head_name, R_STR),              \
	F(st_household, address, R_STR), F(st_household, status, R_STR),                     \
	F(st_household, member_count, R_INT), F(st_household, created_at, R_TIME),           \
	F(st_household, updated_at, R_TIME)

const api_rfield api_household_fields[] = {HOUSEHOLD_COMMON, F(st_household, phone, R_PHONE_MASKED)};
const size_t api_household_nfields = N(api_household_fields);
const api_rfield api_household_full_fields[] = {HOUSEHOLD_COMMON, F(st_household, phone, R_STR)};
const size_t api_household_full_nfields = N(api_household_full_fields);

const api_rfield api_member_fields[] = {
	F(st_member, id, R_INT), F(st_member, household_id, R_INT), F(st_member, name, R_STR),
	F(st_member, relation, R_STR), F(st_member, status, R_STR),
};
const size_t api_member_nfields = N(api_member_fields);

const api_rfield api_user_fields[] = {
	F(st_user, id, R_INT), F(st_user, username, R_STR), F(st_user, display_name, R_STR),
	F(st_user, role, R_STR), F(st_user, phone, R_PHONE_MASKED), F(st_user, area_id, R_ID),
	F(st_user, village_id, R_ID), F(st_user, household_id, R_ID), F(st_user, disabled, R_BOOL),
	F(st_user, created_at, R_TIME), F(st_user, home_household_id, R_ID),
};
const size_t api_user_nfields = N(api_user_fields);

const api_rfield api_audit_fields[] = {
	F(st_audit, id, R_INT), F(st_audit, at, R_TIME), F(st_audit, user_id, R_ID),
	F(st_audit, username, R_STR), F(st_audit, ip, R_STR), F(st_audit, area_id, R_ID),
	F(st_audit, village_id, R_ID), F(st_audit, entity, R_STR), F(st_audit, entity_id, R_ID),
	F(st_audit, action, R_STR), F(st_audit, summary, R_STR),
};
const size_t api_audit_nfields = N(api_audit_fields);

const api_rfield api_rule_fields[] = {
	F(st_rule, id, R_INT), F(st_rule, village_id, R_INT), F(st_rule, lineage_id, R_INT),
	F(st_rule, version, R_INT), F(st_rule, category, R_STR), F(st_rule, name, R_STR),
	F(st_rule, points, R_INT), F(st_rule, unit, R_STR), F(st_rule, cap_month, R_ID),
	F(st_rule, cap_year, R_ID), F(st_rule, evidence_required, R_BOOL),
	F(st_rule, claimable, R_BOOL), F(st_rule, description, R_STR), F(st_rule, status, R_STR),
	F(st_rule, used, R_BOOL), F(st_rule, created_at, R_TIME),
};
const size_t api_rule_nfields = N(api_rule_fields);

const api_rfield api_entry_fields[] = {
	F(st_entry, id, R_INT), F(st_entry, seq, R_INT), F(st_entry, village_id, R_INT),
	F(st_entry, household_id, R_INT), F(st_entry, passbook_no, R_STR),
	F(st_entry, head_name, R_STR), F(st_entry, member_id, R_ID), F(st_entry, member_name, R_STR),
	F(st_entry, rule_id, R_ID), F(st_entry, rule_name, R_STR), F(st_entry, rule_category, R_STR),
	F(st_entry, rule_version, R_ID), F(st_entry, kind, R_STR), F(st_entry, points, R_INT),
	F(st_entry, quantity, R_INT), F(st_entry, deed_date, R_STR), F(st_entry, month, R_STR),
	F(st_entry, bucket, R_STR), F(st_entry, note, R_STR), F(st_entry, reverses_id, R_ID),
	F(st_entry, reversed_by, R_ID), F(st_entry, batch_id, R_ID), F(st_entry, claim_id, R_ID),
	F(st_entry, activity_id, R_ID), F(st_entry, inspection_id, R_ID),
	F(st_entry, recorded_by, R_ID), F(st_entry, recorded_by_name, R_STR),
	F(st_entry, approved_by, R_ID), F(st_entry, approved_by_name, R_STR),
	F(st_entry, created_at, R_TIME), F(st_entry, hash, R_STR),
};
const size_t api_entry_nfields = N(api_entry_fields);
