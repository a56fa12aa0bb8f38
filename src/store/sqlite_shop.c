/*
 * sqlite_shop.c: SQL for the points supermarket (see store_shop.h): sponsors,
 * contributions and statements, goods and stock moves, redemption windows and
 * overrides, redemptions and their items. The ledger entries a redemption posts
 * and reverses are written by sqlite_ledger.c through the ledger.
 */
#include "store/sqlite_internal.h"

#include <string.h>


/* ---- sponsors and contributions -------------------------------------- */

#define SPONSOR_COLS                                                                         \
	"s.id, s.village_id, s.name, s.contact, s.note, s.created_at,"                        \
	" (SELECT COALESCE(sum(amount_cents), 0) FROM contributions c"                         \
	"   WHERE c.sponsor_id = s.id AND c.kind = 'money'),"                                   \
	" (SELECT count(*) FROM goods g WHERE g.sponsor_id = s.id)"

static void fill_sponsor(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_sponsor *p = rec;
	p->id = sq_col_int(s, 0);
	p->village_id = sq_col_int(s, 1);
	p->name = sq_col_text(s, 2, ar);
	p->contact = sq_col_text(s, 3, ar);
	p->note = sq_col_text(s, 4, ar);
	p->created_at = sq_col_int(s, 5);
	p->money_cents = sq_col_int(s, 6);
	p->goods_count = sq_col_int(s, 7);
}

store_rc store_sponsor_create(store *st, const st_sponsor *p, int64_t *id)
{
	static const char sql[] = "INSERT INTO sponsors(village_id, name, contact, note, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, p->village_id);
	sq_bind_text(s, 2, p->name);
	sq_bind_text(s, 3, p->contact ? p->contact : "");
	sq_bind_text(s, 4, p->note ? p->note : "");
	sq_bind_int(s, 5, p->created_at);
	return sq_insert(c, s, id);
}

store_rc store_sponsor_get(store *st, int64_t id, arena *ar, st_sponsor *out)
{
	static const char sql[] = "SELECT " SPONSOR_COLS " FROM sponsors s WHERE s.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	memset(out, 0, sizeof(*out));
	return sq_one(c, s, ar, fill_sponsor, out);
}

store_rc store_sponsor_list(store *st, int64_t village_id, arena *ar, st_sponsor **out, size_t *n)
{
	static const char sql[] = "SELECT " SPONSOR_COLS " FROM sponsors s WHERE s.village_id = ?1"
		" ORDER BY s.name, s.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	return sq_collect(c, s, ar, sizeof(st_sponsor), fill_sponsor, (void **)out, n);
}

static void fill_contribution(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_contribution *p = rec;
	p->id = sq_col_int(s, 0);
	p->village_id = sq_col_int(s, 1);
	p->sponsor_id = sq_col_int(s, 2);
	p->kind = sq_col_text(s, 3, ar);
	p->amount_cents = sq_col_int(s, 4);
	p->goods_id = sq_col_int(s, 5);
	p->quantity = sq_col_int(s, 6);
	p->contributed_on = sq_col_text(s, 7, ar);
	p->note = sq_col_text(s, 8, ar);
	p->created_by = sq_col_int(s, 9);
	p->created_at = sq_col_int(s, 10);
	p->goods_name = sq_col_text(s, 11, ar);
	p->goods_unit = sq_col_text(s, 12, ar);
	p->created_by_name = sq_col_text(s, 13, ar);
}

