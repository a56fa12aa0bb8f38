/*
 * sqlite_ledger.c: SQL for the ledger: entries (append-only; the schema refuses
 * UPDATE and DELETE), the per-village chain head, balances kept with the
 * entries, and the reads that check them.
 */
#include "store/sqlite_internal.h"

#include <string.h>

static const char zero_hash[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

store_rc store_batch_create(store *st, int64_t village_id, const char *kind, int64_t user_id,
                            int64_t at, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO batches(village_id, kind, created_by, created_at) VALUES (?1, ?2, ?3, ?4)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, kind);
	sq_bind_id(s, 3, user_id);
	sq_bind_int(s, 4, at);
	return sq_insert(c, s, id);
}

store_rc store_chain_head(store *st, int64_t village_id, int64_t *seq, char *hash_hex)
{
	static const char sql[] = "SELECT seq, hash FROM chain_heads WHERE village_id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		*seq = sq_col_int(s, 0);
		const unsigned char *h = sqlite3_column_text(s, 1);
		memcpy(hash_hex, h ? (const char *)h : zero_hash, STORE_HASH_HEX);
		hash_hex[STORE_HASH_HEX] = '\0';
	} else if (rc == SQLITE_DONE) {
		*seq = 0;
		memcpy(hash_hex, zero_hash, STORE_HASH_HEX + 1);
	} else {
		r = sq_rc(c, rc);
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_chain_head_set(store *st, int64_t village_id, int64_t seq, const char *hash_hex)
{
	static const char upd[] = "UPDATE chain_heads SET seq = ?2, hash = ?3 WHERE village_id = ?1";
	static const char ins[] = "INSERT INTO chain_heads(village_id, seq, hash) VALUES (?1, ?2, ?3)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, upd);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, seq);
	sq_bind_text(s, 3, hash_hex);
	store_rc r = sq_update(c, s);
	if (r != STORE_NOT_FOUND)
		return r;
	PREP_OR_FAIL(i, c, ins);
	sq_bind_int(i, 1, village_id);
	sq_bind_int(i, 2, seq);
	sq_bind_text(i, 3, hash_hex);
	return sq_insert(c, i, NULL);
}

store_rc store_entry_insert(store *st, const st_entry *e, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO entries(village_id, seq, household_id, member_id, rule_id, rule_version,"
		" rule_lineage, kind, points, quantity, deed_date, month, bucket, note, evidence,"
		" reverses_id, batch_id, claim_id, activity_id, inspection_id, recorded_by,"
		" approved_by, created_at, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		" ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, e->village_id);
	sq_bind_int(s, 2, e->seq);
	sq_bind_int(s, 3, e->household_id);
	sq_bind_id(s, 4, e->member_id);
	sq_bind_id(s, 5, e->rule_id);
	sq_bind_id(s, 6, e->rule_version);
	sq_bind_id(s, 7, e->rule_lineage);
	sq_bind_text(s, 8, e->kind);
	sq_bind_int(s, 9, e->points);
	sq_bind_int(s, 10, e->quantity ? e->quantity : 1);
	sq_bind_text(s, 11, e->deed_date);
	sq_bind_text(s, 12, e->month);
	sq_bind_text(s, 13, e->bucket);
	sq_bind_text(s, 14, e->note ? e->note : "");
	sq_bind_text(s, 15, e->evidence ? e->evidence : "[]");
	sq_bind_id(s, 16, e->reverses_id);
	sq_bind_id(s, 17, e->batch_id);
	sq_bind_id(s, 18, e->claim_id);
	sq_bind_id(s, 19, e->activity_id);
	sq_bind_id(s, 20, e->inspection_id);
	sq_bind_int(s, 21, e->recorded_by);
	sq_bind_id(s, 22, e->approved_by);
	sq_bind_int(s, 23, e->created_at);
	sq_bind_text(s, 24, e->prev_hash);
	sq_bind_text(s, 25, e->hash);
	return sq_insert(c, s, id);
}

void sq_fill_entry_row(sqlite3_stmt *s, arena *ar, st_entry *e)
{
	e->id = sq_col_int(s, 0);
	e->village_id = sq_col_int(s, 1);
	e->seq = sq_col_int(s, 2);
	e->household_id = sq_col_int(s, 3);
	e->member_id = sq_col_int(s, 4);
	e->rule_id = sq_col_int(s, 5);
	e->rule_version = sq_col_int(s, 6);
	e->rule_lineage = sq_col_int(s, 7);
	e->kind = sq_col_text(s, 8, ar);
	e->points = sq_col_int(s, 9);
	e->quantity = sq_col_int(s, 10);
	e->deed_date = sq_col_text(s, 11, ar);
	e->month = sq_col_text(s, 12, ar);
	e->bucket = sq_col_text(s, 13, ar);
	e->note = sq_col_text(s, 14, ar);
	e->evidence = sq_col_text(s, 15, ar);
	e->reverses_id = sq_col_int(s, 16);
	e->batch_id = sq_col_int(s, 17);
	e->claim_id = sq_col_int(s, 18);
	e->activity_id = sq_col_int(s, 19);
	e->inspection_id = sq_col_int(s, 20);
	e->recorded_by = sq_col_int(s, 21);
	e->approved_by = sq_col_int(s, 22);
	e->created_at = sq_col_int(s, 23);
	e->prev_hash = sq_col_text(s, 24, ar);
	e->hash = sq_col_text(s, 25, ar);
}

void sq_fill_entry(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_entry *e = rec;
	sq_fill_entry_row(s, ar, e);
	e->rule_name = sq_col_text(s, 26, ar);
	e->rule_category = sq_col_text(s, 27, ar);
	e->member_name = sq_col_text(s, 28, ar);
	e->recorded_by_name = sq_col_text(s, 29, ar);
	e->approved_by_name = sq_col_text(s, 30, ar);
	e->passbook_no = sq_col_text(s, 31, ar);
	e->head_name = sq_col_text(s, 32, ar);
	e->reversed_by = sq_col_int(s, 33);
	e->confirmed = sq_col_int(s, 34) != 0;
}

/*
 * Sets the running balance of a household's page of entries (newest first): the
 * sum of the household's points up to the page's newest entry, then back down the
 * page. One indexed pass instead of a sum per row. Entries are append-only and ids
 * grow with commit order, so the sum sees exactly the entries the page query saw.
 */
static store_rc set_running(sq_conn *c, int64_t household_id, st_entry *list, size_t n)
{
	static const char sql[] = "SELECT COALESCE(sum(points), 0) FROM entries"
		" WHERE household_id = ?1 AND id <= ?2";
	if (n == 0)
		return STORE_OK;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	sq_bind_int(s, 2, list[0].id);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	int64_t running = r == STORE_OK ? sq_col_int(s, 0) : 0;
	sqlite3_reset(s);
	for (size_t i = 0; r == STORE_OK && i < n; i++) {
		list[i].running_balance = running;
		running -= list[i].points;
	}
	return r;
}

store_rc store_entry_get(store *st, int64_t id, arena *ar, st_entry *out)
{
	static const char sql[] = "SELECT " SQ_ENTRY_COLS SQ_ENTRY_FROM " WHERE e.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	return sq_one(c, s, ar, sq_fill_entry, out);
}

store_rc store_entry_list(store *st, const st_entry_filter *f, arena *ar, st_entry **out,
                          size_t *n, int64_t *total)
{
	static const char hh_count[] = "SELECT count(*) FROM entries WHERE household_id = ?1";
	static const char hh_sql[] = "SELECT " SQ_ENTRY_COLS ", 0" SQ_ENTRY_FROM
		" WHERE e.household_id = ?1 ORDER BY e.id DESC LIMIT ?2 OFFSET ?3";
	static const char batch_count[] = "SELECT count(*) FROM entries WHERE batch_id = ?1";
	static const char batch_sql[] = "SELECT " SQ_ENTRY_COLS ", 0" SQ_ENTRY_FROM
		" WHERE e.batch_id = ?1 ORDER BY e.id LIMIT ?2 OFFSET ?3";
	static const char village_count[] = "SELECT count(*) FROM entries"
		" WHERE village_id = ?1 AND (?4 IS NULL OR month = ?4)";
	static const char village_sql[] = "SELECT " SQ_ENTRY_COLS ", 0" SQ_ENTRY_FROM
		" WHERE e.village_id = ?1 AND (?4 IS NULL OR e.month = ?4)"
		" ORDER BY e.id DESC LIMIT ?2 OFFSET ?3";
	const char *csql, *lsql;
	int64_t key;
	fill_fn fill = sq_fill_entry;
	if (f->household_id) {
		csql = hh_count;
		lsql = hh_sql;
		key = f->household_id;
	} else if (f->batch_id) {
		csql = batch_count;
		lsql = batch_sql;
		key = f->batch_id;
	} else {
		csql = village_count;
		lsql = village_sql;
		key = f->village_id;
	}
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, csql);
	sq_bind_int(cs, 1, key);
	if (csql == village_count)
		sq_bind_text(cs, 4, f->month);
	int rc = sqlite3_step(cs);
	if (rc != SQLITE_ROW) {
		store_rc r = sq_rc(c, rc);
		sqlite3_reset(cs);
		return r;
	}
	*total = sq_col_int(cs, 0);
	sqlite3_reset(cs);
	PREP_OR_FAIL(s, c, lsql);
	sq_bind_int(s, 1, key);
	sq_bind_int(s, 2, f->limit);
	sq_bind_int(s, 3, f->offset);
	if (lsql == village_sql)
		sq_bind_text(s, 4, f->month);
	store_rc r = sq_collect(c, s, ar, sizeof(st_entry), fill, (void **)out, n);
	if (r == STORE_OK && lsql == hh_sql)
		r = set_running(c, key, *out, *n);
	return r;
}

