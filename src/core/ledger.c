/*
 * ledger.c: recording, reversing and posting entries (see ledger.h). All checks
 * run inside the write transaction, so two requests racing for the same cap or
 * the same reversal see each other's effects.
 */
#include "core/ledger.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/chain.h"
#include "core/org.h"
#include "core/rank.h"
#include "core/rules.h"
#include "core/validate.h"
#include "core/yearend.h"
#include "util/timeutil.h"

static int64_t absv(int64_t v)
{
	return v < 0 ? -v : v;
}

core_status ledger_target_month(store *st, int64_t village_id, const char *deed_date, char *month,
                                core_err *err)
{
	memcpy(month, deed_date, 7);
	month[7] = '\0';
	/* frozen: its notice is published (open or confirmed) or the month confirmed */
	bool frozen = false;
	store_rc rc = store_month_frozen(st, village_id, month, &frozen);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "月份", "month");
	if (frozen) {
		char today[11];
		time_today_cn(today);
		memcpy(month, today, 7);
	}
	return CORE_OK;
}

core_status ledger_post(store *st, st_entry *e, arena *ar, core_err *err)
{
	char prev[STORE_HASH_HEX + 1], hash[STORE_HASH_HEX + 1];
	int64_t seq = 0;
	/* a closed year accepts no entry of any kind (yearend.h) */
	if (yearend_check_open(st, e, err) != CORE_OK)
		return err->status;
	store_rc rc = store_chain_head(st, e->village_id, &seq, prev);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本", "ledger");
	e->seq = seq + 1;
	e->prev_hash = prev;
	if (!e->created_at)
		e->created_at = time_now();
	if (!e->quantity)
		e->quantity = 1;
	if (!e->note)
		e->note = "";
	if (!e->evidence)
		e->evidence = "[]";
	if (!chain_hash(e, hash))
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	e->hash = arena_strdup(ar, hash);
	e->prev_hash = arena_strdup(ar, prev);
	if (!e->hash || !e->prev_hash)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	bool confirmed = strcmp(e->bucket, "confirmed") == 0;
	rc = store_entry_insert(st, e, &e->id);
	if (rc == STORE_OK)
		rc = store_chain_head_set(st, e->village_id, e->seq, e->hash);
	if (rc == STORE_OK)
		rc = store_balance_add(st, e->household_id, e->village_id, confirmed ? e->points : 0,
		                       confirmed ? 0 : e->points, e->created_at);
	if (rc == STORE_OK && e->rule_id)
		rc = store_rule_mark_used(st, e->rule_id);
	if (rc == STORE_CONFLICT)
		return core_fail(err, CORE_CONFLICT, "already_reversed", "这条记录已经被冲销过",
		                 "this entry has already been reversed");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本记录", "ledger entry");
	/* the points earned per period, for rankings (rank.h) */
	return rank_totals_post(st, e, ar, err);
}

core_status ledger_check_date(const char *date, core_err *err)
{
	if (!date || !time_valid_date(date))
		return core_fail(err, CORE_INVALID, "invalid_date", "日期格式不对，应为 YYYY-MM-DD",
		                 "the date must be a real date written YYYY-MM-DD");
	char today[11];
	time_today_cn(today);
	if (strcmp(date, today) > 0)
		return core_fail(err, CORE_INVALID, "future_date", "日期不能晚于今天（%s）",
		                 "the date cannot be after today (%s)", today);
	if (strcmp(date, "2000-01-01") < 0)
		return core_fail(err, CORE_INVALID, "invalid_date", "日期太早", "the date is too early");
	return CORE_OK;
}