store_rc store_contribution_create(store *st, const st_contribution *p, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO contributions(village_id, sponsor_id, kind, amount_cents, goods_id, quantity,"
		" contributed_on, note, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, p->village_id);
	sq_bind_int(s, 2, p->sponsor_id);
	sq_bind_text(s, 3, p->kind);
	sq_bind_int(s, 4, p->amount_cents);
	sq_bind_id(s, 5, p->goods_id);
	sq_bind_int(s, 6, p->quantity);
	sq_bind_text(s, 7, p->contributed_on);
	sq_bind_text(s, 8, p->note ? p->note : "");
	sq_bind_id(s, 9, p->created_by);
	sq_bind_int(s, 10, p->created_at);
	return sq_insert(c, s, id);
}

store_rc store_contribution_list(store *st, int64_t sponsor_id, arena *ar, st_contribution **out,
                                 size_t *n)
{
	static const char sql[] =
		"SELECT c.id, c.village_id, c.sponsor_id, c.kind, c.amount_cents, c.goods_id, c.quantity,"
		" c.contributed_on, c.note, c.created_by, c.created_at, g.name, g.unit, u.display_name"
		" FROM contributions c LEFT JOIN goods g ON g.id = c.goods_id"
		" LEFT JOIN users u ON u.id = c.created_by"
		" WHERE c.sponsor_id = ?1 ORDER BY c.contributed_on, c.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, sponsor_id);
	return sq_collect(c, s, ar, sizeof(st_contribution), fill_contribution, (void **)out, n);
}

static void fill_line(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_sponsor_line *l = rec;
	l->goods_id = sq_col_int(s, 0);
	l->name = sq_col_text(s, 1, ar);
	l->unit = sq_col_text(s, 2, ar);
	l->status = sq_col_text(s, 3, ar);
	l->quantity = sq_col_int(s, 4);
	l->points = sq_col_int(s, 5);
	l->stock = sq_col_int(s, 6);
}

store_rc store_sponsor_given(store *st, int64_t sponsor_id, arena *ar, st_sponsor_line **out,
                             size_t *n)
{
	static const char sql[] =
		"SELECT g.id, g.name, g.unit, g.status, sum(c.quantity), 0, g.stock"
		" FROM contributions c JOIN goods g ON g.id = c.goods_id"
		" WHERE c.sponsor_id = ?1 AND c.kind = 'goods'"
		" GROUP BY g.id ORDER BY g.name";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, sponsor_id);
	return sq_collect(c, s, ar, sizeof(st_sponsor_line), fill_line, (void **)out, n);
}

store_rc store_sponsor_goods(store *st, int64_t sponsor_id, arena *ar, st_sponsor_line **out,
                             size_t *n)
{
	static const char sql[] =
		"SELECT g.id, g.name, g.unit, g.status,"
		" COALESCE((SELECT sum(i.quantity) FROM redemption_items i"
		"   JOIN redemptions r ON r.id = i.redemption_id"
		"   WHERE i.goods_id = g.id AND r.status = 'done'), 0),"
		" COALESCE((SELECT sum(i.quantity * i.price_points) FROM redemption_items i"
		"   JOIN redemptions r ON r.id = i.redemption_id"
		"   WHERE i.goods_id = g.id AND r.status = 'done'), 0),"
		" g.stock"
		" FROM goods g WHERE g.sponsor_id = ?1 ORDER BY g.name";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, sponsor_id);
	return sq_collect(c, s, ar, sizeof(st_sponsor_line), fill_line, (void **)out, n);
}

/* ---- goods and stock -------------------------------------------------- */

#define GOODS_COLS                                                                           \
	"g.id, g.village_id, g.name, g.category, g.unit, g.price_points, g.stock, g.photo_hash," \
	" g.sponsor_id, g.status, g.created_at, g.updated_at, s.name"
#define GOODS_FROM " FROM goods g LEFT JOIN sponsors s ON s.id = g.sponsor_id"

static void fill_goods(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_goods *g = rec;
	g->id = sq_col_int(s, 0);
	g->village_id = sq_col_int(s, 1);
	g->name = sq_col_text(s, 2, ar);
	g->category = sq_col_text(s, 3, ar);
	g->unit = sq_col_text(s, 4, ar);
	g->price_points = sq_col_int(s, 5);
	g->stock = sq_col_int(s, 6);
	g->photo_hash = sq_col_text(s, 7, ar);
	g->sponsor_id = sq_col_int(s, 8);
	g->status = sq_col_text(s, 9, ar);
	g->created_at = sq_col_int(s, 10);
	g->updated_at = sq_col_int(s, 11);
	g->sponsor_name = sq_col_text(s, 12, ar);
}

