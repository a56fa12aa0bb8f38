/*
 * store_ledger.h: the store's interface for the points ledger: rules, entries
 * and their per-village hash chain, balances, idempotency keys, photos, claims,
 * activities and inspection rounds. Included by store.h; same conventions
 * (strings in the caller's arena, 0 ids mean none, writes inside the caller's
 * transaction).
 */
#ifndef JF_STORE_LEDGER_H
#define JF_STORE_LEDGER_H
#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

#define STORE_HASH_HEX 64

typedef struct {
	int64_t id, village_id, lineage_id, version;
	const char *category, *name, *unit, *recorders, *description, *status;
	int64_t points;
	bool has_range;
	int64_t min_points, max_points;
	int64_t cap_month, cap_year; /* 0 = no cap */
	bool evidence_required, claimable, used;
	int64_t created_by, created_at, retired_at;
} st_rule;

typedef struct {
	int64_t id, village_id, seq, household_id, member_id;
	int64_t rule_id, rule_version, rule_lineage;
	const char *kind; /* award deduction redemption reversal carry_over clearing adjustment */
	int64_t points, quantity;
	const char *deed_date, *month, *bucket, *note, *evidence;
	int64_t reverses_id, batch_id, claim_id, activity_id, inspection_id;
	int64_t recorded_by, approved_by, created_at;
	const char *prev_hash, *hash;
	/* filled by reads */
	const char *rule_name, *rule_category, *member_name, *recorded_by_name, *approved_by_name;
	const char *passbook_no, *head_name;
	int64_t reversed_by;     /* the entry that reverses this one, or 0 */
	bool confirmed;          /* confirmed now: its bucket, or its month's notice confirmed */
	int64_t running_balance; /* household lists only: the total after this entry */
} st_entry;

typedef struct {
	int64_t household_id, village_id;
	int64_t confirmed, pending, entry_count;
} st_balance;

/* ---- rules ------------------------------------------------------------ */

/* Creates a rule; lineage_id 0 starts a new lineage (the rule's own id). */
store_rc store_rule_create(store *st, const st_rule *r, int64_t *id);
store_rc store_rule_get(store *st, int64_t id, arena *ar, st_rule *out);
/* Rules of a village; status NULL = all. Ordered by category, name. */
store_rc store_rule_list(store *st, int64_t village_id, const char *status, arena *ar,
                         st_rule **out, size_t *n);
/* Rewrites an unused rule's fields (the schema refuses it for a used rule). */
store_rc store_rule_update(store *st, const st_rule *r);
store_rc store_rule_retire(store *st, int64_t id, int64_t at);
store_rc store_rule_mark_used(store *st, int64_t id);
/* Deletes an unused rule (the schema refuses it for a used rule). */
store_rc store_rule_delete(store *st, int64_t id);

/* ---- entries, chain, balances ----------------------------------------- */

store_rc store_batch_create(store *st, int64_t village_id, const char *kind, int64_t user_id,
                            int64_t at, int64_t *id);
/* The village's chain head: seq 0 and 64 zeros before the first entry. */
store_rc store_chain_head(store *st, int64_t village_id, int64_t *seq, char *hash_hex);
store_rc store_chain_head_set(store *st, int64_t village_id, int64_t seq, const char *hash_hex);
store_rc store_entry_insert(store *st, const st_entry *e, int64_t *id);
store_rc store_entry_get(store *st, int64_t id, arena *ar, st_entry *out);

typedef struct {
	int64_t household_id; /* one of household_id, batch_id, village_id */
	int64_t batch_id;
	int64_t village_id;
	const char *month; /* with village_id: entries of one notice month; NULL = all */
	int64_t offset, limit;
} st_entry_filter;

/* Entries newest first (household: with running balances). */
store_rc store_entry_list(store *st, const st_entry_filter *f, arena *ar, st_entry **out,
                          size_t *n, int64_t *total);
/* Sum of the points of a household's entries of a rule lineage with deed dates in
 * [from, to) (reversals included, so a reversed entry frees its cap). */
store_rc store_cap_sum(store *st, int64_t household_id, int64_t lineage, const char *from,
                       const char *to, int64_t *sum);
