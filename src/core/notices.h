/*
 * notices.h: the monthly notice (一月一公示). A village admin publishes the
 * notice of a month that has ended: every household's points of that month,
 * entry by entry, with the village's chain head at that moment. Publishing
 * freezes the month: entries recorded later for it go into the current month
 * (ledger_target_month; they show as late). The notice stays open for the
 * village's notice_days; meanwhile any villager or cadre of the village may
 * object (异议) to any entry of it, with a reason; the village admin settles each
 * objection: upheld (a reversal entry is posted in the notice's month, pending)
 * or dismissed (with a reason the villager reads). When the window has closed
 * and no objection is open the notice is confirmed: the month enters
 * confirmed_months and each household's pending points of it become confirmed,
 * in one transaction. Confirmation happens without anyone pressing a button:
 * notices_confirm_due runs when `jifen serve` starts and then periodically
 * (scheduler.c), and a settlement that closes the last open objection of a
 * closed window confirms in its own transaction.
 *
 * Decisions:
 *   - publish and settle: the village's admin (role village_admin), not area
 *     admins above it (settling posts ledger entries, which only the village's
 *     cadres do); publish also from the command line (actor without a user);
 *   - objections: any villager or cadre of the village (not area admins), about
 *     any entry of the notice — one's own household's or another's: the notice
 *     is public so that neighbours can say what they saw; one open objection
 *     per entry; never about a reversal or a redemption;
 *   - reading: the village's users and the area admins above it; villagers do
 *     not see who raised an objection unless it is their own;
 *   - a plain reversal (ledger_reverse) of an entry of an open notice stays in
 *     that month, pending, like an upheld objection's, so the entry and its
 *     reversal are confirmed together and confirmed points never include a
 *     reversed entry.
 *
 * Time: publication stamps closes_at = now + notice_days × day_seconds, where
 * day_seconds is 86400 except in tests and demos (`serve --notice-day-seconds`).
 */
#ifndef JF_NOTICES_H
#define JF_NOTICES_H
#include "core/ledger.h"

#define NOTICE_REASON_MAX 200
#define NOTICE_DAY_SECONDS 86400

/* Publishes the notice of month (YYYY-MM, ended: before the current month in
 * China) for the village; *id is the new notice. Errors: CORE_INVALID (not a
 * month, not ended), CORE_CONFLICT (already published, or already confirmed),
 * CORE_FORBIDDEN (not the village's admin), CORE_NOT_FOUND (no such village).
 * day_seconds 0 means NOTICE_DAY_SECONDS. Audited. */
core_status notice_publish(store *st, const actor *who, int64_t village_id, const char *month,
                           int64_t day_seconds, int64_t *id, core_err *err);
/* A notice who may read (the village's users, the area admins above it). */
core_status notice_get(store *st, const actor *who, int64_t id, arena *ar, st_notice *out,
                       core_err *err);
/* The village's notices, latest month first. */
core_status notice_list(store *st, const actor *who, int64_t village_id, int64_t offset,
                        int64_t limit, arena *ar, st_notice **out, size_t *n, int64_t *total,
                        core_err *err);

/* One household's line of a notice: its entries of the month (oldest first). */
typedef struct {
	const st_notice_household *household;
	int64_t points;
	const st_entry *entries;
	size_t nentries;
} notice_line;

/* A notice with its lines and objections; everything lives in the arena. */
typedef struct {
	st_notice notice;
	const char *village_name;
	notice_line *lines;
	size_t nlines;
	st_entry *entries; /* grouped by household; the lines point into it */
	size_t nentries;
	st_objection *objections;
	size_t nobjections;
} notice_view;

/* The whole notice for a reader of its village (household_id 0 = every line,
 * else only that household's). Errors as notice_get. */
core_status notice_view_get(store *st, const actor *who, int64_t id, int64_t household_id,
                            arena *ar, notice_view *out, core_err *err);
/* The public view, for anyone: the village's notice of month, or its latest
 * (month NULL). CORE_NOT_FOUND if the village has none (or no such village).
 * The caller masks names: this returns the records as stored. */
core_status notice_view_public(store *st, int64_t village_id, const char *month, arena *ar,
                               notice_view *out, core_err *err);

/* Raises an objection to entry_id of the open notice notice_id; *id is the new
 * objection. Errors: CORE_INVALID (reason, an entry not of the notice, a
 * reversal or a redemption), CORE_CONFLICT (the notice's window is closed, the
 * entry already has an open objection, the entry was already reversed),
 * CORE_FORBIDDEN, CORE_NOT_FOUND. The idempotency key (may be NULL) is
 * completed with "objection:ID". Audited. */
core_status objection_file(store *st, const actor *who, int64_t notice_id, int64_t entry_id,
                           const char *reason, const ledger_idem *idem, int64_t *id,
                           core_err *err);
/* An objection who may read (as notice_get). */
core_status objection_get(store *st, const actor *who, int64_t id, arena *ar, st_objection *out,
                          core_err *err);
/* A notice's objections (status NULL = all: open, upheld, dismissed). */
core_status objection_list(store *st, const actor *who, int64_t notice_id, const char *status,
                           arena *ar, st_objection **out, size_t *n, core_err *err);
/* Settles objection id: outcome "upheld" (posts the reversal of its entry in the
 * notice's month, reason = resolution; an entry reversed meanwhile is linked,
 * not reversed twice) or "dismissed" (resolution is what the villager reads).
 * If the notice's window has closed and this was its last open objection, the
 * notice is confirmed in the same transaction (*confirmed true; may be NULL).
 * Errors: CORE_INVALID (outcome, resolution), CORE_CONFLICT (already settled),
 * CORE_FORBIDDEN (not the village's admin), CORE_NOT_FOUND. The idempotency key
 * (may be NULL) is completed with "objection:ID". Audited. */
core_status objection_settle(store *st, const actor *who, int64_t id, const char *outcome,
                             const char *resolution, const ledger_idem *idem, bool *confirmed,
                             core_err *err);
/* True if who may see who raised the objection: staff, area admins, its author. */
bool objection_author_visible(const actor *who, const st_objection *o);

/* Confirms every open notice whose window closed at or before now and that has
 * no open objection, each in its own transaction with its audit row. *count
 * (may be NULL) is how many were confirmed. Keeps going past a failure and
 * returns the first one (CORE_ERROR). */
core_status notices_confirm_due(store *st, int64_t now, int *count, core_err *err);

/* True if s is a month written YYYY-MM (2000-01 or later). */
bool notice_month_valid(const char *s);

#endif
