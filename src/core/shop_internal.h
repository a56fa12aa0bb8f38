/*
 * shop_internal.h: what the shop's domain files (shop_goods.c, shop_windows.c,
 * shop_redeem.c) share and nothing else includes: the two role checks of the
 * shop and the audit summary helper.
 */
#ifndef JF_SHOP_INTERNAL_H
#define JF_SHOP_INTERNAL_H
#include <jansson.h>

#include "core/shop.h"

/* CORE_OK if who keeps the village's shop: its village admin, its clerk, an
 * area admin above it, or the operator. CORE_FORBIDDEN / CORE_NOT_FOUND otherwise. */
core_status shop_access_manage(store *st, const actor *who, int64_t village_id, core_err *err);
/* CORE_OK if who works at the village's counter (stock, redemption): its clerk,
 * its village admin, or the operator. */
core_status shop_access_counter(store *st, const actor *who, int64_t village_id, core_err *err);
/* A compact JSON text of j for the audit log (j is released; the caller frees
 * the text, which is NULL when out of memory). */
char *shop_summary(json_t *j);

#endif