/* Checks the month and year caps of the rule for one household. */
static core_status check_caps(store *st, const st_rule *r, const st_household *h,
                              const char *date, int64_t total, core_err *err)
{
	struct {
		int64_t cap;
		const char *zh, *en;
		char from[11], to[11];
	} periods[2] = {{r->cap_month, "本月", "this month", "", ""},
	                {r->cap_year, "本年", "this year", "", ""}};
	snprintf(periods[0].from, 11, "%.7s-01", date);
	time_next_month(date, periods[0].to);
	snprintf(periods[1].from, 11, "%.4s-01-01", date);
	/* the year is 2000..9999 (check_date); the bound lets -O2 see the text fits */
	snprintf(periods[1].to, 11, "%04u-01-01", (unsigned)(atoi(date) + 1) % 10000u);
	for (int i = 0; i < 2; i++) {
		if (!periods[i].cap)
			continue;
		int64_t used = 0;
		store_rc rc = store_cap_sum(st, h->id, r->lineage_id, periods[i].from, periods[i].to, &used);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "上限", "cap");
		int64_t after = absv(used + total);
		if (after > periods[i].cap) {
			int64_t left = periods[i].cap - absv(used);
			if (left < 0)
				left = 0;
			char zh[384], en[384];
			snprintf(zh, sizeof(zh), "%s（%s）“%s”%s上限 %lld 分，已记 %lld 分，还可记 %lld 分",
			         h->head_name, h->passbook_no, r->name, periods[i].zh,
			         (long long)periods[i].cap, (long long)absv(used), (long long)left);
			snprintf(en, sizeof(en),
			         "%s (%s): \"%s\" is capped at %lld points %s; %lld used, %lld left",
			         h->head_name, h->passbook_no, r->name, (long long)periods[i].cap,
			         periods[i].en, (long long)absv(used), (long long)left);
			return core_set(err, CORE_INVALID, "cap_exceeded", zh, en);
		}
	}
	return CORE_OK;
}

/* Loads the rule and checks it can be recorded now by who, with these points. */
static core_status check_rule(store *st, const actor *who, const ledger_record_in *in, arena *ar,
                              st_rule *r, int64_t *per_unit, core_err *err)
{
	store_rc rc = store_rule_get(st, in->rule_id, ar, r);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && r->village_id != in->village_id))
		return core_fail(err, CORE_INVALID, "invalid_rule", "细则（rule_id）不是本村的细则",
		                 "rule_id is not a rule of this village");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "细则", "rule");
	if (strcmp(r->status, "active") != 0)
		return core_fail(err, CORE_INVALID, "rule_retired", "细则“%s”已停用，请使用新版本",
		                 "rule \"%s\" is retired; use its new version", r->name);
	if (!in->skip_recorder_check && who->user && !rule_recorder_allowed(r, who->user->role))
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "您的角色不能记录“%s”",
		                 "your role may not record \"%s\"", r->name);
	*per_unit = r->points;
	if (r->has_range) {
		if (!in->has_points)
			return core_fail(err, CORE_INVALID, "points_required",
			                 "“%s”需要在 %lld 到 %lld 分之间选定分值（points）",
			                 "\"%s\" needs points chosen between %lld and %lld", r->name,
			                 (long long)r->min_points, (long long)r->max_points);
		if (in->points < r->min_points || in->points > r->max_points)
			return core_fail(err, CORE_INVALID, "points_out_of_range",
			                 "“%s”的分值须在 %lld 到 %lld 之间",
			                 "\"%s\" points must be between %lld and %lld", r->name,
			                 (long long)r->min_points, (long long)r->max_points);
		*per_unit = in->points;
	} else if (in->has_points && in->points != r->points) {
		return core_fail(err, CORE_INVALID, "points_fixed", "“%s”的分值固定为 %lld，不能更改",
		                 "\"%s\" is worth exactly %lld points", r->name, (long long)r->points);
	}
	int64_t q = in->quantity ? in->quantity : 1;
	if (q < 1 || q > LEDGER_MAX_QUANTITY)
		return core_fail(err, CORE_INVALID, "invalid_quantity", "数量（quantity）须在 1 到 %d 之间",
		                 "quantity must be between 1 and %d", LEDGER_MAX_QUANTITY);
	if (r->evidence_required && in->nevidence == 0)
		return core_fail(err, CORE_INVALID, "evidence_required", "“%s”需要上传照片作为凭证",
		                 "\"%s\" needs a photo as evidence", r->name);
	return CORE_OK;
}

