/*
 * claims.c: filing, reading and reviewing claims (see claims.h). Every write
 * runs in one transaction with its audit row and, for an approval, with the
 * ledger entry it posts; the claim is re-read inside that transaction before
 * anything is decided.
 */
#include "core/claims.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "core/yearend.h"
#include "util/timeutil.h"

static bool is_reviewer_role(const char *role)
{
	return strcmp(role, "scorer") == 0 || strcmp(role, "village_admin") == 0;
}

static bool is_open(const char *status)
{
	return strcmp(status, "pending") == 0 || strcmp(status, "second_review") == 0;
}

/* Checks that who may review this claim (apart from its status). */
static core_status check_reviewer(const actor *who, const st_claim *c, core_err *err)
{
	const st_user *u = who->user;
	if (!u)
		return core_fail(err, CORE_FORBIDDEN, "not_reviewer", "申请须由登录的审核人审核",
		                 "a claim is reviewed by a signed-in reviewer");
	if (!is_reviewer_role(u->role))
		return core_fail(err, CORE_FORBIDDEN, "not_reviewer", "只有评分员和村管理员可以审核申请",
		                 "only scorers and village admins review claims");
	int64_t home = u->household_id ? u->household_id : u->home_household_id;
	if (home && home == c->household_id)
		return core_fail(err, CORE_FORBIDDEN, "own_household",
		                 "不能审核自己家的申请（%s，存折号 %s），请由其他审核人审核",
		                 "you cannot review a claim of your own household (%s, passbook %s); another reviewer must",
		                 c->head_name ? c->head_name : "", c->passbook_no ? c->passbook_no : "");
	if (u->id == c->created_by)
		return core_fail(err, CORE_FORBIDDEN, "own_claim", "不能审核自己提交的申请",
		                 "you cannot review a claim you filed yourself");
	if (strcmp(c->status, "second_review") == 0 && c->first_reviewer == u->id)
		return core_fail(err, CORE_FORBIDDEN, "same_reviewer",
		                 "这条申请需要另一位审核人复核：第一次审核已由您完成",
		                 "this claim needs a second, different reviewer: you gave the first approval");
	return CORE_OK;
}

bool claim_can_review(const actor *who, const st_claim *c)
{
	core_err err;
	return is_open(c->status) && check_reviewer(who, c, &err) == CORE_OK;
}

