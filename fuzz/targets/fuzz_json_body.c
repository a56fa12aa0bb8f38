/*
 * fuzz_json_body.c: strict JSON bodies (api_body in src/api/request.c over
 * Jansson): UTF-8 check, parsing with duplicate keys refused, unknown fields,
 * types and required fields by a field table. The first byte picks one of the
 * field tables below (copies of real handlers' tables); the rest is the body.
 * Checks: a refusal sets a 400 or 422 JSON error; an accepted body is an
 * object whose members all have the table's types.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* POST /villages/{id}/entries (src/api/entries.c) */
static const api_field record_fields[] = {
	{"rule_id", F_INT, true}, {"households", F_ARRAY, false},
	{"household_ids", F_ARRAY, false}, {"group_id", F_INT, false},
	{"points", F_INT, false}, {"quantity", F_INT, false}, {"deed_date", F_STR, true},
	{"note", F_STR, false}, {"evidence", F_ARRAY, false},
};
/* POST /session (src/api/auth.c) */
static const api_field login_fields[] = {
	{"username", F_STR, false}, {"password", F_STR, false}, {"phone", F_STR, false},
	{"village_id", F_INT, false}, {"passbook_no", F_STR, false}, {"pin", F_STR, false},
};
/* a table with every type, required and optional */
static const api_field mixed_fields[] = {
	{"name", F_STR, true}, {"count", F_INT, false}, {"active", F_BOOL, false},
	{"items", F_ARRAY, false}, {"meta", F_OBJECT, false}, {"reason", F_STR, false},
};
/* reversals and rejections: one required string */
static const api_field reason_fields[] = {{"reason", F_STR, true}};

static const struct {
	const api_field *f;
	size_t n;
} tables[] = {
	{record_fields, sizeof(record_fields) / sizeof(record_fields[0])},
	{login_fields, sizeof(login_fields) / sizeof(login_fields[0])},
	{mixed_fields, sizeof(mixed_fields) / sizeof(mixed_fields[0])},
	{reason_fields, 1},
};

static bool type_ok(json_t *v, api_ftype t)
{
	switch (t) {
	case F_STR:
		return json_is_string(v);
	case F_INT:
		return json_is_integer(v);
	case F_BOOL:
		return json_is_boolean(v);
	case F_ARRAY:
		return json_is_array(v);
	case F_OBJECT:
		return json_is_object(v);
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t t = data[0] % (sizeof(tables) / sizeof(tables[0]));
	size_t n = size - 1;
	/* the server hands handlers a NUL-terminated body of body_len bytes */
	char *body = malloc(n + 1);
	if (!body)
		return 0;
	memcpy(body, data + 1, n);
	body[n] = '\0';
	http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.ar, 1u << 24);
	req.method = "POST";
	req.path = "/api/v1/fuzz";
	req.body = body;
	req.body_len = n;
	json_t *o = api_body(&req, tables[t].f, tables[t].n);
	if (o) {
		if (!json_is_object(o) || req.status != 0)
			abort();
		for (size_t i = 0; i < tables[t].n; i++) {
			json_t *v = json_object_get(o, tables[t].f[i].name);
			if (tables[t].f[i].required && (!v || json_is_null(v)))
				abort();
			if (v && !json_is_null(v) && !type_ok(v, tables[t].f[i].type))
				abort();
			(void)api_str(o, tables[t].f[i].name);
			(void)api_int(o, tables[t].f[i].name);
			(void)api_bool(o, tables[t].f[i].name, false);
		}
		json_decref(o);
	} else {
		if ((req.status != 400 && req.status != 422) || !req.resp_body ||
		    strncmp(req.resp_body, "{\"error\":", 9) != 0)
			abort();
	}
	arena_free(&req.ar);
	free(body);
	return 0;
}