/* Builds the evidence JSON array after checking each photo belongs to the village. */
static core_status evidence_json(store *st, const ledger_record_in *in, arena *ar,
                                 const char **out, core_err *err)
{
	if (in->nevidence > LEDGER_MAX_EVIDENCE)
		return core_fail(err, CORE_INVALID, "too_many_photos", "照片最多 %d 张",
		                 "at most %d photos", LEDGER_MAX_EVIDENCE);
	json_t *a = json_array();
	for (size_t i = 0; i < in->nevidence; i++) {
		st_photo p;
		store_rc rc = store_photo_get(st, in->village_id, in->evidence[i], ar, &p);
		if (rc != STORE_OK) {
			json_decref(a);
			if (rc == STORE_NOT_FOUND)
				return core_fail(err, CORE_INVALID, "invalid_photo",
				                 "照片 %.16s… 不存在，请先上传", "photo %.16s… not found; upload it first",
				                 in->evidence[i]);
			return core_store_fail(err, rc, "照片", "photo");
		}
		json_array_append_new(a, json_string(in->evidence[i]));
	}
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	*out = s ? arena_strdup(ar, s) : NULL;
	free(s);
	return *out ? CORE_OK : core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
}

/* The households to record: the list, or the group's active households. */
static core_status resolve_targets(store *st, const ledger_record_in *in, arena *ar,
                                   ledger_target **out, size_t *n, core_err *err)
{
	if (in->group_id) {
		if (in->ntargets)
			return core_fail(err, CORE_INVALID, "targets_conflict",
			                 "请只选择一种方式：村民小组（group_id）或户列表（households）",
			                 "give either group_id or households, not both");
		st_group g;
		store_rc rc = store_group_get(st, in->group_id, ar, &g);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && g.village_id != in->village_id))
			return core_fail(err, CORE_INVALID, "invalid_group", "村民小组（group_id）不属于这个村",
			                 "group_id is not a group of this village");
		st_household_filter f = {.village_id = in->village_id, .group_id = in->group_id,
		                         .status = "active", .limit = LEDGER_MAX_TARGETS + 1};
		st_household *hh = NULL;
		size_t cnt = 0;
		int64_t total = 0;
		if (rc == STORE_OK)
			rc = store_household_list(st, &f, ar, &hh, &cnt, &total);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "户", "households");
		ledger_target *t = arena_alloc(ar, (cnt ? cnt : 1) * sizeof(*t));
		if (!t)
			return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
		for (size_t i = 0; i < cnt; i++)
			t[i].household_id = hh[i].id;
		*out = t;
		*n = cnt;
	} else {
		*out = (ledger_target *)in->targets;
		*n = in->ntargets;
	}
	if (*n == 0)
		return core_fail(err, CORE_INVALID, "no_households", "没有选择任何户",
		                 "no households chosen");
	if (*n > LEDGER_MAX_TARGETS)
		return core_fail(err, CORE_INVALID, "too_many_households", "一次最多记录 %d 户",
		                 "at most %d households at once", LEDGER_MAX_TARGETS);
	for (size_t i = 0; i < *n; i++)
		for (size_t k = 0; k < i; k++)
			if ((*out)[k].household_id == (*out)[i].household_id &&
			    (*out)[k].member_id == (*out)[i].member_id)
				return core_fail(err, CORE_INVALID, "duplicate_household",
				                 "同一户（%lld）重复出现", "household %lld appears twice",
				                 (long long)(*out)[i].household_id);
	return CORE_OK;
}

/* Loads a target household (and member) and checks it belongs to the village. */
static core_status check_target(store *st, const ledger_record_in *in, const ledger_target *t,
                                arena *ar, st_household *h, core_err *err)
{
	store_rc rc = store_household_get(st, t->household_id, ar, h);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h->village_id != in->village_id))
		return core_fail(err, CORE_INVALID, "invalid_household", "户 %lld 不是本村的户",
		                 "household %lld is not a household of this village",
		                 (long long)t->household_id);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (strcmp(h->status, "active") != 0)
		return core_fail(err, CORE_INVALID, "household_moved_out", "%s（%s）已迁出，不能记分",
		                 "%s (%s) has moved out and cannot be scored", h->head_name,
		                 h->passbook_no);
	if (t->member_id) {
		st_member m;
		rc = store_member_get(st, t->member_id, ar, &m);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && m.household_id != h->id))
			return core_fail(err, CORE_INVALID, "invalid_member", "成员 %lld 不是 %s 家的成员",
			                 "member %lld is not a member of %s's household",
			                 (long long)t->member_id, h->head_name);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "成员", "member");
	}
	return CORE_OK;
}