store_rc store_goods_create(store *st, const st_goods *g, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO goods(village_id, name, category, unit, price_points, stock, photo_hash,"
		" sponsor_id, status, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, 'active', ?8, ?8)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, g->village_id);
	sq_bind_text(s, 2, g->name);
	sq_bind_text(s, 3, g->category);
	sq_bind_text(s, 4, g->unit);
	sq_bind_int(s, 5, g->price_points);
	sq_bind_text(s, 6, g->photo_hash);
	sq_bind_id(s, 7, g->sponsor_id);
	sq_bind_int(s, 8, g->created_at);
	return sq_insert(c, s, id);
}

store_rc store_goods_get(store *st, int64_t id, arena *ar, st_goods *out)
{
	static const char sql[] = "SELECT " GOODS_COLS GOODS_FROM " WHERE g.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	memset(out, 0, sizeof(*out));
	return sq_one(c, s, ar, fill_goods, out);
}

/* ?1 village, ?2 status (or NULL), ?3 sponsor (or NULL) */
#define GOODS_WHERE                                                                          \
	" WHERE g.village_id = ?1 AND (?2 IS NULL OR g.status = ?2)"                         \
	" AND (?3 IS NULL OR g.sponsor_id = ?3)"

store_rc store_goods_list(store *st, const st_goods_filter *f, arena *ar, st_goods **out,
                          size_t *n, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM goods g" GOODS_WHERE;
	static const char sql[] = "SELECT " GOODS_COLS GOODS_FROM GOODS_WHERE
		" ORDER BY g.category, g.name LIMIT ?4 OFFSET ?5";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_int(cs, 1, f->village_id);
	sq_bind_text(cs, 2, f->status);
	sq_bind_id(cs, 3, f->sponsor_id);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, f->village_id);
	sq_bind_text(s, 2, f->status);
	sq_bind_id(s, 3, f->sponsor_id);
	sq_bind_int(s, 4, f->limit);
	sq_bind_int(s, 5, f->offset);
	return sq_collect(c, s, ar, sizeof(st_goods), fill_goods, (void **)out, n);
}

store_rc store_goods_update(store *st, const st_goods *g)
{
	static const char sql[] =
		"UPDATE goods SET name = ?2, category = ?3, unit = ?4, price_points = ?5,"
		" photo_hash = ?6, sponsor_id = ?7, status = ?8, updated_at = ?9 WHERE id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, g->id);
	sq_bind_text(s, 2, g->name);
	sq_bind_text(s, 3, g->category);
	sq_bind_text(s, 4, g->unit);
	sq_bind_int(s, 5, g->price_points);
	sq_bind_text(s, 6, g->photo_hash);
	sq_bind_id(s, 7, g->sponsor_id);
	sq_bind_text(s, 8, g->status);
	sq_bind_int(s, 9, g->updated_at);
	return sq_update(c, s);
}

store_rc store_goods_stock_add(store *st, int64_t id, int64_t delta, int64_t at, int64_t *stock)
{
	static const char sql[] =
		"UPDATE goods SET stock = stock + ?2, updated_at = ?3"
		" WHERE id = ?1 AND stock + ?2 >= 0 RETURNING stock";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, delta);
	sq_bind_int(s, 3, at);
	int rc = sqlite3_step(s);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		*stock = sq_col_int(s, 0);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE)
			r = sq_rc(c, rc);
	} else if (rc == SQLITE_DONE) {
		sq_seterr("the stock would go below zero");
		r = STORE_NOT_FOUND;
	} else {
		r = sq_rc(c, rc);
	}
	sqlite3_reset(s);
	return r;
}

store_rc store_goods_take(store *st, int64_t id, int64_t quantity, int64_t at)
{
	static const char sql[] =
		"UPDATE goods SET stock = stock - ?2, updated_at = ?3"
		" WHERE id = ?1 AND status = 'active' AND stock >= ?2";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_int(s, 2, quantity);
	sq_bind_int(s, 3, at);
	return sq_update(c, s);
}

