/*
 * demo_ledger.h: the demo village's rule catalogue (from the Gaojiangou
 * article) and a year of plausible history: monthly yard inspections, the
 * spring tree planting, fire patrols, study sessions, good deeds, a few
 * deductions and corrected mistakes — posted through the real ledger calls.
 */
#ifndef JF_DEMO_LEDGER_H
#define JF_DEMO_LEDGER_H
#include "core/core.h"

/* Adds the catalogue and the history to the village as the given scorer and
 * admin, and the demo villager's claims (villager may be NULL). Deed dates run
 * over the twelve months up to today. */
core_status demo_ledger_create(store *st, int64_t village_id, const st_user *scorer,
                               const st_user *admin, const st_user *villager, core_err *err);

#endif