core_status ledger_record_in_tx(store *st, const actor *who, const ledger_record_in *in,
                                int64_t *batch_id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_rule r;
	int64_t per_unit = 0;
	ledger_target *targets = NULL;
	size_t n = 0;
	const char *evidence = NULL;
	char month[8];
	core_status cs = ledger_check_date(in->deed_date, err);
	if (cs == CORE_OK)
		cs = yearend_check_date(st, in->village_id, in->deed_date, err);
	if (cs == CORE_OK)
		cs = check_rule(st, who, in, &ar, &r, &per_unit, err);
	if (cs == CORE_OK && in->note)
		cs = validate_text(err, "note", "备注", in->note, 0, 200);
	if (cs == CORE_OK)
		cs = evidence_json(st, in, &ar, &evidence, err);
	if (cs == CORE_OK)
		cs = resolve_targets(st, in, &ar, &targets, &n, err);
	if (cs == CORE_OK)
		cs = ledger_target_month(st, in->village_id, in->deed_date, month, err);
	if (cs != CORE_OK)
		goto out;
	int64_t q = in->quantity ? in->quantity : 1;
	int64_t total = per_unit * q;
	int64_t uid = who->user ? who->user->id : 0;
	store_rc rc = STORE_OK;
	if (in->batch_id)
		*batch_id = in->batch_id;
	else
		rc = store_batch_create(st, in->village_id, in->batch_kind ? in->batch_kind : "record",
		                        uid, time_now(), batch_id);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "记录", "batch");
		goto out;
	}
	for (size_t i = 0; i < n && cs == CORE_OK; i++) {
		st_household h;
		cs = check_target(st, in, &targets[i], &ar, &h, err);
		if (cs == CORE_OK)
			cs = check_caps(st, &r, &h, in->deed_date, total, err);
		if (cs != CORE_OK)
			break;
		st_entry e = {
			.village_id = in->village_id, .household_id = h.id, .member_id = targets[i].member_id,
			.rule_id = r.id, .rule_version = r.version, .rule_lineage = r.lineage_id,
			.kind = total > 0 ? "award" : "deduction", .points = total, .quantity = q,
			.deed_date = in->deed_date, .month = month, .bucket = "pending", .note = in->note,
			.evidence = evidence, .batch_id = *batch_id, .claim_id = in->claim_id,
			.activity_id = in->activity_id, .inspection_id = in->inspection_id,
			.recorded_by = uid, .approved_by = in->approved_by,
		};
		cs = ledger_post(st, &e, &ar, err);
	}
	if (cs == CORE_OK) {
		json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:s}", "rule_id", (json_int_t)r.id, "rule",
		                      r.name, "points", (json_int_t)total, "households", (json_int_t)n,
		                      "deed_date", in->deed_date);
		char *sum = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (core_audit(st, who, in->village_id, "batch", *batch_id, "record", sum) != STORE_OK)
			cs = core_store_fail(err, STORE_ERROR, "审计记录", "audit record");
		free(sum);
	}
out:
	arena_free(&ar);
	return cs;
}

core_status ledger_idem_complete(store *st, const ledger_idem *idem, const char *kind,
                                 int64_t id, core_err *err)
{
	if (!idem)
		return CORE_OK;
	char ref[48];
	snprintf(ref, sizeof(ref), "%s:%lld", kind, (long long)id);
	store_rc rc = store_idem_complete(st, idem->user_id, idem->key, idem->token, ref);
	if (rc == STORE_CONFLICT)
		return core_fail(err, CORE_CONFLICT, "request_in_progress",
		                 "这个请求已由一次重试接手处理，请查看重试的结果",
		                 "a retry of this request has taken it over; see the retry's result");
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "幂等键", "idempotency key");
}

/* Commits the open transaction (completing the idempotency key first). */
static core_status finish(store *st, const ledger_idem *idem, int64_t batch_id, core_err *err)
{
	if (ledger_idem_complete(st, idem, "batch", batch_id, err) != CORE_OK) {
		store_rollback(st);
		return err->status;
	}
	store_rc rc = store_commit(st);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "账本", "ledger");
	}
	return CORE_OK;
}

