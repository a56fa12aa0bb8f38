/*
 * inspections.c: inspection rounds and their household scores (see
 * inspections.h). A score re-reads the round and the household's score inside
 * its transaction, so two scorers at the same door create one score, not two.
 */
#include "core/inspections.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "util/timeutil.h"

/* CORE_OK if who is a scorer or an admin of the village (not a clerk, not a villager). */
static core_status check_scorer(store *st, const actor *who, int64_t village_id, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	if (who->user && strcmp(who->user->role, "clerk") == 0)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "只有评分员和村管理员可以做入户检查",
		                 "only scorers and village admins can run inspections");
	return CORE_OK;
}

/* Loads a round into out (strings in ar). CORE_NOT_FOUND if there is none. */
static core_status load(store *st, int64_t id, arena *ar, st_inspection *out, core_err *err)
{
	store_rc rc = store_inspection_get(st, id, ar, out);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "检查", "inspection round");
}

static core_status check_open(const st_inspection *i, core_err *err)
{
	if (strcmp(i->status, "open") == 0)
		return CORE_OK;
	return core_fail(err, CORE_CONFLICT, "inspection_closed", "%s %s 的入户检查已结束",
	                 "the inspection of %s on %s is closed", i->group_name, i->inspection_date);
}

/* Writes the audit row and commits; rolls back on failure. summary is freed. */
static core_status commit_audited(store *st, const actor *who, int64_t village_id, int64_t id,
                                  const char *action, json_t *summary, core_err *err)
{
	char *sum = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	core_status cs = org_finish(st, who, village_id, "inspection", id, action, sum, err);
	free(sum);
	return cs;
}

core_status inspection_create(store *st, const actor *who, const st_inspection *in, int64_t *id,
                              core_err *err)
{
	if (check_scorer(st, who, in->village_id, err) != CORE_OK)
		return err->status;
	char today[11];
	time_today_cn(today);
	if (!in->inspection_date || !time_valid_date(in->inspection_date) ||
	    strcmp(in->inspection_date, "2000-01-01") < 0)
		return core_fail(err, CORE_INVALID, "invalid_date",
		                 "检查日期（inspection_date）格式不对，应为 YYYY-MM-DD",
		                 "inspection_date must be a real date written YYYY-MM-DD");
	if (strcmp(in->inspection_date, today) > 0)
		return core_fail(err, CORE_INVALID, "future_date", "检查日期不能晚于今天（%s）",
		                 "the inspection date cannot be after today (%s)", today);
	arena ar;
	arena_init(&ar, 0);
	st_group g;
	core_status cs = CORE_OK;
	store_rc rc = store_group_get(st, in->group_id, &ar, &g);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && g.village_id != in->village_id))
		cs = core_fail(err, CORE_INVALID, "invalid_group", "村民小组（group_id）不属于这个村",
		               "group_id is not a group of this village");
	else if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "村民小组", "group");
	if (cs != CORE_OK || org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_inspection rec = *in;
	rec.created_by = who->user ? who->user->id : 0;
	rec.created_at = time_now();
	rc = store_inspection_create(st, &rec, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "检查", "inspection round");
		goto out;
	}
	cs = commit_audited(st, who, in->village_id, *id, "create",
	                    json_pack("{s:I, s:s, s:s}", "group_id", (json_int_t)g.id, "group",
	                              g.name, "inspection_date", in->inspection_date),
	                    err);
out:
	arena_free(&ar);
	return cs;
}

core_status inspection_get(store *st, const actor *who, int64_t id, arena *ar, st_inspection *out,
                           st_inspection_row **rows, size_t *n, core_err *err)
{
	if (load(st, id, ar, out, err) != CORE_OK || check_scorer(st, who, out->village_id, err) != CORE_OK)
		return err->status;
	store_rc rc = store_inspection_rows(st, out, ar, rows, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "户", "households");
}

core_status inspection_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                            int64_t limit, arena *ar, st_inspection **out, size_t *n,
                            int64_t *total, core_err *err)
{
	if (check_scorer(st, who, village_id, err) != CORE_OK)
		return err->status;
	store_rc rc = store_inspection_list(st, village_id, offset, limit, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "检查", "inspection rounds");
}

/* Checks the checklist's shape: 1..INSPECTION_MAX_ITEMS items, each rule once. */
static core_status check_items(const inspection_item *items, size_t n, core_err *err)
{
	if (n == 0 || n > INSPECTION_MAX_ITEMS)
		return core_fail(err, CORE_INVALID, "invalid_items",
		                 "检查项（items）须有 1 到 %d 项", "items must hold 1 to %d checklist items",
		                 INSPECTION_MAX_ITEMS);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (items[k].rule_id == items[i].rule_id)
				return core_fail(err, CORE_INVALID, "duplicate_item",
				                 "细则 %lld 在检查项中出现了两次",
				                 "rule %lld appears twice in the checklist",
				                 (long long)items[i].rule_id);
	return CORE_OK;
}

/* Inside the transaction: the round is open, the household is one of its group's
 * active households and has no score yet. */