store_rc store_stock_move_add(store *st, const st_stock_move *m, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO stock_moves(village_id, goods_id, delta, kind, reason, contribution_id,"
		" redemption_id, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, m->village_id);
	sq_bind_int(s, 2, m->goods_id);
	sq_bind_int(s, 3, m->delta);
	sq_bind_text(s, 4, m->kind);
	sq_bind_text(s, 5, m->reason);
	sq_bind_id(s, 6, m->contribution_id);
	sq_bind_id(s, 7, m->redemption_id);
	sq_bind_id(s, 8, m->created_by);
	sq_bind_int(s, 9, m->created_at);
	return sq_insert(c, s, id);
}

static void fill_move(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_stock_move *m = rec;
	m->id = sq_col_int(s, 0);
	m->village_id = sq_col_int(s, 1);
	m->goods_id = sq_col_int(s, 2);
	m->delta = sq_col_int(s, 3);
	m->kind = sq_col_text(s, 4, ar);
	m->reason = sq_col_text(s, 5, ar);
	m->contribution_id = sq_col_int(s, 6);
	m->redemption_id = sq_col_int(s, 7);
	m->created_by = sq_col_int(s, 8);
	m->created_at = sq_col_int(s, 9);
	m->created_by_name = sq_col_text(s, 10, ar);
	m->receipt_no = sq_col_text(s, 11, ar);
	m->stock_after = sq_col_int(s, 12);
}

store_rc store_stock_move_list(store *st, int64_t goods_id, int64_t offset, int64_t limit,
                               arena *ar, st_stock_move **out, size_t *n, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM stock_moves WHERE goods_id = ?1";
	static const char sql[] =
		"SELECT m.id, m.village_id, m.goods_id, m.delta, m.kind, m.reason, m.contribution_id,"
		" m.redemption_id, m.created_by, m.created_at, u.display_name, r.receipt_no, m.after"
		" FROM (SELECT *, sum(delta) OVER (ORDER BY id) AS after FROM stock_moves"
		"       WHERE goods_id = ?1) m"
		" LEFT JOIN users u ON u.id = m.created_by"
		" LEFT JOIN redemptions r ON r.id = m.redemption_id"
		" ORDER BY m.id DESC LIMIT ?2 OFFSET ?3";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_int(cs, 1, goods_id);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, goods_id);
	sq_bind_int(s, 2, limit);
	sq_bind_int(s, 3, offset);
	return sq_collect(c, s, ar, sizeof(st_stock_move), fill_move, (void **)out, n);
}

/* ---- redemption windows and overrides --------------------------------- */

static void fill_window(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_window *w = rec;
	w->id = sq_col_int(s, 0);
	w->village_id = sq_col_int(s, 1);
	w->starts_on = sq_col_text(s, 2, ar);
	w->ends_on = sq_col_text(s, 3, ar);
	w->note = sq_col_text(s, 4, ar);
	w->created_by = sq_col_int(s, 5);
	w->created_at = sq_col_int(s, 6);
	w->created_by_name = sq_col_text(s, 7, ar);
}

store_rc store_window_create(store *st, const st_window *w, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO redemption_windows(village_id, starts_on, ends_on, note, created_by,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, w->village_id);
	sq_bind_text(s, 2, w->starts_on);
	sq_bind_text(s, 3, w->ends_on);
	sq_bind_text(s, 4, w->note ? w->note : "");
	sq_bind_id(s, 5, w->created_by);
	sq_bind_int(s, 6, w->created_at);
	return sq_insert(c, s, id);
}

store_rc store_window_list(store *st, int64_t village_id, const char *from, arena *ar,
                           st_window **out, size_t *n)
{
	static const char sql[] =
		"SELECT w.id, w.village_id, w.starts_on, w.ends_on, w.note, w.created_by, w.created_at,"
		" u.display_name FROM redemption_windows w LEFT JOIN users u ON u.id = w.created_by"
		" WHERE w.village_id = ?1 AND (?2 IS NULL OR w.ends_on >= ?2)"
		" ORDER BY w.starts_on, w.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_text(s, 2, from);
	return sq_collect(c, s, ar, sizeof(st_window), fill_window, (void **)out, n);
}

#define OVERRIDE_COLS                                                                        \
	"o.id, o.village_id, o.reason, o.valid_until, o.created_by, o.created_at, u.display_name" \
	" FROM redemption_overrides o LEFT JOIN users u ON u.id = o.created_by"

static void fill_override(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_override *o = rec;
	o->id = sq_col_int(s, 0);
	o->village_id = sq_col_int(s, 1);
	o->reason = sq_col_text(s, 2, ar);
	o->valid_until = sq_col_int(s, 3);
	o->created_by = sq_col_int(s, 4);
	o->created_at = sq_col_int(s, 5);
	o->created_by_name = sq_col_text(s, 6, ar);
}

store_rc store_override_create(store *st, const st_override *o, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO redemption_overrides(village_id, reason, valid_until, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, o->village_id);
	sq_bind_text(s, 2, o->reason);
	sq_bind_int(s, 3, o->valid_until);
	sq_bind_int(s, 4, o->created_by);
	sq_bind_int(s, 5, o->created_at);
	return sq_insert(c, s, id);
}

store_rc store_override_get(store *st, int64_t id, arena *ar, st_override *out)
{
	static const char sql[] = "SELECT " OVERRIDE_COLS " WHERE o.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	memset(out, 0, sizeof(*out));
	return sq_one(c, s, ar, fill_override, out);
}