core_status ledger_record(store *st, const actor *who, const ledger_record_in *in,
                          const ledger_idem *idem, int64_t *batch_id, core_err *err)
{
	if (access_village(st, who, in->village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	if (who->user && strcmp(who->user->role, "clerk") == 0)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "积分超市管理员不能记分",
		                 "shop clerks cannot record points");
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	if (ledger_record_in_tx(st, who, in, batch_id, err) != CORE_OK) {
		store_rollback(st);
		return err->status;
	}
	return finish(st, idem, *batch_id, err);
}

core_status ledger_reverse(store *st, const actor *who, int64_t entry_id, const char *reason,
                           const ledger_idem *idem, int64_t *batch_id, core_err *err)
{
	if (validate_text(err, "reason", "冲销原因", reason, 1, 200) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_entry orig;
	core_status cs = CORE_OK;
	store_rc rc = store_entry_get(st, entry_id, &ar, &orig);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "账本记录", "entry");
		goto out;
	}
	if (access_village(st, who, orig.village_id, ACCESS_STAFF, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	/* as for recording: the village's scorers and admin, not the area admins above it */
	if (who->user && strcmp(who->user->role, "scorer") != 0 &&
	    strcmp(who->user->role, "village_admin") != 0) {
		cs = core_fail(err, CORE_FORBIDDEN, "forbidden", "只有评分员和村管理员可以冲销记录",
		               "only scorers and village admins can reverse entries");
		goto out;
	}
	if (org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	/* re-read inside the transaction: a racing reversal is seen here */
	rc = store_entry_get(st, entry_id, &ar, &orig);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "账本记录", "entry");
	} else if (strcmp(orig.kind, "reversal") == 0) {
		cs = core_fail(err, CORE_CONFLICT, "reversal_of_reversal",
		               "冲销记录本身不能再冲销", "a reversal cannot itself be reversed");
	} else if (orig.reversed_by) {
		cs = core_fail(err, CORE_CONFLICT, "already_reversed", "这条记录已经被冲销过（记录 %lld）",
		               "this entry has already been reversed (entry %lld)", (long long)orig.reversed_by);
	} else if (strcmp(orig.kind, "redemption") == 0) {
		cs = core_fail(err, CORE_CONFLICT, "use_cancel", "兑换记录请用“取消兑换”撤销",
		               "cancel a redemption instead of reversing it");
	} else if (strcmp(orig.kind, "carry_over") == 0 || strcmp(orig.kind, "clearing") == 0) {
		/* part of a closed year's settlement (yearend.h) */
		cs = core_fail(err, CORE_CONFLICT, "year_end_entry",
		               "年终结算的结转、清零记录不能冲销", "a year-end carry-over or clearing "
		               "entry cannot be reversed");
	}
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	bool month_done = false;
	rc = store_month_confirmed(st, orig.village_id, orig.month, &month_done);
	char month[8];
	if (month_done) {
		char today[11];
		time_today_cn(today);
		snprintf(month, sizeof(month), "%.7s", today);
	} else {
		snprintf(month, sizeof(month), "%s", orig.month);
	}
	int64_t uid = who->user ? who->user->id : 0;
	if (rc == STORE_OK)
		rc = store_batch_create(st, orig.village_id, "reversal", uid, time_now(), batch_id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "账本", "ledger");
		goto out;
	}
	bool orig_confirmed = strcmp(orig.bucket, "confirmed") == 0 || month_done;
	st_entry e = {
		.village_id = orig.village_id, .household_id = orig.household_id,
		.member_id = orig.member_id, .rule_id = orig.rule_id, .rule_version = orig.rule_version,
		.rule_lineage = orig.rule_lineage, .kind = "reversal", .points = -orig.points,
		.quantity = orig.quantity, .deed_date = orig.deed_date, .month = month,
		.bucket = orig_confirmed ? "confirmed" : "pending", .note = reason,
		.reverses_id = orig.id, .batch_id = *batch_id, .recorded_by = uid,
	};
	cs = ledger_post(st, &e, &ar, err);
	if (cs == CORE_OK) {
		char sum[160];
		snprintf(sum, sizeof(sum), "{\"reverses\":%lld,\"points\":%lld}", (long long)orig.id,
		         (long long)-orig.points);
		if (core_audit(st, who, orig.village_id, "entry", e.id, "reverse", sum) != STORE_OK)
			cs = core_store_fail(err, STORE_ERROR, "审计记录", "audit record");
	}
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	cs = finish(st, idem, *batch_id, err);
out:
	arena_free(&ar);
	return cs;
}
