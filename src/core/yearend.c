/*
 * yearend.c: closing a year and keeping it closed (see yearend.h).
 */
#include "core/yearend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/honours.h"
#include "core/org.h"
#include "util/timeutil.h"

core_status yearend_check_date(store *st, int64_t village_id, const char *deed_date,
                               core_err *err)
{
	if (!deed_date || strlen(deed_date) < 4)
		return CORE_OK; /* ledger_check_date refuses it */
	int64_t year = atoi(deed_date);
	bool closed = false;
	store_rc rc = store_year_closed(st, village_id, year, &closed);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "年终结算", "year end");
	if (closed)
		return core_fail(err, CORE_INVALID, "year_closed",
		                 "%lld 年已年终结算，不能再记入日期在该年的积分",
		                 "%lld has been closed; no points can be recorded with a date in it",
		                 (long long)year);
	return CORE_OK;
}

core_status yearend_check_open(store *st, const st_entry *e, core_err *err)
{
	if (yearend_check_date(st, e->village_id, e->deed_date, err) == CORE_OK)
		return CORE_OK;
	if (err->status == CORE_INVALID && strcmp(e->kind, "reversal") == 0) {
		long long year = atoll(e->deed_date);
		return core_fail(err, CORE_INVALID, "year_closed",
		                 "这条记录属于已年终结算的 %lld 年，不能再冲销或撤销；"
		                 "如需更正，请在本年度另行记分",
		                 "this entry belongs to %lld, which has been closed: it can no longer be "
		                 "reversed or cancelled; record a correction in the current year instead",
		                 year);
	}
	return err->status;
}

/* The state that forbids closing: closed already, a later year closed, entries pending. */
static core_status check_closable(store *st, int64_t village_id, int64_t year, core_err *err)
{
	bool closed = false;
	int64_t later = 0, pending = 0;
	char month[8] = "";
	store_rc rc = store_year_closed(st, village_id, year, &closed);
	if (rc == STORE_OK)
		rc = store_year_closed_after(st, village_id, year, &later);
	if (rc == STORE_OK)
		rc = store_year_pending(st, village_id, year, &pending, month);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "年终结算", "year end");
	if (closed)
		return core_fail(err, CORE_CONFLICT, "year_already_closed", "%lld 年已经年终结算过了",
		                 "%lld has already been closed", (long long)year);
	if (later)
		return core_fail(err, CORE_CONFLICT, "later_year_closed",
		                 "%lld 年已经结算，不能再结算更早的 %lld 年",
		                 "%lld has been closed, so the earlier %lld can no longer be closed",
		                 (long long)later, (long long)year);
	if (pending)
		return core_fail(err, CORE_CONFLICT, "year_pending",
		                 "还有 %lld 条 %lld 年及以前的积分未经公示确认（最早在 %s 月的公示中），"
		                 "请等公示期结束后再结算",
		                 "%lld entries dated in %lld or before are still pending (the earliest in "
		                 "the notice of %s); close the year once their notices are confirmed",
		                 (long long)pending, (long long)year, month);
	return CORE_OK;
}

/* Posts one confirmed year-end entry of points for the household. */
static core_status post_entry(store *st, const char *kind, int64_t village_id, int64_t household,
                              int64_t points, const char *deed_date, const char *month,
                              const char *note, int64_t batch, int64_t uid, arena *ar,
                              core_err *err)
{
	st_entry e = {.village_id = village_id, .household_id = household, .kind = kind,
	              .points = points, .quantity = 1, .deed_date = deed_date, .month = month,
	              .bucket = "confirmed", .note = note, .batch_id = batch, .recorded_by = uid};
	return ledger_post(st, &e, ar, err);
}

/* How much the clear policy takes from a household (see yearend.h). */
static int64_t cleared(const st_year_balance *b)
{
	if (b->year_end <= 0)
		return b->year_end;
	int64_t left = b->year_end - (b->spent_after > 0 ? b->spent_after : 0);
	if (left > b->confirmed)
		left = b->confirmed;
	return left > 0 ? left : 0;
}