static bool is_hash(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The field checks that need no database. */
static core_status check_new(const claim_new *in, core_err *err)
{
	if (validate_text(err, "description", "申请说明", in->description, 1,
	                  CLAIM_MAX_DESCRIPTION) != CORE_OK ||
	    ledger_check_date(in->deed_date, err) != CORE_OK)
		return err->status;
	if (in->quantity < 0 || in->quantity > LEDGER_MAX_QUANTITY)
		return core_fail(err, CORE_INVALID, "invalid_quantity", "数量（quantity）须在 1 到 %d 之间",
		                 "quantity must be between 1 and %d", LEDGER_MAX_QUANTITY);
	if (in->nphotos > CLAIM_MAX_PHOTOS)
		return core_fail(err, CORE_INVALID, "too_many_photos", "照片最多 %d 张（收到 %zu 张）",
		                 "at most %d photos (got %zu)", CLAIM_MAX_PHOTOS, in->nphotos);
	for (size_t i = 0; i < in->nphotos; i++) {
		if (!is_hash(in->photos[i]))
			return core_fail(err, CORE_INVALID, "invalid_photo",
			                 "photos 须为上传照片时返回的编号（64 位十六进制）",
			                 "photos must be the hashes returned by the photo upload (64 hex digits)");
		for (size_t k = 0; k < i; k++)
			if (strcmp(in->photos[k], in->photos[i]) == 0)
				return core_fail(err, CORE_INVALID, "duplicate_photo", "同一张照片重复出现",
				                 "the same photo appears twice");
	}
	return CORE_OK;
}

/* The household the claim is for, and whether who may file for it. */
static core_status claim_household(store *st, const actor *who, const claim_new *in,
                                   int64_t *household, core_err *err)
{
	const st_user *u = who->user;
	if (access_village(st, who, in->village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	if (!u)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "申请须由登录用户提交",
		                 "a claim is filed by a signed-in user");
	if (strcmp(u->role, "villager") == 0) {
		if (in->household_id && in->household_id != u->household_id)
			return core_fail(err, CORE_FORBIDDEN, "forbidden", "只能为自己家申请积分",
			                 "a villager claims points for their own household only");
		*household = u->household_id;
		return CORE_OK;
	}
	if (strcmp(u->role, "clerk") == 0)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "积分超市管理员不能代为申请积分",
		                 "shop clerks cannot file claims");
	if (!in->household_id)
		return core_fail(err, CORE_INVALID, "missing_field", "代为申请时需要指定户（household_id）",
		                 "a claim filed for a household needs household_id");
	*household = in->household_id;
	return CORE_OK;
}

/* Inside the transaction: the household, member, rule and photos are fit. */
static core_status check_refs(store *st, const claim_new *in, int64_t household, arena *ar,
                              core_err *err)
{
	st_household h;
	store_rc rc = store_household_get(st, household, ar, &h);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h.village_id != in->village_id))
		return core_fail(err, CORE_INVALID, "invalid_household", "户 %lld 不是本村的户",
		                 "household %lld is not a household of this village", (long long)household);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (strcmp(h.status, "active") != 0)
		return core_fail(err, CORE_INVALID, "household_moved_out", "%s（%s）已迁出，不能申请积分",
		                 "%s (%s) has moved out and cannot claim points", h.head_name, h.passbook_no);
	if (in->member_id) {
		st_member m;
		rc = store_member_get(st, in->member_id, ar, &m);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && m.household_id != h.id))
			return core_fail(err, CORE_INVALID, "invalid_member", "成员 %lld 不是 %s 家的成员",
			                 "member %lld is not a member of %s's household",
			                 (long long)in->member_id, h.head_name);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "成员", "member");
	}
	st_rule r;
	rc = store_rule_get(st, in->rule_id, ar, &r);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && r.village_id != in->village_id))
		return core_fail(err, CORE_INVALID, "invalid_rule", "细则（rule_id）不是本村的细则",
		                 "rule_id is not a rule of this village");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "细则", "rule");
	if (strcmp(r.status, "active") != 0)
		return core_fail(err, CORE_INVALID, "rule_retired", "细则“%s”已停用，请申请它的新版本",
		                 "rule \"%s\" is retired; claim its new version", r.name);
	if (!r.claimable)
		return core_fail(err, CORE_INVALID, "rule_not_claimable",
		                 "“%s”不接受村民申请，由评分小组记录",
		                 "\"%s\" cannot be claimed; the scoring group records it", r.name);
	if (r.evidence_required && in->nphotos == 0)
		return core_fail(err, CORE_INVALID, "evidence_required", "申请“%s”需要至少一张照片",
		                 "a claim for \"%s\" needs at least one photo", r.name);
	for (size_t i = 0; i < in->nphotos; i++) {
		st_photo p;
		rc = store_photo_get(st, in->village_id, in->photos[i], ar, &p);
		if (rc == STORE_NOT_FOUND)
			return core_fail(err, CORE_INVALID, "invalid_photo", "照片 %.16s… 不存在，请先上传",
			                 "photo %.16s… not found; upload it first", in->photos[i]);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "照片", "photo");
	}
	return CORE_OK;
}

