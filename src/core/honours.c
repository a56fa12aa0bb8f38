/*
 * honours.c: honour rules and the honours they award at year end (see
 * honours.h). The frozen tables (year_ranking, honours) are written only by
 * honours_award, inside the year end's transaction.
 */
#include "core/honours.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "util/timeutil.h"

/* Checks the kind-specific fields and writes the thresholds' JSON into buf. */
static core_status check_rule_shape(const honour_rule_in *in, char *buf, size_t cap,
                                    core_err *err)
{
	bool stars = in->kind && strcmp(in->kind, "stars") == 0;
	bool top = in->kind && strcmp(in->kind, "top") == 0;
	if (!stars && !top)
		return core_fail(err, CORE_INVALID, "invalid_kind",
		                 "kind 须为 stars（星级，按分数线）或 top（前 N 名）",
		                 "kind must be stars (by thresholds) or top (the top N)");
	if (validate_text(err, "title", "荣誉称号", in->title, 1, 40) != CORE_OK)
		return err->status;
	if (top) {
		if (in->thresholds)
			return core_fail(err, CORE_INVALID, "thresholds_not_allowed",
			                 "前 N 名的荣誉不用分数线（thresholds）",
			                 "a top-N honour takes no thresholds");
		if (!in->has_top_n || in->top_n < 1 || in->top_n > HONOUR_MAX_TOP)
			return core_fail(err, CORE_INVALID, "invalid_top_n", "名额（top_n）须在 1 到 %d 之间",
			                 "top_n must be between 1 and %d", HONOUR_MAX_TOP);
		snprintf(buf, cap, "[]");
		return CORE_OK;
	}
	if (in->has_top_n)
		return core_fail(err, CORE_INVALID, "top_n_not_allowed", "星级荣誉不用名额（top_n）",
		                 "a star honour takes no top_n");
	if (!in->thresholds || in->nthresholds != HONOUR_STARS)
		return core_fail(err, CORE_INVALID, "invalid_thresholds",
		                 "星级荣誉需要 %d 条分数线（thresholds），依次对应 1 到 %d 星",
		                 "a star honour needs %d thresholds, for 1 to %d stars", HONOUR_STARS,
		                 HONOUR_STARS);
	size_t used = 0;
	for (size_t i = 0; i < in->nthresholds; i++) {
		int64_t t = in->thresholds[i];
		if (t < 1 || t > HONOUR_MAX_THRESHOLD || (i > 0 && t <= in->thresholds[i - 1]))
			return core_fail(err, CORE_INVALID, "invalid_thresholds",
			                 "分数线须为从小到大的正整数（不超过 %d），每一星高于前一星",
			                 "thresholds must be ascending positive points (at most %d), "
			                 "each star above the one before", HONOUR_MAX_THRESHOLD);
		used += (size_t)snprintf(buf + used, cap - used, "%s%lld", i ? "," : "[",
		                         (long long)t);
	}
	snprintf(buf + used, cap - used, "]");
	return CORE_OK;
}

core_status honour_rule_create(store *st, const actor *who, int64_t village_id,
                               const honour_rule_in *in, int64_t *id, core_err *err)
{
	char thresholds[128];
	if (access_village(st, who, village_id, ACCESS_ADMIN, err) != CORE_OK ||
	    check_rule_shape(in, thresholds, sizeof(thresholds), err) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	arena ar;
	arena_init(&ar, 0);
	st_honour_rule *list = NULL;
	size_t n = 0;
	core_status cs = CORE_OK;
	/* inside the transaction: two admins adding the same title see each other */
	store_rc rc = store_honour_rule_list(st, village_id, "active", &ar, &list, &n);
	for (size_t i = 0; rc == STORE_OK && i < n; i++)
		if (strcmp(list[i].title, in->title) == 0)
			cs = core_fail(err, CORE_CONFLICT, "title_taken", "已有在用的荣誉“%s”，请先停用它",
			               "an active honour is already called \"%s\"; retire it first",
			               in->title);
	st_honour_rule r = {.village_id = village_id, .kind = in->kind, .title = in->title,
	                    .thresholds = thresholds, .top_n = in->has_top_n ? in->top_n : 0,
	                    .created_at = time_now()};
	if (rc == STORE_OK && cs == CORE_OK)
		rc = store_honour_rule_create(st, &r, id);
	if (rc != STORE_OK)
		cs = core_store_fail(err, rc, "荣誉规则", "honour rule");
	if (cs != CORE_OK) {
		store_rollback(st);
		goto out;
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:I}", "kind", in->kind, "title", in->title,
	                      "thresholds", thresholds, "top_n", (json_int_t)r.top_n);
	char *sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cs = org_finish(st, who, village_id, "honour_rule", *id, "create", sum ? sum : "{}", err);
	free(sum);
out:
	arena_free(&ar);
	return cs;
}

