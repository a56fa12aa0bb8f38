/*
 * notices.c: publishing the monthly notice, objections and their settlement,
 * and the confirmation of a month whose window has closed (see notices.h).
 * Every write runs in one transaction with its audit row; the state it depends
 * on (the notice's status and window, the objection's status) is re-read inside
 * that transaction, so a settlement racing the scheduler, or two villagers
 * objecting to one entry at once, have exactly one effect.
 */
#include "core/notices.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "util/timeutil.h"

/* The actor of the automatic confirmation in the audit log. */
static const actor scheduler_actor = {.user = NULL, .ip = "scheduler"};

bool notice_month_valid(const char *s)
{
	char date[11];
	if (!s || strlen(s) != 7)
		return false;
	snprintf(date, sizeof(date), "%.7s-01", s);
	return time_valid_date(date) && strcmp(s, "2000-01") >= 0;
}

/* CORE_OK if who is the village's admin (or the operator, when operator_ok). */
static core_status check_village_admin(store *st, const actor *who, int64_t village_id,
                                       bool operator_ok, const char *what_zh, const char *what_en,
                                       core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (!who->user && operator_ok)
		return CORE_OK;
	if (!who->user || strcmp(who->user->role, "village_admin") != 0) {
		char zh[128], en[128];
		snprintf(zh, sizeof(zh), "只有本村的村管理员可以%s", what_zh);
		snprintf(en, sizeof(en), "only the village's admin can %s", what_en);
		return core_set(err, CORE_FORBIDDEN, "forbidden", zh, en);
	}
	return CORE_OK;
}

/* A compact JSON summary for the audit log (takes j); the caller frees it. */
static char *summary_of(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* Writes the audit row and commits; rolls back on failure. Frees summary. */
static core_status finish(store *st, const actor *who, int64_t village_id, const char *entity,
                          int64_t entity_id, const char *action, char *summary, core_err *err)
{
	core_status cs = summary ? org_finish(st, who, village_id, entity, entity_id, action,
	                                      summary, err)
	                         : core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	if (!summary)
		store_rollback(st);
	free(summary);
	return cs;
}

static core_status rollback_with(store *st, core_err *err, store_rc rc, const char *zh,
                                 const char *en)
{
	store_rollback(st);
	return core_store_fail(err, rc, zh, en);
}

/* ---- publishing --------------------------------------------------------- */

/* Inside the transaction: the month has no notice and is not confirmed yet. */
static core_status check_unpublished(store *st, int64_t village_id, const char *month, arena *ar,
                                     core_err *err)
{
	st_notice old;
	store_rc rc = store_notice_by_month(st, village_id, month, ar, &old);
	if (rc == STORE_OK)
		return core_fail(err, CORE_CONFLICT, "notice_exists", "%s 的公示已经发布过了（公示 %lld）",
		                 "the notice of %s has already been published (notice %lld)", month,
		                 (long long)old.id);
	if (rc != STORE_NOT_FOUND)
		return core_store_fail(err, rc, "公示", "notice");
	bool confirmed = false;
	rc = store_month_confirmed(st, village_id, month, &confirmed);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "月份", "month");
	if (confirmed)
		return core_fail(err, CORE_CONFLICT, "month_confirmed", "%s 的积分已经确认，不能再发布公示",
		                 "the points of %s are already confirmed; it cannot be published", month);
	return CORE_OK;
}

