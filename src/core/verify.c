/*
 * verify.c: the ledger check (see verify.h).
 */
#include "core/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/chain.h"

typedef struct {
	store *st;
	verify_report *r;
	int64_t village_id;
	int64_t expect_seq;
	int64_t last_id; /* ids grow with seq: a swap of ids behind our back breaks this */
	char prev[STORE_HASH_HEX + 1];
} walk_ctx;

static void problem(verify_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(verify_report *r, const char *fmt, ...)
{
	if (r->nproblems < VERIFY_MAX_PROBLEMS) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->problems[r->nproblems], sizeof(r->problems[0]), fmt, ap);
		va_end(ap);
	}
	r->nproblems++;
}

/* A reversal must name an earlier entry of its village and household with the
 * opposite points that is not itself a reversal (the link is by id, which the
 * hash does not cover). */
static bool reversal_link_ok(store *st, const st_entry *e)
{
	arena ar;
	arena_init(&ar, 0);
	st_entry o;
	bool ok = store_entry_get(st, e->reverses_id, &ar, &o) == STORE_OK &&
	          o.village_id == e->village_id && o.household_id == e->household_id &&
	          o.seq < e->seq && o.points == -e->points && o.kind && strcmp(o.kind, "reversal") != 0;
	arena_free(&ar);
	return ok;
}

static bool check_entry(const st_entry *e, void *p)
{
	walk_ctx *w = p;
	verify_report *r = w->r;
	r->entries++;
	char hash[STORE_HASH_HEX + 1];
	bool bad = false;
	if (e->seq != w->expect_seq) {
		problem(r, "village %lld: entry %lld has sequence %lld where %lld was expected "
		        "(an entry is missing or was inserted)", (long long)w->village_id,
		        (long long)e->id, (long long)e->seq, (long long)w->expect_seq);
		bad = true;
	}
	if (!e->prev_hash || strcmp(e->prev_hash, w->prev) != 0) {
		problem(r, "village %lld: entry %lld (seq %lld) does not point at the previous entry's "
		        "hash (the chain is broken before it)", (long long)w->village_id,
		        (long long)e->id, (long long)e->seq);
		bad = true;
	}
	if (!chain_hash(e, hash) || !e->hash || strcmp(hash, e->hash) != 0) {
		problem(r, "village %lld: entry %lld (seq %lld) was altered: its contents no longer "
		        "match its hash", (long long)w->village_id, (long long)e->id, (long long)e->seq);
		bad = true;
	}
	if (e->id <= w->last_id) {
		problem(r, "village %lld: entry %lld (seq %lld) has a smaller id than the entry before "
		        "it (%lld): entry ids were changed", (long long)w->village_id, (long long)e->id,
		        (long long)e->seq, (long long)w->last_id);
		bad = true;
	}
	if (e->reverses_id && !reversal_link_ok(w->st, e)) {
		problem(r, "village %lld: entry %lld (seq %lld) reverses entry %lld, which is not an "
		        "earlier entry of the same household with the opposite points",
		        (long long)w->village_id, (long long)e->id, (long long)e->seq,
		        (long long)e->reverses_id);
		bad = true;
	}
	if (bad && !r->first_bad_entry)
		r->first_bad_entry = e->id;
	w->last_id = e->id;
	w->expect_seq = e->seq + 1;
	snprintf(w->prev, sizeof(w->prev), "%s", e->hash ? e->hash : "");
	return true;
}

static core_status verify_village(store *st, int64_t village_id, verify_report *r, core_err *err)
{
	walk_ctx w = {.st = st, .r = r, .village_id = village_id, .expect_seq = 1};
	memset(w.prev, '0', STORE_HASH_HEX);
	w.prev[STORE_HASH_HEX] = '\0';
	store_rc rc = store_entry_walk(st, village_id, check_entry, &w);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本", "ledger");
	int64_t head_seq = 0;
	char head[STORE_HASH_HEX + 1];
	rc = store_chain_head(st, village_id, &head_seq, head);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账本", "ledger");
	if (head_seq != w.expect_seq - 1 || strcmp(head, w.prev) != 0)
		problem(r, "village %lld: the chain head (seq %lld) does not match the last entry "
		        "(seq %lld): entries were removed or added behind jifen's back",
		        (long long)village_id, (long long)head_seq, (long long)(w.expect_seq - 1));
	arena ar;
	arena_init(&ar, 0);
	st_balance_check *bad = NULL;
	size_t n = 0;
	rc = store_balance_mismatches(st, village_id, &ar, &bad, &n);
	if (rc == STORE_OK) {
		for (size_t i = 0; i < n; i++)
			problem(r, "village %lld: household %lld has balance %lld confirmed + %lld pending, "
			        "but its entries add up to %lld confirmed + %lld pending",
			        (long long)village_id, (long long)bad[i].household_id,
			        (long long)bad[i].stored_confirmed, (long long)bad[i].stored_pending,
			        (long long)bad[i].ledger_confirmed,
			        (long long)(bad[i].ledger_total - bad[i].ledger_confirmed));
		r->households_with_bad_balance += (int64_t)n;
	}
	if (rc != STORE_OK) {
		arena_free(&ar);
		return core_store_fail(err, rc, "余额", "balances");
	}
	st_totals_check *off = NULL;
	rc = store_totals_mismatches(st, village_id, &ar, &off, &n);
	for (size_t i = 0; rc == STORE_OK && i < n; i++)
		problem(r, "village %lld: household %lld (%s %s) has %lld points earned kept for %s, "
		        "but its entries add up to %lld", (long long)village_id,
		        (long long)off[i].household_id, off[i].passbook_no ? off[i].passbook_no : "?",
		        off[i].head_name ? off[i].head_name : "?", (long long)off[i].stored,
		        off[i].period, (long long)off[i].ledger);
	if (rc == STORE_OK)
		r->bad_totals += (int64_t)n;
	arena_free(&ar);
	r->villages++;
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "积分累计", "totals");
}

core_status verify_ledger(store *st, int64_t village_id, verify_report *report, core_err *err)
{
	memset(report, 0, sizeof(*report));
	if (village_id)
		return verify_village(st, village_id, report, err);
	arena ar;
	arena_init(&ar, 0);
	int64_t *ids = NULL;
	size_t n = 0;
	store_rc rc = store_village_ids(st, &ar, &ids, &n);
	core_status cs = rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村", "villages");
	for (size_t i = 0; cs == CORE_OK && i < n; i++)
		cs = verify_village(st, ids[i], report, err);
	arena_free(&ar);
	return cs;
}
