/*
 * shop.h: the points supermarket (积分超市) — sponsors, goods and stock,
 * redemption windows, redemptions and their cancellation.
 *
 *   shop_goods.c     sponsors (结对共建企业), contributions, statements; goods,
 *                    stock intake and corrections
 *   shop_windows.c   when redemption is open (一季一兑换) and admins' overrides
 *   shop_redeem.c    redemptions, receipts, cancellation, the household QR code
 *
 * Who may do what:
 *   sponsors         create: the village admin (or an area admin above it);
 *                    read: the village's staff
 *   contributions    the village admin or the clerk (the clerk takes goods in)
 *   goods            create and change: the village admin or the clerk; read:
 *                    anyone, without login (the shop's goods are public)
 *   stock            intake and correction: the clerk or the village admin;
 *                    the moves: the village's staff
 *   windows          create: the village admin (or an area admin above);
 *                    read: any user of the village; "open now?": anyone
 *   overrides        the village admin (or an area admin above)
 *   redemption       the clerk or the village admin of the village
 *   cancellation     the village admin at any time; the clerk on the day of the
 *                    redemption (China time) — a slip at the counter
 *   receipts         the village's staff and the household's villager
 *
 * Money-grade (PRODUCT.md invariants 2 and 3): a redemption checks the window,
 * the goods, the stock and the household's *confirmed* balance inside one write
 * transaction, posts the spending through the ledger (ledger_post) and takes the
 * stock with a conditional update; an idempotency key is completed in the same
 * transaction. A cancellation posts the reversal and puts the stock back in one
 * transaction, exactly once.
 */
#ifndef JF_SHOP_H
#define JF_SHOP_H
#include "core/ledger.h"

#define SHOP_MAX_ITEMS 20           /* goods lines in one redemption */
#define SHOP_MAX_QUANTITY 100       /* pieces of one goods in one redemption */
#define SHOP_MAX_PRICE 100000       /* points */
#define SHOP_MAX_DELTA 100000       /* pieces in one stock move */
#define SHOP_MAX_CENTS 100000000000 /* one contribution: 1,000,000,000.00 yuan */
#define SHOP_MAX_WINDOW_DAYS 92     /* an explicit window */
#define SHOP_MAX_OVERRIDE_HOURS 72
#define SHOP_QR_TAG "JIFEN"         /* household QR payload: JIFEN:<village id>:<passbook no> */

/* ---- money and dates (pure) ------------------------------------------- */

/* Parses a yuan amount written as digits with at most two decimals ("10000",
 * "10000.5", "10000.00") into cents. False for anything else (signs, spaces,
 * exponents, more than two decimals, zero, more than SHOP_MAX_CENTS). */
bool shop_parse_yuan(const char *s, int64_t *cents);
/* Writes cents as yuan with two decimals ("10000.00") into out (32 bytes). */
void shop_format_yuan(int64_t cents, char out[32]);
/* date + days (either sign) into out (11 bytes); false if date is not a real date. */
bool shop_date_add(const char *date, int64_t days, char out[11]);
/* The China-time date (UTC+8) of Unix seconds t, into out (11 bytes). */
void shop_cn_date(int64_t t, char out[11]);

/* ---- sponsors, contributions, goods, stock (shop_goods.c) ------------- */

core_status shop_sponsor_create(store *st, const actor *who, const st_sponsor *in, int64_t *id,
                                core_err *err);
core_status shop_sponsor_get(store *st, const actor *who, int64_t id, arena *ar, st_sponsor *out,
                             core_err *err);
core_status shop_sponsor_list(store *st, const actor *who, int64_t village_id, arena *ar,
                              st_sponsor **out, size_t *n, core_err *err);

typedef struct {
	int64_t sponsor_id;
	const char *kind;        /* money goods */
	const char *amount_yuan; /* money: "10000.00" */
	int64_t goods_id, quantity; /* goods: the goods (of the village) and how many */
	const char *contributed_on; /* YYYY-MM-DD, not in the future */
	const char *note;
} shop_contribution_in;

/* Records a contribution; goods are taken into stock in the same transaction
 * (an 'intake' stock move naming the contribution). The idempotency key (may be
 * NULL) is completed in that transaction with "contribution:ID". Errors: CORE_INVALID (kind,
 * amount, goods of another village, quantity, date, note), CORE_FORBIDDEN,
 * CORE_NOT_FOUND (no such sponsor). */
