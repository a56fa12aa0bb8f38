/*
 * Unit tests for src/core/verify.c: a clean ledger (records, a reversal, two
 * villages) verifies; then the ledger is broken behind jifen's back with raw
 * SQL — the append-only triggers dropped — and each break is found and named:
 * an altered entry (first_bad_entry), an altered entry whose hash was
 * recomputed (the next entry's link breaks), a whole rewritten tail (the chain
 * head), a deleted entry (a sequence gap), a deleted last entry, an inserted
 * entry, renumbered ids and a reversal pointing nowhere, and a balance that no
 * longer matches its entries (and the kept totals of points earned, which an
 * attacker must fix as well). The report keeps at most VERIFY_MAX_PROBLEMS
 * messages but counts them all.
 */
#include "check.h"
#include "core/chain.h"
#include "core/ledger.h"
#include "core/verify.h"
#include "ledger_fixture.h"

typedef struct {
	lworld w;
	int64_t rule, e[6]; /* v1: e[0..4] awards, e[5] the reversal of e[1]; */
	int64_t other;      /* the one entry of 腰堡村 */
} vworld;

static bool build(vworld *v)
{
	memset(v, 0, sizeof(*v));
	if (!lw_build(&v->w))
		return false;
	lworld *w = &v->w;
	v->rule = lw_rule(w, w->v1, "参加文体活动", 2, NULL);
	int64_t rule2 = lw_rule(w, w->v2, "植树", 3, NULL);
	char today[11];
	lw_today(today);
	const int64_t hh[5] = {w->h1, w->h2, w->h3, w->h1, w->h2};
	core_err err;
	int64_t b = 0;
	for (int i = 0; i < 5; i++) {
		ledger_target t = {.household_id = hh[i]};
		ledger_record_in in = {.village_id = w->v1, .rule_id = v->rule, .targets = &t,
		                       .ntargets = 1, .deed_date = today, .note = "广场舞比赛"};
		if (ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &b, &err) != CORE_OK)
			return false;
		v->e[i] = lw_int(w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)b);
	}
	if (ledger_reverse(w->st, &w->as[LW_ADMIN], v->e[1], "重复记录", NULL, &b, &err) != CORE_OK)
		return false;
	v->e[5] = lw_int(w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)b);
	ledger_target t = {.household_id = w->h_other};
	ledger_record_in in = {.village_id = w->v2, .rule_id = rule2, .targets = &t, .ntargets = 1,
	                       .deed_date = today};
	if (ledger_record(w->st, &w->as[LW_ADMIN2], &in, NULL, &b, &err) != CORE_OK)
		return false;
	v->other = lw_int(w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)b);
	return true;
}

static bool unlock(vworld *v)
{
	return lw_exec(&v->w, "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete") == 0;
}

/* True if one of the report's messages contains s (printing them all if not). */
static bool says(const verify_report *r, const char *s)
{
	size_t n = r->nproblems < VERIFY_MAX_PROBLEMS ? r->nproblems : VERIFY_MAX_PROBLEMS;
	for (size_t i = 0; i < n; i++)
		if (strstr(r->problems[i], s))
			return true;
	fprintf(stderr, "no problem says \"%s\"; the report:\n", s);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s\n", r->problems[i]);
	return false;
}