core_status honour_rule_get(store *st, const actor *who, int64_t id, arena *ar,
                            st_honour_rule *out, core_err *err)
{
	store_rc rc = store_honour_rule_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "荣誉规则", "honour rule");
	return access_village(st, who, out->village_id, ACCESS_MEMBER, err);
}

core_status honour_rule_list(store *st, const actor *who, int64_t village_id, arena *ar,
                             st_honour_rule **out, size_t *n, core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_honour_rule_list(st, village_id, NULL, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "荣誉规则", "honour rules");
}

core_status honour_rule_retire(store *st, const actor *who, int64_t id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_honour_rule r;
	store_rc rc = store_honour_rule_get(st, id, &ar, &r);
	core_status cs = rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "荣誉规则", "honour rule");
	if (cs == CORE_OK)
		cs = access_village(st, who, r.village_id, ACCESS_ADMIN, err);
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	rc = store_honour_rule_retire(st, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = rc == STORE_NOT_FOUND
		             ? core_fail(err, CORE_CONFLICT, "honour_rule_retired", "这条荣誉规则已经停用",
		                         "this honour rule is already retired")
		             : core_store_fail(err, rc, "荣誉规则", "honour rule");
		goto out;
	}
	cs = org_finish(st, who, r.village_id, "honour_rule", id, "retire", "{}", err);
out:
	arena_free(&ar);
	return cs;
}

/* The stars earned reaches: how many of the ascending thresholds it meets. */
static int64_t stars_for(json_t *thresholds, int64_t earned)
{
	int64_t stars = 0;
	size_t i;
	json_t *t;
	json_array_foreach(thresholds, i, t) {
		if (json_is_integer(t) && earned >= json_integer_value(t))
			stars++;
	}
	return stars;
}

core_status honours_award(store *st, int64_t village_id, int64_t year, int64_t at, arena *ar,
                          int64_t *count, core_err *err)
{
	st_honour_rule *rules = NULL;
	st_year_rank *ranked = NULL;
	size_t nrules = 0, nranked = 0;
	*count = 0;
	store_rc rc = store_honour_rule_list(st, village_id, "active", ar, &rules, &nrules);
	if (rc == STORE_OK)
		rc = store_year_ranking(st, village_id, year, ar, &ranked, &nranked);
	for (size_t r = 0; rc == STORE_OK && r < nrules; r++) {
		bool stars = strcmp(rules[r].kind, "stars") == 0;
		json_t *th = stars ? json_loads(rules[r].thresholds, 0, NULL) : NULL;
		for (size_t i = 0; rc == STORE_OK && i < nranked; i++) {
			st_honour h = {.village_id = village_id, .year = year,
			               .household_id = ranked[i].household_id, .rule_id = rules[r].id,
			               .title = rules[r].title, .rank = ranked[i].rank,
			               .earned = ranked[i].earned, .awarded_at = at};
			if (stars)
				h.stars = stars_for(th, ranked[i].earned);
			bool award = stars ? h.stars > 0
			                   : ranked[i].rank <= rules[r].top_n && ranked[i].earned > 0;
			if (!award)
				continue;
			rc = store_honour_add(st, &h);
			if (rc == STORE_OK)
				(*count)++;
		}
		json_decref(th);
	}
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "荣誉", "honours");
}

core_status honours_list(store *st, const actor *who, bool public_view, int64_t village_id,
                         int64_t *year, arena *ar, st_honour **out, size_t *n, bool *closed,
                         core_err *err)
{
	static const actor nobody = {.user = NULL, .ip = "public"};
	*out = NULL;
	*n = 0;
	*closed = false;
	if (access_village(st, public_view ? &nobody : who, village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = STORE_OK;
	if (*year == 0) {
		st_year_close *closes = NULL;
		size_t nc = 0;
		rc = store_year_close_list(st, village_id, ar, &closes, &nc);
		if (rc == STORE_OK && nc > 0)
			*year = closes[0].year;
	} else if (*year < 2000 || *year > 9999) {
		return core_fail(err, CORE_INVALID, "invalid_year", "年份（year）须在 2000 到 9999 之间",
		                 "year must be between 2000 and 9999");
	}
	if (rc == STORE_OK && *year)
		rc = store_year_closed(st, village_id, *year, closed);
	if (rc == STORE_OK && *closed)
		rc = store_honour_list(st, village_id, *year, ar, out, n);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "荣誉", "honours");
}
