/*
 * rules.c: the rule catalogue (see rules.h).
 */
#include "core/rules.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "util/timeutil.h"

bool rule_recorder_allowed(const st_rule *r, const char *role)
{
	size_t n = strlen(role);
	const char *p = r->recorders;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, role, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

static bool recorders_valid(const char *s)
{
	if (!s || !*s)
		return false;
	static const char *const ok[] = {"scorer", "village_admin"};
	const char *p = s;
	while (p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		bool known = false;
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			if (len == strlen(ok[i]) && strncmp(p, ok[i], len) == 0)
				known = true;
		if (!known)
			return false;
		p = comma ? comma + 1 : NULL;
	}
	return true;
}

static int64_t absv(int64_t v)
{
	return v < 0 ? -v : v;
}

core_status rule_validate(const st_rule *r, core_err *err)
{
	if (validate_text(err, "category", "类别", r->category, 1, 16) != CORE_OK ||
	    validate_text(err, "name", "细则名称", r->name, 1, 32) != CORE_OK ||
	    validate_text(err, "description", "说明", r->description ? r->description : "", 0, 200) !=
	            CORE_OK)
		return err->status;
	if (r->points == 0 || absv(r->points) > RULE_MAX_POINTS)
		return core_fail(err, CORE_INVALID, "invalid_points",
		                 "分值（points）不能为 0，绝对值不超过 %d；扣分用负数",
		                 "points must be non-zero and at most %d in size; deductions are negative",
		                 RULE_MAX_POINTS);
	if (!r->unit || (strcmp(r->unit, "time") != 0 && strcmp(r->unit, "day") != 0 &&
	                 strcmp(r->unit, "hour") != 0))
		return core_fail(err, CORE_INVALID, "invalid_unit",
		                 "计分单位（unit）只能是 time（次）、day（天）或 hour（小时）",
		                 "unit must be time, day or hour");
	if (r->has_range) {
		bool same_sign = (r->min_points > 0) == (r->points > 0) &&
		                 (r->max_points > 0) == (r->points > 0) && r->min_points != 0 &&
		                 r->max_points != 0;
		if (!same_sign || r->min_points > r->max_points || r->points < r->min_points ||
		    r->points > r->max_points || absv(r->min_points) > RULE_MAX_POINTS ||
		    absv(r->max_points) > RULE_MAX_POINTS)
			return core_fail(err, CORE_INVALID, "invalid_range",
			                 "分值范围不对：需 min_points ≤ points ≤ max_points，且三者同号、不为 0",
			                 "bad range: need min_points <= points <= max_points, all of one sign and non-zero");
	}
	if (r->cap_month < 0 || r->cap_year < 0 ||
	    (r->cap_month && r->cap_year && r->cap_month > r->cap_year))
		return core_fail(err, CORE_INVALID, "invalid_cap",
		                 "上限须为正数，且每月上限不大于每年上限",
		                 "caps must be positive, and the monthly cap at most the yearly cap");
	if (!recorders_valid(r->recorders))
		return core_fail(err, CORE_INVALID, "invalid_recorders",
		                 "记录人（recorders）须为 scorer、village_admin 中的一个或多个",
		                 "recorders must be one or more of scorer, village_admin");
	if (r->claimable && r->points < 0)
		return core_fail(err, CORE_INVALID, "invalid_claimable", "扣分细则不能由村民申报",
		                 "villagers cannot claim a deduction");
	return CORE_OK;
}

static char *rule_summary(const st_rule *r)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:I}", "category", r->category, "name", r->name,
	                      "points", (json_int_t)r->points, "unit", r->unit, "version",
	                      (json_int_t)(r->version ? r->version : 1));
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