store_rc store_cap_sum(store *st, int64_t household_id, int64_t lineage, const char *from,
                       const char *to, int64_t *sum)
{
	static const char sql[] = "SELECT COALESCE(sum(points), 0) FROM entries WHERE household_id = ?1"
		" AND rule_lineage = ?2 AND deed_date >= ?3 AND deed_date < ?4"
		" AND kind IN ('award', 'deduction', 'reversal')";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	sq_bind_int(s, 2, lineage);
	sq_bind_text(s, 3, from);
	sq_bind_text(s, 4, to);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	if (r == STORE_OK)
		*sum = sq_col_int(s, 0);
	sqlite3_reset(s);
	return r;
}

store_rc store_balance_get(store *st, int64_t household_id, st_balance *out)
{
	static const char sql[] = "SELECT household_id, village_id, confirmed, pending, entry_count"
		" FROM balances WHERE household_id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, household_id);
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	memset(out, 0, sizeof(*out));
	out->household_id = household_id;
	if (rc == SQLITE_ROW) {
		out->village_id = sq_col_int(s, 1);
		out->confirmed = sq_col_int(s, 2);
		out->pending = sq_col_int(s, 3);
		out->entry_count = sq_col_int(s, 4);
	} else if (rc != SQLITE_DONE) {
		r = sq_rc(c, rc);
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_balance_add(store *st, int64_t household_id, int64_t village_id,
                           int64_t d_confirmed, int64_t d_pending, int64_t at)
{
	static const char upd[] = "UPDATE balances SET confirmed = confirmed + ?2,"
		" pending = pending + ?3, entry_count = entry_count + 1, updated_at = ?4"
		" WHERE household_id = ?1";
	static const char ins[] = "INSERT INTO balances(household_id, village_id, confirmed, pending,"
		" entry_count, updated_at) VALUES (?1, ?5, ?2, ?3, 1, ?4)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, upd);
	sq_bind_int(s, 1, household_id);
	sq_bind_int(s, 2, d_confirmed);
	sq_bind_int(s, 3, d_pending);
	sq_bind_int(s, 4, at);
	store_rc r = sq_update(c, s);
	if (r != STORE_NOT_FOUND)
		return r;
	PREP_OR_FAIL(i, c, ins);
	sq_bind_int(i, 1, household_id);
	sq_bind_int(i, 2, d_confirmed);
	sq_bind_int(i, 3, d_pending);
	sq_bind_int(i, 4, at);
	sq_bind_int(i, 5, village_id);
	return sq_insert(c, i, NULL);
}

store_rc store_month_confirmed(store *st, int64_t village_id, const char *month, bool *yes)
{
	static const char sql[] = "SELECT 1 FROM confirmed_months WHERE village_id = ?1 AND month = ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, month);
	int rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sq_rc(c, rc);
}

store_rc store_entry_walk(store *st, int64_t village_id, store_entry_fn fn, void *ctx)
{
	/* a plain SELECT without the joins: verify must see the raw rows */
	static const char sql[] =
		"SELECT e.id, e.village_id, e.seq, e.household_id, e.member_id, e.rule_id,"
		" e.rule_version, e.rule_lineage, e.kind, e.points, e.quantity, e.deed_date, e.month,"
		" e.bucket, e.note, e.evidence, e.reverses_id, e.batch_id, e.claim_id, e.activity_id,"
		" e.inspection_id, e.recorded_by, e.approved_by, e.created_at, e.prev_hash, e.hash"
		" FROM entries e WHERE e.village_id = ?1 ORDER BY e.seq";
	CONN_OR_FAIL(c, st);
	/* not cached: a walk may be nested inside other reads */
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sq_rc(c, SQLITE_ERROR);
	sqlite3_bind_int64(s, 1, village_id);
	store_rc r = STORE_OK;
	arena ar;
	arena_init(&ar, 0);
	for (;;) {
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			r = sq_rc(c, rc);
			break;
		}
		st_entry e;
		memset(&e, 0, sizeof(e));
		sq_fill_entry_row(s, &ar, &e);
		bool go_on = fn(&e, ctx);
		arena_free(&ar);
		if (!go_on)
			break;
	}
	arena_free(&ar);
	sqlite3_finalize(s);
	return r;
}

static void fill_check(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_balance_check *b = rec;
	b->household_id = sq_col_int(s, 0);
	b->stored_confirmed = sq_col_int(s, 1);
	b->stored_pending = sq_col_int(s, 2);
	b->ledger_confirmed = sq_col_int(s, 3);
	b->ledger_total = sq_col_int(s, 4);
}

store_rc store_balance_mismatches(store *st, int64_t village_id, arena *ar,
                                  st_balance_check **out, size_t *n)
{
	static const char sql[] =
		"SELECT household_id, sc, sp, lc, lt FROM ("
		" SELECT h.id AS household_id, COALESCE(b.confirmed, 0) AS sc, COALESCE(b.pending, 0) AS sp,"
		"  COALESCE((SELECT sum(e.points) FROM entries e WHERE e.household_id = h.id"
		"    AND (e.bucket = 'confirmed' OR EXISTS (SELECT 1 FROM confirmed_months cm"
		"         WHERE cm.village_id = e.village_id AND cm.month = e.month))), 0) AS lc,"
		"  COALESCE((SELECT sum(e.points) FROM entries e WHERE e.household_id = h.id), 0) AS lt"
		" FROM households h LEFT JOIN balances b ON b.household_id = h.id"
		" WHERE h.village_id = ?1)"
		" WHERE sc <> lc OR sc + sp <> lt ORDER BY household_id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	return sq_collect(c, s, ar, sizeof(st_balance_check), fill_check, (void **)out, n);
}

static void fill_id(sqlite3_stmt *s, arena *ar, void *rec)
{
	*(int64_t *)rec = sq_col_int(s, 0);
}

store_rc store_village_ids(store *st, arena *ar, int64_t **out, size_t *n)
{
	static const char sql[] = "SELECT id FROM villages ORDER BY id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	return sq_collect(c, s, ar, sizeof(int64_t), fill_id, (void **)out, n);
}
