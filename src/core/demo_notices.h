/*
 * demo_notices.h: the demo village's monthly notices (一月一公示): every past
 * month of its history published, the older ones confirmed, last month's
 * still open with objections in every state, and a late entry.
 */
#ifndef JF_DEMO_NOTICES_H
#define JF_DEMO_NOTICES_H
#include "core/core.h"

/* Publishes the notices of the village's past months (the twelve before the
 * current one that have entries) as admin, backdated: each published on the
 * 3rd of the month after, those older than last month confirmed when their
 * window closed; last month's published a couple of days ago and still open,
 * with the villager's objections — one upheld (its reversal posted), one
 * dismissed, one open — and a late entry for last month recorded after its
 * notice (it lands in the current month). Run after demo_ledger_create. */
core_status demo_notices_create(store *st, int64_t village_id, const st_user *admin,
                                const st_user *villager, core_err *err);

#endif
