/*
 * activities.c: activities, their sign-ups, attendance and the one-action award
 * (see activities.h). Every write re-reads the activity inside its transaction,
 * so a sign-up racing an award, or two awards racing each other, see each
 * other's effects: the second one gets CORE_CONFLICT.
 */
#include "core/activities.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "util/timeutil.h"

#define ACTIVITY_NAME_MAX 32
#define ACTIVITY_DESC_MAX 200

/* CORE_OK if who is a scorer or an admin of the village (not a clerk, not a villager). */
static core_status check_scorer(store *st, const actor *who, int64_t village_id, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	if (who->user && strcmp(who->user->role, "clerk") == 0)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "只有评分员和村管理员可以管理活动",
		                 "only scorers and village admins can manage activities");
	return CORE_OK;
}

/* Loads an activity into out (strings in ar). CORE_NOT_FOUND if there is none. */
static core_status load(store *st, int64_t id, arena *ar, st_activity *out, core_err *err)
{
	store_rc rc = store_activity_get(st, id, ar, out);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "活动", "activity");
}

/* CORE_CONFLICT unless the activity is open, with a message saying why. */
static core_status check_open(const st_activity *a, core_err *err)
{
	if (strcmp(a->status, "open") == 0)
		return CORE_OK;
	if (strcmp(a->status, "awarded") == 0)
		return core_fail(err, CORE_CONFLICT, "activity_awarded",
		                 "活动“%s”已经发放过积分，不能再更改", "activity \"%s\" has already been awarded",
		                 a->name);
	return core_fail(err, CORE_CONFLICT, "activity_cancelled", "活动“%s”已取消",
	                 "activity \"%s\" has been cancelled", a->name);
}

/* Rolls back the open transaction and returns err's status. */
static core_status abort_tx(store *st, core_err *err)
{
	store_rollback(st);
	return err->status;
}

/* Writes the audit row and commits; rolls back on failure. summary is freed. */
static core_status commit_audited(store *st, const actor *who, int64_t village_id,
                                  int64_t activity_id, const char *action, json_t *summary,
                                  core_err *err)
{
	char *sum = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	core_status cs = org_finish(st, who, village_id, "activity", activity_id, action, sum, err);
	free(sum);
	return cs;
}

core_status activity_create(store *st, const actor *who, const st_activity *a, int64_t *id,
                            core_err *err)
{
	if (check_scorer(st, who, a->village_id, err) != CORE_OK ||
	    validate_text(err, "name", "活动名称", a->name, 1, ACTIVITY_NAME_MAX) != CORE_OK ||
	    validate_text(err, "description", "活动说明", a->description ? a->description : "", 0,
	                  ACTIVITY_DESC_MAX) != CORE_OK)
		return err->status;
	if (!a->activity_date || !time_valid_date(a->activity_date) ||
	    strcmp(a->activity_date, "2000-01-01") < 0)
		return core_fail(err, CORE_INVALID, "invalid_date",
		                 "活动日期（activity_date）格式不对，应为 YYYY-MM-DD",
		                 "activity_date must be a real date written YYYY-MM-DD");
	arena ar;
	arena_init(&ar, 0);
	st_rule r;
	core_status cs = CORE_OK;
	store_rc rc = store_rule_get(st, a->rule_id, &ar, &r);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && r.village_id != a->village_id))
		cs = core_fail(err, CORE_INVALID, "invalid_rule", "细则（rule_id）不是本村的细则",
		               "rule_id is not a rule of this village");
	else if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "细则", "rule");
	else if (strcmp(r.status, "active") != 0)
		cs = core_fail(err, CORE_INVALID, "rule_retired", "细则“%s”已停用，请使用新版本",
		               "rule \"%s\" is retired; use its new version", r.name);
	else if (r.points < 0)
		cs = core_fail(err, CORE_INVALID, "rule_is_deduction", "活动只能使用加分细则，“%s”是扣分细则",
		               "an activity needs an award rule; \"%s\" is a deduction", r.name);
	if (cs != CORE_OK || org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_activity rec = *a;
	rec.created_by = who->user ? who->user->id : 0;
	rec.created_at = time_now();
	rc = store_activity_create(st, &rec, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "活动", "activity");
		goto out;
	}
	cs = commit_audited(st, who, a->village_id, *id, "create",
	                    json_pack("{s:s, s:I, s:s, s:s}", "name", a->name, "rule_id",
	                              (json_int_t)r.id, "rule", r.name, "activity_date",
	                              a->activity_date),
	                    err);
out:
	arena_free(&ar);
	return cs;
}