core_status rule_create(store *st, const actor *who, const st_rule *r, int64_t *id, core_err *err)
{
	if (access_village(st, who, r->village_id, ACCESS_ADMIN, err) != CORE_OK ||
	    rule_validate(r, err) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	st_rule rec = *r;
	rec.lineage_id = 0;
	rec.version = 1;
	rec.created_by = who->user ? who->user->id : 0;
	rec.created_at = time_now();
	store_rc rc = store_rule_create(st, &rec, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "细则", "rule");
	}
	char *sum = rule_summary(&rec);
	core_status cs = org_finish(st, who, r->village_id, "rule", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status rule_get(store *st, const actor *who, int64_t id, arena *ar, st_rule *out,
                     core_err *err)
{
	store_rc rc = store_rule_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "细则", "rule");
	return CORE_OK; /* the catalogue is public */
}

core_status rule_list(store *st, int64_t village_id, const char *status, arena *ar,
                      st_rule **out, size_t *n, core_err *err)
{
	st_village v;
	store_rc rc = store_village_get(st, village_id, ar, &v);
	if (rc == STORE_OK)
		rc = store_rule_list(st, village_id, status, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村", "village");
}

/* Loads rule id and checks that who administers its village. */
static core_status load_for_admin(store *st, const actor *who, int64_t id, arena *ar, st_rule *r,
                                  core_err *err)
{
	store_rc rc = store_rule_get(st, id, ar, r);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "细则", "rule");
	return access_village(st, who, r->village_id, ACCESS_ADMIN, err);
}

/* CORE_CONFLICT if the rule r can no longer be edited in place (used or retired). */
static core_status check_editable(const st_rule *r, core_err *err)
{
	if (r->used)
		return core_fail(err, CORE_CONFLICT, "rule_used",
		                 "这条细则已经用于记分，不能修改；请停用它并添加新版本（revise）",
		                 "this rule has been used and cannot be edited; retire it and add a new version (revise)");
	if (strcmp(r->status, "active") != 0)
		return core_fail(err, CORE_CONFLICT, "rule_retired", "这条细则已停用", "this rule is retired");
	return CORE_OK;
}

/* The answer when store_rule_retire found the rule no longer active: a racing
 * request retired it after our first read. */
static core_status retire_failed(store_rc rc, core_err *err)
{
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_CONFLICT, "rule_retired", "这条细则已经停用",
		                 "this rule is already retired");
	return core_store_fail(err, rc, "细则", "rule");
}

core_status rule_update(store *st, const actor *who, const st_rule *r, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_rule old;
	core_status cs = load_for_admin(st, who, r->id, &ar, &old, err);
	if (cs == CORE_OK)
		cs = check_editable(&old, err);
	if (cs == CORE_OK)
		cs = rule_validate(r, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs == CORE_OK) {
		/* re-read inside the transaction: a record or retirement that raced us is seen here */
		store_rc rc = store_rule_get(st, r->id, &ar, &old);
		cs = rc == STORE_OK ? check_editable(&old, err) : core_store_fail(err, rc, "细则", "rule");
		if (cs != CORE_OK)
			store_rollback(st);
	}
	if (cs == CORE_OK) {
		store_rc rc = store_rule_update(st, r);
		if (rc != STORE_OK) {
			store_rollback(st);
			cs = core_store_fail(err, rc, "细则", "rule");
		} else {
			char *sum = rule_summary(r);
			cs = org_finish(st, who, old.village_id, "rule", r->id, "update", sum, err);
			free(sum);
		}
	}
	arena_free(&ar);
	return cs;
}

core_status rule_retire(store *st, const actor *who, int64_t id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_rule old;
	core_status cs = load_for_admin(st, who, id, &ar, &old, err);
	if (cs == CORE_OK && strcmp(old.status, "active") != 0)
		cs = core_fail(err, CORE_CONFLICT, "rule_retired", "这条细则已经停用",
		               "this rule is already retired");
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs == CORE_OK) {
		store_rc rc = store_rule_retire(st, id, time_now());
		if (rc != STORE_OK) {
			store_rollback(st);
			cs = retire_failed(rc, err);
		} else {
			cs = org_finish(st, who, old.village_id, "rule", id, "retire", "{}", err);
		}
	}
	arena_free(&ar);
	return cs;
}

core_status rule_revise(store *st, const actor *who, int64_t id, const st_rule *r,
                        int64_t *new_id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_rule old;
	char *sum = NULL;
	core_status cs = load_for_admin(st, who, id, &ar, &old, err);
	if (cs == CORE_OK && strcmp(old.status, "active") != 0)
		cs = core_fail(err, CORE_CONFLICT, "rule_retired", "这条细则已停用，不能再修订",
		               "this rule is retired and cannot be revised");
	if (cs == CORE_OK)
		cs = rule_validate(r, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	st_rule rec = *r;
	rec.village_id = old.village_id;
	rec.lineage_id = old.lineage_id;
	rec.version = old.version + 1;
	rec.created_by = who->user ? who->user->id : 0;
	rec.created_at = time_now();
	store_rc rc = store_rule_retire(st, id, rec.created_at);
	if (rc == STORE_OK)
		rc = store_rule_create(st, &rec, new_id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = retire_failed(rc, err);
		goto out;
	}
	sum = rule_summary(&rec);
	if (core_audit(st, who, old.village_id, "rule", id, "retire", "{\"revised\":true}") !=
	    STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, STORE_ERROR, "审计记录", "audit record");
		goto out;
	}
	cs = org_finish(st, who, old.village_id, "rule", *new_id, "revise", sum, err);
out:
	free(sum);
	arena_free(&ar);
	return cs;
}
