/*
 * sqlite_claim.c: SQL for villagers' claims (村民自主申请) and their review,
 * the village's second-review threshold, and the question of which photos a
 * household may see. The entries that approved claims post are written by
 * sqlite_ledger.c.
 */
#include "store/sqlite_internal.h"

#include <string.h>

#define CLAIM_COLS                                                                           \
	"c.id, c.village_id, c.household_id, c.member_id, c.rule_id, c.deed_date, c.quantity,"  \
	" c.description, c.photos, c.status, c.first_reviewer, c.first_points,"              \
	" c.second_reviewer, c.reject_reason, c.entry_id, c.created_by, c.created_at,"       \
	" c.updated_at, r.name, r.category, r.points, h.passbook_no, h.head_name, m.name,"   \
	" uc.display_name, u1.display_name, u2.display_name, e.points"
#define CLAIM_FROM                                                                           \
	" FROM claims c JOIN rules r ON r.id = c.rule_id"                                     \
	" JOIN households h ON h.id = c.household_id"                                        \
	" LEFT JOIN members m ON m.id = c.member_id"                                          \
	" LEFT JOIN users uc ON uc.id = c.created_by"                                        \
	" LEFT JOIN users u1 ON u1.id = c.first_reviewer"                                    \
	" LEFT JOIN users u2 ON u2.id = c.second_reviewer"                                   \
	" LEFT JOIN entries e ON e.id = c.entry_id"

static void fill_claim(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_claim *c = rec;
	c->id = sq_col_int(s, 0);
	c->village_id = sq_col_int(s, 1);
	c->household_id = sq_col_int(s, 2);
	c->member_id = sq_col_int(s, 3);
	c->rule_id = sq_col_int(s, 4);
	c->deed_date = sq_col_text(s, 5, ar);
	c->quantity = sq_col_int(s, 6);
	c->description = sq_col_text(s, 7, ar);
	c->photos = sq_col_text(s, 8, ar);
	c->status = sq_col_text(s, 9, ar);
	c->first_reviewer = sq_col_int(s, 10);
	c->first_points = sq_col_int(s, 11);
	c->second_reviewer = sq_col_int(s, 12);
	c->reject_reason = sq_col_text(s, 13, ar);
	c->entry_id = sq_col_int(s, 14);
	c->created_by = sq_col_int(s, 15);
	c->created_at = sq_col_int(s, 16);
	c->updated_at = sq_col_int(s, 17);
	c->rule_name = sq_col_text(s, 18, ar);
	c->rule_category = sq_col_text(s, 19, ar);
	c->rule_points = sq_col_int(s, 20);
	c->passbook_no = sq_col_text(s, 21, ar);
	c->head_name = sq_col_text(s, 22, ar);
	c->member_name = sq_col_text(s, 23, ar);
	c->created_by_name = sq_col_text(s, 24, ar);
	c->first_reviewer_name = sq_col_text(s, 25, ar);
	c->second_reviewer_name = sq_col_text(s, 26, ar);
	c->entry_points = sq_col_int(s, 27);
}

