/*
 * store_shop.h: the store's interface for the points supermarket (积分超市):
 * sponsors (结对共建企业) and their contributions, goods and their stock moves,
 * redemption windows and admins' overrides, redemptions and their items.
 * Included by store.h; same conventions (strings in the caller's arena, 0 ids
 * mean none, writes inside the caller's transaction). The SQL is in
 * sqlite_shop.c; the rules (who, when, how much) are in core/shop*.c.
 *
 * Stock is only ever changed by the two conditional updates below, each paired
 * by the caller with a stock move, so a goods' stock is the sum of its moves.
 */
#ifndef JF_STORE_SHOP_H
#define JF_STORE_SHOP_H
#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct {
	int64_t id, village_id;
	const char *name, *contact, *note;
	int64_t created_at;
	/* filled by reads */
	int64_t money_cents; /* money contributed, in all */
	int64_t goods_count; /* goods of the village that name this sponsor */
} st_sponsor;

typedef struct {
	int64_t id, village_id, sponsor_id;
	const char *kind; /* money goods */
	int64_t amount_cents, goods_id, quantity;
	const char *contributed_on, *note;
	int64_t created_by, created_at;
	/* filled by reads */
	const char *goods_name, *goods_unit, *created_by_name;
} st_contribution;

/* One goods line of a sponsor's statement. */
typedef struct {
	int64_t goods_id;
	const char *name, *unit, *status;
	int64_t quantity; /* given: contributed; their goods: redeemed (not cancelled) */
	int64_t points;   /* their goods: points of those redemptions */
	int64_t stock;    /* their goods: left now */
} st_sponsor_line;

typedef struct {
	int64_t id, village_id;
	const char *name, *category, *unit;
	int64_t price_points, stock;
	const char *photo_hash; /* a photo of the village, or NULL */
	int64_t sponsor_id;
	const char *status; /* active retired */
	int64_t created_at, updated_at;
	/* filled by reads */
	const char *sponsor_name;
} st_goods;

typedef struct {
	int64_t village_id;  /* required */
	const char *status;  /* NULL = all */
	int64_t sponsor_id;  /* 0 = any */
	int64_t offset, limit;
} st_goods_filter;

typedef struct {
	int64_t id, village_id, goods_id, delta;
	const char *kind; /* intake correction redemption cancel */
	const char *reason;
	int64_t contribution_id, redemption_id, created_by, created_at;
	/* filled by reads */
	const char *created_by_name, *receipt_no;
	int64_t stock_after; /* the stock right after this move (the sum of the moves so far) */
} st_stock_move;

typedef struct {
	int64_t id, village_id;
	const char *starts_on, *ends_on, *note; /* dates YYYY-MM-DD, both days included */
	int64_t created_by, created_at;
	const char *created_by_name; /* filled by reads */
} st_window;

typedef struct {
	int64_t id, village_id;
	const char *reason;
	int64_t valid_until, created_by, created_at;
	const char *created_by_name; /* filled by reads */
} st_override;

typedef struct {
	int64_t id, village_id, household_id;
	const char *receipt_no;
	int64_t total_points, entry_id;
	int64_t balance_after; /* confirmed points left right after the redemption */
	const char *status;    /* done cancelled */
	int64_t override_id, cancel_entry_id;
	const char *cancel_reason;
	int64_t created_by, created_at, cancelled_by, cancelled_at;
	/* filled by reads */
	const char *passbook_no, *head_name, *group_name, *created_by_name, *cancelled_by_name;
	int64_t item_count; /* pieces in all */
} st_redemption;

typedef struct {
	int64_t id, redemption_id, village_id, goods_id, quantity, price_points;
	/* filled by reads */
	const char *goods_name, *goods_unit, *goods_category;
} st_redemption_item;

typedef struct {
	int64_t village_id;   /* one of village_id, household_id */
	int64_t household_id;
	const char *status;   /* NULL = all */
	int64_t offset, limit;
} st_redemption_filter;

/* ---- sponsors and contributions -------------------------------------- */

/* STORE_CONFLICT if the village already has a sponsor of this name. */
store_rc store_sponsor_create(store *st, const st_sponsor *s, int64_t *id);
store_rc store_sponsor_get(store *st, int64_t id, arena *ar, st_sponsor *out);
/* A village's sponsors by name. */
store_rc store_sponsor_list(store *st, int64_t village_id, arena *ar, st_sponsor **out, size_t *n);
store_rc store_contribution_create(store *st, const st_contribution *c, int64_t *id);
/* A sponsor's contributions, oldest first. */
store_rc store_contribution_list(store *st, int64_t sponsor_id, arena *ar, st_contribution **out,
                                 size_t *n);
