/*
 * verify.h: checking the ledger behind jifen's back. For every village: walks
 * the hash chain in order (sequence numbers without gaps, each entry's
 * prev_hash equal to the previous entry's hash, each hash equal to the hash of
 * the entry's contents, ids growing with the sequence, each reversal naming an
 * earlier entry of its household with the opposite points, the chain head equal
 * to the last entry), then compares every stored balance with the sum of the
 * household's entries, and every kept total of points earned (rankings) with
 * the entries that count as earned in its period.
 */
#ifndef JF_VERIFY_H
#define JF_VERIFY_H
#include "core/core.h"

#define VERIFY_MAX_PROBLEMS 50

typedef struct {
	int64_t villages, entries, households_with_bad_balance;
	int64_t bad_totals; /* (household, period) totals that differ from the entries */
	size_t nproblems; /* all problems found; the first VERIFY_MAX_PROBLEMS are kept */
	char problems[VERIFY_MAX_PROBLEMS][256];
	int64_t first_bad_entry; /* id of the first entry that fails, or 0 */
} verify_report;

/* Verifies every village (village_id 0) or one. CORE_OK means the check ran;
 * report->nproblems says whether the ledger is sound. */
core_status verify_ledger(store *st, int64_t village_id, verify_report *report, core_err *err);

#endif
