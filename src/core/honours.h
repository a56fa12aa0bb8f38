/*
 * honours.h: honour titles (荣誉) and the rules that award them at year end:
 * star households (星级文明户, 1–5 stars by the points earned in the year
 * against five ascending thresholds) and the top N (文明家庭, by the year's
 * rank, ties included). Rules are added and retired by the village admin,
 * never edited. Honours are awarded once, when the year closes (yearend.h),
 * into a frozen snapshot that later corrections cannot rewrite.
 */
#ifndef JF_HONOURS_H
#define JF_HONOURS_H
#include "core/core.h"

#define HONOUR_STARS 5
#define HONOUR_MAX_TOP 1000
#define HONOUR_MAX_THRESHOLD 1000000

/* A new rule: kind "stars" with HONOUR_STARS thresholds, or kind "top" with top_n. */
typedef struct {
	const char *kind, *title;
	const int64_t *thresholds; /* NULL = not given */
	size_t nthresholds;
	bool has_top_n;
	int64_t top_n;
} honour_rule_in;

/* Adds a rule to the village (its admin). Errors: CORE_INVALID (kind, title,
 * thresholds not 5 ascending positive points, top_n not 1..1000, a field of
 * the other kind), CORE_CONFLICT (an active rule has the title),
 * CORE_FORBIDDEN, CORE_NOT_FOUND. */
core_status honour_rule_create(store *st, const actor *who, int64_t village_id,
                               const honour_rule_in *in, int64_t *id, core_err *err);
/* A rule, for any user of its village. */
core_status honour_rule_get(store *st, const actor *who, int64_t id, arena *ar,
                            st_honour_rule *out, core_err *err);
/* The village's rules, active and retired, for any user of the village. */
core_status honour_rule_list(store *st, const actor *who, int64_t village_id, arena *ar,
                             st_honour_rule **out, size_t *n, core_err *err);
/* Retires a rule (its village's admin); CORE_CONFLICT if already retired. */
core_status honour_rule_retire(store *st, const actor *who, int64_t id, core_err *err);

/* Awards the honours of a closing year from the village's active rules and the
 * year's archived ranking, inside the caller's transaction: a star rule gives
 * each household as many stars as thresholds its earned points reach (none
 * below the first); a top rule every household ranked N or better (ties
 * included) that earned more than 0. *count says how many were awarded. */
core_status honours_award(store *st, int64_t village_id, int64_t year, int64_t at, arena *ar,
                          int64_t *count, core_err *err);

/* The honours of the village's year (*year 0: the latest closed year, written
 * back; it stays 0 when no year is closed). The public view needs no login (the
 * caller masks names); the staff view is for the village's staff and the area
 * admins above it. *closed says whether the year is closed (no honours if not). */
core_status honours_list(store *st, const actor *who, bool public_view, int64_t village_id,
                         int64_t *year, arena *ar, st_honour **out, size_t *n, bool *closed,
                         core_err *err);

#endif