store_rc store_balance_get(store *st, int64_t household_id, st_balance *out);
store_rc store_balance_add(store *st, int64_t household_id, int64_t village_id,
                           int64_t d_confirmed, int64_t d_pending, int64_t at);
/* True if the village's month has been confirmed (its notice period ended). */
store_rc store_month_confirmed(store *st, int64_t village_id, const char *month, bool *yes);

/* Calls fn for every entry of the village in chain order; stops when fn returns false. */
typedef bool (*store_entry_fn)(const st_entry *e, void *ctx);
store_rc store_entry_walk(store *st, int64_t village_id, store_entry_fn fn, void *ctx);

typedef struct {
	int64_t household_id;
	int64_t stored_confirmed, stored_pending;
	int64_t ledger_confirmed, ledger_total;
} st_balance_check;
/* Households of the village whose stored balance differs from their entries. */
store_rc store_balance_mismatches(store *st, int64_t village_id, arena *ar,
                                  st_balance_check **out, size_t *n);
/* Every village id, ascending. */
store_rc store_village_ids(store *st, arena *ar, int64_t **out, size_t *n);

/* ---- idempotency keys ------------------------------------------------- */

typedef enum {
	IDEM_NEW,      /* claimed now: go ahead */
	IDEM_RUNNING,  /* another request with this key is running */
	IDEM_DONE,     /* finished: status/response/result_ref hold its outcome */
	IDEM_MISMATCH, /* the key was used with a different request */
} idem_state;

typedef struct {
	idem_state state;
	int status;
	const char *response;   /* the first response body, or NULL */
	const char *result_ref; /* what the request created ("batch:12"), or NULL */
	const char *token;      /* IDEM_NEW: this claim's token, needed to complete it */
} st_idem;

/* Claims (user, key) for a request whose hash is request_hash, in its own
 * transaction. A running claim older than stale_before is taken over: it gets a
 * new token, so the request that held it can no longer complete it. */
store_rc store_idem_claim(store *st, int64_t user_id, const char *key, const char *request_hash,
                          int64_t now, int64_t stale_before, arena *ar, st_idem *out);
/* Marks the key done with what it created, inside the caller's transaction.
 * STORE_CONFLICT if the claim is no longer this token's (it was taken over). */
store_rc store_idem_complete(store *st, int64_t user_id, const char *key, const char *token,
                             const char *result_ref);
/* Stores the response sent (status and body) if the claim is still token's. */
store_rc store_idem_set_response(store *st, int64_t user_id, const char *key, const char *token,
                                 int status, const char *response);
/* Forgets a claim still held by token (the request failed before changing anything). */
store_rc store_idem_release(store *st, int64_t user_id, const char *key, const char *token);
store_rc store_idem_purge(store *st, int64_t before);

/* ---- photos ----------------------------------------------------------- */

typedef struct {
	int64_t village_id;
	const char *hash, *mime;
	int64_t width, height, bytes, uploaded_by, created_at;
} st_photo;

store_rc store_photo_add(store *st, const st_photo *p);
store_rc store_photo_get(store *st, int64_t village_id, const char *hash, arena *ar, st_photo *out);

/* ---- activities and inspection rounds (sqlite_activity.c) -------------- */

typedef struct {
	int64_t id, village_id, rule_id;
	const char *name, *activity_date, *description;
	const char *status; /* open awarded cancelled */
	int64_t batch_id, created_by, created_at;
	/* filled by reads */
	const char *rule_name;
	int64_t rule_points, signup_count, attended_count;
} st_activity;

typedef struct {
	int64_t id, activity_id, village_id, household_id, member_id;
	bool attended;
	int64_t created_by, created_at;
	/* filled by reads */
	const char *passbook_no, *head_name, *member_name;
} st_signup;

typedef struct {
	int64_t id, village_id, group_id;
	const char *inspection_date, *status; /* open closed */
	int64_t created_by, created_at;
	/* filled by reads */
	const char *group_name;
	int64_t scored_count;
} st_inspection;

/* One household of a round: its score, or scored false. */
typedef struct {
	int64_t household_id;
	const char *passbook_no, *head_name;
	bool scored;
	int64_t points, batch_id, scored_by, scored_at;
} st_inspection_row;