core_status notice_publish(store *st, const actor *who, int64_t village_id, const char *month,
                           int64_t day_seconds, int64_t *id, core_err *err)
{
	if (check_village_admin(st, who, village_id, true, "发布公示", "publish notices", err) !=
	    CORE_OK)
		return err->status;
	if (!notice_month_valid(month))
		return core_fail(err, CORE_INVALID, "invalid_month", "月份（month）须写成 YYYY-MM，如 2026-10",
		                 "month must be written YYYY-MM, e.g. 2026-10");
	char today[11];
	time_today_cn(today);
	if (strncmp(month, today, 7) >= 0)
		return core_fail(err, CORE_INVALID, "month_not_ended",
		                 "只能公示已经结束的月份：%s 还没有结束（今天是 %s）",
		                 "only a month that has ended can be published: %s has not (today is %s)",
		                 month, today);
	if (day_seconds <= 0)
		day_seconds = NOTICE_DAY_SECONDS;
	arena ar;
	arena_init(&ar, 0);
	core_status cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	st_village v;
	st_notice n = {.village_id = village_id, .month = month,
	               .published_by = who->user ? who->user->id : 0, .published_at = time_now()};
	char hash[STORE_HASH_HEX + 1];
	store_rc rc = store_village_get(st, village_id, &ar, &v);
	if (rc != STORE_OK) {
		cs = rollback_with(st, err, rc, "村", "village");
		goto out;
	}
	cs = check_unpublished(st, village_id, month, &ar, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	n.closes_at = n.published_at + v.notice_days * day_seconds;
	n.chain_hash = hash;
	rc = store_chain_head(st, village_id, &n.chain_seq, hash);
	if (rc == STORE_OK)
		rc = store_month_totals(st, village_id, month, &n.entry_count, &n.total_points);
	if (rc == STORE_OK)
		rc = store_notice_create(st, &n, id);
	if (rc == STORE_CONFLICT) {
		store_rollback(st);
		cs = core_fail(err, CORE_CONFLICT, "notice_exists", "%s 的公示已经发布过了",
		               "the notice of %s has already been published", month);
		goto out;
	}
	if (rc != STORE_OK) {
		cs = rollback_with(st, err, rc, "公示", "notice");
		goto out;
	}
	char closes[32];
	time_iso(n.closes_at, closes, sizeof(closes));
	cs = finish(st, who, village_id, "notice", *id, "publish",
	            summary_of(json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "month", month, "entries",
	                                 (json_int_t)n.entry_count, "points",
	                                 (json_int_t)n.total_points, "chain_seq",
	                                 (json_int_t)n.chain_seq, "chain_hash", hash, "closes_at",
	                                 closes)),
	            err);
out:
	arena_free(&ar);
	return cs;
}

/* ---- reading ------------------------------------------------------------ */

core_status notice_get(store *st, const actor *who, int64_t id, arena *ar, st_notice *out,
                       core_err *err)
{
	store_rc rc = store_notice_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "公示", "notice");
	return access_village(st, who, out->village_id, ACCESS_MEMBER, err);
}

core_status notice_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                        int64_t limit, arena *ar, st_notice **out, size_t *n, int64_t *total,
                        core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_notice_list(st, village_id, offset, limit, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "公示", "notices");
}

static int by_household_then_id(const void *a, const void *b)
{
	const st_entry *x = a, *y = b;
	if (x->household_id != y->household_id)
		return x->household_id < y->household_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Fills the lines, entries and objections of v for its notice. */
static core_status load_view(store *st, int64_t household_id, arena *ar, notice_view *v,
                             core_err *err)
{
	const st_notice *n = &v->notice;
	st_village vil;
	st_notice_household *hh = NULL;
	size_t nh = 0;
	store_rc rc = store_village_get(st, n->village_id, ar, &vil);
	if (rc == STORE_OK)
		rc = store_notice_households(st, n->village_id, n->month, household_id, ar, &hh, &nh);
	if (rc == STORE_OK)
		rc = store_notice_entries(st, n->village_id, n->month, household_id, ar, &v->entries,
		                          &v->nentries);
	if (rc == STORE_OK)
		rc = store_objection_list(st, n->id, NULL, ar, &v->objections, &v->nobjections);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "公示", "notice");
	v->village_name = vil.name;
	v->lines = arena_alloc(ar, (nh ? nh : 1) * sizeof(*v->lines));
	if (!v->lines)
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	/* the two reads are separate statements: match by household, not by position */
	if (v->nentries > 1)
		qsort(v->entries, v->nentries, sizeof(*v->entries), by_household_then_id);
	for (size_t i = 0; i < nh; i++) {
		notice_line *l = &v->lines[i];
		memset(l, 0, sizeof(*l));
		l->household = &hh[i];
		size_t lo = 0, hi = v->nentries;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (v->entries[mid].household_id < hh[i].household_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		l->entries = v->entries + lo;
		while (lo + l->nentries < v->nentries &&
		       v->entries[lo + l->nentries].household_id == hh[i].household_id) {
			l->points += v->entries[lo + l->nentries].points;
			l->nentries++;
		}
	}
	v->nlines = nh;
	return CORE_OK;
}

core_status notice_view_get(store *st, const actor *who, int64_t id, int64_t household_id,
                            arena *ar, notice_view *out, core_err *err)
{
	memset(out, 0, sizeof(*out));
	if (notice_get(st, who, id, ar, &out->notice, err) != CORE_OK)
		return err->status;
	return load_view(st, household_id, ar, out, err);
}

core_status notice_view_public(store *st, int64_t village_id, const char *month, arena *ar,
                               notice_view *out, core_err *err)
{
	memset(out, 0, sizeof(*out));
	st_village v;
	store_rc rc = store_village_get(st, village_id, ar, &v);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	if (month && !notice_month_valid(month))
		return core_fail(err, CORE_INVALID, "invalid_month", "月份（month）须写成 YYYY-MM",
		                 "month must be written YYYY-MM");
	rc = month ? store_notice_by_month(st, village_id, month, ar, &out->notice)
	           : store_notice_latest(st, village_id, ar, &out->notice);
	if (rc == STORE_NOT_FOUND)
		return month ? core_fail(err, CORE_NOT_FOUND, "not_found", "%s还没有发布 %s 的公示",
		                         "%s has not published the notice of %s", v.name, month)
		             : core_fail(err, CORE_NOT_FOUND, "not_found", "%s还没有发布任何公示",
		                         "%s has not published any notice yet", v.name);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "公示", "notice");
	return load_view(st, 0, ar, out, err);
}