store_rc store_override_active(store *st, int64_t village_id, int64_t now, arena *ar,
                               st_override *out)
{
	static const char sql[] = "SELECT " OVERRIDE_COLS
		" WHERE o.village_id = ?1 AND o.valid_until > ?2 AND o.created_at <= ?2"
		" ORDER BY o.valid_until DESC, o.id DESC LIMIT 1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, now);
	memset(out, 0, sizeof(*out));
	return sq_one(c, s, ar, fill_override, out);
}

store_rc store_override_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                             arena *ar, st_override **out, size_t *n, int64_t *total)
{
	static const char count_sql[] =
		"SELECT count(*) FROM redemption_overrides WHERE village_id = ?1";
	static const char sql[] = "SELECT " OVERRIDE_COLS
		" WHERE o.village_id = ?1 ORDER BY o.id DESC LIMIT ?2 OFFSET ?3";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_int(cs, 1, village_id);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, village_id);
	sq_bind_int(s, 2, limit);
	sq_bind_int(s, 3, offset);
	return sq_collect(c, s, ar, sizeof(st_override), fill_override, (void **)out, n);
}

/* ---- redemptions ------------------------------------------------------ */

store_rc store_receipt_last(store *st, const char *prefix, int64_t *last)
{
	/* receipts after prefix are prefix + digits, all below prefix + ':' ('9' + 1):
	 * a range on the unique index of receipt_no */
	static const char sql[] =
		"SELECT max(CAST(substr(receipt_no, length(?1) + 1) AS INTEGER)) FROM redemptions"
		" WHERE receipt_no > ?1 AND receipt_no < ?1 || ':'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_text(s, 1, prefix);
	return sq_one_ints(c, s, last, 1);
}

store_rc store_redemption_create(store *st, const st_redemption *r, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO redemptions(village_id, household_id, receipt_no, total_points, entry_id,"
		" balance_after, status, override_id, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'done', ?7, ?8, ?9)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, r->village_id);
	sq_bind_int(s, 2, r->household_id);
	sq_bind_text(s, 3, r->receipt_no);
	sq_bind_int(s, 4, r->total_points);
	sq_bind_int(s, 5, r->entry_id);
	sq_bind_int(s, 6, r->balance_after);
	sq_bind_id(s, 7, r->override_id);
	sq_bind_int(s, 8, r->created_by);
	sq_bind_int(s, 9, r->created_at);
	return sq_insert(c, s, id);
}

store_rc store_redemption_item_add(store *st, const st_redemption_item *it, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO redemption_items(redemption_id, village_id, goods_id, quantity, price_points)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, it->redemption_id);
	sq_bind_int(s, 2, it->village_id);
	sq_bind_int(s, 3, it->goods_id);
	sq_bind_int(s, 4, it->quantity);
	sq_bind_int(s, 5, it->price_points);
	return sq_insert(c, s, id);
}

#define REDEMPTION_COLS                                                                      \
	"r.id, r.village_id, r.household_id, r.receipt_no, r.total_points, r.entry_id,"        \
	" r.balance_after, r.status, r.override_id, r.cancel_entry_id, r.cancel_reason,"      \
	" r.created_by, r.created_at, r.cancelled_by, r.cancelled_at, h.passbook_no,"         \
	" h.head_name, g.name, uc.display_name, ux.display_name,"                              \
	" (SELECT COALESCE(sum(quantity), 0) FROM redemption_items i WHERE i.redemption_id = r.id)"
#define REDEMPTION_FROM                                                                      \
	" FROM redemptions r JOIN households h ON h.id = r.household_id"                      \
	" LEFT JOIN villager_groups g ON g.id = h.group_id"                                    \
	" LEFT JOIN users uc ON uc.id = r.created_by"                                          \
	" LEFT JOIN users ux ON ux.id = r.cancelled_by"