static core_status check_household(store *st, const st_inspection *i, int64_t household_id,
                                   arena *ar, core_err *err)
{
	st_household h;
	store_rc rc = store_household_get(st, household_id, ar, &h);
	if (rc == STORE_NOT_FOUND ||
	    (rc == STORE_OK && (h.village_id != i->village_id || h.group_id != i->group_id)))
		return core_fail(err, CORE_INVALID, "household_not_in_group",
		                 "户 %lld 不是%s的户，不在这次检查的范围内",
		                 "household %lld is not in %s, the group of this round",
		                 (long long)household_id, i->group_name);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (strcmp(h.status, "active") != 0)
		return core_fail(err, CORE_INVALID, "household_moved_out", "%s（%s）已迁出，不能打分",
		                 "%s (%s) has moved out and cannot be scored", h.head_name,
		                 h.passbook_no);
	bool scored = false;
	rc = store_inspection_scored(st, i->id, household_id, &scored);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "检查", "inspection score");
	if (scored)
		return core_fail(err, CORE_CONFLICT, "already_scored",
		                 "%s（%s）在这次检查中已经打过分", "%s (%s) has already been scored in this round",
		                 h.head_name, h.passbook_no);
	return CORE_OK;
}

/* Posts one entry per item into batch_id; *sum receives their points. */
static core_status post_items(store *st, const actor *who, const st_inspection *i,
                              int64_t household_id, const inspection_item *items, size_t n,
                              int64_t batch_id, arena *ar, int64_t *sum, core_err *err)
{
	ledger_target t = {.household_id = household_id};
	char note[96];
	snprintf(note, sizeof(note), "入户环境检查（%s）", i->group_name ? i->group_name : "");
	for (size_t k = 0; k < n; k++) {
		int64_t b = 0;
		ledger_record_in in = {
			.village_id = i->village_id, .rule_id = items[k].rule_id, .targets = &t,
			.ntargets = 1, .has_points = items[k].has_points, .points = items[k].points,
			.deed_date = i->inspection_date, .note = note, .inspection_id = i->id,
			.batch_id = batch_id,
		};
		if (ledger_record_in_tx(st, who, &in, &b, err) != CORE_OK)
			return err->status;
	}
	st_entry_filter f = {.batch_id = batch_id, .limit = INSPECTION_MAX_ITEMS + 1};
	st_entry *list = NULL;
	size_t cnt = 0;
	int64_t total = 0;
	store_rc rc = store_entry_list(st, &f, ar, &list, &cnt, &total);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本记录", "entries");
	*sum = 0;
	for (size_t k = 0; k < cnt; k++)
		*sum += list[k].points;
	return CORE_OK;
}

core_status inspection_score(store *st, const actor *who, int64_t id, int64_t household_id,
                             const inspection_item *items, size_t nitems, const ledger_idem *idem,
                             int64_t *batch_id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_inspection i;
	int64_t uid = who->user ? who->user->id : 0, sum = 0, now = time_now();
	core_status cs = load(st, id, &ar, &i, err);
	if (cs == CORE_OK)
		cs = check_scorer(st, who, i.village_id, err);
	if (cs == CORE_OK)
		cs = check_items(items, nitems, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	cs = load(st, id, &ar, &i, err);
	if (cs == CORE_OK)
		cs = check_open(&i, err);
	if (cs == CORE_OK)
		cs = check_household(st, &i, household_id, &ar, err);
	store_rc rc = STORE_OK;
	if (cs == CORE_OK) {
		rc = store_batch_create(st, i.village_id, "inspection", uid, now, batch_id);
		if (rc != STORE_OK)
			cs = core_store_fail(err, rc, "记录", "batch");
	}
	if (cs == CORE_OK)
		cs = post_items(st, who, &i, household_id, items, nitems, *batch_id, &ar, &sum, err);
	if (cs == CORE_OK) {
		rc = store_inspection_score_add(st, i.id, i.village_id, household_id, *batch_id, sum,
		                                uid, now);
		if (rc == STORE_CONFLICT)
			cs = core_fail(err, CORE_CONFLICT, "already_scored",
			               "这户在这次检查中已经打过分", "this household has already been scored in this round");
		else if (rc != STORE_OK)
			cs = core_store_fail(err, rc, "检查", "inspection score");
	}
	if (cs == CORE_OK)
		cs = ledger_idem_complete(st, idem, "batch", *batch_id, err);
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	cs = commit_audited(st, who, i.village_id, i.id, "score",
	                    json_pack("{s:I, s:I, s:I, s:I}", "household_id", (json_int_t)household_id,
	                              "batch_id", (json_int_t)*batch_id, "items", (json_int_t)nitems,
	                              "points", (json_int_t)sum),
	                    err);
out:
	arena_free(&ar);
	return cs;
}

core_status inspection_close(store *st, const actor *who, int64_t id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_inspection i;
	core_status cs = load(st, id, &ar, &i, err);
	if (cs == CORE_OK)
		cs = check_scorer(st, who, i.village_id, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	store_rc rc = store_inspection_close(st, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		i.status = "closed"; /* not open any more: closed by a racing request */
		cs = rc == STORE_NOT_FOUND ? check_open(&i, err)
		                           : core_store_fail(err, rc, "检查", "inspection round");
		goto out;
	}
	cs = commit_audited(st, who, i.village_id, i.id, "close",
	                    json_pack("{s:I, s:s, s:I}", "group_id", (json_int_t)i.group_id,
	                              "inspection_date", i.inspection_date, "scored",
	                              (json_int_t)i.scored_count),
	                    err);
out:
	arena_free(&ar);
	return cs;
}