core_status activity_get(store *st, const actor *who, int64_t id, arena *ar, st_activity *out,
                         st_signup **signups, size_t *n, core_err *err)
{
	if (load(st, id, ar, out, err) != CORE_OK ||
	    access_village(st, who, out->village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	bool villager = who->user && strcmp(who->user->role, "villager") == 0;
	int64_t only = villager ? who->user->household_id : 0;
	if (villager && !only) {
		*signups = NULL;
		*n = 0;
		return CORE_OK;
	}
	store_rc rc = store_signup_list(st, id, only, ar, signups, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "报名", "sign-ups");
}

core_status activity_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                          int64_t limit, arena *ar, st_activity **out, size_t *n, int64_t *total,
                          core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_activity_list(st, village_id, offset, limit, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "活动", "activities");
}

/* Who may sign household_id up: a villager their own household; scorers and admins any. */
static core_status check_signup_right(store *st, const actor *who, const st_activity *a,
                                      int64_t household_id, core_err *err)
{
	if (access_village(st, who, a->village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	if (who->user && strcmp(who->user->role, "villager") == 0) {
		if (who->user->household_id != household_id)
			return core_fail(err, CORE_FORBIDDEN, "forbidden", "村民只能为自己家报名",
			                 "a villager can sign up only their own household");
		return CORE_OK;
	}
	return check_scorer(st, who, a->village_id, err);
}

/* Checks the household (and member) can take part: of the village, active. */
static core_status check_participant(store *st, const st_activity *a, int64_t household_id,
                                     int64_t member_id, arena *ar, core_err *err)
{
	st_household h;
	store_rc rc = store_household_get(st, household_id, ar, &h);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h.village_id != a->village_id))
		return core_fail(err, CORE_INVALID, "invalid_household", "户 %lld 不是本村的户",
		                 "household %lld is not a household of this village",
		                 (long long)household_id);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (strcmp(h.status, "active") != 0)
		return core_fail(err, CORE_INVALID, "household_moved_out", "%s（%s）已迁出，不能报名",
		                 "%s (%s) has moved out and cannot sign up", h.head_name, h.passbook_no);
	if (!member_id)
		return CORE_OK;
	st_member m;
	rc = store_member_get(st, member_id, ar, &m);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && m.household_id != h.id))
		return core_fail(err, CORE_INVALID, "invalid_member", "成员 %lld 不是 %s 家的成员",
		                 "member %lld is not a member of %s's household", (long long)member_id,
		                 h.head_name);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "成员", "member");
	if (strcmp(m.status, "active") != 0)
		return core_fail(err, CORE_INVALID, "member_left", "%s 已不是这户的在册成员",
		                 "%s is no longer a member of the household", m.name);
	return CORE_OK;
}

core_status activity_signup(store *st, const actor *who, int64_t activity_id,
                            int64_t household_id, int64_t member_id, int64_t *signup_id,
                            core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_activity a;
	core_status cs = load(st, activity_id, &ar, &a, err);
	if (cs == CORE_OK)
		cs = check_signup_right(st, who, &a, household_id, err);
	if (cs == CORE_OK)
		cs = check_participant(st, &a, household_id, member_id, &ar, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	/* inside the transaction: an award or a twin sign-up that won the race is seen */
	cs = load(st, activity_id, &ar, &a, err);
	if (cs == CORE_OK)
		cs = check_open(&a, err);
	if (cs == CORE_OK && a.signup_count >= ACTIVITY_MAX_SIGNUPS)
		cs = core_fail(err, CORE_INVALID, "too_many_signups", "一个活动最多 %d 个报名",
		               "an activity takes at most %d sign-ups", ACTIVITY_MAX_SIGNUPS);
	if (cs != CORE_OK) {
		cs = abort_tx(st, err);
		goto out;
	}
	st_signup rec = {
		.activity_id = a.id, .village_id = a.village_id, .household_id = household_id,
		.member_id = member_id, .created_by = who->user ? who->user->id : 0,
		.created_at = time_now(),
	};
	store_rc rc = store_signup_add(st, &rec, signup_id);
	if (rc == STORE_CONFLICT) {
		core_fail(err, CORE_CONFLICT, "already_signed_up",
		               member_id ? "这位成员已经报名了“%s”" : "这户已经报名了“%s”",
		               member_id ? "this member has already signed up for \"%s\""
		                         : "this household has already signed up for \"%s\"",
		               a.name);
		cs = abort_tx(st, err);
		goto out;
	}
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "报名", "sign-up");
		goto out;
	}
	cs = commit_audited(st, who, a.village_id, a.id, "signup",
	                    json_pack("{s:I, s:I, s:o}", "signup_id", (json_int_t)*signup_id,
	                              "household_id", (json_int_t)household_id, "member_id",
	                              member_id ? json_integer(member_id) : json_null()),
	                    err);
out:
	arena_free(&ar);
	return cs;
}

/* CORE_INVALID if an id appears twice across the two lists. */
static core_status check_distinct(const int64_t *a, size_t na, const int64_t *b, size_t nb,
                                  core_err *err)
{
	size_t n = na + nb;
	for (size_t i = 0; i < n; i++) {
		int64_t x = i < na ? a[i] : b[i - na];
		for (size_t k = 0; k < i; k++) {
			int64_t y = k < na ? a[k] : b[k - na];
			if (x == y)
				return core_fail(err, CORE_INVALID, "duplicate_signup",
				                 "报名 %lld 出现了两次", "sign-up %lld appears twice",
				                 (long long)x);
		}
	}
	return CORE_OK;
}

