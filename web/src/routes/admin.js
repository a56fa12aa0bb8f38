// The village admin's screens: dashboard, households and import, users, rules,
// notices and objections, redemption windows, sponsors and goods, year end and
// honours, ranking, audit log, exports.
const VA = ['village_admin'];
const v = (name) => () => import(`../views/admin/${name}.vue`);
export const routes = [
  { path: '/admin', component: v('Dashboard'), meta: { roles: VA } },
  { path: '/admin/households', component: v('Households'), meta: { roles: VA } },
  { path: '/admin/households/:id(\\d+)', component: v('Household'), meta: { roles: VA } },
  { path: '/admin/import', component: v('Import'), meta: { roles: VA } },
  { path: '/admin/users', component: v('Users'), meta: { roles: VA } },
  { path: '/admin/rules', component: v('Rules'), meta: { roles: VA } },
  { path: '/admin/notices', component: v('Notices'), meta: { roles: VA } },
  { path: '/admin/notices/:id(\\d+)', component: v('Notice'), meta: { roles: VA } },
  { path: '/admin/windows', component: v('Windows'), meta: { roles: VA } },
  { path: '/admin/shop', component: v('Shop'), meta: { roles: VA } },
  { path: '/admin/years', component: v('Years'), meta: { roles: VA } },
  { path: '/admin/ranking', component: v('Ranking'), meta: { roles: VA } },
  { path: '/admin/audit', component: v('Audit'), meta: { roles: VA } },
  { path: '/admin/exports', component: v('Exports'), meta: { roles: VA } },
];
export const menu = [
  { to: '/admin', icon: 'chart-trending-o', title: 'admin.dashboard', roles: VA, order: 10 },
  { to: '/admin/notices', icon: 'bullhorn-o', title: 'admin.notices', roles: VA, order: 11 },
  { to: '/admin/households', icon: 'friends-o', title: 'admin.households', roles: VA, order: 12 },
  { to: '/admin/rules', icon: 'orders-o', title: 'admin.rules', roles: VA, order: 13 },
  { to: '/admin/users', icon: 'manager-o', title: 'admin.users', roles: VA, order: 14 },
  { to: '/admin/windows', icon: 'calendar-o', title: 'admin.windows', roles: VA, order: 15 },
  { to: '/admin/shop', icon: 'shop-o', title: 'admin.shop', roles: VA, order: 16 },
  { to: '/admin/years', icon: 'medal-o', title: 'admin.years', roles: VA, order: 17 },
  { to: '/admin/ranking', icon: 'bar-chart-o', title: 'admin.ranking', roles: VA, order: 18 },
  { to: '/admin/audit', icon: 'records-o', title: 'admin.audit', roles: VA, order: 19 },
  { to: '/admin/exports', icon: 'down', title: 'admin.exports', roles: VA, order: 20 },
];