/* Applies the balance policy through ledger entries; counts them in out. */
static core_status apply_policy(store *st, const actor *who, int64_t village_id, int64_t year,
                                const char *policy, arena *ar, yearend_result *out,
                                core_err *err)
{
	st_year_balance *bal = NULL;
	size_t n = 0;
	store_rc rc = store_year_balances(st, village_id, year, ar, &bal, &n);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "余额", "balances");
	bool carry = strcmp(policy, "carry_over") == 0;
	char last_day[16], first_day[16], today[11], month[8], note_clear[96], note_carry[96];
	snprintf(last_day, sizeof(last_day), "%04lld-12-31", (long long)(year % 10000));
	snprintf(first_day, sizeof(first_day), "%04lld-01-01", (long long)((year + 1) % 10000));
	time_today_cn(today);
	snprintf(month, sizeof(month), "%.7s", today);
	snprintf(note_clear, sizeof(note_clear), carry ? "%lld 年度余额结转至下年" : "%lld 年度余额清零",
	         (long long)year);
	snprintf(note_carry, sizeof(note_carry), "%lld 年度余额结转", (long long)year);
	int64_t uid = who->user ? who->user->id : 0;
	core_status cs = CORE_OK;
	for (size_t i = 0; cs == CORE_OK && i < n; i++) {
		int64_t amount = carry ? bal[i].year_end : cleared(&bal[i]);
		if (amount == 0)
			continue;
		if (!out->batch_id) {
			rc = store_batch_create(st, village_id, "year_end", uid, time_now(), &out->batch_id);
			if (rc != STORE_OK)
				return core_store_fail(err, rc, "年终结算", "year end");
		}
		cs = post_entry(st, "clearing", village_id, bal[i].household_id, -amount, last_day, month,
		                note_clear, out->batch_id, uid, ar, err);
		out->entries++;
		if (cs == CORE_OK && carry) {
			cs = post_entry(st, "carry_over", village_id, bal[i].household_id, amount, first_day,
			                month, note_carry, out->batch_id, uid, ar, err);
			out->entries++;
		}
	}
	return cs;
}

/* Everything a close writes, inside the open transaction. */
static core_status close_in_tx(store *st, const actor *who, int64_t village_id, int64_t year,
                               arena *ar, yearend_result *out, core_err *err)
{
	if (check_closable(st, village_id, year, err) != CORE_OK)
		return err->status;
	st_village v;
	store_rc rc = store_village_get(st, village_id, ar, &v);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "村", "village");
	int64_t now = time_now();
	rc = store_year_archive(st, village_id, year, &out->households);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "年度排名", "year ranking");
	if (honours_award(st, village_id, year, now, ar, &out->honours, err) != CORE_OK ||
	    apply_policy(st, who, village_id, year, v.balance_policy, ar, out, err) != CORE_OK)
		return err->status;
	/* recorded last: the year-end entries above are dated in the year being closed */
	st_year_close y = {.village_id = village_id, .year = year, .policy = v.balance_policy,
	                   .closed_by = who->user ? who->user->id : 0, .closed_at = now};
	rc = store_year_close_add(st, &y);
	if (rc == STORE_CONFLICT)
		return core_fail(err, CORE_CONFLICT, "year_already_closed", "%lld 年已经年终结算过了",
		                 "%lld has already been closed", (long long)year);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "年终结算", "year end");
	char sum[256];
	snprintf(sum, sizeof(sum),
	         "{\"year\":%lld,\"policy\":\"%s\",\"households\":%lld,\"honours\":%lld,"
	         "\"entries\":%lld}", (long long)year, v.balance_policy, (long long)out->households,
	         (long long)out->honours, (long long)out->entries);
	if (core_audit(st, who, village_id, "year", year, "close", sum) != STORE_OK)
		return core_store_fail(err, STORE_ERROR, "审计记录", "audit record");
	return CORE_OK;
}

core_status yearend_close(store *st, const actor *who, int64_t village_id, int64_t year,
                          const ledger_idem *idem, yearend_result *out, core_err *err)
{
	memset(out, 0, sizeof(*out));
	if (access_village(st, who, village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	/* it posts ledger entries: the village's own admin, as for recording */
	if (who->user && strcmp(who->user->role, "village_admin") != 0)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "只有村管理员可以进行年终结算",
		                 "only the village admin can close the year");
	char today[11];
	time_today_cn(today);
	if (year < 2000 || year >= atoi(today))
		return core_fail(err, CORE_INVALID, "year_not_ended",
		                 "%lld 年还没有结束，只能结算已经过去的年份",
		                 "%lld has not ended yet; only a past year can be closed", (long long)year);
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	core_status cs = close_in_tx(st, who, village_id, year, &ar, out, err);
	if (cs == CORE_OK)
		cs = ledger_idem_complete(st, idem, "year", year, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	store_rc rc = store_commit(st);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "年终结算", "year end");
	}
out:
	arena_free(&ar);
	return cs;
}

core_status yearend_get(store *st, const actor *who, int64_t village_id, int64_t year, arena *ar,
                        st_year_close *out, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = store_year_close_get(st, village_id, year, ar, out);
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_NOT_FOUND, "year_not_closed", "%lld 年还没有年终结算",
		                 "%lld has not been closed", (long long)year);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "年终结算", "year end");
}

core_status yearend_list(store *st, const actor *who, int64_t village_id, arena *ar,
                         st_year_close **out, size_t *n, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = store_year_close_list(st, village_id, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "年终结算", "year end");
}