/* The photo list as a JSON array, in the arena. */
static const char *photos_json(const claim_new *in, arena *ar)
{
	json_t *a = json_array();
	for (size_t i = 0; i < in->nphotos; i++)
		json_array_append_new(a, json_string(in->photos[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	const char *out = s ? arena_strdup(ar, s) : NULL;
	free(s);
	return out;
}

/* Completes the idempotency key with "claim:ID", writes the audit row and
 * commits; rolls back on failure. */
static core_status finish(store *st, const actor *who, int64_t village_id, int64_t id,
                          const char *action, const char *summary, const ledger_idem *idem,
                          core_err *err)
{
	if (ledger_idem_complete(st, idem, "claim", id, err) != CORE_OK) {
		store_rollback(st);
		return err->status;
	}
	return org_finish(st, who, village_id, "claim", id, action, summary, err);
}

core_status claim_file(store *st, const actor *who, const claim_new *in, const ledger_idem *idem,
                       int64_t *id, core_err *err)
{
	int64_t household = 0;
	if (claim_household(st, who, in, &household, err) != CORE_OK || check_new(in, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	core_status cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	cs = check_refs(st, in, household, &ar, err);
	if (cs == CORE_OK) /* a closed year takes no claims either */
		cs = yearend_check_date(st, in->village_id, in->deed_date, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	st_claim c = {
		.village_id = in->village_id, .household_id = household, .member_id = in->member_id,
		.rule_id = in->rule_id, .deed_date = in->deed_date, .description = in->description,
		.photos = photos_json(in, &ar), .quantity = in->quantity ? in->quantity : 1,
		.created_by = who->user->id, .created_at = time_now(),
	};
	store_rc rc = c.photos ? store_claim_create(st, &c, id) : STORE_ERROR;
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "申请", "claim");
		goto out;
	}
	char sum[160];
	snprintf(sum, sizeof(sum),
	         "{\"household_id\":%lld,\"rule_id\":%lld,\"deed_date\":\"%s\",\"photos\":%zu}",
	         (long long)household, (long long)in->rule_id, in->deed_date, in->nphotos);
	cs = finish(st, who, in->village_id, *id, "create", sum, idem, err);
out:
	arena_free(&ar);
	return cs;
}

core_status claim_get(store *st, const actor *who, int64_t id, arena *ar, st_claim *out,
                      core_err *err)
{
	store_rc rc = store_claim_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "申请", "claim");
	st_household h = {.id = out->household_id, .village_id = out->village_id};
	return access_household(st, who, &h, false, err);
}

core_status claim_list(store *st, const actor *who, st_claim_filter *f, arena *ar,
                       st_claim **out, size_t *n, int64_t *total, core_err *err)
{
	if (f->household_id) {
		st_household h;
		store_rc rc = store_household_get(st, f->household_id, ar, &h);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "户", "household");
		if (access_household(st, who, &h, false, err) != CORE_OK)
			return err->status;
		f->village_id = 0;
	} else if (access_village(st, who, f->village_id, ACCESS_STAFF, err) != CORE_OK) {
		return err->status;
	}
	store_rc rc = store_claim_list(st, f, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "申请", "claims");
}

/* Loads the claim (outside any transaction) and checks who may act on its village. */
static core_status load_for_review(store *st, const actor *who, int64_t id, arena *ar,
                                   st_claim *c, core_err *err)
{
	store_rc rc = store_claim_get(st, id, ar, c);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "申请", "claim");
	if (access_village(st, who, c->village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	return check_reviewer(who, c, err);
}

/* Inside the transaction: the claim as it is now, still open, reviewable by who. */
static core_status reread(store *st, const actor *who, int64_t id, arena *ar, st_claim *c,
                          core_err *err)
{
	store_rc rc = store_claim_get(st, id, ar, c);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "申请", "claim");
	if (!is_open(c->status))
		return core_fail(err, CORE_CONFLICT, "claim_decided", "这条申请已经审核完毕（%s）",
		                 "this claim has already been decided (%s)",
		                 strcmp(c->status, "approved") == 0 ? "approved" : "rejected");
	return check_reviewer(who, c, err);
}

/* The points per unit the first reviewer chooses, checked against the rule. */
static core_status choose_points(const st_rule *r, bool has_points, int64_t points,
                                 int64_t *per_unit, core_err *err)
{
	if (r->has_range) {
		if (!has_points)
			return core_fail(err, CORE_INVALID, "points_required",
			                 "“%s”需要在 %lld 到 %lld 分之间选定分值（points）",
			                 "\"%s\" needs points chosen between %lld and %lld", r->name,
			                 (long long)r->min_points, (long long)r->max_points);
		if (points < r->min_points || points > r->max_points)
			return core_fail(err, CORE_INVALID, "points_out_of_range",
			                 "“%s”的分值须在 %lld 到 %lld 之间",
			                 "\"%s\" points must be between %lld and %lld", r->name,
			                 (long long)r->min_points, (long long)r->max_points);
		*per_unit = points;
		return CORE_OK;
	}
	if (has_points && points != r->points)
		return core_fail(err, CORE_INVALID, "points_fixed", "“%s”的分值固定为 %lld，不能更改",
		                 "\"%s\" is worth exactly %lld points", r->name, (long long)r->points);
	*per_unit = r->points;
	return CORE_OK;
}

/* Posts the claim's entry with per_unit points; *entry_id is the new entry. */
static core_status post_entry(store *st, const actor *who, const st_claim *c, int64_t per_unit,
                              arena *ar, int64_t *entry_id, core_err *err)
{
	json_t *arr = json_loads(c->photos ? c->photos : "[]", 0, NULL);
	size_t n = json_array_size(arr);
	const char **ev = arena_alloc(ar, (n ? n : 1) * sizeof(*ev));
	bool ok = ev != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		const char *h = json_string_value(json_array_get(arr, i));
		ev[i] = arena_strdup(ar, h ? h : "");
		ok = ev[i] != NULL;
	}
	json_decref(arr);
	if (!ok)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	ledger_target t = {.household_id = c->household_id, .member_id = c->member_id};
	ledger_record_in in = {
		.village_id = c->village_id, .rule_id = c->rule_id, .targets = &t, .ntargets = 1,
		.has_points = true, .points = per_unit, .quantity = c->quantity,
		.deed_date = c->deed_date, .note = c->description, .evidence = ev, .nevidence = n,
		.claim_id = c->id, .approved_by = who->user->id, .batch_kind = "claim",
	};
	int64_t batch = 0;
	if (ledger_record_in_tx(st, who, &in, &batch, err) != CORE_OK)
		return err->status;
	st_entry_filter f = {.batch_id = batch, .limit = 1};
	st_entry *list = NULL;
	size_t cnt = 0;
	int64_t total = 0;
	store_rc rc = store_entry_list(st, &f, ar, &list, &cnt, &total);
	if (rc != STORE_OK || cnt != 1)
		return core_store_fail(err, rc == STORE_OK ? STORE_ERROR : rc, "账本记录", "entry");
	*entry_id = list[0].id;
	return CORE_OK;
}

/* The approval inside the transaction: first step, or posting. */
static core_status approve_in_tx(store *st, const actor *who, st_claim *c, bool has_points,
                                 int64_t points, arena *ar, claim_outcome *outcome,
                                 const char **action, char *sum, size_t sumcap, core_err *err)
{
	st_rule r;
	int64_t threshold = 0, per_unit = 0;
	store_rc rc = store_rule_get(st, c->rule_id, ar, &r);
	if (rc == STORE_OK)
		rc = store_village_second_review(st, c->village_id, &threshold);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "细则", "rule");
	const char *from = c->status;
	bool second = strcmp(from, "second_review") == 0;
	if (second) {
		if (has_points && points != c->first_points)
			return core_fail(err, CORE_INVALID, "points_mismatch",
			                 "复核只能确认第一位审核人选定的分值（每单位 %lld 分）；如有异议请驳回",
			                 "the second review confirms the first reviewer's points (%lld per unit); reject the claim if you disagree",
			                 (long long)c->first_points);
		per_unit = c->first_points;
	} else if (choose_points(&r, has_points, points, &per_unit, err) != CORE_OK) {
		return err->status;
	}
	int64_t total = per_unit * (c->quantity ? c->quantity : 1);
	st_claim upd = *c;
	upd.updated_at = time_now();
	if (!second && total > threshold) {
		upd.status = "second_review";
		upd.first_reviewer = who->user->id;
		upd.first_points = per_unit;
		*outcome = CLAIM_SECOND_REVIEW;
		*action = "approve_first";
	} else {
		if (post_entry(st, who, c, per_unit, ar, &upd.entry_id, err) != CORE_OK)
			return err->status;
		upd.status = "approved";
		if (second) {
			upd.second_reviewer = who->user->id;
		} else {
			upd.first_reviewer = who->user->id;
			upd.first_points = per_unit;
		}
		*outcome = CLAIM_POSTED;
		*action = "approve";
	}
	rc = store_claim_review(st, &upd, from);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "申请", "claim");
	snprintf(sum, sumcap, "{\"points\":%lld,\"threshold\":%lld,\"entry_id\":%lld}",
	         (long long)total, (long long)threshold, (long long)upd.entry_id);
	return CORE_OK;
}