static void fill_redemption(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_redemption *r = rec;
	r->id = sq_col_int(s, 0);
	r->village_id = sq_col_int(s, 1);
	r->household_id = sq_col_int(s, 2);
	r->receipt_no = sq_col_text(s, 3, ar);
	r->total_points = sq_col_int(s, 4);
	r->entry_id = sq_col_int(s, 5);
	r->balance_after = sq_col_int(s, 6);
	r->status = sq_col_text(s, 7, ar);
	r->override_id = sq_col_int(s, 8);
	r->cancel_entry_id = sq_col_int(s, 9);
	r->cancel_reason = sq_col_text(s, 10, ar);
	r->created_by = sq_col_int(s, 11);
	r->created_at = sq_col_int(s, 12);
	r->cancelled_by = sq_col_int(s, 13);
	r->cancelled_at = sq_col_int(s, 14);
	r->passbook_no = sq_col_text(s, 15, ar);
	r->head_name = sq_col_text(s, 16, ar);
	r->group_name = sq_col_text(s, 17, ar);
	r->created_by_name = sq_col_text(s, 18, ar);
	r->cancelled_by_name = sq_col_text(s, 19, ar);
	r->item_count = sq_col_int(s, 20);
}

store_rc store_redemption_get(store *st, int64_t id, arena *ar, st_redemption *out)
{
	static const char sql[] = "SELECT " REDEMPTION_COLS REDEMPTION_FROM " WHERE r.id = ?1";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	memset(out, 0, sizeof(*out));
	return sq_one(c, s, ar, fill_redemption, out);
}

static void fill_item(sqlite3_stmt *s, arena *ar, void *rec)
{
	st_redemption_item *it = rec;
	it->id = sq_col_int(s, 0);
	it->redemption_id = sq_col_int(s, 1);
	it->village_id = sq_col_int(s, 2);
	it->goods_id = sq_col_int(s, 3);
	it->quantity = sq_col_int(s, 4);
	it->price_points = sq_col_int(s, 5);
	it->goods_name = sq_col_text(s, 6, ar);
	it->goods_unit = sq_col_text(s, 7, ar);
	it->goods_category = sq_col_text(s, 8, ar);
}

store_rc store_redemption_items(store *st, int64_t redemption_id, arena *ar,
                                st_redemption_item **out, size_t *n)
{
	static const char sql[] =
		"SELECT i.id, i.redemption_id, i.village_id, i.goods_id, i.quantity, i.price_points,"
		" g.name, g.unit, g.category FROM redemption_items i JOIN goods g ON g.id = i.goods_id"
		" WHERE i.redemption_id = ?1 ORDER BY i.id";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, redemption_id);
	return sq_collect(c, s, ar, sizeof(st_redemption_item), fill_item, (void **)out, n);
}

/* ?1 village (or NULL), ?2 household (or NULL), ?3 status (or NULL) */
#define REDEMPTION_WHERE                                                                     \
	" WHERE (?1 IS NULL OR r.village_id = ?1) AND (?2 IS NULL OR r.household_id = ?2)"   \
	" AND (?3 IS NULL OR r.status = ?3)"

store_rc store_redemption_list(store *st, const st_redemption_filter *f, arena *ar,
                               st_redemption **out, size_t *n, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM redemptions r" REDEMPTION_WHERE;
	static const char sql[] = "SELECT " REDEMPTION_COLS REDEMPTION_FROM REDEMPTION_WHERE
		" ORDER BY r.id DESC LIMIT ?4 OFFSET ?5";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(cs, c, count_sql);
	sq_bind_id(cs, 1, f->village_id);
	sq_bind_id(cs, 2, f->household_id);
	sq_bind_text(cs, 3, f->status);
	store_rc r = sq_one_ints(c, cs, total, 1);
	if (r != STORE_OK)
		return r;
	PREP_OR_FAIL(s, c, sql);
	sq_bind_id(s, 1, f->village_id);
	sq_bind_id(s, 2, f->household_id);
	sq_bind_text(s, 3, f->status);
	sq_bind_int(s, 4, f->limit);
	sq_bind_int(s, 5, f->offset);
	return sq_collect(c, s, ar, sizeof(st_redemption), fill_redemption, (void **)out, n);
}

store_rc store_redemption_cancel(store *st, int64_t id, int64_t by, int64_t at,
                                 int64_t entry_id, const char *reason)
{
	static const char sql[] =
		"UPDATE redemptions SET status = 'cancelled', cancelled_by = ?2, cancelled_at = ?3,"
		" cancel_entry_id = ?4, cancel_reason = ?5 WHERE id = ?1 AND status = 'done'";
	CONN_OR_FAIL(c, st);
	PREP_OR_FAIL(s, c, sql);
	sq_bind_int(s, 1, id);
	sq_bind_id(s, 2, by);
	sq_bind_int(s, 3, at);
	sq_bind_int(s, 4, entry_id);
	sq_bind_text(s, 5, reason);
	return sq_update(c, s);
}