core_status activity_attendance(store *st, const actor *who, int64_t activity_id,
                                const int64_t *attended, size_t nattended, const int64_t *absent,
                                size_t nabsent, core_err *err)
{
	if (nattended + nabsent == 0)
		return core_fail(err, CORE_INVALID, "no_signups",
		                 "请在 attended 或 absent 中列出报名编号",
		                 "list sign-up ids in attended or absent");
	if (nattended + nabsent > ACTIVITY_MAX_SIGNUPS)
		return core_fail(err, CORE_INVALID, "too_many_signups", "一次最多 %d 个报名",
		                 "at most %d sign-ups at once", ACTIVITY_MAX_SIGNUPS);
	if (check_distinct(attended, nattended, absent, nabsent, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_activity a;
	core_status cs = load(st, activity_id, &ar, &a, err);
	if (cs == CORE_OK)
		cs = check_scorer(st, who, a.village_id, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	cs = load(st, activity_id, &ar, &a, err);
	if (cs == CORE_OK)
		cs = check_open(&a, err);
	for (size_t i = 0; i < nattended + nabsent && cs == CORE_OK; i++) {
		bool came = i < nattended;
		int64_t sid = came ? attended[i] : absent[i - nattended];
		store_rc rc = store_signup_set_attended(st, a.id, sid, came);
		if (rc == STORE_NOT_FOUND)
			cs = core_fail(err, CORE_INVALID, "invalid_signup", "%lld 不是“%s”的报名编号",
			               "%lld is not a sign-up of \"%s\"", (long long)sid, a.name);
		else if (rc != STORE_OK)
			cs = core_store_fail(err, rc, "报名", "sign-up");
	}
	if (cs != CORE_OK) {
		cs = abort_tx(st, err);
		goto out;
	}
	cs = commit_audited(st, who, a.village_id, a.id, "attendance",
	                    json_pack("{s:I, s:I}", "attended", (json_int_t)nattended, "absent",
	                              (json_int_t)nabsent),
	                    err);
out:
	arena_free(&ar);
	return cs;
}

/* The attended sign-ups of an activity as ledger targets (in ar). */
static core_status attended_targets(store *st, const st_activity *a, arena *ar,
                                    ledger_target **out, size_t *n, core_err *err)
{
	st_signup *list = NULL;
	size_t cnt = 0;
	store_rc rc = store_signup_list(st, a->id, 0, ar, &list, &cnt);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "报名", "sign-ups");
	ledger_target *t = arena_alloc(ar, (cnt ? cnt : 1) * sizeof(*t));
	if (!t)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (!list[i].attended)
			continue;
		t[k].household_id = list[i].household_id;
		t[k].member_id = list[i].member_id;
		k++;
	}
	if (k == 0)
		return core_fail(err, CORE_INVALID, "nobody_attended",
		                 "“%s”还没有标记任何到场的报名，请先登记到场情况",
		                 "nobody is marked as attending \"%s\"; mark attendance first", a->name);
	*out = t;
	*n = k;
	return CORE_OK;
}

core_status activity_award(store *st, const actor *who, int64_t activity_id, bool has_points,
                           int64_t points, const ledger_idem *idem, int64_t *batch_id,
                           core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_activity a;
	ledger_target *targets = NULL;
	size_t n = 0;
	char today[11];
	time_today_cn(today);
	core_status cs = load(st, activity_id, &ar, &a, err);
	if (cs == CORE_OK)
		cs = check_scorer(st, who, a.village_id, err);
	if (cs == CORE_OK && strcmp(a.activity_date, today) > 0)
		cs = core_fail(err, CORE_INVALID, "activity_not_held",
		               "活动“%s”在 %s 举行，之后才能发放积分",
		               "activity \"%s\" takes place on %s; award it afterwards", a.name,
		               a.activity_date);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	cs = load(st, activity_id, &ar, &a, err);
	if (cs == CORE_OK)
		cs = check_open(&a, err);
	if (cs == CORE_OK)
		cs = attended_targets(st, &a, &ar, &targets, &n, err);
	if (cs == CORE_OK) {
		ledger_record_in in = {
			.village_id = a.village_id, .rule_id = a.rule_id, .targets = targets,
			.ntargets = n, .has_points = has_points, .points = points,
			.deed_date = a.activity_date, .note = a.name, .activity_id = a.id,
			.batch_kind = "activity",
		};
		cs = ledger_record_in_tx(st, who, &in, batch_id, err);
	}
	store_rc rc = STORE_OK;
	if (cs == CORE_OK) {
		rc = store_activity_set_awarded(st, a.id, *batch_id);
		if (rc != STORE_OK)
			cs = core_store_fail(err, rc, "活动", "activity");
		else
			cs = ledger_idem_complete(st, idem, "batch", *batch_id, err);
	}
	if (cs != CORE_OK) {
		cs = abort_tx(st, err);
		goto out;
	}
	cs = commit_audited(st, who, a.village_id, a.id, "award",
	                    json_pack("{s:I, s:I}", "batch_id", (json_int_t)*batch_id, "entries",
	                              (json_int_t)n),
	                    err);
out:
	arena_free(&ar);
	return cs;
}
