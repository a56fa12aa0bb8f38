/*
 * demo_shop.h: the demo village's points supermarket (积分超市): the three
 * partner enterprises of the article (村企结对共建, 30,000 yuan in all), a
 * dozen kinds of goods stocked from their contributions, and the redemptions
 * of the last quarter's window (一季一兑换).
 */
#ifndef JF_DEMO_SHOP_H
#define JF_DEMO_SHOP_H
#include "core/core.h"

/* Adds the sponsors, their contributions (money, and goods taken into stock),
 * the goods and their stock as admin, then the redemptions of the most recent
 * default redemption window that has ended (the last 10 days of last quarter),
 * made by clerk at times inside that window. Households redeem only from the
 * points already confirmed, so run it after the notices demo
 * (demo_notices_create); with nothing confirmed it still creates the sponsors
 * and goods and redeems nothing. */
core_status demo_shop_create(store *st, int64_t village_id, const st_user *admin,
                             const st_user *clerk, core_err *err);

#endif
