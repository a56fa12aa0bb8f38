// The points supermarket's till (积分超市): redeem, receipts, cancel, stock intake.
// The village admin may work the till too (the API lets both).
const roles = ['clerk', 'village_admin'];
const v = (name) => () => import(`../views/clerk/${name}.vue`);
export const routes = [
  { path: '/clerk', component: v('Till'), meta: { roles } },
  { path: '/clerk/receipts/:id(\\d+)', component: v('Receipt'), meta: { roles } },
  { path: '/clerk/redemptions', component: v('Redemptions'), meta: { roles } },
  { path: '/clerk/stock', component: v('Stock'), meta: { roles } },
];
export const menu = [
  { to: '/clerk', icon: 'shopping-cart-o', title: 'clerk.menu_till', roles, order: 20 },
  { to: '/clerk/redemptions', icon: 'orders-o', title: 'clerk.menu_redemptions', roles, order: 21 },
  { to: '/clerk/stock', icon: 'logistics', title: 'clerk.menu_stock', roles, order: 22 },
];