/* ---- objections ---------------------------------------------------------- */

bool objection_author_visible(const actor *who, const st_objection *o)
{
	return !who->user || access_is_staff_role(who->user->role) || who->user->id == o->created_by;
}

/* Inside the transaction: the notice is open and the entry can be objected to. */
static core_status check_objectable(store *st, const st_notice *n, int64_t entry_id, arena *ar,
                                    st_entry *e, core_err *err)
{
	if (strcmp(n->status, "open") != 0 || time_now() >= n->closes_at)
		return core_fail(err, CORE_CONFLICT, "notice_closed",
		                 "%s 的公示期已经结束，不能再提出异议", "the notice of %s is closed to objections",
		                 n->month);
	store_rc rc = store_entry_get(st, entry_id, ar, e);
	if (rc == STORE_NOT_FOUND ||
	    (rc == STORE_OK && (e->village_id != n->village_id || strcmp(e->month, n->month) != 0)))
		return core_fail(err, CORE_INVALID, "invalid_entry", "记录 %lld 不在 %s 的公示里",
		                 "entry %lld is not part of the notice of %s", (long long)entry_id,
		                 n->month);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本记录", "entry");
	if (strcmp(e->kind, "reversal") == 0 || strcmp(e->kind, "redemption") == 0)
		return core_fail(err, CORE_INVALID, "entry_not_objectable",
		                 "冲销和兑换记录不能提出异议", "reversals and redemptions cannot be objected to");
	if (e->reversed_by)
		return core_fail(err, CORE_CONFLICT, "already_reversed",
		                 "这条记录已经被冲销（记录 %lld），无需再提异议",
		                 "this entry has already been reversed (entry %lld)",
		                 (long long)e->reversed_by);
	return CORE_OK;
}

core_status objection_file(store *st, const actor *who, int64_t notice_id, int64_t entry_id,
                           const char *reason, const ledger_idem *idem, int64_t *id,
                           core_err *err)
{
	if (validate_text(err, "reason", "异议理由", reason, 1, NOTICE_REASON_MAX) != CORE_OK)
		return err->status;
	if (!who->user || strcmp(who->user->role, "area_admin") == 0)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "异议由本村的村民或村干部提出",
		                 "objections are raised by the village's villagers and cadres");
	arena ar;
	arena_init(&ar, 0);
	st_notice n;
	st_entry e;
	core_status cs = notice_get(st, who, notice_id, &ar, &n, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	/* re-read inside the transaction: the scheduler may have confirmed it */
	store_rc rc = store_notice_get(st, notice_id, &ar, &n);
	if (rc != STORE_OK) {
		cs = rollback_with(st, err, rc, "公示", "notice");
		goto out;
	}
	cs = check_objectable(st, &n, entry_id, &ar, &e, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	st_objection o = {.village_id = n.village_id, .notice_id = n.id, .entry_id = e.id,
	                  .household_id = e.household_id, .reason = reason,
	                  .created_by = who->user->id, .created_at = time_now()};
	rc = store_objection_create(st, &o, id);
	if (rc == STORE_CONFLICT) {
		store_rollback(st);
		cs = core_fail(err, CORE_CONFLICT, "objection_open",
		               "这条记录已经有一条待处理的异议，请等待村管理员处理",
		               "this entry already has an open objection; wait for the village admin to settle it");
		goto out;
	}
	if (rc != STORE_OK) {
		cs = rollback_with(st, err, rc, "异议", "objection");
		goto out;
	}
	if (ledger_idem_complete(st, idem, "objection", *id, err) != CORE_OK) {
		store_rollback(st);
		cs = err->status;
		goto out;
	}
	cs = finish(st, who, n.village_id, "objection", *id, "create",
	            summary_of(json_pack("{s:I, s:s, s:I, s:I, s:I}", "notice_id", (json_int_t)n.id,
	                                 "month", n.month, "entry_id", (json_int_t)e.id,
	                                 "household_id", (json_int_t)e.household_id, "points",
	                                 (json_int_t)e.points)),
	            err);
out:
	arena_free(&ar);
	return cs;
}

core_status objection_get(store *st, const actor *who, int64_t id, arena *ar, st_objection *out,
                          core_err *err)
{
	store_rc rc = store_objection_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "异议", "objection");
	return access_village(st, who, out->village_id, ACCESS_MEMBER, err);
}