core_status shop_contribution_add(store *st, const actor *who, const shop_contribution_in *in,
                                  const ledger_idem *idem, int64_t *id, core_err *err);

/* What a sponsor gave, what of their goods was redeemed, and what is left. */
typedef struct {
	st_sponsor sponsor;
	st_contribution *contributions; /* oldest first */
	size_t ncontributions;
	st_sponsor_line *given; /* goods contributed, summed per goods */
	size_t ngiven;
	st_sponsor_line *goods; /* their goods: redeemed quantity and points, stock left */
	size_t ngoods;
} shop_statement;

core_status shop_statement_get(store *st, const actor *who, int64_t sponsor_id, arena *ar,
                               shop_statement *out, core_err *err);

/* Creates goods (stock 0; stock comes in through intake). g: village_id, name,
 * category, unit (NULL: 件), price_points 1..SHOP_MAX_PRICE, photo_hash (a photo
 * of the village, or NULL), sponsor_id (of the village, or 0). Errors:
 * CORE_INVALID, CORE_CONFLICT (name taken), CORE_FORBIDDEN, CORE_NOT_FOUND. */
core_status shop_goods_create(store *st, const actor *who, const st_goods *g, int64_t *id,
                              core_err *err);
/* Goods are public: no actor. CORE_NOT_FOUND if there is none. */
core_status shop_goods_get(store *st, int64_t id, arena *ar, st_goods *out, core_err *err);
core_status shop_goods_list(store *st, const st_goods_filter *f, arena *ar, st_goods **out,
                            size_t *n, int64_t *total, core_err *err);

/* A change of goods: NULL strings and price 0 keep the field; clear_photo and
 * clear_sponsor remove them. The stock is never changed here. */
typedef struct {
	const char *name, *category, *unit, *status, *photo_hash;
	int64_t price_points, sponsor_id;
	bool clear_photo, clear_sponsor;
} shop_goods_patch;

core_status shop_goods_update(store *st, const actor *who, int64_t id, const shop_goods_patch *p,
                              core_err *err);
/* A stock intake (kind "intake", delta > 0) or correction (kind "correction",
 * delta != 0) with a reason, audited. *stock is the stock after it. The
 * idempotency key (may be NULL) is completed in the same transaction with
 * "stock_move:ID". Errors: CORE_INVALID (kind, delta, reason; a correction
 * below zero: "stock_negative"), CORE_FORBIDDEN, CORE_NOT_FOUND. */
core_status shop_stock_change(store *st, const actor *who, int64_t goods_id, const char *kind,
                              int64_t delta, const char *reason, const ledger_idem *idem,
                              int64_t *move_id, int64_t *stock, core_err *err);
core_status shop_stock_moves(store *st, const actor *who, int64_t goods_id, int64_t offset,
                             int64_t limit, arena *ar, st_stock_move **out, size_t *n,
                             int64_t *total, core_err *err);
/* The photo record of the goods' picture, for everyone (the goods are public);
 * strings in ar. CORE_NOT_FOUND if there are no such goods or they have no photo. */
core_status shop_goods_photo(store *st, int64_t goods_id, arena *ar, st_photo *out,
                             core_err *err);

/* ---- windows and overrides (shop_windows.c) --------------------------- */

/* A window of days, both ends included. id 0: a default window of the quarter. */
typedef struct {
	int64_t id;
	char starts_on[11], ends_on[11];
	const char *note;
} shop_window;

/* The default window of the quarter that date falls in: its last window_days
 * days (the whole quarter when it is shorter). False when window_days is 0
 * (only explicit windows) or date is not a real date. */
bool shop_default_window(const char *date, int64_t window_days, shop_window *out);

/* Whether redemption is open on a day, and until when or from when. */
typedef struct {
	char today[11];
	bool open;             /* a window covers today */
	shop_window window;    /* open: the window covering today */
	char open_until[11];   /* open: the last day of the run of windows from today */
	bool has_next;         /* the next window starting after today (after open_until when open) */
	shop_window next;
	bool has_override;     /* an admin's override is valid now */
	st_override override;
} shop_window_state;

/* Computes the state of date from the village's window_days and its explicit
 * windows (any order); the override part is left unset. Pure. */
void shop_window_compute(const char *date, int64_t window_days, const st_window *list, size_t n,
                         shop_window_state *out);
/* The state at now (Unix seconds) of a village, override included; public (no
 * actor). CORE_NOT_FOUND if there is no such village. */
