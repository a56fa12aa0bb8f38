/*
 * demo_honours.h: the demo village's honours (一年一排名): its honour rules —
 * 星级文明户 (1–5 stars by the points earned in a year) and 文明家庭 (the top
 * 10) — and last year closed, so that last year's honours exist and show on
 * the public page.
 */
#ifndef JF_DEMO_HONOURS_H
#define JF_DEMO_HONOURS_H
#include "core/core.h"

/* Adds the honour rules to the village and closes last year as its admin.
 * Runs after the history and the notices' step (which confirms the past
 * months). The demo's history starts twelve months before today, so last year
 * holds only its last months: its star thresholds are the year's prorated to
 * those months (a rule retired once the year is closed, as a village starting
 * the points system mid-year would do). When last year has no entries or some
 * are still pending (its notices not confirmed yet), only the rules are added. */
core_status demo_honours_create(store *st, int64_t village_id, const st_user *admin,
                                core_err *err);

#endif