core_status objection_list(store *st, const actor *who, int64_t notice_id, const char *status,
                           arena *ar, st_objection **out, size_t *n, core_err *err)
{
	st_notice nt;
	if (notice_get(st, who, notice_id, ar, &nt, err) != CORE_OK)
		return err->status;
	store_rc rc = store_objection_list(st, notice_id, status, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "异议", "objections");
}

/* Inside the transaction: posts the reversal of the objection's entry in its own
 * month (the notice's, still open), with the resolution as its reason; an entry
 * reversed meanwhile is linked instead. *reversal_id is the reversal. */
static core_status post_reversal(store *st, const actor *who, const st_objection *o,
                                 const char *reason, arena *ar, int64_t *reversal_id,
                                 core_err *err)
{
	st_entry orig;
	store_rc rc = store_entry_get(st, o->entry_id, ar, &orig);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本记录", "entry");
	if (orig.reversed_by) {
		*reversal_id = orig.reversed_by;
		return CORE_OK;
	}
	int64_t batch = 0;
	int64_t uid = who->user->id;
	rc = store_batch_create(st, orig.village_id, "reversal", uid, time_now(), &batch);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本", "ledger");
	st_entry e = {
		.village_id = orig.village_id, .household_id = orig.household_id,
		.member_id = orig.member_id, .rule_id = orig.rule_id, .rule_version = orig.rule_version,
		.rule_lineage = orig.rule_lineage, .kind = "reversal", .points = -orig.points,
		.quantity = orig.quantity, .deed_date = orig.deed_date, .month = orig.month,
		.bucket = strcmp(orig.bucket, "confirmed") == 0 ? "confirmed" : "pending",
		.note = reason, .reverses_id = orig.id, .batch_id = batch, .recorded_by = uid,
	};
	if (ledger_post(st, &e, ar, err) != CORE_OK)
		return err->status;
	*reversal_id = e.id;
	char sum[160];
	snprintf(sum, sizeof(sum), "{\"reverses\":%lld,\"points\":%lld,\"objection\":%lld}",
	         (long long)orig.id, (long long)-orig.points, (long long)o->id);
	rc = core_audit(st, who, orig.village_id, "entry", e.id, "reverse", sum);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "审计记录", "audit record");
}

/* Inside the caller's transaction: confirms notice id if it is open, its window
 * closed at or before now and none of its objections is open (*done says
 * whether it did). who is written in the audit row. */
static core_status confirm_in_tx(store *st, const actor *who, int64_t id, int64_t now, arena *ar,
                                 bool *done, core_err *err)
{
	*done = false;
	st_notice n;
	int64_t open = 0, households = 0, points = 0;
	store_rc rc = store_notice_get(st, id, ar, &n);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "公示", "notice");
	if (strcmp(n.status, "open") != 0 || n.closes_at > now)
		return CORE_OK;
	rc = store_objection_open_count(st, id, &open);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "异议", "objections");
	if (open > 0)
		return CORE_OK;
	rc = store_month_confirm(st, n.village_id, n.month, now, &households, &points);
	if (rc == STORE_OK)
		rc = store_notice_set_confirmed(st, id, now);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "公示确认", "notice confirmation");
	char *sum = summary_of(json_pack("{s:s, s:I, s:I}", "month", n.month, "households",
	                                 (json_int_t)households, "points", (json_int_t)points));
	rc = sum ? core_audit(st, who, n.village_id, "notice", id, "confirm", sum) : STORE_ERROR;
	free(sum);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "审计记录", "audit record");
	*done = true;
	return CORE_OK;
}