/* The goods a sponsor gave (goods contributions summed per goods), by name. */
store_rc store_sponsor_given(store *st, int64_t sponsor_id, arena *ar, st_sponsor_line **out,
                             size_t *n);
/* The sponsor's goods (goods.sponsor_id) with what was redeemed of each
 * (cancelled redemptions left out) and the stock left, by name. */
store_rc store_sponsor_goods(store *st, int64_t sponsor_id, arena *ar, st_sponsor_line **out,
                             size_t *n);

/* ---- goods and stock -------------------------------------------------- */

/* STORE_CONFLICT if the village already has goods of this name. Stock starts at 0. */
store_rc store_goods_create(store *st, const st_goods *g, int64_t *id);
store_rc store_goods_get(store *st, int64_t id, arena *ar, st_goods *out);
/* Goods of a village by category and name; *total counts all that match. */
store_rc store_goods_list(store *st, const st_goods_filter *f, arena *ar, st_goods **out,
                          size_t *n, int64_t *total);
/* Writes name, category, unit, price_points, photo_hash, sponsor_id, status and
 * updated_at of g (by g->id) — never the stock. STORE_CONFLICT on a taken name. */
store_rc store_goods_update(store *st, const st_goods *g);
/* Adds delta (either sign) to the stock unless that would make it negative:
 * STORE_NOT_FOUND then (or if there is no such goods). *stock is the new stock. */
store_rc store_goods_stock_add(store *st, int64_t id, int64_t delta, int64_t at, int64_t *stock);
/* Takes quantity out of the stock of active goods, only if that much is there:
 * STORE_NOT_FOUND otherwise. The guard of the last item: of two redemptions
 * racing for it, one changes the row and the other finds nothing to change. */
store_rc store_goods_take(store *st, int64_t id, int64_t quantity, int64_t at);
store_rc store_stock_move_add(store *st, const st_stock_move *m, int64_t *id);
/* A goods' moves newest first, each with the stock right after it. */
store_rc store_stock_move_list(store *st, int64_t goods_id, int64_t offset, int64_t limit,
                               arena *ar, st_stock_move **out, size_t *n, int64_t *total);

/* ---- redemption windows and overrides --------------------------------- */

store_rc store_window_create(store *st, const st_window *w, int64_t *id);
/* A village's explicit windows ending on or after from (NULL = all), by start. */
store_rc store_window_list(store *st, int64_t village_id, const char *from, arena *ar,
                           st_window **out, size_t *n);
store_rc store_override_create(store *st, const st_override *o, int64_t *id);
store_rc store_override_get(store *st, int64_t id, arena *ar, st_override *out);
/* The override of the village valid at now that lasts longest; STORE_NOT_FOUND if none. */
store_rc store_override_active(store *st, int64_t village_id, int64_t now, arena *ar,
                               st_override *out);
/* A village's overrides, newest first. */
store_rc store_override_list(store *st, int64_t village_id, int64_t offset, int64_t limit,
                             arena *ar, st_override **out, size_t *n, int64_t *total);

/* ---- redemptions ------------------------------------------------------ */

/* The highest number used after prefix ("JF1-20261129-") by a receipt, or 0. */
store_rc store_receipt_last(store *st, const char *prefix, int64_t *last);
/* STORE_CONFLICT if the receipt number is taken. */
store_rc store_redemption_create(store *st, const st_redemption *r, int64_t *id);
store_rc store_redemption_item_add(store *st, const st_redemption_item *it, int64_t *id);
store_rc store_redemption_get(store *st, int64_t id, arena *ar, st_redemption *out);
store_rc store_redemption_items(store *st, int64_t redemption_id, arena *ar,
                                st_redemption_item **out, size_t *n);
/* Redemptions newest first. */
store_rc store_redemption_list(store *st, const st_redemption_filter *f, arena *ar,
                               st_redemption **out, size_t *n, int64_t *total);
/* Marks a done redemption cancelled with who, when, why and the reversal entry;
 * STORE_NOT_FOUND if it is not done (a cancel got there first). */
store_rc store_redemption_cancel(store *st, int64_t id, int64_t by, int64_t at,
                                 int64_t entry_id, const char *reason);

#endif