core_status claim_approve(store *st, const actor *who, int64_t id, bool has_points,
                          int64_t points, const ledger_idem *idem, claim_outcome *outcome,
                          core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_claim c;
	const char *action = NULL;
	char sum[160];
	core_status cs = load_for_review(st, who, id, &ar, &c, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	/* re-read: a racing reviewer's decision is seen here */
	cs = reread(st, who, id, &ar, &c, err);
	if (cs == CORE_OK)
		cs = approve_in_tx(st, who, &c, has_points, points, &ar, outcome, &action, sum,
		                   sizeof(sum), err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	cs = finish(st, who, c.village_id, id, action, sum, idem, err);
out:
	arena_free(&ar);
	return cs;
}

core_status claim_reject(store *st, const actor *who, int64_t id, const char *reason,
                         const ledger_idem *idem, core_err *err)
{
	if (validate_text(err, "reason", "驳回原因", reason, 1, 200) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_claim c;
	char *sum = NULL;
	core_status cs = load_for_review(st, who, id, &ar, &c, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	cs = reread(st, who, id, &ar, &c, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	st_claim upd = c;
	upd.status = "rejected";
	upd.reject_reason = reason;
	upd.updated_at = time_now();
	if (strcmp(c.status, "second_review") == 0)
		upd.second_reviewer = who->user->id;
	else
		upd.first_reviewer = who->user->id;
	store_rc rc = store_claim_review(st, &upd, c.status);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "申请", "claim");
		goto out;
	}
	json_t *j = json_pack("{s:s}", "reason", reason);
	sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cs = finish(st, who, c.village_id, id, "reject", sum ? sum : "{}", idem, err);
out:
	free(sum);
	arena_free(&ar);
	return cs;
}