core_status objection_settle(store *st, const actor *who, int64_t id, const char *outcome,
                             const char *resolution, const ledger_idem *idem, bool *confirmed,
                             core_err *err)
{
	bool done = false;
	if (confirmed)
		*confirmed = false;
	if (!outcome || (strcmp(outcome, "upheld") != 0 && strcmp(outcome, "dismissed") != 0))
		return core_fail(err, CORE_INVALID, "invalid_outcome",
		                 "处理结果（outcome）只能是 upheld（异议成立）或 dismissed（驳回）",
		                 "outcome must be upheld or dismissed");
	if (validate_text(err, "resolution", "处理说明", resolution, 1, NOTICE_REASON_MAX) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_objection o;
	core_status cs = CORE_OK;
	store_rc rc = store_objection_get(st, id, &ar, &o);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "异议", "objection");
		goto out;
	}
	cs = check_village_admin(st, who, o.village_id, false, "处理异议", "settle objections", err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	rc = store_objection_get(st, id, &ar, &o);
	if (rc != STORE_OK) {
		cs = rollback_with(st, err, rc, "异议", "objection");
		goto out;
	}
	if (strcmp(o.status, "open") != 0) {
		store_rollback(st);
		cs = core_fail(err, CORE_CONFLICT, "objection_settled", "这条异议已经处理过了（%s）",
		               "this objection has already been settled (%s)", o.status);
		goto out;
	}
	bool upheld = strcmp(outcome, "upheld") == 0;
	st_objection upd = o;
	upd.status = outcome;
	upd.resolution = resolution;
	upd.settled_by = who->user->id;
	upd.settled_at = time_now();
	if (upheld)
		cs = post_reversal(st, who, &o, resolution, &ar, &upd.reversal_entry_id, err);
	if (cs == CORE_OK) {
		rc = store_objection_settle(st, &upd);
		if (rc != STORE_OK)
			cs = core_store_fail(err, rc, "异议", "objection");
	}
	if (cs == CORE_OK)
		cs = confirm_in_tx(st, who, o.notice_id, time_now(), &ar, &done, err);
	if (cs == CORE_OK)
		cs = ledger_idem_complete(st, idem, "objection", id, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	cs = finish(st, who, o.village_id, "objection", id, "settle",
	            summary_of(json_pack("{s:s, s:s, s:I, s:I, s:o, s:b}", "outcome", outcome,
	                                 "resolution", resolution, "entry_id",
	                                 (json_int_t)o.entry_id, "notice_id",
	                                 (json_int_t)o.notice_id, "reversal_entry_id",
	                                 upd.reversal_entry_id ? json_integer(upd.reversal_entry_id)
	                                                       : json_null(),
	                                 "notice_confirmed", done)),
	            err);
	if (cs == CORE_OK && confirmed)
		*confirmed = done;
out:
	arena_free(&ar);
	return cs;
}

/* ---- automatic confirmation --------------------------------------------- */

core_status notices_confirm_due(store *st, int64_t now, int *count, core_err *err)
{
	if (count)
		*count = 0;
	arena ar;
	arena_init(&ar, 0);
	int64_t *ids = NULL;
	size_t n = 0;
	core_status first = CORE_OK;
	store_rc rc = store_notices_due(st, now, &ar, &ids, &n);
	if (rc != STORE_OK) {
		first = core_store_fail(err, rc, "公示", "notices");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		core_err e;
		bool done = false;
		core_status cs = org_begin(st, &e);
		if (cs == CORE_OK) {
			cs = confirm_in_tx(st, &scheduler_actor, ids[i], now, &ar, &done, &e);
			if (cs == CORE_OK && done) {
				rc = store_commit(st);
				if (rc != STORE_OK) {
					store_rollback(st);
					cs = core_store_fail(&e, rc, "公示确认", "notice confirmation");
				}
			} else {
				/* nothing to do (a racing settlement confirmed it), or a failure */
				store_rollback(st);
			}
		}
		if (cs == CORE_OK && done && count)
			(*count)++;
		if (cs != CORE_OK && first == CORE_OK) {
			*err = e;
			first = cs;
		}
	}
out:
	arena_free(&ar);
	return first;
}