static void clean_ledger_verifies(void)
{
	vworld v;
	CHECK(build(&v));
	verify_report r;
	core_err err;
	CHECK_INT_EQ(verify_ledger(v.w.st, 0, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK_INT_EQ(r.villages, 2);
	CHECK_INT_EQ(r.entries, 7);
	CHECK_INT_EQ(r.first_bad_entry, 0);
	CHECK_INT_EQ(r.households_with_bad_balance, 0);
	CHECK_INT_EQ(verify_ledger(v.w.st, v.w.v2, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.villages, 1);
	CHECK_INT_EQ(r.entries, 1);
	CHECK_INT_EQ(r.nproblems, 0);
	/* a village without entries is sound too */
	int64_t v3 = fx_village(v.w.st, v.w.town, "平顶堡村");
	CHECK(v3);
	CHECK_INT_EQ(verify_ledger(v.w.st, v3, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	CHECK_INT_EQ(r.entries, 0);
	/* a month confirmed with its balances moved is still sound */
	char today[11];
	lw_today(today);
	CHECK_INT_EQ(lw_exec(&v.w, "INSERT INTO confirmed_months VALUES (%lld, '%.7s', 1);"
	                           " UPDATE balances SET confirmed = confirmed + pending, pending = 0"
	                           " WHERE village_id = %lld", (long long)v.w.v1, today,
	                     (long long)v.w.v1),
	             0);
	CHECK_INT_EQ(verify_ledger(v.w.st, 0, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	lw_done(&v.w);
}

static void the_append_only_triggers_hold(void)
{
	vworld v;
	CHECK(build(&v));
	char sql[128], msg[256];
	snprintf(sql, sizeof(sql), "UPDATE entries SET points = 100 WHERE id = %lld", (long long)v.e[2]);
	CHECK(fx_exec(v.w.db.path, sql, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "append-only") != NULL);
	snprintf(sql, sizeof(sql), "DELETE FROM entries WHERE id = %lld", (long long)v.e[2]);
	CHECK(fx_exec(v.w.db.path, sql, msg, sizeof(msg)) != 0);
	CHECK(strstr(msg, "append-only") != NULL);
	CHECK_INT_EQ(lw_int(&v.w, "SELECT points FROM entries WHERE id = %lld", (long long)v.e[2]), 2);
	lw_done(&v.w);
}

/* The table of breaks: each names what verify must report. */
static void tampering_is_found(void)
{
	enum { ALTER, ALTER_NOTE, ALTER_DATE, DELETE_MID, DELETE_LAST, RELINK, BALANCE, NCASES };
	const char *const names[NCASES] = {"alter points", "alter note", "alter deed date",
	                                   "delete a middle entry", "delete the last entry",
	                                   "reversal relinked", "balance"};
	for (int c = 0; c < NCASES; c++) {
		vworld v;
		CHECK(build(&v));
		CHECK(unlock(&v));
		lworld *w = &v.w;
		int64_t want_first = 0;
		const char *msg = NULL;
		bool bad_balance = false;
		switch (c) {
		case ALTER: /* 2 → 20 points for 李春生 */
			CHECK_INT_EQ(lw_exec(w, "UPDATE entries SET points = 20 WHERE id = %lld",
			                     (long long)v.e[2]), 0);
			want_first = v.e[2];
			msg = "was altered";
			bad_balance = true;
			break;
		case ALTER_NOTE:
			CHECK_INT_EQ(lw_exec(w, "UPDATE entries SET note = '广场舞比赛一等奖' WHERE id = %lld",
			                     (long long)v.e[3]), 0);
			want_first = v.e[3];
			msg = "was altered";
			break;
		case ALTER_DATE:
			CHECK_INT_EQ(lw_exec(w, "UPDATE entries SET deed_date = '2024-01-01' WHERE id = %lld",
			                     (long long)v.e[0]), 0);
			want_first = v.e[0];
			msg = "was altered";
			break;
		case DELETE_MID: /* the entry after the gap is the first to fail */
			CHECK_INT_EQ(lw_exec(w, "DELETE FROM entries WHERE id = %lld", (long long)v.e[2]),
			             0);
			want_first = v.e[3];
			msg = "an entry is missing";
			bad_balance = true;
			break;
		case DELETE_LAST: /* every remaining entry is fine: only the head tells */
			CHECK_INT_EQ(lw_exec(w, "DELETE FROM entries WHERE id = %lld", (long long)v.e[5]),
			             0);
			want_first = 0;
			msg = "does not match the last entry";
			bad_balance = true;
			break;
		case RELINK: /* renumber the reversed entry: ids no longer grow, the link dangles */
			CHECK_INT_EQ(lw_exec(w, "PRAGMA foreign_keys = OFF;"
			                        " UPDATE entries SET id = 900 WHERE id = %lld",
			                     (long long)v.e[1]), 0);
			want_first = v.e[2];
			msg = "reverses entry";
			break;
		case BALANCE:
			CHECK_INT_EQ(lw_exec(w, "UPDATE balances SET pending = pending + 5 WHERE"
			                        " household_id = %lld", (long long)w->h2), 0);
			want_first = 0;
			bad_balance = true;
			break;
		}
		verify_report r;
		core_err err;
		CHECK_INT_EQ(verify_ledger(w->st, 0, &r, &err), CORE_OK);
		if (r.nproblems == 0 || r.first_bad_entry != want_first ||
		    (r.households_with_bad_balance > 0) != bad_balance)
			fprintf(stderr, "case %s: %zu problems, first bad %lld (want %lld), %lld bad balances\n",
			        names[c], r.nproblems, (long long)r.first_bad_entry, (long long)want_first,
			        (long long)r.households_with_bad_balance);
		CHECK(r.nproblems > 0);
		CHECK_INT_EQ(r.first_bad_entry, want_first);
		CHECK_INT_EQ(r.households_with_bad_balance > 0, bad_balance);
		if (msg)
			CHECK(says(&r, msg));
		if (c == RELINK) {
			CHECK(says(&r, "smaller id"));
			char s[64];
			snprintf(s, sizeof(s), "reverses entry %lld", (long long)v.e[1]);
			CHECK(says(&r, s));
		}
		if (bad_balance && c == BALANCE) {
			char s[64];
			snprintf(s, sizeof(s), "household %lld has balance", (long long)w->h2);
			CHECK(says(&r, s));
			CHECK_INT_EQ(r.households_with_bad_balance, 1);
			CHECK_INT_EQ(r.nproblems, 1);
		}
		/* the other village is untouched and still verifies on its own */
		CHECK_INT_EQ(verify_ledger(w->st, w->v2, &r, &err), CORE_OK);
		CHECK_INT_EQ(r.nproblems, 0);
		lw_done(w);
	}
}

/* An attacker who knows the encoding recomputes the hash of what they changed:
 * the next entry's link breaks; rewriting the whole tail leaves only the chain
 * head to tell; an entry appended behind jifen's back is caught the same way. */
static void rehashing_does_not_hide_it(void)
{
	vworld v;
	CHECK(build(&v));
	CHECK(unlock(&v));
	lworld *w = &v.w;
	arena ar;
	arena_init(&ar, 0);
	/* e[2] gets 20 points and a matching hash */
	st_entry e;
	CHECK_INT_EQ(store_entry_get(w->st, v.e[2], &ar, &e), STORE_OK);
	e.points = 20;
	char h[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&e, h));
	CHECK_INT_EQ(lw_exec(w, "UPDATE entries SET points = 20, hash = '%s' WHERE id = %lld", h,
	                     (long long)v.e[2]), 0);
	CHECK_INT_EQ(lw_exec(w, "UPDATE balances SET pending = pending + 18 WHERE household_id = %lld",
	                     (long long)w->h3), 0);
	/* a careful attacker fixes the kept totals of points earned too */
	CHECK_INT_EQ(lw_exec(w, "UPDATE totals SET earned = earned + 18 WHERE household_id = %lld",
	                     (long long)w->h3), 0);
	verify_report r;
	core_err err;
	CHECK_INT_EQ(verify_ledger(w->st, w->v1, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.first_bad_entry, v.e[3]);
	CHECK(says(&r, "does not point at the previous entry's hash"));
	CHECK_INT_EQ(r.households_with_bad_balance, 0);
	/* rewrite every later entry too: the chain is whole, but the head remembers */
	char prev[STORE_HASH_HEX + 1];
	snprintf(prev, sizeof(prev), "%s", h);
	for (int i = 3; i < 6; i++) {
		CHECK_INT_EQ(store_entry_get(w->st, v.e[i], &ar, &e), STORE_OK);
		e.prev_hash = prev;
		CHECK(chain_hash(&e, h));
		CHECK_INT_EQ(lw_exec(w, "UPDATE entries SET prev_hash = '%s', hash = '%s' WHERE id = %lld",
		                     prev, h, (long long)v.e[i]), 0);
		snprintf(prev, sizeof(prev), "%s", h);
	}
	CHECK_INT_EQ(verify_ledger(w->st, w->v1, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.first_bad_entry, 0);
	CHECK_INT_EQ(r.nproblems, 1);
	CHECK(says(&r, "the chain head (seq 6) does not match the last entry (seq 6)"));
	/* and rewriting the head as well is what only an outside copy of it can catch */
	CHECK_INT_EQ(lw_exec(w, "UPDATE chain_heads SET hash = '%s' WHERE village_id = %lld", prev,
	                     (long long)w->v1), 0);
	CHECK_INT_EQ(verify_ledger(w->st, w->v1, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.nproblems, 0);
	arena_free(&ar);
	lw_done(w);
}

static void appended_entry_is_found(void)
{
	vworld v;
	CHECK(build(&v));
	lworld *w = &v.w;
	arena ar;
	arena_init(&ar, 0);
	st_entry e;
	CHECK_INT_EQ(store_entry_get(w->st, v.e[5], &ar, &e), STORE_OK);
	/* a copy of e[0] as seq 7, properly chained and hashed */
	st_entry x;
	CHECK_INT_EQ(store_entry_get(w->st, v.e[0], &ar, &x), STORE_OK);
	x.seq = 7;
	x.prev_hash = e.hash;
	x.points = 50;
	char h[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&x, h));
	CHECK_INT_EQ(lw_exec(w, "INSERT INTO entries(village_id, seq, household_id, rule_id,"
	                        " rule_version, rule_lineage, kind, points, quantity, deed_date,"
	                        " month, bucket, note, evidence, batch_id, recorded_by, created_at,"
	                        " prev_hash, hash) SELECT village_id, 7, household_id, rule_id,"
	                        " rule_version, rule_lineage, kind, 50, quantity, deed_date, month,"
	                        " bucket, note, evidence, batch_id, recorded_by, created_at, '%s', '%s'"
	                        " FROM entries WHERE id = %lld",
	                     e.hash, h, (long long)v.e[0]),
	             0);
	verify_report r;
	core_err err;
	CHECK_INT_EQ(verify_ledger(w->st, w->v1, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.entries, 7);
	CHECK_INT_EQ(r.first_bad_entry, 0); /* the entry itself is well formed … */
	CHECK(says(&r, "entries were removed or added")); /* … but the head is at 6 */
	CHECK_INT_EQ(r.households_with_bad_balance, 1);   /* and 于洪军's balance lacks 50 */
	CHECK_INT_EQ(r.bad_totals, 3);                    /* as do his year, quarter and month */
	CHECK(says(&r, "points earned kept for"));
	CHECK_INT_EQ(r.nproblems, 5);
	arena_free(&ar);
	lw_done(w);
}

/* Many problems: all counted, the first VERIFY_MAX_PROBLEMS kept. */
static void problems_are_capped(void)
{
	vworld v;
	CHECK(build(&v));
	lworld *w = &v.w;
	char today[11];
	lw_today(today);
	ledger_target t[] = {{.household_id = w->h1}, {.household_id = w->h2},
	                     {.household_id = w->h3}};
	core_err err;
	int64_t b = 0;
	for (int i = 0; i < 20; i++) {
		ledger_record_in in = {.village_id = w->v1, .rule_id = v.rule, .targets = t,
		                       .ntargets = 3, .deed_date = today};
		CHECK_INT_EQ(ledger_record(w->st, &w->as[LW_SCORER], &in, NULL, &b, &err), CORE_OK);
	}
	CHECK(unlock(&v));
	CHECK_INT_EQ(lw_exec(w, "UPDATE entries SET note = '改过' WHERE village_id = %lld",
	                     (long long)w->v1), 0);
	verify_report r;
	CHECK_INT_EQ(verify_ledger(w->st, 0, &r, &err), CORE_OK);
	CHECK_INT_EQ(r.entries, 67);
	CHECK_INT_EQ(r.nproblems, 66);
	CHECK_INT_EQ(r.first_bad_entry, v.e[0]);
	CHECK(strstr(r.problems[VERIFY_MAX_PROBLEMS - 1], "was altered") != NULL);
	lw_done(w);
}

CHECK_MAIN("verify", T(clean_ledger_verifies), T(the_append_only_triggers_hold),
           T(tampering_is_found), T(rehashing_does_not_hide_it), T(appended_entry_is_found),
           T(problems_are_capped))