core_status shop_window_state_at(store *st, int64_t village_id, int64_t now, arena *ar,
                                 shop_window_state *out, core_err *err);

/* Adds an explicit window: real dates, starts_on <= ends_on, ends_on not before
 * today, at most SHOP_MAX_WINDOW_DAYS days, a note of at most 200 characters. */
core_status shop_window_create(store *st, const actor *who, int64_t village_id,
                               const char *starts_on, const char *ends_on, const char *note,
                               int64_t *id, core_err *err);
/* The village's explicit windows (all, by start). Any user of the village. */
core_status shop_window_list(store *st, const actor *who, int64_t village_id, arena *ar,
                             st_window **out, size_t *n, core_err *err);
/* Lets the clerk redeem outside a window for hours (1..72) from now; reason
 * 1..200 characters. Recorded and audited. */
core_status shop_override_create(store *st, const actor *who, int64_t village_id,
                                 const char *reason, int64_t hours, int64_t *id, core_err *err);
core_status shop_override_get(store *st, const actor *who, int64_t id, arena *ar,
                              st_override *out, core_err *err);
core_status shop_override_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                               int64_t limit, arena *ar, st_override **out, size_t *n,
                               int64_t *total, core_err *err);

/* ---- redemptions (shop_redeem.c) -------------------------------------- */

typedef struct {
	int64_t goods_id, quantity;
} shop_item_in;

typedef struct {
	int64_t village_id;
	/* the household: exactly one of these */
	int64_t household_id;
	const char *passbook_no;
	const char *qr; /* the household's QR payload (shop_qr_format) */
	const shop_item_in *items;
	size_t nitems;
	int64_t at; /* 0 = now; the demo redeems in a past window */
} shop_redeem_in;

/* What a refused redemption knows that a person can act on (for the response). */
typedef struct {
	int64_t confirmed, needed;   /* insufficient_points */
	char next_opens_on[11];      /* redemption_closed: "" if no window is coming */
	char next_ends_on[11];
	int64_t goods_id, stock;     /* out_of_stock */
} shop_refusal;

/* Redeems in one transaction (see the top of this file). *id is the redemption.
 * Errors: CORE_FORBIDDEN (not the clerk or admin; "redemption_closed" outside a
 * window without a valid override), CORE_INVALID (items, household,
 * "insufficient_points"), CORE_CONFLICT ("out_of_stock" naming the goods,
 * "goods_retired", a retry that took the idempotency key over). why (may be NULL)
 * gets the numbers behind a refusal. */
core_status shop_redeem(store *st, const actor *who, const shop_redeem_in *in,
                        const ledger_idem *idem, int64_t *id, shop_refusal *why, core_err *err);
/* A redemption with its items (in ar), for the village's staff and the
 * household's villager. */
core_status shop_redemption_get(store *st, const actor *who, int64_t id, arena *ar,
                                st_redemption *out, st_redemption_item **items, size_t *nitems,
                                core_err *err);
/* A village's (staff) or a household's (staff, its villager) redemptions. */
core_status shop_redemption_list(store *st, const actor *who, st_redemption_filter *f, arena *ar,
                                 st_redemption **out, size_t *n, int64_t *total, core_err *err);
/* Cancels a redemption with a reason: the points come back through a reversal
 * of its ledger entry (confirmed) and the stock through 'cancel' moves, in one
 * transaction. Errors: CORE_CONFLICT ("already_cancelled"), CORE_FORBIDDEN
 * (not the admin; a clerk after the day), CORE_INVALID (reason), CORE_NOT_FOUND. */
core_status shop_redemption_cancel(store *st, const actor *who, int64_t id, const char *reason,
                                   const ledger_idem *idem, core_err *err);

/* The household QR payload "JIFEN:<village id>:<passbook no>" into out. */
void shop_qr_format(int64_t village_id, const char *passbook_no, char *out, size_t cap);
/* Parses a payload; false if it is not one. passbook gets at most 32 characters. */
bool shop_qr_parse(const char *code, int64_t *village_id, char passbook[33]);
/* The payload of a household's QR code, for its villager and the village's staff. */
core_status shop_household_qr(store *st, const actor *who, int64_t household_id, arena *ar,
                              st_household *h, const char **payload, core_err *err);
/* The household of the village a scanned code names, for the village's staff.
 * CORE_INVALID if the code is malformed or names another village. */
core_status shop_household_by_qr(store *st, const actor *who, int64_t village_id,
                                 const char *code, arena *ar, st_household *out, core_err *err);

#endif
