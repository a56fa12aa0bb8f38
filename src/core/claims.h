/*
 * claims.h: villagers' claims for points (村民自主申请) and their review. A
 * villager (or a cadre on a household's behalf) claims a rule that allows
 * claims: the deed's date, a description, up to six photos. A scorer or the
 * village admin approves it — choosing the points within the rule's range —
 * which posts the ledger entry in the same transaction, or rejects it with a
 * reason the villager reads.
 *
 * Review rules:
 *   - reviewers are the village's scorers and village admins;
 *   - nobody reviews a claim of their own household (a cadre's home household,
 *     a villager's household) or a claim they filed themselves;
 *   - a claim worth more than the village's second_review_points needs two
 *     approvals by different reviewers: the first moves it to second_review with
 *     the chosen points, the second posts the entry with those points;
 *   - every decision re-reads the claim inside the write transaction, so two
 *     reviewers approving at once produce exactly one entry.
 *
 * This is not where caps and ranges are enforced for the entry: the ledger does
 * that when the entry is posted (ledger_record_in_tx).
 */
#ifndef JF_CLAIMS_H
#define JF_CLAIMS_H
#include "core/ledger.h"

#define CLAIM_MAX_PHOTOS LEDGER_MAX_EVIDENCE
#define CLAIM_MAX_DESCRIPTION 200

typedef struct {
	int64_t village_id;
	int64_t household_id; /* 0: the villager's own household */
	int64_t member_id;    /* 0: the household as a whole */
	int64_t rule_id;
	int64_t quantity;     /* 0 means 1 */
	const char *deed_date, *description;
	const char *const *photos; /* photo hashes of the village */
	size_t nphotos;
} claim_new;

/* What an approval did. */
typedef enum {
	CLAIM_POSTED,        /* approved: the entry is posted */
	CLAIM_SECOND_REVIEW, /* first approval recorded: a different reviewer must approve */
} claim_outcome;

/* Files a claim; *id is the new claim. Errors: CORE_INVALID (rule not claimable
 * or retired, bad or future date, household of another village, missing or
 * unknown photos, too many), CORE_FORBIDDEN (another household's claim, a shop
 * clerk), CORE_NOT_FOUND (no such village). The idempotency key (may be NULL) is
 * completed in the same transaction with "claim:ID". */
core_status claim_file(store *st, const actor *who, const claim_new *in, const ledger_idem *idem,
                       int64_t *id, core_err *err);
/* A claim who may see: its household's villager, the village's staff. */
core_status claim_get(store *st, const actor *who, int64_t id, arena *ar, st_claim *out,
                      core_err *err);
/* Claims of a village (staff) or of a household (its villager, staff): f names
 * one of them. */
core_status claim_list(store *st, const actor *who, st_claim_filter *f, arena *ar,
                       st_claim **out, size_t *n, int64_t *total, core_err *err);
/* Approves claim id. has_points/points: the points per unit, needed for a rule
 * with a range (and, when given for a fixed rule, equal to it); a second
 * approval keeps the first one's points. Errors: CORE_FORBIDDEN (not a reviewer,
 * own household, own claim, the same reviewer twice), CORE_CONFLICT (already
 * decided), CORE_INVALID (points, cap, retired rule: from the ledger). */
core_status claim_approve(store *st, const actor *who, int64_t id, bool has_points,
                          int64_t points, const ledger_idem *idem, claim_outcome *outcome,
                          core_err *err);
/* Rejects claim id with a reason the villager sees (1–200 characters). */
core_status claim_reject(store *st, const actor *who, int64_t id, const char *reason,
                         const ledger_idem *idem, core_err *err);
/* True if who could approve or reject the claim now (for the review queue). */
bool claim_can_review(const actor *who, const st_claim *c);

#endif