store_rc store_activity_create(store *st, const st_activity *a, int64_t *id);
store_rc store_activity_get(store *st, int64_t id, arena *ar, st_activity *out);
/* A village's activities, newest activity date first. */
store_rc store_activity_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                             arena *ar, st_activity **out, size_t *n, int64_t *total);
/* Moves an open activity to awarded with its batch; STORE_NOT_FOUND if not open. */
store_rc store_activity_set_awarded(store *st, int64_t id, int64_t batch_id);
/* Adds a sign-up; STORE_CONFLICT if the household (or member) is already signed up. */
store_rc store_signup_add(store *st, const st_signup *s, int64_t *id);
/* The sign-ups of an activity (household_id 0 = all, else that household's), by id. */
store_rc store_signup_list(store *st, int64_t activity_id, int64_t household_id, arena *ar,
                           st_signup **out, size_t *n);
/* Marks a sign-up of the activity attended or not; STORE_NOT_FOUND if it is not one. */
store_rc store_signup_set_attended(store *st, int64_t activity_id, int64_t signup_id,
                                   bool attended);

store_rc store_inspection_create(store *st, const st_inspection *i, int64_t *id);
store_rc store_inspection_get(store *st, int64_t id, arena *ar, st_inspection *out);
/* A village's rounds, newest inspection date first. */
store_rc store_inspection_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                               arena *ar, st_inspection **out, size_t *n, int64_t *total);
/* Closes an open round; STORE_NOT_FOUND if it is not open. */
store_rc store_inspection_close(store *st, int64_t id);
/* The round's group's active households (and any household scored in it), by passbook. */
store_rc store_inspection_rows(store *st, const st_inspection *i, arena *ar,
                               st_inspection_row **out, size_t *n);
/* True in *yes if the household already has a score in the round. */
store_rc store_inspection_scored(store *st, int64_t inspection_id, int64_t household_id,
                                 bool *yes);
/* Records a household's score; STORE_CONFLICT if it already has one in the round. */
store_rc store_inspection_score_add(store *st, int64_t inspection_id, int64_t village_id,
                                    int64_t household_id, int64_t batch_id, int64_t points,
                                    int64_t user_id, int64_t at);

/* ---- claims and photo access (sqlite_claim.c) ------------------------- */

typedef struct {
	int64_t id, village_id, household_id, member_id, rule_id;
	const char *deed_date, *description;
	const char *photos; /* JSON array of photo hashes */
	const char *status; /* pending second_review approved rejected */
	int64_t quantity;
	int64_t first_reviewer, first_points; /* first_points: per unit, as approved */
	int64_t second_reviewer;
	const char *reject_reason;
	int64_t entry_id;
	int64_t created_by, created_at, updated_at;
	/* filled by reads */
	const char *rule_name, *rule_category, *passbook_no, *head_name, *member_name;
	const char *created_by_name, *first_reviewer_name, *second_reviewer_name;
	int64_t rule_points, entry_points;
} st_claim;

typedef struct {
	int64_t village_id;   /* one of village_id, household_id */
	int64_t household_id;
	const char *status;   /* NULL = all; "open" = pending or second_review; else that one */
	bool oldest_first;
	int64_t offset, limit;
} st_claim_filter;

store_rc store_claim_create(store *st, const st_claim *c, int64_t *id);
store_rc store_claim_get(store *st, int64_t id, arena *ar, st_claim *out);
store_rc store_claim_list(store *st, const st_claim_filter *f, arena *ar, st_claim **out,
                          size_t *n, int64_t *total);
/* Writes the review fields of c (status, reviewers, first_points, reject_reason,
 * entry_id, updated_at) if the claim's status is still from_status; else
 * STORE_NOT_FOUND. */
store_rc store_claim_review(store *st, const st_claim *c, const char *from_status);
/* The village's points threshold above which a claim needs a second reviewer. */
store_rc store_village_second_review(store *st, int64_t village_id, int64_t *points);
/* True in *yes if the household may see the village's photo: a user of the
 * household uploaded it, or one of its claims or entries names it. */
store_rc store_photo_household_sees(store *st, int64_t village_id, int64_t household_id,
                                    const char *hash, bool *yes);

#endif