store_rc store_claim_create(store *st, const st_claim *c, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO claims(village_id, household_id, member_id, rule_id, deed_date, quantity,"
		" description, photos, status, created_by, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9, ?10, ?10)";
	CONN_OR_FAIL(cn, st);
	PREP_OR_FAIL(s, cn, sql);
	sq_bind_int(s, 1, c->village_id);
	sq_bind_int(s, 2, c->household_id);
	sq_bind_id(s, 3, c->member_id);
	sq_bind_int(s, 4, c->rule_id);
	sq_bind_text(s, 5, c->deed_date);
	sq_bind_int(s, 6, c->quantity ? c->quantity : 1);
	sq_bind_text(s, 7, c->description);
	sq_bind_text(s, 8, c->photos ? c->photos : "[]");
	sq_bind_int(s, 9, c->created_by);
	sq_bind_int(s, 10, c->created_at);
	return sq_insert(cn, s, id);
}

store_rc store_claim_get(store *st, int64_t id, arena *ar, st_claim *out)
{
	static const char sql[] = "SELECT " CLAIM_COLS CLAIM_FROM " WHERE c.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	memset(out, 0, sizeof(*out));
	return sq_one(c, s, ar, fill_claim, out);
}

/* ?1 village (or NULL), ?2 household (or NULL), ?3 status (NULL, 'open' or one) */
#define CLAIM_WHERE                                                                          \
	" WHERE (?1 IS NULL OR c.village_id = ?1) AND (?2 IS NULL OR c.household_id = ?2)"   \
	" AND (?3 IS NULL OR c.status = ?3"                                                  \
	"      OR (?3 = 'open' AND c.status IN ('pending', 'second_review')))"

store_rc store_claim_list(store *st, const st_claim_filter *f, arena *ar, st_claim **out,
                          size_t *n, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM claims c" CLAIM_WHERE;
	static const char old_sql[] = "SELECT " CLAIM_COLS CLAIM_FROM CLAIM_WHERE
		" ORDER BY c.id LIMIT ?4 OFFSET ?5";
	static const char new_sql[] = "SELECT " CLAIM_COLS CLAIM_FROM CLAIM_WHERE
		" ORDER BY c.id DESC LIMIT ?4 OFFSET ?5";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_id(cs, 1, f->village_id);
	sq_bind_id(cs, 2, f->household_id);
	sq_bind_text(cs, 3, f->status);
	int rc = sqlite3_step(cs);
	if (rc != SQLITE_ROW) {
		store_rc r = sq_rc(c, rc);
		sqlite3_reset(cs);
		return r;
	}
	*total = sq_col_int(cs, 0);
	sqlite3_reset(cs);
	PREP_OR_FAIL(s, c, f->oldest_first ? old_sql : new_sql);
	sq_bind_id(s, 1, f->village_id);
	sq_bind_id(s, 2, f->household_id);
	sq_bind_text(s, 3, f->status);
	sq_bind_int(s, 4, f->limit);
	sq_bind_int(s, 5, f->offset);
	return sq_collect(c, s, ar, sizeof(st_claim), fill_claim, (void **)out, n);
}

store_rc store_claim_review(store *st, const st_claim *c, const char *from_status)
{
	static const char sql[] =
		"UPDATE claims SET status = ?2, first_reviewer = ?3, first_points = ?4,"
		" second_reviewer = ?5, reject_reason = ?6, entry_id = ?7, updated_at = ?8"
		" WHERE id = ?1 AND status = ?9";
	CONN_OR_FAIL(cn, st);
	PREP_OR_FAIL(s, cn, sql);
	sq_bind_int(s, 1, c->id);
	sq_bind_text(s, 2, c->status);
	sq_bind_id(s, 3, c->first_reviewer);
	if (c->first_reviewer && c->first_points)
		sq_bind_int(s, 4, c->first_points);
	sq_bind_id(s, 5, c->second_reviewer);
	sq_bind_text(s, 6, c->reject_reason);
	sq_bind_id(s, 7, c->entry_id);
	sq_bind_int(s, 8, c->updated_at);
	sq_bind_text(s, 9, from_status);
	return sq_update(cn, s);
}

store_rc store_village_second_review(store *st, int64_t village_id, int64_t *points)
{
	static const char sql[] = "SELECT second_review_points FROM villages WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		*points = sq_col_int(s, 0);
	} else if (rc == SQLITE_DONE) {
		sq_seterr("no such village");
		r = STORE_NOT_FOUND;
	} else {
		r = sq_rc(c, rc);
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_photo_household_sees(store *st, int64_t village_id, int64_t household_id,
                                    const char *hash, bool *yes)
{
	/* the evidence columns are JSON arrays of 64-hex strings: "\"hash\"" matches exactly */
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM photos p JOIN users u ON u.id = p.uploaded_by"
		"   WHERE p.village_id = ?1 AND p.hash = ?3 AND u.household_id = ?2)"
		" OR EXISTS (SELECT 1 FROM claims c WHERE c.household_id = ?2 AND c.village_id = ?1"
		"   AND instr(c.photos, '\"' || ?3 || '\"') > 0)"
		" OR EXISTS (SELECT 1 FROM entries e WHERE e.household_id = ?2 AND e.village_id = ?1"
		"   AND instr(e.evidence, '\"' || ?3 || '\"') > 0)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, household_id);
	sq_bind_text(s, 3, hash);
	int rc = sqlite3_step(s);
	store_rc r = rc == SQLITE_ROW ? STORE_OK : sq_rc(c, rc);
	*yes = r == STORE_OK && sq_col_int(s, 0) != 0;
	sqlite3_reset(s);
	return r;
}
