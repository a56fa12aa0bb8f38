/*
 * ledger.h: the points ledger — the heart of jifen. Entries are append-only;
 * a mistake is corrected by a reversal that names the original. Every entry is
 * posted in the same transaction as the household's balance and the village's
 * chain head, so a balance is always the sum of its entries (invariant 1).
 *
 * Balances have two parts: *confirmed* (past the month's public notice, or
 * spending) and *pending*. Awards and deductions start pending; they become
 * confirmed when their month is confirmed (the notice issue).
 */
#ifndef JF_LEDGER_H
#define JF_LEDGER_H
#include "core/core.h"

#define LEDGER_MAX_TARGETS 500
#define LEDGER_MAX_QUANTITY 100
#define LEDGER_MAX_EVIDENCE 6

typedef struct {
	int64_t household_id;
	int64_t member_id; /* 0 = the household as a whole */
} ledger_target;

/* What a scorer records: one rule for one or many households. */
typedef struct {
	int64_t village_id;
	int64_t rule_id;
	const ledger_target *targets; /* the hand-picked households … */
	size_t ntargets;
	int64_t group_id;             /* … or every active household of a group */
	bool has_points;              /* points per unit chosen within the rule's range */
	int64_t points;
	int64_t quantity;             /* units (times, days, hours); 0 means 1 */
	const char *deed_date;        /* YYYY-MM-DD, not in the future */
	const char *note;
	const char *const *evidence;  /* photo hashes of the village */
	size_t nevidence;
	/* set by claims, activities and inspections, not by the API body */
	int64_t claim_id, activity_id, inspection_id;
	int64_t approved_by;
	const char *batch_kind;       /* "record" by default */
	int64_t batch_id;             /* post into this batch of the caller's (0 = a new one) */
	bool skip_recorder_check;     /* the caller checked the actor's right */
} ledger_record_in;

/* An idempotency key to complete inside the posting transaction (NULL = none). */
typedef struct {
	int64_t user_id;
	const char *key;
	const char *token; /* the claim's token (store_idem_claim) */
} ledger_idem;

/* Completes idem (if not NULL) with what the request created ("batch:12"),
 * inside the caller's transaction. CORE_CONFLICT if a retry took the key over
 * (the caller rolls back, so the request has exactly one effect). */
core_status ledger_idem_complete(store *st, const ledger_idem *idem, const char *kind,
                                 int64_t id, core_err *err);

/* Validates and posts one entry per target in one transaction. *batch_id names
 * the entries. Errors: CORE_INVALID (rule retired, points outside the range,
 * cap exceeded — with what is left —, future date, missing evidence, household
 * not active or of another village), CORE_FORBIDDEN, CORE_NOT_FOUND. */
core_status ledger_record(store *st, const actor *who, const ledger_record_in *in,
                          const ledger_idem *idem, int64_t *batch_id, core_err *err);
/* Same, inside a transaction the caller has open (claims, activities). */
core_status ledger_record_in_tx(store *st, const actor *who, const ledger_record_in *in,
                                int64_t *batch_id, core_err *err);
/* Posts a reversal of entry_id with a reason. Refuses a reversal of a reversal,
 * a second reversal, a redemption (cancel it instead) and a year end's carry-over
 * or clearing entry (CORE_CONFLICT), and an entry dated in a closed year
 * (CORE_INVALID year_closed). */
core_status ledger_reverse(store *st, const actor *who, int64_t entry_id, const char *reason,
                           const ledger_idem *idem, int64_t *batch_id, core_err *err);
/* Checks a deed date: a real date written YYYY-MM-DD, not after today (China
 * time), not before 2000. CORE_INVALID with the reason otherwise. */
core_status ledger_check_date(const char *date, core_err *err);
/* Appends e to its village's chain and updates the balance and the totals of
 * points earned (rank.h), inside the caller's transaction: fills seq, prev_hash,
 * hash, created_at and e->id. Refuses any entry dated in a closed year
 * (CORE_INVALID year_closed, yearend.h). */
core_status ledger_post(store *st, st_entry *e, arena *ar, core_err *err);
/* The notice month an entry dated deed_date goes into: its own month, or the
 * current month when its own is frozen — its notice has been published (open
 * or confirmed) or the month confirmed (a late entry). */
core_status ledger_target_month(store *st, int64_t village_id, const char *deed_date, char *month,
                                core_err *err);

#endif
